/*
 * control.c - If, Loop and Scan, compiled by inlining their bodies.
 *
 * mlegen emits straight-line code, so control flow is resolved at compile
 * time: the infer function of these ops copies the body graph's nodes into
 * the enclosing graph right after the node (which then dies), and shape
 * inference goes on with the copies as with any other node.
 *   If:   a constant condition inlines the branch taken; a run-time one
 *         inlines both and selects each output with Where.
 *   Loop: unrolled; its trip count and initial condition decide the scan
 *         outputs' shapes, so they must be known at compile time, and the
 *         body must pass its condition through unchanged (a for-loop, as
 *         exporters write them). Data-dependent termination is refused.
 *   Scan: unrolled over the (static) scan axis; scan inputs are sliced with
 *         Gather, scan outputs stacked with Unsqueeze + Concat.
 * Nested control flow: a node with subgraphs copied out of a body keeps the
 * body's value map (Node.outer), so its own subgraphs, inlined later, read
 * the copies of the enclosing body's values.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#define MAX_UNROLL 4096

/* Where an inlined body's values went: map[id] is the copy of the body
   tensor of that id; up is the body enclosing this one. */
struct BodyMap {
    Graph *body;
    Tensor **map;
    int nmap;
    const BodyMap *up;
};

static Tensor *const_scalar(Graph *g, const char *stem, DType dt, int64_t v) {
    Tensor *t = graph_new_tensor(g, stem);
    tensor_set_shape(t, dt, 0, NULL);
    void *d = alloc_const(g, t);
    if (dt == DT_INT64)
        *(int64_t *)d = v;
    else if (dt == DT_BOOL)
        *(uint8_t *)d = (uint8_t)(v != 0);
    return t;
}

static Tensor *const_axes(Graph *g, int64_t axis) {
    Tensor *t = graph_new_tensor(g, "axes");
    int64_t one = 1;
    tensor_set_shape(t, DT_INT64, 1, &one);
    *(int64_t *)alloc_const(g, t) = axis;
    return t;
}

Node *inliner_add(Inliner *in, const char *op, const char *tag, int ninputs, int noutputs) {
    Node *n = graph_add_node(in->g, op, pool_printf(in->g->pool, "%s/%s", in->at->name, tag),
                             ninputs, noutputs);
    n->opset = in->at->opset;
    in->appended++;
    return n;
}

static void set_int_attr(Graph *g, Node *n, const char *name, int64_t v) {
    Attr *a = pool_alloc(g->pool, sizeof(Attr) * (size_t)(n->nattrs + 1));
    if (n->nattrs) memcpy(a, n->attrs, sizeof(Attr) * (size_t)n->nattrs);
    a[n->nattrs].name = pool_strdup(g->pool, name);
    a[n->nattrs].type = ATTR_INT;
    a[n->nattrs].i = v;
    n->attrs = a;
    n->nattrs++;
}

static void set_ints_attr(Graph *g, Node *n, const char *name, int64_t v) {
    Attr *a = pool_alloc(g->pool, sizeof(Attr) * (size_t)(n->nattrs + 1));
    if (n->nattrs) memcpy(a, n->attrs, sizeof(Attr) * (size_t)n->nattrs);
    a[n->nattrs].name = pool_strdup(g->pool, name);
    a[n->nattrs].type = ATTR_INTS;
    a[n->nattrs].n = 1;
    a[n->nattrs].ints = pool_alloc(g->pool, sizeof(int64_t));
    a[n->nattrs].ints[0] = v;
    n->attrs = a;
    n->nattrs++;
}

static Tensor *out_or_new(Inliner *in, Tensor *out, const char *stem) {
    return out ? out : graph_new_tensor(in->g, stem);
}

Tensor *inliner_identity(Inliner *in, Tensor *x, Tensor *out) {
    Node *n = inliner_add(in, "Identity", "identity", 1, 1);
    n->inputs[0] = x;
    n->outputs[0] = out_or_new(in, out, "identity");
    n->outputs[0]->producer = n;
    return n->outputs[0];
}

