package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NmPatternTest {
  @Test
  void amctNamesParse() {
    assertEquals(NmPattern.M4N2, NmPattern.parse("M4N2"));
    assertEquals(NmPattern.M4N2, NmPattern.parse(" m4n2 "));
    assertEquals("M4N2", NmPattern.M4N2.amctName());
    assertEquals("2:4", NmPattern.M4N2.toString());
    assertEquals(new NmPattern(1, 8), NmPattern.parse("M8N1"));
  }

  @Test
  void badNamesSayWhatToUse() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NmPattern.parse("2:4"));
    assertTrue(e.getMessage().contains("got '2:4'") && e.getMessage().contains("use M4N2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NmPattern.parse("M4N4"));
  }

  @Test
  void partialGroupsPruneOnlyBeyondTheKeptCount() {
    assertEquals(2, NmPattern.M4N2.prunedIn(4));
    assertEquals(1, NmPattern.M4N2.prunedIn(3));
    assertEquals(0, NmPattern.M4N2.prunedIn(2));
  }

  @Test
  void magnitudeMaskKeepsTheLargestAndPrefersLowerColumnsOnTies() {
    DMatrix w = DMatrix.wrap(2, 4, new double[] {0.1, -3, 2, 0.5, 1, 1, 1, 1});
    boolean[] keep = NmMaskOps.magnitudeMask(w, ColumnGroups.channelRuns(1, 4, 4), NmPattern.M4N2);
    assertEquals("[false, true, true, false, true, true, false, false]", Arrays.toString(keep));
  }
}
