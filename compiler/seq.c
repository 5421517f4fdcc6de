/*
 * seq.c - sequence and optional values at the edges of the generated API.
 *
 * Inside the compiler a sequence is a compile-time list of tensors
 * (ops/sequence.c). The generated C has only tensors, so graph inputs and
 * outputs of these kinds are flattened, in graph order:
 *   sequence x of n elements      -> tensors x.0, x.1, ..., x.(n-1)
 *   optional x holding a tensor   -> tensor x
 *   optional x holding a sequence -> tensors x.0, ... as above
 *   empty optional x              -> nothing
 * Input lengths (and empty optionals) are compile-time facts given with
 * --seq x=N and --empty x; element shapes with --shape x.K=...; `check`
 * reads them from SequenceProto / OptionalProto test data.
 */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- inputs */

static const Binding *find_binding(const CompileRequest *req, const char *name) {
    for (int i = 0; i < req->nseqs; i++)
        if (strcmp(req->seqs[i].name, name) == 0) return &req->seqs[i];
    return NULL;
}

/* A fresh tensor named `name`, or NULL after reporting a clash. */
static Tensor *named_tensor(Graph *g, const char *name) {
    if (graph_find(g, name)) {
        error_model("the flattened name '%s' is already used by the model", name);
        return NULL;
    }
    return graph_tensor(g, name);
}

/* The tensor standing for value v in the API, named `name`: v itself keeps
   its name for the compiler's lists, so the fresh tensor takes over the
   name after v is renamed. */
static Tensor *api_tensor(Graph *g, Tensor *v, const char *name) {
    if (strcmp(v->name, name) != 0) return named_tensor(g, name);
    Tensor *t = graph_new_tensor(g, name);
    t->name = v->name;
    v->name =
        pool_printf(g->pool, "%s (%s)", name, v->kind == VK_OPTIONAL ? "optional" : "sequence");
    return t;
}

/* n element inputs for value v (of v's element type and declared shape). */
static Tensor **element_inputs(Graph *g, Tensor *v, int n, bool one) {
    Tensor **e = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(n + 1));
    for (int k = 0; k < n; k++) {
        const char *name = one ? v->name : pool_printf(g->pool, "%s.%d", v->name, k);
        Tensor *t = api_tensor(g, v, name);
        if (!t) return NULL;
        t->dtype = v->dtype;
        t->rank = v->rank;
        memcpy(t->dims, v->dims, sizeof t->dims);
        memcpy(t->sym, v->sym, sizeof t->sym);
        t->is_input = true;
        e[k] = t;
    }
    return e;
}

/* Resolves one sequence or optional input v: its elements become inputs. */
static bool bind_value(Graph *g, Tensor *v, const Binding *b) {
    bool seq = v->kind == VK_SEQUENCE || v->elem_kind == VK_SEQUENCE;
    bool empty = b && b->dims[0] < 0;
    if (v->kind == VK_SEQUENCE && (!b || empty)) {
        error_model("input '%s' is a sequence: pass --seq %s=N (its elements become the inputs "
                    "%s.0 ... %s.N-1, shapes by --shape %s.K=...)",
                    v->name, v->name, v->name, v->name, v->name);
        return false;
    }
    if (v->kind == VK_OPTIONAL && seq && !b) {
        error_model("input '%s' is an optional sequence: pass --seq %s=N or --empty %s", v->name,
                    v->name, v->name);
        return false;
    }
    if (v->kind == VK_OPTIONAL && !seq && b && !empty) {
        error_model("--seq %s: the input is an optional tensor, not a sequence (leave it "
                    "present or pass --empty %s)",
                    v->name, v->name);
        return false;
    }
    int n = empty ? 0 : b ? (int)b->dims[0] : 1;
    Tensor **e = element_inputs(g, v, n, !seq);
    if (!e) return false;
    Tensor *holder = v;
    if (v->kind == VK_OPTIONAL && seq && !empty) {
        /* optional(sequence): the optional holds a sequence value. */
        Tensor *s = graph_new_tensor(g, pool_printf(g->pool, "%s (sequence)", v->name));
        s->kind = VK_SEQUENCE;
        s->dtype = v->dtype;
        s->rank = -1;
        s->nelems = n;
        s->elems = e;
        e = pool_alloc(g->pool, sizeof(Tensor *));
        e[0] = s;
        n = 1;
    } else if (v->kind == VK_OPTIONAL && !empty) {
        n = 1;
    }
    holder->is_input = false;
    holder->rank = -1;
    holder->nelems = n;
    holder->elems = e;
    return true;
}

