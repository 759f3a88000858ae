package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InspectCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = CompactorCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void inspectsTheRealMiniLmModel() throws Exception {
    Path model = dir.resolve("minilm.onnx");
    try (var in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
      Files.copy(in, model);
    }
    Run r = run("inspect", "--model", model.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("opset      11"), r.out());
    assertTrue(r.out().contains("input_ids:INT64[-1, -1]"), r.out());
    assertTrue(r.out().contains("MatMul=48"), r.out());
  }

  @Test
  void aBadModelExitsTwoWithTheFileNamed() throws Exception {
    Path bad = dir.resolve("bad.onnx");
    Files.writeString(bad, "not a model");
    Run r = run("inspect", "--model", bad.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: " + bad + ": not an ONNX model"), r.err());
    assertTrue(!r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void missingOptionIsAUsageError() {
    Run r = run("inspect");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Missing required option: '--model=M.onnx'"), r.err());
  }
}
