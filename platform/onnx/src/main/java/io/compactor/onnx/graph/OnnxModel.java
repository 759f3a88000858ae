package io.compactor.onnx.graph;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.compactor.onnx.ModelException;
import io.compactor.onnx.proto.OnnxProto.GraphProto;
import io.compactor.onnx.proto.OnnxProto.ModelProto;
import io.compactor.onnx.proto.OnnxProto.NodeProto;
import io.compactor.onnx.proto.OnnxProto.OperatorSetIdProto;
import io.compactor.onnx.proto.OnnxProto.StringStringEntryProto;
import io.compactor.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An ONNX model: its header (IR version, opset imports, producer, metadata) and one mutable
 * {@link Graph}. Loading checks what Compactor relies on and names the file and the problem when a
 * model cannot be used. Tensors stored as external data are read into the model, so a saved model is
 * one self-contained file (which limits saved models to protobuf's 2 GB).
 */
public final class OnnxModel {
  /** The lowest default-domain opset Compactor accepts (ONNX Runtime's own floor). */
  public static final long MIN_OPSET = 7;
  /** The highest default-domain opset the bundled ONNX Runtime executes. */
  public static final long MAX_OPSET = 23;
  private static final Set<String> KNOWN_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml", "com.microsoft");
  private static final int FUNCTIONS_FIELD = 25;

  private final String source;
  private final ModelProto.Builder header;
  private final Graph graph;

  private OnnxModel(String source, ModelProto proto) {
    this.source = source;
    this.header = proto.toBuilder().clearGraph();
    this.graph = new Graph(source, proto.getGraph());
  }

  /**
   * @param name the graph name, also used in messages
   * @param opset the default-domain opset version
   * @return a model with an empty graph, to be filled with {@link Graph#addInput}, {@link Graph#addNode}
   *     and {@link Graph#addOutput}
   */
  public static OnnxModel create(String name, long opset) {
    ModelProto proto = ModelProto.newBuilder().setIrVersion(opset >= 19 ? 9 : 8).setProducerName("compactor")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(GraphProto.newBuilder().setName(name)).build();
    return new OnnxModel(name, proto);
  }

  /**
   * Reads an ONNX file, inlining tensors it stores as external data next to it.
   *
   * @param file the {@code .onnx} file
   * @return the model
   * @throws ModelException when the file is missing, not ONNX, or uses something Compactor cannot run
   */
  public static OnnxModel load(Path file) {
    return of(file.toString(), inlineExternalData(file.toString(), file.toAbsolutePath().getParent(), parse(file)));
  }

  /**
   * The files an ONNX file keeps tensors in, for stores that copy a model before it is loaded: they must
   * bring these along. Each is checked to stay inside the model's folder, as {@link #load} checks it.
   *
   * @param file the {@code .onnx} file
   * @return the distinct external data locations, relative to the model's folder, with {@code /} separators
   * @throws ModelException when the file is not ONNX or a location leaves the model's folder
   */
  public static List<String> externalDataLocations(Path file) {
    String source = file.toString();
    Path dir = file.toAbsolutePath().getParent();
    Set<String> locations = new LinkedHashSet<>();
    for (TensorProto t : parse(file).getGraph().getInitializerList()) {
      if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
        continue;
      }
      for (StringStringEntryProto e : t.getExternalDataList()) {
        if (e.getKey().equals("location")) {
          Path at = externalFile(source, dir, t.getName(), e.getValue());
          locations.add(dir.relativize(at).toString().replace(java.io.File.separatorChar, '/'));
        }
      }
    }
    return List.copyOf(locations);
  }

  private static ModelProto parse(Path file) {
    String source = file.toString();
    ModelProto proto;
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      coded.setRecursionLimit(512);
      proto = ModelProto.parseFrom(coded);
    } catch (NoSuchFileException e) {
      throw new ModelException(source, null, "no such file", e);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelException(source, null, "not an ONNX model (" + e.getMessage()
          + "); check that the file is a complete .onnx export", e);
    } catch (IOException e) {
      throw new ModelException(source, null, "cannot read: " + e, e);
    }
    return proto;
  }

  /**
   * @param bytes a serialized ONNX model without external data
   * @param source how to name the model in messages, e.g. a URI
   * @return the model
   */
  public static OnnxModel fromBytes(byte[] bytes, String source) {
    try {
      return of(source, ModelProto.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new ModelException(source, null, "not an ONNX model (" + e.getMessage() + ")", e);
    }
  }

  private static OnnxModel of(String source, ModelProto proto) {
    if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0 && proto.getGraph().getOutputCount() == 0) {
      throw new ModelException(source, null, "not an ONNX model: it has no graph");
    }
    if (proto.getUnknownFields().hasField(FUNCTIONS_FIELD)) {
      throw new ModelException(source, null, "model-local functions are not supported; inline them "
          + "first (python: onnx.inliner.inline_local_functions)");
    }
    Map<String, Long> opsets = opsets(proto);
    Long opset = opsets.get("");
    if (opset == null) {
      throw new ModelException(source, null, "no opset_import for the default ONNX domain; re-export "
          + "the model with an explicit opset");
    }
    if (opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new ModelException(source, null, "opset " + opset + " is not supported; Compactor runs opsets "
          + MIN_OPSET + " to " + MAX_OPSET + " (re-export or convert the model)");
    }
    for (NodeProto n : proto.getGraph().getNodeList()) {
      if (!opsets.containsKey(n.getDomain()) && !n.getDomain().equals("ai.onnx")) {
        throw new ModelException(source, n.getName().isEmpty() ? n.getOpType() : n.getName(),
            "operator domain '" + n.getDomain() + "' has no opset_import"
                + (KNOWN_DOMAINS.contains(n.getDomain()) ? "" : " and is not one ONNX Runtime knows"));
      }
    }
    return new OnnxModel(source, proto);
  }

  private static Map<String, Long> opsets(ModelProto proto) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (OperatorSetIdProto o : proto.getOpsetImportList()) {
      out.put(o.getDomain().equals("ai.onnx") ? "" : o.getDomain(), o.getVersion());
    }
    return out;
  }

  private static ModelProto inlineExternalData(String source, Path dir, ModelProto proto) {
    if (proto.getGraph().getInitializerList().stream()
        .noneMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL)) {
      return proto;
    }
    ModelProto.Builder b = proto.toBuilder();
    var g = b.getGraphBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      TensorProto t = g.getInitializer(i);
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        g.setInitializer(i, readExternal(source, dir, t));
      }
    }
    return b.build();
  }

  private static TensorProto readExternal(String source, Path dir, TensorProto t) {
    Map<String, String> info = new LinkedHashMap<>();
    for (StringStringEntryProto e : t.getExternalDataList()) {
      info.put(e.getKey(), e.getValue());
    }
    String location = info.get("location");
    if (location == null) {
      throw new ModelException(source, t.getName(), "external data without a 'location' entry");
    }
    Path file = externalFile(source, dir, t.getName(), location);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long offset = Long.parseLong(info.getOrDefault("offset", "0"));
      long length = info.containsKey("length") ? Long.parseLong(info.get("length")) : raf.length() - offset;
      if (offset < 0 || length < 0 || length > Integer.MAX_VALUE - 8) {
        throw new ModelException(source, t.getName(), "external data offset " + offset + " and length " + length
            + " in " + location + " are out of range (both >= 0, length < 2 GB)");
      }
      if (offset + length > raf.length()) {
        throw new ModelException(source, t.getName(), "external data file " + file + " is shorter ("
            + raf.length() + " bytes) than offset + length = " + (offset + length));
      }
      byte[] data = new byte[Math.toIntExact(length)];
      raf.seek(offset);
      raf.readFully(data);
      return t.toBuilder().clearExternalData().clearDataLocation().setRawData(ByteString.copyFrom(data)).build();
    } catch (IOException e) {
      throw new ModelException(source, t.getName(), "cannot read external data file " + file + ": " + e, e);
    } catch (NumberFormatException e) {
      throw new ModelException(source, t.getName(), "external data offset/length is not a number", e);
    }
  }

  /**
   * Where a tensor's external data lives. The location must stay inside the model's folder, as the ONNX
   * spec requires: absolute locations, {@code ..} escapes and symbolic links leading out are refused, so
   * a model cannot pull an arbitrary readable file into its outputs (the bug class of onnx/onnx#3991).
   */
  private static Path externalFile(String source, Path dir, String tensor, String location) {
    Path folder = dir == null ? Path.of("").toAbsolutePath() : dir;
    Path relative;
    try {
      relative = Path.of(location);
    } catch (InvalidPathException e) {
      throw new ModelException(source, tensor, "external data location '" + location + "' is not a file name ("
          + e.getMessage() + ")", e);
    }
    if (relative.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
      throw new ModelException(source, tensor, "external data location must be relative to the model's folder "
          + folder + ", got the absolute '" + location + "'; keep the data file next to the model");
    }
    Path file = folder.resolve(relative).normalize();
    if (!file.startsWith(folder.normalize())) {
      throw new ModelException(source, tensor, "external data location '" + location + "' leaves the model's "
          + "folder " + folder + "; keep the data file inside it");
    }
    if (Files.exists(file)) {
      try {
        Path realFolder = folder.toRealPath();
        Path real = file.toRealPath();
        if (!real.startsWith(realFolder)) {
          throw new ModelException(source, tensor, "external data location '" + location + "' leads through a "
              + "symbolic link to " + real + ", outside the model's folder " + realFolder
              + "; copy the data file into the folder instead of linking it");
        }
      } catch (IOException e) {
        throw new ModelException(source, tensor, "cannot resolve external data location '" + location + "': " + e, e);
      }
    }
    return file;
  }

  /** @return the file or description this model was loaded from, for messages */
  public String source() {
    return source;
  }

  /** @return the main graph (mutable) */
  public Graph graph() {
    return graph;
  }

  /** @return the ONNX IR version */
  public long irVersion() {
    return header.getIrVersion();
  }

  /** @return the default-domain ({@code ai.onnx}) opset version */
  public long opset() {
    return opsets(header.build()).get("");
  }

  /** @return the opset version imported for {@code domain} ({@code ""} is the default domain) */
  public Optional<Long> opset(String domain) {
    return Optional.ofNullable(opsets(header.build()).get(domain.equals("ai.onnx") ? "" : domain));
  }

  /** @return every opset import, domain to version; the default domain is {@code ""} */
  public Map<String, Long> opsetImports() {
    return Map.copyOf(opsets(header.build()));
  }

  /**
   * Sets the opset version imported for a domain. Changing the default domain's version does not
   * rewrite operators whose semantics changed between versions; callers must do that.
   */
  public void setOpset(String domain, long version) {
    String d = domain.equals("ai.onnx") ? "" : domain;
    for (int i = 0; i < header.getOpsetImportCount(); i++) {
      String existing = header.getOpsetImport(i).getDomain();
      if ((existing.equals("ai.onnx") ? "" : existing).equals(d)) {
        header.setOpsetImport(i, OperatorSetIdProto.newBuilder().setDomain(d).setVersion(version));
        return;
      }
    }
    header.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(d).setVersion(version));
  }

  /** @return the operator types used in the main graph, sorted */
  public Set<String> opTypes() {
    Set<String> types = new TreeSet<>();
    graph.nodes().forEach(n -> types.add(n.opType()));
    return types;
  }

  /** @return the serialized model */
  public byte[] toBytes() {
    ModelProto proto = toProto();
    if (proto.getSerializedSize() < 0) {
      throw new ModelException(source, null, "the model is larger than 2 GB and cannot be saved as one file");
    }
    return proto.toByteArray();
  }

  /** Writes the model to {@code file}, creating parent directories. */
  public void save(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, toBytes());
    } catch (IOException e) {
      throw new ModelException(file.toString(), null, "cannot write: " + e, e);
    }
  }

  /** @return an independent deep copy, named {@code source} in messages */
  public OnnxModel copy(String source) {
    return new OnnxModel(source, toProto());
  }

  /** @return an independent deep copy */
  public OnnxModel copy() {
    return copy(source);
  }

  private ModelProto toProto() {
    return header.clone().setGraph(graph.toProto()).build();
  }

  @Override
  public String toString() {
    return source + " (opset " + opset() + ", " + graph.nodes().size() + " nodes)";
  }
}
