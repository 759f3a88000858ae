package io.compactor.core.config;

import io.compactor.api.Capabilities;
import java.util.Objects;

/**
 * AMCT's {@code n_out_of_m_pruner { l1_selective_prune { ... } }}: 2:4 structured sparsity along the
 * input channels, capability {@value Capabilities#SPARSITY_2OF4}.
 *
 * @param type the pattern, {@link NOutOfMType#M4N2}
 * @param updateFreq 0: the mask is chosen once and frozen; k &gt; 0: recomputed every k batches
 */
public record NOutOfMPruner(NOutOfMType type, int updateFreq) implements PruneConfig {
  public NOutOfMPruner {
    Objects.requireNonNull(type, "type");
    if (updateFreq < 0) {
      throw new IllegalArgumentException("update_freq must be at least 0, got " + updateFreq);
    }
  }

  @Override
  public String capability() {
    return Capabilities.SPARSITY_2OF4;
  }

  @Override
  public String field() {
    return "n_out_of_m_pruner";
  }

  @Override
  public String label() {
    return "2:4 sparsity";
  }
}
