/*
 * tfidf.c - TfIdfVectorizer over integer tokens (string pools and string
 * inputs are not supported yet: the registry does not flag it OPF_STRINGS).
 *
 * The pool of n-grams is resolved at compile time into a table: entry e is
 * GLEN[e] tokens starting at pool[GSTART[e]], counted into output column
 * GOUT[e]. Per row, every n-gram of each length in [min, max] is formed
 * with each skip in [0, max_skip_count] (unigrams once, since skips do not
 * change them) and matched against the entries of its length.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 4096

typedef struct Pool {
    int nent;
    int64_t start[MAX_ENTRIES], len[MAX_ENTRIES], out[MAX_ENTRIES];
    int64_t ncols;
} Pool;

static bool read_pool(Node *n, Pool *p) {
    const Attr *counts = node_attr(n, "ngram_counts"), *idx = node_attr(n, "ngram_indexes"),
               *pool = node_attr(n, "pool_int64s");
    if (node_attr(n, "pool_strings")) {
        error_at_node(n, "string pools are not supported (integer tokens only)");
        return false;
    }
    if (!counts || !idx || !pool || counts->type != ATTR_INTS || idx->type != ATTR_INTS ||
        pool->type != ATTR_INTS) {
        error_at_node(n, "needs ngram_counts, ngram_indexes and pool_int64s");
        return false;
    }
    p->nent = 0;
    p->ncols = 0;
    for (int g = 0; g < counts->n; g++) {
        int64_t begin = counts->ints[g], end = g + 1 < counts->n ? counts->ints[g + 1] : pool->n;
        int64_t len = g + 1;
        if (begin < 0 || end > pool->n || end < begin || (end - begin) % len) {
            error_at_node(n, "ngram_counts do not split pool_int64s into %lld-grams",
                          (long long)len);
            return false;
        }
        for (int64_t s = begin; s < end; s += len) {
            if (p->nent >= MAX_ENTRIES || p->nent >= idx->n) {
                error_at_node(n, "more pool n-grams than ngram_indexes (or over %d)", MAX_ENTRIES);
                return false;
            }
            int64_t col = idx->ints[p->nent];
            if (col < 0 || col > (1 << 24)) {
                error_at_node(n, "ngram index %lld is out of range", (long long)col);
                return false;
            }
            p->start[p->nent] = s;
            p->len[p->nent] = len;
            p->out[p->nent] = col;
            if (col + 1 > p->ncols) p->ncols = col + 1;
            p->nent++;
        }
    }
    return true;
}

int infer_tfidf(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (x->dtype != DT_INT32 && x->dtype != DT_INT64) {
        error_at_node(n, "input '%s' must hold int32 or int64 tokens", x->name);
        return -1;
    }
    if (x->rank != 1 && x->rank != 2) {
        error_at_node(n, "input '%s' must be [N] or [B, N]", x->name);
        return -1;
    }
    const char *mode = attr_str(n, "mode", "TF");
    if (strcmp(mode, "TF") && strcmp(mode, "IDF") && strcmp(mode, "TFIDF")) {
        error_at_node(n, "mode '%s' is not TF, IDF or TFIDF", mode);
        return -1;
    }
    Pool *p = malloc(sizeof(Pool));
    if (!p || !read_pool(n, p)) {
        free(p);
        return -1;
    }
    int64_t d[2] = {x->rank == 2 ? x->dims[0] : p->ncols, p->ncols};
    set_out(n, 0, DT_FLOAT, x->rank, x->rank == 2 ? d : d + 1);
    free(p);
    return 0;
}

int emit_tfidf(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    Pool *p = malloc(sizeof(Pool));
    if (!p || !read_pool(n, p)) {
        free(p);
        return -1;
    }
    const Attr *pool = node_attr(n, "pool_int64s"), *w = node_attr(n, "weights");
    const char *mode = attr_str(n, "mode", "TF");
    /* Weights per output column (1 when absent). */
    float *wt = malloc(sizeof(float) * (size_t)(p->ncols + 1));
    if (!wt) {
        free(p);
        return -1;
    }
    for (int64_t c = 0; c < p->ncols; c++)
        wt[c] = 1.0f;
    for (int i = 0; w && w->type == ATTR_FLOATS && i < w->n && i < p->nent; i++)
        wt[p->out[i]] = w->floats[i];
    Kernel *k = kernel_begin(e, "tfidf");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "ROWS", x->rank == 2 ? x->dims[0] : 1);
    kernel_int(k, "LEN", x->dims[x->rank - 1]);
    kernel_int(k, "NCOLS", p->ncols);
    kernel_int(k, "NENT", p->nent);
    kernel_ints(k, "GSTART", p->start, p->nent ? p->nent : 1);
    kernel_ints(k, "GLEN", p->len, p->nent ? p->nent : 1);
    kernel_ints(k, "GOUT", p->out, p->nent ? p->nent : 1);
    kernel_int(k, "MINN", attr_int(n, "min_gram_length", 1));
    kernel_int(k, "MAXN", attr_int(n, "max_gram_length", 1));
    kernel_int(k, "MAXSKIP", attr_int(n, "max_skip_count", 0));
    kernel_str(k, "MODE", mode);
    const char *fn = kernel_end(e, k);
    const char *pexpr = emit_const_array(e, DT_INT64, pool->ints, pool->n, "n-gram pool");
    const char *wexpr = emit_const_array(e, DT_FLOAT, wt, p->ncols, "n-gram weights");
    emit_stmt(e, "%s(%C, %s, %s, %T);", fn, x, pexpr, wexpr, n->outputs[0]);
    free(wt);
    free(p);
    return 0;
}
