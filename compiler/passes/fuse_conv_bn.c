/*
 * fuse_conv_bn.c - folds an inference BatchNormalization into the Conv
 * that feeds it: W'[m] = W[m] * s[m], b'[m] = b[m] * s[m] + t[m] with
 * s = scale / sqrt(var + eps) and t = B - mean * s. Computed in double so
 * the folded weights round once.
 */
#include "passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool bn_params_const(const Node *bn) {
    for (int i = 1; i < 5; i++)
        if (!bn->inputs[i] || !bn->inputs[i]->data) return false;
    return true;
}

static void fold_one(Graph *g, Node *conv, Node *bn) {
    Tensor *w = conv->inputs[0 + 1], *b = node_input(conv, 2);
    int64_t m = w->dims[0], per = tensor_numel(w) / m;
    float *scale = malloc((size_t)m * 4), *shift = malloc((size_t)m * 4);
    if (!scale || !shift) {
        free(scale);
        free(shift);
        return;
    }
    batchnorm_affine(bn, scale, shift);
    Tensor *nw = graph_new_tensor(g, w->name);
    tensor_set_shape(nw, DT_FLOAT, w->rank, w->dims);
    float *wd = pool_alloc(g->pool, (size_t)tensor_bytes(w));
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < per; j++)
            wd[i * per + j] = ((float *)w->data)[i * per + j] * scale[i];
    nw->data = wd;
    Tensor *nb = graph_new_tensor(g, b ? b->name : "bias");
    tensor_set_shape(nb, DT_FLOAT, 1, &m);
    float *bd = pool_alloc(g->pool, (size_t)m * 4);
    for (int64_t i = 0; i < m; i++)
        bd[i] = (b ? ((float *)b->data)[i] : 0.0f) * scale[i] + shift[i];
    nb->data = bd;
    free(scale);
    free(shift);
    if (conv->ninputs < 3) {
        Tensor **in = pool_alloc(g->pool, sizeof(Tensor *) * 4);
        memcpy(in, conv->inputs, sizeof(Tensor *) * (size_t)conv->ninputs);
        conv->inputs = in;
        conv->ninputs = 3;
    }
    conv->inputs[1] = nw;
    conv->inputs[2] = nb;
    /* The Conv now produces the BatchNormalization's output. */
    conv->outputs[0]->producer = NULL;
    conv->outputs[0] = bn->outputs[0];
    conv->outputs[0]->producer = conv;
    bn->dead = true;
    note_fused(g, conv, bn);
}

int pass_fuse_conv_bn(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    graph_recount(g);
    for (int i = 0; i < g->nnodes; i++) {
        Node *conv = g->nodes[i];
        if (conv->dead || strcmp(conv->op_type, "Conv") != 0 || *conv->domain) continue;
        if (!conv->inputs[1]->data || (node_input(conv, 2) && !conv->inputs[2]->data)) continue;
        if (conv->epi.act || conv->epi.residual) continue;
        Node *bn = single_user(g, conv->outputs[0]);
        if (!bn || strcmp(bn->op_type, "BatchNormalization") != 0 ||
            bn->inputs[0] != conv->outputs[0])
            continue;
        if (!bn_params_const(bn) || bn->inputs[1]->dims[0] != conv->inputs[1]->dims[0]) continue;
        /* Training mode normalizes with batch statistics: nothing to fold. */
        if (attr_int(bn, "training_mode", 0) || node_output(bn, 1) || node_output(bn, 2)) continue;
        fold_one(g, conv, bn);
        changes++;
    }
    return changes;
}
