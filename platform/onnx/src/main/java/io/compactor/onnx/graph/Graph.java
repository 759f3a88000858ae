package io.compactor.onnx.graph;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.proto.OnnxProto.GraphProto;
import io.compactor.onnx.proto.OnnxProto.NodeProto;
import io.compactor.onnx.proto.OnnxProto.TensorProto;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The main graph of a model: nodes, initializers (constant tensors), declared inputs, outputs and
 * intermediate value infos. Lookups (producer, consumers, by name) are indexed and rebuilt after any
 * change. Surgery helpers keep names unique; {@link #check()} verifies that a rewritten graph is still
 * well formed. The whole-graph passes live in their own classes ({@code TopologicalOrder},
 * {@code ConstantInitializers}, {@code UnusedRemoval}, {@code GraphCheck}); the methods here delegate.
 */
public final class Graph {
  private final String model;
  private final GraphProto.Builder header;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
  private final List<ValueInfo> inputs = new ArrayList<>();
  private final List<ValueInfo> outputs = new ArrayList<>();
  private final Map<String, ValueInfo> valueInfos = new LinkedHashMap<>();
  private Map<String, Node> byName;
  private Map<String, Node> producers;
  private Map<String, List<Node>> consumers;

  Graph(String model, GraphProto proto) {
    this.model = model;
    this.header = proto.toBuilder().clearNode().clearInitializer().clearInput().clearOutput()
        .clearValueInfo();
    proto.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    proto.getInputList().forEach(v -> inputs.add(new ValueInfo(v)));
    proto.getOutputList().forEach(v -> outputs.add(new ValueInfo(v)));
    proto.getValueInfoList().forEach(v -> valueInfos.put(v.getName(), new ValueInfo(v)));
    for (NodeProto n : proto.getNodeList()) {
      Node node = new Node(n.toBuilder());
      node.attach(this);
      nodes.add(node);
    }
    nameNodes();
  }

  /** Gives every unnamed node {@code <OpType>_<n>} and makes duplicate names unique, in file order. */
  private void nameNodes() {
    Set<String> taken = new HashSet<>();
    nodes.forEach(n -> taken.add(n.name()));
    Set<String> seen = new HashSet<>();
    Map<String, Integer> counters = new HashMap<>();
    for (Node n : nodes) {
      if (!n.name().isEmpty() && seen.add(n.name())) {
        continue;
      }
      String base = n.name().isEmpty() ? n.opType() : n.name();
      String candidate;
      do {
        int k = counters.merge(base, 1, Integer::sum);
        candidate = base + "_" + k;
      } while (taken.contains(candidate));
      taken.add(candidate);
      seen.add(candidate);
      n.rename(candidate);
    }
  }

  void invalidate() {
    byName = null;
    producers = null;
    consumers = null;
  }

  private void index() {
    if (byName != null) {
      return;
    }
    byName = new HashMap<>();
    producers = new HashMap<>();
    consumers = new HashMap<>();
    for (Node n : nodes) {
      byName.put(n.name(), n);
      for (String out : n.outputs()) {
        if (!out.isEmpty()) {
          producers.put(out, n);
        }
      }
      for (String in : readValues(n)) {
        if (!in.isEmpty()) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
  }

  /** @return the nodes in file order (a snapshot) */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** @return the node named {@code name} */
  public Optional<Node> node(String name) {
    index();
    return Optional.ofNullable(byName.get(name));
  }

  /** @return the node that produces {@code value}; empty for graph inputs, initializers and unknowns */
  public Optional<Node> producer(String value) {
    index();
    return Optional.ofNullable(producers.get(value));
  }

  /** @return the nodes that read {@code value}, directly or inside their sub-graphs, in file order */
  public List<Node> consumers(String value) {
    index();
    return List.copyOf(consumers.getOrDefault(value, List.of()));
  }

  /**
   * @return the nodes ordered so that every node comes after the producers of its inputs; ties keep
   *     file order
   * @throws ModelException when the graph has a cycle or reads a value nobody defines
   */
  public List<Node> topologicalOrder() {
    return TopologicalOrder.of(this);
  }

  /** @return the declared graph inputs, including initializers listed as inputs by old exporters */
  public List<ValueInfo> inputs() {
    return List.copyOf(inputs);
  }

  /** @return the graph inputs a caller must feed: those without an initializer */
  public List<ValueInfo> runtimeInputs() {
    return inputs.stream().filter(v -> !initializers.containsKey(v.name())).toList();
  }

  /** Adds a graph input that callers feed. */
  public void addInput(ValueInfo value) {
    if (inputs.stream().anyMatch(i -> i.name().equals(value.name()))) {
      throw new IllegalArgumentException("graph input '" + value.name() + "' exists");
    }
    inputs.add(value);
    invalidate();
  }

  /** @return the graph outputs */
  public List<ValueInfo> outputs() {
    return List.copyOf(outputs);
  }

  /** Adds a graph output; does nothing if {@code value} already is one. */
  public void addOutput(ValueInfo value) {
    if (outputs.stream().noneMatch(o -> o.name().equals(value.name()))) {
      outputs.add(value);
    }
  }

  /** Removes the graph output named {@code name}, if present. */
  public void removeOutput(String name) {
    outputs.removeIf(o -> o.name().equals(name));
  }

  /** @return the declared type and shape of any value: input, output or intermediate */
  public Optional<ValueInfo> valueInfo(String name) {
    return inputs.stream().filter(v -> v.name().equals(name)).findFirst()
        .or(() -> outputs.stream().filter(v -> v.name().equals(name)).findFirst())
        .or(() -> Optional.ofNullable(valueInfos.get(name)));
  }

  /** Records the type and shape of an intermediate value, replacing an earlier record. */
  public void setValueInfo(ValueInfo info) {
    valueInfos.put(info.name(), info);
  }

  /** @return the initializer names in file order */
  public List<String> initializerNames() {
    return List.copyOf(initializers.keySet());
  }

  /** @return whether {@code name} is an initializer */
  public boolean hasInitializer(String name) {
    return initializers.containsKey(name);
  }

  /**
   * @return the initializer as a tensor
   * @throws ModelException when it exists but its element type is not one Compactor reads
   */
  public Optional<Tensor> initializer(String name) {
    TensorProto proto = initializers.get(name);
    if (proto == null) {
      return Optional.empty();
    }
    return Optional.of(TensorProtos.decode(proto).orElseThrow(() -> new ModelException(model, name,
        "initializer of type " + ElementType.onnxName(proto.getDataType())
            + " cannot be read as numbers; Compactor reads FLOAT, DOUBLE, INT64, INT32, INT8 and UINT8")));
  }

  /** @return the shape of an initializer without decoding its data */
  public Optional<long[]> initializerShape(String name) {
    return Optional.ofNullable(initializers.get(name)).map(TensorProtos::shape);
  }

  /** @return the ONNX element type code of an initializer, 0 if there is none */
  public int initializerTypeCode(String name) {
    TensorProto t = initializers.get(name);
    return t == null ? 0 : t.getDataType();
  }

  /** @return whether {@code value} is a constant: an initializer that callers cannot override */
  public boolean isConstant(String value) {
    return initializers.containsKey(value) && inputs.stream().noneMatch(v -> v.name().equals(value));
  }

  /** Adds or replaces the initializer {@code name}. */
  public void setInitializer(String name, Tensor tensor) {
    initializers.put(name, TensorProtos.encode(name, tensor));
  }

  /** Removes the initializer {@code name}, if present. */
  public void removeInitializer(String name) {
    initializers.remove(name);
  }

  /** Appends a node; its name must not be taken. */
  public void addNode(Node node) {
    insertAt(nodes.size(), node);
  }

  /** Inserts {@code node} just before {@code anchor}. */
  public void insertBefore(Node anchor, Node node) {
    insertAt(indexOf(anchor), node);
  }

  /** Inserts {@code node} just after {@code anchor}. */
  public void insertAfter(Node anchor, Node node) {
    insertAt(indexOf(anchor) + 1, node);
  }

  private void insertAt(int index, Node node) {
    if (node(node.name()).isPresent()) {
      throw new IllegalArgumentException("node name '" + node.name() + "' is taken; use uniqueNodeName");
    }
    node.attach(this);
    nodes.add(index, node);
    invalidate();
  }

  /** Removes a node; values it produced are left without a producer. */
  public void removeNode(Node node) {
    nodes.remove(indexOf(node));
    node.attach(null);
    invalidate();
  }

  private int indexOf(Node node) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) == node) {
        return i;
      }
    }
    throw new IllegalArgumentException(node + " is not in this graph");
  }

  /** Makes every node that reads {@code oldValue} read {@code newValue} instead (graph outputs stay). */
  public void replaceUses(String oldValue, String newValue) {
    for (Node n : consumers(oldValue)) {
      List<String> in = n.inputs();
      for (int i = 0; i < in.size(); i++) {
        if (in.get(i).equals(oldValue)) {
          n.setInput(i, newValue);
        }
      }
    }
  }

  /** Renames a value everywhere: producer, consumers, graph inputs and outputs, initializer, value info. */
  public void renameValue(String oldName, String newName) {
    producer(oldName).ifPresent(p -> {
      List<String> out = p.outputs();
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).equals(oldName)) {
          p.setOutput(i, newName);
        }
      }
    });
    replaceUses(oldName, newName);
    inputs.replaceAll(v -> v.name().equals(oldName) ? v.withName(newName) : v);
    outputs.replaceAll(v -> v.name().equals(oldName) ? v.withName(newName) : v);
    TensorProto t = initializers.remove(oldName);
    if (t != null) {
      initializers.put(newName, t.toBuilder().setName(newName).build());
    }
    ValueInfo vi = valueInfos.remove(oldName);
    if (vi != null) {
      valueInfos.put(newName, vi.withName(newName));
    }
    invalidate();
  }

  /** @return {@code base} if no node has that name, else {@code base_<n>} for the first free n */
  public String uniqueNodeName(String base) {
    index();
    return firstFree(base, byName::containsKey);
  }

  /** @return {@code base} if no value has that name, else {@code base_<n>} for the first free n */
  public String uniqueValueName(String base) {
    index();
    return firstFree(base, v -> producers.containsKey(v) || consumers.containsKey(v)
        || initializers.containsKey(v) || valueInfo(v).isPresent());
  }

  private static String firstFree(String base, Predicate<String> taken) {
    if (!taken.test(base)) {
      return base;
    }
    for (int k = 1; ; k++) {
      if (!taken.test(base + "_" + k)) {
        return base + "_" + k;
      }
    }
  }

  /**
   * Turns {@code Constant} nodes holding a numeric tensor ({@code value}, {@code value_float(s)},
   * {@code value_int(s)}) into initializers of the same name, as exporters such as Paddle2ONNX keep
   * weights in Constant nodes, and drops graph inputs that merely repeat an initializer.
   *
   * @return the number of Constant nodes converted
   */
  public int normalizeConstants() {
    return ConstantInitializers.normalize(this);
  }

  /**
   * Removes nodes none of whose outputs is used (transitively) and initializers nobody reads.
   *
   * @return the number of nodes removed
   */
  public int removeUnused() {
    return UnusedRemoval.run(this);
  }

  /**
   * Checks that the graph is well formed: unique node names, each value produced once, every input
   * defined, every output produced, no cycle.
   *
   * @throws ModelException naming every problem found
   */
  public void check() {
    GraphCheck.run(this);
  }

  // the passes' view of the internals: live collections, not copies

  String modelName() {
    return model;
  }

  List<Node> nodeList() {
    return nodes;
  }

  List<ValueInfo> inputList() {
    return inputs;
  }

  Map<String, TensorProto> initializerMap() {
    return initializers;
  }

  Map<String, Node> producerIndex() {
    index();
    return producers;
  }

  Map<String, List<Node>> consumerIndex() {
    index();
    return consumers;
  }

  /** @return the values a node reads, directly or inside its sub-graphs */
  static Set<String> readValues(Node n) {
    Set<String> read = new HashSet<>(n.inputs());
    read.addAll(n.implicitInputs());
    return read;
  }

  GraphProto toProto() {
    GraphProto.Builder b = header.clone();
    nodes.forEach(n -> b.addNode(n.toProto()));
    b.addAllInitializer(initializers.values());
    inputs.forEach(v -> b.addInput(v.proto()));
    outputs.forEach(v -> b.addOutput(v.proto()));
    valueInfos.values().forEach(v -> b.addValueInfo(v.proto()));
    return b.build();
  }
}
