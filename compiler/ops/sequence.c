/*
 * sequence.c - sequence and optional values, resolved at compile time.
 *
 * mlegen's generated code has no lists and no "maybe": a sequence value is
 * an ordered list of tensor values (Tensor.elems) whose length and element
 * shapes are known statically, and an optional is present (one value) or
 * empty. The ops here compute those lists during shape inference and then
 * disappear: SequenceConstruct, Insert, Erase and Identity build a new list
 * of the same tensors; SequenceAt becomes an Identity of the element it
 * names; SequenceLength and OptionalHasElement become constants;
 * ConcatFromSequence and SplitToSequence become Concat / Split nodes;
 * SequenceMap inlines its body once per element (as control.c does for
 * Loop). Positions that decide the structure must be compile-time
 * constants (need_const: `check` freezes graph inputs that decide them).
 * Only the element tensors reach planning and emission; graph inputs and
 * outputs of these kinds are flattened into tensors by seq.c.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ELEMS 4096

static const char *kind_name(ValueKind k) {
    return k == VK_SEQUENCE ? "a sequence" : k == VK_OPTIONAL ? "an optional" : "a tensor";
}

/* Input k as a computed value of the given kind; reports if it is not. */
static Tensor *value_in(Node *n, int k, ValueKind kind) {
    Tensor *t = node_input(n, k);
    if (!t) {
        error_at_node(n, "input %d is missing", k);
        return NULL;
    }
    if (t->kind != kind) {
        error_at_node(n, "input '%s' is %s, not %s", t->name, kind_name(t->kind), kind_name(kind));
        return NULL;
    }
    if (kind != VK_TENSOR && t->nelems < 0) {
        error_at_node(n, "the value of '%s' is not known at compile time", t->name);
        return NULL;
    }
    return t;
}

/* Makes out the value (kind, elements) without a producer: the node that
   computed it dies, its readers see the elements. */
static void set_value(Graph *g, Tensor *out, ValueKind kind, ValueKind ek, DType dt,
                      Tensor *const *elems, int nelems) {
    out->kind = kind;
    out->elem_kind = ek;
    out->dtype = dt;
    out->rank = -1;
    out->nelems = nelems;
    out->elems = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nelems + 1));
    if (nelems) memcpy(out->elems, elems, sizeof(Tensor *) * (size_t)nelems);
}

static void set_seq(Graph *g, Tensor *out, DType dt, Tensor *const *elems, int nelems) {
    set_value(g, out, VK_SEQUENCE, VK_TENSOR, dt, elems, nelems);
}

/* The node becomes Identity(x): a real tensor for its one output. */
static int become_identity(Graph *g, Node *n, Tensor *x) {
    n->op_type = "Identity";
    n->op = op_lookup("", "Identity");
    n->ninputs = 1;
    n->inputs[0] = x;
    n->noutputs = 1;
    return infer_identity(g, n);
}

/* A constant output; the node dies. */
static void const_out(Graph *g, Node *n, DType dt, int64_t v) {
    Tensor *out = n->outputs[0];
    tensor_set_shape(out, dt, 0, NULL);
    void *d = alloc_const(g, out);
    if (dt == DT_BOOL)
        *(uint8_t *)d = (uint8_t)(v != 0);
    else
        *(int64_t *)d = v;
    node_retire(n);
}

/* A position operand: a constant scalar in [-len, len - 1], or up to len
   when inserting (len means "at the back"). */
static bool position(Node *n, Tensor *pos, int64_t len, bool insert, int64_t *out) {
    if (!need_const(n, pos, "position")) return false;
    if (tensor_numel(pos) != 1 || (pos->dtype != DT_INT64 && pos->dtype != DT_INT32)) {
        error_at_node(n, "position '%s' must be one int32 or int64 value", pos->name);
        return false;
    }
    int64_t p = tensor_get_i64(pos, 0), hi = insert ? len : len - 1;
    if (p < -len || p > hi) {
        if (len == 0 && !insert)
            error_at_node(n, "position %lld: the sequence is empty", (long long)p);
        else
            error_at_node(n, "position %lld is out of range for a sequence of %lld elements",
                          (long long)p, (long long)len);
        return false;
    }
    *out = p < 0 ? p + len : p;
    return true;
}

static bool room(Node *n, int64_t len) {
    if (len <= MAX_ELEMS) return true;
    error_at_node(n, "a sequence of %lld elements: at most %d are supported", (long long)len,
                  MAX_ELEMS);
    return false;
}

