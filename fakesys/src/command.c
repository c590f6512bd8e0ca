/* SPDX-License-Identifier: MIT */
/* What the fakesys subcommands share: their help, their usage errors, loading, output files. */
#define _GNU_SOURCE
#include "command.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verbatim.h"

static const char common_options[] = "  -h, --help          show this help\n"
				     "  -V, --version       show the version\n";

static const char common_exit_status[] = "0 success, 1 failure, 2 usage or input error";

/* text with indent before each line, and a newline after the last. */
static void print_indented(FILE *out, const char *indent, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, "\n");

		fprintf(out, "%s%.*s\n", len ? indent : "", (int)len, text);
		text += len + (text[len] == '\n');
	}
}

static void print_usage_line(const struct command *cmd, FILE *out)
{
	fprintf(out, "usage: fakesys %s ", cmd->name);
	/* Continuation lines of a long synopsis line up under its first word. */
	for (const char *s = cmd->synopsis; *s; s++) {
		fputc(*s, out);
		if (*s == '\n')
			fprintf(out, "%*s", (int)(strlen("usage: fakesys  ") + strlen(cmd->name)),
				"");
	}
	fputc('\n', out);
}

void command_help(const struct command *cmd, FILE *out)
{
	print_usage_line(cmd, out);
	fputc('\n', out);
	print_indented(out, "", cmd->description);
	fprintf(out, "\noptions:\n%s%s", cmd->options ? cmd->options : "", common_options);
	fprintf(out, "\nexamples:\n");
	print_indented(out, "  ", cmd->examples);
	fprintf(out, "\nexit status:\n");
	print_indented(out, "  ", cmd->exit_status ? cmd->exit_status : common_exit_status);
}

int command_usage_error(const struct command *cmd, const char *format, ...)
{
	va_list args;

	fprintf(stderr, "fakesys %s: ", cmd->name);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
	print_usage_line(cmd, stderr);
	fprintf(stderr, "Try 'fakesys %s --help' for more information.\n", cmd->name);
	return EXIT_USAGE;
}

int command_common_option(const struct command *cmd, int option)
{
	switch (option) {
	case 'h':
		command_help(cmd, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	case 'V':
		printf("fakesys %s\n", FAKESYS_VERSION);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	default:
		print_usage_line(cmd, stderr);
		fprintf(stderr, "Try 'fakesys %s --help' for more information.\n", cmd->name);
		return EXIT_USAGE;
	}
}

int command_parse_common_only(const struct command *cmd, int argc, char **argv)
{
	static const struct option options[] = { COMMAND_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	int option;

	optind = 1;
	while ((option = getopt_long(argc, argv, "+" COMMAND_COMMON_SHORT, options, NULL)) != -1)
		return command_common_option(cmd, option);
	return -1;
}

int command_parse_flag(const struct command *cmd, int argc, char **argv, const char *name,
		       char short_name, bool *set)
{
	const struct option options[] = {
		{ name, no_argument, NULL, short_name },
		COMMAND_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char short_options[] = { short_name, 'h', 'V', '\0' };
	int option;

	*set = false;
	optind = 1;
	while ((option = getopt_long(argc, argv, short_options, options, NULL)) != -1) {
		if (option != short_name)
			return command_common_option(cmd, option);
		*set = true;
	}
	return -1;
}

int command_load(const char *path, struct scenario *sc)
{
	char error[SCENARIO_ERROR_MAX];

	if (scenario_load(path, sc, error) != 0) {
		fprintf(stderr, "%s\n", error);
		return EXIT_USAGE;
	}
	return 0;
}

int command_load_tree(const char *path, struct scenario *sc, struct host_tree *ht)
{
	char error[SCENARIO_ERROR_MAX];
	int status = command_load(path, sc);

	if (status)
		return status;
	int err = scenario_tree_build(sc, ht, error);
	if (err) {
		fprintf(stderr, "%s\n", error);
		scenario_free(sc);
	}
	return command_load_status(err);
}

int command_load_host(const char *path, char *const *faults, size_t n_faults,
		      struct host_control *host)
{
	char error[SCENARIO_ERROR_MAX];
	int err = host_control_load(host, path, faults, n_faults, error);

	if (err)
		fprintf(stderr, "%s\n", error);
	return command_load_status(err);
}

void command_unload_tree(struct scenario *sc, struct host_tree *ht)
{
	host_tree_free(ht);
	scenario_free(sc);
}

int command_output_open(struct command_output *file, const char *path)
{
	file->out = stdout;
	file->path = path;
	if (!path)
		return 0;
	if ((size_t)snprintf(file->tmp, sizeof(file->tmp), "%s.XXXXXX", path) >=
	    sizeof(file->tmp)) {
		fprintf(stderr, "fakesys: %s: %s\n", path, strerror(ENAMETOOLONG));
		return -1;
	}
	int fd = mkstemp(file->tmp);
	if (fd < 0 || !(file->out = fdopen(fd, "w"))) {
		fprintf(stderr, "fakesys: %s: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(file->tmp);
		}
		return -1;
	}
	return 0;
}

int command_output_close(struct command_output *file, bool keep)
{
	if (!file->path)
		return fflush(stdout) == 0 ? 0 : -1;
	int rc = fchmod(fileno(file->out), 0644);
	if (fclose(file->out) != 0)
		rc = -1;
	if (rc == 0 && keep && rename(file->tmp, file->path) != 0)
		rc = -1;
	if (rc != 0 || !keep)
		unlink(file->tmp);
	return rc;
}
