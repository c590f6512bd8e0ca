/* SPDX-License-Identifier: MIT */
/*
 * vfio-naming: command line front end of libvfionaming. Prints the device IDs the VFIO devices
 * (PCI functions and mediated devices) behind some host paths would get, as aligned columns or
 * as one JSON object, and exits 1 when the hypervisor would refuse them.
 */
#include "vfionaming.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PROGRAM_NAME	"vfio-naming"
#define PROGRAM_VERSION VFIO_NAMING_VERSION
#define USAGE_LINE                                                                                 \
	"Usage: " PROGRAM_NAME " [--root DIR] [--scheme index|group-index] [--prefix P] [--json] " \
	"HOSTPATH...\n"

enum exit_code {
	EXIT_NAMED = 0,
	EXIT_CHECK_FAILED = 1,
	EXIT_USAGE_OR_INPUT = 2,
};

struct cli_options {
	struct vfio_naming_options naming;
	bool json;
};

static void print_help(void)
{
	printf(USAGE_LINE
	       "\n"
	       "Prints the device ID each VFIO device behind HOSTPATH would get in one sandbox:\n"
	       "ID, IOMMU group, device, class and host path, one device per line. The device\n"
	       "is the PCI address, or <parent PCI address>/<UUID> for a mediated device\n"
	       "(class 0x000000: mdevs have no class).\n"
	       "HOSTPATH is /dev/vfio/<N>, /dev/vfio/noiommu-<N>, or a PCI address\n"
	       "(DDDD:BB:DD.F or BB:DD.F), which stand for a whole IOMMU group, or an iommufd\n"
	       "node /dev/vfio/devices/vfio<X>, which stands for its one device (found through\n"
	       "sys/class/vfio-dev/vfio<X>/device) and keeps the index it has in its group.\n"
	       "Within a group, PCI functions come first in address order, then mediated\n"
	       "devices in UUID order; bridges stay with the host and take no index.\n"
	       "As VFIO requires, every PCI function of the group, bridges included, must be\n"
	       "unbound or bound to vfio-pci, a variant with \"vfio\" in its name, pci-stub or\n"
	       "pcieport; otherwise the group is not viable and nothing is named, even for\n"
	       "an iommufd node.\n"
	       "\n"
	       "Options:\n"
	       "  -r, --root DIR      read DIR/sys, not /sys (a fakesys mount, a rendered tree)\n"
	       "  -s, --scheme NAME   group-index: <prefix>_<group>_<index> (default)\n"
	       "                      index:       <prefix>_<index> (legacy; groups collide)\n"
	       "  -p, --prefix P      ID prefix (default " VFIO_NAMING_DEFAULT_PREFIX ")\n"
	       "  -j, --json          print one JSON object instead of columns; \"mdev\" is a\n"
	       "                      mediated device's UUID (\"bdf\" its parent), else null\n"
	       "  -h, --help          show this help\n"
	       "  -V, --version       show the version\n"
	       "\n"
	       "Examples:\n"
	       "  " PROGRAM_NAME " /dev/vfio/215 /dev/vfio/216\n"
	       "  " PROGRAM_NAME " --root /tmp/fakesys --scheme index /dev/vfio/215 0000:3b:00.1\n"
	       "  " PROGRAM_NAME " --json --prefix physical_nic 3b:00.0\n"
	       "  " PROGRAM_NAME " /dev/vfio/devices/vfio3 /dev/vfio/devices/vfio7\n"
	       "\n"
	       "Exit status: 0 the IDs are fine, 1 the hypervisor would refuse them (duplicate,\n"
	       "ill-formed or longer than %d bytes), 2 usage or input error (a group that\n"
	       "is not viable, too).\n",
	       VFIO_NAMING_ID_MAX);
}

static int usage_error(void)
{
	fprintf(stderr, USAGE_LINE "Try '" PROGRAM_NAME " --help' for more information.\n");
	return EXIT_USAGE_OR_INPUT;
}

