/*
 * mlegen.h - the one header of the mlegen compiler.
 *
 * The compiler is a straight pipeline, one file (or folder) per stage:
 *
 *   load.c     ONNX protobuf (protobuf-c) -> Graph         (this header: "Loader")
 *   ir.c       tensors, nodes, lookup, topological order   ("IR")
 *   ops/       the op registry: one table entry per ONNX op with shape
 *              inference, constant evaluation and kernel selection ("Ops")
 *   passes/    graph rewrites, one file each, run from a table ("Passes")
 *   plan.c     pure arena-offset algorithms (plan.h); schedule.c builds the
 *              buffers from the graph ("Plan")
 *   emit.c     C file writer: weights, arena, run function; kernels come
 *              from templates/NAME.m4 expanded by m4 (template.c) ("Emit")
 *   check.c    `mlegen check`: compile, build with the harness, compare
 *   main.c     command line
 *
 * Memory: every object of one compilation is allocated from the Graph's
 * pool (pool_alloc) and freed at once with graph_free. Passes that remove
 * nodes just mark them dead; nothing is freed piecemeal.
 *
 * Errors: diagnostics are collected (diag.c), never fatal in the middle of a
 * stage, so a user sees every problem of a model at once. Each stage checks
 * diag_count() before the next stage runs.
 */
#ifndef MLEGEN_H
#define MLEGEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MLEGEN_VERSION "0.1.0"
#define MAX_RANK       8

typedef struct Graph Graph;
typedef struct Node Node;
typedef struct Tensor Tensor;
typedef struct Attr Attr;
typedef struct OpDef OpDef;
typedef struct Emit Emit;
typedef struct Options Options;
typedef struct BodyMap BodyMap;

/* ---------------------------------------------------------------- diag.c */

