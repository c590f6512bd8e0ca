/* SPDX-License-Identifier: MIT */
/* The commands that write scenarios: record (of a host) and gen (of a synthetic one). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "gen.h"
#include "progress.h"
#include "record.h"

#define PROGRESS_OPTION 256 /* --progress: long only, beyond any short option */

/* --progress asks for it anywhere, even with --quiet; --quiet alone turns it off. */
static enum progress_mode progress_mode(bool quiet, bool force)
{
	return force ? PROGRESS_FORCED : quiet ? PROGRESS_OFF : PROGRESS_AUTO;
}

/* A scenario name from a file name: "host-a.yaml" -> "host-a"; "recorded" when that fails. */
static void name_from_output(const char *output, char *name, size_t size)
{
	const char *base = output ? strrchr(output, '/') : NULL;
	size_t len = 0;

	base = base ? base + 1 : output ? output : "";
	for (; base[len] && base[len] != '.' && len + 1 < size && len < SCENARIO_NAME_MAX; len++) {
		char c = base[len];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			break;
		name[len] = c;
	}
	name[len] = '\0';
	if (len == 0 || base[len] != '.' || name[0] == '-' || name[0] == '_')
		snprintf(name, size, "recorded");
}

static int cmd_record(const struct command *self, int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "children", no_argument, NULL, 'c' },
		{ "keep-identifiers", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, PROGRESS_OPTION },
		COMMAND_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct record_options opt = { .root = "/", .report = stderr };
	const char *output = NULL;
	bool quiet = false, force_progress = false;
	char name[72], error[PATH_MAX + 256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:o:n:q" COMMAND_COMMON_SHORT, options, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.root = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			opt.name = optarg;
			break;
		case 'c':
			opt.children = true;
			break;
		case 'k':
			opt.keep_identifiers = true;
			break;
		case 'q':
			quiet = true;
			break;
		case PROGRESS_OPTION:
			force_progress = true;
			break;
		default:
			return command_common_option(self, c);
		}
	}
	if (optind != argc)
		return command_usage_error(self, "takes no operands (the source is --root DIR)");
	if (!opt.name) {
		name_from_output(output, name, sizeof(name));
		opt.name = name;
	}

	struct command_output file;
	if (command_output_open(&file, output) != 0)
		return EXIT_FAILED;
	struct progress progress;
	progress_start(&progress, "fakesys record", progress_mode(quiet, force_progress), !output);
	opt.report = progress_messages(&progress);
	opt.progress = progress_update;
	opt.progress_arg = &progress;
	struct record_summary summary;
	int rc = record_host(&opt, file.out, &summary, error, sizeof(error));
	progress_end(&progress);
	if (command_output_close(&file, rc == 0) != 0 && rc == 0) {
		snprintf(error, sizeof(error), "%s: %s", output ? output : "standard output",
			 strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "fakesys: record: %s\n", error);
		return EXIT_FAILED;
	}
	if (!quiet)
		fprintf(stderr,
			"fakesys: recorded %zu functions and %zu IOMMU groups from %s; %zu "
			"verbatim "
			"entries, %zu unreadable, %zu left out\n",
			summary.functions, summary.groups, opt.root, summary.verbatim,
			summary.unreadable, summary.left_out);
	return 0;
}

