/*
 * common.c - checks and shape helpers shared by the operator files.
 */
#include "ops.h"

#include <string.h>

/* A node that folds itself into a constant output (Shape, Size, EyeLike)
   but has no output 0 to fill (none listed, or an empty name): nothing can
   read its result, so it is dropped. Returns true when that happened. */
bool drop_if_no_result(Node *n) {
    if (node_output(n, 0)) return false;
    n->dead = true;
    return true;
}

bool need_inputs(Node *n, int min, int max) {
    int have = 0;
    for (int i = 0; i < n->ninputs; i++)
        if (n->inputs[i]) have = i + 1;
    if (have < min || n->ninputs > max) {
        if (min == max)
            error_at_node(n, "expects %d inputs, has %d", min, n->ninputs);
        else
            error_at_node(n, "expects %d to %d inputs, has %d", min, max, n->ninputs);
        return false;
    }
    for (int i = 0; i < min; i++)
        if (!n->inputs[i]) {
            error_at_node(n, "input %d is required but empty", i);
            return false;
        }
    for (int i = 0; i < n->ninputs; i++) {
        Tensor *t = n->inputs[i];
        if (t && t->kind != VK_TENSOR) continue; /* sequence.c checks its values */
        if (t && t->rank < 0) {
            error_at_node(n, "the shape of input '%s' is unknown%s", t->name,
                          t->is_input ? " (bind it with --shape or --dim)" : "");
            return false;
        }
        if (t && tensor_numel(t) < 0) {
            char buf[128];
            error_at_node(
                n, "input '%s' has unbound dimensions %s (bind them with --dim SYMBOL=VALUE)",
                t->name, shape_str(t, buf, sizeof buf));
            return false;
        }
    }
    return true;
}

bool need_rank(Node *n, const Tensor *t, const char *what, int rank) {
    if (t->rank == rank) return true;
    error_at_node(n, "%s '%s' has rank %d, expected %d", what, t->name, t->rank, rank);
    return false;
}

bool need_dtype_float(Node *n, const Tensor *t, const char *what) {
    if (t->dtype == DT_FLOAT) return true;
    error_at_node(n, "%s '%s' has type %s; only float is supported here", what, t->name,
                  dtype_name(t->dtype));
    return false;
}

/* Graph inputs that an op needed as compile-time constants in this
   compilation (`mlegen check` can fix them to its data). */
static char needed[64][256];
static int nneeded;

int needed_const_inputs(const char **names, int max) {
    for (int i = 0; i < nneeded && i < max; i++)
        names[i] = needed[i];
    return nneeded;
}

void needed_const_reset(void) {
    nneeded = 0;
}

/* A weight-like operand that this op's kernels only take as a constant:
   unlike need_const's shape operands it is never frozen by `check`. */
bool need_const_weight(Node *n, const Tensor *t, const char *what) {
    if (t->data) return true;
    error_at_node(
        n, "%s '%s' must be a compile-time constant (reading it at run time is not supported yet)",
        what, t->name);
    return false;
}

static void note_needed(const Tensor *t) {
    bool seen = false;
    for (int i = 0; i < nneeded; i++)
        seen |= strcmp(needed[i], t->name) == 0;
    if (!seen && nneeded < 64) snprintf(needed[nneeded++], sizeof needed[0], "%s", t->name);
}

/* Records the graph inputs t is computed from (an explicit stack, no
   recursion: the depth of a model's graph is the attacker's to choose). */
static void note_inputs_of(const Tensor *t) {
    enum { MAX = 256 };
    const Tensor *stack[MAX];
    int top = 0, visited = 0;
    stack[top++] = t;
    while (top > 0 && visited++ < 4096) {
        const Tensor *x = stack[--top];
        if (x->is_input) note_needed(x);
        if (!x->producer) continue;
        for (int k = 0; k < x->producer->ninputs && top < MAX; k++)
            if (x->producer->inputs[k] && !x->producer->inputs[k]->data)
                stack[top++] = x->producer->inputs[k];
    }
}

bool need_const(Node *n, const Tensor *t, const char *what) {
    if (t->data) return true;
    note_inputs_of(t);
    error_at_node(
        n, "%s '%s' must be a compile-time constant (computed at run time it is not supported)",
        what, t->name);
    return false;
}

