package io.compactor.core.config;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A layer type as a configuration names it ({@code override_layer_types}, {@code *_skip_types}): an
 * ONNX op type ({@code Conv}, {@code ConvTranspose}, {@code Gemm}, {@code MatMul}) or one of the PyTorch
 * class names AMCT uses. The PyTorch names select ONNX operators by op type and, for convolutions, by
 * the rank of the weight: {@code Conv1d}, {@code Conv2d}, {@code Conv3d} are {@code Conv} nodes with a 3-,
 * 4- or 5-D weight, {@code ConvTranspose1d}/{@code ConvTranspose2d} likewise, and {@code Linear} is every
 * {@code Gemm} and {@code MatMul}. Any other name is taken as a literal ONNX op type. Names are
 * case-sensitive. {@code Gather} (a Compactor extension) selects embedding tables: Gather on a constant table,
 * quantized only where an override opts in.
 *
 * @param name the name as written
 * @param opTypes the ONNX op types it selects
 * @param weightRank the weight rank it requires, if any
 * @param meaning what it selects, in words, for messages
 */
public record LayerType(String name, Set<String> opTypes, OptionalInt weightRank, String meaning) {
  private static final Map<String, LayerType> VOCABULARY = vocabulary();

  public LayerType {
    Objects.requireNonNull(name, "name");
    opTypes = Set.copyOf(opTypes);
    Objects.requireNonNull(weightRank, "weightRank");
    Objects.requireNonNull(meaning, "meaning");
  }

  private static Map<String, LayerType> vocabulary() {
    Map<String, LayerType> v = new LinkedHashMap<>();
    for (String op : new String[] {"Conv", "ConvTranspose", "Gemm", "MatMul"}) {
      v.put(op, new LayerType(op, Set.of(op), OptionalInt.empty(), "every " + op));
    }
    v.put("Conv1d", ranked("Conv1d", "Conv", 3, "Conv with a 1-D kernel"));
    v.put("Conv2d", ranked("Conv2d", "Conv", 4, "Conv with a 2-D kernel"));
    v.put("Conv3d", ranked("Conv3d", "Conv", 5, "Conv with a 3-D kernel"));
    v.put("ConvTranspose1d", ranked("ConvTranspose1d", "ConvTranspose", 3, "ConvTranspose with a 1-D kernel"));
    v.put("ConvTranspose2d", ranked("ConvTranspose2d", "ConvTranspose", 4, "ConvTranspose with a 2-D kernel"));
    v.put("Linear", new LayerType("Linear", Set.of("Gemm", "MatMul"), OptionalInt.empty(),
        "every Gemm and MatMul"));
    // Compactor extension: embedding tables, quantized only when an override names the type or the node
    v.put("Gather", new LayerType("Gather", Set.of("Gather"), OptionalInt.empty(),
        "every Gather on a constant table (embedding tables; opt-in)"));
    return Collections.unmodifiableMap(v);
  }

  private static LayerType ranked(String name, String op, int rank, String meaning) {
    return new LayerType(name, Set.of(op), OptionalInt.of(rank), meaning);
  }

  /**
   * @param name a type as written in a configuration
   * @return the type: a known name, or a literal ONNX op type
   */
  public static LayerType of(String name) {
    LayerType known = VOCABULARY.get(Objects.requireNonNull(name, "name"));
    return known != null ? known
        : new LayerType(name, Set.of(name), OptionalInt.empty(), "every " + name);
  }

  /** @return the names Compactor knows: the compressible ONNX op types, then the PyTorch aliases */
  public static Set<String> knownNames() {
    return VOCABULARY.keySet();
  }

  /** @return whether the name is a compressible ONNX op type or a PyTorch alias of one */
  public boolean known() {
    return VOCABULARY.containsKey(name);
  }

  /**
   * @param graph the graph holding the node
   * @param node an operator
   * @return whether this type selects the operator
   */
  public boolean matches(Graph graph, Node node) {
    if (!opTypes.contains(node.opType())) {
      return false;
    }
    if (weightRank.isEmpty()) {
      return true;
    }
    return graph.initializerShape(node.input(1)).map(s -> s.length == weightRank.getAsInt()).orElse(false);
  }

  /** @return whether some operator could be selected by both types */
  public boolean overlaps(LayerType other) {
    boolean sharedOp = opTypes.stream().anyMatch(other.opTypes::contains);
    boolean rankCompatible = weightRank.isEmpty() || other.weightRank.isEmpty()
        || weightRank.getAsInt() == other.weightRank.getAsInt();
    return sharedOp && rankCompatible;
  }

  @Override
  public String toString() {
    return name;
  }
}
