package io.compactor.core.host.testbundles.missing;

/** Test bundle {@code test.missing}: its manifest imports a package nobody exports. */
public final class Unresolvable {
  private Unresolvable() {}
}
