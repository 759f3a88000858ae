/**
 * The AMCT simplified retrain configuration: immutable records for every field
 * ({@link io.compactor.core.config.RetrainConfig} and its parts), read by
 * {@link io.compactor.core.config.ConfigFile} from AMCT's protobuf text format (protobuf's own
 * {@code TextFormat}) or from JSON into the protobuf messages of {@code amct_retrain_config.proto}
 * (generated into {@code io.compactor.core.config.proto}). One binder gives both formats their meaning,
 * so they accept the same things and word problems the same way; all problems of a file are collected,
 * each with its config path, line and column, into one {@link io.compactor.core.config.InvalidConfigException}.
 * Not exported.
 */
package io.compactor.core.config;
