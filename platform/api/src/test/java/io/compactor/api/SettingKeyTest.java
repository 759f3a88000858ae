package io.compactor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingKeyTest {
  private static LayerTask task(Map<String, ?> settings) {
    return new LayerTask("conv1", "Conv", new Settings(settings));
  }

  @Test
  void readsTheValueInItsTypeOrItsStringFormAndFallsBackToTheDefault() {
    assertEquals(0.3, FilterPruneKeys.PRUNE_RATIO.get(new Settings(Map.of("prune_ratio", 0.3))));
    assertEquals(0.25, FilterPruneKeys.PRUNE_RATIO.get(new Settings(Map.of("prune_ratio", "0.25"))));
    assertEquals(4, TwoOfFourKeys.UPDATE_FREQ.get(new Settings(Map.of("update_freq", 4.0))), "a whole Double");
    assertEquals(4, TwoOfFourKeys.UPDATE_FREQ.get(new Settings(Map.of("update_freq", 4L))));
    assertEquals(false, FilterPruneKeys.ASCEND_OPTIMIZED.get(new Settings(Map.of("ascend_optimized", "false"))));
    assertEquals(0, TwoOfFourKeys.UPDATE_FREQ.get(Settings.EMPTY), "the default");
    assertEquals(true, FilterPruneKeys.ASCEND_OPTIMIZED.get(Settings.EMPTY));
    assertEquals(Optional.empty(), Int8Keys.CLIP_MAX.find(Settings.EMPTY));
    assertEquals(Optional.of(-2.0), Int8Keys.CLIP_MIN.find(new Settings(Map.of("clip_min", -2))));
  }

  @Test
  void aBadValueNamesTheKeyTheValueAndWhatIsAllowed() {
    assertEquals("update_freq: must be a whole number ≥ 0, got -1; use 0 (masks chosen up front) or k ≥ 1 "
        + "(masks re-chosen every k groups during reconstruction)", message(TwoOfFourKeys.UPDATE_FREQ, -1));
    assertTrue(message(TwoOfFourKeys.UPDATE_FREQ, 1.5).startsWith("update_freq: must be a whole number ≥ 0, got 1.5"));
    assertTrue(message(TwoOfFourKeys.UPDATE_FREQ, "often").startsWith("update_freq: must be a whole number ≥ 0, "
        + "got 'often'"));
    assertEquals("prune_ratio: must be a number between 0 and 1 (exclusive), got 1.0; use e.g. 0.3 to remove 30 % "
        + "of the filters", message(FilterPruneKeys.PRUNE_RATIO, 1.0));
    assertEquals("weight_algo: must be arq_retrain or ulq_retrain, got 'gptq'", message(Int8Keys.WEIGHT_ALGO, "gptq"));
    assertEquals("activation_quant: must be static or dynamic, got 'lazy'", message(Int8Keys.ACTIVATION_QUANT, "lazy"));
    assertEquals("fixed_min: must be true or false, got 'yes'", message(Int8Keys.FIXED_MIN, "yes"));
    assertEquals("fixed_min: must be true or false, got 1", message(Int8Keys.FIXED_MIN, 1));
    assertEquals("dst_type: must be INT8, got 7; only INT8 is supported", message(Int8Keys.DST_TYPE, 7));
  }

  @Test
  void aRequiredKeyWithoutValueSaysWhatToGive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FilterPruneKeys.PRUNE_RATIO.get(Settings.EMPTY));
    assertEquals("prune_ratio: missing; give the fraction of output filters to remove, a number between 0 and 1 "
        + "(exclusive)", e.getMessage());
  }

  @Test
  void readingALayerTaskFailsAsAStepOfTheKeysCapabilityOnThatLayer() {
    StepException e = assertThrows(StepException.class,
        () -> TwoOfFourKeys.N_OUT_OF_M_TYPE.get(task(Map.of("n_out_of_m_type", "M8N1"))));
    assertEquals(Capabilities.SPARSITY_2OF4, e.capability());
    assertEquals(Optional.of("conv1"), e.layer());
    assertEquals("sparsity.2of4 on conv1: n_out_of_m_type: must be M4N2, got 'M8N1'; use M4N2 (keep 2 of every 4), "
        + "the only type AMCT defines", e.getMessage());
    assertEquals(Optional.of(2.5), Int8Keys.CLIP_MAX.find(task(Map.of("clip_max", 2.5))));
    assertThrows(StepException.class, () -> FilterPruneKeys.PRUNE_RATIO.get(task(Map.of())));
  }

  @Test
  void settingsWrittenWithAKeyAreChecked() {
    Settings s = Settings.EMPTY.with(Int8Keys.BATCH_NUM, 3).with(Int8Keys.WEIGHT_ALGO, "ulq_retrain");
    assertEquals(Map.of("batch_num", 3, "weight_algo", "ulq_retrain"), s.asMap());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Settings.EMPTY.with(Int8Keys.BATCH_NUM, 0));
    assertEquals("batch_num: must be a whole number ≥ 1, got 0", e.getMessage());
  }

  @Test
  void aKeyIsBuiltOnlyWithASupportedTypeAndAnAllowedDefault() {
    assertThrows(IllegalArgumentException.class, () -> SettingKey.builder("x.y", "k", Long.class));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SettingKey.builder("x.y", "k", String.class).oneOf("a", "b").defaultValue("c").build());
    assertEquals("setting k: default c is not a or b", e.getMessage());
  }

  @Test
  void everyBuiltInCapabilityHasItsStageAndItsOwnUniquelyNamedKeysWithAllowedDefaults() {
    Set<String> names = new HashSet<>();
    List<SettingKey<?>> all = new ArrayList<>();
    for (String capability : Capabilities.BUILT_IN) {
      assertTrue(Capabilities.stage(capability).isPresent(), capability);
      List<SettingKey<?>> keys = Capabilities.settingKeys(capability);
      assertTrue(!keys.isEmpty(), capability);
      for (SettingKey<?> k : keys) {
        assertEquals(capability, k.capability(), k.toString());
        assertTrue(names.add(k.name()), "key defined twice: " + k);
        assertTrue(!k.meaning().isBlank(), "no meaning: " + k);
        k.defaultValue().ifPresent(d -> assertEquals(d, k.parse(String.valueOf(d)), k.toString()));
      }
      all.addAll(keys);
    }
    assertEquals(15, all.size());
    assertEquals(Optional.of(Stage.QUANTIZATION), Capabilities.stage(Capabilities.QUANT_INT8));
    assertEquals(Optional.of(Stage.SPARSITY), Capabilities.stage(Capabilities.SPARSITY_2OF4));
    assertEquals(Optional.empty(), Capabilities.stage("sparsity.magnitude"));
    assertEquals(List.of(), Capabilities.settingKeys("sparsity.magnitude"));
  }

  @Test
  void floatActivationsAreOneTensorNamePerLine() {
    String value = Int8Keys.joinNames(List.of("/ln/Add_1_output_0", "x y"));
    Settings s = Settings.EMPTY.with(Int8Keys.FLOAT_ACTIVATIONS, value);
    assertEquals(List.of("/ln/Add_1_output_0", "x y"), Int8Keys.floatActivations(s));
    assertEquals(List.of(), Int8Keys.floatActivations(Settings.EMPTY));
    assertTrue(message(Int8Keys.FLOAT_ACTIVATIONS, "a\n\nb").startsWith("float_activations: must be tensor names"));
    assertThrows(IllegalArgumentException.class, () -> Int8Keys.joinNames(List.of("a\nb")));
    ActivationQuant none = ActivationQuant.none("ids");
    assertTrue(!none.quantized() && !none.dynamic());
    assertTrue(new ActivationQuant("x", "q", "dq", "s", "z", false).quantized());
  }

  private static String message(SettingKey<?> key, Object value) {
    return assertThrows(IllegalArgumentException.class, () -> key.valueOf(value)).getMessage();
  }
}
