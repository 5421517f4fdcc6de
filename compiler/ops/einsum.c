/*
 * einsum.c - Einsum with one or two operands.
 *
 * The equation is resolved at compile time into labels: each distinct
 * letter (and each dimension an ellipsis stands for) is one label with a
 * size. Output labels form the outer loops, the remaining (summed) labels
 * the inner loops, and every operand gets one element stride per label: the
 * sum of the strides of the positions carrying that label, so a repeated
 * label ("ii") walks the diagonal, and 0 where the operand does not have it
 * (or broadcasts it). One strided loop nest (templates/einsum.m4) then
 * covers transposes, traces, diagonals, reductions, outer and batched
 * matrix products alike; it is a reference kernel, not a fast MatMul.
 */
#include "ops.h"

#include <ctype.h>
#include <string.h>

#define MAX_LABELS (52 + MAX_RANK) /* a-z, A-Z, then ellipsis dimensions */

typedef struct EinsumPlan {
    int nin;
    int nout, nsum; /* output labels, summed labels */
    int out[MAX_LABELS], sum[MAX_LABELS];
    int64_t size[MAX_LABELS];      /* -1: label not used */
    int64_t stride[2][MAX_LABELS]; /* per operand, per label */
} EinsumPlan;

static int label_of(char c) {
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= 'A' && c <= 'Z') return 26 + c - 'A';
    return -1;
}

/* Parses one term ("b...ij") into labels; ellipsis dimensions get the labels
   52.. aligned to the right. nell is the number of dims the ellipsis covers
   (for an operand: rank - letters; for the output: the widest operand's). */
static bool parse_term(Node *n, const char *s, const char *end, int *labels, int *count,
                       int rank_or_neg, int *nell_out) {
    int letters = 0;
    bool ell = false;
    for (const char *p = s; p < end; p++) {
        if (isspace((unsigned char)*p)) continue;
        if (*p == '.') {
            if (ell || end - p < 3 || p[1] != '.' || p[2] != '.') {
                error_at_node(n, "malformed ellipsis in equation");
                return false;
            }
            ell = true;
            p += 2;
            continue;
        }
        if (label_of(*p) < 0) {
            error_at_node(n, "unexpected character '%c' in equation", *p);
            return false;
        }
        letters++;
    }
    int nell = ell ? (rank_or_neg >= 0 ? rank_or_neg - letters : *nell_out) : 0;
    if (nell < 0 || (rank_or_neg >= 0 && !ell && letters != rank_or_neg)) {
        error_at_node(n, "equation term has %d labels for an operand of rank %d", letters,
                      rank_or_neg);
        return false;
    }
    int k = 0;
    for (const char *p = s; p < end; p++) {
        if (isspace((unsigned char)*p)) continue;
        if (*p == '.') {
            for (int i = 0; i < nell; i++)
                labels[k++] = 52 + (MAX_RANK - nell) + i; /* right-aligned */
            p += 2;
            continue;
        }
        labels[k++] = label_of(*p);
    }
    *count = k;
    if (rank_or_neg >= 0) *nell_out = nell;
    return true;
}

static bool einsum_plan(Node *n, EinsumPlan *pl) {
    const char *eq = attr_str(n, "equation", NULL);
    if (!eq) {
        error_at_node(n, "missing attribute 'equation'");
        return false;
    }
    memset(pl, 0, sizeof *pl);
    pl->nin = n->ninputs;
    if (pl->nin < 1 || pl->nin > 2) {
        error_at_node(n, "Einsum with %d operands is not supported (1 or 2)", pl->nin);
        return false;
    }
    for (int l = 0; l < MAX_LABELS; l++)
        pl->size[l] = -1;
    const char *arrow = strstr(eq, "->");
    const char *lhs_end = arrow ? arrow : eq + strlen(eq);
    int count[MAX_LABELS] = {0}; /* occurrences over all operands */
    int max_nell = 0;
    const char *s = eq;
    for (int i = 0; i < pl->nin; i++) {
        const char *comma = memchr(s, ',', (size_t)(lhs_end - s));
        const char *e = i == pl->nin - 1 ? lhs_end : comma;
        if (!e || (i == pl->nin - 1 && comma)) {
            error_at_node(n, "equation '%s' does not have %d operand terms", eq, pl->nin);
            return false;
        }
        Tensor *t = n->inputs[i];
        int labels[MAX_RANK + 52], k, nell = 0;
        if (!parse_term(n, s, e, labels, &k, t->rank, &nell)) return false;
        if (nell > max_nell) max_nell = nell;
        int64_t st = 1;
        for (int d = t->rank - 1; d >= 0; d--) {
            int l = labels[d];
            int64_t dim = t->dims[d];
            if (dim != 1) {
                if (pl->size[l] > 1 && pl->size[l] != dim) {
                    error_at_node(n, "label size mismatch in equation '%s' (%lld vs %lld)", eq,
                                  (long long)pl->size[l], (long long)dim);
                    return false;
                }
                pl->size[l] = dim;
                pl->stride[i][l] += st;
            } else if (pl->size[l] < 1) {
                pl->size[l] = 1; /* broadcast: stride stays 0 */
            }
            st *= dim;
            count[l]++;
        }
        s = e + 1;
    }
    bool used_out[MAX_LABELS] = {false};
    if (arrow) {
        int labels[MAX_RANK + 52], k, nell = max_nell;
        if (!parse_term(n, arrow + 2, arrow + strlen(arrow), labels, &k, -1, &nell)) return false;
        for (int j = 0; j < k; j++) {
            if (pl->size[labels[j]] < 0 || used_out[labels[j]]) {
                error_at_node(n, "output label %d of '%s' is unknown or repeated", j, eq);
                return false;
            }
            used_out[labels[j]] = true;
            pl->out[pl->nout++] = labels[j];
        }
    } else { /* implicit: ellipsis dims, then labels seen once, alphabetically */
        for (int l = 52; l < MAX_LABELS; l++)
            if (pl->size[l] >= 0) used_out[l] = true, pl->out[pl->nout++] = l;
        for (int l = 0; l < 52; l++)
            if (count[l] == 1) used_out[l] = true, pl->out[pl->nout++] = l;
    }
    for (int l = 0; l < MAX_LABELS; l++)
        if (pl->size[l] >= 0 && !used_out[l]) pl->sum[pl->nsum++] = l;
    return true;
}

