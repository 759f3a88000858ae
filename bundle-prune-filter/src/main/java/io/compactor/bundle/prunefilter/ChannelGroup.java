package io.compactor.bundle.prunefilter;

import java.util.List;
import java.util.Objects;

/**
 * Channels that must be pruned together (AMCT's prune record): the output filters of one or more producers
 * whose outputs meet at an elementwise node (a residual Add), with every node whose parameters follow those
 * channels. A group whose channels reach something Compactor cannot follow is blocked and carries the
 * reasons.
 *
 * @param id a short name for reports, {@code g0}, {@code g1}, ... in topological order of the first producer
 * @param width the number of channels
 * @param producers the nodes whose filters are the channels, in topological order
 * @param members every node whose parameters shrink, producers included
 * @param values the values that carry the channels (their shapes change)
 * @param balance 1, or the {@code group} of a grouped convolution reading the channels: the channels fall into
 *     that many equal blocks, and each block must lose as many channels
 * @param blocked why the group cannot be pruned; empty when it can
 */
record ChannelGroup(String id, int width, List<String> producers, List<GroupMember> members, List<String> values,
    int balance, List<String> blocked) {
  ChannelGroup {
    Objects.requireNonNull(id, "id");
    producers = List.copyOf(producers);
    members = List.copyOf(members);
    values = List.copyOf(values);
    blocked = List.copyOf(blocked);
  }

  /** @return whether nothing stops pruning this group */
  boolean prunable() {
    return blocked.isEmpty();
  }

  /** @return the nodes that read the channels as input channels */
  List<String> consumers() {
    return members.stream().filter(m -> m.role() == GroupMember.Role.CONSUMER).map(GroupMember::node).distinct()
        .toList();
  }
}
