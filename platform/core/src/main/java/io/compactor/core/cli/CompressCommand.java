package io.compactor.core.cli;

import io.compactor.core.artifact.ArtifactStores;
import io.compactor.core.artifact.S3Settings;
import io.compactor.core.artifact.StagedExecutor;
import io.compactor.core.chain.ChainExecutor;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.job.Cancellation;
import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import io.compactor.core.job.JobRequest;
import io.compactor.core.logging.JobLog;
import io.compactor.core.logging.Logging;
import io.compactor.core.metrics.StepMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One job in this process, on the bundles of a directory, without Kafka; the same chain as {@code run}. */
@Command(name = "compress", mixinStandardHelpOptions = true,
    description = "Compresses one model in-process with the installed bundles (no Kafka) and writes "
        + "model.deploy.onnx, model.fakequant.onnx and report.json to --output.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:completed", "1:a step failed, or internal error",
        "2:invalid arguments, model, data or configuration"})
final class CompressCommand implements Callable<Integer> {
  /** Failure stages that mean the user's input is wrong. */
  private static final Set<String> INPUT_STAGES = Set.of("request", "model", "config", "plan");

  @Spec CommandSpec spec;

  @Mixin JobOptions job;

  @Mixin BundlesOption bundles;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "Samples per ONNX Runtime run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Option(names = "--s3-path-style", description = "Address S3 buckets path-style (MinIO and other S3-compatible "
      + "stores); default: $COMPACTOR_S3_PATH_STYLE or false.")
  boolean s3PathStyle;

  @Override
  public Integer call() {
    Path dir = bundles.require(spec);
    PrintWriter out = spec.commandLine().getOut();
    JobRequest request = job.request("compress-" + ProcessHandle.current().pid());
    JobEvent end;
    // the progress bar and the result table are the output; the job id names every log line left
    try (Logging.Quiet quiet = Logging.quiet(); var job = JobLog.scope(request.jobId());
        OsgiHost host = OsgiHost.start(HostSettings.of(dir)).stopOnShutdown()) {
      host.awaitSettled(Duration.ofSeconds(30));
      ChainSettings defaults = ChainSettings.defaults();
      ChainExecutor chain = new ChainExecutor(host.registry(),
          new ChainSettings(batchSize, defaults.providerPatience(), defaults.workRoot()),
          new StepMetrics(new SimpleMeterRegistry()));
      ProgressBar progress = ProgressBar.forConsole(out);
      boolean pathStyle = s3PathStyle || Boolean.parseBoolean(System.getenv("COMPACTOR_S3_PATH_STYLE"));
      try (ArtifactStores stores = ArtifactStores.of(new S3Settings(pathStyle))) {
        end = new StagedExecutor(chain, defaults.workRoot(), stores).execute(request, progress, new Cancellation());
      }
      progress.publish(end);
    }
    if (end.type() == EventType.COMPLETED) {
      ResultTable.print(end, out);
      return 0;
    }
    return INPUT_STAGES.contains(String.valueOf(end.data().get("stage"))) ? UserErrorHandler.USER_ERROR : UserErrorHandler.FAILED;
  }
}
