/* SPDX-License-Identifier: MIT */
/* Commands to a mounted host: hotplug, reload and faults (see host_control.h). */
#define _GNU_SOURCE
#include "host_control.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pci_core.h"
#include "verbatim.h"

#define COMMANDS "plug BDF, unplug BDF, reload [SCENARIO], fault RULE, faults [clear]"

/* The reply is one line; returns err, so that a command ends with return reply_with(...). */
__attribute__((format(printf, 3, 4))) static int reply_with(char **reply, int err, const char *fmt,
							    ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	free(*reply);
	*reply = NULL;
	if (text && asprintf(reply, "%s\n", text) < 0)
		*reply = NULL;
	free(text);
	return err;
}

static void free_generation(struct scenario *sc, struct host_tree *ht)
{
	if (ht)
		host_tree_free(ht);
	if (sc)
		scenario_free(sc);
	free(ht);
	free(sc);
}

/* A scenario and the host built from it. 0, -EINVAL with the message in error, -ENOMEM. */
static int load_generation(const char *path, struct scenario **sc_out, struct host_tree **ht_out,
			   char *error)
{
	struct scenario *sc = calloc(1, sizeof(*sc));
	struct host_tree *ht = calloc(1, sizeof(*ht));
	int err;

	if (!sc || !ht) {
		free(sc);
		free(ht);
		snprintf(error, SCENARIO_ERROR_MAX, "%s: out of memory", path);
		return -ENOMEM;
	}
	if (scenario_load(path, sc, error) != 0) {
		free(sc);
		free(ht);
		return -EINVAL;
	}
	/* scenario_tree_build frees nothing of sc when it fails. */
	if ((err = scenario_tree_build(sc, ht, error)) != 0) {
		scenario_free(sc);
		free(sc);
		free(ht);
		return err;
	}
	*sc_out = sc;
	*ht_out = ht;
	return 0;
}

/* The rules of a mount: those given when mounting, then the scenario's. */
static int add_rules(struct fault_rules *rules, char *const *texts, size_t n)
{
	char reason[256];

	for (size_t i = 0; i < n; i++)
		if (fault_rules_add_text(rules, texts[i], reason, sizeof(reason)) != 0)
			return -ENOMEM; /* every text was checked before */
	return 0;
}

static int set_rules(struct host_control *ctl)
{
	fault_rules_clear(ctl->faults);
	int err = add_rules(ctl->faults, ctl->mount_faults, ctl->n_mount_faults);
	return err ? err : add_rules(ctl->faults, ctl->sc->faults, ctl->sc->n_faults);
}

int host_control_load(struct host_control *ctl, const char *path, char *const *mount_faults,
		      size_t n, char *error)
{
	int err;

	memset(ctl, 0, sizeof(*ctl));
	if ((err = load_generation(path, &ctl->sc, &ctl->ht, error)) != 0)
		return err;
	/* A daemon works from "/": a relative path would no longer lead to the scenario. */
	ctl->path = realpath(path, NULL);
	if (!ctl->path && !(ctl->path = strdup(path)))
		goto out_of_memory;
	if (!(ctl->faults = fault_rules_new()) ||
	    !(ctl->mount_faults = calloc(n ? n : 1, sizeof(*ctl->mount_faults))))
		goto out_of_memory;
	for (; ctl->n_mount_faults < n; ctl->n_mount_faults++)
		if (!(ctl->mount_faults[ctl->n_mount_faults] =
			      strdup(mount_faults[ctl->n_mount_faults])))
			goto out_of_memory;
	if (set_rules(ctl) == 0)
		return 0;
out_of_memory:
	host_control_free(ctl);
	snprintf(error, SCENARIO_ERROR_MAX, "%s: out of memory", path);
	return -ENOMEM;
}

void host_control_free(struct host_control *ctl)
{
	free_generation(ctl->sc, ctl->ht);
	fault_rules_free(ctl->faults);
	for (size_t i = 0; i < ctl->n_mount_faults; i++)
		free(ctl->mount_faults[i]);
	free(ctl->mount_faults);
	free(ctl->path);
	memset(ctl, 0, sizeof(*ctl));
}

