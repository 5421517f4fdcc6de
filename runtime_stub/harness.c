/*
 * harness.c - host-side driver for any generated model.
 *
 * Built together with a generated OUT.c:
 *   cc -std=c99 -I DIR -DMLEGEN_MODEL_HEADER='"OUT.h"' -DMLEGEN_PREFIX=NAME OUT.c harness.c -lm
 * Usage:
 *   run -i in0.bin [-i in1.bin ...] -o out0.bin [...] [--time N] [--warmup W]
 * Inputs and outputs are raw little-endian arrays of the model's element
 * types, in graph order; a string tensor's file holds its strings one after
 * the other, each ended by a NUL byte. With --time it runs N timed iterations and prints
 * "median_us=... min_us=... iters=...". Generated code never depends on
 * this file: it only uses the uniform API of OUT.h.
 */
#define _POSIX_C_SOURCE 199309L
#include MLEGEN_MODEL_HEADER

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAT_(a, b) a##b
#define CAT(a, b)  CAT_(a, b)
#define P(x)       CAT(MLEGEN_PREFIX, x)

#define NIN  P(_NUM_INPUTS)
#define NOUT P(_NUM_OUTPUTS)

static const long long in_sizes[NIN + 1] = P(_INPUT_SIZES);
static const int in_bytes[NIN + 1] = P(_INPUT_ELEM_BYTES);
static const int in_unread[NIN + 1] = P(_INPUT_UNREAD);
static const int in_types[NIN + 1] = P(_INPUT_DTYPES);
static const int out_types[NOUT + 1] = P(_OUTPUT_DTYPES);
static const long long out_sizes[NOUT + 1] = P(_OUTPUT_SIZES);
static const int out_bytes[NOUT + 1] = P(_OUTPUT_ELEM_BYTES);
static const int out_axis[NOUT + 1] = P(_OUTPUT_BOUNDED_AXES);
static const long long out_axis_max[NOUT + 1] = P(_OUTPUT_BOUNDED_DIMS);

static void *load(const char *path, size_t want) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "harness: cannot open %s\n", path);
        exit(2);
    }
    void *d = malloc(want ? want : 1);
    size_t got = d ? fread(d, 1, want, f) : 0;
    int extra = fgetc(f);
    fclose(f);
    if (got != want || extra != EOF) {
        fprintf(stderr, "harness: %s must hold exactly %zu bytes\n", path, want);
        exit(2);
    }
    return d;
}

#define DTYPE_STRING 8

/* A string tensor's file: n NUL-terminated strings. Returns the array of
   n pointers into one buffer that holds the file. */
static const char **load_strings(const char *path, size_t n) {
    FILE *f = fopen(path, "rb");
    size_t len = 0, cap = 4096, k = 0, i;
    char *text = malloc(cap);
    const char **s = malloc((n ? n : 1) * sizeof *s);
    int c;
    if (!f || !text || !s) {
        fprintf(stderr, "harness: cannot read %s\n", path);
        exit(2);
    }
    while ((c = fgetc(f)) != EOF) {
        if (len == cap && !(text = realloc(text, cap *= 2))) exit(3);
        text[len++] = (char)c;
    }
    fclose(f);
    for (i = 0; i < len && k <= n; i++)
        if (text[i] == 0) k++;
    if (k != n || (len && text[len - 1] != 0)) {
        fprintf(stderr, "harness: %s must hold exactly %zu NUL-terminated strings\n", path, n);
        exit(2);
    }
    for (i = 0, k = 0; k < n; k++) {
        s[k] = text + i;
        i += strlen(text + i) + 1;
    }
    if (n == 0) free(text); /* nothing points into it */
    return s;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    const char *ins[NIN + 1] = {0}, *outs[NOUT + 1] = {0};
    int ni = 0, no = 0;
    long iters = 0, warmup = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-i") && i + 1 < argc && ni < NIN)
            ins[ni++] = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc && no < NOUT)
            outs[no++] = argv[++i];
        else if (!strcmp(argv[i], "--time") && i + 1 < argc)
            iters = atol(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
            warmup = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: %s -i IN.bin x%d -o OUT.bin x%d [--time N] [--warmup W]\n",
                    argv[0], NIN, NOUT);
            return 2;
        }
    }
    if (ni != NIN) {
        fprintf(stderr, "harness: the model has %d inputs, %d given\n", NIN, ni);
        return 2;
    }
    const void *in[NIN + 1];
    void *out[NOUT + 1];
    /* An input the model never reads (e.g. CastLike's `like`, which only
       gives a type) takes any file: it is not even opened. */
    for (int i = 0; i < NIN; i++)
        in[i] = in_unread[i] ? NULL
                : in_types[i] == DTYPE_STRING
                    ? (const void *)load_strings(ins[i], (size_t)in_sizes[i])
                    : load(ins[i], (size_t)in_sizes[i] * (size_t)in_bytes[i]);
    for (int i = 0; i < NOUT; i++) {
        out[i] = calloc((size_t)out_sizes[i] * (size_t)out_bytes[i] + 1, 1);
        if (!out[i]) return 3;
    }
    if (P(_run)(in, out) != 0) {
        fprintf(stderr, "harness: run failed\n");
        return 1;
    }
    if (iters > 0) {
        double *t = malloc(sizeof(double) * (size_t)iters);
        if (!t) return 3;
        for (long i = 0; i < warmup; i++)
            P(_run)(in, out);
        for (long i = 0; i < iters; i++) {
            double t0 = now_us();
            P(_run)(in, out);
            t[i] = now_us() - t0;
        }
        qsort(t, (size_t)iters, sizeof(double), cmp_double);
        printf("median_us=%.3f min_us=%.3f iters=%ld\n", t[iters / 2], t[0], iters);
        free(t);
    }
    for (int i = 0; i < no; i++) {
        FILE *f = fopen(outs[i], "wb");
        size_t n = (size_t)out_sizes[i] * (size_t)out_bytes[i];
        /* A bounded output holds its run-time extent along that axis. */
        if (out_axis[i] >= 0 && out_axis_max[i] > 0) {
            long long ext = P(_output_extent)(NULL, i);
            if (ext < 0 || ext > out_axis_max[i]) {
                fprintf(stderr, "harness: output %d has an invalid extent %lld\n", i, ext);
                return 1;
            }
            n = (size_t)(out_sizes[i] / out_axis_max[i] * ext) * (size_t)out_bytes[i];
        }
        bool ok = f != NULL;
        if (ok && out_types[i] == DTYPE_STRING) {
            const char *const *str = out[i];
            for (size_t k = 0; ok && k < n / (size_t)out_bytes[i]; k++)
                ok = str[k] && fwrite(str[k], 1, strlen(str[k]) + 1, f) == strlen(str[k]) + 1;
        } else if (ok) {
            ok = fwrite(out[i], 1, n, f) == n;
        }
        if (!ok || fclose(f) != 0) {
            fprintf(stderr, "harness: cannot write %s\n", outs[i]);
            return 2;
        }
    }
    for (int i = 0; i < NIN; i++) {
        if (in[i] && in_types[i] == DTYPE_STRING && in_sizes[i] > 0)
            free((void *)((const char **)in[i])[0]);
        free((void *)in[i]);
    }
    for (int i = 0; i < NOUT; i++)
        free(out[i]);
    return 0;
}
