package io.compactor.bundle.magnitude2of4;

/** The 2:4 kernel: zeroes the two smallest magnitudes in every group of four along one axis. */
final class TwoOfFourMask {
  private TwoOfFourMask() {}

  /**
   * @param values row-major weights; modified in place
   * @param shape their shape; {@code shape[axis]} must be a multiple of 4
   * @param axis the axis the groups of four run along
   * @return how many weights are zero afterwards in the groups touched
   */
  static int apply(float[] values, long[] shape, int axis) {
    int inner = 1;
    for (int d = axis + 1; d < shape.length; d++) {
      inner *= (int) shape[d];
    }
    int length = (int) shape[axis];
    int outer = values.length / (length * inner);
    int zeroed = 0;
    for (int o = 0; o < outer; o++) {
      for (int g = 0; g < length; g += 4) {
        for (int i = 0; i < inner; i++) {
          int base = (o * length + g) * inner + i;
          zeroed += pruneGroup(values, base, inner);
        }
      }
    }
    return zeroed;
  }

  /** Zeroes the two smallest |w| of {@code values[base + k * stride]}, k = 0..3. */
  private static int pruneGroup(float[] values, int base, int stride) {
    int smallest = -1;
    int second = -1;
    for (int k = 0; k < 4; k++) {
      float magnitude = Math.abs(values[base + k * stride]);
      if (smallest < 0 || magnitude < Math.abs(values[base + smallest * stride])) {
        second = smallest;
        smallest = k;
      } else if (second < 0 || magnitude < Math.abs(values[base + second * stride])) {
        second = k;
      }
    }
    values[base + smallest * stride] = 0f;
    values[base + second * stride] = 0f;
    return 2;
  }
}