const struct command record_command = {
	.name = "record",
	.synopsis = "[--root DIR] [-o FILE] [--name NAME] [--children] [--keep-identifiers]\n"
		    "[--quiet] [--progress]",
	.summary = "write this host's PCI and IOMMU layout as a scenario",
	.description =
		"Writes a scenario of the live host's PCI and IOMMU topology (or of a tree copied\n"
		"off another machine, DIR/sys/...): model keys for every function, bridge, group\n"
		"and driver, raw config bytes, and verbatim entries for whatever the model does\n"
		"not reproduce, so that a replay shows every recorded file, link and listing as\n"
		"the source did. Nothing outside the root is read, nor I/O BARs and ROMs. What\n"
		"could not be read (as non-root) or was left out is listed on stderr, never\n"
		"fatal. On a terminal, progress is shown on stderr while it works.",
	.options = "  -r, --root DIR      read DIR/sys instead of /sys\n"
		   "  -o, --output FILE   write FILE (in place at the end; stdout by default)\n"
		   "  -n, --name NAME     the scenario's name (default: FILE's base name)\n"
		   "      --children      keep devices of other subsystems below PCI functions\n"
		   "                      (network interfaces, disks)\n"
		   "      --keep-identifiers\n"
		   "                      keep serial numbers (VPD, PCIe Device Serial Number)\n"
		   "  -q, --quiet         no progress and no closing summary\n"
		   "      --progress      show progress even when stderr is not a terminal\n",
	.examples = "sudo fakesys record -o host-a.yaml\n"
		    "fakesys mount host-a.yaml /tmp/a\n"
		    "fakesys record --root /mnt/copy-of-host-b -o host-b.yaml",
	.run = cmd_record,
};

/* A decimal option of gen: 0..max, or a usage error naming the option. */
static int gen_number(const char *option, const char *text, unsigned long long max,
		      unsigned long long *value)
{
	char *end;

	errno = 0;
	*value = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || *value > max) {
		fprintf(stderr, "fakesys: gen: --%s '%s': a number 0 to %llu\n", option, text, max);
		return -1;
	}
	return 0;
}

static int cmd_gen(const struct command *self, int argc, char **argv)
{
	enum {
		PFS = 'p',
		VFS = 'v',
		GPUS = 'g',
		FUNCTIONS = 'f',
		SWITCHES = 'w',
		PORTS = 't',
		SEED = 's'
	};
	static const struct option options[] = {
		{ "pfs", required_argument, NULL, PFS },
		{ "vfs", required_argument, NULL, VFS },
		{ "gpus", required_argument, NULL, GPUS },
		{ "functions", required_argument, NULL, FUNCTIONS },
		{ "switches", required_argument, NULL, SWITCHES },
		{ "ports", required_argument, NULL, PORTS },
		{ "seed", required_argument, NULL, SEED },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, PROGRESS_OPTION },
		COMMAND_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	/* The options each shape takes; a size given to the wrong shape is a mistake. */
	static const char *const shape_options[] = {
		[GEN_SRIOV] = "pv", [GEN_GPU] = "g", [GEN_DOMAIN] = "f", [GEN_SWITCH] = "wt"
	};
	struct gen_options opt;
	enum gen_shape shape;
	const char *output = NULL;
	char error[256];
	bool quiet = false, force_progress = false;
	int c;

	if (argc >= 2 && argv[1][0] == '-') {
		int status = command_parse_common_only(self, argc, argv);

		if (status >= 0)
			return status;
	}
	if (argc < 2 || gen_shape_parse(argv[1], &shape) != 0)
		return command_usage_error(self, "needs a shape: sriov, gpu, domain or switch");
	gen_defaults(&opt, shape);
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:q" COMMAND_COMMON_SHORT, options, NULL)) != -1) {
		unsigned long long value = 0;

		if (c == '?' || c == 'h' || c == 'V')
			return command_common_option(self, c);
		if (c == 'q' || c == PROGRESS_OPTION) {
			quiet = quiet || c == 'q';
			force_progress = force_progress || c == PROGRESS_OPTION;
			continue;
		}
		const char *name = NULL;
		for (const struct option *o = options; o->name; o++)
			if (o->val == c)
				name = o->name;
		if (c != 'o' && c != SEED && !strchr(shape_options[shape], c)) {
			fprintf(stderr, "fakesys: gen %s takes no --%s\n", argv[1], name);
			return EXIT_USAGE;
		}
		if (c != 'o' &&
		    gen_number(name, optarg, c == SEED ? UINT64_MAX : UINT32_MAX, &value) != 0)
			return EXIT_USAGE;
		switch (c) {
		case PFS:
			opt.pfs = (unsigned)value;
			break;
		case VFS:
			opt.vfs = (unsigned)value;
			break;
		case GPUS:
			opt.gpus = (unsigned)value;
			break;
		case FUNCTIONS:
			opt.functions = (unsigned)value;
			break;
		case SWITCHES:
			opt.switches = (unsigned)value;
			break;
		case PORTS:
			opt.ports = (unsigned)value;
			break;
		case SEED:
			opt.seed = value;
			break;
		case 'o':
			output = optarg;
			break;
		}
	}
	if (optind != argc)
		return command_usage_error(self, "takes no operands after the shape");

	struct command_output file;
	if (command_output_open(&file, output) != 0)
		return EXIT_FAILED;
	struct progress progress;
	progress_start(&progress, "fakesys gen", progress_mode(quiet, force_progress), !output);
	opt.progress = progress_update;
	opt.progress_arg = &progress;
	int err = gen_write(&opt, file.out, error, sizeof(error));
	progress_end(&progress);
	if (command_output_close(&file, err == 0) != 0 && err == 0) {
		snprintf(error, sizeof(error), "%s: %s", output ? output : "standard output",
			 strerror(errno));
		err = -EIO;
	}
	if (err) {
		fprintf(stderr, "fakesys: gen %s: %s\n", argv[1], error);
		return err == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	return 0;
}

