package io.compactor.core.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Arrays;
import java.util.Set;

/**
 * Keeps {@code /metrics} clean under {@code promtool check metrics}. Third-party binders (Kafka client
 * metrics, process CPU time) register names with abbreviated units ({@code io-time-ns}, {@code start-time-ms})
 * and gauges ending in {@code count}; no dashboard uses them, so they are dropped rather than renamed into
 * something nobody searches for. Meters without a description get one, since Prometheus wants help text.
 */
final class PrometheusConventions implements MeterFilter {
  private static final Set<String> ABBREVIATED_UNITS = Set.of("ns", "us", "ms");

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    String[] tokens = id.getName().split("[._-]");
    boolean abbreviated = Arrays.stream(tokens).anyMatch(ABBREVIATED_UNITS::contains)
        || id.getBaseUnit() != null && ABBREVIATED_UNITS.contains(id.getBaseUnit());
    boolean countGauge = id.getType() == Meter.Type.GAUGE && tokens[tokens.length - 1].equals("count");
    return abbreviated || countGauge ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    String description = id.getDescription();
    if (description != null && !description.isBlank()) {
      return id;
    }
    return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
        id.getName().replace('.', ' '), id.getType());
  }
}
