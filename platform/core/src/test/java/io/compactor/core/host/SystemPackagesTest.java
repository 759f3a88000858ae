package io.compactor.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.core.host.SystemPackages.Export;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SystemPackagesTest {
  @Test
  void parsesClausesWithSharedAttributesAndQuotedDirectives() {
    List<Export> exports = SystemPackages.parse("a.b;version=\"1.2.0\";uses:=\"x.y,z\",c;d;version=2.0,e");

    assertEquals(List.of(new Export("a.b", "1.2.0"), new Export("c", "2.0"), new Export("d", "2.0"),
        new Export("e", "0.0.0")), exports);
  }

  @Test
  void exportsThePlatformPackagesAtTheirBuiltVersionsAndOnnxRuntimeAtItsJarVersion() {
    Map<String, String> versions = SystemPackages.fromClasspath(getClass().getClassLoader()).stream()
        .collect(Collectors.toMap(Export::name, Export::version));

    assertEquals("1.6.0", versions.get("io.compactor.api"));
    assertEquals("1.1.0", versions.get("io.compactor.onnx.graph"));
    assertEquals("2.2.0", versions.get("io.compactor.retrain"));
    String ort = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
    assertEquals(ort, versions.get("ai.onnxruntime"));
    assertEquals(ort, versions.get("ai.onnxruntime.providers"));
    String slf4j = org.slf4j.Logger.class.getPackage().getImplementationVersion();
    assertEquals(slf4j, versions.get("org.slf4j"), "bundles log through the host's slf4j");
    assertEquals(slf4j, versions.get("org.slf4j.event"));
    String djl = ai.djl.engine.Engine.class.getPackage().getSpecificationVersion();
    assertEquals("0.36.0", djl);
    for (String p : List.of("ai.djl", "ai.djl.engine", "ai.djl.ndarray", "ai.djl.ndarray.types", "ai.djl.ndarray.index",
        "ai.djl.training", "ai.djl.training.optimizer", "ai.djl.training.tracker", "ai.djl.nn.convolutional",
        "ai.djl.nn.pooling", "ai.djl.nn.norm")) {
      assertEquals(djl, versions.get(p), p);
    }
    assertTrue(versions.keySet().stream().noneMatch(p -> p.startsWith("ai.djl.pytorch")),
        "libtorch's engine and JNI stay in the host: " + versions.keySet());
    assertTrue(versions.keySet().stream().noneMatch(p -> p.startsWith("io.compactor.onnx.proto")
        || p.startsWith("io.compactor.retrain.internal")), "private packages stay private: " + versions.keySet());
  }

  @Test
  void theHeaderQuotesEachVersion() {
    assertEquals("a;version=\"1.0.0\",b;version=\"2.1.0\"",
        SystemPackages.header(List.of(new Export("a", "1.0.0"), new Export("b", "2.1.0"))));
  }
}
