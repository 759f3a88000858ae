/**
 * Running models in ONNX Runtime: sessions from in-memory models, data sets from {@code .npy} directories
 * (loaded whole as a {@link io.compactor.onnx.runtime.Dataset}, or read by sample index from the files as
 * {@link io.compactor.onnx.runtime.SampleFiles}), capture of intermediate tensors, and evaluation (accuracy,
 * fidelity, latency; since 1.3.0 several models timed in turns,
 * {@link io.compactor.onnx.runtime.Evaluation#latencies}). Every native object is closed before a method returns, except a
 * {@link io.compactor.onnx.runtime.ModelSession}, which its caller closes.
 */
@Export
@Version("1.3.0")
package io.compactor.onnx.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
