package io.compactor.bundle.retraindistill;

import io.compactor.benchmarks.Machine;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Whole-model retraining of digits-cnn through the real chain ({@code compactor compress}, one JVM per row, as a
 * user runs it), side by side in one run: filter pruning 50 % of every group + INT8 and 2:4 + INT8, each without
 * retraining, retrained on the 512 calibration images, and retrained on those plus augmented copies
 * ({@link ImageAugmentation#DIGITS}, written as a {@code --train} directory). Top-1 on the 1,000 eval images
 * (never used for calibration or training) with counts, retraining time, whole-command CPU time, peak RSS and
 * heap, and what retraining changed in the deploy model. Printed as Markdown for {@code docs/benchmarks.md}.
 * Run from the repository root after {@code mvn -B -q package -pl platform/core,benchmarks -am -DskipTests};
 * {@code -Dchain.jvmOptions="..."} passes options to each chain JVM.
 *
 * <pre>
 * RetrainCnnBenchmark DIGITS_CNN_DIR WORK_DIR [COPIES [JOBS]]   10 augmented copies per image, 1 row at a time
 * </pre>
 */
public final class RetrainCnnBenchmark {
  private static final Path CLI = Path.of("platform/core/target/compactor.jar");
  private static final String FILTER50 = """
      batch_num: 16
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0.5 ascend_optimized: true } } }
      """;
  private static final String TWO_OF_FOUR = """
      batch_num: 16
      retrain_data_quant_config { ulq_quantize { dst_type: INT8 } }
      retrain_weight_quant_config { arq_retrain { dst_type: INT8 } }
      prune_config { n_out_of_m_pruner { l1_selective_prune { n_out_of_m_type: M4N2 update_freq: 0 } } }
      """;
  /** The retraining of the calibration-only rows: the best of the earlier runs on 461 training images. */
  private static final String ON_CALIBRATION = "epochs: 12 learning_rate: 0.001 batch_size: 32";
  /** The retraining of the augmented rows. */
  private static final String ON_AUGMENTED = "epochs: 4 learning_rate: 0.0005 batch_size: 64";
  private static final String ON_AUGMENTED_LONGER = "epochs: 8 learning_rate: 0.001 batch_size: 64";
  /** examples/digits-cnn/filter50-int8-retrain.cfg: the whole schedule, no held-out passes, the last epoch kept. */
  private static final String WITHIN_A_MINUTE = "epochs: 10 learning_rate: 0.002 batch_size: 128 held_out_fraction: 0";

  private RetrainCnnBenchmark() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 2) {
      System.err.println("usage: RetrainCnnBenchmark DIGITS_CNN_DIR WORK_DIR [COPIES [JOBS]]");
      System.exit(2);
    }
    Path models = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int copies = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int jobs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    if (!Files.isRegularFile(CLI)) {
      System.err.println(CLI + " is missing; run from the repository root after "
          + "mvn -B -q package -pl platform/core,benchmarks -am -DskipTests");
      System.exit(2);
    }
    Path calibration = models.resolve("calibration");
    Path augmented = work.resolve("train-augmented");
    Tensor images = Npy.read(calibration.resolve("image.npy"));
    Npy.write(augmented.resolve("image.npy"), ImageAugmentation.DIGITS.expand(images, copies, 1));
    List<String> common = List.of("--model", models.resolve("digits-cnn.onnx").toString(), "--calibration",
        calibration.toString(), "--eval", models.resolve("eval").toString());

    System.out.println(Machine.describe() + "; load average at start " + RetrainTable.load());
    System.out.printf(Locale.ROOT, "Training data: %d calibration images; augmented: %d (the originals and %d "
        + "copies of each)%n%n", images.dim(0), images.dim(0) * (1 + copies), copies);
    List<Row> plan = List.of(
        new Row("filter 50 % + INT8", FILTER50, "", null),
        new Row("filter 50 % + INT8, retrained on the calibration images", FILTER50, ON_CALIBRATION, calibration),
        new Row("filter 50 % + INT8, retrained on the augmented images", FILTER50, ON_AUGMENTED, augmented),
        new Row("filter 50 % + INT8, retrained on the augmented images, 8 epochs at 1e-3", FILTER50,
            ON_AUGMENTED_LONGER, augmented),
        new Row("filter 50 % + INT8, retrained on the augmented images, 10 epochs at 2e-3, batch 128, no held-out",
            FILTER50, WITHIN_A_MINUTE, augmented),
        new Row("2:4 + INT8", TWO_OF_FOUR, "", null),
        new Row("2:4 + INT8, retrained on the calibration images", TWO_OF_FOUR, ON_CALIBRATION, calibration),
        new Row("2:4 + INT8, retrained on the augmented images", TWO_OF_FOUR, ON_AUGMENTED, augmented));
    List<Callable<ChainRun>> tasks = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      Row row = plan.get(i);
      Path dir = work.resolve("row-" + i);
      tasks.add(() -> run(row, dir, common));
    }
    List<ChainRun> rows = ChainRun.runAll(tasks, jobs);
    List<String> changes = new ArrayList<>();
    ChainRun base = null;
    for (int i = 0; i < rows.size(); i++) {
      if (plan.get(i).retrain().isEmpty()) {
        base = rows.get(i);
      } else {
        changes.add(rows.get(i).name() + ": " + DeployChange.between(base.output().resolve("model.deploy.onnx"),
            rows.get(i).output().resolve("model.deploy.onnx")));
      }
    }
    RetrainTable.print(rows, models.resolve("eval"), changes);
    System.out.println("Load average at the end " + RetrainTable.load());
  }

  /** One row: a compression, and the retraining fields (empty: none) with its training directory. */
  private record Row(String name, String compression, String retrain, Path train) {}

  private static ChainRun run(Row row, Path dir, List<String> common) throws IOException, InterruptedException {
    List<String> arguments = new ArrayList<>(common);
    String config = row.compression();
    if (!row.retrain().isEmpty()) {
      arguments.addAll(List.of("--train", row.train().toString()));
      String heldOut = row.retrain().contains("held_out_fraction") ? "" : " held_out_fraction: 0.1";
      config += "compactor_retrain { " + row.retrain() + " max_minutes: 30 seed: 1" + heldOut + " }\n";
    }
    ChainRun r = ChainRun.run(row.name(), CLI, dir, config, arguments);
    System.err.println(r);
    return r;
  }
}
