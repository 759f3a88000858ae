/**
 * M4N2 structured sparsity (capability {@code sparsity.2of4}). Private to the bundle: nothing here is
 * exported; the service is {@link io.compactor.bundle.prune2of4.TwoOfFourMethod}.
 *
 * <h2>Pattern</h2>
 * Groups of 4 consecutive weights along the input-channel axis: for Conv at each (cout, kh, kw) along
 * axis 1, for ConvTranspose along axis 0, for Gemm along K (axis 1 with {@code transB = 1}, axis 0
 * without) and for MatMul along axis 0 of {@code B[K, N]}. Each group keeps at most 2 non-zeros. When Cin
 * is not a multiple of 4 the last group is zero-padded (AMCT's policy) and keeps at most 2 of its real
 * weights; layers with Cin ≤ 2 are ineligible because nothing would be pruned. Grouped and depthwise
 * convolutions, shared weights, non-constant weights and unsupported attributes are ineligible with a
 * reason. Layers whose weights already satisfy 2:4 are left unchanged.
 *
 * <h2>Reconstruction</h2>
 * Layers are processed in topological order; each one's input is captured on the calibration data from the
 * model as already sparsified up to it, and its output from the model as it was before the step.
 * {@code H = XᵀX} (im2col rows for convolutions) and {@code XᵀY} are accumulated batch by batch. The dense
 * weights are first re-fitted to the original layer output by least squares regularized towards themselves
 * ({@code (H + λI) Wᵀ = XᵀY + λW₀ᵀ}, {@code λ} = 0.1 × mean diagonal), which corrects the error the
 * sparsified layers before left in this layer's input; then an OBS/SparseGPT sweep ({@code H} damped by
 * 1 % of its mean diagonal) zeroes 2 of every 4 weights while compensating their output error on the weights
 * not yet fixed. The bias joins both as a column that is never pruned (bias correction); a Conv or Gemm
 * without a bias gets one, a MatMul's bias is the constant of the Add that follows it. If the result were
 * worse than magnitude-only 2:4 on the calibration data, magnitude-only is kept. Per layer the report lists
 * the relative output error against the original layer output of the dense weights, of magnitude-only 2:4
 * and of the reconstruction.
 *
 * <h2>{@code update_freq}</h2>
 * In AMCT the mask is recomputed from the weights every {@code update_freq} training batches while
 * training updates them (0: chosen once and frozen). Here the weight updates are the OBS compensations,
 * applied column group by column group, so {@code update_freq} counts those updates: with 0 every mask is
 * chosen once, up front, from the dense weights and the Hessian of all calibration data, then frozen while
 * the weights are reconstructed; with {@code k ≥ 1} the masks of the next {@code k} groups of 4 input
 * channels are re-chosen whenever the sweep reaches them, from the weights as compensated by every group
 * fixed before (1 is SparseGPT's adaptive mask selection). Smaller {@code k} follows the compensation more
 * closely and usually lowers the error, as AMCT's shorter intervals recover more accuracy. The mask is never
 * chosen from a part of the calibration data: {@code H} always covers all of it.
 */
package io.compactor.bundle.prune2of4;
