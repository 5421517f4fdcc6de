/*
 * movement.c - data-movement ops beyond the reshape family of shape.c:
 * Trilu, EyeLike, Size, Split, GatherElements, GatherND, ScatterElements
 * (and the old Scatter), ScatterND, Expand, Tile, DepthToSpace,
 * SpaceToDepth, Pad, OneHot, Compress, ReverseSequence.
 *
 * Most of these are a strided gather: each output element reads one input
 * element at an offset that is affine in the output multi-index. Those
 * (Expand, Tile, DepthToSpace, SpaceToDepth) are expressed as dims and
 * strides of a view and reuse the transpose template through
 * emit_strided/fold_strided; the rest have small templates of their own.
 *
 * Operands that decide the output shape (Expand's shape, Tile's repeats,
 * Pad's pads, OneHot's depth, Compress's condition, Split's split) must be
 * compile-time constants: the output shapes size the static arena, and the
 * compiler never sees run-time values. Operands that only affect values
 * (indices, Trilu's k, Pad's constant_value, OneHot's values,
 * ReverseSequence's sequence_lens) are read by the generated code at run
 * time.
 */
#include "ops.h"

#include <string.h>

static void strides_of(int rank, const int64_t *dims, int64_t *st) {
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--)
        st[i] = s, s *= dims[i];
}

static bool need_index_type(Node *n, const Tensor *t, const char *what) {
    if (t->dtype == DT_INT64 || t->dtype == DT_INT32) return true;
    error_at_node(n, "%s '%s' must be int32 or int64, not %s", what, t->name, dtype_name(t->dtype));
    return false;
}

/* Strings only for ops the registry marks as copying elements whole. */
static bool need_ctype(Node *n, const Tensor *t) {
    if (dtype_ctype(t->dtype) && (t->dtype != DT_STRING || (n->op->flags & OPF_STRINGS)))
        return true;
    error_at_node(n, "tensor '%s' of type %s is not supported", t->name, dtype_name(t->dtype));
    return false;
}

/* ---------------------------------------------------------------- strided views */

/* Merges adjacent dims whose strides chain (the inner one's stride times its
   size is the outer one's) and drops size-1 dims; returns the new rank. */
static int simplify_view(int rank, int64_t *dims, int64_t *st) {
    int r = 0;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 1) continue;
        if (r > 0 && st[r - 1] == st[i] * dims[i]) {
            dims[r - 1] *= dims[i];
            st[r - 1] = st[i];
            continue;
        }
        dims[r] = dims[i], st[r] = st[i], r++;
    }
    if (r == 0) dims[0] = 1, st[0] = 0, r = 1;
    return r;
}

#define VIEW_RANK (2 * MAX_RANK)

/* y[i...] = x[base + sum i_k * strides[k]] over y's elements in the view dims. */
int emit_strided(Emit *e, Tensor *x, int64_t base, Tensor *y, int rank, const int64_t *dims,
                 const int64_t *strides) {
    int64_t d[VIEW_RANK], s[VIEW_RANK];
    memcpy(d, dims, sizeof(int64_t) * (size_t)rank);
    memcpy(s, strides, sizeof(int64_t) * (size_t)rank);
    if (tensor_numel(y) == 0) return 0;
    int r = simplify_view(rank, d, s);
    Kernel *k = kernel_begin(e, "transpose");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "RANK", r);
    kernel_ints(k, "DIMS", d, r);
    kernel_ints(k, "STRIDES", s, r);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C + %D, %T);", fn, x, base, y);
    return 0;
}

void fold_strided(Graph *g, Tensor *x, int64_t base, Tensor *y, int rank, const int64_t *dims,
                  const int64_t *strides) {
    int64_t idx[VIEW_RANK] = {0}, es = (int64_t)dtype_size(x->dtype), total = tensor_numel(y);
    unsigned char *out = alloc_const(g, y);
    for (int64_t i = 0; i < total; i++) {
        int64_t off = base;
        for (int d = 0; d < rank; d++)
            off += idx[d] * strides[d];
        memcpy(out + i * es, (unsigned char *)x->data + off * es, (size_t)es);
        index_next(idx, dims, rank);
    }
}

/* ---------------------------------------------------------------- Trilu */

