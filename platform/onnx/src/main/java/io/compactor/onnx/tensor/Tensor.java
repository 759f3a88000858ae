package io.compactor.onnx.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable dense tensor in C order: element type, shape and little-endian data. Factories and
 * accessors copy, so a tensor never changes after it is made.
 */
public final class Tensor {
  private final ElementType type;
  private final long[] shape;
  private final byte[] data;

  private Tensor(ElementType type, long[] shape, byte[] data) {
    this.type = Objects.requireNonNull(type, "type");
    this.shape = shape.clone();
    long elements = elementCount(this.shape);
    if (elements * type.bytes() != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + type + " needs "
          + elements * type.bytes() + " bytes, got " + data.length);
    }
    this.data = data;
  }

  /**
   * @param type element type
   * @param shape dimensions, each at least 0
   * @param littleEndian the elements in C order, little-endian; copied
   * @return the tensor
   */
  public static Tensor of(ElementType type, long[] shape, byte[] littleEndian) {
    return new Tensor(type, shape, littleEndian.clone());
  }

  /** @return a FLOAT tensor holding a copy of {@code values} */
  public static Tensor ofFloats(long[] shape, float... values) {
    ByteBuffer b = allocate(values.length * 4L);
    b.asFloatBuffer().put(values);
    return new Tensor(ElementType.FLOAT, shape, b.array());
  }

  /** @return a DOUBLE tensor holding a copy of {@code values} */
  public static Tensor ofDoubles(long[] shape, double... values) {
    ByteBuffer b = allocate(values.length * 8L);
    b.asDoubleBuffer().put(values);
    return new Tensor(ElementType.DOUBLE, shape, b.array());
  }

  /** @return an INT64 tensor holding a copy of {@code values} */
  public static Tensor ofInt64s(long[] shape, long... values) {
    ByteBuffer b = allocate(values.length * 8L);
    b.asLongBuffer().put(values);
    return new Tensor(ElementType.INT64, shape, b.array());
  }

  /** @return an INT32 tensor holding a copy of {@code values} */
  public static Tensor ofInt32s(long[] shape, int... values) {
    ByteBuffer b = allocate(values.length * 4L);
    b.asIntBuffer().put(values);
    return new Tensor(ElementType.INT32, shape, b.array());
  }

  /** @return an INT8 tensor holding a copy of {@code values} */
  public static Tensor ofInt8s(long[] shape, byte... values) {
    return new Tensor(ElementType.INT8, shape, values.clone());
  }

  /** @return a UINT8 tensor holding a copy of {@code values} (read as 0..255) */
  public static Tensor ofUint8s(long[] shape, byte... values) {
    return new Tensor(ElementType.UINT8, shape, values.clone());
  }

  /** @return a FLOAT scalar (rank 0) */
  public static Tensor scalar(float value) {
    return ofFloats(new long[0], value);
  }

  /** @return the element type */
  public ElementType type() {
    return type;
  }

  /** @return a copy of the dimensions */
  public long[] shape() {
    return shape.clone();
  }

  /** @return the number of dimensions */
  public int rank() {
    return shape.length;
  }

  /** @return dimension {@code axis}; negative axes count from the end */
  public long dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  /** @return the number of elements */
  public int size() {
    return Math.toIntExact(elementCount(shape));
  }

  /** @return the elements as floats; the tensor must be FLOAT */
  public float[] floats() {
    float[] out = new float[size()];
    buffer(ElementType.FLOAT).asFloatBuffer().get(out);
    return out;
  }

  /** @return the elements as doubles; the tensor must be DOUBLE */
  public double[] doubles() {
    double[] out = new double[size()];
    buffer(ElementType.DOUBLE).asDoubleBuffer().get(out);
    return out;
  }

  /** @return the elements as longs; the tensor must be INT64 */
  public long[] int64s() {
    long[] out = new long[size()];
    buffer(ElementType.INT64).asLongBuffer().get(out);
    return out;
  }

  /** @return the elements as ints; the tensor must be INT32 */
  public int[] int32s() {
    int[] out = new int[size()];
    buffer(ElementType.INT32).asIntBuffer().get(out);
    return out;
  }

  /** @return the elements as signed bytes; the tensor must be INT8 */
  public byte[] int8s() {
    buffer(ElementType.INT8);
    return data.clone();
  }

  /** @return the elements as raw bytes (0..255 as unsigned); the tensor must be UINT8 */
  public byte[] uint8s() {
    buffer(ElementType.UINT8);
    return data.clone();
  }

  /** @return every element converted to float, whatever the element type */
  public float[] toFloats() {
    if (type == ElementType.FLOAT) {
      return floats();
    }
    float[] out = new float[size()];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (type) {
        case DOUBLE -> (float) b.getDouble(i * 8);
        case INT64 -> b.getLong(i * 8);
        case INT32 -> b.getInt(i * 4);
        case INT8 -> data[i];
        case UINT8 -> data[i] & 0xff;
        case FLOAT -> b.getFloat(i * 4);
      };
    }
    return out;
  }

  /** @return every element converted to long; the tensor must have an integer element type */
  public long[] toLongs() {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (type) {
        case INT64 -> b.getLong(i * 8);
        case INT32 -> b.getInt(i * 4);
        case INT8 -> data[i];
        case UINT8 -> data[i] & 0xff;
        case FLOAT, DOUBLE -> throw new IllegalStateException(
            "a " + type + " tensor has no integer values; expected INT64, INT32, INT8 or UINT8");
      };
    }
    return out;
  }

  /** @return a copy of the little-endian element bytes */
  public byte[] bytes() {
    return data.clone();
  }

  /** @return the same data with another shape of the same element count */
  public Tensor reshape(long... newShape) {
    if (elementCount(newShape) != elementCount(shape)) {
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
          + Arrays.toString(newShape) + ": element counts differ");
    }
    return new Tensor(type, newShape, data);
  }

  /**
   * @param from first index along axis 0, inclusive
   * @param to last index along axis 0, exclusive
   * @return rows {@code [from, to)} of axis 0
   */
  public Tensor slice(long from, long to) {
    if (rank() == 0 || from < 0 || to > shape[0] || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of shape "
          + Arrays.toString(shape));
    }
    long rowBytes = shape[0] == 0 ? 0 : data.length / shape[0];
    long[] sliced = shape.clone();
    sliced[0] = to - from;
    return new Tensor(type, sliced,
        Arrays.copyOfRange(data, Math.toIntExact(from * rowBytes), Math.toIntExact(to * rowBytes)));
  }

  /**
   * @param parts tensors of one element type whose shapes differ only in axis 0
   * @return the parts joined along axis 0
   */
  public static Tensor concat(List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to concatenate");
    }
    Tensor first = parts.get(0);
    long rows = 0;
    int bytes = 0;
    for (Tensor part : parts) {
      if (part.type != first.type || part.rank() != first.rank() || part.rank() == 0
          || !Arrays.equals(part.shape, 1, part.rank(), first.shape, 1, first.rank())) {
        throw new IllegalArgumentException("cannot concatenate " + part + " with " + first);
      }
      rows += part.shape[0];
      bytes += part.data.length;
    }
    byte[] joined = new byte[bytes];
    int at = 0;
    for (Tensor part : parts) {
      System.arraycopy(part.data, 0, joined, at, part.data.length);
      at += part.data.length;
    }
    long[] shape = first.shape.clone();
    shape[0] = rows;
    return new Tensor(first.type, shape, joined);
  }

  /** @return the product of the dimensions, checking each is at least 0 */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private ByteBuffer buffer(ElementType expected) {
    if (type != expected) {
      throw new IllegalStateException("tensor holds " + type + ", not " + expected
          + "; use toFloats()/toLongs() to convert");
    }
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer allocate(long bytes) {
    return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && t.type == type && Arrays.equals(t.shape, shape)
        && Arrays.equals(t.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return type + Arrays.toString(shape);
  }
}