/* Returns -1 for a usage error, 1 when --help/--version was handled, 0 to go on naming. */
static int parse_arguments(int argc, char **argv, struct cli_options *options)
{
	static const struct option long_options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "scheme", required_argument, NULL, 's' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	*options = (struct cli_options){
		.naming = { .root = "/",
			    .scheme = VFIO_NAMING_GROUP_INDEX,
			    .prefix = VFIO_NAMING_DEFAULT_PREFIX },
	};
	int option;
	while ((option = getopt_long(argc, argv, "r:s:p:jhV", long_options, NULL)) != -1) {
		switch (option) {
		case 'r':
			options->naming.root = optarg;
			break;
		case 's':
			if (vfio_naming_scheme_parse(optarg, &options->naming.scheme) != 0) {
				fprintf(stderr,
					PROGRAM_NAME ": unknown scheme '%s' (index or "
						     "group-index)\n",
					optarg);
				return -1;
			}
			break;
		case 'p':
			options->naming.prefix = optarg;
			break;
		case 'j':
			options->json = true;
			break;
		case 'h':
			print_help();
			return 1;
		case 'V':
			printf(PROGRAM_NAME " " PROGRAM_VERSION "\n");
			return 1;
		default:
			/* getopt_long has already said what was wrong. */
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROGRAM_NAME ": no host path given\n");
		return -1;
	}
	return 0;
}

/* "<BDF>" for a PCI function, "<parent BDF>/<UUID>" for a mediated device. */
#define DEVICE_NAME_SIZE                                                                           \
	(sizeof(((struct vfio_named_device *)0)->bdf) + 1 + VFIO_NAMING_UUID_LENGTH)

static void format_device_name(const struct vfio_named_device *device, char out[DEVICE_NAME_SIZE])
{
	if (device->uuid[0])
		snprintf(out, DEVICE_NAME_SIZE, "%s/%s", device->bdf, device->uuid);
	else
		snprintf(out, DEVICE_NAME_SIZE, "%s", device->bdf);
}

static void print_columns(const struct vfio_naming_result *result)
{
	/* A short BDF is 12 columns: the device column is never narrower. */
	int id_width = 0, group_width = 0, device_width = 12;
	for (size_t i = 0; i < result->n_devices; i++) {
		const struct vfio_named_device *device = &result->devices[i];
		char name[DEVICE_NAME_SIZE];
		format_device_name(device, name);
		int id_length = (int)strlen(device->id);
		int group_length = snprintf(NULL, 0, "%d", device->group);
		int device_length = (int)strlen(name);
		if (id_length > id_width)
			id_width = id_length;
		if (group_length > group_width)
			group_width = group_length;
		if (device_length > device_width)
			device_width = device_length;
	}
	for (size_t i = 0; i < result->n_devices; i++) {
		const struct vfio_named_device *device = &result->devices[i];
		char name[DEVICE_NAME_SIZE];
		format_device_name(device, name);
		printf("%-*s  %-*d  %-*s  0x%06x  %s\n", id_width, device->id, group_width,
		       device->group, device_width, name, (unsigned)device->class_code,
		       device->host_path);
	}
}

/* Length of the valid UTF-8 sequence at text, or 0 if the bytes there are not one. */
static size_t utf8_sequence_length(const unsigned char *text)
{
	unsigned char lead = text[0];
	size_t length;
	unsigned char second_min = 0x80, second_max = 0xbf;
	if (lead >= 0xc2 && lead <= 0xdf) {
		length = 2;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		length = 3;
		if (lead == 0xe0)
			second_min = 0xa0; /* overlong */
		if (lead == 0xed)
			second_max = 0x9f; /* surrogates */
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		length = 4;
		if (lead == 0xf0)
			second_min = 0x90; /* overlong */
		if (lead == 0xf4)
			second_max = 0x8f; /* beyond U+10FFFF */
	} else {
		return 0;
	}
	if (text[1] < second_min || text[1] > second_max)
		return 0;
	for (size_t i = 2; i < length; i++)
		if (text[i] < 0x80 || text[i] > 0xbf)
			return 0;
	return length;
}

/* A JSON string: quotes and backslashes escaped, control characters as \u00XX, bytes that
 * are not UTF-8 as U+FFFD (a prefix or a message can carry any bytes). */