/*
 * What the kernel cached of a path some rule covers (its entry, its attributes, a directory's
 * listing) would answer without asking, and so without the rule: drop it.
 */
static int forget_covered(struct sysfs_tree *tree, struct fault_rules *rules, sysfs_ino_t dir,
			  char *path, size_t len)
{
	uint64_t cookie = 0;
	const char *name;
	struct sysfs_stat st;
	int status, err = 0;

	while (!err && (status = sysfs_readdir(tree, dir, &cookie, &name, &st)) == 0) {
		int n = snprintf(path + len, PATH_MAX - len, "%s%s", len ? "/" : "", name);

		if (n < 0 || len + (size_t)n >= PATH_MAX)
			continue;
		if (fault_rules_cover(rules, path) &&
		    ((err = sysfs_tree_log_change(tree, dir, name)) != 0 ||
		     (err = sysfs_tree_log_change(tree, st.ino, NULL)) != 0))
			break;
		if (S_ISDIR(st.mode))
			err = forget_covered(tree, rules, st.ino, path, len + (size_t)n);
	}
	path[len] = '\0';
	return err ? err : status < 0 ? status : 0;
}

static int forget_all_covered(struct host_control *ctl, struct fault_rules *rules)
{
	char path[PATH_MAX] = "";

	return forget_covered(ctl->ht->tree, rules, SYSFS_ROOT_INO, path, 0);
}

/* The card a plug or unplug names: a function of the scenario, not a VF. */
static int find_card(struct host_control *ctl, const char *arg, size_t *out, char **reply)
{
	struct pci_addr addr;
	int32_t fn;

	if (!*arg)
		return reply_with(reply, -EINVAL, "a PCI address is missing (DDDD:BB:DD.F)");
	if (!pci_addr_parse(arg, &addr))
		return reply_with(reply, -EINVAL, "'%s' is not a PCI address (DDDD:BB:DD.F)", arg);
	if ((fn = topology_find_function(&ctl->sc->topo, &addr)) == TOPO_NONE)
		return reply_with(reply, -ENODEV, "%s: no such device in the scenario", arg);
	if (ctl->sc->topo.functions[fn].physfn != TOPO_NONE)
		return reply_with(reply, -EINVAL, "%s is a VF, which sits in no slot of its own",
				  arg);
	*out = (size_t)fn;
	return 0;
}

static int cmd_plug(struct host_control *ctl, const char *arg, bool plug, char **reply)
{
	size_t fn = 0;
	int err = find_card(ctl, arg, &fn, reply);

	if (err)
		return err;
	err = plug ? pci_core_plug(ctl->ht, fn) : pci_core_unplug(ctl->ht, fn);
	if (err == -EEXIST)
		return reply_with(reply, err, "%s is plugged in already", arg);
	if (err == -ENODEV)
		return reply_with(reply, err, "%s is not plugged in", arg);
	if (err)
		return reply_with(reply, err, "%s: %s", arg, strerror(-err));
	return 0;
}

