/*
 * ir.c - the graph: tensors by name, nodes, topological order, invariants.
 *
 * Tensors are found by name through an open-addressing hash map; nodes are
 * kept in an array that graph_toposort puts in execution order. Dead nodes
 * stay in the array until graph_recount drops them, so passes can mark
 * while iterating.
 */
#include "mlegen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- dtypes */

static const struct {
    const char *name, *ctype;
    size_t size;
} dtype_info[DT_COUNT] = {
    [DT_UNDEFINED] = {"undefined", NULL, 0},
    [DT_FLOAT] = {"float", "float", 4},
    [DT_UINT8] = {"uint8", "uint8_t", 1},
    [DT_INT8] = {"int8", "int8_t", 1},
    [DT_UINT16] = {"uint16", "uint16_t", 2},
    [DT_INT16] = {"int16", "int16_t", 2},
    [DT_INT32] = {"int32", "int32_t", 4},
    [DT_INT64] = {"int64", "int64_t", 8},
    [DT_STRING] = {"string", "mlegen_str", sizeof(char *)},
    [DT_BOOL] = {"bool", "uint8_t", 1},
    [DT_FLOAT16] = {"float16", "uint16_t", 2},
    [DT_DOUBLE] = {"double", "double", 8},
    [DT_UINT32] = {"uint32", "uint32_t", 4},
    [DT_UINT64] = {"uint64", "uint64_t", 8},
    [DT_COMPLEX64] = {"complex64", NULL, 0},
    [DT_COMPLEX128] = {"complex128", NULL, 0},
    [DT_BFLOAT16] = {"bfloat16", "uint16_t", 2},
};

const char *dtype_name(DType t) {
    return (unsigned)t < DT_COUNT ? dtype_info[t].name : "invalid";
}
const char *dtype_ctype(DType t) {
    return (unsigned)t < DT_COUNT ? dtype_info[t].ctype : NULL;
}
size_t dtype_size(DType t) {
    return (unsigned)t < DT_COUNT ? dtype_info[t].size : 0;
}
bool dtype_is_float(DType t) {
    return t == DT_FLOAT || t == DT_DOUBLE || t == DT_FLOAT16 || t == DT_BFLOAT16;
}

/* ---------------------------------------------------------------- tensor map */

/* A stem's next free suffix for graph_new_tensor (see there). */
typedef struct StemHint {
    char *stem;
    int next;
} StemHint;

typedef struct TensorMap {
    size_t cap, count;
    Tensor **slots;
    size_t hcap, hcount;
    StemHint *hints;
} TensorMap;

static uint64_t hash_str(const char *s) {
    return hash_bytes(s, strlen(s), 0);
}

static void map_insert(TensorMap *m, Tensor *t);

