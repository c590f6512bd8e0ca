/* SPDX-License-Identifier: MIT */
/*
 * The access trace read back: a line per call in the documented shape, escaping of op, path and
 * data (every byte value round trips), truncation of data, errno names, lines that stay whole
 * from many threads and through short and interrupted writes, standard error, and failures.
 */
#define _GNU_SOURCE /* syscall */
#include "access_trace.h"
#include "errno_names.h"

#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- short writes ---------------------------------------------------------------------- */

/*
 * Regular files take a write whole, so the trace's handling of short and interrupted writes
 * would go untested. This write() takes the place of the C library's in this program: on
 * stingy_fd it fails every other call with EINTR and otherwise takes at most a few bytes.
 */
static int stingy_fd = -1;
static int stingy_calls;

ssize_t write(int fd, const void *buf, size_t count)
{
	if (fd == stingy_fd) {
		if (__atomic_fetch_add(&stingy_calls, 1, __ATOMIC_RELAXED) % 2 == 0) {
			errno = EINTR;
			return -1;
		}
		if (count > 5)
			count = 5;
	}
	return syscall(SYS_write, fd, buf, count);
}

/* ---- helpers --------------------------------------------------------------------------- */

/* Checks for loops over thousands of lines, which call into Check only to fail. */
#define expect(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

/* A new empty file's path, and a path beside it that does not exist yet. */
static char *temp_path(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path = format("%s/test_access_trace_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

static char *read_file(const char *path, size_t *len_out)
{
	FILE *in = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;

	ck_assert_ptr_nonnull(in);
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			text = realloc(text, cap + 1);
			ck_assert_ptr_nonnull(text);
		}
		n = fread(text + len, 1, cap - len, in);
		len += n;
	} while (n > 0);
	ck_assert(!ferror(in));
	fclose(in);
	text[len] = '\0';
	if (len_out)
		*len_out = len;
	return text;
}

/*
 * The line with its time replaced by T, after checking that the time is seconds, a dot and
 * exactly six digits of microseconds, no earlier than not_before and no later than now.
 */
static char *mask_time(const char *line, const struct timespec *not_before)
{
	static const char prefix[] = "{\"time\":";
	const char *p = line + strlen(prefix);
	struct timespec now;
	long long seconds = 0;
	size_t digits = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	expect(strncmp(line, prefix, strlen(prefix)) == 0, "no time first: %s", line);
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		seconds = seconds * 10 + (*p - '0');
	expect(digits > 0 && *p == '.', "bad seconds: %s", line);
	p++;
	for (digits = 0; *p >= '0' && *p <= '9'; p++)
		digits++;
	expect(digits == 6 && *p == ',', "not six digits of microseconds: %s", line);
	expect(seconds >= (long long)not_before->tv_sec && seconds <= (long long)now.tv_sec,
	       "time %lld not between %lld and %lld", seconds, (long long)not_before->tv_sec,
	       (long long)now.tv_sec);
	return format("{\"time\":T%s", p);
}

/* The one line a single call writes, without its newline; the time just before in *before. */
static char *raw_line(struct timespec *before, const char *op, long pid, const char *path,
		      long long result, const char *data, size_t data_len)
{
	char *file = temp_path();
	char error[256];
	struct access_trace *trace = access_trace_open(file, error, sizeof(error));
	char *text;
	size_t len;

	ck_assert_msg(trace != NULL, "%s", error);
	clock_gettime(CLOCK_REALTIME, before);
	ck_assert_int_eq(access_trace_log(trace, op, pid, path, result, data, data_len), 0);
	access_trace_close(trace);
	text = read_file(file, &len);
	unlink(file);
	free(file);
	ck_assert_msg(len > 0 && text[len - 1] == '\n' && memchr(text, '\n', len) == text + len - 1,
		      "not one line: '%s'", text);
	text[len - 1] = '\0';
	return text;
}

/* The same with its time checked and masked. */
static char *one_line(const char *op, long pid, const char *path, long long result,
		      const char *data, size_t data_len)
{
	struct timespec before;
	char *text = raw_line(&before, op, pid, path, result, data, data_len);
	char *masked = mask_time(text, &before);

	free(text);
	return masked;
}

