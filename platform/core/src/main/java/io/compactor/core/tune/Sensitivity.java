package io.compactor.core.tune;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.ActivationCapture;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cheap signals, per operator (per channel group for filter pruning) and candidate: the weights' relative
 * reconstruction error and the cost on the eval data of the method's stand-in ({@link WeightOps}) applied there
 * alone, run in ONNX Runtime. Seconds for a CNN; the bundles' own results come later, end to end, only for the
 * combinations the search must decide between.
 */
final class Sensitivity {
  /** Eval samples the signals use at most: ranking needs far fewer than the verdict. */
  static final int MAX_SAMPLES = 512;

  /**
   * One operator (or channel group) under one candidate.
   *
   * @param nodes the operators changed together: one, or a filter-pruning group whose channels meet at a residual
   * @param opType the first operator's op type
   * @param choice the candidate (one method, no combination)
   * @param weightError ‖W − W'‖ / ‖W‖ of the stand-in, over the operators' weights
   * @param quality the model with only this change, on the eval data
   * @param consumers operators that lose input channels with a filter pruning of {@code nodes}
   */
  record Entry(List<String> nodes, String opType, Choice choice, double weightError, Quality quality,
      List<String> consumers) {
    Entry {
      nodes = List.copyOf(nodes);
      consumers = List.copyOf(consumers);
    }

    /** @return the operator, or the group as {@code first (+n partners)} */
    String node() {
      return nodes.size() == 1 ? nodes.get(0) : nodes.get(0) + " (+" + (nodes.size() - 1) + " residual partners)";
    }

    /** @return the signal the search ranks by: 1 − mean cosine (continuous, unlike top-1 on few samples) */
    double cost() {
      return 1 - quality.meanCosine();
    }
  }

  /**
   * One activation that static INT8 quantizes, quantized alone (a float-fallback candidate).
   *
   * @param target the tensor, its role and its INT8 readers
   * @param range the stand-in range, searched on the calibration data
   * @param quality the model with only this tensor quantized, on the eval data
   */
  record Activation(StaticActivations.Target target, ClipRange.Range range, Quality quality) {
    /** @return the tensor name */
    String tensor() {
      return target.tensor();
    }

    /** @return 1 − mean cosine, as for the operators */
    double cost() {
      return 1 - quality.meanCosine();
    }
  }

  private final OnnxModel model;
  private final Dataset data;
  private final int batchSize;
  private final String output;
  private final Tensor reference;
  private final Optional<Double> accuracy;

  private Sensitivity(OnnxModel model, Dataset eval, int batchSize) {
    this.model = model;
    this.data = eval.limit(Math.min(MAX_SAMPLES, eval.size()));
    this.batchSize = batchSize;
    this.output = model.graph().outputs().get(0).name();
    this.reference = run();
    this.accuracy = data.labels().map(l -> Evaluation.top1Accuracy(reference, l));
  }

  /**
   * @param model the model with constants as initializers; changed while measuring, restored before returning
   * @param operators the operators to measure
   * @param space the candidates allowed
   * @param eval the eval data
   * @param batchSize samples per run
   * @param listener progress
   * @return one entry per operator (group) and candidate, most costly first
   */
  static List<Entry> measure(OnnxModel model, List<Operator> operators, SearchSpace space, Dataset eval,
      int batchSize, TuneListener listener) {
    Sensitivity s = new Sensitivity(model, eval, batchSize);
    List<List<String>> groups = space.filter()
        ? ChannelGroups.of(model.graph(), operators.stream().filter(Operator::filter).map(Operator::node).toList())
        : List.of();
    int total = operators.stream().mapToInt(o -> (space.twoOfFour() && o.twoOfFour() ? 1 : 0)
        + (!space.int8().isEmpty() && o.int8() ? 1 : 0)).sum() + groups.size() * space.filterRatios().size();
    List<Entry> out = new ArrayList<>();
    for (Operator op : operators) {
      if (space.twoOfFour() && op.twoOfFour()) {
        out.add(s.single(op, Choice.twoOfFour()));
        progress(listener, out, total);
      }
      if (!space.int8().isEmpty() && op.int8()) {
        out.add(s.single(op, Choice.NONE.withQuant(Choice.Quant.STATIC)));
        progress(listener, out, total);
      }
    }
    for (List<String> group : groups) {
      String type = operators.stream().filter(o -> o.node().equals(group.get(0))).findFirst().orElseThrow().opType();
      for (double r : space.filterRatios()) {
        out.add(s.filter(group, type, r, operators));
        progress(listener, out, total);
      }
    }
    out.sort(Comparator.comparingDouble(Entry::cost).reversed());
    return out;
  }

