m4_divert(-1)
# gather.m4 - Gather along one axis: OUTER x NIDX blocks of INNER_BYTES.
# An index outside [-AXIS_DIM, AXIS_DIM) reads element 0 instead of memory
# out of bounds (ONNX leaves it undefined; a crash is never acceptable).
m4_need(`OUTER')m4_need(`TI')
m4_divert(0)m4_dnl
static void KNAME`'(const void *x, const TI *idx, void *y)
{
    long o, i;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < NIDX; i++) {
            long v = (long)idx[i];
            if (v < 0) v += AXIS_DIM;
            if (v < 0 || v >= AXIS_DIM) v = 0;
            memcpy((unsigned char *)y + (o * NIDX + i) * (long)INNER_BYTES,
                   (const unsigned char *)x + (o * AXIS_DIM + v) * (long)INNER_BYTES, INNER_BYTES);
        }
}
