package io.compactor.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.config.ConfigTree.Field;
import io.compactor.core.config.ConfigTree.Kind;
import io.compactor.core.config.ConfigTree.ListValue;
import io.compactor.core.config.ConfigTree.Message;
import io.compactor.core.config.ConfigTree.Scalar;
import io.compactor.core.config.ConfigTree.SyntaxError;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextFormatParserTest {
  private static Scalar scalar(Message m, int i) {
    return assertInstanceOf(Scalar.class, m.fields().get(i).value());
  }

  @Test
  void readsScalarsOfEveryKindWithCommentsAndSeparators() {
    Message m = TextFormatParser.parse("""
        # a comment line
        batch_num: 2, # trailing comment
        name: "conv\\t1" ;
        other: 'single "quoted"'
        joined: "a" 'b' "c"
        ratio: -1.5e-1
        ratio_f: 0.3f
        hex: 0x1F
        dst_type: INT8
        flag: true
        minus_inf: -inf
        """);
    List<String> names = m.fields().stream().map(Field::name).toList();
    assertEquals(List.of("batch_num", "name", "other", "joined", "ratio", "ratio_f", "hex", "dst_type", "flag",
        "minus_inf"), names);
    assertEquals(new Scalar(Kind.NUMBER, "2"), scalar(m, 0));
    assertEquals(new Scalar(Kind.STRING, "conv\t1"), scalar(m, 1));
    assertEquals(new Scalar(Kind.STRING, "single \"quoted\""), scalar(m, 2));
    assertEquals(new Scalar(Kind.STRING, "abc"), scalar(m, 3));
    assertEquals(new Scalar(Kind.NUMBER, "-1.5e-1"), scalar(m, 4));
    assertEquals(new Scalar(Kind.NUMBER, "0.3f"), scalar(m, 5));
    assertEquals(new Scalar(Kind.NUMBER, "0x1F"), scalar(m, 6));
    assertEquals(new Scalar(Kind.IDENTIFIER, "INT8"), scalar(m, 7));
    assertEquals(new Scalar(Kind.IDENTIFIER, "true"), scalar(m, 8));
    assertEquals(new Scalar(Kind.IDENTIFIER, "-inf"), scalar(m, 9));
  }

  @Test
  void readsMessagesWithOrWithoutColonAndAngleBrackets() {
    Message m = TextFormatParser.parse("a { b: 1 } c: { d: 2 } e < f: 3 >");
    assertEquals(3, m.fields().size());
    for (Field f : m.fields()) {
      Message inner = assertInstanceOf(Message.class, f.value());
      assertEquals(1, inner.fields().size());
    }
  }

  @Test
  void readsRepeatedFieldsAndListSyntax() {
    Message m = TextFormatParser.parse("skip: \"a\" skip: [\"b\", \"c\"] empty: [] o: [{x: 1}, {x: 2}]");
    assertEquals(4, m.fields().size());
    ListValue l = assertInstanceOf(ListValue.class, m.fields().get(1).value());
    assertEquals(List.of(new Scalar(Kind.STRING, "b"), new Scalar(Kind.STRING, "c")), l.elements());
    assertEquals(0, assertInstanceOf(ListValue.class, m.fields().get(2).value()).elements().size());
    assertEquals(2, assertInstanceOf(ListValue.class, m.fields().get(3).value()).elements().size());
  }

  @Test
  void decodesOctalHexAndUnicodeEscapes() {
    Message m = TextFormatParser.parse("s: \"\\101\\x42\\u0043\\\\\\\"\"");
    assertEquals(new Scalar(Kind.STRING, "ABC\\\""), scalar(m, 0));
  }

  @Test
  void anEmptyFileIsAnEmptyMessage() {
    assertEquals(0, TextFormatParser.parse("  # nothing\n").fields().size());
  }

  private static String error(String text) {
    return assertThrows(SyntaxError.class, () -> TextFormatParser.parse(text)).problem().message();
  }

  @Test
  void syntaxErrorsNameLineColumnWhatWasFoundAndTheFix() {
    String unclosed = error("prune_config {\n  filter_pruner {\n");
    assertTrue(unclosed.startsWith("line 3, column 1: missing '}' to close the message opened at line 2, column 17"),
        unclosed);
    assertTrue(unclosed.contains("got the end of the file; add '}'"), unclosed);

    String noColon = error("batch_num 2");
    assertTrue(noColon.startsWith("line 1, column 11: expected ':' or '{' after the field name batch_num, got '2'"),
        noColon);

    String stray = error("batch_num: 2 }");
    assertTrue(stray.startsWith("line 1, column 14: expected a field name, got '}'"), stray);

    String unterminated = error("layer_name: \"conv1\nx: 1");
    assertTrue(unterminated.startsWith("line 1, column 13: unterminated string"), unterminated);

    String badChar = error("a: 1\nb: @");
    assertTrue(badChar.startsWith("line 2, column 4: unexpected character, got '@'"), badChar);

    String badList = error("a: [1 2]");
    assertTrue(badList.startsWith("line 1, column 7: expected ',' or ']'"), badList);
  }
}