int infer_trilu(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *x = n->inputs[0], *k = node_input(n, 1);
    if (x->rank < 2) {
        error_at_node(n, "input '%s' must have rank 2 or more", x->name);
        return -1;
    }
    if (!need_ctype(n, x)) return -1;
    if (k && (tensor_numel(k) != 1 || !need_index_type(n, k, "k"))) {
        if (tensor_numel(k) != 1) error_at_node(n, "k must be a scalar");
        return -1;
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int fold_trilu(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *kt = node_input(n, 1), *y = n->outputs[0];
    int64_t k = kt ? tensor_get_i64(kt, 0) : 0, r = x->dims[x->rank - 2], c = x->dims[x->rank - 1];
    bool upper = attr_int(n, "upper", 1) != 0;
    size_t es = dtype_size(x->dtype);
    unsigned char *out = alloc_const(g, y);
    for (int64_t i = 0; i < tensor_numel(y); i++) {
        int64_t col = i % c, row = (i / c) % r;
        bool keep = upper ? col - row >= k : col - row <= k;
        if (keep) memcpy(out + (size_t)i * es, (unsigned char *)x->data + (size_t)i * es, es);
    }
    return 0;
}

int emit_trilu(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *kt = node_input(n, 1), *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    int64_t r = x->dims[x->rank - 2], c = x->dims[x->rank - 1];
    Kernel *k = kernel_begin(e, "trilu");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "BATCH", tensor_numel(y) / (r * c));
    kernel_int(k, "R", r);
    kernel_int(k, "C", c);
    kernel_int(k, "UPPER", attr_int(n, "upper", 1) != 0);
    const char *fn = kernel_end(e, k);
    if (kt)
        emit_stmt(e, "%s(%C, (long)(%C)[0], %T);", fn, x, kt, y); /* k is read at run time */
    else
        emit_stmt(e, "%s(%C, 0, %T);", fn, x, y);
    return 0;
}

/* ---------------------------------------------------------------- EyeLike, Size */

/* Both depend only on the input's static shape, so they are constants. */
int infer_eyelike(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    if (drop_if_no_result(n)) return 0;
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->rank != 2) {
        error_at_node(n, "input '%s' must have rank 2", x->name);
        return -1;
    }
    int64_t dt = attr_int(n, "dtype", x->dtype), k = attr_int(n, "k", 0);
    if (dt <= 0 || dt >= DT_COUNT || !dtype_ctype((DType)dt) || dt == DT_STRING) {
        error_at_node(n, "dtype %lld is not supported", (long long)dt);
        return -1;
    }
    set_out(n, 0, (DType)dt, 2, x->dims);
    unsigned char *out = alloc_const(g, y);
    size_t es = dtype_size(y->dtype);
    for (int64_t i = 0; i < x->dims[0]; i++) {
        int64_t j = i + k;
        if (j < 0 || j >= x->dims[1]) continue;
        unsigned char *p = out + (size_t)(i * x->dims[1] + j) * es;
        switch (y->dtype) {
        case DT_FLOAT: {
            float one = 1.0f;
            memcpy(p, &one, es);
            break;
        }
        case DT_DOUBLE: {
            double one = 1.0;
            memcpy(p, &one, es);
            break;
        }
        case DT_FLOAT16: {
            uint16_t one = 0x3c00;
            memcpy(p, &one, es);
            break;
        }
        case DT_BFLOAT16: {
            uint16_t one = 0x3f80;
            memcpy(p, &one, es);
            break;
        }
        default: /* integers: 1 in the lowest byte, little-endian */
            p[0] = 1;
            break;
        }
    }
    y->producer = NULL;
    n->dead = true;
    return 0;
}
int fold_eyelike(Graph *g, Node *n) {
    (void)g, (void)n;
    return 0;
}
int emit_eyelike(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: EyeLike should have been folded");
    return -1;
}

int infer_size(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    if (drop_if_no_result(n)) return 0;
    Tensor *y = n->outputs[0];
    set_out(n, 0, DT_INT64, 0, NULL);
    *(int64_t *)alloc_const(g, y) = tensor_numel(n->inputs[0]);
    y->producer = NULL;
    n->dead = true;
    return 0;
}
int fold_size(Graph *g, Node *n) {
    (void)g, (void)n;
    return 0;
}
int emit_size(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: Size should have been folded");
    return -1;
}

/* ---------------------------------------------------------------- Split */

/* The sizes of the parts along the axis: the `split` attribute (< 13) or
   constant input, else equal parts (the last one smaller, opset 18). */
