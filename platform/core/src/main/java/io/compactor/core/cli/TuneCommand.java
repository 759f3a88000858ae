package io.compactor.core.cli;

import io.compactor.core.chain.ChainExecutor;
import io.compactor.core.chain.ChainSettings;
import io.compactor.core.chain.JobProviders;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.job.Cancellation;
import io.compactor.core.logging.Logging;
import io.compactor.core.job.TuneParameters;
import io.compactor.core.metrics.StepMetrics;
import io.compactor.core.tune.TuneRequest;
import io.compactor.core.tune.TuneResult;
import io.compactor.core.tune.Tuner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Searches per-operator combinations under an accuracy budget, every combination verified through the chain. */
@Command(name = "tune", mixinStandardHelpOptions = true,
    description = {"Measures each operator's sensitivity to 2:4, filter pruning and INT8, searches the combination "
        + "that maximizes --objective within the budget, verifies it end to end with the installed bundles and "
        + "writes tuned.cfg, tuned.json, the verified model.deploy.onnx, model.fakequant.onnx and report.json, "
        + "tune-report.json, tune-report.md, sensitivity.svg and tradeoff.svg to --output."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:a candidate meets the budget; its files are written", "1:internal error",
        "2:invalid arguments, model, data or configuration (a budget without --eval, --max-drop without labels)",
        "3:no compressed candidate meets the budget; the closest is written and the report says by how much"})
final class TuneCommand implements Callable<Integer> {
  /** Exit code when nothing meets the budget. */
  static final int BUDGET_NOT_MET = 3;

  @Spec CommandSpec spec;

  @Mixin BundlesOption bundles;

  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--calibration", required = true, paramLabel = "DIR",
      description = "Calibration data: <input>.npy per model input.")
  Path calibration;

  @Option(names = "--eval", paramLabel = "DIR", description = "Eval data the budget is judged on: <input>.npy, "
      + "and labels.npy for top-1 (--max-drop). Required.")
  Path eval;

  @Option(names = "--config", paramLabel = "BASE.cfg|BASE.json", description = "Base configuration: its batch_num, "
      + "skip lists, settings (global, per type, per layer), overrides and compactor_retrain block are kept, the "
      + "search's choice written into each layer's settings (retraining runs in every verification).")
  Path config;

  @Option(names = "--train", paramLabel = "DIR", description = "Training data for compactor_retrain (default: the "
      + "calibration data).")
  Path train;

  @Mixin TuneOptions tune;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the results go.")
  Path output;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16",
      description = "Samples per ONNX Runtime run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() {
    TuneRequest request = request();
    Path dir = bundles.require(spec);
    PrintWriter out = spec.commandLine().getOut();
    TuneResult result;
    try (Logging.Quiet quiet = Logging.quiet();
        OsgiHost host = OsgiHost.start(HostSettings.of(dir)).stopOnShutdown();
        JobProviders catalog = new JobProviders(host.registry(), Duration.ZERO)) {
      host.awaitSettled(Duration.ofSeconds(30));
      ChainSettings defaults = ChainSettings.defaults();
      ChainExecutor chain = new ChainExecutor(host.registry(),
          new ChainSettings(batchSize, defaults.providerPatience(), defaults.workRoot()),
          new StepMetrics(new SimpleMeterRegistry()));
      Tuner tuner = new Tuner(chain, catalog, defaults.workRoot(), batchSize);
      result = tuner.tune(request, (phase, done, total, detail) -> {
        if (!phase.equals("sensitivity") || done == total) {
          out.printf(Locale.ROOT, "%-11s %s%n", phase, phase.equals("sensitivity")
              ? done + " candidates measured alone" : detail);
          out.flush();
        }
      }, new Cancellation());
    }
    out.println((result.met() ? "met: " : "NOT MET: ") + result.answer());
    out.printf(Locale.ROOT, "tuning took %.0f s; wrote %s (tune-report.md explains the choice)%n", result.seconds(),
        result.output());
    out.flush();
    return result.met() ? 0 : BUDGET_NOT_MET;
  }

  /** @return the request, every option checked; usage errors name the option */
  TuneRequest request() {
    TuneParameters p = tune.parameters();
    if (eval == null) {
      throw new ParameterException(spec.commandLine(), "--eval: required by " + TuneOptions.budgetOption(p)
          + "; the budget is judged on eval data: give a directory with <input>.npy per model input"
          + (p.maxDrop().isPresent() ? " and labels.npy" : ""));
    }
    try {
      return TuneRequest.of(p, model, calibration, eval, Optional.ofNullable(config), Optional.ofNullable(train),
          output);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
