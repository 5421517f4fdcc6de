/*
 * norm.c - normalizations: LayerNormalization, InstanceNormalization,
 * MeanVarianceNormalization, LpNormalization and LRN.
 *
 * The first four normalize x over a set of "reduced" axes separately for
 * each position of the other ("kept") axes. They share one template
 * (normalize.m4) that walks the kept and reduced index sets as two strided
 * views of x; adjacent axes of the same set are merged at compile time, so
 * the usual cases (LayerNorm over trailing axes, InstanceNorm over the
 * spatial axes) become one contiguous inner loop. Statistics accumulate in
 * double. Scale and bias are read at run time (they may be graph inputs).
 */
#include "ops.h"

#include <string.h>

typedef struct NormSets {
    int krank, rrank;
    int64_t kd[MAX_RANK], ks[MAX_RANK], rd[MAX_RANK], rs[MAX_RANK];
    int64_t nk, nr;
} NormSets;

/* Appends dim (d, s) to a set, merging it into the previous one when they
   are adjacent in memory. */
static void set_push(int *rank, int64_t *dims, int64_t *st, int64_t d, int64_t s) {
    if (d == 1) return;
    if (*rank > 0 && st[*rank - 1] == s * d) {
        dims[*rank - 1] *= d;
        st[*rank - 1] = s;
        return;
    }
    dims[*rank] = d, st[*rank] = s, (*rank)++;
}

static void norm_sets(const Tensor *x, const bool *reduced, NormSets *ns) {
    int64_t st[MAX_RANK], s = 1;
    for (int i = x->rank - 1; i >= 0; i--)
        st[i] = s, s *= x->dims[i];
    memset(ns, 0, sizeof *ns);
    ns->nk = ns->nr = 1;
    for (int i = 0; i < x->rank; i++) {
        if (reduced[i]) {
            set_push(&ns->rrank, ns->rd, ns->rs, x->dims[i], st[i]);
            ns->nr *= x->dims[i];
        } else {
            set_push(&ns->krank, ns->kd, ns->ks, x->dims[i], st[i]);
            ns->nk *= x->dims[i];
        }
    }
    /* Templates need at least one dim per set. */
    if (!ns->krank) ns->kd[0] = 1, ns->ks[0] = 0, ns->krank = 1;
    if (!ns->rrank) ns->rd[0] = 1, ns->rs[0] = 0, ns->rrank = 1;
}

/* mode: layer, instance, mvn, lp1, lp2. */
static Kernel *norm_kernel(Emit *e, const Tensor *x, const bool *reduced, const char *mode,
                           double eps) {
    NormSets ns;
    norm_sets(x, reduced, &ns);
    Kernel *k = kernel_begin(e, "normalize");
    kernel_str(k, "MODE", mode);
    kernel_int(k, "NK", ns.nk);
    kernel_int(k, "NR", ns.nr);
    kernel_int(k, "KRANK", ns.krank);
    kernel_ints(k, "KDIMS", ns.kd, ns.krank);
    kernel_ints(k, "KSTRIDES", ns.ks, ns.krank);
    kernel_int(k, "RRANK", ns.rrank);
    kernel_ints(k, "RDIMS", ns.rd, ns.rrank);
    kernel_ints(k, "RSTRIDES", ns.rs, ns.rrank);
    char b[64];
    snprintf(b, sizeof b, "%a", eps);
    kernel_str(k, "EPS", b);
    return k;
}

static bool need_float_ins(Node *n) {
    for (int i = 0; i < n->ninputs; i++)
        if (n->inputs[i] && !need_dtype_float(n, n->inputs[i], "input")) return false;
    return true;
}

static bool need_numel(Node *n, const Tensor *t, const char *what, int64_t a, int64_t b) {
    if (!t || tensor_numel(t) == a || tensor_numel(t) == b) return true;
    error_at_node(n, "%s '%s' has %lld values, expected %lld", what, t->name,
                  (long long)tensor_numel(t), (long long)a);
    return false;
}

/* ---------------------------------------------------------------- LayerNormalization */

int infer_layernorm(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 3) || !need_float_ins(n)) return -1;
    Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", -1), nr = 1, d[MAX_RANK];
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    for (int i = 0; i < x->rank; i++) {
        if (i >= axis) nr *= x->dims[i];
        d[i] = i < axis ? x->dims[i] : 1;
    }
    if (!need_numel(n, n->inputs[1], "scale", nr, 1) ||
        !need_numel(n, node_input(n, 2), "bias", nr, 1))
        return -1;
    set_out(n, 0, x->dtype, x->rank, x->dims);
    set_out(n, 1, DT_FLOAT, x->rank, d);
    set_out(n, 2, DT_FLOAT, x->rank, d);
    return 0;
}

