package io.compactor.core.host.testbundles.slow;

import io.compactor.api.CompressionMethod;
import io.compactor.api.Eligibility;
import io.compactor.api.LayerTask;
import io.compactor.api.Stage;
import io.compactor.api.StepContext;
import io.compactor.api.StepResult;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.Node;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Component;

/**
 * Test bundle {@code test.slow}: a step that reports "started", then waits inside {@link StepContext#layers()}
 * (the test's context blocks there) and, once released, loads a class it has not touched before and returns
 * its own bundle version, so a test sees which revision finished the step.
 */
@Component(property = {"compactor.capability=sparsity.slow", "compactor.stage=sparsity",
    "compactor.op-types=MatMul", "service.ranking:Integer=0"})
public final class SlowMethod implements CompressionMethod {
  @Override
  public String capability() {
    return "sparsity.slow";
  }

  @Override
  public Stage stage() {
    return Stage.SPARSITY;
  }

  @Override
  public Set<String> opTypes() {
    return Set.of("MatMul");
  }

  @Override
  public Eligibility eligibility(Graph graph, Node node) {
    return Eligibility.ELIGIBLE;
  }

  @Override
  public StepResult apply(StepContext context) {
    context.progress(0, 1, "started");
    List<LayerTask> layers = context.layers();
    String version = FrameworkUtil.getBundle(SlowMethod.class).getVersion().toString();
    return StepResult.of(Map.of("version", version, "late", LateLoaded.greeting(), "layers", layers.size()),
        List.of());
  }
}
