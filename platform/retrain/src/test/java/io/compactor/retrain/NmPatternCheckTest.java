package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.ModelException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.fixtures.LayerModels;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NmPatternCheckTest {
  /** Zeroes cin 2 and 3 of every group of 4 at every (cout, kh, kw): a valid 2:4 Conv weight. */
  private static float[] twoOfFourConv(float[] w, int cout, int cin, int taps) {
    for (int o = 0; o < cout; o++) {
      for (int c = 0; c < cin; c++) {
        for (int p = 0; p < taps; p++) {
          if (c % 4 >= 2) {
            w[(o * cin + c) * taps + p] = 0;
          }
        }
      }
    }
    return w;
  }

  @Test
  void validConvWeightPassesAndTheFirstBrokenGroupIsNamed() {
    OnnxModel model = LayerModels.conv(71, 8, 3, 3, 3, 5, 5, true, n -> {});
    Graph g = model.graph();
    float[] w = twoOfFourConv(g.initializer("conv.w").orElseThrow().floats(), 3, 8, 9);
    g.setInitializer("conv.w", Tensor.ofFloats(new long[] {3, 8, 3, 3}, w));
    NmPatternCheck.require(model, List.of("conv"), NmPattern.M4N2);

    w[((1 * 8 + 6) * 3 + 0) * 3 + 2] = 0.5f;   // cout 1, cin 6 (group 4..7), kh 0, kw 2
    g.setInitializer("conv.w", Tensor.ofFloats(new long[] {3, 8, 3, 3}, w));
    ModelException e = assertThrows(ModelException.class, () -> NmPatternCheck.require(model, List.of("conv"),
        NmPattern.M4N2));
    assertEquals(Optional.of("conv.w"), e.element());
    assertTrue(e.getMessage().contains("conv.w: 2:4 pattern violated in the group at cout=1, cin=4..7, kh=0, kw=2 "
        + "of node 'conv': 3 non-zeros"), e.getMessage());
  }

  @Test
  void gemmGroupsFollowTransB() {
    float[] kn = {1, 1, 0, 1, 0, 0, 0, 1};   // [K=4, N=2]: column n=0 holds 1,0,0,0; n=1 holds 1,1,0,1
    Tensor t = Tensor.ofFloats(new long[] {4, 2}, kn);
    Optional<NmPatternCheck.Violation> v = NmPatternCheck.firstViolation("fc.w", "fc", t, 0, List.of("k_in", "n_out"),
        NmPattern.M4N2);
    assertEquals("k_in=0..3, n_out=1", v.orElseThrow().position());
    assertTrue(NmPatternCheck.firstViolation("fc.w", "fc", t.reshape(2, 4), 1, List.of("n_out", "k_in"),
        NmPattern.M4N2).isPresent());
    OnnxModel transB = LayerModels.gemm(72, 4, 2, false, true, 1f, 1f, null);
    transB.graph().setInitializer("fc.w", Tensor.ofFloats(new long[] {2, 4}, 1, 0, 0, 1, 0, 1, 1, 0));
    NmPatternCheck.require(transB, List.of("fc"), NmPattern.M4N2);
  }

  @Test
  void partialGroupsCountAsZeroPadded() {
    Tensor t = Tensor.ofFloats(new long[] {1, 6}, 1, 0, 0, 1, 1, 1);   // groups [0..3], [4..5]
    assertTrue(NmPatternCheck.firstViolation("w", "n", t, 1, List.of("a", "b"), NmPattern.M4N2).isEmpty());
    Tensor bad = Tensor.ofFloats(new long[] {1, 7}, 1, 0, 0, 1, 1, 1, 1);
    assertEquals("a=0, b=4..6", NmPatternCheck.firstViolation("w", "n", bad, 1, List.of("a", "b"), NmPattern.M4N2)
        .orElseThrow().position());
  }

  @Test
  void int8WeightsBehindDequantizeLinearAreChecked() {
    OnnxModel model = LayerModels.matMulAdd(73, 2, 4, 2);
    Graph g = model.graph();
    g.setInitializer("q.w", Tensor.ofInt8s(new long[] {4, 2}, (byte) 3, (byte) 0, (byte) 0, (byte) -2, (byte) 0,
        (byte) 0, (byte) 5, (byte) 1));
    g.setInitializer("q.scale", Tensor.scalar(0.1f));
    TestModels.node(g, "DequantizeLinear", "dq", List.of("q.w", "q.scale"), "w.dq", n -> {});
    g.node("proj").orElseThrow().setInput(1, "w.dq");
    NmPatternCheck.require(model, List.of("proj"), NmPattern.M4N2);
    g.setInitializer("q.w", Tensor.ofInt8s(new long[] {4, 2}, (byte) 3, (byte) 0, (byte) 1, (byte) -2, (byte) 0,
        (byte) 0, (byte) 5, (byte) 1));
    ModelException e = assertThrows(ModelException.class, () -> NmPatternCheck.require(model, List.of("proj"),
        NmPattern.M4N2));
    assertTrue(e.getMessage().contains("q.w: 2:4 pattern violated in the group at k_in=0..3, n_out=0"), e.getMessage());
  }
}
