package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.retrain.fixtures.LayerModels;
import io.compactor.retrain.internal.GramOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SequentialReconstructionTest {
  private static final Dataset DATA = LayerModels.data(LayerModels.correlated(61, 40, 6));

  @Test
  void eachLayerSeesTheModelAsRewrittenBeforeIt() {
    OnnxModel model = LayerModels.mlp(62, 6, 8, 3);
    OnnxModel reference = model.copy("reference");
    List<String> order = new ArrayList<>();
    List<Double> fc2InputEnergy = new ArrayList<>();
    new SequentialReconstruction(DATA, 16).run(model, reference, List.of("fc2", "fc1"), (layer, w, bias, stats) -> {
      order.add(layer.node());
      if (layer.node().equals("fc1")) {
        // silence fc1 entirely: fc2 must then see all-zero inputs
        return new SequentialReconstruction.LayerUpdate(DMatrix.zeros(w.rows(), w.cols()),
            Optional.of(new double[w.rows()]), Map.of());
      }
      fc2InputEnergy.add(GramOps.meanDiagonal(stats.gram()));
      return new SequentialReconstruction.LayerUpdate(w, Optional.empty(), Map.of());
    }, (done, total, layer, update) -> {});
    assertEquals(List.of("fc1", "fc2"), order);
    assertEquals(List.of(0.0), fc2InputEnergy);
    assertTrue(model.graph().initializer("fc1.w").orElseThrow().toFloats()[0] == 0f);
  }

  @Test
  void aBiasCreatedOnOneLayerReachesTheNextLayersInputs() {
    OnnxModel model = LayerModels.mlp(65, 6, 8, 3);
    model.graph().node("fc1").orElseThrow().setInput(2, "");
    model.graph().removeInitializer("fc1.b");
    List<Double> fc2Input = new ArrayList<>();
    new SequentialReconstruction(DATA, 16).run(model, model.copy(), List.of("fc1", "fc2"), (layer, w, bias, stats) -> {
      if (layer.node().equals("fc1")) {
        assertTrue(bias.isEmpty());
        double[] ones = new double[w.rows()];
        Arrays.fill(ones, 1);
        return new SequentialReconstruction.LayerUpdate(DMatrix.zeros(w.rows(), w.cols()), Optional.of(ones), Map.of());
      }
      fc2Input.add(stats.gram().get(0, 0) / stats.rows());
      fc2Input.add(stats.gram().get(3, 5) / stats.rows());
      return new SequentialReconstruction.LayerUpdate(w, Optional.empty(), Map.of());
    }, (done, total, layer, update) -> {});
    assertEquals(List.of(1.0, 1.0), fc2Input, "relu(0·x + 1) = 1 on every row");
    assertEquals("fc1.bias", model.graph().node("fc1").orElseThrow().input(2));
  }

  @Test
  void listenerHearsEveryLayerAndCanStopBetweenLayers() {
    OnnxModel model = LayerModels.mlp(63, 6, 8, 3);
    List<String> progress = new ArrayList<>();
    RuntimeException stop = new IllegalStateException("cancelled");
    SequentialReconstruction.Listener listener = new SequentialReconstruction.Listener() {
      @Override
      public void checkpoint() {
        if (progress.size() == 1) {
          throw stop;
        }
      }

      @Override
      public void layerDone(int done, int total, LinearLayer layer, SequentialReconstruction.LayerUpdate update) {
        progress.add(done + "/" + total + " " + layer.node());
      }
    };
    float before = model.graph().initializer("fc2.w").orElseThrow().toFloats()[0];
    RuntimeException e = assertThrows(RuntimeException.class, () -> new SequentialReconstruction(DATA, 8).run(model,
        model.copy(), List.of("fc1", "fc2"), (layer, w, bias, stats) -> {
          w.data()[0] += 1;
          return new SequentialReconstruction.LayerUpdate(w, Optional.empty(), Map.of());
        }, listener));
    assertEquals(stop, e);
    assertEquals(List.of("1/2 fc1"), progress);
    assertEquals(before, model.graph().initializer("fc2.w").orElseThrow().toFloats()[0], "fc2 untouched");
  }

  @Test
  void unknownNodesAreNamed() {
    OnnxModel model = LayerModels.mlp(64, 6, 8, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SequentialReconstruction(DATA, 8)
        .run(model, model.copy(), List.of("fc9"), (l, w, b, s) -> null, (d, t, l, u) -> {}));
    assertTrue(e.getMessage().contains("no node named 'fc9'"), e.getMessage());
  }
}
