/** INT8 quantization-aware retraining (capability quant.int8). Private to the bundle: nothing here is exported. */
package io.compactor.bundle.quantint8;