static void map_grow(TensorMap *m) {
    TensorMap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->count = 0;
    m->slots = calloc(m->cap, sizeof(Tensor *));
    if (!m->slots) {
        fprintf(stderr, "mlegen: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i]) map_insert(m, old.slots[i]);
    free(old.slots);
}

static void map_insert(TensorMap *m, Tensor *t) {
    if ((m->count + 1) * 2 > m->cap) map_grow(m);
    size_t i = hash_str(t->name) & (m->cap - 1);
    while (m->slots[i])
        i = (i + 1) & (m->cap - 1);
    m->slots[i] = t;
    m->count++;
}

static Tensor *map_get(const TensorMap *m, const char *name) {
    if (!m->cap) return NULL;
    size_t i = hash_str(name) & (m->cap - 1);
    for (; m->slots[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->slots[i]->name, name) == 0) return m->slots[i];
    return NULL;
}

/* ---------------------------------------------------------------- graph */

Graph *graph_new(Graph *parent) {
    Pool *pool = parent ? parent->pool : pool_new();
    Graph *g = pool_alloc(pool, sizeof(Graph));
    g->pool = pool;
    g->parent = parent;
    g->map = pool_alloc(pool, sizeof(TensorMap));
    g->name = "";
    if (parent) {
        /* Chain it to the root so graph_free can release its arrays. */
        Graph *root = parent;
        while (root->parent)
            root = root->parent;
        g->sub_next = root->sub_next;
        root->sub_next = g;
        g->max_tensor_bytes = root->max_tensor_bytes;
        g->path = parent->path;
        g->opsets = parent->opsets;
        g->nopsets = parent->nopsets;
        g->ir_version = parent->ir_version;
    }
    return g;
}

void graph_free(Graph *g) {
    if (!g || g->parent) return;
    for (Graph *s = g->sub_next; s; s = s->sub_next) {
        free(s->map->slots);
        free(s->map->hints);
        free(s->nodes);
        free(s->tensors);
    }
    free(g->map->slots);
    free(g->map->hints);
    free(g->nodes);
    free(g->tensors);
    pool_free(g->pool);
}

Tensor *graph_find(Graph *g, const char *name) {
    for (; g; g = g->parent) {
        Tensor *t = map_get(g->map, name);
        if (t) return t;
    }
    return NULL;
}

static Tensor *add_tensor(Graph *g, const char *name) {
    Tensor *t = pool_alloc(g->pool, sizeof(Tensor));
    t->name = pool_strdup(g->pool, name);
    t->rank = -1;
    t->io_index = -1;
    t->nelems = -1;
    if (g->ntensors == g->cap_tensors) {
        g->cap_tensors = g->cap_tensors ? g->cap_tensors * 2 : 64;
        g->tensors = realloc(g->tensors, (size_t)g->cap_tensors * sizeof(Tensor *));
        if (!g->tensors) {
            fprintf(stderr, "mlegen: out of memory\n");
            exit(1);
        }
    }
    t->id = g->ntensors;
    g->tensors[g->ntensors++] = t;
    map_insert(g->map, t);
    return t;
}

Tensor *graph_tensor(Graph *g, const char *name) {
    Tensor *t = graph_find(g, name);
    return t ? t : add_tensor(g, name);
}

Tensor *graph_find_local(Graph *g, const char *name) {
    return map_get(g->map, name);
}

Tensor *graph_tensor_local(Graph *g, const char *name) {
    Tensor *t = map_get(g->map, name);
    return t ? t : add_tensor(g, name);
}

/* The hint slot of stem (open addressing; the table grows at half full). */
static StemHint *stem_hint(Graph *g, const char *stem) {
    TensorMap *m = g->map;
    if ((m->hcount + 1) * 2 > m->hcap) {
        TensorMap old = *m;
        m->hcap = old.hcap ? old.hcap * 2 : 64;
        m->hints = calloc(m->hcap, sizeof(StemHint));
        if (!m->hints) {
            fprintf(stderr, "mlegen: out of memory\n");
            exit(1);
        }
        for (size_t i = 0; i < old.hcap; i++) {
            if (!old.hints[i].stem) continue;
            size_t k = hash_str(old.hints[i].stem) & (m->hcap - 1);
            while (m->hints[k].stem)
                k = (k + 1) & (m->hcap - 1);
            m->hints[k] = old.hints[i];
        }
        free(old.hints);
    }
    size_t k = hash_str(stem) & (m->hcap - 1);
    for (; m->hints[k].stem; k = (k + 1) & (m->hcap - 1))
        if (strcmp(m->hints[k].stem, stem) == 0) return &m->hints[k];
    m->hints[k].stem = pool_strdup(g->pool, stem);
    m->hcount++;
    return &m->hints[k];
}

/* The first free name stem__0, stem__1, ... Names are never removed, so
   every suffix below the one handed out last is still taken: starting from
   the hint gives the same names as starting from 0, without the quadratic
   cost when an unrolled loop asks for thousands of names of one stem. */
Tensor *graph_new_tensor(Graph *g, const char *stem) {
    char name[256];
    char key[208];
    snprintf(key, sizeof key, "%.200s", stem);
    StemHint *h = stem_hint(g, key);
    for (int i = h->next;; i++) {
        snprintf(name, sizeof name, "%s__%d", key, i);
        if (!graph_find(g, name)) {
            h->next = i + 1;
            return add_tensor(g, name);
        }
    }
}

Node *graph_add_node(Graph *g, const char *op_type, const char *name, int ninputs, int noutputs) {
    Node *n = pool_alloc(g->pool, sizeof(Node));
    n->op_type = pool_strdup(g->pool, op_type);
    n->domain = "";
    n->name = name ? pool_strdup(g->pool, name) : pool_printf(g->pool, "%s_%d", op_type, g->nnodes);
    n->ninputs = ninputs;
    n->noutputs = noutputs;
    n->inputs = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(ninputs + 1));
    n->outputs = pool_alloc(g->pool, sizeof(Tensor *) * (size_t)(noutputs + 1));
    n->opset = (int)opset_version(g, "");
    if (g->nnodes == g->cap_nodes) {
        g->cap_nodes = g->cap_nodes ? g->cap_nodes * 2 : 64;
        g->nodes = realloc(g->nodes, (size_t)g->cap_nodes * sizeof(Node *));
        if (!g->nodes) {
            fprintf(stderr, "mlegen: out of memory\n");
            exit(1);
        }
    }
    n->id = g->nnodes;
    g->nodes[g->nnodes++] = n;
    return n;
}

int64_t opset_version(const Graph *g, const char *domain) {
    for (int i = 0; i < g->nopsets; i++) {
        const char *d = g->opsets[i].domain;
        bool dflt = !*domain || strcmp(domain, "ai.onnx") == 0;
        bool ddflt = !*d || strcmp(d, "ai.onnx") == 0;
        if ((dflt && ddflt) || strcmp(d, domain) == 0) return g->opsets[i].version;
    }
    return 0;
}

void graph_recount(Graph *g) {
    int live = 0;
    for (int i = 0; i < g->nnodes; i++)
        if (!g->nodes[i]->dead) g->nodes[live++] = g->nodes[i];
    g->nnodes = live;
    for (int i = 0; i < g->ntensors; i++) {
        g->tensors[i]->producer = NULL;
        g->tensors[i]->nuses = 0;
    }
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        n->id = i;
        for (int j = 0; j < n->ninputs; j++)
            if (n->inputs[j]) n->inputs[j]->nuses++;
        for (int j = 0; j < n->noutputs; j++)
            if (n->outputs[j]) n->outputs[j]->producer = n;
        if (n->epi.residual) n->epi.residual->nuses++;
    }
    for (int i = 0; i < g->noutputs; i++)
        g->outputs[i]->nuses++;
}

