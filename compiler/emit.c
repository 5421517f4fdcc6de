/*
 * emit.c - writes the generated OUT.c and OUT.h.
 *
 * OUT.c, top to bottom:
 *   prelude (templates/prelude.m4: includes, ISA selection macros),
 *   constants (all float data in one 64-byte aligned blob of exact bit
 *     patterns; other types as their own arrays),
 *   kernels (only the instances used, each expanded once from templates/),
 *   the arena and PREFIX_run_with / PREFIX_run: one call per node, each
 *     under a comment naming the ONNX node(s) it implements.
 * Everything is emitted in graph order with no hash-order iteration, so
 * identical input gives byte-identical output.
 */
#include "mlegen.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct KernelInst {
    char *key;  /* template + definitions: identity of an instance */
    char *name; /* C function name */
} KernelInst;

struct Kernel {
    const char *tmpl;
    int ndefs;
    char *defs[64];
};

typedef struct BlobEntry {
    uint64_t hash;
    int64_t off, len;
} BlobEntry;

struct Emit {
    Graph *g;
    const Options *opt;
    const Schedule *sched;
    const char *prefix;
    Buf kernels, body, consts;
    int nkernels, cap_kernels;
    KernelInst *kinst;
    /* Float constants, as bit patterns. */
    uint32_t *blob;
    int64_t blob_len, blob_cap;
    BlobEntry *entries;
    int nentries, cap_entries;
    int narrays;
    Node *node; /* the node being emitted */
    bool failed;
    int blas_calls; /* kernels calling cblas_sgemm: the prelude includes <cblas.h> */
};

Graph *emit_graph(Emit *e) {
    return e->g;
}
const Options *emit_options(Emit *e) {
    return e->opt;
}
void emit_uses_blas(Emit *e) {
    e->blas_calls++;
}

/* ---------------------------------------------------------------- constants */

static int64_t blob_add(Emit *e, const float *data, int64_t n) {
    uint64_t h = hash_bytes(data, (size_t)n * 4, (uint64_t)n);
    for (int i = 0; i < e->nentries; i++) {
        BlobEntry *b = &e->entries[i];
        if (b->hash == h && b->len == n && memcmp(e->blob + b->off, data, (size_t)n * 4) == 0)
            return b->off;
    }
    int64_t off = (e->blob_len + 15) & ~(int64_t)15; /* 64-byte aligned */
    if (off + n > e->blob_cap) {
        int64_t cap = e->blob_cap ? e->blob_cap : 4096;
        while (cap < off + n)
            cap *= 2;
        e->blob = realloc(e->blob, (size_t)cap * 4);
        if (!e->blob) {
            fprintf(stderr, "mlegen: out of memory\n");
            exit(1);
        }
        memset(e->blob + e->blob_cap, 0, (size_t)(cap - e->blob_cap) * 4);
        e->blob_cap = cap;
    }
    memcpy(e->blob + off, data, (size_t)n * 4);
    e->blob_len = off + n;
    if (e->nentries == e->cap_entries) {
        e->cap_entries = e->cap_entries ? e->cap_entries * 2 : 64;
        e->entries = realloc(e->entries, sizeof(BlobEntry) * (size_t)e->cap_entries);
        if (!e->entries) exit(1);
    }
    e->entries[e->nentries++] = (BlobEntry){h, off, n};
    return off;
}

static void print_int_value(Buf *b, DType dt, const void *data, int64_t i) {
    switch (dt) {
    case DT_INT64: {
        long long v = (long long)((const int64_t *)data)[i];
        /* INT64_MIN has no literal of its own. */
        if (v == INT64_MIN)
            buf_puts(b, "(-9223372036854775807LL - 1)");
        else
            buf_printf(b, "%lldLL", v);
        break;
    }
    case DT_UINT64:
        buf_printf(b, "%lluULL", (unsigned long long)((const uint64_t *)data)[i]);
        break;
    case DT_INT32: {
        long v = (long)((const int32_t *)data)[i];
        if (v == INT32_MIN)
            buf_puts(b, "(-2147483647L - 1)");
        else
            buf_printf(b, "%ldL", v);
        break;
    }
    case DT_UINT32:
        buf_printf(b, "%luUL", (unsigned long)((const uint32_t *)data)[i]);
        break;
    case DT_INT16:
        buf_printf(b, "%d", (int)((const int16_t *)data)[i]);
        break;
    case DT_UINT16:
    case DT_FLOAT16:
    case DT_BFLOAT16:
        buf_printf(b, "%u", (unsigned)((const uint16_t *)data)[i]);
        break;
    case DT_INT8:
        buf_printf(b, "%d", (int)((const int8_t *)data)[i]);
        break;
    case DT_UINT8:
    case DT_BOOL:
        buf_printf(b, "%u", (unsigned)((const uint8_t *)data)[i]);
        break;
    case DT_DOUBLE: {
        /* Exact: print the bit pattern through a union read at run time would
           not be constant; hex floats are exact C99. */
        buf_printf(b, "%a", ((const double *)data)[i]);
        break;
    }
    default:
        buf_puts(b, "0");
        break;
    }
}

