package io.compactor.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tune jobs on the jobs topic: the request's kind, its parameters, the schema's conditions and the events. */
class TuneRequestsTest {
  private static final String TUNE = "{\"kind\":\"tune\",\"jobId\":\"t-1\",\"model\":\"/d/m.onnx\","
      + "\"calibration\":\"/d/calib\",\"eval\":\"/d/eval\",\"output\":\"/d/out\"";

  private static JobMessages.Message read(String json) {
    return JobMessages.read(json.getBytes(StandardCharsets.UTF_8), "t-1");
  }

  private static String reason(String json) {
    return assertInstanceOf(JobMessages.Invalid.class, read(json)).reason();
  }

  @Test
  void aTuneRequestRoundTripsWithItsParametersAndKind() {
    JobRequest r = assertInstanceOf(JobMessages.Submit.class, read(TUNE + ",\"maxDrop\":0.5,\"objective\":\"latency\","
        + "\"capabilities\":[\"quant.int8\",\"sparsity.filter\"],\"filterRatios\":[0.25,0.5],\"int8\":[\"static\"],"
        + "\"config\":\"/d/base.cfg\"}")).request();
    assertEquals(JobRequest.Kind.TUNE, r.kind());
    TuneParameters p = r.tune().orElseThrow();
    assertEquals(Optional.of(0.5), p.maxDrop());
    assertEquals("latency", p.objective());
    assertEquals(Optional.of(List.of(0.25, 0.5)), p.filterRatios());
    assertEquals(Optional.of("/d/base.cfg"), r.config());
    assertEquals(r, assertInstanceOf(JobMessages.Submit.class, JobMessages.read(JobMessages.write(r), "t-1"))
        .request(), "the state topic stores it in this form");
    JobRequest defaults = assertInstanceOf(JobMessages.Submit.class, read(TUNE + ",\"minFidelity\":0.99}")).request();
    assertEquals(TuneParameters.DEFAULT_OBJECTIVE, defaults.tune().orElseThrow().objective());
    assertTrue(defaults.config().isEmpty() && defaults.tune().get().capabilities().isEmpty());
    assertEquals(defaults, defaults.relocated(Map.of(), defaults.output()), "relocating keeps kind and parameters");
  }

  @Test
  void compressionRequestsStayAsTheyWere() {
    String old = "{\"jobId\":\"t-1\",\"model\":\"m\",\"config\":\"c\",\"output\":\"o\"}";
    JobRequest r = assertInstanceOf(JobMessages.Submit.class, read(old)).request();
    assertEquals(JobRequest.Kind.COMPRESS, r.kind());
    assertEquals(old, new String(JobMessages.write(r), StandardCharsets.UTF_8), "no kind written for compress");
    for (String kind : List.of("job", "compress")) {
      assertEquals(r, assertInstanceOf(JobMessages.Submit.class, read(old.replace("{", "{\"kind\":\"" + kind
          + "\","))).request());
    }
  }

  @Test
  void aTuneWithoutEvalDataOrCalibrationIsRefusedNamingTheField() {
    String noEval = reason(TUNE.replace(",\"eval\":\"/d/eval\"", "") + ",\"maxDrop\":1}");
    assertTrue(noEval.contains("eval"), noEval);
    String noCalibration = reason(TUNE.replace(",\"calibration\":\"/d/calib\"", "") + ",\"maxDrop\":1}");
    assertTrue(noCalibration.contains("calibration"), noCalibration);
    InvalidRequestException direct = org.junit.jupiter.api.Assertions.assertThrows(InvalidRequestException.class,
        () -> new JobRequest("t", "m", Optional.empty(), Optional.of("c"), Optional.empty(), "o", Optional.empty(),
            Optional.of(new TuneParameters(Optional.of(1.0), Optional.empty(), "size", Optional.empty(),
                Optional.empty(), Optional.empty()))));
    assertEquals("eval", direct.field());
    assertTrue(direct.getMessage().contains("labels.npy"), direct.getMessage());
  }

  @Test
  void exactlyOneBudgetAndOnlyAllowedValues() {
    String none = reason(TUNE + "}");
    assertTrue(none.contains("maxDrop") && none.contains("minFidelity"), none);
    String both = reason(TUNE + ",\"maxDrop\":1,\"minFidelity\":0.9}");
    assertTrue(both.contains("minFidelity"), both);
    String objective = reason(TUNE + ",\"maxDrop\":1,\"objective\":\"speed\"}");
    assertTrue(objective.contains("objective"), objective);
    String int8 = reason(TUNE + ",\"maxDrop\":1,\"int8\":[\"fp8\"]}");
    assertTrue(int8.contains("int8"), int8);
    String ratio = reason(TUNE + ",\"maxDrop\":1,\"filterRatios\":[1.5]}");
    assertTrue(ratio.contains("filterRatios"), ratio);
    String capability = reason(TUNE + ",\"maxDrop\":1,\"capabilities\":[\"sparsity.magic\"]}");
    assertTrue(capability.contains("capabilities"), capability);
    String fidelity = reason(TUNE + ",\"minFidelity\":1.5}");
    assertTrue(fidelity.contains("minFidelity"), fidelity);
  }

  @Test
  void aCompressionRequestTakesNoTuneParametersAndNeedsItsConfiguration() {
    String budget = reason("{\"jobId\":\"t-1\",\"model\":\"m\",\"config\":\"c\",\"output\":\"o\",\"maxDrop\":1}");
    assertTrue(budget.contains("maxDrop"), budget);
    String config = reason("{\"jobId\":\"t-1\",\"model\":\"m\",\"output\":\"o\"}");
    assertTrue(config.contains("config"), config);
  }

  @Test
  void aTuneCompletedEventNeedsItsResultAndNotTheCompressionOutputs() {
    Map<String, Object> candidate = Map.of("index", 3, "choices", "3 int8 static", "meetsBudget", false, "margin",
        -0.02, "deployBytes", 1200, "objectiveValue", 1200.0);
    Map<String, Object> tune = Map.of("budgetMet", false, "budget", Map.of("kind", "minFidelity", "value", 1.0),
        "margin", -0.02, "objective", "size", "candidate", candidate, "candidatesVerified", 4, "answer", "missed");
    Map<String, Object> outputs = Map.of("tuneReport", "/o/tune-report.json", "tuneReportMarkdown",
        "/o/tune-report.md");
    String schema = Schemas.eventSchema(EventType.COMPLETED);
    assertEquals(List.of(), Schemas.validate(schema, JobMessages.tree(new JobEvent(EventType.COMPLETED, "t-1",
        Instant.EPOCH, Map.of("kind", "tune", "outputs", outputs, "summary", Map.of(), "tune", tune)).data())));
    assertFalse(Schemas.validate(schema, JobMessages.tree(Map.of("jobId", "t-1", "kind", "tune", "outputs", outputs,
        "summary", Map.of()))).isEmpty(), "a tune's completed event carries its result");
    assertFalse(Schemas.validate(schema, JobMessages.tree(Map.of("jobId", "t-1", "outputs", outputs, "summary",
        Map.of()))).isEmpty(), "a compression's completed event names its three outputs");
    JobEvent failed = JobEvent.of(EventType.FAILED, "t-1", Map.of("stage", "request", "reason", "eval: required"))
        .withKind(JobRequest.Kind.TUNE);
    assertEquals(JobRequest.Kind.TUNE, failed.kind());
    assertEquals(List.of(), Schemas.validate(Schemas.eventSchema(EventType.FAILED), JobMessages.tree(failed.data())));
  }
}
