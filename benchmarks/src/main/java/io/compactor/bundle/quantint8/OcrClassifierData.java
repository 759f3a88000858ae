package io.compactor.bundle.quantint8;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.text.SentenceData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rendered text lines for PP-OCR's direction classifier as {@code compactor compress} reads them:
 * {@code <input>.npy} and {@code labels.npy} (0 upright, 1 turned by 180°) per directory. Calibration and
 * training lines come from the even sentences of the sample text, evaluation lines from the odd ones, as in
 * {@link OcrClassifierBenchmark}; each directory has its own seed, so no line image is in two of them.
 *
 * <pre>
 * OcrClassifierData MODEL.onnx DIR CALIBRATION_LINES TRAINING_LINES EVALUATION_LINES
 * </pre>
 */
public final class OcrClassifierData {
  private OcrClassifierData() {}

  public static void main(String[] args) {
    if (args.length < 5) {
      System.err.println("usage: OcrClassifierData MODEL.onnx DIR CALIBRATION_LINES TRAINING_LINES EVALUATION_LINES");
      System.exit(2);
    }
    String input = OnnxModel.load(Path.of(args[0])).graph().runtimeInputs().get(0).name();
    write(input, Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
  }

  /**
   * @param input the classifier's graph input name
   * @param dir where {@code calibration/}, {@code train/} and {@code eval/} go
   * @param calibrationLines lines of the calibration directory (two images each)
   * @param trainLines lines of the training directory
   * @param evaluationLines lines of the eval directory
   */
  public static void write(String input, Path dir, int calibrationLines, int trainLines, int evaluationLines) {
    System.setProperty("java.awt.headless", "true");
    List<String> sentences = SentenceData.englishSamples();
    List<String> even = new ArrayList<>();
    List<String> odd = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      (i % 2 == 0 ? even : odd).add(sentences.get(i));
    }
    List<String> fonts = TextLineImages.fonts();
    write(TextLineImages.render("calibration lines", input, LineTexts.sample(even, calibrationLines, 1), fonts, 1),
        input, dir.resolve("calibration"));
    write(TextLineImages.render("training lines", input, LineTexts.sample(even, trainLines, 3), fonts, 3),
        input, dir.resolve("train"));
    write(TextLineImages.render("evaluation lines", input, LineTexts.sample(odd, evaluationLines, 2), fonts, 2),
        input, dir.resolve("eval"));
  }

  private static void write(Dataset data, String input, Path dir) {
    Npy.write(dir.resolve(input + ".npy"), data.batch(0, data.size()).get(input));
    Npy.write(dir.resolve(Dataset.LABELS), data.labels().orElseThrow());
  }
}
