package io.compactor.bundle.retraindistill.training;

import io.compactor.api.TrainingData;
import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Training samples read by index, as the trainer sees them: the SPI's {@link TrainingData}, which the host
 * streams from the training directory's {@code .npy} files.
 */
public interface Samples {
  /**
   * @param data the job's training data
   * @return the same samples
   */
  static Samples of(TrainingData data) {
    return new Samples() {
      @Override
      public int size() {
        return data.size();
      }

      @Override
      public Map<String, Tensor> inputs(int[] indices) {
        return data.inputs(indices);
      }

      @Override
      public Optional<Tensor> labels(int[] indices) {
        return data.labels(indices);
      }
    };
  }

  /** @return the number of samples */
  int size();

  /**
   * @param indices the samples, in batch order
   * @return one tensor per graph input, {@code [indices.length, ...]}
   */
  Map<String, Tensor> inputs(int[] indices);

  /** @return the class ids of the samples as INT64 {@code [indices.length]}, if the data has labels */
  Optional<Tensor> labels(int[] indices);

  /**
   * Splits the samples once for a run: a seed-shuffled {@code fraction} is held out (at least one sample when the
   * fraction is positive and there are two or more), the rest trains; both in ascending order.
   *
   * @return {@code [train, heldOut]} sample indices
   */
  static int[][] split(int size, double fraction, TrainingSeed seed) {
    int[] all = seed.order(size, -1);
    int held = fraction <= 0 || size < 2 ? 0 : (int) Math.max(1, Math.min(size - 1, Math.round(size * fraction)));
    int[] heldOut = Arrays.copyOfRange(all, 0, held);
    int[] train = Arrays.copyOfRange(all, held, size);
    Arrays.sort(heldOut);
    Arrays.sort(train);
    return new int[][] {train, heldOut};
  }
}
