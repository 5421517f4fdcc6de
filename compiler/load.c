/*
 * load.c - ONNX ModelProto (via protobuf-c generated from Debian's
 * onnx.proto) into the IR.
 *
 * Everything read from the file is untrusted: dims are checked for sign and
 * overflow, data lengths against dims (before anything is allocated, so a
 * tensor claiming 1e12 elements with no data costs nothing), external data
 * paths against the model's folder. Constant nodes become constant tensors
 * here, so later stages see one kind of constant.
 *
 * protobuf-c's unpack recurses once per nested message and allocates a
 * whole C struct for every submessage however short its encoding. Before
 * handing the bytes to it, prescan() walks the wire format iteratively
 * (an explicit stack, guided by the message descriptors) and refuses
 * nesting deeper than MAX_NESTING and contents whose unpacked form would
 * need far more memory than the file's size. It also gives truncated and
 * corrupt files a precise byte offset.
 */
#include "mlegen.h"
#include "onnx.pb-c.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SUBGRAPH_DEPTH 32
/* Message nesting on the wire: Model > Graph > Node > Attribute > Graph ...
   is 3 levels per subgraph, TypeProto nests 2 per sequence/map level. */
#define MAX_NESTING 100

typedef struct Loader {
    Graph *root;
    const LoadOptions *opt;
    char *model_dir;
    int depth;
} Loader;

static Graph *load_graph(Loader *L, Graph *g, const Onnx__GraphProto *gp);

/* ---------------------------------------------------------------- prescan */

typedef struct Frame {
    size_t end; /* offset just past this message */
    const ProtobufCMessageDescriptor *desc;
} Frame;

/* Reads a base-128 varint at *pos (at most 10 bytes, never past end). */
static bool read_varint(const uint8_t *d, size_t end, size_t *pos, uint64_t *v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 70 && *pos < end; shift += 7) {
        uint8_t b = d[(*pos)++];
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

/* Bytes protobuf-c will allocate for one field: a struct per message, a
   copy plus malloc overhead per string, up to 8 bytes per packed varint
   (one byte on the wire), a pointer per repeated element, a record per
   unknown field. An estimate on the safe side, never recursion. */
static uint64_t unpacked_cost(const ProtobufCFieldDescriptor *fd, unsigned wire, uint64_t n) {
    if (!fd) return 32 + (wire == 2 ? n : 8);
    bool repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
    if (wire != 2) return repeated ? 8 : 0;
    switch (fd->type) {
    case PROTOBUF_C_TYPE_MESSAGE:
        return ((const ProtobufCMessageDescriptor *)fd->descriptor)->sizeof_message + 8;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
        return n + 40;
    default:
        return 8 * n; /* packed scalars */
    }
}

/* Walks the wire format of a `root` message without recursion. Reports and
   returns false on malformed input, excessive nesting, or contents whose
   unpacked form would exceed the memory budget: 8 times the file plus
   64 MiB. Real models are dominated by raw tensor bytes (cost 1x), so only
   hostile files (millions of tiny messages or strings) reach it. */
static bool prescan(const uint8_t *d, size_t len, const ProtobufCMessageDescriptor *root) {
    Frame stack[MAX_NESTING + 1];
    int depth = 0;
    stack[0] = (Frame){len, root};
    uint64_t cost = root->sizeof_message;
    uint64_t budget = (uint64_t)len * 8 + ((uint64_t)64 << 20);
    size_t pos = 0;
    for (;;) {
        while (pos == stack[depth].end) {
            if (depth == 0) return true;
            depth--;
        }
        size_t start = pos, end = stack[depth].end;
        const char *in = stack[depth].desc->short_name;
        uint64_t tag = 0, v = 0;
        if (!read_varint(d, end, &pos, &tag)) {
            error_model("byte %zu: corrupt or truncated field tag (in %s)", start, in);
            return false;
        }
        uint32_t field = (uint32_t)(tag >> 3);
        unsigned wire = (unsigned)(tag & 7);
        if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff) {
            error_model("byte %zu: invalid field number %llu (in %s): not a protobuf file", start,
                        (unsigned long long)(tag >> 3), in);
            return false;
        }
        size_t skip = 0;
        switch (wire) {
        case 0:
            if (!read_varint(d, end, &pos, &v)) {
                error_model("byte %zu: truncated or corrupt varint (field %u of %s)", start, field,
                            in);
                return false;
            }
            break;
        case 1:
        case 5:
            skip = wire == 1 ? 8 : 4;
            if (end - pos < skip) {
                error_model("byte %zu: truncated fixed-size field %u of %s", start, field, in);
                return false;
            }
            break;
        case 2:
            if (!read_varint(d, end, &pos, &v) || v > end - pos) {
                error_model("byte %zu: field %u of %s claims %llu bytes, past the end of %s "
                            "(the file is truncated or corrupt)",
                            start, field, in, (unsigned long long)v,
                            depth ? "its enclosing message" : "the file");
                return false;
            }
            skip = (size_t)v;
            break;
        default:
            error_model(
                "byte %zu: invalid wire type %u (field %u of %s): corrupt, or not an ONNX model",
                start, wire, field, in);
            return false;
        }
        const ProtobufCFieldDescriptor *fd =
            protobuf_c_message_descriptor_get_field(stack[depth].desc, field);
        cost += unpacked_cost(fd, wire, v);
        if (cost > budget) {
            error_model("byte %zu: loading this file would need over %llu MiB of memory (millions "
                        "of tiny messages or strings: a hostile or corrupt file?): refused",
                        start, (unsigned long long)(budget >> 20));
            return false;
        }
        if (wire != 2 || !fd || fd->type != PROTOBUF_C_TYPE_MESSAGE) {
            pos += skip;
            continue;
        }
        if (depth == MAX_NESTING) {
            error_model("byte %zu: messages are nested more than %d deep (subgraphs or types "
                        "nested too deeply): refused",
                        start, MAX_NESTING);
            return false;
        }
        stack[++depth] = (Frame){pos + skip, fd->descriptor};
    }
}

