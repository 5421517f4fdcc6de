/*
 * main.c - the mlegen command line and the compile pipeline:
 *
 *   load_model -> bind shapes -> support check -> toposort -> infer_shapes
 *   -> run_passes -> plan_memory -> emit_model -> write OUT.c, OUT.h
 *
 * Each stage reports every problem it finds before the pipeline stops.
 * Exit status: 0 success, 1 bad or unsupported model, 2 bad usage.
 */
#include "driver.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ops_selftest(void);

#ifndef MLEGEN_TEMPLATE_DIR
#define MLEGEN_TEMPLATE_DIR "templates"
#endif
#ifndef MLEGEN_RUNTIME_DIR
#define MLEGEN_RUNTIME_DIR "runtime_stub"
#endif

const char *default_template_dir(void) {
    const char *e = getenv("MLEGEN_TEMPLATES");
    return e && *e ? e : MLEGEN_TEMPLATE_DIR;
}

const char *default_runtime_dir(void) {
    const char *e = getenv("MLEGEN_RUNTIME");
    return e && *e ? e : MLEGEN_RUNTIME_DIR;
}

static const char usage[] =
    "usage: mlegen MODEL.onnx -o OUT.c [options]     compile a model to OUT.c and OUT.h\n"
    "       mlegen check MODEL.onnx DATA_DIR... [options]\n"
    "                                                compile, build, run and compare with\n"
    "                                                DATA_DIR/input_K.pb, output_K.pb\n"
    "       mlegen support MODEL.onnx                list the model's ops and their support\n"
    "       mlegen ops --markdown                    the table of supported operators\n"
    "\n"
    "options:\n"
    "  -o FILE              output C file; the header is FILE with .h\n"
    "  --prefix NAME        symbol prefix (default: the output file's stem)\n"
    "  --dim SYMBOL=VALUE   bind a symbolic dimension (repeatable)\n"
    "  --shape INPUT=AxBxC  fix an input's whole shape (repeatable)\n"
    "  --seq INPUT=N        a sequence input of N elements: they become the inputs\n"
    "                       INPUT.0 ... INPUT.N-1 (shapes: --shape INPUT.K=AxB); sequence\n"
    "                       outputs are flattened the same way\n"
    "  --empty INPUT        an optional input that is empty (absent from the API)\n"
    "  --const INPUT=F.pb   fix an input's value at compile time (a TensorProto file);\n"
    "                       for inputs that decide shapes, e.g. Reshape's shape\n"
    "  -O0 | -O1 | -O2      optimization: -O0 no fusion, no arena reuse, reference kernels;\n"
    "                       -O2 (default) everything\n"
    "  --target T           any (default: AVX-512/AVX2/scalar chosen by the compiler flags\n"
    "                       the generated file is built with), generic (scalar only), avx2,\n"
    "                       avx512, native (the best of these the machine running mlegen has)\n"
    "  --plan ALGO          arena planner: greedy-size, greedy-conflicts, naive (default: best)\n"
    "  --blas none|openblas openblas: MatMul/Gemm with a constant B, M >= 16 and\n"
    "                       M*N*K >= 2^21 call cblas_sgemm (link -lopenblas)\n"
    "  --disable-pass P,..  skip optional passes (ablation): fuse-conv-batchnorm,\n"
    "                       fuse-layernorm, fuse-attention, fuse-matmul-bias,\n"
    "                       fuse-residual-add, fuse-activation, fuse-pw-dw,\n"
    "                       fuse-elementwise\n"
    "  --templates DIR      kernel templates (default: %s)\n"
    "  --no-comments        do not name the ONNX nodes in comments\n"
    "  --list-unsupported   print the support report and stop (same as `support`)\n"
    "  --max-model-bytes N  refuse larger model files (default 2 GiB)\n"
    "  --max-tensor-bytes N refuse larger tensors (default 1 GiB)\n"
    "  --max-string-bytes N longest string a kernel may copy at run time (default 1024;\n"
    "                       the run functions return non-zero for a longer one)\n"
    "  --report             print a compile summary (nodes, kernels, arena) to stderr\n"
    "  --verify-passes      verify the graph after every pass\n"
    "  --help, --version\n"
    "\n"
    "check options: --rtol R (1e-3) --atol A (1e-4) --keep DIR --cc CC (clang)\n"
    "               --cflags \"FLAGS\" (-O2 -march=native) --runtime DIR\n";

