/**
 * The retraining engine's implementation: numerical kernels ({@code CholeskyOps}, {@code GramOps}), the
 * convolution geometry and row views behind {@link io.compactor.retrain.LinearLayer}, and its eligibility
 * rules. Not exported: the host shares only {@code io.compactor.retrain} with bundles, so this package may
 * change in any release.
 */
package io.compactor.retrain.internal;
