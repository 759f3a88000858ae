package io.compactor.bundle.prune2of4;

import io.compactor.api.LayerTask;
import io.compactor.api.StepException;
import io.compactor.api.TwoOfFourKeys;
import io.compactor.retrain.NmPattern;

/**
 * The resolved 2:4 settings of one layer, read with the api's {@link TwoOfFourKeys} (AMCT's
 * {@code l1_selective_prune}).
 *
 * @param pattern {@code n_out_of_m_type}; only M4N2 (keep 2 of every 4) exists
 * @param updateFreq {@code update_freq}: 0 chooses every mask up front; {@code k ≥ 1} re-chooses the masks
 *     of the next {@code k} groups of 4 input channels whenever the reconstruction sweep reaches them, from
 *     the weights as compensated so far (see the package documentation)
 */
record TwoOfFourSettings(NmPattern pattern, int updateFreq) {
  /**
   * @param task the layer and its settings
   * @return the settings, defaults for absent keys (M4N2, update_freq 0)
   * @throws StepException naming the key, the value and the accepted values
   */
  static TwoOfFourSettings of(LayerTask task) {
    TwoOfFourKeys.N_OUT_OF_M_TYPE.get(task); // M4N2, the only value the key allows
    return new TwoOfFourSettings(NmPattern.M4N2, TwoOfFourKeys.UPDATE_FREQ.get(task));
  }
}