/* ---------------------------------------------------------------- tensors */

static bool dims_from_proto(const char *what, size_t n, const int64_t *d, Tensor *t) {
    if (n > MAX_RANK) {
        error_at_tensor(t, "%s has rank %zu, more than the supported %d", what, n, MAX_RANK);
        return false;
    }
    t->rank = (int)n;
    for (size_t i = 0; i < n; i++) {
        if (d[i] < 0) {
            error_at_tensor(t, "%s has negative dimension %lld", what, (long long)d[i]);
            return false;
        }
        t->dims[i] = d[i];
    }
    if (tensor_numel(t) < 0) {
        error_at_tensor(t, "%s: the product of its dimensions overflows", what);
        return false;
    }
    return true;
}

/* Resolves an external-data location inside the model's folder. Absolute
   paths and paths that climb out of the folder are refused: a model file
   must not make the compiler read arbitrary files. */
static char *external_path(Loader *L, Tensor *t, const char *loc) {
    if (!loc || !*loc) {
        error_at_tensor(t, "external data has no 'location'");
        return NULL;
    }
    if (loc[0] == '/' || strchr(loc, '\\')) {
        error_at_tensor(t, "external data location '%s' is absolute: refused", loc);
        return NULL;
    }
    for (const char *p = loc; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            error_at_tensor(t, "external data location '%s' leaves the model's folder: refused",
                            loc);
            return NULL;
        }
        p += len + (slash ? 1 : 0);
    }
    char *path = pool_printf(L->root->pool, "%s/%s", L->model_dir, loc);
    /* Symlinks could still point outside: compare real paths. */
    char real_dir[PATH_MAX], real_file[PATH_MAX];
    if (!realpath(L->model_dir, real_dir) || !realpath(path, real_file)) {
        error_at_tensor(t, "external data file '%s' cannot be opened: %s", loc, strerror(errno));
        return NULL;
    }
    size_t n = strlen(real_dir);
    if (strncmp(real_dir, real_file, n) != 0 || real_file[n] != '/') {
        error_at_tensor(t, "external data file '%s' resolves outside the model's folder: refused",
                        loc);
        return NULL;
    }
    return path;
}

/* Reads the external data of t into a buffer allocated only after the file
   is known to hold all of it; NULL after reporting. */