/* x[..., t, ...] along axis (the axis removed). */
static Tensor *take(Inliner *in, Tensor *x, int64_t t, int64_t axis) {
    Node *n = inliner_add(in, "Gather", "slice", 2, 1);
    n->inputs[0] = x;
    n->inputs[1] = const_scalar(in->g, "index", DT_INT64, t);
    set_int_attr(in->g, n, "axis", axis);
    n->outputs[0] = graph_new_tensor(in->g, "slice");
    n->outputs[0]->producer = n;
    return n->outputs[0];
}

/* Stacks parts along a new axis: Unsqueeze each, then Concat. */
void inliner_stack(Inliner *in, Tensor **parts, int cnt, int64_t axis, Tensor *out) {
    Node *cat = NULL;
    Tensor **ups = pool_alloc(in->g->pool, sizeof(Tensor *) * (size_t)cnt);
    for (int i = 0; i < cnt; i++) {
        bool as_input = in->at->opset >= 13;
        Node *u = inliner_add(in, "Unsqueeze", "stack", as_input ? 2 : 1, 1);
        u->inputs[0] = parts[i];
        if (as_input)
            u->inputs[1] = const_axes(in->g, axis);
        else
            set_ints_attr(in->g, u, "axes", axis);
        u->outputs[0] = graph_new_tensor(in->g, "stacked");
        u->outputs[0]->producer = u;
        ups[i] = u->outputs[0];
    }
    cat = inliner_add(in, "Concat", "stack", cnt, 1);
    for (int i = 0; i < cnt; i++)
        cat->inputs[i] = ups[i];
    set_int_attr(in->g, cat, "axis", axis);
    cat->outputs[0] = out;
    out->producer = cat;
}

/* The value a body reads as t: its copy when t belongs to this body or to
   an enclosing body already inlined, else t itself (an outer value). */
static Tensor *resolve(const BodyMap *bm, Tensor *t) {
    for (; bm; bm = bm->up)
        if (graph_find_local(bm->body, t->name) == t)
            return t->id < bm->nmap && bm->map[t->id] ? bm->map[t->id] : t->data ? t : NULL;
    return t;
}

/* Copies body's nodes with body input k bound to actual[k]; body output k
   goes to outs[k] when given (else a fresh tensor); result[k] gets it. */
