package io.compactor.core.host;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
/**
 * A benchmark of the host, not a test: start time, jar copy to capability visible and delete to gone (median
 * of 10), and process RSS after 1 and after 20 install/remove cycles of the real INT8 bundle jar. It lives in
 * the test sources because it drives the host through the test helpers ({@code Watched}, {@code Await},
 * {@code BuiltIns}). Run it as docs/benchmarks.md says ("The platform itself"); the results go to stdout.
 *
 * <pre>
 * HostMeasurements [BUNDLES_DIR]      the directory holding bundle-quant-int8.jar; default bundles
 * </pre>
 */
final class HostMeasurements {
  private static final int LATENCY_RUNS = 10;
  private static final int CYCLES = 20;

  private HostMeasurements() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("compactor.it.bundles", args.length > 0 ? args[0] : "bundles");
    Path dir = Files.createTempDirectory("host-measurements");
    StringBuilder report = new StringBuilder();
    List<Long> starts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      try (OsgiHost host = OsgiHost.start(HostSettings.of(dir))) {
        starts.add(host.startTime().toMillis());
      }
    }
    report.append(String.format("host start (framework + 6 infrastructure bundles): first in JVM %d ms, "
        + "then median %d ms of 5 %s%n", starts.get(0), median(starts.subList(1, 6)), starts.subList(1, 6)));

    try (OsgiHost host = OsgiHost.start(HostSettings.of(dir))) {
      Watched watched = new Watched(host.watchedDirectory());
      Path jar = BuiltIns.jar(BuiltIns.QUANT_INT8);
      List<Long> visible = new ArrayList<>();
      List<Long> gone = new ArrayList<>();
      long rssFirst = 0;
      long heapFirst = 0;
      long classesFirst = 0;
      for (int cycle = 1; cycle <= CYCLES; cycle++) {
        long t0 = System.nanoTime();
        watched.drop(jar, BuiltIns.QUANT_INT8);
        Await.until("quant.int8", () -> host.registry().chosen("quant.int8"), Optional::isPresent);
        long t1 = System.nanoTime();
        try (ProviderLease lease = host.registry().lease("quant.int8")) {
          lease.method().opTypes();
        }
        long t2 = System.nanoTime();
        watched.delete(BuiltIns.QUANT_INT8);
        Await.until("no provider", () -> host.registry().providers(), List::isEmpty);
        long t3 = System.nanoTime();
        Await.until("uninstalled", host::listing, l -> l.bundles().isEmpty());
        if (cycle <= LATENCY_RUNS) {
          visible.add((t1 - t0) / 1_000_000);
          gone.add((t3 - t2) / 1_000_000);
        }
        if (cycle == 1) {
          System.gc();
          rssFirst = rssKb();
          heapFirst = heapKb();
          classesFirst = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        }
      }
      System.gc();
      long rssLast = rssKb();
      var classes = ManagementFactory.getClassLoadingMXBean();
      report.append(String.format("jar copy -> capability visible (poll %d ms): median %d ms of %d %s%n",
          HostSettings.DEFAULT_POLL.toMillis(), median(visible), visible.size(), visible));
      report.append(String.format("jar delete -> capability gone: median %d ms of %d %s%n", median(gone),
          gone.size(), gone));
      report.append(String.format("RSS after cycle 1: %d MB; after cycle %d: %d MB (%+d MB); heap used after GC %d MB"
          + " -> %d MB; loaded classes %d -> %d (%d unloaded in total)%n", rssFirst / 1024, CYCLES, rssLast / 1024,
          (rssLast - rssFirst) / 1024, heapFirst / 1024, heapKb() / 1024, classesFirst, classes.getLoadedClassCount(),
          classes.getUnloadedClassCount()));
    }
    System.out.print(report);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static long rssKb() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
        .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
  }

  private static long heapKb() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
  }
}