static unsigned char *read_external(Loader *L, Tensor *t, const Onnx__TensorProto *tp,
                                    size_t want) {
    const char *loc = NULL;
    long long offset = 0, length = -1;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *k = tp->external_data[i]->key, *v = tp->external_data[i]->value;
        if (!k || !v) continue;
        char *end;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        bool num_ok = end != v && !*end && !errno && x >= 0;
        if (strcmp(k, "location") == 0) {
            loc = v;
            continue;
        }
        if (strcmp(k, "offset") != 0 && strcmp(k, "length") != 0) continue;
        if (!num_ok) {
            error_at_tensor(t, "external data %s '%s' is not a non-negative integer", k, v);
            return NULL;
        }
        if (k[0] == 'o')
            offset = x;
        else
            length = x;
    }
    char *path = external_path(L, t, loc);
    if (!path) return NULL;
    if (length >= 0 && (unsigned long long)length != want) {
        error_at_tensor(t, "external data length %lld does not match the %zu bytes of its shape",
                        length, want);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_at_tensor(t, "external data file '%s': %s", loc, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        error_at_tensor(t, "external data '%s' is not a regular file", loc);
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)offset > (unsigned long long)st.st_size ||
        want > (unsigned long long)st.st_size - (unsigned long long)offset) {
        error_at_tensor(t,
                        "external data range [%lld, %lld) is outside '%s' (%lld bytes): the file "
                        "is too short or the offset is wrong",
                        offset, offset + (long long)want, loc, (long long)st.st_size);
        fclose(f);
        return NULL;
    }
    unsigned char *dst = pool_alloc(L->root->pool, want ? want : 1);
    bool ok = fseeko(f, (off_t)offset, SEEK_SET) == 0 && fread(dst, 1, want, f) == want;
    fclose(f);
    if (!ok) {
        error_at_tensor(t, "external data file '%s': read error", loc);
        return NULL;
    }
    return dst;
}

/* Number of values t's typed repeated field holds (the field its dtype uses). */
static size_t typed_count(const Tensor *t, const Onnx__TensorProto *tp) {
    switch (t->dtype) {
    case DT_FLOAT:
        return tp->n_float_data;
    case DT_DOUBLE:
        return tp->n_double_data;
    case DT_INT64:
        return tp->n_int64_data;
    case DT_UINT32:
    case DT_UINT64:
        return tp->n_uint64_data;
    default:
        return tp->n_int32_data;
    }
}

/* Copies typed repeated fields into dst, converting to the element type
   (the count was checked by the caller). */
static void copy_typed(Tensor *t, const Onnx__TensorProto *tp, unsigned char *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        switch (t->dtype) {
        case DT_FLOAT:
            ((float *)dst)[i] = tp->float_data[i];
            break;
        case DT_DOUBLE:
            ((double *)dst)[i] = tp->double_data[i];
            break;
        case DT_INT64:
            ((int64_t *)dst)[i] = tp->int64_data[i];
            break;
        case DT_UINT64:
            ((uint64_t *)dst)[i] = tp->uint64_data[i];
            break;
        case DT_UINT32:
            ((uint32_t *)dst)[i] = (uint32_t)tp->uint64_data[i];
            break;
        case DT_INT32:
            ((int32_t *)dst)[i] = tp->int32_data[i];
            break;
        case DT_INT16:
            ((int16_t *)dst)[i] = (int16_t)tp->int32_data[i];
            break;
        case DT_UINT16:
        case DT_FLOAT16:
        case DT_BFLOAT16:
            ((uint16_t *)dst)[i] = (uint16_t)tp->int32_data[i];
            break;
        case DT_INT8:
            ((int8_t *)dst)[i] = (int8_t)tp->int32_data[i];
            break;
        default: /* DT_UINT8, DT_BOOL */
            ((uint8_t *)dst)[i] = (uint8_t)tp->int32_data[i];
            break;
        }
    }
}

/* A string tensor's data: one pool copy per element, NUL-terminated, as the
   generated code's `const char *` elements will be. Only string_data holds
   strings (raw_data and external data cannot); an embedded NUL could not
   survive that representation, so it is refused. The characters count
   against --max-tensor-bytes too. */
static bool strings_from_proto(Loader *L, Tensor *t, const Onnx__TensorProto *tp) {
    size_t numel = (size_t)tensor_numel(t), chars = 0;
    if (tp->has_raw_data || (tp->has_data_location &&
                             tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)) {
        error_at_tensor(t, "string tensors must use string_data, not raw or external data");
        return false;
    }
    if (tp->n_string_data != numel) {
        error_at_tensor(t, "has %zu strings, its shape needs %zu", tp->n_string_data, numel);
        return false;
    }
    for (size_t i = 0; i < numel; i++) {
        const ProtobufCBinaryData *b = &tp->string_data[i];
        if (b->len && memchr(b->data, 0, b->len)) {
            error_at_tensor(t, "string %zu holds a NUL byte, which C strings cannot", i);
            return false;
        }
        chars += b->len + 1;
        if (chars > L->opt->max_tensor_bytes) {
            error_at_tensor(t, "its strings need more than %zu bytes (raise --max-tensor-bytes)",
                            L->opt->max_tensor_bytes);
            return false;
        }
    }
    char **dst = pool_alloc(L->root->pool, numel ? numel * sizeof(char *) : 1);
    for (size_t i = 0; i < numel; i++) {
        const ProtobufCBinaryData *b = &tp->string_data[i];
        dst[i] = pool_alloc(L->root->pool, b->len + 1);
        if (b->len) memcpy(dst[i], b->data, b->len);
    }
    t->data = dst;
    return true;
}