/* ---------------------------------------------------------------- ops */

static int seq_construct(Graph *g, Node *n) {
    if (!need_inputs(n, 1, MAX_ELEMS)) return -1;
    for (int k = 0; k < n->ninputs; k++) {
        Tensor *t = value_in(n, k, VK_TENSOR);
        if (!t) return -1;
        if (t->dtype != n->inputs[0]->dtype) {
            error_at_node(n, "input '%s' is %s, the first is %s: a sequence has one element type",
                          t->name, dtype_name(t->dtype), dtype_name(n->inputs[0]->dtype));
            return -1;
        }
    }
    set_seq(g, n->outputs[0], n->inputs[0]->dtype, n->inputs, n->ninputs);
    node_retire(n);
    return 0;
}

static int seq_empty(Graph *g, Node *n) {
    int64_t dt = attr_int(n, "dtype", DT_FLOAT);
    if (dt <= 0 || dt >= DT_COUNT) {
        error_at_node(n, "dtype %lld is not a tensor element type", (long long)dt);
        return -1;
    }
    set_seq(g, n->outputs[0], (DType)dt, NULL, 0);
    node_retire(n);
    return 0;
}

static int seq_insert(Graph *g, Node *n) {
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *s = value_in(n, 0, VK_SEQUENCE), *t = value_in(n, 1, VK_TENSOR);
    if (!s || !t) return -1;
    int64_t at = s->nelems;
    if (node_input(n, 2) && !position(n, n->inputs[2], s->nelems, true, &at)) return -1;
    if (s->nelems > 0 && t->dtype != s->dtype) {
        error_at_node(n, "tensor '%s' is %s, the sequence holds %s", t->name, dtype_name(t->dtype),
                      dtype_name(s->dtype));
        return -1;
    }
    if (!room(n, s->nelems + 1)) return -1;
    Tensor **e = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(s->nelems + 1));
    memcpy(e, s->elems, sizeof(Tensor *) * (size_t)at);
    e[at] = t;
    memcpy(e + at + 1, s->elems + at, sizeof(Tensor *) * (size_t)(s->nelems - at));
    set_seq(g, n->outputs[0], t->dtype, e, s->nelems + 1);
    node_retire(n);
    return 0;
}

static int seq_erase(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *s = value_in(n, 0, VK_SEQUENCE);
    if (!s) return -1;
    int64_t at = s->nelems - 1;
    if (node_input(n, 1)) {
        if (!position(n, n->inputs[1], s->nelems, false, &at)) return -1;
    } else if (s->nelems == 0) {
        error_at_node(n, "cannot erase from the empty sequence '%s'", s->name);
        return -1;
    }
    Tensor **e = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(s->nelems + 1));
    memcpy(e, s->elems, sizeof(Tensor *) * (size_t)at);
    memcpy(e + at, s->elems + at + 1, sizeof(Tensor *) * (size_t)(s->nelems - at - 1));
    set_seq(g, n->outputs[0], s->dtype, e, s->nelems - 1);
    node_retire(n);
    return 0;
}

static int seq_at(Graph *g, Node *n) {
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *s = value_in(n, 0, VK_SEQUENCE);
    int64_t at;
    if (!s || !position(n, n->inputs[1], s->nelems, false, &at)) return -1;
    return become_identity(g, n, s->elems[at]);
}

static int seq_length(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *s = value_in(n, 0, VK_SEQUENCE);
    if (!s) return -1;
    const_out(g, n, DT_INT64, s->nelems);
    return 0;
}

/* Concat of the elements, or a stack along a new axis (new_axis=1). */
static int concat_from_seq(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *s = value_in(n, 0, VK_SEQUENCE);
    if (!s) return -1;
    if (s->nelems == 0) {
        error_at_node(n, "sequence '%s' is empty: there is nothing to concatenate", s->name);
        return -1;
    }
    bool new_axis = attr_int(n, "new_axis", 0) != 0;
    int64_t axis = attr_int(n, "axis", 0);
    int rank = s->elems[0]->rank;
    if (!norm_axis(n, &axis, rank + (new_axis ? 1 : 0), "axis")) return -1;
    Tensor *out = n->outputs[0];
    Inliner in = inliner_at(g, n);
    node_retire(n);
    if (new_axis) {
        inliner_stack(&in, s->elems, s->nelems, axis, out);
    } else {
        Node *c = inliner_add(&in, "Concat", "concat", s->nelems, 1);
        c->opset = 13;
        memcpy(c->inputs, s->elems, sizeof(Tensor *) * (size_t)s->nelems);
        c->nattrs = 1;
        c->attrs = pool_alloc(g->pool, sizeof(Attr));
        c->attrs[0] = (Attr){.name = "axis", .type = ATTR_INT, .i = axis};
        c->outputs[0] = out;
        out->producer = c;
    }
    inliner_place(&in);
    return 0;
}

