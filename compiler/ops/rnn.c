/*
 * rnn.c - the recurrent cells RNN, GRU and LSTM (one template, rnn.m4).
 *
 * Inputs follow ONNX: X [seq, batch, in] (layout 1: [batch, seq, in]),
 * W [dirs, G*H, in], R [dirs, G*H, H], B [dirs, 2*G*H], sequence_lens
 * [batch], initial_h (and initial_c, P for LSTM) with G = 1, 3, 4 gates.
 * Weights may be constants or run-time inputs: the kernel reads them in
 * ONNX layout, one dot product per gate row (rows are contiguous, so the
 * inner loop vectorizes). Per step the gates of all batch rows go to
 * planned scratch, together with the running h and c states.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

/* Activation names as the template knows them, with their alpha/beta. */
static const char *default_act[3] = {"Sigmoid", "Tanh", "Tanh"};

typedef struct RnnDesc {
    int gates; /* 1 RNN, 3 GRU, 4 LSTM */
    int64_t seq, batch, in, hidden, dirs;
    int layout;
} RnnDesc;

static int gates_of(const Node *n) {
    return n->op_type[0] == 'L' ? 4 : n->op_type[0] == 'G' ? 3 : 1;
}

static bool rnn_desc(Node *n, RnnDesc *d) {
    Tensor *x = n->inputs[0], *w = n->inputs[1], *r = n->inputs[2];
    d->gates = gates_of(n);
    d->layout = (int)attr_int(n, "layout", 0);
    const char *dir = attr_str(n, "direction", "forward");
    d->dirs = strcmp(dir, "bidirectional") == 0 ? 2 : 1;
    if (d->dirs == 1 && strcmp(dir, "forward") != 0 && strcmp(dir, "reverse") != 0) {
        error_at_node(n, "direction '%s' is not forward, reverse or bidirectional", dir);
        return false;
    }
    if (x->rank != 3 || w->rank != 3 || r->rank != 3) {
        error_at_node(n, "X, W and R must have rank 3");
        return false;
    }
    d->seq = x->dims[d->layout ? 1 : 0];
    d->batch = x->dims[d->layout ? 0 : 1];
    d->in = x->dims[2];
    d->hidden = attr_int(n, "hidden_size", r->dims[2]);
    int64_t gh = d->gates * d->hidden;
    if (w->dims[0] != d->dirs || w->dims[1] != gh || w->dims[2] != d->in || r->dims[0] != d->dirs ||
        r->dims[1] != gh || r->dims[2] != d->hidden) {
        error_at_node(n, "W must be [%lld, %lld, %lld] and R [%lld, %lld, %lld]",
                      (long long)d->dirs, (long long)gh, (long long)d->in, (long long)d->dirs,
                      (long long)gh, (long long)d->hidden);
        return false;
    }
    Tensor *b = node_input(n, 3), *sl = node_input(n, 4), *h0 = node_input(n, 5);
    if (b && (tensor_numel(b) != d->dirs * 2 * gh)) {
        error_at_node(n, "B must have %lld elements", (long long)(d->dirs * 2 * gh));
        return false;
    }
    if (sl && (tensor_numel(sl) != d->batch || (sl->dtype != DT_INT32 && sl->dtype != DT_INT64))) {
        error_at_node(n, "sequence_lens must be int32 [%lld]", (long long)d->batch);
        return false;
    }
    if (h0 && tensor_numel(h0) != d->dirs * d->batch * d->hidden) {
        error_at_node(n, "initial_h must be [%lld, %lld, %lld]", (long long)d->dirs,
                      (long long)d->batch, (long long)d->hidden);
        return false;
    }
    if (d->gates == 4) {
        Tensor *c0 = node_input(n, 6), *p = node_input(n, 7);
        if (c0 && tensor_numel(c0) != d->dirs * d->batch * d->hidden) {
            error_at_node(n, "initial_c has the wrong size");
            return false;
        }
        if (p && tensor_numel(p) != d->dirs * 3 * d->hidden) {
            error_at_node(n, "P must have %lld elements", (long long)(d->dirs * 3 * d->hidden));
            return false;
        }
    }
    return true;
}

int infer_rnn(Graph *g, Node *n) {
    (void)g;
    int g_in = gates_of(n) == 4 ? 8 : 6;
    if (!need_inputs(n, 3, g_in)) return -1;
    for (int i = 0; i < n->ninputs; i++) {
        Tensor *t = n->inputs[i];
        if (t && i != 4 && t->dtype != DT_FLOAT) {
            error_at_node(n, "input '%s' must be float", t->name);
            return -1;
        }
    }
    RnnDesc d;
    if (!rnn_desc(n, &d)) return -1;
    if (attr_int(n, "input_forget", 0)) {
        error_at_node(n, "input_forget=1 is not supported");
        return -1;
    }
    int64_t y[4] = {d.seq, d.dirs, d.batch, d.hidden}, yh[3] = {d.dirs, d.batch, d.hidden};
    if (d.layout) {
        int64_t yl[4] = {d.batch, d.seq, d.dirs, d.hidden}, yhl[3] = {d.batch, d.dirs, d.hidden};
        memcpy(y, yl, sizeof y);
        memcpy(yh, yhl, sizeof yh);
    }
    set_out(n, 0, DT_FLOAT, 4, y);
    set_out(n, 1, DT_FLOAT, 3, yh);
    set_out(n, 2, DT_FLOAT, 3, yh);
    return 0;
}

