/**
 * {@code compactor tune}: per-operator sensitivity, a search for the combination that maximizes an objective
 * under an accuracy budget, verified end to end through the chain, and the files that explain the choice.
 * {@link io.compactor.core.tune.Tuner} is the entry point; everything else is a value or one step of it.
 */
package io.compactor.core.tune;
