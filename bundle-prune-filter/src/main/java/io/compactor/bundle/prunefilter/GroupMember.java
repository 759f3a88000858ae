package io.compactor.bundle.prunefilter;

import java.util.List;
import java.util.Objects;

/**
 * One node whose parameters shrink with a channel group, and how.
 *
 * @param node the node name
 * @param role what the node does with the group's channels
 * @param cuts the initializer slices that follow the group
 */
record GroupMember(String node, Role role, List<Cut> cuts) {
  /** How a node takes part in a group. */
  enum Role {
    /** its output filters are the group's channels (weight rows and bias) */
    PRODUCER,
    /** BatchNormalization or InstanceNormalization: per-channel parameters */
    NORMALIZATION,
    /** an elementwise operand with one value per channel (a bias Add, a per-channel Mul, PRelu slopes) */
    CHANNEL_CONSTANT,
    /** a depthwise convolution: one filter per channel, pruned with its input (AMCT's passive prune) */
    DEPTHWISE,
    /** reads the channels as input channels and keeps its own output width */
    CONSUMER
  }

  GroupMember {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(role, "role");
    cuts = List.copyOf(cuts);
  }

  /** @return the member shifted to {@code offset} channels into the value it reads (Concat) */
  GroupMember at(int offset, int block) {
    return new GroupMember(node, role, cuts.stream().map(c -> new Cut(c.tensor(), c.axis(), offset, block,
        c.groups())).toList());
  }
}
