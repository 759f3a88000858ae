package io.compactor.onnx.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's tokenizer against ids of the bert-base-uncased vocabulary that MiniLM uses. */
class WordPieceTokenizerTest {
  private static final WordPieceTokenizer TOKENIZER = WordPieceTokenizer.fromResource("all-minilm-l6-v2-tokenizer.json");

  @Test
  void punctuationSplitsAndSpecialTokensFrame() {
    assertArrayEquals(new long[] {101, 7592, 1010, 2088, 999, 102}, TOKENIZER.encode("Hello, world!", 128));
  }

  @Test
  void accentsAreStrippedAndWordsSplitIntoPieces() {
    assertArrayEquals(new long[] {101, 7668, 15743, 102}, TOKENIZER.encode("Café naïve", 128));
    assertEquals(List.of(22421, 2015), TOKENIZER.wordPieces("kettles"));
  }

  @Test
  void longInputIsTruncatedKeepingSep() {
    long[] ids = TOKENIZER.encode("the ".repeat(200), 16);
    assertEquals(16, ids.length);
    assertEquals(102, ids[15]);
  }
}
