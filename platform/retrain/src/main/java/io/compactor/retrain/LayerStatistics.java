package io.compactor.retrain;

import io.compactor.retrain.internal.GramOps;
import java.util.Objects;

/**
 * What calibration data says about one linear layer, accumulated in double precision from streamed
 * row blocks: {@code H = XᵀX}, {@code Σx} and the row count of its input rows {@code X} (from the model
 * as compressed so far), and {@code C = XᵀY}, {@code Σy} and {@code Σ||y||²} of the reference outputs
 * {@code Y} (from the model before the step). Memory is {@code O(in² + in·out)} however many rows
 * flow through. Layers whose rows are identical share one {@code H}; never modify what the accessors
 * return.
 */
public final class LayerStatistics {
  private final String layer;
  private final InputMoments input;
  private final int out;
  private final DMatrix cross;
  private final double[] outputSum;
  private double outputSquares;

  LayerStatistics(String layer, InputMoments input, int out) {
    this.layer = Objects.requireNonNull(layer, "layer");
    this.input = input;
    this.out = out;
    this.cross = DMatrix.zeros(input.gram.rows(), out);
    this.outputSum = new double[out];
  }

  /**
   * @param layer the layer, for messages
   * @param in input features (columns of {@code X})
   * @param out output features (columns of {@code Y})
   * @return empty statistics, to be filled with {@link #accumulate(RowSource, RowSource)}
   */
  public static LayerStatistics empty(String layer, int in, int out) {
    return new LayerStatistics(layer, new InputMoments(in), out);
  }

  /**
   * Adds aligned input and reference output rows, block by block.
   *
   * @param inputs rows of {@code X}; not modified
   * @param outputs rows of {@code Y}, row {@code r} belonging to input row {@code r}; not modified
   */
  public void accumulate(RowSource inputs, RowSource outputs) {
    if (inputs.rows() != outputs.rows()) {
      throw new IllegalArgumentException(layer + ": " + inputs.rows() + " input rows but " + outputs.rows()
          + " output rows; input and output must come from the same samples");
    }
    int chunk = chunkRows(Math.max(inputs.cols(), outputs.cols()));
    float[] x = new float[chunk * inputs.cols()];
    float[] y = new float[chunk * outputs.cols()];
    for (int from = 0; from < inputs.rows(); from += chunk) {
      int n = Math.min(chunk, inputs.rows() - from);
      inputs.fill(from, n, x);
      outputs.fill(from, n, y);
      input.accumulate(x, n);
      accumulateOutputs(x, y, n);
    }
  }

  /** @return rows per block so that a block holds about a million values */
  static int chunkRows(int cols) {
    return Math.max(16, (1 << 20) / Math.max(1, cols));
  }

  void accumulateOutputs(float[] x, float[] y, int rows) {
    GramOps.accumulateCross(x, rows, input.gram.rows(), y, out, cross);
    GramOps.accumulateColumnSums(y, rows, out, outputSum);
    outputSquares += GramOps.sumOfSquares(y, rows * out);
  }

  InputMoments moments() {
    return input;
  }

  /** @return the layer */
  public String layer() {
    return layer;
  }

  /** @return input features {@code in} */
  public int inFeatures() {
    return input.gram.rows();
  }

  /** @return output features {@code out} */
  public int outFeatures() {
    return out;
  }

  /** @return calibration rows seen */
  public long rows() {
    return input.rows;
  }

  /** @return {@code H = XᵀX}, {@code in x in}; shared, do not modify */
  public DMatrix gram() {
    return input.gram;
  }

  /** @return {@code Σx}, length {@code in}; do not modify */
  public double[] inputSum() {
    return input.sum;
  }

  /** @return {@code C = XᵀY}, {@code in x out}; do not modify */
  public DMatrix cross() {
    return cross;
  }

  /** @return {@code Σy}, length {@code out}; do not modify */
  public double[] outputSum() {
    return outputSum;
  }

