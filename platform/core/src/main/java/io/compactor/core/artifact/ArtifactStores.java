package io.compactor.core.artifact;

import io.compactor.core.job.OutputStore;
import io.compactor.core.job.S3Location;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The stores one platform or command reaches artifacts in, chosen per URI: local paths in place, and S3
 * through one client, made when a job first names an {@code s3://} URI and closed with this. As an
 * {@link OutputStore} it is the store of whatever output location it is handed, so a job's attempts stage,
 * promote and checkpoint the same way locally and in a bucket. Thread-safe.
 */
public final class ArtifactStores implements OutputStore, AutoCloseable {
  private final LocalArtifactStore local = new LocalArtifactStore();
  private final Optional<S3Settings> settings;
  private S3ArtifactStore s3;

  private ArtifactStores(Optional<S3Settings> settings) {
    this.settings = settings;
  }

  /**
   * @param settings how to reach S3; the client is made when a job first names an {@code s3://} URI
   * @return local paths and S3
   */
  public static ArtifactStores of(S3Settings settings) {
    return new ArtifactStores(Optional.of(settings));
  }

  /** @return local paths only: an {@code s3://} URI fails naming the URI (for runs that never stage to S3) */
  public static ArtifactStores localOnly() {
    return new ArtifactStores(Optional.empty());
  }

  /**
   * @param field the request field, for messages
   * @param uri a path or {@code s3://} URI
   * @return the store that holds it
   * @throws ArtifactException when the S3 client cannot be set up, or there is no S3 here
   */
  synchronized ArtifactStore store(String field, String uri) {
    if (!S3Location.isS3(uri)) {
      return local;
    }
    if (s3 == null) {
      S3Settings s = settings.orElseThrow(() -> new ArtifactException(field, uri,
          "object storage is not configured for this run", null));
      try {
        s3 = S3ArtifactStore.standard(s);
      } catch (RuntimeException e) { // a malformed AWS_ENDPOINT_URL_S3, an unknown AWS_PROFILE, ...
        throw new ArtifactException(field, uri, "the S3 client cannot be set up: " + e.getMessage(), e);
      }
    }
    return s3;
  }

  private OutputStore output(String location) {
    return store("output", location);
  }

  @Override
  public List<String> list(String prefix) {
    return output(prefix).list(prefix);
  }

  @Override
  public boolean exists(String location) {
    return output(location).exists(location);
  }

  @Override
  public void put(Path file, String location) {
    output(location).put(file, location);
  }

  @Override
  public boolean get(String location, Path file) {
    return output(location).get(location, file);
  }

  @Override
  public void move(String from, String to) {
    if (S3Location.isS3(from) != S3Location.isS3(to)) {
      throw new ArtifactException("output", to, "cannot be replaced by " + from + " from another store", null);
    }
    output(to).move(from, to);
  }

  @Override
  public void delete(String location) {
    output(location).delete(location);
  }

  @Override
  public void deleteIfEmpty(String directory) {
    output(directory).deleteIfEmpty(directory);
  }

  @Override
  public synchronized void close() {
    if (s3 != null) {
      s3.close();
      s3 = null;
    }
  }
}
