package io.compactor.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import io.compactor.core.config.proto.AmctRetrainConfigProto.AMCTRetrainConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The text format is read by protobuf's own TextFormat: the four inputs the former hand-written parser read
 * differently from protobuf now read as protobuf reads them, checked against protobuf's plain parser, and
 * protobuf's errors become problems with a config path, line and column.
 */
class TextConfigReaderTest {
  private static final String QUANT = "retrain_weight_quant_config { }\n";

  private static RetrainConfig read(String cfg) {
    return ConfigFile.parse(cfg, ConfigFormat.TEXT, "t.cfg").orThrow();
  }

  /** What protobuf's plain text parser makes of the same text, independently of Compactor's reading path. */
  private static AMCTRetrainConfig protobuf(String cfg) throws TextFormat.ParseException {
    AMCTRetrainConfig.Builder b = AMCTRetrainConfig.newBuilder();
    TextFormat.merge(cfg, b);
    return b.buildPartial();
  }

  private static Problem onlyProblem(String cfg) {
    List<Problem> ps = ConfigFile.parse(cfg, ConfigFormat.TEXT, "t.cfg").problems();
    assertEquals(1, ps.size(), ps.toString());
    return ps.get(0);
  }

  @Test
  void hexEscapesAreUtf8BytesAsInProtobuf() throws Exception {
    String cfg = QUANT + "skip_layers: \"caf\\xC3\\xA9\"";
    assertEquals(List.of("café"), read(cfg).skipLayers(), "the former parser read Ã©");
    assertEquals(protobuf(cfg).getSkipLayers(0), read(cfg).skipLayers().get(0));
  }

  @Test
  void aLeadingZeroMakesAnIntegerOctalAsInProtobuf() throws Exception {
    String cfg = QUANT + "batch_num: 010";
    assertEquals(8, read(cfg).batchNum(), "the former parser read 10");
    assertEquals(protobuf(cfg).getBatchNum(), read(cfg).batchNum());
    assertEquals(16, read(QUANT + "batch_num: 0x10").batchNum(), "hex integers stay integers");
  }

  @Test
  void aHexFloatIsRefusedAsByProtobuf() {
    String cfg = "prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 0x10 } } }";
    assertTrue(assertThrowsParse(cfg), "protobuf itself refuses it");
    Problem p = onlyProblem(cfg);
    assertEquals("prune_config.filter_pruner.balanced_l2_norm_filter_prune.prune_ratio", p.path(), p.toString());
    assertTrue(p.message().contains("must be a finite number, got 0x10"), p.message());
    assertEquals(1, p.line());
    assertEquals(77, p.column(), p.toString());
  }

  @Test
  void longUnicodeEscapesAreAcceptedAsByProtobuf() throws Exception {
    String cfg = QUANT + "skip_layers: \"smile\\U0001F600\" skip_layers: \"\\u00e9\"";
    assertEquals(List.of("smile\uD83D\uDE00", "é"), read(cfg).skipLayers(), "the former parser refused \\U");
    assertEquals(protobuf(cfg).getSkipLayersList(), read(cfg).skipLayers());
  }

  private static boolean assertThrowsParse(String cfg) {
    try {
      protobuf(cfg);
      return false;
    } catch (TextFormat.ParseException e) {
      return true;
    }
  }

