package io.compactor.api;

import java.util.Objects;

/**
 * Whether one operator can take a method, and if not, why (shown to users in the plan).
 *
 * @param eligible true when the method can compress the operator
 * @param reason why not, e.g. "depthwise convolution (group = Cin = 32)"; empty when eligible
 */
public record Eligibility(boolean eligible, String reason) {
  /** The operator can take the method. */
  public static final Eligibility ELIGIBLE = new Eligibility(true, "");

  public Eligibility {
    Objects.requireNonNull(reason, "reason");
    if (!eligible && reason.isBlank()) {
      throw new IllegalArgumentException("an ineligible operator needs a reason");
    }
  }

  /** @return an ineligible verdict with the reason users will read */
  public static Eligibility ineligible(String reason) {
    return new Eligibility(false, reason);
  }
}
