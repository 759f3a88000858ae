package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.Int8Keys;
import io.compactor.api.LayerTask;
import io.compactor.api.StepException;
import io.compactor.retrain.ActivationRange;
import java.util.List;
import java.util.Optional;

/**
 * The resolved INT8 settings of one layer, read with the api's {@link Int8Keys} (AMCT's compiled keys plus
 * Compactor's extensions).
 *
 * @param weightAlgo {@code weight_algo}: {@code arq_retrain} or {@code ulq_retrain} (both retrained the same
 *     way here: error-minimizing scale, GPTQ rounding)
 * @param channelWise {@code channel_wise}: one weight scale per output channel
 * @param clip {@code clip_max}/{@code clip_min}: the initial activation range, refined within
 *     {@link #CLIP_BAND}; empty: searched from the observed range
 * @param fixedMin {@code fixed_min}: pin the lower activation bound at 0; empty: true after a Relu
 * @param batchNum {@code batch_num}: the calibration data must hold at least this many batches
 * @param fp16Scale {@code fakequant_precision_mode = FORCE_FP16_QUANT}: activation scales rounded to fp16
 * @param dynamic {@code activation_quant = dynamic} (Compactor extension): MatMul activations
 *     quantized per tensor at run time (DynamicQuantizeLinear + MatMulInteger) instead of a static range
 * @param floatActivations {@code float_activations} (Compactor extension): activations left float
 * @param equalization {@code equalization} (Compactor extension): {@code with_mul}, {@code folded} or {@code none}
 */
record Int8Settings(String weightAlgo, boolean channelWise, Optional<ActivationRange> clip,
    Optional<Boolean> fixedMin, int batchNum, boolean fp16Scale, boolean dynamic, List<String> floatActivations,
    String equalization) {
  /** {@code equalization}: only where the division folds into the graph, no explicit {@code Mul}. */
  static final String EQUALIZE_FOLDED = "folded";
  /** {@code equalization}: never. */
  static final String EQUALIZE_NONE = "none";
  /** A configured clip is the starting point; the search may move each bound within these factors. */
  static final double[] CLIP_BAND = {0.5, 1.5};

  /**
   * @param task the layer and its settings
   * @return the settings; defaults for absent keys (arq_retrain, channel_wise true on Conv-like layers and
   *     Gather tables, batch_num 1, static activations, no float activations, equalization with_mul)
   * @throws StepException naming the key, the value and what is accepted
   */
  static Int8Settings of(LayerTask task) {
    String algo = Int8Keys.WEIGHT_ALGO.get(task);
    Int8Keys.DST_TYPE.get(task); // INT8, the only value the key allows
    boolean channelWise = Int8Keys.CHANNEL_WISE.find(task).orElse(task.opType().startsWith("Conv")
        || task.opType().equals("Gather"));
    Optional<Double> max = Int8Keys.CLIP_MAX.find(task);
    Optional<Double> min = Int8Keys.CLIP_MIN.find(task);
    if (max.isPresent() != min.isPresent()) {
      throw new StepException(Capabilities.QUANT_INT8, task.node(), "clip_max and clip_min are both required, got only "
          + (max.isPresent() ? Int8Keys.CLIP_MAX : Int8Keys.CLIP_MIN).name());
    }
    Optional<ActivationRange> clip = max.map(hi -> new ActivationRange(min.orElseThrow(), hi));
    return new Int8Settings(algo, channelWise, clip, Int8Keys.FIXED_MIN.find(task), Int8Keys.BATCH_NUM.get(task),
        Int8Keys.FAKEQUANT_PRECISION_MODE.find(task).isPresent(),
        Int8Keys.ACTIVATION_QUANT.get(task).equals("dynamic"), floatActivations(task), Int8Keys.EQUALIZATION.get(task));
  }

  private static List<String> floatActivations(LayerTask task) {
    Int8Keys.FLOAT_ACTIVATIONS.find(task); // checks the value
    return Int8Keys.floatActivations(task.settings());
  }
}
