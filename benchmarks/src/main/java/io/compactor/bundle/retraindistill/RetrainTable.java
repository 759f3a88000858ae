package io.compactor.bundle.retraindistill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Markdown the retraining benchmarks print: one row per chain run, top-1 with counts, time and memory. As a
 * main, the same table from the directories of finished runs (when a benchmark was stopped before its last row):
 *
 * <pre>
 * RetrainTable EVAL_DIR NAME=DIR ...   the first without retraining: the others' deploy models are compared with it
 * </pre>
 */
public final class RetrainTable {
  private RetrainTable() {}

  public static void main(String[] args) throws IOException {
    List<ChainRun> rows = new ArrayList<>();
    for (String a : Arrays.copyOfRange(args, 1, args.length)) {
      int eq = a.lastIndexOf('=');
      rows.add(ChainRun.read(a.substring(0, eq), Path.of(a.substring(eq + 1))));
    }
    List<String> changes = new ArrayList<>();
    for (ChainRun r : rows.subList(1, rows.size())) {
      changes.add(r.name() + ": " + DeployChange.between(rows.get(0).output().resolve("model.deploy.onnx"),
          r.output().resolve("model.deploy.onnx")));
    }
    print(rows, Path.of(args[0]), changes);
  }

  /**
   * @param eval the eval directory, for the deploy models' top-1 in exact integer math ({@link ExactTop1})
   * @param changes one line per retrained row: what retraining changed in the deploy model
   */
  static void print(List<ChainRun> rows, Path eval, List<String> changes) {
    int[] exact = ExactTop1.of(rows, eval);
    ChainRun first = rows.get(0);
    double fp32 = first.top1Original();
    long fp32Count = Math.round(fp32 * first.samples());
    System.out.printf(Locale.ROOT, "FP32: %.1f %% (%d of %d)%n%n", 100 * fp32, fp32Count, first.samples());
    System.out.println("| configuration | top-1 (count) | Δ vs FP32 (images) | exact integer math: count (Δ) "
        + "| mean / worst cosine | retraining | held-out fidelity before → after | command wall / CPU | peak RSS "
        + "| peak heap |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    for (int i = 0; i < rows.size(); i++) {
      ChainRun r = rows.get(i);
      String retraining = r.retrainingText();
      String fidelity = r.retraining().isEmpty() ? "—" : String.format(Locale.ROOT, "%.4f → %.4f",
          r.retraining("before"), r.retraining("after"));
      System.out.printf(Locale.ROOT, "| %s | %.1f %% (%d) | %+.1f (%+d) | %d (%+d) | %.4f / %.4f | %s | %s "
          + "| %.0f s / %.0f s | %.0f MB | %.0f MB |%n", r.name(), 100 * r.top1(), r.correct(),
          100 * (r.top1() - fp32), r.correct() - fp32Count, exact[i], exact[i] - fp32Count, r.meanCosine(), r.worstCosine(), retraining, fidelity, r.wallSeconds(),
          r.cpuSeconds(), r.peakRssMb(), r.peakHeapMb());
    }
    System.out.println();
    changes.forEach(c -> System.out.println("- " + c));
    System.out.println();
  }

  /** @return the machine's load averages (1, 5, 15 minutes), to read the times by */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
