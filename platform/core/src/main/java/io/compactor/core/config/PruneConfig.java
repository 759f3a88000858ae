package io.compactor.core.config;

/**
 * AMCT's {@code prune_config}: exactly one sparsity method, filter pruning or 2:4. One run uses one kind
 * for the whole network.
 */
public sealed interface PruneConfig permits FilterPruner, NOutOfMPruner {
  /** @return the capability that provides this method, e.g. {@code sparsity.2of4} */
  String capability();

  /** @return the AMCT oneof member, {@code filter_pruner} or {@code n_out_of_m_pruner} */
  String field();

  /** @return the method in words, for messages, e.g. {@code 2:4 sparsity} */
  String label();
}
