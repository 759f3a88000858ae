package io.compactor.bundle.retraindistill.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/** Copies between Compactor's {@link Tensor} and DJL's {@link NDArray}, and maps ONNX element types. */
public final class NdTensors {
  private NdTensors() {}

  /**
   * Where a new array's data starts: libtorch's own allocator aligns to 64 bytes, and MKL's kernels may round
   * differently on data aligned otherwise, which would break "same seed, same result".
   */
  private static final int ALIGNMENT = 64;

  /**
   * @return a new array in {@code manager} holding a copy of {@code tensor}, its data aligned like libtorch's
   *     (DJL hands libtorch the buffer itself, whose address the JVM aligns to 16 bytes only)
   */
  public static NDArray toNd(NDManager manager, Tensor tensor) {
    byte[] bytes = tensor.bytes();
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 2 * ALIGNMENT).alignedSlice(ALIGNMENT)
        .limit(bytes.length).slice().order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || tensor.type().bytes() == 1) {
      buffer.put(bytes);
    } else {
      throw new UnsupportedOperationException("big-endian hosts are not supported");
    }
    buffer.rewind();
    return manager.create(buffer, new Shape(tensor.shape()), dataType(tensor.type()));
  }

  /** @return a copy of {@code array} as a tensor; booleans become UINT8 0/1 */
  public static Tensor toTensor(NDArray array) {
    NDArray source = array;
    if (array.getDataType() == DataType.BOOLEAN) {
      source = array.toType(DataType.UINT8, false);
    }
    ElementType type = elementType(source.getDataType()).orElseThrow(() -> new IllegalArgumentException(
        "array: element type " + array.getDataType() + " has no Compactor tensor type"));
    ByteBuffer buffer = source.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    Tensor t = Tensor.of(type, source.getShape().getShape(), bytes);
    if (source != array) {
      source.close();
    }
    return t;
  }

  /** @return DJL's type for a Compactor element type */
  public static DataType dataType(ElementType type) {
    return switch (type) {
      case FLOAT -> DataType.FLOAT32;
      case DOUBLE -> DataType.FLOAT64;
      case UINT8 -> DataType.UINT8;
      case INT8 -> DataType.INT8;
      case INT32 -> DataType.INT32;
      case INT64 -> DataType.INT64;
    };
  }

  /** @return Compactor's element type for a DJL type, if it has one */
  public static Optional<ElementType> elementType(DataType type) {
    return switch (type) {
      case FLOAT32 -> Optional.of(ElementType.FLOAT);
      case FLOAT64 -> Optional.of(ElementType.DOUBLE);
      case UINT8 -> Optional.of(ElementType.UINT8);
      case INT8 -> Optional.of(ElementType.INT8);
      case INT32 -> Optional.of(ElementType.INT32);
      case INT64 -> Optional.of(ElementType.INT64);
      default -> Optional.empty();
    };
  }

  /** @return DJL's type for an ONNX {@code TensorProto.DataType} code, if libtorch has it */
  public static Optional<DataType> ofOnnx(long code) {
    return switch ((int) code) {
      case 1 -> Optional.of(DataType.FLOAT32);
      case 2 -> Optional.of(DataType.UINT8);
      case 3 -> Optional.of(DataType.INT8);
      case 5 -> Optional.of(DataType.INT16);
      case 6 -> Optional.of(DataType.INT32);
      case 7 -> Optional.of(DataType.INT64);
      case 9 -> Optional.of(DataType.BOOLEAN);
      case 10 -> Optional.of(DataType.FLOAT16);
      case 11 -> Optional.of(DataType.FLOAT64);
      default -> Optional.empty();
    };
  }
}
