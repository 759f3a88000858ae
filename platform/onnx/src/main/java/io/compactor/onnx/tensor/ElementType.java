package io.compactor.onnx.tensor;

import java.util.Arrays;
import java.util.Optional;

/**
 * The element types Compactor reads and writes as numbers, with their ONNX {@code DataType} code and
 * numpy descriptor. Other ONNX types (strings, float16, ...) pass through a model untouched but cannot
 * be read as a {@link Tensor}.
 */
public enum ElementType {
  FLOAT(1, "<f4", 4),
  UINT8(2, "|u1", 1),
  INT8(3, "|i1", 1),
  INT32(6, "<i4", 4),
  INT64(7, "<i8", 8),
  DOUBLE(11, "<f8", 8);

  private final int onnxCode;
  private final String numpyDescr;
  private final int bytes;

  ElementType(int onnxCode, String numpyDescr, int bytes) {
    this.onnxCode = onnxCode;
    this.numpyDescr = numpyDescr;
    this.bytes = bytes;
  }

  /** @return the ONNX {@code TensorProto.DataType} number */
  public int onnxCode() {
    return onnxCode;
  }

  /** @return the numpy dtype descriptor, little-endian */
  public String numpyDescr() {
    return numpyDescr;
  }

  /** @return bytes per element */
  public int bytes() {
    return bytes;
  }

  /**
   * @param code an ONNX {@code TensorProto.DataType} number
   * @return the element type, or empty when Compactor cannot read that type as numbers
   */
  public static Optional<ElementType> ofOnnx(int code) {
    return Arrays.stream(values()).filter(t -> t.onnxCode == code).findFirst();
  }

  /**
   * @param descr a numpy dtype descriptor such as {@code <f4}; {@code =} and {@code |} byte orders of
   *     one-byte and native types are accepted
   * @return the element type, or empty when unsupported
   */
  public static Optional<ElementType> ofNumpy(String descr) {
    String normalized = descr.length() == 3 && (descr.charAt(0) == '=' || descr.charAt(0) == '|')
        ? (descr.charAt(2) == '1' ? "|" : "<") + descr.substring(1)
        : descr;
    return Arrays.stream(values()).filter(t -> t.numpyDescr.equals(normalized)).findFirst();
  }

  /** @return the ONNX name of an ONNX {@code DataType} number, for messages */
  public static String onnxName(int code) {
    String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128",
        "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4",
        "FLOAT4E2M1"};
    return code >= 0 && code < names.length ? names[code] : "type " + code;
  }
}
