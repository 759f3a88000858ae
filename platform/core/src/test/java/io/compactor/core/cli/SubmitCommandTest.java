package io.compactor.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A request the platform would refuse is a user error (exit 2) before anything is sent. */
class SubmitCommandTest {
  // nothing listens there: the tests pass only if the request is refused before connecting
  private static final String NOWHERE = "127.0.0.1:9";

  @Test
  void aBadJobIdExitsTwoNamingTheField() {
    Cli.Run r = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "m.onnx", "--config", "c.cfg",
        "--output", "out", "--job-id", "bad id!");
    assertEquals(UserErrorHandler.USER_ERROR, r.code(), r.err());
    assertTrue(r.err().startsWith("error: jobId: must match"), r.err());
  }

  @Test
  void anUnsupportedUriSchemeOrABadS3KeyExitsTwoNamingTheOption() {
    Cli.Run s3 = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "s3://bucket/a/../m.onnx", "--config",
        "c.cfg", "--output", "out");
    assertEquals(UserErrorHandler.USER_ERROR, s3.code(), s3.err());
    assertTrue(s3.err().startsWith("error: --model: 's3://bucket/a/../m.onnx' has an empty, '.' or '..' segment"),
        s3.err());
    Cli.Run http = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "m.onnx", "--config", "c.cfg",
        "--output", "https://example.com/out");
    assertEquals(UserErrorHandler.USER_ERROR, http.code(), http.err());
    assertTrue(http.err().startsWith("error: --output: URI scheme 'https' is not supported"), http.err());
  }

  @Test
  void aTopicPrefixKafkaWouldRefuseExitsTwoNamingTheOption() {
    Cli.Run r = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "m.onnx", "--config", "c.cfg",
        "--output", "out", "--topic-prefix", "team a.");
    assertEquals(UserErrorHandler.USER_ERROR, r.code(), r.err());
    assertTrue(r.err().startsWith("--topic-prefix: 'team a.' has characters Kafka refuses"), r.err());
  }

  @Test
  void theTrainingDirectoryIsCheckedLikeTheOtherPaths() {
    Cli.Run r = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "m.onnx", "--config", "c.cfg",
        "--output", "out", "--train", "https://example.com/train");
    assertEquals(UserErrorHandler.USER_ERROR, r.code(), r.err());
    assertTrue(r.err().startsWith("error: --train: URI scheme 'https' is not supported"), r.err());
  }

  @Test
  void aTuneJobTakesTuneOptionsUnderTheSameNamesAndNeedsItsEvalData() {
    Cli.Run noEval = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--kind", "tune", "--model", "m.onnx",
        "--calibration", "c", "--max-drop", "0.5", "--output", "out");
    assertEquals(UserErrorHandler.USER_ERROR, noEval.code(), noEval.err());
    assertTrue(noEval.err().contains("--eval: required by --max-drop"), noEval.err());
    Cli.Run objective = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--kind", "tune", "--model", "m.onnx",
        "--calibration", "c", "--eval", "e", "--min-fidelity", "0.99", "--objective", "speed", "--output", "out");
    assertEquals(UserErrorHandler.USER_ERROR, objective.code(), objective.err());
    assertTrue(objective.err().contains("use size, latency or sparsity"), objective.err());
    Cli.Run budget = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--kind", "tune", "--model", "m.onnx",
        "--calibration", "c", "--eval", "e", "--output", "out");
    assertTrue(budget.err().contains("give exactly one budget"), budget.err());
  }

  @Test
  void aCompressionJobNeedsItsConfigurationAndTakesNoBudget() {
    Cli.Run noConfig = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "m.onnx", "--output", "out");
    assertEquals(UserErrorHandler.USER_ERROR, noConfig.code(), noConfig.err());
    assertTrue(noConfig.err().contains("Missing required option: '--config"), noConfig.err());
    Cli.Run budget = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--model", "m.onnx", "--config", "c.cfg",
        "--output", "out", "--max-drop", "1");
    assertEquals(UserErrorHandler.USER_ERROR, budget.code(), budget.err());
    assertTrue(budget.err().contains("are for --kind tune"), budget.err());
    Cli.Run kind = Cli.run("submit", "--bootstrap-servers", NOWHERE, "--kind", "prune", "--model", "m.onnx",
        "--config", "c.cfg", "--output", "out");
    assertTrue(kind.err().contains("--kind: unknown kind 'prune'"), kind.err());
  }
}
