package io.compactor.onnx.text;

import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Real text as model input for BERT-style encoders (MiniLM and the like): the three inputs
 * {@code input_ids}, {@code attention_mask}, {@code token_type_ids}, padded to the longest sentence.
 */
public final class SentenceData {
  private static final String SAMPLES = "io/compactor/onnx/text/sentences-en.txt";

  private SentenceData() {}

  /** @return about 300 plain English sentences of everyday topics, for calibration and evaluation */
  public static List<String> englishSamples() {
    try (InputStream in = SentenceData.class.getClassLoader().getResourceAsStream(SAMPLES)) {
      if (in == null) {
        throw new IllegalStateException(SAMPLES + " is missing from the onnx jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param name the data set's name, for messages
   * @param sentences the text
   * @param tokenizer the model's tokenizer
   * @param maxLength the most tokens per sentence, {@code [CLS]} and {@code [SEP]} included
   * @return the tokenized sentences as one data set
   */
  public static Dataset tokenize(String name, List<String> sentences, WordPieceTokenizer tokenizer, int maxLength) {
    long[][] ids = new long[sentences.size()][];
    int longest = 0;
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokenizer.encode(sentences.get(i), maxLength);
      longest = Math.max(longest, ids[i].length);
    }
    long[][] padded = new long[ids.length][longest];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(ids[i], 0, padded[i], 0, ids[i].length);
    }
    return new Dataset(name, feeds(padded), null);
  }

  /**
   * @param tokens token id rows of equal length, 0 = padding
   * @return {@code input_ids}, {@code attention_mask} (1 where a token is), {@code token_type_ids} (all 0)
   */
  public static Map<String, Tensor> feeds(long[][] tokens) {
    int n = tokens.length;
    int len = tokens[0].length;
    long[] ids = new long[n * len];
    long[] mask = new long[n * len];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < len; j++) {
        ids[i * len + j] = tokens[i][j];
        mask[i * len + j] = tokens[i][j] == 0 ? 0 : 1;
      }
    }
    long[] shape = {n, len};
    return Map.of("input_ids", Tensor.ofInt64s(shape, ids), "attention_mask",
        Tensor.ofInt64s(shape, mask), "token_type_ids", Tensor.ofInt64s(shape, new long[n * len]));
  }
}
