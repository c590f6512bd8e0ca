/* SPDX-License-Identifier: MIT */
/*
 * Compares two sysfs-like trees below the same relative paths: names in every directory, file
 * types, permission bits, link texts, device numbers and file contents (or the errno reading
 * them fails with). Meant for round trips: a tree recorded from a host and replayed through a
 * mount must read back as the host's did. Links are never followed, so a walk stays inside its
 * root however the links point. Every file is read, as a reader of the tree would; a few
 * attributes act when read (zram-control/hot_add adds a device), so a walk of a live host's
 * /sys should keep such paths out with --exclude.
 *
 * usage: tree-compare [--order] [--sizes] [--volatile] [--plain-a] [--exclude GLOB]... [--max-diffs
 * N] ROOT_A ROOT_B PATH...
 *
 * Exit status: 0 when the trees match, 1 when they differ, 2 on a usage error or when
 * ROOT_A/PATH does not exist.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Contents up to this size are shown whole; longer ones as a window around the first change. */
#define SHOW_WHOLE_MAX 80
#define WINDOW_BEFORE  16
#define WINDOW_LENGTH  64

/*
 * One side's full path, built in place as the walk descends: the root, a slash, then the
 * relative path that messages and --exclude see. A component is appended before each lstat and
 * cut off again after, so a huge directory costs no allocation per entry.
 */
struct walk_path {
	char buf[PATH_MAX];
	size_t root_len; /* up to and including the slash after the root */
	size_t len;
};

/* A regular file's bytes, or the errno that opening or reading it failed with. */
struct content {
	int err;
	char *data;
	size_t len;
	size_t cap;
};

/* A directory's names, excluded ones dropped, in the order readdir returned them. */
struct listing {
	int err;
	char **names;
	size_t count;
	size_t cap;
};

/* The result of lstat on one side: the stat, or the errno it failed with. */
struct entry {
	int err;
	struct stat st;
};

struct options {
	bool order;
	bool sizes;
	bool volatile_files;
	bool a_is_plain; /* A is a plain rendering, which writes a read error as an empty file */
	size_t max_diffs;
	const char **excludes;
	size_t exclude_count;
};

struct walk {
	struct options opt;
	struct walk_path a;
	struct walk_path b;
	/* Reused for every file so that reading costs no allocation once they have grown. */
	struct content content_a;
	struct content content_b;
	struct content content_a_again;
	size_t dirs;
	size_t files;
	size_t links;
	size_t differences;
	size_t volatiles;
};

static void compare_entry(struct walk *w, const struct entry *a, const struct entry *b);

static void *xrealloc(void *ptr, size_t size)
{
	void *grown = realloc(ptr, size ? size : 1);

	if (!grown) {
		fprintf(stderr, "tree-compare: out of memory\n");
		exit(2);
	}
	return grown;
}

/* "error EIO". glibc names every errno, so no table of our own can fall behind it. */
static void print_error(FILE *out, int err)
{
	const char *name = strerrorname_np(err);

	if (name)
		fprintf(out, "error %s", name);
	else
		fprintf(out, "error %d", err);
}

