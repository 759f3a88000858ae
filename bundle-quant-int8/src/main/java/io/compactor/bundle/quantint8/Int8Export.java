package io.compactor.bundle.quantint8;

import io.compactor.api.Capabilities;
import io.compactor.api.LayerQuantization;
import io.compactor.api.StepException;
import io.compactor.api.TrainingForm;
import io.compactor.api.WeightMask;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The export phase, the one place the deploy model is built (once per job, from the final, possibly retrained,
 * training form): the form becomes the INT8 deploy model. Every mask of the form is proven first on the float
 * weights (a held entry is exactly zero, and zero quantizes to code 0 on every symmetric grid), and the 2:4
 * pattern of every layer that holds it is proven again on the int8 codes of the deploy model.
 */
final class Int8Export {
  private final TrainingForm form;

  Int8Export(TrainingForm form) {
    this.form = form;
  }

  OnnxModel run() {
    OnnxModel model = form.model();
    Graph g = model.graph();
    for (WeightMask mask : form.masks().values()) {
      Tensor w = g.initializer(mask.weight()).orElseThrow(() -> new StepException(Capabilities.QUANT_INT8,
          mask.node(), "cannot export: masked weight " + mask.weight() + " is not in the model"));
      int bad = mask.firstViolation(w.toFloats());
      if (bad >= 0) {
        throw new StepException(Capabilities.QUANT_INT8, mask.node(), "cannot export: weight " + mask.weight()
            + " entry " + bad + " must stay zero (a sparsity step zeroed it) but is " + w.toFloats()[bad]);
      }
    }
    if (!form.quantized()) {
      return model.copy(model.source() + " (INT8 QDQ)");
    }
    List<QuantizedLayer> layers = new ArrayList<>();
    for (LayerQuantization l : form.quantization().values()) {
      layers.add(FormCodec.read(g, l));
    }
    List<String> twoOfFour = TwoOfFourProof.holding(g, layers.stream().map(QuantizedLayer::node).toList());
    OnnxModel deploy;
    try {
      deploy = QdqExport.export(model, layers);
    } catch (ModelException e) {
      throw new StepException(Capabilities.QUANT_INT8, e.element().orElse(null), "cannot export the deploy model: "
          + e.getMessage(), e);
    }
    TwoOfFourProof.require(deploy, twoOfFour);
    return deploy;
  }
}
