package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per way out of the allowed roots: each escape is refused naming the field. */
class ArtifactRootsTest {
  @TempDir Path tmp;
  private Path root;
  private Path outside;
  private ArtifactRoots roots;

  @BeforeEach
  void layout() throws Exception {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(root.resolve("m.onnx"), "model");
    Files.writeString(root.resolve("c.cfg"), "config");
    Files.createDirectories(root.resolve("calib"));
    Files.writeString(outside.resolve("secret.onnx"), "secret");
    Files.createDirectories(outside.resolve("data"));
    roots = new ArtifactRoots(List.of(root));
  }

  private JobRequest request(String model, Optional<String> calibration, String output) {
    return new JobRequest("j", model, root.resolve("c.cfg").toString(), calibration, Optional.empty(), output);
  }

  private InvalidRequestException refused(JobRequest r) {
    return assertThrows(InvalidRequestException.class, () -> roots.confine(r));
  }

  @Test
  void pathsInsideTheRootsPassAsTheirRealPaths() {
    JobRequest ok = request(root.resolve("sub/../m.onnx").toUri().toString(), Optional.of(root.resolve("calib")
        .toString()), root.resolve("out/new").toString());
    JobRequest confined = roots.confine(ok);
    assertEquals(root.resolve("m.onnx").toString(), confined.model());
    assertEquals(root.resolve("out/new").toString(), confined.output());
    assertEquals(Optional.empty(), roots.check(ok));
  }

  @Test
  void aPlainPathOutsideIsRefused() {
    InvalidRequestException e = refused(request(root.resolve("../outside/secret.onnx").toString(), Optional.empty(),
        root.resolve("out").toString()));
    assertEquals("model", e.field());
    assertTrue(e.getMessage().startsWith("model: " + outside.resolve("secret.onnx") + " is outside the allowed "
        + "artifact roots"), e.getMessage());
  }

  @Test
  void aSymlinkedModelLeadingOutsideIsRefused() throws Exception {
    Path link = Files.createSymbolicLink(root.resolve("link.onnx"), outside.resolve("secret.onnx"));
    InvalidRequestException e = refused(request(link.toString(), Optional.empty(), root.resolve("out").toString()));
    assertEquals("model", e.field());
    assertTrue(e.getMessage().contains("symbolic link to " + outside.resolve("secret.onnx")), e.getMessage());
  }

  @Test
  void aSymlinkedOutputDirectoryLeadingOutsideIsRefusedAlsoForFilesNotYetWritten() throws Exception {
    Path link = Files.createSymbolicLink(root.resolve("out"), outside);
    assertEquals("output", refused(request(root.resolve("m.onnx").toString(), Optional.empty(), link.toString()))
        .field());
    // the job would create out/job-1 below the link: resolved through the nearest existing ancestor
    assertEquals("output", refused(request(root.resolve("m.onnx").toString(), Optional.empty(),
        link.resolve("job-1/deep").toString())).field());
  }

  @Test
  void aSymlinkedOutputFileInsideTheOutputDirectoryIsRefused() throws Exception {
    Path out = Files.createDirectories(root.resolve("out"));
    Files.createSymbolicLink(out.resolve("report.json"), outside.resolve("report.json")); // dangling: would be created
    assertEquals("output", refused(request(root.resolve("m.onnx").toString(), Optional.empty(), out.toString()))
        .field());
  }

  @Test
  void aSymlinkedDataDirectoryOrDataFileLeadingOutsideIsRefused() throws Exception {
    Path dataLink = Files.createSymbolicLink(root.resolve("data"), outside.resolve("data"));
    assertEquals("calibration", refused(request(root.resolve("m.onnx").toString(), Optional.of(dataLink.toString()),
        root.resolve("out").toString())).field());
    Files.createSymbolicLink(root.resolve("calib/input.npy"), outside.resolve("secret.onnx"));
    assertEquals("calibration", refused(request(root.resolve("m.onnx").toString(), Optional.of(root.resolve("calib")
        .toString()), root.resolve("out").toString())).field());
  }

  @Test
  void dotDotIsAppliedBeforeTheCheckAndTheCheckedPathIsTheOneUsed() throws Exception {
    // root/deep -> outside/data: the job reads the path it was checked as, never the link's target
    Path deep = Files.createSymbolicLink(root.resolve("deep"), outside.resolve("data"));
    JobRequest r = request(deep + "/../m.onnx", Optional.empty(), root.resolve("out").toString());
    assertEquals(root.resolve("m.onnx").toString(), roots.confine(r).model());
    assertEquals("model", refused(request(deep + "/../../outside/secret.onnx", Optional.empty(),
        root.resolve("out").toString())).field());
  }

  @Test
  void aLinkInsideTheRootsStayingInsideIsFine() throws Exception {
    Path link = Files.createSymbolicLink(root.resolve("alias.onnx"), Path.of("m.onnx"));
    assertEquals(root.resolve("m.onnx").toString(),
        roots.confine(request(link.toString(), Optional.empty(), root.resolve("out").toString())).model());
  }

  @Test
  void aRootGivenThroughALinkIsComparedByItsRealPath() throws Exception {
    Path alias = Files.createSymbolicLink(tmp.resolve("alias"), root);
    ArtifactRoots viaLink = new ArtifactRoots(List.of(alias));
    assertEquals(Optional.empty(), viaLink.check(request(alias.resolve("m.onnx").toString(), Optional.empty(),
        alias.resolve("out").toString())));
  }

  @Test
  void unknownUriSchemesAreRefusedByName() {
    InvalidRequestException s3 = refused(request("s3://bucket/m.onnx", Optional.empty(), root.toString()));
    assertEquals("model", s3.field());
    assertTrue(s3.getMessage().contains("outside the allowed S3 buckets"), s3.getMessage());
    InvalidRequestException http = refused(request(root.resolve("m.onnx").toString(), Optional.empty(),
        "http://example.com/out"));
    assertEquals("output", http.field());
    assertTrue(http.getMessage().contains("URI scheme 'http' is not supported"), http.getMessage());
    // a Path option turns s3://b/k into s3:/b/k; still a scheme, not a relative file name
    assertTrue(assertThrows(InvalidRequestException.class, () -> ArtifactRoots.resolve("s3:/bucket/m.onnx"))
        .getMessage().contains("an s3:// URI is not supported here"));
  }

  @Test
  void fileUrisAreAcceptedAsPaths() {
    JobRequest r = request(root.resolve("m.onnx").toUri().toString(), Optional.empty(), "file:" + root.resolve("out"));
    JobRequest confined = roots.confine(r);
    assertEquals(root.resolve("m.onnx").toString(), confined.model());
    assertEquals(root.resolve("out").toString(), confined.output());
  }

  @Test
  void aSymlinkLoopIsRefusedNotFollowedForever() throws Exception {
    Files.createSymbolicLink(root.resolve("a"), root.resolve("b"));
    Files.createSymbolicLink(root.resolve("b"), root.resolve("a"));
    InvalidRequestException e = refused(request(root.resolve("a/m.onnx").toString(), Optional.empty(),
        root.resolve("out").toString()));
    assertTrue(e.getMessage().contains("symbolic links"), e.getMessage());
  }
}