static Tensor *const_i64s(Graph *g, const char *stem, const int64_t *v, int64_t cnt) {
    Tensor *t = graph_new_tensor(g, stem);
    tensor_set_shape(t, DT_INT64, 1, &cnt);
    memcpy(alloc_const(g, t), v, sizeof(int64_t) * (size_t)cnt);
    return t;
}

/* Split into the parts (sizes from `split`, or 1 each), then Squeeze the
   split axis away when keepdims=0 and no split was given. */
static int split_to_seq(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *x = value_in(n, 0, VK_TENSOR), *split = node_input(n, 1);
    if (!x || x->rank < 0) return -1;
    int64_t axis = attr_int(n, "axis", 0);
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    int64_t len = x->rank ? x->dims[axis] : 1, cnt = 0;
    if (split && !need_const(n, split, "split")) return -1;
    int64_t *sizes = pool_alloc(g->pool, sizeof(int64_t) * (size_t)(len + 1));
    if (!split || (tensor_numel(split) == 1 && split->rank == 0)) {
        int64_t chunk = split ? tensor_get_i64(split, 0) : 1;
        if (chunk <= 0) {
            error_at_node(n, "split %lld must be positive", (long long)chunk);
            return -1;
        }
        for (int64_t off = 0; off < len; off += chunk)
            sizes[cnt++] = off + chunk <= len ? chunk : len - off;
    } else {
        int64_t sum = 0;
        cnt = tensor_numel(split);
        if (split->rank != 1 || cnt > len) {
            error_at_node(n, "split '%s' must be a scalar or a 1-D tensor of at most %lld sizes",
                          split->name, (long long)len);
            return -1;
        }
        for (int64_t i = 0; i < cnt; i++)
            sum += sizes[i] = tensor_get_i64(split, i);
        if (sum != len) {
            error_at_node(n, "split sizes add up to %lld, the axis has %lld", (long long)sum,
                          (long long)len);
            return -1;
        }
    }
    if (!room(n, cnt)) return -1;
    bool squeeze = !split && attr_int(n, "keepdims", 1) == 0;
    Tensor *out = n->outputs[0];
    DType dt = x->dtype;
    Inliner in = inliner_at(g, n);
    node_retire(n);
    Tensor **parts = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(cnt + 1));
    if (cnt > 0) {
        Node *s = inliner_add(&in, "Split", "split", 2, (int)cnt);
        s->opset = 13;
        s->inputs[0] = x;
        s->inputs[1] = const_i64s(g, "split", sizes, cnt);
        s->nattrs = 1;
        s->attrs = pool_alloc(g->pool, sizeof(Attr));
        s->attrs[0] = (Attr){.name = "axis", .type = ATTR_INT, .i = axis};
        for (int64_t i = 0; i < cnt; i++) {
            parts[i] = s->outputs[i] = graph_new_tensor(g, "part");
            parts[i]->producer = s;
            if (!squeeze) continue;
            Node *q = inliner_add(&in, "Squeeze", "squeeze", 2, 1);
            q->opset = 13;
            q->inputs[0] = parts[i];
            q->inputs[1] = const_i64s(g, "axes", &axis, 1);
            parts[i] = q->outputs[0] = graph_new_tensor(g, "part");
            parts[i]->producer = q;
        }
    }
    set_seq(g, out, dt, parts, (int)cnt);
    inliner_place(&in);
    return 0;
}

/* The body once per element: sequence inputs give their i-th element,
   tensor inputs themselves; output j collects body output j. */