  /**
   * The float-fallback candidates of static INT8: per activation the step would quantize, a range searched on the
   * calibration data (one capture pass for the extremes, one for the histograms, every tensor at once), then the
   * model run with only that tensor fake-quantized on that range.
   *
   * @param model the model with constants as initializers; not changed
   * @param targets the activations static INT8 quantizes
   * @param calibration the calibration data (ranges)
   * @param eval the eval data (cost)
   * @param batchSize samples per run
   * @param listener progress
   * @return one entry per tensor, most costly first
   */
  static List<Activation> activations(OnnxModel model, List<StaticActivations.Target> targets, Dataset calibration,
      Dataset eval, int batchSize, TuneListener listener) {
    if (targets.isEmpty()) {
      return List.of();
    }
    Sensitivity s = new Sensitivity(model, eval, batchSize);
    Map<String, ClipRange> ranges = new LinkedHashMap<>();
    targets.forEach(t -> ranges.put(t.tensor(), new ClipRange()));
    List<String> names = List.copyOf(ranges.keySet());
    Dataset calib = calibration.limit(Math.min(MAX_SAMPLES, calibration.size()));
    ActivationCapture.stream(model, names, calib, batchSize, (r, batch) -> batch.forEach((name, t) ->
        ranges.get(name).observe(t.toFloats())));
    ActivationCapture.stream(model, names, calib, batchSize, (r, batch) -> batch.forEach((name, t) ->
        ranges.get(name).add(t.toFloats())));
    List<Activation> out = new ArrayList<>();
    for (StaticActivations.Target t : targets) {
      ClipRange.Range range = ranges.get(t.tensor()).search();
      out.add(new Activation(t, range, s.quality(s.run(fakeQuantized(model, t.tensor(), range)))));
      listener.progress("sensitivity", out.size(), targets.size(), "activation " + t.tensor() + " (" + t.role()
          + ") int8 static: cost " + String.format(Locale.ROOT, "%.5f", out.get(out.size() - 1).cost()));
    }
    out.sort(Comparator.comparingDouble(Activation::cost).reversed());
    return out;
  }

  /**
   * A copy of the model whose readers of {@code tensor} read it on the UINT8 grid of {@code range}, in float
   * operators every opset since 7 has: {@code (Clip(Floor(x / s + zp + ½), 0, 255) − zp) · s}.
   */
  static OnnxModel fakeQuantized(OnnxModel model, String tensor, ClipRange.Range range) {
    OnnxModel copy = model.copy(model.source() + " (" + tensor + " int8)");
    Graph g = copy.graph();
    String base = g.uniqueValueName(tensor + "_standin");
    String scale = base + "_scale";
    String shift = base + "_shift";
    String zero = base + "_zero";
    g.setInitializer(scale, Tensor.ofFloats(new long[0], new float[] {(float) range.scale()}));
    g.setInitializer(shift, Tensor.ofFloats(new long[0], new float[] {(float) (range.zeroPoint() + 0.5)}));
    g.setInitializer(zero, Tensor.ofFloats(new long[0], new float[] {(float) range.zeroPoint()}));
    String out = base + "_out";
    g.replaceUses(tensor, out);
    List<Node> chain = new ArrayList<>();
    chain.add(Node.create("Div", base + "_div", List.of(tensor, scale), List.of(base + "_1")));
    chain.add(Node.create("Add", base + "_add", List.of(base + "_1", shift), List.of(base + "_2")));
    chain.add(Node.create("Floor", base + "_floor", List.of(base + "_2"), List.of(base + "_3")));
    Node clip;
    if (copy.opset() >= 11) {
      String lo = base + "_min";
      String hi = base + "_max";
      g.setInitializer(lo, Tensor.ofFloats(new long[0], new float[] {0}));
      g.setInitializer(hi, Tensor.ofFloats(new long[0], new float[] {255}));
      clip = Node.create("Clip", base + "_clip", List.of(base + "_3", lo, hi), List.of(base + "_4"));
    } else {
      clip = Node.create("Clip", base + "_clip", List.of(base + "_3"), List.of(base + "_4"));
      clip.setAttr("min", 0f);
      clip.setAttr("max", 255f);
    }
    chain.add(clip);
    chain.add(Node.create("Sub", base + "_sub", List.of(base + "_4", zero), List.of(base + "_5")));
    chain.add(Node.create("Mul", base + "_mul", List.of(base + "_5", scale), List.of(out)));
    Optional<Node> producer = g.producer(tensor);
    Node anchor = producer.orElse(null);
    for (Node n : chain) {
      if (anchor == null) {
        g.insertBefore(g.nodes().get(0), n);
      } else {
        g.insertAfter(anchor, n);
      }
      anchor = n;
    }
    return copy;
  }

  private static void progress(TuneListener listener, List<Entry> done, int total) {
    Entry e = done.get(done.size() - 1);
    listener.progress("sensitivity", done.size(), total,
        e.node() + " " + e.choice().label() + ": cost " + String.format(Locale.ROOT, "%.5f", e.cost()));
  }

