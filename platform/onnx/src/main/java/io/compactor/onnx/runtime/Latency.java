package io.compactor.onnx.runtime;

/**
 * Wall time of one model run, measured after warm-up.
 *
 * @param medianMillis median over the measured runs
 * @param minMillis fastest run
 * @param runs number of measured runs
 * @param batchSize samples per run
 */
public record Latency(double medianMillis, double minMillis, int runs, int batchSize) {}
