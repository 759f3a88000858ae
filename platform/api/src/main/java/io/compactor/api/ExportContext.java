package io.compactor.api;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What {@link CompressionMethod#export} gets from the host besides the training form. Implemented only by
 * the host.
 *
 * @since 1.3.0
 */
@ProviderType
public interface ExportContext {
  /** @return the job, for messages */
  String jobId();

  /** @return a directory private to the export for temporary files; the host deletes it afterwards */
  Path workDirectory();

  /** Records a warning for the report and the log. */
  void warn(String message);
}
