package io.compactor.bundle.magnitude2of4;

import io.compactor.api.CompressionMethod;
import io.compactor.api.testing.BundleJarContract;
import org.junit.jupiter.api.Tag;

/** The built jar is a leaf bundle whose component descriptor registers the method. */
@Tag("integration")
class MagnitudeTwoOfFourBundleIT extends BundleJarContract {
  @Override
  protected CompressionMethod method() {
    return new MagnitudeTwoOfFour();
  }
}
