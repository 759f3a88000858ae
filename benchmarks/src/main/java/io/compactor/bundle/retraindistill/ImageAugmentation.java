package io.compactor.bundle.retraindistill;

import io.compactor.onnx.tensor.Tensor;
import java.util.Random;

/**
 * More training images from few, for distillation (which needs no labels): seeded random affine copies of each
 * image — a small rotation, scale and shift about the centre, bilinear, the outside read as the background —
 * plus Gaussian noise, clipped to the range of the originals. Images are {@code [N, C, H, W]} floats; a copy
 * moves every channel of an image the same way.
 *
 * @param degrees largest rotation either way
 * @param scale largest relative change of size either way (0.1: 0.9 to 1.1)
 * @param shift largest shift either way, as a fraction of the width and height
 * @param noise standard deviation of the added noise, in units of the images' value range
 */
public record ImageAugmentation(double degrees, double scale, double shift, double noise) {
  /** Digits (28×28): ±12°, ±10 % size, ±2 pixels, noise 0.02. */
  public static final ImageAugmentation DIGITS = new ImageAugmentation(12, 0.10, 2.0 / 28, 0.02);

  /**
   * @param images {@code [N, C, H, W]}
   * @param copies augmented copies per image
   * @param seed the random transforms
   * @return the originals followed by {@code copies} transformed versions of each, {@code [N·(1+copies), C, H, W]}
   */
  public Tensor expand(Tensor images, int copies, long seed) {
    if (images.rank() != 4) {
      throw new IllegalArgumentException("images must be [N, C, H, W], got rank " + images.rank());
    }
    long[] shape = images.shape();
    int n = (int) shape[0];
    int channels = (int) shape[1];
    int h = (int) shape[2];
    int w = (int) shape[3];
    int per = channels * h * w;
    float[] in = images.toFloats();
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : in) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    float[] out = new float[n * (1 + copies) * per];
    System.arraycopy(in, 0, out, 0, in.length);
    Random random = new Random(seed);
    int at = in.length;
    for (int c = 0; c < copies; c++) {
      for (int i = 0; i < n; i++) {
        transform(in, i * per, out, at, channels, h, w, lo, hi, random);
        at += per;
      }
    }
    return Tensor.ofFloats(new long[] {(long) n * (1 + copies), channels, h, w}, out);
  }

  private void transform(float[] in, int from, float[] out, int to, int channels, int h, int w, float lo, float hi,
      Random random) {
    double angle = Math.toRadians(uniform(random, degrees));
    double s = 1 + uniform(random, scale);
    double dx = uniform(random, shift) * w;
    double dy = uniform(random, shift) * h;
    // inverse map: for each output pixel, where it comes from in the source
    double cos = Math.cos(angle) / s;
    double sin = Math.sin(angle) / s;
    double cx = (w - 1) / 2.0;
    double cy = (h - 1) / 2.0;
    double sigma = noise * (hi - lo);
    for (int ch = 0; ch < channels; ch++) {
      int plane = from + ch * h * w;
      float background = in[plane];   // the top-left pixel: black for digits, the paper for text lines
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double u = x - cx - dx;
          double v = y - cy - dy;
          double sx = cos * u + sin * v + cx;
          double sy = -sin * u + cos * v + cy;
          double value = bilinear(in, plane, h, w, sx, sy, background) + sigma * random.nextGaussian();
          out[to + ch * h * w + y * w + x] = (float) Math.max(lo, Math.min(hi, value));
        }
      }
    }
  }

  private static double bilinear(float[] in, int plane, int h, int w, double x, double y, float background) {
    int x0 = (int) Math.floor(x);
    int y0 = (int) Math.floor(y);
    double fx = x - x0;
    double fy = y - y0;
    return (1 - fy) * ((1 - fx) * pixel(in, plane, h, w, x0, y0, background)
        + fx * pixel(in, plane, h, w, x0 + 1, y0, background))
        + fy * ((1 - fx) * pixel(in, plane, h, w, x0, y0 + 1, background)
        + fx * pixel(in, plane, h, w, x0 + 1, y0 + 1, background));
  }

  private static float pixel(float[] in, int plane, int h, int w, int x, int y, float background) {
    return x < 0 || y < 0 || x >= w || y >= h ? background : in[plane + y * w + x];
  }

  private static double uniform(Random random, double bound) {
    return (2 * random.nextDouble() - 1) * bound;
  }
}
