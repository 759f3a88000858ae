package io.compactor.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The Compactor extension {@code compactor_retrain}: read from both formats, defaulted and range-checked. */
class CompactorRetrainConfigTest {
  private static final String QUANT = "retrain_weight_quant_config { }\n";

  @Test
  void theDocumentedBlockReadsTheSameFromTextAndJson() {
    RetrainConfig text = ConfigFile.parse(QUANT + """
        compactor_retrain { epochs: 3 learning_rate: 0.0001 batch_size: 32 max_minutes: 20 seed: 1
                            held_out_fraction: 0.1 train: ALL on_unsupported: FAIL }
        """, ConfigFormat.TEXT, "t.cfg").orThrow();
    RetrainConfig json = ConfigFile.parse("""
        {"retrain_weight_quant_config": {},
         "compactor_retrain": {"epochs": 3, "learning_rate": 0.0001, "batch_size": 32, "max_minutes": 20,
                               "seed": 1, "held_out_fraction": 0.1, "train": "ALL", "on_unsupported": "FAIL"}}
        """, ConfigFormat.JSON, "t.json").orThrow();
    CompactorRetrain expected = new CompactorRetrain(3, 0.0001, 32, 20, 1, 0.1, CompactorRetrain.Train.ALL,
        CompactorRetrain.OnUnsupported.FAIL);
    assertEquals(Optional.of(expected), text.compactorRetrain());
    assertEquals(text, json);
  }

  @Test
  void anAbsentBlockMeansLayerWiseOnlyAndAnEmptyOneTakesTheDefaults() {
    assertEquals(Optional.empty(), ConfigFile.parse(QUANT, ConfigFormat.TEXT, "t").orThrow().compactorRetrain());
    CompactorRetrain c = ConfigFile.parse(QUANT + "compactor_retrain { train: COMPRESSED on_unsupported: SKIP }",
        ConfigFormat.TEXT, "t").orThrow().compactorRetrain().orElseThrow();
    assertEquals(new CompactorRetrain(3, 0.0001, 32, 20, 1, 0.1, CompactorRetrain.Train.COMPRESSED,
        CompactorRetrain.OnUnsupported.SKIP), c);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "epochs: 0 | epochs | must be at least 1, got 0",
      "learning_rate: 0 | learning_rate | must be a finite number above 0, got 0.0",
      "learning_rate: -1e-3 | learning_rate | got -0.001",
      "learning_rate: inf | learning_rate | got Infinity",
      "learning_rate: nan | learning_rate | got NaN",
      "batch_size: 0 | batch_size | must be at least 1, got 0",
      "max_minutes: 0 | max_minutes | must be a finite number above 0",
      "held_out_fraction: 0.6 | held_out_fraction | must be from 0 to 0.5, got 0.6",
      "held_out_fraction: -0.1 | held_out_fraction | got -0.1",
      "train: SOME | train | is not a value of RetrainScope, got SOME; use one of ALL, COMPRESSED",
      "on_unsupported: IGNORE | on_unsupported | is not a value of OnUnsupported, got IGNORE; use one of FAIL, SKIP",
      "epochs: 2.5 | epochs | must be a whole number"})
  void badValuesAreProblemsAtTheirPathInBothFormats(String setting, String field, String fragment) {
    String[] kv = setting.split(": ");
    String jsonValue = kv[1].matches("-?[0-9.e-]+") ? kv[1]
        : kv[1].equals("inf") || kv[1].equals("nan") ? null : "\"" + kv[1] + "\"";
    List<Problem> text = ConfigFile.parse(QUANT + "compactor_retrain {\n  " + setting + " }", ConfigFormat.TEXT,
        "t.cfg").problems();
    assertEquals(1, text.size(), text.toString());
    assertEquals("compactor_retrain." + field, text.get(0).path());
    assertTrue(text.get(0).message().contains(fragment), text.get(0).message());
    assertEquals(3, text.get(0).line(), text.get(0).toString());
    if (jsonValue != null) {
      List<Problem> json = ConfigFile.parse("{\"retrain_weight_quant_config\": {}, \"compactor_retrain\": {\""
          + kv[0] + "\": " + jsonValue + "}}", ConfigFormat.JSON, "t.json").problems();
      assertEquals(1, json.size(), json.toString());
      assertEquals("compactor_retrain." + field, json.get(0).path());
      assertTrue(json.get(0).message().replace("\"", "").contains(fragment.replace("\"", "")),
          json.get(0).message());
    }
  }
}
