/**
 * Layer-wise retraining shared by every bundle: capture a layer's inputs on calibration data from the
 * model as compressed so far, accumulate {@code H = XᵀX}, and solve for the weights that minimize the
 * layer's output error (Cholesky, OBS, ridge least squares).
 */
@Export
@Version("1.0.0")
package io.compactor.retrain;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
