package io.compactor.core.cli;

import io.compactor.core.host.BundleEntry;
import io.compactor.core.host.BundleListing;
import io.compactor.core.host.HostSettings;
import io.compactor.core.host.OsgiHost;
import io.compactor.core.host.ProviderEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Starts the OSGi host on a bundle directory and explains what it runs: providers per capability, jars. */
@Command(name = "bundles", mixinStandardHelpOptions = true,
    description = "Starts the OSGi host on the bundle directory, waits until every jar is installed, and lists "
        + "each capability's providers (which one is chosen and why) and each jar's state and problem.")
final class BundlesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin BundlesOption bundles;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "10",
      description = "How long to wait for every jar to be installed and started (default: ${DEFAULT-VALUE}).")
  long waitSeconds;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Override
  public Integer call() {
    Path dir = bundles.require(spec);
    BundleListing listing;
    try (OsgiHost host = OsgiHost.start(HostSettings.of(dir)).stopOnShutdown()) {
      listing = host.awaitSettled(Duration.ofSeconds(waitSeconds));
    }
    print(listing, spec.commandLine().getOut());
    return 0;
  }

  static void print(BundleListing listing, PrintWriter out) {
    long active = listing.bundles().stream().filter(b -> b.state().name().equals("ACTIVE")).count();
    out.printf("bundles in %s: %d jar(s), %d active, %d with problems%n%n", listing.watchedDirectory(),
        listing.bundles().size(), active, listing.problems().size());
    List<List<String>> providers = new ArrayList<>();
    providers.add(List.of("CAPABILITY", "STAGE", "PROVIDER", "VERSION", "RANKING", "STATE", "WHY"));
    for (ProviderEntry p : listing.providers()) {
      providers.add(List.of(p.capability(), p.stage(), p.bundle(), p.version(), Integer.toString(p.ranking()),
          lower(p.state().name()) + (p.leases() > 0 ? " (" + p.leases() + " running)" : ""), p.reason()));
    }
    if (providers.size() == 1) {
      out.println("no capability is provided");
    } else {
      table(providers, out);
    }
    out.println();
    List<List<String>> jars = new ArrayList<>();
    jars.add(List.of("FILE", "SYMBOLIC NAME", "VERSION", "STATE", "CAPABILITIES", "PROBLEM"));
    for (BundleEntry b : listing.bundles()) {
      jars.add(List.of(b.file(), dash(b.symbolicName()), dash(b.version()), lower(b.state().name()),
          b.capabilities().isEmpty() ? "-" : String.join(",", b.capabilities()), dash(b.problem())));
    }
    if (jars.size() == 1) {
      out.println("no jar in " + listing.watchedDirectory());
    } else {
      table(jars, out);
    }
    out.flush();
  }

  private static void table(List<List<String>> rows, PrintWriter out) {
    int columns = rows.get(0).size();
    int[] width = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns - 1; c++) {
        width[c] = Math.max(width[c], row.get(c).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(c < columns - 1 ? String.format("%-" + width[c] + "s  ", row.get(c)) : row.get(c));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static String dash(String s) {
    return s.isEmpty() ? "-" : s;
  }
}
