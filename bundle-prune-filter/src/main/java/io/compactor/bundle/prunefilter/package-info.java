/** Balanced L2 filter pruning (capability sparsity.filter). Private to the bundle: nothing here is exported. */
package io.compactor.bundle.prunefilter;
