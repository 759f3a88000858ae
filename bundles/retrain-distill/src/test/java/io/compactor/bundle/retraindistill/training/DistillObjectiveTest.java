package io.compactor.bundle.retraindistill.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The objective's token mask, pooled term and intermediate term on the real libtorch, with hand-checkable values. */
class DistillObjectiveTest {
  private static final NDManager M = Engine.getEngine("PyTorch").newBaseManager();
  private static final DistillObjective OBJECTIVE = new DistillObjective(2, 0);

  @AfterAll
  static void close() {
    M.close();
  }

  /** Hidden states {@code [2 sentences, 3 tokens, 2]}; the second sentence's last token is padding. */
  private static NDArray hidden(float padValue) {
    return M.create(new float[] {1, 2, 3, 4, 5, 6, 1, -1, 2, -2, padValue, padValue}, new Shape(2, 3, 2));
  }

  @Test
  void paddingTokensDoNotCountInTheLossOrTheFidelity() {
    NDArray teacher = hidden(7);
    NDArray student = hidden(-50);   // differs only on the padding token
    Map<String, NDArray> feeds = Map.of(DistillObjective.TOKEN_MASK,
        M.create(new long[] {1, 1, 1, 1, 1, 0}, new Shape(2, 3)));
    Optional<NDArray> tokens = DistillObjective.tokenMask(feeds);
    assertTrue(tokens.isPresent());
    Map<String, NDArray> s = Map.of("last_hidden_state", student);
    Map<String, NDArray> t = Map.of("last_hidden_state", teacher);
    assertEquals(0f, OBJECTIVE.loss(s, t, Optional.empty(), tokens).getFloat(), 0f);
    assertEquals(2.0, DistillObjective.fidelitySum(s, t, tokens), 1e-6, "both sentences agree on their tokens");
    assertTrue(OBJECTIVE.loss(s, t, Optional.empty(), Optional.empty()).getFloat() > 1,
        "without the mask the padding token dominates");
    // an output without the mask's leading axes (a pooled embedding) is compared whole
    assertTrue(DistillObjective.tokenMask(Map.of("input_ids", M.create(new long[] {1, 2}))).isEmpty());
  }

  @Test
  void thePooledTermComparesTheMeanOverTheMarkedTokensByDirection() {
    NDArray teacher = hidden(7);   // sentence means (3, 4) and (1.5, -1.5)
    NDArray mask = M.create(new long[] {1, 1, 1, 1, 1, 0}, new Shape(2, 3));
    Optional<NDArray> tokens = DistillObjective.tokenMask(Map.of(DistillObjective.TOKEN_MASK, mask));
    NDArray weights = tokens.orElseThrow().reshape(2, 3, 1);
    Map<String, NDArray> t = Map.of("last_hidden_state", teacher);
    DistillObjective pooled = new DistillObjective(2, 0.5);

    // identical up to the padding token: no term at all
    assertEquals(0f, DistillObjective.pooledDistance(hidden(-50), teacher, weights).getFloat(), 1e-7f);
    assertEquals(0f, pooled.loss(Map.of("last_hidden_state", hidden(-50)), t, Optional.empty(), tokens)
        .getFloat(), 1e-7f);

    // token errors that cancel in the mean: the token term sees them, the pooled term does not
    NDArray cancelling = M.create(new float[] {2, 2, 2, 4, 5, 6, 1, -1, 2, -2, 7, 7}, new Shape(2, 3, 2));
    assertEquals(0f, DistillObjective.pooledDistance(cancelling, teacher, weights).getFloat(), 1e-6f);
    float tokenTerm = OBJECTIVE.loss(Map.of("last_hidden_state", cancelling), t, Optional.empty(), tokens)
        .getFloat();
    assertTrue(tokenTerm > 0);
    assertEquals(tokenTerm, pooled.loss(Map.of("last_hidden_state", cancelling), t, Optional.empty(), tokens)
        .getFloat(), 1e-6f);

    // the first sentence's tokens all shifted by (1, -1): its mean turns from (3, 4) to (4, 3), cos 24/25;
    // the second agrees: mean distance (0.04 + 0) / 2
    NDArray shifted = M.create(new float[] {2, 1, 4, 3, 6, 5, 1, -1, 2, -2, 7, 7}, new Shape(2, 3, 2));
    assertEquals(0.02f, DistillObjective.pooledDistance(shifted, teacher, weights).getFloat(), 1e-6f);
    Map<String, NDArray> s = Map.of("last_hidden_state", shifted);
    float plain = OBJECTIVE.loss(s, t, Optional.empty(), tokens).getFloat();
    assertEquals(plain + 0.5f * 0.02f, pooled.loss(s, t, Optional.empty(), tokens).getFloat(), 1e-6f,
        "the term is added with its weight to the output's own");
  }

  @Test
  void theIntermediateTermIsTheRelativeSquaredErrorAveragedOverLayers() {
    NDArray a = M.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
    NDArray b = M.create(new float[] {-1, 0, 2, 0}, new Shape(2, 2));
    Map<String, NDArray> teacher = Map.of("a", a, "b", b);
    // a exact; b 10 % too large everywhere: relative squared error 0.01
    Map<String, NDArray> student = Map.of("a", a, "b", b.mul(1.1f));
    float term = OBJECTIVE.hintLoss(student, teacher, List.of("a", "b"), Optional.empty()).getFloat();
    assertEquals((0 + 0.01) / 2, term, 1e-6);
  }
}
