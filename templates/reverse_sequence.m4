m4_divert(-1)
# reverse_sequence.m4 - reverses the first len[b] time steps of each batch
# entry b; the rest is copied. The first two dims are (time, batch) when
# BATCH_AXIS is 1, (batch, time) when 0; INNER elements per (time, batch).
# Lengths are clamped to [0, time] (undefined in ONNX, never a crash).
# Parameters: T TI BATCH_AXIS D0 D1 INNER
m4_need(`T')m4_need(`TI')m4_need(`BATCH_AXIS')
m4_define(`NB', m4_ifelse(BATCH_AXIS, 1, D1, D0))
m4_define(`NT', m4_ifelse(BATCH_AXIS, 1, D0, D1))
m4_define(`POS', m4_ifelse(BATCH_AXIS, 1, `(($2) * NB + ($1))', `(($1) * NT + ($2))'))
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const TI *restrict len, T *restrict y)
{
    long b, t;
    for (b = 0; b < NB; b++) {
        long n = (long)len[b];
        if (n < 0) n = 0;
        if (n > NT) n = NT;
        for (t = 0; t < NT; t++) {
            long src = t < n ? n - 1 - t : t;
            memcpy(y + POS(b, t) * (long)INNER, x + POS(b, src) * (long)INNER, sizeof(T) * (size_t)INNER);
        }
    }
}
