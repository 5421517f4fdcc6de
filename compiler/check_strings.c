/*
 * check_strings.c - string tensors for `mlegen check` (check.c).
 *
 * The harness exchanges a string tensor as its strings one after the other,
 * each ended by a NUL byte (runtime_stub/harness.c); in the compiler a
 * string tensor's data is an array of NUL-terminated copies (load.c).
 * Outputs are compared exactly, byte for byte.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

bool write_strings(const char *path, const Tensor *t) {
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = true;
    for (int64_t i = 0; ok && i < tensor_numel(t); i++) {
        const char *s = ((char *const *)t->data)[i];
        ok = fwrite(s, 1, strlen(s) + 1, f) == strlen(s) + 1;
    }
    return fclose(f) == 0 && ok;
}

/* Reads exactly numel(t) strings into t->data (copies in pool p). */
bool read_strings(const char *path, Tensor *t, Pool *p) {
    unsigned char *d;
    size_t len;
    char err[256];
    if (!read_file(path, (size_t)1 << 40, &d, &len, err, sizeof err)) return false;
    int64_t n = tensor_numel(t), k = 0;
    for (size_t i = 0; i < len; i++)
        k += d[i] == 0;
    bool ok = k == n && (len == 0 || d[len - 1] == 0);
    if (ok) {
        char **s = pool_alloc(p, sizeof(char *) * (size_t)(n ? n : 1));
        size_t at = 0;
        for (int64_t i = 0; i < n; i++) {
            s[i] = pool_strdup(p, (const char *)d + at);
            at += strlen(s[i]) + 1;
        }
        t->data = s;
    }
    free(d);
    return ok;
}

/* Prints the line check.c prints for other types; returns true on a match. */
bool compare_strings(int k, const Tensor *want, const Tensor *got) {
    int64_t n = tensor_numel(want), bad = 0, first = -1;
    char *const *w = want->data, *const *g = got->data;
    for (int64_t i = 0; i < n; i++)
        if (strcmp(w[i], g[i]) != 0 && bad++ == 0) first = i;
    printf("  output %d '%s': %lld strings: %s\n", k, want->name, (long long)n,
           bad ? "FAIL" : "PASS");
    if (bad)
        printf("    %lld mismatches; first at index %lld: expected \"%s\", got \"%s\"\n",
               (long long)bad, (long long)first, w[first], g[first]);
    return bad == 0;
}
