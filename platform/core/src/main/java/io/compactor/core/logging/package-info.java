/**
 * The host's logging on logback: the converters and the JSON layout that escape control characters in every
 * line ({@code logback.xml} in the jar wires them), the {@link io.compactor.core.logging.LogFormat} that
 * {@code run --log-format} switches, the job id in the MDC ({@link io.compactor.core.logging.JobLog}) and the
 * quiet levels of the interactive commands.
 */
package io.compactor.core.logging;
