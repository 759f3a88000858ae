package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.LayerTask;
import io.compactor.api.StepException;
import io.compactor.retrain.ActivationRange;
import java.util.Optional;

/**
 * The resolved INT8 settings of one layer, read from AMCT's compiled keys plus one Compactor extension.
 *
 * @param weightAlgo {@code weight_algo}: {@code arq_retrain} or {@code ulq_retrain} (both retrained the same
 *     way here: error-minimizing scale, GPTQ rounding)
 * @param channelWise {@code channel_wise}: one weight scale per output channel
 * @param clip {@code clip_max}/{@code clip_min}: the initial activation range, refined within
 *     {@link #CLIP_BAND}; empty: searched from the observed range
 * @param fixedMin {@code fixed_min}: pin the lower activation bound at 0; empty: true after a Relu
 * @param batchNum {@code batch_num}: the calibration data must hold at least this many batches
 * @param fp16Scale {@code fakequant_precision_mode = FORCE_FP16_QUANT}: activation scales rounded to fp16
 * @param dynamic {@value #ACTIVATION_QUANT} {@code = dynamic} (Compactor extension): MatMul activations
 *     quantized per tensor at run time (DynamicQuantizeLinear + MatMulInteger) instead of a static range
 */
record Int8Settings(String weightAlgo, boolean channelWise, Optional<ActivationRange> clip,
    Optional<Boolean> fixedMin, int batchNum, boolean fp16Scale, boolean dynamic) {
  static final String WEIGHT_ALGO = "weight_algo";
  static final String CHANNEL_WISE = "channel_wise";
  static final String DST_TYPE = "dst_type";
  static final String CLIP_MAX = "clip_max";
  static final String CLIP_MIN = "clip_min";
  static final String FIXED_MIN = "fixed_min";
  static final String BATCH_NUM = "batch_num";
  static final String FAKEQUANT_PRECISION_MODE = "fakequant_precision_mode";
  /** Compactor extension: {@code static} (default, AMCT's ULQ) or {@code dynamic}. */
  static final String ACTIVATION_QUANT = "activation_quant";
  /** A configured clip is the starting point; the search may move each bound within these factors. */
  static final double[] CLIP_BAND = {0.5, 1.5};

  /**
   * @param task the layer and its settings
   * @return the settings; defaults for absent keys (arq_retrain, channel_wise true on Conv-like layers,
   *     batch_num 1, static activations)
   * @throws StepException naming the key, the value and what is accepted
   */
  static Int8Settings of(LayerTask task) {
    var s = task.settings();
    String algo = s.string(WEIGHT_ALGO).orElse("arq_retrain");
    if (!algo.equals("arq_retrain") && !algo.equals("ulq_retrain")) {
      throw fail(task, WEIGHT_ALGO + ": unknown weight algorithm, got '" + algo + "'; use arq_retrain or ulq_retrain");
    }
    String dst = s.string(DST_TYPE).orElse("INT8");
    if (!dst.equals("INT8")) {
      throw fail(task, DST_TYPE + ": only INT8 is supported, got '" + dst + "'");
    }
    boolean conv = task.opType().startsWith("Conv");
    boolean channelWise = s.bool(CHANNEL_WISE).orElse(conv);
    Optional<Double> max = s.number(CLIP_MAX);
    Optional<Double> min = s.number(CLIP_MIN);
    if (max.isPresent() != min.isPresent()) {
      throw fail(task, "clip_max and clip_min are both required, got only " + (max.isPresent() ? CLIP_MAX : CLIP_MIN));
    }
    Optional<ActivationRange> clip = Optional.empty();
    if (max.isPresent()) {
      if (!(max.get() > 0) || !(min.get() < 0)) {
        throw fail(task, "clip_max must be > 0 and clip_min < 0, got clip_max " + max.get() + ", clip_min "
            + min.get());
      }
      clip = Optional.of(new ActivationRange(min.get(), max.get()));
    }
    double batchNum = s.number(BATCH_NUM).orElse(1.0);
    if (batchNum < 1 || batchNum != Math.rint(batchNum)) {
      throw fail(task, BATCH_NUM + ": must be a whole number >= 1, got " + batchNum);
    }
    Optional<String> precision = s.string(FAKEQUANT_PRECISION_MODE);
    if (precision.isPresent() && !precision.get().equals("FORCE_FP16_QUANT")) {
      throw fail(task, FAKEQUANT_PRECISION_MODE + ": unknown mode, got '" + precision.get()
          + "'; use FORCE_FP16_QUANT or leave it out");
    }
    String mode = s.string(ACTIVATION_QUANT).orElse("static");
    if (!mode.equals("static") && !mode.equals("dynamic")) {
      throw fail(task, ACTIVATION_QUANT + ": unknown mode, got '" + mode + "'; use static or dynamic");
    }
    return new Int8Settings(algo, channelWise, clip, s.bool(FIXED_MIN), (int) batchNum, precision.isPresent(),
        mode.equals("dynamic"));
  }

  private static StepException fail(LayerTask task, String problem) {
    return new StepException(Capabilities.QUANT_INT8, task.node(), problem);
  }
}
