package io.compactor.onnx.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.fixtures.TestModels;
import io.compactor.onnx.proto.OnnxProto.ModelProto;
import io.compactor.onnx.proto.OnnxProto.StringStringEntryProto;
import io.compactor.onnx.proto.OnnxProto.TensorProto;
import io.compactor.onnx.runtime.ModelSession;
import io.compactor.onnx.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelTest {
  private static final long[][] SENTENCES = {
      {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
      {101, 7592, 2088, 999, 102, 0, 0, 0, 0, 0, 0, 0},
      {101, 2023, 2003, 1037, 2742, 1997, 1037, 6251, 2007, 11870, 1012, 102}};

  @TempDir static Path shared;
  @TempDir Path dir;

  @Test
  void miniLmRoundTripGivesBitIdenticalOutputs() throws Exception {
    Path original = TestModels.miniLm(shared);
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    long start = System.nanoTime();
    OnnxModel model = OnnxModel.load(original);
    long loaded = System.nanoTime();
    Path saved = dir.resolve("minilm-roundtrip.onnx");
    model.save(saved);
    long written = System.nanoTime();
    OnnxModel reloaded = OnnxModel.load(saved);
    long end = System.nanoTime();
    long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    System.out.printf("MiniLM %d MB: load %d ms, save %d ms, reload %d ms, peak heap (sum of pools) %d MB%n",
        Files.size(original) >> 20, (loaded - start) / 1_000_000, (written - loaded) / 1_000_000,
        (end - written) / 1_000_000, peakHeap >> 20);

    assertEquals(11, reloaded.opset());
    assertEquals(model.graph().nodes().size(), reloaded.graph().nodes().size());
    Map<String, Tensor> feeds = TestModels.miniLmFeeds(SENTENCES);
    Map<String, Tensor> expected;
    try (ModelSession s = ModelSession.open(OnnxModel.fromBytes(Files.readAllBytes(original), "original"))) {
      expected = s.run(feeds);
    }
    try (ModelSession s = ModelSession.open(reloaded)) {
      Map<String, Tensor> actual = s.run(feeds);
      assertEquals(expected.keySet(), actual.keySet());
      for (String name : expected.keySet()) {
        assertArrayEquals(expected.get(name).bytes(), actual.get(name).bytes(), name);
      }
    }
  }

  @Test
  void everyNodeHasAUniqueStableName() {
    OnnxModel model = TestModels.residualCnn(1, false);
    Graph g = model.graph();
    Node unnamed = Node.create("Identity", "", List.of("logits"), List.of("y1"));
    Node clash = Node.create("Identity", "fc", List.of("logits"), List.of("y2"));
    OnnxModel withDuplicates = OnnxModel.fromBytes(withRawNodes(model, unnamed, clash), "dup");
    var names = withDuplicates.graph().nodes().stream().map(Node::name).toList();
    assertEquals(names.size(), new HashSet<>(names).size(), names.toString());
    assertTrue(names.contains("Identity_1"), names.toString());
    assertTrue(names.contains("fc_1"), names.toString());
    assertEquals(names, OnnxModel.fromBytes(withRawNodes(model, unnamed, clash), "again").graph().nodes()
        .stream().map(Node::name).toList());
    assertEquals(g.nodes().size(), model.graph().nodes().size());
  }

  /** Serializes {@code model} with extra nodes appended without the graph's name checks. */
  private static byte[] withRawNodes(OnnxModel model, Node... extra) {
    var proto = ModelProto.newBuilder();
    try {
      proto.mergeFrom(model.toBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    for (Node n : extra) {
      proto.getGraphBuilder().addNode(n.toProto());
    }
    return proto.build().toByteArray();
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("nope.onnx");
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void corruptFileIsNamed() throws Exception {
    byte[] good = TestModels.residualCnn(2, false).toBytes();
    Path truncated = dir.resolve("truncated.onnx");
    Files.write(truncated, Arrays.copyOf(good, good.length / 2));
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.load(truncated));
    assertTrue(e.getMessage().startsWith(truncated.toString()) && e.getMessage().contains("not an ONNX model"),
        e.getMessage());
  }

  @Test
  void textFileIsNotAModel() throws Exception {
    Path text = dir.resolve("readme.onnx");
    Files.writeString(text, "this is not a model\n");
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.load(text));
    assertTrue(e.getMessage().contains(text.toString()) && e.getMessage().contains("not an ONNX model"),
        e.getMessage());
  }

  @Test
  void unsupportedOpsetIsExplained() throws Exception {
    OnnxModel model = TestModels.residualCnn(3, false);
    model.setOpset("", 99);
    Path file = dir.resolve("future.onnx");
    model.save(file);
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.load(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("opset 99 is not supported"),
        e.getMessage());
  }

  @Test
  void unknownOperatorDomainIsNamed() throws Exception {
    OnnxModel model = TestModels.residualCnn(4, false);
    Node custom = Node.create("Frobnicate", "custom1", List.of("logits"), List.of("z"));
    byte[] bytes = withRawNodes(model, custom);
    var proto = ModelProto.parseFrom(bytes).toBuilder();
    proto.getGraphBuilder().getNodeBuilder(proto.getGraph().getNodeCount() - 1).setDomain("com.example");
    Path file = dir.resolve("custom.onnx");
    Files.write(file, proto.build().toByteArray());
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.load(file));
    assertTrue(e.getMessage().contains("custom1") && e.getMessage().contains("com.example"), e.getMessage());
  }

  @Test
  void modelLocalFunctionsAreRefused() throws Exception {
    byte[] bytes = TestModels.residualCnn(5, false).toBytes();
    // field 25 (functions), wire type 2, an empty FunctionProto
    byte[] withFunction = Arrays.copyOf(bytes, bytes.length + 3);
    withFunction[bytes.length] = (byte) 0xca;
    withFunction[bytes.length + 1] = 0x01;
    withFunction[bytes.length + 2] = 0x00;
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.fromBytes(withFunction, "fn.onnx"));
    assertTrue(e.getMessage().contains("model-local functions"), e.getMessage());
  }

  @Test
  void externalDataIsInlinedOnLoad() throws Exception {
    OnnxModel model = TestModels.residualCnn(6, false);
    Tensor fcWeight = model.graph().initializer("fc.w").orElseThrow();
    var proto = ModelProto.parseFrom(model.toBytes()).toBuilder();
    var g = proto.getGraphBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getName().equals("fc.w")) {
        byte[] raw = g.getInitializer(i).getRawData().toByteArray();
        byte[] file = new byte[16 + raw.length];
        System.arraycopy(raw, 0, file, 16, raw.length);
        Files.write(dir.resolve("weights.bin"), file);
        g.setInitializer(i, g.getInitializer(i).toBuilder().clearRawData()
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", "weights.bin")).addExternalData(entry("offset", "16"))
            .addExternalData(entry("length", String.valueOf(raw.length))));
      }
    }
    Path file = dir.resolve("external.onnx");
    Files.write(file, proto.build().toByteArray());
    assertEquals(fcWeight, OnnxModel.load(file).graph().initializer("fc.w").orElseThrow());

    Files.delete(dir.resolve("weights.bin"));
    ModelException e = assertThrows(ModelException.class, () -> OnnxModel.load(file));
    assertTrue(e.getMessage().contains("fc.w") && e.getMessage().contains("weights.bin"), e.getMessage());
  }

  /** Writes {@code model/external.onnx} whose fc.w lives at {@code location}; the bytes go to {@code dataFile}. */
  private Path externalModel(String location, Path dataFile) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("model"));
    var proto = ModelProto.parseFrom(TestModels.residualCnn(6, false).toBytes()).toBuilder();
    var g = proto.getGraphBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getName().equals("fc.w")) {
        Files.createDirectories(dataFile.getParent());
        Files.write(dataFile, g.getInitializer(i).getRawData().toByteArray());
        g.setInitializer(i, g.getInitializer(i).toBuilder().clearRawData()
            .setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", location)));
      }
    }
    Path file = folder.resolve("external.onnx");
    Files.write(file, proto.build().toByteArray());
    return file;
  }

  private static void assertNamesModelTensorAndLocation(ModelException e, Path model, String location, String what) {
    String m = e.getMessage();
    assertTrue(m.contains(model.toString()) && m.contains("fc.w") && m.contains(location) && m.contains(what), m);
    assertEquals("fc.w", e.element().orElseThrow());
  }

  @Test
  void externalDataInASubfolderOfTheModelIsRead() throws Exception {
    Path model = externalModel("weights/fc.bin", dir.resolve("model/weights/fc.bin"));
    assertEquals(TestModels.residualCnn(6, false).graph().initializer("fc.w").orElseThrow(),
        OnnxModel.load(model).graph().initializer("fc.w").orElseThrow());
  }

  @Test
  void externalDataLocationsAreListedForStoresThatCopyTheModel() throws Exception {
    OnnxModel cnn = TestModels.residualCnn(6, false);
    Path model = TestModels.saveWithExternalData(cnn, "fc.w", dir.resolve("copied"), "m.onnx", "weights/fc.bin");
    assertEquals(List.of("weights/fc.bin"), OnnxModel.externalDataLocations(model));
    cnn.save(dir.resolve("inline.onnx"));
    assertEquals(List.of(), OnnxModel.externalDataLocations(dir.resolve("inline.onnx")));
    Path escaping = externalModel("../secret.bin", dir.resolve("secret.bin"));
    assertNamesModelTensorAndLocation(assertThrows(ModelException.class,
        () -> OnnxModel.externalDataLocations(escaping)), escaping, "../secret.bin", "leaves the model's folder");
  }

  @Test
  void externalDataEscapingTheModelFolderWithDotDotIsRefused() throws Exception {
    Path model = externalModel("../secret.bin", dir.resolve("secret.bin"));
    assertNamesModelTensorAndLocation(assertThrows(ModelException.class, () -> OnnxModel.load(model)), model,
        "../secret.bin", "leaves the model's folder");
  }

  @Test
  void externalDataAtAnAbsoluteLocationIsRefused() throws Exception {
    Path secret = dir.resolve("elsewhere/secret.bin");
    Path model = externalModel(secret.toString(), secret);
    assertNamesModelTensorAndLocation(assertThrows(ModelException.class, () -> OnnxModel.load(model)), model,
        secret.toString(), "must be relative to the model's folder");
  }

  @Test
  void externalDataReachedThroughASymlinkLeadingOutIsRefused() throws Exception {
    Path secret = dir.resolve("elsewhere/secret.bin");
    Path model = externalModel("fc.bin", secret);
    Files.createSymbolicLink(dir.resolve("model/fc.bin"), secret);
    assertNamesModelTensorAndLocation(assertThrows(ModelException.class, () -> OnnxModel.load(model)), model,
        "fc.bin", "symbolic link to " + secret.toRealPath());
    // a linked folder leads out just the same
    Files.delete(dir.resolve("model/fc.bin"));
    Files.createSymbolicLink(dir.resolve("model/sub"), secret.getParent());
    Path viaFolder = externalModel("sub/secret.bin", secret);
    assertTrue(assertThrows(ModelException.class, () -> OnnxModel.load(viaFolder)).getMessage()
        .contains("outside the model's folder"));
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }
}