bool inline_body(Inliner *in, Graph *body, Tensor **actual, int nactual, Tensor **outs,
                 Tensor **result, const char *tag) {
    Graph *g = in->g;
    if (nactual != body->ninputs) {
        error_at_node(in->at, "its body takes %d inputs, %d are given", body->ninputs, nactual);
        return false;
    }
    /* Pool memory: nodes with subgraphs keep the map (Node.outer). */
    BodyMap *bm = pool_alloc(g->pool, sizeof(BodyMap));
    bm->body = body;
    bm->nmap = body->ntensors;
    bm->map = pool_alloc(g->pool, sizeof(Tensor *) * ((size_t)body->ntensors + 1));
    bm->up = in->at->outer;
    Tensor **map = bm->map;
    for (int k = 0; k < body->ninputs; k++)
        map[body->inputs[k]->id] = actual[k];
    bool ok = true;
    for (int i = 0; i < body->nnodes && ok; i++) {
        Node *bn = body->nodes[i];
        if (bn->dead) continue;
        Node *n = inliner_add(in, bn->op_type, pool_printf(g->pool, "%s/%s", tag, bn->name),
                              bn->ninputs, bn->noutputs);
        n->domain = bn->domain;
        n->opset = bn->opset;
        n->attrs = bn->attrs;
        n->nattrs = bn->nattrs;
        n->outer = bm;
        for (int k = 0; k < bn->ninputs; k++) {
            Tensor *t = bn->inputs[k];
            if (!t) continue;
            bool local = graph_find_local(body, t->name) == t;
            if (local && !map[t->id] && t->data) {
                /* A body constant becomes a constant of the enclosing graph. */
                Tensor *c = graph_new_tensor(g, t->name);
                tensor_set_shape(c, t->dtype, t->rank, t->dims);
                c->data = t->data;
                map[t->id] = c;
            }
            Tensor *v = local ? map[t->id] : resolve(bm->up, t);
            if (!v) {
                error_at_node(in->at, "body value '%s' is used before it is computed", t->name);
                ok = false;
                break;
            }
            n->inputs[k] = v;
        }
        for (int k = 0; k < bn->noutputs; k++) {
            Tensor *t = bn->outputs[k];
            if (!t) continue;
            Tensor *dst = NULL;
            for (int o = 0; o < body->noutputs; o++)
                if (body->outputs[o] == t && outs && outs[o] && !outs[o]->producer) dst = outs[o];
            if (!dst) dst = graph_new_tensor(g, t->name);
            dst->producer = n;
            n->outputs[k] = dst;
            map[t->id] = dst;
        }
    }
    for (int o = 0; o < body->noutputs && ok; o++) {
        Tensor *t = body->outputs[o];
        Tensor *v = graph_find_local(body, t->name) == t ? map[t->id] : resolve(bm->up, t);
        if (!v && t->data) {
            v = graph_new_tensor(g, t->name);
            tensor_set_shape(v, t->dtype, t->rank, t->dims);
            v->data = t->data;
        }
        if (!v) {
            error_at_node(in->at, "body output '%s' is never computed", t->name);
            ok = false;
            break;
        }
        /* Outputs that are inputs, constants or outer values get a copy. */
        if (outs && outs[o] && v != outs[o]) v = inliner_identity(in, v, outs[o]);
        result[o] = v;
    }
    return ok;
}

/* Moves the nodes appended at the end of g->nodes to right after `pos`,
   so inference meets them next, before the node's former consumers. */
void inliner_place(Inliner *in) {
    Graph *g = in->g;
    int cnt = in->appended, start = g->nnodes - cnt, pos = in->pos + 1;
    if (cnt == 0 || start == pos) return;
    Node **tmp = malloc(sizeof(Node *) * (size_t)cnt);
    if (!tmp) return;
    memcpy(tmp, g->nodes + start, sizeof(Node *) * (size_t)cnt);
    memmove(g->nodes + pos + cnt, g->nodes + pos, sizeof(Node *) * (size_t)(start - pos));
    memcpy(g->nodes + pos, tmp, sizeof(Node *) * (size_t)cnt);
    free(tmp);
    for (int i = 0; i < g->nnodes; i++)
        g->nodes[i]->id = i;
}

static int node_pos(Graph *g, Node *n) {
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i] == n) return i;
    return -1;
}

Inliner inliner_at(Graph *g, Node *n) {
    Inliner in = {.g = g, .at = n, .pos = node_pos(g, n)};
    return in;
}

Graph *graph_attr(Node *n, const char *name) {
    const Attr *a = node_attr(n, name);
    if (!a || a->type != ATTR_GRAPH || !a->g) {
        error_at_node(n, "missing graph attribute '%s'", name);
        return NULL;
    }
    return a->g;
}

void node_retire(Node *n) {
    for (int k = 0; k < n->noutputs; k++)
        if (n->outputs[k] && n->outputs[k]->producer == n) n->outputs[k]->producer = NULL;
    n->dead = true;
}

/* ---------------------------------------------------------------- If */

