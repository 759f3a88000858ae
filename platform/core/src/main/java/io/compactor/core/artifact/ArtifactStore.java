package io.compactor.core.artifact;

import io.compactor.core.job.OutputStore;
import java.nio.file.Path;
import java.util.List;

/**
 * A place artifacts are read from and written to, addressed by the URIs of a job request; as an
 * {@link OutputStore}, the place a job's attempts stage, promote and checkpoint its outputs in. Implementations
 * throw {@link ArtifactException} naming the field and URI when an artifact cannot be reached.
 */
public interface ArtifactStore extends OutputStore {
  /**
   * @param field the request field, for messages
   * @param uri the file's URI
   * @param stage a job-local directory the store may copy into
   * @return the file as a local path
   */
  Path fetchFile(String field, String uri, Path stage);

  /**
   * @param field the request field, for messages
   * @param uri an ONNX model's URI
   * @param stage a job-local directory the store may copy into
   * @return the model as a local path, with the external data files it names next to it
   */
  Path fetchModel(String field, String uri, Path stage);

  /**
   * @param field the request field, for messages
   * @param uri a directory of {@code *.npy} data files (a key prefix for object stores)
   * @param stage a job-local directory the store may copy into
   * @return the directory as a local path
   */
  Path fetchDirectory(String field, String uri, Path stage);

  /**
   * @param field the request field, for messages
   * @param uri where the outputs go
   * @param stage a job-local directory the store may use
   * @return the local directory the job writes its outputs to
   */
  Path outputDirectory(String field, String uri, Path stage);

  /**
   * @param field the request field, for messages
   * @param uri where the outputs go
   * @param files output files the job wrote into {@link #outputDirectory}
   * @return the URI of each file where it was published, in order
   */
  List<String> publish(String field, String uri, List<Path> files);
}
