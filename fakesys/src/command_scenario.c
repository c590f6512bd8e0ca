/* SPDX-License-Identifier: MIT */
/* The commands that read a scenario without serving it: check, render and graph. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "graph.h"
#include "json_text.h"
#include "render.h"
#include "verbatim.h"

/* What a checked scenario holds, counted as its mount shows it. */
struct check_counts {
	size_t functions; /* on the bus now */
	size_t groups;	  /* with a member on the bus */
	size_t more_vfs;  /* VFs that sriov_numvfs could still enable, which are not on the bus */
};

static void count_scenario(const struct topology *topo, struct check_counts *counts)
{
	bool *shown = calloc(topo->n_groups + 1, sizeof(*shown));

	*counts = (struct check_counts){ 0 };
	for (size_t f = 0; f < topo->n_functions; f++) {
		if (topology_function_on_bus(topo, f))
			counts->functions++;
		else if (topo->functions[f].physfn != TOPO_NONE && !topo->functions[f].present)
			counts->more_vfs++;
	}
	if (shown && topology_groups_shown(topo, shown) == 0)
		for (size_t g = 0; g < topo->n_groups; g++)
			counts->groups += shown[g];
	else
		counts->groups = topo->n_groups; /* out of memory: an upper bound will do */
	free(shown);
}

/* One scenario checked: 0, or the exit status with the error (as the loader wrote it). */
static int check_one(const char *path, struct check_counts *counts,
		     char name[SCENARIO_NAME_MAX + 1], char error[SCENARIO_ERROR_MAX])
{
	struct scenario sc;
	struct host_tree ht = { 0 };

	if (scenario_load(path, &sc, error) != 0)
		return EXIT_USAGE;
	/* Verbatim entries only show whether they fit once the tree is built. */
	int err = sc.n_verbatim ? scenario_tree_build(&sc, &ht, error) : 0;
	if (!err) {
		count_scenario(&sc.topo, counts);
		snprintf(name, SCENARIO_NAME_MAX + 1, "%s", sc.name ? sc.name : "");
		host_tree_free(&ht);
	}
	scenario_free(&sc);
	return command_load_status(err);
}

static void print_check_line(const char *path, const struct check_counts *counts)
{
	printf("%s: ok (%zu functions, %zu IOMMU groups", path, counts->functions, counts->groups);
	if (counts->more_vfs)
		printf("; %zu more VFs can be enabled", counts->more_vfs);
	printf(")\n");
}

static void print_check_json(const char *path, int status, const struct check_counts *counts,
			     const char *name, const char *error)
{
	fputs("{\"file\":", stdout);
	json_put_string(stdout, path);
	if (status == 0) {
		fputs(",\"ok\":true,\"name\":", stdout);
		json_put_string(stdout, name[0] ? name : NULL);
		printf(",\"functions\":%zu,\"iommu_groups\":%zu,\"vfs_to_enable\":%zu}",
		       counts->functions, counts->groups, counts->more_vfs);
		return;
	}
	unsigned line, column;
	const char *message = scenario_error_message(error, path, &line, &column);

	fputs(",\"ok\":false,\"error\":{\"line\":", stdout);
	if (line)
		printf("%u,\"column\":%u", line, column);
	else
		fputs("null,\"column\":null", stdout);
	fputs(",\"message\":", stdout);
	json_put_string(stdout, message ? message : error);
	fputs("}}", stdout);
}

