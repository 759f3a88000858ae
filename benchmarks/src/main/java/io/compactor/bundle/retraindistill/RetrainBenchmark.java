package io.compactor.bundle.retraindistill;

import ai.djl.engine.Engine;
import io.compactor.api.LayerQuantization;
import io.compactor.api.RetrainSettings;
import io.compactor.api.StepResult;
import io.compactor.api.TrainingData;
import io.compactor.api.TrainingForm;
import io.compactor.api.WeightGrid;
import io.compactor.api.testing.SimpleStepContext;
import io.compactor.benchmarks.DocSentences;
import io.compactor.benchmarks.InterleavedLatency;
import io.compactor.benchmarks.Machine;
import io.compactor.benchmarks.MiniLm;
import io.compactor.bundle.quantint8.Int8Forms;
import io.compactor.bundle.retraindistill.training.DistillSettings;
import io.compactor.bundle.retraindistill.training.DistillTrainer;
import io.compactor.bundle.retraindistill.training.Samples;
import io.compactor.bundle.retraindistill.training.TrainingListener;
import io.compactor.bundle.retraindistill.training.TrainingOutcome;
import io.compactor.onnx.graph.OnnxModel;
import io.compactor.onnx.runtime.Dataset;
import io.compactor.onnx.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 before and after retraining, for {@code docs/benchmarks.md}: static INT8, and 2:4 + static
 * INT8, each built by the compression steps as the chain runs them (every step receives the form the one
 * before left), retrained by {@link DistillMethod} on libtorch, and exported to the deploy model. Both the
 * fake-quant form (exact integer math in float) and the deploy QDQ model are scored on the held-out sentences,
 * which neither calibration nor training sees; the training text is English prose from the machine's package
 * documentation. Not a test; run it as documented in {@code docs/benchmarks.md}.
 *
 * <pre>
 * RetrainBenchmark [int8|2of4|all] [key=value ...]
 *   docs=/usr/share/doc sentences=300 epochs=.. lr=.. batch=.. minutes=5 seed=1 held_out=0.1 gptq=false
 * </pre>
 */
public final class RetrainBenchmark {
  private static final int THREADS = 2;
  private static final int BATCH = 16;

  private RetrainBenchmark() {}

  public static void main(String[] args) throws IOException {
    String what = args.length > 0 && !args[0].contains("=") ? args[0] : "all";
    Map<String, String> opt = new LinkedHashMap<>();
    for (String a : args) {
      if (a.contains("=")) {
        opt.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
    }
    // libtorch and ONNX Runtime never compute at the same time here; each gets the two cores, one inter-op thread
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(THREADS));
    Engine engine = Engine.getEngine("PyTorch");
    RetrainSettings settings = new RetrainSettings(Integer.parseInt(opt.getOrDefault("epochs", "8")),
        Double.parseDouble(opt.getOrDefault("lr", "1e-4")), Integer.parseInt(opt.getOrDefault("batch", "16")),
        Double.parseDouble(opt.getOrDefault("minutes", "5")), Long.parseLong(opt.getOrDefault("seed", "1")),
        Double.parseDouble(opt.getOrDefault("held_out", "0.1")), RetrainSettings.Train.ALL);
    boolean gptq = Boolean.parseBoolean(opt.getOrDefault("gptq", "false"));

    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    OnnxModel q = MiniLm.load(MiniLm.DYNAMIC_INT8);
    List<String> held = MiniLm.heldOutSentences();
    List<String> calibrationText = MiniLm.calibrationSentences();
    List<String> exclude = new ArrayList<>(held);
    exclude.addAll(calibrationText);
    List<String> trainText = DocSentences.read(Path.of(opt.getOrDefault("docs", "/usr/share/doc")),
        Integer.parseInt(opt.getOrDefault("sentences", "300")), exclude);
    Dataset calibration = MiniLm.tokenize("calibration", calibrationText);
    Dataset train = MiniLm.tokenize("training", trainText);
    List<Dataset> evalBatches = new ArrayList<>();
    for (int i = 0; i < held.size(); i += BATCH) {
      evalBatches.add(MiniLm.tokenize("evaluation", held.subList(i, Math.min(held.size(), i + BATCH))));
    }
    System.out.printf(Locale.ROOT, "%s; libtorch %s, %s intra-op threads; ONNX Runtime %d intra-op threads; "
        + "load average at start %s%n%n", Machine.describe(), engine.getVersion(),
        System.getProperty("ai.djl.pytorch.num_threads"), THREADS, loadAverage());
    System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2: %d calibration sentences (%d tokens padded), %d training "
        + "sentences from %s (%d tokens padded; e.g. \"%s\"), %d held-out sentences in batches of %d; %s; "
        + "INT8 rounding: %s%n%n", calibration.size(), calibration.batch(0, 1).get("input_ids").dim(1),
        train.size(), opt.getOrDefault("docs", "/usr/share/doc"), train.batch(0, 1).get("input_ids").dim(1),
        trainText.isEmpty() ? "" : trainText.get(0), held.size(), BATCH, settings, gptq ? "GPTQ" : "nearest");

