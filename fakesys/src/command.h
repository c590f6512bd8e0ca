/* SPDX-License-Identifier: MIT */
/*
 * The fakesys subcommands. Each is one table entry carrying its own help, the way a kernel
 * attribute carries its show and store: main.c only looks a name up and runs the entry, and
 * `fakesys NAME --help` and `fakesys --help` come from it (and the man page is tested against it).
 */
#ifndef FAKESYS_COMMAND_H
#define FAKESYS_COMMAND_H

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "host_control.h"
#include "host_tree.h"
#include "scenario.h"

#define EXIT_FAILED 1 /* the check or the command failed */
#define EXIT_USAGE  2 /* usage or input error */

struct command {
	const char *name;
	const char *synopsis;	 /* what follows "fakesys NAME" on the usage line */
	const char *summary;	 /* one line, for the list in fakesys --help */
	const char *description; /* a paragraph, for NAME --help */
	/* "  -x, --long ARG      what it does" lines; --help and --version are added. */
	const char *options;
	const char *examples;	 /* command lines, one per line, without indentation */
	const char *exit_status; /* NULL: 0 success, 1 failure, 2 usage or input error */
	int (*run)(const struct command *self, int argc, char **argv);
};

extern const struct command check_command, render_command, graph_command, mount_command,
	list_command, umount_command, ctl_command, run_command, gen_command, record_command;

/* In the order fakesys --help lists them; NULL-terminated. */
extern const struct command *const commands[];

void command_help(const struct command *cmd, FILE *out);

/* "fakesys NAME: message", the usage line and where help is; returns EXIT_USAGE. */
int command_usage_error(const struct command *cmd, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* The options every command takes, for the end of each command's getopt_long table. */
/* clang-format off */
#define COMMAND_COMMON_OPTIONS { "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' }
/* clang-format on */
#define COMMAND_COMMON_SHORT "hV"

/*
 * For an option getopt_long returned that the command does not handle itself: --help and
 * --version are answered, anything else is a usage error (getopt has said what was wrong).
 * Returns the exit status.
 */
int command_common_option(const struct command *cmd, int option);

/*
 * For commands whose only options are the common ones: parses them, stopping at the first
 * operand (so `run SCENARIO CMD --help` is CMD's). Returns -1 to go on with the operands at
 * optind, or the exit status to return.
 */
int command_parse_common_only(const struct command *cmd, int argc, char **argv);

/*
 * For commands whose one option of their own is a flag (check --json, umount -l): parses the
 * options, in any order among the operands, setting *set when the flag is given. Returns -1
 * to go on with the operands, which getopt has moved to start at optind, or the exit status.
 */
int command_parse_flag(const struct command *cmd, int argc, char **argv, const char *name,
		       char short_name, bool *set);

/* The exit status for a -errno of loading a scenario: memory is ours, the rest the input's. */
static inline int command_load_status(int err)
{
	return err == 0 ? 0 : err == -ENOMEM ? EXIT_FAILED : EXIT_USAGE;
}

/*
 * The scenario at path, loaded (load), built into a tree (load_tree), or made a host that takes
 * control commands and the fault rules given (load_host). Each prints the error and returns
 * the exit status, or 0 with the result to free with scenario_free, command_unload_tree or
 * host_control_free.
 */
int command_load(const char *path, struct scenario *sc);
int command_load_tree(const char *path, struct scenario *sc, struct host_tree *ht);
void command_unload_tree(struct scenario *sc, struct host_tree *ht);
int command_load_host(const char *path, char *const *faults, size_t n_faults,
		      struct host_control *host);

/*
 * Where a command writes a file it makes: stdout, or (-o PATH) a temporary file beside PATH
 * renamed over it at the end, so that a failure leaves no half file.
 */
struct command_output {
	FILE *out;
	const char *path; /* NULL: stdout */
	char tmp[4096];
};

int command_output_open(struct command_output *file, const char *path);
/* Puts the file in place if keep, else drops it. -1 with errno when that failed. */
int command_output_close(struct command_output *file, bool keep);

#endif