/* Gate columns of the fast LSTM, padded to whole 64-column panels. */
static int64_t lstm_gp(const RnnDesc *d) {
    return (4 * d->hidden + 63) / 64 * 64;
}

static bool is_const_float(const Tensor *t) {
    return t && t->data && t->dtype == DT_FLOAT;
}

/* The common exported LSTM goes to templates/lstm.m4: constant W, R (and
   B), no peepholes, no clip, input_forget 0, default activations. */
static bool lstm_fast(const Node *n, const Options *opt, const RnnDesc *d) {
    if (opt->opt_level == 0 || d->gates != 4) return false;
    if (!is_const_float(n->inputs[1]) || !is_const_float(n->inputs[2])) return false;
    const Tensor *b = node_input((Node *)n, 3);
    if ((b && !is_const_float(b)) || node_input((Node *)n, 7)) return false;
    if (node_attr((Node *)n, "clip") || node_attr((Node *)n, "activation_alpha") ||
        node_attr((Node *)n, "activation_beta"))
        return false;
    const Attr *acts = node_attr((Node *)n, "activations");
    for (int i = 0; acts && i < acts->n; i++)
        if (strcmp(acts->strings[i], default_act[i % 3]) != 0) return false;
    return true;
}

int64_t scratch_rnn(const Node *n, const Options *opt) {
    RnnDesc d;
    if (!rnn_desc((Node *)n, &d)) return 0;
    /* xg [seq][GP] + g [GP] + h [H] + c [H] */
    if (lstm_fast(n, opt, &d)) return ((d.seq + 1) * lstm_gp(&d) + 2 * d.hidden) * 4;
    /* gates [batch][G*H] + h [batch][H] + c [batch][H] + tmp [batch][H] */
    return (d.batch * d.gates * d.hidden + 3 * d.batch * d.hidden) * 4;
}

static bool act_name_ok(const char *s) {
    static const char *ok[] = {"Sigmoid",   "Tanh",     "Relu",           "HardSigmoid",
                               "LeakyRelu", "Affine",   "ScaledTanh",     "Elu",
                               "Softsign",  "Softplus", "ThresholdedRelu"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(s, ok[i]) == 0) return true;
    return false;
}

/* The activations' own defaults when activation_alpha/beta are not given. */
static void act_defaults(const char *a, float *alpha, float *beta) {
    *alpha = 0.0f, *beta = 0.0f;
    if (strcmp(a, "HardSigmoid") == 0)
        *alpha = 0.2f, *beta = 0.5f;
    else if (strcmp(a, "LeakyRelu") == 0)
        *alpha = 0.01f;
    else if (strcmp(a, "Elu") == 0 || strcmp(a, "ThresholdedRelu") == 0)
        *alpha = 1.0f;
    else if (strcmp(a, "Affine") == 0 || strcmp(a, "ScaledTanh") == 0)
        *alpha = 1.0f, *beta = strcmp(a, "Affine") ? 1.0f : 0.0f;
}

/* Per direction, M [dirs][G*H][K] transposed into 64-column panels:
   element (k, col) at ((col / 64) * K + k) * 64 + col % 64. */
static float *pack_lstm(const float *m, int64_t dirs, int64_t gh, int64_t k, int64_t gp) {
    float *p = calloc((size_t)(dirs * k * gp), sizeof(float));
    if (!p) return NULL;
    for (int64_t d = 0; d < dirs; d++)
        for (int64_t col = 0; col < gh; col++)
            for (int64_t kk = 0; kk < k; kk++)
                p[d * k * gp + ((col / 64) * k + kk) * 64 + col % 64] = m[(d * gh + col) * k + kk];
    return p;
}

