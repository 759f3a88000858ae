package io.compactor.core.host;

import io.compactor.api.CompressionMethod;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.osgi.framework.ServiceObjects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step's hold on the provider of a capability. While it is open the provider's bundle is not stopped
 * (up to the host's drain timeout), even when its jar is deleted or replaced, so the step finishes on the
 * classes it started with. Close it when the step ends; the next lease gets whatever provider is chosen then.
 */
public final class ProviderLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderLease.class);
  private final Provider provider;
  private final CompressionMethod method;
  private final ServiceObjects<CompressionMethod> objects;
  private final Consumer<ProviderLease> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  ProviderLease(Provider provider, CompressionMethod method, ServiceObjects<CompressionMethod> objects,
      Consumer<ProviderLease> onClose) {
    this.provider = provider;
    this.method = method;
    this.objects = objects;
    this.onClose = onClose;
  }

  /**
   * @return the leased method
   * @throws IllegalStateException after {@link #close()}
   */
  public CompressionMethod method() {
    if (closed.get()) {
      throw new IllegalStateException("lease of " + provider.capability() + " from " + provider.label()
          + " is closed; take a new lease for the next step");
    }
    return method;
  }

  /** @return the capability leased, e.g. {@code quant.int8} */
  public String capability() {
    return provider.capability();
  }

  /** @return the providing bundle's symbolic name, for events and reports */
  public String provider() {
    return provider.bundle();
  }

  /** @return the providing bundle's version, for events and reports */
  public String version() {
    return provider.version().toString();
  }

  /** @return the OSGi service id of the leased service */
  public long serviceId() {
    return provider.serviceId();
  }

  Provider leased() {
    return provider;
  }

  /** Releases the provider; idempotent. A stopping bundle waiting for this step may now stop. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      objects.ungetService(method);
    } catch (IllegalStateException | IllegalArgumentException e) {
      LOG.debug("lease of {} from {}: service already released by the framework ({})", provider.capability(),
          provider.label(), e.getMessage());
    } finally {
      onClose.accept(this);
    }
  }

  @Override
  public String toString() {
    return "lease of " + provider.capability() + " from " + provider.label() + " (service " + provider.serviceId()
        + (closed.get() ? ", closed)" : ")");
  }
}
