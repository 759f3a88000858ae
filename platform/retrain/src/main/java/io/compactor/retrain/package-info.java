/**
 * Layer-wise retraining shared by every bundle, without a training framework. A
 * {@link io.compactor.retrain.LinearLayer} presents a Conv, ConvTranspose, Gemm or MatMul as
 * {@code y = W x + b} on rows; {@link io.compactor.retrain.SequentialReconstruction} streams calibration
 * data through the model as compressed so far and through the reference model, batch by batch, into
 * {@link io.compactor.retrain.LayerStatistics} ({@code H = XᵀX}, {@code XᵀY}, sums; memory
 * {@code O(in² + in·out)}), runs a {@link io.compactor.retrain.SequentialReconstruction.LayerSolver} over
 * layers in topological order and writes each result back before the next layer is captured. The numerics
 * bundles call are stateless {@code *Ops} classes and small objects on {@link io.compactor.retrain.DMatrix}:
 * {@code DampedCholesky}, {@code LeastSquaresOps}, the OBS sweep {@code ObsSweep} (SparseGPT pruning, GPTQ
 * rounding) and {@code NmObsPruner}. {@link io.compactor.retrain.NmPatternCheck}
 * proves N:M sparsity of weight tensors. INT8 pieces: {@link io.compactor.retrain.Int8WeightOps} (symmetric
 * weight scales, nearest and GPTQ rounding that keeps zeros), {@link io.compactor.retrain.ActivationRange}
 * (UINT8 activation grid) and {@link io.compactor.retrain.RangeHistogram} (error-minimizing clip search).
 *
 * <p>This package is what bundles import, and nothing more; the kernels, the convolution geometry and the
 * layer capture behind it are private to the platform ({@code io.compactor.retrain.internal}, not
 * exported). 2.0.0: {@code CholeskyOps}, {@code GramOps} and {@code LayerCapture} left the exported API.
 */
@Export
@Version("2.2.0")
package io.compactor.retrain;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
