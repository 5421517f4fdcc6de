/*
 * shape.c - ops that move or describe data: Identity/Dropout, Reshape,
 * Flatten, Squeeze/Unsqueeze, Transpose, Concat, Shape, Gather, Slice,
 * Cast/CastLike, ConstantOfShape, Range.
 *
 * Reshape-like ops (OPF_ALIAS in the table) emit nothing: the planner gives
 * their output the input's storage. The rest fold to constants when their
 * inputs are constant, which is how exporters' shape subgraphs
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) disappear.
 *
 * Operands that decide the output shape (Reshape's shape, Squeeze and
 * Unsqueeze axes, Slice's starts/ends/axes/steps, ConstantOfShape's shape,
 * Range's start/limit/delta) must be compile-time constants, because output
 * shapes size the static arena: need_const reports the operand by name, and
 * a caller who knows its value binds it with --const (check does so from its
 * data). Gather's indices only decide values and are read at run time.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

static int copy_fold(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    void *d = alloc_const(g, y);
    memcpy(d, x->data, (size_t)tensor_bytes(x));
    return 0;
}

/* A plain copy for aliases the planner could not honour (see schedule.c). */
static int emit_copy(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    Kernel *k = kernel_begin(e, "copy");
    kernel_int(k, "BYTES", tensor_bytes(y));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, y);
    return 0;
}

/* ---------------------------------------------------------------- Identity, Dropout */

int infer_identity(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 3)) return -1;
    Tensor *x = n->inputs[0];
    if (x->kind != VK_TENSOR && strcmp(n->op_type, "Identity") == 0)
        return infer_value_identity(g, n);
    set_out(n, 0, x->dtype, x->rank, x->dims);
    if (strcmp(n->op_type, "Dropout") == 0) {
        Tensor *t = node_input(n, 2), *r = node_input(n, 1);
        /* Whether it drops at all is decided at compile time. */
        if ((t && !need_const(n, t, "training_mode")) || (t && r && !need_const(n, r, "ratio")))
            return -1;
        bool training =
            attr_int(n, "training_mode", 0) || (t && (!t->data || tensor_get_i64(t, 0)));
        /* Training mode drops at random, except with a ratio of exactly 0. */
        bool zero_ratio = r && r->data && tensor_numel(r) == 1 && tensor_get_f64(r, 0) == 0.0;
        if (training && !zero_ratio) {
            error_at_node(n, "Dropout in training mode with a non-zero ratio draws random numbers, "
                             "which generated code cannot reproduce (inference only)");
            return -1;
        }
        /* The mask of an inference-mode (or zero-ratio) Dropout is all true. */
        Tensor *mask = node_output(n, 1);
        if (mask) {
            tensor_set_shape(mask, DT_BOOL, x->rank, x->dims);
            memset(alloc_const(g, mask), 1, (size_t)tensor_numel(x));
            mask->producer = NULL;
        }
    }
    return 0;
}
int fold_identity(Graph *g, Node *n) {
    return copy_fold(g, n);
}
int emit_identity(Emit *e, Node *n) {
    return emit_copy(e, n);
}

/* ---------------------------------------------------------------- Reshape */

