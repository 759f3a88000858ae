package io.compactor.bundle.retraindistill;

import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a {@code --train} directory for retraining from a calibration directory's images, as a user with few
 * images would: the originals plus augmented copies ({@link ImageAugmentation#DIGITS}). No labels: distillation
 * learns from the original model's outputs.
 *
 * <pre>
 * AugmentImages INPUT.npy OUTPUT_DIR COPIES [SEED]     writes OUTPUT_DIR/INPUT.npy (same file name: the graph input)
 * </pre>
 */
public final class AugmentImages {
  private AugmentImages() {}

  public static void main(String[] args) {
    if (args.length < 3) {
      System.err.println("usage: AugmentImages INPUT.npy OUTPUT_DIR COPIES [SEED]");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]).resolve(in.getFileName());
    int copies = Integer.parseInt(args[2]);
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
    Tensor images = Npy.read(in);
    Tensor expanded = ImageAugmentation.DIGITS.expand(images, copies, seed);
    Npy.write(out, expanded);
    System.out.printf(Locale.ROOT, "%s: %d images (%d originals + %d copies each) -> %s%n", in, expanded.dim(0),
        images.dim(0), copies, out);
  }
}
