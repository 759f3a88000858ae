package io.compactor.bundle.retraindistill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 * @param wallSeconds the whole command
 * @param cpuSeconds user + system CPU time of the whole command
 * @param peakRssMb the process's peak resident set (heap, JVM, ONNX Runtime and libtorch natives)
 * @param peakHeapMb the most heap in use, read before each collection and at exit
 * @param output the job's output directory
 */
record ChainRun(String name, double top1Original, double top1, int samples, double meanCosine, double worstCosine,
    String retraining, double wallSeconds, double cpuSeconds, double peakRssMb, double peakHeapMb,
    Path output) {

  /** @return the number of eval samples the deploy model got right */
  int correct() {
    return (int) Math.round(top1 * samples);
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
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:gc,gc+heap+exit:file=" + gc, "-jar", cli.toString(), "compress", "--config", cfg.toString(),
        "--output", output.toString()));
    command.addAll(arguments);
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("console.txt").toFile()).start();
    int exit = p.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(name + ": compactor compress exited " + exit + ", see "
          + dir.resolve("console.txt"));
    }
    String[] t = Files.readString(times).trim().split("\\s+");
    String report = Files.readString(output.resolve("report.json"));
    String quality = object(report, "quality").orElseThrow(() -> new IllegalStateException(
        name + ": report.json has no quality"));
    return new ChainRun(name, number(report, "top1Original").orElse(Double.NaN),
        number(report, "top1Compressed").orElse(Double.NaN),
        number(quality, "samples").orElse(0.0).intValue(), number(report, "meanCosine").orElse(Double.NaN),
        number(report, "worstCosine").orElse(Double.NaN), object(report, "retraining").orElse(""),
        Double.parseDouble(t[0]), Double.parseDouble(t[1]) + Double.parseDouble(t[2]),
        Double.parseDouble(t[3]) / 1024, peakHeapMb(gc), output);
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

  /** @return the text of the JSON object at {@code "key":}, braces balanced (no braces inside its strings) */
  private static Optional<String> object(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\{").matcher(json);
    if (!m.find()) {
      return Optional.empty();
    }
    int depth = 0;
    for (int i = m.end() - 1; i < json.length(); i++) {
      char c = json.charAt(i);
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth == 0) {
        return Optional.of(json.substring(m.end() - 1, i + 1));
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
