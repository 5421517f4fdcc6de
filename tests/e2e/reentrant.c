/*
 * reentrant.c - PREFIX_run_with is reentrant: two threads, each with its
 * own workspace, run the model concurrently many times and must get the
 * same bits as a single-threaded run. Built against a generated model with
 * -DMLEGEN_MODEL_HEADER and -DMLEGEN_PREFIX like the harness.
 */
#define _POSIX_C_SOURCE 200112L
#include MLEGEN_MODEL_HEADER

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT_(a, b) a##b
#define CAT(a, b)  CAT_(a, b)
#define P(x)       CAT(MLEGEN_PREFIX, x)

enum { ITERS = 200, NIN = P(_INPUT_0_SIZE), NOUT = P(_OUTPUT_0_SIZE) };

static float input[2][NIN];
static float expected[2][NOUT];
static int failures;

static void *worker(void *arg) {
    int id = *(int *)arg;
    void *ws = aligned_alloc(64, ((size_t)P(_WORKSPACE_BYTES) + 63) / 64 * 64 + 64);
    float *out = malloc(sizeof(float) * NOUT);
    for (int i = 0; i < ITERS && ws && out; i++) {
        const void *in[1] = {input[id]};
        void *o[1] = {out};
        P(_run_with)(ws, in, o);
        if (memcmp(out, expected[id], sizeof(float) * NOUT) != 0) {
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    free(ws);
    free(out);
    return NULL;
}

int main(void) {
    unsigned s = 12345;
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < NIN; i++) {
            s = s * 1103515245u + 12345u;
            input[t][i] = (float)((s >> 8) & 0xffff) / 65536.0f - 0.5f;
        }
    for (int t = 0; t < 2; t++) {
        const void *in[1] = {input[t]};
        void *o[1] = {expected[t]};
        P(_run)(in, o);
    }
    if (memcmp(expected[0], expected[1], sizeof expected[0]) == 0) {
        printf("inputs give identical outputs: the test would prove nothing\n");
        return 1;
    }
    pthread_t th[2];
    int ids[2] = {0, 1};
    for (int t = 0; t < 2; t++)
        pthread_create(&th[t], NULL, worker, &ids[t]);
    for (int t = 0; t < 2; t++)
        pthread_join(th[t], NULL);
    printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures != 0;
}
