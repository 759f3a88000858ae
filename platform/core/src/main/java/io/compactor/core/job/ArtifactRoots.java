package io.compactor.core.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The directories jobs may read from and write to. A request naming a path elsewhere is refused, so a
 * job submitted over Kafka cannot read or overwrite arbitrary files of the platform's host. Paths are
 * compared as real paths: symbolic links are followed and {@code ..} is applied to the directory a link
 * leads to, before the check; a path that does not exist yet (an output) is resolved through its nearest
 * existing ancestor. Directory fields also refuse a symbolic link inside them that leads outside.
 *
 * <p>Objects in S3 are named {@code s3://bucket/key}; they are allowed when they lie at or under one of the
 * allowed bucket prefixes, compared segment by segment ({@code s3://b/data} allows {@code s3://b/data/x}, not
 * {@code s3://b/data-other/x}); keys with {@code .} or {@code ..} segments are refused ({@link S3Location}).
 *
 * <p>What is checked is what runs: {@link #confine} returns the request with every path replaced by the
 * real path it was checked as. (A link swapped in after the check is outside this guard.)
 *
 * @param roots absolute real directories
 * @param buckets allowed S3 buckets and key prefixes
 */
public record ArtifactRoots(List<Path> roots, List<S3Location> buckets) {
  /** A URI scheme followed by a slash: {@code s3://}, {@code http://}, {@code hdfs:/}. */
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):/");
  /** The inputs that are files; the others are directories. */
  private static final Set<String> FILES = Set.of("model", "config");
  /** Links followed in one path before giving up (Linux's {@code MAXSYMLINKS}). */
  private static final int MAX_LINKS = 40;

  public ArtifactRoots {
    roots = roots.stream().map(ArtifactRoots::realPath).toList();
    buckets = List.copyOf(buckets);
    if (roots.isEmpty() && buckets.isEmpty()) {
      throw new IllegalArgumentException("at least one allowed artifact root is needed");
    }
  }

  /** @param roots absolute real directories; no S3 bucket is allowed */
  public ArtifactRoots(List<Path> roots) {
    this(roots, List.of());
  }

  /**
   * @param entries directories (paths or {@code file:} URIs) and {@code s3://bucket[/prefix]} entries, as
   *     {@code --allowed-root} takes them
   * @return the roots
   * @throws InvalidRequestException naming {@code --allowed-root} for an entry that is neither
   */
  public static ArtifactRoots parse(List<String> entries) {
    List<Path> dirs = new java.util.ArrayList<>();
    List<S3Location> s3 = new java.util.ArrayList<>();
    for (String e : entries) {
      if (S3Location.isS3(e)) {
        s3.add(S3Location.parse("--allowed-root", e));
      } else {
        dirs.add(resolve("--allowed-root", e));
      }
    }
    return new ArtifactRoots(dirs, s3);
  }

  /**
   * @param pathOrUri a path or {@code file:} URI
   * @return it as an absolute normalized path (symbolic links not followed)
   * @throws InvalidRequestException for any other URI scheme ({@code s3://}, {@code http://}, ...) or a
   *     string that is no path; the field is {@code path}
   */
  public static Path resolve(String pathOrUri) {
    return resolve("path", pathOrUri);
  }

  /**
   * @param field the request field or option, named in the message
   * @param pathOrUri a path or {@code file:} URI
   * @return it as an absolute normalized path (symbolic links not followed)
   * @throws InvalidRequestException naming {@code field}, as {@link #resolve(String)}
   */
  public static Path resolve(String field, String pathOrUri) {
    try {
      if (pathOrUri.regionMatches(true, 0, "file:", 0, 5)) {
        return Path.of(URI.create(pathOrUri)).toAbsolutePath().normalize();
      }
      Matcher m = SCHEME.matcher(pathOrUri);
      if (m.find()) {
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        throw new InvalidRequestException(field, scheme.equals("s3")
            ? "an s3:// URI is not supported here, got '" + pathOrUri + "'; give a path or file: URI"
            : "URI scheme '" + scheme + "' is not supported, got '" + pathOrUri + "'; give a path or file: URI");
      }
      return Path.of(pathOrUri).toAbsolutePath().normalize();
    } catch (IllegalArgumentException e) { // InvalidPathException too
      throw new InvalidRequestException(field, "'" + pathOrUri + "' is not a path or file: URI (" + e.getMessage()
          + ")");
    }
  }

  /**
   * The path the operating system would reach: every symbolic link followed (also a dangling one, to
   * where it would create a file) and {@code ..} applied to the real parent. The part of the path that
   * does not exist yet is appended as written.
   *
   * @param path any path
   * @return its absolute real form
   */
  public static Path realPath(Path path) {
    Path abs = path.toAbsolutePath();
    Deque<String> todo = new ArrayDeque<>();
    abs.forEach(p -> todo.addLast(p.toString()));
    Path current = abs.getRoot();
    int links = 0;
    while (!todo.isEmpty()) {
      String name = todo.removeFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        current = current.getParent() == null ? current : current.getParent();
        continue;
      }
      Path next = current.resolve(name);
      if (!Files.isSymbolicLink(next)) {
        current = next;
        continue;
      }
      if (++links > MAX_LINKS) {
        throw new IllegalArgumentException(path + ": more than " + MAX_LINKS + " symbolic links (a loop?)");
      }
      Path target;
      try {
        target = Files.readSymbolicLink(next);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<String> parts = new java.util.ArrayList<>();
      target.forEach(p -> parts.add(p.toString()));
      for (int i = parts.size() - 1; i >= 0; i--) {
        todo.addFirst(parts.get(i));
      }
      if (target.isAbsolute()) {
        current = target.getRoot();
      }
    }
    return current;
  }

  /**
   * @return the first problem with the request's paths, starting with the field name ({@code <field>:
   *     <path> is outside the allowed artifact roots ...}), or empty when all lie under a root
   */
  public Optional<String> check(JobRequest r) {
    try {
      confine(r);
      return Optional.empty();
    } catch (InvalidRequestException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * @param r a job request
   * @return {@code r} with every path replaced by the real path it was checked as
   * @throws InvalidRequestException naming the first field that is not a path, uses an unsupported URI
   *     scheme, or leads outside the roots
   */
  public JobRequest confine(JobRequest r) {
    Map<String, String> real = new LinkedHashMap<>();
    r.inputs().forEach((field, value) -> real.put(field, FILES.contains(field) ? file(field, value)
        : directory(field, value)));
    return r.relocated(real, directory("output", r.output()));
  }

  private String file(String field, String value) {
    if (S3Location.isS3(value)) {
      return object(field, value);
    }
    return inside(field, resolve(field, value)).toString();
  }

  /** A directory, and every symbolic link directly inside it (data files, existing outputs). */
  private String directory(String field, String value) {
    if (S3Location.isS3(value)) {
      return object(field, value);
    }
    Path dir = inside(field, resolve(field, value));
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          if (Files.isSymbolicLink(entry)) {
            inside(field, entry);
          }
        }
      } catch (IOException e) {
        throw new InvalidRequestException(field, dir + " cannot be listed (" + e + ")");
      }
    }
    return dir.toString();
  }

  /** @return the normalized URI of an S3 object or prefix, when it lies under an allowed bucket prefix */
  private String object(String field, String uri) {
    S3Location at = S3Location.parse(field, uri);
    if (buckets.stream().noneMatch(at::within)) {
      throw new InvalidRequestException(field, uri + " is outside the allowed S3 buckets "
          + (buckets.isEmpty() ? "(none are allowed)" : buckets.toString())
          + "; start the platform with --allowed-root s3://bucket/prefix");
    }
    return at.toString();
  }

  /** @return the real path of {@code p}, when it lies under a root */
  private Path inside(String field, Path p) {
    Path real;
    try {
      real = realPath(p);
    } catch (RuntimeException e) {
      throw new InvalidRequestException(field, p + " cannot be resolved (" + e.getMessage() + ")");
    }
    if (roots.stream().noneMatch(real::startsWith)) {
      String where = real.equals(p) ? p + " is outside" : p + " leads through a symbolic link to " + real
          + ", outside";
      throw new InvalidRequestException(field, where + " the allowed artifact roots " + roots
          + "; move the file there or start the platform with --allowed-root");
    }
    return real;
  }
}
