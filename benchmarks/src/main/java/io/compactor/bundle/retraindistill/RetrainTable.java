package io.compactor.bundle.retraindistill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The Markdown the retraining benchmarks print: one row per chain run, top-1 with counts, time and memory. */
final class RetrainTable {
  private RetrainTable() {}

  /** @param changes one line per retrained row: what retraining changed in the deploy model */
  static void print(List<ChainRun> rows, List<String> changes) {
    ChainRun first = rows.get(0);
    double fp32 = first.top1Original();
    long fp32Count = Math.round(fp32 * first.samples());
    System.out.printf(Locale.ROOT, "FP32: %.1f %% (%d of %d)%n%n", 100 * fp32, fp32Count, first.samples());
    System.out.println("| configuration | top-1 (count) | Δ vs FP32 (images) | mean / worst cosine | retraining "
        + "| held-out fidelity before → after | command wall / CPU | peak RSS | peak heap |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (ChainRun r : rows) {
      String retraining = r.retraining().isEmpty() ? "—" : String.format(Locale.ROOT, "%.0f epochs, %.1f s",
          r.retraining("epochs"), r.retraining("seconds"));
      String fidelity = r.retraining().isEmpty() ? "—" : String.format(Locale.ROOT, "%.4f → %.4f",
          r.retraining("before"), r.retraining("after"));
      System.out.printf(Locale.ROOT, "| %s | %.1f %% (%d) | %+.1f (%+d) | %.4f / %.4f | %s | %s | %.0f s / %.0f s "
          + "| %.0f MB | %.0f MB |%n", r.name(), 100 * r.top1(), r.correct(), 100 * (r.top1() - fp32),
          r.correct() - fp32Count, r.meanCosine(), r.worstCosine(), retraining, fidelity, r.wallSeconds(),
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
