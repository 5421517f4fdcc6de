/*
 * plan.h - static-arena memory planning: pure algorithms, no IR.
 *
 * Every intermediate tensor of a compiled model lives in one arena at an
 * offset chosen here. The caller (schedule.c) turns its graph into an array
 * of PlanBuf, one per buffer, with the schedule steps at which the buffer is
 * live, and gets back one offset per buffer.
 *
 * Errors: functions that can fail return -1 on invalid input (n < 0, a size
 * <= 0, first > last, align not a positive power of two, sizes whose sum
 * overflows int64_t, a NULL array with n > 0) and when malloc fails. Nothing
 * here prints, exits or keeps global state.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stdint.h>

typedef struct PlanBuf {
    int64_t size; /* bytes, > 0 */
    int first;    /* first step (node index in schedule) at which the buffer is live */
    int last;     /* last step at which it is live, inclusive; first <= last */
} PlanBuf;

typedef enum { PLAN_GREEDY_BY_SIZE, PLAN_GREEDY_BY_CONFLICTS, PLAN_NAIVE } PlanAlgo;

/* Assign offsets (multiples of align, align a power of two) so that no two buffers whose
   [first,last] intervals intersect overlap in memory. Writes off[i]; returns the arena size
   (max over i of off[i] + size[i] rounded up to align; 0 if n == 0). Deterministic:
   identical input gives identical output. PLAN_NAIVE gives every buffer its own space
   (no reuse) in index order — used by the -O0 ablation.

   Every buffer occupies its size rounded up to align. The greedy variants place buffers one
   at a time, in an order given by the algorithm, into the smallest gap (best fit; ties: the
   lowest offset) left between already placed buffers whose lifetimes intersect its own, or
   on top of them if no gap is big enough.

   Returns -1 on invalid input or malloc failure (off is then unspecified).
   Cost: O(n log n + K log n) where K is the number of pairs of buffers live at a common
   step; when K is a sizeable fraction of n^2 it switches to an O(n^2) scan (see PlanSearch). */
int64_t plan_arena(const PlanBuf *bufs, int n, int64_t align, PlanAlgo algo, int64_t *off);

/* How the greedy planners find the placed buffers a new one must avoid. Only the speed
   differs: every choice gives the same offsets. plan_arena uses PLAN_SEARCH_AUTO; the
   others are for tests and benchmarks. */
typedef enum {
    PLAN_SEARCH_AUTO,  /* INDEX, or SCAN when at least 1/32 of all pairs are live together */
    PLAN_SEARCH_INDEX, /* interval index over lifetimes: O(n log n + K log n) */
    PLAN_SEARCH_SCAN,  /* filter all placed buffers, kept sorted by offset: O(n^2) */
} PlanSearch;

/* plan_arena with an explicit search; -1 also for a search out of range. */
int64_t plan_arena_search(const PlanBuf *bufs, int n, int64_t align, PlanAlgo algo,
                          PlanSearch search, int64_t *off);

/* Runs PLAN_GREEDY_BY_SIZE and PLAN_GREEDY_BY_CONFLICTS and keeps the smaller arena (ties
   go to by-size). Writes off[] and, if algo_used is not NULL, the algorithm whose offsets
   were kept. Returns the arena size, or -1 as plan_arena does. */
int64_t plan_arena_best(const PlanBuf *bufs, int n, int64_t align, int64_t *off,
                        PlanAlgo *algo_used);

/* Lower bound: the largest sum of (aligned) sizes of buffers live at one step.
   0 if n == 0; -1 on invalid input or malloc failure. */
int64_t plan_pressure(const PlanBuf *bufs, int n, int64_t align);

/* Verify a plan: returns 0 if every buffer lies inside [0,total), is aligned, and no two
   buffers live at the same step overlap; otherwise returns -1 and sets *a,*b to the
   indices of an offending pair (b = -1 for a single-buffer fault). O(n log n + k) or O(n^2) is
   fine.

   Which fault is reported, so callers and tests can rely on it:
   - single-buffer faults are checked first, in index order: a malformed PlanBuf (size <= 0
     or first > last), a negative offset, off[i] + size > total, or an offset that is not a
     multiple of align. *a = i, *b = -1.
   - then pairs: buffers overlap when their byte ranges [off, off + size) intersect (the
     unaligned size: padding may be shared) and their lifetimes intersect. The pair reported
     is a < b with the smallest such b, and for that b the smallest a.
   - an invalid align or n (or a NULL array with n > 0) reports *a = *b = -1.
   a and b may be NULL. Never fails for lack of memory: it falls back to an O(n^2) scan,
   which it also uses when many pairs are live together (as PLAN_SEARCH_AUTO does). */
int plan_verify(const PlanBuf *bufs, int n, int64_t align, const int64_t *off, int64_t total,
                int *a, int *b);

/* "greedy-size", "greedy-conflicts", "naive"; "unknown" for a value out of range. */
const char *plan_algo_name(PlanAlgo);
int plan_algo_parse(
    const char *name,
    PlanAlgo *out); /* "greedy-size", "greedy-conflicts", "naive"; 0 ok, -1 unknown */

#endif
