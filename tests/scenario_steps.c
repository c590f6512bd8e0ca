/* SPDX-License-Identifier: MIT */
/* Naming outcomes and scenario steps, checked through a mounted tree (see scenario_steps.h). */
#define _GNU_SOURCE
#include "scenario_steps.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errno_names.h"
#include "host_control.h"
#include "vfionaming.h"

/* Replaces the mount point in a message with "<root>", as scenario files write it. */
static char *with_root_placeholder(const char *root, const char *message)
{
	size_t root_len = strlen(root);
	char *out = malloc(strlen(message) + 1);
	char *o = out;

	if (!out)
		return NULL;
	for (const char *p = message; *p;) {
		if (strncmp(p, root, root_len) == 0) {
			/* "<root>" is 6 bytes, never longer than a mkdtemp path. */
			memcpy(o, "<root>", 6);
			o += 6;
			p += root_len;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

bool check_naming(const char *root, char *const *sandbox, size_t n_sandbox,
		  const struct scenario_expect *expect, const char *what)
{
	struct vfio_naming_options options = { .root = root, .prefix = expect->prefix };
	struct vfio_naming_result result;
	bool ok = true;

	if (vfio_naming_scheme_parse(expect->scheme, &options.scheme) != 0) {
		printf("FAIL %s: unknown scheme\n", what);
		return false;
	}
	vfio_naming_assign(&options, (const char *const *)sandbox, n_sandbox, &result);

	char *error = result.error ? with_root_placeholder(root, result.error) : NULL;
	if (expect->error) {
		if (result.status == VFIO_NAMING_OK || !error ||
		    strcmp(error, expect->error) != 0) {
			printf("FAIL %s: expected error \"%s\", got %s%s%s\n", what, expect->error,
			       error ? "error \"" : "success", error ? error : "",
			       error ? "\"" : "");
			ok = false;
		}
	} else if (result.status != VFIO_NAMING_OK) {
		printf("FAIL %s: expected IDs, got error \"%s\"\n", what, error ? error : "?");
		ok = false;
	} else if (result.n_devices != expect->n_ids) {
		printf("FAIL %s: expected %zu IDs, got %zu\n", what, expect->n_ids,
		       result.n_devices);
		ok = false;
	} else {
		for (size_t i = 0; i < expect->n_ids; i++) {
			if (strcmp(result.devices[i].id, expect->ids[i]) != 0) {
				printf("FAIL %s: ID %zu is %s (%s), expected %s\n", what, i,
				       result.devices[i].id, result.devices[i].bdf, expect->ids[i]);
				ok = false;
			}
		}
	}
	if (ok) {
		printf("ok   %s:", what);
		if (expect->error)
			printf(" %s", expect->error);
		for (size_t i = 0; !expect->error && i < result.n_devices; i++)
			printf(" %s", result.devices[i].id);
		printf("\n");
	}
	free(error);
	vfio_naming_result_free(&result);
	return ok;
}

/*
 * Where a change goes and what it writes, as a program (or fakesys ctl) makes it: a write's
 * value as the step has it (it may be a page long), anything else composed in data.
 */
static const char *change_of(const struct scenario_step *step, const char *root, char *path,
			     char *data)
{
	const char *device = step->target;

	switch (step->kind) {
	case STEP_WRITE:
		snprintf(path, PATH_MAX, "%s%s", root, step->target);
		return step->value;
	case STEP_BIND:
		snprintf(path, PATH_MAX, "%s/sys/bus/pci/drivers/%s/bind", root, step->driver);
		break;
	case STEP_UNBIND:
		snprintf(path, PATH_MAX, "%s/sys/bus/pci/devices/%s/driver/unbind", root, device);
		break;
	case STEP_OVERRIDE:
		snprintf(path, PATH_MAX, "%s/sys/bus/pci/devices/%s/driver_override", root, device);
		/* A newline alone clears it: an empty write would be no write at all. */
		snprintf(data, PATH_MAX, "%s\n", step->driver);
		return data;
	case STEP_PROBE:
		snprintf(path, PATH_MAX, "%s/sys/bus/pci/drivers_probe", root);
		break;
	case STEP_NUMVFS:
		snprintf(path, PATH_MAX, "%s/sys/bus/pci/devices/%s/sriov_numvfs", root, device);
		snprintf(data, PATH_MAX, "%u", step->count);
		return data;
	case STEP_REMOVE:
		snprintf(path, PATH_MAX, "%s/sys/bus/pci/devices/%s/remove", root, device);
		return "1";
	case STEP_RESCAN:
		if (strcmp(device, "all") == 0)
			snprintf(path, PATH_MAX, "%s/sys/bus/pci/rescan", root);
		else
			snprintf(path, PATH_MAX, "%s/sys/bus/pci/devices/%s/rescan", root, device);
		return "1";
	default: /* plug, unplug */
		snprintf(path, PATH_MAX, "%s/%s", root, HOST_CONTROL_FILE);
		snprintf(data, PATH_MAX, "%s %s", scenario_step_name(step->kind), device);
		return data;
	}
	snprintf(data, PATH_MAX, "%s", device);
	return data;
}

/* One open and one write(): 0 or the errno of whichever failed. */
static int write_once(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, data, strlen(data)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* The whole file, NUL-terminated, into buf: 0 or an errno. */
static int read_whole(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	while (len + 1 < size && (n = read(fd, buf + len, size - len - 1)) > 0)
		len += (size_t)n;
	int err = n < 0 ? errno : 0;
	close(fd);
	buf[len] = '\0';
	return err;
}

static const char *errno_text(int error)
{
	const char *name = errno_name(error);

	return error == 0 ? "success" : name ? name : strerror(error);
}

/* A change: it fails with the errno the step names, or succeeds if it names none. */
static bool run_change(const struct scenario_step *step, const char *root, const char *what)
{
	char path[PATH_MAX], data[PATH_MAX];

	int err = write_once(path, change_of(step, root, path, data));
	if (err != step->error) {
		printf("FAIL %s: %s, wanted %s\n", what, errno_text(err), errno_text(step->error));
		return false;
	}
	printf("ok   %s%s%s\n", what, err ? ": " : "", err ? errno_text(err) : "");
	return true;
}

static bool run_check(const struct scenario *sc, const struct scenario_step *step, const char *root,
		      const char *what)
{
	char path[PATH_MAX], content[64 * 1024];
	struct stat st;
	int err;

	snprintf(path, sizeof(path), "%s%s", root, step->target);
	switch (step->kind) {
	case STEP_EXISTS:
		err = lstat(path, &st) == 0 ? 0 : errno;
		if (err) {
			printf("FAIL %s: %s\n", what, errno_text(err));
			return false;
		}
		break;
	case STEP_ABSENT:
		/* Not there, as the kernel says it: any other failure is not an answer. */
		err = lstat(path, &st) == 0 ? 0 : errno;
		if (err != ENOENT && err != ENOTDIR) {
			printf("FAIL %s: %s\n", what, err ? errno_text(err) : "it is there");
			return false;
		}
		break;
	case STEP_READ: {
		err = read_whole(path, content, sizeof(content));
		size_t len = strlen(content);
		if (!err && len && content[len - 1] == '\n')
			content[len - 1] = '\0';
		if (err != step->error || (!err && strcmp(content, step->value) != 0)) {
			printf("FAIL %s: %s%s%s, wanted %s%s%s\n", what,
			       err ? errno_text(err) : "'", err ? "" : content, err ? "" : "'",
			       step->error ? errno_text(step->error) : "'",
			       step->error ? "" : step->value, step->error ? "" : "'");
			return false;
		}
		break;
	}
	default: /* name */
		return step->sandbox ? check_naming(root, step->sandbox, step->n_sandbox,
						    &step->outcome, what)
				     : check_naming(root, sc->sandbox, sc->n_sandbox,
						    &step->outcome, what);
	}
	printf("ok   %s\n", what);
	return true;
}

/* " 'text'", newlines and other control characters written as C writes them. */
static void quote(const char *text, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = text; *p && n + 6 < size; p++) {
		if (n == 0)
			out[n++] = ' ', out[n++] = '\'';
		if (*p == '\n')
			n += (size_t)snprintf(out + n, size - n, "\\n");
		else if ((unsigned char)*p < 0x20)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", (unsigned char)*p);
		else
			out[n++] = *p;
	}
	if (n == 0 && size > 3)
		out[n++] = ' ', out[n++] = '\'';
	if (n + 1 < size)
		out[n++] = '\'';
	out[n < size ? n : size - 1] = '\0';
}

/* "step 3 (line 42): bind 0000:3b:00.0 vfio-pci" */
static void describe(const struct scenario_step *step, size_t index, char *out, size_t size)
{
	int n = snprintf(out, size, "step %zu (line %u): %s %s", index + 1, step->pos.line,
			 scenario_step_name(step->kind), step->target);

	if (n < 0 || (size_t)n >= size)
		return;
	if (step->driver)
		snprintf(out + n, size - (size_t)n, " %s",
			 *step->driver ? step->driver : "(clear)");
	else if (step->kind == STEP_NUMVFS)
		snprintf(out + n, size - (size_t)n, " %u", step->count);
	else if (step->kind == STEP_WRITE)
		quote(step->value, out + n, size - (size_t)n);
}

bool run_steps(const struct scenario *sc, const char *root)
{
	for (size_t i = 0; i < sc->n_steps; i++) {
		const struct scenario_step *step = &sc->steps[i];
		char what[PATH_MAX + 128];
		bool ok;

		describe(step, i, what, sizeof(what));
		switch (step->kind) {
		case STEP_EXISTS:
		case STEP_ABSENT:
		case STEP_READ:
		case STEP_NAME:
			ok = run_check(sc, step, root, what);
			break;
		default:
			ok = run_change(step, root, what);
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}