int infer_if(Graph *g, Node *n) {
    Graph *then_g = graph_attr(n, "then_branch"), *else_g = graph_attr(n, "else_branch");
    if (!then_g || !else_g || !need_inputs(n, 1, 1)) return -1;
    Tensor *cond = n->inputs[0];
    if (tensor_numel(cond) != 1) {
        error_at_node(n, "condition '%s' must hold one value", cond->name);
        return -1;
    }
    if (then_g->noutputs != n->noutputs || else_g->noutputs != n->noutputs) {
        error_at_node(n, "both branches must have %d outputs", n->noutputs);
        return -1;
    }
    /* Where cannot choose between two sequences or optionals: their
       structure must be known, so the branch taken must be. */
    for (int k = 0; k < n->noutputs; k++)
        if ((then_g->outputs[k]->kind != VK_TENSOR || else_g->outputs[k]->kind != VK_TENSOR) &&
            !need_const(n, cond, "condition selecting a sequence or optional"))
            return -1;
    Inliner in = inliner_at(g, n);
    node_retire(n);
    Tensor **res = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(2 * n->noutputs + 1));
    if (cond->data) {
        Graph *taken = tensor_get_f64(cond, 0) != 0 ? then_g : else_g;
        if (!inline_body(&in, taken, NULL, 0, n->outputs, res, "branch")) return -1;
    } else {
        Tensor **rt = res, **re = res + n->noutputs;
        if (!inline_body(&in, then_g, NULL, 0, NULL, rt, "then") ||
            !inline_body(&in, else_g, NULL, 0, NULL, re, "else"))
            return -1;
        for (int k = 0; k < n->noutputs; k++) {
            if (!n->outputs[k]) continue;
            Node *w = inliner_add(&in, "Where", "select", 3, 1);
            w->inputs[0] = cond;
            w->inputs[1] = rt[k];
            w->inputs[2] = re[k];
            w->outputs[0] = n->outputs[k];
            n->outputs[k]->producer = w;
        }
    }
    inliner_place(&in);
    return 0;
}

/* ---------------------------------------------------------------- Loop */

/* The body's condition output must be its condition input (directly or
   through Identity) or a constant true: then the trip count decides. */
static bool cond_passes_through(Graph *body) {
    Tensor *out = body->outputs[0], *in = body->inputs[1];
    if (out == in) return true;
    if (out->data) return tensor_get_f64(out, 0) != 0;
    for (int i = 0; i < body->nnodes; i++) {
        Node *bn = body->nodes[i];
        if (!bn->dead && bn->noutputs == 1 && bn->outputs[0] == out)
            return strcmp(bn->op_type, "Identity") == 0 && bn->inputs[0] == in;
    }
    return false;
}

int infer_loop(Graph *g, Node *n) {
    Graph *body = graph_attr(n, "body");
    if (!body) return -1;
    Tensor *m = node_input(n, 0), *cond = node_input(n, 1);
    int nstate = n->ninputs - 2, nscan = n->noutputs - nstate;
    if (nstate < 0 || nscan < 0 || body->ninputs != 2 + nstate ||
        body->noutputs != 1 + nstate + nscan) {
        error_at_node(n, "its body's inputs and outputs do not match the loop's");
        return -1;
    }
    if (!m) {
        error_at_node(n,
                      "a loop without a trip count (a while loop) is not supported: its iteration "
                      "count depends on run-time data");
        return -1;
    }
    if (!need_const(n, m, "trip count") || (cond && !need_const(n, cond, "initial condition")))
        return -1;
    if (!cond_passes_through(body)) {
        error_at_node(
            n, "its body computes the loop condition: data-dependent termination is not supported");
        return -1;
    }
    int64_t iters = tensor_get_i64(m, 0);
    if (cond && tensor_get_f64(cond, 0) == 0) iters = 0;
    if (iters < 0 || iters > MAX_UNROLL) {
        error_at_node(n, "%lld iterations: unrolling supports 0 to %d", (long long)iters,
                      MAX_UNROLL);
        return -1;
    }
    if (iters == 0 && nscan > 0) {
        error_at_node(n, "a loop of zero iterations with scan outputs is not supported");
        return -1;
    }
    Inliner in = inliner_at(g, n);
    node_retire(n);
    Pool *p = g->pool;
    Tensor **state = pool_alloc(p, sizeof(Tensor *) * (size_t)(nstate + 1));
    Tensor **actual = pool_alloc(p, sizeof(Tensor *) * (size_t)(nstate + 3));
    Tensor **res = pool_alloc(p, sizeof(Tensor *) * (size_t)(1 + nstate + nscan + 1));
    Tensor **scans = pool_alloc(p, sizeof(Tensor *) * (size_t)(nscan * iters + 1));
    for (int k = 0; k < nstate; k++)
        state[k] = n->inputs[2 + k];
    Tensor *true_t = const_scalar(g, "cond", DT_BOOL, 1);
    for (int64_t it = 0; it < iters; it++) {
        actual[0] = const_scalar(g, "iter", DT_INT64, it);
        actual[1] = true_t;
        for (int k = 0; k < nstate; k++)
            actual[2 + k] = state[k];
        char tag[32];
        snprintf(tag, sizeof tag, "iter%lld", (long long)it);
        if (!inline_body(&in, body, actual, 2 + nstate, NULL, res, tag)) return -1;
        for (int k = 0; k < nstate; k++)
            state[k] = res[1 + k];
        for (int j = 0; j < nscan; j++)
            scans[j * iters + it] = res[1 + nstate + j];
    }
    for (int k = 0; k < nstate; k++)
        if (n->outputs[k]) inliner_identity(&in, state[k], n->outputs[k]);
    for (int j = 0; j < nscan; j++)
        if (n->outputs[nstate + j])
            inliner_stack(&in, scans + j * iters, (int)iters, 0, n->outputs[nstate + j]);
    inliner_place(&in);
    return 0;
}

