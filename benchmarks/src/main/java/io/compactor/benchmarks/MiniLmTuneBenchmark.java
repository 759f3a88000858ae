package io.compactor.benchmarks;

import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.npy.Npy;
import io.compactor.onnx.runtime.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code compactor tune} on all-MiniLM-L6-v2 against ONNX Runtime's {@code -q} (docs/benchmarks.md, "Tuning").
 * {@code data DIR} writes the FP32 model and three data sets as {@code .npy}: {@code calib} (the 153 calibration
 * sentences), {@code search} (the even half of the held-out sentences, the tune's {@code --eval}) and nothing of
 * the other half, which {@code score DIR DEPLOY...} uses: mean / worst cosine of its sentence embeddings to FP32
 * for each deploy file given and {@code -q}, file sizes, and latencies interleaved in one run
 * ({@code -Dbench.rounds}, default 5), with each file's median ratio to {@code -q} over the rounds.
 */
public final class MiniLmTuneBenchmark {
  private MiniLmTuneBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[1]);
    List<String> held = MiniLm.heldOutSentences();
    List<String> search = new ArrayList<>();
    List<String> unseen = new ArrayList<>();
    for (int i = 0; i < held.size(); i++) {
      (i % 2 == 0 ? search : unseen).add(held.get(i));
    }
    if (args[0].equals("data")) {
      Files.createDirectories(dir);
      MiniLm.load(MiniLm.FP32).save(dir.resolve("model.onnx"));
      write(dir.resolve("calib"), MiniLm.tokenize("calibration", MiniLm.calibrationSentences()));
      write(dir.resolve("search"), MiniLm.tokenize("search", search));
      System.out.printf(Locale.ROOT, "%d calibration, %d search, %d held-out sentences%n",
          MiniLm.calibrationSentences().size(), search.size(), unseen.size());
      return;
    }
    List<Path> deploys = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      deploys.add(Path.of(args[i]));
    }
    score(unseen, deploys);
  }

  private static void write(Path dir, Dataset data) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, io.compactor.onnx.tensor.Tensor> e : data.batch(0, data.size()).entrySet()) {
      Npy.write(dir.resolve(e.getKey() + ".npy"), e.getValue());
    }
  }

  private static void score(List<String> unseen, List<Path> deploys) throws IOException {
    System.out.printf(Locale.ROOT, "%s%n%n", Machine.describe());
    List<Dataset> batches = new ArrayList<>();
    for (int i = 0; i < unseen.size(); i += 16) {
      batches.add(MiniLm.tokenize("held-out", unseen.subList(i, Math.min(unseen.size(), i + 16))));
    }
    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    float[][] reference = MiniLm.embeddings(fp32, batches);
    List<OnnxModel> models = new ArrayList<>(List.of(fp32, MiniLm.load(MiniLm.DYNAMIC_INT8)));
    List<String> names = new ArrayList<>(List.of("FP32", "ONNX Runtime -q"));
    for (Path deploy : deploys) {
      models.add(OnnxModel.load(deploy));
      names.add("deploy " + deploy + " (" + Files.size(deploy) + " B)");
    }
    int rounds = Integer.getInteger("bench.rounds", 5);
    double[][] t = InterleavedLatency.millis(models, batches.stream().map(b -> b.batch(0, b.size())).toList(), 2,
        rounds);
    System.out.printf(Locale.ROOT, "%d held-out sentences (not seen by the tune), batches of 16%n%n", unseen.size());
    System.out.println("| model | mean cosine | worst | serialized | latency median (" + rounds
        + " interleaved rounds) | range | median of per-round ratios to -q |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (int m = 0; m < models.size(); m++) {
      MiniLm.Fidelity f = MiniLm.Fidelity.of(reference, MiniLm.embeddings(models.get(m), batches));
      double[] s = t[m].clone();
      Arrays.sort(s);
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratio[r] = t[m][r] / t[1][r];
      }
      Arrays.sort(ratio);
      System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %,d B | %.1f ms | %.0f–%.0f ms | %.3f |%n", names.get(m),
          f.mean(), f.worst(), models.get(m).toBytes().length, InterleavedLatency.median(s), s[0], s[s.length - 1],
          InterleavedLatency.median(ratio));
    }
  }
}
