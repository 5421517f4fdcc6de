// ort_bench.js - ONNX Runtime (onnxruntime-node) worker for bench/bench.py.
//
// Usage: node bench/ort_bench.js SPEC.json
// SPEC.json: {"model": "model.onnx",
//             "inputs":  [{"name", "dtype", "shape", "file"}],   raw .bin data
//             "outputs": [{"name", "file"}]}                       expected .bin
//
// It creates one session with a single thread (intraOpNumThreads 1,
// interOpNumThreads 1, graphOptimizationLevel 'all', sequential execution),
// runs once, prints one JSON line {"ready": true, "max_abs_err": E} comparing
// the first float output with the expected data, then serves commands from
// stdin, one per line, so the orchestrator can interleave it with the other
// configurations without paying session creation again:
//   "run W N"  W untimed warm-up runs, then N runs each timed around
//              `await session.run(feeds)` with process.hrtime.bigint();
//              answers {"samples_us": [...]}.
//   "quit"     exits.
// The timed region therefore includes the JavaScript call and the N-API
// binding overhead: that is what a Node user pays for each inference.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

const ARRAYS = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  int8: Int8Array,
};

function readTyped(file, dtype) {
  const Ctor = ARRAYS[dtype];
  if (!Ctor) throw new Error('unsupported input dtype ' + dtype);
  const buf = fs.readFileSync(file);
  // Copy into a fresh, aligned ArrayBuffer: Buffer's pool offset may be
  // unaligned for the element size.
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  return new Ctor(ab);
}

function maxAbsErr(tensor, expectedFile) {
  if (!expectedFile || tensor.type !== 'float32') return null;
  const want = readTyped(expectedFile, 'float32');
  const got = tensor.data;
  if (got.length !== want.length) return Infinity;
  let e = 0;
  for (let i = 0; i < got.length; i++) e = Math.max(e, Math.abs(got[i] - want[i]));
  return e;
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(spec.model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const feeds = {};
  for (const inp of spec.inputs)
    feeds[inp.name] = new ort.Tensor(inp.dtype, readTyped(inp.file, inp.dtype), inp.shape);

  const first = await session.run(feeds);
  const out0 = spec.outputs[0];
  const err = maxAbsErr(first[out0.name] || first[session.outputNames[0]], out0.file);
  process.stdout.write(JSON.stringify({ready: true, max_abs_err: err, version: ort.env.versions
    ? ort.env.versions.common : null}) + '\n');

  const rl = readline.createInterface({input: process.stdin});
  for await (const line of rl) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'quit') break;
    if (words[0] !== 'run') continue;
    const warmup = parseInt(words[1], 10), n = parseInt(words[2], 10);
    for (let i = 0; i < warmup; i++) await session.run(feeds);
    const samples = new Array(n);
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    }
    process.stdout.write(JSON.stringify({samples_us: samples}) + '\n');
  }
  rl.close();
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write('ort_bench: ' + (e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
