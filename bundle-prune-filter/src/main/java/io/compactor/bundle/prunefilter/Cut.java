package io.compactor.bundle.prunefilter;

import java.util.Objects;

/**
 * A slice of one initializer that follows a channel group: channel {@code c} of the group is the entries
 * {@code [(offset + c) × block, (offset + c + 1) × block)} along {@code axis}. {@code offset} places the
 * group inside a Concat; {@code block} is the spatial size a Flatten folded into each channel. A grouped
 * convolution's weight ({@code groups > 1}) holds channel {@code c} at {@code c mod (C / groups)} on axis 1,
 * read only by the filters of conv group {@code c / (C / groups)}; every conv group must lose as many channels.
 *
 * @param tensor the initializer
 * @param axis the axis that holds the group's channels
 * @param offset channels of other values before the group on that axis
 * @param block consecutive entries per channel, at least 1
 * @param groups 1, or the {@code group} of a grouped convolution consumer
 */
record Cut(String tensor, int axis, int offset, int block, int groups) {
  Cut {
    Objects.requireNonNull(tensor, "tensor");
    if (axis < 0 || offset < 0 || block < 1 || groups < 1) {
      throw new IllegalArgumentException(tensor + ": cut needs axis, offset >= 0 and block >= 1, got axis " + axis
          + ", offset " + offset + ", block " + block);
    }
  }

  /** A cut that is not a grouped convolution's. */
  Cut(String tensor, int axis, int offset, int block) {
    this(tensor, axis, offset, block, 1);
  }

  /** @return a cut of one channel per entry, without offset */
  static Cut of(String tensor, int axis) {
    return new Cut(tensor, axis, 0, 1);
  }
}
