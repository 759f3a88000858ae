package io.compactor.bundle.retraindistill;

import io.compactor.benchmarks.Machine;
import io.compactor.bundle.quantint8.OcrClassifierData;
import io.compactor.onnx.graph.OnnxModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * INT8 of PaddleOCR's text-direction classifier through the real chain ({@code compactor compress}, one JVM per
 * row), side by side in one run: without retraining, retrained on the calibration lines, and retrained on more
 * rendered lines (labelled upright / turned, so cross-entropy joins the distillation). Accuracy on evaluation
 * lines rendered from other sentences than calibration and training, with counts, time and memory. Printed as
 * Markdown for {@code docs/benchmarks.md}; {@code benchmarks/retrain-ocr-classifier.sh} fetches the model.
 *
 * <pre>
 * RetrainOcrBenchmark MODEL.onnx WORK_DIR [CALIBRATION_LINES [TRAINING_LINES [EVALUATION_LINES [JOBS]]]]
 *     defaults 128 512 512, one row at a time
 * </pre>
 */
public final class RetrainOcrBenchmark {
  private static final Path CLI = Path.of("platform/core/target/compactor.jar");
  private static final String INT8 = """
      batch_num: 8
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      """;
  private static final String RETRAIN = "compactor_retrain { epochs: 6 learning_rate: 0.0001 batch_size: 32 "
      + "max_minutes: 10 seed: 1 held_out_fraction: 0.1 train: ALL on_unsupported: FAIL }\n";

  private RetrainOcrBenchmark() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: RetrainOcrBenchmark MODEL.onnx WORK_DIR [CALIBRATION_LINES [TRAINING_LINES "
          + "[EVALUATION_LINES [JOBS]]]]");
      System.exit(2);
    }
    Path model = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int calibrationLines = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    int trainingLines = args.length > 3 ? Integer.parseInt(args[3]) : 512;
    int evaluationLines = args.length > 4 ? Integer.parseInt(args[4]) : 512;
    int jobs = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    if (!Files.isRegularFile(CLI) || !Files.isRegularFile(model)) {
      System.err.println("need " + CLI + " (run from the repository root after mvn -B -q package -pl "
          + "platform/core,benchmarks -am -DskipTests) and the model " + model
          + " (benchmarks/retrain-ocr-classifier.sh fetches it)");
      System.exit(2);
    }
    String input = OnnxModel.load(model).graph().runtimeInputs().get(0).name();
    OcrClassifierData.write(input, work, calibrationLines, trainingLines, evaluationLines);
    Path calibration = work.resolve("calibration");
    List<String> common = List.of("--model", model.toString(), "--calibration", calibration.toString(), "--eval",
        work.resolve("eval").toString());

    System.out.println(Machine.describe() + "; load average at start " + RetrainTable.load());
    System.out.printf(Locale.ROOT, "Lines (each upright and turned by 180°): %d calibration, %d training, %d "
        + "evaluation%n%n", calibrationLines, trainingLines, evaluationLines);
    List<ChainRun> runs = ChainRun.runAll(List.of(
        () -> run("INT8", work.resolve("int8-none"), INT8, common, null),
        () -> run("INT8, retrained on the calibration lines", work.resolve("int8-calibration"), INT8 + RETRAIN,
            common, calibration),
        () -> run("INT8, retrained on the training lines", work.resolve("int8-train"), INT8 + RETRAIN, common,
            work.resolve("train"))), jobs);
    ChainRun plain = runs.get(0);
    ChainRun onCalibration = runs.get(1);
    ChainRun onTraining = runs.get(2);
    List<String> changes = new ArrayList<>();
    for (ChainRun r : List.of(onCalibration, onTraining)) {
      changes.add(r.name() + ": " + DeployChange.between(plain.output().resolve("model.deploy.onnx"),
          r.output().resolve("model.deploy.onnx")));
    }
    RetrainTable.print(List.of(plain, onCalibration, onTraining), work.resolve("eval"), changes);
    System.out.println("Load average at the end " + RetrainTable.load());
  }

  private static ChainRun run(String name, Path dir, String config, List<String> common, Path train)
      throws IOException, InterruptedException {
    List<String> arguments = new ArrayList<>(common);
    if (train != null) {
      arguments.addAll(List.of("--train", train.toString()));
    }
    ChainRun r = ChainRun.run(name, CLI, dir, config, arguments);
    System.err.println(r);
    return r;
  }
}