/* Fills t (shape, dtype, data) from a TensorProto. The data's size is
   checked against the shape before anything is allocated. */
static bool tensor_from_proto(Loader *L, Tensor *t, const Onnx__TensorProto *tp) {
    if (!tp->has_data_type || tp->data_type <= 0 || tp->data_type >= DT_COUNT) {
        error_at_tensor(t, "has an invalid data type %d", tp->data_type);
        return false;
    }
    t->dtype = (DType)tp->data_type;
    if (!dims_from_proto("shape", tp->n_dims, tp->dims, t)) return false;
    if (!dtype_size(t->dtype)) {
        error_at_tensor(t, "has data type %s, which mlegen does not support", dtype_name(t->dtype));
        return false;
    }
    if (tp->segment) {
        error_at_tensor(t, "is a segmented tensor, which is not supported");
        return false;
    }
    char sbuf[128];
    int64_t bytes = tensor_bytes(t);
    if (bytes < 0) {
        error_at_tensor(t, "shape %s is too large (its byte size overflows)",
                        shape_str(t, sbuf, sizeof sbuf));
        return false;
    }
    if ((uint64_t)bytes > L->opt->max_tensor_bytes) {
        error_at_tensor(t,
                        "shape %s needs %lld bytes, over the limit of %zu bytes (raise it with "
                        "--max-tensor-bytes)",
                        shape_str(t, sbuf, sizeof sbuf), (long long)bytes,
                        L->opt->max_tensor_bytes);
        return false;
    }
    if (t->dtype == DT_STRING) return strings_from_proto(L, t, tp);
    size_t nb = (size_t)bytes, numel = (size_t)tensor_numel(t);
    unsigned char *dst;
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        dst = read_external(L, t, tp, nb);
        if (!dst) return false;
    } else if (tp->has_raw_data) {
        if (tp->raw_data.len != nb) {
            error_at_tensor(t, "raw_data has %zu bytes, its shape %s of %s needs %zu",
                            tp->raw_data.len, shape_str(t, sbuf, sizeof sbuf), dtype_name(t->dtype),
                            nb);
            return false;
        }
        dst = pool_alloc(L->root->pool, nb ? nb : 1);
        if (nb) memcpy(dst, tp->raw_data.data, nb);
    } else {
        size_t have = typed_count(t, tp);
        if (have != numel) {
            error_at_tensor(t, "has %zu values, its shape %s needs %zu", have,
                            shape_str(t, sbuf, sizeof sbuf), numel);
            return false;
        }
        dst = pool_alloc(L->root->pool, nb ? nb : 1);
        copy_typed(t, tp, dst, numel);
    }
    t->data = dst;
    return true;
}

Tensor *load_tensor_bytes(Graph *g, const void *data, size_t len, const char *what,
                          const LoadOptions *opt) {
    if (!prescan(data, len, &onnx__tensor_proto__descriptor)) return NULL;
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, data);
    if (!tp) {
        error_model("%s: not a valid ONNX TensorProto", what);
        return NULL;
    }
    Loader L = {.root = g, .opt = opt, .model_dir = "."};
    Tensor *t = graph_new_tensor(g, tp->name && *tp->name ? tp->name : "data");
    bool ok = tensor_from_proto(&L, t, tp);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return ok ? t : NULL;
}

Tensor *load_tensor_file(Graph *g, const char *path, const LoadOptions *opt) {
    unsigned char *data;
    size_t len;
    char err[256];
    if (!read_file(path, opt->max_model_bytes, &data, &len, err, sizeof err)) {
        error_model("%s: %s", path, err);
        return NULL;
    }
    Tensor *t = load_tensor_bytes(g, data, len, path, opt);
    free(data);
    return t;
}

/* ---------------------------------------------------------------- attributes */

/* The innermost tensor element type of a TypeProto (0 if none). */
static int64_t type_elem_dtype(const Onnx__TypeProto *tp) {
    for (int depth = 0; tp && depth < 8; depth++) {
        if (tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type)
            return tp->tensor_type->elem_type;
        if (tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE && tp->sequence_type)
            tp = tp->sequence_type->elem_type;
        else if (tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE && tp->optional_type)
            tp = tp->optional_type->elem_type;
        else
            return 0;
    }
    return 0;
}

