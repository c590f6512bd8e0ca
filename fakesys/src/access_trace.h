/* SPDX-License-Identifier: MIT */
/*
 * An access trace: one JSON line per file-system operation, so that a test can assert what a
 * program read or wrote through the mount.
 */
#ifndef FAKESYS_ACCESS_TRACE_H
#define FAKESYS_ACCESS_TRACE_H

#include <stddef.h>

/* Bytes of written data kept in a line; the rest is dropped and the line says so. */
#define ACCESS_TRACE_DATA_MAX 256

struct access_trace;

/*
 * Opens (creates, appends to) path for the trace; "-" means standard error, which closing the
 * trace leaves open. NULL with a message "PATH: strerror" in error on failure. The descriptor
 * is close-on-exec, so that programs the daemon starts do not inherit it.
 */
struct access_trace *access_trace_open(const char *path, char *error, size_t error_size);

/*
 * Wraps an already open descriptor (the trace owns it afterwards). NULL with errno set when
 * fd is negative (EBADF) or memory runs out (ENOMEM, fd closed: ownership passes either way).
 */
struct access_trace *access_trace_from_fd(int fd);

/*
 * One line per operation, written with a single write() so concurrent threads never interleave:
 * {"time":1732456789.123456,"pid":12,"op":"read","path":"/sys/bus/pci/slots/1/address","result":11}
 *
 * result >= 0: bytes or entries; result < 0: -errno, written as "result":-2,"errno":"ENOENT"
 * ("E<number>" for an errno without a name here).
 *
 * data (may be NULL, length data_len): for write, the bytes written, as the JSON string "data";
 * only its first ACCESS_TRACE_DATA_MAX bytes are kept, followed by "data_truncated":true.
 *
 * Strings are escaped as json_text.h says, so that a line is always valid JSON and plain ASCII
 * that gives back the exact bytes of a path or of data. A NULL op or path is written as null.
 *
 * time is CLOCK_REALTIME seconds with microseconds. op is whatever string is passed, escaped;
 * the file system passes lookup, getattr, setattr, readlink, opendir, readdir, readdirplus,
 * open, read and write.
 *
 * Safe to call from any number of threads at once. A NULL trace logs nothing (tracing off).
 * Returns 0, or -errno when the line could not be written whole (out of memory or a failed
 * write; a line cut by a failed write may be left partly written).
 */
int access_trace_log(struct access_trace *trace, const char *op, long pid, const char *path,
		     long long result, const char *data, size_t data_len);

/* Closes the descriptor (unless it is standard error given as "-") and frees trace; NULL is
 * fine. */
void access_trace_close(struct access_trace *trace);

#endif