int infer_reshape(Graph *g, Node *n) {
    (void)g;
    Tensor *x = n->inputs[0];
    int64_t shape[MAX_RANK];
    int rank;
    bool allowzero = attr_int(n, "allowzero", 0) != 0;
    if (n->opset < 5) {
        if (!need_inputs(n, 1, 1)) return -1;
        rank = attr_ints(n, "shape", shape, MAX_RANK);
        if (rank < 0) {
            error_at_node(n, "missing 'shape' attribute");
            return -1;
        }
    } else {
        if (!need_inputs(n, 2, 2)) return -1;
        Tensor *s = n->inputs[1];
        if (!need_const(n, s, "shape")) return -1;
        if (s->rank != 1 || s->dtype != DT_INT64) {
            error_at_node(n, "shape '%s' must be a 1-D int64 tensor", s->name);
            return -1;
        }
        rank = (int)s->dims[0];
        if (rank > MAX_RANK) {
            error_at_node(n, "target rank %d exceeds %d", rank, MAX_RANK);
            return -1;
        }
        for (int i = 0; i < rank; i++)
            shape[i] = tensor_get_i64(s, i);
    }
    int64_t known = 1, total = tensor_numel(x);
    int infer_at = -1;
    for (int i = 0; i < rank; i++) {
        if (shape[i] == 0 && !allowzero) {
            if (i >= x->rank) {
                error_at_node(n, "shape entry %d is 0 (copy) but the input has rank %d", i,
                              x->rank);
                return -1;
            }
            shape[i] = x->dims[i];
        }
        if (shape[i] == -1) {
            if (infer_at >= 0) {
                error_at_node(n, "shape has more than one -1");
                return -1;
            }
            infer_at = i;
            continue;
        }
        if (shape[i] < 0) {
            error_at_node(n, "shape entry %d is %lld", i, (long long)shape[i]);
            return -1;
        }
        if (shape[i] && known > INT64_MAX / shape[i]) {
            error_at_node(n, "target shape overflows");
            return -1;
        }
        known *= shape[i];
    }
    if (infer_at >= 0) {
        if (known == 0 || total % known != 0) {
            error_at_node(n, "cannot reshape %lld elements: -1 does not divide evenly",
                          (long long)total);
            return -1;
        }
        shape[infer_at] = total / known;
        known = total;
    }
    if (known != total) {
        char buf[128];
        error_at_node(n, "cannot reshape '%s' %s (%lld elements) into %lld elements", x->name,
                      shape_str(x, buf, sizeof buf), (long long)total, (long long)known);
        return -1;
    }
    set_out(n, 0, x->dtype, rank, shape);
    return 0;
}
int fold_reshape(Graph *g, Node *n) {
    return copy_fold(g, n);
}
int emit_reshape(Emit *e, Node *n) {
    return emit_copy(e, n);
}

/* ---------------------------------------------------------------- Flatten */

int infer_flatten(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += x->rank;
    if (axis < 0 || axis > x->rank) {
        error_at_node(n, "axis %lld is out of range for rank %d", (long long)attr_int(n, "axis", 1),
                      x->rank);
        return -1;
    }
    int64_t d[2] = {1, 1};
    for (int i = 0; i < x->rank; i++)
        d[i >= axis] *= x->dims[i];
    set_out(n, 0, x->dtype, 2, d);
    return 0;
}
int fold_flatten(Graph *g, Node *n) {
    return copy_fold(g, n);
}
int emit_flatten(Emit *e, Node *n) {
    return emit_copy(e, n);
}

/* ---------------------------------------------------------------- Squeeze / Unsqueeze */

/* Axes from the attribute (old opsets) or the constant second input (13+). */
static int read_axes(Node *n, int64_t *axes, int max) {
    if (n->opset >= 13) {
        Tensor *a = node_input(n, 1);
        if (!a) return 0;
        if (!need_const(n, a, "axes")) return -1;
        int64_t cnt = tensor_numel(a);
        if (cnt > max) {
            error_at_node(n, "too many axes");
            return -1;
        }
        for (int64_t i = 0; i < cnt; i++)
            axes[i] = tensor_get_i64(a, i);
        return (int)cnt;
    }
    int cnt = attr_ints(n, "axes", axes, max);
    return cnt < 0 ? 0 : cnt;
}

int infer_squeeze(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *x = n->inputs[0];
    int64_t axes[MAX_RANK];
    int na = read_axes(n, axes, MAX_RANK);
    if (na < 0) return -1;
    bool drop[MAX_RANK] = {false};
    for (int i = 0; i < na; i++) {
        if (!norm_axis(n, &axes[i], x->rank, "axis")) return -1;
        if (x->dims[axes[i]] != 1) {
            error_at_node(n, "cannot squeeze axis %lld of size %lld", (long long)axes[i],
                          (long long)x->dims[axes[i]]);
            return -1;
        }
        drop[axes[i]] = true;
    }
    int64_t d[MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++)
        if (!(na ? drop[i] : x->dims[i] == 1)) d[r++] = x->dims[i];
    set_out(n, 0, x->dtype, r, d);
    return 0;
}
int fold_squeeze(Graph *g, Node *n) {
    return copy_fold(g, n);
}
int emit_squeeze(Emit *e, Node *n) {
    return emit_copy(e, n);
}

