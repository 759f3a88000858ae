package io.compactor.bundle.prunefilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The built bundle jar: its Declarative Services descriptor agrees with the SPI, and nothing is exported. */
@Tag("integration")
class FilterPruneBundleIT {
  private static final String DESCRIPTOR = "OSGI-INF/io.compactor.bundle.prunefilter.FilterPruneMethod.xml";

  private static Path jar() {
    Path jar = Path.of(System.getProperty("bundle.jar", "target/bundle-prune-filter.jar"));
    assertTrue(Files.exists(jar), "bundle jar " + jar + " not built; run mvn verify");
    return jar;
  }

  @Test
  void componentPropertiesAgreeWithTheMethod() throws IOException {
    FilterPruneMethod method = new FilterPruneMethod();
    String xml;
    try (JarFile jar = new JarFile(jar().toFile()); InputStream in = jar.getInputStream(jar.getEntry(DESCRIPTOR))) {
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(method.capability(), property(xml, Capabilities.PROPERTY_CAPABILITY));
    assertEquals(method.stage().id(), property(xml, Capabilities.PROPERTY_STAGE));
    assertEquals("0", property(xml, "service.ranking"));
    Matcher ops = Pattern.compile("name=\"compactor.op-types\" type=\"String\">([^<]*)<").matcher(xml);
    assertTrue(ops.find(), xml);
    assertEquals(new TreeSet<>(method.opTypes()), new TreeSet<>(Arrays.asList(ops.group(1).trim().split("\\s+"))));
    assertTrue(xml.contains("<provide interface=\"io.compactor.api.CompressionMethod\"/>"), xml);
  }

  private static String property(String xml, String name) {
    Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\" type=\"\\w+\" value=\"([^\"]*)\"").matcher(xml);
    assertTrue(m.find(), name + " in " + xml);
    return m.group(1);
  }

  @Test
  void theBundleExportsNothingAndImportsOnlyThePlatform() throws IOException {
    Manifest mf;
    try (JarFile jar = new JarFile(jar().toFile())) {
      mf = jar.getManifest();
    }
    assertNull(mf.getMainAttributes().getValue("Export-Package"));
    String imports = mf.getMainAttributes().getValue("Import-Package");
    for (String pkg : List.of("io.compactor.api", "io.compactor.retrain", "io.compactor.onnx.graph")) {
      assertTrue(imports.contains(pkg), pkg + " in " + imports);
    }
    for (String pkg : packages(imports)) {
      assertTrue(pkg.startsWith("io.compactor.") || pkg.startsWith("java.") || pkg.startsWith("ai.onnxruntime"),
          "unexpected import " + pkg);
    }
  }

  /** @return the package names of an OSGi header, ignoring commas inside quoted attributes */
  private static List<String> packages(String header) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : (header + ",").toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(cur.toString().split(";")[0].trim());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    return out;
  }
}
