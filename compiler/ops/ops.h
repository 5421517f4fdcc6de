/*
 * ops.h - helpers shared by the operator files of ops/ (not part of the
 * public mlegen.h interface). Each ops/ file implements one family of ops;
 * ops.c holds the registry table that names them.
 */
#ifndef MLEGEN_OPS_H
#define MLEGEN_OPS_H

#include "../mlegen.h"

/* Checks and reports: return false after reporting an error on the node. */
bool need_inputs(Node *n, int min, int max);
bool drop_if_no_result(Node *n);
bool need_rank(Node *n, const Tensor *t, const char *what, int rank);
bool need_dtype_float(Node *n, const Tensor *t, const char *what);
/* An operand that decides output shapes: it must be known at compile time
   (static shapes size the arena). Graph inputs that fail this are recorded
   for `check`, which can fix them to its data (--const). */
bool need_const(Node *n, const Tensor *t, const char *what);
/* A weight-like operand the kernels only take as a constant (never frozen). */
bool need_const_weight(Node *n, const Tensor *t, const char *what);
/* Normalizes a possibly negative axis into [0, rank); reports if out of range. */
bool norm_axis(Node *n, int64_t *axis, int rank, const char *what);

/* Numpy-style broadcast of a and b into out (dims/rank). */
bool broadcast_shape(Node *n, const Tensor *a, const Tensor *b, int *rank, int64_t *dims);
/* Sets output 0 to (dtype, rank, dims) and allocates nothing. */
void set_out(Node *n, int i, DType dt, int rank, const int64_t *dims);
/* Allocates constant storage for output i (shape must be set). */
void *alloc_const(Graph *g, Tensor *t);
/* Strides (in elements) of `t` broadcast into an output of rank `rank`/`dims`;
   a broadcast dimension gets stride 0. */
void broadcast_strides(const Tensor *t, int rank, const int64_t *dims, int64_t *strides);
int64_t numel_of(int rank, const int64_t *dims);
/* Writes element i of constant tensor t (any numeric type or bool) from a
   double d, or from the int64 v when is_int. */
void tensor_put(Tensor *t, int64_t i, double d, int64_t v, bool is_int);

/* The op functions, by family. */
#define OP_FUNCS(x)                                                                                \
    int infer_##x(Graph *g, Node *n);                                                              \
    int fold_##x(Graph *g, Node *n);                                                               \
    int emit_##x(Emit *e, Node *n);

/* nn.c */
/* Convolution and pooling geometry for 1-D and 2-D spatial shapes; 1-D is
   handled as 2-D with a height of 1. */
typedef struct Geom {
    int nsp;                        /* spatial rank: 1 or 2 */
    int64_t n, c, h, w;             /* input */
    int64_t kh, kw, sh, sw, dh, dw; /* kernel, strides, dilations */
    int64_t pt, pl, pb, pr;         /* pads: top, left, bottom, right */
    int64_t oh, ow;                 /* output spatial */
} Geom;
/* Conv geometry of n (input 0, weight 1); reports and returns false if invalid. */
bool conv_geom(Node *n, Geom *g, int64_t *group);
/* Defines NB H W KH KW SH SW DH DW PT PL PB PR OH OW for a template. */
void kernel_geom(Kernel *k, const Geom *g);
/* W[M, K] (row-major) in the 12-row panels of gemm_micro.m4 (calloc'd). */
float *pack_rows(const float *w, int64_t m, int64_t k, int64_t *packed_len);
/* The same with panels of `panel` rows (conv_direct.c packs 32). */
float *pack_panels(const float *w, int64_t m, int64_t k, int64_t panel, int64_t *packed_len);
/* Emits packed weights (and frees them) as a constant array commented
   "<wname> <layout>"; NULL if packed is NULL. */
const char *emit_packed_weights(Emit *e, float *packed, int64_t len, const char *wname,
                                const char *layout);
/* A 1x1, stride-1, unpadded convolution (a GEMM on the input in place). */
bool conv_is_pointwise(const Geom *g);
OP_FUNCS(conv)
OP_FUNCS(gemm)
OP_FUNCS(matmul)
OP_FUNCS(batchnorm)
OP_FUNCS(pool)
OP_FUNCS(global_pool)
OP_FUNCS(softmax)
/* blas.c: --blas openblas for large GEMMs with a constant B */
bool blas_wants(Emit *e, int64_t m, int64_t k, int64_t n);
void emit_gemm_call(Emit *e, Node *n, const char *fn, Tensor *x, const char *wexpr,
                    const char *bexpr);
int emit_gemm_blas(Emit *e, Node *n, Tensor *x, int64_t m, int64_t k, int64_t nn, const float *bw,
                   bool tb, float alpha, const float *bias);
