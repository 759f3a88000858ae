/**
 * Retraining distilled from the original model (capability {@code retrain.distill}). Private to the bundle:
 * nothing here is exported.
 */
package io.compactor.bundle.retraindistill;
