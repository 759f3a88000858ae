package io.compactor.onnx.graph;

import com.google.protobuf.ByteString;
import io.compactor.onnx.proto.OnnxProto.TensorProto;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/** Converts between ONNX {@code TensorProto}s (raw or typed-field data) and {@link Tensor}s. */
final class TensorProtos {
  private TensorProtos() {}

  /** @return the tensor, or empty when its element type is not one Compactor reads as numbers */
  static Optional<Tensor> decode(TensorProto proto) {
    Optional<ElementType> type = ElementType.ofOnnx(proto.getDataType());
    if (type.isEmpty() || proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return Optional.empty();
    }
    long[] shape = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
    if (proto.hasRawData()) {
      return Optional.of(Tensor.of(type.get(), shape, proto.getRawData().toByteArray()));
    }
    int n = Math.toIntExact(Tensor.elementCount(shape));
    ByteBuffer b = ByteBuffer.allocate(n * type.get().bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (type.get()) {
      case FLOAT -> proto.getFloatDataList().forEach(b::putFloat);
      case DOUBLE -> proto.getDoubleDataList().forEach(b::putDouble);
      case INT64 -> proto.getInt64DataList().forEach(b::putLong);
      case INT32 -> proto.getInt32DataList().forEach(b::putInt);
      // the spec stores 8-bit types one per int32_data entry
      case INT8, UINT8 -> proto.getInt32DataList().forEach(v -> b.put((byte) (int) v));
    }
    if (b.position() != b.capacity()) {
      throw new IllegalArgumentException("tensor '" + proto.getName() + "' declares "
          + n + " elements but holds " + b.position() / type.get().bytes());
    }
    return Optional.of(Tensor.of(type.get(), shape, b.array()));
  }

  /** @return a tensor proto named {@code name} with the data in {@code raw_data} */
  static TensorProto encode(String name, Tensor tensor) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(tensor.type().onnxCode());
    for (long d : tensor.shape()) {
      b.addDims(d);
    }
    return b.setRawData(ByteString.copyFrom(tensor.bytes())).build();
  }

  /** @return the dimensions of a tensor proto */
  static long[] shape(TensorProto proto) {
    return proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }
}
