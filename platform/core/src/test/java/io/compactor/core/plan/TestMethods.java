package io.compactor.core.plan;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Small real compression methods for planning tests: their eligibility checks follow amct-config.md
 * section 3 (2:4 needs a 2-D kernel, no groups and Cin % 4 == 0; filter pruning refuses depthwise convs
 * and non-2-D kernels and does not handle ConvTranspose actively). They cannot compress anything.
 */
public final class TestMethods {
  private TestMethods() {}

  /** A method with a fixed identity and an eligibility rule. */
  public record Method(String capability, Stage stage, Set<String> opTypes, Rule rule) implements CompressionMethod {
    @Override
    public Eligibility eligibility(Graph graph, Node node) {
      return rule.check(graph, node).map(Eligibility::ineligible).orElse(Eligibility.ELIGIBLE);
    }

    @Override
    public StepResult apply(StepContext context) {
      throw new UnsupportedOperationException("planning-only test method");
    }
  }

  /** Why an operator is refused, or empty when it is eligible. */
  @FunctionalInterface
  public interface Rule {
    Optional<String> check(Graph graph, Node node);
  }

  static final Set<String> ALL_TYPES = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  public static Method twoOfFour() {
    return new Method(Capabilities.SPARSITY_2OF4, Stage.SPARSITY, ALL_TYPES, (g, n) -> {
      long[] w = g.initializerShape(n.input(1)).orElseThrow();
      if (n.opType().startsWith("Conv") && w.length != 4) {
        return Optional.of("2:4 needs a 2-D kernel, got a " + (w.length - 2) + "-D one");
      }
      long group = n.attrInt("group", 1);
      if (group > 1) {
        return Optional.of("grouped convolution (group = " + group + ")");
      }
      long cin = w[inputChannelAxis(n)];
      return cin % 4 == 0 ? Optional.empty() : Optional.of("Cin = " + cin + " is not a multiple of 4");
    });
  }

  public static Method filter() {
    return new Method(Capabilities.SPARSITY_FILTER, Stage.SPARSITY, Set.of("Conv", "Gemm", "MatMul"), (g, n) -> {
      long[] w = g.initializerShape(n.input(1)).orElseThrow();
      if (n.opType().equals("Conv") && w.length != 4) {
        return Optional.of("filter pruning needs a 2-D kernel");
      }
      long group = n.attrInt("group", 1);
      return group > 1 && group == w[0] ? Optional.of("depthwise convolution (group = " + group + "), pruned passively")
          : Optional.empty();
    });
  }

  public static Method int8() {
    return new Method(Capabilities.QUANT_INT8, Stage.QUANTIZATION, Set.of("Conv", "ConvTranspose", "Gemm", "MatMul",
        "Gather"),
        (g, n) -> n.opType().equals("Gemm") && n.attrInt("transA", 0) == 1
            ? Optional.of("Gemm with transA = 1") : Optional.empty());
  }

  /** The weight axis that holds input channels (amct-config.md 3.3). */
  static int inputChannelAxis(Node n) {
    return switch (n.opType()) {
      case "Conv" -> 1;
      case "Gemm" -> n.attrInt("transB", 0) == 1 ? 1 : 0;
      default -> 0;
    };
  }

  public static Provider provider(Method m) {
    return new Provider("io.compactor.test." + m.capability().replace(".", ""), "1.2.3", m);
  }

  /** @return a catalog offering all three built-in capabilities */
  public static MethodCatalog all() {
    return MethodCatalog.of(List.of(provider(twoOfFour()), provider(filter()), provider(int8())));
  }
}
