/*
 * plan.c - static-arena memory planner (see plan.h).
 *
 * The greedy planners follow the idea of TensorFlow Lite Micro's greedy
 * memory planner: take the buffers in a fixed order and put each one into
 * the lowest-cost hole left by the buffers already placed that are live at
 * the same time. Buffers that are never live together may share bytes.
 *
 * The expensive question in that scheme is "which placed buffers are live
 * at an overlapping time?". Asking every placed buffer makes planning
 * quadratic even for a long chain of short-lived tensors, the common case
 * in a model. TimeIndex answers it in time proportional to the answer.
 * When most buffers are live together anyway, the answer is nearly
 * everything and a plain scan in offset order is cheaper (place_scan);
 * choose_search decides from the number of overlapping pairs, which
 * count_conflicts gets in O(n log n). Both give the same offsets.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- input */

static int is_pow2(int64_t x) {
    return x > 0 && (x & (x - 1)) == 0;
}

/* size rounded up to align; callers have checked that it cannot overflow. */
static int64_t align_up(int64_t size, int64_t align) {
    return (size + align - 1) & ~(align - 1);
}

/* Validates the input and returns the sum of the aligned sizes (the naive
   arena, an upper bound for every offset any planner here produces), or -1.
   Checking the sum once up front means no later addition can overflow. */
static int64_t check_input(const PlanBuf *bufs, int n, int64_t align) {
    if (n < 0 || !is_pow2(align)) return -1;
    if (n > 0 && !bufs) return -1;
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
        const PlanBuf *p = &bufs[i];
        if (p->size <= 0 || p->first > p->last) return -1;
        if (p->size > INT64_MAX - (align - 1)) return -1;
        int64_t s = align_up(p->size, align);
        if (sum > INT64_MAX - s) return -1;
        sum += s;
    }
    return sum;
}

