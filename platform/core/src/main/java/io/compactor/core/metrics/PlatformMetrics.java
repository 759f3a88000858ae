package io.compactor.core.metrics;

import io.compactor.core.host.CapabilityRegistry;
import io.compactor.core.host.ProviderEntry;
import io.compactor.core.host.ProviderState;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry a running platform serves on {@code /metrics}: JVM and process meters, the providers per
 * capability (refreshed on every scrape, since bundles come and go), and whatever the coordinator, the
 * Kafka clients and the steps register on it.
 */
public final class PlatformMetrics implements AutoCloseable {
  /** Gauge tagged {@code capability} and {@code state} (chosen, standby, draining, failed). */
  public static final String PROVIDERS = "compactor.providers";
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CapabilityRegistry capabilities;
  private final MultiGauge providers;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  /** @param capabilities the host's registry, whose providers are counted */
  public PlatformMetrics(CapabilityRegistry capabilities) {
    this.capabilities = capabilities;
    registry.config().meterFilter(new PrometheusConventions());
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    providers = MultiGauge.builder(PROVIDERS).description("Providers of each capability by state")
        .register(registry);
    refreshProviders();
  }

  /** @return the registry to register meters on */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** @return the Prometheus text exposition, with provider counts as of now */
  public String scrape() {
    refreshProviders();
    return registry.scrape();
  }

  private void refreshProviders() {
    Map<String, Map<ProviderState, Integer>> counts = new TreeMap<>();
    for (ProviderEntry p : capabilities.providers()) {
      counts.computeIfAbsent(p.capability(), c -> new TreeMap<>()).merge(p.state(), 1, Integer::sum);
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    counts.forEach((capability, byState) -> {
      for (ProviderState state : ProviderState.values()) {
        int n = byState.getOrDefault(state, 0);
        rows.add(MultiGauge.Row.of(Tags.of("capability", capability, "state", state.name().toLowerCase(Locale.ROOT)), n));
      }
    });
    providers.register(rows, true);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
