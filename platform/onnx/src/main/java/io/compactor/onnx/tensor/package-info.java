/** Dense n-dimensional arrays shared by initializers, {@code .npy} files and ONNX Runtime values. */
@Export
@Version("1.0.0")
package io.compactor.onnx.tensor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