static int lives_overlap(const PlanBuf *x, const PlanBuf *y) {
    return x->first <= y->last && y->first <= x->last;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* ---------------------------------------------------------------- time index */

/* Finds the inserted buffers whose lifetimes intersect a query interval.

   Buffers are ranked by `first`. A buffer overlaps [f, l] iff first <= l and
   last >= f: the first condition selects a prefix of the ranking (binary
   search), the second is answered by a max-tree over `last` on that prefix.
   Buffers not yet inserted hold NONE, which no query accepts. Reporting k
   buffers costs O((k + 1) log n). */
typedef struct TimeIndex {
    const PlanBuf *bufs;
    int n;
    int leaves;        /* power of two >= n */
    int *by_rank;      /* rank -> buffer index */
    int *first;        /* rank -> its buffer's first step: a compact copy for binary search */
    int *rank;         /* buffer index -> rank */
    int64_t *max_last; /* heap-ordered tree, 2 * leaves entries, root at 1 */
} TimeIndex;

#define NONE INT64_MIN

static void ti_free(TimeIndex *t) {
    free(t->by_rank);
    free(t->first);
    free(t->rank);
    free(t->max_last);
}

/* Sort key for ranking buffers by first step, ties by index, without qsort
   needing to see the PlanBuf array. */
typedef struct FirstKey {
    int first, idx;
} FirstKey;

static int cmp_first_key(const void *a, const void *b) {
    const FirstKey *x = a, *y = b;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Fails when out of memory, and for n > 2^30 where the tree's node numbers
   would overflow int (the callers then fail or fall back). */
static int ti_init(TimeIndex *t, const PlanBuf *bufs, int n) {
    memset(t, 0, sizeof(*t));
    if (n > (1 << 30)) return -1;
    t->bufs = bufs;
    t->n = n;
    t->leaves = 1;
    while (t->leaves < n)
        t->leaves *= 2;

    size_t nn = n > 0 ? (size_t)n : 1;
    t->by_rank = malloc(nn * sizeof(int));
    t->first = malloc(nn * sizeof(int));
    t->rank = malloc(nn * sizeof(int));
    t->max_last = malloc(2 * (size_t)t->leaves * sizeof(int64_t));
    FirstKey *keys = malloc(nn * sizeof(FirstKey));
    if (!t->by_rank || !t->first || !t->rank || !t->max_last || !keys) {
        free(keys);
        ti_free(t);
        return -1;
    }

    for (int i = 0; i < n; i++)
        keys[i] = (FirstKey){bufs[i].first, i};
    qsort(keys, nn, sizeof(FirstKey), cmp_first_key);
    for (int r = 0; r < n; r++) {
        t->by_rank[r] = keys[r].idx;
        t->first[r] = keys[r].first;
        t->rank[keys[r].idx] = r;
    }
    free(keys);

    for (int i = 0; i < 2 * t->leaves; i++)
        t->max_last[i] = NONE;
    return 0;
}

static void ti_insert(TimeIndex *t, int i) {
    int node = t->leaves + t->rank[i];
    t->max_last[node] = t->bufs[i].last;
    for (node /= 2; node >= 1; node /= 2) {
        int64_t l = t->max_last[2 * node], r = t->max_last[2 * node + 1];
        t->max_last[node] = l > r ? l : r;
    }
}

/* Number of ranks whose buffer starts at or before step l. */
static int ti_prefix(const TimeIndex *t, int l) {
    int lo = 0, hi = t->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (t->first[mid] <= l)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Appends to out every inserted buffer with rank < prefix and last >= f in
   the subtree `node` covering ranks [lo, hi). Depth is log2(leaves). */
static void ti_collect(const TimeIndex *t, int node, int lo, int hi, int prefix, int f, int *out,
                       int *count) {
    if (lo >= prefix || t->max_last[node] < f) return;
    if (hi - lo == 1) {
        out[(*count)++] = t->by_rank[lo];
        return;
    }
    int mid = lo + (hi - lo) / 2;
    ti_collect(t, 2 * node, lo, mid, prefix, f, out, count);
    ti_collect(t, 2 * node + 1, mid, hi, prefix, f, out, count);
}

/* Writes the inserted buffers live at some step of [f, l] to out (in rank
   order) and returns how many there are. */
static int ti_query(const TimeIndex *t, int f, int l, int *out) {
    int count = 0;
    ti_collect(t, 1, 0, t->leaves, ti_prefix(t, l), f, out, &count);
    return count;
}

/* ---------------------------------------------------------------- greedy */

/* Number of entries of the sorted array v[0..n) that are < x (or <= x). */
static int count_below(const int *v, int n, int x, int inclusive) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < x || (inclusive && v[mid] == x))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* For each buffer, the number of other buffers live at a common step.
   Buffer j misses buffer i exactly when j ends before i starts or starts
   after i ends (never both), so count those two by binary search and take
   the rest. Returns the number of overlapping pairs, or -1. */
static int64_t count_conflicts(const PlanBuf *bufs, int n, int *conflicts) {
    int *firsts = malloc((size_t)n * sizeof(int));
    int *lasts = malloc((size_t)n * sizeof(int));
    if (!firsts || !lasts) {
        free(firsts);
        free(lasts);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        firsts[i] = bufs[i].first;
        lasts[i] = bufs[i].last;
    }
    qsort(firsts, (size_t)n, sizeof(int), cmp_int);
    qsort(lasts, (size_t)n, sizeof(int), cmp_int);

    int64_t twice_pairs = 0;
    for (int i = 0; i < n; i++) {
        int ended_before = count_below(lasts, n, bufs[i].first, 0);
        int started_after = n - count_below(firsts, n, bufs[i].last, 1);
        conflicts[i] = n - 1 - ended_before - started_after; /* -1: i itself */
        twice_pairs += conflicts[i];
    }
    free(firsts);
    free(lasts);
    return twice_pairs / 2;
}

/* Placement order key: ascending (k1, k2, idx). Descending criteria are
   stored negated. */
typedef struct OrderKey {
    int64_t k1, k2;
    int idx;
} OrderKey;

static int cmp_order_key(const void *a, const void *b) {
    const OrderKey *x = a, *y = b;
    if (x->k1 != y->k1) return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2) return x->k2 < y->k2 ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Fills order[] with the buffer indices in placement order. */
static int greedy_order(const PlanBuf *bufs, int n, PlanAlgo algo, const int *conflicts,
                        int *order) {
    OrderKey *keys = malloc((size_t)n * sizeof(OrderKey));
    if (!keys) return -1;
    for (int i = 0; i < n; i++) {
        if (algo == PLAN_GREEDY_BY_CONFLICTS)
            /* most conflicts first, then biggest, then lowest index */
            keys[i] = (OrderKey){-(int64_t)conflicts[i], -bufs[i].size, i};
        else
            /* biggest first, then earliest start, then lowest index */
            keys[i] = (OrderKey){-bufs[i].size, bufs[i].first, i};
    }
    qsort(keys, (size_t)n, sizeof(OrderKey), cmp_order_key);
    for (int i = 0; i < n; i++)
        order[i] = keys[i].idx;
    free(keys);
    return 0;
}

/* The bytes [lo, hi) taken by a placed buffer, and its lifetime. */
typedef struct Span {
    int64_t lo, hi;
    int first, last;
} Span;

static int cmp_span(const void *a, const void *b) {
    const Span *x = a, *y = b;
    if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
    return (x->hi > y->hi) - (x->hi < y->hi);
}

/* Chooses the offset for `size` bytes given the spans (sorted by lo) that
   it must not touch.

   Best fit: the smallest gap between spans that holds `size`, ties going to
   the lowest offset; if no gap holds it, the top of the highest span. We
   prefer best fit over first fit because it keeps large holes intact for
   the large buffers placed after; by-size order makes later buffers
   smaller, so large holes would otherwise get nibbled by small ones. All
   spans start and end on align boundaries, so every gap start is aligned.
   The order of spans with equal lo does not change the result. */
static int64_t best_gap(const Span *spans, int k, int64_t size) {
    int64_t cursor = 0, best = -1, best_len = 0;
    for (int i = 0; i < k; i++) {
        if (spans[i].lo > cursor) {
            int64_t len = spans[i].lo - cursor;
            if (len >= size && (best < 0 || len < best_len)) {
                best = cursor;
                best_len = len;
            }
        }
        if (spans[i].hi > cursor) cursor = spans[i].hi;
    }
    return best >= 0 ? best : cursor;
}

static Span span_of(const PlanBuf *bufs, int64_t align, const int64_t *off, int i) {
    return (Span){off[i], off[i] + align_up(bufs[i].size, align), bufs[i].first, bufs[i].last};
}

/* Places the buffers in the given order, finding the placed buffers that
   overlap in time with the TimeIndex and sorting them by offset.
   Returns the arena size or -1. */
static int64_t place_indexed(const PlanBuf *bufs, int n, int64_t align, const int *order,
                             int64_t *off) {
    TimeIndex t;
    if (ti_init(&t, bufs, n) < 0) return -1;
    int *hits = malloc((size_t)n * sizeof(int));
    Span *spans = malloc((size_t)n * sizeof(Span));
    if (!hits || !spans) {
        free(hits);
        free(spans);
        ti_free(&t);
        return -1;
    }

    int64_t total = 0;
    for (int o = 0; o < n; o++) {
        int i = order[o];
        int k = ti_query(&t, bufs[i].first, bufs[i].last, hits);
        for (int h = 0; h < k; h++)
            spans[h] = span_of(bufs, align, off, hits[h]);
        qsort(spans, (size_t)k, sizeof(Span), cmp_span);

        int64_t size = align_up(bufs[i].size, align);
        off[i] = best_gap(spans, k, size);
        if (off[i] + size > total) total = off[i] + size;
        ti_insert(&t, i);
    }

    free(hits);
    free(spans);
    ti_free(&t);
    return total;
}

/* Places the buffers in the given order like place_indexed, but keeps all
   placed buffers in one array sorted by offset and filters it by lifetime
   for each new buffer. That is O(n^2) in all cases, but it reads memory in
   order and never sorts, so it wins when most pairs of buffers are live
   together anyway. Same offsets as place_indexed. */
static int64_t place_scan(const PlanBuf *bufs, int n, int64_t align, const int *order,
                          int64_t *off) {
    Span *placed = malloc((size_t)n * sizeof(Span)); /* sorted by lo */
    Span *spans = malloc((size_t)n * sizeof(Span));
    if (!placed || !spans) {
        free(placed);
        free(spans);
        return -1;
    }

    int64_t total = 0;
    for (int o = 0; o < n; o++) {
        int i = order[o], k = 0;
        for (int p = 0; p < o; p++)
            if (placed[p].first <= bufs[i].last && bufs[i].first <= placed[p].last)
                spans[k++] = placed[p];

        int64_t size = align_up(bufs[i].size, align);
        off[i] = best_gap(spans, k, size);
        if (off[i] + size > total) total = off[i] + size;

        int at = o; /* insert after every span with lo <= off[i] */
        while (at > 0 && placed[at - 1].lo > off[i])
            at--;
        memmove(&placed[at + 1], &placed[at], (size_t)(o - at) * sizeof(Span));
        placed[at] = span_of(bufs, align, off, i);
    }

    free(placed);
    free(spans);
    return total;
}

/* AUTO picks SCAN when at least 1/32 of all pairs of buffers are live
   together: the index costs some tens of nanoseconds per overlapping pair
   (tree walk and sort), the scan about one per pair of buffers. */
static PlanSearch choose_search(int n, int64_t pairs) {
    return pairs * 32 >= (int64_t)n * n ? PLAN_SEARCH_SCAN : PLAN_SEARCH_INDEX;
}

static int64_t plan_greedy(const PlanBuf *bufs, int n, int64_t align, PlanAlgo algo,
                           PlanSearch search, int64_t *off) {
    int *conflicts = malloc((size_t)n * sizeof(int));
    int *order = malloc((size_t)n * sizeof(int));
    int64_t pairs = -1, total = -1;
    if (conflicts && order) pairs = count_conflicts(bufs, n, conflicts);
    if (pairs >= 0 && greedy_order(bufs, n, algo, conflicts, order) == 0) {
        if (search == PLAN_SEARCH_AUTO) search = choose_search(n, pairs);
        if (search == PLAN_SEARCH_SCAN)
            total = place_scan(bufs, n, align, order, off);
        else
            total = place_indexed(bufs, n, align, order, off);
    }
    free(conflicts);
    free(order);
    return total;
}

static int64_t plan_naive(const PlanBuf *bufs, int n, int64_t align, int64_t *off) {
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        off[i] = total;
        total += align_up(bufs[i].size, align);
    }
    return total;
}

/* ---------------------------------------------------------------- API */

int64_t plan_arena_search(const PlanBuf *bufs, int n, int64_t align, PlanAlgo algo,
                          PlanSearch search, int64_t *off) {
    if (check_input(bufs, n, align) < 0) return -1;
    if (search != PLAN_SEARCH_AUTO && search != PLAN_SEARCH_INDEX && search != PLAN_SEARCH_SCAN)
        return -1;
    if (algo != PLAN_NAIVE && algo != PLAN_GREEDY_BY_SIZE && algo != PLAN_GREEDY_BY_CONFLICTS)
        return -1;
    if (n == 0) return 0;
    if (!off) return -1;

    if (algo == PLAN_NAIVE) return plan_naive(bufs, n, align, off);
    return plan_greedy(bufs, n, align, algo, search, off);
}

int64_t plan_arena(const PlanBuf *bufs, int n, int64_t align, PlanAlgo algo, int64_t *off) {
    return plan_arena_search(bufs, n, align, algo, PLAN_SEARCH_AUTO, off);
}

int64_t plan_arena_best(const PlanBuf *bufs, int n, int64_t align, int64_t *off,
                        PlanAlgo *algo_used) {
    int64_t by_size = plan_arena(bufs, n, align, PLAN_GREEDY_BY_SIZE, off);
    if (by_size <= 0) {
        if (by_size == 0 && algo_used) *algo_used = PLAN_GREEDY_BY_SIZE;
        return by_size;
    }

    int64_t *tmp = malloc((size_t)n * sizeof(int64_t));
    if (!tmp) return -1;
    int64_t by_conflicts = plan_arena(bufs, n, align, PLAN_GREEDY_BY_CONFLICTS, tmp);
    if (by_conflicts < 0) {
        free(tmp);
        return -1;
    }

    PlanAlgo used = PLAN_GREEDY_BY_SIZE;
    int64_t total = by_size;
    if (by_conflicts < by_size) {
        memcpy(off, tmp, (size_t)n * sizeof(int64_t));
        used = PLAN_GREEDY_BY_CONFLICTS;
        total = by_conflicts;
    }
    free(tmp);
    if (algo_used) *algo_used = used;
    return total;
}

/* A change of the live total at a step: +size at `first`, -size after `last`. */
typedef struct Event {
    int64_t step, delta;
} Event;

static int cmp_event(const void *a, const void *b) {
    const Event *x = a, *y = b;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    return (x->delta > y->delta) - (x->delta < y->delta);
}

int64_t plan_pressure(const PlanBuf *bufs, int n, int64_t align) {
    if (check_input(bufs, n, align) < 0) return -1;
    if (n == 0) return 0;

    Event *ev = malloc(2 * (size_t)n * sizeof(Event));
    if (!ev) return -1;
    for (int i = 0; i < n; i++) {
        int64_t size = align_up(bufs[i].size, align);
        /* int64_t step: last + 1 must not overflow int */
        ev[2 * i] = (Event){bufs[i].first, size};
        ev[2 * i + 1] = (Event){(int64_t)bufs[i].last + 1, -size};
    }
    qsort(ev, 2 * (size_t)n, sizeof(Event), cmp_event);

    /* Only look at the total once all events of a step are applied, so the
       order of events within one step does not matter. */
    int64_t live = 0, peak = 0;
    for (int e = 0; e < 2 * n; e++) {
        live += ev[e].delta;
        int step_done = e + 1 == 2 * n || ev[e + 1].step != ev[e].step;
        if (step_done && live > peak) peak = live;
    }
    free(ev);
    return peak;
}

/* ---------------------------------------------------------------- verify */

static int bytes_overlap(const PlanBuf *bufs, const int64_t *off, int i, int j) {
    return off[i] < off[j] + bufs[j].size && off[j] < off[i] + bufs[i].size;
}

static void set_pair(int *a, int *b, int x, int y) {
    if (a) *a = x;
    if (b) *b = y;
}

/* Smallest b, then smallest a < b, of a pair live together whose bytes
   overlap, by asking every earlier buffer. Needs no memory. */
static int verify_pairs_slow(const PlanBuf *bufs, int n, const int64_t *off, int *a, int *b) {
    for (int j = 1; j < n; j++)
        for (int i = 0; i < j; i++)
            if (lives_overlap(&bufs[i], &bufs[j]) && bytes_overlap(bufs, off, i, j)) {
                set_pair(a, b, i, j);
                return -1;
            }
    return 0;
}

/* Same result as verify_pairs_slow, asking only the earlier buffers live at
   a common step. Returns -2 if out of memory. */
static int verify_pairs_indexed(const PlanBuf *bufs, int n, const int64_t *off, int *a, int *b) {
    TimeIndex t;
    if (ti_init(&t, bufs, n) < 0) return -2;
    int *hits = malloc((size_t)n * sizeof(int));
    if (!hits) {
        ti_free(&t);
        return -2;
    }

    int rc = 0;
    for (int j = 0; j < n && rc == 0; j++) {
        int k = ti_query(&t, bufs[j].first, bufs[j].last, hits);
        int worst = -1; /* smallest earlier index that collides with j */
        for (int h = 0; h < k; h++) {
            int i = hits[h];
            if (bytes_overlap(bufs, off, i, j) && (worst < 0 || i < worst)) worst = i;
        }
        if (worst >= 0) {
            set_pair(a, b, worst, j);
            rc = -1;
        }
        ti_insert(&t, j);
    }

    free(hits);
    ti_free(&t);
    return rc;
}

/* Checks all pairs, the same way the planner chooses its search: the index
   pays off only when few pairs are live together. Without memory for the
   index, falls back to the plain scan. */
static int verify_pairs(const PlanBuf *bufs, int n, const int64_t *off, int *a, int *b) {
    int *conflicts = malloc((size_t)n * sizeof(int));
    int64_t pairs = conflicts ? count_conflicts(bufs, n, conflicts) : -1;
    free(conflicts);
    int rc = -2;
    if (pairs >= 0 && choose_search(n, pairs) == PLAN_SEARCH_INDEX)
        rc = verify_pairs_indexed(bufs, n, off, a, b);
    if (rc == -2) rc = verify_pairs_slow(bufs, n, off, a, b);
    return rc;
}

int plan_verify(const PlanBuf *bufs, int n, int64_t align, const int64_t *off, int64_t total,
                int *a, int *b) {
    set_pair(a, b, -1, -1);
    if (n < 0 || !is_pow2(align) || (n > 0 && (!bufs || !off))) return -1;

    for (int i = 0; i < n; i++) {
        const PlanBuf *p = &bufs[i];
        int bad = p->size <= 0 || p->first > p->last || off[i] < 0 || off[i] > total ||
                  p->size > total - off[i] || (off[i] & (align - 1)) != 0;
        if (bad) {
            set_pair(a, b, i, -1);
            return -1;
        }
    }

    return verify_pairs(bufs, n, off, a, b);
}

/* ---------------------------------------------------------------- names */

static const char *const algo_names[] = {
    [PLAN_GREEDY_BY_SIZE] = "greedy-size",
    [PLAN_GREEDY_BY_CONFLICTS] = "greedy-conflicts",
    [PLAN_NAIVE] = "naive",
};

#define NALGOS ((int)(sizeof(algo_names) / sizeof(algo_names[0])))

const char *plan_algo_name(PlanAlgo algo) {
    if ((int)algo < 0 || (int)algo >= NALGOS) return "unknown";
    return algo_names[algo];
}

int plan_algo_parse(const char *name, PlanAlgo *out) {
    if (!name) return -1;
    for (int i = 0; i < NALGOS; i++) {
        if (strcmp(name, algo_names[i]) == 0) {
            if (out) *out = (PlanAlgo)i;
            return 0;
        }
    }
    return -1;
}
