/* SPDX-License-Identifier: MIT */
/* Verbatim entries laid over the model's tree, and the attribute that serves their bytes. */
#include "verbatim.h"

#include "errno_names.h"

#include "host_tree.h"
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct verbatim_entry *entry_of(const void *obj)
{
	return obj;
}

static ssize_t verbatim_show(const void *obj, const struct sysfs_opener *opener, char *buf,
			     size_t size)
{
	const struct verbatim_entry *entry = entry_of(obj);

	(void)opener;
	if (entry->error)
		return -entry->error;
	if (entry->len > size)
		return -EIO;
	memcpy(buf, entry->data, entry->len);
	return (ssize_t)entry->len;
}

static size_t verbatim_size(const void *obj)
{
	return entry_of(obj)->size;
}

static size_t verbatim_buffer_size(const void *obj)
{
	return entry_of(obj)->len;
}

/* Read the recorded bytes (or fail with the recorded errno at read). */
static const struct sysfs_attr verbatim_readable = {
	.name = "verbatim",
	.mode = 0444,
	.show = verbatim_show,
	.size = verbatim_size,
	.buffer_size = verbatim_buffer_size,
};

/* EACCES was recorded: kernfs refuses the open itself when an attribute has no show. */
static const struct sysfs_attr verbatim_unreadable = {
	.name = "verbatim",
	.mode = 0444,
	.size = verbatim_size,
};

/* The directory path leads to (all but its last name), or NULL; *name is the last name. */
static struct sysfs_node *parent_of(struct sysfs_tree *tree, const char *path, const char **name,
				    char *reason, size_t reason_size)
{
	struct sysfs_node *dir = sysfs_tree_root(tree);
	const char *start = path;
	char component[VERBATIM_NAME_MAX + 1];

	for (const char *slash; (slash = strchr(start, '/')); start = slash + 1) {
		size_t len = (size_t)(slash - start);

		/* The loader keeps names this short; other callers are held to it here. */
		if (len > VERBATIM_NAME_MAX) {
			snprintf(reason, reason_size, "a name in the path is longer than %u bytes",
				 VERBATIM_NAME_MAX);
			return NULL;
		}
		memcpy(component, start, len);
		component[len] = '\0';
		struct sysfs_node *next = sysfs_find_child(tree, dir, component);
		if (!next || !sysfs_is_dir(next)) {
			char shown[SCENARIO_SHOWN_MAX + 4];

			scenario_shown_text(path, (size_t)(slash - path), shown);
			snprintf(reason, reason_size, "'%s' %s", shown,
				 next ? "is not a directory" : "does not exist");
			return NULL;
		}
		dir = next;
	}
	*name = start;
	return dir;
}

/* 0, -EINVAL (reason says why) or -ENOMEM. */
static int apply_one(struct sysfs_tree *tree, const struct verbatim_entry *entry, char *reason,
		     size_t reason_size)
{
	const char *name;
	struct sysfs_node *dir = parent_of(tree, entry->path, &name, reason, reason_size);
	struct sysfs_node *node;

	if (!dir)
		return -EINVAL;
	struct sysfs_node *existing = sysfs_find_child(tree, dir, name);
	if (entry->kind == VERBATIM_DIR && existing && sysfs_is_dir(existing)) {
		sysfs_set_mode(existing, entry->mode);
		return 0;
	}
	int err = sysfs_remove(tree, dir, name);
	if (err == -ENOENT && entry->kind == VERBATIM_ABSENT) {
		snprintf(reason, reason_size, "there is nothing to take away");
		return -EINVAL;
	}
	if (err && err != -ENOENT)
		goto out_of_memory;

	switch ((enum verbatim_kind)entry->kind) {
	case VERBATIM_ABSENT:
		return 0;
	case VERBATIM_DIR:
		node = sysfs_add_dir(tree, dir, name, NULL, NULL);
		break;
	case VERBATIM_LINK:
		node = sysfs_add_link_text(tree, dir, name, (const char *)entry->data);
		break;
	case VERBATIM_CHAR:
		node = sysfs_add_chardev(tree, dir, name, entry->mode, entry->major, entry->minor);
		break;
	case VERBATIM_FILE:
	default:
		node = sysfs_add_file(
			tree, dir, name,
			entry->error == EACCES ? &verbatim_unreadable : &verbatim_readable, entry);
		break;
	}
	if (!node)
		goto out_of_memory;
	sysfs_set_mode(node, entry->kind == VERBATIM_LINK ? 0777 : entry->mode);
	return 0;

out_of_memory:
	snprintf(reason, reason_size, "out of memory");
	return -ENOMEM;
}

int verbatim_tree_apply(struct sysfs_tree *tree, const struct verbatim_entry *entries, size_t n,
			size_t *failed, char *reason, size_t reason_size)
{
	for (size_t i = 0; i < n; i++) {
		int err = apply_one(tree, &entries[i], reason, reason_size);

		if (err) {
			*failed = i;
			return err;
		}
	}
	if (n)
		sysfs_tree_finish(tree);
	return 0;
}

const char *verbatim_error_name(int error)
{
	return errno_seen_in_sysfs(error) ? errno_name(error) : NULL;
}

int verbatim_error_parse(const char *name)
{
	int error = errno_by_name(name);

	return errno_seen_in_sysfs(error) ? error : 0;
}

void verbatim_free(struct verbatim_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(entries[i].path);
		free(entries[i].data);
	}
	free(entries);
}

/*
 * The entries again over a tree rebuilt after a change: those whose place is gone with a
 * removed device are left out, as the rest of what was there.
 */
static int overlay_verbatim(void *ctx, struct sysfs_tree *tree)
{
	const struct scenario *sc = ctx;
	char reason[256];

	for (size_t i = 0; i < sc->n_verbatim; i++)
		if (apply_one(tree, &sc->verbatim[i], reason, sizeof(reason)) == -ENOMEM)
			return -ENOMEM;
	return 0;
}

int scenario_tree_build(struct scenario *sc, struct host_tree *out, char *error)
{
	char reason[256];
	size_t failed;
	int err;

	if (host_tree_build(&sc->topo, out) != 0) {
		snprintf(error, SCENARIO_ERROR_MAX, "%s: out of memory building the tree",
			 sc->path);
		return -ENOMEM;
	}
	err = verbatim_tree_apply(out->tree, sc->verbatim, sc->n_verbatim, &failed, reason,
				  sizeof(reason));
	if (err) {
		const struct verbatim_entry *entry = &sc->verbatim[failed];
		char shown[SCENARIO_SHOWN_MAX + 4];

		scenario_shown_text(entry->path, strlen(entry->path), shown);
		snprintf(error, SCENARIO_ERROR_MAX, "%s:%u:%u: verbatim '%s': %s", sc->path,
			 entry->pos.line, entry->pos.column, shown, reason);
		host_tree_free(out);
		return err; /* -ENOMEM is no fault of the file's */
	}
	if (sc->n_verbatim) {
		out->overlay = overlay_verbatim;
		out->overlay_ctx = sc;
	}
	return 0;
}
