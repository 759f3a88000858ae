/**
 * Where a job's artifacts live: local paths or objects in S3 (or an S3-compatible store). Inputs named by
 * {@code s3://} URIs are staged into a job-local directory before the job runs and the outputs are
 * published to the output prefix after it wrote them, so the chain itself only ever sees local files.
 * Which URIs a job may name is {@link io.compactor.core.job.ArtifactRoots}' decision, made before.
 */
package io.compactor.core.artifact;