/* Where a diagnostic points. */
void diag_set_file(const char *path);
const char *diag_file(void);
void error_at_node(const Node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_at_tensor(const Tensor *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_model(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_model(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int diag_count(void);
void diag_reset(void);
/* Caps the number of printed errors (the rest are counted). */
void diag_set_limit(int max_errors);
/* Counts but prints nothing while quiet (the fuzzer). */
void diag_set_quiet(bool quiet);

/* ---------------------------------------------------------------- util.c */

typedef struct Pool Pool;
Pool *pool_new(void);
void *pool_alloc(Pool *p, size_t size); /* zeroed; aborts only on OOM */
char *pool_strdup(Pool *p, const char *s);
char *pool_printf(Pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pool_free(Pool *p);

/* Growable string buffer for emitting text. */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;
void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
void buf_free(Buf *b);

bool read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len, char *err,
               size_t errlen);
/* Writes path atomically (temp file in the same directory, then rename). */
bool write_file_atomic(const char *path, const void *data, size_t len);
/* Writes n files all or none: every temp file first, then the renames. */
bool write_files_atomic(int n, const char *const *paths, const void *const *data,
                        const size_t *lens);

uint64_t hash_bytes(const void *data, size_t n, uint64_t seed);

/* ---------------------------------------------------------------- dtypes */

/* Values are ONNX TensorProto.DataType codes. */
typedef enum {
    DT_UNDEFINED = 0,
    DT_FLOAT = 1,
    DT_UINT8 = 2,
    DT_INT8 = 3,
    DT_UINT16 = 4,
    DT_INT16 = 5,
    DT_INT32 = 6,
    DT_INT64 = 7,
    DT_STRING = 8,
    DT_BOOL = 9,
    DT_FLOAT16 = 10,
    DT_DOUBLE = 11,
    DT_UINT32 = 12,
    DT_UINT64 = 13,
    DT_COMPLEX64 = 14,
    DT_COMPLEX128 = 15,
    DT_BFLOAT16 = 16,
    DT_COUNT
} DType;

const char *dtype_name(DType t);  /* "float", "int64", ... */
const char *dtype_ctype(DType t); /* "float", "int64_t", "uint16_t" (half), NULL if none */
size_t dtype_size(DType t);       /* bytes per element, 0 if unsupported */
/* A string element is a `const char *` (NUL-terminated UTF-8); a constant
   string tensor's data is an array of such pointers into the graph's pool. */
bool dtype_is_float(DType t); /* float, double, float16, bfloat16 */

/* ---------------------------------------------------------------- IR */

typedef enum {
    STORE_NONE,   /* not yet planned */
    STORE_CONST,  /* compile-time data, emitted as static const */
    STORE_ARENA,  /* offset into the workspace */
    STORE_INPUT,  /* the caller's inputs[index] */
    STORE_OUTPUT, /* the caller's outputs[index] */
} StoreKind;

/* What a value is. Sequences and optionals exist only at compile time
   (seq.c): their structure is resolved during shape inference and only
   their element tensors reach the generated code. */
typedef enum {
    VK_TENSOR = 0,
    VK_SEQUENCE, /* an ordered list of tensors of one element type */
    VK_OPTIONAL, /* a tensor or sequence, or nothing */
} ValueKind;

struct Tensor {
    char *name;
    int id;
    DType dtype;
    int rank;               /* -1 while unknown */
    int64_t dims[MAX_RANK]; /* -1 for an unbound symbolic or unknown dim */
    char *sym[MAX_RANK];    /* symbolic dim names from the model, or NULL */
    void *data;             /* constant value (dtype_size * numel bytes), or NULL */
    bool is_input;          /* a graph input (not an initializer) */
    bool is_output;         /* a graph output */
    bool bounded;           /* dims[bounded_axis] is only an upper bound: the real */
    int bounded_axis;       /* extent is known at run time (graph outputs only) */
    int io_index;           /* position among graph inputs or outputs */
    Node *producer;         /* NULL for inputs and constants */
    int nuses;              /* live consumers (recomputed by graph_recount) */
    /* Storage, filled by the planner. */
    Tensor *alias; /* shares the storage of this tensor (same bytes) */
    StoreKind store;
    int64_t offset;    /* arena offset or const-blob offset (bytes) */
    const char *cexpr; /* C expression of the emitted constant (emit.c) */
    /* Sequence and optional values (kind != VK_TENSOR): dtype is the element
       type and rank/dims the declared element shape, if any. */
    ValueKind kind;
    ValueKind elem_kind; /* optional: what it holds (tensor or sequence) */
    int nelems;          /* -1 until computed; optional: 0 (empty) or 1 */
    Tensor **elems;      /* the element tensors (optional: its one value) */
};

typedef enum {
    ATTR_UNDEFINED = 0,
    ATTR_FLOAT = 1,
    ATTR_INT = 2,
    ATTR_STRING = 3,
    ATTR_TENSOR = 4,
    ATTR_GRAPH = 5,
    ATTR_FLOATS = 6,
    ATTR_INTS = 7,
    ATTR_STRINGS = 8,
    ATTR_TENSORS = 9,
    ATTR_GRAPHS = 10,
    ATTR_SPARSE_TENSOR = 11,
    ATTR_SPARSE_TENSORS = 12,
    ATTR_TYPE_PROTO = 13, /* kept only as its tensor element type in i */
} AttrType;

struct Attr {
    char *name;
    AttrType type;
    int64_t i;
    float f;
    char *s; /* NUL-terminated copy (bytes attributes may hold NUL: see slen) */
    size_t slen;
    int n; /* count of ints / floats / strings */
    int64_t *ints;
    float *floats;
    char **strings;
    Tensor *t; /* ATTR_TENSOR: a detached constant tensor */
    Graph *g;  /* ATTR_GRAPH */
};

/* Fused epilogue applied by kernels that support it (Conv, Gemm, MatMul). */
typedef enum {
    ACT_NONE,
    ACT_RELU,
    ACT_LEAKY_RELU, /* alpha */
    ACT_CLIP,       /* alpha = min, beta = max */
    ACT_SIGMOID,
    ACT_TANH,
    ACT_HARD_SIGMOID, /* alpha, beta */
    ACT_HARD_SWISH,
    ACT_COUNT
} ActKind;

typedef struct Epilogue {
    ActKind act;
    float alpha, beta;
    Tensor *residual; /* added before the activation when not NULL */
    /* One constant per output column, added first (MatMul only: a Linear
       layer's Add of its bias; Conv and Gemm carry theirs as an input).
       Points into the absorbed Add's constant, which lives with the graph. */
    const float *bias;
} Epilogue;

struct Node {
    char *name; /* never NULL: a name is made up for unnamed nodes */
    char *op_type;
    char *domain; /* "" for the default ONNX domain */
    int id;
    const OpDef *op; /* NULL if unsupported */
    int opset;       /* the opset version in effect for this node's domain */
    int ninputs;
    Tensor **inputs; /* an entry is NULL for an omitted optional input */
    int noutputs;
    Tensor **outputs; /* an entry is NULL for an omitted optional output */
    int nattrs;
    Attr *attrs;
    Epilogue epi; /* set by the fusion passes */
    char *fused;  /* names of the nodes fused into this one (for comments) */
    /* An ElementwiseChain's steps, in order (dead nodes kept for their
       op_type, attributes and inputs: passes/fuse_elementwise.c). */
    Node **chain;
    int nchain;
    bool dead;
    const BodyMap *outer;   /* copied out of an inlined body: its values (control.c) */
    int64_t scratch_bytes;  /* planned temporary workspace */
    int64_t scratch_offset; /* its arena offset */
};

typedef struct OpsetImport {
    char *domain;
    int64_t version;
} OpsetImport;

struct Graph {
    Pool *pool;
    char *name;
    const char *path; /* model file, for diagnostics and external data */
    int64_t ir_version;
    int nopsets;
    OpsetImport *opsets;
    int nnodes, cap_nodes;
    Node **nodes; /* in topological order after graph_toposort */
    int ntensors, cap_tensors;
    Tensor **tensors;
    int ninputs;
    Tensor **inputs; /* real inputs (initializers excluded) */
    int noutputs;
    Tensor **outputs;
    struct TensorMap *map;
    Graph *parent;            /* enclosing graph for subgraphs */
    Graph *sub_next;          /* root: chain of all its subgraphs (freed by graph_free) */
    int64_t max_tensor_bytes; /* no tensor may be larger (--max-tensor-bytes); 0: no limit */
};

/* ir.c */
Graph *graph_new(Graph *parent);
void graph_free(Graph *g);
Tensor *graph_find(Graph *g, const char *name);         /* NULL if none */
Tensor *graph_tensor(Graph *g, const char *name);       /* find or create */
Tensor *graph_find_local(Graph *g, const char *name);   /* this graph only, not enclosing ones */
Tensor *graph_tensor_local(Graph *g, const char *name); /* find or create in this graph */
Tensor *graph_new_tensor(Graph *g, const char *stem);   /* a fresh, unique name */
Node *graph_add_node(Graph *g, const char *op_type, const char *name, int ninputs, int noutputs);
int graph_toposort(Graph *g); /* -1 on a cycle (reported) */
void graph_recount(Graph *g); /* producer, nuses; drops dead nodes */
/* Replaces every use of `from` (as a node input or graph output) by `to`. */
void graph_replace_uses(Graph *g, Tensor *from, Tensor *to);
int64_t opset_version(const Graph *g, const char *domain);

int64_t tensor_numel(const Tensor *t); /* -1 if unknown or overflow */
int64_t tensor_bytes(const Tensor *t); /* -1 if unknown or overflow */
bool tensor_is_const(const Tensor *t);
bool tensor_shape_known(const Tensor *t);
void tensor_set_shape(Tensor *t, DType dt, int rank, const int64_t *dims);
bool tensor_same_shape(const Tensor *a, const Tensor *b);
char *shape_str(const Tensor *t, char *buf, size_t n); /* "[1x3x224x224]" */
/* Scalar reads of constant data converted to int64 / double. */
int64_t tensor_get_i64(const Tensor *t, int64_t i);
double tensor_get_f64(const Tensor *t, int64_t i);

const Attr *node_attr(const Node *n, const char *name);
int64_t attr_int(const Node *n, const char *name, int64_t dflt);
float attr_float(const Node *n, const char *name, float dflt);
const char *attr_str(const Node *n, const char *name, const char *dflt);
/* Copies an INTS attribute into out (at most max); returns its count or -1 if absent. */
int attr_ints(const Node *n, const char *name, int64_t *out, int max);
Tensor *node_input(const Node *n, int i);  /* NULL if absent or omitted */
Tensor *node_output(const Node *n, int i); /* NULL if absent or omitted */

/* Verifies graph invariants (after each pass in debug and test builds). */
int graph_verify(Graph *g, const char *after);

/* ---------------------------------------------------------------- load.c */

typedef struct LoadOptions {
    size_t max_model_bytes;  /* the model file */
    size_t max_tensor_bytes; /* any single tensor */
} LoadOptions;

Graph *load_model(const char *path, const LoadOptions *opt); /* NULL after reporting errors */
/* The same from bytes in memory; path names the model for diagnostics and external data. */
Graph *load_model_bytes(const void *data, size_t len, const char *path, const LoadOptions *opt);
/* Reads one TensorProto file (backend-test .pb) into a detached tensor of g. */
Tensor *load_tensor_file(Graph *g, const char *path, const LoadOptions *opt);
/* The same from bytes; what names them in diagnostics. */
Tensor *load_tensor_bytes(Graph *g, const void *data, size_t len, const char *what,
                          const LoadOptions *opt);

/* ---------------------------------------------------------------- ops/ */

enum {
    OPF_ALIAS = 1 << 0,        /* output 0 may share input 0's storage (Reshape) */
    OPF_ELEMENTWISE = 1 << 1,  /* same-shape unary (fusable into a chain) */
    OPF_EPILOGUE = 1 << 2,     /* accepts a fused Epilogue (Conv, Gemm) */
    OPF_NO_FOLD = 1 << 3,      /* never constant-fold (random ops) */
    OPF_STRINGS = 1 << 4,      /* may read or write string tensors (others are refused) */
    OPF_KEEP_SCRATCH = 1 << 5, /* scratch lives to the end of the run: it holds the
                                  characters of string outputs, which later ops may copy */
    OPF_VALUES = 1 << 6,       /* takes sequence and optional values (seq ops, Identity) */
};

/* One ONNX operator. Adding an operator = one table entry in ops/ops.c,
   its functions in the ops/ file of its family, its template(s) and a test. */
struct OpDef {
    const char *name;   /* ONNX op_type */
    const char *domain; /* "" = ai.onnx */
    int min_opset;      /* oldest opset version supported */
    unsigned flags;
    /* Sets output dtypes and shapes from the inputs; reports and returns -1 on error. */
    int (*infer)(Graph *g, Node *n);
    /* Computes constant outputs from constant inputs (optional, may decline with 1). */
    int (*fold)(Graph *g, Node *n);
    /* Emits the kernel call(s) for the node (NULL: the op must be folded away). */
    int (*emit)(Emit *e, Node *n);
    /* For the generated operator table (mlegen ops --markdown). */
    const char *types; /* element types accepted (NULL: float) */
    const char *notes; /* limits worth knowing (NULL: none) */
    /* Bytes of temporary workspace emit will ask for (NULL: none). */
    int64_t (*scratch)(const Node *n, const Options *opt);
};

const OpDef *op_lookup(const char *domain, const char *op_type);
void print_op_table(FILE *out); /* Markdown, for the README */
/* Graph inputs that ops required as compile-time constants during the last
   compilation (names live as long as its graph); reset before compiling. */
int needed_const_inputs(const char **names, int max);
void needed_const_reset(void);
int op_count(void);
const OpDef *op_at(int i);
/* Runs op->infer for every node in order; returns the number of errors. */
int infer_shapes(Graph *g);

/* ---------------------------------------------------------------- passes/ */

struct Options {
    int opt_level;            /* 0: no fusion, no reuse, scalar kernels; 2: default */
    const char *prefix;       /* symbol prefix */
    const char *target;       /* "generic", "avx2", "avx512", "native" or NULL (all under #if) */
    const char *template_dir; /* templates/ */
    const char *plan_algo;    /* NULL: best */
    bool verify;              /* run graph_verify after each pass */
    bool no_comments;
    const char *header_name;     /* file name of OUT.h, #included by OUT.c */
    int64_t max_string_bytes;    /* longest string (bytes, no NUL) a kernel may have to copy */
    const char *disabled_passes; /* --disable-pass: comma-separated pass names, or NULL */
    bool blas;                   /* --blas openblas: large constant-B GEMMs call cblas_sgemm */
};

typedef struct Pass {
    const char *name;
    int min_opt;                              /* runs when opt_level >= min_opt */
    int (*run)(Graph *g, const Options *opt); /* returns -1 on error, else #changes */
} Pass;

int run_passes(Graph *g, const Options *opt);
/* Checks a --disable-pass list; on an unknown or required pass prints the
   optional passes to stderr and returns -1. */
int passes_check_disabled(const char *list);

/* ---------------------------------------------------------------- plan */

typedef struct Schedule {
    int64_t arena_bytes;
    int64_t pressure_bytes; /* lower bound, for the report */
    const char *algo;
    int nbuffers;
    int64_t extents_offset; /* int64 per graph output: run-time extents, or -1 */
} Schedule;

/* Assigns every tensor's storage; returns -1 on error. */
int plan_memory(Graph *g, const Options *opt, Schedule *s);

/* ---------------------------------------------------------------- emit.c */

/* Emits OUT.c and OUT.h text. */
int emit_model(Graph *g, const Options *opt, const Schedule *s, Buf *c_out, Buf *h_out);

/* Interface for ops' emit functions. A kernel is a template instance: the
   template name plus parameter definitions; identical instances are shared. */
typedef struct Kernel Kernel;
Kernel *kernel_begin(Emit *e, const char *tmpl);
void kernel_int(Kernel *k, const char *name, int64_t v);
void kernel_str(Kernel *k, const char *name, const char *v);
void kernel_float(Kernel *k, const char *name, double v); /* exact C literal */
/* v rounded to float as kernel_float spells it (exact hex; NaN, infinities). */
void float_literal(char *b, size_t n, double v);
void kernel_ints(Kernel *k, const char *name, const int64_t *v, int n); /* "{a, b, c}" */
/* Expands the template (once per distinct instance); returns the C function name. */
const char *kernel_end(Emit *e, Kernel *k);

/* Appends a statement to the run function. Format: %s string, %d int,
   %D int64, %T a tensor's storage as `TYPE *` expression, %C same as const,
   %% percent. */
void emit_stmt(Emit *e, const char *fmt, ...);
/* The node's planned scratch workspace (at least `bytes`) as `(TYPE *)(ws + off)`. */
const char *emit_scratch(Emit *e, const char *ctype, int64_t bytes);
/* Appends `fn(a0, a1, ..., tail);`: args[i] as a const pointer for i < nin,
   a writable one after, a null pointer where args[i] is NULL (an omitted
   optional tensor); tail (or NULL) holds extra C arguments. */
void emit_call(Emit *e, const char *fn, Tensor *const *args, int nargs, int nin, const char *tail);
/* Where a kernel stores the run-time extent of graph output t's bounded
   axis: an `int64_t *` expression. */
const char *emit_extent(Emit *e, const Tensor *t);
/* Registers a compile-time array (e.g. packed weights) and returns its C expression. */
const char *emit_const_array(Emit *e, DType dt, const void *data, int64_t numel,
                             const char *comment);
Graph *emit_graph(Emit *e);
const Options *emit_options(Emit *e);
/* A kernel calls cblas_sgemm: the file includes <cblas.h>. */
void emit_uses_blas(Emit *e);
/* Epilogue as template parameters ACT, ACT_ALPHA, ACT_BETA, RESIDUAL. */
void kernel_epilogue(Kernel *k, const Epilogue *epi);
/* The templates' ACT name of an activation ("none", "relu", "clip", ...). */
const char *act_name(ActKind act);

/* ---------------------------------------------------------------- template.c */

/* Expands template_dir/NAME.m4 with -D definitions through m4 -P. */
int m4_expand(const char *template_dir, const char *name, const char *const *defs, int ndefs,
              Buf *out, char *err, size_t errlen);

#endif