static bool split_sizes(Node *n, int64_t *sizes) {
    Tensor *x = n->inputs[0], *st = node_input(n, 1);
    int64_t axis = attr_int(n, "axis", 0);
    if (!norm_axis(n, &axis, x->rank, "axis")) return false;
    int64_t d = x->dims[axis], total = 0;
    int cnt = -1;
    int64_t buf[256];
    if (n->opset < 13) {
        cnt = attr_ints(n, "split", buf, 256);
    } else if (st) {
        if (!need_const(n, st, "split")) return false;
        if (tensor_numel(st) > 256) {
            error_at_node(n, "too many parts");
            return false;
        }
        cnt = (int)tensor_numel(st);
        for (int i = 0; i < cnt; i++)
            buf[i] = tensor_get_i64(st, i);
    }
    if (cnt >= 0) {
        if (cnt != n->noutputs) {
            error_at_node(n, "split has %d entries for %d outputs", cnt, n->noutputs);
            return false;
        }
        for (int i = 0; i < cnt; i++) {
            if (buf[i] < 0 || buf[i] > d) {
                error_at_node(n, "split entry %d is negative or larger than the axis", i);
                return false;
            }
            sizes[i] = buf[i], total += buf[i];
        }
        if (total != d) {
            error_at_node(n, "split sums to %lld, the axis has size %lld", (long long)total,
                          (long long)d);
            return false;
        }
        return true;
    }
    int64_t parts = attr_int(n, "num_outputs", n->noutputs);
    if (parts != n->noutputs || parts <= 0) {
        error_at_node(n, "num_outputs %lld does not match %d outputs", (long long)parts,
                      n->noutputs);
        return false;
    }
    int64_t each = (d + parts - 1) / parts;
    if (n->opset < 18 && d % parts != 0) {
        error_at_node(n, "axis size %lld does not split into %lld equal parts", (long long)d,
                      (long long)parts);
        return false;
    }
    for (int64_t i = 0; i < parts; i++) {
        int64_t left = d - i * each;
        sizes[i] = left < 0 ? 0 : left < each ? left : each;
    }
    return true;
}

int infer_split(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *x = n->inputs[0];
    if (n->noutputs > 256) {
        error_at_node(n, "too many outputs");
        return -1;
    }
    int64_t sizes[256], axis = attr_int(n, "axis", 0);
    if (!split_sizes(n, sizes)) return -1;
    if (axis < 0) axis += x->rank;
    for (int i = 0; i < n->noutputs; i++) {
        int64_t d[MAX_RANK];
        memcpy(d, x->dims, sizeof d);
        d[axis] = sizes[i];
        set_out(n, i, x->dtype, x->rank, d);
    }
    return 0;
}

static void split_geom(const Node *n, int64_t *outer, int64_t *inner, int64_t *axis) {
    const Tensor *x = n->inputs[0];
    *axis = attr_int(n, "axis", 0);
    if (*axis < 0) *axis += x->rank;
    int64_t dim;
    split_axis(x, *axis, false, outer, &dim, inner);
}

int fold_split(Graph *g, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t outer, inner, axis, off = 0, es = (int64_t)dtype_size(x->dtype);
    split_geom(n, &outer, &inner, &axis);
    for (int i = 0; i < n->noutputs; i++) {
        Tensor *y = n->outputs[i];
        if (!y) continue;
        int64_t row = y->dims[axis] * inner * es;
        unsigned char *out = alloc_const(g, y);
        for (int64_t o = 0; o < outer; o++)
            memcpy(out + o * row, (unsigned char *)x->data + o * x->dims[axis] * inner * es + off,
                   (size_t)row);
        off += row;
    }
    return 0;
}

int emit_split(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t outer, inner, axis, off = 0, es = (int64_t)dtype_size(x->dtype);
    split_geom(n, &outer, &inner, &axis);
    for (int i = 0; i < n->noutputs; i++) {
        Tensor *y = n->outputs[i];
        int64_t row = (y ? y->dims[axis] : 0) * inner * es;
        if (y && row > 0 && outer > 0) {
            Kernel *k = kernel_begin(e, "copy_rows");
            kernel_int(k, "ROWS", outer);
            kernel_int(k, "ROW_BYTES", row);
            kernel_int(k, "SRC_STRIDE", x->dims[axis] * inner * es);
            kernel_int(k, "DST_STRIDE", row);
            const char *fn = kernel_end(e, k);
            emit_stmt(e, "%s((const unsigned char *)%C + %D, %T);", fn, x, off, y);
        }
        off += row;
    }
    return 0;
}

/* ---------------------------------------------------------------- GatherElements, ScatterElements
 */

/* Both address data[i with i[axis] replaced by indices[i]] for each element
   of indices; out-of-range indices read or write element 0 of the axis
   (ONNX leaves them undefined; memory safety is not optional). */
static int64_t elements_axis(Node *n) {
    int64_t axis = attr_int(n, "axis", 0);
    return axis < 0 ? axis + n->inputs[0]->rank : axis;
}

int infer_gather_elements(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *idx = n->inputs[1];
    int64_t axis = attr_int(n, "axis", 0);
    if (!need_ctype(n, x) || !need_index_type(n, idx, "indices")) return -1;
    if (x->rank < 1 || idx->rank != x->rank) {
        error_at_node(n, "indices '%s' must have the rank of data '%s' (at least 1)", idx->name,
                      x->name);
        return -1;
    }
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    set_out(n, 0, x->dtype, idx->rank, idx->dims);
    return 0;
}

static const char *scatter_reduction(Node *n) {
    const char *r = attr_str(n, "reduction", "none");
    if (strcmp(r, "none") && strcmp(r, "add") && strcmp(r, "mul") && strcmp(r, "max") &&
        strcmp(r, "min")) {
        error_at_node(n, "reduction '%s' is not supported", r);
        return NULL;
    }
    return r;
}

