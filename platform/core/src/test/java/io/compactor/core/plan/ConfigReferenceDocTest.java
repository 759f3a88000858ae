package io.compactor.core.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.Capabilities;
import io.compactor.api.SettingKey;
import io.compactor.core.config.ConfigFile;
import io.compactor.core.config.ConfigFormat;
import io.compactor.core.config.InvalidConfigException;
import io.compactor.core.config.Problem;
import io.compactor.onnx.fixtures.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/config.md true: its scenario examples parse and plan, each JSON example equals the .cfg one
 * before it, every catalogued error and warning is produced exactly as printed, and the settings table
 * is exactly the api's setting keys of the built-in capabilities ({@link Capabilities#settingKeys}).
 */
class ConfigReferenceDocTest {
  private static final Path DOC = Path.of("../../docs/config.md");
  private static final Pattern BLOCK = Pattern.compile("```(cfg|json)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern ENTRY =
      Pattern.compile("^- \\*\\*([CW])(\\d\\d) [^*]+\\*\\* — `([^`]+)`\\n  → `([^`]+)`$", Pattern.MULTILINE);
  static String doc;

  @BeforeAll
  static void read() throws IOException {
    doc = Files.readString(DOC);
  }

  private static Plan plan(String text, ConfigFormat format) {
    return new Planner(MethodCatalog.none()).plan(TestModels.residualCnn(1, false),
        ConfigFile.parse(text, format, "docs/config.md"));
  }

  @Test
  void everyScenarioExampleIsValidAndItsJsonMatchesItsCfg() {
    Matcher m = BLOCK.matcher(doc);
    List<String[]> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(new String[] {m.group(1), m.group(2)});
    }
    assertEquals(16, blocks.size(), "eight scenarios, each as cfg and json");
    for (int i = 0; i < blocks.size(); i += 2) {
      assertEquals("cfg", blocks.get(i)[0]);
      assertEquals("json", blocks.get(i + 1)[0]);
      ConfigFile cfg = ConfigFile.parse(blocks.get(i)[1], ConfigFormat.TEXT, "cfg");
      ConfigFile json = ConfigFile.parse(blocks.get(i + 1)[1], ConfigFormat.JSON, "json");
      assertEquals(List.of(), cfg.problems(), blocks.get(i)[1]);
      assertEquals(cfg.config(), json.orThrow(), "scenario " + (i / 2 + 1));
      Plan p = plan(blocks.get(i)[1], ConfigFormat.TEXT);
      assertEquals(List.of(), p.warnings(), "scenario " + (i / 2 + 1));
      assertTrue(p.requestedTotals().get(Combination.NONE) < 3, "scenario " + (i / 2 + 1) + " selects something");
    }
  }

  @Test
  void everyCataloguedErrorAndWarningIsProducedAsPrinted() {
    Matcher m = ENTRY.matcher(doc);
    int errors = 0;
    int warnings = 0;
    while (m.find()) {
      String kind = m.group(1);
      int number = Integer.parseInt(m.group(2));
      String snippet = m.group(3);
      String message = m.group(4);
      if (kind.equals("C")) {
        assertEquals(++errors, number, "error entries are numbered in order");
        InvalidConfigException e;
        try {
          plan(snippet, ConfigFormat.TEXT);
          throw new AssertionError("C" + number + " raised nothing: " + snippet);
        } catch (InvalidConfigException x) {
          e = x;
        }
        List<String> got = e.problems().stream().map(Problem::message).toList();
        assertEquals(List.of(message), got, "C" + number);
      } else {
        assertEquals(++warnings, number, "warning entries are numbered in order");
        assertEquals(List.of(message), plan(snippet, ConfigFormat.TEXT).warnings(), "W" + number);
      }
    }
    assertEquals(31, errors, "every error rule has an entry");
    assertEquals(6, warnings);
  }

  @Test
  void theSettingsTableIsTheApisSettingKeys() {
    int start = doc.indexOf("## Settings handed to bundles");
    assertTrue(start >= 0, "docs/config.md lacks the section 'Settings handed to bundles'");
    String section = doc.substring(start, doc.indexOf("\n## ", start + 1));
    List<String> documented = section.lines().filter(l -> l.startsWith("| `")).toList();
    List<String> keys = Capabilities.BUILT_IN.stream().flatMap(c -> Capabilities.settingKeys(c).stream())
        .map(ConfigReferenceDocTest::row).toList();
    assertEquals(keys, documented, "docs/config.md's settings table differs from the api's keys; paste these rows");
  }

  /** @return the table row of {@code key}, as docs/config.md prints it */
  private static String row(SettingKey<?> key) {
    return "| `" + key.name() + "` | " + key.capability() + " | " + key.type().getSimpleName() + " | "
        + (key.always() ? "always" : "if configured") + " | "
        + key.defaultValue().map(v -> "`" + v + "`").orElse("—") + " | "
        + (key.rule().isEmpty() ? "any" : key.rule()) + " | " + key.meaning() + " |";
  }
}
