m4_divert(-1)
# string_normalizer.m4 - ONNX StringNormalizer over N strings: drop the
# stopwords, then change the case of what is left.
#
# Case is changed for ASCII letters and for the Latin-1 letters as UTF-8
# encodes them (0xC3 then 0x80-0x9E upper, 0xA0-0xBE lower, without the
# multiplication and division signs); both keep the byte length. Other text
# passes through unchanged (the locale attribute is not consulted).
# Without a case change the output points at the input strings; with one,
# string k is written to chars + k * (MAXLEN + 1), and a string longer than
# MAXLEN bytes makes the kernel return 1 before anything is written past
# its slot. If every string is dropped the output is one empty string.
# Parameters: N, CASE (lower, upper, none), CASE_SENSITIVE (stopword
# matching), NSTOP (stopwords passed as stop[]), MAXLEN.
# extent (NULL when there are no stopwords): the number of strings kept.
m4_need(`N')m4_need(`CASE')m4_need(`CASE_SENSITIVE')m4_need(`NSTOP')m4_need(`MAXLEN')
m4_define(`FOLDS', m4_ifelse(CASE, `none', m4_ifelse(CASE_SENSITIVE, 1, 0, NSTOP, 0, 0, 1), 1))
m4_divert(0)m4_dnl
m4_ifelse(FOLDS, 1, `/* Byte c of a UTF-8 string after the byte prev, in lower (to_upper 0) or
   upper case: ASCII and Latin-1 letters only. */
static unsigned char KNAME`'_case(unsigned char c, unsigned char prev, int to_upper)
{
    if (to_upper) {
        if (c >= 0x61 && c <= 0x7a) return (unsigned char)(c - 0x20);
        if (prev == 0xc3 && c >= 0xa0 && c <= 0xbe && c != 0xb7) return (unsigned char)(c - 0x20);
    } else {
        if (c >= 0x41 && c <= 0x5a) return (unsigned char)(c + 0x20);
        if (prev == 0xc3 && c >= 0x80 && c <= 0x9e && c != 0x97) return (unsigned char)(c + 0x20);
    }
    return c;
}
')m4_dnl
m4_ifelse(NSTOP, 0, `', `/* Whether s is one of the stopwords (m4_ifelse(CASE_SENSITIVE, 1, `exact match', `ignoring case')). */
static int KNAME`'_is_stop(const char *s, const mlegen_str *stop)
{
    int w;
    for (w = 0; w < NSTOP; w++) {
m4_ifelse(CASE_SENSITIVE, 1, `        if (strcmp(s, stop[w]) == 0) return 1;',
`        const unsigned char *a = (const unsigned char *)s, *b = (const unsigned char *)stop[w];
        unsigned char pa = 0, pb = 0;
        while (*a && KNAME`'_case(*a, pa, 0) == KNAME`'_case(*b, pb, 0)) {
            pa = *a++;
            pb = *b++;
        }
        if (*a == 0 && *b == 0) return 1;')
    }
    return 0;
}
')m4_dnl
static int KNAME`'(const mlegen_str *restrict x, mlegen_str *restrict y, char *restrict chars,
                   const mlegen_str *stop, int64_t *extent)
{
    long i, k = 0;
    (void)chars;
    (void)stop;
    for (i = 0; i < N; i++) {
m4_ifelse(NSTOP, 0, `', `        if (KNAME`'_is_stop(x[i], stop)) continue;
')m4_dnl
m4_ifelse(CASE, `none', `        y[k++] = x[i];',
`        {
            const unsigned char *s = (const unsigned char *)x[i];
            char *slot = chars + (size_t)k * (MAXLEN + 1);
            unsigned char prev = 0;
            long j;
            for (j = 0; s[j]; j++) {
                if (j == MAXLEN) return 1; /* longer than --max-string-bytes */
                slot[j] = (char)KNAME`'_case(s[j], prev, m4_ifelse(CASE, `upper', 1, 0));
                prev = s[j];
            }
            slot[j] = 0;
            y[k++] = slot;
        }')
    }
    if (k == 0) y[k++] = "";
    if (extent) *extent = k;
    return 0;
}