int infer_unsqueeze(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *x = n->inputs[0];
    int64_t axes[MAX_RANK];
    int na = read_axes(n, axes, MAX_RANK);
    if (na < 0) return -1;
    int r = x->rank + na;
    if (na == 0 || r > MAX_RANK) {
        error_at_node(n, "needs 1 to %d axes", MAX_RANK - x->rank);
        return -1;
    }
    bool ins[MAX_RANK] = {false};
    for (int i = 0; i < na; i++) {
        if (!norm_axis(n, &axes[i], r, "axis")) return -1;
        if (ins[axes[i]]) {
            error_at_node(n, "axis %lld is repeated", (long long)axes[i]);
            return -1;
        }
        ins[axes[i]] = true;
    }
    int64_t d[MAX_RANK];
    for (int i = 0, j = 0; i < r; i++)
        d[i] = ins[i] ? 1 : x->dims[j++];
    set_out(n, 0, x->dtype, r, d);
    return 0;
}
int fold_unsqueeze(Graph *g, Node *n) {
    return copy_fold(g, n);
}
int emit_unsqueeze(Emit *e, Node *n) {
    return emit_copy(e, n);
}

/* ---------------------------------------------------------------- Transpose */

static int read_perm(Node *n, int rank, int64_t *perm) {
    int np = attr_ints(n, "perm", perm, MAX_RANK);
    if (np < 0) {
        for (int i = 0; i < rank; i++)
            perm[i] = rank - 1 - i;
        return 0;
    }
    bool seen[MAX_RANK] = {false};
    if (np != rank) {
        error_at_node(n, "perm has %d entries, the input has rank %d", np, rank);
        return -1;
    }
    for (int i = 0; i < rank; i++) {
        if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
            error_at_node(n, "perm is not a permutation of 0..%d", rank - 1);
            return -1;
        }
        seen[perm[i]] = true;
    }
    return 0;
}

int infer_transpose(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    int64_t perm[MAX_RANK], d[MAX_RANK];
    if (read_perm(n, x->rank, perm) < 0) return -1;
    for (int i = 0; i < x->rank; i++)
        d[i] = x->dims[perm[i]];
    set_out(n, 0, x->dtype, x->rank, d);
    return 0;
}

/* Input strides in output order: out[i0..] = in[sum i_k * istride[perm[k]]]. */
static void transpose_strides(const Tensor *x, const int64_t *perm, int64_t *st) {
    int64_t is[MAX_RANK], s = 1;
    for (int i = x->rank - 1; i >= 0; i--)
        is[i] = s, s *= x->dims[i];
    for (int i = 0; i < x->rank; i++)
        st[i] = is[perm[i]];
}

int fold_transpose(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t perm[MAX_RANK], st[MAX_RANK];
    read_perm(n, x->rank, perm);
    transpose_strides(x, perm, st);
    fold_strided(g, x, 0, y, y->rank, y->dims, st);
    return 0;
}

int emit_transpose(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t perm[MAX_RANK], st[MAX_RANK], d[MAX_RANK], s[MAX_RANK];
    read_perm(n, x->rank, perm);
    transpose_strides(x, perm, st);
    /* Drop size-1 dims; they do not move anything. */
    int r = 0;
    for (int i = 0; i < y->rank; i++)
        if (y->dims[i] != 1) d[r] = y->dims[i], s[r] = st[i], r++;
    if (r == 0) d[0] = 1, s[0] = 0, r = 1;
    Kernel *k = kernel_begin(e, "transpose");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "RANK", r);
    kernel_ints(k, "DIMS", d, r);
    kernel_ints(k, "STRIDES", s, r);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, y);
    return 0;
}

/* ---------------------------------------------------------------- Concat */

int infer_concat(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1 << 20)) return -1;
    Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", n->opset < 4 ? 1 : 0);
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    int64_t d[MAX_RANK];
    memcpy(d, x->dims, sizeof d);
    d[axis] = 0;
    for (int i = 0; i < n->ninputs; i++) {
        Tensor *t = n->inputs[i];
        if (!t) continue;
        if (t->rank != x->rank || t->dtype != x->dtype) {
            error_at_node(n, "input '%s' differs in rank or type from '%s'", t->name, x->name);
            return -1;
        }
        for (int k = 0; k < x->rank; k++)
            if (k != axis && t->dims[k] != x->dims[k]) {
                error_at_node(n, "input '%s' has size %lld in dimension %d, '%s' has %lld", t->name,
                              (long long)t->dims[k], k, x->name, (long long)x->dims[k]);
                return -1;
            }
        d[axis] += t->dims[axis];
    }
    set_out(n, 0, x->dtype, x->rank, d);
    return 0;
}

