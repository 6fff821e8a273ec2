/*
 * tracefiles.c — softseam_trace_start's path and format, used as the header describes.
 *
 * Usage: tracefiles WORKDIR
 *   WORKDIR  where it writes tracefiles.* (Tests/CABI/checks/tracefiles.sh replays them with `softseam replay`)
 *
 * Expected values come from the header (softseam.h, "Traces") and Traces/FORMAT.md ("File names": a name
 * ending in .bin is binary, .jsonl or .json JSON Lines; the binary form starts with "SSEAMTRC", the JSON
 * Lines form with the header {"softseam":"trace", …}).
 */
#define _DEFAULT_SOURCE /* symlink, lstat */
#include "cabi_check.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *workdir;

static const char *error_text(void) {
    const char *e = softseam_last_error(NULL);
    return e ? e : "(NULL)";
}

/* Whether the file at `path` starts with `prefix`. */
static bool starts_with(const char *path, const char *prefix) {
    char head[64] = "";
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = 0;
    return strncmp(head, prefix, strlen(prefix)) == 0;
}

/* Records one TDG.VP.INFO into `path` in `format` on a fresh machine; returns softseam_trace_stop's result
   (the step count), or the start's error. */
static int64_t record_one(const char *path, int format) {
    softseam_t *m = cabi_create(TD_CONFIG);
    int rc = softseam_trace_start(m, path, format, "Tests/CABI/tracefiles.c");
    if (rc != SOFTSEAM_OK) {
        softseam_destroy(m);
        return rc;
    }
    softseam_regs_t r = {.rax = TDG_VP_INFO};
    softseam_tdcall(m, 0, &r);
    int64_t steps = softseam_trace_stop(m);
    softseam_destroy(m);
    return steps;
}

#define JSON_HEADER "{\"softseam\":\"trace\""
#define BINARY_MAGIC "SSEAMTRC"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tracefiles WORKDIR\n");
        return 2;
    }
    workdir = argv[1];
    char path[1024], slash[1100];

    /* A directory is refused at the start (header: SOFTSEAM_EFILE, the message says it is a directory), with
       or without a trailing slash; nothing is being recorded afterwards. */
    softseam_t *m = cabi_create(TD_CONFIG);
    snprintf(slash, sizeof slash, "%s/", workdir);
    for (int i = 0; i < 2; i++) {
        const char *dir = i == 0 ? workdir : slash;
        CHECK_ERR(softseam_trace_start(m, dir, SOFTSEAM_TRACE_JSON, NULL), SOFTSEAM_EFILE, "softseam_trace_start",
                  "a directory");
        CHECK(strstr(error_text(), "is a directory") != NULL, "trace_start(%s): \"%s\" says it is a directory", dir,
              error_text());
    }
    CHECK_ERR(softseam_trace_stop(m), SOFTSEAM_ESTATE, "softseam_trace_stop", "after a refused start");

    /* A format that contradicts the name: SOFTSEAM_EINVAL naming both, and no file. */
    static const struct {
        const char *name;
        int format;
        const char *suffix, *asked;
    } contradictions[] = {
        {"tracefiles.bad.bin", SOFTSEAM_TRACE_JSON, ".bin", "JSON Lines"},
        {"tracefiles.bad.jsonl", SOFTSEAM_TRACE_BINARY, ".jsonl", "binary"},
        {"tracefiles.bad.json", SOFTSEAM_TRACE_BINARY, ".json", "binary"},
    };
    for (size_t i = 0; i < sizeof contradictions / sizeof contradictions[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", workdir, contradictions[i].name);
        CHECK_ERR(softseam_trace_start(m, path, contradictions[i].format, NULL), SOFTSEAM_EINVAL,
                  "softseam_trace_start", contradictions[i].name);
        CHECK(strstr(error_text(), contradictions[i].suffix) && strstr(error_text(), contradictions[i].asked),
              "trace_start(%s): \"%s\" names the name's %s and the %s asked for", path, error_text(),
              contradictions[i].suffix, contradictions[i].asked);
        CHECK(access(path, F_OK) != 0, "%s was not created", path);
    }
    CHECK_ERR(softseam_trace_stop(m), SOFTSEAM_ESTATE, "softseam_trace_stop", "after refused starts");
    softseam_destroy(m);

    /* Names that agree with the format, and names that stand for neither form (the format decides). */
    static const struct {
        const char *name;
        int format;
        const char *starts;
    } written[] = {
        {"tracefiles.trace.bin", SOFTSEAM_TRACE_BINARY, BINARY_MAGIC},
        {"tracefiles.trace.jsonl", SOFTSEAM_TRACE_JSON, JSON_HEADER},
        {"tracefiles.any", SOFTSEAM_TRACE_BINARY, BINARY_MAGIC},
        {"tracefiles.other", SOFTSEAM_TRACE_JSON, JSON_HEADER},
    };
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", workdir, written[i].name);
        CHECK_EQ(record_one(path, written[i].format), 1, written[i].name);
        CHECK(starts_with(path, written[i].starts), "%s starts with %s", path, written[i].starts);
    }

    /* A symbolic link to a file: the stop writes the file, and the link stays a link (header). */
    char target[1024], link[1024];
    snprintf(target, sizeof target, "%s/tracefiles.target", workdir);
    snprintf(link, sizeof link, "%s/tracefiles.link.trace.jsonl", workdir);
    FILE *f = fopen(target, "w");
    CHECK(f != NULL, "create %s", target);
    if (f) {
        fputs("old", f);
        fclose(f);
    }
    CHECK(symlink("tracefiles.target", link) == 0, "symlink %s", link);
    CHECK_EQ(record_one(link, SOFTSEAM_TRACE_JSON), 1, "a trace through a symbolic link");
    struct stat st;
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "%s is still a symbolic link", link);
    CHECK(starts_with(target, JSON_HEADER), "%s, the link's target, holds the trace", target);

    /* A FIFO (of the test's own: a regression must not replace a system device) is written straight
       through, not renamed over. It is opened for reading first, so the write does not wait. */
    char fifo[1024];
    snprintf(fifo, sizeof fifo, "%s/tracefiles.fifo", workdir);
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo %s", fifo);
    int reader = open(fifo, O_RDWR | O_NONBLOCK);
    CHECK(reader >= 0, "open %s", fifo);
    CHECK_EQ(record_one(fifo, SOFTSEAM_TRACE_JSON), 1, "a trace into a FIFO");
    char head[32] = "";
    ssize_t n = reader >= 0 ? read(reader, head, sizeof head - 1) : -1;
    head[n > 0 ? n : 0] = 0;
    CHECK(strncmp(head, JSON_HEADER, strlen(JSON_HEADER)) == 0, "the FIFO carried the trace: \"%s\"", head);
    CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "%s is still a FIFO", fifo);
    if (reader >= 0)
        close(reader);

    return cabi_finish("tracefiles");
}
