package io.compactor.onnx.graph;

import io.compactor.onnx.proto.OnnxProto.TensorShapeProto;
import io.compactor.onnx.proto.OnnxProto.TypeProto;
import io.compactor.onnx.proto.OnnxProto.ValueInfoProto;
import io.compactor.onnx.tensor.ElementType;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The declared name, element type and shape of a graph input, output or intermediate value. Unknown
 * or symbolic dimensions read as {@code -1}. Immutable.
 */
public final class ValueInfo {
  /** Returned as a dimension that is unknown or symbolic (such as a batch size). */
  public static final long UNKNOWN_DIM = -1;
  private final ValueInfoProto proto;

  ValueInfo(ValueInfoProto proto) {
    this.proto = Objects.requireNonNull(proto, "proto");
  }

  /**
   * @param name value name
   * @param type element type
   * @param shape dimensions, {@link #UNKNOWN_DIM} for unknown ones
   * @return a tensor value info
   */
  public static ValueInfo of(String name, ElementType type, long... shape) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : shape) {
      s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().build()
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d).build());
    }
    return new ValueInfo(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.onnxCode()).setShape(s))).build());
  }

  /** @return a value info with only a name; ONNX Runtime infers its type */
  public static ValueInfo named(String name) {
    return new ValueInfo(ValueInfoProto.newBuilder().setName(name).build());
  }

  /** @return a value info with only a name and an element type code, shape unknown */
  public static ValueInfo ofTypeCode(String name, int onnxElementType) {
    return new ValueInfo(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(onnxElementType))).build());
  }

  /** @return the value name */
  public String name() {
    return proto.getName();
  }

  /** @return the ONNX element type code of a tensor value, 0 when not declared or not a tensor */
  public int elementTypeCode() {
    return proto.getType().hasTensorType() ? proto.getType().getTensorType().getElemType() : 0;
  }

  /** @return the element type, if it is one Compactor reads as numbers */
  public Optional<ElementType> elementType() {
    return ElementType.ofOnnx(elementTypeCode());
  }

  /** @return the dimensions, {@link #UNKNOWN_DIM} where unknown; empty if not even the rank is known */
  public Optional<long[]> shape() {
    if (!proto.getType().hasTensorType() || !proto.getType().getTensorType().hasShape()) {
      return Optional.empty();
    }
    return Optional.of(proto.getType().getTensorType().getShape().getDimList().stream()
        .mapToLong(d -> d.hasDimValue() ? d.getDimValue() : UNKNOWN_DIM).toArray());
  }

  /** @return this value info under another name */
  public ValueInfo withName(String name) {
    return new ValueInfo(proto.toBuilder().setName(name).build());
  }

  ValueInfoProto proto() {
    return proto;
  }

  @Override
  public String toString() {
    return name() + ":" + ElementType.onnxName(elementTypeCode())
        + shape().map(Arrays::toString).orElse("[?]");
  }
}