static bool attr_from_proto(Loader *L, Graph *g, Node *n, Attr *a, const Onnx__AttributeProto *ap) {
    Pool *p = g->pool;
    a->name = pool_strdup(p, ap->name ? ap->name : "");
    a->type = ap->has_type ? (AttrType)ap->type : ATTR_UNDEFINED;
    if (ap->ref_attr_name && *ap->ref_attr_name) {
        error_at_node(n, "attribute '%s' refers to a function attribute, which is not supported",
                      a->name);
        return false;
    }
    /* Old exporters leave type unset; infer it from what is present. */
    if (a->type == ATTR_UNDEFINED) {
        if (ap->has_f)
            a->type = ATTR_FLOAT;
        else if (ap->has_i)
            a->type = ATTR_INT;
        else if (ap->has_s)
            a->type = ATTR_STRING;
        else if (ap->t)
            a->type = ATTR_TENSOR;
        else if (ap->g)
            a->type = ATTR_GRAPH;
        else if (ap->n_floats)
            a->type = ATTR_FLOATS;
        else if (ap->n_ints)
            a->type = ATTR_INTS;
        else if (ap->n_strings)
            a->type = ATTR_STRINGS;
    }
    switch (a->type) {
    case ATTR_FLOAT:
        a->f = ap->f;
        break;
    case ATTR_INT:
        a->i = ap->i;
        break;
    case ATTR_STRING:
        a->s = pool_alloc(p, ap->s.len + 1);
        if (ap->s.len) memcpy(a->s, ap->s.data, ap->s.len);
        a->slen = ap->s.len;
        break;
    case ATTR_FLOATS:
        a->n = (int)ap->n_floats;
        a->floats = pool_alloc(p, sizeof(float) * ap->n_floats);
        if (ap->n_floats) memcpy(a->floats, ap->floats, sizeof(float) * ap->n_floats);
        break;
    case ATTR_INTS:
        a->n = (int)ap->n_ints;
        a->ints = pool_alloc(p, sizeof(int64_t) * ap->n_ints);
        if (ap->n_ints) memcpy(a->ints, ap->ints, sizeof(int64_t) * ap->n_ints);
        break;
    case ATTR_STRINGS:
        a->n = (int)ap->n_strings;
        a->strings = pool_alloc(p, sizeof(char *) * ap->n_strings);
        for (size_t i = 0; i < ap->n_strings; i++) {
            a->strings[i] = pool_alloc(p, ap->strings[i].len + 1);
            if (ap->strings[i].len) memcpy(a->strings[i], ap->strings[i].data, ap->strings[i].len);
        }
        break;
    case ATTR_TENSOR:
        if (!ap->t) {
            error_at_node(n, "attribute '%s' is a tensor attribute without a tensor", a->name);
            return false;
        }
        a->t = graph_new_tensor(g, pool_printf(p, "%s_%s", n->name, a->name));
        if (!tensor_from_proto(L, a->t, ap->t)) return false;
        break;
    case ATTR_GRAPH:
        if (!ap->g) {
            error_at_node(n, "attribute '%s' is a graph attribute without a graph", a->name);
            return false;
        }
        if (L->depth >= MAX_SUBGRAPH_DEPTH) {
            error_at_node(n, "subgraphs are nested more than %d deep", MAX_SUBGRAPH_DEPTH);
            return false;
        }
        L->depth++;
        a->g = load_graph(L, graph_new(g), ap->g);
        L->depth--;
        if (!a->g) return false;
        break;
    case ATTR_TYPE_PROTO: /* Optional's type: only its element type matters */
        a->i = type_elem_dtype(ap->tp);
        break;
    default:
        error_at_node(n, "attribute '%s' has unsupported type %d", a->name, (int)a->type);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- Constant */

/* Turns a Constant node into a constant tensor; the node is dropped. */
static bool load_constant(Loader *L, Graph *g, Node *n, Tensor *out) {
    if (n->nattrs != 1) {
        error_at_node(n, "Constant needs exactly one value attribute, has %d", n->nattrs);
        return false;
    }
    const Attr *a = &n->attrs[0];
    const char *k = a->name;
    if (strcmp(k, "value") == 0 && a->type == ATTR_TENSOR && a->t && a->t->data) {
        tensor_set_shape(out, a->t->dtype, a->t->rank, a->t->dims);
        out->data = a->t->data;
        return true;
    }
    int64_t cnt = 1;
    if (strcmp(k, "value_float") == 0 && a->type == ATTR_FLOAT) {
        tensor_set_shape(out, DT_FLOAT, 0, NULL);
        out->data = pool_alloc(g->pool, 4);
        *(float *)out->data = a->f;
        return true;
    }
    if (strcmp(k, "value_int") == 0 && a->type == ATTR_INT) {
        tensor_set_shape(out, DT_INT64, 0, NULL);
        out->data = pool_alloc(g->pool, 8);
        *(int64_t *)out->data = a->i;
        return true;
    }
    if (strcmp(k, "value_floats") == 0 && a->type == ATTR_FLOATS) {
        cnt = a->n;
        tensor_set_shape(out, DT_FLOAT, 1, &cnt);
        out->data = pool_alloc(g->pool, 4 * (size_t)cnt);
        if (cnt) memcpy(out->data, a->floats, 4 * (size_t)cnt);
        return true;
    }
    if (strcmp(k, "value_ints") == 0 && a->type == ATTR_INTS) {
        cnt = a->n;
        tensor_set_shape(out, DT_INT64, 1, &cnt);
        out->data = pool_alloc(g->pool, 8 * (size_t)cnt);
        if (cnt) memcpy(out->data, a->ints, 8 * (size_t)cnt);
        return true;
    }
    if (strcmp(k, "value_string") == 0 && a->type == ATTR_STRING) {
        if (strlen(a->s) != a->slen) {
            error_at_node(n, "value_string holds a NUL byte, which C strings cannot");
            return false;
        }
        tensor_set_shape(out, DT_STRING, 0, NULL);
        char **d = pool_alloc(g->pool, sizeof(char *));
        d[0] = a->s;
        out->data = d;
        return true;
    }
    if (strcmp(k, "value_strings") == 0 && a->type == ATTR_STRINGS) {
        cnt = a->n;
        tensor_set_shape(out, DT_STRING, 1, &cnt);
        char **d = pool_alloc(g->pool, sizeof(char *) * (size_t)(cnt ? cnt : 1));
        for (int64_t i = 0; i < cnt; i++)
            d[i] = a->strings[i];
        out->data = d;
        return true;
    }
    (void)L;
    error_at_node(n, "Constant attribute '%s' is not supported (sparse constants are not)", k);
    return false;
}

/* ---------------------------------------------------------------- graph */

static bool value_info_shape(Pool *p, Tensor *t, const Onnx__ValueInfoProto *vi) {
    const Onnx__TypeProto *tp = vi->type;
    if (!tp) return true; /* no type: inferred or bound later */
    /* sequence(tensor), optional(tensor), optional(sequence(tensor)): the
       kinds are recorded, the element tensor type read below. */
    if (tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE && tp->optional_type &&
        tp->optional_type->elem_type) {
        t->kind = VK_OPTIONAL;
        tp = tp->optional_type->elem_type;
        t->elem_kind =
            tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ? VK_SEQUENCE : VK_TENSOR;
    }
    if (tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE && tp->sequence_type &&
        tp->sequence_type->elem_type) {
        if (t->kind == VK_TENSOR) t->kind = VK_SEQUENCE;
        tp = tp->sequence_type->elem_type;
    }
    if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
        error_at_tensor(t, "is not a tensor, a sequence of tensors or an optional of either "
                           "(map and sparse values are not supported)");
        return false;
    }
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type) {
        if (tt->elem_type <= 0 || tt->elem_type >= DT_COUNT) {
            error_at_tensor(t, "has invalid element type %d", tt->elem_type);
            return false;
        }
        t->dtype = (DType)tt->elem_type;
    }
    if (!tt->shape) return true;
    if (tt->shape->n_dim > MAX_RANK) {
        error_at_tensor(t, "has rank %zu, more than the supported %d", tt->shape->n_dim, MAX_RANK);
        return false;
    }
    t->rank = (int)tt->shape->n_dim;
    for (int i = 0; i < t->rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        t->dims[i] = -1;
        t->sym[i] = NULL;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0) {
                error_at_tensor(t, "has negative dimension %lld", (long long)d->dim_value);
                return false;
            }
            t->dims[i] = d->dim_value;
        } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) {
            /* Copied: the protobuf is freed after loading. */
            t->sym[i] = d->dim_param && *d->dim_param ? pool_strdup(p, d->dim_param) : NULL;
        }
    }
    return true;
}