static void print_usage(FILE *f) {
    fprintf(f, usage, default_template_dir());
}

void request_defaults(CompileRequest *req) {
    memset(req, 0, sizeof *req);
    req->opt.opt_level = 2;
    req->opt.template_dir = default_template_dir();
    req->load.max_model_bytes = (size_t)2 << 30;
    req->load.max_tensor_bytes = (size_t)1 << 30;
    req->opt.max_string_bytes = 1024;
}

int parse_shape(const char *s, int64_t *dims) {
    int r = 0;
    if (!*s) return 0; /* a scalar */
    for (;;) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || errno || v < 0 || r >= MAX_RANK) return -1;
        dims[r++] = v;
        if (*end == 0) return r;
        if (*end != 'x' && *end != 'X' && *end != ',') return -1;
        s = end + 1;
    }
}

/* A C identifier from the output file's stem: "out/my-model.c" -> "my_model". */
static char *prefix_from_path(Pool *p, const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    const char *dot = strrchr(b, '.');
    if (dot && dot != b) n = (size_t)(dot - b);
    char *s = pool_alloc(p, n + 2);
    size_t k = 0;
    if (n == 0 || isdigit((unsigned char)b[0])) s[k++] = '_';
    for (size_t i = 0; i < n; i++)
        s[k++] = isalnum((unsigned char)b[i]) ? b[i] : '_';
    return s;
}

static bool valid_identifier(const char *s) {
    if (!*s || isdigit((unsigned char)*s)) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return false;
    return true;
}

/* --const INPUT=FILE.pb: the input keeps its slot in the generated API, but
   its value is fixed at compile time (for operands that decide shapes). */
static int bind_consts(Graph *g, const CompileRequest *req) {
    int errs = 0;
    for (int i = 0; i < req->nconsts; i++) {
        Tensor *t = NULL;
        for (int k = 0; k < g->ninputs; k++)
            if (strcmp(g->inputs[k]->name, req->consts[i].name) == 0) t = g->inputs[k];
        if (!t) {
            error_model("--const %s: the model has no input of that name", req->consts[i].name);
            errs++;
            continue;
        }
        Tensor *v = load_tensor_file(g, req->consts[i].file, &req->load);
        if (!v) {
            errs++;
            continue;
        }
        if (t->dtype && v->dtype != t->dtype) {
            error_model("--const %s: the input is %s, %s holds %s", t->name, dtype_name(t->dtype),
                        req->consts[i].file, dtype_name(v->dtype));
            errs++;
            continue;
        }
        tensor_set_shape(t, v->dtype, v->rank, v->dims);
        t->data = v->data;
    }
    return errs;
}

/* Data shapes (check) that conflict with the model's static shape of an
   input: they stand only if the generated code never reads the input. */
typedef struct Deferred {
    Tensor *t;
    char msg[200];
} Deferred;
static Deferred deferred[MAX_BINDINGS];
static int ndeferred;

static bool static_shape(const Tensor *t) {
    for (int d = 0; d < t->rank; d++)
        if (t->dims[d] < 0) return false;
    return t->rank >= 0;
}

