/*
 * fma_peak.c - this core's peak single-precision FMA throughput.
 *
 * Build: clang -std=c99 -O2 -march=native bench/fma_peak.c -o fma_peak
 * Prints: avx2_gflops=G avx512_gflops=G   (avx512 is 0 when not compiled in)
 *
 * A vector FMA has a latency of about 4 cycles and modern cores issue up to
 * two per cycle, so at least 8 independent dependency chains are needed to
 * keep both FMA ports busy; CHAINS = 12 leaves margin. Each chain is
 * acc = acc * m + a with m slightly below 1, so the values stay finite; the
 * compiler may not reassociate them (no -ffast-math), so every FMA written
 * is executed; an empty asm statement naming every accumulator after each
 * round also keeps the optimiser from dropping chains whose results would
 * otherwise look unused (it did: clang kept 2 of 12 zmm chains). Each ISA is measured TRIALS times
 * and the best trial is reported: a peak is a ceiling, and on a shared machine noise only lowers
 * it. One FMA on a W-lane vector counts as 2*W floating-point operations.
 */
#define _POSIX_C_SOURCE 199309L
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
#define TRIALS 30

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile float sink;

#ifdef __AVX2__
/* Returns GFLOP/s of iters * CHAINS ymm FMAs. */
static double avx2_once(long iters) {
    __m256 acc[CHAINS];
    for (int c = 0; c < CHAINS; c++)
        acc[c] = _mm256_set1_ps((float)c);
    __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-6f);
    double t0 = now_s();
    for (long i = 0; i < iters; i++)
        for (int c = 0; c < CHAINS; c++) {
            acc[c] = _mm256_fmadd_ps(acc[c], m, a);
            __asm__ volatile("" : "+v"(acc[c]));
        }
    double dt = now_s() - t0;
    __m256 s = acc[0];
    for (int c = 1; c < CHAINS; c++)
        s = _mm256_add_ps(s, acc[c]);
    sink = _mm256_cvtss_f32(s);
    return (double)iters * CHAINS * 8 * 2 / dt / 1e9;
}
#endif

#ifdef __AVX512F__
static double avx512_once(long iters) {
    __m512 acc[CHAINS];
    for (int c = 0; c < CHAINS; c++)
        acc[c] = _mm512_set1_ps((float)c);
    __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-6f);
    double t0 = now_s();
    for (long i = 0; i < iters; i++)
        for (int c = 0; c < CHAINS; c++) {
            acc[c] = _mm512_fmadd_ps(acc[c], m, a);
            __asm__ volatile("" : "+v"(acc[c]));
        }
    double dt = now_s() - t0;
    __m512 s = acc[0];
    for (int c = 1; c < CHAINS; c++)
        s = _mm512_add_ps(s, acc[c]);
    sink = _mm512_reduce_add_ps(s);
    return (double)iters * CHAINS * 16 * 2 / dt / 1e9;
}
#endif

static double best_of(double (*once)(long), long iters) {
    double best = 0;
    for (int t = 0; t < TRIALS; t++) {
        double g = once(iters);
        if (g > best) best = g;
    }
    return best;
}

int main(int argc, char **argv) {
    /* ~10 ms per trial at the peak of this core (many short trials catch the
       quiet moments of a shared core); argv[1] scales it (e.g. 0.1 for smoke runs). */
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    long iters = (long)(4e6 * (scale > 0 ? scale : 1.0));
    double avx2 = 0, avx512 = 0;
#ifdef __AVX2__
    avx2 = best_of(avx2_once, iters);
#endif
#ifdef __AVX512F__
    avx512 = best_of(avx512_once, iters);
#endif
    printf("avx2_gflops=%.2f avx512_gflops=%.2f chains=%d\n", avx2, avx512, CHAINS);
    return 0;
}