static Graph *load_graph(Loader *L, Graph *g, const Onnx__GraphProto *gp) {
    Pool *p = g->pool;
    int errs = diag_count();
    g->name = pool_strdup(p, gp->name ? gp->name : "");

    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        const char *name = tp->name ? tp->name : "";
        if (!*name) {
            error_model("initializer #%zu has no name", i);
            continue;
        }
        Tensor *t = graph_find_local(g, name);
        if (t && t->data) {
            error_at_tensor(t, "is defined by two initializers");
            continue;
        }
        t = graph_tensor_local(g, name);
        if (!tensor_from_proto(L, t, tp)) {
            /* Reported; mark it defined so its uses do not repeat the error
               as "not produced" (the graph is discarded anyway). */
            t->data = pool_alloc(p, 16);
        }
    }
    if (gp->n_sparse_initializer) error_model("sparse initializers are not supported");

    g->inputs = pool_alloc(p, sizeof(Tensor *) * (gp->n_input + 1));
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        const char *name = vi->name ? vi->name : "";
        if (!*name) {
            error_model("graph input #%zu has no name", i);
            continue;
        }
        Tensor *t = graph_tensor_local(g, name);
        if (t->data) continue; /* an initializer listed as input (IR < 4): a constant */
        if (t->is_input) {
            error_at_tensor(t, "is listed twice as a graph input");
            continue;
        }
        if (!value_info_shape(p, t, vi)) {
            t->is_input = true; /* reported; defined for the checks below */
            continue;
        }
        /* A subgraph input may leave its type to the value bound to it. */
        if (!vi->type && !g->parent) error_at_tensor(t, "graph input has no type");
        t->is_input = true;
        t->io_index = g->ninputs;
        g->inputs[g->ninputs++] = t;
    }

    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        const char *op = np->op_type ? np->op_type : "";
        Node *n = graph_add_node(g, op, np->name && *np->name ? np->name : NULL, (int)np->n_input,
                                 (int)np->n_output);
        n->domain = pool_strdup(p, np->domain ? np->domain : "");
        if (strcmp(n->domain, "ai.onnx") == 0) n->domain = "";
        n->opset = (int)opset_version(g, n->domain);
        if (!*op) error_at_node(n, "node has no op_type");
        n->nattrs = (int)np->n_attribute;
        n->attrs = pool_alloc(p, sizeof(Attr) * (np->n_attribute + 1));
        bool attrs_ok = true;
        for (size_t k = 0; k < np->n_attribute; k++)
            if (!attr_from_proto(L, g, n, &n->attrs[k], np->attribute[k])) attrs_ok = false;
        for (size_t k = 0; k < np->n_input; k++) {
            const char *in = np->input[k];
            if (!in || !*in) continue; /* omitted optional input */
            Tensor *t = graph_find(g, in);
            if (!t) t = graph_tensor_local(g, in);
            n->inputs[k] = t;
        }
        for (size_t k = 0; k < np->n_output; k++) {
            const char *out = np->output[k];
            if (!out || !*out) continue;
            Tensor *t = graph_tensor_local(g, out);
            if (t->producer || t->data || t->is_input) {
                error_at_node(
                    n, "output '%s' is already produced elsewhere (tensor names must be unique)",
                    out);
                continue;
            }
            t->producer = n;
            n->outputs[k] = t;
        }
        if (attrs_ok && strcmp(op, "Constant") == 0 && !*n->domain && n->noutputs == 1 &&
            n->outputs[0]) {
            Tensor *out = n->outputs[0];
            if (load_constant(L, g, n, out)) {
                out->producer = NULL;
                n->dead = true;
            }
        }
    }

    g->outputs = pool_alloc(p, sizeof(Tensor *) * (gp->n_output + 1));
    for (size_t i = 0; i < gp->n_output; i++) {
        const Onnx__ValueInfoProto *vi = gp->output[i];
        const char *name = vi->name ? vi->name : "";
        Tensor *t = *name ? graph_find(g, name) : NULL;
        if (!t) {
            error_model("graph output '%s' is not produced by any node", name);
            continue;
        }
        Tensor hint = {.name = t->name, .rank = -1};
        if (value_info_shape(p, &hint, vi) && hint.dtype && !t->dtype && !t->data)
            t->dtype = hint.dtype;
        if (hint.kind != VK_TENSOR && !t->data) {
            t->kind = hint.kind;
            t->elem_kind = hint.elem_kind;
        }
        t->is_output = true;
        t->io_index = g->noutputs;
        g->outputs[g->noutputs++] = t;
    }
    if (!g->parent && g->noutputs == 0 && diag_count() == errs)
        error_model("the graph has no outputs");

    /* Every node input must come from somewhere. */
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        for (int k = 0; k < n->ninputs; k++) {
            Tensor *t = n->inputs[k];
            if (t && !t->producer && !t->data && !t->is_input && graph_find_local(g, t->name) == t)
                error_at_node(
                    n, "input '%s' is not a graph input, an initializer or any node's output",
                    t->name);
        }
    }
    return diag_count() == errs ? g : NULL;
}

