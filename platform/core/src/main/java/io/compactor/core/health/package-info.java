/**
 * Liveness and readiness of a running platform ({@code /health/live}, {@code /health/ready}): named
 * {@link io.compactor.core.health.Check}s combined into a {@link io.compactor.core.health.HealthReport}, the
 * Kafka ones asked of the broker by {@link io.compactor.core.health.KafkaChecks}.
 */
package io.compactor.core.health;
