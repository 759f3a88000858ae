package io.compactor.core.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.AttemptOutputs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attempts' outputs in a real S3 server (S3Proxy): staged under the output prefix, the winner's promoted by
 * server-side copies, every staged and saved key deleted, a zombie's late writes never reaching the final keys.
 */
@Tag("integration")
class S3OutputStoreIT {
  private static final String OUT = "s3://jobs/team/out";
  @TempDir static Path dir;
  private static S3Server s3;
  private static ArtifactStores stores;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(dir.resolve("s3"));
    s3.configureSdk();
    s3.bucket("jobs");
    stores = ArtifactStores.of(new S3Settings(true));
  }

  @AfterAll
  static void stop() throws Exception {
    stores.close();
    s3.close();
  }

  @Test
  void theStoreListsCopiesMovesAndDeletesUnderAPrefix() throws Exception {
    String at = "s3://jobs/store";
    stores.put(file("a", "one"), at + "/x/a.bin");
    stores.put(file("b", "two"), at + "/x/sub/b.bin");
    stores.put(file("c", "three"), at + "/x-other/c.bin");

    assertEquals(List.of("a.bin", "sub/b.bin"), stores.list(at + "/x"), "segment by segment: not x-other");
    assertTrue(stores.exists(at + "/x/a.bin"));
    assertFalse(stores.exists(at + "/x/missing.bin"));
    Path got = dir.resolve("got.bin");
    assertFalse(stores.get(at + "/x/missing.bin", got));
    stores.move(at + "/x/a.bin", at + "/x/sub/b.bin");
    assertTrue(stores.get(at + "/x/sub/b.bin", got));
    assertEquals("one", Files.readString(got), "replaced by the moved object");
    assertFalse(stores.exists(at + "/x/a.bin"));
    stores.delete(at + "/x");
    assertEquals(List.of(), stores.list(at + "/x"));
    assertEquals(List.of("c.bin"), stores.list(at + "/x-other"));
    assertThrows(ArtifactException.class, () -> stores.delete("s3://jobs"), "never a whole bucket");
  }

  @Test
  void theWinnerIsPromotedAndNoStagedOrSavedKeyIsLeft() throws Exception {
    String out = OUT + "-promote";
    AttemptOutputs winner = new AttemptOutputs(stores, out, "win");
    AttemptOutputs loser = new AttemptOutputs(stores, out, "lose");
    stores.put(file("old", "old"), out + "/report.json");
    for (AttemptOutputs a : List.of(winner, loser)) {
      stores.put(file("report", a.staged()), a.staged() + "/report.json");
      stores.put(file("deploy", a.staged()), a.staged() + "/model.deploy.onnx");
    }
    stores.put(file("step", "saved"), winner.checkpoints().file("step-1.json"));

    loser.discard();
    assertEquals(List.of(), stores.list(loser.staged()));
    assertEquals(List.of("model.deploy.onnx", "report.json"), stores.list(winner.staged()), "the winner's are its own");
    winner.promote();

    assertEquals(winner.staged(), text("team/out-promote/report.json"));
    assertEquals(winner.staged(), text("team/out-promote/model.deploy.onnx"));
    assertEquals(List.of("model.deploy.onnx", "report.json"), stores.list(out), "no .attempts/ or .checkpoints/ keys");
  }

  @Test
  void aZombieWritingAfterThePromotionChangesNoFinalObject() throws Exception {
    String out = OUT + "-zombie";
    AttemptOutputs zombie = new AttemptOutputs(stores, out, "zombie");
    AttemptOutputs winner = new AttemptOutputs(stores, out, "winner");
    stores.put(file("report", "winner"), winner.staged() + "/report.json");
    winner.promote();

    // resumed after its lease lapsed: it finishes, publishes into its own prefix, then finds itself fenced
    stores.put(file("report", "zombie"), zombie.staged() + "/report.json");
    stores.put(file("step", "zombie"), zombie.checkpoints().file("step-2.json"));
    assertEquals("winner", text("team/out-zombie/report.json"));
    zombie.discard();

    assertEquals("winner", text("team/out-zombie/report.json"));
    assertEquals(List.of(), stores.list(out + "/" + AttemptOutputs.ATTEMPTS));
  }

  private static Path file(String name, String content) throws Exception {
    return Files.writeString(Files.createTempFile(dir, name, ".tmp"), content);
  }

  private static String text(String key) {
    return new String(s3.get("jobs", key), StandardCharsets.UTF_8);
  }
}
