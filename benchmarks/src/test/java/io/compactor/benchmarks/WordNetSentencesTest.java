package io.compactor.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordNetSentencesTest {
  private static final List<String> LINES = List.of(
      "  1 This software and database is being provided to you, the LICENSEE, by \"Princeton University and others\"",
      "00004032 29 v 02 sigh 0 suspire 4 004 @ 00001740 v 0000 01 + 02 00 | heave or utter a sigh; "
          + "\"She sighed sadly\"; \"She sighed with relief when the long exam was finally over\"  ",
      "00004492 29 v 01 hold 4 001 @ 02422681 v 0000 01 + 08 00 | keep from exhaling; \"hold your breath until "
          + "the count of ten\"; \"Did you know that she is seeing an older man?\"",
      "00004227 29 v 03 exhale 0 expire 0 | expel air; \"The kettle clicked off as the train rolled past.\"; "
          + "\"she sighed with relief when the long exam was finally over\"",
      "00001740 29 v 04 breathe 0 | draw air; \"Breathe in and out slowly through the nose\"");

  @Test
  void keepsCapitalizedQuotesOfSixToTwentyWordsWithAClosingMarkAndNoneExcluded() {
    List<String> out = WordNetSentences.sentences(LINES,
        List.of("The kettle clicked off as the train rolled past."));
    assertEquals(List.of("She sighed with relief when the long exam was finally over.",
        "Did you know that she is seeing an older man?", "Breathe in and out slowly through the nose."), out);
  }

  @Test
  void takesWordsNotCharactersAsLength() {
    assertEquals(null, WordNetSentences.sentence("One two three four five"));
    assertEquals("One two three four five six.", WordNetSentences.sentence("One two three four five six"));
    assertEquals(null, WordNetSentences.sentence("One " + "word ".repeat(20).trim()));
  }

  @Test
  void spreadsTheSelectionEvenlyInsteadOfTakingTheFirst() {
    List<String> all = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    assertEquals(List.of("a", "c", "e", "g", "i"), WordNetSentences.spread(all, 5));
    assertEquals(List.of("a", "d", "g"), WordNetSentences.spread(all, 3));
    assertEquals(all, WordNetSentences.spread(all, 20));
  }

  @Test
  void readsTheFourDataFilesInOrder(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("data.noun"), "1 | x; \"The noun sentence has six words\"\n");
    Files.writeString(dir.resolve("data.verb"), "2 | x; \"The verb sentence has six words\"\n");
    Files.writeString(dir.resolve("data.adj"), "3 | x; \"The adjective sentence has six words\"\n");
    Files.writeString(dir.resolve("data.adv"), "4 | x; \"The adverb sentence has six words\"\n");
    assertEquals(List.of("The noun sentence has six words.", "The adjective sentence has six words."),
        WordNetSentences.read(dir, 2, List.of()));
  }
}
