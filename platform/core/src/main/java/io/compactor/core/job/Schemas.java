package io.compactor.core.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of the Kafka contract, loaded from {@code /schemas} on the classpath (the same files
 * are published in the repository under {@code platform/core/src/main/resources/schemas}).
 */
public final class Schemas {
  /** Schema of a job request. */
  public static final String JOB_REQUEST = "job-request";
  /** Schema of a cancel request. */
  public static final String CANCEL_REQUEST = "cancel-request";
  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

  private Schemas() {}

  /** @return the resource path of a request schema or of an event type's schema */
  static String resource(String name) {
    return "/schemas/" + name + ".schema.json";
  }

  /** @return the resource path of an event type's schema */
  public static String eventSchema(EventType type) {
    return "events/" + type.id();
  }

  /**
   * @param name {@link #JOB_REQUEST}, {@link #CANCEL_REQUEST} or {@link #eventSchema(EventType)}
   * @param document the JSON document
   * @return the violations as {@code <json path>: <message>}, sorted; empty when valid
   */
  public static List<String> validate(String name, JsonNode document) {
    JsonSchema schema = CACHE.computeIfAbsent(name, Schemas::load);
    return schema.validate(document).stream().map(ValidationMessage::getMessage)
        .sorted(Comparator.naturalOrder()).toList();
  }

  private static JsonSchema load(String name) {
    try (InputStream in = Schemas.class.getResourceAsStream(resource(name))) {
      if (in == null) {
        throw new IllegalArgumentException("no schema " + resource(name) + " on the classpath");
      }
      return FACTORY.getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
