/*
 * demo_digits.c - the README's first command ends here: classifies the
 * held-out 8x8 digits with the model mlegen generated from
 * tests/models/digits.onnx, and prints predictions, accuracy, agreement
 * with PyTorch's logits and latency. Uses only the generated digits.h API.
 *
 * usage: demo_digits HELDOUT.f32 HELDOUT.labels EXPECTED_LOGITS.f32
 */
#define _POSIX_C_SOURCE 199309L
#include "digits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { PIXELS = digits_INPUT_0_SIZE, CLASSES = digits_OUTPUT_0_SIZE, MAX_SAMPLES = 10000 };

static long read_all(const char *path, void *dst, size_t elem, long max) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "demo: cannot open %s\n", path);
        exit(2);
    }
    long n = (long)fread(dst, elem, (size_t)max, f);
    fclose(f);
    return n;
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

static int argmax(const float *v) {
    int best = 0;
    for (int i = 1; i < CLASSES; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s HELDOUT.f32 HELDOUT.labels EXPECTED_LOGITS.f32\n", argv[0]);
        return 2;
    }
    static float images[MAX_SAMPLES][PIXELS], expected[MAX_SAMPLES][CLASSES];
    static unsigned char labels[MAX_SAMPLES];
    long n = read_all(argv[1], images, sizeof images[0], MAX_SAMPLES);
    if (read_all(argv[2], labels, 1, MAX_SAMPLES) != n ||
        read_all(argv[3], expected, sizeof expected[0], MAX_SAMPLES) != n) {
        fprintf(stderr, "demo: the data files disagree in length\n");
        return 2;
    }
    int correct = 0;
    double max_err = 0;
    printf("predictions (label/predicted):");
    for (long i = 0; i < n; i++) {
        float logits[CLASSES];
        const void *in[1] = {images[i]};
        void *out[1] = {logits};
        if (digits_run(in, out) != 0) return 1;
        int p = argmax(logits);
        correct += p == labels[i];
        for (int c = 0; c < CLASSES; c++) {
            double e = fabs((double)logits[c] - (double)expected[i][c]);
            if (e > max_err) max_err = e;
        }
        if (i < 20) printf(" %d/%d", labels[i], p);
    }
    printf("%s\n", n > 20 ? " ..." : "");
    /* Latency: one image at a time, as a batch-1 application calls it. */
    enum { RUNS = 2000 };
    static double t[RUNS];
    float logits[CLASSES];
    void *out[1] = {logits};
    for (int r = 0; r < RUNS; r++) {
        const void *in[1] = {images[r % n]};
        double t0 = now_us();
        digits_run(in, out);
        t[r] = now_us() - t0;
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    printf("accuracy: %d/%ld = %.1f%% on held-out digits never seen in training\n", correct, n,
           100.0 * correct / n);
    printf("max |logit - PyTorch logit|: %.2g\n", max_err);
    printf("latency: median %.2f us, min %.2f us per image (%d runs, one thread)\n", t[RUNS / 2],
           t[0], RUNS);
    printf("memory: %d-byte workspace arena, no malloc at run time\n", (int)digits_WORKSPACE_BYTES);
    return max_err < 1e-3 && correct * 10 >= n * 9 ? 0 : 1;
}
