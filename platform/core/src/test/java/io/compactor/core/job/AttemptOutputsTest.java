package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each attempt writes apart; only the winner's files end up in the output directory. */
class AttemptOutputsTest {
  @TempDir Path dir;

  @Test
  void anAttemptWritesBelowTheOutputAndSharesItsCheckpoints() {
    Path out = dir.resolve("out");
    String staged = AttemptOutputs.staged(out.toString(), "a1");
    assertEquals(ArtifactRoots.resolve(out.toString()).resolve(".attempts/a1").toString(), staged);
    assertEquals(ArtifactRoots.resolve(out.toString()).resolve(".checkpoints"), AttemptOutputs.checkpoints(Path.of(staged)));
    assertEquals(out.resolve(".checkpoints"), AttemptOutputs.checkpoints(out), "a job run in place keeps them by its outputs");
    assertEquals("s3://b/out", AttemptOutputs.staged("s3://b/out", "a1"), "object storage is written directly");
  }

  @Test
  void theWinnerIsMovedIntoPlaceAndTheLosersAreGone() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("report.json"), "old");
    String winner = AttemptOutputs.staged(out.toString(), "win");
    String loser = AttemptOutputs.staged(out.toString(), "lose");
    for (String a : new String[] {winner, loser}) {
      Files.createDirectories(Path.of(a));
      Files.writeString(Path.of(a).resolve("report.json"), a);
    }
    Files.createDirectories(out.resolve(".checkpoints"));
    JobEvent completed = JobEvent.of(EventType.COMPLETED, "j", Map.of("outputs",
        Map.of("report", Path.of(winner).resolve("report.json").toString())));
    JobEvent renamed = AttemptOutputs.renamed(completed, out.toString(), winner);
    assertEquals(Map.of("report", ArtifactRoots.resolve(out.toString()).resolve("report.json").toString()),
        renamed.data().get("outputs"));

    AttemptOutputs.discard(out.toString(), loser);
    assertFalse(Files.exists(Path.of(loser)));
    AttemptOutputs.promote(out.toString(), winner);
    assertEquals(winner, Files.readString(out.resolve("report.json")));
    assertFalse(Files.exists(out.resolve(".attempts")));
    assertFalse(Files.exists(out.resolve(".checkpoints")), "the completed job needs no checkpoints");
  }
}
