/*
 * ops.c - the operator registry: one entry per ONNX operator.
 *
 * The table is the only place that maps an op_type string to code; the
 * rest of the compiler asks op_lookup() and calls through the entry. Keep
 * it sorted by name (checked at start-up by ops_selftest in debug builds)
 * so lookup is a binary search.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#define ELEMWISE(nm, since, fl)                                                                    \
    {                                                                                              \
        .name = nm, .domain = "", .min_opset = since, .flags = OPF_ELEMENTWISE | (fl),             \
        .infer = infer_unary, .fold = fold_unary, .emit = emit_unary,                              \
        .types = "float, double, float16"                                                          \
    }
#define BINARY(nm, since)                                                                          \
    {                                                                                              \
        .name = nm, .domain = "", .min_opset = since, .infer = infer_binary, .fold = fold_binary,  \
        .emit = emit_binary, .types = "numeric, bool where ONNX allows it",                        \
        .notes = "numpy broadcasting"                                                              \
    }
/* An op with nothing to evaluate at compile time: no fold function. */
#define NOFOLD_OP(nm, since, fn, fl)                                                               \
    {                                                                                              \
        .name = nm, .domain = "", .min_opset = since, .flags = (fl), .infer = infer_##fn,          \
        .emit = emit_##fn, .types = "any"                                                          \
    }
#define SHAPE_OP(nm, since, fn, fl)                                                                \
    {                                                                                              \
        .name = nm, .domain = "", .min_opset = since, .flags = (fl), .infer = infer_##fn,          \
        .fold = fold_##fn, .emit = emit_##fn, .types = "any"                                       \
    }

/* Sequence and optional ops: resolved during inference (sequence.c). */
#define VALUE_OP(nm, since, note)                                                                  \
    {                                                                                              \
        .name = nm, .domain = "", .min_opset = since, .flags = OPF_VALUES,                         \
        .infer = infer_sequence, .types = "any", .notes = note                                     \
    }

#define CAST_STRING_NOTES                                                                          \
    "to string: numpy's shortest round-trip text (0.47892547, 1e-05, nan, -inf); from string: "    \
    "strtod syntax and NaN, INF, +INF, -INF in any case (C locale)"

/* A movement op that also takes string tensors: it copies elements whole
   (pointers), never looks at their values. */
#define STRING_SHAPE_OP(nm, since, fn, fl)                                                         \
    {                                                                                              \
        .name = nm, .domain = "", .min_opset = since, .flags = OPF_STRINGS | (fl),                 \
        .infer = infer_##fn, .fold = fold_##fn, .emit = emit_##fn, .types = "any, string",         \
        .notes = "strings: element pointers are copied"                                            \
    }

