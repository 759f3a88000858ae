package io.compactor.bundle.retraindistill.training;

import io.compactor.bundle.retraindistill.program.Trainables;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The model to train (the compression steps' training form: float weights, activation
 * QuantizeLinear/DequantizeLinear pairs, removed channels already gone) and what holds it.
 *
 * @param model the training form, copied with its Constant nodes made initializers (the given model is not
 *     modified)
 * @param trainable the float initializers that train (weights and biases)
 * @param masks sparsity masks by weight name: 1 trains, 0 stays exactly zero
 * @param weightGrids the int8 grid of each quantized weight, read fake-quantized in the forward pass
 * @param learnedScales activation scale initializers that learn (shared by their QuantizeLinear and
 *     DequantizeLinear, so the pair stays consistent)
 */
public record StudentForm(OnnxModel model, Set<String> trainable, Map<String, Tensor> masks,
    Map<String, WeightGrid> weightGrids, Set<String> learnedScales) {
  /** Which weights train. */
  public enum Scope {
    /** every weight and bias of the model ({@link Trainables#weights}) */
    ALL,
    /** the weights and biases of the compressed layers only */
    COMPRESSED
  }

  /**
   * @throws ModelException naming the initializer a mask, grid or learned scale does not fit
   */
  public StudentForm {
    Objects.requireNonNull(model, "model");
    model = model.copy();
    model.graph().normalizeConstants();
    trainable = Set.copyOf(new LinkedHashSet<>(trainable));
    masks = Map.copyOf(new LinkedHashMap<>(masks));
    weightGrids = Map.copyOf(new LinkedHashMap<>(weightGrids));
    learnedScales = Set.copyOf(new LinkedHashSet<>(learnedScales));
    Graph g = model.graph();
    for (Map.Entry<String, Tensor> m : masks.entrySet()) {
      long[] shape = floatInitializer(model, m.getKey(), "mask");
      if (!Arrays.equals(shape, m.getValue().shape())) {
        throw new ModelException(model.source(), m.getKey(), "mask shape " + Arrays.toString(m.getValue().shape())
            + " differs from the weight's " + Arrays.toString(shape));
      }
    }
    for (Map.Entry<String, WeightGrid> e : weightGrids.entrySet()) {
      long[] shape = floatInitializer(model, e.getKey(), "weight grid");
      WeightGrid grid = e.getValue();
      if (grid.axis() >= shape.length || grid.axis() >= 0 && shape[grid.axis()] != grid.scales().length) {
        throw new ModelException(model.source(), e.getKey(), "weight grid has " + grid.scales().length
            + " scales on axis " + grid.axis() + ", the weight's shape is " + Arrays.toString(shape));
      }
    }
    for (String s : learnedScales) {
      floatInitializer(model, s, "learned scale");
      boolean quantizes = g.nodes().stream().anyMatch(n -> n.opType().equals("QuantizeLinear")
          && n.inputs().size() > 1 && n.input(1).equals(s));
      if (!quantizes) {
        throw new ModelException(model.source(), s, "a learned scale must be the scale of a QuantizeLinear");
      }
    }
    for (String t : trainable) {
      floatInitializer(model, t, "trainable weight");
    }
  }

  /**
   * @param model the training form
   * @param scope all weights, or those of the compressed layers
   * @param compressedNodes the nodes a compression step changed (used with {@link Scope#COMPRESSED})
   * @return the initializers that train: every weight of the model, or the weights and biases (inputs 1 and
   *     up that are weights) of the compressed nodes
   */
  public static Set<String> trainable(OnnxModel model, Scope scope, Collection<String> compressedNodes) {
    Set<String> all = Trainables.weights(model);
    if (scope == Scope.ALL) {
      return all;
    }
    Set<String> out = new LinkedHashSet<>();
    for (String name : compressedNodes) {
      Node n = model.graph().node(name).orElseThrow(() -> new ModelException(model.source(), name,
          "compressed layer is not a node of the training form"));
      n.inputs().stream().skip(1).filter(all::contains).forEach(out::add);
    }
    return out;
  }

  private static long[] floatInitializer(OnnxModel model, String name, String what) {
    Graph g = model.graph();
    if (!g.hasInitializer(name) || g.initializerTypeCode(name) != 1) {
      throw new ModelException(model.source(), name, what + " names no FLOAT initializer of the training form");
    }
    return g.initializerShape(name).orElseThrow();
  }
}
