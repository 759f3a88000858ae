package io.compactor.bundle.retraindistill.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Lookup by since-version, and the up-front report of nodes that cannot be converted. */
class ConverterRegistryTest {
  private final ConverterRegistry registry = ConverterRegistry.standard();

  @Test
  void aConverterServesEveryOpsetFromItsSinceVersionUntilTheNext() {
    assertEquals(List.of(1L, 13L), registry.versions("", "Softmax"));
    assertTrue(registry.lookup("", "Softmax", 12).orElseThrow() != registry.lookup("", "Softmax", 13).orElseThrow());
    assertTrue(registry.lookup("ai.onnx", "Softmax", 17).orElseThrow() == registry.lookup("", "Softmax", 13).orElseThrow());
    assertTrue(registry.lookup("", "HardSwish", 13).isEmpty(), "HardSwish begins at opset 14");
    assertTrue(registry.lookup("com.microsoft", "Softmax", 13).isEmpty());
  }

  @Test
  void theReportNamesEveryNodeThatCannotBeConvertedAndWhy() {
    ProgramModels b = new ProgramModels("unsupported", 13, 1);
    String x = b.input("x", -1, 4);
    String ok = b.op("Relu", x);
    String topk = b.op("NonZero", ok);
    String pad = b.op("Pad", n -> n.setAttr("mode", "reflect"), ok, b.longs("p", 0, 1, 0, 1));
    OnnxModel model = b.outputs(topk, pad);
    List<UnsupportedNode> report = registry.unsupported(model);
    assertEquals(2, report.size(), report.toString());
    assertEquals("nonzero2", report.get(0).node());
    assertEquals("NonZero", report.get(0).opType());
    assertTrue(report.get(0).reason().contains("no converter for ai.onnx NonZero"), report.get(0).reason());
    assertEquals("pad3", report.get(1).node());
    assertTrue(report.get(1).reason().contains("mode 'reflect'"), report.get(1).reason());
    try (NDManager m = Equivalence.manager()) {
      UnsupportedOperatorsException e = assertThrows(UnsupportedOperatorsException.class,
          () -> DifferentiableProgram.build(model, Set.of(), m, registry));
      assertTrue(e.getMessage().contains("node 'nonzero2' (NonZero)"), e.getMessage());
      assertEquals(report, e.nodes());
    }
  }

  @Test
  void anOperatorBeforeItsFirstConverterVersionIsReportedWithTheVersions() {
    ProgramModels b = new ProgramModels("old gelu", 18, 1);
    String x = b.input("x", -1, 4);
    OnnxModel model = b.outputs(b.op("Gelu", x));
    List<UnsupportedNode> report = registry.unsupported(model);
    assertEquals(1, report.size());
    assertTrue(report.get(0).reason().contains("at opset 18; converters begin at [20]"), report.get(0).reason());
  }

  @Test
  void onlyFloatInitializersCanBeTrained() {
    ProgramModels b = new ProgramModels("trainables", 13, 1);
    String x = b.input("x", -1, 4);
    OnnxModel model = b.outputs(b.op("Reshape", x, b.longs("shape", -1, 2)));
    try (NDManager m = Equivalence.manager()) {
      io.compactor.onnx.ModelException e = assertThrows(io.compactor.onnx.ModelException.class,
          () -> DifferentiableProgram.build(model, Set.of("shape"), m, registry));
      assertTrue(e.getMessage().contains("shape"), e.getMessage());
    }
    assertEquals(Set.of(), Trainables.weights(model));
  }
}
