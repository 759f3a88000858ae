package io.compactor.core.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code compactor} command line. {@code System.exit} is called here and nowhere else. */
@Command(name = "compactor", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "Compresses ONNX models by combining filter pruning or 2:4 sparsity with INT8 per operator.",
    subcommands = {DemoCommand.class, InspectCommand.class, PlanCommand.class, CompressCommand.class, RunCommand.class,
        SubmitCommand.class, EventsCommand.class, BundlesCommand.class, TuneCommand.class, HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:finished", "1:job failed or internal error", "2:invalid arguments, model or configuration"})
public final class CompactorCli {
  /** Runs the command line and exits with its code. */
  public static void main(String... args) {
    System.exit(commandLine().execute(args));
  }

  /** @return the configured command line, for {@link #main} and in-process tests */
  public static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /**
   * @param factory creates the subcommands; the seam through which a host hands commands their
   *     services (e.g. {@code PlanCommand}'s {@code MethodCatalog})
   * @return the configured command line
   */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    return new CommandLine(new CompactorCli(), factory).setExecutionExceptionHandler(new UserErrorHandler());
  }
}