static char *dir_of(Pool *p, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return ".";
    if (slash == path) return "/";
    char *d = pool_alloc(p, (size_t)(slash - path) + 1);
    memcpy(d, path, (size_t)(slash - path));
    return d;
}

static bool looks_like_lfs_pointer(const unsigned char *d, size_t n) {
    static const char sig[] = "version https://git-lfs";
    return n >= sizeof sig - 1 && memcmp(d, sig, sizeof sig - 1) == 0;
}

Graph *load_model(const char *path, const LoadOptions *opt) {
    unsigned char *data;
    size_t len;
    char err[256];
    if (!read_file(path, opt->max_model_bytes, &data, &len, err, sizeof err)) {
        error_model("%s", err);
        return NULL;
    }
    Graph *g = load_model_bytes(data, len, path, opt);
    free(data);
    return g;
}

Graph *load_model_bytes(const void *bytes, size_t len, const char *path, const LoadOptions *opt) {
    const unsigned char *data = bytes;
    if (len == 0) {
        error_model("the file is empty");
        return NULL;
    }
    if (len > opt->max_model_bytes) {
        error_model("the model is %zu bytes, over the limit of %zu bytes (raise it with "
                    "--max-model-bytes)",
                    len, opt->max_model_bytes);
        return NULL;
    }
    if (looks_like_lfs_pointer(data, len)) {
        error_model(
            "this is a Git LFS pointer file, not the model: run 'git lfs pull' to fetch it");
        return NULL;
    }
    if (!prescan(data, len, &onnx__model_proto__descriptor)) return NULL;
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, data);
    if (!mp) {
        error_model("not a valid ONNX model (protobuf-c could not parse it: a field has the wrong "
                    "wire type, so this is corrupt or not a ModelProto)");
        return NULL;
    }
    Graph *g = graph_new(NULL);
    g->path = path;
    g->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    g->max_tensor_bytes =
        (int64_t)(opt->max_tensor_bytes > INT64_MAX ? INT64_MAX : opt->max_tensor_bytes);
    Loader L = {.root = g, .opt = opt, .model_dir = dir_of(g->pool, path)};
    bool ok = true;
    if (!mp->has_ir_version && !mp->graph) {
        error_model("not an ONNX model (no ir_version and no graph: another kind of protobuf?)");
        ok = false;
    } else if (!mp->graph) {
        error_model("the model has no graph");
        ok = false;
    } else if (g->ir_version < 3 || g->ir_version > 10) {
        error_model("IR version %lld is not supported (3 to 10 are)", (long long)g->ir_version);
        ok = false;
    }
    if (ok) {
        g->nopsets = (int)mp->n_opset_import;
        g->opsets = pool_alloc(g->pool, sizeof(OpsetImport) * (mp->n_opset_import + 1));
        for (size_t i = 0; i < mp->n_opset_import; i++) {
            const char *d = mp->opset_import[i]->domain;
            g->opsets[i].domain = pool_strdup(g->pool, d ? d : "");
            g->opsets[i].version = mp->opset_import[i]->version;
        }
        int64_t v = opset_version(g, "");
        /* A model of only another domain's ops (e.g. the training
           optimizers) need not import the default opset. */
        bool uses_default = false;
        for (size_t i = 0; i < mp->graph->n_node; i++) {
            const char *d = mp->graph->node[i]->domain;
            if (!d || !*d || strcmp(d, "ai.onnx") == 0) uses_default = true;
        }
        if (v <= 0 && uses_default) {
            error_model("the model imports no version of the default ONNX opset (opset_import "
                        "has no entry for domain '')");
            ok = false;
        } else if (v > 18) {
            error_model("opset %lld of the default domain is newer than mlegen supports (1 to 18)",
                        (long long)v);
            ok = false;
        }
    }
    if (ok && !load_graph(&L, g, mp->graph)) ok = false;
    onnx__model_proto__free_unpacked(mp, NULL);
    if (!ok || diag_count()) {
        graph_free(g);
        return NULL;
    }
    return g;
}