static void heap_push(int *h, int *n, int v) {
    int i = (*n)++;
    for (; i > 0 && h[(i - 1) / 2] > v; i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = v;
}

static int heap_pop(int *h, int *n) {
    int top = h[0], v = h[--*n], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1] < h[c]) c++;
        if (h[c] >= v) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
    return top;
}

/* Kahn's algorithm, stable: among ready nodes the earliest in model order
   goes first, so the schedule follows the exporter's order where it can. */
int graph_toposort(Graph *g) {
    graph_recount(g);
    int n = g->nnodes;
    int *indeg = calloc((size_t)n + 1, sizeof(int));
    Node **order = calloc((size_t)n + 1, sizeof(Node *));
    int *ready = calloc((size_t)n + 1, sizeof(int));
    /* users[t] lists node indices consuming tensor t. */
    int *ucount = calloc((size_t)g->ntensors + 1, sizeof(int));
    int *ustart = calloc((size_t)g->ntensors + 2, sizeof(int));
    if (!indeg || !order || !ready || !ucount || !ustart) {
        fprintf(stderr, "mlegen: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        Node *nd = g->nodes[i];
        for (int j = 0; j <= nd->ninputs; j++) {
            Tensor *t = j < nd->ninputs ? nd->inputs[j] : nd->epi.residual;
            if (t && t->producer && t->producer != nd) {
                indeg[i]++;
                ucount[t->id]++;
            }
        }
    }
    for (int t = 0; t < g->ntensors; t++)
        ustart[t + 1] = ustart[t] + ucount[t];
    int *users = calloc((size_t)ustart[g->ntensors] + 1, sizeof(int));
    int *fill = calloc((size_t)g->ntensors + 1, sizeof(int));
    if (!users || !fill) {
        fprintf(stderr, "mlegen: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        Node *nd = g->nodes[i];
        for (int j = 0; j <= nd->ninputs; j++) {
            Tensor *t = j < nd->ninputs ? nd->inputs[j] : nd->epi.residual;
            if (t && t->producer && t->producer != nd) users[ustart[t->id] + fill[t->id]++] = i;
        }
    }
    /* Ready nodes in a binary min-heap on model order: O(n log n), so a
       hostile model of a million independent nodes cannot stall the sort. */
    int nready = 0, done = 0;
    for (int i = 0; i < n; i++)
        if (indeg[i] == 0) heap_push(ready, &nready, i);
    while (nready) {
        int i = heap_pop(ready, &nready);
        order[done++] = g->nodes[i];
        Node *nd = g->nodes[i];
        for (int j = 0; j < nd->noutputs; j++) {
            Tensor *t = nd->outputs[j];
            if (!t) continue;
            for (int u = ustart[t->id]; u < ustart[t->id + 1]; u++)
                if (--indeg[users[u]] == 0) heap_push(ready, &nready, users[u]);
        }
    }
    int rc = 0;
    if (done != n) {
        for (int i = 0; i < n; i++)
            if (indeg[i] > 0) {
                error_at_node(g->nodes[i],
                              "is part of a cycle (its inputs depend on its own outputs)");
                break;
            }
        rc = -1;
    } else {
        if (n) memcpy(g->nodes, order, (size_t)n * sizeof(Node *));
        for (int i = 0; i < n; i++)
            g->nodes[i]->id = i;
    }
    free(indeg);
    free(order);
    free(ready);
    free(ucount);
    free(ustart);
    free(users);
    free(fill);
    return rc;
}

void graph_replace_uses(Graph *g, Tensor *from, Tensor *to) {
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        for (int j = 0; j < n->ninputs; j++)
            if (n->inputs[j] == from) n->inputs[j] = to;
        if (n->epi.residual == from) n->epi.residual = to;
    }
}

/* ---------------------------------------------------------------- tensors */

int64_t tensor_numel(const Tensor *t) {
    if (t->rank < 0) return -1;
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0) return -1;
        if (t->dims[i] != 0 && n > INT64_MAX / t->dims[i]) return -1;
        n *= t->dims[i];
    }
    return n;
}

