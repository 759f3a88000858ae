package io.compactor.bundle.prunefilter;

import io.compactor.api.Capabilities;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerProgress;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.ReconstructionException;
import io.compactor.retrain.SequentialReconstruction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One filter-pruning step of one job: builds the channel groups, decides per group (prune, or keep with the
 * reason), removes the chosen channels physically, re-fits the consumers in topological order with progress
 * and cancellation between layers, and assembles the report. Lives only during {@link FilterPruneMethod#apply}.
 */
final class FilterPruneStep {
  private static final String CAPABILITY = Capabilities.SPARSITY_FILTER;
  private final StepContext context;
  private final FilterPruneOptions options;
  private final Map<String, FilterPruneSettings> settings = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> results = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> consumerResults = new LinkedHashMap<>();
  private final List<String> order = new ArrayList<>();
  private final Set<String> waiting = new HashSet<>();
  private final LayerProgress progress;

  FilterPruneStep(StepContext context, FilterPruneOptions options) {
    this.context = context;
    this.options = options;
    this.progress = new LayerProgress(context, CAPABILITY);
  }

  /** A group's decision. */
  private record Decision(ChannelGroup group, int kept, int[] removed, double ratio, boolean ascend, String reason) {
    boolean pruned() {
      return removed.length > 0;
    }
  }

  StepResult run() {
    long start = System.nanoTime();
    OnnxModel model = context.model();
    Graph graph = model.graph();
    Set<String> enabled = new LinkedHashSet<>();
    for (LayerTask task : context.layers()) {
      order.add(task.node());
      settings.put(task.node(), FilterPruneSettings.of(task));
    }
    for (LayerTask task : context.layers()) {
      Node node = graph.node(task.node()).orElseThrow(() -> new StepException(CAPABILITY, task.node(),
          "no node of that name in the model; the plan and the model disagree"));
      Eligibility e = FilterProducer.check(graph, node, ChannelOps.PRODUCERS);
      if (e.eligible()) {
        enabled.add(task.node());
      } else {
        context.warn(task.node() + ": not pruned, " + e.reason());
        results.put(task.node(), new LinkedHashMap<>(Map.of("status", "skipped", "reason", e.reason())));
      }
    }
    List<ChannelGroup> groups = ChannelPropagation.analyse(model);
    ModelCost before = ModelCost.of(model, context.calibration());
    List<Decision> decisions = new ArrayList<>();
    for (ChannelGroup g : groups) {
      if (g.producers().stream().anyMatch(enabled::contains)) {
        decisions.add(decide(g, enabled));
      }
    }
    ChannelRemoval removal = new ChannelRemoval(model);
    List<Map<String, Object>> groupReports = new ArrayList<>();
    for (Decision d : decisions) {
      if (d.pruned()) {
        removal.remove(d.group(), d.removed());
      }
    }
    for (Decision d : decisions) {
      groupReports.add(groupReport(d, graph, before));
      recordProducers(d);
    }
    removal.apply();
    context.throwIfCancelled();

    Map<String, int[]> keptOutputs = new LinkedHashMap<>();
    List<String> refit = new ArrayList<>();
    collectRefitTargets(decisions, graph, refit, keptOutputs);
    waiting.addAll(refit);
    reportReady();
    if (options.refit() && !refit.isEmpty()) {
      refit(model, refit, keptOutputs);
    } else {
      refit.forEach(n -> note(n, Map.of("refit", "off")));
    }
    waiting.clear();
    reportReady();

    ModelCost after = ModelCost.of(model, context.calibration());
    List<LayerResult> layers = new ArrayList<>();
    order.forEach(n -> layers.add(new LayerResult(n, results.get(n))));
    consumerResults.forEach((n, m) -> layers.add(new LayerResult(n, m)));
    // removed channels are gone from the tensors: nothing to mask, but the pruned and re-fitted layers count
    // as compressed for retraining with train: COMPRESSED
    List<String> changed = new ArrayList<>(refit);
    decisions.stream().filter(d -> d.removed().length > 0).flatMap(d -> d.group().producers().stream())
        .forEach(changed::add);
    return StepResult.of(summary(decisions, groupReports, before, after, layers, (System.nanoTime() - start) / 1e9),
        layers, context.form().withCompressed(changed));
  }

  private Decision decide(ChannelGroup g, Set<String> enabled) {
    if (!g.prunable()) {
      return new Decision(g, g.width(), new int[0], 0, false, String.join("; ", g.blocked()));
    }
    List<String> missing = g.producers().stream().filter(p -> !enabled.contains(p)).toList();
    if (!missing.isEmpty()) {
      return new Decision(g, g.width(), new int[0], 0, false, "its channels are shared with " + missing
          + ", which this step does not prune (not planned for sparsity.filter, or ineligible); residual partners "
          + "are pruned together or not at all");
    }
    double ratio = g.producers().stream().mapToDouble(p -> settings.get(p).pruneRatio()).min().orElseThrow();
    boolean ascend = g.producers().stream().anyMatch(p -> settings.get(p).ascendOptimized());
    int kept = ChannelSelection.keptCount(g.width(), ratio, ascend, g.balance());
    if (kept >= g.width()) {
      return new Decision(g, kept, new int[0], ratio, ascend, "nothing to remove: keeping " + kept + " of "
          + g.width() + " channels" + (ascend ? " after rounding up to a multiple of "
          + ChannelSelection.ASCEND_ALIGNMENT + " (ascend_optimized)" : "")
          + (g.balance() > 1 ? ", balanced over " + g.balance() + " groups of a grouped convolution" : ""));
    }
    int[] removed = ChannelSelection.removed(ChannelSelection.scores(context.model().graph(), g), kept,
        g.balance());
    return new Decision(g, kept, removed, ratio, ascend, "");
  }

  private void recordProducers(Decision d) {
    for (String p : d.group().producers()) {
      if (!settings.containsKey(p)) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", d.pruned() ? "pruned" : "kept");
      m.put("group", d.group().id());
      m.put("channels_before", d.group().width());
      m.put("channels_after", d.pruned() ? d.kept() : d.group().width());
      m.put("prune_ratio", settings.get(p).pruneRatio());
      m.put("effective_ratio", d.pruned() ? (double) d.removed().length / d.group().width() : 0.0);
      if (d.group().producers().size() > 1) {
        m.put("pruned_with", d.group().producers().stream().filter(q -> !q.equals(p)).toList());
      }
      if (!d.pruned()) {
        m.put("reason", d.reason());
        context.warn(p + ": filters kept, " + d.reason());
      }
      results.put(p, m);
    }
  }

  /** Consumers of removed channels with a linear view; the ones whose own filters were pruned keep a subset. */
  private void collectRefitTargets(List<Decision> decisions, Graph graph, List<String> refit,
      Map<String, int[]> keptOutputs) {
    Map<String, Decision> byProducer = new LinkedHashMap<>();
    decisions.forEach(d -> d.group().producers().forEach(p -> byProducer.put(p, d)));
    Set<String> targets = new LinkedHashSet<>();
    decisions.stream().filter(Decision::pruned).forEach(d -> targets.addAll(d.group().consumers()));
    for (String c : targets) {
      Node node = graph.node(c).orElseThrow();
      Optional<String> why = LinearLayer.unsupported(graph, node);
      if (why.isPresent()) {
        note(c, Map.of("refit", "not re-fitted: " + why.get()));
        continue;
      }
      refit.add(c);
      Decision own = byProducer.get(c);
      if (own != null && own.pruned()) {
        keptOutputs.put(c, complement(own.removed(), own.group().width()));
      }
    }
  }

  private static int[] complement(int[] removed, int width) {
    Set<Integer> gone = new HashSet<>();
    for (int r : removed) {
      gone.add(r);
    }
    return java.util.stream.IntStream.range(0, width).filter(c -> !gone.contains(c)).toArray();
  }

  private void refit(OnnxModel model, List<String> targets, Map<String, int[]> keptOutputs) {
    SequentialReconstruction engine = new SequentialReconstruction(context.calibration(), context.batchSize());
    ConsumerRefit fit = new ConsumerRefit(options.relativeDamping());
    try {
      progress.guard("calibration data could not be run through the pruned model", () -> {
        OnnxModel reference = ConsumerRefit.reference(context.original(), model, keptOutputs);
        engine.run(model, reference, targets, (layer, w, bias, stats) -> {
          progress.start(layer.node());
          return fit.solve(layer, w, bias, stats);
        }, SequentialReconstruction.Listener.of(context::throwIfCancelled, (layer, update) -> {
          note(layer.node(), update.metrics());
          waiting.remove(layer.node());
          reportReady();
        }));
      });
    } catch (StepException e) {
      // a reconstruction failure names its own layer and needs no phase prefix
      if (e.getCause() instanceof ReconstructionException r) {
        throw new StepException(CAPABILITY, r.layer().orElse(progress.current().orElse(null)), r.getMessage(), r);
      }
      throw e;
    }
  }

  /** Adds metrics to a task's result, or to a consumer outside the task list. */
  private void note(String node, Map<String, Object> metrics) {
    Map<String, Object> m = results.containsKey(node) ? results.get(node)
        : consumerResults.computeIfAbsent(node, k -> new LinkedHashMap<>(Map.of("status", "re-fitted consumer")));
    m.putAll(metrics);
  }

  /**
   * Marks every task with a result that no re-fit is still pending for as finished; the shared skeleton
   * reports them in task order.
   */
  private void reportReady() {
    for (String node : order) {
      if (results.containsKey(node) && !waiting.contains(node)) {
        progress.finish(node);
      }
    }
  }

  private Map<String, Object> groupReport(Decision d, Graph graph, ModelCost before) {
    Map<String, Object> r = new LinkedHashMap<>();
    ChannelGroup g = d.group();
    r.put("group", g.id());
    r.put("producers", g.producers());
    r.put("consumers", g.consumers());
    r.put("channels_before", g.width());
    r.put("channels_after", d.pruned() ? d.kept() : g.width());
    r.put("status", d.pruned() ? "pruned" : "kept");
    if (d.pruned()) {
      r.put("prune_ratio", d.ratio());
      r.put("ascend_optimized", d.ascend());
      r.put("effective_ratio", (double) d.removed().length / g.width());
      long params = 0;
      double macs = 0;
      for (GroupMember m : g.members()) {
        Node node = graph.node(m.node()).orElseThrow();
        for (Cut c : m.cuts()) {
          long[] shape = graph.initializerShape(c.tensor()).orElseThrow();
          double share = (double) d.removed().length * c.block() / ((double) shape[c.axis()] * c.groups());
          params += Math.round(Tensor.elementCount(shape) * share);
          if (c.tensor().equals(node.input(1)) && before.macsPerNode().containsKey(m.node())) {
            macs += before.macsPerNode().get(m.node()) * share;
          }
        }
      }
      r.put("params_removed", params);
      r.put("macs_removed", Math.round(macs));
    } else {
      r.put("reason", d.reason());
    }
    return r;
  }

  private Map<String, Object> summary(List<Decision> decisions, List<Map<String, Object>> groups, ModelCost before,
      ModelCost after, List<LayerResult> layers, double seconds) {
    Map<String, Object> s = new LinkedHashMap<>();
    long pruned = decisions.stream().filter(Decision::pruned).count();
    s.put("layers", order.size());
    s.put("groups", decisions.size());
    s.put("groups_pruned", pruned);
    s.put("groups_kept", decisions.size() - pruned);
    s.put("channels_before", decisions.stream().mapToLong(d -> d.group().width()).sum());
    s.put("channels_after", decisions.stream().mapToLong(d -> d.pruned() ? d.kept() : d.group().width()).sum());
    s.put("params_before", before.parameters());
    s.put("params_after", after.parameters());
    s.put("macs_before", before.macs());
    s.put("macs_after", after.macs());
    s.put("model_bytes_before", before.bytes());
    s.put("model_bytes_after", after.bytes());
    List<Double> errBefore = new ArrayList<>();
    List<Double> errAfter = new ArrayList<>();
    for (LayerResult l : layers) {
      if (l.metrics().get("error_before_refit") instanceof Number b && l.metrics().get("error_after_refit")
          instanceof Number a) {
        errBefore.add(b.doubleValue());
        errAfter.add(a.doubleValue());
      }
    }
    s.put("layers_refitted", errBefore.size());
    s.put("mean_error_before_refit", errBefore.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    s.put("mean_error_after_refit", errAfter.stream().mapToDouble(Double::doubleValue).average().orElse(0));
    s.put("calibration_samples", context.calibration().size());
    s.put("group_report", groups);
    s.put("seconds", seconds);
    if (pruned > 0) {
      Fidelity f = calibrationFidelity();
      s.put("calibration_mean_cosine", f.meanCosine());
      s.put("calibration_top1_agreement", f.top1Agreement());
    }
    return s;
  }

  /** Fidelity of the first graph output to the step's input model on the calibration data. */
  private Fidelity calibrationFidelity() {
    try {
      return Evaluation.outputFidelity(context.original(), context.model(), context.calibration(), context.batchSize());
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, null, "the pruned model cannot run on the calibration data: "
          + e.getMessage(), e);
    }
  }
}