/* rnn.c */
OP_FUNCS(rnn)
int64_t scratch_rnn(const Node *n, const Options *opt);
/* training.c */
OP_FUNCS(optimizer)
/* signal.c */
OP_FUNCS(window)
OP_FUNCS(mel)
OP_FUNCS(dft)
OP_FUNCS(stft)
OP_FUNCS(det)
int64_t scratch_det(const Node *n, const Options *opt);
/* gridsample.c */
OP_FUNCS(gridsample)
/* control.c: inlining bodies. Nodes added while inferring node `at` are
   created at the end of g->nodes; inliner_place moves them right after
   `at`, so inference meets them next. */
typedef struct Inliner {
    Graph *g;
    Node *at;     /* the node being replaced */
    int pos;      /* new nodes go after this position... */
    int appended; /* ...once moved there from the end of g->nodes */
} Inliner;
Inliner inliner_at(Graph *g, Node *n);
Node *inliner_add(Inliner *in, const char *op, const char *tag, int ninputs, int noutputs);
void inliner_place(Inliner *in);
/* out (or a fresh tensor when NULL) = Identity(x); returns it. */
Tensor *inliner_identity(Inliner *in, Tensor *x, Tensor *out);
/* out = parts stacked along a new axis (Unsqueeze each, then Concat). */
void inliner_stack(Inliner *in, Tensor **parts, int cnt, int64_t axis, Tensor *out);
/* Copies body's nodes with its inputs bound to actual[]; result[k] gets
   body output k (written into outs[k] when outs is given). */
bool inline_body(Inliner *in, Graph *body, Tensor **actual, int nactual, Tensor **outs,
                 Tensor **result, const char *tag);
Graph *graph_attr(Node *n, const char *name);
/* Marks n dead and detaches it from its outputs. */
void node_retire(Node *n);
int infer_if(Graph *g, Node *n);
int infer_loop(Graph *g, Node *n);
int infer_scan(Graph *g, Node *n);
int emit_control(Emit *e, Node *n);
/* sequence.c */
int infer_sequence(Graph *g, Node *n);
/* Identity, If and Loop carrying a sequence or optional value. */
int infer_value_identity(Graph *g, Node *n);
/* tfidf.c */
OP_FUNCS(tfidf)
/* shape.c: Cast to string needs characters */
int64_t scratch_cast(const Node *n, const Options *opt);
/* strings.c */
int infer_string_normalizer(Graph *g, Node *n);
int emit_string_normalizer(Emit *e, Node *n);
int64_t scratch_string_normalizer(const Node *n, const Options *opt);
/* dynamic.c */
OP_FUNCS(nonzero)
OP_FUNCS(unique)
OP_FUNCS(nms)
int64_t scratch_unique(const Node *n, const Options *opt);
int64_t scratch_nms(const Node *n, const Options *opt);
/* batchnorm.c */
int infer_batchnorm_any(Graph *g, Node *n);
int emit_batchnorm_any(Emit *e, Node *n);
/* loss.c */
int infer_loss_nll(Graph *g, Node *n);
int infer_loss_sce(Graph *g, Node *n);
int emit_loss(Emit *e, Node *n);
int64_t scratch_conv(const Node *n, const Options *opt);
/* conv_fused.c: expansion 1x1 conv + depthwise conv in one banded kernel
   (the node comes from passes/fuse_pw_dw.c; not in the public op table). */
extern const OpDef op_conv_pw_dw;
/* attention.c: MatMul -> scale -> mask -> Softmax -> MatMul in one kernel
   (the node comes from passes/fuse_attention.c; not in the public table).
   Its scalings: */
enum { ATTN_NONE, ATTN_MUL, ATTN_DIV };
extern const OpDef op_attention;
/* conv_wino.c: Winograd F(4x4, 3x3) for stride-1 3x3 convolutions. */
bool conv_wino_applies(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                       int64_t group, int64_t cin, int64_t cout, int64_t oh, int64_t ow);
int64_t conv_wino_tiles(int64_t oh, int64_t ow);
int64_t conv_wino_scratch(int64_t cin, int64_t cout, int64_t oh, int64_t ow);
int64_t conv_wino_block_rows(int64_t cin, int64_t cout, int64_t oh, int64_t ow);
float *conv_wino_pack(const float *w, int64_t cout, int64_t cin, int64_t *packed_len);
/* conv_direct.c: direct convolution, positions x output channels tiles. */
bool conv_direct_applies(int64_t kh, int64_t kw, int64_t group);
int64_t conv_direct_scratch(int64_t cin, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                            int64_t sw, int64_t dh, int64_t dw, int64_t pt, int64_t pl, int64_t oh,
                            int64_t ow);