int infer_scatter_elements(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 3, 3)) return -1;
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *u = n->inputs[2];
    int64_t axis = attr_int(n, "axis", 0);
    if (!need_ctype(n, x) || !need_index_type(n, idx, "indices") || !scatter_reduction(n))
        return -1;
    if (x->rank < 1 || idx->rank != x->rank || !tensor_same_shape(idx, u) || u->dtype != x->dtype) {
        error_at_node(n, "indices and updates must have the same shape and data's rank");
        return -1;
    }
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

static Kernel *elements_kernel(Emit *e, Node *n, const char *tmpl) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1];
    int64_t xs[MAX_RANK];
    strides_of(x->rank, x->dims, xs);
    int64_t axis = elements_axis(n);
    Kernel *k = kernel_begin(e, tmpl);
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_str(k, "TI", dtype_ctype(idx->dtype));
    kernel_int(k, "RANK", x->rank);
    kernel_int(k, "N", tensor_numel(idx));
    kernel_int(k, "NX", tensor_numel(x));
    kernel_ints(k, "IDIMS", idx->dims, idx->rank);
    kernel_ints(k, "XSTRIDES", xs, x->rank);
    kernel_int(k, "AXIS", axis);
    kernel_int(k, "AXIS_DIM", x->dims[axis]);
    return k;
}

int fold_gather_elements(Graph *g, Node *n) {
    (void)g, (void)n;
    return 1; /* rare on constants: leave it to the kernel */
}

int emit_gather_elements(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    const char *fn = kernel_end(e, elements_kernel(e, n, "gather_elements"));
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, idx, y);
    return 0;
}

int emit_scatter_elements(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *u = n->inputs[2], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    Kernel *k = elements_kernel(e, n, "scatter_elements");
    kernel_str(k, "REDUCE", scatter_reduction(n));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %C, %T);", fn, x, idx, u, y);
    return 0;
}

/* ---------------------------------------------------------------- GatherND, ScatterND */

typedef struct NdGeom {
    int64_t batch, nq, k, slice, xbatch;
    int64_t xd[MAX_RANK], xs[MAX_RANK];
} NdGeom;

static bool nd_geom(Node *n, int64_t b, NdGeom *ng) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1];
    if (!need_index_type(n, idx, "indices")) return false;
    if (idx->rank < 1 || b < 0 || b >= idx->rank || b >= x->rank) {
        error_at_node(n, "batch_dims %lld does not fit indices of rank %d", (long long)b,
                      idx->rank);
        return false;
    }
    ng->k = idx->dims[idx->rank - 1];
    if (ng->k < 1 || b + ng->k > x->rank) {
        error_at_node(n, "the last dimension of indices (%lld) must be in 1..%lld",
                      (long long)ng->k, (long long)(x->rank - b));
        return false;
    }
    int64_t xs[MAX_RANK];
    strides_of(x->rank, x->dims, xs);
    ng->batch = 1, ng->nq = 1, ng->slice = 1;
    for (int i = 0; i < b; i++) {
        if (x->dims[i] != idx->dims[i]) {
            error_at_node(n, "batch dimension %d differs between data and indices", i);
            return false;
        }
        ng->batch *= x->dims[i];
    }
    for (int i = (int)b; i < idx->rank - 1; i++)
        ng->nq *= idx->dims[i];
    for (int i = (int)(b + ng->k); i < x->rank; i++)
        ng->slice *= x->dims[i];
    ng->xbatch = b > 0 ? xs[b - 1] : tensor_numel(x);
    for (int j = 0; j < ng->k; j++)
        ng->xd[j] = x->dims[b + j], ng->xs[j] = xs[b + j];
    return true;
}

int infer_gather_nd(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *idx = n->inputs[1];
    int64_t b = attr_int(n, "batch_dims", 0);
    NdGeom ng;
    if (!need_ctype(n, x) || !nd_geom(n, b, &ng)) return -1;
    int64_t d[MAX_RANK];
    int r = 0;
    for (int i = 0; i < idx->rank - 1; i++)
        d[r++] = idx->dims[i];
    for (int i = (int)(b + ng.k); i < x->rank; i++) {
        if (r >= MAX_RANK) {
            error_at_node(n, "result rank exceeds %d", MAX_RANK);
            return -1;
        }
        d[r++] = x->dims[i];
    }
    set_out(n, 0, x->dtype, r, d);
    return 0;
}