/* Concat as outer x (rows of `inner * dim_i` elements) block copies. */
static void concat_split(const Node *n, int64_t *outer, int64_t *inner) {
    const Tensor *y = n->outputs[0];
    int64_t axis = attr_int(n, "axis", n->opset < 4 ? 1 : 0);
    if (axis < 0) axis += y->rank;
    int64_t dim;
    split_axis(y, axis, false, outer, &dim, inner);
}

static int64_t concat_axis_dim(const Node *n, const Tensor *t) {
    int64_t axis = attr_int(n, "axis", n->opset < 4 ? 1 : 0);
    return t->dims[axis < 0 ? axis + t->rank : axis];
}

int fold_concat(Graph *g, Node *n) {
    Tensor *y = n->outputs[0];
    int64_t outer, inner, es = (int64_t)dtype_size(y->dtype), ydim = concat_axis_dim(n, y), off = 0;
    concat_split(n, &outer, &inner);
    unsigned char *out = alloc_const(g, y);
    for (int i = 0; i < n->ninputs; i++) {
        Tensor *t = n->inputs[i];
        if (!t) continue;
        int64_t row = concat_axis_dim(n, t) * inner * es;
        for (int64_t o = 0; o < outer; o++)
            memcpy(out + (o * ydim * inner * es) + off, (unsigned char *)t->data + o * row,
                   (size_t)row);
        off += row;
    }
    return 0;
}

int emit_concat(Emit *e, Node *n) {
    Tensor *y = n->outputs[0];
    int64_t outer, inner, es = (int64_t)dtype_size(y->dtype), ydim = concat_axis_dim(n, y), off = 0;
    concat_split(n, &outer, &inner);
    for (int i = 0; i < n->ninputs; i++) {
        Tensor *t = n->inputs[i];
        if (!t || tensor_numel(t) == 0) continue;
        int64_t row = concat_axis_dim(n, t) * inner * es;
        Kernel *k = kernel_begin(e, "copy_rows");
        kernel_int(k, "ROWS", outer);
        kernel_int(k, "ROW_BYTES", row);
        kernel_int(k, "SRC_STRIDE", row);
        kernel_int(k, "DST_STRIDE", ydim * inner * es);
        const char *fn = kernel_end(e, k);
        emit_stmt(e, "%s(%C, (unsigned char *)%T + %D);", fn, t, y, off);
        off += row;
    }
    return 0;
}

/* ---------------------------------------------------------------- Shape */

int infer_shape(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    if (drop_if_no_result(n)) return 0;
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t start = attr_int(n, "start", 0), end = attr_int(n, "end", x->rank);
    if (start < 0) start += x->rank;
    if (end < 0) end += x->rank;
    if (start < 0) start = 0;
    if (end > x->rank) end = x->rank;
    int64_t cnt = end > start ? end - start : 0;
    set_out(n, 0, DT_INT64, 1, &cnt);
    /* The shape is static: the output is a constant right away. */
    int64_t *d = alloc_const(g, y);
    for (int64_t i = 0; i < cnt; i++)
        d[i] = x->dims[start + i];
    y->producer = NULL;
    n->dead = true;
    return 0;
}
int fold_shape(Graph *g, Node *n) {
    (void)g, (void)n;
    return 0;
}
int emit_shape(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: Shape should have been folded");
    return -1;
}

/* ---------------------------------------------------------------- Gather */

