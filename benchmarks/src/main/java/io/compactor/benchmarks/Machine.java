package io.compactor.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The line every benchmark prints first, so a table can be traced to the machine that measured it. */
public final class Machine {
  private Machine() {}

  /** @return e.g. {@code Java 17.0.15, 2 cores (AMD EPYC …)} */
  public static String describe() {
    return String.format(Locale.ROOT, "Java %s, %d cores (%s)", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), cpu());
  }

  private static String cpu() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(System.getProperty("os.arch"));
    } catch (IOException e) {
      return System.getProperty("os.arch");
    }
  }
}