int bind_values(Graph *g, const CompileRequest *req) {
    int errs = 0;
    for (int i = 0; i < req->nseqs; i++) {
        bool found = false;
        for (int k = 0; k < g->ninputs; k++)
            found |= g->inputs[k]->kind != VK_TENSOR &&
                     strcmp(g->inputs[k]->name, req->seqs[i].name) == 0;
        if (!found) {
            error_model("%s %s: the model has no sequence or optional input of that name",
                        req->seqs[i].dims[0] < 0 ? "--empty" : "--seq", req->seqs[i].name);
            errs++;
        }
    }
    if (errs) return errs;
    int cnt = 0;
    for (int k = 0; k < g->ninputs; k++) {
        Tensor *v = g->inputs[k];
        if (v->kind == VK_TENSOR) {
            cnt++;
            continue;
        }
        if (!bind_value(g, v, find_binding(req, v->name)))
            errs++;
        else
            cnt += v->elem_kind == VK_SEQUENCE && v->nelems ? v->elems[0]->nelems : v->nelems;
    }
    if (errs) return errs;
    Tensor **in = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(cnt + 1));
    int n = 0;
    for (int k = 0; k < g->ninputs; k++) {
        Tensor *v = g->inputs[k];
        if (v->kind == VK_TENSOR) {
            in[n++] = v;
            continue;
        }
        if (v->kind == VK_OPTIONAL && v->elem_kind == VK_SEQUENCE && v->nelems) v = v->elems[0];
        for (int e = 0; e < v->nelems; e++)
            in[n++] = v->elems[e];
    }
    for (int k = 0; k < n; k++)
        in[k]->io_index = k;
    g->inputs = in;
    g->ninputs = n;
    return 0;
}

/* ---------------------------------------------------------------- outputs */

/* out = Identity(x), appended after everything else. */
static Tensor *copy_out(Graph *g, Tensor *x, Tensor *out) {
    Node *n = graph_add_node(g, "Identity", pool_printf(g->pool, "%s/flatten", out->name), 1, 1);
    n->op = op_lookup("", "Identity");
    n->opset = 13;
    n->inputs[0] = x;
    n->outputs[0] = out;
    out->producer = n;
    return n->op->infer(g, n) == 0 ? out : NULL;
}

/* Appends the API tensors of output v to outs. */
static bool flatten_one(Graph *g, Tensor *v, Tensor **outs, int *n, int max) {
    if (v->kind == VK_TENSOR) {
        outs[(*n)++] = v;
        return true;
    }
    if (v->nelems < 0) {
        error_at_tensor(v, "graph output: its %s value is not known at compile time",
                        v->kind == VK_SEQUENCE ? "sequence" : "optional");
        return false;
    }
    /* A present optional: its tensor keeps the name, its sequence is flattened. */
    bool present = v->kind == VK_OPTIONAL && v->nelems > 0;
    bool one = present && v->elems[0]->kind == VK_TENSOR;
    Tensor *s = present && !one ? v->elems[0] : v;
    for (int k = 0; k < s->nelems; k++) {
        if (*n >= max) return false;
        const char *name = one ? v->name : pool_printf(g->pool, "%s.%d", v->name, k);
        Tensor *t = api_tensor(g, v, name);
        if (!t || !copy_out(g, s->elems[k], t)) return false;
        t->is_output = true;
        outs[(*n)++] = t;
    }
    v->is_output = false;
    return true;
}

int flatten_outputs(Graph *g) {
    int max = 0;
    for (int i = 0; i < g->noutputs; i++) {
        Tensor *v = g->outputs[i];
        max += v->kind == VK_TENSOR ? 1 : v->nelems < 0 ? 0 : v->nelems;
        if (v->kind == VK_OPTIONAL && v->nelems > 0 && v->elems[0]->kind == VK_SEQUENCE)
            max += v->elems[0]->nelems;
    }
    Tensor **outs = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(max + 1));
    int n = 0, errs = 0;
    for (int i = 0; i < g->noutputs; i++)
        if (!flatten_one(g, g->outputs[i], outs, &n, max)) errs++;
    if (errs) return errs;
    if (n == 0) {
        error_model("no graph output is left: every output is an empty optional or sequence");
        return 1;
    }
    for (int k = 0; k < n; k++)
        outs[k]->io_index = k;
    g->outputs = outs;
    g->noutputs = n;
    return 0;
}

/* ---------------------------------------------------------------- test data */

/* A minimal protobuf wire reader for SequenceProto and OptionalProto (the
   generated onnx.proto bindings do not include onnx-data.proto):
     SequenceProto: name = 1, elem_type = 2, tensor_values = 3,
                    sparse_tensor_values = 4, sequence_values = 5, ...
     OptionalProto: name = 1, elem_type = 2, tensor_value = 3,
                    sparse_tensor_value = 4, sequence_value = 5, ...
   Tensors inside are decoded by the loader's TensorProto path. */
typedef struct Wire {
    const uint8_t *d;
    size_t len, pos;
} Wire;

