package io.compactor.bundle.retraindistill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code compactor compress} in its own JVM, as a user runs it (the CLI jar, the bundle jars in
 * {@code bundles/}), under {@code /usr/bin/time} for wall time, CPU time and peak RSS, with a GC log for the
 * peak heap; then the figures of its {@code report.json}.
 *
 * @param name the row's label
 * @param top1Original top-1 of the original model on the eval data, a fraction
 * @param top1 top-1 of the deploy model, a fraction
 * @param samples eval samples
 * @param meanCosine mean cosine of the deploy model's outputs to the original's
 * @param worstCosine the worst sample's
 * @param retraining the report's {@code retraining} object as text, empty without retraining
 * @param retrainSummary the retraining step's summary as text (samples, best epoch, why it stopped), or empty
 * @param wallSeconds the whole command
 * @param cpuSeconds user + system CPU time of the whole command
 * @param peakRssMb the process's peak resident set (heap, JVM, ONNX Runtime and libtorch natives)
 * @param peakHeapMb the most heap in use, read before each collection and at exit
 * @param output the job's output directory
 */
record ChainRun(String name, double top1Original, double top1, int samples, double meanCosine, double worstCosine,
    String retraining, String retrainSummary, double wallSeconds, double cpuSeconds, double peakRssMb, double peakHeapMb,
    Path output) {
  /** System property: options for each chain JVM, separated by spaces. */
  static final String JVM_OPTIONS = "chain.jvmOptions";

  /** @return the number of eval samples the deploy model got right */
  int correct() {
    return (int) Math.round(top1 * samples);
  }

  /** @return e.g. {@code 4 epochs (best 3, early_stopping) on 5069 samples, 41.2 s}, or "—" */
  String retrainingText() {
    if (retraining.isEmpty()) {
      return "—";
    }
    Matcher stop = Pattern.compile("\"stopped_by\"\\s*:\\s*\"(\\w+)\"").matcher(retrainSummary);
    return String.format(Locale.ROOT, "%.0f epochs (best %.0f, %s) on %.0f samples, %.1f s", retraining("epochs"),
        number(retrainSummary, "best_epoch").orElse(Double.NaN), stop.find() ? stop.group(1) : "?",
        number(retrainSummary, "training_samples").orElse(Double.NaN), retraining("seconds"));
  }

  /** @return a number of the report's {@code retraining} object, NaN when absent */
  double retraining(String key) {
    return number(retraining, key).orElse(Double.NaN);
  }

  /**
   * @param cli the CLI jar ({@code platform/core/target/compactor.jar})
   * @param dir where the config, the logs and the job's outputs go (created)
   * @param config the configuration text
   * @param arguments {@code --model}, {@code --calibration}, {@code --eval}, {@code --train} ...
   */
  static ChainRun run(String name, Path cli, Path dir, String config, List<String> arguments)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path cfg = dir.resolve("job.cfg");
    Files.writeString(cfg, config);
    Path times = dir.resolve("time.txt");
    Path gc = dir.resolve("gc.log");
    Path output = dir.resolve("out");
    List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "%e %U %S %M", "-o", times.toString(),
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    // JVM options of the chain's JVM, e.g. -Dai.djl.pytorch.num_threads=1 on a loaded machine
    String options = System.getProperty(JVM_OPTIONS, "").trim();
    if (!options.isEmpty()) {
      command.addAll(List.of(options.split("\\s+")));
    }
    command.addAll(List.of("-Xlog:gc,gc+heap+exit:file=" + gc, "-jar", cli.toString(), "compress", "--config",
        cfg.toString(), "--output", output.toString()));
    command.addAll(arguments);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("console.txt").toFile()).start();
    int exit = p.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(name + ": compactor compress exited " + exit + ", see "
          + dir.resolve("console.txt"));
    }
    return read(name, dir);
  }

  /**
   * @param dir the directory of a finished {@link #run}: {@code time.txt}, {@code gc.log}, {@code out/report.json}
   * @return its figures
   */
  static ChainRun read(String name, Path dir) throws IOException {
    Path output = dir.resolve("out");
    String[] t = Files.readString(dir.resolve("time.txt")).trim().split("\\s+");
    String report = Files.readString(output.resolve("report.json"));
    String quality = object(report, "quality", "\"samples\"").orElseThrow(() -> new IllegalStateException(
        name + ": report.json has no quality"));
    return new ChainRun(name, number(report, "top1Original").orElse(Double.NaN),
        number(report, "top1Compressed").orElse(Double.NaN),
        number(quality, "samples").orElse(0.0).intValue(), number(report, "meanCosine").orElse(Double.NaN),
        number(report, "worstCosine").orElse(Double.NaN), object(report, "retraining", "\"applied\"").orElse(""),
        object(report, "summary", "\"stopped_by\"").orElse(""),
        Double.parseDouble(t[0]), Double.parseDouble(t[1]) + Double.parseDouble(t[2]),
        Double.parseDouble(t[3]) / 1024, peakHeapMb(dir.resolve("gc.log")), output);
  }

  /**
   * Runs chain commands, {@code jobs} at a time (on a loaded machine several at once finish sooner; CPU time and
   * peak memory are per process either way).
   *
   * @return the runs in the order of {@code tasks}
   */
  static List<ChainRun> runAll(List<Callable<ChainRun>> tasks, int jobs) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    try {
      List<ChainRun> runs = new ArrayList<>();
      for (Future<ChainRun> f : pool.invokeAll(tasks)) {
        runs.add(f.get());
      }
      return runs;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  /** The largest "used" figure of the GC log: heap in use before each collection, and at exit. */
  private static double peakHeapMb(Path gc) throws IOException {
    double peak = 0;
    Matcher before = Pattern.compile("(\\d+)M->\\d+M\\(\\d+M\\)").matcher(Files.readString(gc));
    while (before.find()) {
      peak = Math.max(peak, Double.parseDouble(before.group(1)));
    }
    Matcher exit = Pattern.compile("used (\\d+)K").matcher(Files.readString(gc));
    while (exit.find()) {
      peak = Math.max(peak, Double.parseDouble(exit.group(1)) / 1024);
    }
    return peak;
  }

  /** @return the first number after {@code "key":} in a JSON text (enough for the report's flat figures) */
  private static Optional<Double> number(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?[0-9.eE+-]+)").matcher(json);
    return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
  }

  /**
   * @return the text of the first JSON object at {@code "key":} that contains {@code marker} (the plan holds
   *     objects of the same names as the report's own), braces balanced (no braces inside its strings)
   */
  private static Optional<String> object(String json, String key, String marker) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\{").matcher(json);
    while (m.find()) {
      int depth = 0;
      for (int i = m.end() - 1; i < json.length(); i++) {
        char c = json.charAt(i);
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        if (depth == 0) {
          String object = json.substring(m.end() - 1, i + 1);
          if (object.contains(marker)) {
            return Optional.of(object);
          }
          break;
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s: top-1 %.1f %% (%d of %d), retraining %s", name, 100 * top1, correct(),
        samples, retraining);
  }
}
