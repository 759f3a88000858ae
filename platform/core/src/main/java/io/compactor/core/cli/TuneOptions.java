package io.compactor.core.cli;

import io.compactor.core.job.InvalidRequestException;
import io.compactor.core.job.TuneParameters;
import io.compactor.core.tune.TuneRequest;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The budget, objective and allowed space of a tune: the options {@code tune} and {@code submit --kind tune} share,
 * read into the request's {@link TuneParameters} (field {@code maxDrop} is option {@code --max-drop}).
 */
final class TuneOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--max-drop", paramLabel = "POINTS", description = "Budget: top-1 points the tuned model may lose "
      + "on --eval (needs labels.npy).")
  Double maxDrop;

  @Option(names = "--min-fidelity", paramLabel = "COSINE", description = "Budget: lowest mean cosine of the first "
      + "output to the original's on --eval.")
  Double minFidelity;

  @Option(names = "--objective", paramLabel = "size|latency|sparsity", description = "What to maximize within the "
      + "budget (default: " + TuneParameters.DEFAULT_OBJECTIVE + ").")
  String objective;

  @Option(names = "--capabilities", split = ",", paramLabel = "CAP", description = "Methods the search may use: "
      + "sparsity.2of4, sparsity.filter, quant.int8 (default: every one the installed bundles offer).")
  List<String> capabilities;

  @Option(names = "--filter-ratios", split = ",", paramLabel = "R", description = "Filter-pruning ratios tried per "
      + "operator (default: 0.25,0.5,0.75; for --objective latency 0.1,0.25).")
  List<Double> filterRatios;

  @Option(names = "--int8", split = ",", paramLabel = "FORM", description = "INT8 forms: static, dynamic (default: "
      + "both; dynamic changes MatMuls only).")
  List<String> int8;

  /** @return whether any of these options was given */
  boolean given() {
    return maxDrop != null || minFidelity != null || objective != null || capabilities != null || filterRatios != null
        || int8 != null;
  }

  /**
   * @return the parameters, checked as the tuner reads them
   * @throws ParameterException naming the option when there is not exactly one budget or a value is not allowed
   */
  TuneParameters parameters() {
    if ((maxDrop == null) == (minFidelity == null)) {
      throw new ParameterException(spec.commandLine(), "give exactly one budget: --max-drop POINTS (top-1, needs "
          + "labels.npy) or --min-fidelity COSINE (mean cosine to the original)");
    }
    try {
      TuneParameters p = new TuneParameters(Optional.ofNullable(maxDrop), Optional.ofNullable(minFidelity),
          objective == null ? TuneParameters.DEFAULT_OBJECTIVE : objective, Optional.ofNullable(capabilities),
          Optional.ofNullable(filterRatios), Optional.ofNullable(int8));
      TuneRequest.check(p);
      return p;
    } catch (IllegalArgumentException | InvalidRequestException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** @return the option that sets {@code budget}, e.g. {@code --max-drop} */
  static String budgetOption(TuneParameters p) {
    return p.maxDrop().isPresent() ? "--max-drop" : "--min-fidelity";
  }
}
