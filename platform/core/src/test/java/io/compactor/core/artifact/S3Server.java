package io.compactor.core.artifact;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: S3Proxy on a loopback port over jclouds' filesystem store, with signature
 * checking on. {@link #configureSdk()} points the AWS SDK's standard system properties at it, as
 * {@code AWS_ENDPOINT_URL_S3}, {@code AWS_REQUEST_CHECKSUM_CALCULATION} and the credentials chain would in
 * production.
 */
public final class S3Server implements AutoCloseable {
  /** Credentials the tests use; the secret must never show up in events, reports or logs. */
  public static final String ACCESS_KEY = "compactor-test-access";
  public static final String SECRET_KEY = "Secr3t-never-in-logs-9f2c71d0";
  private static final String[] PROPERTIES = {"aws.endpointUrlS3", "aws.accessKeyId", "aws.secretAccessKey",
      "aws.region", "aws.requestChecksumCalculation", "aws.responseChecksumValidation"};

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final S3Client client;

  private S3Server(S3Proxy proxy, BlobStoreContext context) {
    this.proxy = proxy;
    this.context = context;
    this.client = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(endpoint()).forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** @return a started server keeping its buckets as directories under {@code dir} */
  public static S3Server start(Path dir) throws Exception {
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", Files.createDirectories(dir).toString());
    BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(props)
        .build(BlobStoreContext.class);
    S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(20);
    }
    return new S3Server(proxy, context);
  }

  /** @return the server's endpoint, {@code http://127.0.0.1:<port>} */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Points the SDK's standard settings (system properties) at this server. */
  public void configureSdk() {
    // a host name, not an IP: with an IP the SDK addresses buckets path-style whatever --s3-path-style says
    System.setProperty("aws.endpointUrlS3", "http://localhost:" + proxy.getPort());
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    System.setProperty("aws.region", "us-east-1");
    // S3Proxy, like several S3-compatible stores, takes checksums only where S3 requires them
    System.setProperty("aws.requestChecksumCalculation", "when_required");
    System.setProperty("aws.responseChecksumValidation", "when_required");
  }

  /** @return a client with the test credentials, path-style, for preparing and reading objects */
  public S3Client client() {
    return client;
  }

  /** Creates {@code bucket}. */
  public void bucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** Uploads {@code file} as {@code s3://bucket/key}. */
  public void put(String bucket, String key, Path file) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
  }

  /** @return the bytes of {@code s3://bucket/key} */
  public byte[] get(String bucket, String key) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  @Override
  public void close() throws Exception {
    for (String p : PROPERTIES) {
      System.clearProperty(p);
    }
    client.close();
    proxy.stop();
    context.close();
  }
}