static int cmd_reload(struct host_control *ctl, const char *arg, char **reply)
{
	char error[SCENARIO_ERROR_MAX], reason[256];
	const char *path = *arg ? arg : ctl->path;
	struct scenario *sc;
	struct host_tree *ht;
	int err = load_generation(path, &sc, &ht, error);

	if (err)
		return reply_with(reply, err, "%s", error);
	/* Valid rules may still act on nothing this mount sees: refused before anything changes. */
	for (size_t i = 0; i < sc->n_faults; i++) {
		if (!fault_rules_would_take(ctl->faults, sc->faults[i], reason, sizeof(reason))) {
			err = errno == ENOMEM ? -ENOMEM : -EINVAL;
			free_generation(sc, ht);
			return reply_with(reply, err, "%s: %s", path, reason);
		}
	}
	/* Cached answers of what the old rules covered are the old rules' answers. */
	if ((err = forget_all_covered(ctl, ctl->faults)) != 0 ||
	    (err = sysfs_tree_replace(ctl->ht->tree, ht->tree)) != 0) {
		free_generation(sc, ht);
		return reply_with(reply, err, "out of memory");
	}
	/* Modes, owners and times set since boot are gone with a reboot. */
	if ((err = sysfs_tree_forget_setattrs(ctl->ht->tree)) != 0)
		return reply_with(reply, err, "out of memory");
	ht->tree = ctl->ht->tree;
	ctl->ht->tree = NULL;
	free_generation(ctl->sc, ctl->ht);
	ctl->sc = sc;
	ctl->ht = ht;
	if ((err = set_rules(ctl)) != 0 || (err = forget_all_covered(ctl, ctl->faults)) != 0)
		return reply_with(reply, err, "out of memory");
	return 0;
}

static int cmd_fault(struct host_control *ctl, const char *arg, char **reply)
{
	struct fault_rules *added = fault_rules_new();
	char reason[256];
	int err;

	if (!added)
		return reply_with(reply, -ENOMEM, "out of memory");
	if (fault_rules_add_text(added, arg, reason, sizeof(reason)) != 0)
		err = reply_with(reply, -EINVAL, "%s", reason);
	else if (fault_rules_add_text(ctl->faults, arg, reason, sizeof(reason)) != 0)
		/* Valid in itself, but not on this mount (a call it never sees). */
		err = errno == ENOMEM ? reply_with(reply, -ENOMEM, "out of memory")
				      : reply_with(reply, -EINVAL, "%s", reason);
	else if (forget_all_covered(ctl, added) != 0)
		err = reply_with(reply, -ENOMEM, "out of memory");
	else
		err = 0;
	fault_rules_free(added);
	return err;
}

static int cmd_faults(struct host_control *ctl, const char *arg, char **reply)
{
	if (strcmp(arg, "clear") == 0) {
		int err = forget_all_covered(ctl, ctl->faults);

		fault_rules_clear(ctl->faults);
		return err ? reply_with(reply, err, "out of memory") : 0;
	}
	if (*arg)
		return reply_with(reply, -EINVAL, "faults takes nothing or 'clear', not '%s'", arg);
	free(*reply);
	*reply = fault_rules_describe(ctl->faults);
	return *reply ? 0 : -ENOMEM;
}

int host_control_run(void *context, const char *command, size_t len, char **reply)
{
	struct host_control *ctl = context;
	char *line = strndup(command, len), *arg;
	size_t end;
	int err;

	*reply = NULL;
	if (!line)
		return -ENOMEM;
	/* One command: a trailing newline, as echo writes it, and blanks around words go. */
	bool whole = strlen(line) == len;
	for (end = strlen(line); end && strchr(" \t\n", line[end - 1]); end--)
		line[end - 1] = '\0';
	if (!whole || strchr(line, '\n')) {
		free(line);
		return reply_with(reply, -EINVAL, "one command per write, on one line");
	}
	char *word = line + strspn(line, " \t");
	arg = word + strcspn(word, " \t");
	if (*arg)
		*arg++ = '\0';
	arg += strspn(arg, " \t");

	if (strcmp(word, "plug") == 0 || strcmp(word, "unplug") == 0)
		err = cmd_plug(ctl, arg, word[0] == 'p', reply);
	else if (strcmp(word, "reload") == 0)
		err = cmd_reload(ctl, arg, reply);
	else if (strcmp(word, "fault") == 0)
		err = cmd_fault(ctl, arg, reply);
	else if (strcmp(word, "faults") == 0)
		err = cmd_faults(ctl, arg, reply);
	else if (!*word)
		err = reply_with(reply, -EINVAL, "no command (%s)", COMMANDS);
	else
		err = reply_with(reply, -EINVAL, "unknown command '%s' (%s)", word, COMMANDS);
	free(line);
	return err;
}