static void print_json_string(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	putchar('"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			printf("\\%c", *p);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p);
			p++;
		} else if (*p < 0x80) {
			putchar(*p);
			p++;
		} else {
			size_t length = utf8_sequence_length(p);
			if (length == 0) {
				fputs("\\ufffd", stdout);
				p++;
			} else {
				fwrite(p, 1, length, stdout);
				p += length;
			}
		}
	}
	putchar('"');
}

static void print_json(const struct cli_options *options, const struct vfio_naming_result *result)
{
	fputs("{\"scheme\":", stdout);
	print_json_string(vfio_naming_scheme_name(options->naming.scheme));
	fputs(",\"prefix\":", stdout);
	print_json_string(options->naming.prefix);
	printf(",\"ok\":%s", result->status == VFIO_NAMING_OK ? "true" : "false");
	if (result->status != VFIO_NAMING_OK) {
		fputs(",\"error\":", stdout);
		print_json_string(result->error ? result->error : "out of memory");
	}
	fputs(",\"devices\":[", stdout);
	for (size_t i = 0; i < result->n_devices; i++) {
		const struct vfio_named_device *device = &result->devices[i];
		fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
		print_json_string(device->id);
		printf(",\"group\":%d,\"index\":%u,\"bdf\":", device->group, device->index);
		print_json_string(device->bdf);
		fputs(",\"mdev\":", stdout);
		if (device->uuid[0])
			print_json_string(device->uuid);
		else
			fputs("null", stdout);
		printf(",\"class\":\"0x%06x\",\"host_path\":", (unsigned)device->class_code);
		print_json_string(device->host_path);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

/* After "Duplicate device ID": which two devices collide, and why. */
static void explain_duplicate(const struct cli_options *options,
			      const struct vfio_naming_result *result)
{
	size_t earlier, later;
	if (vfio_naming_find_duplicate(result->devices, result->n_devices, &earlier, &later) != 1)
		return;
	const struct vfio_named_device *first = &result->devices[earlier];
	const struct vfio_named_device *second = &result->devices[later];
	char first_name[DEVICE_NAME_SIZE], second_name[DEVICE_NAME_SIZE];
	format_device_name(first, first_name);
	format_device_name(second, second_name);

	/* Two mdevs of one parent share a BDF but are different devices. */
	if (strcmp(first_name, second_name) == 0) {
		fprintf(stderr,
			PROGRAM_NAME ": %s (IOMMU group %d) is handed over twice, by '%s' and "
				     "'%s'\n",
			first_name, first->group, first->host_path, second->host_path);
		return;
	}
	fprintf(stderr,
		PROGRAM_NAME ": %s (IOMMU group %d, %s) and %s (IOMMU group %d, %s) both get "
			     "'%s'%s\n",
		first_name, first->group, first->host_path, second_name, second->group,
		second->host_path, first->id,
		options->naming.scheme == VFIO_NAMING_INDEX && first->group != second->group
			? "; --scheme group-index puts the group number in the ID"
			: "");
}

int main(int argc, char **argv)
{
	struct cli_options options;
	int parsed = parse_arguments(argc, argv, &options);
	if (parsed < 0)
		return usage_error();
	if (parsed > 0)
		return fflush(stdout) == 0 ? EXIT_NAMED : EXIT_USAGE_OR_INPUT;

	struct vfio_naming_result result;
	vfio_naming_assign(&options.naming, (const char *const *)(argv + optind),
			   (size_t)(argc - optind), &result);

	if (options.json)
		print_json(&options, &result);
	else
		print_columns(&result);
	/* Device lines first, then the diagnosis, so a terminal shows them in that order. */
	fflush(stdout);

	int exit_code = EXIT_NAMED;
	if (result.status != VFIO_NAMING_OK) {
		fprintf(stderr, PROGRAM_NAME ": %s\n",
			result.error ? result.error : "out of memory");
		if (result.status == VFIO_NAMING_CHECK_FAILED) {
			if (result.error && strncmp(result.error, "Duplicate device ID", 19) == 0)
				explain_duplicate(&options, &result);
			exit_code = EXIT_CHECK_FAILED;
		} else {
			exit_code = EXIT_USAGE_OR_INPUT;
		}
	}
	vfio_naming_result_free(&result);

	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROGRAM_NAME ": cannot write the output: %s\n", strerror(errno));
		return EXIT_USAGE_OR_INPUT;
	}
	return exit_code;
}