int infer_gather(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *idx = n->inputs[1];
    if (idx->dtype != DT_INT64 && idx->dtype != DT_INT32) {
        error_at_node(n, "indices '%s' must be int32 or int64", idx->name);
        return -1;
    }
    int64_t axis = attr_int(n, "axis", 0);
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    int r = x->rank - 1 + idx->rank;
    if (r > MAX_RANK) {
        error_at_node(n, "result rank %d exceeds %d", r, MAX_RANK);
        return -1;
    }
    if (idx->data) {
        for (int64_t i = 0; i < tensor_numel(idx); i++) {
            int64_t v = tensor_get_i64(idx, i);
            if (v < -x->dims[axis] || v >= x->dims[axis]) {
                error_at_node(n, "index %lld is out of range for axis size %lld", (long long)v,
                              (long long)x->dims[axis]);
                return -1;
            }
        }
    }
    int64_t d[MAX_RANK];
    int k = 0;
    for (int i = 0; i < axis; i++)
        d[k++] = x->dims[i];
    for (int i = 0; i < idx->rank; i++)
        d[k++] = idx->dims[i];
    for (int i = (int)axis + 1; i < x->rank; i++)
        d[k++] = x->dims[i];
    set_out(n, 0, x->dtype, r, d);
    return 0;
}

static void gather_split(const Node *n, int64_t *outer, int64_t *axis_dim, int64_t *inner) {
    const Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", 0);
    if (axis < 0) axis += x->rank;
    split_axis(x, axis, false, outer, axis_dim, inner);
}

int fold_gather(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *y = n->outputs[0];
    int64_t outer, ad, inner, ni = tensor_numel(idx), es = (int64_t)dtype_size(x->dtype);
    gather_split(n, &outer, &ad, &inner);
    unsigned char *out = alloc_const(g, y);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < ni; i++) {
            int64_t v = tensor_get_i64(idx, i);
            if (v < 0) v += ad;
            memcpy(out + ((o * ni + i) * inner) * es,
                   (unsigned char *)x->data + ((o * ad + v) * inner) * es, (size_t)(inner * es));
        }
    return 0;
}

int emit_gather(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *y = n->outputs[0];
    int64_t outer, ad, inner;
    gather_split(n, &outer, &ad, &inner);
    Kernel *k = kernel_begin(e, "gather");
    kernel_str(k, "TI", dtype_ctype(idx->dtype));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "AXIS_DIM", ad);
    kernel_int(k, "INNER_BYTES", inner * (int64_t)dtype_size(x->dtype));
    kernel_int(k, "NIDX", tensor_numel(idx));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, idx, y);
    return 0;
}

/* ---------------------------------------------------------------- Slice */

typedef struct SliceSpec {
    int64_t start[MAX_RANK], step[MAX_RANK];
} SliceSpec;

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

static bool read_slice_param(Node *n, int input, const char *attr, int64_t *out, int *cnt) {
    if (n->opset < 10) {
        *cnt = attr_ints(n, attr, out, MAX_RANK);
        return true;
    }
    Tensor *t = node_input(n, input);
    if (!t) {
        *cnt = -1;
        return true;
    }
    if (!need_const(n, t, attr)) return false;
    int64_t c = tensor_numel(t);
    if (c > MAX_RANK) {
        error_at_node(n, "%s has too many entries", attr);
        return false;
    }
    for (int64_t i = 0; i < c; i++)
        out[i] = tensor_get_i64(t, i);
    *cnt = (int)c;
    return true;
}

static bool slice_spec(Node *n, SliceSpec *sp, int64_t *dims) {
    Tensor *x = n->inputs[0];
    int64_t starts[MAX_RANK], ends[MAX_RANK], axes[MAX_RANK], steps[MAX_RANK];
    int ns, ne, na, nst;
    if (!read_slice_param(n, 1, "starts", starts, &ns) ||
        !read_slice_param(n, 2, "ends", ends, &ne) || !read_slice_param(n, 3, "axes", axes, &na) ||
        !read_slice_param(n, 4, "steps", steps, &nst))
        return false;
    if (ns < 0 || ne != ns || (na >= 0 && na != ns) || (nst >= 0 && nst != ns)) {
        error_at_node(n, "starts, ends, axes and steps must have the same length");
        return false;
    }
    for (int i = 0; i < x->rank; i++)
        sp->start[i] = 0, sp->step[i] = 1, dims[i] = x->dims[i];
    bool seen[MAX_RANK] = {false};
    for (int i = 0; i < ns; i++) {
        int64_t a = na >= 0 ? axes[i] : i, step = nst >= 0 ? steps[i] : 1;
        if (!norm_axis(n, &a, x->rank, "axis")) return false;
        if (seen[a]) {
            error_at_node(n, "axis %lld is repeated", (long long)a);
            return false;
        }
        seen[a] = true;
        if (step == INT64_MIN) step = -INT64_MAX; /* same slice, and -step exists */
        if (step == 0) {
            error_at_node(n, "step must not be 0");
            return false;
        }
        int64_t d = x->dims[a], s = starts[i], e = ends[i];
        if (s < 0) s += d;
        if (e < 0 && e > INT64_MIN / 2) e += d;
        if (step > 0) {
            s = clamp64(s, 0, d);
            e = clamp64(e, 0, d);
            dims[a] = e > s ? (e - s - 1) / step + 1 : 0; /* no overflow for any step */
        } else {
            s = clamp64(s, -1, d - 1);
            e = clamp64(e, -1, d - 1);
            dims[a] = s > e ? (s - e - 1) / -step + 1 : 0;
        }
        sp->start[a] = s;
        sp->step[a] = step;
    }
    return true;
}

