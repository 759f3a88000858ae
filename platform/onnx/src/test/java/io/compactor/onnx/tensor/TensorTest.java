package io.compactor.onnx.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void sliceAndConcatAreInverse() {
    Tensor t = Tensor.ofFloats(new long[] {4, 2}, 0, 1, 2, 3, 4, 5, 6, 7);
    Tensor joined = Tensor.concat(List.of(t.slice(0, 1), t.slice(1, 3), t.slice(3, 4)));
    assertEquals(t, joined);
    assertArrayEquals(new float[] {2, 3, 4, 5}, t.slice(1, 3).floats());
  }

  @Test
  void conversionsKeepValues() {
    assertArrayEquals(new float[] {-128, 127}, Tensor.ofInt8s(new long[] {2}, (byte) -128, (byte) 127).toFloats());
    assertArrayEquals(new float[] {255, 1}, Tensor.ofUint8s(new long[] {2}, (byte) -1, (byte) 1).toFloats());
    assertArrayEquals(new long[] {3, -4}, Tensor.ofInt32s(new long[] {2}, 3, -4).toLongs());
  }

  @Test
  void typedAccessChecksTheType() {
    Tensor t = Tensor.ofInt64s(new long[] {1}, 5);
    IllegalStateException e = assertThrows(IllegalStateException.class, t::floats);
    assertEquals("tensor holds INT64, not FLOAT; use toFloats()/toLongs() to convert", e.getMessage());
  }

  @Test
  void shapeMustMatchData() {
    assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new long[] {3}, 1f, 2f));
    assertThrows(IllegalArgumentException.class, () -> Tensor.ofFloats(new long[] {2}, 1f, 2f).reshape(3));
  }
}
