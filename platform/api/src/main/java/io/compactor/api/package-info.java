/**
 * The contract compression bundles compile against. A bundle registers one
 * {@link io.compactor.api.CompressionMethod} as an OSGi service with the properties named in
 * {@link io.compactor.api.Capabilities}; the host calls it with a {@link io.compactor.api.StepContext}.
 * Start with {@code bundles/README.md}.
 */
@Export
@Version("1.1.0")
package io.compactor.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