bool norm_axis(Node *n, int64_t *axis, int rank, const char *what) {
    int64_t a = *axis < 0 ? *axis + rank : *axis;
    if (a < 0 || a >= (rank ? rank : 1)) {
        error_at_node(n, "%s %lld is out of range for rank %d", what, (long long)*axis, rank);
        return false;
    }
    *axis = a;
    return true;
}

bool broadcast_shape(Node *n, const Tensor *a, const Tensor *b, int *rank, int64_t *dims) {
    int r = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char sa[128], sb[128];
            error_at_node(n, "cannot broadcast '%s' %s with '%s' %s (dimension %d: %lld vs %lld)",
                          a->name, shape_str(a, sa, sizeof sa), b->name,
                          shape_str(b, sb, sizeof sb), i, (long long)da, (long long)db);
            return false;
        }
        dims[i] = da == 1 ? db : da;
    }
    *rank = r;
    return true;
}

void set_out(Node *n, int i, DType dt, int rank, const int64_t *dims) {
    Tensor *t = node_output(n, i);
    if (t) tensor_set_shape(t, dt, rank, dims);
}

void *alloc_const(Graph *g, Tensor *t) {
    int64_t b = tensor_bytes(t);
    t->data = pool_alloc(g->pool, (size_t)(b > 0 ? b : 1));
    return t->data;
}

void broadcast_strides(const Tensor *t, int rank, const int64_t *dims, int64_t *strides) {
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        int it = i - (rank - t->rank);
        int64_t d = it >= 0 ? t->dims[it] : 1;
        strides[i] = (d == 1 && dims[i] != 1) || it < 0 ? 0 : s;
        s *= d;
    }
}

int64_t numel_of(int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    return n;
}

/* Writes element i of a constant tensor from a double or int64 value. */
void tensor_put(Tensor *t, int64_t i, double d, int64_t v, bool is_int) {
    switch (t->dtype) {
    case DT_FLOAT:
        ((float *)t->data)[i] = is_int ? (float)v : (float)d;
        return;
    case DT_DOUBLE:
        ((double *)t->data)[i] = is_int ? (double)v : d;
        return;
    case DT_BOOL:
        ((uint8_t *)t->data)[i] = (uint8_t)(is_int ? v != 0 : d != 0);
        return;
    default:
        break;
    }
    int64_t x = is_int ? v : (int64_t)d;
    switch (t->dtype) {
    case DT_INT8:
        ((int8_t *)t->data)[i] = (int8_t)x;
        break;
    case DT_UINT8:
        ((uint8_t *)t->data)[i] = (uint8_t)x;
        break;
    case DT_INT16:
        ((int16_t *)t->data)[i] = (int16_t)x;
        break;
    case DT_UINT16:
        ((uint16_t *)t->data)[i] = (uint16_t)x;
        break;
    case DT_INT32:
        ((int32_t *)t->data)[i] = (int32_t)x;
        break;
    case DT_UINT32:
        ((uint32_t *)t->data)[i] = (uint32_t)x;
        break;
    case DT_INT64:
    case DT_UINT64:
        ((int64_t *)t->data)[i] = x;
        break;
    default:
        break;
    }
}

void index_next(int64_t *idx, const int64_t *dims, int rank) {
    for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < dims[d]) return;
        idx[d] = 0;
    }
}

/* [OUTER, DIM, INNER] view of x around `axis`. With `flatten` (the softmax
   family before opset 13) the input is coerced to 2-D at the axis instead:
   DIM takes every dimension from the axis on. */
void split_axis(const Tensor *x, int64_t axis, bool flatten, int64_t *outer, int64_t *dim,
                int64_t *inner) {
    *outer = *dim = *inner = 1;
    for (int i = 0; i < x->rank; i++) {
        if (i < axis)
            *outer *= x->dims[i];
        else if (i == axis || flatten)
            *dim *= x->dims[i];
        else
            *inner *= x->dims[i];
    }
}

int64_t softmax_axis(const Node *n) {
    int64_t axis = attr_int(n, "axis", n->opset < 13 ? 1 : -1);
    return axis < 0 ? axis + n->inputs[0]->rank : axis;
}