static int bind_shapes(Graph *g, const CompileRequest *req) {
    int errs = 0;
    ndeferred = 0;
    for (int i = 0; i < req->nshapes; i++) {
        const Binding *b = &req->shapes[i];
        Tensor *t = NULL;
        for (int k = 0; k < g->ninputs; k++)
            if (strcmp(g->inputs[k]->name, b->name) == 0) t = g->inputs[k];
        if (!t) {
            error_model("--shape %s: the model has no input of that name", b->name);
            errs++;
            continue;
        }
        bool conflict = t->rank >= 0 && t->rank != b->rank;
        for (int d = 0; d < b->rank && !conflict; d++)
            conflict = t->rank >= 0 && t->dims[d] >= 0 && t->dims[d] != b->dims[d];
        if (conflict && b->loose && static_shape(t) && ndeferred < MAX_BINDINGS) {
            char want[128], got[128];
            Tensor given = {.rank = b->rank};
            memcpy(given.dims, b->dims, sizeof given.dims);
            snprintf(deferred[ndeferred].msg, sizeof deferred[0].msg,
                     "input '%s': the data has shape %s, the model declares %s", t->name,
                     shape_str(&given, got, sizeof got), shape_str(t, want, sizeof want));
            deferred[ndeferred++].t = t;
            continue;
        }
        if (t->rank >= 0 && t->rank != b->rank) {
            error_model("--shape %s: the input has rank %d, the shape given has rank %d", b->name,
                        t->rank, b->rank);
            errs++;
            continue;
        }
        for (int d = 0; d < b->rank; d++) {
            if (t->rank >= 0 && t->dims[d] >= 0 && t->dims[d] != b->dims[d]) {
                error_model("--shape %s: dimension %d is fixed to %lld by the model, not %lld",
                            b->name, d, (long long)t->dims[d], (long long)b->dims[d]);
                errs++;
            }
        }
        t->rank = b->rank;
        for (int d = 0; d < b->rank; d++)
            t->dims[d] = b->dims[d];
    }
    for (int k = 0; k < g->ninputs; k++) {
        Tensor *t = g->inputs[k];
        for (int d = 0; d < t->rank; d++) {
            if (t->dims[d] >= 0) continue;
            for (int i = 0; i < req->ndims; i++)
                if (t->sym[d] && strcmp(t->sym[d], req->dims[i].name) == 0)
                    t->dims[d] = req->dims[i].dims[0];
            if (t->dims[d] < 0) {
                if (t->sym[d])
                    error_model("input '%s': dimension %d ('%s') is unbound; pass --dim %s=N",
                                t->name, d, t->sym[d], t->sym[d]);
                else
                    error_model("input '%s': dimension %d has no size; pass --shape %s=...",
                                t->name, d, t->name);
                errs++;
            }
        }
        if (t->rank < 0) {
            error_model("input '%s' has no shape; pass --shape %s=...", t->name, t->name);
            errs++;
        }
        if (!dtype_ctype(t->dtype)) {
            error_model("input '%s' has element type %s, which mlegen does not support", t->name,
                        dtype_name(t->dtype));
            errs++;
        }
        int64_t tb = errs ? 0 : tensor_bytes(t);
        if (tb < 0 || (g->max_tensor_bytes > 0 && tb > g->max_tensor_bytes)) {
            char buf[128];
            error_model("input '%s' of shape %s is too large (over %lld bytes; raise the limit "
                        "with --max-tensor-bytes)",
                        t->name, shape_str(t, buf, sizeof buf), (long long)g->max_tensor_bytes);
            errs++;
        }
    }
    return errs;
}

/* True the first time a node of this (domain, op_type) is seen: a hash set
   of representative nodes, so a hostile model with a million nodes costs
   linear time, not quadratic. */
static bool first_of_kind(Node **set, size_t cap, Node *n) {
    uint64_t h = hash_bytes(n->op_type, strlen(n->op_type), 0);
    h = hash_bytes(n->domain, strlen(n->domain), h);
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (!set[i]) {
            set[i] = n;
            return true;
        }
        if (strcmp(set[i]->op_type, n->op_type) == 0 && strcmp(set[i]->domain, n->domain) == 0)
            return false;
    }
}

