package io.compactor.bundle.prune2of4;

import io.compactor.api.Capabilities;
import io.compactor.api.LayerTask;
import io.compactor.api.StepException;
import io.compactor.retrain.NmPattern;

/**
 * The resolved 2:4 settings of one layer, read from AMCT's {@code l1_selective_prune} keys.
 *
 * @param pattern {@code n_out_of_m_type}; only M4N2 (keep 2 of every 4) exists
 * @param updateFreq {@code update_freq}: 0 chooses every mask up front; {@code k ≥ 1} re-chooses the masks
 *     of the next {@code k} groups of 4 input channels whenever the reconstruction sweep reaches them, from
 *     the weights as compensated so far (see the package documentation)
 */
record TwoOfFourSettings(NmPattern pattern, int updateFreq) {
  /** Settings key of the pattern type. */
  static final String N_OUT_OF_M_TYPE = "n_out_of_m_type";
  /** Settings key of the mask update frequency. */
  static final String UPDATE_FREQ = "update_freq";
  /** AMCT's default for {@code update_freq}. */
  static final int DEFAULT_UPDATE_FREQ = 0;

  /**
   * @param task the layer and its settings
   * @return the settings, defaults for absent keys (M4N2, update_freq 0)
   * @throws StepException naming the key, the value and the accepted values
   */
  static TwoOfFourSettings of(LayerTask task) {
    String type = task.settings().string(N_OUT_OF_M_TYPE).orElse(NmPattern.M4N2.amctName());
    if (!type.equals(NmPattern.M4N2.amctName())) {
      throw new StepException(Capabilities.SPARSITY_2OF4, task.node(), N_OUT_OF_M_TYPE
          + ": unsupported N:M type, got '" + type + "'; use M4N2 (keep 2 of every 4), the only type AMCT defines");
    }
    double freq = task.settings().number(UPDATE_FREQ).orElse((double) DEFAULT_UPDATE_FREQ);
    if (freq < 0 || freq != Math.rint(freq) || freq > Integer.MAX_VALUE) {
      throw new StepException(Capabilities.SPARSITY_2OF4, task.node(), UPDATE_FREQ
          + ": must be a whole number ≥ 0, got " + freq + "; use 0 (masks chosen up front) or k ≥ 1 (masks re-chosen "
          + "every k groups during reconstruction)");
    }
    return new TwoOfFourSettings(NmPattern.M4N2, (int) freq);
  }
}