int infer_slice(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, n->opset < 10 ? 1 : 3, n->opset < 10 ? 1 : 5)) return -1;
    SliceSpec sp;
    int64_t d[MAX_RANK];
    if (!slice_spec(n, &sp, d)) return -1;
    set_out(n, 0, n->inputs[0]->dtype, n->inputs[0]->rank, d);
    return 0;
}

/* Element offset and strides of the slice in the input. */
static int64_t slice_strides(Node *n, int64_t *st) {
    Tensor *x = n->inputs[0];
    SliceSpec sp;
    int64_t d[MAX_RANK], is[MAX_RANK], s = 1, base = 0;
    slice_spec(n, &sp, d);
    for (int i = x->rank - 1; i >= 0; i--)
        is[i] = s, s *= x->dims[i];
    for (int i = 0; i < x->rank; i++) {
        base += sp.start[i] * is[i];
        st[i] = sp.step[i] * is[i];
    }
    return base;
}

int fold_slice(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t st[MAX_RANK];
    int64_t base = slice_strides(n, st);
    fold_strided(g, x, base, y, y->rank, y->dims, st);
    return 0;
}

int emit_slice(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t st[MAX_RANK], d[MAX_RANK], s[MAX_RANK];
    int64_t base = slice_strides(n, st);
    int r = 0;
    for (int i = 0; i < y->rank; i++)
        if (y->dims[i] != 1) d[r] = y->dims[i], s[r] = st[i], r++;
    if (r == 0) d[0] = 1, s[0] = 0, r = 1;
    if (tensor_numel(y) == 0) return 0;
    Kernel *k = kernel_begin(e, "transpose"); /* a strided gather is a generalized transpose */
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "RANK", r);
    kernel_ints(k, "DIMS", d, r);
    kernel_ints(k, "STRIDES", s, r);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C + %D, %T);", fn, x, base, y);
    return 0;
}

/* ---------------------------------------------------------------- Cast, CastLike */

/* float16 and bfloat16 are stored as their uint16_t bit patterns; the cast
   template converts them with integer bit operations (float16 rounds to
   nearest even, as numpy does; float -> bfloat16 keeps the upper 16 bits,
   which is what the ONNX 1.12 reference data for Cast expects). */
static bool cast_type_ok(Node *n, DType t, const char *what) {
    if (t > 0 && t < DT_COUNT && dtype_ctype(t)) return true;
    error_at_node(n, "cast %s type %s is not supported", what,
                  t > 0 && t < DT_COUNT ? dtype_name(t) : "(invalid)");
    return false;
}

/* Bytes of characters per element of a number-to-string cast: the longest
   text cast_to_string.m4 writes is 24 ("-1.2345678901234567e-308"). */
#define CAST_STRING_SLOT 32

/* Strings convert to and from float, double and integers (not bool or the
   16-bit floats), and to strings (a pointer copy). */
static bool cast_string_ok(Node *n, DType from, DType to) {
    if (from != DT_STRING && to != DT_STRING) return true;
    DType other = from == DT_STRING ? to : from;
    bool ok = other == DT_STRING || other == DT_FLOAT || other == DT_DOUBLE;
    if (to == DT_STRING && other != DT_BOOL && !dtype_is_float(other)) ok = true; /* integers */
    if (!ok)
        error_at_node(n, "cast from %s to %s is not supported (strings: float, double%s)",
                      dtype_name(from), dtype_name(to),
                      to == DT_STRING ? " and integers" : "; integers only to string");
    return ok;
}

