package io.compactor.core.job;

import java.util.regex.Pattern;

/**
 * An object or key prefix in an S3 bucket, as requests name it: {@code s3://bucket/key}. Parsing refuses
 * what could escape an allowed prefix ({@code .} and {@code ..} segments, empty segments) so that a
 * prefix check on the text is a check on the object.
 *
 * @param bucket the bucket
 * @param key the key or key prefix, without a trailing slash; empty for the whole bucket
 */
public record S3Location(String bucket, String key) {
  /** Bucket names as S3 and S3-compatible stores accept them (dots and underscores for older buckets). */
  private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final String SCHEME = "s3://";

  /** @return whether {@code value} is an {@code s3://} URI (case of the scheme ignored) */
  public static boolean isS3(String value) {
    return value.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /**
   * @param field the request field or option, named in the message
   * @param uri {@code s3://bucket[/key]}
   * @return the location, a trailing slash dropped
   * @throws InvalidRequestException naming {@code field} and the URI when it is malformed or has {@code .} or
   *     {@code ..} segments
   */
  public static S3Location parse(String field, String uri) {
    if (!isS3(uri)) {
      throw new InvalidRequestException(field, "'" + uri + "' is not an s3:// URI");
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (!BUCKET.matcher(bucket).matches()) {
      throw new InvalidRequestException(field, "'" + uri + "' has no valid bucket name (give s3://bucket/key)");
    }
    if (key.endsWith("/")) {
      key = key.substring(0, key.length() - 1);
    }
    if (!key.isEmpty()) {
      for (String segment : key.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw new InvalidRequestException(field, "'" + uri + "' has an empty, '.' or '..' segment in its key; "
              + "give the object's key as stored");
        }
      }
    }
    return new S3Location(bucket, key);
  }

  /** @return whether this object or prefix lies at or under {@code prefix}, segment by segment */
  public boolean within(S3Location prefix) {
    return bucket.equals(prefix.bucket) && (prefix.key.isEmpty() || key.equals(prefix.key)
        || key.startsWith(prefix.key + "/"));
  }

  /** @return the object {@code name} directly under this prefix */
  public S3Location child(String name) {
    return new S3Location(bucket, key.isEmpty() ? name : key + "/" + name);
  }

  /** @return the last segment of the key (the file name an object is staged as) */
  public String name() {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  @Override
  public String toString() {
    return key.isEmpty() ? SCHEME + bucket : SCHEME + bucket + "/" + key;
  }
}
