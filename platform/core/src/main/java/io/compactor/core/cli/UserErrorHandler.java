package io.compactor.core.cli;

import io.compactor.api.CompactorException;
import io.compactor.api.StepException;
import io.compactor.core.host.HostException;
import io.compactor.onnx.DataException;
import io.compactor.onnx.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into exit codes: problems the user can fix (a bad model, data or configuration) print
 * their message and exit 2; anything else prints the message and exits 1. Stack traces only with
 * {@code --verbose} (or the {@code COMPACTOR_VERBOSE} environment variable).
 */
final class UserErrorHandler implements IExecutionExceptionHandler {
  static final int FAILED = 1;
  static final int USER_ERROR = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
    // cmd is the (sub)command that failed; the top-level parse result does not hold subcommand options
    boolean verbose = cmd.getParseResult().hasMatchedOption("--verbose") || parsed.hasMatchedOption("--verbose")
        || System.getenv("COMPACTOR_VERBOSE") != null;
    boolean userError = e instanceof ModelException || e instanceof DataException
        || e instanceof CompactorException && !(e instanceof StepException || e instanceof HostException);
    cmd.getErr().println("error: " + e.getMessage());
    if (verbose) {
      e.printStackTrace(cmd.getErr());
    }
    return userError ? USER_ERROR : FAILED;
  }
}
