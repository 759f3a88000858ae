/**
 * ONNX forms of quantized operators written by more than one part of Compactor: the INT8 bundle's export and
 * the tune's timing stand-in write {@link io.compactor.onnx.quant.IntegerMatMul} the same way, so what the tune
 * times is what the bundle deploys.
 */
@Export
@Version("1.0.0")
package io.compactor.onnx.quant;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
