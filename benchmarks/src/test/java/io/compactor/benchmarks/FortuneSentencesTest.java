package io.compactor.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortuneSentencesTest {
  @Test
  void joinsARecordsLinesDropsItsAttributionAndKeepsPlainSentencesOfSixToTwentyWords() {
    String record = "Love is like the measles; we all have to go through it.  Too short here.\n"
        + "Call 555-1234 for the number of the beast today!\n"
        + "The best way to keep\nyour friends is not to give them away.\n"
        + "\t\t-- Wilson Mizner\n";
    assertEquals(List.of("Love is like the measles; we all have to go through it.",
        "The best way to keep your friends is not to give them away."), FortuneSentences.sentences(record));
  }

  @Test
  void readsTheProseCollectionsInOrderOnceEachAndLeavesOutExcludedSentences(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("wisdom"), "A penny saved is a penny earned, they say.\n%\n"
        + "He who hesitates is lost, or so they tell me.\n%\n");
    Files.writeString(dir.resolve("cookie"), "He who hesitates is lost, or so they tell me.\n%\n"
        + "You will meet a tall dark stranger on a Tuesday.\n");
    Files.writeString(dir.resolve("zippy"), "Are we having fun yet, said the man in the hat?\n");
    assertEquals(List.of("He who hesitates is lost, or so they tell me.",
        "A penny saved is a penny earned, they say."),
        FortuneSentences.read(dir, List.of("you will meet a tall dark stranger on a Tuesday.")));
  }

  @Test
  void aDirectoryWithoutCollectionsIsAnErrorThatSaysWhatToInstall(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FortuneSentences.read(dir, List.of()));
    assertEquals("no fortune sentences under " + dir + " (apt-get install fortunes)", e.getMessage());
  }
}
