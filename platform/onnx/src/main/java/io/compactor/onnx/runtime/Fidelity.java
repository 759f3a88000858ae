package io.compactor.onnx.runtime;

/**
 * How closely a compressed model's output follows the reference model's, per sample (row of the
 * output flattened after the first axis).
 *
 * @param meanCosine mean cosine similarity over samples
 * @param worstCosine the lowest per-sample cosine similarity
 * @param top1Agreement fraction of samples whose arg-max agrees
 * @param maxAbsError the largest absolute element difference
 * @param samples the number of samples compared
 */
public record Fidelity(double meanCosine, double worstCosine, double top1Agreement, double maxAbsError, int samples) {}
