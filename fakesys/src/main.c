/* SPDX-License-Identifier: MIT */
/* The fakesys command: finds the subcommand (command.h) and runs it. */
#include <stdio.h>
#include <string.h>

#include "command.h"

const struct command *const commands[] = {
	&check_command, &mount_command,	 &list_command,	 &umount_command, &run_command,
	&ctl_command,	&render_command, &graph_command, &record_command, &gen_command,
	NULL,
};

static void usage(FILE *out)
{
	fprintf(out, "usage: fakesys COMMAND [OPTION...] [ARG...]\n"
		     "       fakesys help [COMMAND] | --help | --version\n"
		     "\ncommands:\n");
	for (const struct command *const *c = commands; *c; c++)
		fprintf(out, "  %-8s %s\n", (*c)->name, (*c)->summary);
	fprintf(out,
		"\n'fakesys COMMAND --help' shows a command's options and examples.\n"
		"\nexamples:\n"
		"  fakesys check scenarios/*.yaml\n"
		"  fakesys mount scenarios/kata-10576.yaml /tmp/host && ls "
		"/tmp/host/sys/kernel/iommu_groups\n"
		"  fakesys umount /tmp/host\n"
		"  fakesys run scenarios/kata-10576.yaml -- lspci -nn\n"
		"  fakesys render scenarios/kata-10576.yaml /tmp/plain   # no FUSE needed\n"
		"  fakesys record -o host.yaml   # this host, as a scenario to replay anywhere\n"
		"  fakesys gen sriov --pfs 4 --vfs 256 -o nfv.yaml   # a synthetic host\n"
		"\nexit status: 0 success, 1 failure, 2 usage or input error\n");
}

static const struct command *find_command(const char *name)
{
	for (const struct command *const *c = commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *command;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 &&
	     (argc == 2 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))) {
		usage(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("fakesys %s\n", FAKESYS_VERSION);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc != 3 || !(command = find_command(argv[2]))) {
			fprintf(stderr, "fakesys help: %s\n",
				argc != 3 ? "takes one command" : "no such command");
			usage(stderr);
			return EXIT_USAGE;
		}
		command_help(command, stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
	}
	if ((command = find_command(argv[1])))
		return command->run(command, argc - 1, argv + 1);
	fprintf(stderr, "fakesys: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
