package io.compactor.onnx.graph;

import com.google.protobuf.ByteString;
import io.compactor.onnx.proto.OnnxProto.AttributeProto;
import io.compactor.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import io.compactor.onnx.proto.OnnxProto.GraphProto;
import io.compactor.onnx.proto.OnnxProto.NodeProto;
import io.compactor.onnx.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One operator call in a {@link Graph}: op type, inputs, outputs and attributes. An omitted optional
 * input is the empty string, as in ONNX. Changes through a node keep its graph's lookups current.
 */
public final class Node {
  private final NodeProto.Builder proto;
  private Graph graph;

  Node(NodeProto.Builder proto) {
    this.proto = proto;
  }

  /**
   * @param opType the operator, e.g. {@code "QuantizeLinear"}
   * @param name a node name unique in the graph it is added to
   * @param inputs input value names ({@code ""} for an omitted optional input)
   * @param outputs output value names
   * @return a new node in the default domain, not yet in a graph
   */
  public static Node create(String opType, String name, List<String> inputs, List<String> outputs) {
    return new Node(NodeProto.newBuilder().setOpType(Objects.requireNonNull(opType, "opType"))
        .setName(Objects.requireNonNull(name, "name")).addAllInput(inputs).addAllOutput(outputs));
  }

  void attach(Graph owner) {
    this.graph = owner;
  }

  private void changed() {
    if (graph != null) {
      graph.invalidate();
    }
  }

  /** @return the node name, unique within its graph */
  public String name() {
    return proto.getName();
  }

  /** @return the operator type, e.g. {@code Conv} */
  public String opType() {
    return proto.getOpType();
  }

  /** @return the operator domain; empty for the default ONNX domain */
  public String domain() {
    return proto.getDomain();
  }

  /** @return a copy of the input names */
  public List<String> inputs() {
    return List.copyOf(proto.getInputList());
  }

  /** @return input {@code i}, or {@code ""} when absent or omitted */
  public String input(int i) {
    return i < proto.getInputCount() ? proto.getInput(i) : "";
  }

  /** @return a copy of the output names */
  public List<String> outputs() {
    return List.copyOf(proto.getOutputList());
  }

  /** @return output {@code i} */
  public String output(int i) {
    return proto.getOutput(i);
  }

  /** Sets input {@code i}, padding with omitted inputs if the node has fewer. */
  public void setInput(int i, String value) {
    while (proto.getInputCount() <= i) {
      proto.addInput("");
    }
    proto.setInput(i, value);
    changed();
  }

  /** Sets output {@code i}. */
  public void setOutput(int i, String value) {
    proto.setOutput(i, value);
    changed();
  }

  void rename(String name) {
    proto.setName(name);
  }

  /** @return the names of this node's attributes */
  public Set<String> attributeNames() {
    Set<String> names = new LinkedHashSet<>();
    proto.getAttributeList().forEach(a -> names.add(a.getName()));
    return names;
  }

  /** @return whether the attribute is present */
  public boolean hasAttribute(String name) {
    return attribute(name).isPresent();
  }

  /** @return the INT attribute, or {@code fallback} when absent */
  public long attrInt(String name, long fallback) {
    return attribute(name).map(AttributeProto::getI).orElse(fallback);
  }

  /** @return the FLOAT attribute, or {@code fallback} when absent */
  public float attrFloat(String name, float fallback) {
    return attribute(name).map(AttributeProto::getF).orElse(fallback);
  }

  /** @return the STRING attribute, if present */
  public Optional<String> attrString(String name) {
    return attribute(name).map(a -> a.getS().toString(StandardCharsets.UTF_8));
  }

  /** @return the INTS attribute, if present */
  public Optional<long[]> attrInts(String name) {
    return attribute(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray());
  }

  /** @return the FLOATS attribute, if present */
  public Optional<float[]> attrFloats(String name) {
    return attribute(name).map(a -> {
      float[] out = new float[a.getFloatsCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.getFloats(i);
      }
      return out;
    });
  }

  /** @return the TENSOR attribute, if present and of a numeric type Compactor reads */
  public Optional<Tensor> attrTensor(String name) {
    return attribute(name).filter(AttributeProto::hasT).flatMap(a -> TensorProtos.decode(a.getT()));
  }

  /** Sets an INT attribute. */
  public void setAttr(String name, long value) {
    put(AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value));
  }

  /** Sets a FLOAT attribute. */
  public void setAttr(String name, float value) {
    put(AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value));
  }

  /** Sets a STRING attribute. */
  public void setAttr(String name, String value) {
    put(AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)));
  }

  /** Sets an INTS attribute. */
  public void setAttr(String name, long[] values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    put(a);
  }

  /** Sets a FLOATS attribute. */
  public void setAttr(String name, float[] values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
    for (float v : values) {
      a.addFloats(v);
    }
    put(a);
  }

  /** Sets a TENSOR attribute. */
  public void setAttr(String name, Tensor value) {
    put(AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR)
        .setT(TensorProtos.encode("", value)));
  }

  /** Removes an attribute if present. */
  public void removeAttr(String name) {
    for (int i = 0; i < proto.getAttributeCount(); i++) {
      if (proto.getAttribute(i).getName().equals(name)) {
        proto.removeAttribute(i);
        return;
      }
    }
  }

  /** @return whether the node holds sub-graphs (If, Loop, Scan bodies) */
  public boolean hasSubgraphs() {
    return proto.getAttributeList().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0);
  }

  /**
   * @return values of the enclosing scope that this node's sub-graphs read without declaring them as
   *     inputs; empty for nodes without sub-graphs
   */
  public Set<String> implicitInputs() {
    Set<String> used = new LinkedHashSet<>();
    for (AttributeProto a : proto.getAttributeList()) {
      if (a.hasG()) {
        collectOuterUses(a.getG(), used);
      }
      a.getGraphsList().forEach(g -> collectOuterUses(g, used));
    }
    return used;
  }

  private static void collectOuterUses(GraphProto g, Set<String> used) {
    Set<String> defined = new HashSet<>();
    g.getInputList().forEach(v -> defined.add(v.getName()));
    g.getInitializerList().forEach(t -> defined.add(t.getName()));
    g.getNodeList().forEach(n -> defined.addAll(n.getOutputList()));
    List<String> reads = new ArrayList<>();
    for (NodeProto n : g.getNodeList()) {
      reads.addAll(n.getInputList());
      for (AttributeProto a : n.getAttributeList()) {
        Set<String> nested = new LinkedHashSet<>();
        if (a.hasG()) {
          collectOuterUses(a.getG(), nested);
        }
        a.getGraphsList().forEach(sub -> collectOuterUses(sub, nested));
        reads.addAll(nested);
      }
    }
    g.getOutputList().forEach(v -> reads.add(v.getName()));
    for (String r : reads) {
      if (!r.isEmpty() && !defined.contains(r)) {
        used.add(r);
      }
    }
  }

  private Optional<AttributeProto> attribute(String name) {
    return proto.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
  }

  private void put(AttributeProto.Builder attribute) {
    removeAttr(attribute.getName());
    proto.addAttribute(attribute);
  }

  NodeProto toProto() {
    return proto.build();
  }

  @Override
  public String toString() {
    return opType() + " '" + name() + "' " + proto.getInputList() + " -> " + proto.getOutputList();
  }
}