#define assert_line(wanted, ...)                                                                   \
	do {                                                                                       \
		char *line_ = one_line(__VA_ARGS__);                                               \
		ck_assert_str_eq(line_, wanted);                                                   \
		free(line_);                                                                       \
	} while (0)

/*
 * A minimal reader of the lines: one flat object of string keys whose values are strings,
 * numbers, true or null; everything printable ASCII. Strings are decoded to bytes (a \u00XX
 * escape to the byte XX), so that what went in can be compared with what came out.
 */
enum json_kind { JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_NULL };

struct json_field {
	const char *key;
	enum json_kind kind;
	const char *value; /* decoded string, or the number's text */
	size_t len;
};

#define JSON_FIELDS_MAX 12

struct json_object {
	char *arena; /* decoded keys and values */
	struct json_field fields[JSON_FIELDS_MAX];
	size_t n;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the string at *p (at its opening quote) into *out; false if malformed. */
static bool json_string(const char **p, char **out, size_t *len)
{
	const char *s = *p;
	char *start = *out, *o = *out;

	if (*s++ != '"')
		return false;
	while (*s != '"') {
		if (*s == '\0')
			return false;
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s++) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '/':
			*o++ = '/';
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u': {
			int code = 0;

			for (int i = 0; i < 4; i++) {
				int digit = hex_digit(*s++);

				if (digit < 0)
					return false;
				code = code * 16 + digit;
			}
			if (code > 0xff) /* the trace writes bytes only */
				return false;
			*o++ = (char)code;
			break;
		}
		default:
			return false;
		}
	}
	*p = s + 1;
	*len = (size_t)(o - start);
	*o++ = '\0';
	*out = o;
	return true;
}

/* Parses line (without its newline); false, with nothing to free, if it is not one object. */
static bool json_parse(const char *line, struct json_object *obj)
{
	const char *p = line;
	char *o;

	for (const char *c = line; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return false;
	obj->n = 0;
	obj->arena = malloc(2 * strlen(line) + 2);
	ck_assert_ptr_nonnull(obj->arena);
	o = obj->arena;
	if (*p++ != '{')
		goto bad;
	for (;;) {
		struct json_field *field = &obj->fields[obj->n];
		size_t key_len;

		if (obj->n == JSON_FIELDS_MAX)
			goto bad;
		field->key = o;
		if (!json_string(&p, &o, &key_len) || *p++ != ':')
			goto bad;
		if (*p == '"') {
			field->kind = JSON_STRING;
			field->value = o;
			if (!json_string(&p, &o, &field->len))
				goto bad;
		} else if (strncmp(p, "true", 4) == 0) {
			field->kind = JSON_TRUE;
			p += 4;
		} else if (strncmp(p, "null", 4) == 0) {
			field->kind = JSON_NULL;
			p += 4;
		} else {
			const char *start = p;

			if (*p == '-')
				p++;
			if (*p < '0' || *p > '9')
				goto bad;
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p == '.') {
				if (*++p < '0' || *p > '9')
					goto bad;
				while (*p >= '0' && *p <= '9')
					p++;
			}
			field->kind = JSON_NUMBER;
			field->value = o;
			field->len = (size_t)(p - start);
			memcpy(o, start, field->len);
			o += field->len;
			*o++ = '\0';
		}
		obj->n++;
		if (*p == '}')
			break;
		if (*p++ != ',')
			goto bad;
	}
	if (*++p == '\0')
		return true;
bad:
	free(obj->arena);
	return false;
}

static const struct json_field *json_get(const struct json_object *obj, const char *key)
{
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->fields[i].key, key) == 0)
			return &obj->fields[i];
	return NULL;
}

/* The string value of key, which must be there and be a string of len bytes. */
static const char *json_string_of(const struct json_object *obj, const char *key, size_t len)
{
	const struct json_field *field = json_get(obj, key);

	expect(field && field->kind == JSON_STRING, "%s missing or not a string", key);
	expect(field->len == len, "%s has %zu bytes, not %zu", key, field->len, len);
	return field->value;
}

static long long json_number_of(const struct json_object *obj, const char *key)
{
	const struct json_field *field = json_get(obj, key);

	expect(field && field->kind == JSON_NUMBER, "%s missing or not a number", key);
	return strtoll(field->value, NULL, 10);
}

/* ---- tests ----------------------------------------------------------------------------- */