static const OpDef op_table[] = {
    ELEMWISE("Abs", 1, 0),
    ELEMWISE("Acos", 7, 0),
    ELEMWISE("Acosh", 9, 0),
    {.name = "Adagrad",
     .domain = "ai.onnx.preview.training",
     .min_opset = 1,
     .infer = infer_optimizer,
     .emit = emit_optimizer,
     .types = "float",
     .notes = "R and T read at run time"},
    {.name = "Adam",
     .domain = "ai.onnx.preview.training",
     .min_opset = 1,
     .infer = infer_optimizer,
     .emit = emit_optimizer,
     .types = "float",
     .notes = "R and T read at run time"},
    BINARY("Add", 1),
    BINARY("And", 1),
    SHAPE_OP("ArgMax", 1, argmax, 0),
    SHAPE_OP("ArgMin", 1, argmax, 0),
    ELEMWISE("Asin", 7, 0),
    ELEMWISE("Asinh", 9, 0),
    ELEMWISE("Atan", 7, 0),
    ELEMWISE("Atanh", 9, 0),
    /* convtranspose.c: 3-D; 1-D and 2-D go to nn.c's pool */
    NOFOLD_OP("AveragePool", 1, avgpool, 0),
    {.name = "BatchNormalization",
     .domain = "",
     .min_opset = 1,
     .infer = infer_batchnorm_any,
     .emit = emit_batchnorm_any},
    BINARY("BitShift", 11),
    {.name = "BlackmanWindow",
     .domain = "",
     .min_opset = 17,
     .infer = infer_window,
     .fold = fold_window,
     .emit = emit_window,
     .types = "float, double out",
     .notes = "computed at compile time"},
    {.name = "Cast",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_STRINGS | OPF_KEEP_SCRATCH,
     .infer = infer_cast,
     .fold = fold_cast,
     .emit = emit_cast,
     .scratch = scratch_cast,
     .types = "numeric, bool, float16, bfloat16; string from/to float, double, integers",
     .notes = CAST_STRING_NOTES},
    {.name = "CastLike",
     .domain = "",
     .min_opset = 15,
     .flags = OPF_STRINGS | OPF_KEEP_SCRATCH,
     .infer = infer_castlike,
     .fold = fold_castlike,
     .emit = emit_castlike,
     .scratch = scratch_cast,
     .types = "as Cast",
     .notes = "as Cast"},
    ELEMWISE("Ceil", 1, 0),
    ELEMWISE("Celu", 12, 0),
    {.name = "Clip",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_ELEMENTWISE,
     .infer = infer_clip,
     .fold = fold_clip,
     .emit = emit_clip},
    NOFOLD_OP("Compress", 9, compress, 0),
    STRING_SHAPE_OP("Concat", 1, concat, 0),
    VALUE_OP("ConcatFromSequence", 11, "a Concat (new_axis=1: a stack) of the elements"),
    SHAPE_OP("ConstantOfShape", 9, constant_of_shape, 0),
    {.name = "Conv",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_EPILOGUE,
     .infer = infer_conv,
     .fold = fold_conv,
     .emit = emit_conv,
     .scratch = scratch_conv},
    NOFOLD_OP("ConvInteger", 10, conv_integer, 0),
    NOFOLD_OP("ConvTranspose", 1, convtranspose, 0),
    ELEMWISE("Cos", 7, 0),
    ELEMWISE("Cosh", 9, 0),
    NOFOLD_OP("CumSum", 11, cumsum, 0),
    {.name = "DFT",
     .domain = "",
     .min_opset = 17,
     .infer = infer_dft,
     .emit = emit_dft,
     .types = "float",
     .notes = "direct transform in double"},
    SHAPE_OP("DepthToSpace", 1, space_depth, 0),
    NOFOLD_OP("DequantizeLinear", 10, quantize, 0),
    {.name = "Det",
     .domain = "",
     .min_opset = 11,
     .infer = infer_det,
     .emit = emit_det,
     .scratch = scratch_det,
     .types = "float",
     .notes = "LU with partial pivoting"},
    BINARY("Div", 1),
    SHAPE_OP("Dropout", 1, identity, OPF_ALIAS),
    NOFOLD_OP("DynamicQuantizeLinear", 11, dynquant, 0),
    NOFOLD_OP("Einsum", 12, einsum, 0),
    ELEMWISE("Elu", 1, 0),
    BINARY("Equal", 1),
    ELEMWISE("Erf", 9, 0),
    ELEMWISE("Exp", 1, 0),
    STRING_SHAPE_OP("Expand", 8, expand, 0),
    SHAPE_OP("EyeLike", 9, eyelike, 0),
    STRING_SHAPE_OP("Flatten", 1, flatten, OPF_ALIAS),
    ELEMWISE("Floor", 1, 0),
    {.name = "GRU",
     .domain = "",
     .min_opset = 7,
     .infer = infer_rnn,
     .emit = emit_rnn,
     .scratch = scratch_rnn,
     .types = "float",
     .notes = "linear_before_reset"},
    STRING_SHAPE_OP("Gather", 1, gather, 0),
    SHAPE_OP("GatherElements", 11, gather_elements, 0),
    NOFOLD_OP("GatherND", 11, gather_nd, 0),
    {.name = "Gemm",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_EPILOGUE,
     .infer = infer_gemm,
     .emit = emit_gemm},
    {.name = "GlobalAveragePool",
     .domain = "",
     .min_opset = 1,
     .infer = infer_global_pool,
     .emit = emit_global_pool},
    NOFOLD_OP("GlobalLpPool", 2, lppool, 0),
    {.name = "GlobalMaxPool",
     .domain = "",
     .min_opset = 1,
     .infer = infer_global_pool,
     .emit = emit_global_pool},
    BINARY("Greater", 1),
    BINARY("GreaterOrEqual", 12),
    {.name = "GridSample",
     .domain = "",
     .min_opset = 16,
     .infer = infer_gridsample,
     .emit = emit_gridsample,
     .types = "float",
     .notes = "bilinear/nearest/bicubic; zeros/border/reflection"},
    {.name = "HammingWindow",
     .domain = "",
     .min_opset = 17,
     .infer = infer_window,
     .fold = fold_window,
     .emit = emit_window,
     .types = "float, double out",
     .notes = "computed at compile time"},
    {.name = "HannWindow",
     .domain = "",
     .min_opset = 17,
     .infer = infer_window,
     .fold = fold_window,
     .emit = emit_window,
     .types = "float, double out",
     .notes = "computed at compile time"},
    ELEMWISE("HardSigmoid", 1, 0),
    ELEMWISE("HardSwish", 14, 0),
    NOFOLD_OP("Hardmax", 1, softmax_like, 0),
    STRING_SHAPE_OP("Identity", 1, identity, OPF_ALIAS | OPF_VALUES),
    {.name = "If",
     .domain = "",
     .flags = OPF_VALUES,
     .min_opset = 1,
     .infer = infer_if,
     .emit = emit_control,
     .types = "any",
     .notes = "inlined; a run-time condition runs both branches and selects"},
    NOFOLD_OP("InstanceNormalization", 1, instancenorm, 0),
    ELEMWISE("IsInf", 10, 0),
    ELEMWISE("IsNaN", 9, 0),
    NOFOLD_OP("LRN", 1, lrn, 0),
    {.name = "LSTM",
     .domain = "",
     .min_opset = 7,
     .infer = infer_rnn,
     .emit = emit_rnn,
     .scratch = scratch_rnn,
     .types = "float",
     .notes = "peepholes; input_forget not supported"},
    NOFOLD_OP("LayerNormalization", 1, layernorm, 0),
    ELEMWISE("LeakyRelu", 1, 0),
    BINARY("Less", 1),
    BINARY("LessOrEqual", 12),
    ELEMWISE("Log", 1, 0),
    NOFOLD_OP("LogSoftmax", 1, softmax_like, 0),
    {.name = "Loop",
     .domain = "",
     .flags = OPF_VALUES,
     .min_opset = 1,
     .infer = infer_loop,
     .emit = emit_control,
     .types = "any",
     .notes = "unrolled; trip count known at compile time, for-loop conditions only"},
    NOFOLD_OP("LpNormalization", 1, lpnorm, 0),
    NOFOLD_OP("LpPool", 2, lppool, 0),
    {.name = "MatMul",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_EPILOGUE,
     .infer = infer_matmul,
     .emit = emit_matmul},
    NOFOLD_OP("MatMulInteger", 10, matmul_integer, 0),
    {.name = "Max",
     .domain = "",
     .min_opset = 1,
     .infer = infer_variadic,
     .fold = fold_variadic,
     .emit = emit_variadic},
    /* convtranspose.c: Indices, 3-D and non-float; the rest goes to nn.c's pool */
    NOFOLD_OP("MaxPool", 1, maxpool, 0),
    NOFOLD_OP("MaxRoiPool", 1, maxroipool, 0),
    NOFOLD_OP("MaxUnpool", 9, maxunpool, 0),
    {.name = "Mean",
     .domain = "",
     .min_opset = 1,
     .infer = infer_variadic,
     .fold = fold_variadic,
     .emit = emit_variadic},
    NOFOLD_OP("MeanVarianceNormalization", 9, mvn, 0),
    {.name = "MelWeightMatrix",
     .domain = "",
     .min_opset = 17,
     .infer = infer_mel,
     .fold = fold_mel,
     .emit = emit_mel,
     .types = "float, double out",
     .notes = "computed at compile time"},
    {.name = "Min",
     .domain = "",
     .min_opset = 1,
     .infer = infer_variadic,
     .fold = fold_variadic,
     .emit = emit_variadic},
    BINARY("Mod", 10),
    {.name = "Momentum",
     .domain = "ai.onnx.preview.training",
     .min_opset = 1,
     .infer = infer_optimizer,
     .emit = emit_optimizer,
     .types = "float",
     .notes = "standard and Nesterov"},
    BINARY("Mul", 1),
    ELEMWISE("Neg", 1, 0),
    {.name = "NegativeLogLikelihoodLoss",
     .domain = "",
     .min_opset = 12,
     .infer = infer_loss_nll,
     .emit = emit_loss,
     .types = "float, double",
     .notes = "reductions none/sum/mean, weights, ignore_index"},
    {.name = "NonMaxSuppression",
     .domain = "",
     .min_opset = 10,
     .infer = infer_nms,
     .emit = emit_nms,
     .scratch = scratch_nms,
     .types = "float",
     .notes = "output extent known at run time (graph outputs only)"},
    {.name = "NonZero",
     .domain = "",
     .min_opset = 9,
     .infer = infer_nonzero,
     .emit = emit_nonzero,
     .types = "numeric, bool",
     .notes = "output extent known at run time (graph outputs only)"},
    ELEMWISE("Not", 1, 0),
    NOFOLD_OP("OneHot", 9, onehot, 0),
    VALUE_OP("Optional", 15, "present or empty is decided at compile time"),
    VALUE_OP("OptionalGetElement", 15, "compile time; an empty optional is an error"),
    VALUE_OP("OptionalHasElement", 15, "a compile-time constant"),
    BINARY("Or", 1),
    BINARY("PRelu", 1),
    NOFOLD_OP("Pad", 1, pad, 0),
    BINARY("Pow", 1),
    NOFOLD_OP("QLinearConv", 10, conv_integer, 0),
    NOFOLD_OP("QLinearMatMul", 10, matmul_integer, 0),
    NOFOLD_OP("QuantizeLinear", 10, quantize, 0),
    {.name = "RNN",
     .domain = "",
     .min_opset = 7,
     .infer = infer_rnn,
     .emit = emit_rnn,
     .scratch = scratch_rnn,
     .types = "float",
     .notes = "one template for RNN/GRU/LSTM: directions, sequence_lens, layouts, all activations"},
    SHAPE_OP("Range", 11, range, 0),
    ELEMWISE("Reciprocal", 1, 0),
    SHAPE_OP("ReduceL1", 1, reduce, 0),
    SHAPE_OP("ReduceL2", 1, reduce, 0),
    SHAPE_OP("ReduceLogSum", 1, reduce, 0),
    SHAPE_OP("ReduceLogSumExp", 1, reduce, 0),
    SHAPE_OP("ReduceMax", 1, reduce, 0),
    SHAPE_OP("ReduceMean", 1, reduce, 0),
    SHAPE_OP("ReduceMin", 1, reduce, 0),
    SHAPE_OP("ReduceProd", 1, reduce, 0),
    SHAPE_OP("ReduceSum", 1, reduce, 0),
    SHAPE_OP("ReduceSumSquare", 1, reduce, 0),
    ELEMWISE("Relu", 1, 0),
    STRING_SHAPE_OP("Reshape", 1, reshape, OPF_ALIAS),
    NOFOLD_OP("Resize", 10, resize, 0),
    NOFOLD_OP("ReverseSequence", 10, reverse_sequence, 0),
    NOFOLD_OP("RoiAlign", 10, roialign, 0),
    ELEMWISE("Round", 11, 0),
    {.name = "STFT",
     .domain = "",
     .min_opset = 17,
     .infer = infer_stft,
     .emit = emit_stft,
     .types = "float",
     .notes = "optional window"},
    {.name = "Scan",
     .domain = "",
     .min_opset = 8,
     .infer = infer_scan,
     .emit = emit_control,
     .types = "any",
     .notes = "unrolled over the static scan axis"},
    NOFOLD_OP("Scatter", 9, scatter_elements, 0),
    NOFOLD_OP("ScatterElements", 11, scatter_elements, 0),
    NOFOLD_OP("ScatterND", 11, scatter_nd, 0),
    ELEMWISE("Selu", 1, 0),
    VALUE_OP("SequenceAt", 11, "position: compile-time constant"),
    VALUE_OP("SequenceConstruct", 11, "sequences are compile-time lists of tensors"),
    VALUE_OP("SequenceEmpty", 11, NULL),
    VALUE_OP("SequenceErase", 11, "position: compile-time constant"),
    VALUE_OP("SequenceInsert", 11, "position: compile-time constant"),
    VALUE_OP("SequenceLength", 11, "a compile-time constant"),
    VALUE_OP("SequenceMap", 17, "body inlined once per element"),
    {.name = "Shape",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_STRINGS,
     .infer = infer_shape,
     .fold = fold_shape,
     .emit = emit_shape,
     .types = "any, string",
     .notes = "reads only the shape"},
    ELEMWISE("Shrink", 9, 0),
    ELEMWISE("Sigmoid", 1, 0),
    ELEMWISE("Sign", 9, 0),
    ELEMWISE("Sin", 7, 0),
    ELEMWISE("Sinh", 9, 0),
    {.name = "Size",
     .domain = "",
     .min_opset = 1,
     .flags = OPF_STRINGS,
     .infer = infer_size,
     .fold = fold_size,
     .emit = emit_size,
     .types = "any, string",
     .notes = "reads only the shape"},
    STRING_SHAPE_OP("Slice", 1, slice, 0),
    {.name = "Softmax", .domain = "", .min_opset = 1, .infer = infer_softmax, .emit = emit_softmax},
    {.name = "SoftmaxCrossEntropyLoss",
     .domain = "",
     .min_opset = 12,
     .infer = infer_loss_sce,
     .emit = emit_loss,
     .types = "float, double",
     .notes = "optional log_prob output"},
    ELEMWISE("Softplus", 1, 0),
    ELEMWISE("Softsign", 1, 0),
    SHAPE_OP("SpaceToDepth", 1, space_depth, 0),
    STRING_SHAPE_OP("Split", 1, split, 0),
    VALUE_OP("SplitToSequence", 11, "split: compile-time constant"),
    ELEMWISE("Sqrt", 1, 0),
    STRING_SHAPE_OP("Squeeze", 1, squeeze, OPF_ALIAS),
    {.name = "StringNormalizer",
     .domain = "",
     .min_opset = 10,
     .flags = OPF_STRINGS | OPF_KEEP_SCRATCH,
     .infer = infer_string_normalizer,
     .emit = emit_string_normalizer,
     .scratch = scratch_string_normalizer,
     .types = "string",
     .notes = "case change of ASCII and Latin-1 letters (other text unchanged, locale ignored); "
              "strings up to --max-string-bytes when the case changes; with stopwords the "
              "output extent is known at run time (graph outputs only)"},
    BINARY("Sub", 1),
    {.name = "Sum",
     .domain = "",
     .min_opset = 1,
     .infer = infer_variadic,
     .fold = fold_variadic,
     .emit = emit_variadic},
    ELEMWISE("Tan", 7, 0),
    ELEMWISE("Tanh", 1, 0),
    {.name = "TfIdfVectorizer",
     .domain = "",
     .min_opset = 9,
     .infer = infer_tfidf,
     .emit = emit_tfidf,
     .types = "int32, int64 tokens",
     .notes = "string pools not supported"},
    ELEMWISE("ThresholdedRelu", 10, 0),
    STRING_SHAPE_OP("Tile", 6, tile, 0),
    NOFOLD_OP("TopK", 1, topk, 0),
    STRING_SHAPE_OP("Transpose", 1, transpose, 0),
    SHAPE_OP("Trilu", 14, trilu, 0),
    {.name = "Unique",
     .domain = "",
     .min_opset = 11,
     .infer = infer_unique,
     .emit = emit_unique,
     .scratch = scratch_unique,
     .types = "numeric",
     .notes = "output extent known at run time (graph outputs only)"},
    STRING_SHAPE_OP("Unsqueeze", 1, unsqueeze, OPF_ALIAS),
    NOFOLD_OP("Upsample", 7, resize, 0),
    SHAPE_OP("Where", 9, where, 0),
    BINARY("Xor", 1),
};

