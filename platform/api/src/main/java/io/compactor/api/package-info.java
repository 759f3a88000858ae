/**
 * The contract compression bundles compile against. A bundle registers one
 * {@link io.compactor.api.CompressionMethod} as an OSGi service with the properties named in
 * {@link io.compactor.api.Capabilities}; the host calls it with a {@link io.compactor.api.StepContext}.
 * The per-operator settings the planner hands over are read with the built-in capabilities'
 * {@link io.compactor.api.SettingKey}s. Start with {@code bundles/README.md}. Version 1.2.0 added the
 * setting keys; 1.3.0 the chain's prepare → retrain → export shape: {@link io.compactor.api.TrainingForm},
 * {@link io.compactor.api.CompressionMethod#export}, {@link io.compactor.api.Stage#RETRAINING} and the shared
 * step skeleton {@link io.compactor.api.LayerProgress}; 1.4.0 INT8 embedding tables and float activations:
 * {@link io.compactor.api.Int8Keys#FLOAT_ACTIVATIONS}, {@link io.compactor.api.ActivationQuant#none}; 1.5.0
 * {@link io.compactor.api.RetrainingMethod}, the retraining provider's defaults; 1.6.0
 * {@link io.compactor.api.Int8Keys#EQUALIZATION}.
 */
@Export
@Version("1.6.0")
package io.compactor.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
