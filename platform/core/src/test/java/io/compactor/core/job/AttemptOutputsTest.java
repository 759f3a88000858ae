package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.artifact.ArtifactStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each attempt writes apart; only the winner's files end up in the output directory. */
class AttemptOutputsTest {
  private final OutputStore local = ArtifactStores.localOnly();
  @TempDir Path dir;

  @Test
  void anAttemptWritesBelowTheOutputAndSharesItsCheckpoints() {
    Path out = dir.resolve("out");
    AttemptOutputs a1 = new AttemptOutputs(local, out.toString(), "a1");
    Path real = ArtifactRoots.resolve(out.toString());
    assertEquals(real.resolve(".attempts/a1").toString(), a1.staged());
    assertEquals(real.resolve(".checkpoints").toString(), a1.checkpoints().location());
    assertEquals(a1.checkpoints(), new AttemptOutputs(local, out.toString(), "a2").checkpoints(), "shared");
    assertEquals(real.resolve(".checkpoints/step-1.json").toString(), a1.checkpoints().file("step-1.json"));
  }

  @Test
  void inObjectStorageAnAttemptWritesBelowTheOutputPrefixToo() {
    AttemptOutputs a1 = new AttemptOutputs(local, "s3://b/team/out/", "a1");
    assertEquals("s3://b/team/out/.attempts/a1", a1.staged());
    assertEquals("s3://b/team/out/.checkpoints", a1.checkpoints().location());
    JobEvent completed = JobEvent.of(EventType.COMPLETED, "j", Map.of("outputs",
        Map.of("report", "s3://b/team/out/.attempts/a1/report.json")));
    assertEquals(Map.of("report", "s3://b/team/out/report.json"), a1.renamed(completed).data().get("outputs"));
  }

  @Test
  void theWinnerIsMovedIntoPlaceAndTheLosersAreGone() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("report.json"), "old");
    AttemptOutputs winner = new AttemptOutputs(local, out.toString(), "win");
    AttemptOutputs loser = new AttemptOutputs(local, out.toString(), "lose");
    for (AttemptOutputs a : new AttemptOutputs[] {winner, loser}) {
      Files.createDirectories(Path.of(a.staged()));
      Files.writeString(Path.of(a.staged()).resolve("report.json"), a.staged());
    }
    Files.createDirectories(out.resolve(".checkpoints"));
    JobEvent completed = JobEvent.of(EventType.COMPLETED, "j", Map.of("outputs",
        Map.of("report", Path.of(winner.staged()).resolve("report.json").toString())));
    JobEvent renamed = winner.renamed(completed);
    assertEquals(Map.of("report", ArtifactRoots.resolve(out.toString()).resolve("report.json").toString()),
        renamed.data().get("outputs"));

    loser.discard();
    assertFalse(Files.exists(Path.of(loser.staged())));
    assertTrue(Files.exists(out.resolve(".attempts")), "the winner's directory is its own");
    winner.promote();
    assertEquals(winner.staged(), Files.readString(out.resolve("report.json")));
    assertFalse(Files.exists(out.resolve(".attempts")));
    assertFalse(Files.exists(out.resolve(".checkpoints")), "the completed job needs no checkpoints");
  }

  @Test
  void theLastLoserLeavesNoAttemptsDirectory() throws Exception {
    AttemptOutputs loser = new AttemptOutputs(local, dir.resolve("out").toString(), "lose");
    Files.createDirectories(Path.of(loser.staged()));
    Files.writeString(Path.of(loser.staged()).resolve("report.json"), "lost");
    loser.discard();
    assertFalse(Files.exists(dir.resolve("out").resolve(AttemptOutputs.ATTEMPTS)));
  }
}
