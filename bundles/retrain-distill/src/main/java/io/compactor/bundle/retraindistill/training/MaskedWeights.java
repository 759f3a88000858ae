package io.compactor.bundle.retraindistill.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Zeros a sparsity step created, held through training: an optimizer moves masked entries (momentum, weight
 * decay), so the gradient is masked before each update (Adam's moments stay zero there) and the weight is
 * masked again after it. Masks are 1 where a weight may train and 0 where it must stay zero; removed channels
 * are masks of zero rows.
 */
public final class MaskedWeights {
  private final Map<String, NDArray> masks = new LinkedHashMap<>();

  /**
   * Holds {@code weight} to {@code mask} from now on and zeroes its masked entries now.
   *
   * @param name the parameter's name, for messages
   * @param weight the parameter (it may require gradients)
   * @param mask 1 to train, 0 to hold at zero; same shape as the weight
   */
  public void hold(String name, NDArray weight, NDArray mask) {
    Objects.requireNonNull(weight, "weight");
    Objects.requireNonNull(mask, "mask");
    if (!weight.getShape().equals(mask.getShape())) {
      throw new IllegalArgumentException(name + ": mask shape " + mask.getShape() + " differs from the weight's "
          + weight.getShape());
    }
    NDArray m = mask.getDataType() == weight.getDataType() ? mask : mask.toType(weight.getDataType(), false);
    masks.put(name, m);
    reapply(weight, m);
  }

  /** @return the names of the held weights */
  public java.util.Set<String> names() {
    return masks.keySet();
  }

  /** Zeroes the gradient at masked entries; call between backward and the optimizer update. */
  public void maskGradient(String name, NDArray weight) {
    NDArray mask = masks.get(name);
    if (mask != null && weight.hasGradient()) {
      // detached: the gradient is changed in place, outside autograd; the handles are closed at once, since they
      // would otherwise pile up in the weight's manager step after step
      try (NDArray gradient = weight.getGradient(); NDArray alias = gradient.stopGradient()) {
        alias.muli(mask);
      }
    }
  }

  /** Zeroes the weight's masked entries again; call after each optimizer update. */
  public void afterUpdate(String name, NDArray weight) {
    NDArray mask = masks.get(name);
    if (mask != null) {
      reapply(weight, mask);
    }
  }

  private static void reapply(NDArray weight, NDArray mask) {
    // a leaf that requires gradients cannot be changed in place; its detached alias shares the storage
    try (NDArray alias = weight.stopGradient()) {
      alias.muli(mask);
    }
  }

  /** @return how many entries of {@code weight} are exactly zero where the mask holds them (for checks) */
  public long heldZeros(String name, NDArray weight) {
    NDArray mask = masks.get(name);
    if (mask == null) {
      return 0;
    }
    NDArray held = mask.eq(0);
    return weight.eq(0).logicalAnd(held).toType(DataType.INT64, false).sum().getLong();
  }
}
