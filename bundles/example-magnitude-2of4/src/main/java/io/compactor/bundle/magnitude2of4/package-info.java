/**
 * Example bundle: magnitude-only 2:4 structured sparsity (capability sparsity.2of4, ranking -10). Private to
 * the bundle: nothing here is exported.
 */
package io.compactor.bundle.magnitude2of4;
