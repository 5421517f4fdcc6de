#!/bin/sh
# summary.sh RESULTS_DIR EXPECTATIONS CASE_LIST
#
# Runs after every node_ case: prints "node suite: N of TOTAL pass" from the
# outcomes the cases wrote, and fails when expectations.txt names a test
# that does not exist (a typo or a renamed case would otherwise hide).
results=$1
expectations=$2
cases=$3
total=$(wc -l <"$cases")
pass=0
ran=0
while read -r name; do
    [ -f "$results/$name" ] || continue
    ran=$((ran + 1))
    [ "$(cat "$results/$name")" = pass ] && pass=$((pass + 1))
done <"$cases"
status=0
for name in $(awk '!/^#/ && NF { print $1 }' "$expectations"); do
    if ! grep -qx "$name" "$cases"; then
        echo "expectations.txt: '$name' is not a node test"
        status=1
    fi
done
echo "node suite: $pass of $total pass"
[ "$ran" -lt "$total" ] && echo "($((total - ran)) cases have no result: run the whole suite for the exact count)"
echo "expected failures listed: $(awk '!/^#/ && NF' "$expectations" | wc -l)"
exit $status