#define NOPS ((int)(sizeof op_table / sizeof op_table[0]))

int op_count(void) {
    return NOPS;
}
const OpDef *op_at(int i) {
    return i >= 0 && i < NOPS ? &op_table[i] : NULL;
}

const OpDef *op_lookup(const char *domain, const char *op_type) {
    if (!domain || strcmp(domain, "ai.onnx") == 0) domain = "";
    int lo = 0, hi = NOPS - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(op_type, op_table[mid].name);
        if (c == 0) return strcmp(op_table[mid].domain, domain) == 0 ? &op_table[mid] : NULL;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Every output must have a computable size within --max-tensor-bytes
   before anything (folding, planning) allocates for it. */
static bool outputs_fit(const Graph *g, Node *n) {
    for (int k = 0; k < n->noutputs; k++) {
        Tensor *t = n->outputs[k];
        if (!t || t->rank < 0 || !dtype_size(t->dtype)) continue;
        bool known = true;
        for (int d = 0; d < t->rank; d++)
            if (t->dims[d] < 0) known = false;
        if (!known) continue;
        char buf[128];
        int64_t b = tensor_bytes(t);
        if (b < 0) {
            error_at_node(n, "output '%s' has shape %s, whose size overflows", t->name,
                          shape_str(t, buf, sizeof buf));
            return false;
        }
        if (g->max_tensor_bytes > 0 && b > g->max_tensor_bytes) {
            error_at_node(n,
                          "output '%s' of shape %s would be %lld bytes, over the limit of %lld "
                          "(raise it with --max-tensor-bytes)",
                          t->name, shape_str(t, buf, sizeof buf), (long long)b,
                          (long long)g->max_tensor_bytes);
            return false;
        }
    }
    return true;
}

/* Sequences and optionals reach only the ops that resolve them. */
static bool tensor_inputs(Node *n) {
    for (int k = 0; k < n->ninputs; k++) {
        Tensor *t = n->inputs[k];
        if (t && t->kind != VK_TENSOR) {
            error_at_node(n, "input '%s' is %s value; %s takes tensors", t->name,
                          t->kind == VK_SEQUENCE ? "a sequence" : "an optional", n->op_type);
            return false;
        }
    }
    return true;
}

/* String tensors are arrays of pointers: only ops that know that (copying
   elements whole, or the string kernels) may see one. Any other op would
   treat the pointers as numbers, so it is refused by name here, once for
   all ops, before (inputs) and after (outputs) its shape inference. */
static bool strings_ok(Node *n, Tensor **ts, int nts, const char *what) {
    if (n->op->flags & OPF_STRINGS) return true;
    for (int k = 0; k < nts; k++)
        if (ts[k] && ts[k]->dtype == DT_STRING) {
            error_at_node(n, "%s '%s' is a string tensor; %s does not support strings", what,
                          ts[k]->name, n->op_type);
            return false;
        }
    return true;
}

/* Shape inference over the graph in order; folds nodes whose inputs are all
   constant right away, so shape subgraphs (Shape -> Gather -> Concat ->
   Reshape) turn into constants before the Reshape needs its shape. */
int infer_shapes(Graph *g) {
    int errs = 0;
    /* Outputs of nodes that failed: their readers are not reported again
       (one mistake, one message). */
    int nfailed = g->ntensors; /* control flow adds tensors as it inlines */
    bool *failed = calloc((size_t)nfailed + 1, sizeof(bool));
    if (!failed) return 1;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        if (!n->op) n->op = op_lookup(n->domain, n->op_type);
        if (!n->op) {
            /* Top-level ones stopped compilation in the support check; these
               came out of an inlined control-flow body. */
            error_at_node(n, "operator %s is not supported by mlegen", n->op_type);
            errs++;
            continue;
        }
        if (!(n->op->flags & OPF_VALUES) && !tensor_inputs(n)) {
            errs++;
            continue;
        }
        bool downstream = false;
        for (int k = 0; k < n->ninputs; k++)
            if (n->inputs[k] && n->inputs[k]->id < nfailed && failed[n->inputs[k]->id])
                downstream = true;
        int before = diag_count();
        if (downstream || !strings_ok(n, n->inputs, n->ninputs, "input") ||
            n->op->infer(g, n) != 0 || diag_count() != before ||
            !strings_ok(n, n->outputs, n->noutputs, "output") || !outputs_fit(g, n)) {
            if (!downstream) errs++;
            for (int k = 0; k < n->noutputs; k++)
                if (n->outputs[k] && n->outputs[k]->id < nfailed) failed[n->outputs[k]->id] = true;
            continue;
        }
        if (n->dead) continue; /* rewrote itself (Shape, If, Loop, Scan) */
        bool all_const = true;
        for (int k = 0; k < n->ninputs; k++)
            if (n->inputs[k] && !n->inputs[k]->data) all_const = false;
        if (all_const && n->op->fold && !(n->op->flags & OPF_NO_FOLD)) {
            int rc = n->op->fold(g, n);
            if (rc < 0) errs++;
            if (rc == 0) {
                n->dead = true;
                for (int k = 0; k < n->noutputs; k++)
                    if (n->outputs[k]) n->outputs[k]->producer = NULL;
            }
        }
    }
    free(failed);
    return errs;
}

/* The supported-operator table of the README, straight from the registry. */
void print_op_table(FILE *out) {
    fprintf(out, "| operator | domain | opsets | types | notes |\n|---|---|---|---|---|\n");
    for (int i = 0; i < NOPS; i++) {
        const OpDef *op = &op_table[i];
        fprintf(out, "| %s | %s | %d-18 | %s | %s |\n", op->name,
                *op->domain ? op->domain : "ai.onnx", op->min_opset,
                op->types ? op->types : "float", op->notes ? op->notes : "");
    }
    fprintf(out, "\n%d operators.\n", NOPS);
}

/* Keeps the registry honest: sorted, unique names. */
int ops_selftest(void) {
    for (int i = 1; i < NOPS; i++)
        if (strcmp(op_table[i - 1].name, op_table[i].name) >= 0) {
            fprintf(stderr, "mlegen: op table not sorted at '%s'\n", op_table[i].name);
            return -1;
        }
    return 0;
}
