package io.compactor.retrain;

import java.util.Optional;

/**
 * Where a layer's per-output bias lives: a node input (Conv {@code B}, Gemm {@code C}) or the constant
 * operand of the {@code Add} that follows a MatMul. A bias can be corrected only when this layer is its
 * only user; a missing Conv or Gemm bias can be created.
 *
 * @param initializer the bias initializer's name; empty when the layer has no bias yet
 * @param addNode the {@code Add} node holding the bias of a MatMul; empty otherwise
 * @param scale the factor the operator applies to the stored bias (Gemm {@code beta}; 1 otherwise)
 * @param writable whether the bias may be written (created when absent)
 */
public record BiasSlot(Optional<String> initializer, Optional<String> addNode, double scale, boolean writable) {
  /** The layer has no bias and none can be added (a MatMul without a following bias Add). */
  public static final BiasSlot NONE = new BiasSlot(Optional.empty(), Optional.empty(), 1, false);

  /** @return whether the layer adds a bias (existing, or creatable when writable) */
  public boolean present() {
    return initializer.isPresent() || writable;
  }
}