static int emit_lstm_fast(Emit *e, Node *n, const RnnDesc *d) {
    int64_t gh = 4 * d->hidden, gp = lstm_gp(d);
    float *wt = pack_lstm(n->inputs[1]->data, d->dirs, gh, d->in, gp);
    float *rt = pack_lstm(n->inputs[2]->data, d->dirs, gh, d->hidden, gp);
    float *bs = calloc((size_t)(d->dirs * gp), sizeof(float));
    const Tensor *b = node_input(n, 3);
    if (!wt || !rt || !bs) {
        free(wt), free(rt), free(bs);
        error_at_node(n, "out of memory packing the weights");
        return -1;
    }
    for (int64_t dir = 0; b && dir < d->dirs; dir++)
        for (int64_t j = 0; j < gh; j++)
            bs[dir * gp + j] = ((const float *)b->data)[dir * 2 * gh + j] +
                               ((const float *)b->data)[dir * 2 * gh + gh + j];
    const char *wexpr =
        emit_const_array(e, DT_FLOAT, wt, d->dirs * d->in * gp, "W^T in 64-column panels");
    const char *rexpr =
        emit_const_array(e, DT_FLOAT, rt, d->dirs * d->hidden * gp, "R^T in 64-column panels");
    const char *bexpr = emit_const_array(e, DT_FLOAT, bs, d->dirs * gp, "Wb + Rb");
    free(wt), free(rt), free(bs);
    Kernel *k = kernel_begin(e, "lstm");
    kernel_int(k, "SEQ", d->seq);
    kernel_int(k, "BATCH", d->batch);
    kernel_int(k, "IN", d->in);
    kernel_int(k, "HID", d->hidden);
    kernel_int(k, "GP", gp);
    kernel_int(k, "DIRS", d->dirs);
    kernel_int(k, "REVERSE", strcmp(attr_str(n, "direction", "forward"), "reverse") == 0);
    kernel_int(k, "LAYOUT", d->layout);
    kernel_str(k, "TS", dtype_ctype(node_input(n, 4) ? n->inputs[4]->dtype : DT_INT32));
    const char *fn = kernel_end(e, k);
    const char *scratch = emit_scratch(e, "float", scratch_rnn(n, emit_options(e)));
    Tensor *args[7] = {n->inputs[0],      node_input(n, 4),  node_input(n, 5), node_input(n, 6),
                       node_output(n, 0), node_output(n, 1), node_output(n, 2)};
    emit_call(e, fn, args, 7, 4,
              pool_printf(emit_graph(e)->pool, "%s, %s, %s, %s", wexpr, rexpr, bexpr, scratch));
    return 0;
}

int emit_rnn(Emit *e, Node *n) {
    RnnDesc d;
    if (!rnn_desc(n, &d)) return -1;
    if (lstm_fast(n, emit_options(e), &d)) return emit_lstm_fast(e, n, &d);
    const Attr *acts = node_attr(n, "activations"), *al = node_attr(n, "activation_alpha"),
               *be = node_attr(n, "activation_beta");
    int nact = d.gates == 4 ? 3 : d.gates == 3 ? 2 : 1;
    Kernel *k = kernel_begin(e, "rnn");
    kernel_str(k, "KIND", d.gates == 4 ? "lstm" : d.gates == 3 ? "gru" : "rnn");
    kernel_int(k, "SEQ", d.seq);
    kernel_int(k, "BATCH", d.batch);
    kernel_int(k, "IN", d.in);
    kernel_int(k, "HID", d.hidden);
    kernel_int(k, "DIRS", d.dirs);
    kernel_int(k, "REVERSE", strcmp(attr_str(n, "direction", "forward"), "reverse") == 0);
    kernel_int(k, "LAYOUT", d.layout);
    kernel_int(k, "LBR", attr_int(n, "linear_before_reset", 0));
    const Attr *clip = node_attr(n, "clip");
    kernel_int(k, "HAS_CLIP", clip != NULL);
    kernel_float(k, "CLIP", clip ? clip->f : 0.0f);
    kernel_str(k, "TS", dtype_ctype(node_input(n, 4) ? n->inputs[4]->dtype : DT_INT32));
    static const char *names[6] = {"ACT_F", "ACT_G", "ACT_H", "ACT_F2", "ACT_G2", "ACT_H2"};
    static const char *anames[6] = {"ALPHA_F",  "ALPHA_G",  "ALPHA_H",
                                    "ALPHA_F2", "ALPHA_G2", "ALPHA_H2"};
    static const char *bnames[6] = {"BETA_F", "BETA_G", "BETA_H", "BETA_F2", "BETA_G2", "BETA_H2"};
    /* One activation list per direction; RNN's single one is f. */
    for (int dir = 0; dir < 2; dir++)
        for (int i = 0; i < 3; i++) {
            int idx = dir * nact + i;
            const char *a = d.gates == 1 ? "Tanh" : default_act[i];
            if (i >= nact)
                a = "Tanh";
            else if (acts && dir < d.dirs && idx < acts->n)
                a = acts->strings[idx];
            else if (acts && acts->n >= nact && i < nact)
                a = acts->strings[i];
            if (!act_name_ok(a)) {
                error_at_node(n, "activation '%s' is not supported", a);
                return -1;
            }
            float alpha, beta;
            act_defaults(a, &alpha, &beta);
            if (al && idx < al->n) alpha = al->floats[idx];
            if (be && idx < be->n) beta = be->floats[idx];
            kernel_str(k, names[dir * 3 + i], a);
            kernel_float(k, anames[dir * 3 + i], alpha);
            kernel_float(k, bnames[dir * 3 + i], beta);
        }
    const char *fn = kernel_end(e, k);
    const char *scratch = emit_scratch(e, "float", scratch_rnn(n, emit_options(e)));
    Tensor *args[11] = {n->inputs[0],      n->inputs[1],      n->inputs[2],     node_input(n, 3),
                        node_input(n, 4),  node_input(n, 5),  node_input(n, 6), node_input(n, 7),
                        node_output(n, 0), node_output(n, 1), node_output(n, 2)};
    if (d.gates != 4) args[6] = args[7] = args[10] = NULL;
    emit_call(e, fn, args, 11, 8, scratch);
    return 0;
}
