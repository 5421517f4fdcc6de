/*
 * test_plan.c - unit tests of the arena planner (compiler/plan.c).
 *
 * Hand-made cases assert exact offsets, worked out in the comments, so a
 * change of ordering or gap choice shows up as a failure instead of passing
 * silently. Property tests then run every algorithm on random instances and
 * check what must hold for any plan.
 *
 * Build: cc -std=c99 -Icompiler compiler/plan.c tests/test_plan.c
 * Exit status is non-zero if a test failed; the last line is "N passed, M failed".
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int npassed, nfailed;
static int cur_failed; /* checks failed in the running test */

#define CHECK(cond) check_at((cond), #cond, __LINE__)

static int check_at(int ok, const char *what, int line) {
    if (!ok) {
        fprintf(stderr, "  line %d: CHECK(%s) failed\n", line, what);
        cur_failed++;
    }
    return ok;
}

static void run(const char *name, void (*fn)(void)) {
    cur_failed = 0;
    fn();
    if (cur_failed) {
        printf("FAIL %s\n", name);
        nfailed++;
    } else {
        printf("ok   %s\n", name);
        npassed++;
    }
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const PlanAlgo all_algos[] = {PLAN_GREEDY_BY_SIZE, PLAN_GREEDY_BY_CONFLICTS, PLAN_NAIVE};

static const PlanSearch all_searches[] = {PLAN_SEARCH_AUTO, PLAN_SEARCH_INDEX, PLAN_SEARCH_SCAN};
static const char *const search_names[] = {"auto", "index", "scan"};

/* Plans with algo, once with each search, and checks the total and every
   offset; also checks that the plan passes plan_verify, so no expected
   layout can be invalid. */
static void expect_plan_at(const PlanBuf *bufs, int n, int64_t align, PlanAlgo algo,
                           const int64_t *want, int64_t want_total, int line) {
    for (int s = 0; s < N(all_searches); s++) {
        int64_t off[64];
        int a, b;
        const char *algo_name = plan_algo_name(algo), *search = search_names[s];
        int64_t total = plan_arena_search(bufs, n, align, algo, all_searches[s], off);
        if (total != want_total) {
            fprintf(stderr, "  line %d: %s/%s: total %lld, want %lld\n", line, algo_name, search,
                    (long long)total, (long long)want_total);
            cur_failed++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (off[i] != want[i]) {
                fprintf(stderr, "  line %d: %s/%s: off[%d] = %lld, want %lld\n", line, algo_name,
                        search, i, (long long)off[i], (long long)want[i]);
                cur_failed++;
            }
        }
        if (plan_verify(bufs, n, align, off, total, &a, &b) != 0) {
            fprintf(stderr, "  line %d: %s/%s: plan_verify rejects (%d, %d)\n", line, algo_name,
                    search, a, b);
            cur_failed++;
        }
    }
    int64_t off[64];
    if (plan_arena(bufs, n, align, algo, off) != want_total) {
        fprintf(stderr, "  line %d: plan_arena disagrees with plan_arena_search\n", line);
        cur_failed++;
    }
}

#define expect_plan(bufs, n, align, algo, want, total)                                             \
    expect_plan_at(bufs, n, align, algo, want, total, __LINE__)

/* ---------------------------------------------------------------- hand-made cases */

static void test_empty(void) {
    for (int k = 0; k < N(all_algos); k++)
        CHECK(plan_arena(NULL, 0, 16, all_algos[k], NULL) == 0);
    CHECK(plan_arena_best(NULL, 0, 16, NULL, NULL) == 0);
    CHECK(plan_pressure(NULL, 0, 16) == 0);
    CHECK(plan_verify(NULL, 0, 16, NULL, 0, NULL, NULL) == 0);
}

static void test_single(void) {
    PlanBuf bufs[] = {{10, 3, 7}};
    int64_t want[] = {0};
    for (int k = 0; k < N(all_algos); k++) {
        expect_plan(bufs, 1, 1, all_algos[k], want, 10);
        /* 10 bytes round up to one 64-byte block */
        expect_plan(bufs, 1, 64, all_algos[k], want, 64);
    }
}

/* A is dead before B is born, so both start at 0 and the arena is the
   larger of the two. Naive does not reuse: B goes after A. */
static void test_disjoint_share(void) {
    PlanBuf bufs[] = {{100, 0, 0}, {50, 1, 1}};
    int64_t want[] = {0, 0};
    int64_t naive[] = {0, 100};
    expect_plan(bufs, 2, 1, PLAN_GREEDY_BY_SIZE, want, 100);
    expect_plan(bufs, 2, 1, PLAN_GREEDY_BY_CONFLICTS, want, 100);
    expect_plan(bufs, 2, 1, PLAN_NAIVE, naive, 150);
}

/* All three live at steps 0..2, so they stack. By size the order is 30
   (index 2), 20, 10: 30 at 0, 20 on top at 30, 10 on top at 50. Every
   buffer has 2 conflicts, so by conflicts falls back to size: same plan. */
static void test_overlap_stack(void) {
    PlanBuf bufs[] = {{10, 0, 2}, {20, 0, 2}, {30, 0, 2}};
    int64_t want[] = {50, 30, 0};
    expect_plan(bufs, 3, 1, PLAN_GREEDY_BY_SIZE, want, 60);
    expect_plan(bufs, 3, 1, PLAN_GREEDY_BY_CONFLICTS, want, 60);
}

/* Steps:   0   1   2   3
   A(100)   ####
   B(100)   ##############
   C(80)            ######
   D(20)            ######
   By size: A and B tie on size and start, so A (lower index) first.
   A -> 0. B overlaps A -> 100. C overlaps only B ([100,200)): the hole
   [0,100) left by A fits -> 0. D overlaps B and C: the hole [80,100)
   between C and B is exactly 20 -> 80. Arena 200 = the pressure. */
static void test_gap_fill(void) {
    PlanBuf bufs[] = {{100, 0, 1}, {100, 0, 3}, {80, 2, 3}, {20, 2, 3}};
    int64_t want[] = {0, 100, 0, 80};
    expect_plan(bufs, 4, 1, PLAN_GREEDY_BY_SIZE, want, 200);
    CHECK(plan_pressure(bufs, 4, 1) == 200);
}

/* Documents the best-fit gap choice.
   Order by size (ties: earlier start, then index): A, B, C, D, E.
   A(100, step 0)    -> 0
   B(100, steps 0-2) -> 100 (on A)
   C(60, step 0)     -> 200 (on A, B; no hole)
   D(60, steps 0-2)  -> 260 (on A, B, C)
   E(50, steps 1-2) overlaps only B [100,200) and D [260,320), so it sees
   holes [0,100) (100 bytes) and [200,260) (60 bytes). First fit would take
   0; best fit takes the smaller hole at 200. Arena 320. */
static void test_best_fit(void) {
    PlanBuf bufs[] = {{100, 0, 0}, {100, 0, 2}, {60, 0, 0}, {60, 0, 2}, {50, 1, 2}};
    int64_t want[] = {0, 100, 200, 260, 200};
    expect_plan(bufs, 5, 1, PLAN_GREEDY_BY_SIZE, want, 320);
}

/* Sizes 1, 3, 65 with align 64 take 64, 64 and 128 bytes. */
static void test_alignment(void) {
    /* All live together. By size: 65 -> 0 (to 128), 3 -> 128, 1 -> 192. */
    PlanBuf together[] = {{1, 0, 0}, {3, 0, 0}, {65, 0, 0}};
    int64_t want_together[] = {192, 128, 0};
    expect_plan(together, 3, 64, PLAN_GREEDY_BY_SIZE, want_together, 256);
    expect_plan(together, 3, 64, PLAN_GREEDY_BY_CONFLICTS, want_together, 256);
    CHECK(plan_pressure(together, 3, 64) == 256);
    CHECK(plan_pressure(together, 3, 1) == 69);

    /* Never live together: all at 0; the arena is 65 rounded up to 128. */
    PlanBuf apart[] = {{1, 0, 0}, {3, 1, 1}, {65, 2, 2}};
    int64_t want_apart[] = {0, 0, 0};
    expect_plan(apart, 3, 64, PLAN_GREEDY_BY_SIZE, want_apart, 128);
    expect_plan(apart, 3, 64, PLAN_GREEDY_BY_CONFLICTS, want_apart, 128);
    CHECK(plan_pressure(apart, 3, 64) == 128);

    /* Naive: 0, 64, 128 in index order; 128 + 128 = 256. */
    int64_t want_naive[] = {0, 64, 128};
    expect_plan(apart, 3, 64, PLAN_NAIVE, want_naive, 256);
}

/* A -> B -> C: each node reads the previous output and writes the next,
   so neighbours overlap for one step and A and C never meet. Equal sizes,
   so the order is by start: A -> 0, B -> 64 (on A), C overlaps only B and
   takes A's slot at 0. Two slots.
   By conflicts B (2 conflicts) goes first -> 0, then A and C (1 each, by
   index) both sit on B at 64: the mirror image, also two slots. */
static void test_ping_pong(void) {
    PlanBuf bufs[] = {{64, 0, 1}, {64, 1, 2}, {64, 2, 3}};
    int64_t want[] = {0, 64, 0};
    int64_t mirror[] = {64, 0, 64};
    expect_plan(bufs, 3, 16, PLAN_GREEDY_BY_SIZE, want, 128);
    expect_plan(bufs, 3, 16, PLAN_GREEDY_BY_CONFLICTS, mirror, 128);
    CHECK(plan_pressure(bufs, 3, 16) == 128);
}

/* Naive ignores lifetimes: sizes 10, 20, 30 at align 8 take 16, 24, 32,
   placed one after another in index order. */
static void test_naive_sum(void) {
    PlanBuf bufs[] = {{10, 0, 0}, {20, 5, 6}, {30, 1, 9}};
    int64_t want[] = {0, 16, 40};
    expect_plan(bufs, 3, 8, PLAN_NAIVE, want, 72);
}

/* A case where by-conflicts beats by-size.
     0: 30 bytes, steps 2-4   (overlaps 1, 2, 3: 3 conflicts)
     1: 20 bytes, steps 3-4   (overlaps 0, 2:    2 conflicts)
     2: 20 bytes, step  3     (overlaps 0, 1:    2 conflicts)
     3: 30 bytes, steps 0-2   (overlaps 0:       1 conflict)
   By size: 3 (30, starts first), 0, 1, 2.
     3 -> 0. 0 overlaps 3 -> 30. 1 overlaps only 0 [30,60): hole [0,30) ->
     0. 2 overlaps 0 and 1: hole [20,30) too small -> 60. Arena 80.
   By conflicts: 0, 1, 2 (tie on conflicts and size: index), 3.
     0 -> 0, 1 -> 30, 2 -> 50, 3 overlaps only 0 [0,30) -> 30. Arena 70. */
static void test_conflicts_wins(void) {
    PlanBuf bufs[] = {{30, 2, 4}, {20, 3, 4}, {20, 3, 3}, {30, 0, 2}};
    int64_t by_size[] = {30, 0, 60, 0};
    int64_t by_conflicts[] = {0, 30, 50, 30};
    expect_plan(bufs, 4, 1, PLAN_GREEDY_BY_SIZE, by_size, 80);
    expect_plan(bufs, 4, 1, PLAN_GREEDY_BY_CONFLICTS, by_conflicts, 70);

    int64_t off[4];
    PlanAlgo used = PLAN_NAIVE;
    CHECK(plan_arena_best(bufs, 4, 1, off, &used) == 70);
    CHECK(used == PLAN_GREEDY_BY_CONFLICTS);
    CHECK(memcmp(off, by_conflicts, sizeof(off)) == 0);
}

/* Equal totals: the tie goes to by-size. */
static void test_best_tie(void) {
    PlanBuf bufs[] = {{64, 0, 1}, {64, 1, 2}, {64, 2, 3}};
    int64_t off[3];
    PlanAlgo used = PLAN_NAIVE;
    CHECK(plan_arena_best(bufs, 3, 16, off, &used) == 128);
    CHECK(used == PLAN_GREEDY_BY_SIZE);
    CHECK(plan_arena_best(bufs, 3, 16, off, NULL) == 128);
}

static void test_pressure(void) {
    /* Touching at step 1: both live there. */
    PlanBuf touch[] = {{10, 0, 1}, {20, 1, 2}};
    CHECK(plan_pressure(touch, 2, 1) == 30);
    /* Back to back: never together. */
    PlanBuf apart[] = {{10, 0, 0}, {20, 1, 1}};
    CHECK(plan_pressure(apart, 2, 1) == 20);
    /* Negative and extreme steps are just numbers. */
    PlanBuf wide[] = {{5, -3, -1}, {7, -1, 2147483647}, {9, 2147483647, 2147483647}};
    CHECK(plan_pressure(wide, 3, 1) == 16);
    int64_t off[3];
    int64_t total = plan_arena(wide, 3, 1, PLAN_GREEDY_BY_CONFLICTS, off);
    CHECK(total == 16);
    CHECK(plan_verify(wide, 3, 1, off, total, NULL, NULL) == 0);
}

static void test_invalid_input(void) {
    int64_t off[2];
    PlanBuf ok[] = {{8, 0, 1}, {8, 1, 2}};
    PlanBuf zero[] = {{8, 0, 1}, {0, 1, 2}};
    PlanBuf backwards[] = {{8, 0, 1}, {8, 2, 1}};
    PlanBuf huge[] = {{INT64_MAX / 2 + 1, 0, 0}, {INT64_MAX / 2 + 1, 1, 1}};
    PlanBuf unroundable[] = {{INT64_MAX - 2, 0, 0}};

    for (int k = 0; k < N(all_algos); k++) {
        PlanAlgo algo = all_algos[k];
        CHECK(plan_arena(zero, 2, 1, algo, off) == -1);
        CHECK(plan_arena(backwards, 2, 1, algo, off) == -1);
        CHECK(plan_arena(huge, 2, 1, algo, off) == -1); /* the sum would overflow */
        CHECK(plan_arena(unroundable, 1, 8, algo, off) == -1);
        CHECK(plan_arena(ok, 2, 3, algo, off) == -1); /* align not a power of two */
        CHECK(plan_arena(ok, 2, 0, algo, off) == -1);
        CHECK(plan_arena(ok, -1, 1, algo, off) == -1);
        CHECK(plan_arena(ok, 2, 1, algo, NULL) == -1);
        CHECK(plan_arena(NULL, 2, 1, algo, off) == -1);
    }
    CHECK(plan_arena(ok, 2, 1, (PlanAlgo)42, off) == -1);
    CHECK(plan_arena_search(ok, 2, 1, PLAN_GREEDY_BY_SIZE, (PlanSearch)42, off) == -1);
    CHECK(plan_arena_search(ok, 2, 1, PLAN_GREEDY_BY_SIZE, PLAN_SEARCH_SCAN, off) == 16);
    CHECK(plan_arena_best(zero, 2, 1, off, NULL) == -1);
    CHECK(plan_pressure(zero, 2, 1) == -1);
    CHECK(plan_pressure(ok, 2, 6) == -1);
    CHECK(plan_pressure(huge, 2, 1) == -1);
}

static void test_verify_rejects(void) {
    int a, b;
    PlanBuf three[] = {{10, 0, 0}, {10, 0, 0}, {10, 0, 0}};

    /* 2 at 5 hits both 0 [0,10) and 1 [10,20); 0 and 1 only touch. The
       pair reported is the smallest b (2), then the smallest a (0). */
    int64_t clash[] = {0, 10, 5};
    CHECK(plan_verify(three, 3, 1, clash, 30, &a, &b) == -1);
    CHECK(a == 0 && b == 2);

    /* Same bytes at different times is fine. */
    PlanBuf apart[] = {{10, 0, 0}, {10, 1, 1}};
    int64_t shared[] = {0, 0};
    CHECK(plan_verify(apart, 2, 1, shared, 10, &a, &b) == 0);
    CHECK(a == -1 && b == -1);

    /* Same bytes while both live at step 1 only. */
    PlanBuf touch[] = {{10, 0, 1}, {10, 1, 2}};
    CHECK(plan_verify(touch, 2, 1, shared, 10, &a, &b) == -1);
    CHECK(a == 0 && b == 1);

    /* Misaligned: 12 is not a multiple of 8. */
    PlanBuf two[] = {{4, 0, 0}, {4, 0, 0}};
    int64_t misaligned[] = {0, 12};
    CHECK(plan_verify(two, 2, 8, misaligned, 16, &a, &b) == -1);
    CHECK(a == 1 && b == -1);
    CHECK(plan_verify(two, 2, 4, misaligned, 16, &a, &b) == 0);

    /* Out of range: 2 ends at 31 > 30; a negative offset. */
    int64_t past_end[] = {0, 10, 21};
    CHECK(plan_verify(three, 3, 1, past_end, 30, &a, &b) == -1);
    CHECK(a == 2 && b == -1);
    int64_t negative[] = {0, -10, 10};
    CHECK(plan_verify(three, 3, 1, negative, 30, &a, &b) == -1);
    CHECK(a == 1 && b == -1);
    int64_t fits[] = {0, 10, 20};
    CHECK(plan_verify(three, 3, 1, fits, 30, &a, &b) == 0);
    CHECK(plan_verify(three, 3, 1, fits, 29, &a, &b) == -1);
    CHECK(a == 2 && b == -1);

    /* A single-buffer fault is reported before a pair fault. */
    int64_t both[] = {0, 0, 25};
    CHECK(plan_verify(three, 3, 1, both, 30, &a, &b) == -1);
    CHECK(a == 2 && b == -1);

    /* Padding may be shared: the verifier compares real sizes. */
    PlanBuf small[] = {{5, 0, 0}, {5, 0, 0}};
    int64_t packed[] = {0, 8};
    CHECK(plan_verify(small, 2, 8, packed, 13, &a, &b) == 0);

    /* Bad arguments. */
    CHECK(plan_verify(three, 3, 3, fits, 30, &a, &b) == -1);
    CHECK(a == -1 && b == -1);
    CHECK(plan_verify(three, 3, 1, NULL, 30, NULL, NULL) == -1);
    PlanBuf backwards[] = {{10, 0, 0}, {10, 2, 1}};
    CHECK(plan_verify(backwards, 2, 1, shared, 10, &a, &b) == -1);
    CHECK(a == 1 && b == -1);
}

static void test_names(void) {
    for (int k = 0; k < N(all_algos); k++) {
        PlanAlgo got = (PlanAlgo)-1;
        CHECK(plan_algo_parse(plan_algo_name(all_algos[k]), &got) == 0);
        CHECK(got == all_algos[k]);
    }
    CHECK(strcmp(plan_algo_name(PLAN_GREEDY_BY_SIZE), "greedy-size") == 0);
    CHECK(strcmp(plan_algo_name(PLAN_GREEDY_BY_CONFLICTS), "greedy-conflicts") == 0);
    CHECK(strcmp(plan_algo_name(PLAN_NAIVE), "naive") == 0);
    CHECK(strcmp(plan_algo_name((PlanAlgo)42), "unknown") == 0);
    PlanAlgo out = PLAN_NAIVE;
    CHECK(plan_algo_parse("greedy", &out) == -1);
    CHECK(plan_algo_parse("", &out) == -1);
    CHECK(plan_algo_parse(NULL, &out) == -1);
    CHECK(out == PLAN_NAIVE);
}

/* ---------------------------------------------------------------- random instances */

/* Own LCG (Knuth's MMIX constants) so every libc gives the same instances. */
typedef struct Rng {
    uint64_t s;
} Rng;

static uint32_t rng_next(Rng *r) {
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(r->s >> 32);
}

/* Uniform enough in [0, m) for test purposes. */
static int64_t rng_below(Rng *r, int64_t m) {
    return (int64_t)(rng_next(r) % (uint64_t)m);
}

/* Mixes short-lived and long-lived buffers and small and large sizes, like
   a model's activations plus a few skip connections. */
static int64_t random_instance(Rng *r, PlanBuf *bufs, int maxn, int *n) {
    static const int64_t aligns[] = {1, 2, 8, 16, 64};
    int64_t align = aligns[rng_below(r, N(aligns))];
    /* Few steps: most pairs overlap (planner and verifier scan); many
       steps: few do (they use the interval index). */
    int steps = 1 + (int)rng_below(r, rng_below(r, 2) ? 40 : 2000);
    *n = (int)rng_below(r, maxn + 1);
    for (int i = 0; i < *n; i++) {
        int first = (int)rng_below(r, steps);
        int len = rng_below(r, 4) == 0 ? (int)rng_below(r, steps) : (int)rng_below(r, 3);
        int64_t size = rng_below(r, 8) == 0 ? 1 + rng_below(r, 1 << 20) : 1 + rng_below(r, 200);
        bufs[i] = (PlanBuf){size, first, first + len};
    }
    return align;
}

static int64_t round_up(int64_t x, int64_t align) {
    return (x + align - 1) / align * align;
}

/* The reference rule of plan_verify, spelled out the slow way. */
static int ref_verify(const PlanBuf *bufs, int n, int64_t align, const int64_t *off, int64_t total,
                      int *a, int *b) {
    *a = *b = -1;
    for (int i = 0; i < n; i++) {
        if (off[i] < 0 || off[i] + bufs[i].size > total || off[i] % align != 0) {
            *a = i;
            return -1;
        }
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < j; i++) {
            int live = bufs[i].first <= bufs[j].last && bufs[j].first <= bufs[i].last;
            int mem = off[i] < off[j] + bufs[j].size && off[j] < off[i] + bufs[i].size;
            if (live && mem) {
                *a = i;
                *b = j;
                return -1;
            }
        }
    return 0;
}

#define MAXN 64

/* For 2000 instances and every algorithm: the plan verifies, is at least
   the pressure, the greedy ones are at most naive, naive is the sum, and
   best is the smaller greedy one. */
static void test_random_properties(void) {
    Rng r = {12345};
    PlanBuf bufs[MAXN];
    int64_t off[MAXN], off2[MAXN];
    int bad = 0;
    for (int it = 0; it < 2000 && !bad; it++) {
        int n, a, b;
        int64_t align = random_instance(&r, bufs, MAXN, &n);
        int64_t pressure = plan_pressure(bufs, n, align);
        int64_t totals[N(all_algos)];
        for (int k = 0; k < N(all_algos); k++) {
            int64_t t = plan_arena(bufs, n, align, all_algos[k], off);
            totals[k] = t;
            int64_t top = 0;
            for (int i = 0; i < n; i++)
                if (off[i] + bufs[i].size > top) top = off[i] + bufs[i].size;
            bad |= !CHECK(t == round_up(top, align));
            bad |= !CHECK(plan_verify(bufs, n, align, off, t, &a, &b) == 0);
            bad |= !CHECK(t >= pressure);
            /* identical input, identical output */
            bad |= !CHECK(plan_arena(bufs, n, align, all_algos[k], off2) == t);
            bad |= !CHECK(n == 0 || memcmp(off, off2, (size_t)n * sizeof(off[0])) == 0);
        }
        /* Both searches see the same spans, so they must agree exactly. */
        for (int k = 0; k < 2; k++) {
            int64_t ti = plan_arena_search(bufs, n, align, all_algos[k], PLAN_SEARCH_INDEX, off);
            int64_t ts = plan_arena_search(bufs, n, align, all_algos[k], PLAN_SEARCH_SCAN, off2);
            bad |= !CHECK(ti == totals[k] && ts == totals[k]);
            bad |= !CHECK(n == 0 || memcmp(off, off2, (size_t)n * sizeof(off[0])) == 0);
        }
        int64_t sum = 0;
        for (int i = 0; i < n; i++)
            sum += round_up(bufs[i].size, align);
        bad |= !CHECK(totals[2] == sum);
        bad |= !CHECK(totals[0] <= totals[2] && totals[1] <= totals[2]);

        PlanAlgo used;
        int64_t best = plan_arena_best(bufs, n, align, off, &used);
        int64_t want = totals[1] < totals[0] ? totals[1] : totals[0];
        bad |= !CHECK(best == want);
        bad |= !CHECK(used ==
                      (totals[1] < totals[0] ? PLAN_GREEDY_BY_CONFLICTS : PLAN_GREEDY_BY_SIZE));
        bad |= !CHECK(plan_verify(bufs, n, align, off, best, &a, &b) == 0);
        if (bad) fprintf(stderr, "  instance %d (n=%d, align=%lld)\n", it, n, (long long)align);
    }
}

/* Corrupts valid plans and checks that plan_verify reports exactly what the
   slow reference reports. */
static void test_random_verify(void) {
    Rng r = {987654321};
    PlanBuf bufs[MAXN];
    int64_t off[MAXN];
    int rejected = 0;
    for (int it = 0; it < 2000; it++) {
        int n, a, b, ra, rb;
        int64_t align = random_instance(&r, bufs, MAXN, &n);
        if (n == 0) continue;
        int64_t total = plan_arena(bufs, n, align, (PlanAlgo)rng_below(&r, 3), off);
        int moves = 1 + (int)rng_below(&r, 3);
        for (int m = 0; m < moves; m++) {
            int i = (int)rng_below(&r, n);
            switch (rng_below(&r, 4)) {
            case 0:
                off[i] = off[rng_below(&r, n)];
                break; /* a likely clash */
            case 1:
                off[i] = rng_below(&r, total + 1) / align * align;
                break;
            case 2:
                off[i] += 1;
                break; /* misaligned unless align == 1 */
            default:
                break; /* leave it */
            }
        }
        int got = plan_verify(bufs, n, align, off, total, &a, &b);
        int want = ref_verify(bufs, n, align, off, total, &ra, &rb);
        if (!CHECK(got == want && a == ra && b == rb)) {
            fprintf(stderr, "  instance %d: got %d (%d, %d), want %d (%d, %d)\n", it, got, a, b,
                    want, ra, rb);
            return;
        }
        rejected += got != 0;
    }
    CHECK(rejected > 500); /* the corruptions did exercise the rejecting paths */
}

/* Plans n generated buffers with every algorithm, checks the plans and
   prints the time taken. */
static void plan_big(const char *shape, int n, void (*gen)(Rng *, PlanBuf *, int)) {
    PlanBuf *bufs = malloc((size_t)n * sizeof(PlanBuf));
    int64_t *off = malloc((size_t)n * sizeof(int64_t));
    if (CHECK(bufs && off)) {
        Rng r = {42};
        gen(&r, bufs, n);
        int64_t pressure = plan_pressure(bufs, n, 64);
        for (int k = 0; k < N(all_algos); k++) {
            clock_t t0 = clock();
            int64_t total = plan_arena(bufs, n, 64, all_algos[k], off);
            double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC;
            CHECK(total >= pressure);
            CHECK(plan_verify(bufs, n, 64, off, total, NULL, NULL) == 0);
            printf("     %-6s n=%-6d %-16s arena %10lld (pressure %lld) in %.0f ms\n", shape, n,
                   plan_algo_name(all_algos[k]), (long long)total, (long long)pressure, ms);
        }
    }
    free(bufs);
    free(off);
}

/* A deep network: a chain of short-lived activations with some longer
   skip connections. */
static void gen_chain(Rng *r, PlanBuf *bufs, int n) {
    for (int i = 0; i < n; i++) {
        int len = rng_below(r, 50) == 0 ? 2 + (int)rng_below(r, 200) : 1;
        bufs[i] = (PlanBuf){1 + rng_below(r, 1 << 16), i, i + len};
    }
}

/* Long lifetimes over few steps: most pairs of buffers are live together. */
static void gen_dense(Rng *r, PlanBuf *bufs, int n) {
    for (int i = 0; i < n; i++) {
        int first = (int)rng_below(r, 20);
        bufs[i] = (PlanBuf){1 + rng_below(r, 1 << 12), first, first + 10 + (int)rng_below(r, 20)};
    }
}

/* 100k chain buffers must plan quickly, i.e. the planner must not ask
   every placed buffer about every new one; the dense worst case must stay
   a plain O(n^2). */
static void test_large(void) {
    plan_big("chain", 100000, gen_chain);
    plan_big("dense", 3000, gen_dense);
}

int main(void) {
    run("empty", test_empty);
    run("single", test_single);
    run("disjoint_share", test_disjoint_share);
    run("overlap_stack", test_overlap_stack);
    run("gap_fill", test_gap_fill);
    run("best_fit", test_best_fit);
    run("alignment", test_alignment);
    run("ping_pong", test_ping_pong);
    run("naive_sum", test_naive_sum);
    run("conflicts_wins", test_conflicts_wins);
    run("best_tie", test_best_tie);
    run("pressure", test_pressure);
    run("invalid_input", test_invalid_input);
    run("verify_rejects", test_verify_rejects);
    run("names", test_names);
    run("random_properties", test_random_properties);
    run("random_verify", test_random_verify);
    run("large", test_large);
    printf("%d passed, %d failed\n", npassed, nfailed);
    return nfailed != 0;
}
