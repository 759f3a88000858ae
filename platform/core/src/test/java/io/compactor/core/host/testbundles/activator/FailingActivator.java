package io.compactor.core.host.testbundles.activator;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Test bundle {@code test.activator}: a bundle whose activator always fails to start. */
public final class FailingActivator implements BundleActivator {
  @Override
  public void start(BundleContext context) {
    throw new IllegalStateException("activator fails on purpose");
  }

  @Override
  public void stop(BundleContext context) {}
}