static Kernel *nd_kernel(Emit *e, Node *n, const char *tmpl, int64_t b) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1];
    NdGeom ng;
    nd_geom(n, b, &ng);
    Kernel *k = kernel_begin(e, tmpl);
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_str(k, "TI", dtype_ctype(idx->dtype));
    kernel_int(k, "NX", tensor_numel(x));
    kernel_int(k, "BATCH", ng.batch);
    kernel_int(k, "NQ", ng.nq);
    kernel_int(k, "K", ng.k);
    kernel_int(k, "SLICE", ng.slice);
    kernel_int(k, "XBATCH", ng.xbatch);
    kernel_ints(k, "XDIMS", ng.xd, (int)ng.k);
    kernel_ints(k, "XSTRIDES", ng.xs, (int)ng.k);
    return k;
}

int emit_gather_nd(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    const char *fn = kernel_end(e, nd_kernel(e, n, "gather_nd", attr_int(n, "batch_dims", 0)));
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, idx, y);
    return 0;
}

int infer_scatter_nd(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 3, 3)) return -1;
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *u = n->inputs[2];
    NdGeom ng;
    if (!need_ctype(n, x) || !nd_geom(n, 0, &ng) || !scatter_reduction(n)) return -1;
    if (u->dtype != x->dtype || tensor_numel(u) != ng.nq * ng.slice) {
        error_at_node(n, "updates '%s' must hold %lld values of type %s", u->name,
                      (long long)(ng.nq * ng.slice), dtype_name(x->dtype));
        return -1;
    }
    (void)idx;
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_scatter_nd(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *idx = n->inputs[1], *u = n->inputs[2], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    Kernel *k = nd_kernel(e, n, "scatter_nd", 0);
    kernel_str(k, "REDUCE", scatter_reduction(n));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %C, %T);", fn, x, idx, u, y);
    return 0;
}

/* ---------------------------------------------------------------- Expand, Tile */

/* The view of an op whose output is a strided gather of input 0. */
typedef struct View {
    int rank;
    int64_t dims[VIEW_RANK], st[VIEW_RANK], base;
} View;

static bool expand_shape(Node *n, int *rank, int64_t *dims) {
    Tensor *x = n->inputs[0], *s = n->inputs[1];
    if (!need_const(n, s, "shape")) return false;
    int64_t cnt = tensor_numel(s);
    if (s->rank != 1 || cnt > MAX_RANK) {
        error_at_node(n, "shape must be 1-D with at most %d entries", MAX_RANK);
        return false;
    }
    Tensor shp = {.name = s->name, .rank = (int)cnt};
    for (int64_t i = 0; i < cnt; i++)
        shp.dims[i] = tensor_get_i64(s, i);
    return broadcast_shape(n, x, &shp, rank, dims);
}

int infer_expand(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    int r;
    int64_t d[MAX_RANK];
    if (!need_ctype(n, n->inputs[0]) || !expand_shape(n, &r, d)) return -1;
    set_out(n, 0, n->inputs[0]->dtype, r, d);
    return 0;
}

static void expand_view(Node *n, View *v) {
    Tensor *y = n->outputs[0];
    v->rank = y->rank, v->base = 0;
    memcpy(v->dims, y->dims, sizeof(int64_t) * (size_t)y->rank);
    broadcast_strides(n->inputs[0], y->rank, y->dims, v->st);
}

int fold_expand(Graph *g, Node *n) {
    View v;
    expand_view(n, &v);
    fold_strided(g, n->inputs[0], v.base, n->outputs[0], v.rank, v.dims, v.st);
    return 0;
}
int emit_expand(Emit *e, Node *n) {
    View v;
    expand_view(n, &v);
    return emit_strided(e, n->inputs[0], v.base, n->outputs[0], v.rank, v.dims, v.st);
}

int infer_tile(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *r = n->inputs[1];
    if (!need_ctype(n, x) || !need_const(n, r, "repeats")) return -1;
    if (tensor_numel(r) != x->rank) {
        error_at_node(n, "repeats has %lld entries, the input has rank %d",
                      (long long)tensor_numel(r), x->rank);
        return -1;
    }
    int64_t d[MAX_RANK];
    for (int i = 0; i < x->rank; i++) {
        int64_t k = tensor_get_i64(r, i);
        if (k < 0 || (k > 0 && x->dims[i] > INT64_MAX / k)) {
            error_at_node(n, "repeats entry %d (%lld) is negative or too large", i, (long long)k);
            return -1;
        }
        d[i] = x->dims[i] * k;
    }
    set_out(n, 0, x->dtype, x->rank, d);
    return 0;
}

/* Output dim i of size r*d as the pair (repeat, position) with strides (0, s). */
static void tile_view(Node *n, View *v) {
    Tensor *x = n->inputs[0];
    int64_t xs[MAX_RANK];
    strides_of(x->rank, x->dims, xs);
    v->rank = 2 * x->rank, v->base = 0;
    for (int i = 0; i < x->rank; i++) {
        v->dims[2 * i] = tensor_get_i64(n->inputs[1], i), v->st[2 * i] = 0;
        v->dims[2 * i + 1] = x->dims[i], v->st[2 * i + 1] = xs[i];
    }
}