static int seq_map(Graph *g, Node *n) {
    Graph *body = graph_attr(n, "body");
    if (!body || !need_inputs(n, 1, 1 << 16)) return -1;
    Tensor *first = value_in(n, 0, VK_SEQUENCE);
    if (!first) return -1;
    int len = first->nelems;
    for (int k = 1; k < n->ninputs; k++) {
        Tensor *t = n->inputs[k];
        if (t && t->kind == VK_SEQUENCE && t->nelems != len) {
            error_at_node(n, "sequence '%s' has %d elements, '%s' has %d", t->name, t->nelems,
                          first->name, len);
            return -1;
        }
        if (t && t->kind == VK_OPTIONAL) {
            error_at_node(n, "input '%s' is an optional, not a sequence or tensor", t->name);
            return -1;
        }
    }
    if (body->noutputs != n->noutputs) {
        error_at_node(n, "its body has %d outputs, the node %d", body->noutputs, n->noutputs);
        return -1;
    }
    int nout = n->noutputs;
    Inliner in = inliner_at(g, n);
    node_retire(n);
    Tensor **actual = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(n->ninputs + 1));
    Tensor **res = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nout + 1));
    Tensor **cols = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nout * len + 1));
    for (int i = 0; i < len; i++) {
        for (int k = 0; k < n->ninputs; k++) {
            Tensor *t = n->inputs[k];
            actual[k] = t && t->kind == VK_SEQUENCE ? t->elems[i] : t;
        }
        char tag[32];
        snprintf(tag, sizeof tag, "elem%d", i);
        if (!inline_body(&in, body, actual, n->ninputs, NULL, res, tag)) return -1;
        for (int j = 0; j < nout; j++)
            cols[j * len + i] = res[j];
    }
    for (int j = 0; j < nout; j++)
        if (n->outputs[j])
            set_seq(g, n->outputs[j],
                    n->outputs[j]->dtype ? n->outputs[j]->dtype : body->outputs[j]->dtype,
                    cols + j * len, len);
    inliner_place(&in);
    return 0;
}

static int optional(Graph *g, Node *n) {
    Tensor *x = node_input(n, 0);
    if (x && x->kind == VK_OPTIONAL) {
        error_at_node(n, "input '%s' is already an optional", x->name);
        return -1;
    }
    if (x && x->kind == VK_SEQUENCE && !value_in(n, 0, VK_SEQUENCE)) return -1;
    if (x)
        set_value(g, n->outputs[0], VK_OPTIONAL, x->kind, x->dtype, &x, 1);
    else
        set_value(g, n->outputs[0], VK_OPTIONAL, VK_TENSOR, (DType)attr_int(n, "type", 0), NULL, 0);
    node_retire(n);
    return 0;
}

static int opt_has_element(Graph *g, Node *n) {
    Tensor *x = node_input(n, 0);
    if (x && x->kind == VK_OPTIONAL && !value_in(n, 0, VK_OPTIONAL)) return -1;
    /* Opset 18 also takes a plain tensor or sequence: always present. */
    const_out(g, n, DT_BOOL, x && (x->kind != VK_OPTIONAL || x->nelems > 0));
    return 0;
}

static int opt_get_element(Graph *g, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (x->kind == VK_OPTIONAL) {
        if (!value_in(n, 0, VK_OPTIONAL)) return -1;
        if (x->nelems == 0) {
            error_at_node(n, "optional '%s' is empty", x->name);
            return -1;
        }
        x = x->elems[0];
    }
    if (x->kind == VK_TENSOR) return become_identity(g, n, x);
    n->inputs[0] = x; /* the sequence it holds */
    return infer_value_identity(g, n);
}

int infer_value_identity(Graph *g, Node *n) {
    Tensor *x = n->inputs[0];
    if (!value_in(n, 0, x->kind)) return -1;
    set_value(g, n->outputs[0], x->kind, x->elem_kind, x->dtype, x->elems, x->nelems);
    node_retire(n);
    return 0;
}

/* One entry point for the registry: dispatch on the op type. */
int infer_sequence(Graph *g, Node *n) {
    static const struct {
        const char *name;
        int (*fn)(Graph *, Node *);
    } ops[] = {
        {"ConcatFromSequence", concat_from_seq},
        {"Optional", optional},
        {"OptionalGetElement", opt_get_element},
        {"OptionalHasElement", opt_has_element},
        {"SequenceAt", seq_at},
        {"SequenceConstruct", seq_construct},
        {"SequenceEmpty", seq_empty},
        {"SequenceErase", seq_erase},
        {"SequenceInsert", seq_insert},
        {"SequenceLength", seq_length},
        {"SequenceMap", seq_map},
        {"SplitToSequence", split_to_seq},
    };
    if (n->noutputs < 1 || !n->outputs[0]) {
        error_at_node(n, "has no output");
        return -1;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(n->op_type, ops[i].name) == 0) return ops[i].fn(g, n);
    error_at_node(n, "internal: no sequence op %s", n->op_type);
    return -1;
}
