m4_divert(-1)
# reduce.m4 - y[o] = reduction of x over the reduced dimensions.
# Parameters: KNAME, OP (Sum Mean Max Min Prod L1 L2 LogSum LogSumExp
# SumSquare), T (element C type), ACC (accumulator C type), NOUT, NRED
# (elements reduced into each output), KRANK/KDIMS/KSTR (kept dimensions
# and their input strides, outer loop) and RRANK/RDIMS/RSTR (reduced ones,
# inner loop). Both walk an odometer, so any set of axes works without a
# transpose.
m4_need(`OP')m4_need(`T')m4_need(`ACC')m4_need(`NRED')
# RED_INIT: the accumulator before the first element (Max/Min start from it).
# RED_STEP(acc, v): folds one element in. RED_FINAL(acc): the output value.
# An empty reduction (NRED 0) must not read x: Max/Min then give the
# identity of the operation (-inf/+inf; 0 for integers, which have none).
m4_define(`RED_EMPTY_MAX', m4_ifelse(ACC, `double', `(-HUGE_VAL)', `0'))
m4_define(`RED_EMPTY_MIN', m4_ifelse(ACC, `double', `HUGE_VAL', `0'))
m4_define(`RED_INIT', `m4_ifelse(OP, `Prod', `1',
  OP, `Max', m4_ifelse(NRED, 0, `RED_EMPTY_MAX', `(ACC)x[base]'),
  OP, `Min', m4_ifelse(NRED, 0, `RED_EMPTY_MIN', `(ACC)x[base]'), `0')')
m4_define(`RED_STEP', `m4_ifelse(
  OP, `Max', `if (v > $1) $1 = v;',
  OP, `Min', `if (v < $1) $1 = v;',
  OP, `Prod', `$1 *= v;',
  OP, `L1', `$1 += v < 0 ? -v : v;',
  OP, `L2', `$1 += v * v;',
  OP, `SumSquare', `$1 += v * v;',
  OP, `LogSumExp', `$1 += exp(v);',
  `$1 += v;')')
m4_define(`RED_FINAL', `m4_ifelse(
  OP, `Mean', `$1 / (ACC)NRED',
  OP, `L2', `sqrt((double)$1)',
  OP, `LogSum', `log((double)$1)',
  OP, `LogSumExp', `log($1)',
  `$1')')
m4_ifelse(m4_regexp(OP, `^\(Sum\|Mean\|Max\|Min\|Prod\|L1\|L2\|LogSum\|LogSumExp\|SumSquare\)$'), 0, `',
  `m4_errprint(`reduce.m4: unknown OP 'OP`
')m4_m4exit(1)')
# Additive reductions over one contiguous run (the last axis: LayerNorm
# means, ReduceSum over features) keep 8 independent partial sums: one
# serial chain of double adds costs its 4-cycle latency per element.
# RSTR is compared only when RRANK is 1 (with more axes its commas would
# split the m4_ifelse arguments).
m4_define(`RED_CONTIG', m4_ifelse(RRANK, 1, `m4_ifelse(RSTR, `{1}',
  `m4_ifelse(m4_regexp(OP, `^\(Sum\|Mean\|L1\|L2\|LogSum\|LogSumExp\|SumSquare\)$'), 0, 1, 0)', 0)', 0))
m4_divert(0)m4_dnl
m4_ifelse(RED_CONTIG, 1, `
static void KNAME`'(const T *restrict x, T *restrict y)
{
    long o, r;
    for (o = 0; o < NOUT; o++) {
        const T *xo = x + o * (long)NRED;
        ACC acc, FOR(`P', 0, 6, `a`'P = 0, ')a7 = 0;
        for (r = 0; r + 8 <= NRED; r += 8) {
FOR(`P', 0, 7, `            {
                ACC v = (ACC)xo[r + P];
                RED_STEP(`a`'P')
            }
')        }
        for (; r < NRED; r++) {
            ACC v = (ACC)xo[r];
            RED_STEP(`a0')
        }
        acc = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
        y[o] = (T)(RED_FINAL(`acc'));
    }
}
', `
static void KNAME`'(const T *restrict x, T *restrict y)
{
    static const long kdims[KRANK] = KDIMS;
    static const long kstr[KRANK] = KSTR;
    static const long rdims[RRANK] = RDIMS;
    static const long rstr[RRANK] = RSTR;
    long kidx[KRANK] = {0}, ridx[RRANK];
    long base = 0, o, r;
    int d;
    for (o = 0; o < NOUT; o++) {
        long off = base;
        ACC acc = RED_INIT;
        for (d = 0; d < RRANK; d++) ridx[d] = 0;
        for (r = 0; r < NRED; r++) {
            ACC v = (ACC)x[off];
            RED_STEP(`acc')
            for (d = RRANK - 1; d >= 0; d--) {
                off += rstr[d];
                if (++ridx[d] < rdims[d]) break;
                off -= rstr[d] * rdims[d];
                ridx[d] = 0;
            }
        }
        y[o] = (T)(RED_FINAL(`acc'));
        for (d = KRANK - 1; d >= 0; d--) {
            base += kstr[d];
            if (++kidx[d] < kdims[d]) break;
            base -= kstr[d] * kdims[d];
            kidx[d] = 0;
        }
    }
}
')m4_dnl