static bool wire_varint(Wire *w, uint64_t *v) {
    *v = 0;
    for (int shift = 0; shift < 64 && w->pos < w->len; shift += 7) {
        uint8_t b = w->d[w->pos++];
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

/* The next field: number, wire type, and for length-delimited ones the
   bytes. Returns false at the end or on malformed data (*bad set). */
static bool wire_next(Wire *w, int *field, const uint8_t **data, size_t *dlen, bool *bad) {
    uint64_t key, v;
    *bad = false;
    if (w->pos >= w->len) return false;
    if (!wire_varint(w, &key)) return !(*bad = true);
    *field = (int)(key >> 3);
    *data = NULL;
    switch (key & 7) {
    case 0:
        if (!wire_varint(w, &v)) return !(*bad = true);
        return true;
    case 1:
        if (w->len - w->pos < 8) return !(*bad = true);
        w->pos += 8;
        return true;
    case 5:
        if (w->len - w->pos < 4) return !(*bad = true);
        w->pos += 4;
        return true;
    case 2:
        if (!wire_varint(w, &v) || v > w->len - w->pos) return !(*bad = true);
        *data = w->d + w->pos;
        *dlen = (size_t)v;
        w->pos += (size_t)v;
        return true;
    default:
        return !(*bad = true);
    }
}

typedef struct Reader {
    Graph *g;
    const LoadOptions *opt;
    const char *path;
} Reader;

/* Appends the tensors of a SequenceProto to list; -1 on error. */
static int read_sequence(Reader *r, const uint8_t *d, size_t len, Tensor **list, int max) {
    Wire w = {d, len, 0};
    int field, n = 0;
    const uint8_t *fd;
    size_t flen = 0;
    bool bad;
    while (wire_next(&w, &field, &fd, &flen, &bad)) {
        if (field == 3 && fd) {
            if (n >= max) {
                error_model("%s: too many sequence elements (at most %d)", r->path, max);
                return -1;
            }
            if (!(list[n++] = load_tensor_bytes(r->g, fd, flen, r->path, r->opt))) return -1;
        } else if (field >= 4) {
            error_model("%s: only sequences of dense tensors are supported", r->path);
            return -1;
        }
    }
    if (bad) {
        error_model("%s: not a valid ONNX SequenceProto", r->path);
        return -1;
    }
    return n;
}

/* Reads an OptionalProto: *kind gets what it holds (VK_OPTIONAL: empty). */
static int read_optional(Reader *r, const uint8_t *d, size_t len, Tensor **list, int max,
                         ValueKind *kind) {
    Wire w = {d, len, 0};
    int field, n = 0;
    const uint8_t *fd;
    size_t flen = 0;
    bool bad;
    *kind = VK_OPTIONAL;
    while (wire_next(&w, &field, &fd, &flen, &bad)) {
        if (field == 3 && fd) {
            *kind = VK_TENSOR;
            if (!(list[0] = load_tensor_bytes(r->g, fd, flen, r->path, r->opt))) return -1;
            n = 1;
        } else if (field == 5 && fd) {
            *kind = VK_SEQUENCE;
            n = read_sequence(r, fd, flen, list, max);
            if (n < 0) return -1;
        } else if (field == 4 || field >= 6) {
            error_model("%s: only optional tensors and sequences are supported", r->path);
            return -1;
        }
    }
    if (bad) {
        error_model("%s: not a valid ONNX OptionalProto", r->path);
        return -1;
    }
    return n;
}

static bool add_binding(CompileRequest *req, const char *name, int64_t len) {
    if (!req) return true;
    if (req->nseqs >= MAX_BINDINGS) {
        error_model("too many sequence inputs");
        return false;
    }
    Binding *b = &req->seqs[req->nseqs++];
    memset(b, 0, sizeof *b);
    b->name = name;
    b->rank = 1;
    b->dims[0] = len;
    return true;
}

/* Reads one value file into flat[]; returns how many tensors, -1 on error. */
static int read_value(Reader *r, const Tensor *decl, Tensor **flat, int max, CompileRequest *req) {
    if (decl->kind == VK_TENSOR) {
        if (max < 1 || !(flat[0] = load_tensor_file(r->g, r->path, r->opt))) return -1;
        flat[0]->name = decl->name;
        return 1;
    }
    unsigned char *d;
    size_t len;
    char err[256];
    if (!read_file(r->path, r->opt->max_model_bytes, &d, &len, err, sizeof err)) {
        error_model("%s: %s", r->path, err);
        return -1;
    }
    ValueKind held = VK_SEQUENCE;
    int n = decl->kind == VK_SEQUENCE ? read_sequence(r, d, len, flat, max)
                                      : read_optional(r, d, len, flat, max, &held);
    free(d);
    if (n < 0) return -1;
    Pool *p = r->g->pool;
    if (held == VK_TENSOR) {
        flat[0]->name = decl->name;
        return 1;
    }
    for (int k = 0; k < n; k++)
        flat[k]->name = pool_printf(p, "%s.%d", decl->name, k);
    if (!add_binding(req, decl->name, held == VK_OPTIONAL ? -1 : n)) return -1;
    return n;
}

int read_values(Graph *g, Tensor *const *decl, int ndecl, const char *dir, const char *stem,
                const LoadOptions *opt, Tensor **flat, const char **files, int max,
                CompileRequest *req) {
    int n = 0;
    for (int k = 0; k < ndecl; k++) {
        char *path = pool_printf(g->pool, "%s/%s_%d.pb", dir, stem, k);
        Reader r = {g, opt, path};
        int got = read_value(&r, decl[k], flat + n, max - n, req);
        if (got < 0) return -1;
        for (int i = 0; files && i < got; i++)
            files[n + i] = decl[k]->kind == VK_TENSOR ? path : NULL;
        n += got;
    }
    return n;
}
