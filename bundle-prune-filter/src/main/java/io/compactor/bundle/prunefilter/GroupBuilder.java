package io.compactor.bundle.prunefilter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects channel groups while the graph is walked: groups are opened at producers, merged where their
 * channels meet elementwise (union-find), and blocked with a reason where they cannot be followed.
 */
final class GroupBuilder {
  private final List<Integer> parent = new ArrayList<>();
  private final List<Integer> widths = new ArrayList<>();
  private final List<List<String>> producers = new ArrayList<>();
  private final List<List<GroupMember>> members = new ArrayList<>();
  private final List<Set<String>> values = new ArrayList<>();
  private final List<Set<String>> blocked = new ArrayList<>();
  private final List<Integer> balance = new ArrayList<>();

  /** @return the id of a new group of {@code width} channels produced by {@code producer} */
  int open(GroupMember producer, int width) {
    int id = parent.size();
    parent.add(id);
    widths.add(width);
    producers.add(new ArrayList<>(List.of(producer.node())));
    members.add(new ArrayList<>(List.of(producer)));
    values.add(new LinkedHashSet<>());
    blocked.add(new LinkedHashSet<>());
    balance.add(1);
    return id;
  }

  /** @return the channels of the group */
  int width(int group) {
    return widths.get(find(group));
  }

  /** Adds a node whose parameters follow the group. */
  void add(int group, GroupMember member) {
    members.get(find(group)).add(member);
  }

  /** Notes that {@code value} carries the group's channels. */
  void carries(int group, String value) {
    values.get(find(group)).add(value);
  }

  /** Stops the group from being pruned. */
  void block(int group, String reason) {
    blocked.get(find(group)).add(reason);
  }

  /**
   * Requires the group's channels to be removed evenly from {@code groups} blocks (a grouped convolution
   * reads them); a second, different requirement blocks the group.
   */
  void balance(int group, int groups, String where) {
    int root = find(group);
    int current = balance.get(root);
    if (current != 1 && current != groups) {
      block(root, where + " reads the channels in " + groups + " groups but another grouped convolution in "
          + current);
    } else {
      balance.set(root, groups);
    }
  }

  /** Makes two groups one: their channels are removed at the same indices. Widths must agree. */
  void merge(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra == rb) {
      return;
    }
    if (!widths.get(ra).equals(widths.get(rb))) {
      throw new IllegalStateException("groups of " + widths.get(ra) + " and " + widths.get(rb) + " channels merged");
    }
    int keep = Math.min(ra, rb);
    int drop = Math.max(ra, rb);
    parent.set(drop, keep);
    producers.get(keep).addAll(producers.get(drop));
    members.get(keep).addAll(members.get(drop));
    values.get(keep).addAll(values.get(drop));
    blocked.get(keep).addAll(blocked.get(drop));
    int kept = balance.get(keep);
    int dropped = balance.get(drop);
    if (kept != 1 && dropped != 1 && kept != dropped) {
      blocked.get(keep).add("residual partners are read by grouped convolutions with " + kept + " and " + dropped
          + " groups");
    }
    balance.set(keep, kept != 1 ? kept : dropped);
  }

  private int find(int g) {
    int root = g;
    while (parent.get(root) != root) {
      root = parent.get(root);
    }
    while (parent.get(g) != root) {
      int next = parent.get(g);
      parent.set(g, root);
      g = next;
    }
    return root;
  }

  /** @return the groups, in the order their first producer was opened */
  List<ChannelGroup> build() {
    List<ChannelGroup> out = new ArrayList<>();
    for (int g = 0; g < parent.size(); g++) {
      if (find(g) == g) {
        out.add(new ChannelGroup("g" + out.size(), widths.get(g), producers.get(g), members.get(g),
            List.copyOf(values.get(g)), balance.get(g), List.copyOf(blocked.get(g))));
      }
    }
    return out;
  }
}
