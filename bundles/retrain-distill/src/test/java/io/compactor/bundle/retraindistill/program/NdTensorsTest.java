package io.compactor.bundle.retraindistill.program;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.compactor.onnx.tensor.Tensor;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Arrays made from Compactor tensors hold their values with the data where libtorch's allocator would put it,
 * on 64 bytes, whatever the size: MKL may round differently on data aligned otherwise, and a run must repeat.
 */
class NdTensorsTest {
  @Test
  void anArrayFromATensorHoldsItsValuesOnA64ByteBoundary() {
    try (NDManager m = Equivalence.manager()) {
      for (int n = 1; n <= 40; n++) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
          values[i] = i * 0.5f - 3;
        }
        NDArray a = NdTensors.toNd(m, Tensor.ofFloats(new long[] {n}, values));
        ByteBuffer data = a.toByteBuffer(true);
        assertTrue(data.isDirect(), "libtorch's own memory");
        assertEquals(0, data.alignmentOffset(0, 64), n + " floats start on 64 bytes");
        assertArrayEquals(values, a.toFloatArray(), n + " floats");
      }
    }
  }
}
