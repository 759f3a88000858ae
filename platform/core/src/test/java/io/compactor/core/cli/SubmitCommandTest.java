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
}
