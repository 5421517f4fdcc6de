#!/usr/bin/python3
"""bench/prof/layertime.py IN.c OUT.c: wraps every kernel call in *_run_with with a
timer; the totals (per call site, in order) are printed at exit."""
import re, sys
src = open(sys.argv[1]).read()
lines = src.split("\n")
out, n, inrun = [], 0, False
names = []
for l in lines:
    if re.match(r"^\w.*_run_with\(", l):
        inrun = True
    m = re.match(r"^(\s+)(k\d+_\w+)\((.*)\);\s*$", l)
    if inrun and m:
        out.append("%s{ double t0_ = lt_now(); %s(%s); lt_acc[%d] += lt_now() - t0_; }" % (m.group(1), m.group(2), m.group(3), n))
        names.append(m.group(2)); n += 1
        continue
    out.append(l)
hdr = """#define _POSIX_C_SOURCE 199309L
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
static double lt_acc[%d];
static const char *lt_names[%d] = {%s};
static double lt_now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec * 1e-3; }
static void lt_dump(void) { int i; double s = 0; for (i = 0; i < %d; i++) s += lt_acc[i]; for (i = 0; i < %d; i++) fprintf(stderr, "%%3d %%-22s %%8.1f us/run-units %%5.1f%%%%\\n", i, lt_names[i], lt_acc[i], 100 * lt_acc[i] / s); }
__attribute__((constructor)) static void lt_init(void) { atexit(lt_dump); }
""" % (n, n, ", ".join('"%s"' % x for x in names), n, n)
open(sys.argv[2], "w").write(hdr + "\n".join(out))
