package io.compactor.bundle.quantint8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The built bundle jar: its DS descriptor agrees with the SPI; it exports nothing and imports only the platform. */
@Tag("integration")
class QuantInt8BundleIT {
  private static final String DESCRIPTOR = "OSGI-INF/io.compactor.bundle.quantint8.QuantInt8Method.xml";

  private static Path jar() {
    Path jar = Path.of(System.getProperty("bundle.jar", "target/bundle-quant-int8.jar"));
    assertTrue(Files.exists(jar), "bundle jar " + jar + " not built; run mvn verify");
    return jar;
  }

  @Test
  void componentPropertiesAgreeWithTheMethod() throws IOException {
    QuantInt8Method method = new QuantInt8Method();
    String xml;
    try (JarFile jar = new JarFile(jar().toFile()); InputStream in = jar.getInputStream(jar.getEntry(DESCRIPTOR))) {
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(method.capability(), value(xml, Capabilities.PROPERTY_CAPABILITY));
    assertEquals(method.stage().id(), value(xml, Capabilities.PROPERTY_STAGE));
    Matcher ops = Pattern.compile("name=\"compactor.op-types\" type=\"String\">([^<]*)<").matcher(xml);
    assertTrue(ops.find(), xml);
    assertEquals(new TreeSet<>(method.opTypes()), new TreeSet<>(Arrays.asList(ops.group(1).trim().split("\\s+"))));
  }

  private static String value(String xml, String name) {
    Matcher m = Pattern.compile("name=\"" + Pattern.quote(name) + "\" type=\"\\w+\" value=\"([^\"]*)\"").matcher(xml);
    assertTrue(m.find(), name + " in " + xml);
    return m.group(1);
  }

  @Test
  void theBundleExportsNothingAndImportsOnlyThePlatformAndTheJdk() throws IOException {
    Manifest mf;
    try (JarFile jar = new JarFile(jar().toFile())) {
      mf = jar.getManifest();
    }
    assertNull(mf.getMainAttributes().getValue("Export-Package"));
    String imports = mf.getMainAttributes().getValue("Import-Package");
    for (String entry : imports.replaceAll("\"[^\"]*\"", "").split(",")) {
      String pkg = entry.split(";")[0].trim();
      assertTrue(pkg.startsWith("io.compactor.api") || pkg.startsWith("io.compactor.onnx")
          || pkg.startsWith("io.compactor.retrain") || pkg.startsWith("java."), "unexpected import " + pkg);
    }
  }
}
