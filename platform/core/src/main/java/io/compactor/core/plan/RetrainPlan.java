package io.compactor.core.plan;

import io.compactor.api.RetrainSettings;
import io.compactor.api.UnsupportedOperator;
import io.compactor.core.config.CompactorRetrain;
import io.compactor.core.config.CompactorRetrain.OnUnsupported;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether and how a job retrains the whole model after its compression steps: the configuration's
 * {@code compactor_retrain} block, the chosen {@code retrain.distill} provider, and the operators that
 * provider cannot train, known before the job starts.
 *
 * @param settings the {@code compactor_retrain} block
 * @param provider the retraining provider; empty when none is installed (the job fails naming the capability)
 * @param unsupported the operators the provider cannot train, in graph order; empty when it can train all
 */
public record RetrainPlan(CompactorRetrain settings, Optional<Provider> provider, List<UnsupportedOperator> unsupported) {
  public RetrainPlan {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(provider, "provider");
    unsupported = List.copyOf(unsupported);
  }

  /** @return whether retraining runs: a provider is installed and can train every operator */
  public boolean applies() {
    return provider.isPresent() && unsupported.isEmpty();
  }

  /** @return whether the job runs without retraining because of {@link #unsupported()} and {@code on_unsupported: SKIP} */
  public boolean skipped() {
    return provider.isPresent() && !unsupported.isEmpty() && settings.onUnsupported() == OnUnsupported.SKIP;
  }

  /** @return whether the job must fail: operators cannot be trained and {@code on_unsupported: FAIL} */
  public boolean blocked() {
    return provider.isPresent() && !unsupported.isEmpty() && settings.onUnsupported() == OnUnsupported.FAIL;
  }

  /** @return e.g. {@code "n3 (NonZero): no converter ..., n7 (Loop): sub-graphs"}, at most five named */
  public String describeUnsupported() {
    List<String> shown = unsupported.stream().limit(5).map(UnsupportedOperator::toString).toList();
    return String.join(", ", shown) + (unsupported.size() > 5 ? " and " + (unsupported.size() - 5) + " more" : "");
  }

  /** @return the settings as the SPI hands them to the retraining step */
  public RetrainSettings stepSettings() {
    return new RetrainSettings(settings.epochs(), settings.learningRate(), settings.batchSize(), settings.maxMinutes(),
        settings.seed(), settings.heldOutFraction(), RetrainSettings.Train.valueOf(settings.train().name()));
  }
}
