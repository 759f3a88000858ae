package io.compactor.core.config;

import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A configuration file read into AMCT's schema, before any rule beyond the schema is checked.
 *
 * @param message the message; absent when the file could not be read into one (bad syntax, a value of the
 *     wrong kind, a single field given twice), then {@link #problems} says why
 * @param locations where each field was written
 * @param problems what the schema refused; unknown fields are listed without stopping the reading
 */
record ParsedConfig(Optional<AMCTRetrainConfig> message, Locations locations, List<Problem> problems) {
  ParsedConfig {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(locations, "locations");
    problems = List.copyOf(problems);
  }
}
