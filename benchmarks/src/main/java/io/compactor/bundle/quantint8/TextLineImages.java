package io.compactor.bundle.quantint8;

import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Text-line images as PaddleOCR's direction classifier receives them. Each line is rendered with Java2D (dark
 * ink on a light, slightly tinted, noisy background; font, style, size and margins varied), once upright
 * (label 0) and once turned by 180° (label 1), then preprocessed as PaddleOCR's {@code resize_norm_img} does
 * for {@code cls_image_shape 3,48,192}: resized to height 48 keeping the aspect ratio (width capped at 192),
 * BGR channel order as OpenCV reads images, {@code (v / 255 − 0.5) / 0.5}, zero-padded on the right.
 */
final class TextLineImages {
  static final int HEIGHT = 48;
  static final int WIDTH = 192;
  /** Families used when installed; Java's logical fonts stand in on machines without them. */
  private static final List<String> PREFERRED = List.of("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono",
      "DejaVu Sans Condensed", "DejaVu Serif Condensed");

  private TextLineImages() {}

  /** @return the font families lines are rendered with on this machine */
  static List<String> fonts() {
    Set<String> installed = Set.of(GraphicsEnvironment.getLocalGraphicsEnvironment()
        .getAvailableFontFamilyNames(Locale.ROOT));
    List<String> found = PREFERRED.stream().filter(installed::contains).toList();
    return found.isEmpty() ? List.of(Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED) : found;
  }

  /**
   * @return {@code 2 · texts.size()} samples for the graph input {@code input}: line i upright at 2i, turned
   *     at 2i + 1, with labels 0 and 1
   */
  static Dataset render(String name, String input, List<String> texts, List<String> fonts, long seed) {
    Random r = new Random(seed);
    int n = texts.size();
    int image = 3 * HEIGHT * WIDTH;
    float[] pixels = new float[2 * n * image];
    long[] labels = new long[2 * n];
    for (int i = 0; i < n; i++) {
      BufferedImage upright = draw(texts.get(i), fonts, r);
      normalize(upright, pixels, 2 * i * image);
      normalize(rotate180(upright), pixels, (2 * i + 1) * image);
      labels[2 * i + 1] = 1;
    }
    return new Dataset(name, Map.of(input, Tensor.ofFloats(new long[] {2 * n, 3, HEIGHT, WIDTH}, pixels)),
        Tensor.ofInt64s(new long[] {2 * n}, labels));
  }

  /** @return the line as a detector would crop it: the text with a small, uneven margin */
  private static BufferedImage draw(String text, List<String> fonts, Random r) {
    int style = switch (r.nextInt(6)) {
      case 0 -> Font.BOLD;
      case 1 -> Font.ITALIC;
      default -> Font.PLAIN;
    };
    Font font = new Font(fonts.get(r.nextInt(fonts.size())), style, 18 + r.nextInt(23));
    Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    FontMetrics fm = probe.getFontMetrics(font);
    probe.dispose();
    int size = font.getSize();
    int padX = 2 + r.nextInt(size / 2);
    int padTop = 1 + r.nextInt(size / 5 + 1);
    int height = fm.getAscent() + fm.getDescent() + padTop + 1 + r.nextInt(size / 5 + 1);
    BufferedImage img = new BufferedImage(fm.stringWidth(text) + 2 * padX, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    int paper = 205 + r.nextInt(51);
    g.setColor(new Color(paper - r.nextInt(20), paper - r.nextInt(20), paper - r.nextInt(20)));
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    int ink = r.nextInt(80);
    g.setColor(new Color(ink, ink, ink + r.nextInt(80)));   // black to dark blue
    g.setFont(font);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.drawString(text, padX, padTop + fm.getAscent());
    g.dispose();
    addNoise(img, 2 + 6 * r.nextDouble(), r);
    return img;
  }

  private static void addNoise(BufferedImage img, double sigma, Random r) {
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
          int v = (int) Math.round(((rgb >> shift) & 0xff) + sigma * r.nextGaussian());
          out |= Math.max(0, Math.min(255, v)) << shift;
        }
        img.setRGB(x, y, out);
      }
    }
  }

  private static BufferedImage rotate180(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out.setRGB(w - 1 - x, h - 1 - y, img.getRGB(x, y));
      }
    }
    return out;
  }

  /** Writes PaddleOCR's classifier input for {@code img} into {@code out} at {@code offset}. */
  private static void normalize(BufferedImage img, float[] out, int offset) {
    int width = (int) Math.min(WIDTH, Math.ceil(HEIGHT * (double) img.getWidth() / img.getHeight()));
    BufferedImage resized = new BufferedImage(width, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = resized.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, width, HEIGHT, null);
    g.dispose();
    int plane = HEIGHT * WIDTH;
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = resized.getRGB(x, y);
        int at = offset + y * WIDTH + x;
        out[at] = (rgb & 0xff) / 127.5f - 1;                    // B: (v / 255 - 0.5) / 0.5
        out[at + plane] = ((rgb >> 8) & 0xff) / 127.5f - 1;     // G
        out[at + 2 * plane] = ((rgb >> 16) & 0xff) / 127.5f - 1; // R
      }
    }
  }
}
