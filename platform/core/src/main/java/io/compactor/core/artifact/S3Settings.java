package io.compactor.core.artifact;

/**
 * How the platform reaches S3. Endpoint, region and credentials come the AWS SDK's standard way
 * ({@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL}, {@code AWS_REGION}, the default credentials
 * chain); only what the SDK has no standard setting for is here.
 *
 * @param pathStyle address buckets as {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}, as
 *     S3-compatible stores such as MinIO need
 */
public record S3Settings(boolean pathStyle) {
  /** @return virtual-hosted addressing, as AWS S3 itself */
  public static S3Settings defaults() {
    return new S3Settings(false);
  }
}
