package io.compactor.api;

import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The model as the compression steps hand it on, AMCT's "prepared" model: a float ONNX model (with
 * fake-quant pairs on quantized activations and weights on their grids), the masks of the zeros sparsity
 * created, and the quantization parameters of each quantized layer. Retraining trains it; the quantization
 * provider's {@link CompressionMethod#export} turns it into the deploy model. Written as
 * {@code model.fakequant.onnx}. The record is immutable; its {@link #model()} is the job's working model,
 * which steps rewrite in place.
 *
 * @param model the float (fake-quant) model
 * @param masks per weight initializer, the entries that must stay zero, in the order they were added
 * @param quantization per quantized node, its quantization parameters, in the order they were added
 * @param compressed the nodes some step compressed, in the order they were compressed (retraining with
 *     {@code train: COMPRESSED} updates only these)
 * @since 1.3.0
 */
public record TrainingForm(OnnxModel model, Map<String, WeightMask> masks, Map<String, LayerQuantization> quantization,
    List<String> compressed) {
  public TrainingForm {
    Objects.requireNonNull(model, "model");
    // insertion order: the export and the trainer visit layers in a stable order
    masks = Collections.unmodifiableMap(new LinkedHashMap<>(masks));
    quantization = Collections.unmodifiableMap(new LinkedHashMap<>(quantization));
    compressed = List.copyOf(new LinkedHashSet<>(compressed));
  }

  /** @return the form of a model no step has touched yet */
  public static TrainingForm of(OnnxModel model) {
    return new TrainingForm(model, Map.of(), Map.of(), List.of());
  }

  /** @return whether some layer is quantized, i.e. a quantization provider must export the deploy model */
  public boolean quantized() {
    return !quantization.isEmpty();
  }

  /**
   * @param added masks of weights a step sparsified (keyed by weight; a later mask of a weight replaces the
   *     earlier one, which it must include)
   * @return this form plus the masks, their nodes counted as compressed
   */
  public TrainingForm withMasks(Collection<WeightMask> added) {
    Map<String, WeightMask> m = new LinkedHashMap<>(masks);
    List<String> c = new ArrayList<>(compressed);
    for (WeightMask mask : added) {
      m.put(mask.weight(), mask);
      c.add(mask.node());
    }
    return new TrainingForm(model, m, quantization, c);
  }

  /**
   * @param added quantized layers (keyed by node)
   * @return this form plus the layers, counted as compressed
   */
  public TrainingForm withQuantization(Collection<LayerQuantization> added) {
    Map<String, LayerQuantization> q = new LinkedHashMap<>(quantization);
    List<String> c = new ArrayList<>(compressed);
    for (LayerQuantization l : added) {
      q.put(l.node(), l);
      c.add(l.node());
    }
    return new TrainingForm(model, masks, q, c);
  }

  /**
   * @param nodes nodes a step changed without masks or quantization (e.g. channels removed)
   * @return this form with the nodes counted as compressed
   */
  public TrainingForm withCompressed(Collection<String> nodes) {
    List<String> c = new ArrayList<>(compressed);
    c.addAll(nodes);
    return new TrainingForm(model, masks, quantization, c);
  }

  /**
   * @param trained the retrained model (same graph structure; may be this form's model)
   * @return the same masks and quantization on the trained model
   */
  public TrainingForm withModel(OnnxModel trained) {
    return new TrainingForm(trained, masks, quantization, compressed);
  }

  /** @return the names of the nodes some step compressed */
  public Set<String> compressedSet() {
    return Set.copyOf(compressed);
  }
}
