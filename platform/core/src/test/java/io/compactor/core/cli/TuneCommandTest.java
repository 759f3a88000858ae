package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TuneCommandTest {
  @Test
  void aBudgetWithoutEvalDataExitsTwoNamingTheOption() {
    Cli.Run run = Cli.run("tune", "--model", "m.onnx", "--calibration", "c", "--max-drop", "0.5", "--output", "o");
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("--eval: required by --max-drop"), run.err());
  }

  @Test
  void exactlyOneBudgetIsRequired() {
    Cli.Run none = Cli.run("tune", "--model", "m.onnx", "--calibration", "c", "--eval", "e", "--output", "o");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("give exactly one budget"), none.err());
    Cli.Run both = Cli.run("tune", "--model", "m.onnx", "--calibration", "c", "--eval", "e", "--max-drop", "1",
        "--min-fidelity", "0.9", "--output", "o");
    assertEquals(2, both.code());
  }

  @Test
  void badSpaceOptionsAreUsageErrorsThatSayWhatIsAllowed() {
    Cli.Run run = Cli.run("tune", "--model", "m.onnx", "--calibration", "c", "--eval", "e", "--min-fidelity", "0.99",
        "--capabilities", "sparsity.magic", "--output", "o");
    assertEquals(2, run.code());
    assertTrue(run.err().contains("--capabilities: unknown capability 'sparsity.magic'"), run.err());
    Cli.Run ratio = Cli.run("tune", "--model", "m.onnx", "--calibration", "c", "--eval", "e", "--min-fidelity", "0.99",
        "--filter-ratios", "1.5", "--output", "o");
    assertTrue(ratio.err().contains("--filter-ratios"), ratio.err());
    Cli.Run objective = Cli.run("tune", "--model", "m.onnx", "--calibration", "c", "--eval", "e", "--max-drop", "1",
        "--objective", "speed", "--output", "o");
    assertTrue(objective.err().contains("use size, latency or sparsity"), objective.err());
  }
}
