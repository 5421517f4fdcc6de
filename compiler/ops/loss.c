/*
 * loss.c - NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, the
 * forward computation of ONNX's training losses (what a model exported
 * with its loss head computes at inference).
 *
 * Both reduce over [N, C, D] (D = product of the extra dimensions d1..dk)
 * with a class index per (n, d): loss = -w[t] * logp[n, t, d], where logp is
 * the input itself (NLL) or its log-softmax over C (SCE). Reduction 'none'
 * keeps [N, d1..dk]; 'sum' and 'mean' give a scalar, 'mean' dividing by the
 * summed weights of the targets that are not ignore_index.
 */
#include "ops.h"

#include <string.h>

enum { RED_NONE, RED_SUM, RED_MEAN };

static int reduction_of(Node *n) {
    const char *r = attr_str(n, "reduction", "mean");
    if (strcmp(r, "none") == 0) return RED_NONE;
    if (strcmp(r, "sum") == 0) return RED_SUM;
    if (strcmp(r, "mean") == 0) return RED_MEAN;
    error_at_node(n, "reduction '%s' is not one of none, sum, mean", r);
    return -1;
}

static int infer_loss(Node *n) {
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *x = n->inputs[0], *t = n->inputs[1], *w = node_input(n, 2);
    if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE) {
        error_at_node(n, "input '%s' must be float or double, not %s", x->name,
                      dtype_name(x->dtype));
        return -1;
    }
    if (t->dtype != DT_INT64 && t->dtype != DT_INT32) {
        error_at_node(n, "target '%s' must be int32 or int64", t->name);
        return -1;
    }
    if (x->rank < 2 || t->rank != x->rank - 1 || t->dims[0] != x->dims[0]) {
        error_at_node(n,
                      "target '%s' must have shape [N, d1, ...] for input of shape [N, C, d1, ...]",
                      t->name);
        return -1;
    }
    for (int i = 2; i < x->rank; i++)
        if (t->dims[i - 1] != x->dims[i]) {
            error_at_node(n, "target '%s' and input '%s' differ in dimension %d", t->name, x->name,
                          i);
            return -1;
        }
    if (w && (w->rank != 1 || w->dims[0] != x->dims[1] || w->dtype != x->dtype)) {
        error_at_node(n, "weight '%s' must have shape [C] and the input's type", w->name);
        return -1;
    }
    int red = reduction_of(n);
    if (red < 0) return -1;
    if (red == RED_NONE)
        set_out(n, 0, x->dtype, t->rank, t->dims);
    else
        set_out(n, 0, x->dtype, 0, NULL);
    set_out(n, 1, x->dtype, x->rank, x->dims); /* SCE's optional log_prob */
    return 0;
}

int infer_loss_nll(Graph *g, Node *n) {
    (void)g;
    if (node_output(n, 1)) {
        error_at_node(n, "NegativeLogLikelihoodLoss has one output");
        return -1;
    }
    return infer_loss(n);
}

int infer_loss_sce(Graph *g, Node *n) {
    (void)g;
    return infer_loss(n);
}

int emit_loss(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *t = n->inputs[1], *w = node_input(n, 2), *logp = node_output(n, 1);
    int64_t nb = x->dims[0], c = x->dims[1], d = tensor_numel(x) / (nb * c);
    const Attr *ii = node_attr(n, "ignore_index");
    Kernel *k = kernel_begin(e, "loss");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_str(k, "TI", dtype_ctype(t->dtype));
    kernel_int(k, "NB", nb);
    kernel_int(k, "C", c);
    kernel_int(k, "D", d);
    kernel_int(k, "REDUCTION", reduction_of(n));
    kernel_int(k, "HAS_WEIGHT", w != NULL);
    kernel_int(k, "HAS_IGNORE", ii != NULL);
    kernel_int(k, "IGNORE", ii ? ii->i : 0);
    kernel_int(k, "SOFTMAX", strcmp(n->op_type, "SoftmaxCrossEntropyLoss") == 0);
    kernel_int(k, "HAS_LOGP", logp != NULL);
    const char *fn = kernel_end(e, k);
    Tensor *args[5] = {x, t, w, n->outputs[0], logp};
    emit_call(e, fn, args, 5, 3, NULL);
    return 0;
}
