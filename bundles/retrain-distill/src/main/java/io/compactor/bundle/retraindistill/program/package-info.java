/**
 * An ONNX graph as a differentiable DJL program on the PyTorch engine: a {@link
 * io.compactor.bundle.retraindistill.program.ConverterRegistry} of one converter per operator family, keyed
 * by domain, op type and since-version, says up front which nodes cannot be converted; a {@link
 * io.compactor.bundle.retraindistill.program.DifferentiableProgram} runs the rest with gradients for the chosen
 * initializers, shape subgraphs folded to constants per input shapes.
 */
package io.compactor.bundle.retraindistill.program;
