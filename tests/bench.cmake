# bench_smoke: one quick pass of the benchmark pipeline (bench/run.sh --quick
# on mlp: mlegen default/-O0/scalar builds, ONNX Runtime and PyTorch workers,
# the GEMM microbenchmark, the Markdown table and the chart), written to the
# build tree so the committed bench/results/ stay untouched. It only checks
# that the pipeline completes and writes the table: no timing assertions,
# the machine is shared. When bench/node_modules has no onnxruntime-node the
# ORT column is skipped with a WARNING on stderr and a note in the table.
add_test(NAME bench_smoke
  COMMAND bash -c "bash \"$0/bench/run.sh\" --quick mlp --mlegen \"$1\" --models-dir \"$2\" \
--out \"$3\" --work \"$3/work\" && grep -q '^| mlp |' \"$3/latest.md\" && test -s \"$3/latest.png\""
          ${CMAKE_SOURCE_DIR} ${MLEGEN} ${MODELS_DIR} ${CMAKE_BINARY_DIR}/bench-smoke)
set_tests_properties(bench_smoke PROPERTIES FIXTURES_REQUIRED models TIMEOUT 900)