int64_t tensor_bytes(const Tensor *t) {
    int64_t n = tensor_numel(t);
    int64_t s = (int64_t)dtype_size(t->dtype);
    if (n < 0 || s == 0 || n > INT64_MAX / s) return -1;
    return n * s;
}

bool tensor_is_const(const Tensor *t) {
    return t && t->data != NULL;
}

bool tensor_shape_known(const Tensor *t) {
    return t->rank >= 0 && tensor_numel(t) >= 0;
}

void tensor_set_shape(Tensor *t, DType dt, int rank, const int64_t *dims) {
    t->dtype = dt;
    t->rank = rank;
    for (int i = 0; i < rank; i++)
        t->dims[i] = dims[i];
}

bool tensor_same_shape(const Tensor *a, const Tensor *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

char *shape_str(const Tensor *t, char *buf, size_t n) {
    if (t->rank < 0) {
        snprintf(buf, n, "[?]");
        return buf;
    }
    size_t k = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < t->rank && k < n; i++) {
        if (t->dims[i] >= 0)
            k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "x" : "", (long long)t->dims[i]);
        else
            k +=
                (size_t)snprintf(buf + k, n - k, "%s%s", i ? "x" : "", t->sym[i] ? t->sym[i] : "?");
    }
    if (k < n) snprintf(buf + k, n - k, "]");
    return buf;
}

/* Float to integer, saturating: a cast of NaN or of a value out of
   int64's range is undefined behaviour in C. Such values only come from
   malformed models (a float tensor where a shape or index belongs); NaN
   reads as 0 and the checks that follow reject the result. */
static int64_t f64_to_i64(double v) {
    if (v != v) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}

int64_t tensor_get_i64(const Tensor *t, int64_t i) {
    const void *d = t->data;
    switch (t->dtype) {
    case DT_INT64:
        return ((const int64_t *)d)[i];
    case DT_INT32:
        return ((const int32_t *)d)[i];
    case DT_INT16:
        return ((const int16_t *)d)[i];
    case DT_INT8:
        return ((const int8_t *)d)[i];
    case DT_UINT8:
    case DT_BOOL:
        return ((const uint8_t *)d)[i];
    case DT_UINT16:
        return ((const uint16_t *)d)[i];
    case DT_UINT32:
        return ((const uint32_t *)d)[i];
    case DT_UINT64:
        return (int64_t)((const uint64_t *)d)[i];
    case DT_FLOAT:
        return f64_to_i64(((const float *)d)[i]);
    case DT_DOUBLE:
        return f64_to_i64(((const double *)d)[i]);
    default:
        return 0;
    }
}

