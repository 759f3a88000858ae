package io.compactor.core.host.testbundles.slow;

/** Loaded only at the end of {@link SlowMethod#apply}: proves the bundle's classes were still loadable then. */
final class LateLoaded {
  private LateLoaded() {}

  static String greeting() {
    return "loaded after release";
  }
}
