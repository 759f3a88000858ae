/**
 * The OSGi host: an embedded Felix framework with FileInstall and Declarative Services that installs the
 * compression bundles dropped into a watched directory, and the {@link io.compactor.core.host.CapabilityRegistry}
 * that chooses one provider per capability and leases it to running steps. Start with
 * {@link io.compactor.core.host.OsgiHost#start}.
 */
package io.compactor.core.host;
