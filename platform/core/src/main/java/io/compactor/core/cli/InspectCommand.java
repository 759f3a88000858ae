package io.compactor.core.cli;

import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints what Compactor sees in a model: opset, inputs, outputs, operators, initializers. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Loads an ONNX model and prints its opset, inputs, outputs and operator counts.")
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "The ONNX model.")
  Path model;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    OnnxModel m = OnnxModel.load(model);
    int constants = m.graph().normalizeConstants();
    Graph g = m.graph();
    out.printf("model      %s%n", model);
    out.printf("opset      %d (IR %d)%n", m.opset(), m.irVersion());
    out.printf("inputs     %s%n", g.runtimeInputs());
    out.printf("outputs    %s%n", g.outputs());
    long weights = g.initializerNames().stream()
        .mapToLong(n -> g.initializerShape(n).map(Tensor::elementCount).orElse(0L)).sum();
    out.printf("weights    %d initializers, %,d elements (%d Constant nodes normalized)%n",
        g.initializerNames().size(), weights, constants);
    Map<String, Integer> ops = new TreeMap<>();
    for (Node n : g.nodes()) {
      ops.merge(n.opType(), 1, Integer::sum);
    }
    out.printf("operators  %d: %s%n", g.nodes().size(), ops);
    out.printf("loaded in  %d ms%n", (System.nanoTime() - start) / 1_000_000);
    out.flush();
    return 0;
  }
}