  /** @return {@code Σ||y||²} */
  public double outputSquares() {
    return outputSquares;
  }

  /** @return a new {@code (in+1) x (in+1)} matrix: {@code H} of the rows with a constant 1 appended */
  public DMatrix augmentedGram() {
    int in = inFeatures();
    DMatrix a = DMatrix.zeros(in + 1, in + 1);
    for (int i = 0; i < in; i++) {
      System.arraycopy(input.gram.data(), i * in, a.data(), i * (in + 1), in);
      a.set(i, in, input.sum[i]);
      a.set(in, i, input.sum[i]);
    }
    a.set(in, in, input.rows);
    return a;
  }

  /** @return a new {@code (in+1) x out} matrix: {@code C} with {@code Σy} appended as the last row */
  public DMatrix augmentedCross() {
    int in = inFeatures();
    DMatrix a = DMatrix.zeros(in + 1, out);
    System.arraycopy(cross.data(), 0, a.data(), 0, in * out);
    System.arraycopy(outputSum, 0, a.data(), in * out, out);
    return a;
  }

  /**
   * @param bias a bias the layer keeps fixed, length {@code out}, or null for none
   * @return a new {@code in x out} matrix {@code Xᵀ(Y − 1bᵀ)}: the cross term of the targets the weights
   *     alone must reach when the bias is not part of the fit
   */
  public DMatrix crossWithoutBias(double[] bias) {
    DMatrix c = cross.copy();
    if (bias != null) {
      for (int i = 0; i < c.rows(); i++) {
        for (int o = 0; o < c.cols(); o++) {
          c.add(i, o, -input.sum[i] * bias[o]);
        }
      }
    }
    return c;
  }

  /**
   * The squared output error of candidate weights against the reference outputs, from the
   * statistics alone: {@code Σ_rows ||W x + b − y||²}.
   *
   * @param w candidate weights {@code W[out, in]}; not modified
   * @param bias candidate bias, length {@code out}, or null for none
   * @return the summed squared error over all calibration rows and outputs
   */
  public double squaredError(DMatrix w, double[] bias) {
    int in = inFeatures();
    MatrixDimensionException.require(w.rows() == out && w.cols() == in, layer + ": output error",
        "W must be " + out + "x" + in, w);
    double[] c = cross.data();
    double[] wd = w.data();
    double[] wh = GramOps.multTransB(w, input.gram).data();
    double total = outputSquares;
    for (int o = 0; o < out; o++) {
      int ro = o * in;
      double quad = 0;
      double lin = 0;
      double mean = 0;
      for (int i = 0; i < in; i++) {
        quad += wd[ro + i] * wh[ro + i];
        lin += wd[ro + i] * c[i * out + o];
        mean += wd[ro + i] * input.sum[i];
      }
      total += quad - 2 * lin;
      if (bias != null) {
        double b = bias[o];
        total += 2 * b * mean + input.rows * b * b - 2 * b * outputSum[o];
      }
    }
    return Math.max(0, total);
  }

  /**
   * @return {@link #squaredError} divided by {@code Σ||y||²}: the relative MSE of the layer output
   *     against the reference (0 = identical; 1 = as large as the output itself)
   */
  public double relativeError(DMatrix w, double[] bias) {
    return squaredError(w, bias) / Math.max(outputSquares, Double.MIN_NORMAL);
  }

  /** {@code XᵀX}, {@code Σx} and the row count of one input; shared by layers with identical rows. */
  static final class InputMoments {
    final DMatrix gram;
    final double[] sum;
    long rows;

    InputMoments(int in) {
      this.gram = DMatrix.zeros(in, in);
      this.sum = new double[in];
    }

    void accumulate(float[] x, int n) {
      GramOps.accumulate(x, n, gram.rows(), gram);
      GramOps.accumulateColumnSums(x, n, gram.rows(), sum);
      rows += n;
    }
  }
}
