/*
 * util.c - memory pool, growable text buffers, file I/O and hashing.
 *
 * One Pool owns everything of one compilation; graph_free releases it in
 * one go, so passes never have to track who frees what.
 */
#include "mlegen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;
    /* data follows, max_align_t aligned */
} Chunk;

struct Pool {
    Chunk *head;
};

#define CHUNK_HDR ((sizeof(Chunk) + 15) & ~(size_t)15)

static void out_of_memory(void) {
    fprintf(stderr, "mlegen: out of memory\n");
    exit(1);
}

Pool *pool_new(void) {
    Pool *p = calloc(1, sizeof(Pool));
    if (!p) out_of_memory();
    return p;
}

void *pool_alloc(Pool *p, size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (size == 0) size = 16;
    Chunk *c = p->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > (1u << 20) ? size : (1u << 20);
        c = malloc(CHUNK_HDR + cap);
        if (!c) out_of_memory();
        c->cap = cap;
        c->used = 0;
        /* A big allocation gets its own chunk behind the current one so the
           current chunk's free space is not wasted. */
        if (p->head && size > (1u << 19)) {
            c->next = p->head->next;
            p->head->next = c;
        } else {
            c->next = p->head;
            p->head = c;
        }
    }
    void *r = (char *)c + CHUNK_HDR + c->used;
    c->used += size;
    memset(r, 0, size);
    return r;
}

char *pool_strdup(Pool *p, const char *s) {
    size_t n = strlen(s);
    char *r = pool_alloc(p, n + 1);
    memcpy(r, s, n);
    return r;
}

char *pool_printf(Pool *p, const char *fmt, ...) {
    Buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *r = pool_strdup(p, b.data ? b.data : "");
    buf_free(&b);
    return r;
}

void pool_free(Pool *p) {
    if (!p) return;
    for (Chunk *c = p->head; c;) {
        Chunk *next = c->next;
        free(c);
        c = next;
    }
    free(p);
}

static void buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) out_of_memory();
    b->data = d;
    b->cap = cap;
}

void buf_put(Buf *b, const char *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) {
    buf_put(b, s, strlen(s));
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_free(Buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len, char *err,
               size_t errlen) {
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        fclose(f);
        return false;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        snprintf(
            err, errlen,
            "file is %lld bytes, over the limit of %zu bytes (raise it with --max-model-bytes)",
            (long long)st.st_size, max_bytes);
        fclose(f);
        return false;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *d = malloc(n ? n : 1);
    if (!d) out_of_memory();
    if (n && fread(d, 1, n, f) != n) {
        snprintf(err, errlen, "read error");
        free(d);
        fclose(f);
        return false;
    }
    fclose(f);
    *data = d;
    *len = n;
    return true;
}

/* The temp file sits beside its target so rename is atomic (same file
   system); O_EXCL never follows or reuses a file someone planted there. */
static bool write_temp(const char *tmp, const char *path, const void *data, size_t len) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0) {
        fprintf(stderr, "mlegen: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        p += w;
        left -= (size_t)w;
    }
    bool ok = left == 0;
    if (!ok) fprintf(stderr, "mlegen: cannot write %s: %s\n", path, strerror(errno));
    if (close(fd) != 0 && ok) {
        fprintf(stderr, "mlegen: cannot write %s: %s\n", path, strerror(errno));
        ok = false;
    }
    if (!ok) unlink(tmp);
    return ok;
}

bool write_files_atomic(int n, const char *const *paths, const void *const *data,
                        const size_t *lens) {
    char **tmp = calloc((size_t)n + 1, sizeof(char *));
    if (!tmp) out_of_memory();
    int written = 0, renamed = 0;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        size_t len = strlen(paths[i]) + 32;
        tmp[i] = malloc(len);
        if (!tmp[i]) out_of_memory();
        snprintf(tmp[i], len, "%s.tmp.%ld", paths[i], (long)getpid());
        ok = write_temp(tmp[i], paths[i], data[i], lens[i]); /* removes its temp on failure */
        if (ok) written = i + 1;
    }
    for (; ok && renamed < n; renamed++)
        if (rename(tmp[renamed], paths[renamed]) != 0) {
            fprintf(stderr, "mlegen: cannot write %s: %s\n", paths[renamed], strerror(errno));
            ok = false;
            break;
        }
    if (!ok) {
        /* Undo: no target of this call is left half-updated. */
        for (int i = 0; i < renamed; i++)
            unlink(paths[i]);
        for (int i = renamed; i < written; i++)
            unlink(tmp[i]);
    }
    for (int i = 0; i < n; i++)
        free(tmp[i]);
    free(tmp);
    return ok;
}

bool write_file_atomic(const char *path, const void *data, size_t len) {
    return write_files_atomic(1, &path, &data, &len);
}

/* FNV-1a, 64 bit: deterministic across runs and machines. */
uint64_t hash_bytes(const void *data, size_t n, uint64_t seed) {
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}