static int cmd_check(const struct command *self, int argc, char **argv)
{
	bool json;
	int status = command_parse_flag(self, argc, argv, "json", 'j', &json);

	if (status >= 0)
		return status;
	status = 0;
	if (optind == argc)
		return command_usage_error(self, "needs at least one scenario");
	if (json)
		fputs("{\"scenarios\":[", stdout);
	for (int i = optind; i < argc; i++) {
		struct check_counts counts;
		char name[SCENARIO_NAME_MAX + 1], error[SCENARIO_ERROR_MAX];
		int failed = check_one(argv[i], &counts, name, error);

		if (failed)
			status = failed;
		if (json) {
			if (i > optind)
				fputc(',', stdout);
			print_check_json(argv[i], failed, &counts, name, error);
		} else if (failed) {
			fprintf(stderr, "%s\n", error);
		} else {
			print_check_line(argv[i], &counts);
		}
	}
	if (json)
		printf("],\"ok\":%s}\n", status ? "false" : "true");
	if (fflush(stdout) != 0) {
		fprintf(stderr, "fakesys check: standard output: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return status;
}

const struct command check_command = {
	.name = "check",
	.synopsis = "[--json] SCENARIO...",
	.summary = "validate scenario files as mount would, without mounting",
	.description =
		"Loads each SCENARIO and checks everything mount checks, without mounting it, and\n"
		"prints what it holds: the functions on the bus and their IOMMU groups. A file "
		"that\n"
		"is refused is named with the place and the reason, as FILE:LINE:COL: message.",
	.options =
		"  -j, --json          one JSON object on stdout: "
		"{\"ok\":BOOL,\"scenarios\":[...]},\n"
		"                      per file \"file\", \"ok\", then \"name\", \"functions\",\n"
		"                      \"iommu_groups\", \"vfs_to_enable\" or \"error\": "
		"{\"line\",\n"
		"                      \"column\" (null without a position), \"message\"}\n",
	.examples = "fakesys check scenarios/*.yaml\n"
		    "fakesys check --json my-host.yaml | jq '.scenarios[].error'",
	.exit_status = "0 every scenario is fine, 1 out of memory, 2 a scenario was refused",
	.run = cmd_check,
};

static int cmd_render(const struct command *self, int argc, char **argv)
{
	int status = command_parse_common_only(self, argc, argv);

	if (status >= 0)
		return status;
	if (argc - optind != 2)
		return command_usage_error(self, "needs SCENARIO and DIR");

	const char *dir = argv[optind + 1];
	struct scenario sc;
	struct host_tree ht;
	struct render_stats stats;
	char error[PATH_MAX + 256];

	if ((status = command_load_tree(argv[optind], &sc, &ht)) != 0)
		return status;
	if (render_tree(ht.tree, dir, &stats, error, sizeof(error)) != 0) {
		fprintf(stderr, "fakesys: %s\n", error);
		status = EXIT_FAILED;
	} else {
		printf("%s: %zu directories, %zu files, %zu links, %zu character devices\n", dir,
		       stats.dirs, stats.files, stats.links, stats.chardevs);
		if (stats.chardev_placeholders)
			printf("%s: %zu character devices written as empty files (mknod needs "
			       "CAP_MKNOD)\n",
			       dir, stats.chardev_placeholders);
	}
	command_unload_tree(&sc, &ht);
	return status;
}

const struct command render_command = {
	.name = "render",
	.synopsis = "SCENARIO DIR",
	.summary = "write the scenario's tree into a plain directory (no FUSE needed)",
	.description =
		"Writes the tree a mount of SCENARIO would show into DIR as plain directories,\n"
		"files, symbolic links and character devices (empty files where mknod is not\n"
		"allowed), for machines without FUSE and for tools that compare trees. DIR must\n"
		"not exist or be empty. Writes to the copy change files only: nothing behind them\n"
		"acts as sysfs would.",
	.examples = "fakesys render scenarios/kata-10576.yaml /tmp/plain\n"
		    "vfio-naming --root /tmp/plain /dev/vfio/215 /dev/vfio/216",
	.run = cmd_render,
};

static int cmd_graph(const struct command *self, int argc, char **argv)
{
	int status = command_parse_common_only(self, argc, argv);

	if (status >= 0)
		return status;
	if (argc - optind != 1)
		return command_usage_error(self, "needs SCENARIO");

	struct scenario sc;
	if ((status = command_load(argv[optind], &sc)) != 0)
		return status;
	if (graph_write(&sc, stdout) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "fakesys: writing the graph: %s\n", strerror(errno));
		status = EXIT_FAILED;
	}
	scenario_free(&sc);
	return status;
}

const struct command graph_command = {
	.name = "graph",
	.synopsis = "SCENARIO",
	.summary = "draw the topology and IOMMU groups as Graphviz DOT",
	.description =
		"Prints SCENARIO's host as a Graphviz DOT graph on stdout: root buses, bridges,\n"
		"functions and mediated devices as the bus nests them, VFs under their PF, each\n"
		"IOMMU group as a box around its members, functions on vfio-pci filled blue and\n"
		"what the sandbox is handed outlined in red.",
	.examples = "fakesys graph scenarios/kata-10576.yaml | dot -Tsvg > kata-10576.svg",
	.run = cmd_graph,
};
