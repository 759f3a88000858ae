package io.compactor.bundle.prune2of4;

import io.compactor.api.Capabilities;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerProgress;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.WeightMask;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.Fidelity;
import io.compactor.retrain.ColumnGroups;
import io.compactor.retrain.DMatrix;
import io.compactor.retrain.LinearLayer;
import io.compactor.retrain.NmMaskOps;
import io.compactor.retrain.NmPattern;
import io.compactor.retrain.NmPatternCheck;
import io.compactor.retrain.ReconstructionException;
import io.compactor.retrain.SequentialReconstruction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One 2:4 step of one job: decides per layer (skip with reason, already 2:4, reconstruct), runs the
 * sequential reconstruction with progress and cancellation between layers, proves the pattern on every
 * touched weight and assembles the report. Lives only during {@link TwoOfFourMethod#apply}.
 */
final class TwoOfFourStep {
  private static final String CAPABILITY = Capabilities.SPARSITY_2OF4;
  private final StepContext context;
  private final ReconstructionOptions options;
  private final Map<String, TwoOfFourSettings> settings = new LinkedHashMap<>();
  private final LayerProgress progress;

  TwoOfFourStep(StepContext context, ReconstructionOptions options) {
    this.context = context;
    this.options = options;
    this.progress = new LayerProgress(context, CAPABILITY);
  }

  StepResult run() {
    long start = System.nanoTime();
    OnnxModel model = context.model();
    Graph graph = model.graph();
    List<String> toReconstruct = new ArrayList<>();
    List<String> sparse = new ArrayList<>();
    for (LayerTask task : context.layers()) {
      settings.put(task.node(), TwoOfFourSettings.of(task));
    }
    for (LayerTask task : context.layers()) {
      Node node = graph.node(task.node()).orElseThrow(() -> new StepException(CAPABILITY, task.node(),
          "no node of that name in the model; the plan and the model disagree"));
      Eligibility e = TwoOfFourEligibility.check(graph, node);
      if (!e.eligible()) {
        progress.skip(task.node(), "dense", e.reason());
        continue;
      }
      sparse.add(task.node());
      LinearLayer layer = LinearLayer.of(model.source(), graph, node);
      DMatrix w = layer.weights(graph);
      TwoOfFourSettings s = settings.get(task.node());
      ColumnGroups groups = layer.inputChannelGroups(s.pattern().groupSize());
      if (NmMaskOps.satisfies(w, groups, s.pattern())) {
        progress.finish(task.node(), Map.of("status", "unchanged (already 2:4)", "sparsity", sparsity(w)));
      } else if (!options.reconstruct()) {
        NmMaskOps.apply(w, NmMaskOps.magnitudeMask(w, groups, s.pattern()));
        layer.setWeights(graph, w);
        progress.finish(task.node(), Map.of("status", "magnitude", "sparsity", sparsity(w)));
      } else {
        toReconstruct.add(task.node());
      }
    }
    context.throwIfCancelled();
    reconstruct(toReconstruct);
    progress.finishAll();
    try {
      NmPatternCheck.require(model, sparse, NmPattern.M4N2);
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, e.element().orElse(null), "the result breaks the 2:4 pattern, a bug in "
          + "the bundle; " + e.getMessage(), e);
    }
    List<LayerResult> ordered = progress.results();
    List<WeightMask> masks = new ArrayList<>();
    for (String n : sparse) {
      String weight = graph.node(n).orElseThrow().input(1);
      masks.add(WeightMask.ofZeros(n, weight, graph.initializer(weight).orElseThrow()));
    }
    return StepResult.of(summary(sparse, ordered, (System.nanoTime() - start) / 1e9), ordered,
        context.form().withMasks(masks));
  }

  private void reconstruct(List<String> nodes) {
    if (nodes.isEmpty()) {
      return;
    }
    SequentialReconstruction engine = new SequentialReconstruction(context.calibration(), context.batchSize());
    TwoOfFourSolver solver = new TwoOfFourSolver(options, settings::get);
    try {
      progress.guard("calibration data could not be run through the model", () -> engine.run(context.model(),
          context.original(), nodes, (layer, w, bias, stats) -> {
            progress.start(layer.node());
            return solver.solve(layer, w, bias, stats);
          }, SequentialReconstruction.Listener.of(context::throwIfCancelled,
              (layer, update) -> progress.finish(layer.node(), update.metrics()))));
    } catch (StepException e) {
      // a reconstruction failure names its own layer and needs no phase prefix
      if (e.getCause() instanceof ReconstructionException r) {
        throw new StepException(CAPABILITY, r.layer().orElse(progress.current().orElse(null)), r.getMessage(), r);
      }
      throw e;
    }
  }

  private static double sparsity(DMatrix w) {
    return (double) NmMaskOps.zeros(w) / w.data().length;
  }

  private Map<String, Object> summary(List<String> sparse, List<LayerResult> layers, double seconds) {
    Map<String, Object> s = new LinkedHashMap<>();
    long zeros = 0;
    long weights = 0;
    Graph g = context.model().graph();
    for (String node : sparse) {
      float[] w = g.initializer(g.node(node).orElseThrow().input(1)).orElseThrow().floats();
      weights += w.length;
      for (float v : w) {
        zeros += v == 0 ? 1 : 0;
      }
    }
    s.put("pattern", NmPattern.M4N2.amctName());
    s.put("layers", layers.size());
    s.put("layers_sparse", sparse.size());
    s.put("layers_skipped", layers.size() - sparse.size());
    s.put("sparse_weights", weights);
    s.put("sparsity", weights == 0 ? 0.0 : (double) zeros / weights);
    s.put("mean_error_magnitude", mean(layers, "error_magnitude"));
    s.put("mean_error_reconstructed", mean(layers, "error_reconstructed"));
    s.put("calibration_samples", context.calibration().size());
    s.put("seconds", seconds);
    if (!sparse.isEmpty()) {
      Fidelity f = calibrationFidelity();
      s.put("calibration_mean_cosine", f.meanCosine());
      s.put("calibration_top1_agreement", f.top1Agreement());
    }
    return s;
  }

  private static double mean(List<LayerResult> layers, String key) {
    return layers.stream().filter(l -> l.metrics().get(key) instanceof Number)
        .mapToDouble(l -> ((Number) l.metrics().get(key)).doubleValue()).average().orElse(0);
  }

  /** Fidelity of the first graph output to the step's input model on the calibration data. */
  private Fidelity calibrationFidelity() {
    try {
      return Evaluation.outputFidelity(context.original(), context.model(), context.calibration(), context.batchSize());
    } catch (ModelException e) {
      throw new StepException(CAPABILITY, null, "the sparse model cannot run on the calibration data: "
          + e.getMessage(), e);
    }
  }
}