/* ---------------------------------------------------------------- Scan */

static int64_t attr_at(const Node *n, const char *name, int i, int64_t dflt) {
    const Attr *a = node_attr(n, name);
    return a && a->type == ATTR_INTS && i < a->n ? a->ints[i] : dflt;
}

/* One scan over states st[nstate] and inputs xs[nscan_in] (scan axis per
   input given), writing final states to fin and scan outputs to souts. */
static bool scan_once(Inliner *in, Graph *body, Tensor **st, int nstate, Tensor **xs, int nin,
                      const int64_t *in_axes, int64_t len, Tensor **fin, Tensor **souts, int nout,
                      const char *prefix) {
    Node *n = in->at;
    Graph *g = in->g;
    Tensor **actual = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nstate + nin + 1));
    Tensor **res = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nstate + nout + 1));
    Tensor **parts = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nout * len + 1));
    Tensor **cur = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nstate + 1));
    memcpy(cur, st, sizeof(Tensor *) * (size_t)nstate);
    for (int64_t t = 0; t < len; t++) {
        for (int k = 0; k < nstate; k++)
            actual[k] = cur[k];
        for (int j = 0; j < nin; j++) {
            int64_t pos = attr_at(n, "scan_input_directions", j, 0) ? len - 1 - t : t;
            actual[nstate + j] = take(in, xs[j], pos, in_axes[j]);
        }
        char tag[64];
        snprintf(tag, sizeof tag, "%s%lld", prefix, (long long)t);
        if (!inline_body(in, body, actual, nstate + nin, NULL, res, tag)) return false;
        for (int k = 0; k < nstate; k++)
            cur[k] = res[k];
        for (int j = 0; j < nout; j++) {
            int64_t pos = attr_at(n, "scan_output_directions", j, 0) ? len - 1 - t : t;
            parts[j * len + pos] = res[nstate + j];
        }
    }
    for (int k = 0; k < nstate; k++)
        fin[k] = cur[k];
    for (int j = 0; j < nout; j++) {
        int64_t axis = attr_at(n, "scan_output_axes", j, 0);
        if (axis < 0) axis += parts[j * len]->rank >= 0 ? parts[j * len]->rank + 1 : 1;
        inliner_stack(in, parts + j * len, (int)len, axis, souts[j]);
    }
    return true;
}