int infer_einsum(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2)) return -1;
    if (n->ninputs == 2 && !n->inputs[1]) {
        error_at_node(n, "the second operand is given but empty");
        return -1;
    }
    Tensor *a = n->inputs[0];
    if (a->dtype == DT_FLOAT16 || a->dtype == DT_BFLOAT16 || a->dtype == DT_BOOL ||
        !dtype_ctype(a->dtype) || (n->ninputs == 2 && n->inputs[1]->dtype != a->dtype)) {
        error_at_node(n, "operands of type %s are not supported", dtype_name(a->dtype));
        return -1;
    }
    EinsumPlan pl;
    if (!einsum_plan(n, &pl)) return -1;
    int64_t dims[MAX_LABELS];
    if (pl.nout > MAX_RANK) {
        error_at_node(n, "output rank %d is too large", pl.nout);
        return -1;
    }
    for (int j = 0; j < pl.nout; j++)
        dims[j] = pl.size[pl.out[j]];
    set_out(n, 0, a->dtype, pl.nout, dims);
    return 0;
}

/* Label list as template arrays; C has no zero-length arrays, so an empty
   list becomes one unit label with stride 0. */
static int label_arrays(const EinsumPlan *pl, const int *labels, int count, int64_t *dims,
                        int64_t *s0, int64_t *s1) {
    if (count == 0) {
        dims[0] = 1, s0[0] = s1[0] = 0;
        return 1;
    }
    for (int j = 0; j < count; j++) {
        dims[j] = pl->size[labels[j]];
        s0[j] = pl->stride[0][labels[j]];
        s1[j] = pl->stride[1][labels[j]];
    }
    return count;
}

int emit_einsum(Emit *e, Node *n) {
    EinsumPlan pl;
    einsum_plan(n, &pl);
    Tensor *a = n->inputs[0], *y = n->outputs[0];
    int64_t od[MAX_LABELS], o0[MAX_LABELS], o1[MAX_LABELS];
    int64_t sd[MAX_LABELS], s0[MAX_LABELS], s1[MAX_LABELS];
    int no = label_arrays(&pl, pl.out, pl.nout, od, o0, o1);
    int ns = label_arrays(&pl, pl.sum, pl.nsum, sd, s0, s1);
    Kernel *k = kernel_begin(e, "einsum");
    kernel_str(k, "T", dtype_ctype(a->dtype));
    kernel_str(k, "ACC", dtype_is_float(a->dtype) ? "double" : "int64_t");
    kernel_int(k, "NIN", pl.nin);
    kernel_int(k, "NOUT", tensor_numel(y));
    kernel_int(k, "NSUM", numel_of(ns, sd));
    kernel_int(k, "NO", no);
    kernel_ints(k, "ODIMS", od, no);
    kernel_ints(k, "OS0", o0, no);
    kernel_ints(k, "OS1", o1, no);
    kernel_int(k, "NS", ns);
    kernel_ints(k, "SDIMS", sd, ns);
    kernel_ints(k, "SS0", s0, ns);
    kernel_ints(k, "SS1", s1, ns);
    const char *fn = kernel_end(e, k);
    if (pl.nin == 2)
        emit_stmt(e, "%s(%C, %C, %T);", fn, a, n->inputs[1], y);
    else
        emit_stmt(e, "%s(%C, %C, %T);", fn, a, a, y); /* the second operand is unused */
    return 0;
}