static DType cast_target(const Node *n) {
    if (strcmp(n->op_type, "CastLike") == 0) return n->inputs[1]->dtype;
    int64_t to = attr_int(n, "to", -1);
    return to > 0 && to < DT_COUNT ? (DType)to : DT_UNDEFINED;
}

int infer_cast(Graph *g, Node *n) {
    (void)g;
    bool like = strcmp(n->op_type, "CastLike") == 0;
    if (!need_inputs(n, like ? 2 : 1, like ? 2 : 1)) return -1;
    Tensor *x = n->inputs[0];
    DType to = cast_target(n);
    if (!cast_type_ok(n, x->dtype, "from") || !cast_type_ok(n, to, "to") ||
        !cast_string_ok(n, x->dtype, to))
        return -1;
    set_out(n, 0, to, x->rank, x->dims);
    return 0;
}

int fold_cast(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->dtype == DT_FLOAT16 || x->dtype == DT_BFLOAT16) return 1; /* left to the kernel */
    if (x->dtype == DT_STRING || y->dtype == DT_STRING) return 1;    /* the string kernels */
    alloc_const(g, y);
    for (int64_t i = 0; i < tensor_numel(y); i++) {
        switch (y->dtype) {
        case DT_FLOAT:
            ((float *)y->data)[i] = (float)tensor_get_f64(x, i);
            break;
        case DT_DOUBLE:
            ((double *)y->data)[i] = tensor_get_f64(x, i);
            break;
        case DT_BOOL:
            ((uint8_t *)y->data)[i] = tensor_get_f64(x, i) != 0;
            break;
        case DT_INT64:
            ((int64_t *)y->data)[i] = tensor_get_i64(x, i);
            break;
        case DT_INT32:
            ((int32_t *)y->data)[i] = (int32_t)tensor_get_i64(x, i);
            break;
        default:
            y->data = NULL;
            return 1;
        }
    }
    return 0;
}

/* The template's name for a type's conversion path. */
static const char *cast_kind(DType t) {
    switch (t) {
    case DT_FLOAT16:
        return "half";
    case DT_BFLOAT16:
        return "bf16";
    case DT_BOOL:
        return "bool";
    default:
        return dtype_is_float(t) ? "float" : "int";
    }
}

int64_t scratch_cast(const Node *n, const Options *opt) {
    (void)opt;
    const Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (y->dtype != DT_STRING || x->dtype == DT_STRING) return 0;
    return tensor_numel(y) * CAST_STRING_SLOT;
}

static int emit_cast_string(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->dtype == DT_STRING && y->dtype == DT_STRING) {
        Kernel *k = kernel_begin(e, "copy");
        kernel_int(k, "BYTES", tensor_bytes(y));
        emit_stmt(e, "%s(%C, %T);", kernel_end(e, k), x, y);
        return 0;
    }
    if (x->dtype == DT_STRING) {
        Kernel *k = kernel_begin(e, "cast_from_string");
        kernel_str(k, "TY", dtype_ctype(y->dtype));
        kernel_int(k, "N", tensor_numel(y));
        emit_stmt(e, "%s(%C, %T);", kernel_end(e, k), x, y);
        return 0;
    }
    Kernel *k = kernel_begin(e, "cast_to_string");
    kernel_str(k, "TX", dtype_ctype(x->dtype));
    if (dtype_is_float(x->dtype)) {
        kernel_str(k, "KIND", "float");
        kernel_int(k, "MAXDIG", x->dtype == DT_FLOAT ? 9 : 17);
    } else {
        bool is_unsigned = x->dtype == DT_UINT8 || x->dtype == DT_UINT16 || x->dtype == DT_UINT32 ||
                           x->dtype == DT_UINT64;
        kernel_str(k, "KIND", is_unsigned ? "uint" : "int");
    }
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "SLOT", CAST_STRING_SLOT);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T, %s);", fn, x, y,
              emit_scratch(e, "char", tensor_numel(y) * CAST_STRING_SLOT));
    return 0;
}