/* A C string literal with the exact bytes of s: printable ASCII as is
   (except the quote, backslash and '?' of trigraphs), the rest as 3-digit
   octal escapes, which cannot run into a following digit. */
static void print_c_string(Buf *b, const char *s) {
    buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '?')
            buf_printf(b, "\\%c", *p);
        else if (*p >= 0x20 && *p < 0x7f)
            buf_put(b, (const char *)p, 1);
        else
            buf_printf(b, "\\%03o", *p);
    }
    buf_puts(b, "\"");
}

const char *emit_const_array(Emit *e, DType dt, const void *data, int64_t numel,
                             const char *comment) {
    if (numel <= 0) return "0";
    if (dt == DT_FLOAT) {
        int64_t off = blob_add(e, data, numel);
        return pool_printf(e->g->pool, "%s_weights.f + %lld", e->prefix, (long long)off);
    }
    int id = e->narrays++;
    const char *name = pool_printf(e->g->pool, "%s_c%d", e->prefix, id);
    char safe[128];
    snprintf(safe, sizeof safe, "%s", comment ? comment : "");
    for (char *p = safe; *p; p++)
        if (*p == '*' || *p == '/' || !isprint((unsigned char)*p)) *p = '_';
    buf_printf(&e->consts, "/* %s */\nstatic const %s %s[%lld] = {", safe, dtype_ctype(dt), name,
               (long long)numel);
    for (int64_t i = 0; i < numel; i++) {
        if (dt == DT_STRING) { /* one per line: they may be long */
            buf_puts(&e->consts, i ? ",\n    " : "\n    ");
            print_c_string(&e->consts, ((char *const *)data)[i]);
            continue;
        }
        buf_puts(&e->consts, i % 8 ? ", " : (i ? ",\n    " : "\n    "));
        print_int_value(&e->consts, dt, data, i);
    }
    buf_puts(&e->consts, "\n};\n");
    return name;
}

/* ---------------------------------------------------------------- kernels */

Kernel *kernel_begin(Emit *e, const char *tmpl) {
    Kernel *k = pool_alloc(e->g->pool, sizeof(Kernel));
    k->tmpl = tmpl;
    return k;
}

static void kernel_def(Kernel *k, const char *name, const char *value, Pool *p) {
    if (k->ndefs >= 63) return;
    k->defs[k->ndefs++] = pool_printf(p, "-D%s=%s", name, value);
}

/* The pool of the graph being emitted; kernels only live during emission. */
static Pool *kpool;

void kernel_int(Kernel *k, const char *name, int64_t v) {
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    kernel_def(k, name, b, kpool);
}

void kernel_str(Kernel *k, const char *name, const char *v) {
    kernel_def(k, name, v, kpool);
}

void float_literal(char *b, size_t n, double v) {
    float f = (float)v;
    if (f != f)
        snprintf(b, n, "(0.0f / 0.0f)");
    else if (f == (float)(1.0 / 0.0))
        snprintf(b, n, "HUGE_VALF");
    else if (f == -(float)(1.0 / 0.0))
        snprintf(b, n, "(-HUGE_VALF)");
    else
        snprintf(b, n, "%af", (double)f); /* exact hex float */
}

void kernel_float(Kernel *k, const char *name, double v) {
    char b[64];
    float_literal(b, sizeof b, v);
    kernel_def(k, name, b, kpool);
}

