package io.compactor.bundle.retraindistill.program;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDResource;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An ONNX model run eagerly on NDArrays, node by node in topological order, with gradients for its trainable
 * initializers. Values that depend only on constants and on input shapes (shape subgraphs: Shape, Gather,
 * Unsqueeze, Concat, ... on shapes, and any arithmetic on constants) are computed once per set of input
 * shapes and then reused as constants, so the trained program has static shapes and no gradient passes
 * through them.
 *
 * <p>Native memory: parameters, constants and folded values belong to the program's own manager (closed by
 * {@link #close}); everything a forward pass creates belongs to the manager passed to {@link #forward}. Not
 * thread-safe: one forward pass at a time.
 */
public final class DifferentiableProgram implements AutoCloseable {
  /** Folded values kept for this many input-shape signatures; the oldest is freed beyond. */
  private static final int FOLDED_SIGNATURES = 4;
  private final String model;
  private final NDManager manager;
  private final List<Step> steps;
  private final List<ValueInfo> inputs;
  private final List<String> outputs;
  private final Map<String, NDArray> parameters;
  private final Map<String, NDArray> constants;
  private final Set<NDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());
  private final LinkedHashMap<String, Map<String, NDArray>> folded = new LinkedHashMap<>();

  /** One node with its converter; {@code folded} when it depends on constants and input shapes only. */
  private record Step(Node node, OpConverter converter, long opset, boolean folded) {}

  private DifferentiableProgram(String model, NDManager manager, List<Step> steps, List<ValueInfo> inputs,
      List<String> outputs, Map<String, NDArray> parameters, Map<String, NDArray> constants) {
    this.model = model;
    this.manager = manager;
    this.steps = steps;
    this.inputs = inputs;
    this.outputs = outputs;
    this.parameters = parameters;
    this.constants = constants;
    owned.addAll(parameters.values());
    owned.addAll(constants.values());
  }

  /**
   * Builds the program. The model is copied (Constant nodes become initializers); it is not changed.
   *
   * @param model the model
   * @param trainable the float initializers to train: they get gradients; every other initializer is a constant
   * @param parent the manager the program's own manager is created under (its engine must be PyTorch)
   * @param registry the converters
   * @return the program; close it
   * @throws UnsupportedOperatorsException naming every node that cannot be run
   * @throws ModelException when a trainable name is not a float initializer of the model
   */
  public static DifferentiableProgram build(OnnxModel model, Set<String> trainable, NDManager parent,
      ConverterRegistry registry) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(trainable, "trainable");
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(registry, "registry");
    List<UnsupportedNode> unsupported = registry.unsupported(model);
    if (!unsupported.isEmpty()) {
      throw new UnsupportedOperatorsException(model.source(), unsupported);
    }
    OnnxModel copy = model.copy();
    Graph g = copy.graph();
    g.normalizeConstants();
    for (String name : trainable) {
      if (!g.hasInitializer(name) || g.initializerTypeCode(name) != 1) {
        throw new ModelException(model.source(), name, "cannot be trained: only FLOAT initializers can, and the "
            + "model has no such initializer; choose from its weights (Trainables.weights)");
      }
    }
    NDManager manager = parent.newSubManager();
    try {
      Map<String, NDArray> parameters = new LinkedHashMap<>();
      Map<String, NDArray> constants = new HashMap<>();
      for (String name : g.initializerNames()) {
        NDArray value = NdTensors.toNd(manager, g.initializer(name).orElseThrow());
        value.setName(name);
        if (trainable.contains(name)) {
          value.setRequiresGradient(true);
          parameters.put(name, value);
        } else {
          constants.put(name, value);
        }
      }
      List<Step> steps = plan(copy, registry, constants.keySet());
      List<String> outs = g.outputs().stream().map(ValueInfo::name).toList();
      return new DifferentiableProgram(model.source(), manager, steps, g.runtimeInputs(), outs, parameters,
          constants);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Orders the nodes and marks those whose outputs depend only on constants and input shapes. */
  private static List<Step> plan(OnnxModel model, ConverterRegistry registry, Set<String> constants) {
    Set<String> fixed = new java.util.HashSet<>(constants);
    List<Step> steps = new ArrayList<>();
    for (Node n : model.graph().topologicalOrder()) {
      long opset = ConverterRegistry.opsetOf(model, n.domain());
      OpConverter converter = registry.lookup(n.domain(), n.opType(), opset).orElseThrow();
      boolean shapeOnly = n.opType().equals("Shape") || n.opType().equals("Size");
      boolean isFolded = shapeOnly || n.inputs().stream().allMatch(v -> v.isEmpty() || fixed.contains(v));
      if (isFolded) {
        n.outputs().stream().filter(v -> !v.isEmpty()).forEach(fixed::add);
      }
      steps.add(new Step(n, converter, opset, isFolded));
    }
    return List.copyOf(steps);
  }

  /** @return the trainable initializers by name, in model order; they require gradients */
  public Map<String, NDArray> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /** @return the graph inputs a caller feeds */
  public List<ValueInfo> inputs() {
    return List.copyOf(inputs);
  }

  /** @return the graph outputs, in model order */
  public List<String> outputs() {
    return outputs;
  }

  /** @return how many nodes run on every forward pass and how many are folded per input shapes */
  public String describe() {
    long folded = steps.stream().filter(Step::folded).count();
    return steps.size() + " nodes: " + (steps.size() - folded) + " run per batch, " + folded + " folded; "
        + parameters.size() + " trainable initializers";
  }

  /** @return the current value of every trainable initializer, copied out of native memory */
  public Map<String, Tensor> trainedInitializers() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    parameters.forEach((name, value) -> out.put(name, NdTensors.toTensor(value)));
    return out;
  }

  /**
   * Runs the graph.
   *
   * @param scope the manager every array of this pass belongs to; close it after the backward pass
   * @param feeds one array per graph input
   * @return every graph output by name, in model order, belonging to {@code scope}
   * @throws ModelException naming a missing feed or the node whose operator failed
   */
  public Map<String, NDArray> forward(NDManager scope, Map<String, NDArray> feeds) {
    return forward(scope, feeds, (name, value) -> value);
  }

  /** What the graph reads in place of a parameter during one pass (a fake-quantized weight, for instance). */
  @FunctionalInterface
  public interface ParameterView {
    /**
     * @param name the initializer's name
     * @param value the parameter, lent to the pass: operations on it land in the pass's manager
     * @return what the graph reads instead; {@code value} itself to read it unchanged
     */
    NDArray view(String name, NDArray value);
  }

  /**
   * As {@link #forward(NDManager, Map)}, with every parameter read through {@code view}, so gradients reach the
   * parameter through whatever the view computes.
   */
  public Map<String, NDArray> forward(NDManager scope, Map<String, NDArray> feeds, ParameterView view) {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(feeds, "feeds");
    Objects.requireNonNull(view, "view");
    Map<String, NDArray> values = new HashMap<>(constants);
    StringBuilder signature = new StringBuilder();
    for (ValueInfo in : inputs) {
      NDArray feed = feeds.get(in.name());
      if (feed == null) {
        throw new ModelException(model, in.name(), "graph input is not fed; feed " + inputs.stream()
            .map(ValueInfo::name).collect(Collectors.joining(", ")));
      }
      values.put(in.name(), feed);
      signature.append(in.name()).append(feed.getShape()).append(feed.getDataType()).append(';');
    }
    Map<String, NDArray> cached = folded.get(signature.toString());
    boolean fill = cached == null;
    if (fill) {
      cached = new HashMap<>();
    } else {
      values.putAll(cached);
    }
    // ops take the manager of their first operand: lend the program's arrays to the pass so results land there;
    // each array once (a folded value may be a constant or another folded value, and lending an array twice
    // would hand it back to the pass, which frees it)
    Set<NDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    lent.addAll(owned);
    lent.addAll(cached.values());
    scope.tempAttachAll(lent.toArray(NDResource[]::new));
    parameters.forEach((name, value) -> values.put(name, view.view(name, value)));
    for (Step step : steps) {
      if (step.folded() && !fill) {
        continue;
      }
      NDList results = run(step, scope, values);
      List<String> names = step.node().outputs();
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).isEmpty()) {
          continue;
        }
        NDArray r = results.get(i);
        values.put(names.get(i), r);
        if (step.folded()) {
          // the pass keeps using r; the cache keeps its own copy in the program's manager (moving r itself out of
          // a live pass and lending it back let DJL free some of them when the pass closed, on MiniLM)
          cached.put(names.get(i), owned.contains(r) ? r : copyOf(r));
        }
      }
    }
    if (fill) {
      remember(signature.toString(), cached);
    }
    Map<String, NDArray> result = new LinkedHashMap<>();
    for (String out : outputs) {
      result.put(out, values.get(out));
    }
    return result;
  }

  private NDList run(Step step, NDManager scope, Map<String, NDArray> values) {
    Node n = step.node();
    OpContext ctx = new OpContext(scope, model, step.opset());
    List<NDArray> in = new ArrayList<>();
    for (String v : n.inputs()) {
      if (v.isEmpty()) {
        in.add(null);
        continue;
      }
      NDArray value = values.get(v);
      if (value == null) {
        throw ctx.fail(n, "input '" + v + "' has no value; the graph reads a value nothing defines");
      }
      in.add(value);
    }
    NDList results;
    try {
      results = step.converter().apply(n, new OpInputs(n, ctx, in), ctx);
    } catch (ModelException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ctx.fail(n, "libtorch failed on input shapes " + in.stream()
          .map(a -> a == null ? "-" : a.getShape() + " " + a.getDataType()).toList() + ": " + e.getMessage());
    }
    long wanted = n.outputs().stream().filter(o -> !o.isEmpty()).count();
    if (results.size() < n.outputs().size() && wanted > results.size()) {
      throw ctx.fail(n, "the converter produced " + results.size() + " outputs, the node uses " + wanted
          + "; only the first outputs of this operator can be trained");
    }
    return results;
  }

  private NDArray copyOf(NDArray r) {
    NDArray copy = r.duplicate();
    copy.attach(manager);
    return copy;
  }

  private void remember(String signature, Map<String, NDArray> values) {
    folded.put(signature, values);
    if (folded.size() > FOLDED_SIGNATURES) {
      String oldest = folded.keySet().iterator().next();
      folded.remove(oldest).values().stream().filter(v -> !owned.contains(v)).forEach(NDArray::close);
    }
  }

  /** Frees the parameters, constants and folded values. */
  @Override
  public void close() {
    manager.close();
  }
}
