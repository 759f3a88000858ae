package io.compactor.bundle.prunefilter;

import io.compactor.api.CompressionMethod;
import io.compactor.api.testing.BundleJarContract;
import org.junit.jupiter.api.Tag;

/** The built bundle jar: a leaf bundle whose component descriptor registers {@link FilterPruneMethod}. */
@Tag("integration")
class FilterPruneBundleIT extends BundleJarContract {
  @Override
  protected CompressionMethod method() {
    return new FilterPruneMethod();
  }
}
