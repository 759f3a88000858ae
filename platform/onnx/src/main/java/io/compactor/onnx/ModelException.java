package io.compactor.onnx;

import java.util.Optional;

/**
 * A model Compactor cannot read, run or rewrite. The message names the model and, where known, the
 * node or tensor, says what is wrong and how to fix it.
 */
public class ModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String model;
  private final String element;

  /**
   * @param model the model file or a description of an in-memory model
   * @param element the node, tensor or value concerned, or {@code null} for the whole model
   * @param problem what is wrong and how to fix it
   */
  public ModelException(String model, String element, String problem) {
    this(model, element, problem, null);
  }

  /**
   * @param model the model file or a description of an in-memory model
   * @param element the node, tensor or value concerned, or {@code null} for the whole model
   * @param problem what is wrong and how to fix it
   * @param cause the library failure behind it, or {@code null}
   */
  public ModelException(String model, String element, String problem, Throwable cause) {
    super(model + (element == null ? "" : ": " + element) + ": " + problem, cause);
    this.model = model;
    this.element = element;
  }

  /** @return the model file or in-memory model description */
  public String model() {
    return model;
  }

  /** @return the node, tensor or value concerned, if the problem is not the whole model */
  public Optional<String> element() {
    return Optional.ofNullable(element);
  }
}