  @Test
  void readsTheWholeTextFormatSyntax() {
    RetrainConfig c = read("""
        # a comment line
        batch_num: 2, # trailing comment, and a ',' separator
        retrain_weight_quant_config < arq_retrain: { channel_wise: false } > ;
        skip_layers: "conv\\t1" skip_layers: ['single "quoted"', "joi" 'ned']
        skip_layer_types: []
        prune_config { filter_pruner { balanced_l2_norm_filter_prune { prune_ratio: 3e-1f ascend_optimized: False } } }
        fakequant_precision_mode: 1
        override_layer_configs: [{ layer_name: "a" }, { layer_name: "b" }]
        """);
    assertEquals(2, c.batchNum());
    assertEquals(Optional.of(false), c.weightQuant().orElseThrow().channelWise());
    assertEquals(List.of("conv\t1", "single \"quoted\"", "joined"), c.skipLayers());
    assertEquals(List.of(), c.skipLayerTypes());
    assertEquals(Optional.of(new FilterPruner(0.3, false)), c.prune());
    assertEquals(Optional.of(FakequantPrecisionMode.FORCE_FP16_QUANT), c.fakequantPrecisionMode());
    assertEquals(List.of("a", "b"), c.overrideLayerConfigs().stream().map(LayerOverride::layerName).toList());
  }

  @Test
  void anEmptyFileReadsAndOnlyHasNothingToDo() {
    Problem p = onlyProblem("  # nothing\n");
    assertTrue(p.message().startsWith("nothing to do"), p.message());
  }

  @Test
  void syntaxErrorsNameTheLineColumnWhatWasFoundAndTheFix() {
    Problem unclosed = onlyProblem("prune_config {\n  filter_pruner {\n");
    assertEquals("prune_config.filter_pruner", unclosed.path(), unclosed.toString());
    assertTrue(unclosed.message().contains("expected \"}\", got the end of the file"), unclosed.message());
    assertEquals(3, unclosed.line(), unclosed.toString());

    Problem noColon = onlyProblem("batch_num 2");
    assertEquals("batch_num: expected ':' after the field name batch_num, got 2; write batch_num: <value>",
        noColon.message());
    assertEquals(List.of(1, 11), List.of(noColon.line(), noColon.column()));

    Problem stray = onlyProblem("batch_num: 2 }");
    assertEquals("", stray.path());
    assertTrue(stray.message().startsWith("expected identifier"), stray.message());
    assertEquals(14, stray.column(), stray.toString());

    Problem unterminated = onlyProblem("skip_layers: \"conv1\nx: 1");
    assertEquals(1, unterminated.line(), unterminated.toString());
    assertFalse(unterminated.message().isBlank());
  }

  @Test
  void wrongKindsNameTheFieldInsideRepeatedMessages() {
    Problem p = onlyProblem(QUANT + """
        override_layer_configs { layer_name: "a" }
        override_layer_configs { layer_name: "b" prune_config { n_out_of_m_pruner {
          l1_selective_prune { n_out_of_m_type: M8N4 } } } }
        """);
    assertEquals("override_layer_configs[1].prune_config.n_out_of_m_pruner.l1_selective_prune.n_out_of_m_type",
        p.path());
    assertTrue(p.message().endsWith("is not a value of NOutOfMType, got M8N4; use one of M4N2"), p.message());
    assertEquals(List.of(4, 41), List.of(p.line(), p.column()));
    Problem skip = onlyProblem(QUANT + "skip_layers: \"a\" skip_layers: 3");
    assertEquals("skip_layers[1]", skip.path(), skip.toString());
  }

  @Test
  void unknownFieldsAreAllListedAtTheirPlaceAndTheRestIsStillChecked() {
    List<Problem> ps = ConfigFile.parse("""
        retrain_weight_quant_config { arq_retrain { chanel_wise: true } }
        override_layer_types { layer_type: "Conv" retrain_weight_quant_config { } }
        override_layer_types { layer_type: "Gemm" bogus { x: 1 } }
        batch_num: 0
        """, ConfigFormat.TEXT, "t.cfg").problems();
    assertEquals(List.of("retrain_weight_quant_config.arq_retrain.chanel_wise", "override_layer_types[1].bogus",
        "batch_num"), ps.stream().map(Problem::path).toList());
    assertEquals(List.of(1, 3, 4), ps.stream().map(Problem::line).toList());
    assertEquals(List.of(45, 43, 1), ps.stream().map(Problem::column).toList());
  }
}
