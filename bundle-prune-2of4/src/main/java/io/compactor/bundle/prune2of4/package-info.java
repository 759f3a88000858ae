/** M4N2 structured sparsity (capability sparsity.2of4). Private to the bundle: nothing here is exported. */
package io.compactor.bundle.prune2of4;
