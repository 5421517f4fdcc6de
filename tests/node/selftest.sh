#!/bin/sh
# selftest.sh MLEGEN NODE_DIR TMPDIR
#
# Checks run_case.sh's verdicts in both directions with made-up
# expectations: a passing case that is listed must fail (stale entry), a
# failing case that is not listed must fail, and the two honest
# combinations must pass. A crash (a fake "mlegen" that dies from SIGSEGV)
# must fail even when the case is listed.
mlegen=$1
nodes=$2
tmp=$3
here=$(dirname "$0")
mkdir -p "$tmp"
status=0
verdict() { # want_rc case expectations-line [mlegen]
    printf '%s\n' "$3" >"$tmp/expect.txt"
    sh "$here/run_case.sh" "${4:-$mlegen}" "$nodes/$2" "$tmp/expect.txt" "$tmp/results" >"$tmp/out.txt" 2>&1
    rc=$?
    if [ "$rc" -ne "$1" ]; then
        echo "selftest: $2 with expectations '$3' gave rc $rc, want $1:"
        cat "$tmp/out.txt"
        status=1
    fi
}
verdict 0 test_abs ""
verdict 1 test_abs "test_abs  made-up reason"
grep -q "remove it from expectations.txt" "$tmp/out.txt" || { echo "selftest: no stale-entry message"; status=1; }
verdict 1 test_bernoulli ""
verdict 0 test_bernoulli "test_bernoulli  random"
# A crash always fails, listed or not.
printf '#!/bin/sh\nkill -SEGV $$\n' >"$tmp/crash"
chmod +x "$tmp/crash"
verdict 1 test_abs "test_abs  listed" "$tmp/crash"
[ $status -eq 0 ] && echo "selftest: run_case.sh verdicts OK"
exit $status
