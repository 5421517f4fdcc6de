/* passes.h - the passes of passes/, one file each (internal to passes/). */
#ifndef MLEGEN_PASSES_H
#define MLEGEN_PASSES_H

#include "../ops/ops.h"

int pass_fold(Graph *g, const Options *opt);
int pass_dce(Graph *g, const Options *opt);
int pass_fuse_conv_bn(Graph *g, const Options *opt);
int pass_fuse_layernorm(Graph *g, const Options *opt);
int pass_fuse_bias(Graph *g, const Options *opt);
int pass_fuse_residual(Graph *g, const Options *opt);
int pass_fuse_activation(Graph *g, const Options *opt);
int pass_fuse_elementwise(Graph *g, const Options *opt);
int pass_fuse_pw_dw(Graph *g, const Options *opt);
int pass_fuse_attention(Graph *g, const Options *opt);

void note_fused(Graph *g, Node *into, const Node *from);
int rewrite_nodes(Graph *g, bool (*rewrite)(Graph *g, Node *n));
Node *single_user(Graph *g, Tensor *t);

#endif
