package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code s3://} URIs at the artifact boundary: parsing, allowed bucket prefixes, and what escapes them. */
class S3RootsTest {
  @TempDir Path dir;

  private ArtifactRoots roots() {
    return ArtifactRoots.parse(List.of(dir.toString(), "s3://models/data", "s3://whole-bucket"));
  }

  private JobRequest request(String model, String output) {
    return new JobRequest("j1", model, "s3://models/data/c.cfg", Optional.of("s3://models/data/calib/"),
        Optional.empty(), output);
  }

  @Test
  void objectsUnderAnAllowedPrefixPassNormalized() {
    JobRequest confined = roots().confine(request("s3://models/data/m.onnx", "s3://whole-bucket/any/out/"));
    assertEquals("s3://models/data/m.onnx", confined.model());
    assertEquals(Optional.of("s3://models/data/calib"), confined.calibration());
    assertEquals("s3://whole-bucket/any/out", confined.output());
  }

  @Test
  void localPathsAndObjectsMix() throws Exception {
    JobRequest confined = roots().confine(request("s3://models/data/m.onnx", dir.resolve("out").toString()));
    assertEquals(dir.toRealPath().resolve("out").toString(), confined.output());
  }

  @Test
  void aBucketOrPrefixNotAllowedIsRefusedByFieldAndUri() {
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> roots().confine(request("s3://other/data/m.onnx", "s3://whole-bucket/out")));
    assertTrue(e.getMessage().startsWith("model: s3://other/data/m.onnx is outside the allowed S3 buckets"),
        e.getMessage());
    Optional<String> problem = roots().check(request("s3://models/data/m.onnx", "s3://models/out"));
    assertTrue(problem.orElseThrow().startsWith("output: s3://models/out is outside"), problem.toString());
  }

  @Test
  void aPrefixMatchesBySegmentNotByText() {
    Optional<String> problem = roots().check(request("s3://models/data-other/m.onnx", "s3://whole-bucket/out"));
    assertTrue(problem.orElseThrow().startsWith("model: s3://models/data-other/m.onnx is outside"), problem.toString());
    assertTrue(roots().check(request("s3://models/data/m.onnx", "s3://whole-bucket/out")).isEmpty());
  }

  @Test
  void dotDotAndEmptySegmentsAreRefused() {
    for (String uri : List.of("s3://models/data/../secret/m.onnx", "s3://models/data/./m.onnx",
        "s3://models/data//m.onnx", "s3://models/data/..")) {
      Optional<String> problem = roots().check(request(uri, "s3://whole-bucket/out"));
      assertTrue(problem.orElseThrow().startsWith("model: '" + uri + "' has an empty, '.' or '..' segment"),
          uri + ": " + problem);
    }
  }

  @Test
  void bucketsAreNotAllowedUnlessListed() {
    ArtifactRoots local = new ArtifactRoots(List.of(dir));
    Optional<String> problem = local.check(request("s3://models/data/m.onnx", dir.toString()));
    assertTrue(problem.orElseThrow().contains("outside the allowed S3 buckets (none are allowed)"), problem.toString());
  }

  @Test
  void malformedUrisAndRootsAreRefusedByName() {
    InvalidRequestException e = assertThrows(InvalidRequestException.class,
        () -> S3Location.parse("model", "s3:///key"));
    assertTrue(e.getMessage().startsWith("model: 's3:///key' has no valid bucket name"), e.getMessage());
    e = assertThrows(InvalidRequestException.class, () -> ArtifactRoots.parse(List.of("s3://b/x/../y")));
    assertTrue(e.getMessage().startsWith("--allowed-root: "), e.getMessage());
  }

  @Test
  void locationsKnowTheirChildrenAndNames() {
    S3Location prefix = S3Location.parse("output", "S3://b/out/");
    assertEquals("s3://b/out/report.json", prefix.child("report.json").toString());
    assertEquals("report.json", prefix.child("report.json").name());
    assertTrue(prefix.child("x").within(prefix));
    assertFalse(S3Location.parse("f", "s3://b/outer").within(prefix));
    assertTrue(S3Location.parse("f", "s3://b").within(S3Location.parse("f", "s3://b/")));
  }
}
