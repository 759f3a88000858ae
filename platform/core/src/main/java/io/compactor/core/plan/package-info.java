/**
 * Planning: a configuration resolved against a model into a {@link io.compactor.core.plan.Plan}, one
 * combination per compressible operator (at most one sparsity method and one quantization method),
 * each part checked against the chosen provider of its capability through a
 * {@link io.compactor.core.plan.MethodCatalog}. The settings handed to providers are written with the
 * api's setting keys ({@link io.compactor.api.Capabilities#settingKeys}). Not exported.
 */
package io.compactor.core.plan;
