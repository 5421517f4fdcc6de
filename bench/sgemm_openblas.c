/*
 * sgemm_openblas.c - OpenBLAS cblas_sgemm on the bench's GEMM shape, for
 * reference next to mlegen's MatMul.
 *
 * Build: clang -std=c99 -O2 -march=native bench/sgemm_openblas.c -o sgemm -lopenblas
 * Usage: OPENBLAS_NUM_THREADS=1 [OPENBLAS_CORETYPE=SkylakeX] ./sgemm N RUNS WARMUP
 * Prints the harness's format: median_us=... min_us=... iters=...
 * C = A * B with A, B N x N row-major single precision, like the ONNX model
 * (runtime A, constant B). Debian's OpenBLAS 0.3.21 does not recognise some
 * virtualised AVX-512 CPUs and falls back to an older kernel set unless
 * OPENBLAS_CORETYPE names the core, so bench.py runs it both ways.
 */
#define _POSIX_C_SOURCE 199309L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
    if (argc != 4) {
        fprintf(stderr, "usage: %s N RUNS WARMUP\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]);
    long runs = atol(argv[2]), warmup = atol(argv[3]);
    if (n <= 0 || runs <= 0 || warmup < 0) return 2;
    size_t nn = (size_t)n * (size_t)n;
    float *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b), *c = malloc(nn * sizeof *c);
    double *t = malloc((size_t)runs * sizeof *t);
    if (!a || !b || !c || !t) return 3;
    srand(1);
    for (size_t i = 0; i < nn; i++) {
        a[i] = (float)(rand() % 1000) / 1000.0f - 0.5f;
        b[i] = (float)(rand() % 1000) / 1000.0f - 0.5f;
    }
    for (long i = 0; i < warmup + runs; i++) {
        double t0 = now_us();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c,
                    n);
        if (i >= warmup) t[i - warmup] = now_us() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("median_us=%.3f min_us=%.3f iters=%ld core=%s\n", t[runs / 2], t[0], runs,
           openblas_get_corename());
    return 0;
}
