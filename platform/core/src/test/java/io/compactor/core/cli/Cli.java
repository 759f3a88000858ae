package io.compactor.core.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code compactor} command line in-process for tests, capturing its output. */
public final class Cli {
  /** What one run printed and returned. */
  public record Run(int code, String out, String err) {}

  private Cli() {}

  /** @return the exit code and the output of {@code compactor <args>} */
  public static Run run(String... args) {
    return run(CompactorCli.commandLine(), args);
  }

  /** @return the exit code and the output of {@code compactor <args>}, with commands made by {@code factory} */
  static Run run(CommandLine.IFactory factory, String... args) {
    return run(CompactorCli.commandLine(factory), args);
  }

  private static Run run(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }
}
