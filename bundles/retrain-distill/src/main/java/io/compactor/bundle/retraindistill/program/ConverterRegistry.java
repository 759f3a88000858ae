package io.compactor.bundle.retraindistill.program;

import io.compactor.bundle.retraindistill.program.ops.ActivationOps;
import io.compactor.bundle.retraindistill.program.ops.ArithmeticOps;
import io.compactor.bundle.retraindistill.program.ops.ConvOps;
import io.compactor.bundle.retraindistill.program.ops.LinearOps;
import io.compactor.bundle.retraindistill.program.ops.NormOps;
import io.compactor.bundle.retraindistill.program.ops.PoolOps;
import io.compactor.bundle.retraindistill.program.ops.QuantOps;
import io.compactor.bundle.retraindistill.program.ops.ReduceOps;
import io.compactor.bundle.retraindistill.program.ops.ShapeOps;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Converters keyed by {@link OpKey}: a node is run by the converter registered for its domain and op type with
 * the greatest since-version not above the model's opset for that domain, so one converter serves every opset
 * until the operator changes. {@link #unsupported} lists, before anything runs, every node no converter can run.
 */
public final class ConverterRegistry {
  private final Map<String, NavigableMap<Long, OpConverter>> converters;

  private ConverterRegistry(Map<String, NavigableMap<Long, OpConverter>> converters) {
    this.converters = converters;
  }

  /** @return the registry of every converter family in this bundle */
  public static ConverterRegistry standard() {
    Builder b = new Builder();
    ArithmeticOps.register(b);
    ActivationOps.register(b);
    LinearOps.register(b);
    ConvOps.register(b);
    PoolOps.register(b);
    NormOps.register(b);
    ReduceOps.register(b);
    ShapeOps.register(b);
    QuantOps.register(b);
    return b.build();
  }

  /** Collects converters; each key may be registered once. */
  public static final class Builder {
    private final Map<String, NavigableMap<Long, OpConverter>> converters = new HashMap<>();

    /** Registers {@code converter} for the operator from {@code sinceVersion} on, in the ONNX domain. */
    public Builder add(String opType, long sinceVersion, OpConverter converter) {
      return add(new OpKey("", opType, sinceVersion), converter);
    }

    /** Registers {@code converter} under {@code key}. */
    public Builder add(OpKey key, OpConverter converter) {
      Objects.requireNonNull(converter, "converter");
      OpConverter previous = converters.computeIfAbsent(id(key.domain(), key.opType()), k -> new TreeMap<>())
          .putIfAbsent(key.sinceVersion(), converter);
      if (previous != null) {
        throw new IllegalStateException("converter " + key + " is registered twice");
      }
      return this;
    }

    public ConverterRegistry build() {
      Map<String, NavigableMap<Long, OpConverter>> copy = new HashMap<>();
      converters.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
      return new ConverterRegistry(copy);
    }
  }

  private static String id(String domain, String opType) {
    return OpKey.normalize(domain) + "\u0000" + opType;
  }

  /** @return the converter for an operator at an opset, if any */
  public Optional<OpConverter> lookup(String domain, String opType, long opset) {
    NavigableMap<Long, OpConverter> versions = converters.get(id(domain, opType));
    return versions == null ? Optional.empty() : Optional.ofNullable(versions.floorEntry(opset)).map(Map.Entry::getValue);
  }

  /** @return the since-versions registered for an operator, for messages and the coverage table */
  public List<Long> versions(String domain, String opType) {
    NavigableMap<Long, OpConverter> versions = converters.get(id(domain, opType));
    return versions == null ? List.of() : List.copyOf(versions.keySet());
  }

  /** @return every registered key, sorted by op type and version */
  public List<OpKey> keys() {
    List<OpKey> keys = new ArrayList<>();
    converters.forEach((id, versions) -> {
      String[] parts = id.split("\u0000", 2);
      versions.keySet().forEach(v -> keys.add(new OpKey(parts[0], parts[1], v)));
    });
    keys.sort((a, b) -> a.opType().equals(b.opType()) ? Long.compare(a.sinceVersion(), b.sinceVersion())
        : a.opType().compareTo(b.opType()));
    return keys;
  }

  /** @return the model's opset for a node's domain; 0 when the model does not import that domain */
  static long opsetOf(OnnxModel model, String domain) {
    String d = OpKey.normalize(domain);
    return d.isEmpty() ? model.opset() : model.opset(d).orElse(0L);
  }

  /**
   * @return every node of the model (after Constant nodes become initializers) that cannot be run, in graph
   *     order; empty when the whole model can be trained
   */
  public List<UnsupportedNode> unsupported(OnnxModel model) {
    OnnxModel copy = model.copy();
    copy.graph().normalizeConstants();
    List<UnsupportedNode> result = new ArrayList<>();
    for (Node n : copy.graph().nodes()) {
      reason(copy, n).ifPresent(r -> result.add(new UnsupportedNode(n.name(), n.opType(), n.domain(),
          opsetOf(copy, n.domain()), r)));
    }
    return result;
  }

  /** @return why {@code node} cannot be run, or empty */
  Optional<String> reason(OnnxModel model, Node node) {
    if (node.hasSubgraphs()) {
      return Optional.of("operators with sub-graphs (If, Loop, Scan) cannot be trained");
    }
    long opset = opsetOf(model, node.domain());
    Optional<OpConverter> converter = lookup(node.domain(), node.opType(), opset);
    if (converter.isEmpty()) {
      List<Long> versions = versions(node.domain(), node.opType());
      String domain = node.domain().isEmpty() ? "ai.onnx" : node.domain();
      return Optional.of(versions.isEmpty()
          ? "no converter for " + domain + " " + node.opType() + "; see docs/retrain-distill.md for the covered operators"
          : "no converter for " + domain + " " + node.opType() + " at opset " + opset + "; converters begin at "
              + versions);
    }
    return converter.get().unsupported(node);
  }
}
