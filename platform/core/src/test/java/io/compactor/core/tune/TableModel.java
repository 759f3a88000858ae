package io.compactor.core.tune;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.Graph;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.graph.ValueInfo;
import io.compactor.onnx.tensor.ElementType;
import io.compactor.onnx.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * An embedder whose file is mostly its table, as a sentence encoder's is: {@code ids [N,8] → Gather word (a
 * constant [1024, 32] table) → MatMul proj [32, 16] → y [N,8,16]}. INT8 of the MatMul alone saves 1.5 kB of
 * 130 kB; the table in INT8 saves 96 kB.
 */
final class TableModel {
  static final String TABLE = "word";
  static final String PROJECTION = "proj";
  static final int VOCAB = 1024;
  static final int WIDTH = 32;
  static final int TOKENS = 8;

  private TableModel() {}

  static OnnxModel build(long seed) {
    return build(seed, 1);
  }

  /**
   * @param outlier factor of column 3 of the table: above 1, an outlier channel of the projection's input, as
   *     BERT-like tables carry, which INT8 equalizes by an explicit {@code Mul} (a Gather output folds nowhere)
   */
  static OnnxModel build(long seed, float outlier) {
    Random r = new Random(seed);
    OnnxModel m = OnnxModel.create("table-embedder", 13);
    Graph g = m.graph();
    g.addInput(ValueInfo.of("ids", ElementType.INT64, ValueInfo.UNKNOWN_DIM, TOKENS));
    float[] table = TestModels.gaussian(r, 0.05f, VOCAB, WIDTH).toFloats();
    for (int i = 3; i < table.length; i += WIDTH) {
      table[i] *= outlier;
    }
    g.setInitializer("word.w", Tensor.ofFloats(new long[] {VOCAB, WIDTH}, table));
    TestModels.node(g, "Gather", TABLE, List.of("word.w", "ids"), "emb", n -> {});
    g.setInitializer("proj.w", TestModels.gaussian(r, 0.3f, WIDTH, 16));
    TestModels.node(g, "MatMul", PROJECTION, List.of("emb", "proj.w"), "y", n -> {});
    g.addOutput(ValueInfo.of("y", ElementType.FLOAT, ValueInfo.UNKNOWN_DIM, TOKENS, 16));
    return m;
  }

  /** @return {@code n} rows of token ids, uniform over the vocabulary */
  static Tensor ids(long seed, int n) {
    Random r = new Random(seed);
    long[] ids = new long[n * TOKENS];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(VOCAB);
    }
    return Tensor.ofInt64s(new long[] {n, TOKENS}, ids);
  }
}