const struct command gen_command = {
	.name = "gen",
	.synopsis =
		"sriov [--pfs N] [--vfs N] | gpu [--gpus N] | domain [--functions N] |\n"
		"switch [--switches N] [--ports N]  [--seed N] [-o FILE] [--quiet] [--progress]",
	.summary = "write a synthetic host of a chosen shape and size as a scenario",
	.description =
		"Writes a synthetic scenario for stress, scale and benchmarks. The same options\n"
		"and seed always give the same bytes; the seed picks real models and the sandbox,\n"
		"never the layout. Each comes with a sandbox of two groups and the outcome each\n"
		"naming scheme must give, so it runs as a test like any scenario. Shapes:\n"
		"  sriov   an NFV host: PFs behind root ports, each with VFs on vfio-pci, every "
		"VF\n"
		"          alone in its group\n"
		"  gpu     a GPU server: GPUs two to a PCIe switch with a NIC and an NVMe drive,\n"
		"          and NVSwitch bridges\n"
		"  domain  a PCI domain filled slot by slot, eight functions to a device, a group\n"
		"          per device\n"
		"  switch  PCIe switches without ACS, an endpoint below each downstream port:\n"
		"          one group per switch, its bridges included\n"
		"On a terminal, progress is shown on stderr while it works.",
	.options = "      --pfs N         sriov: physical functions, 1 to 31 (default 4)\n"
		   "      --vfs N         sriov: VFs on each PF, 1 to 65535 (default 256)\n"
		   "      --gpus N        gpu: 1 to 32 (default 8)\n"
		   "      --functions N   domain: 1 to 65536 (default 65536)\n"
		   "      --switches N    switch: 1 to 31 (default 4)\n"
		   "      --ports N       switch: downstream ports of each, 1 to 32 (default 4)\n"
		   "      --seed N        picks models, drivers and the sandbox (default 1)\n"
		   "  -o, --output FILE   write FILE (in place at the end; stdout by default)\n"
		   "  -q, --quiet         no progress\n"
		   "      --progress      show progress even when stderr is not a terminal\n",
	.examples =
		"fakesys gen sriov --pfs 4 --vfs 256 -o nfv.yaml\n"
		"fakesys gen domain --functions 4096 -o domain.yaml && fakesys check domain.yaml\n"
		"fakesys gen gpu --seed 7 -o gpu.yaml && fakesys graph gpu.yaml | dot -Tsvg > "
		"gpu.svg\n"
		"fakesys gen switch --switches 2 --ports 8 -o plx.yaml",
	.exit_status = "0 written, 1 writing failed, 2 usage error or sizes no host can have",
	.run = cmd_gen,
};
