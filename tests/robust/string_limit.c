/*
 * string_limit.c - driver for string_limit.sh: a StringNormalizer (UPPER)
 * model compiled with --max-string-bytes 8, run on a workspace of exactly
 * m_WORKSPACE_BYTES from malloc, so AddressSanitizer sees any write past
 * it. Strings of up to 8 bytes must convert (checked against toupper);
 * longer ones must make the run return non-zero.
 */
#include "m.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void expect(int ok, const char *what) {
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) failures++;
}

static int run(void *ws, const char *a, const char *b, const char *c, const char **y) {
    const char *x[3];
    const void *in[1];
    void *out[1];
    x[0] = a;
    x[1] = b;
    x[2] = c;
    in[0] = x;
    out[0] = (void *)y;
    return m_run_with(ws, in, out);
}

static int upper_of(const char *got, const char *src) {
    size_t i, n = strlen(src);
    if (strlen(got) != n) return 0;
    for (i = 0; i < n; i++)
        if (got[i] != (char)toupper((unsigned char)src[i])) return 0;
    return 1;
}

int main(void) {
    void *ws = malloc(m_WORKSPACE_BYTES);
    const char *y[3] = {0, 0, 0};
    char *huge = malloc(100001);
    if (!ws || !huge) return 3;
    memset(huge, 'q', 100000);
    huge[100000] = 0;
    expect(m_MAX_STRING_BYTES == 8, "the header records --max-string-bytes 8");
    expect(m_INPUT_0_DTYPE == 8 && m_OUTPUT_0_DTYPE == 8, "string dtypes (8) in the header");
    expect(run(ws, "abc", "12345678", "MiXed 7", y) == 0, "strings of at most 8 bytes run");
    expect(y[0] && upper_of(y[0], "abc") && y[1] && upper_of(y[1], "12345678") && y[2] &&
               upper_of(y[2], "MiXed 7"),
           "their upper case matches toupper");
    expect(run(ws, "abc", "123456789", "x", y) != 0, "a 9-byte string is refused");
    expect(run(ws, huge, "a", "b", y) != 0, "a 100000-byte string is refused");
    expect(run(ws, "a", "b", huge + 99992, y) == 0, "the last 8 bytes of it are not");
    free(huge);
    free(ws);
    printf("%s\n", failures ? "FAIL" : "PASS");
    return failures != 0;
}
