package io.compactor.bundle.quantint8;

import io.compactor.retrain.ActivationRange;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the calibration phase quantized one layer's input activation.
 *
 * @param input the activation the layer reads
 * @param kind static, dynamic (per run), or float (a float activation: not quantized)
 * @param range the static range; empty unless static
 * @param observed the observed extremes on the calibration data (static only)
 * @param fixedMin whether the lower bound was pinned at 0 (static only)
 */
record ActivationResult(String input, QuantizedLayer.Input kind, Optional<ActivationRange> range,
    Optional<ActivationRange> observed, boolean fixedMin) {
  ActivationResult {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(observed, "observed");
  }

  static ActivationResult statical(String input, ActivationRange range, ActivationRange observed, boolean fixedMin) {
    return new ActivationResult(input, QuantizedLayer.Input.STATIC, Optional.of(range), Optional.of(observed),
        fixedMin);
  }

  static ActivationResult dynamic(String input) {
    return new ActivationResult(input, QuantizedLayer.Input.DYNAMIC, Optional.empty(), Optional.empty(), false);
  }

  /** @return the result of a layer whose input is named in {@code float_activations}: left float */
  static ActivationResult floatInput(String input) {
    return new ActivationResult(input, QuantizedLayer.Input.FLOAT, Optional.empty(), Optional.empty(), false);
  }

  /** @return the report's fields, as before the phases were split */
  Map<String, Object> metrics() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (kind == QuantizedLayer.Input.FLOAT) {
      m.put("activation", "float (compactor_float_activations; weight-only INT8)");
      m.put("input", input);
      return m;
    }
    if (range.isEmpty()) {
      m.put("activation", "dynamic (per tensor, per run; Compactor extension)");
      m.put("input", input);
      return m;
    }
    ActivationRange r = range.get();
    m.put("activation", "static");
    m.put("input", input);
    m.put("fixed_min", fixedMin);
    observed.ifPresent(o -> {
      m.put("observed_min", o.lo());
      m.put("observed_max", o.hi());
    });
    m.put("clip_min", r.lo());
    m.put("clip_max", r.hi());
    m.put("input_scale", r.scale());
    m.put("input_zero_point", r.zeroPoint());
    return m;
  }
}