START_TEST(a_line_per_call_appended)
{
	static const char *const wanted[] = {
		"{\"time\":T,\"pid\":123,\"op\":\"lookup\",\"path\":\"/sys/bus/pci\",\"result\":0}",
		"{\"time\":T,\"pid\":123,\"op\":\"read\","
		"\"path\":\"/sys/bus/pci/devices/0000:3b:00.0/vendor\",\"result\":7}",
		"{\"time\":T,\"pid\":4,\"op\":\"write\",\"path\":\"/sys/bus/pci/drivers_probe\","
		"\"result\":12,\"data\":\"0000:3b:00.0\"}",
		"{\"time\":T,\"pid\":5,\"op\":\"release\",\"path\":\"/sys/x\",\"result\":0}",
	};
	char *file = temp_path();
	char error[256];
	struct access_trace *trace;
	struct timespec before;
	char *text, *line, *next;
	size_t n = 0;

	/* A trace that does not exist yet is created; one that does is appended to. */
	ck_assert_int_eq(unlink(file), 0);
	clock_gettime(CLOCK_REALTIME, &before);
	trace = access_trace_open(file, error, sizeof(error));
	ck_assert_msg(trace != NULL, "%s", error);
	ck_assert_int_eq(access_trace_log(trace, "lookup", 123, "/sys/bus/pci", 0, NULL, 0), 0);
	ck_assert_int_eq(access_trace_log(trace, "read", 123,
					  "/sys/bus/pci/devices/0000:3b:00.0/vendor", 7, NULL, 0),
			 0);
	ck_assert_int_eq(access_trace_log(trace, "write", 4, "/sys/bus/pci/drivers_probe", 12,
					  "0000:3b:00.0", 12),
			 0);
	access_trace_close(trace);
	trace = access_trace_open(file, error, sizeof(error));
	ck_assert_msg(trace != NULL, "%s", error);
	ck_assert_int_eq(access_trace_log(trace, "release", 5, "/sys/x", 0, NULL, 0), 0);
	access_trace_close(trace);

	text = read_file(file, NULL);
	for (line = text; *line; line = next + 1, n++) {
		char *masked;

		next = strchr(line, '\n');
		ck_assert_msg(next != NULL, "unterminated line: %s", line);
		*next = '\0';
		ck_assert_uint_lt(n, sizeof(wanted) / sizeof(wanted[0]));
		masked = mask_time(line, &before);
		ck_assert_str_eq(masked, wanted[n]);
		free(masked);
	}
	ck_assert_uint_eq(n, sizeof(wanted) / sizeof(wanted[0]));
	free(text);
	unlink(file);
	free(file);
}
END_TEST

START_TEST(errors_carry_their_names)
{
	static const struct {
		int error;
		const char *name;
	} names[] = {
		{ ENOENT, "ENOENT" },
		{ EACCES, "EACCES" },
		{ EPERM, "EPERM" },
		{ EINVAL, "EINVAL" },
		{ EIO, "EIO" },
		{ ENODEV, "ENODEV" },
		{ EBUSY, "EBUSY" },
		{ ERANGE, "ERANGE" },
		{ EEXIST, "EEXIST" },
		{ E2BIG, "E2BIG" },
		{ ENOTDIR, "ENOTDIR" },
		{ EISDIR, "EISDIR" },
		{ ENXIO, "ENXIO" },
		{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },
		{ ENOSPC, "ENOSPC" },
		{ EROFS, "EROFS" },
		{ ENOSYS, "ENOSYS" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ EFAULT, "EFAULT" },
		{ ENOTEMPTY, "ENOTEMPTY" },
		{ EXDEV, "EXDEV" },
		{ ETIMEDOUT, "ETIMEDOUT" },
		{ EINTR, "EINTR" },
	};

	assert_line("{\"time\":T,\"pid\":9,\"op\":\"lookup\",\"path\":\"/sys/nothing\","
		    "\"result\":-2,\"errno\":\"ENOENT\"}",
		    "lookup", 9, "/sys/nothing", -ENOENT, NULL, 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *wanted = format("{\"time\":T,\"pid\":1,\"op\":\"open\",\"path\":\"/p\","
				      "\"result\":%d,\"errno\":\"%s\"}",
				      -names[i].error, names[i].name);

		ck_assert_str_eq(errno_name(names[i].error), names[i].name);
		assert_line(wanted, "open", 1, "/p", -names[i].error, NULL, 0);
		free(wanted);
	}
	/* Without a name here, the number; even one no int holds. */
	ck_assert_ptr_null(errno_name(4000));
	assert_line("{\"time\":T,\"pid\":1,\"op\":\"read\",\"path\":\"/p\","
		    "\"result\":-4000,\"errno\":\"E4000\"}",
		    "read", 1, "/p", -4000, NULL, 0);
	assert_line("{\"time\":T,\"pid\":1,\"op\":\"read\",\"path\":\"/p\","
		    "\"result\":-9223372036854775808,\"errno\":\"E9223372036854775808\"}",
		    "read", 1, "/p", LLONG_MIN, NULL, 0);
	/* Large results and pids are plain numbers, with no errno. */
	assert_line("{\"time\":T,\"pid\":-1,\"op\":\"readdir\",\"path\":\"/p\","
		    "\"result\":9223372036854775807}",
		    "readdir", -1, "/p", LLONG_MAX, NULL, 0);
}
END_TEST

