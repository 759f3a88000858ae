package io.compactor.bundle.retraindistill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.onnx.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageAugmentationTest {
  /** Two 1×8×8 images: a bright 2×2 square on black, at (2, 2) and at (4, 3). */
  private static Tensor squares() {
    float[] v = new float[2 * 64];
    for (int y = 2; y < 4; y++) {
      for (int x = 2; x < 4; x++) {
        v[y * 8 + x] = 1;
        v[64 + (y + 1) * 8 + x + 2] = 1;
      }
    }
    return Tensor.ofFloats(new long[] {2, 1, 8, 8}, v);
  }

  @Test
  void keepsTheOriginalsFirstAndAddsTheCopiesAfter() {
    Tensor images = squares();
    Tensor out = ImageAugmentation.DIGITS.expand(images, 3, 7);
    assertArrayEquals(new long[] {8, 1, 8, 8}, out.shape());
    assertArrayEquals(images.toFloats(), Arrays.copyOf(out.toFloats(), 128));
    for (float f : out.toFloats()) {
      assertTrue(f >= 0 && f <= 1, "clipped to the originals' range: " + f);
    }
  }

  @Test
  void noTransformIsTheIdentity() {
    Tensor images = squares();
    Tensor out = new ImageAugmentation(0, 0, 0, 0).expand(images, 1, 1);
    assertArrayEquals(images.toFloats(), Arrays.copyOfRange(out.toFloats(), 128, 256), 1e-6f);
  }

  @Test
  void aShiftMovesTheContentAndKeepsItsMass() {
    // shift of at most one pixel (1/8 of the width), nothing else: the square moves, its ink stays about the same
    Tensor out = new ImageAugmentation(0, 0, 1.0 / 8, 0).expand(squares(), 1, 3);
    float[] copy = Arrays.copyOfRange(out.toFloats(), 128, 192);
    float[] original = Arrays.copyOf(out.toFloats(), 64);
    assertNotEquals(Arrays.toString(original), Arrays.toString(copy));
    double mass = 0;
    for (float f : copy) {
      mass += f;
    }
    assertEquals(4, mass, 1e-4);
  }

  @Test
  void sameSeedSameImagesOtherSeedOthers() {
    Tensor images = squares();
    assertArrayEquals(ImageAugmentation.DIGITS.expand(images, 2, 5).toFloats(),
        ImageAugmentation.DIGITS.expand(images, 2, 5).toFloats());
    assertNotEquals(Arrays.toString(ImageAugmentation.DIGITS.expand(images, 2, 5).toFloats()),
        Arrays.toString(ImageAugmentation.DIGITS.expand(images, 2, 6).toFloats()));
  }

  @Test
  void refusesImagesThatAreNotNchw() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ImageAugmentation.DIGITS.expand(Tensor.ofFloats(new long[] {2, 64}, new float[128]), 1, 1));
    assertTrue(e.getMessage().contains("[N, C, H, W]"), e.getMessage());
  }
}