int fold_tile(Graph *g, Node *n) {
    View v;
    tile_view(n, &v);
    fold_strided(g, n->inputs[0], v.base, n->outputs[0], v.rank, v.dims, v.st);
    return 0;
}
int emit_tile(Emit *e, Node *n) {
    View v;
    tile_view(n, &v);
    return emit_strided(e, n->inputs[0], v.base, n->outputs[0], v.rank, v.dims, v.st);
}

/* ---------------------------------------------------------------- DepthToSpace, SpaceToDepth */

/* Both are a reshape to 6-D, a transpose, and a reshape back. The view's
   dims are the transposed 6-D dims; its strides those of the input's 6-D
   reshape, permuted the same way. */
static bool space_depth(Node *n, View *v, int64_t *od) {
    Tensor *x = n->inputs[0];
    int64_t b = attr_int(n, "blocksize", 0);
    bool d2s = strcmp(n->op_type, "DepthToSpace") == 0;
    if (x->rank != 4 || b <= 0) {
        error_at_node(n, "needs a 4-D input and a positive blocksize");
        return false;
    }
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], six[6];
    const int *perm;
    static const int dcr[6] = {0, 3, 4, 1, 5, 2}, crd[6] = {0, 1, 4, 2, 5, 3},
                     s2d[6] = {0, 3, 5, 1, 2, 4};
    if (d2s) {
        if (C % (b * b)) {
            error_at_node(n, "channels %lld are not a multiple of blocksize^2", (long long)C);
            return false;
        }
        bool is_crd = strcmp(attr_str(n, "mode", "DCR"), "CRD") == 0;
        int64_t c2 = C / (b * b);
        int64_t a[6] = {N, b, b, c2, H, W}, c[6] = {N, c2, b, b, H, W};
        memcpy(six, is_crd ? c : a, sizeof six);
        perm = is_crd ? crd : dcr;
        od[0] = N, od[1] = c2, od[2] = H * b, od[3] = W * b;
    } else {
        if (H % b || W % b) {
            error_at_node(n, "spatial size is not a multiple of blocksize");
            return false;
        }
        int64_t a[6] = {N, C, H / b, b, W / b, b};
        memcpy(six, a, sizeof six);
        perm = s2d;
        od[0] = N, od[1] = C * b * b, od[2] = H / b, od[3] = W / b;
    }
    int64_t st[6];
    strides_of(6, six, st);
    v->rank = 6, v->base = 0;
    for (int i = 0; i < 6; i++)
        v->dims[i] = six[perm[i]], v->st[i] = st[perm[i]];
    return true;
}

int infer_space_depth(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    View v;
    int64_t od[4];
    if (!need_ctype(n, n->inputs[0]) || !space_depth(n, &v, od)) return -1;
    set_out(n, 0, n->inputs[0]->dtype, 4, od);
    return 0;
}
int fold_space_depth(Graph *g, Node *n) {
    View v;
    int64_t od[4];
    space_depth(n, &v, od);
    fold_strided(g, n->inputs[0], v.base, n->outputs[0], v.rank, v.dims, v.st);
    return 0;
}
int emit_space_depth(Emit *e, Node *n) {
    View v;
    int64_t od[4];
    space_depth(n, &v, od);
    return emit_strided(e, n->inputs[0], v.base, n->outputs[0], v.rank, v.dims, v.st);
}

/* ---------------------------------------------------------------- Pad */

typedef struct PadSpec {
    int64_t begin[MAX_RANK], end[MAX_RANK];
    int mode; /* 0 constant, 1 reflect, 2 edge */
} PadSpec;