int infer_scan(Graph *g, Node *n) {
    Graph *body = graph_attr(n, "body");
    if (!body) return -1;
    int64_t nin = attr_int(n, "num_scan_inputs", -1);
    bool v8 = n->opset < 9; /* opset 8: sequence_lens first, batch axis 0 */
    int first = v8 ? 1 : 0;
    int nstate = n->ninputs - first - (int)nin, nout = n->noutputs - nstate;
    if (nin < 1 || nstate < 0 || nout < 0 || body->ninputs != nstate + nin ||
        body->noutputs != nstate + nout) {
        error_at_node(n, "num_scan_inputs and the body's inputs and outputs do not match");
        return -1;
    }
    if (v8 && node_input(n, 0)) {
        error_at_node(n, "sequence_lens is not supported");
        return -1;
    }
    for (int i = first; i < n->ninputs; i++)
        if (!n->inputs[i] || n->inputs[i]->rank < 0) {
            error_at_node(n, "input %d has no known shape", i);
            return -1;
        }
    Tensor **st = n->inputs + first, **xs = n->inputs + first + nstate;
    int64_t axes[64];
    if (nin > 64) {
        error_at_node(n, "too many scan inputs");
        return -1;
    }
    for (int j = 0; j < nin; j++) {
        axes[j] = v8 ? 0 : attr_at(n, "scan_input_axes", j, 0);
        if (axes[j] < 0) axes[j] += xs[j]->rank - (v8 ? 1 : 0);
    }
    Inliner in = inliner_at(g, n);
    node_retire(n);
    if (!v8) {
        int64_t len = xs[0]->dims[axes[0]];
        if (len > MAX_UNROLL || len < 1) {
            error_at_node(n, "a scan of %lld steps is not supported (1 to %d)", (long long)len,
                          MAX_UNROLL);
            return -1;
        }
        Tensor **fin = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nstate + 1));
        if (!scan_once(&in, body, st, nstate, xs, (int)nin, axes, len, fin, n->outputs + nstate,
                       nout, "step"))
            return -1;
        for (int k = 0; k < nstate; k++)
            if (n->outputs[k]) inliner_identity(&in, fin[k], n->outputs[k]);
        inliner_place(&in);
        return 0;
    }
    /* Opset 8: every input carries a batch axis 0; scan each batch row. */
    int64_t batch = st[0] ? st[0]->dims[0] : xs[0]->dims[0], len = xs[0]->dims[1];
    if (batch * len > MAX_UNROLL || len < 1) {
        error_at_node(n, "a scan of %lld x %lld steps is not supported", (long long)batch,
                      (long long)len);
        return -1;
    }
    Tensor **fins = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nstate * batch + 1));
    Tensor **outs = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nout * batch + 1));
    for (int64_t b = 0; b < batch; b++) {
        Tensor **sb = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nstate + nin + 1)),
               **xb = sb + nstate;
        for (int k = 0; k < nstate; k++)
            sb[k] = take(&in, st[k], b, 0);
        for (int j = 0; j < nin; j++)
            xb[j] = take(&in, xs[j], b, 0);
        for (int j = 0; j < nout; j++)
            outs[j * batch + b] = graph_new_tensor(g, "scan_out");
        Tensor **so = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(nout + 1));
        for (int j = 0; j < nout; j++)
            so[j] = outs[j * batch + b];
        char prefix[32];
        snprintf(prefix, sizeof prefix, "b%lld_step", (long long)b);
        if (!scan_once(&in, body, sb, nstate, xb, (int)nin, axes, len, fins + b * nstate, so, nout,
                       prefix))
            return -1;
    }
    Tensor **col = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(batch + 1));
    for (int k = 0; k < nstate; k++) {
        for (int64_t b = 0; b < batch; b++)
            col[b] = fins[b * nstate + k];
        if (n->outputs[k]) inliner_stack(&in, col, (int)batch, 0, n->outputs[k]);
    }
    for (int j = 0; j < nout; j++)
        if (n->outputs[nstate + j])
            inliner_stack(&in, outs + j * batch, (int)batch, 0, n->outputs[nstate + j]);
    inliner_place(&in);
    return 0;
}

int emit_control(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: control flow should have been inlined");
    return -1;
}
