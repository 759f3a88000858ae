package io.compactor.core.plan;

import io.compactor.api.Settings;
import io.compactor.api.Stage;
import java.util.Objects;
import java.util.Optional;

/**
 * What one stage does to one operator: the method it gets (capability, resolved settings, provider) or
 * why it gets none. A requested method that cannot run (no provider, or the provider refuses the
 * operator) keeps its capability and settings so the plan still shows the resolved combination.
 *
 * @param stage the stage this part belongs to
 * @param decision the outcome
 * @param capability the requested capability; empty when nothing was requested
 * @param settings the resolved settings handed to the provider, keyed by
 *     {@link io.compactor.api.Capabilities#settingKeys}; empty when nothing was requested
 * @param provider the provider chosen for the capability; empty when none is installed or nothing was
 *     requested
 * @param source where the settings came from, e.g. {@code override_layer_types[0].prune_config}; empty
 *     when nothing was requested
 * @param reason why the operator is not compressed by this stage; empty when it is
 */
public record Assignment(Stage stage, Decision decision, Optional<String> capability, Settings settings,
    Optional<Provider> provider, String source, String reason) {

  /** The outcome of one stage for one operator. */
  public enum Decision {
    /** The provider compresses the operator. */
    COMPRESS("compress"),
    /** Requested, but no provider of the capability is installed. */
    NO_PROVIDER("no-provider"),
    /** Requested, but the provider refuses the operator (its eligibility check or op types). */
    INELIGIBLE("ineligible"),
    /** Excluded by a skip list. */
    SKIPPED("skipped"),
    /** The feature is not configured (no global block). */
    OFF("off"),
    /** The operator cannot take any method, e.g. its weight is not a constant. */
    UNSUPPORTED("unsupported");

    private final String id;

    Decision(String id) {
      this.id = id;
    }

    /** @return the lowercase name used in JSON */
    public String id() {
      return id;
    }
  }

  public Assignment {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(capability, "capability");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(reason, "reason");
    boolean requested = decision == Decision.COMPRESS || decision == Decision.NO_PROVIDER
        || decision == Decision.INELIGIBLE;
    if (requested != capability.isPresent()) {
      throw new IllegalArgumentException(decision + " " + (requested ? "needs" : "takes no") + " capability");
    }
    if (provider.isPresent() != (decision == Decision.COMPRESS || decision == Decision.INELIGIBLE)) {
      throw new IllegalArgumentException(decision + " " + (provider.isPresent() ? "takes no" : "needs a") + " provider");
    }
    if ((decision == Decision.COMPRESS) != reason.isEmpty()) {
      throw new IllegalArgumentException(decision == Decision.COMPRESS ? "a compressed operator has no reason"
          : decision + " needs a reason");
    }
    if (!requested && !settings.asMap().isEmpty()) {
      throw new IllegalArgumentException(decision + " takes no settings");
    }
    provider.ifPresent(p -> {
      if (p.method().stage() != stage) {
        throw new IllegalArgumentException(p.describe() + " is a " + p.method().stage().id()
            + " method; it cannot fill the " + stage.id() + " stage (one method per stage and operator)");
      }
      if (!p.method().capability().equals(capability.get())) {
        throw new IllegalArgumentException(p.describe() + " provides " + p.method().capability() + ", not "
            + capability.get());
      }
    });
  }

  /** @return the operator is compressed by {@code provider} with {@code settings} */
  public static Assignment compress(Stage stage, String capability, Settings settings, Provider provider,
      String source) {
    return new Assignment(stage, Decision.COMPRESS, Optional.of(capability), settings, Optional.of(provider),
        source, "");
  }

  /** @return the method is requested but no provider of {@code capability} is installed */
  public static Assignment noProvider(Stage stage, String capability, Settings settings, String source) {
    return new Assignment(stage, Decision.NO_PROVIDER, Optional.of(capability), settings, Optional.empty(),
        source, "no provider for " + capability + " is installed");
  }

  /** @return the method is requested but the provider refuses the operator, for {@code reason} */
  public static Assignment ineligible(Stage stage, String capability, Settings settings, Provider provider,
      String source, String reason) {
    return new Assignment(stage, Decision.INELIGIBLE, Optional.of(capability), settings, Optional.of(provider),
        source, reason);
  }

  /** @return nothing for this stage, with a reason of kind {@code decision} (SKIPPED, OFF, UNSUPPORTED) */
  public static Assignment none(Stage stage, Decision decision, String reason) {
    return new Assignment(stage, decision, Optional.empty(), Settings.EMPTY, Optional.empty(), "", reason);
  }

  /** @return whether the operator is compressed by this stage */
  public boolean applied() {
    return decision == Decision.COMPRESS;
  }

  /** @return the capability if it is applied, else empty */
  public Optional<String> appliedCapability() {
    return applied() ? capability : Optional.empty();
  }
}