START_TEST(strings_are_escaped_to_ascii)
{
	char all_bytes[256], path[256];
	struct timespec before;
	char *line;
	struct json_object obj;

	assert_line("{\"time\":T,\"pid\":7,\"op\":\"re\\\"ad\","
		    "\"path\":\"/"
		    "a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\u0001i\\u001fj\\u007fk\\u00c3\\u00a9/\","
		    "\"result\":0}",
		    "re\"ad", 7, "/a\"b\\c\nd\te\rf\bg\fh\x01i\x1fj\x7fk\xc3\xa9/", 0, NULL, 0);
	assert_line("{\"time\":T,\"pid\":7,\"op\":\"write\",\"path\":\"/sys/x\",\"result\":5,"
		    "\"data\":\"1\\n\\\"\\\\\\u0000\"}",
		    "write", 7, "/sys/x", 5, "1\n\"\\\0", 5);
	/* Missing strings are null; data of no bytes is an empty string. */
	assert_line("{\"time\":T,\"pid\":7,\"op\":null,\"path\":null,\"result\":0}", NULL, 7, NULL,
		    0, NULL, 0);
	assert_line("{\"time\":T,\"pid\":7,\"op\":\"write\",\"path\":\"/x\",\"result\":0,"
		    "\"data\":\"\"}",
		    "write", 7, "/x", 0, "", 0);

	/* Every byte value comes back as itself, through a line of printable ASCII only. */
	for (int i = 0; i < 256; i++)
		all_bytes[i] = (char)i;
	memcpy(path, all_bytes + 1, 255);
	path[255] = '\0';
	line = raw_line(&before, "write", 1, path, 256, all_bytes, sizeof(all_bytes));
	ck_assert_msg(json_parse(line, &obj), "not JSON: %s", line);
	ck_assert_mem_eq(json_string_of(&obj, "path", 255), all_bytes + 1, 255);
	ck_assert_mem_eq(json_string_of(&obj, "data", 256), all_bytes, 256);
	ck_assert_ptr_null(json_get(&obj, "data_truncated"));
	free(obj.arena);
	free(line);
}
END_TEST

START_TEST(data_is_cut_at_the_limit)
{
	char data[ACCESS_TRACE_DATA_MAX + 100];
	struct timespec before;
	char *line;
	struct json_object obj;
	const struct json_field *truncated;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	data[ACCESS_TRACE_DATA_MAX - 1] = '\n';

	/* Exactly the limit: all of it, no mark. */
	line = raw_line(&before, "write", 1, "/x", ACCESS_TRACE_DATA_MAX, data,
			ACCESS_TRACE_DATA_MAX);
	ck_assert_msg(json_parse(line, &obj), "not JSON: %s", line);
	ck_assert_mem_eq(json_string_of(&obj, "data", ACCESS_TRACE_DATA_MAX), data,
			 ACCESS_TRACE_DATA_MAX);
	ck_assert_ptr_null(json_get(&obj, "data_truncated"));
	free(obj.arena);
	free(line);

	/* One byte over: the first ACCESS_TRACE_DATA_MAX, then the mark, last. */
	line = raw_line(&before, "write", 1, "/x", ACCESS_TRACE_DATA_MAX + 1, data,
			ACCESS_TRACE_DATA_MAX + 1);
	ck_assert_msg(json_parse(line, &obj), "not JSON: %s", line);
	ck_assert_mem_eq(json_string_of(&obj, "data", ACCESS_TRACE_DATA_MAX), data,
			 ACCESS_TRACE_DATA_MAX);
	truncated = json_get(&obj, "data_truncated");
	ck_assert_ptr_nonnull(truncated);
	ck_assert_int_eq(truncated->kind, JSON_TRUE);
	ck_assert_uint_eq(obj.n, 7);
	ck_assert_str_eq(obj.fields[6].key, "data_truncated");
	ck_assert_int_eq(json_number_of(&obj, "result"), ACCESS_TRACE_DATA_MAX + 1);
	ck_assert(strstr(line, ",\"data_truncated\":true}") != NULL);
	free(obj.arena);
	free(line);
}
END_TEST

