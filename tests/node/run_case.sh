#!/bin/sh
# run_case.sh MLEGEN CASE_DIR EXPECTATIONS RESULTS_DIR [fold PYTHON]
#
# Runs one ONNX backend node test through `mlegen check` and compares the
# outcome with tests/node/expectations.txt in both directions:
#   - a case not listed there must pass;
#   - a listed case must still fail (when it passes, the entry is stale and
#     the test fails asking to remove it, so the file stays exact);
#   - a crash (signal) or a hang (timeout) of mlegen or of the generated
#     program always fails, listed or not.
# The outcome is also written to RESULTS_DIR/NAME for the summary test.
#
# With "fold PYTHON", every graph input is instead fixed to its data as a
# compile-time constant (--const), so the whole graph goes through the ops'
# constant folding (fold functions) rather than the kernels: the same ONNX
# data then checks the folding code. Such a case must pass outright and
# records no outcome.
mlegen=$1
dir=$2
expectations=$3
results=$4
fold=${5:-}
name=$(basename "$dir")
if [ "$fold" = fold ]; then
    consts=$("$6" -c 'import sys, onnx
m = onnx.load(sys.argv[1])
inits = {i.name for i in m.graph.initializer}
names = [i.name for i in m.graph.input if i.name not in inits]
print(" ".join("--const %s=%s/test_data_set_0/input_%d.pb" % (n, sys.argv[2], k)
               for k, n in enumerate(names)))' "$dir/model.onnx" "$dir") || exit 1
    # shellcheck disable=SC2086 # one word per option, names have no spaces
    timeout -k 5 120 "$mlegen" check "$dir/model.onnx" "$dir/test_data_set_0" $consts \
        --cflags "-O0 -Wall -Wextra -pedantic -Werror"
    exit $?
fi
mkdir -p "$results"
rm -f "$results/$name"
if [ ! -x "$mlegen" ]; then
    echo "node $name: $mlegen is missing (build it first)"
    exit 1
fi

# The expectation line is "test_name  reason...".
reason=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ +/, ""); print; found = 1 }
    END { if (!found) exit 1 }' "$expectations") && expected_fail=1 || expected_fail=0

# -O0 and no -march: the cases are tiny, so the C compiler dominates each
# case and -O0 builds ~30% faster than -O1; it also exercises the portable
# scalar kernels (the SIMD paths are tested against them in kernels.cmake).
# timeout kills the whole process group (mlegen, clang, the program).
out=$(timeout -k 5 120 "$mlegen" check "$dir/model.onnx" "$dir"/test_data_set_* \
    --cflags "-O0 -Wall -Wextra -pedantic -Werror" 2>&1)
rc=$?
printf '%s\n' "$out"

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "node $name: HANG (timed out after 120 s)"
    echo hang >"$results/$name"
    exit 1
fi
if [ $rc -gt 128 ] || printf '%s' "$out" | grep -q "died from signal"; then
    echo "node $name: CRASH (signal)"
    echo crash >"$results/$name"
    exit 1
fi
if [ $rc -eq 0 ]; then
    echo pass >"$results/$name"
    if [ $expected_fail -eq 1 ]; then
        echo "node $name: passes now but expectations.txt lists it ($reason):" \
            "remove it from expectations.txt"
        exit 1
    fi
    exit 0
fi
# A one-line reason for tests/node/update_expectations.py: the first
# unsupported operator, else the first diagnostic, else the kind of failure.
why=$(printf '%s\n' "$out" | sed -n "s/.*(\([A-Za-z0-9]*\)): operator .* is not supported by mlegen.*/unsupported op \1/p" | head -n 1)
[ -n "$why" ] || why=$(printf '%s\n' "$out" | sed -n "s/^[^ ]*: node '[^']*' //p" | head -n 1)
[ -n "$why" ] || why=$(printf '%s\n' "$out" | grep -q "did not build" && echo "generated C does not build")
[ -n "$why" ] || why=$(printf '%s\n' "$out" | grep -q "mismatches" && echo "wrong result")
[ -n "$why" ] || why=$(printf '%s\n' "$out" | grep -v '^ *$' | head -n 1)
printf 'fail %s\n' "$why" >"$results/$name"
if [ $expected_fail -eq 1 ]; then
    echo "node $name: expected failure: $reason"
    exit 0
fi
echo "node $name: FAILED (not in expectations.txt)"
exit 1
