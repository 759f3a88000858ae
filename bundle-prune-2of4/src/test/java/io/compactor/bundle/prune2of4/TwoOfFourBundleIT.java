package io.compactor.bundle.prune2of4;

import io.compactor.api.CompressionMethod;
import io.compactor.api.testing.BundleJarContract;
import org.junit.jupiter.api.Tag;

/** The built bundle jar: a leaf bundle whose component descriptor registers {@link TwoOfFourMethod}. */
@Tag("integration")
class TwoOfFourBundleIT extends BundleJarContract {
  @Override
  protected CompressionMethod method() {
    return new TwoOfFourMethod();
  }
}
