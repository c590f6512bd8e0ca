/* SPDX-License-Identifier: MIT */
/*
 * The access trace (access_trace.h). Each line is formatted whole in memory and written with
 * one write(), under a lock, so that threads of the daemon never interleave their lines, not
 * even on a pipe or terminal where a write may be cut short.
 */
#include "access_trace.h"
#include "json_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errno_names.h"

struct access_trace {
	int fd;
	bool owns_fd; /* false for standard error given as "-" */
	pthread_mutex_t write_lock;
};

/* A line stays on the stack unless its path or op is long. */
#define LINE_STACK_SIZE 4096
/* Everything of a line but its strings: keys, quotes, numbers, errno name, the end. */
#define LINE_FIXED_MAX 256

static struct access_trace *trace_new(int fd, bool owns_fd)
{
	struct access_trace *trace = malloc(sizeof(*trace));

	if (!trace)
		return NULL;
	if (pthread_mutex_init(&trace->write_lock, NULL) != 0) {
		free(trace);
		errno = ENOMEM;
		return NULL;
	}
	trace->fd = fd;
	trace->owns_fd = owns_fd;
	return trace;
}

struct access_trace *access_trace_open(const char *path, char *error, size_t error_size)
{
	struct access_trace *trace;
	bool is_stderr = strcmp(path, "-") == 0;
	int fd = is_stderr ? STDERR_FILENO
			   : open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	trace = trace_new(fd, !is_stderr);
	if (!trace) {
		snprintf(error, error_size, "%s: %s", path, strerror(errno));
		if (!is_stderr)
			close(fd);
	}
	return trace;
}

struct access_trace *access_trace_from_fd(int fd)
{
	struct access_trace *trace;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	trace = trace_new(fd, true);
	if (!trace) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return trace;
}

void access_trace_close(struct access_trace *trace)
{
	if (!trace)
		return;
	if (trace->owns_fd)
		close(trace->fd);
	pthread_mutex_destroy(&trace->write_lock);
	free(trace);
}

static char *append(char *out, const char *text)
{
	size_t len = strlen(text);

	memcpy(out, text, len);
	return out + len;
}

/* key then a quoted, escaped string, or null. */
static char *append_string(char *out, const char *key, const char *text, size_t len)
{
	out = append(out, key);
	if (!text)
		return append(out, "null");
	*out++ = '"';
	out = json_escape(out, text, len);
	*out++ = '"';
	return out;
}

/* The whole line, or -errno. A write cut short (a pipe, a signal) goes on where it stopped. */
static int write_line(struct access_trace *trace, const char *line, size_t len)
{
	int rc = 0;

	pthread_mutex_lock(&trace->write_lock);
	while (len > 0) {
		ssize_t n = write(trace->fd, line, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		line += n;
		len -= (size_t)n;
	}
	pthread_mutex_unlock(&trace->write_lock);
	return rc;
}

int access_trace_log(struct access_trace *trace, const char *op, long pid, const char *path,
		     long long result, const char *data, size_t data_len)
{
	char stack_line[LINE_STACK_SIZE];
	char *line = stack_line;
	char *end;
	size_t op_len = op ? strlen(op) : 0;
	size_t path_len = path ? strlen(path) : 0;
	bool truncated = data && data_len > ACCESS_TRACE_DATA_MAX;
	size_t kept = truncated ? ACCESS_TRACE_DATA_MAX : data_len;
	size_t size = LINE_FIXED_MAX + json_escaped_length(op, op_len) +
		      json_escaped_length(path, path_len) +
		      (data ? json_escaped_length(data, kept) : 0);
	struct timespec now;
	int rc;

	if (!trace)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	if (size > sizeof(stack_line)) {
		line = malloc(size);
		if (!line)
			return -ENOMEM;
	}
	end = line + snprintf(line, LINE_FIXED_MAX, "{\"time\":%lld.%06ld,\"pid\":%ld",
			      (long long)now.tv_sec, now.tv_nsec / 1000, pid);
	end = append_string(end, ",\"op\":", op, op_len);
	end = append_string(end, ",\"path\":", path, path_len);
	end += snprintf(end, LINE_FIXED_MAX / 2, ",\"result\":%lld", result);
	if (result < 0) {
		/* Negated without overflow, even for LLONG_MIN. */
		unsigned long long error = (unsigned long long)-(result + 1) + 1;
		const char *name = error <= INT_MAX ? errno_name((int)error) : NULL;

		if (name)
			end += snprintf(end, LINE_FIXED_MAX / 4, ",\"errno\":\"%s\"", name);
		else
			end += snprintf(end, LINE_FIXED_MAX / 4, ",\"errno\":\"E%llu\"", error);
	}
	if (data) {
		end = append_string(end, ",\"data\":", data, kept);
		if (truncated)
			end = append(end, ",\"data_truncated\":true");
	}
	end = append(end, "}\n");
	rc = write_line(trace, line, (size_t)(end - line));
	if (line != stack_line)
		free(line);
	return rc;
}
