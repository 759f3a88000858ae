package io.compactor.core.config;

import io.compactor.core.config.proto.AmctRetrainConfigProto;
import java.util.Optional;

/** Binds the Compactor extension {@code compactor_retrain} and checks its ranges. */
final class CompactorRetrainBinder {
  private static final String PATH = "compactor_retrain";

  private CompactorRetrainBinder() {}

  /** @return the block, or empty when it has a problem (recorded in {@code d}) */
  static Optional<CompactorRetrain> bind(AmctRetrainConfigProto.CompactorRetrain m, Diagnostics d) {
    int before = d.problemCount();
    if (m.getEpochs() < 1) {
      d.error(path("epochs"), "must be at least 1", String.valueOf(m.getEpochs()),
          "give the number of passes over the training data, e.g. 3");
    }
    positive(d, "learning_rate", m.getLearningRate(), "give the optimizer's step size, e.g. 0.0001");
    if (m.getBatchSize() < 1) {
      d.error(path("batch_size"), "must be at least 1", String.valueOf(m.getBatchSize()),
          "give the number of samples per step, e.g. 32");
    }
    positive(d, "max_minutes", m.getMaxMinutes(), "give the wall-time budget of retraining in minutes, e.g. 20");
    double held = m.getHeldOutFraction();
    if (!(held >= 0 && held <= CompactorRetrain.MAX_HELD_OUT_FRACTION)) {
      d.error(path("held_out_fraction"), "must be from 0 to 0.5", String.valueOf(held),
          "give the share of the training data held out for early stopping, e.g. 0.1");
    }
    if (d.problemCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new CompactorRetrain(m.getEpochs(), m.getLearningRate(), m.getBatchSize(),
        m.getMaxMinutes(), m.getSeed(), held, CompactorRetrain.Train.valueOf(m.getTrain().name()),
        CompactorRetrain.OnUnsupported.valueOf(m.getOnUnsupported().name())));
  }

  private static void positive(Diagnostics d, String field, double value, String fix) {
    if (!(Double.isFinite(value) && value > 0)) {
      d.error(path(field), "must be a finite number above 0", String.valueOf(value), fix);
    }
  }

  private static String path(String field) {
    return PATH + "." + field;
  }
}