int emit_cast(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    if (x->dtype == DT_STRING || y->dtype == DT_STRING) return emit_cast_string(e, n);
    Kernel *k = kernel_begin(e, "cast");
    kernel_str(k, "TX", dtype_ctype(x->dtype));
    kernel_str(k, "TY", dtype_ctype(y->dtype));
    kernel_str(k, "FROM", cast_kind(x->dtype));
    kernel_str(k, "TO", cast_kind(y->dtype));
    kernel_int(k, "N", tensor_numel(y));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, y);
    return 0;
}

int infer_castlike(Graph *g, Node *n) {
    if (infer_cast(g, n) != 0) return -1;
    /* Only the element type of `like` matters: dropping the edge leaves a
       graph input `like` unread, so any data will do for it (see check). */
    n->inputs[1] = NULL;
    return 0;
}
int fold_castlike(Graph *g, Node *n) {
    return fold_cast(g, n);
}
int emit_castlike(Emit *e, Node *n) {
    return emit_cast(e, n);
}

/* ---------------------------------------------------------------- ConstantOfShape */

int infer_constant_of_shape(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *s = n->inputs[0];
    if (!need_const(n, s, "shape")) return -1;
    int64_t d[MAX_RANK], cnt = tensor_numel(s);
    if (s->rank != 1 || cnt > MAX_RANK) {
        error_at_node(n, "shape must be 1-D with at most %d entries", MAX_RANK);
        return -1;
    }
    for (int64_t i = 0; i < cnt; i++) {
        d[i] = tensor_get_i64(s, i);
        if (d[i] < 0) {
            error_at_node(n, "shape entry %lld is negative", (long long)d[i]);
            return -1;
        }
    }
    const Attr *v = node_attr(n, "value");
    set_out(n, 0, v && v->t ? v->t->dtype : DT_FLOAT, (int)cnt, d);
    if (tensor_numel(n->outputs[0]) < 0 || tensor_bytes(n->outputs[0]) > ((int64_t)1 << 31)) {
        error_at_node(n, "the output is too large");
        return -1;
    }
    return 0;
}

int fold_constant_of_shape(Graph *g, Node *n) {
    Tensor *y = n->outputs[0];
    const Attr *v = node_attr(n, "value");
    size_t es = dtype_size(y->dtype);
    unsigned char *out = alloc_const(g, y);
    if (!v || !v->t) return 0; /* zeros */
    for (int64_t i = 0; i < tensor_numel(y); i++)
        memcpy(out + (size_t)i * es, v->t->data, es);
    return 0;
}

int emit_constant_of_shape(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: ConstantOfShape should have been folded");
    return -1;
}

/* ---------------------------------------------------------------- Range */

int infer_range(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 3, 3)) return -1;
    for (int i = 0; i < 3; i++)
        if (!need_const(n, n->inputs[i], "start/limit/delta")) return -1;
    Tensor *s = n->inputs[0];
    double start = tensor_get_f64(s, 0), limit = tensor_get_f64(n->inputs[1], 0),
           delta = tensor_get_f64(n->inputs[2], 0);
    if (delta == 0) {
        error_at_node(n, "delta must not be 0");
        return -1;
    }
    double cnt = ceil((limit - start) / delta);
    int64_t c = cnt > 0 ? (int64_t)cnt : 0;
    if (c > ((int64_t)1 << 28)) {
        error_at_node(n, "the range has too many elements");
        return -1;
    }
    set_out(n, 0, s->dtype, 1, &c);
    return 0;
}

int fold_range(Graph *g, Node *n) {
    Tensor *y = n->outputs[0];
    alloc_const(g, y);
    double start = tensor_get_f64(n->inputs[0], 0), delta = tensor_get_f64(n->inputs[2], 0);
    int64_t is = tensor_get_i64(n->inputs[0], 0), id = tensor_get_i64(n->inputs[2], 0);
    for (int64_t i = 0; i < tensor_numel(y); i++) {
        switch (y->dtype) {
        case DT_FLOAT:
            ((float *)y->data)[i] = (float)(start + (double)i * delta);
            break;
        case DT_DOUBLE:
            ((double *)y->data)[i] = start + (double)i * delta;
            break;
        case DT_INT64:
            ((int64_t *)y->data)[i] = is + i * id;
            break;
        case DT_INT32:
            ((int32_t *)y->data)[i] = (int32_t)(is + i * id);
            break;
        default:
            return 1;
        }
    }
    return 0;
}

int emit_range(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: Range should have been folded");
    return -1;
}