double tensor_get_f64(const Tensor *t, int64_t i) {
    switch (t->dtype) {
    case DT_FLOAT:
        return ((const float *)t->data)[i];
    case DT_DOUBLE:
        return ((const double *)t->data)[i];
    case DT_UINT64:
        return (double)((const uint64_t *)t->data)[i];
    case DT_FLOAT16: { /* decoded from the bits: check compares float16 outputs by value */
        uint16_t h = ((const uint16_t *)t->data)[i];
        int e = (h >> 10) & 0x1f, m = h & 0x3ff;
        double v = e == 31 ? (m ? NAN : INFINITY) : e ? ldexp(m | 0x400, e - 25) : ldexp(m, -24);
        return h & 0x8000 ? -v : v;
    }
    case DT_BFLOAT16: {
        uint32_t b = (uint32_t)((const uint16_t *)t->data)[i] << 16;
        float f;
        memcpy(&f, &b, sizeof f);
        return f;
    }
    default:
        return (double)tensor_get_i64(t, i);
    }
}

/* ---------------------------------------------------------------- nodes */

const Attr *node_attr(const Node *n, const char *name) {
    for (int i = 0; i < n->nattrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

/* An attribute of the wrong type is reported (the caller then sees a
   default value, and infer_shapes sees the error). */
static const Attr *typed_attr(const Node *n, const char *name, AttrType want, AttrType also,
                              const char *expect) {
    const Attr *a = node_attr(n, name);
    if (!a || a->type == want || a->type == also) return a;
    static const char *const names[] = {"undefined", "float",   "int",    "string",
                                        "tensor",    "graph",   "floats", "ints",
                                        "strings",   "tensors", "graphs"};
    error_at_node(n, "attribute '%s' has type %s, expected %s", name,
                  (unsigned)a->type < 11 ? names[a->type] : "invalid", expect);
    return NULL;
}

int64_t attr_int(const Node *n, const char *name, int64_t dflt) {
    const Attr *a = typed_attr(n, name, ATTR_INT, ATTR_INT, "int");
    return a ? a->i : dflt;
}

float attr_float(const Node *n, const char *name, float dflt) {
    const Attr *a = typed_attr(n, name, ATTR_FLOAT, ATTR_INT, "float");
    if (a && a->type == ATTR_FLOAT) return a->f;
    if (a && a->type == ATTR_INT) return (float)a->i;
    return dflt;
}

const char *attr_str(const Node *n, const char *name, const char *dflt) {
    const Attr *a = typed_attr(n, name, ATTR_STRING, ATTR_STRING, "string");
    return a ? a->s : dflt;
}

int attr_ints(const Node *n, const char *name, int64_t *out, int max) {
    const Attr *a = typed_attr(n, name, ATTR_INTS, ATTR_INT, "ints");
    if (!a) return -1;
    if (a->type == ATTR_INT) {
        if (max > 0) out[0] = a->i;
        return 1;
    }
    for (int i = 0; i < a->n && i < max; i++)
        out[i] = a->ints[i];
    return a->n;
}

Tensor *node_input(const Node *n, int i) {
    return i < n->ninputs ? n->inputs[i] : NULL;
}
Tensor *node_output(const Node *n, int i) {
    return i < n->noutputs ? n->outputs[i] : NULL;
}

/* ---------------------------------------------------------------- verify */

int graph_verify(Graph *g, const char *after) {
    int errs = 0;
    graph_recount(g);
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        for (int j = 0; j < n->ninputs; j++) {
            Tensor *t = n->inputs[j];
            if (!t) continue;
            bool ok = t->data || t->is_input || (t->producer && t->producer->id < i);
            /* Subgraphs may read tensors of the enclosing graph. */
            if (!ok && g->parent && graph_find(g->parent, t->name) == t) ok = true;
            if (!ok) {
                error_at_node(n, "after pass '%s': input '%s' is not computed before use", after,
                              t->name);
                errs++;
            }
        }
        for (int j = 0; j < n->noutputs; j++) {
            Tensor *t = n->outputs[j];
            if (t && t->producer != n) {
                error_at_node(n, "after pass '%s': output '%s' has two producers", after, t->name);
                errs++;
            }
        }
    }
    for (int i = 0; i < g->noutputs; i++) {
        Tensor *t = g->outputs[i];
        if (!t->producer && !t->data && !t->is_input) {
            error_at_tensor(t, "after pass '%s': graph output is not computed", after);
            errs++;
        }
    }
    return errs ? -1 : 0;
}
