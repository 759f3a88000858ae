/**
 * What a job leaves behind: the output files ({@link io.compactor.core.output.OutputFiles}), the evaluation of
 * the deploy model against the original ({@link io.compactor.core.output.Evaluator}) and {@code report.json}
 * ({@link io.compactor.core.output.JobReport}). The chain calls in here after its last step.
 */
package io.compactor.core.output;