int support_report(Graph *g, FILE *out, bool only_problems) {
    int bad = 0;
    size_t cap = 16;
    while (cap < 2 * (size_t)g->nnodes)
        cap *= 2;
    Node **seen = calloc(cap, sizeof(Node *));
    if (!seen) {
        fprintf(stderr, "mlegen: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        const OpDef *op = op_lookup(n->domain, n->op_type);
        /* Report each unsupported (domain, op) once in the listing. */
        bool first = first_of_kind(seen, cap, n);
        if (op && n->opset >= op->min_opset) {
            if (!only_problems && first)
                fprintf(out, "supported    %s%s%s (opset %d)\n", *n->domain ? n->domain : "",
                        *n->domain ? "." : "", n->op_type, n->opset);
            continue;
        }
        bad++;
        if (only_problems)
            error_at_node(n, "operator %s%s%s (domain '%s', opset %d) is not supported by mlegen",
                          *n->domain ? n->domain : "", *n->domain ? "." : "", n->op_type,
                          *n->domain ? n->domain : "ai.onnx", n->opset);
        else if (first)
            fprintf(out, "UNSUPPORTED  %s%s%s (domain '%s', opset %d)\n",
                    *n->domain ? n->domain : "", *n->domain ? "." : "", n->op_type,
                    *n->domain ? n->domain : "ai.onnx", n->opset);
    }
    free(seen);
    return bad;
}

static char *header_path(Pool *p, const char *out_c) {
    size_t n = strlen(out_c);
    if (n > 2 && strcmp(out_c + n - 2, ".c") == 0)
        return pool_printf(p, "%.*s.h", (int)(n - 2), out_c);
    return pool_printf(p, "%s.h", out_c);
}

int compile_model(const CompileRequest *req) {
    diag_set_file(req->model);
    Graph *g = load_model(req->model, &req->load);
    if (!g) return 1;
    Options opt = req->opt;
    int rc = 1;
    char *hpath = header_path(g->pool, req->out_c);
    const char *hb = strrchr(hpath, '/');
    opt.header_name = hb ? hb + 1 : hpath;
    if (!opt.prefix) opt.prefix = prefix_from_path(g->pool, req->out_c);
    if (!valid_identifier(opt.prefix)) {
        error_model("--prefix '%s' is not a valid C identifier", opt.prefix);
        goto out;
    }
    /* Unsupported operators first: nothing else matters until they are gone. */
    if (support_report(g, stderr, true)) goto out;
    needed_const_reset();
    if (bind_values(g, req) || bind_consts(g, req) || bind_shapes(g, req)) goto out;
    if (graph_toposort(g) < 0) goto out;
    if (infer_shapes(g) || diag_count()) goto out;
    if (flatten_outputs(g)) goto out;
    for (int i = 0; i < g->noutputs; i++) {
        Tensor *t = g->outputs[i];
        if (t->rank < 0 || tensor_bytes(t) < 0) {
            error_at_tensor(t, "graph output has no known shape");
            goto out;
        }
    }
    if (run_passes(g, &opt) < 0 || diag_count()) goto out;
    graph_recount(g);
    for (int i = 0; i < ndeferred; i++)
        if (deferred[i].t->nuses > 0) error_model("%s", deferred[i].msg);
    if (diag_count()) goto out;
    Schedule s;
    if (plan_memory(g, &opt, &s) < 0 || diag_count()) goto out;
    Buf c = {0}, h = {0};
    if (emit_model(g, &opt, &s, &c, &h) == 0 && !diag_count()) {
        /* Both files or neither: a stale OUT.h beside a failed OUT.c would
           mislead a build. */
        const char *paths[2] = {hpath, req->out_c};
        const void *datas[2] = {h.data, c.data};
        size_t lens[2] = {h.len, c.len};
        if (write_files_atomic(2, paths, datas, lens)) rc = 0;
        if (rc == 0 && req->report)
            fprintf(stderr,
                    "%s: %d nodes, arena %lld bytes (lower bound %lld, %s), %zu bytes of C\n",
                    req->model, g->nnodes, (long long)s.arena_bytes, (long long)s.pressure_bytes,
                    s.algo, c.len);
    }
    buf_free(&c);
    buf_free(&h);
out:
    graph_free(g);
    return rc;
}

/* ---------------------------------------------------------------- options */

static bool parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno) return false;
    *out = (size_t)v;
    return true;
}

/* Names cut out of NAME=VALUE options, kept as long as the process (static
   storage: nothing to free, nothing for LeakSanitizer to report). */
static const char *keep_name(const char *s, size_t n) {
    static char names[4 * MAX_BINDINGS][256];
    static int used;
    if (n >= sizeof names[0] || used == 4 * MAX_BINDINGS) {
        fprintf(stderr, "mlegen: option name '%.*s' too long or too many options\n",
                (int)(n > 64 ? 64 : n), s);
        return NULL;
    }
    memcpy(names[used], s, n);
    names[used][n] = 0;
    return names[used++];
}

/* --target native: the best instruction set of the machine running mlegen,
   for users who build where they run. The generated file then refuses
   flags without it (prelude.m4's #error), rather than silently running the
   scalar path. */
