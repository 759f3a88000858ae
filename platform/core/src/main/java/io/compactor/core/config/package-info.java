/**
 * The AMCT simplified retrain configuration: immutable records for every field
 * ({@link io.compactor.core.config.RetrainConfig} and its parts), read from JSON or from AMCT's own
 * protobuf text format by {@link io.compactor.core.config.ConfigFile}. Both formats go through one
 * binder, so they accept the same things and report the same problems; all problems of a file are
 * collected into one {@link io.compactor.core.config.InvalidConfigException}. Not exported.
 */
package io.compactor.core.config;
