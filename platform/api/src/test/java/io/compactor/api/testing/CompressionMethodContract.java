package io.compactor.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.Stage;
import io.compactor.api.UnsupportedOperator;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The SPI contract every {@link CompressionMethod} must keep, as a kit each bundle's tests extend: declared
 * capability, stage and op types are well-formed (a built-in capability in its declared stage), agree between
 * instances and cannot be changed by a caller, eligibility always answers (with a reason when it refuses)
 * without touching the graph, and the DS component's service properties agree with the method.
 */
public abstract class CompressionMethodContract {
  private static final Pattern CAPABILITY = Pattern.compile("[a-z0-9]+(\\.[a-z0-9-]+)+");
  private static final Pattern OP_TYPE = Pattern.compile("[A-Z][A-Za-z0-9]*");

  /** One operator of a model, as input to {@link CompressionMethod#eligibility}. */
  protected record Operator(OnnxModel model, String node) {
    public Operator {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(node, "node");
    }

    /** @return the node itself */
    public Node op() {
      return model.graph().node(node).orElseThrow(() -> new IllegalArgumentException("no node " + node));
    }
  }

  /** @return the method under test (a fresh instance is fine; methods are stateless) */
  protected abstract CompressionMethod method();

  /** @return operators the method must accept; at least one */
  protected abstract List<Operator> eligibleOperators();

  /** @return operators the method must refuse, each with a reason; at least one */
  protected abstract List<Operator> ineligibleOperators();