/* Bytes as C would write them, so that newlines and binary attributes stay on one line. */
static void print_escaped(FILE *out, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\\')
			fputs("\\\\", out);
		else if (c == '"')
			fputs("\\\"", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void print_path(FILE *out, const char *rel)
{
	if (*rel)
		print_escaped(out, rel, strlen(rel));
	else
		fputc('.', out);
}

static size_t first_difference(const char *a, size_t a_len, const char *b, size_t b_len)
{
	size_t i = 0;

	while (i < a_len && i < b_len && a[i] == b[i])
		i++;
	return i;
}

/* Shows one side: whole when short, else its length and the window both sides are cut to. */
static void print_side(FILE *out, const char *data, size_t len, size_t start, bool whole)
{
	if (whole) {
		fputc('"', out);
		print_escaped(out, data, len);
		fputc('"', out);
		return;
	}
	fprintf(out, "%zu bytes ", len);
	/* start never passes the first difference, so it is within both sides. */
	size_t shown = len - start < WINDOW_LENGTH ? len - start : WINDOW_LENGTH;

	fputs(start ? "...\"" : "\"", out);
	print_escaped(out, data + start, shown);
	fputs(start + shown < len ? "\"..." : "\"", out);
}

/* "at byte N (A: ..., B: ...)" for two differing byte strings, labels given. */
static void print_bytes_difference(FILE *out, const char *label_a, const char *a, size_t a_len,
				   const char *label_b, const char *b, size_t b_len)
{
	size_t at = first_difference(a, a_len, b, b_len);
	bool whole = a_len <= SHOW_WHOLE_MAX && b_len <= SHOW_WHOLE_MAX;
	size_t start = at > WINDOW_BEFORE ? at - WINDOW_BEFORE : 0;

	fprintf(out, "at byte %zu (%s: ", at, label_a);
	print_side(out, a, a_len, start, whole);
	fprintf(out, ", %s: ", label_b);
	print_side(out, b, b_len, start, whole);
	fputc(')', out);
}

static void print_content_difference(FILE *out, const char *label_a, const struct content *a,
				     const char *label_b, const struct content *b)
{
	if (!a->err && !b->err) {
		print_bytes_difference(out, label_a, a->data, a->len, label_b, b->data, b->len);
		return;
	}
	const struct content *sides[2] = { a, b };
	const char *labels[2] = { label_a, label_b };

	fputc('(', out);
	for (int i = 0; i < 2; i++) {
		fprintf(out, "%s%s: ", i ? ", " : "", labels[i]);
		if (sides[i]->err)
			print_error(out, sides[i]->err);
		else
			print_side(out, sides[i]->data, sides[i]->len, 0,
				   sides[i]->len <= SHOW_WHOLE_MAX);
	}
	fputc(')', out);
}

/*
 * Counts a difference and, while under --max-diffs, starts its line with the path; the caller
 * prints the rest only when this returns true.
 */
static bool begin_difference(struct walk *w, const char *rel)
{
	w->differences++;
	if (w->differences > w->opt.max_diffs)
		return false;
	print_path(stdout, rel);
	fputs(": ", stdout);
	return true;
}

static const char *rel_path(const struct walk_path *p)
{
	return p->buf + p->root_len;
}

static void path_init(struct walk_path *p, const char *root)
{
	size_t len = strlen(root);

	/* "/" and "dir/" name the same roots as "" and "dir" with the slash added back below. */
	while (len > 0 && root[len - 1] == '/')
		len--;
	if (len + 2 > sizeof(p->buf)) {
		fprintf(stderr, "tree-compare: %s: root path too long\n", root);
		exit(2);
	}
	memcpy(p->buf, root, len);
	p->buf[len] = '/';
	p->buf[len + 1] = '\0';
	p->root_len = len + 1;
	p->len = len + 1;
}

/* Appends a relative part; false (path unchanged) if the result would not fit PATH_MAX. */
static bool path_push(struct walk_path *p, const char *part, size_t *saved_len)
{
	size_t part_len = strlen(part);
	bool slash = p->len > p->root_len;

	if (p->len + slash + part_len + 1 > sizeof(p->buf))
		return false;
	*saved_len = p->len;
	if (slash)
		p->buf[p->len++] = '/';
	memcpy(p->buf + p->len, part, part_len + 1);
	p->len += part_len;
	return true;
}

static void path_pop(struct walk_path *p, size_t saved_len)
{
	p->len = saved_len;
	p->buf[saved_len] = '\0';
}

static void lstat_entry(const char *path, struct entry *e)
{
	e->err = lstat(path, &e->st) ? errno : 0;
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "directory";
	case S_IFREG:
		return "regular file";
	case S_IFLNK:
		return "symbolic link";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	default:
		return "unknown type";
	}
}

static bool excluded(const struct walk *w, const char *rel)
{
	for (size_t i = 0; i < w->opt.exclude_count; i++)
		if (fnmatch(w->opt.excludes[i], rel, 0) == 0)
			return true;
	return false;
}

/* Reads in one open until read returns 0, as a program reading an attribute would. */
static void read_content(const char *path, struct content *c)
{
	c->err = 0;
	c->len = 0;
	/* O_NONBLOCK: should the file have become a fifo since lstat, the open must not hang. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		c->err = errno;
		return;
	}
	for (;;) {
		if (c->cap - c->len < 4096) {
			c->cap = c->cap ? c->cap * 2 : 65536;
			c->data = xrealloc(c->data, c->cap);
		}
		ssize_t n = read(fd, c->data + c->len, c->cap - c->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			c->err = errno;
			break;
		}
		if (n == 0)
			break;
		c->len += (size_t)n;
	}
	close(fd);
}

static bool same_content(const struct content *a, const struct content *b)
{
	if (a->err || b->err)
		return a->err == b->err;
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static void compare_file(struct walk *w, const struct entry *a, const struct entry *b)
{
	const char *rel = rel_path(&w->a);

	if (w->opt.sizes && a->st.st_size != b->st.st_size && begin_difference(w, rel))
		printf("size differs (A: %lld, B: %lld)\n", (long long)a->st.st_size,
		       (long long)b->st.st_size);

	read_content(w->a.buf, &w->content_a);
	read_content(w->b.buf, &w->content_b);
	if (same_content(&w->content_a, &w->content_b))
		return;
	if (w->opt.a_is_plain && !w->content_a.err && !w->content_a.len && w->content_b.err)
		return;
	if (w->opt.volatile_files) {
		read_content(w->a.buf, &w->content_a_again);
		if (!same_content(&w->content_a, &w->content_a_again)) {
			w->volatiles++;
			print_path(stderr, rel);
			fputs(": volatile, not counted: A changed between reads ", stderr);
			print_content_difference(stderr, "A", &w->content_a, "A again",
						 &w->content_a_again);
			fputc('\n', stderr);
			return;
		}
	}
	if (begin_difference(w, rel)) {
		fputs("content differs ", stdout);
		print_content_difference(stdout, "A", &w->content_a, "B", &w->content_b);
		fputc('\n', stdout);
	}
}

/* The link text, grown until readlink leaves room to spare (so it was not cut). */
static char *read_link(const char *path, size_t *len, int *err)
{
	size_t cap = 256;
	char *text = NULL;

	for (;;) {
		text = xrealloc(text, cap);
		ssize_t n = readlink(path, text, cap);

		if (n < 0) {
			*err = errno;
			*len = 0;
			return text;
		}
		if ((size_t)n < cap) {
			*err = 0;
			*len = (size_t)n;
			return text;
		}
		cap *= 2;
	}
}

static void compare_link(struct walk *w)
{
	size_t a_len, b_len;
	int a_err, b_err;
	char *a = read_link(w->a.buf, &a_len, &a_err);
	char *b = read_link(w->b.buf, &b_len, &b_err);
	const char *rel = rel_path(&w->a);

	if (a_err || b_err) {
		if (a_err != b_err && begin_difference(w, rel)) {
			fputs("link target differs (A: ", stdout);
			if (a_err)
				print_error(stdout, a_err);
			else
				print_side(stdout, a, a_len, 0, true);
			fputs(", B: ", stdout);
			if (b_err)
				print_error(stdout, b_err);
			else
				print_side(stdout, b, b_len, 0, true);
			fputs(")\n", stdout);
		}
	} else if ((a_len != b_len || memcmp(a, b, a_len) != 0) && begin_difference(w, rel)) {
		fputs("link target differs ", stdout);
		print_bytes_difference(stdout, "A", a, a_len, "B", b, b_len);
		fputc('\n', stdout);
	}
	free(a);
	free(b);
}

static void listing_free(struct listing *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->count = 0;
	l->cap = 0;
}

/*
 * Lists p's directory without following a link put in its place since lstat. Names --exclude
 * matches are dropped here, so they count neither for the sets nor for the order.
 */
static void list_directory(const struct walk *w, struct walk_path *p, struct listing *l)
{
	int fd = open(p->buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dir;

	l->err = 0;
	if (fd < 0 || !(dir = fdopendir(fd))) {
		l->err = errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	for (;;) {
		errno = 0;
		struct dirent *d = readdir(dir);

		if (!d) {
			l->err = errno;
			break;
		}
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (w->opt.exclude_count) {
			size_t saved;

			/* Too long to exclude is kept, and reported as too long to compare. */
			if (path_push(p, d->d_name, &saved)) {
				bool skip = excluded(w, rel_path(p));

				path_pop(p, saved);
				if (skip)
					continue;
			}
		}
		if (l->count == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
		}
		l->names[l->count] = strdup(d->d_name);
		if (!l->names[l->count]) {
			fprintf(stderr, "tree-compare: out of memory\n");
			exit(2);
		}
		l->count++;
	}
	closedir(dir);
	if (l->err)
		listing_free(l);
}

static int compare_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static char **sorted_names(const struct listing *l)
{
	char **sorted = xrealloc(NULL, l->count * sizeof(*sorted));

	if (l->count)
		memcpy(sorted, l->names, l->count * sizeof(*sorted));
	qsort(sorted, l->count, sizeof(*sorted), compare_names);
	return sorted;
}

static void report_only_in(struct walk *w, struct walk_path *p, const char *side, const char *name)
{
	size_t saved;
	struct entry e;

	if (!path_push(p, name, &saved)) {
		if (begin_difference(w, rel_path(p)))
			printf("only in %s, and a path below it too long to show (%s)\n", side,
			       name);
		return;
	}
	lstat_entry(p->buf, &e);
	if (begin_difference(w, rel_path(p))) {
		printf("only in %s (%s: ", side, side);
		if (e.err)
			print_error(stdout, e.err);
		else
			fputs(type_name(e.st.st_mode), stdout);
		printf(", %s: missing)\n", side[0] == 'A' ? "B" : "A");
	}
	path_pop(p, saved);
}

static void compare_child(struct walk *w, const char *name)
{
	size_t saved_a, saved_b;
	struct entry a, b;

	if (!path_push(&w->a, name, &saved_a)) {
		if (begin_difference(w, rel_path(&w->a)))
			printf("path too long to compare below it (%s)\n", name);
		return;
	}
	if (!path_push(&w->b, name, &saved_b)) {
		if (begin_difference(w, rel_path(&w->a)))
			printf("path too long to compare on side B\n");
		path_pop(&w->a, saved_a);
		return;
	}
	lstat_entry(w->a.buf, &a);
	lstat_entry(w->b.buf, &b);
	compare_entry(w, &a, &b);
	path_pop(&w->b, saved_b);
	path_pop(&w->a, saved_a);
}

static bool same_sets(char **a, size_t a_count, char **b, size_t b_count)
{
	if (a_count != b_count)
		return false;
	for (size_t i = 0; i < a_count; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static void compare_order(struct walk *w, const struct listing *a, const struct listing *b)
{
	for (size_t i = 0; i < a->count; i++) {
		if (strcmp(a->names[i], b->names[i]) == 0)
			continue;
		if (begin_difference(w, rel_path(&w->a))) {
			printf("readdir order differs at entry %zu of %zu (A: \"", i + 1, a->count);
			print_escaped(stdout, a->names[i], strlen(a->names[i]));
			fputs("\", B: \"", stdout);
			print_escaped(stdout, b->names[i], strlen(b->names[i]));
			fputs("\")\n", stdout);
		}
		return;
	}
}

static void compare_directory(struct walk *w)
{
	struct listing a = { 0 }, b = { 0 };

	w->dirs++;
	list_directory(w, &w->a, &a);
	list_directory(w, &w->b, &b);
	if (a.err || b.err) {
		if (a.err != b.err && begin_difference(w, rel_path(&w->a))) {
			const struct listing *sides[2] = { &a, &b };

			fputs("listing differs (", stdout);
			for (int i = 0; i < 2; i++) {
				fputs(i ? ", B: " : "A: ", stdout);
				if (sides[i]->err)
					print_error(stdout, sides[i]->err);
				else
					printf("%zu entries", sides[i]->count);
			}
			fputs(")\n", stdout);
		}
		listing_free(&a);
		listing_free(&b);
		return;
	}

	char **sorted_a = sorted_names(&a);
	char **sorted_b = sorted_names(&b);

	/* The order is only meaningful between equal sets; differing sets are reported below. */
	if (w->opt.order && same_sets(sorted_a, a.count, sorted_b, b.count))
		compare_order(w, &a, &b);

	size_t i = 0, j = 0;

	while (i < a.count || j < b.count) {
		int cmp = i == a.count ? 1 : j == b.count ? -1 : strcmp(sorted_a[i], sorted_b[j]);

		if (cmp < 0)
			report_only_in(w, &w->a, "A", sorted_a[i++]);
		else if (cmp > 0)
			report_only_in(w, &w->b, "B", sorted_b[j++]);
		else {
			compare_child(w, sorted_a[i]);
			i++;
			j++;
		}
	}
	free(sorted_a);
	free(sorted_b);
	listing_free(&a);
	listing_free(&b);
}

/* Both paths are set; compares what lstat gave on each side and descends into directories. */
static void compare_entry(struct walk *w, const struct entry *a, const struct entry *b)
{
	const char *rel = rel_path(&w->a);

	if (a->err || b->err) {
		if (a->err == b->err)
			return;
		if (begin_difference(w, rel)) {
			fputs("lstat differs (A: ", stdout);
			if (a->err)
				print_error(stdout, a->err);
			else
				fputs(type_name(a->st.st_mode), stdout);
			fputs(", B: ", stdout);
			if (b->err)
				print_error(stdout, b->err);
			else
				fputs(type_name(b->st.st_mode), stdout);
			fputs(")\n", stdout);
		}
		return;
	}
	mode_t type = a->st.st_mode & S_IFMT;

	if (type != (b->st.st_mode & S_IFMT)) {
		if (begin_difference(w, rel))
			printf("type differs (A: %s, B: %s)\n", type_name(a->st.st_mode),
			       type_name(b->st.st_mode));
		return;
	}
	if ((a->st.st_mode & 07777) != (b->st.st_mode & 07777) && begin_difference(w, rel))
		printf("mode differs (A: %04o, B: %04o)\n", (unsigned)(a->st.st_mode & 07777),
		       (unsigned)(b->st.st_mode & 07777));

	switch (type) {
	case S_IFDIR:
		compare_directory(w);
		break;
	case S_IFLNK:
		w->links++;
		compare_link(w);
		break;
	case S_IFREG:
		w->files++;
		compare_file(w, a, b);
		break;
	case S_IFCHR:
	case S_IFBLK:
		w->files++;
		if (a->st.st_rdev != b->st.st_rdev && begin_difference(w, rel))
			printf("device number differs (A: %u:%u, B: %u:%u)\n", major(a->st.st_rdev),
			       minor(a->st.st_rdev), major(b->st.st_rdev), minor(b->st.st_rdev));
		break;
	default:
		w->files++;
		break;
	}
}

/*
 * PATH with empty and "." components dropped ("" is the root itself); NULL if it is absolute or
 * climbs with "..", which could leave the root.
 */
static char *normalize_path(const char *path)
{
	size_t len = strlen(path);
	char *out = xrealloc(NULL, len + 1);
	size_t out_len = 0;
	const char *part = path;

	if (path[0] == '/') {
		free(out);
		return NULL;
	}
	while (*part) {
		size_t part_len = strcspn(part, "/");

		if (part_len == 2 && part[0] == '.' && part[1] == '.') {
			free(out);
			return NULL;
		}
		if (part_len && !(part_len == 1 && part[0] == '.')) {
			if (out_len)
				out[out_len++] = '/';
			memcpy(out + out_len, part, part_len);
			out_len += part_len;
		}
		part += part_len;
		while (*part == '/')
			part++;
	}
	out[out_len] = '\0';
	return out;
}

/*
 * Whether a directory on the way from the root down to rel (rel itself aside) is a link, which
 * path resolution would follow. On success leaves p at rel; on failure p holds the offending
 * prefix (for the message) and the function returns false.
 */
static bool reach_without_links(struct walk_path *p, const char *rel, struct entry *found)
{
	size_t saved;

	path_pop(p, p->root_len);
	if (!path_push(p, rel, &saved)) {
		found->err = ENAMETOOLONG;
		return false;
	}
	for (char *slash = strchr(rel_path(p), '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		lstat_entry(p->buf, found);
		bool link = !found->err && S_ISLNK(found->st.st_mode);

		if (link)
			return false;
		*slash = '/';
	}
	found->err = 0;
	return true;
}

static void compare_path(struct walk *w, const char *rel)
{
	struct entry a, b;

	/* main checked side A before anything was compared; only a changing tree fails here. */
	if (!reach_without_links(&w->a, rel, &a)) {
		if (begin_difference(w, rel_path(&w->a)))
			printf("type differs (A: %s, B: directory)\n",
			       a.err ? "path too long" : type_name(a.st.st_mode));
		return;
	}
	if (!reach_without_links(&w->b, rel, &b)) {
		if (begin_difference(w, rel_path(&w->b)))
			printf("type differs (A: directory, B: %s)\n",
			       b.err ? "path too long" : type_name(b.st.st_mode));
		return;
	}
	lstat_entry(w->a.buf, &a);
	lstat_entry(w->b.buf, &b);
	if (!a.err && b.err == ENOENT) {
		if (begin_difference(w, rel))
			printf("only in A (A: %s, B: missing)\n", type_name(a.st.st_mode));
		return;
	}
	compare_entry(w, &a, &b);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tree-compare [options] ROOT_A ROOT_B PATH...\n"
		"Compares ROOT_A/PATH with ROOT_B/PATH recursively, without following links.\n"
		"  --order          readdir order must match too\n"
		"  --sizes          st_size of regular files must match too\n"
		"  --volatile       do not count files whose content changes between two reads of "
		"A\n"
		"  --plain-a        A is a plain rendering: an empty file there matches a read "
		"error\n"
		"                   (errno) in B, as fakesys render writes unreadable attributes\n"
		"  --exclude GLOB   skip relative paths (and their subtrees) matching GLOB;\n"
		"                   * matches / as well; may be repeated\n"
		"  --max-diffs N    print at most N differences (default 50); all are counted\n"
		"Exit status: 0 same, 1 different, 2 usage error or ROOT_A/PATH missing.\n");
}

static bool parse_count(const char *text, size_t *count)
{
	char *end;

	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);

	if (errno || *end || value > SIZE_MAX)
		return false;
	*count = (size_t)value;
	return true;
}

int main(int argc, char **argv)
{
	static struct walk w;
	static const struct option long_options[] = {
		{ "order", no_argument, NULL, 'o' },
		{ "sizes", no_argument, NULL, 's' },
		{ "volatile", no_argument, NULL, 'v' },
		{ "plain-a", no_argument, NULL, 'p' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "max-diffs", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	int status = 0;

	w.opt.max_diffs = 50;
	w.opt.excludes = xrealloc(NULL, (size_t)argc * sizeof(*w.opt.excludes));
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			w.opt.order = true;
			break;
		case 's':
			w.opt.sizes = true;
			break;
		case 'v':
			w.opt.volatile_files = true;
			break;
		case 'p':
			w.opt.a_is_plain = true;
			break;
		case 'x':
			w.opt.excludes[w.opt.exclude_count++] = optarg;
			break;
		case 'm':
			if (!parse_count(optarg, &w.opt.max_diffs)) {
				fprintf(stderr, "tree-compare: --max-diffs: not a count: %s\n",
					optarg);
				free(w.opt.excludes);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			free(w.opt.excludes);
			return 0;
		default:
			usage(stderr);
			free(w.opt.excludes);
			return 2;
		}
	}
	if (argc - optind < 3) {
		usage(stderr);
		free(w.opt.excludes);
		return 2;
	}
	path_init(&w.a, argv[optind]);
	path_init(&w.b, argv[optind + 1]);

	int path_count = argc - optind - 2;
	char **paths = xrealloc(NULL, (size_t)path_count * sizeof(*paths));

	/* Every PATH is checked before the first is compared: a typo must not pass as a result. */
	for (int i = 0; i < path_count; i++) {
		const char *arg = argv[optind + 2 + i];
		struct entry e;

		paths[i] = normalize_path(arg);
		if (!paths[i]) {
			fprintf(stderr, "tree-compare: %s: PATH must be relative, without ..\n",
				arg);
			status = 2;
			continue;
		}
		if (!reach_without_links(&w.a, paths[i], &e)) {
			fprintf(stderr, "tree-compare: %s: %s\n", w.a.buf,
				e.err ? "path too long"
				      : "is a symbolic link; links are not followed");
			status = 2;
			continue;
		}
		lstat_entry(w.a.buf, &e);
		if (e.err) {
			fprintf(stderr, "tree-compare: %s: %s\n", w.a.buf, strerror(e.err));
			status = 2;
		}
	}
	if (!status) {
		for (int i = 0; i < path_count; i++)
			if (!excluded(&w, paths[i]))
				compare_path(&w, paths[i]);
		if (w.volatiles)
			fprintf(stderr, "tree-compare: %zu volatile files not counted\n",
				w.volatiles);
		if (w.differences > w.opt.max_diffs)
			fprintf(stderr,
				"tree-compare: %zu more differences not shown (--max-diffs)\n",
				w.differences - w.opt.max_diffs);
		printf("compared %zu dirs, %zu files, %zu links: %zu differences\n", w.dirs,
		       w.files, w.links, w.differences);
		status = w.differences ? 1 : 0;
	}

	for (int i = 0; i < path_count; i++)
		free(paths[i]);
	free(paths);
	free(w.opt.excludes);
	free(w.content_a.data);
	free(w.content_b.data);
	free(w.content_a_again.data);
	return status;
}
