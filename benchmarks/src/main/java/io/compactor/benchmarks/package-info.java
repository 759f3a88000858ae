/**
 * What the benchmark mains share: MiniLM with its tokenizer, sentences and embeddings, interleaved latency
 * rounds, the machine line. The mains themselves sit in their bundle's package
 * ({@code io.compactor.bundle.*}) because they pass method options a configuration cannot express
 * (magnitude-only 2:4, the SparseGPT target, refit off); on the plain classpath a package may span jars.
 */
package io.compactor.benchmarks;
