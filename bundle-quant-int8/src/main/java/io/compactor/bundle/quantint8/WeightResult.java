package io.compactor.bundle.quantint8;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the weight phase quantized one layer's weight.
 *
 * @param layer the layer's grid and scales
 * @param rounding why round-to-nearest was used instead of layer-wise retraining; empty when retrained
 * @param reconstruction the layer-wise retraining's statistics (error before and after); empty map when
 *     rounded to nearest
 */
record WeightResult(QuantizedLayer layer, Optional<String> rounding, Map<String, Object> reconstruction) {
  WeightResult {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(rounding, "rounding");
    reconstruction = Collections.unmodifiableMap(new LinkedHashMap<>(reconstruction));
  }

  /** @return this result with the layer's int32 bias recorded */
  WeightResult withLayer(QuantizedLayer q) {
    return new WeightResult(q, rounding, reconstruction);
  }

  /** @return the report's fields, as before the phases were split */
  Map<String, Object> metrics() {
    Map<String, Object> m = new LinkedHashMap<>(reconstruction);
    rounding.ifPresent(r -> m.put("rounding", r));
    m.put("weight_granularity", layer.axis() >= 0 ? "per_channel (axis " + layer.axis() + ")" : "per_tensor");
    m.put("weight_scales", Arrays.stream(layer.scales()).boxed().toList());
    m.put("weight_zero_point", 0);
    m.put("weight_max_code", layer.qmax());
    if (layer.biasScales().isPresent()) {
      m.put("bias", "int32 (scale = input scale × weight scale)");
    }
    return m;
  }

  static List<QuantizedLayer> layers(Map<String, WeightResult> results) {
    return results.values().stream().map(WeightResult::layer).toList();
  }
}
