package io.compactor.core.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads and writes the JSON bodies of {@code compactor.jobs} records and job events. Reading never
 * throws: a record is a job, a cancel request, or invalid with a reason.
 */
public final class JobMessages {
  private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private JobMessages() {}

  /** A record read from {@code compactor.jobs}. */
  public sealed interface Message permits Submit, Cancel, Invalid {}

  /** A job to run. */
  public record Submit(JobRequest request) implements Message {}

  /** A request to cancel a job. */
  public record Cancel(String jobId) implements Message {}

  /**
   * A record Compactor cannot use.
   *
   * @param reason what is wrong, for the failed event or the dead letter
   * @param jobId the job id, when the record names one (then a failed event is published)
   * @param kind the kind the record asks for, when it is readable ({@code compress} otherwise)
   */
  public record Invalid(String reason, Optional<String> jobId, JobRequest.Kind kind) implements Message {
    /** A record whose kind is not known or is compress. */
    public Invalid(String reason, Optional<String> jobId) {
      this(reason, jobId, JobRequest.Kind.COMPRESS);
    }
  }

  /**
   * @param value the record value
   * @param key the record key, used as job id when the body is unreadable
   * @return what the record asks for
   */
  public static Message read(byte[] value, String key) {
    if (value == null) {
      return new Invalid("empty record (tombstone); send a JSON job request", validId(key));
    }
    if (value.length > JobLimits.MAX_REQUEST_BYTES) {
      // refused unread: a failed event keyed by a valid key, else a dead letter; never accepted
      return new Invalid("request: the record value has " + value.length + " bytes, more than the "
          + JobLimits.MAX_REQUEST_BYTES + " a request may have; paths are at most " + JobLimits.MAX_PATH_CHARS
          + " characters and data travels by path, never inline", validId(key));
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      return new Invalid("not JSON: " + e.getOriginalMessage(), Optional.empty());
    } catch (IOException e) {
      return new Invalid("not JSON: " + e.getMessage(), Optional.empty());
    }
    if (node == null || !node.isObject()) {
      return new Invalid("not a JSON object; see schemas/job-request.schema.json", Optional.empty());
    }
    Optional<String> jobId = node.hasNonNull("jobId") && node.get("jobId").isTextual()
        ? validId(node.get("jobId").asText()) : Optional.empty();
    boolean cancel = node.path("kind").asText("job").equals("cancel");
    JobRequest.Kind kind = node.path("kind").asText().equals(JobRequest.Kind.TUNE.id()) ? JobRequest.Kind.TUNE
        : JobRequest.Kind.COMPRESS;
    List<String> problems = Schemas.validate(cancel ? Schemas.CANCEL_REQUEST : Schemas.JOB_REQUEST, node);
    if (!problems.isEmpty()) {
      return new Invalid("the request violates schemas/" + (cancel ? Schemas.CANCEL_REQUEST : Schemas.JOB_REQUEST)
          + ".schema.json: " + String.join("; ", problems), jobId, kind);
    }
    if (key == null) {
      // no job to answer: a failed event would be keyed by an id its sender did not use as key
      return new Invalid("the record has no key; use the job id '" + jobId.orElseThrow()
          + "' as the key so one job stays on one partition", Optional.empty());
    }
    if (!key.equals(jobId.orElseThrow())) {
      return new Invalid("record key '" + JobLimits.cut(key, JobLimits.MAX_JOB_ID_CHARS + 1) + "' differs from jobId '" + jobId.get()
          + "'; use the job id as the key so one job stays on one partition", jobId, kind);
    }
    if (cancel) {
      return new Cancel(jobId.orElseThrow());
    }
    try {
      Optional<TuneParameters> tune = kind == JobRequest.Kind.TUNE ? Optional.of(tune(node)) : Optional.empty();
      return new Submit(new JobRequest(jobId.orElseThrow(), node.get("model").asText(), text(node, "config"),
          text(node, "calibration"), text(node, "eval"), node.get("output").asText(), text(node, "training"), tune));
    } catch (InvalidRequestException e) {
      return new Invalid(e.getMessage(), jobId, kind);
    }
  }

  private static TuneParameters tune(JsonNode node) {
    return new TuneParameters(number(node, "maxDrop"), number(node, "minFidelity"),
        node.path("objective").asText(TuneParameters.DEFAULT_OBJECTIVE), list(node, "capabilities", JsonNode::asText),
        list(node, "filterRatios", JsonNode::asDouble), list(node, "int8", JsonNode::asText));
  }

  private static Optional<Double> number(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asDouble()) : Optional.empty();
  }

  private static <T> Optional<List<T>> list(JsonNode node, String field, Function<JsonNode, T> item) {
    if (!node.hasNonNull(field)) {
      return Optional.empty();
    }
    List<T> out = new ArrayList<>();
    node.get(field).forEach(n -> out.add(item.apply(n)));
    return Optional.of(out);
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }

  private static Optional<String> validId(String id) {
    return id != null && JobRequest.JOB_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  /** @return the job request as JSON (the canonical form used for idempotency checks) */
  public static byte[] write(JobRequest r) {
    return bytes(toJson(r));
  }

  /** @return the job request as a JSON tree */
  public static ObjectNode toJson(JobRequest r) {
    ObjectNode n = JSON.createObjectNode();
    r.tune().ifPresent(t -> n.put("kind", JobRequest.Kind.TUNE.id()));
    n.put("jobId", r.jobId());
    r.inputs().forEach(n::put);
    n.put("output", r.output());
    r.tune().ifPresent(t -> { // the compress form stays as it was: requests stored before tuning compare equal
      t.maxDrop().ifPresent(v -> n.put("maxDrop", v));
      t.minFidelity().ifPresent(v -> n.put("minFidelity", v));
      n.put("objective", t.objective());
      t.capabilities().ifPresent(c -> c.forEach(n.putArray("capabilities")::add));
      t.filterRatios().ifPresent(f -> f.forEach(n.putArray("filterRatios")::add));
      t.int8().ifPresent(q -> q.forEach(n.putArray("int8")::add));
    });
    return n;
  }

  /** @return the job request as a map for event bodies */
  public static Map<String, Object> toMap(JobRequest r) {
    return JSON.convertValue(toJson(r), JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class,
        Object.class));
  }

  /** @return a cancel request body */
  public static byte[] cancel(String jobId) {
    return bytes(JSON.createObjectNode().put("kind", "cancel").put("jobId", jobId));
  }

  /**
   * @return the event body as JSON, at most {@link JobLimits#MAX_EVENT_BYTES} long: over-long strings are
   *     cut and over-large bodies lose their bulkiest parts, marked (see {@link EventBudget})
   */
  public static byte[] write(JobEvent event) {
    return EventBudget.fit(JSON.valueToTree(event.data()));
  }

  /** @return any JSON-friendly value as a tree (for schema checks and reports) */
  public static JsonNode tree(Object value) {
    return JSON.valueToTree(value);
  }

  /** @return a JSON document parsed into a tree */
  public static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the mapper configured for Compactor's JSON */
  public static ObjectMapper json() {
    return JSON;
  }

  static byte[] bytes(Object tree) {
    try {
      return JSON.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + tree, e);
    }
  }
}
