package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir Path dir;

  @Test
  void inspectsTheRealMiniLmModel() throws Exception {
    Path model = dir.resolve("minilm.onnx");
    try (var in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
      Files.copy(in, model);
    }
    Cli.Run r = Cli.run("inspect", "--model", model.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("opset      11"), r.out());
    assertTrue(r.out().contains("input_ids:INT64[-1, -1]"), r.out());
    assertTrue(r.out().contains("MatMul=48"), r.out());
  }

  @Test
  void aBadModelExitsTwoWithTheFileNamed() throws Exception {
    Path bad = dir.resolve("bad.onnx");
    Files.writeString(bad, "not a model");
    Cli.Run r = Cli.run("inspect", "--model", bad.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: " + bad + ": not an ONNX model"), r.err());
    assertTrue(!r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void missingOptionIsAUsageError() {
    Cli.Run r = Cli.run("inspect");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Missing required option: '--model=M.onnx'"), r.err());
  }
}
