package io.compactor.core.host;

/** Where one jar of the watched directory stands. */
public enum BundleState {
  /** Installed and started; its components are registered. */
  ACTIVE,
  /** Installed and resolved, not started (yet, or its activation failed). */
  RESOLVED,
  /** Installed, not resolved: an import or other requirement is missing. */
  INSTALLED,
  /** Being started or stopped right now. */
  CHANGING,
  /** A valid bundle jar FileInstall has not installed yet (it waits until the file is unchanged over two scans). */
  PENDING,
  /** A jar FileInstall cannot install: not a jar, not a bundle, or a duplicate. */
  REJECTED,
  /** Still installed, its jar is gone: it is being uninstalled (maybe draining running steps). */
  REMOVING
}