int emit_layernorm(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *w = n->inputs[1], *b = node_input(n, 2), *y = n->outputs[0];
    Tensor *mean = node_output(n, 1), *istd = node_output(n, 2);
    int64_t axis = attr_int(n, "axis", -1);
    if (axis < 0) axis += x->rank;
    bool red[MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        red[i] = i >= axis;
    Kernel *k = norm_kernel(e, x, red, "layer", attr_float(n, "epsilon", 1e-5f));
    kernel_int(k, "W_N", tensor_numel(w));
    kernel_int(k, "B_N", b ? tensor_numel(b) : 0);
    kernel_int(k, "HAS_STATS", mean || istd);
    const char *fn = kernel_end(e, k);
    /* Absent optional tensors are passed as null pointers. */
    if (b && mean && istd)
        emit_stmt(e, "%s(%C, %C, %C, %T, %T, %T);", fn, x, w, b, y, mean, istd);
    else if (b && mean)
        emit_stmt(e, "%s(%C, %C, %C, %T, %T, 0);", fn, x, w, b, y, mean);
    else if (b && istd)
        emit_stmt(e, "%s(%C, %C, %C, %T, 0, %T);", fn, x, w, b, y, istd);
    else if (b)
        emit_stmt(e, "%s(%C, %C, %C, %T, 0, 0);", fn, x, w, b, y);
    else if (mean && istd)
        emit_stmt(e, "%s(%C, %C, 0, %T, %T, %T);", fn, x, w, y, mean, istd);
    else if (mean)
        emit_stmt(e, "%s(%C, %C, 0, %T, %T, 0);", fn, x, w, y, mean);
    else if (istd)
        emit_stmt(e, "%s(%C, %C, 0, %T, 0, %T);", fn, x, w, y, istd);
    else
        emit_stmt(e, "%s(%C, %C, 0, %T, 0, 0);", fn, x, w, y);
    return 0;
}

/* ---------------------------------------------------------------- InstanceNormalization */

int infer_instancenorm(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 3, 3) || !need_float_ins(n)) return -1;
    Tensor *x = n->inputs[0];
    if (x->rank < 3) {
        error_at_node(n, "input '%s' must have rank 3 or more", x->name);
        return -1;
    }
    if (!need_numel(n, n->inputs[1], "scale", x->dims[1], x->dims[1]) ||
        !need_numel(n, n->inputs[2], "bias", x->dims[1], x->dims[1]))
        return -1;
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_instancenorm(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    bool red[MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        red[i] = i >= 2;
    Kernel *k = norm_kernel(e, x, red, "instance", attr_float(n, "epsilon", 1e-5f));
    kernel_int(k, "C", x->dims[1]);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %C, %T, 0, 0);", fn, x, n->inputs[1], n->inputs[2], y);
    return 0;
}

/* ---------------------------------------------------------------- MeanVarianceNormalization */

static bool mvn_axes(Node *n, bool *red) {
    Tensor *x = n->inputs[0];
    int64_t axes[MAX_RANK] = {0, 2, 3};
    int na = attr_ints(n, "axes", axes, MAX_RANK);
    if (na < 0) na = 3;
    memset(red, 0, sizeof(bool) * MAX_RANK);
    for (int i = 0; i < na; i++) {
        if (!norm_axis(n, &axes[i], x->rank, "axis")) return false;
        red[axes[i]] = true;
    }
    return true;
}

int infer_mvn(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1) || !need_float_ins(n)) return -1;
    bool red[MAX_RANK];
    if (!mvn_axes(n, red)) return -1;
    set_out(n, 0, n->inputs[0]->dtype, n->inputs[0]->rank, n->inputs[0]->dims);
    return 0;
}

int emit_mvn(Emit *e, Node *n) {
    bool red[MAX_RANK];
    mvn_axes(n, red);
    const char *fn = kernel_end(e, norm_kernel(e, n->inputs[0], red, "mvn", 1e-9));
    emit_stmt(e, "%s(%C, 0, 0, %T, 0, 0);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- LpNormalization */

int infer_lpnorm(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1) || !need_float_ins(n)) return -1;
    Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", -1), p = attr_int(n, "p", 2);
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    if (p != 1 && p != 2) {
        error_at_node(n, "p must be 1 or 2, not %lld", (long long)p);
        return -1;
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_lpnorm(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", -1);
    if (axis < 0) axis += x->rank;
    bool red[MAX_RANK] = {false};
    red[axis] = true;
    const char *mode = attr_int(n, "p", 2) == 1 ? "lp1" : "lp2";
    const char *fn = kernel_end(e, norm_kernel(e, x, red, mode, 0));
    emit_stmt(e, "%s(%C, 0, 0, %T, 0, 0);", fn, x, n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- LRN */

int infer_lrn(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1) || !need_float_ins(n)) return -1;
    Tensor *x = n->inputs[0];
    if (x->rank < 3 || attr_int(n, "size", 0) <= 0) {
        error_at_node(n, "needs an input of rank >= 3 and a positive size");
        return -1;
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_lrn(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t sp = 1, size = attr_int(n, "size", 1);
    for (int i = 2; i < x->rank; i++)
        sp *= x->dims[i];
    Kernel *k = kernel_begin(e, "lrn");
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "C", x->dims[1]);
    kernel_int(k, "S", sp);
    kernel_int(k, "LO", (size - 1) / 2);
    kernel_int(k, "HI", size / 2); /* ceil((size - 1) / 2) */
    kernel_float(k, "ALPHA_N", attr_float(n, "alpha", 1e-4f) / (float)size);
    kernel_float(k, "BETA", attr_float(n, "beta", 0.75f));
    kernel_float(k, "BIAS", attr_float(n, "bias", 1.0f));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, n->outputs[0]);
    return 0;
}
