package io.compactor.core.cli;

import io.compactor.core.chain.JobProviders;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.logging.Logging;
import io.compactor.core.plan.MethodCatalog;
import io.compactor.core.plan.Plan;
import io.compactor.core.plan.PlanJson;
import io.compactor.core.plan.Planner;
import io.compactor.onnx.graph.OnnxModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Dry run: resolves a configuration against a model and prints the combination every compressible
 * operator gets, with the provider of each capability and the reason for every part left out. Exit 2
 * with every configuration problem listed when the configuration is wrong.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
    description = {"Resolves an AMCT-style configuration (.cfg or .json) against an ONNX model and prints, per "
        + "Conv/ConvTranspose/Gemm/MatMul, the sparsity and quantization it gets, or why not. Nothing is run."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:planned", "1:internal error", "2:invalid arguments, model or configuration"})
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--config", required = true, paramLabel = "C.cfg|C.json",
      description = "The configuration: AMCT protobuf text format (.cfg) or JSON with the same fields.")
  Path config;

  @Option(names = "--json", description = "Print the plan as JSON instead of a table.")
  boolean json;

  @Mixin BundlesOption bundles;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  private final MethodCatalog catalog;

  /** With the providers of the {@code --bundles} directory, when it exists. */
  PlanCommand() {
    this.catalog = null;
  }

  /** @param catalog where the chosen provider of each capability is found, instead of a host */
  PlanCommand(MethodCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  @Override
  public Integer call() {
    ConfigFile file = ConfigFile.read(config);
    OnnxModel onnx = OnnxModel.load(model);
    Plan plan;
    if (catalog != null) {
      plan = new Planner(catalog).plan(onnx, file);
    } else if (!bundles.exists()) {
      spec.commandLine().getErr().println("note: no bundle directory " + bundles.dir + "; showing combinations without "
          + "providers (build first, or pass --bundles DIR)");
      plan = new Planner(MethodCatalog.none()).plan(onnx, file);
    } else {
      try (Logging.Quiet quiet = Logging.quiet();
          OsgiHost host = OsgiHost.start(HostSettings.of(bundles.dir)).stopOnShutdown();
          JobProviders providers = new JobProviders(host.registry(), Duration.ZERO)) {
        host.awaitSettled(Duration.ofSeconds(30));
        plan = new Planner(providers).plan(onnx, file);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? PlanJson.write(plan) + System.lineSeparator() : PlanTable.render(plan));
    out.flush();
    return 0;
  }
}
