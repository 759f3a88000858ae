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
import io.compactor.benchmarks.FortuneSentences;
import io.compactor.benchmarks.InterleavedLatency;
import io.compactor.benchmarks.Machine;
import io.compactor.benchmarks.MiniLm;
import io.compactor.benchmarks.WordNetSentences;
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
 * documentation, or WordNet's usage examples ({@code text:wordnet}). Not a test; run it as documented in
 * {@code docs/benchmarks.md}.
 *
 * <pre>
 * RetrainBenchmark [int8|2of4|all] [key=value ...]
 *   docs=/usr/share/doc wordnet=/usr/share/wordnet sentences=300 epochs=.. lr=.. batch=.. minutes=5 seed=1
 *   held_out=0.1 train=all gptq=false int8=key:value/... (settings added to every INT8 layer's)
 *   sparsity_calibration=N int8_calibration=N (N WordNet sentences added to that step's calibration data)
 *   save=DIR (writes each retrained deploy model there, <config>-<variant number>.onnx, e.g. int8-1.onnx)
 *   latency=true variants=none|key:value/key:value,...  (keys lr, epochs, minutes, scale_rate, hint, pooled,
 *   patience, train: all|compressed, sentences: N, text: docs|mixed|wordnet|wordnet+fortunes)
 *   fortunes=/usr/share/games/fortunes (Debian package fortunes, for text:wordnet+fortunes)
 * </pre>
 */
public final class RetrainBenchmark {
  private static final int THREADS = 2;
  private static final int BATCH = 16;
  /** Documentation sentences held out of every training set, as a second, in-domain evaluation. */
  private static final int DOC_HELD_OUT = 152;

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
    // -Dai.djl.pytorch.num_threads=1 on a loaded machine, where two threads spin waiting for each other
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(THREADS));
    }
    Engine engine = Engine.getEngine("PyTorch");
    RetrainSettings settings = new RetrainSettings(Integer.parseInt(opt.getOrDefault("epochs", "8")),
        Double.parseDouble(opt.getOrDefault("lr", "1e-4")), Integer.parseInt(opt.getOrDefault("batch", "16")),
        Double.parseDouble(opt.getOrDefault("minutes", "5")), Long.parseLong(opt.getOrDefault("seed", "1")),
        Double.parseDouble(opt.getOrDefault("held_out", "0.1")),
        RetrainSettings.Train.valueOf(opt.getOrDefault("train", "all").toUpperCase(Locale.ROOT)));
    boolean gptq = Boolean.parseBoolean(opt.getOrDefault("gptq", "false"));
    // int8=equalization:folded/... adds settings to every INT8 layer's; save=DIR writes the retrained deploy files
    Map<String, Object> int8Extra = new LinkedHashMap<>(opt.containsKey("int8") ? variantOptions(opt.get("int8"))
        : Map.of());
    Path save = opt.containsKey("save") ? Path.of(opt.get("save")) : null;

    OnnxModel fp32 = MiniLm.load(MiniLm.FP32);
    OnnxModel q = MiniLm.load(MiniLm.DYNAMIC_INT8);
    List<String> held = MiniLm.heldOutSentences();
    List<String> calibrationText = MiniLm.calibrationSentences();
    List<String> exclude = new ArrayList<>(held);
    exclude.addAll(calibrationText);
    Path docs = Path.of(opt.getOrDefault("docs", "/usr/share/doc"));
    Path wordnet = Path.of(opt.getOrDefault("wordnet", "/usr/share/wordnet"));
    Path fortunes = Path.of(opt.getOrDefault("fortunes", "/usr/share/games/fortunes"));
    int sentences = Integer.parseInt(opt.getOrDefault("sentences", "300"));
    // the last documentation sentences are a second held-out set: the training text's own kind of prose
    List<String> allDocs = DocSentences.read(docs, Integer.MAX_VALUE, exclude);
    List<String> docsHeld = allDocs.subList(Math.max(0, allDocs.size() - DOC_HELD_OUT), allDocs.size());
    List<String> docsTrain = allDocs.subList(0, allDocs.size() - docsHeld.size());
    List<String> trainText = docsTrain.subList(0, Math.min(sentences, docsTrain.size()));
    Dataset calibration = MiniLm.tokenize("calibration", calibrationText);
    // sparsity_calibration=N, int8_calibration=N: that step also sees N WordNet sentences (the 2:4 step's
    // Hessians are 384 and 1,536 wide; the 153 sentences give 2,907 rows)
    Dataset sparsityCalibration = calibration(calibration, calibrationText, wordnet, opt.get("sparsity_calibration"),
        exclude);
    Dataset int8Calibration = calibration(calibration, calibrationText, wordnet, opt.get("int8_calibration"), exclude);
    Dataset train = MiniLm.tokenize("training", trainText);
    List<EvalSet> evalSets = List.of(EvalSet.of(fp32, held), EvalSet.of(fp32, docsHeld));
    List<Dataset> evalBatches = evalSets.get(0).batches();
    System.out.printf(Locale.ROOT, "%s; libtorch %s, %s intra-op threads; ONNX Runtime %d intra-op threads; "
        + "load average at start %s%n%n", Machine.describe(), engine.getVersion(),
        System.getProperty("ai.djl.pytorch.num_threads"), THREADS, loadAverage());
    System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2: %d calibration sentences (%d tokens padded), %d training "
        + "sentences from %s (%d tokens padded; e.g. \"%s\"), %d held-out sentences in batches of %d; %s; "
        + "INT8 rounding: %s%n%n", calibration.size(), calibration.batch(0, 1).get("input_ids").dim(1),
        train.size(), opt.getOrDefault("docs", "/usr/share/doc"), train.batch(0, 1).get("input_ids").dim(1),
        trainText.isEmpty() ? "" : trainText.get(0), held.size(), BATCH, settings, gptq ? "GPTQ" : "nearest");

    List<String> rows = new ArrayList<>();
    rows.add(row("ONNX Runtime dynamic INT8 (`-q`)", q, evalSets));
    List<OnnxModel> latencyModels = new ArrayList<>(List.of(fp32, q));
    List<String> latencyNames = new ArrayList<>(List.of("FP32", "ONNX Runtime -q"));
    List<String> notes = new ArrayList<>();
    for (String config : what.equals("all") ? List.of("int8", "2of4") : List.of(what)) {
      String name = config.equals("int8") ? "static INT8" : "2:4 + static INT8";
      OnnxModel model = fp32.copy(fp32.source() + " (" + name + ")");
      TrainingForm form = TrainingForm.of(model);
      long t0 = System.nanoTime();
      if (config.equals("2of4")) {
        form = Int8Forms.twoOfFour(form, sparsityCalibration, BATCH).form().orElseThrow();
      }
      form = Int8Forms.staticInt8(form, int8Calibration, BATCH, gptq, int8Extra).form().orElseThrow();
      double stepSeconds = (System.nanoTime() - t0) / 1e9;
      rows.add(row(name + ", fake-quant form (exact math), before", onGrid(form), evalSets));
      rows.add(row(name + ", deploy model, before", Int8Forms.export(form, calibration, BATCH), evalSets));
      System.out.println(rows.get(rows.size() - 2));
      System.out.println(rows.get(rows.size() - 1));

      // variants=none: the compressed form only, not retrained
      List<String> variants = opt.getOrDefault("variants", "").equals("none") ? List.of()
          : opt.containsKey("variants") ? List.of(opt.get("variants").split(",")) : List.of("");
      for (String variant : variants) {
        String label = name + (variant.isEmpty() ? "" : " [" + variant + "]");
        Dataset variantTrain = variant.isEmpty() ? train
            : trainingSet(variant, docsTrain, sentences, calibrationText, wordnet, fortunes, exclude);
        long cpu0 = processCpuNanos();
        long w0 = System.nanoTime();
        Retrained r = variant.isEmpty() ? viaMethod(engine, form, fp32, calibration, train, settings)
            : viaTrainer(engine, form, fp32, variantTrain, settings, variant);
        double wall = (System.nanoTime() - w0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        OnnxModel deploy = Int8Forms.export(r.form(), calibration, BATCH);
        if (save != null) {
          Files.createDirectories(save);
          deploy.save(save.resolve(config + "-" + (variants.indexOf(variant) + 1) + ".onnx"));
        }
        rows.add(row(label + ", fake-quant form (exact math), retrained", onGrid(r.form()), evalSets));
        rows.add(row(label + ", deploy model, retrained", deploy, evalSets));
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
    System.out.printf(Locale.ROOT, "Held-out: %d evaluation sentences; %d documentation sentences never trained on "
        + "(the last of the %d the docs give)%n%n", held.size(), docsHeld.size(), allDocs.size());
    System.out.println("| model | mean cosine to FP32 | worst cosine | nearest-neighbour agreement "
        + "| documentation: mean / worst cosine |");
    System.out.println("|---|---|---|---|---|");
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

  /**
   * The training set of a variant: its own number of documentation sentences ({@code sentences:N}), and with
   * {@code text:mixed} the calibration sentences too (text like the evaluation's, but never the evaluation's);
   * {@code text:wordnet} takes the N sentences from WordNet's usage examples instead of the documentation, with
   * the calibration sentences; {@code text:wordnet+fortunes} adds every sentence of the fortune collections.
   */
  private static Dataset trainingSet(String variant, List<String> docsTrain, int sentences,
      List<String> calibrationText, Path wordnet, Path fortunes, List<String> exclude) {
    Map<String, String> v = variantOptions(variant);
    int n = Integer.parseInt(v.getOrDefault("sentences", "" + sentences));
    String kind = v.getOrDefault("text", "docs");
    boolean everyday = kind.equals("wordnet") || kind.equals("wordnet+fortunes");
    List<String> text = new ArrayList<>(everyday ? WordNetSentences.read(wordnet, n, exclude)
        : docsTrain.subList(0, Math.min(n, docsTrain.size())));
    if (kind.equals("wordnet+fortunes")) {
      text.addAll(FortuneSentences.read(fortunes, exclude));
    }
    if (kind.equals("mixed") || everyday) {
      text.addAll(calibrationText);
    } else if (!kind.equals("docs")) {
      throw new IllegalArgumentException("text must be docs, mixed, wordnet or wordnet+fortunes, got " + kind);
    }
    System.out.printf(Locale.ROOT, "  [%s] %d training sentences, e.g. \"%s\"%n", variant, text.size(),
        text.get(0));
    return MiniLm.tokenize("training", text);
  }

  /**
   * @param base the calibration sentences tokenized, returned as they are when {@code extra} is null
   * @param extra how many WordNet sentences to add after the calibration sentences, or null
   */
  private static Dataset calibration(Dataset base, List<String> calibrationText, Path wordnet, String extra,
      List<String> exclude) {
    if (extra == null) {
      return base;
    }
    List<String> text = new ArrayList<>(calibrationText);
    text.addAll(WordNetSentences.read(wordnet, Integer.parseInt(extra), exclude));
    return MiniLm.tokenize("calibration", text);
  }

  private static Map<String, String> variantOptions(String variant) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String kv : variant.split("/")) {
      v.put(kv.substring(0, kv.indexOf(':')), kv.substring(kv.indexOf(':') + 1));
    }
    return v;
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
   * {@code key:value/key:value} with keys {@code lr}, {@code epochs}, {@code minutes}, {@code scale_rate},
   * {@code hint}, {@code pooled}, {@code patience}, {@code train} ({@code all} or {@code compressed});
   * {@code sentences} and {@code text} choose the training set ({@link #trainingSet}).
   */
  private static Retrained viaTrainer(Engine engine, TrainingForm form, OnnxModel fp32, Dataset train,
      RetrainSettings base, String variant) throws IOException {
    Map<String, String> v = variantOptions(variant);
    DistillSettings ds = new DistillSettings(Integer.parseInt(v.getOrDefault("epochs", "" + base.epochs())),
        Double.parseDouble(v.getOrDefault("lr", "" + base.learningRate())), base.batchSize(),
        Double.parseDouble(v.getOrDefault("minutes", "" + base.maxMinutes())),
        Long.hashCode(base.seed()), base.heldOutFraction(), DistillSettings.TEMPERATURE,
        Integer.parseInt(v.getOrDefault("patience", "" + DistillSettings.PATIENCE)),
        Double.parseDouble(v.getOrDefault("scale_rate", "" + DistillSettings.SCALE_RATE)),
        Double.parseDouble(v.getOrDefault("hint", "" + DistillSettings.HINT_WEIGHT)),
        Double.parseDouble(v.getOrDefault("pooled", "" + DistillSettings.POOLED_WEIGHT)));
    long t0 = System.nanoTime();
    TrainingData data = TrainingData.of(train);
    List<String> epochs = new ArrayList<>();
    TrainingOutcome out;
    try {
      RetrainSettings.Train scope = RetrainSettings.Train.valueOf(
          v.getOrDefault("train", base.train().name()).toUpperCase(Locale.ROOT));
      RetrainSettings s = new RetrainSettings(base.epochs(), base.learningRate(), base.batchSize(), base.maxMinutes(),
          base.seed(), base.heldOutFraction(), scope);
      out = new DistillTrainer(engine).train(DistillStep.student(form, s), fp32, Samples.of(data), ds,
          new TrainingListener() {
        @Override
        public void epoch(int epoch, int total, double loss, double heldOutFidelity) {
          epochs.add(String.format(Locale.ROOT, "%d: loss %.5f held-out %.5f", epoch, loss, heldOutFidelity));
          System.out.printf(Locale.ROOT, "  epoch %s (%.0f s, %.0f CPU-s, load %s)%n", epochs.get(epochs.size() - 1),
              (System.nanoTime() - t0) / 1e9, processCpuNanos() / 1e9, loadAverage());
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

  /** Held-out sentences in batches, and the FP32 model's embeddings of them. */
  record EvalSet(List<Dataset> batches, float[][] reference) {
    static EvalSet of(OnnxModel fp32, List<String> sentences) {
      List<Dataset> batches = new ArrayList<>();
      for (int i = 0; i < sentences.size(); i += BATCH) {
        batches.add(MiniLm.tokenize("evaluation", sentences.subList(i, Math.min(sentences.size(), i + BATCH))));
      }
      return new EvalSet(batches, MiniLm.embeddings(fp32, batches));
    }
  }

  /** @return a table row: the evaluation sentences' fidelity, then the held-out documentation sentences' */
  private static String row(String name, OnnxModel model, List<EvalSet> sets) {
    StringBuilder out = new StringBuilder("| " + name);
    for (int i = 0; i < sets.size(); i++) {
      EvalSet set = sets.get(i);
      float[][] e = MiniLm.embeddings(model, set.batches());
      MiniLm.Fidelity f = MiniLm.Fidelity.of(set.reference(), e);
      out.append(i == 0 ? String.format(Locale.ROOT, " | %.4f | %.4f | %.1f %%", f.mean(), f.worst(),
          100 * MiniLm.neighbourAgreement(set.reference(), e))
          : String.format(Locale.ROOT, " | %.4f / %.4f", f.mean(), f.worst()));
    }
    return out.append(" |").toString();
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
