package io.compactor.bundle.quantint8;

import io.compactor.api.CompressionMethod;
import io.compactor.api.testing.BundleJarContract;
import org.junit.jupiter.api.Tag;

/** The built bundle jar: a leaf bundle whose component descriptor registers {@link QuantInt8Method}. */
@Tag("integration")
class QuantInt8BundleIT extends BundleJarContract {
  @Override
  protected CompressionMethod method() {
    return new QuantInt8Method();
  }
}