void kernel_ints(Kernel *k, const char *name, const int64_t *v, int n) {
    Buf b = {0};
    buf_puts(&b, "{");
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? ", " : "", (long long)v[i]);
    buf_puts(&b, "}");
    kernel_def(k, name, b.data, kpool);
    buf_free(&b);
}

static const char *act_names[ACT_COUNT] = {
    [ACT_NONE] = "none",
    [ACT_RELU] = "relu",
    [ACT_LEAKY_RELU] = "leaky_relu",
    [ACT_CLIP] = "clip",
    [ACT_SIGMOID] = "sigmoid",
    [ACT_TANH] = "tanh",
    [ACT_HARD_SIGMOID] = "hard_sigmoid",
    [ACT_HARD_SWISH] = "hard_swish",
};

const char *act_name(ActKind act) {
    return act_names[act];
}

void kernel_epilogue(Kernel *k, const Epilogue *epi) {
    kernel_str(k, "ACT", act_names[epi->act]);
    kernel_float(k, "ACT_ALPHA", epi->alpha);
    kernel_float(k, "ACT_BETA", epi->beta);
    kernel_int(k, "HAS_RESIDUAL", epi->residual != NULL);
}

static const char *target_name(const Options *o) {
    return o->target ? o->target : "any";
}

const char *kernel_end(Emit *e, Kernel *k) {
    Buf key = {0};
    buf_puts(&key, k->tmpl);
    for (int i = 0; i < k->ndefs; i++)
        buf_printf(&key, "\n%s", k->defs[i]);
    for (int i = 0; i < e->nkernels; i++)
        if (strcmp(e->kinst[i].key, key.data) == 0) {
            buf_free(&key);
            return e->kinst[i].name;
        }
    char *name = pool_printf(e->g->pool, "k%d_%s", e->nkernels, k->tmpl);
    const char *defs[70];
    int nd = 0;
    for (int i = 0; i < k->ndefs; i++)
        defs[nd++] = k->defs[i];
    defs[nd++] = pool_printf(e->g->pool, "-DKNAME=%s", name);
    defs[nd++] = pool_printf(e->g->pool, "-DOPT_LEVEL=%d", e->opt->opt_level);
    defs[nd++] = pool_printf(e->g->pool, "-DTARGET=%s", target_name(e->opt));
    char err[2048];
    Buf text = {0};
    if (m4_expand(e->opt->template_dir, k->tmpl, defs, nd, &text, err, sizeof err) != 0) {
        if (e->node)
            error_at_node(e->node, "kernel template '%s': %s", k->tmpl, err);
        else
            error_model("kernel template '%s': %s", k->tmpl, err);
        e->failed = true;
    } else {
        buf_printf(&e->kernels, "\n/* %s: template %s.m4 */\n", name, k->tmpl);
        buf_put(&e->kernels, text.data ? text.data : "", text.len);
    }
    buf_free(&text);
    if (e->nkernels == e->cap_kernels) {
        e->cap_kernels = e->cap_kernels ? e->cap_kernels * 2 : 32;
        e->kinst = realloc(e->kinst, sizeof(KernelInst) * (size_t)e->cap_kernels);
        if (!e->kinst) exit(1);
    }
    e->kinst[e->nkernels].key = pool_strdup(e->g->pool, key.data);
    e->kinst[e->nkernels].name = name;
    e->nkernels++;
    buf_free(&key);
    return name;
}

/* ---------------------------------------------------------------- statements */

static const char *tensor_expr(Emit *e, Tensor *t, bool writable) {
    const char *ct = dtype_ctype(t->dtype);
    if (!ct) {
        error_at_tensor(t, "type %s cannot be stored", dtype_name(t->dtype));
        e->failed = true;
        return "0";
    }
    switch (t->store) {
    case STORE_CONST:
        if (writable) break;
        if (!t->cexpr) t->cexpr = emit_const_array(e, t->dtype, t->data, tensor_numel(t), t->name);
        return t->cexpr;
    case STORE_ARENA:
        return pool_printf(e->g->pool, "(%s%s *)(ws + %lld)", writable ? "" : "const ", ct,
                           (long long)t->offset);
    case STORE_INPUT:
        if (writable) break;
        return pool_printf(e->g->pool, "(const %s *)inputs[%d]", ct, t->io_index);
    case STORE_OUTPUT:
        return pool_printf(e->g->pool, "(%s%s *)outputs[%d]", writable ? "" : "const ", ct,
                           t->io_index);
    default:
        break;
    }
    error_at_tensor(t, "internal error: no writable storage");
    e->failed = true;
    return "0";
}

