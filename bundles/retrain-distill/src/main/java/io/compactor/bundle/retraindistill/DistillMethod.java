package io.compactor.bundle.retraindistill;

import ai.djl.engine.Engine;
import io.compactor.api.Capabilities;
import io.compactor.api.CompressionMethod;
import io.compactor.api.RetrainingMethod;
import io.compactor.api.StepContext;
import io.compactor.api.StepException;
import io.compactor.api.StepResult;
import io.compactor.api.UnsupportedOperator;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;
import io.compactor.onnx.graph.OnnxModel;
import java.util.List;
import java.util.Objects;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Capability {@code retrain.distill} (stage {@code retraining}): the whole training form trained end to end on
 * libtorch, distilled from the original FP32 model ({@link DistillStep}). The engine is the host's
 * {@code ai.djl.engine.Engine} service ({@code engine=PyTorch}), taken only when a retraining runs: the host
 * loads libtorch when the service is first obtained, and listing or planning must not pay for that. Stateless.
 */
@Component(service = CompressionMethod.class, property = {
    "compactor.capability=retrain.distill", "compactor.stage=retraining", "service.ranking:Integer=0"})
public final class DistillMethod implements RetrainingMethod {
  private static final ConverterRegistry REGISTRY = ConverterRegistry.standard();

  @Reference(target = "(engine=PyTorch)")
  private ComponentServiceObjects<Engine> engines;

  private final Engine fixed;

  /** The service: the engine comes from the host, when a retraining runs. */
  public DistillMethod() {
    this.fixed = null;
  }

  /** @param engine the PyTorch engine to train on (tests, outside OSGi) */
  public DistillMethod(Engine engine) {
    this.fixed = Objects.requireNonNull(engine, "engine");
  }

  @Override
  public String capability() {
    return Capabilities.RETRAIN_DISTILL;
  }

  @Override
  public List<UnsupportedOperator> unsupportedOperators(OnnxModel model) {
    return REGISTRY.unsupported(Objects.requireNonNull(model, "model")).stream()
        .map(u -> new UnsupportedOperator(u.node(), u.opType(), u.reason())).toList();
  }

  @Override
  public StepResult apply(StepContext context) {
    Objects.requireNonNull(context, "context");
    if (fixed != null) {
      return new DistillStep(context, fixed, REGISTRY).run();
    }
    ComponentServiceObjects<Engine> objects = engines;
    Engine engine = objects == null ? null : objects.getService();
    if (engine == null) {
      throw new StepException(Capabilities.RETRAIN_DISTILL, null, "the host offers no PyTorch engine "
          + "(service ai.djl.engine.Engine, engine=PyTorch); retraining needs the host's libtorch");
    }
    try {
      return new DistillStep(context, engine, REGISTRY).run();
    } finally {
      objects.ungetService(engine);
    }
  }
}
