package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerProgress;
import io.compactor.api.LayerQuantization;
import io.compactor.api.LayerResult;
import io.compactor.api.LayerTask;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One INT8 step of one job, in phases: decide per layer (skip with reason, static or dynamic activations,
 * per-channel or per-tensor weights), calibrate activation ranges and insert their fake quantization
 * ({@link ActivationPhase}), put the weights on their int8 grids, retrained layer by layer, and snap biases
 * ({@link WeightPhase}), then build the training form ({@link FormCodec}). The deploy model is built once
 * per job, by {@link Int8Export} when the chain exports the final (possibly retrained) form. Embedding tables
 * ({@link EmbeddingTable}) take no calibration: they go onto their grid after the weight phase. Per-layer
 * results are typed ({@link ActivationResult}, {@link WeightResult})
 * and become report fields only at the end. Lives only during {@link QuantInt8Method#apply}.
 */
final class QuantInt8Step {
  private static final String CAPABILITY = Capabilities.QUANT_INT8;
  private final StepContext context;
  private final QuantOptions options;
  private final Int8Layers decisions = new Int8Layers();
  private final LayerProgress progress;

  QuantInt8Step(StepContext context, QuantOptions options) {
    this.context = context;
    this.options = options;
    this.progress = new LayerProgress(context, CAPABILITY);
  }

  StepResult run() {
    long start = System.nanoTime();
    OnnxModel model = context.model();
    Graph graph = model.graph();
    long opsetBefore = model.opset();
    List<String> all = decide(graph);
    List<String> tables = all.stream().filter(n -> graph.node(n).orElseThrow().opType().equals(EmbeddingTable.OP_TYPE))
        .toList();
    List<String> layers = all.stream().filter(n -> !tables.contains(n)).toList();
    requireBatches(layers);
    List<String> twoOfFour = TwoOfFourProof.holding(graph, layers);
    int foldedBatchNorms = options.foldBatchNorm() && !layers.isEmpty() ? BatchNormFold.apply(graph) : 0;
    upgradeOpset(model, layers); // tables take per-column scales at any opset (QdqExport)
    context.throwIfCancelled();
    ActivationPhase calibration = new ActivationPhase(context, options, decisions);
    Map<String, ActivationResult> activations = calibration.run(model, layers);
    context.throwIfCancelled();
    Map<String, WeightResult> weights = new LinkedHashMap<>(new WeightPhase(context, options, decisions, progress)
        .run(model, layers, activations));
    for (String n : tables) {
      progress.start(n);
      QuantizedLayer q = EmbeddingTable.quantize(graph, graph.node(n).orElseThrow(), decisions.perChannel(n));
      weights.put(n, new WeightResult(q, Optional.of("nearest (embedding table: largest magnitude per "
          + (q.axis() >= 0 ? "column" : "table") + ")"), Map.of()));
      progress.finish(n);
    }
    List<QuantizedLayer> quantized = WeightResult.layers(weights);
    // the weights on their grids; the int8 codes are proven when the chain exports the (retrained) form
    TwoOfFourProof.require(model, twoOfFour);
    progress.finishAll();
    for (String n : all) {
      Map<String, Object> m = progress.metrics(n);
      m.put("status", "quantized");
      Optional.ofNullable(calibration.equalization().get(n)).ifPresent(e -> {
        m.put("equalization_alpha", e.alpha());
        m.put("equalization_division", e.division().name().toLowerCase(Locale.ROOT));
        m.put("equalization_input", e.value());
        m.put("equalization_channels", e.channels());
      });
      Optional.ofNullable(activations.get(n)).ifPresent(a -> m.putAll(a.metrics()));
      m.putAll(weights.get(n).metrics());
    }
    List<LayerResult> results = progress.results();
    Map<String, Object> summary = new LinkedHashMap<>(new StepSummary(context).summarize(model, quantized, results,
        opsetBefore, (System.nanoTime() - start) / 1e9));
    summary.put("batchnorm_folded", foldedBatchNorms);
    summary.put("two_of_four_layers_kept", twoOfFour.size());
    List<LayerQuantization> form = new ArrayList<>();
    quantized.forEach(q -> form.add(FormCodec.describe(graph, q)));
    return StepResult.of(summary, results, context.form().withQuantization(form));
  }

  /** @return the layers that take INT8, in task order; the others are reported as skipped with the reason */
  private List<String> decide(Graph graph) {
    List<String> layers = new ArrayList<>();
    for (LayerTask task : context.layers()) {
      Node node = graph.node(task.node()).orElseThrow(() -> new StepException(CAPABILITY, task.node(),
          "no node of that name in the model; the plan and the model disagree"));
      Int8Settings s = Int8Settings.of(task);
      decisions.put(task.node(), s);
      boolean table = node.opType().equals(EmbeddingTable.OP_TYPE);
      Eligibility e = table ? EmbeddingTable.check(graph, node)
          : WeightInput.check(graph, node, QuantInt8Method.WEIGHT_OP_TYPES);
      if (e.eligible() && s.channelWise() && !node.opType().startsWith("Conv") && !table) {
        e = Eligibility.ineligible("channel_wise is true on " + node.opType() + "; AMCT allows per-channel weights on "
            + "Conv and ConvTranspose only, set channel_wise: false for this layer");
      }
      if (!e.eligible()) {
        progress.skip(task.node(), "in float", e.reason());
        continue;
      }
      layers.add(task.node());
    }
    return layers;
  }

  private void requireBatches(List<String> layers) {
    int batches = context.calibration().batchRanges(context.batchSize()).size();
    for (String n : layers) {
      int need = decisions.get(n).batchNum();
      if (batches < need) {
        throw new StepException(CAPABILITY, n, "batch_num is " + need + " but the calibration data holds only "
            + batches + " batch(es) of " + context.batchSize() + " samples (" + context.calibration().size()
            + " samples); add calibration samples or lower batch_num");
      }
    }
  }

  /** Raises the opset for the QDQ operators; per-channel layers fall back to per-tensor if it cannot be. */
  private void upgradeOpset(OnnxModel model, List<String> layers) {
    Graph g = model.graph();
    boolean perAxis = layers.stream().anyMatch(decisions::perChannel);
    boolean dynamic = layers.stream().anyMatch(n -> decisions.dynamic(g, n));
    long need = perAxis ? 13 : dynamic ? 11 : 10;
    Optional<String> obstacle = OpsetUpgrade.obstacle(model, need);
    if (obstacle.isPresent() && perAxis) {
      for (String n : layers) {
        if (decisions.perChannel(n)) {
          decisions.perTensor(n);
        }
      }
      context.warn("per-channel weights need opset 13 for per-axis DequantizeLinear, but the model is opset "
          + model.opset() + " and " + obstacle.get() + "; channel_wise layers are quantized per tensor instead");
      need = dynamic ? 11 : 10;
      obstacle = OpsetUpgrade.obstacle(model, need);
    }
    if (obstacle.isPresent()) {
      throw new StepException(CAPABILITY, null, "the model is opset " + model.opset() + " but INT8 operators need "
          + "opset " + need + ", and " + obstacle.get() + "; convert the model to opset " + need + " first");
    }
    OpsetUpgrade.apply(model, need);
  }
}
