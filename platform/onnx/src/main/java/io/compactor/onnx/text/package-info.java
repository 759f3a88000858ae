/**
 * Real text as input for BERT-style encoders: a WordPiece tokenizer reading a HuggingFace
 * {@code tokenizer.json}, and sample English sentences for calibration and evaluation.
 */
@Export
@Version("1.0.0")
package io.compactor.onnx.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
