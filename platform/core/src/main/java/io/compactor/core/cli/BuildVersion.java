package io.compactor.core.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, or "development" when run from classes. */
final class BuildVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = CompactorCli.class.getPackage().getImplementationVersion();
    return new String[] {"compactor " + (v == null ? "development" : v)};
  }
}