static const char *host_target(void) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) return "avx512";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2";
#endif
    return "generic";
}

/* Parses one shared compile option at argv[*i]; returns 1 if consumed,
   0 if not a compile option, -1 on a usage error (reported). */
int parse_compile_option(int argc, char **argv, int *i, CompileRequest *req) {
    const char *a = argv[*i];
#define NEXT()                                                                                     \
    ((*i + 1 < argc) ? argv[++*i]                                                                  \
                     : (fprintf(stderr, "mlegen: %s needs a value\n", a), (char *)NULL))
    if (strcmp(a, "-O0") == 0 || strcmp(a, "-O1") == 0 || strcmp(a, "-O2") == 0 ||
        strcmp(a, "-O3") == 0) {
        req->opt.opt_level = a[2] - '0' > 2 ? 2 : a[2] - '0';
        return 1;
    }
    if (strcmp(a, "--prefix") == 0) {
        if (!(req->opt.prefix = NEXT())) return -1;
        return 1;
    }
    if (strcmp(a, "--target") == 0) {
        const char *t = NEXT();
        if (!t) return -1;
        if (strcmp(t, "any") && strcmp(t, "generic") && strcmp(t, "avx2") && strcmp(t, "avx512") &&
            strcmp(t, "native")) {
            fprintf(stderr, "mlegen: --target must be any, generic, avx2, avx512 or native\n");
            return -1;
        }
        req->opt.target = strcmp(t, "any") == 0      ? NULL
                          : strcmp(t, "native") == 0 ? host_target()
                                                     : t;
        return 1;
    }
    if (strcmp(a, "--disable-pass") == 0) {
        const char *v = NEXT();
        if (!v || passes_check_disabled(v) < 0) return -1;
        /* Repeats accumulate into one comma-separated list; snprintf truncates
           safely, and a cut-off name matches no pass. */
        static char list[512];
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", used ? "," : "", v);
        req->opt.disabled_passes = list;
        return 1;
    }
    if (strcmp(a, "--plan") == 0) {
        if (!(req->opt.plan_algo = NEXT())) return -1;
        return 1;
    }
    if (strcmp(a, "--templates") == 0) {
        if (!(req->opt.template_dir = NEXT())) return -1;
        return 1;
    }
    if (strcmp(a, "--no-comments") == 0) return req->opt.no_comments = true, 1;
    if (strcmp(a, "--verify-passes") == 0) return req->opt.verify = true, 1;
    if (strcmp(a, "--report") == 0) return req->report = true, 1;
    if (strcmp(a, "--max-model-bytes") == 0 || strcmp(a, "--max-tensor-bytes") == 0) {
        const char *v = NEXT();
        size_t *dst = a[6] == 'm' ? &req->load.max_model_bytes : &req->load.max_tensor_bytes;
        if (!v || !parse_size(v, dst)) {
            fprintf(stderr, "mlegen: %s needs a byte count\n", a);
            return -1;
        }
        return 1;
    }
    if (strcmp(a, "--blas") == 0) {
        const char *v = NEXT();
        if (!v) return -1;
        if (strcmp(v, "none") && strcmp(v, "openblas")) {
            fprintf(stderr, "mlegen: --blas must be none or openblas\n");
            return -1;
        }
        req->opt.blas = strcmp(v, "openblas") == 0;
        return 1;
    }
    if (strcmp(a, "--max-string-bytes") == 0) {
        const char *v = NEXT();
        size_t n;
        /* Each string-producing element gets n + 1 bytes of arena. */
        if (!v || !parse_size(v, &n) || n == 0 || n > ((size_t)1 << 20)) {
            fprintf(stderr, "mlegen: --max-string-bytes needs a byte count from 1 to 1048576\n");
            return -1;
        }
        req->opt.max_string_bytes = (int64_t)n;
        return 1;
    }
    if (strcmp(a, "--const") == 0) {
        const char *v = NEXT();
        const char *eq = v ? strchr(v, '=') : NULL;
        if (!eq || eq == v || !eq[1] || req->nconsts >= MAX_BINDINGS) {
            fprintf(stderr, "mlegen: --const needs INPUT=FILE.pb\n");
            return -1;
        }
        const char *name = keep_name(v, (size_t)(eq - v));
        if (!name) return -1;
        req->consts[req->nconsts].name = name;
        req->consts[req->nconsts].file = eq + 1;
        req->nconsts++;
        return 1;
    }
    if (strcmp(a, "--seq") == 0 || strcmp(a, "--empty") == 0) {
        bool empty = a[2] == 'e';
        const char *v = NEXT();
        const char *eq = v ? strchr(v, '=') : NULL;
        int64_t len[MAX_RANK];
        if (!v || (empty ? !*v || eq : !eq || eq == v || parse_shape(eq + 1, len) != 1) ||
            req->nseqs >= MAX_BINDINGS) {
            fprintf(stderr, "mlegen: %s needs %s\n", a, empty ? "INPUT" : "INPUT=N (a length)");
            return -1;
        }
        Binding *b = &req->seqs[req->nseqs];
        memset(b, 0, sizeof *b);
        if (!(b->name = keep_name(v, empty ? strlen(v) : (size_t)(eq - v)))) return -1;
        b->rank = 1;
        b->dims[0] = empty ? -1 : len[0];
        req->nseqs++;
        return 1;
    }
    if (strcmp(a, "--dim") == 0 || strcmp(a, "--shape") == 0) {
        const char *v = NEXT();
        const char *eq = v ? strchr(v, '=') : NULL;
        if (!eq || eq == v) {
            fprintf(stderr, "mlegen: %s needs NAME=VALUE\n", a);
            return -1;
        }
        bool is_dim = a[2] == 'd';
        int *cnt = is_dim ? &req->ndims : &req->nshapes;
        if (*cnt >= MAX_BINDINGS) {
            fprintf(stderr, "mlegen: too many %s options\n", a);
            return -1;
        }
        Binding *b = is_dim ? &req->dims[*cnt] : &req->shapes[*cnt];
        const char *name = keep_name(v, (size_t)(eq - v));
        if (!name) return -1;
        b->name = name;
        b->rank = parse_shape(eq + 1, b->dims);
        if (b->rank < 0 || (is_dim && b->rank != 1)) {
            fprintf(stderr, "mlegen: %s %s: bad value (expected %s)\n", a, v,
                    is_dim ? "a non-negative integer" : "AxBxC");
            return -1;
        }
        (*cnt)++;
        return 1;
    }
#undef NEXT
    return 0;
}

