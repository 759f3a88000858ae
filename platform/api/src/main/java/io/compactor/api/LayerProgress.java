package io.compactor.api;

import io.compactor.onnx.DataException;
import io.compactor.onnx.ModelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The skeleton every layer-wise step shares: per-layer results collected in task order, progress reported
 * in that order (a layer is reported once it and every layer before it are finished or skipped), the layer
 * now running, and one mapping of failures to a {@link StepException} naming the capability and the layer.
 * One instance per step run; not thread-safe.
 *
 * @since 1.3.0
 */
public final class LayerProgress {
  private final StepContext context;
  private final String capability;
  private final List<String> order = new ArrayList<>();
  private final Map<String, Map<String, Object>> metrics = new LinkedHashMap<>();
  private final Map<String, Boolean> done = new LinkedHashMap<>();
  private int reported;
  private String current;

  /**
   * @param context the step's context; its {@link StepContext#layers()} give the order
   * @param capability the capability, for errors
   */
  public LayerProgress(StepContext context, String capability) {
    this.context = Objects.requireNonNull(context, "context");
    this.capability = Objects.requireNonNull(capability, "capability");
    for (LayerTask t : context.layers()) {
      order.add(t.node());
      metrics.put(t.node(), new LinkedHashMap<>());
    }
  }

  /** @return the capability the step provides */
  public String capability() {
    return capability;
  }

  /** Marks {@code node} as the layer now running, for failures that do not name one. */
  public void start(String node) {
    this.current = node;
  }

  /** @return the layer now running, if any */
  public Optional<String> current() {
    return Optional.ofNullable(current);
  }

  /**
   * @param node a task's node
   * @return the mutable metrics of the layer, for steps that fill them phase by phase
   */
  public Map<String, Object> metrics(String node) {
    return metrics.computeIfAbsent(node, k -> new LinkedHashMap<>());
  }

  /** Merges {@code values} into the layer's metrics, marks it finished and reports progress. */
  public void finish(String node, Map<String, Object> values) {
    metrics(node).putAll(values);
    finish(node);
  }

  /** Marks the layer finished and reports progress up to the first unfinished task. */
  public void finish(String node) {
    done.put(node, true);
    int next = reported;
    while (next < order.size() && done.containsKey(order.get(next))) {
      next++;
    }
    reportUpTo(next);
  }

  /**
   * Leaves a layer uncompressed: a warning {@code "<node>: left <state>, <reason>"}, metrics
   * {@code status: skipped} and {@code reason}, and progress.
   *
   * @param state how the layer stays, e.g. {@code dense}, {@code in float}
   */
  public void skip(String node, String state, String reason) {
    context.warn(node + ": left " + state + ", " + reason);
    finish(node, Map.of("status", "skipped", "reason", reason));
  }

  /** @return whether the layer was skipped */
  public boolean skipped(String node) {
    return "skipped".equals(metrics(node).get("status"));
  }

  /** Reports every task as done, e.g. at the end of the step. */
  public void finishAll() {
    order.forEach(n -> done.put(n, true));
    reportUpTo(order.size());
  }

  /** @return one result per task, in task order */
  public List<LayerResult> results() {
    List<LayerResult> out = new ArrayList<>();
    for (String n : order) {
      out.add(new LayerResult(n, metrics(n)));
    }
    return out;
  }

  /**
   * Runs one phase of the step and maps its failures: a {@link CompactorException} passes unchanged,
   * anything else becomes a {@link StepException} naming the layer (the model error's element, else the
   * current layer) and the phase.
   *
   * @param phase what the phase does, e.g. {@code "calibration data could not be run through the model"}
   * @param work the phase
   * @param <T> its result
   * @return its result
   */
  public <T> T guard(String phase, Supplier<T> work) {
    try {
      return work.get();
    } catch (CompactorException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure(phase, e);
    }
  }

  /** As {@link #guard(String, Supplier)} for a phase without a result. */
  public void guard(String phase, Runnable work) {
    guard(phase, () -> {
      work.run();
      return null;
    });
  }

  /**
   * @param phase what failed
   * @param e the failure
   * @return the step exception to throw, naming the capability and the layer
   */
  public StepException failure(String phase, RuntimeException e) {
    String layer = e instanceof ModelException m ? m.element().orElse(current) : current;
    String what = e instanceof ModelException || e instanceof DataException || e.getMessage() != null
        ? e.getMessage() : e.toString();
    return new StepException(capability, layer, phase + ": " + what, e);
  }

  private void reportUpTo(int end) {
    while (reported < end) {
      String node = order.get(reported++);
      context.progress(reported, order.size(), node);
    }
  }
}
