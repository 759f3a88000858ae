package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobMessagesTest {
  private static final JobRequest JOB = new JobRequest("job-1", "/data/m.onnx", "/data/c.cfg",
      Optional.of("/data/calib"), Optional.empty(), "/data/out");

  private static JobMessages.Message read(String json, String key) {
    return JobMessages.read(json.getBytes(StandardCharsets.UTF_8), key);
  }

  @Test
  void aJobRoundTripsThroughItsJsonForm() {
    JobMessages.Message m = JobMessages.read(JobMessages.write(JOB), "job-1");
    assertEquals(JOB, assertInstanceOf(JobMessages.Submit.class, m).request());
  }

  @Test
  void theTrainingDirectoryRoundTripsAndIsBoundedLikeTheOtherPaths() {
    JobRequest withTraining = new JobRequest("job-2", "/data/m.onnx", "/data/c.cfg", Optional.of("/data/calib"),
        Optional.empty(), "/data/out", Optional.of("/data/train"));
    JobMessages.Message m = JobMessages.read(JobMessages.write(withTraining), "job-2");
    assertEquals(withTraining, assertInstanceOf(JobMessages.Submit.class, m).request());
    JobMessages.Invalid tooLong = assertInstanceOf(JobMessages.Invalid.class, read("{\"jobId\":\"j\",\"model\":\"m\","
        + "\"config\":\"c\",\"output\":\"o\",\"training\":\"/" + "t".repeat(JobLimits.MAX_PATH_CHARS) + "\"}", "j"));
    assertTrue(tooLong.reason().contains("training"), tooLong.reason());
    InvalidRequestException control = org.junit.jupiter.api.Assertions.assertThrows(InvalidRequestException.class,
        () -> new JobRequest("j", "m", "c", Optional.empty(), Optional.empty(), "o", Optional.of("/t\nx")));
    assertEquals("training", control.field());
  }

  @Test
  void aCancelRequestIsRecognized() {
    assertEquals("job-1", assertInstanceOf(JobMessages.Cancel.class,
        JobMessages.read(JobMessages.cancel("job-1"), "job-1")).jobId());
  }

  @Test
  void unreadableBytesNameNoJob() {
    JobMessages.Invalid i = assertInstanceOf(JobMessages.Invalid.class, read("{nope", "k"));
    assertTrue(i.reason().startsWith("not JSON"), i.reason());
    assertTrue(i.jobId().isEmpty());
    assertTrue(assertInstanceOf(JobMessages.Invalid.class, read("[1,2]", "k")).jobId().isEmpty());
  }

  @Test
  void schemaViolationsNameTheFieldAndKeepTheJobId() {
    JobMessages.Invalid i = assertInstanceOf(JobMessages.Invalid.class,
        read("{\"jobId\":\"job-9\",\"model\":\"m\",\"config\":\"c\",\"output\":\"o\",\"colour\":\"red\"}", "job-9"));
    assertEquals(Optional.of("job-9"), i.jobId());
    assertTrue(i.reason().contains("colour"), i.reason());
    JobMessages.Invalid missing = assertInstanceOf(JobMessages.Invalid.class,
        read("{\"jobId\":\"job-9\",\"model\":\"m\"}", "job-9"));
    assertTrue(missing.reason().contains("config") && missing.reason().contains("output"), missing.reason());
  }

  @Test
  void theKeyMustBeTheJobId() {
    JobMessages.Invalid i = assertInstanceOf(JobMessages.Invalid.class,
        JobMessages.read(JobMessages.write(JOB), "other"));
    assertTrue(i.reason().contains("record key 'other' differs from jobId 'job-1'"), i.reason());
  }

  @Test
  void everyEventSchemaAcceptsAWellFormedEventAndRejectsAMissingField() {
    Map<EventType, Map<String, Object>> samples = Map.of(
        EventType.ACCEPTED, Map.of("request", JobMessages.toMap(JOB), "instance", "a"),
        EventType.PLANNED, Map.of("operators", 2, "combinations", Map.of("2of4+int8", 2), "steps",
            List.of(Map.of("capability", "sparsity.2of4", "layers", 2)), "plan",
            List.of(Map.of("node", "fc", "opType", "Gemm", "sparsity", "sparsity.2of4", "quantization", "quant.int8"))),
        EventType.STEP_STARTED, Map.of("capability", "quant.int8", "stage", "quantization", "index", 2, "steps", 2,
            "layers", 5, "provider", Map.of("bundle", "io.compactor.bundle.quantint8", "version", "0.1.0")),
        EventType.STEP_PROGRESS, Map.of("capability", "quant.int8", "done", 1, "total", 5, "percent", 20.0,
            "layer", "fc"),
        EventType.STEP_COMPLETED, Map.of("capability", "quant.int8", "provider", Map.of("bundle", "b", "version",
            "1"), "durationMs", 12, "stats", Map.of()),
        EventType.TUNE_PROGRESS, Map.of("phase", "verify", "done", 2, "total", 2, "percent", 100.0,
            "candidatesVerified", 2, "best", Map.of("index", 1, "choices", "3 int8 static", "meetsBudget", true,
                "deployBytes", 1200)),
        EventType.COMPLETED, Map.of("outputs", Map.of("deployModel", "d", "fakequantModel", "f", "report", "r"),
            "summary", Map.of()),
        EventType.FAILED, Map.of("stage", "config", "reason", "prune_ratio: must be in (0,1), got 1.5",
            "configPath", "prune_config"),
        EventType.CANCELLED, Map.of("layer", "fc"));
    assertEquals(EventType.values().length, samples.size());
    samples.forEach((type, data) -> {
      JobEvent e = new JobEvent(type, "job-1", Instant.EPOCH, data);
      assertEquals(List.of(), Schemas.validate(Schemas.eventSchema(type), JobMessages.tree(e.data())), type.id());
      Map<String, Object> broken = new HashMap<>(e.data());
      broken.remove("jobId");
      assertTrue(!Schemas.validate(Schemas.eventSchema(type), JobMessages.tree(broken)).isEmpty(), type.id());
    });
  }

  @Test
  void anOversizedRecordIsRefusedUnreadKeepingAValidKeyAsJobId() {
    String huge = "{\"jobId\":\"big-1\",\"model\":\"/data/" + "m".repeat(900_000) + ".onnx\",\"config\":\"c\","
        + "\"output\":\"o\"}";
    JobMessages.Invalid i = assertInstanceOf(JobMessages.Invalid.class, read(huge, "big-1"));
    assertEquals(Optional.of("big-1"), i.jobId(), "answered with a failed event keyed by the job id");
    assertTrue(i.reason().contains("more than the " + JobLimits.MAX_REQUEST_BYTES), i.reason());
    assertTrue(i.reason().length() < 500, "the reason does not echo the record");
    assertTrue(assertInstanceOf(JobMessages.Invalid.class, read(huge, "bad key!")).jobId().isEmpty(),
        "no usable id: dead letter");
  }

  @Test
  void aPathLongerThanTheLimitOrWithControlCharactersIsRefusedNamingTheField() {
    String longPath = "/data/" + "p".repeat(JobLimits.MAX_PATH_CHARS);
    JobMessages.Invalid tooLong = assertInstanceOf(JobMessages.Invalid.class, read("{\"jobId\":\"j\",\"model\":\""
        + longPath + "\",\"config\":\"c\",\"output\":\"o\"}", "j"));
    assertTrue(tooLong.reason().matches("(?s).*model.*4,?096.*"), tooLong.reason()); // the schema's locale
    JobMessages.Invalid control = assertInstanceOf(JobMessages.Invalid.class,
        read("{\"jobId\":\"j\",\"model\":\"m\",\"config\":\"c\",\"output\":\"o\\nINFO forged\"}", "j"));
    assertTrue(control.reason().contains("output"), control.reason());
    InvalidRequestException direct = org.junit.jupiter.api.Assertions.assertThrows(InvalidRequestException.class,
        () -> new JobRequest("j", "m", "c", Optional.empty(), Optional.of(longPath), "o"));
    assertEquals("eval", direct.field());
  }

  @Test
  void aRecordWithoutKeyIsRefusedAsADeadLetter() {
    JobMessages.Invalid i = assertInstanceOf(JobMessages.Invalid.class, JobMessages.read(JobMessages.write(JOB), null));
    assertTrue(i.jobId().isEmpty(), "a failed event would carry a key its sender did not use");
    assertTrue(i.reason().contains("no key") && i.reason().contains("job-1"), i.reason());
    assertInstanceOf(JobMessages.Invalid.class, JobMessages.read(JobMessages.cancel("job-1"), null));
  }

  @Test
  void everyEventFitsTheLimitsLongStringsCutAndBulkyPartsTrimmedWithAMark() {
    String path = "/data/" + "x".repeat(20_000);
    JobEvent failed = JobEvent.of(EventType.FAILED, "job-1", Map.of("stage", "model", "reason",
        "model: no such file " + path));
    byte[] body = JobMessages.write(failed);
    assertTrue(body.length < JobLimits.MAX_EVENT_STRING_CHARS + 200, "length " + body.length);
    String reason = JobMessages.parse(body).path("reason").asText();
    assertEquals(JobLimits.MAX_EVENT_STRING_CHARS, reason.length());
    assertTrue(reason.startsWith("model: no such file /data/xxx") && reason.endsWith("characters in all]"), reason);

    List<Map<String, Object>> plan = new java.util.ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      plan.add(Map.of("node", "/encoder/layer." + i + "/attention/self/query/MatMul", "opType", "MatMul",
          "sparsity", "sparsity.2of4", "quantization", "quant.int8", "reasons", List.of("eligible")));
    }
    JobEvent planned = JobEvent.of(EventType.PLANNED, "job-1", Map.of("operators", plan.size(), "combinations",
        Map.of("2of4+int8", plan.size()), "steps", List.of(Map.of("capability", "sparsity.2of4", "layers",
            plan.size())), "plan", plan));
    assertTrue(JobMessages.tree(planned.data()).toString().length() > 2 * JobLimits.MAX_EVENT_BYTES);
    byte[] bounded = JobMessages.write(planned);
    assertTrue(bounded.length <= JobLimits.MAX_EVENT_BYTES, "length " + bounded.length);
    var tree = JobMessages.parse(bounded);
    assertEquals(List.of(), Schemas.validate(Schemas.eventSchema(EventType.PLANNED), tree));
    assertEquals(20_000, tree.path("operators").asInt(), "small fields are kept whole");
    int kept = tree.path("plan").size();
    assertTrue(kept > 0 && kept < 20_000, "kept " + kept);
    assertEquals("plan: first " + kept + " of 20000 entries", tree.path("omitted").get(0).asText());
  }
}
