/**
 * Building blocks of the training loop, each usable and tested on its own: straight-through fake quantization
 * with a learned scale, sparsity masks held through optimizer updates, distillation losses, and the seed that
 * makes a run repeatable.
 */
package io.compactor.bundle.retraindistill.training;