  /** 2:4 or INT8 weights on one operator (INT8: an embedding table's rows too). */
  private Entry single(Operator op, Choice c) {
    Node node = model.graph().node(op.node()).orElseThrow();
    String input = node.input(Operators.weightInput(op.opType()));
    Tensor weight = model.graph().initializer(input).orElseThrow();
    float[] w = weight.toFloats();
    long[] dims = weight.shape();
    float[] changed = c.sparsity() == Choice.Sparsity.TWO_OF_FOUR
        ? WeightOps.twoOfFour(w, dims, inputAxis(node, dims.length))
        : WeightOps.int8(w, dims, outputAxis(node, dims.length));
    Map<String, Tensor> change = Map.of(input, Tensor.ofFloats(dims, changed));
    return new Entry(List.of(op.node()), op.opType(), c, WeightOps.relativeError(w, changed), measure(change),
        List.of());
  }

  /** The lowest-scoring channels of a group zeroed in every member (score: the members' normalized L2 norms). */
  private Entry filter(List<String> group, String opType, double ratio, List<Operator> operators) {
    Graph g = model.graph();
    double[] score = null;
    for (String name : group) {
      Node node = g.node(name).orElseThrow();
      Tensor weight = g.initializer(node.input(1)).orElseThrow();
      int axis = outputAxis(node, weight.rank());
      double[] norms = WeightOps.channelNorms(weight.toFloats(), weight.shape(), axis);
      if (score == null) {
        score = new double[norms.length];
      }
      if (norms.length != score.length) {
        score = null;  // partners of different widths: each member chooses alone
        break;
      }
      double sum = java.util.Arrays.stream(norms).sum();
      for (int c = 0; c < norms.length; c++) {
        score[c] += sum == 0 ? 0 : norms[c] / sum;
      }
    }
    Map<String, Tensor> change = new LinkedHashMap<>();
    double diff = 0;
    double norm = 0;
    for (String name : group) {
      Node node = g.node(name).orElseThrow();
      Tensor weight = g.initializer(node.input(1)).orElseThrow();
      float[] w = weight.toFloats();
      int axis = outputAxis(node, weight.rank());
      int[] channels = score != null ? WeightOps.lowest(score, ratio)
          : WeightOps.lowest(WeightOps.channelNorms(w, weight.shape(), axis), ratio);
      float[] changed = WeightOps.zeroChannels(w, weight.shape(), axis, channels);
      change.put(node.input(1), Tensor.ofFloats(weight.shape(), changed));
      if (node.inputs().size() > 2 && !node.input(2).isEmpty()) {
        g.initializer(node.input(2)).filter(b -> b.size() == weight.dim(axis)).ifPresent(b ->
            change.put(node.input(2), Tensor.ofFloats(b.shape(), WeightOps.zeroChannels(b.toFloats(), b.shape(), 0,
                channels))));
      }
      double e = WeightOps.relativeError(w, changed);
      double n2 = WeightOps.squaredNorm(w);
      diff += e * e * n2;
      norm += n2;
    }
    Set<String> all = operators.stream().map(Operator::node).collect(Collectors.toSet());
    List<String> consumers = group.stream().flatMap(p -> ChannelGroups.consumers(g, p, all).stream()).distinct()
        .toList();
    return new Entry(group, opType, Choice.filter(ratio), norm == 0 ? 0 : Math.sqrt(diff / norm), measure(change),
        consumers);
  }

  /** Runs the model with some initializers replaced, then puts the originals back. */
  private Quality measure(Map<String, Tensor> change) {
    Graph g = model.graph();
    Map<String, Tensor> saved = new LinkedHashMap<>();
    change.keySet().forEach(k -> saved.put(k, g.initializer(k).orElseThrow()));
    Tensor after;
    try {
      change.forEach(g::setInitializer);
      after = run();
    } finally {
      saved.forEach(g::setInitializer);
    }
    return quality(after);
  }

  private Quality quality(Tensor after) {
    double cosine = Evaluation.fidelity(reference, after).meanCosine();
    Optional<Double> drop = accuracy.map(a -> 100 * (a - Evaluation.top1Accuracy(after, data.labels().get())));
    return Quality.measured(drop, cosine);
  }

  private Tensor run() {
    return run(model);
  }

  private Tensor run(OnnxModel m) {
    try (ModelSession s = ModelSession.open(m)) {
      return Evaluation.runAll(s, data, batchSize).get(output);
    }
  }

  /**
   * Output channels: Conv axis 0, ConvTranspose 1, Gemm 0 with transB else 1, MatMul the last axis; a table's
   * columns (the last axis), one scale each as the INT8 bundle stores it.
   */
  static int outputAxis(Node node, int rank) {
    return switch (node.opType()) {
      case "Conv" -> 0;
      case "ConvTranspose" -> 1;
      case "Gemm" -> node.attrInt("transB", 0) == 1 ? 0 : 1;
      default -> rank - 1;
    };
  }

  /** Input channels, along which 2:4 groups run. */
  static int inputAxis(Node node, int rank) {
    return switch (node.opType()) {
      case "Conv" -> 1;
      case "ConvTranspose" -> 0;
      case "Gemm" -> node.attrInt("transB", 0) == 1 ? 1 : 0;
      default -> rank - 2;
    };
  }
}
