package io.compactor.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Compactor extension {@code compactor_float_activations}: one entry per tensor, both formats. */
class FloatActivationsConfigTest {
  private static final String QUANT = "retrain_weight_quant_config { }\n";

  @Test
  void aRepeatedFieldInTextIsAnArrayInJson() {
    RetrainConfig text = ConfigFile.parse(QUANT + """
        compactor_float_activations: "ln0.out"
        compactor_float_activations: "/encoder/layer.1/Add_output_0"
        """, ConfigFormat.TEXT, "t.cfg").orThrow();
    RetrainConfig json = ConfigFile.parse("""
        {"retrain_weight_quant_config": {},
         "compactor_float_activations": ["ln0.out", "/encoder/layer.1/Add_output_0"]}
        """, ConfigFormat.JSON, "t.json").orThrow();
    assertEquals(List.of("ln0.out", "/encoder/layer.1/Add_output_0"), text.compactorFloatActivations());
    assertEquals(text, json);
    assertEquals(List.of(), ConfigFile.parse(QUANT, ConfigFormat.TEXT, "t").orThrow().compactorFloatActivations());
  }

  @Test
  void anEmptyNameIsAnErrorAndARepeatedOneWarns() {
    ConfigFile bad = ConfigFile.parse(QUANT + "compactor_float_activations: \"\"", ConfigFormat.TEXT, "t.cfg");
    assertEquals(1, bad.problems().size());
    assertTrue(bad.problems().get(0).toString().contains("compactor_float_activations[0]"), bad.problems().toString());
    ConfigFile twice = ConfigFile.parse(QUANT + "compactor_float_activations: \"a\"\ncompactor_float_activations: \"a\"",
        ConfigFormat.TEXT, "t.cfg");
    assertTrue(twice.warnings().stream().anyMatch(w -> w.contains("compactor_float_activations[1] repeats \"a\"")),
        twice.warnings().toString());
  }
}
