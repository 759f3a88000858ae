package io.compactor.bundle.prunefilter;

import java.util.List;
import java.util.Objects;

/**
 * Where a value's channels come from: which groups occupy which ranges of its channel axis.
 *
 * @param axis whether the channels are axis 1 (NCHW activations) or the last axis (Gemm, MatMul outputs)
 * @param rank the value's rank, or -1 when unknown (MatMul outputs keep their input's rank)
 * @param width channels on the channel axis (before any Flatten folded space into them)
 * @param block entries per channel on the channel axis: 1, or 0 when a Flatten folded an unknown spatial
 *     size into each channel (resolved where the value meets a weight)
 * @param segments the groups and their offsets, in channel order
 */
record ChannelLayout(Axis axis, int rank, int width, int block, List<Segment> segments) {
  /** The axis that holds channels. */
  enum Axis {
    /** axis 1 of an N, C, spatial... tensor */
    SECOND,
    /** the last axis */
    LAST
  }

  /**
   * One group's channels inside a value.
   *
   * @param group the group id of {@link GroupBuilder}
   * @param offset the first channel of the group on the value's channel axis
   */
  record Segment(int group, int offset) {}

  ChannelLayout {
    Objects.requireNonNull(axis, "axis");
    segments = List.copyOf(segments);
  }

  /** @return the layout of a producer's output: one group over all channels */
  static ChannelLayout of(Axis axis, int rank, int width, int group) {
    return new ChannelLayout(axis, rank, width, 1, List.of(new Segment(group, 0)));
  }

  /** @return the same channels after a Flatten folded the spatial axes into them */
  ChannelLayout flattened() {
    return new ChannelLayout(Axis.LAST, 2, width, 0, segments);
  }

  /** @return whether the two values hold the same channel ranges, so an elementwise op can pair them */
  boolean alignsWith(ChannelLayout other) {
    if (axis != other.axis || width != other.width || block != other.block
        || segments.size() != other.segments.size()) {
      return false;
    }
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).offset() != other.segments.get(i).offset()) {
        return false;
      }
    }
    return true;
  }
}
