/*
 * passes.c - the pass table and its runner.
 *
 * Every pass has the same signature and runs on the whole graph; the graph
 * is re-sorted and (with --verify-passes, always in tests) verified after
 * each one, so a broken rewrite is caught at the pass that made it.
 */
#include "passes.h"

#include <stdio.h>
#include <string.h>

static const Pass pass_table[] = {
    {"fold-constants", 0, pass_fold},
    {"eliminate-dead-code", 0, pass_dce},
    {"fuse-conv-batchnorm", 1, pass_fuse_conv_bn},
    {"fuse-layernorm", 1, pass_fuse_layernorm},
    {"fuse-attention", 1, pass_fuse_attention},
    {"fuse-matmul-bias", 1, pass_fuse_bias},
    {"fuse-residual-add", 1, pass_fuse_residual},
    {"fuse-activation", 1, pass_fuse_activation},
    {"fuse-pw-dw", 1, pass_fuse_pw_dw},
    {"fuse-elementwise", 1, pass_fuse_elementwise},
    {"eliminate-dead-code", 0, pass_dce},
};

#define NPASSES (sizeof pass_table / sizeof pass_table[0])

/* Whether `name` is one item of the comma-separated `list`. */
static bool in_list(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *s = list; s && *s;) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == n && strncmp(s, name, n) == 0) return true;
        s = end ? end + 1 : NULL;
    }
    return false;
}

/* Only the optimizations (min_opt > 0) can be switched off: folding and
   dead-code elimination decide shapes and what is emitted at all. */
static bool pass_optional(const char *name, size_t len) {
    for (size_t i = 0; i < NPASSES; i++)
        if (pass_table[i].min_opt > 0 && strlen(pass_table[i].name) == len &&
            strncmp(pass_table[i].name, name, len) == 0)
            return true;
    return false;
}

int passes_check_disabled(const char *list) {
    for (const char *s = list; s && *s;) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (!pass_optional(s, len)) {
            fprintf(stderr,
                    "mlegen: --disable-pass: '%.*s' is not an optional pass; one of:", (int)len, s);
            for (size_t i = 0; i < NPASSES; i++)
                if (pass_table[i].min_opt > 0) fprintf(stderr, " %s", pass_table[i].name);
            fprintf(stderr, "\n");
            return -1;
        }
        s = end ? end + 1 : NULL;
    }
    return 0;
}

int run_passes(Graph *g, const Options *opt) {
    for (size_t i = 0; i < NPASSES; i++) {
        const Pass *p = &pass_table[i];
        if (opt->opt_level < p->min_opt) continue;
        if (p->min_opt > 0 && in_list(opt->disabled_passes, p->name)) continue;
        if (p->run(g, opt) < 0) return -1;
        if (graph_toposort(g) < 0) return -1;
        if (opt->verify && graph_verify(g, p->name) < 0) return -1;
    }
    return 0;
}

/* Offers every live node of the graph as it is now to `rewrite` (nodes it
   adds are not offered) and counts the rewrites; the use counts are
   refreshed once at the end. */
int rewrite_nodes(Graph *g, bool (*rewrite)(Graph *g, Node *n)) {
    int changes = 0;
    graph_recount(g);
    int n0 = g->nnodes;
    for (int i = 0; i < n0; i++)
        if (!g->nodes[i]->dead && rewrite(g, g->nodes[i])) changes++;
    if (changes) graph_recount(g);
    return changes;
}

/* Appends "'name' (Op)" of a node folded into `into` for the emitted comment. */
void note_fused(Graph *g, Node *into, const Node *from) {
    const char *prev = into->fused ? into->fused : "";
    into->fused = pool_printf(g->pool, "%s + '%s' (%s)%s", prev, from->name, from->op_type,
                              from->fused ? from->fused : "");
}

/* The single live consumer of t, or NULL if it has none or several or t is
   a graph output (then its value must stay visible). */
Node *single_user(Graph *g, Tensor *t) {
    if (t->is_output || t->nuses != 1) return NULL;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        for (int j = 0; j < n->ninputs; j++)
            if (n->inputs[j] == t) return n;
        if (n->epi.residual == t) return NULL;
    }
    return NULL;
}