    float[][] reference = MiniLm.embeddings(fp32, evalBatches);
    List<String> rows = new ArrayList<>();
    rows.add(row("ONNX Runtime dynamic INT8 (`-q`)", q, reference, evalBatches));
    List<OnnxModel> latencyModels = new ArrayList<>(List.of(fp32, q));
    List<String> latencyNames = new ArrayList<>(List.of("FP32", "ONNX Runtime -q"));
    List<String> notes = new ArrayList<>();
    for (String config : what.equals("all") ? List.of("int8", "2of4") : List.of(what)) {
      String name = config.equals("int8") ? "static INT8" : "2:4 + static INT8";
      OnnxModel model = fp32.copy(fp32.source() + " (" + name + ")");
      TrainingForm form = TrainingForm.of(model);
      long t0 = System.nanoTime();
      if (config.equals("2of4")) {
        form = Int8Forms.twoOfFour(form, calibration, BATCH).form().orElseThrow();
      }
      form = Int8Forms.staticInt8(form, calibration, BATCH, gptq).form().orElseThrow();
      double stepSeconds = (System.nanoTime() - t0) / 1e9;
      rows.add(row(name + ", fake-quant form (exact math), before", onGrid(form), reference, evalBatches));
      rows.add(row(name + ", deploy model, before", Int8Forms.export(form, calibration, BATCH), reference,
          evalBatches));
      System.out.println(rows.get(rows.size() - 2));
      System.out.println(rows.get(rows.size() - 1));

      List<String> variants = opt.containsKey("variants") ? List.of(opt.get("variants").split(","))
          : List.of("");
      for (String variant : variants) {
        String label = name + (variant.isEmpty() ? "" : " [" + variant + "]");
        long cpu0 = processCpuNanos();
        long w0 = System.nanoTime();
        Retrained r = variant.isEmpty() ? viaMethod(engine, form, fp32, calibration, train, settings)
            : viaTrainer(engine, form, fp32, train, settings, variant);
        double wall = (System.nanoTime() - w0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        OnnxModel deploy = Int8Forms.export(r.form(), calibration, BATCH);
        rows.add(row(label + ", fake-quant form (exact math), retrained", onGrid(r.form()), reference, evalBatches));
        rows.add(row(label + ", deploy model, retrained", deploy, reference, evalBatches));
        latencyModels.add(deploy);
        latencyNames.add(label + ", deploy model, retrained");
        notes.add(String.format(Locale.ROOT, "%s: compression steps %.0f s; retraining %.1f s wall, %.1f s CPU "
            + "(%.2f cores busy); %s", label, stepSeconds, wall, cpu, cpu / wall, r.report()));
        System.out.println(rows.get(rows.size() - 2));
        System.out.println(rows.get(rows.size() - 1));
        System.out.println(notes.get(notes.size() - 1));
        System.out.flush();
      }
    }
    System.out.println("| model | mean cosine to FP32 | worst cosine | nearest-neighbour agreement |");
    System.out.println("|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.println();
    notes.forEach(n -> System.out.println("- " + n));
    System.out.println();
    if (Boolean.parseBoolean(opt.getOrDefault("latency", "true"))) {
      latency(latencyModels, latencyNames, evalBatches);
    }
    System.out.printf(Locale.ROOT, "Peak memory: heap %.0f MB (sum of the heap pools' peaks), process RSS %s "
        + "(VmHWM, heap + native); load average at end %s%n", peakHeapMb(), vmHwm(), loadAverage());
  }

  /** A retrained form and what the training reported. */
  record Retrained(TrainingForm form, String report) {}

  /** Through the capability, as the chain calls it: the settings a {@code compactor_retrain} block gives. */
  private static Retrained viaMethod(Engine engine, TrainingForm form, OnnxModel fp32, Dataset calibration,
      Dataset train, RetrainSettings settings) throws IOException {
    Path work = Files.createTempDirectory("bench-retrain");
    SimpleStepContext ctx = new SimpleStepContext(form.model(), List.of(), calibration, work, BATCH)
        .withForm(form).withTeacher(fp32).withTraining(TrainingData.of(train)).withRetrainSettings(settings);
    StepResult result = new DistillMethod(engine).apply(ctx);
    Files.delete(work);
    return new Retrained(result.form().orElseThrow(), "epochs " + ctx.epochReports() + "; " + result.summary());
  }

  /**
   * Through the trainer with settings the configuration does not expose, for exploring them: {@code variant} is
   * {@code key:value/key:value} with keys {@code lr}, {@code epochs}, {@code scale_rate}, {@code hint}.
   */
  private static Retrained viaTrainer(Engine engine, TrainingForm form, OnnxModel fp32, Dataset train,
      RetrainSettings base, String variant) throws IOException {
    Map<String, String> v = new LinkedHashMap<>();
    for (String kv : variant.split("/")) {
      v.put(kv.substring(0, kv.indexOf(':')), kv.substring(kv.indexOf(':') + 1));
    }
    DistillSettings ds = DistillSettings.of(Integer.parseInt(v.getOrDefault("epochs", "" + base.epochs())),
        Double.parseDouble(v.getOrDefault("lr", "" + base.learningRate())), base.batchSize(), base.maxMinutes(),
        Long.hashCode(base.seed()), base.heldOutFraction())
        .withScaleRate(Double.parseDouble(v.getOrDefault("scale_rate", "" + DistillSettings.SCALE_RATE)))
        .withHintWeight(Double.parseDouble(v.getOrDefault("hint", "" + DistillSettings.HINT_WEIGHT)));
    TrainingData data = TrainingData.of(train);
    List<String> epochs = new ArrayList<>();
    TrainingOutcome out;
    try {
      out = new DistillTrainer(engine).train(DistillStep.student(form, base), fp32, Samples.of(data), ds,
          new TrainingListener() {
        @Override
        public void epoch(int epoch, int total, double loss, double heldOutFidelity) {
          epochs.add(String.format(Locale.ROOT, "%d: loss %.5f held-out %.5f", epoch, loss, heldOutFidelity));
          System.out.println("  epoch " + epochs.get(epochs.size() - 1));
        }

        @Override
        public boolean cancelled() {
          return false;
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Retrained(form.withModel(out.model()), String.format(Locale.ROOT, "%s; epochs %s; best %d, "
        + "stopped by %s; held-out fidelity %.5f -> %.5f, loss %.5f -> %.5f", ds, epochs, out.bestEpoch(),
        out.stop(), out.before().fidelity(), out.after().fidelity(), out.before().loss(), out.after().loss()));
  }

  /**
   * @return a copy of the form's model with every quantized weight on its grid ({@code s · clamp(round(w / s))},
   *     in double as the export rounds): the integer math of the deploy model computed in float
   */
  static OnnxModel onGrid(TrainingForm form) {
    OnnxModel m = form.model().copy(form.model().source() + " (on grid)");
    for (LayerQuantization lq : form.quantization().values()) {
      Tensor w = m.graph().initializer(lq.weight()).orElseThrow();
      WeightGrid g = lq.grid();
      float[] v = w.floats();
      long inner = 1;
      for (int d = g.axis() + 1; g.axis() >= 0 && d < w.rank(); d++) {
        inner *= w.dim(d);
      }
      for (int i = 0; i < v.length; i++) {
        double s = g.axis() < 0 ? g.scale(0) : g.scale((int) ((i / inner) % w.dim(g.axis())));
        v[i] = (float) (s * Math.max(-g.qmax(), Math.min(g.qmax(), Math.rint(v[i] / s))));
      }
      m.graph().setInitializer(lq.weight(), Tensor.ofFloats(w.shape(), v));
    }
    return m;
  }

  private static String row(String name, OnnxModel model, float[][] reference, List<Dataset> eval) {
    float[][] e = MiniLm.embeddings(model, eval);
    MiniLm.Fidelity f = MiniLm.Fidelity.of(reference, e);
    return String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.1f %% |", name, f.mean(), f.worst(),
        100 * MiniLm.neighbourAgreement(reference, e));
  }

  private static void latency(List<OnnxModel> models, List<String> names, List<Dataset> batches) {
    int rounds = 7;
    double[][] times = InterleavedLatency.millis(models, batches.stream().map(b -> b.batch(0, b.size())).toList(),
        THREADS, rounds);
    System.out.printf(Locale.ROOT, "Latency, all held-out sentences (%d batches), %d threads, median of %d "
        + "interleaved rounds (min–max):%n%n", batches.size(), THREADS, rounds);
    System.out.println("| model | median | range | vs FP32 |");
    System.out.println("|---|---|---|---|");
    double base = InterleavedLatency.median(times[0]);
    for (int m = 0; m < models.size(); m++) {
      double[] t = times[m].clone();
      Arrays.sort(t);
      System.out.printf(Locale.ROOT, "| %s | %.0f ms | %.0f–%.0f ms | %.2f× faster |%n", names.get(m),
          InterleavedLatency.median(t), t[0], t[t.length - 1], base / InterleavedLatency.median(t));
    }
    System.out.println();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double peakHeapMb() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum / 1e6;
  }

  private static String vmHwm() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
          .map(l -> l.substring(6).trim()).findFirst().orElse("n/a");
    } catch (IOException e) {
      return "n/a";
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }
}
