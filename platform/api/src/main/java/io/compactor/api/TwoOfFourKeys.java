package io.compactor.api;

import java.util.List;

/**
 * The settings of capability {@value Capabilities#SPARSITY_2OF4}, from AMCT's {@code l1_selective_prune}.
 *
 * @since 1.2.0
 */
public final class TwoOfFourKeys {
  /** The N:M pattern; AMCT defines only {@code M4N2}, keep 2 of every 4 input-channel weights. */
  public static final SettingKey<String> N_OUT_OF_M_TYPE =
      SettingKey.builder(Capabilities.SPARSITY_2OF4, "n_out_of_m_type", String.class)
          .meaning("`M4N2`: keep 2 of every 4")
          .oneOf("M4N2").defaultValue("M4N2")
          .fix("use M4N2 (keep 2 of every 4), the only type AMCT defines")
          .always().build();
  /** 0: masks chosen once; k &gt; 0: masks re-chosen every k steps. */
  public static final SettingKey<Integer> UPDATE_FREQ =
      SettingKey.builder(Capabilities.SPARSITY_2OF4, "update_freq", Integer.class)
          .meaning("0: mask chosen once and frozen; k > 0: recomputed every k batches")
          .allowed(k -> k >= 0, "≥ 0").defaultValue(0)
          .fix("use 0 (masks chosen up front) or k ≥ 1 (masks re-chosen every k groups during reconstruction)")
          .always().build();
  /** Every key, in the order of {@code docs/config.md}. */
  public static final List<SettingKey<?>> ALL = List.of(N_OUT_OF_M_TYPE, UPDATE_FREQ);

  private TwoOfFourKeys() {}
}
