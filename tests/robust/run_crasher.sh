#!/usr/bin/env bash
# run_crasher.sh FUZZ_BIN ASAN_MLEGEN FILE WORKDIR - an input the fuzzer once
# crashed or stalled on: the fuzz target must now run it cleanly within 10 s,
# and the sanitized mlegen must answer it with exit status 0 or 1 (no file
# left on failure).
set -uo pipefail
fuzz=$1 mlegen=$2 file=$3 work=$4
"$fuzz" -timeout=10 "$file" || exit 1
mkdir -p "$work"
"$mlegen" "$file" -o "$work/out.c"
rc=$?
if [ $rc -ne 0 ] && [ -e "$work/out.c" -o -e "$work/out.h" ]; then
  echo "FAIL: output left behind after exit $rc"; exit 1
fi
rm -f "$work/out.c" "$work/out.h"
echo "exit $rc"
[ $rc -le 1 ]
