m4_divert(-1)
# unique.m4 - Unique over the DIM slices of x viewed as [OUTER, DIM, INNER]
# (a slice: OUTER x INNER elements at one position of the axis). SORTED
# orders the unique slices ascending (lexicographically), else by first
# occurrence. Outputs (any may be null): y the unique slices, indices their
# first positions, inverse the unique id of every slice, counts; the number
# of unique slices goes to each bounded output's extent slot.
# Scratch: order[DIM], first[DIM], id[DIM] (int64).
# Parameters: T OUTER DIM INNER SORTED
m4_need(`DIM')
m4_divert(0)m4_dnl
/* Compares slices a and b: -1, 0, 1 (NaN-free inputs assumed equal to themselves). */
static int KNAME`'_cmp(const T *x, long a, long b)
{
    long o, i;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            T va = x[(o * DIM + a) * (long)INNER + i], vb = x[(o * DIM + b) * (long)INNER + i];
            if (va < vb) return -1;
            if (va > vb) return 1;
        }
    return 0;
}

static void KNAME`'(const T *restrict x, T *restrict y, int64_t *restrict indices, int64_t *restrict inverse,
                  int64_t *restrict counts, int64_t *ey, int64_t *ei, int64_t *einv, int64_t *ec,
                  int64_t *restrict scratch)
{
    int64_t *order = scratch, *first = scratch + DIM, *id = scratch + 2 * DIM;
    long i, u, nu = 0, o, k;
    (void)einv;
    /* Unique slices in order of first occurrence: O(DIM^2) comparisons. */
    for (i = 0; i < DIM; i++) {
        for (u = 0; u < nu; u++)
            if (KNAME`'_cmp(x, (long)first[u], i) == 0) break;
        if (u == nu) first[nu++] = i;
        id[i] = u;
    }
    for (u = 0; u < nu; u++) order[u] = u;
m4_ifelse(SORTED, 1, `    /* Insertion sort of the unique slices (stable, few elements). */
    for (u = 1; u < nu; u++) {
        int64_t v = order[u];
        long j;
        for (j = u - 1; j >= 0 && KNAME`'_cmp(x, (long)first[order[j]], (long)first[v]) > 0; j--)
            order[j + 1] = order[j];
        order[j + 1] = v;
    }
')m4_dnl
    /* rank[u]: the output position of first-occurrence unique u (reuses id order). */
    for (u = 0; u < nu; u++) {
        long src = (long)first[order[u]];
        if (y)
            for (o = 0; o < OUTER; o++)
                for (k = 0; k < INNER; k++)
                    y[(o * nu + u) * (long)INNER + k] = x[(o * DIM + src) * (long)INNER + k];
        if (indices) indices[u] = src;
        if (counts) counts[u] = 0;
    }
    for (i = 0; i < DIM; i++) {
        for (u = 0; u < nu; u++)
            if (order[u] == id[i]) break;
        if (inverse) inverse[i] = u;
        if (counts) counts[u]++;
    }
    if (ey) *ey = nu;
    if (ei) *ei = nu;
    if (ec) *ec = nu;
}
