package io.compactor.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.compactor.core.config.ConfigTree.Field;
import io.compactor.core.config.ConfigTree.Kind;
import io.compactor.core.config.ConfigTree.ListValue;
import io.compactor.core.config.ConfigTree.Message;
import io.compactor.core.config.ConfigTree.Scalar;
import io.compactor.core.config.ConfigTree.SyntaxError;
import io.compactor.core.config.ConfigTree.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON configuration (the AMCT field names and nesting, one top-level object) into a
 * {@link ConfigTree}. A key written twice is kept twice, exactly as a text-format field written twice,
 * so {@link ConfigBinder} reports it the same way.
 */
final class JsonConfigParser {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonConfigParser() {}

  /**
   * @param text the file contents
   * @return the top-level object
   * @throws SyntaxError when the text is not one well-formed JSON object
   */
  static Message parse(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw error(p.currentTokenLocation(), "a JSON configuration must be one object",
            first == null ? "an empty file" : "'" + p.getText() + "'", "wrap the fields in { ... }");
      }
      Message root = object(p);
      if (p.nextToken() != null) {
        throw error(p.currentTokenLocation(), "text after the configuration object", "'" + p.getText() + "'",
            "remove it, or move it inside the object");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation() == null ? JsonLocation.NA : e.getLocation();
      throw error(at, "not valid JSON (" + firstLine(e.getOriginalMessage()) + ")", "the text there",
          "fix the JSON syntax, or use the .cfg text format");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Message object(JsonParser p) throws IOException {
    List<Field> fields = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      fields.add(new Field(name, value(p)));
    }
    return new Message(fields);
  }

  private static Value value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    return switch (t) {
      case START_OBJECT -> object(p);
      case START_ARRAY -> {
        List<Value> elements = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          elements.add(value(p));
        }
        yield new ListValue(elements);
      }
      case VALUE_STRING -> new Scalar(Kind.STRING, p.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Scalar(Kind.NUMBER, p.getText());
      case VALUE_TRUE, VALUE_FALSE -> new Scalar(Kind.BOOLEAN, p.getText());
      case VALUE_NULL -> new Scalar(Kind.NULL, "null");
      default -> throw error(p.currentTokenLocation(), "unexpected JSON token", String.valueOf(t),
          "write a value");
    };
  }

  private static SyntaxError error(JsonLocation at, String what, String got, String fix) {
    return new SyntaxError(Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()), what, got, fix);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
