package io.compactor.core.host;

/** Where one provider of a capability stands. */
public enum ProviderState {
  /** New leases get this provider. */
  CHOSEN,
  /** Usable, but another provider of the same capability ranks higher. */
  STANDBY,
  /** Its bundle is stopping (jar deleted or replaced): running steps finish, new leases go elsewhere. */
  DRAINING,
  /** Unusable: its properties are invalid, disagree with the method, or the component did not activate. */
  FAILED
}