static bool pad_spec(Node *n, PadSpec *p) {
    Tensor *x = n->inputs[0];
    int64_t pads[2 * MAX_RANK];
    int np;
    if (n->opset < 11) {
        np = attr_ints(n, "pads", pads, 2 * MAX_RANK);
        if (np < 0) np = attr_ints(n, "paddings", pads, 2 * MAX_RANK);
    } else {
        Tensor *t = n->inputs[1];
        if (!need_const(n, t, "pads")) return false;
        np = tensor_numel(t) <= 2 * MAX_RANK ? (int)tensor_numel(t) : -1;
        for (int i = 0; i < np; i++)
            pads[i] = tensor_get_i64(t, i);
    }
    /* Opset 18 axes: the pads name only these axes. */
    Tensor *axes_t = node_input(n, 3);
    int64_t axes[MAX_RANK];
    int na = x->rank;
    for (int i = 0; i < x->rank; i++)
        axes[i] = i;
    if (axes_t) {
        if (!need_const(n, axes_t, "axes")) return false;
        na = (int)tensor_numel(axes_t);
        if (na > x->rank) na = x->rank;
        for (int i = 0; i < na; i++) {
            axes[i] = tensor_get_i64(axes_t, i);
            if (!norm_axis(n, &axes[i], x->rank, "axis")) return false;
        }
    }
    if (np != 2 * na) {
        error_at_node(n, "pads must have %d entries", 2 * na);
        return false;
    }
    memset(p->begin, 0, sizeof p->begin);
    memset(p->end, 0, sizeof p->end);
    for (int i = 0; i < na; i++)
        p->begin[axes[i]] = pads[i], p->end[axes[i]] = pads[na + i];
    const char *mode = attr_str(n, "mode", "constant");
    p->mode = !strcmp(mode, "constant")  ? 0
              : !strcmp(mode, "reflect") ? 1
              : !strcmp(mode, "edge")    ? 2
                                         : -1;
    if (p->mode < 0) {
        error_at_node(n, "mode '%s' is not supported", mode);
        return false;
    }
    for (int i = 0; i < x->rank; i++) {
        if (p->begin[i] > INT32_MAX || p->begin[i] < -INT32_MAX || p->end[i] > INT32_MAX ||
            p->end[i] < -INT32_MAX) {
            error_at_node(n, "pads of axis %d are out of range", i);
            return false;
        }
        int64_t d = x->dims[i] + p->begin[i] + p->end[i];
        if (d < 0) {
            error_at_node(n, "pads make dimension %d negative", i);
            return false;
        }
        bool padded = p->begin[i] > 0 || p->end[i] > 0;
        if (p->mode && padded && x->dims[i] == 0) {
            error_at_node(n, "cannot %s-pad an empty dimension", mode);
            return false;
        }
    }
    return true;
}

int infer_pad(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, n->opset < 11 ? 1 : 2, n->opset < 11 ? 1 : 4)) return -1;
    Tensor *x = n->inputs[0];
    PadSpec p;
    if (!need_ctype(n, x) || !pad_spec(n, &p)) return -1;
    int64_t d[MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        d[i] = x->dims[i] + p.begin[i] + p.end[i];
    set_out(n, 0, x->dtype, x->rank, d);
    return 0;
}

int emit_pad(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0], *val = node_input(n, 2);
    PadSpec p;
    pad_spec(n, &p);
    if (tensor_numel(y) == 0) return 0;
    int64_t xs[MAX_RANK];
    strides_of(x->rank, x->dims, xs);
    int r = x->rank ? x->rank : 1;
    int64_t od[MAX_RANK], xd[MAX_RANK], pb[MAX_RANK];
    for (int i = 0; i < r; i++) {
        od[i] = x->rank ? y->dims[i] : 1, xd[i] = x->rank ? x->dims[i] : 1;
        pb[i] = x->rank ? p.begin[i] : 0, xs[i] = x->rank ? xs[i] : 0;
    }
    Kernel *k = kernel_begin(e, "pad");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "RANK", r);
    kernel_ints(k, "ODIMS", od, r);
    kernel_ints(k, "XDIMS", xd, r);
    kernel_ints(k, "XSTRIDES", xs, r);
    kernel_ints(k, "PADB", pb, r);
    kernel_int(k, "MODE", p.mode);
    const char *fn = kernel_end(e, k);
    float fval = attr_float(n, "value", 0.0f);
    if (n->opset >= 11 && val)
        emit_stmt(e, "%s(%C, (%C)[0], %T);", fn, x, val, y); /* the value is read at run time */
    else if (dtype_is_float(x->dtype) && x->dtype != DT_FLOAT16 && x->dtype != DT_BFLOAT16) {
        char b[64];
        snprintf(b, sizeof b, "%a", (double)fval);
        emit_stmt(e, "%s(%C, %s, %T);", fn, x, b, y);
    } else
        emit_stmt(e, "%s(%C, 0, %T);", fn, x, y);
    return 0;
}

/* ---------------------------------------------------------------- OneHot */

int infer_onehot(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 3, 3)) return -1;
    Tensor *idx = n->inputs[0], *depth = n->inputs[1], *vals = n->inputs[2];
    if (!need_const(n, depth, "depth")) return -1;
    if (!need_ctype(n, vals) || tensor_numel(vals) != 2) {
        error_at_node(n, "values must hold [off_value, on_value]");
        return -1;
    }
    if (idx->rank + 1 > MAX_RANK) {
        error_at_node(n, "result rank exceeds %d", MAX_RANK);
        return -1;
    }
    int64_t dep = (int64_t)tensor_get_f64(depth, 0), axis = attr_int(n, "axis", -1);
    if (dep <= 0) {
        error_at_node(n, "depth must be positive");
        return -1;
    }
    if (!norm_axis(n, &axis, idx->rank + 1, "axis")) return -1;
    int64_t d[MAX_RANK];
    for (int i = 0, j = 0; i <= idx->rank; i++)
        d[i] = i == axis ? dep : idx->dims[j++];
    set_out(n, 0, vals->dtype, idx->rank + 1, d);
    return 0;
}