float *conv_direct_pack(const float *w, int64_t cout, int64_t k, int64_t *packed_len);
/* Inference BatchNormalization as y = x * scale[c] + shift[c]. */
void batchnorm_affine(const Node *n, float *scale, float *shift);
/* elementwise.c */
/* Element-wise chains (passes/fuse_elementwise.c): whether n can be a step
   (float in and out: a unary op, Clip with constant bounds, or Add, Sub, Mul,
   Div, Pow, PRelu, two-input Max and Min), and the ElementwiseChain node
   the pass makes of the steps (not in the public op table). */
bool ew_chain_step(const Node *n);
/* How operand t of an output shaped like y repeats: element i reads
   t[(i / inner) % len]. False when t's non-1 dimensions are not one run
   matching y's (the chain leaves such broadcasts to the binary kernel). */
bool ew_operand_period(const Tensor *t, const Tensor *y, int64_t *len, int64_t *inner);
extern const OpDef op_ew_chain;
/* Template parameters are limited: at most this many run-time operands. */
enum { MAX_CHAIN_OPERANDS = 16 };
OP_FUNCS(unary)
OP_FUNCS(binary)
OP_FUNCS(clip)
OP_FUNCS(variadic)
OP_FUNCS(where)
/* reduce.c */
OP_FUNCS(reduce)
OP_FUNCS(argmax)
OP_FUNCS(softmax_like)
OP_FUNCS(cumsum)
OP_FUNCS(topk)
/* einsum.c */
OP_FUNCS(einsum)
/* shape.c */
OP_FUNCS(identity)
OP_FUNCS(reshape)
OP_FUNCS(flatten)
OP_FUNCS(squeeze)
OP_FUNCS(unsqueeze)
OP_FUNCS(transpose)
OP_FUNCS(concat)
OP_FUNCS(shape)
OP_FUNCS(gather)
OP_FUNCS(slice)
OP_FUNCS(cast)
OP_FUNCS(constant_of_shape)
OP_FUNCS(range)
OP_FUNCS(castlike)
/* movement.c */
OP_FUNCS(trilu)
OP_FUNCS(eyelike)
OP_FUNCS(size)
OP_FUNCS(split)
OP_FUNCS(gather_elements)
OP_FUNCS(scatter_elements)
OP_FUNCS(gather_nd)
OP_FUNCS(scatter_nd)
OP_FUNCS(expand)
OP_FUNCS(tile)
OP_FUNCS(space_depth)
OP_FUNCS(pad)
OP_FUNCS(onehot)
OP_FUNCS(compress)
OP_FUNCS(reverse_sequence)
/* norm.c */
OP_FUNCS(layernorm)
OP_FUNCS(instancenorm)
OP_FUNCS(mvn)
OP_FUNCS(lpnorm)
OP_FUNCS(lrn)
/* convtranspose.c */
OP_FUNCS(convtranspose)
OP_FUNCS(conv_integer)
OP_FUNCS(maxpool)
OP_FUNCS(lppool)
OP_FUNCS(maxroipool)
OP_FUNCS(avgpool)
OP_FUNCS(maxunpool)
OP_FUNCS(roialign)
/* quant.c */
OP_FUNCS(quantize)
OP_FUNCS(dynquant)
OP_FUNCS(matmul_integer)
/* resize.c */
OP_FUNCS(resize)
/* y[i...] = x[base + sum i_k * strides[k]] over the view dims (rank <= 16),
   through the transpose template / at compile time. */
int emit_strided(Emit *e, Tensor *x, int64_t base, Tensor *y, int rank, const int64_t *dims,
                 const int64_t *strides);
void fold_strided(Graph *g, Tensor *x, int64_t base, Tensor *y, int rank, const int64_t *dims,
                  const int64_t *strides);

/* [OUTER, DIM, INNER] view of x around `axis`. With `flatten` (the softmax
   family before opset 13) the input is coerced to 2-D at the axis instead:
   DIM takes every dimension from the axis on. */
void split_axis(const Tensor *x, int64_t axis, bool flatten, int64_t *outer, int64_t *dim,
                int64_t *inner);
/* The axis of Softmax, LogSoftmax and Hardmax, normalized (opset < 13:
   default 1 and the input flattened there; later: default -1). */
int64_t softmax_axis(const Node *n);

/* Advances a row-major multi-index over dims (the last axis fastest);
   wraps to all zeros after the last element. */
void index_next(int64_t *idx, const int64_t *dims, int rank);

/* Activation of an element-wise op node that fusion can absorb (ACT_NONE if not). */
ActKind act_of_node(const Node *n, float *alpha, float *beta);

#endif
