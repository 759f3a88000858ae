package io.compactor.core.chain;

import io.compactor.core.job.EventType;
import io.compactor.core.job.JobEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why a job failed, in the fields of the {@code failed} event: the stage it failed in
 * ({@code request | model | config | plan | step | export | evaluate | io | internal}), a reason a person
 * can act on, and where relevant the config path, layer and capability.
 */
final class JobFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String stage;
  private final Map<String, Object> where = new LinkedHashMap<>();

  JobFailure(String stage, String reason, Throwable cause) {
    super(reason, cause);
    this.stage = stage;
  }

  JobFailure(String stage, String reason) {
    this(stage, reason, null);
  }

  /** @return this, also naming {@code field} (configPath, layer or capability) when {@code value} is known */
  JobFailure at(String field, String value) {
    if (value != null && !value.isEmpty()) {
      where.put(field, value);
    }
    return this;
  }

  JobEvent event(String jobId) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("stage", stage);
    data.put("reason", getMessage());
    data.putAll(where);
    return JobEvent.of(EventType.FAILED, jobId, data);
  }
}
