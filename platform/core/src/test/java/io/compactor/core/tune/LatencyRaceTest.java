package io.compactor.core.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.job.Cancellation;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.graph.OnnxModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class LatencyRaceTest {
  private final OnnxModel original = TestModels.residualCnn(1, false);
  private final OnnxModel a = TestModels.residualCnn(2, false);
  private final OnnxModel b = TestModels.residualCnn(3, false);
  private final OnnxModel c = TestModels.residualCnn(4, false);

  /** A meter that reads each model's n-th ratio (from 1) from its own sequence. */
  private static LatencyMeter readings(Map<OnnxModel, IntToDoubleFunction> byModel) {
    Map<OnnxModel, Integer> count = new IdentityHashMap<>();
    return (model, reference) -> byModel.get(model).applyAsDouble(count.merge(model, 1, Integer::sum));
  }

  @Test
  void theIntervalIsTheOrderStatisticOneAtTheStatedConfidence() {
    for (int n = LatencyEstimate.MIN_ROUNDS; n <= 80; n++) {
      int k = LatencyEstimate.rank(n);
      double below = 0; // P(Binomial(n, 1/2) <= k - 1), then <= k
      double p = Math.pow(0.5, n);
      for (int i = 0; i < k; i++) {
        below += p;
        p = p * (n - i) / (i + 1);
      }
      assertTrue(below <= 0.025 + 1e-12 && below + p > 0.025, "n " + n + ", k " + k);
    }
    double[] twelve = {9, 1, 8, 2, 7, 3, 6, 4, 5, 10, 12, 11};
    LatencyEstimate e = LatencyEstimate.of(twelve);
    assertEquals(6.5, e.median());
    assertEquals(3, e.low(), "x(3) of 12");
    assertEquals(10, e.high(), "x(10) of 12");
    assertEquals(12, e.rounds());
  }

  @Test
  void noisyFirstRoundsWouldPickTheWrongCandidateAndFurtherRoundsPickTheRightOne() {
    // a is truly ×0.95, b ×0.97, c ×1.02, each reading ±1 %; a burst of load slows a's first three readings by 8 %
    // and b's are lucky by 5 %: their median of three (what the tune used to decide by) puts b first
    IntToDoubleFunction jitter = n -> n % 2 == 0 ? 1.01 : 0.99;
    Map<OnnxModel, IntToDoubleFunction> truth = new HashMap<>();
    truth.put(a, n -> 0.95 * jitter.applyAsDouble(n) * (n <= 3 ? 1.08 : 1));
    truth.put(b, n -> 0.97 * jitter.applyAsDouble(n) * (n <= 3 ? 0.95 : 1));
    truth.put(c, n -> 1.02 * jitter.applyAsDouble(n));
    double[] aThree = {truth.get(a).applyAsDouble(1), truth.get(a).applyAsDouble(2), truth.get(a).applyAsDouble(3)};
    double[] bThree = {truth.get(b).applyAsDouble(1), truth.get(b).applyAsDouble(2), truth.get(b).applyAsDouble(3)};
    Arrays.sort(aThree);
    Arrays.sort(bThree);
    assertTrue(bThree[1] < aThree[1], "the median of three would choose b");
    List<String> progress = new ArrayList<>();

    LatencyRace.Result r = LatencyRace.run(List.of(new LatencyRace.Contender(1, 0.99, c),
        new LatencyRace.Contender(2, 0.90, b), new LatencyRace.Contender(3, 0.93, a)), original, readings(truth),
        new Cancellation(), (phase, done, total, detail) -> progress.add(phase + ": " + detail));

    assertEquals(3, r.leader().index(), "a, the truly fastest: " + r);
    assertEquals(LatencyRace.Stop.FASTER, r.stop(), r.toString());
    assertTrue(r.separated(), "b and c resolved slower than a: " + r);
    LatencyEstimate lead = r.leader().estimate();
    assertTrue(lead.faster() && lead.low() <= 0.95 && 0.95 <= lead.high(), lead.describe());
    assertEquals(0.93, r.leader().firstRatio(), "the first reading is kept apart, not counted");
    assertTrue(r.rounds() > LatencyEstimate.MIN_ROUNDS && r.rounds() < LatencyRace.MAX_ROUNDS, r.toString());
    assertEquals(r.rounds(), lead.rounds());
    assertTrue(r.entries().stream().filter(LatencyRace.Entry::out).allMatch(e -> e.estimate().rounds() < r.rounds()
        || e.estimate().slowerThan(lead)), r.toString());
    assertEquals(r.rounds(), progress.size(), "one confirm progress per round: " + progress);
    assertTrue(progress.stream().allMatch(p -> p.startsWith("confirm: ")), progress.toString());
  }

  @Test
  void aContenderNoFasterThanTheOriginalWithinTheNoiseRunsToTheCapUnresolved() {
    // ±5 % around the original's time: its interval always holds 1
    LatencyMeter meter = readings(Map.of(a, n -> n % 2 == 0 ? 1.05 : 0.95));

    LatencyRace.Result r = LatencyRace.run(List.of(new LatencyRace.Contender(1, 0.9, a)), original, meter,
        new Cancellation(), TuneListener.NONE);

    assertEquals(LatencyRace.Stop.ROUND_CAP, r.stop(), r.toString());
    assertEquals(LatencyRace.MAX_ROUNDS, r.rounds());
    LatencyEstimate e = r.leader().estimate();
    assertFalse(e.faster() || e.slower(), e.describe());
    assertEquals("not-resolved", TuneReport.fasterThanOriginal(e));
  }

  @Test
  void aLeaderResolvedSlowerThanTheOriginalEndsTheRaceAtOnce() {
    LatencyMeter meter = readings(Map.of(a, n -> 1.2, b, n -> 1.3));

    LatencyRace.Result r = LatencyRace.run(List.of(new LatencyRace.Contender(1, 0.9, a),
        new LatencyRace.Contender(2, 0.95, b)), original, meter, new Cancellation(), TuneListener.NONE);

    assertEquals(LatencyRace.Stop.SLOWER, r.stop());
    assertEquals(LatencyEstimate.MIN_ROUNDS, r.rounds());
    assertEquals(1, r.leader().index());
    assertEquals("slower", TuneReport.fasterThanOriginal(r.leader().estimate()));
  }
}
