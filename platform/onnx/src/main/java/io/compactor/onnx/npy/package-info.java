/** Reading and writing numpy {@code .npy} files as {@link io.compactor.onnx.tensor.Tensor}s, whole or sample by sample. */
@Export
@Version("1.1.0")
package io.compactor.onnx.npy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