START_TEST(long_paths_are_written_whole)
{
	/* Far beyond the stack buffer once escaped. */
	size_t len = 20000;
	char *path = malloc(len + 1);
	struct timespec before;
	char *line;
	struct json_object obj;

	ck_assert_ptr_nonnull(path);
	for (size_t i = 0; i < len; i++)
		path[i] = i % 3 ? '\x01' : '/';
	path[len] = '\0';
	line = raw_line(&before, "lookup", 1, path, -ENAMETOOLONG, NULL, 0);
	ck_assert_msg(json_parse(line, &obj), "not JSON");
	ck_assert_mem_eq(json_string_of(&obj, "path", len), path, len);
	free(obj.arena);
	free(line);
	free(path);
}
END_TEST

/* ---- threads --------------------------------------------------------------------------- */

#define THREADS		 8
#define LINES_PER_THREAD 1000
#define THREAD_DATA_LEN	 300

struct writer {
	struct access_trace *trace;
	long index;
	int lines;
	char path[64];
	char data[THREAD_DATA_LEN];
	int failures;
};

/* Each thread's lines are told apart by pid (the thread) and result (the sequence number). */
static void writer_fill(struct writer *w, struct access_trace *trace, long index, int lines)
{
	w->trace = trace;
	w->index = index;
	w->lines = lines;
	w->failures = 0;
	snprintf(w->path, sizeof(w->path), "/sys/\"thread\"\\%ld\n", index);
	for (size_t i = 0; i < sizeof(w->data); i++)
		w->data[i] = i % 17 == 0 ? '\n' : (char)('A' + index);
}

static void *writer_run(void *arg)
{
	struct writer *w = arg;

	for (long long seq = 0; seq < w->lines; seq++)
		if (access_trace_log(w->trace, "write", w->index, w->path, seq, w->data,
				     sizeof(w->data)) != 0)
			w->failures++;
	return NULL;
}

/* Every line of text is whole and well formed and each thread's lines are all there, once,
 * in the order the thread wrote them. */
static void check_thread_lines(char *text, const struct writer *writers, int threads,
			       int lines_per_thread, bool with_data)
{
	long long next_seq[THREADS] = { 0 };
	size_t n = 0;
	char *line, *end;

	for (line = text; *line; line = end + 1, n++) {
		struct json_object obj;
		const struct writer *w;
		long long pid;

		end = strchr(line, '\n');
		expect(end != NULL, "unterminated last line: %s", line);
		*end = '\0';
		expect(json_parse(line, &obj), "line %zu is not JSON: %s", n, line);
		expect(obj.n == (with_data ? 7u : 5u), "line %zu has %zu fields: %s", n, obj.n,
		       line);
		pid = json_number_of(&obj, "pid");
		expect(pid >= 0 && pid < threads, "line %zu: pid %lld", n, pid);
		w = &writers[pid];
		expect(json_number_of(&obj, "result") == next_seq[pid],
		       "line %zu: thread %lld result %lld, wanted %lld", n, pid,
		       json_number_of(&obj, "result"), next_seq[pid]);
		next_seq[pid]++;
		expect(memcmp(json_string_of(&obj, "op", 5), "write", 5) == 0, "line %zu: op", n);
		expect(memcmp(json_string_of(&obj, "path", strlen(w->path)), w->path,
			      strlen(w->path)) == 0,
		       "line %zu: path", n);
		if (with_data) {
			expect(memcmp(json_string_of(&obj, "data", ACCESS_TRACE_DATA_MAX), w->data,
				      ACCESS_TRACE_DATA_MAX) == 0,
			       "line %zu: data", n);
			expect(json_get(&obj, "data_truncated") != NULL, "line %zu: no mark", n);
		}
		free(obj.arena);
	}
	expect(n == (size_t)threads * lines_per_thread, "%zu lines, wanted %d", n,
	       threads * lines_per_thread);
	for (int t = 0; t < threads; t++)
		expect(next_seq[t] == lines_per_thread, "thread %d: %lld lines", t, next_seq[t]);
}

