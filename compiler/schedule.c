/*
 * schedule.c - from the sorted graph to planned storage.
 *
 * 1. Alias classes: a Reshape-like node (OPF_ALIAS) shares its input's
 *    bytes. Members of a class share one storage; a class holding a graph
 *    input takes the caller's input buffer, one holding a graph output
 *    writes straight into the caller's output buffer. Where two of those
 *    meet (Identity from input to output, the same tensor as two outputs)
 *    the node keeps a real copy instead.
 * 2. Lifetimes: a class is live from its first producer's step to its last
 *    reader's step; a node's scratch is live only at its own step (to the
 *    end of the run for OPF_KEEP_SCRATCH: characters of string outputs).
 * 3. plan.c places them; plan_verify re-checks the result on every compile,
 *    so an overlapping plan can never reach generated code.
 */
#include "mlegen.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 64

static Tensor *root_of(Tensor *t) {
    while (t->alias)
        t = t->alias;
    return t;
}

/* The storage kind a class must take from a member, or STORE_ARENA. */
static StoreKind member_kind(const Tensor *t) {
    if (t->data) return STORE_CONST;
    if (t->is_input) return STORE_INPUT;
    if (t->is_output) return STORE_OUTPUT;
    return STORE_ARENA;
}

/* Joins the alias class of y into x's when their storages agree. */
static bool try_alias(Graph *g, Tensor *x, Tensor *y) {
    Tensor *rx = root_of(x), *ry = root_of(y);
    StoreKind kx = STORE_ARENA, ky = STORE_ARENA;
    /* Find the class kinds by scanning members (classes are small). */
    for (int i = 0; i < g->ntensors; i++) {
        Tensor *t = g->tensors[i];
        Tensor *r = root_of(t);
        if (r == rx && member_kind(t) != STORE_ARENA) kx = member_kind(t);
        if (r == ry && member_kind(t) != STORE_ARENA) ky = member_kind(t);
    }
    if (kx != STORE_ARENA && ky != STORE_ARENA) return false;
    if (kx == STORE_CONST || ky == STORE_CONST) return false;
    /* Keep as root the member with the fixed storage, if any. */
    if (ky != STORE_ARENA)
        rx->alias = ry;
    else
        ry->alias = rx;
    return true;
}

static void build_aliases(Graph *g) {
    for (int i = 0; i < g->ntensors; i++)
        g->tensors[i]->alias = NULL;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        n->scratch_bytes = 0;
        if (!(n->op->flags & OPF_ALIAS)) continue;
        Tensor *x = n->inputs[0], *y = n->outputs[0];
        if (x->dtype != y->dtype || tensor_bytes(x) != tensor_bytes(y)) continue;
        if (!try_alias(g, x, y)) continue;
        n->dead = true; /* nothing to emit: the output is the input's bytes */
    }
}

static void assign_kinds(Graph *g) {
    for (int i = 0; i < g->ntensors; i++) {
        Tensor *t = g->tensors[i];
        t->store = STORE_NONE;
    }
    for (int i = 0; i < g->ntensors; i++) {
        Tensor *t = g->tensors[i], *r = root_of(t);
        StoreKind k = member_kind(t);
        if (k != STORE_ARENA) {
            r->store = k;
            r->io_index = t->io_index;
            if (k == STORE_CONST && !r->data) r->data = t->data;
        }
    }
    for (int i = 0; i < g->ntensors; i++) {
        Tensor *r = root_of(g->tensors[i]);
        if (r->store == STORE_NONE) r->store = STORE_ARENA;
    }
    for (int i = 0; i < g->ntensors; i++) {
        Tensor *t = g->tensors[i], *r = root_of(t);
        t->store = r->store;
        if (r->store == STORE_INPUT || r->store == STORE_OUTPUT) t->io_index = r->io_index;
    }
}

