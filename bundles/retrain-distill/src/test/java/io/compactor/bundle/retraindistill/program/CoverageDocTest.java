package io.compactor.bundle.retraindistill.program;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/retrain-distill.md's coverage table names every registered operator with its since-versions. */
class CoverageDocTest {
  @Test
  void theCoverageTableListsEveryConverter() throws Exception {
    Path doc = Path.of("../../docs/retrain-distill.md");
    assertTrue(Files.isRegularFile(doc), doc.toAbsolutePath() + " is missing");
    String table = Files.readString(doc);
    List<String> missing = ConverterRegistry.standard().keys().stream()
        .filter(k -> !table.matches("(?s).*\\b" + k.opType() + "\\b[^|]*\\b" + k.sinceVersion() + "\\b.*"))
        .map(OpKey::toString).toList();
    assertTrue(missing.isEmpty(), "docs/retrain-distill.md does not list " + missing);
  }
}
