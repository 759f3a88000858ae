package io.compactor.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompressionMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The Declarative Services descriptor bnd generated for one component class, read from
 * {@code OSGI-INF/*.xml} next to the class (its classes directory or jar).
 */
final class ComponentXml {
  private final String file;
  private final Element root;

  private ComponentXml(String file, Element root) {
    this.file = file;
    this.root = root;
  }

  /**
   * @return the descriptor whose {@code <implementation class>} is {@code type}
   * @throws AssertionError naming the files looked at when there is none
   */
  static ComponentXml of(Class<?> type) {
    return of(location(type), type);
  }

  /**
   * @param location a classes directory or a jar
   * @return the descriptor in {@code location} whose {@code <implementation class>} is {@code type}
   * @throws AssertionError naming the files looked at when there is none
   */
  static ComponentXml of(Path location, Class<?> type) {
    List<String> seen = new ArrayList<>();
    try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location, Map.of())) {
      Path osgiInf = jar == null ? location.resolve("OSGI-INF") : jar.getPath("/OSGI-INF");
      if (!Files.isDirectory(osgiInf)) {
        throw new AssertionError(location + ": no OSGI-INF directory; annotate " + type.getName()
            + " with @Component and build with bnd-maven-plugin (its bnd-process goal writes OSGI-INF into "
            + "target/classes)");
      }
      try (Stream<Path> files = Files.list(osgiInf)) {
        for (Path xml : files.filter(p -> p.toString().endsWith(".xml")).sorted().toList()) {
          seen.add(xml.getFileName().toString());
          Element root = parse(xml);
          NodeList impl = root.getElementsByTagName("implementation");
          if (impl.getLength() == 1 && type.getName().equals(((Element) impl.item(0)).getAttribute("class"))) {
            return new ComponentXml(location + "/OSGI-INF/" + xml.getFileName(), root);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(location + ": cannot read OSGI-INF", e);
    }
    throw new AssertionError(location + "/OSGI-INF: no component descriptor implements " + type.getName()
        + ", got " + seen + "; annotate it with @Component");
  }

  /** Asserts that this descriptor registers {@code m} with service properties that agree with it. */
  void assertDescribes(CompressionMethod m) {
    assertTrue(provides().contains(CompressionMethod.class.getName()), file
        + ": the component must provide " + CompressionMethod.class.getName() + ", got " + provides());
    assertEquals(List.of(m.capability()), values("compactor.capability"), file
        + ": compactor.capability must equal capability()");
    assertEquals(List.of(m.stage().id()), values("compactor.stage"), file + ": compactor.stage must equal stage().id()");
    assertEquals(m.opTypes(), new HashSet<>(values("compactor.op-types")), file
        + ": compactor.op-types (repeat the key once per value) must equal opTypes()");
    assertEquals("Integer", type("service.ranking"), file + ": declare the ranking as \"service.ranking:Integer=0\"");
    assertEquals(1, values("service.ranking").size(), file + ": one service.ranking");
  }

  /** @return where the descriptor was read, for messages */
  String file() {
    return file;
  }

  /** @return the interfaces under {@code <service><provide interface>} */
  List<String> provides() {
    NodeList provide = root.getElementsByTagName("provide");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < provide.getLength(); i++) {
      names.add(((Element) provide.item(i)).getAttribute("interface"));
    }
    return names;
  }

  /** @return the values of property {@code name}: its {@code value} attribute or the lines of its body */
  List<String> values(String name) {
    Element p = property(name);
    if (p == null) {
      return List.of();
    }
    if (p.hasAttribute("value")) {
      return List.of(p.getAttribute("value"));
    }
    return Arrays.stream(p.getTextContent().split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** @return the declared type of property {@code name} ("String" when undeclared), or "" if absent */
  String type(String name) {
    Element p = property(name);
    if (p == null) {
      return "";
    }
    return p.hasAttribute("type") ? p.getAttribute("type") : "String";
  }

  private Element property(String name) {
    NodeList props = root.getElementsByTagName("property");
    for (int i = 0; i < props.getLength(); i++) {
      Element p = (Element) props.item(i);
      if (name.equals(p.getAttribute("name"))) {
        return p;
      }
    }
    return null;
  }

  private static Path location(Class<?> type) {
    try {
      URI uri = type.getProtectionDomain().getCodeSource().getLocation().toURI();
      return Path.of(uri);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(type.getName() + ": no file location for its classes", e);
    }
  }

  private static Element parse(Path xml) throws IOException {
    try (InputStream in = Files.newInputStream(xml)) {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document doc = f.newDocumentBuilder().parse(in);
      return doc.getDocumentElement();
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException(xml + ": not a valid component descriptor: " + e.getMessage(), e);
    }
  }
}
