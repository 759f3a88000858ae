package io.compactor.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeHistogramTest {
  private static final double[] WIDE = {0.3, 1.0};

  private static RangeHistogram gaussianWithOutlier(long seed, double outlier, double outlierWeight) {
    Random r = new Random(seed);
    double[] v = new double[20000];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    double lo = outlier < 0 ? outlier : -5;
    RangeHistogram h = new RangeHistogram(Math.min(lo, -5), Math.max(outlier, 5));
    for (double x : v) {
      h.add(x, 1);
    }
    h.add(outlier, outlierWeight);
    return h;
  }

  @Test
  void aRareOutlierIsClippedWhenItCarriesLittleWeight() {
    RangeHistogram h = gaussianWithOutlier(1, 60, 0.01);
    ActivationRange r = h.search(false, null, WIDE);
    assertTrue(r.hi() < 30, "clipped: " + r);
    assertTrue(h.error(r.lo(), r.hi()) < h.error(h.span().lo(), h.span().hi()));
  }

  @Test
  void anOutlierThatMattersIsKept() {
    RangeHistogram h = gaussianWithOutlier(2, 60, 1e6);
    ActivationRange r = h.search(false, null, WIDE);
    assertTrue(r.hi() > 55, "kept: " + r);
  }

  @Test
  void fixedMinPinsTheLowerBoundAtZero() {
    RangeHistogram h = gaussianWithOutlier(3, 8, 1);
    ActivationRange r = h.search(true, null, WIDE);
    assertEquals(0.0, r.lo());
    assertEquals(0, r.zeroPoint());
  }

  @Test
  void anInitialRangeBoundsTheSearchToItsBand() {
    RangeHistogram h = gaussianWithOutlier(4, 8, 1);
    ActivationRange r = h.search(false, new ActivationRange(-6, 6), new double[] {0.9, 1.1});
    assertTrue(r.hi() >= 5.4 - 1e-9 && r.hi() <= 6.6 + 1e-9, r.toString());
    assertTrue(r.lo() <= -5.4 + 1e-9 && r.lo() >= -6.6 - 1e-9, r.toString());
  }

  @Test
  void theMassNearZeroCountsTheValuesAStepRoundsToZero() {
    RangeHistogram h = new RangeHistogram(-10, 10);
    for (double v : new double[] {-0.004, 0, 0.003, 0.2, -3, 9}) {
      h.add(v, 1);
    }
    assertEquals(3, h.massNearZero(0.05), 1e-9, "the three values within 0.05 of 0 (bins are 0.0098 wide)");
    assertEquals(4, h.massNearZero(0.5), 1e-9);
    assertEquals(6, h.massNearZero(100), 1e-9);
    assertEquals(0, h.massNearZero(0), 1e-9);
  }

  @Test
  void fakeQuantizationMatchesTheOnnxFormulaAndKeepsZeroExact() {
    ActivationRange r = new ActivationRange(-1.3, 4.1);
    assertEquals(0.0, r.fake(0.0));
    double s = r.scale();
    int zp = r.zeroPoint();
    for (double v : new double[] {-2, -1.3, 0.01, 1.7, 4.1, 9}) {
      double q = Math.max(0, Math.min(255, Math.rint(v / s) + zp));
      assertEquals((q - zp) * s, r.fake(v), 1e-12);
    }
    assertThrows(IllegalArgumentException.class, () -> new ActivationRange(0.5, 2));
  }

  @Test
  void fp16ScalesKeepElevenSignificantBits() {
    ActivationRange r = new ActivationRange(-1, 3.3333333).withFp16Scale();
    double mantissa = Math.scalb(r.scale(), 10 - Math.getExponent(r.scale()));
    assertEquals(Math.rint(mantissa), mantissa, 1e-9);
  }
}
