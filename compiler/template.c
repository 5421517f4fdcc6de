/*
 * template.c - expands a kernel template with GNU m4.
 *
 * Kernels live in templates/NAME.m4 as C with m4 macros for the values
 * they are specialized on. Each instance runs
 *     m4 -P -I DIR -DKNAME=... -DN=... DIR/common.m4 DIR/NAME.m4
 * (-P: only m4_-prefixed builtins, so C code such as `index` or `len`
 * is never taken for an m4 builtin). m4 is run directly, no shell, so
 * parameter values need no quoting.
 */
#include "mlegen.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *m4_program(void) {
    const char *p = getenv("MLEGEN_M4");
    return p && *p ? p : "m4";
}

int m4_expand(const char *dir, const char *name, const char *const *defs, int ndefs, Buf *out,
              char *err, size_t errlen) {
    char path[4096], common[4096], idir[4200];
    snprintf(path, sizeof path, "%s/%s.m4", dir, name);
    snprintf(common, sizeof common, "%s/common.m4", dir);
    snprintf(idir, sizeof idir, "-I%s", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "kernel template %s is missing (set --templates DIR)", path);
        return -1;
    }
    const char **argv = calloc((size_t)ndefs + 8, sizeof(char *));
    if (!argv) return -1;
    int argc = 0;
    argv[argc++] = m4_program();
    argv[argc++] = "-P";
    argv[argc++] = "--fatal-warnings";
    argv[argc++] = idir;
    for (int i = 0; i < ndefs; i++)
        argv[argc++] = defs[i];
    argv[argc++] = common;
    argv[argc++] = path;
    argv[argc] = NULL;

    int outp[2];
    if (pipe(outp) != 0) {
        free(argv);
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    /* m4's diagnostics go to a temporary file we read back on failure. */
    char errpath[] = "/tmp/mlegen-m4-XXXXXX";
    int errfd = mkstemp(errpath);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
    posix_spawn_file_actions_addclose(&fa, outp[0]);
    if (errfd >= 0) posix_spawn_file_actions_adddup2(&fa, errfd, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(outp[1]);
    free(argv);
    if (rc != 0) {
        close(outp[0]);
        if (errfd >= 0) close(errfd), unlink(errpath);
        snprintf(err, errlen, "cannot run m4: %s (install GNU m4)", strerror(rc));
        return -1;
    }
    char chunk[65536];
    ssize_t k;
    while ((k = read(outp[0], chunk, sizeof chunk)) > 0)
        buf_put(out, chunk, (size_t)k);
    close(outp[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        size_t n = 0;
        if (errfd >= 0) {
            lseek(errfd, 0, SEEK_SET);
            ssize_t r = read(errfd, err, errlen - 1);
            n = r > 0 ? (size_t)r : 0;
        }
        err[n] = 0;
        if (n && err[n - 1] == '\n') err[n - 1] = 0;
        if (!n) snprintf(err, errlen, "m4 failed on template %s", name);
    }
    if (errfd >= 0) close(errfd), unlink(errpath);
    return ok ? 0 : -1;
}