static int cmd_support(const char *model, const CompileRequest *req) {
    diag_set_file(model);
    Graph *g = load_model(model, &req->load);
    if (!g) return 1;
    int bad = support_report(g, stdout, false);
    printf("%d unsupported operator%s\n", bad, bad == 1 ? "" : "s");
    graph_free(g);
    return bad ? 1 : 0;
}

int main(int argc, char **argv) {
    if (ops_selftest() != 0) return 3;
    if (argc >= 2 && strcmp(argv[1], "check") == 0) return run_check(argc - 1, argv + 1);
    CompileRequest req;
    request_defaults(&req);
    const char *model = NULL;
    if (argc == 3 && strcmp(argv[1], "ops") == 0 && strcmp(argv[2], "--markdown") == 0) {
        print_op_table(stdout);
        return 0;
    }
    bool list_only = argc >= 2 && strcmp(argv[1], "support") == 0;
    for (int i = list_only ? 2 : 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("mlegen %s\n", MLEGEN_VERSION);
            return 0;
        }
        if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mlegen: -o needs a file name\n");
                return 2;
            }
            req.out_c = argv[++i];
            continue;
        }
        if (strcmp(a, "--list-unsupported") == 0) {
            list_only = true;
            continue;
        }
        int r = parse_compile_option(argc, argv, &i, &req);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "mlegen: unknown option '%s' (see mlegen --help)\n", a);
            return 2;
        }
        if (model) {
            fprintf(stderr, "mlegen: more than one model given ('%s' and '%s')\n", model, a);
            return 2;
        }
        model = a;
    }
    if (!model) {
        print_usage(stderr);
        return 2;
    }
    if (list_only) return cmd_support(model, &req);
    if (!req.out_c) {
        fprintf(stderr, "mlegen: no output file: pass -o OUT.c\n");
        return 2;
    }
    req.model = model;
    return compile_model(&req);
}