int emit_onehot(Emit *e, Node *n) {
    Tensor *idx = n->inputs[0], *vals = n->inputs[2], *y = n->outputs[0];
    int64_t axis = attr_int(n, "axis", -1), dep, outer, inner;
    if (axis < 0) axis += y->rank;
    split_axis(y, axis, false, &outer, &dep, &inner);
    if (tensor_numel(y) == 0) return 0;
    Kernel *k = kernel_begin(e, "onehot");
    kernel_str(k, "T", dtype_ctype(y->dtype));
    kernel_str(k, "TI", dtype_ctype(idx->dtype));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "DEPTH", dep);
    kernel_int(k, "INNER", inner);
    kernel_int(k, "FLOAT_INDEX", dtype_is_float(idx->dtype));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, idx, vals, y);
    return 0;
}

/* ---------------------------------------------------------------- Compress */

/* The condition decides the output size, so it must be constant; the op is
   then a Gather with constant indices. */
static int64_t compress_picks(Node *n, int64_t limit, int64_t *picks) {
    Tensor *c = n->inputs[1];
    int64_t cnt = 0, m = tensor_numel(c) < limit ? tensor_numel(c) : limit;
    for (int64_t i = 0; i < m; i++)
        if (tensor_get_i64(c, i)) {
            if (picks) picks[cnt] = i;
            cnt++;
        }
    return cnt;
}

int infer_compress(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *c = n->inputs[1];
    if (!need_ctype(n, x) || !need_const(n, c, "condition")) return -1;
    const Attr *a = node_attr(n, "axis");
    if (!a) {
        int64_t cnt = compress_picks(n, tensor_numel(x), NULL);
        set_out(n, 0, x->dtype, 1, &cnt);
        return 0;
    }
    int64_t axis = a->i, d[MAX_RANK];
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    memcpy(d, x->dims, sizeof d);
    d[axis] = compress_picks(n, x->dims[axis], NULL);
    set_out(n, 0, x->dtype, x->rank, d);
    return 0;
}

static void compress_geom(Node *n, int64_t *outer, int64_t *ad, int64_t *inner) {
    Tensor *x = n->inputs[0];
    const Attr *a = node_attr(n, "axis");
    *outer = 1, *inner = 1, *ad = tensor_numel(x);
    if (!a) return;
    split_axis(x, a->i < 0 ? a->i + x->rank : a->i, false, outer, ad, inner);
}

int emit_compress(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t outer, ad, inner;
    compress_geom(n, &outer, &ad, &inner);
    int64_t cnt = compress_picks(n, ad, NULL);
    if (cnt == 0 || tensor_numel(y) == 0) return 0;
    int64_t *picks = pool_alloc(emit_graph(e)->pool, sizeof(int64_t) * (size_t)cnt);
    compress_picks(n, ad, picks);
    Kernel *k = kernel_begin(e, "gather");
    kernel_str(k, "TI", "int64_t");
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "AXIS_DIM", ad);
    kernel_int(k, "INNER_BYTES", inner * (int64_t)dtype_size(x->dtype));
    kernel_int(k, "NIDX", cnt);
    const char *fn = kernel_end(e, k);
    const char *ix = emit_const_array(e, DT_INT64, picks, cnt, "Compress indices");
    emit_stmt(e, "%s(%C, %s, %T);", fn, x, ix, y);
    return 0;
}

/* ---------------------------------------------------------------- ReverseSequence */

int infer_reverse_sequence(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *len = n->inputs[1];
    int64_t ba = attr_int(n, "batch_axis", 1), ta = attr_int(n, "time_axis", 0);
    if (!need_ctype(n, x) || !need_index_type(n, len, "sequence_lens")) return -1;
    if (x->rank < 2 || !((ba == 0 && ta == 1) || (ba == 1 && ta == 0))) {
        error_at_node(n, "needs rank >= 2 and batch_axis/time_axis of 0 and 1");
        return -1;
    }
    if (tensor_numel(len) != x->dims[ba]) {
        error_at_node(n, "sequence_lens must have one entry per batch");
        return -1;
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_reverse_sequence(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *len = n->inputs[1], *y = n->outputs[0];
    int64_t ba = attr_int(n, "batch_axis", 1), inner = 1;
    for (int i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    if (tensor_numel(y) == 0) return 0;
    Kernel *k = kernel_begin(e, "reverse_sequence");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_str(k, "TI", dtype_ctype(len->dtype));
    kernel_int(k, "BATCH_AXIS", ba);
    kernel_int(k, "D0", x->dims[0]);
    kernel_int(k, "D1", x->dims[1]);
    kernel_int(k, "INNER", inner);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, len, y);
    return 0;
}