int plan_memory(Graph *g, const Options *opt, Schedule *s) {
    memset(s, 0, sizeof *s);
    build_aliases(g);
    graph_recount(g);
    assign_kinds(g);

    /* One PlanBuf per arena class root, then one per scratch. */
    int nt = g->ntensors, nn = g->nnodes;
    int *buf_of = malloc(sizeof(int) * (size_t)(nt + 1));
    PlanBuf *bufs = calloc((size_t)(nt + nn + 1), sizeof(PlanBuf));
    Tensor **owner = calloc((size_t)(nt + nn + 1), sizeof(Tensor *));
    Node **scratch_owner = calloc((size_t)(nt + nn + 1), sizeof(Node *));
    if (!buf_of || !bufs || !owner || !scratch_owner) return -1;
    for (int i = 0; i < nt; i++)
        buf_of[i] = -1;
    int nb = 0;
    for (int step = 0; step < nn; step++) {
        Node *n = g->nodes[step];
        for (int k = 0; k <= n->ninputs + n->noutputs; k++) {
            Tensor *t = k < n->ninputs                 ? n->inputs[k]
                        : k < n->ninputs + n->noutputs ? n->outputs[k - n->ninputs]
                                                       : n->epi.residual;
            if (!t || t->store != STORE_ARENA) continue;
            Tensor *r = root_of(t);
            int b = buf_of[r->id];
            if (b < 0) {
                b = buf_of[r->id] = nb++;
                bufs[b].first = step;
                bufs[b].size = tensor_bytes(r) > 0 ? tensor_bytes(r) : 1;
                owner[b] = r;
            }
            bufs[b].last = step;
            if (tensor_bytes(t) > bufs[b].size) bufs[b].size = tensor_bytes(t);
        }
        int64_t sb = n->op->scratch ? n->op->scratch(n, opt) : 0;
        if (sb > 0) {
            n->scratch_bytes = sb;
            bufs[nb].first = step;
            /* The characters of string outputs: their pointers may be copied
               into any later tensor or graph output. */
            bufs[nb].last = n->op->flags & OPF_KEEP_SCRATCH ? nn - 1 : step;
            bufs[nb].size = sb;
            scratch_owner[nb++] = n;
        }
    }
    /* Outputs whose extent is known only at run time: readable by the caller
       after the run, so their slots live from the first step to the last. */
    int extents = -1;
    for (int i = 0; i < g->noutputs; i++) {
        Tensor *t = g->outputs[i];
        if (!t->bounded) continue;
        if (t->nuses > 1 || t->store != STORE_OUTPUT) {
            error_at_tensor(t, "its shape depends on input values, so it can only be a graph "
                               "output, not the input of other operators");
            return -1;
        }
        if (extents < 0 && nn > 0) {
            extents = nb;
            bufs[nb].first = 0;
            bufs[nb].last = nn - 1;
            bufs[nb++].size = 8 * (int64_t)g->noutputs;
        }
    }
    int64_t *off = calloc((size_t)nb + 1, sizeof(int64_t));
    if (!off) return -1;
    PlanAlgo algo = PLAN_GREEDY_BY_SIZE;
    int64_t total;
    if (opt->opt_level == 0) {
        algo = PLAN_NAIVE;
        total = plan_arena(bufs, nb, ARENA_ALIGN, algo, off);
    } else if (opt->plan_algo) {
        if (plan_algo_parse(opt->plan_algo, &algo) != 0) {
            error_model("unknown --plan algorithm '%s' (greedy-size, greedy-conflicts, naive)",
                        opt->plan_algo);
            return -1;
        }
        total = plan_arena(bufs, nb, ARENA_ALIGN, algo, off);
    } else {
        total = plan_arena_best(bufs, nb, ARENA_ALIGN, off, &algo);
    }
    int a = -1, b = -1;
    if (total < 0 || plan_verify(bufs, nb, ARENA_ALIGN, off, total, &a, &b) != 0) {
        error_model("internal error: the memory plan is invalid (buffers %d and %d overlap)", a, b);
        return -1;
    }
    for (int i = 0; i < nb; i++) {
        if (owner[i]) owner[i]->offset = off[i];
        if (scratch_owner[i]) scratch_owner[i]->scratch_offset = off[i];
    }
    for (int i = 0; i < nt; i++) {
        Tensor *t = g->tensors[i];
        if (t->store == STORE_ARENA) t->offset = root_of(t)->offset;
    }
    s->arena_bytes = total;
    s->pressure_bytes = plan_pressure(bufs, nb, ARENA_ALIGN);
    s->algo = plan_algo_name(algo);
    s->nbuffers = nb;
    s->extents_offset = extents >= 0 ? off[extents] : -1;
    free(buf_of);
    free(bufs);
    free(owner);
    free(scratch_owner);
    free(off);
    return 0;
}
