package io.compactor.core.config;

/**
 * Compactor's {@code compactor_equalization} (not AMCT): where SmoothQuant-style equalization may divide a layer's
 * input. Handed to the INT8 bundle as the setting {@code equalization}, the name in lower case.
 */
public enum CompactorEqualization {
  /** Wherever it lowers the error; an explicit {@code Mul} in front of the layer where the division folds nowhere. */
  WITH_MUL,
  /** Only where the division folds into the graph: the deploy model runs no extra node for it. */
  FOLDED,
  /** Never. */
  NONE
}
