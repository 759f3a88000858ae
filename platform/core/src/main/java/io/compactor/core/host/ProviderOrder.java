package io.compactor.core.host;

import java.util.Comparator;

/**
 * The rule that picks one provider per capability: highest {@code service.ranking}, then highest bundle
 * version, then the lowest (oldest) service id; and the sentence that explains a pick.
 */
final class ProviderOrder {
  /** Best first. */
  static final Comparator<Provider> BEST_FIRST = Comparator.comparingInt(Provider::ranking).reversed()
      .thenComparing(Provider::version, Comparator.reverseOrder())
      .thenComparingLong(Provider::serviceId);

  private ProviderOrder() {}

  /** @return why {@code chosen} beats {@code runnerUp}, or "only provider" when there is none */
  static String whyChosen(Provider chosen, Provider runnerUp) {
    if (runnerUp == null) {
      return "only provider";
    }
    if (chosen.ranking() != runnerUp.ranking()) {
      return "highest ranking: " + chosen.ranking() + " > " + runnerUp.ranking() + " of " + runnerUp.label();
    }
    if (!chosen.version().equals(runnerUp.version())) {
      return "same ranking " + chosen.ranking() + ", newest version: " + chosen.version() + " > "
          + runnerUp.version() + " of " + runnerUp.bundle();
    }
    return "same ranking and version as " + runnerUp.label() + ", registered first";
  }

  /** @return why {@code standby} loses to {@code chosen} */
  static String whyStandby(Provider standby, Provider chosen) {
    if (standby.ranking() != chosen.ranking()) {
      return "outranked by " + chosen.label() + ": ranking " + standby.ranking() + " < " + chosen.ranking();
    }
    if (!standby.version().equals(chosen.version())) {
      return "older than " + chosen.label() + ": same ranking " + standby.ranking() + ", version "
          + standby.version() + " < " + chosen.version();
    }
    return "same ranking and version as " + chosen.label() + ", registered later";
  }
}
