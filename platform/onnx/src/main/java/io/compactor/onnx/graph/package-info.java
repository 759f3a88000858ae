/**
 * The graph IR: an {@link io.compactor.onnx.graph.OnnxModel} holds one mutable
 * {@link io.compactor.onnx.graph.Graph} of {@link io.compactor.onnx.graph.Node}s, initializers and value
 * infos. Everything the IR does not model (doc strings, metadata, functions, training info) is carried
 * through load and save unchanged. Not thread-safe: one job owns one model.
 */
@Export
@Version("1.1.0")
package io.compactor.onnx.graph;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
