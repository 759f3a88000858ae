/**
 * Compactor's model layer: read, rewrite, save and run ONNX models. Start with
 * {@link io.compactor.onnx.graph.OnnxModel}; tensors are {@link io.compactor.onnx.tensor.Tensor}s, data
 * directories are read with {@link io.compactor.onnx.runtime.Dataset}.
 */
@Export
@Version("1.0.0")
package io.compactor.onnx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
