package io.compactor.core.artifact;

import io.compactor.core.job.S3Location;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.graph.OnnxModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in S3 or an S3-compatible store, through the AWS SDK v2 with the JDK's HTTP client. A data
 * directory is every {@code *.npy} object directly under the prefix; outputs are uploaded under the output
 * prefix by file name. Messages carry the field, the URI and the store's error code, never credentials. As an
 * {@link io.compactor.core.job.OutputStore}, a prefix is every key below {@code prefix/} (folder markers
 * left out); a move is a server-side copy, then a delete (a single-request copy: objects up to 5 GB).
 */
final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
  private static final String FIELD = "output";
  private final S3Client s3;

  S3ArtifactStore(S3Client s3) {
    this.s3 = s3;
  }

  /**
   * @param settings the settings the SDK has no standard source for
   * @return a client configured the SDK's standard way (endpoint, region and credentials from the
   *     environment, system properties and profile); the region defaults to {@code us-east-1}, which
   *     S3-compatible stores accept
   */
  static S3ArtifactStore standard(S3Settings settings) {
    Region region;
    try {
      region = new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      region = Region.US_EAST_1;
    }
    return new S3ArtifactStore(S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(region)
        .forcePathStyle(settings.pathStyle())
        .build());
  }

  @Override
  public Path fetchFile(String field, String uri, Path stage) {
    S3Location at = S3Location.parse(field, uri);
    Path local = directory(stage.resolve(field)).resolve(at.name());
    call(field, uri, () -> s3.getObject(b -> b.bucket(at.bucket()).key(at.key()), local));
    return local;
  }

  /** The external data files are objects next to the model's, under the same relative names. */
  @Override
  public Path fetchModel(String field, String uri, Path stage) {
    Path model = fetchFile(field, uri, stage);
    S3Location at = S3Location.parse(field, uri);
    String folder = at.key().contains("/") ? at.key().substring(0, at.key().lastIndexOf('/') + 1) : "";
    List<String> locations;
    try {
      locations = OnnxModel.externalDataLocations(model);
    } catch (ModelException e) {
      throw new ArtifactException(field, uri, e.getMessage(), e);
    }
    for (String location : locations) {
      S3Location data = new S3Location(at.bucket(), folder + location);
      Path local = model.resolveSibling(location);
      directory(local.getParent());
      call(field, data.toString(), () -> s3.getObject(b -> b.bucket(data.bucket()).key(data.key()), local));
    }
    return model;
  }

  @Override
  public Path fetchDirectory(String field, String uri, Path stage) {
    S3Location at = S3Location.parse(field, uri);
    Path local = directory(stage.resolve(field));
    String prefix = at.key().isEmpty() ? "" : at.key() + "/";
    List<String> keys = call(field, uri, () -> s3.listObjectsV2Paginator(b -> b.bucket(at.bucket()).prefix(prefix))
        .contents().stream().map(S3Object::key)
        .filter(k -> k.endsWith(".npy") && k.indexOf('/', prefix.length()) < 0).toList());
    if (keys.isEmpty()) {
      throw new ArtifactException(field, uri, "no *.npy objects under this prefix", null);
    }
    for (String key : keys) {
      Path file = local.resolve(key.substring(prefix.length()));
      call(field, uri, () -> s3.getObject(b -> b.bucket(at.bucket()).key(key), file));
    }
    return local;
  }

  @Override
  public Path outputDirectory(String field, String uri, Path stage) {
    return directory(stage.resolve(field));
  }

  @Override
  public List<String> publish(String field, String uri, List<Path> files) {
    S3Location at = S3Location.parse(field, uri);
    List<String> published = new ArrayList<>();
    for (Path file : files) {
      S3Location target = at.child(file.getFileName().toString());
      call(field, target.toString(), () -> s3.putObject(b -> b.bucket(target.bucket()).key(target.key()),
          RequestBody.fromFile(file)));
      published.add(target.toString());
    }
    return published;
  }

  @Override
  public List<String> list(String prefix) {
    S3Location at = S3Location.parse(FIELD, prefix);
    String p = at.key().isEmpty() ? "" : at.key() + "/";
    // keys ending in '/' are folder markers (some tools and stores make them), not outputs
    return call(FIELD, prefix, () -> s3.listObjectsV2Paginator(b -> b.bucket(at.bucket()).prefix(p)).contents()
        .stream().map(S3Object::key).filter(k -> !k.endsWith("/")).map(k -> k.substring(p.length())).sorted()
        .toList());
  }

  @Override
  public boolean exists(String location) {
    S3Location at = S3Location.parse(FIELD, location);
    try {
      s3.headObject(b -> b.bucket(at.bucket()).key(at.key()));
      return true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new ArtifactException(FIELD, location, describe(e), e);
    } catch (SdkException e) {
      throw failure(FIELD, location, e);
    }
  }

  @Override
  public void put(Path file, String location) {
    S3Location at = S3Location.parse(FIELD, location);
    call(FIELD, location, () -> s3.putObject(b -> b.bucket(at.bucket()).key(at.key()), RequestBody.fromFile(file)));
  }

  @Override
  public boolean get(String location, Path file) {
    S3Location at = S3Location.parse(FIELD, location);
    try (InputStream in = s3.getObject(b -> b.bucket(at.bucket()).key(at.key()))) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (IOException e) {
      throw new ArtifactException(FIELD, location, "cannot be read (" + e + ")", e);
    } catch (SdkException e) {
      throw failure(FIELD, location, e);
    }
  }

  @Override
  public void move(String from, String to) {
    S3Location source = S3Location.parse(FIELD, from);
    S3Location target = S3Location.parse(FIELD, to);
    call(FIELD, to, () -> s3.copyObject(b -> b.sourceBucket(source.bucket()).sourceKey(source.key())
        .destinationBucket(target.bucket()).destinationKey(target.key())));
    call(FIELD, from, () -> s3.deleteObject(b -> b.bucket(source.bucket()).key(source.key())));
  }

  /**
   * Deletes every object below {@code location}, then the object it names, one request each: in that order
   * because filesystem-backed stores (S3Proxy) keep a prefix as a directory and take seconds to refuse
   * deleting a non-empty one.
   */
  @Override
  public void delete(String location) {
    S3Location at = S3Location.parse(FIELD, location);
    if (at.key().isEmpty()) {
      throw new ArtifactException(FIELD, location, "refusing to delete a whole bucket", null);
    }
    List<String> keys = new ArrayList<>();
    list(location).forEach(name -> keys.add(at.key() + "/" + name));
    keys.add(at.key());
    for (String key : keys) {
      call(FIELD, location, () -> s3.deleteObject(b -> b.bucket(at.bucket()).key(key)));
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  private static Path directory(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T call(String field, String uri, java.util.function.Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      throw failure(field, uri, e);
    }
  }

  /** @return the store's exception as one that names the field and URI and says what is wrong */
  private static ArtifactException failure(String field, String uri, SdkException e) {
    if (e instanceof S3Exception s3e) {
      return new ArtifactException(field, uri, describe(s3e), e);
    }
    if (e instanceof SdkClientException client) {
      return new ArtifactException(field, uri, unreachable(client)
          + "; check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and --s3-path-style", e);
    }
    return new ArtifactException(field, uri, e.getMessage(), e);
  }

  /** @return why the endpoint was not reached: the innermost network error names the host */
  private static String unreachable(SdkClientException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.UnknownHostException) {
        return "the S3 endpoint is unreachable: unknown host " + t.getMessage();
      }
      if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException) {
        return "the S3 endpoint is unreachable: " + t.getMessage();
      }
    }
    return "the S3 endpoint is unreachable or answered unreadably (" + e.getMessage() + ")";
  }

  /** @return what S3 said, in words a person can act on */
  static String describe(S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String what = switch (code == null ? "" : code) {
      case "NoSuchBucket" -> "no such bucket";
      case "NoSuchKey" -> "no such key";
      case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch" -> "access denied";
      default -> switch (e.statusCode()) {
        case 404 -> "no such bucket or key";
        case 403 -> "access denied";
        default -> "S3 refused the request";
      };
    };
    return what + " (HTTP " + e.statusCode() + (code == null ? "" : ", " + code) + ")";
  }
}