START_TEST(threads_never_interleave)
{
	static struct writer writers[THREADS];
	pthread_t threads[THREADS];
	char *file = temp_path();
	char error[256];
	struct access_trace *trace = access_trace_open(file, error, sizeof(error));
	char *text;

	ck_assert_msg(trace != NULL, "%s", error);
	for (long t = 0; t < THREADS; t++) {
		writer_fill(&writers[t], trace, t, LINES_PER_THREAD);
		ck_assert_int_eq(pthread_create(&threads[t], NULL, writer_run, &writers[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_int_eq(writers[t].failures, 0);
	}
	access_trace_close(trace);
	text = read_file(file, NULL);
	check_thread_lines(text, writers, THREADS, LINES_PER_THREAD, true);
	free(text);
	unlink(file);
	free(file);
}
END_TEST

/* Writes cut after a few bytes and interrupted by signals still give whole lines, one by one. */
START_TEST(short_and_interrupted_writes_still_give_whole_lines)
{
	enum { STINGY_THREADS = 4, STINGY_LINES = 50 };
	static struct writer writers[STINGY_THREADS];
	pthread_t threads[STINGY_THREADS];
	char *file = temp_path();
	int fd = open(file, O_WRONLY | O_APPEND);
	struct access_trace *trace;
	char *text, *masked;
	struct timespec before;
	size_t len;

	ck_assert_int_ge(fd, 0);
	trace = access_trace_from_fd(fd);
	ck_assert_ptr_nonnull(trace);
	stingy_calls = 0;
	stingy_fd = fd;
	clock_gettime(CLOCK_REALTIME, &before);
	ck_assert_int_eq(access_trace_log(trace, "read", 3, "/sys/a\tb", 4096, NULL, 0), 0);
	stingy_fd = -1;
	text = read_file(file, &len);
	ck_assert_uint_eq(text[len - 1], '\n');
	text[len - 1] = '\0';
	/* At least one interruption and one short write per five bytes. */
	ck_assert_int_ge(stingy_calls, 2 * (int)(len / 5));
	masked = mask_time(text, &before);
	ck_assert_str_eq(masked, "{\"time\":T,\"pid\":3,\"op\":\"read\",\"path\":\"/sys/a\\tb\","
				 "\"result\":4096}");
	free(masked);
	free(text);

	ck_assert_int_eq(ftruncate(fd, 0), 0);
	stingy_fd = fd;
	for (long t = 0; t < STINGY_THREADS; t++) {
		writer_fill(&writers[t], trace, t, STINGY_LINES);
		ck_assert_int_eq(pthread_create(&threads[t], NULL, writer_run, &writers[t]), 0);
	}
	for (int t = 0; t < STINGY_THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_int_eq(writers[t].failures, 0);
	}
	stingy_fd = -1;
	access_trace_close(trace);
	text = read_file(file, NULL);
	check_thread_lines(text, writers, STINGY_THREADS, STINGY_LINES, true);
	free(text);
	unlink(file);
	free(file);
}
END_TEST

/* ---- where lines go, and failures ------------------------------------------------------ */

START_TEST(dash_is_standard_error_left_open)
{
	char *file = temp_path();
	int capture = open(file, O_WRONLY | O_APPEND);
	int saved_stderr = dup(STDERR_FILENO);
	char error[256];
	struct access_trace *trace;
	struct timespec before;
	char *text, *masked;
	int rc;

	ck_assert_int_ge(capture, 0);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_eq(dup2(capture, STDERR_FILENO), STDERR_FILENO);
	clock_gettime(CLOCK_REALTIME, &before);
	trace = access_trace_open("-", error, sizeof(error));
	rc = trace ? access_trace_log(trace, "getattr", 2, "/dev/vfio/3", 0, NULL, 0) : -1;
	access_trace_close(trace);
	/* Still open after the trace is closed; then given back. */
	ck_assert_int_ne(fcntl(STDERR_FILENO, F_GETFD), -1);
	ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
	close(saved_stderr);
	close(capture);
	ck_assert_msg(trace != NULL, "%s", error);
	ck_assert_int_eq(rc, 0);

	text = read_file(file, NULL);
	ck_assert_msg(strlen(text) > 0 && strchr(text, '\n') == text + strlen(text) - 1,
		      "not one line: %s", text);
	text[strlen(text) - 1] = '\0';
	masked = mask_time(text, &before);
	ck_assert_str_eq(masked,
			 "{\"time\":T,\"pid\":2,\"op\":\"getattr\",\"path\":\"/dev/vfio/3\","
			 "\"result\":0}");
	free(masked);
	free(text);
	unlink(file);
	free(file);
}
END_TEST

START_TEST(open_failures_say_path_and_reason)
{
	char dir[] = "/tmp/test_access_trace_dir_XXXXXX";
	char error[256];
	char small[8];
	char *wanted, *missing;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(error, 'x', sizeof(error));
	ck_assert_ptr_null(access_trace_open(dir, error, sizeof(error)));
	wanted = format("%s: %s", dir, strerror(EISDIR));
	ck_assert_str_eq(error, wanted);
	free(wanted);

	missing = format("%s/no/such/dir/trace.json", dir);
	ck_assert_ptr_null(access_trace_open(missing, error, sizeof(error)));
	wanted = format("%s: %s", missing, strerror(ENOENT));
	ck_assert_str_eq(error, wanted);
	free(wanted);

	/* A short buffer holds the start of the message, terminated. */
	ck_assert_ptr_null(access_trace_open(missing, small, sizeof(small)));
	ck_assert_str_eq(small, "/tmp/te");
	free(missing);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(write_failures_are_returned)
{
	int read_only = open("/dev/null", O_RDONLY);
	int full = open("/dev/full", O_WRONLY);
	struct access_trace *trace;

	ck_assert_int_ge(read_only, 0);
	ck_assert_int_ge(full, 0);
	trace = access_trace_from_fd(read_only);
	ck_assert_ptr_nonnull(trace);
	ck_assert_int_eq(access_trace_log(trace, "read", 1, "/x", 0, NULL, 0), -EBADF);
	access_trace_close(trace);
	/* The trace owned the descriptor and closed it. */
	ck_assert_int_eq(fcntl(read_only, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);

	trace = access_trace_from_fd(full);
	ck_assert_ptr_nonnull(trace);
	ck_assert_int_eq(access_trace_log(trace, "read", 1, "/x", 0, NULL, 0), -ENOSPC);
	access_trace_close(trace);

	errno = 0;
	ck_assert_ptr_null(access_trace_from_fd(-1));
	ck_assert_int_eq(errno, EBADF);
	/* No trace: nothing logged, nothing failed; closing nothing is fine. */
	ck_assert_int_eq(access_trace_log(NULL, "read", 1, "/x", 0, NULL, 0), 0);
	access_trace_close(NULL);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("access_trace");
	TCase *lines = tcase_create("lines");
	TCase *threads = tcase_create("threads");
	TCase *files = tcase_create("files");

	tcase_add_test(lines, a_line_per_call_appended);
	tcase_add_test(lines, errors_carry_their_names);
	tcase_add_test(lines, strings_are_escaped_to_ascii);
	tcase_add_test(lines, data_is_cut_at_the_limit);
	tcase_add_test(lines, long_paths_are_written_whole);
	suite_add_tcase(suite, lines);
	/* Slow under valgrind. */
	tcase_set_timeout(threads, 120);
	tcase_add_test(threads, threads_never_interleave);
	tcase_add_test(threads, short_and_interrupted_writes_still_give_whole_lines);
	suite_add_tcase(suite, threads);
	tcase_add_test(files, dash_is_standard_error_left_open);
	tcase_add_test(files, open_failures_say_path_and_reason);
	tcase_add_test(files, write_failures_are_returned);
	suite_add_tcase(suite, files);
	return check_run(suite);
}
