#!/usr/bin/env bash
# Idempotent machine setup + build + action for mlegen.
# Usage: bash tests/setup.sh demo|test|build
set -euo pipefail

ACTION="${1:-test}"
case "$ACTION" in
  demo|test|build) ;;
  *) echo "usage: $0 demo|test|build" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { echo "[setup] $*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# ---- 1. Debian packages -------------------------------------------------
PKGS=(clang gcc cmake make m4 libprotobuf-c-dev protobuf-c-compiler libonnx-dev
      python3-onnx python3-numpy python3-torch python3-torchvision python3-sklearn
      libopenblas-dev gnuplot-nox valgrind libclang-rt-14-dev time nodejs npm)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

MISSING=()
for p in "${PKGS[@]}"; do
  if is_installed "$p"; then continue; fi
  # Some nodejs builds (e.g. nodesource) bundle npm; installing Debian's npm
  # package on top of them would conflict, so accept an npm already on PATH.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  MISSING+=("$p")
done

if [ "${#MISSING[@]}" -gt 0 ]; then
  log "installing missing packages: ${MISSING[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${MISSING[@]}"
else
  log "all Debian packages present"
fi

# ---- 2. onnxruntime-node (optional, for benchmarks only) -----------------
if [ ! -d bench/node_modules/onnxruntime-node ]; then
  log "installing onnxruntime-node into bench/ (optional)"
  if [ ! -f bench/package.json ]; then
    cat > bench/package.json <<'JSON'
{
  "name": "mlegen-bench",
  "private": true,
  "description": "Benchmark helpers for mlegen (reference runtime)",
  "dependencies": {
    "onnxruntime-node": "1.30.0"
  }
}
JSON
  fi
  ORT_VERSION="$(sed -n 's/.*"onnxruntime-node": *"\([^"]*\)".*/\1/p' bench/package.json)"
  if ! (cd bench && npm install --ignore-scripts --no-audit --no-fund --save-exact --no-package-lock \
          "onnxruntime-node@${ORT_VERSION:-1.30.0}" >/dev/null 2>&1); then
    echo "[setup] WARNING: npm install of onnxruntime-node failed; benchmarks against it will be unavailable" >&2
  fi
else
  log "onnxruntime-node already present"
fi

# ---- 3. configure + build -------------------------------------------------
log "configuring (build/, Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
log "building"
cmake --build build -j2

# ---- 4. action --------------------------------------------------------------
case "$ACTION" in
  build)
    log "build done"
    ;;
  demo)
    log "running demo"
    cmake --build build --target demo
    ;;
  test)
    log "running tests"
    set +e
    ctest --test-dir build --output-on-failure -j2
    rc=$?
    set -e
    exit "$rc"
    ;;
esac
