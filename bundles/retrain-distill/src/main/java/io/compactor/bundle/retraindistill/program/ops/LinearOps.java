package io.compactor.bundle.retraindistill.program.ops;

import static io.compactor.bundle.retraindistill.program.ops.OpSupport.one;

import ai.djl.ndarray.NDArray;
import io.compactor.bundle.retraindistill.program.ConverterRegistry;

/** Matrix products: MatMul (numpy semantics, batched and broadcast) and Gemm ({@code alpha·A'·B' + beta·C}). */
public final class LinearOps {
  private LinearOps() {}

  public static void register(ConverterRegistry.Builder r) {
    r.add("MatMul", 1, (n, in, ctx) -> one(in.get(0).matMul(in.get(1))));
    r.add("Gemm", 1, (n, in, ctx) -> {
      NDArray a = n.attrInt("transA", 0) != 0 ? in.get(0).transpose() : in.get(0);
      NDArray b = n.attrInt("transB", 0) != 0 ? in.get(1).transpose() : in.get(1);
      float alpha = n.attrFloat("alpha", 1f);
      float beta = n.attrFloat("beta", 1f);
      NDArray y = a.matMul(b);
      if (alpha != 1f) {
        y = y.mul(alpha);
      }
      if (in.has(2) && beta != 0f) {
        y = y.add(beta == 1f ? in.get(2) : in.get(2).mul(beta));
      }
      return one(y);
    });
  }
}
