package io.compactor.core.tune;

import io.compactor.api.CompactorException;

/** The tune was cancelled on request between two runs. */
public final class TuneCancelledException extends CompactorException {
  private static final long serialVersionUID = 1L;

  TuneCancelledException() {
    super("tune: cancelled on request");
  }
}