void emit_stmt(Emit *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_puts(&e->body, "    ");
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            buf_put(&e->body, p, 1);
            continue;
        }
        switch (*++p) {
        case 's':
            buf_puts(&e->body, va_arg(ap, const char *));
            break;
        case 'd':
            buf_printf(&e->body, "%d", va_arg(ap, int));
            break;
        case 'D':
            buf_printf(&e->body, "%lld", (long long)va_arg(ap, int64_t));
            break;
        case 'T':
            buf_puts(&e->body, tensor_expr(e, va_arg(ap, Tensor *), true));
            break;
        case 'C':
            buf_puts(&e->body, tensor_expr(e, va_arg(ap, Tensor *), false));
            break;
        case '%':
            buf_puts(&e->body, "%");
            break;
        default:
            buf_put(&e->body, p - 1, 2);
            break;
        }
    }
    buf_puts(&e->body, "\n");
    va_end(ap);
}

void emit_call(Emit *e, const char *fn, Tensor *const *args, int nargs, int nin, const char *tail) {
    Buf s = {0};
    buf_printf(&s, "    %s(", fn);
    for (int i = 0; i < nargs; i++) {
        buf_puts(&s, i ? ", " : "");
        buf_puts(&s, args[i] ? tensor_expr(e, args[i], i >= nin) : "0");
    }
    if (tail) buf_printf(&s, "%s%s", nargs ? ", " : "", tail);
    buf_puts(&s, ");\n");
    buf_put(&e->body, s.data, s.len);
    buf_free(&s);
}

const char *emit_extent(Emit *e, const Tensor *t) {
    if (!t->bounded || !t->is_output || e->sched->extents_offset < 0) {
        error_at_tensor(t, "internal error: no run-time extent slot");
        e->failed = true;
        return "0";
    }
    return pool_printf(e->g->pool, "((int64_t *)(ws + %lld) + %d)",
                       (long long)e->sched->extents_offset, t->io_index);
}

const char *emit_scratch(Emit *e, const char *ctype, int64_t bytes) {
    Node *n = e->node;
    if (!n || n->scratch_bytes < bytes) {
        error_model("internal error: scratch of %lld bytes was not planned", (long long)bytes);
        e->failed = true;
        return "0";
    }
    return pool_printf(e->g->pool, "(%s *)(ws + %lld)", ctype, (long long)n->scratch_offset);
}

/* ---------------------------------------------------------------- the files */

static void comment_safe(Buf *b, const char *s) {
    for (; *s; s++) {
        if (s[0] == '*' && s[1] == '/')
            buf_puts(b, "*_");
        else if (isprint((unsigned char)*s))
            buf_put(b, s, 1);
        else
            buf_puts(b, "?");
    }
}

static void emit_blob(Emit *e, Buf *c) {
    if (!e->blob_len) return; /* an unused empty array would draw a warning */
    int64_t n = e->blob_len;
    buf_printf(c, "/* All float constants (%lld values), as exact IEEE-754 bit patterns. */\n",
               (long long)e->blob_len);
    buf_printf(c,
               "static const union {\n    uint32_t u[%lld];\n    float f[%lld];\n} %s_weights "
               "MLEGEN_ALIGN64 = {{",
               (long long)n, (long long)n, e->prefix);
    for (int64_t i = 0; i < e->blob_len; i++) {
        buf_puts(c, i % 8 ? ", " : (i ? ",\n    " : "\n    "));
        buf_printf(c, "0x%08lx", (unsigned long)e->blob[i]);
    }
    buf_puts(c, "\n}};\n\n");
}

/* Whether u is t or shares t's storage (an alias chain, e.g. Reshape). */
static bool storage_of(const Tensor *u, const Tensor *t) {
    for (int depth = 0; u && depth < 1000; u = u->alias, depth++)
        if (u == t) return true;
    return false;
}