  /**
   * Builds {@code x -> opType(x, w) -> y} with {@code w} a constant FLOAT initializer of {@code weightShape}.
   *
   * @param attributes sets the node's attributes, e.g. {@code n -> n.setAttr("group", 8L)}
   */
  protected static Operator operator(String opType, long[] weightShape, Consumer<Node> attributes) {
    OnnxModel model = OnnxModel.create("contract-" + opType, 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8));
    g.setInitializer("w", Tensor.ofFloats(weightShape, values(weightShape)));
    Node n = Node.create(opType, "op", List.of("x", "w"), List.of("y"));
    attributes.accept(n);
    g.addNode(n);
    g.addOutput(ValueInfo.named("y"));
    return new Operator(model, "op");
  }

  /** Builds {@code opType(x, w)} where {@code w} is a graph input, i.e. not a constant weight. */
  protected static Operator operatorWithRuntimeWeight(String opType) {
    OnnxModel model = OnnxModel.create("contract-runtime-" + opType, 13);
    Graph g = model.graph();
    g.addInput(ValueInfo.of("x", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, 8));
    g.addInput(ValueInfo.of("w", ElementType.FLOAT, 8, 8));
    g.addNode(Node.create(opType, "op", List.of("x", "w"), List.of("y")));
    g.addOutput(ValueInfo.named("y"));
    return new Operator(model, "op");
  }

  @Test
  void declaresAWellFormedCapabilityStageAndOpTypes() {
    CompressionMethod m = method();
    String capability = m.capability();
    assertNotNull(capability, "capability() returned null");
    assertTrue(CAPABILITY.matcher(capability).matches(), "capability() must be lowercase and dotted like "
        + "sparsity.2of4, got '" + capability + "'");
    Stage stage = m.stage();
    assertNotNull(stage, "stage() returned null");
    Optional<Stage> builtIn = Capabilities.stage(capability);
    if (builtIn.isPresent()) {
      assertEquals(builtIn.get(), stage, "capability " + capability + " is built in with stage "
          + builtIn.get().id() + " (Capabilities.stage), but stage() is " + stage.id());
    }
    String family = capability.substring(0, capability.indexOf('.'));
    String expected = switch (stage) {
      case SPARSITY -> "sparsity";
      case QUANTIZATION -> "quant";
      case RETRAINING -> "retrain";
    };
    assertEquals(expected, family, "capability '" + capability + "' must start with '" + expected
        + ".' because stage() is " + stage.id());
    Set<String> opTypes = m.opTypes();
    assertNotNull(opTypes, "opTypes() returned null");
    if (stage != Stage.RETRAINING) {
      assertFalse(opTypes.isEmpty(), "opTypes() is empty; list the ONNX op types the method handles");
    }
    for (String op : opTypes) {
      assertTrue(op != null && OP_TYPE.matcher(op).matches(), "opTypes() must hold ONNX op type names like "
          + "Conv or MatMul, got '" + op + "'");
    }
  }

  @Test
  void instancesAgreeAndCallersCannotChangeTheOpTypes() {
    CompressionMethod first = method();
    CompressionMethod second = method();
    assertEquals(first.capability(), second.capability(), "two instances disagree on capability()");
    assertEquals(first.stage(), second.stage(), "two instances disagree on stage()");
    assertEquals(first.opTypes(), second.opTypes(), "two instances disagree on opTypes()");
    Set<String> before = Set.copyOf(first.opTypes());
    try {
      first.opTypes().add("NotAnOp");
      first.opTypes().clear();
    } catch (UnsupportedOperationException expected) {
      // an unmodifiable set: the host cannot change what the method handles
    }
    assertEquals(before, first.opTypes(), "opTypes() handed out a set the caller could change; return Set.of(...)");
    assertEquals(before, method().opTypes(), "changing one instance's opTypes() changed another's");
  }

  @Test
  void acceptsItsEligibleOperators() {
    List<Operator> operators = eligibleOperators();
    assertFalse(operators.isEmpty(), "eligibleOperators() is empty; give at least one operator the method takes");
    for (Operator o : operators) {
      assertTrue(method().opTypes().contains(o.op().opType()),
          "fixture " + o.node() + " is a " + o.op().opType() + ", not one of opTypes() " + method().opTypes());
      Eligibility e = method().eligibility(o.model().graph(), o.op());
      assertNotNull(e, "eligibility() returned null for " + describe(o));
      assertTrue(e.eligible(), "expected " + describe(o) + " to be eligible, got: " + e.reason());
    }
  }

  @Test
  void refusesItsIneligibleOperatorsWithAReason() {
    List<Operator> operators = ineligibleOperators();
    assertFalse(operators.isEmpty(), "ineligibleOperators() is empty; give at least one operator the method "
        + "refuses");
    for (Operator o : operators) {
      Eligibility e = method().eligibility(o.model().graph(), o.op());
      assertNotNull(e, "eligibility() returned null for " + describe(o));
      assertFalse(e.eligible(), "expected " + describe(o) + " to be ineligible");
      assertFalse(e.reason().isBlank(), "an ineligible verdict needs a reason users can read: " + describe(o));
    }
  }

  @Test
  void alwaysAnswersEvenForOddOperators() {
    for (String opType : method().opTypes()) {
      List<Operator> odd = new ArrayList<>();
      odd.add(operatorWithRuntimeWeight(opType));
      odd.add(operator(opType, new long[] {8}, n -> {}));
      odd.add(operator(opType, new long[] {1, 1, 1, 1, 1}, n -> {}));
      odd.add(noInputs(opType));
      for (Operator o : odd) {
        Eligibility e;
        try {
          e = method().eligibility(o.model().graph(), o.op());
        } catch (RuntimeException ex) {
          throw new AssertionError("eligibility() must answer, not throw, for " + describe(o), ex);
        }
        assertNotNull(e, "eligibility() returned null for " + describe(o));
      }
    }
  }

  @Test
  void eligibilityLeavesTheModelUnchanged() {
    List<Operator> all = new ArrayList<>(eligibleOperators());
    all.addAll(ineligibleOperators());
    for (Operator o : all) {
      byte[] before = o.model().toBytes();
      method().eligibility(o.model().graph(), o.op());
      assertTrue(Arrays.equals(before, o.model().toBytes()), "eligibility() modified the model of " + describe(o));
    }
  }

  @Test
  void listsUnsupportedOperatorsWithoutChangingTheModel() {
    List<Operator> all = new ArrayList<>(eligibleOperators());
    all.addAll(ineligibleOperators());
    for (Operator o : all) {
      byte[] before = o.model().toBytes();
      List<UnsupportedOperator> unsupported = method().unsupportedOperators(o.model());
      assertNotNull(unsupported, "unsupportedOperators() returned null for " + describe(o));
      for (UnsupportedOperator u : unsupported) {
        assertTrue(o.model().graph().node(u.node()).isPresent(), "unsupportedOperators() names " + u.node()
            + ", which is not a node of " + describe(o));
        assertFalse(u.reason().isBlank(), "an unsupported operator needs a reason: " + u);
      }
      assertTrue(Arrays.equals(before, o.model().toBytes()), "unsupportedOperators() modified the model of "
          + describe(o));
    }
  }

  @Test
  void componentServicePropertiesAgreeWithTheMethod() {
    ComponentXml.of(method().getClass()).assertDescribes(method());
  }

  private static Operator noInputs(String opType) {
    OnnxModel model = OnnxModel.create("contract-empty-" + opType, 13);
    model.graph().addNode(Node.create(opType, "op", List.of(), List.of("y")));
    model.graph().addOutput(ValueInfo.named("y"));
    return new Operator(model, "op");
  }

  private static String describe(Operator o) {
    Node n = o.op();
    return n.opType() + " node " + n.name() + " of " + o.model().source();
  }

  private static float[] values(long[] shape) {
    Random r = new Random(42);
    float[] v = new float[Math.toIntExact(Tensor.elementCount(shape))];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
