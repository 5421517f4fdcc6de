m4_divert(-1)
# tfidf.m4 - TfIdfVectorizer over integer tokens x[ROWS, LEN]: counts the
# pool's n-grams (entry e: GLEN[e] tokens at pool[GSTART[e]], column
# GOUT[e]) formed with skips 0..MAXSKIP (unigrams once), then TF (counts),
# IDF (weight where the count is non-zero) or TFIDF (count * weight).
# Parameters: T ROWS LEN NCOLS NENT GSTART GLEN GOUT MINN MAXN MAXSKIP MODE
m4_need(`NENT')m4_need(`MODE')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const int64_t *restrict pool, const float *restrict weight,
                  float *restrict y)
{
    static const long gstart[] = GSTART, glen[] = GLEN, gout[] = GOUT;
    long r, c, n, s, i, e, k;
    (void)pool, (void)weight, (void)gstart, (void)glen, (void)gout;
    for (r = 0; r < ROWS; r++) {
        const T *row = x + r * (long)LEN;
        float *yr = y + r * (long)NCOLS;
        for (c = 0; c < NCOLS; c++) yr[c] = 0.0f;
        for (n = MINN; n <= MAXN; n++)
            for (s = 0; s <= (n == 1 ? 0 : MAXSKIP); s++)
                for (i = 0; i + (n - 1) * (s + 1) < LEN; i++)
                    for (e = 0; e < NENT; e++) {
                        if (glen[e] != n) continue;
                        for (k = 0; k < n; k++)
                            if ((int64_t)row[i + k * (s + 1)] != pool[gstart[e] + k]) break;
                        if (k == n) yr[gout[e]] += 1.0f;
                    }
m4_ifelse(MODE, `IDF', `        for (c = 0; c < NCOLS; c++) yr[c] = yr[c] > 0.0f ? weight[c] : 0.0f;
', MODE, `TFIDF', `        for (c = 0; c < NCOLS; c++) yr[c] *= weight[c];
')m4_dnl
    }
}