/* A graph input no live node reads: its buffer may hold anything (or be NULL). */
static bool input_unread(const Graph *g, const Tensor *t) {
    for (int i = 0; i < g->noutputs; i++)
        if (storage_of(g->outputs[i], t)) return false;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = g->nodes[i];
        if (n->dead) continue;
        for (int k = 0; k < n->ninputs; k++)
            if (storage_of(n->inputs[k], t)) return false;
        if (storage_of(n->epi.residual, t)) return false;
    }
    return true;
}

static void emit_io_macros(Buf *h, const Graph *g, const char *p, const char *kind, Tensor **ts,
                           int n) {
    for (int i = 0; i < n; i++) {
        Tensor *t = ts[i];
        buf_printf(h, "#define %s_%s_%d_NAME \"", p, kind, i);
        for (const char *s = t->name; *s; s++)
            if (*s == '"' || *s == '\\')
                buf_printf(h, "\\%c", *s);
            else if (isprint((unsigned char)*s))
                buf_put(h, s, 1);
        buf_puts(h, "\"\n");
        buf_printf(h, "#define %s_%s_%d_SIZE %lld\n", p, kind, i, (long long)tensor_numel(t));
        buf_printf(h, "#define %s_%s_%d_DTYPE %d /* %s */\n", p, kind, i, (int)t->dtype,
                   dtype_name(t->dtype));
        buf_printf(h, "#define %s_%s_%d_RANK %d\n", p, kind, i, t->rank);
        buf_printf(h, "#define %s_%s_%d_SHAPE {", p, kind, i);
        for (int d = 0; d < t->rank; d++)
            buf_printf(h, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
        if (t->rank == 0) buf_puts(h, "1");
        buf_puts(h, "}\n");
        if (strcmp(kind, "INPUT") == 0 && input_unread(g, t))
            buf_printf(h, "#define %s_INPUT_%d_UNREAD 1 /* never read: any data (or NULL) */\n", p,
                       i);
    }
    if (strcmp(kind, "INPUT") == 0) {
        buf_printf(h, "#define %s_INPUT_UNREAD {", p);
        for (int i = 0; i < n; i++)
            buf_printf(h, "%s%d", i ? ", " : "", input_unread(g, ts[i]));
        buf_printf(h, "%s}\n", n ? "" : "0");
    }
    buf_printf(h, "#define %s_%s_SIZES {", p, kind);
    for (int i = 0; i < n; i++)
        buf_printf(h, "%s%lld", i ? ", " : "", (long long)tensor_numel(ts[i]));
    buf_printf(h, "%s}\n#define %s_%s_DTYPES {", n ? "" : "0", p, kind);
    for (int i = 0; i < n; i++)
        buf_printf(h, "%s%d", i ? ", " : "", (int)ts[i]->dtype);
    buf_printf(h, "%s}\n#define %s_%s_ELEM_BYTES {", n ? "" : "0", p, kind);
    for (int i = 0; i < n; i++)
        buf_printf(h, "%s%d", i ? ", " : "", (int)dtype_size(ts[i]->dtype));
    buf_printf(h, "%s}\n", n ? "" : "0");
    if (strcmp(kind, "OUTPUT") != 0) return;
    /* Outputs whose extent along one axis is known only at run time (see
       PREFIX_output_extent): the axis, or -1, and its upper bound. */
    for (int i = 0; i < n; i++)
        buf_printf(h, "#define %s_OUTPUT_%d_BOUNDED_AXIS %d\n", p, i,
                   ts[i]->bounded ? ts[i]->bounded_axis : -1);
    buf_printf(h, "#define %s_OUTPUT_BOUNDED_AXES {", p);
    for (int i = 0; i < n; i++)
        buf_printf(h, "%s%d", i ? ", " : "", ts[i]->bounded ? ts[i]->bounded_axis : -1);
    buf_printf(h, "%s}\n#define %s_OUTPUT_BOUNDED_DIMS {", n ? "" : "0", p);
    for (int i = 0; i < n; i++)
        buf_printf(h, "%s%lld", i ? ", " : "",
                   (long long)(ts[i]->bounded ? ts[i]->dims[ts[i]->bounded_axis] : 1));
    buf_printf(h, "%s}\n", n ? "" : "0");
}

static const char *basename_of(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool graph_has_strings(const Graph *g) {
    for (int i = 0; i < g->ntensors; i++)
        if (g->tensors[i]->dtype == DT_STRING) return true;
    return false;
}

static void emit_header(Emit *e, Buf *h, const char *hname) {
    Graph *g = e->g;
    const char *p = e->prefix;
    Buf guard = {0};
    for (const char *s = hname; *s; s++)
        buf_printf(&guard, "%c", isalnum((unsigned char)*s) ? toupper((unsigned char)*s) : '_');
    buf_printf(h, "/* Generated by mlegen %s. Do not edit.\n * Model: ", MLEGEN_VERSION);
    comment_safe(h, basename_of(g->path)); /* not the path: output must not depend on it */
    buf_puts(h,
             "\n *\n * Inputs and outputs are dense, row-major, in graph order. The run functions\n"
             " * return 0. PREFIX_run uses one static arena (not reentrant); PREFIX_run_with\n"
             " * uses a caller-provided workspace of PREFIX_WORKSPACE_BYTES bytes, aligned to\n"
             " * 64 bytes, and may run concurrently on distinct workspaces. */\n");
    buf_printf(
        h,
        "#ifndef MLEGEN_%s_\n#define MLEGEN_%s_\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n",
        guard.data, guard.data);
    buf_printf(h, "#define %s_NUM_INPUTS %d\n#define %s_NUM_OUTPUTS %d\n", p, g->ninputs, p,
               g->noutputs);
    buf_printf(h, "#define %s_WORKSPACE_BYTES %lld\n", p, (long long)e->sched->arena_bytes);
    if (graph_has_strings(g)) {
        buf_puts(h, "\n/* String tensors (DTYPE 8) are arrays of `const char *`, NUL-terminated\n"
                    " * UTF-8, with ELEM_BYTES = sizeof(const char *). An output array is filled\n"
                    " * with pointers into the inputs' strings, the model's constants or the\n"
                    " * workspace: valid until the next run on the same workspace. A kernel\n"
                    " * that has to copy a string (e.g. to change its case) returns non-zero\n"
                    " * from the run function when one is longer than MAX_STRING_BYTES. */\n");
        buf_printf(h, "#define %s_MAX_STRING_BYTES %lld\n", p, (long long)e->opt->max_string_bytes);
    }
    emit_io_macros(h, g, p, "INPUT", g->inputs, g->ninputs);
    emit_io_macros(h, g, p, "OUTPUT", g->outputs, g->noutputs);
    buf_printf(h, "\nint %s_run(const void *const inputs[], void *const outputs[]);\n", p);
    buf_printf(
        h, "int %s_run_with(void *workspace, const void *const inputs[], void *const outputs[]);\n",
        p);
    buf_printf(h,
               "/* The run-time extent of output k's bounded axis after the last run on\n"
               "   workspace (NULL: the static arena of %s_run); -1 if its shape is static. */\n"
               "long long %s_output_extent(const void *workspace, int k);\n",
               p, p);
    buf_puts(h, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
    buf_free(&guard);
}

int emit_model(Graph *g, const Options *opt, const Schedule *s, Buf *c_out, Buf *h_out) {
    Emit e = {.g = g, .opt = opt, .sched = s, .prefix = opt->prefix};
    kpool = g->pool;
    for (int i = 0; i < g->ntensors; i++)
        g->tensors[i]->cexpr = NULL;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        e.node = n;
        if (!opt->no_comments) {
            buf_puts(&e.body, "    /* ");
            Buf c = {0};
            buf_printf(&c, "node '%s' (%s)%s", n->name, n->op_type, n->fused ? n->fused : "");
            if (n->epi.residual) buf_printf(&c, " [residual '%s']", n->epi.residual->name);
            comment_safe(&e.body, c.data);
            buf_free(&c);
            buf_puts(&e.body, " */\n");
        }
        if (!n->op->emit || n->op->emit(&e, n) != 0) {
            if (!diag_count()) error_at_node(n, "could not generate code");
            e.failed = true;
        }
    }
    /* An output that is a constant or an input: copy it. */
    for (int i = 0; i < g->noutputs; i++) {
        Tensor *t = g->outputs[i];
        if (t->store == STORE_OUTPUT) continue;
        Kernel *k = kernel_begin(&e, "copy");
        kernel_int(k, "BYTES", tensor_bytes(t));
        const char *fn = kernel_end(&e, k);
        buf_printf(&e.body, "    /* graph output '");
        comment_safe(&e.body, t->name);
        buf_printf(&e.body, "' is %s */\n", t->store == STORE_CONST ? "a constant" : "an input");
        Tensor out = *t;
        out.store = STORE_OUTPUT;
        out.io_index = i;
        emit_stmt(&e, "%s(%C, %T);", fn, t, &out);
    }
    int rc = e.failed || diag_count() ? -1 : 0;
    if (rc == 0) {
        char err[2048];
        Buf prelude = {0};
        const char *defs[] = {pool_printf(g->pool, "-DTARGET=%s", target_name(opt)),
                              pool_printf(g->pool, "-DHEADER=%s", opt->header_name),
                              pool_printf(g->pool, "-DSTRINGS=%d", graph_has_strings(g)),
                              pool_printf(g->pool, "-DSTR_BYTES=%d", (int)dtype_size(DT_STRING)),
                              pool_printf(g->pool, "-DBLAS=%d", e.blas_calls > 0)};
        if (m4_expand(opt->template_dir, "prelude", defs, 5, &prelude, err, sizeof err) != 0) {
            error_model("template prelude: %s", err);
            rc = -1;
        }
        buf_printf(c_out, "/* Generated by mlegen %s from ", MLEGEN_VERSION);
        comment_safe(c_out, basename_of(g->path));
        buf_printf(c_out,
                   ". Do not edit.\n *\n * %d nodes, %d kernels, %lld bytes of float constants,\n"
                   " * arena %lld bytes (lower bound %lld, planner %s). */\n",
                   g->nnodes, e.nkernels, (long long)e.blob_len * 4, (long long)s->arena_bytes,
                   (long long)s->pressure_bytes, s->algo);
        buf_put(c_out, prelude.data ? prelude.data : "", prelude.len);
        buf_free(&prelude);
        emit_blob(&e, c_out);
        buf_put(c_out, e.consts.data ? e.consts.data : "", e.consts.len);
        buf_put(c_out, e.kernels.data ? e.kernels.data : "", e.kernels.len);
        int64_t arena = s->arena_bytes ? s->arena_bytes : 64;
        buf_printf(c_out, "\nstatic unsigned char %s_arena[%lld] MLEGEN_ALIGN64;\n\n", e.prefix,
                   (long long)arena);
        buf_printf(c_out,
                   "int %s_run_with(void *workspace, const void *const inputs[], void *const "
                   "outputs[])\n{\n",
                   e.prefix);
        buf_puts(c_out, "    unsigned char *ws = (unsigned char *)workspace;\n    (void)ws;\n    "
                        "(void)inputs;\n    (void)outputs;\n");
        buf_put(c_out, e.body.data ? e.body.data : "", e.body.len);
        buf_puts(c_out, "    return 0;\n}\n\n");
        buf_printf(c_out,
                   "int %s_run(const void *const inputs[], void *const outputs[])\n{\n    return "
                   "%s_run_with(%s_arena, inputs, outputs);\n}\n",
                   e.prefix, e.prefix, e.prefix);
        buf_printf(c_out, "\nlong long %s_output_extent(const void *workspace, int k)\n{\n",
                   e.prefix);
        if (s->extents_offset < 0) {
            buf_puts(c_out, "    (void)workspace;\n    (void)k;\n    return -1;\n}\n");
        } else {
            buf_puts(c_out, "    static const signed char bounded[] = {");
            for (int i = 0; i < g->noutputs; i++)
                buf_printf(c_out, "%s%d", i ? ", " : "", g->outputs[i]->bounded);
            buf_printf(c_out,
                       "};\n    const unsigned char *ws = workspace ? (const unsigned char "
                       "*)workspace : %s_arena;\n"
                       "    if (k < 0 || k >= %d || !bounded[k]) return -1;\n"
                       "    return (long long)((const int64_t *)(ws + %lld))[k];\n}\n",
                       e.prefix, g->noutputs, (long long)s->extents_offset);
        }
        emit_header(&e, h_out, opt->header_name);
    }
    buf_free(&e.kernels);
    buf_free(&e.body);
    buf_free(&e.consts);
    free(e.kinst);
    free(e.blob);
    free(e.entries);
    return rc;
}
