package io.compactor.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricNamesTest {
  @Test
  void aQueryYieldsItsMetricsNotItsFunctionsLabelsOrVariables() {
    assertEquals(Set.of("compactor_step_duration_seconds_bucket"), MetricNames.inQuery(
        "histogram_quantile(0.95, sum by (le, capability) (rate(compactor_step_duration_seconds_bucket"
            + "{job=~\"$job\", instance=~\"${instance}\", outcome=\"completed\"}[$__rate_interval])))"));
    assertEquals(Set.of("compactor_job_fidelity_cosine_sum", "compactor_job_fidelity_cosine_count"), MetricNames.inQuery(
        "sum(increase(compactor_job_fidelity_cosine_sum[1h])) / sum without (instance) "
            + "(increase(compactor_job_fidelity_cosine_count[1h] offset 5m)) > bool 0"));
    assertEquals(Set.of("jvm_memory_used_bytes", "system_load_average_1m"), MetricNames.inQuery(
        "sum(jvm_memory_used_bytes{area='heap'}) by (instance) * on (instance) group_left system_load_average_1m"));
    assertEquals(Set.of("a:recorded:rate5m"), MetricNames.inQuery("60 * max(a:recorded:rate5m) or vector(0)"));
  }

  @Test
  void aDashboardYieldsTheMetricsOfEveryTargetAndOfItsVariables(@TempDir Path dir) throws Exception {
    Path dashboard = dir.resolve("d.json");
    Files.writeString(dashboard, """
        {"panels": [
          {"type": "row", "panels": [{"targets": [{"expr": "rate(compactor_jobs_finished_total[5m])"}]}]},
          {"type": "timeseries", "targets": [{"expr": "compactor_providers{state=\\"chosen\\"}", "legendFormat": "{{capability}}"}]}],
         "templating": {"list": [
           {"name": "instance", "query": {"query": "label_values(process_uptime_seconds{job=~\\"$job\\"}, instance)"}},
           {"name": "datasource", "type": "datasource", "query": "prometheus"}]}}
        """);

    assertEquals(List.of("rate(compactor_jobs_finished_total[5m])", "compactor_providers{state=\"chosen\"}",
        "process_uptime_seconds{job=~\"$job\"}"), MetricNames.queries(dashboard));
    assertEquals(Set.of("compactor_jobs_finished_total", "compactor_providers", "process_uptime_seconds"),
        MetricNames.inDashboard(dashboard));
  }

  @Test
  void anExpositionYieldsItsSampleNamesWithTheirSuffixes() {
    String exposition = """
        # HELP compactor_step_duration_seconds Wall time of one compression step
        # TYPE compactor_step_duration_seconds histogram
        compactor_step_duration_seconds_bucket{capability="sparsity.2of4",le="0.01"} 0
        compactor_step_duration_seconds_count{capability="sparsity.2of4"} 1
        compactor_step_duration_seconds_sum{capability="sparsity.2of4"} 0.5
        process_uptime_seconds 12.5
        """;

    assertEquals(Set.of("compactor_step_duration_seconds_bucket", "compactor_step_duration_seconds_count",
        "compactor_step_duration_seconds_sum", "process_uptime_seconds"), MetricNames.inExposition(exposition));
  }
}
