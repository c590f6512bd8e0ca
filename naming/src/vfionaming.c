/* SPDX-License-Identifier: MIT */
/*
 * libvfionaming: resolves each host path to its IOMMU group (and, for an iommufd device node, to
 * one device of it), lists the group's members (PCI functions and mediated devices) from
 * <root>/sys, gives the handed-over ones device IDs by the chosen scheme and applies the checks
 * the hypervisor will apply to those IDs (well-formed, at most 31 bytes, unique).
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include "vfionaming.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUT_OF_MEMORY "out of memory"
/* Class attributes are "0x%06x\n"; anything near this size is not a class. */
#define CLASS_READ_MAX 64
/* Longest domain accepted: the canonical "%04x:%02x:%02x.%x" must fit struct bdf[16]. */
#define PCI_DOMAIN_MAX	      0xfffffffu
#define PCI_CLASS_HOST_BRIDGE 0x0600
#define PCI_CLASS_PCI_BRIDGE  0x0604
#define GROUP_CACHE_MIN_BITS  4

struct pci_address {
	uint32_t domain;
	unsigned bus, dev, fn;
};

/* What a group entry names: a PCI function, or a mediated device on a parent function. */
struct member_key {
	bool is_mdev;
	struct pci_address address;		/* the function, or the mediated device's parent */
	char uuid[VFIO_NAMING_UUID_LENGTH + 1]; /* "" for a PCI function */
};

/* One entry of <root>/sys/kernel/iommu_groups/<N>/devices. */
struct group_member {
	struct member_key key;
	char *entry_name; /* as listed, for building paths */
	/* Valid once classify_members has reached this member. */
	uint32_t class_code;
	bool handed_over; /* false for a bridge */
	unsigned index;
};

/* A group's members, listed and sorted once, then shared by every host path into the group. */
struct listed_group {
	int group;
	struct group_member *members;
	size_t count, capacity;
	size_t classified; /* members[0, classified) have class_code, handed_over and index */
	unsigned next_index;
	bool viable; /* every member's driver lets VFIO use the group (checked once) */
};

/* Open addressing on the group number: each host path finds its group in O(1), so naming n
 * devices never lists a group more than once. */
struct group_cache {
	struct listed_group **slots;
	size_t capacity;	/* 0 or 2^capacity_bits */
	unsigned capacity_bits; /* at least GROUP_CACHE_MIN_BITS once allocated */
	size_t count;
};

/* What one host path stands for. */
struct host_path_target {
	int group;
	bool one_device; /* an iommufd node: only this device, not its whole group */
	struct member_key device;
};

struct naming_context {
	char *root; /* root without trailing slashes; "" for "/" so paths read "/sys/..." */
	enum vfio_naming_scheme scheme;
	const char *prefix;
	struct vfio_naming_result *result;
	size_t devices_capacity;
	struct group_cache groups;
};

static char *format_string_va(const char *format, va_list args)
{
	va_list measure;
	va_copy(measure, args);
	int length = vsnprintf(NULL, 0, format, measure);
	va_end(measure);
	if (length < 0)
		return NULL;

	char *text = malloc((size_t)length + 1);
	if (text)
		vsnprintf(text, (size_t)length + 1, format, args);
	return text;
}

static char *format_string(const char *format, ...) __attribute__((format(printf, 1, 2)));

static char *format_string(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *text = format_string_va(format, args);
	va_end(args);
	return text;
}

/*
 * Messages are one line: control bytes in user-given text (host paths, prefixes, file contents)
 * are shown as \xHH so they can neither break the line nor hide in it.
 */
static char *escape_for_message(const char *text, size_t max_length)
{
	size_t length = strnlen(text, max_length);
	char *escaped = malloc(length * 4 + 1);
	if (!escaped)
		return NULL;

	char *out = escaped;
	for (size_t i = 0; i < length; i++) {
		unsigned char byte = (unsigned char)text[i];
		if (byte < 0x20 || byte == 0x7f)
			out += sprintf(out, "\\x%02x", byte);
		else
			*out++ = (char)byte;
	}
	*out = '\0';
	return escaped;
}

static int fail(struct naming_context *ctx, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Records the first error only: later failures are consequences of it. Returns -1. */
static int fail(struct naming_context *ctx, const char *format, ...)
{
	if (ctx->result->error)
		return -1;

	va_list args;
	va_start(args, format);
	char *text = format_string_va(format, args);
	va_end(args);
	/* strdup may fail too: the header documents a NULL error as out of memory. */
	ctx->result->error = text ? text : strdup(OUT_OF_MEMORY);
	return -1;
}

static int fail_out_of_memory(struct naming_context *ctx)
{
	return fail(ctx, "%s", OUT_OF_MEMORY);
}

static bool is_decimal_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A group number or vfio-dev index as the kernel prints it ("%d" of a non-negative IDA id): no
 * sign, no leading zero, no trailing text. */
static bool parse_kernel_number(const char *text, int *out)
{
	if (!is_decimal_digit(text[0]) || (text[0] == '0' && text[1] != '\0'))
		return false;

	long value = 0;
	for (const char *p = text; *p; p++) {
		if (!is_decimal_digit(*p))
			return false;
		value = value * 10 + (*p - '0');
		if (value > INT_MAX)
			return false;
	}
	*out = (int)value;
	return true;
}

/* Reads a run of hex digits; returns its length (0 if none, more than max_digits if too
 * long, in which case *value is meaningless). */
static size_t read_hex_run(const char **cursor, size_t max_digits, uint32_t *value)
{
	size_t digits = 0;
	uint32_t accumulated = 0;
	const char *p = *cursor;
	while (hex_digit_value(*p) >= 0) {
		if (digits < max_digits)
			accumulated = accumulated * 16 + (uint32_t)hex_digit_value(*p);
		digits++;
		p++;
	}
	*cursor = p;
	*value = accumulated;
	return digits;
}

/*
 * "DDDD:BB:DD.F" (domain four or more hex digits), or "BB:DD.F" for domain 0 when allow_short.
 * Bus two hex digits, device two (at most 0x1f), function one (at most 7); hex in any case.
 */
static bool parse_pci_address(const char *text, bool allow_short, struct pci_address *out)
{
	const char *p = text;
	uint32_t first, second, device, function;
	size_t first_digits = read_hex_run(&p, 8, &first);
	if (first_digits == 0 || *p++ != ':')
		return false;
	size_t second_digits = read_hex_run(&p, 8, &second);

	struct pci_address address = { 0 };
	if (*p == ':') {
		p++;
		if (first_digits < 4 || first_digits > 8 || first > PCI_DOMAIN_MAX ||
		    second_digits != 2)
			return false;
		address.domain = first;
		address.bus = second;
		if (read_hex_run(&p, 2, &device) != 2)
			return false;
	} else {
		if (!allow_short || first_digits != 2 || second_digits != 2)
			return false;
		address.bus = first;
		device = second;
	}
	if (*p++ != '.' || !is_decimal_digit(*p))
		return false;
	function = (uint32_t)(*p++ - '0');
	if (*p != '\0' || device > 0x1f || function > 7)
		return false;

	address.dev = device;
	address.fn = function;
	*out = address;
	return true;
}

static void format_pci_address(const struct pci_address *address, char out[16])
{
	snprintf(out, 16, "%04x:%02x:%02x.%x", (unsigned)address->domain, address->bus,
		 address->dev, address->fn);
}

static int compare_pci_addresses(const struct pci_address *a, const struct pci_address *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return 0;
}

/* The kernel names a mediated device "%pUl": 8-4-4-4-12 lower-case hex digits. */
static bool is_mdev_uuid(const char *text)
{
	for (size_t i = 0; i < VFIO_NAMING_UUID_LENGTH; i++) {
		char c = text[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!is_decimal_digit(c) && !(c >= 'a' && c <= 'f')) {
			return false;
		}
	}
	return text[VFIO_NAMING_UUID_LENGTH] == '\0';
}

/* PCI functions first, in address order, then mediated devices in UUID order. */
static int compare_member_keys(const struct member_key *a, const struct member_key *b)
{
	if (a->is_mdev != b->is_mdev)
		return a->is_mdev ? 1 : -1;
	if (a->is_mdev)
		return strcmp(a->uuid, b->uuid);
	return compare_pci_addresses(&a->address, &b->address);
}

static int compare_members(const void *a, const void *b)
{
	const struct group_member *left = a, *right = b;
	int order = compare_member_keys(&left->key, &right->key);
	/* Equal addresses spelt differently ("3b" and "3B"): keep the result deterministic. */
	return order ? order : strcmp(left->entry_name, right->entry_name);
}

/* The BDF of a function, the UUID of a mediated device: how messages name a member. */
static void describe_member_key(const struct member_key *key, char out[64])
{
	if (key->is_mdev)
		snprintf(out, 64, "%s", key->uuid);
	else
		format_pci_address(&key->address, out);
}

/* basename(readlink(link_path)) as a group number; subject names the device in messages. */
static int read_group_link(struct naming_context *ctx, const char *subject, const char *link_path,
			   int *group)
{
	char target[PATH_MAX];
	ssize_t length = readlink(link_path, target, sizeof(target));
	if (length < 0 || (size_t)length >= sizeof(target)) {
		int error = length < 0 ? errno : ENAMETOOLONG;
		return fail(ctx, "%s has no IOMMU group: %s: %s", subject, link_path,
			    strerror(error));
	}
	target[length] = '\0';

	const char *slash = strrchr(target, '/');
	const char *name = slash ? slash + 1 : target;
	if (!parse_kernel_number(name, group)) {
		char *shown = escape_for_message(target, sizeof(target));
		if (!shown)
			return fail_out_of_memory(ctx);
		fail(ctx, "%s has no IOMMU group: %s points to '%s', not to an IOMMU group",
		     subject, link_path, shown);
		free(shown);
		return -1;
	}
	return 0;
}

/* basename(readlink(<root>/sys/bus/pci/devices/<BDF>/iommu_group)), as the runtimes do.
 * subject names the device in messages; NULL means its BDF. */
static int group_of_pci_function(struct naming_context *ctx, const char *subject,
				 const struct pci_address *address, int *group)
{
	char bdf[16];
	format_pci_address(address, bdf);
	char *link_path = format_string("%s/sys/bus/pci/devices/%s/iommu_group", ctx->root, bdf);
	if (!link_path)
		return fail_out_of_memory(ctx);
	int status = read_group_link(ctx, subject ? subject : bdf, link_path, group);
	free(link_path);
	return status;
}

/*
 * An iommufd node stands for the device behind <root>/sys/class/vfio-dev/vfio<X>/device (the
 * kernel links it to the PCI function or mediated device directory). Without that entry there
 * is nothing to go on: the char-device fallback (/sys/dev/char/<major>:<minor>) needs the
 * node's major, which a path alone does not give.
 */
static int resolve_vfio_device(struct naming_context *ctx, const char *host_path, int number,
			       struct host_path_target *target)
{
	char *device_link = format_string("%s/sys/class/vfio-dev/vfio%d/device", ctx->root, number);
	if (!device_link)
		return fail_out_of_memory(ctx);

	char resolved[PATH_MAX];
	if (!realpath(device_link, resolved)) {
		fail(ctx, "%s has no device: %s: %s", host_path, device_link, strerror(errno));
		free(device_link);
		return -1;
	}
	const char *slash = strrchr(resolved, '/');
	const char *name = slash ? slash + 1 : resolved;

	struct member_key *device = &target->device;
	*device = (struct member_key){ 0 };
	char *subject = NULL, *group_link = NULL;
	int status = -1;
	if (parse_pci_address(name, false, &device->address)) {
		char bdf[16];
		format_pci_address(&device->address, bdf);
		subject = format_string("%s (%s)", host_path, bdf);
		if (subject)
			status = group_of_pci_function(ctx, subject, &device->address,
						       &target->group);
	} else if (is_mdev_uuid(name)) {
		device->is_mdev = true;
		memcpy(device->uuid, name, sizeof(device->uuid));
		subject = format_string("%s (%s)", host_path, name);
		group_link = format_string("%s/iommu_group", device_link);
		if (subject && group_link)
			status = read_group_link(ctx, subject, group_link, &target->group);
	} else {
		char *shown = escape_for_message(resolved, sizeof(resolved));
		if (shown)
			fail(ctx,
			     "%s has no device: %s resolves to '%s', not to a PCI function or a "
			     "mediated device",
			     host_path, device_link, shown);
		free(shown);
	}
	if (status != 0 && !ctx->result->error)
		fail_out_of_memory(ctx);
	free(group_link);
	free(subject);
	free(device_link);
	return status;
}

static int resolve_host_path(struct naming_context *ctx, const char *host_path,
			     struct host_path_target *target)
{
	static const char devices_dir[] = "/dev/vfio/devices/";
	static const char vfio_dir[] = "/dev/vfio/";
	static const char noiommu[] = "noiommu-";
	static const char device_node[] = "vfio";

	*target = (struct host_path_target){ 0 };
	if (strncmp(host_path, devices_dir, strlen(devices_dir)) == 0) {
		const char *name = host_path + strlen(devices_dir);
		int number;
		if (strncmp(name, device_node, strlen(device_node)) == 0 &&
		    parse_kernel_number(name + strlen(device_node), &number)) {
			target->one_device = true;
			return resolve_vfio_device(ctx, host_path, number, target);
		}
		char *shown = escape_for_message(host_path, PATH_MAX);
		if (!shown)
			return fail_out_of_memory(ctx);
		fail(ctx, "'%s' is not a VFIO device path (/dev/vfio/devices/vfio<X>)", shown);
		free(shown);
		return -1;
	}

	if (strncmp(host_path, vfio_dir, strlen(vfio_dir)) == 0) {
		const char *name = host_path + strlen(vfio_dir);
		if (strncmp(name, noiommu, strlen(noiommu)) == 0)
			name += strlen(noiommu);
		if (parse_kernel_number(name, &target->group))
			return 0;
	} else {
		struct pci_address address;
		if (parse_pci_address(host_path, true, &address))
			return group_of_pci_function(ctx, NULL, &address, &target->group);
	}

	char *shown = escape_for_message(host_path, PATH_MAX);
	if (!shown)
		return fail_out_of_memory(ctx);
	fail(ctx,
	     "'%s' is not a VFIO group path (/dev/vfio/<N>, /dev/vfio/noiommu-<N>) or a PCI "
	     "address",
	     shown);
	free(shown);
	return -1;
}

static void listed_group_free(struct listed_group *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->members[i].entry_name);
	free(list->members);
	free(list);
}

static int listed_group_add(struct listed_group *list, const struct member_key *key,
			    const char *entry_name)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 8;
		struct group_member *grown = realloc(list->members, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		list->members = grown;
		list->capacity = capacity;
	}
	char *name = strdup(entry_name);
	if (!name)
		return -1;
	list->members[list->count++] = (struct group_member){ .key = *key, .entry_name = name };
	return 0;
}

/*
 * A mediated device's group entry links to /sys/devices/.../<parent BDF>/<UUID>: the parent is
 * the second-to-last component of the resolved path (as Kata reads it). Parents that are not
 * PCI functions (s390 AP matrix devices) cannot be named by a PCI address.
 */
static int find_mdev_parent(struct naming_context *ctx, int group, const char *devices_path,
			    const char *uuid, struct pci_address *parent)
{
	char *entry_path = format_string("%s/%s", devices_path, uuid);
	if (!entry_path)
		return fail_out_of_memory(ctx);

	char resolved[PATH_MAX];
	if (!realpath(entry_path, resolved)) {
		fail(ctx, "cannot resolve mediated device %s of IOMMU group %d: %s: %s", uuid,
		     group, entry_path, strerror(errno));
		free(entry_path);
		return -1;
	}

	int status = 0;
	char *last_slash = strrchr(resolved, '/');
	bool found = false;
	if (last_slash) {
		*last_slash = '\0';
		const char *slash = strrchr(resolved, '/');
		found = parse_pci_address(slash ? slash + 1 : resolved, false, parent);
		*last_slash = '/';
	}
	if (!found) {
		char *shown = escape_for_message(resolved, sizeof(resolved));
		if (shown)
			status = fail(ctx,
				      "mediated device %s of IOMMU group %d has no PCI parent: %s "
				      "resolves to '%s'",
				      uuid, group, entry_path, shown);
		else
			status = fail_out_of_memory(ctx);
		free(shown);
	}
	free(entry_path);
	return status;
}

/* Fills *list with the group's members in the documented order (PCI functions by address, then
 * mediated devices by UUID): sysfs lists them in hash order, which must not leak into the IDs. */
static int list_group_members(struct naming_context *ctx, int group, struct listed_group *list)
{
	char *devices_path =
		format_string("%s/sys/kernel/iommu_groups/%d/devices", ctx->root, group);
	if (!devices_path)
		return fail_out_of_memory(ctx);

	DIR *dir = opendir(devices_path);
	if (!dir) {
		int list_error = errno;
		char *group_path = format_string("%s/sys/kernel/iommu_groups/%d", ctx->root, group);
		struct stat st;
		if (!group_path)
			fail_out_of_memory(ctx);
		else if (stat(group_path, &st) != 0)
			fail(ctx, "IOMMU group %d does not exist: %s: %s", group, group_path,
			     strerror(errno));
		else
			fail(ctx, "cannot list IOMMU group %d: %s: %s", group, devices_path,
			     strerror(list_error));
		free(group_path);
		free(devices_path);
		return -1;
	}

	int status = 0;
	for (;;) {
		errno = 0;
		struct dirent *entry = readdir(dir);
		if (!entry) {
			if (errno)
				status = fail(ctx, "cannot list IOMMU group %d: %s: %s", group,
					      devices_path, strerror(errno));
			break;
		}
		if (entry->d_name[0] == '.')
			continue;

		struct member_key key = { 0 };
		if (is_mdev_uuid(entry->d_name)) {
			key.is_mdev = true;
			memcpy(key.uuid, entry->d_name, sizeof(key.uuid));
			status = find_mdev_parent(ctx, group, devices_path, entry->d_name,
						  &key.address);
			if (status != 0)
				break;
		} else if (!parse_pci_address(entry->d_name, false, &key.address)) {
			char *shown = escape_for_message(entry->d_name, NAME_MAX);
			if (shown)
				status = fail(ctx,
					      "IOMMU group %d has a member that is not a PCI "
					      "function: %s/%s",
					      group, devices_path, shown);
			else
				status = fail_out_of_memory(ctx);
			free(shown);
			break;
		}
		if (listed_group_add(list, &key, entry->d_name) != 0) {
			status = fail_out_of_memory(ctx);
			break;
		}
	}
	closedir(dir);
	free(devices_path);
	if (status == 0 && list->count > 1)
		qsort(list->members, list->count, sizeof(*list->members), compare_members);
	return status;
}

/* Accepts what the kernel prints, "0x%06x\n": "0x", one to six hex digits, one optional
 * newline. */
static bool parse_class_code(const char *text, uint32_t *out)
{
	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return false;
	const char *p = text + 2;
	uint32_t value;
	size_t digits = read_hex_run(&p, 6, &value);
	if (digits == 0 || digits > 6)
		return false;
	if (*p == '\n')
		p++;
	if (*p != '\0')
		return false;
	*out = value;
	return true;
}

/* Reads the class through the group's own link, the path a runtime has at hand. */
static int read_member_class(struct naming_context *ctx, int group,
			     const struct group_member *member, uint32_t *class_code)
{
	char *path = format_string("%s/sys/kernel/iommu_groups/%d/devices/%s/class", ctx->root,
				   group, member->entry_name);
	if (!path)
		return fail_out_of_memory(ctx);
	char bdf[16];
	format_pci_address(&member->key.address, bdf);

	char content[CLASS_READ_MAX];
	size_t length = 0;
	int read_error = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		read_error = errno;
	} else {
		while (length < sizeof(content) - 1) {
			ssize_t got = read(fd, content + length, sizeof(content) - 1 - length);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0)
				read_error = errno;
			if (got <= 0)
				break;
			length += (size_t)got;
		}
		close(fd);
	}
	if (read_error) {
		fail(ctx, "cannot read the class of %s: %s: %s", bdf, path, strerror(read_error));
		free(path);
		return -1;
	}

	content[length] = '\0';
	if (strlen(content) != length || !parse_class_code(content, class_code)) {
		char *shown = escape_for_message(content, sizeof(content));
		if (shown)
			fail(ctx,
			     "cannot read the class of %s: %s: %s (content '%s', expected a "
			     "class code like 0x020000)",
			     bdf, path, strerror(EINVAL), shown);
		else
			fail_out_of_memory(ctx);
		free(shown);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static bool is_bridge(uint32_t class_code)
{
	uint32_t base_and_sub = class_code >> 8;
	return base_and_sub == PCI_CLASS_HOST_BRIDGE || base_and_sub == PCI_CLASS_PCI_BRIDGE;
}

static char *make_device_id(const struct naming_context *ctx, int group, unsigned index)
{
	if (ctx->scheme == VFIO_NAMING_INDEX)
		return format_string("%s_%u", ctx->prefix, index);
	return format_string("%s_%d_%u", ctx->prefix, group, index);
}

static int add_device(struct naming_context *ctx, const char *host_path, int group,
		      const struct group_member *member)
{
	struct vfio_naming_result *result = ctx->result;
	if (result->n_devices == ctx->devices_capacity) {
		size_t capacity = ctx->devices_capacity ? ctx->devices_capacity * 2 : 8;
		struct vfio_named_device *grown =
			realloc(result->devices, capacity * sizeof(*grown));
		if (!grown)
			return fail_out_of_memory(ctx);
		result->devices = grown;
		ctx->devices_capacity = capacity;
	}

	struct vfio_named_device device = {
		.id = make_device_id(ctx, group, member->index),
		.host_path = strdup(host_path),
		.group = group,
		.index = member->index,
		.class_code = member->class_code,
	};
	format_pci_address(&member->key.address, device.bdf);
	memcpy(device.uuid, member->key.uuid, sizeof(device.uuid));
	if (!device.id || !device.host_path) {
		free(device.id);
		free(device.host_path);
		return fail_out_of_memory(ctx);
	}
	result->devices[result->n_devices++] = device;
	return 0;
}

/* Fibonacci hashing: the top bits of the product depend on every bit of the group number, so
 * neither runs of groups nor numbers that differ only in high bits pile up in one place. */
static size_t group_cache_slot(const struct group_cache *cache, int group)
{
	size_t mask = cache->capacity - 1;
	uint64_t hash = (uint64_t)(uint32_t)group * UINT64_C(0x9e3779b97f4a7c15);
	size_t slot = (size_t)(hash >> (64 - cache->capacity_bits));
	while (cache->slots[slot] && cache->slots[slot]->group != group)
		slot = (slot + 1) & mask;
	return slot;
}

static struct listed_group *group_cache_find(const struct group_cache *cache, int group)
{
	if (cache->capacity == 0)
		return NULL;
	return cache->slots[group_cache_slot(cache, group)];
}

/* The group must not be in the cache yet. Returns -1 if out of memory. */
static int group_cache_insert(struct group_cache *cache, struct listed_group *list)
{
	if ((cache->count + 1) * 2 > cache->capacity) {
		unsigned bits = cache->capacity ? cache->capacity_bits + 1 : GROUP_CACHE_MIN_BITS;
		struct group_cache grown = { .capacity = (size_t)1 << bits,
					     .capacity_bits = bits,
					     .count = cache->count };
		grown.slots = calloc(grown.capacity, sizeof(*grown.slots));
		if (!grown.slots)
			return -1;
		for (size_t i = 0; i < cache->capacity; i++)
			if (cache->slots[i])
				grown.slots[group_cache_slot(&grown, cache->slots[i]->group)] =
					cache->slots[i];
		free(cache->slots);
		*cache = grown;
	}
	cache->slots[group_cache_slot(cache, list->group)] = list;
	cache->count++;
	return 0;
}

static void group_cache_clear(struct group_cache *cache)
{
	for (size_t i = 0; i < cache->capacity; i++)
		listed_group_free(cache->slots[i]);
	free(cache->slots);
	*cache = (struct group_cache){ 0 };
}

/* The group's sorted members, listed from sysfs on the first request only. */
static struct listed_group *get_listed_group(struct naming_context *ctx, int group)
{
	struct listed_group *list = group_cache_find(&ctx->groups, group);
	if (list)
		return list;

	list = calloc(1, sizeof(*list));
	if (!list) {
		fail_out_of_memory(ctx);
		return NULL;
	}
	list->group = group;
	if (list_group_members(ctx, group, list) != 0) {
		listed_group_free(list);
		return NULL;
	}
	if (group_cache_insert(&ctx->groups, list) != 0) {
		listed_group_free(list);
		fail_out_of_memory(ctx);
		return NULL;
	}
	return list;
}

/* Reads classes and hands out indices up to (not including) members[end], continuing where an
 * earlier host path into the same group stopped. */
static int classify_members(struct naming_context *ctx, struct listed_group *list, size_t end)
{
	for (; list->classified < end; list->classified++) {
		struct group_member *member = &list->members[list->classified];
		member->class_code = 0;
		/* A mediated device has no class attribute and is never a bridge. */
		if (!member->key.is_mdev &&
		    read_member_class(ctx, list->group, member, &member->class_code) != 0)
			return -1;
		/* Bridges stay with the host and take no index. */
		member->handed_over = member->key.is_mdev || !is_bridge(member->class_code);
		if (member->handed_over)
			member->index = list->next_index++;
	}
	return 0;
}

/*
 * Drivers VFIO lets the other devices of a group keep: the vfio-pci family (variant drivers
 * such as mlx5_vfio_pci carry "vfio" in their names), pci-stub and pcieport, the drivers that
 * declare driver_managed_dma; any other driver shares the kernel's DMA domain with the device,
 * and VFIO refuses the group (EBUSY since Linux 5.19, "not viable" before).
 */
static bool driver_leaves_group_viable(const char *driver)
{
	return strstr(driver, "vfio") || strcmp(driver, "pci-stub") == 0 ||
	       strcmp(driver, "pcieport") == 0;
}

/* The member's driver link: no link (an unbound device) or an allowed driver passes. */
static int check_member_driver(struct naming_context *ctx, int group,
			       const struct group_member *member, const char *entry_path)
{
	char bdf[16];
	format_pci_address(&member->key.address, bdf);
	char *driver_link = format_string("%s/driver", entry_path);
	if (!driver_link)
		return fail_out_of_memory(ctx);

	char target[PATH_MAX];
	ssize_t length = readlink(driver_link, target, sizeof(target));
	int status = 0;
	struct stat st;
	if (length < 0 && errno == ENOENT) {
		/* No driver, or no device: listed, then gone before it could be read. */
		if (stat(entry_path, &st) != 0)
			status = fail(ctx, "IOMMU group %d lists %s, which is gone: %s: %s", group,
				      bdf, entry_path, strerror(errno));
		free(driver_link);
		return status;
	}
	if (length < 0 || (size_t)length >= sizeof(target)) {
		status = fail(ctx, "cannot read the driver of %s: %s: %s", bdf, driver_link,
			      strerror(length < 0 ? errno : ENAMETOOLONG));
		free(driver_link);
		return status;
	}

	target[length] = '\0';
	const char *slash = strrchr(target, '/');
	const char *driver = slash ? slash + 1 : target;
	if (!driver_leaves_group_viable(driver)) {
		char *shown = escape_for_message(driver, NAME_MAX);
		if (shown)
			status = fail(ctx,
				      "IOMMU group %d is not viable: %s is bound to %s (%s); every "
				      "device of the group must be bound to vfio-pci, pci-stub or "
				      "pcieport, or to no driver",
				      group, bdf, shown, driver_link);
		else
			status = fail_out_of_memory(ctx);
		free(shown);
	}
	free(driver_link);
	return status;
}

/*
 * A group goes to the sandbox whole, and VFIO hands over none of it unless every member's driver
 * allows it: without this check the IDs would name devices the hypervisor cannot open. Mediated
 * devices are skipped: each is alone in a group VFIO makes for it.
 */
static int check_group_viable(struct naming_context *ctx, struct listed_group *list)
{
	if (list->viable)
		return 0;
	for (size_t i = 0; i < list->count; i++) {
		const struct group_member *member = &list->members[i];
		if (member->key.is_mdev)
			continue;
		char *entry_path = format_string("%s/sys/kernel/iommu_groups/%d/devices/%s",
						 ctx->root, list->group, member->entry_name);
		if (!entry_path)
			return fail_out_of_memory(ctx);
		int status = check_member_driver(ctx, list->group, member, entry_path);
		free(entry_path);
		if (status != 0)
			return -1;
	}
	list->viable = true;
	return 0;
}

/* Position of the first member with this key, or list->count if there is none. */
static size_t find_member(const struct listed_group *list, const struct member_key *key)
{
	size_t low = 0, high = list->count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (compare_member_keys(&list->members[middle].key, key) < 0)
			low = middle + 1;
		else
			high = middle;
	}
	if (low < list->count && compare_member_keys(&list->members[low].key, key) == 0)
		return low;
	return list->count;
}

/* An iommufd node hands over its one device, with the index it has within the group. */
static int name_one_device(struct naming_context *ctx, const char *host_path,
			   struct listed_group *list, const struct member_key *key)
{
	char name[64];
	describe_member_key(key, name);
	size_t position = find_member(list, key);
	if (position == list->count)
		return fail(ctx,
			    "%s (%s) is not listed in IOMMU group %d: "
			    "%s/sys/kernel/iommu_groups/%d/devices",
			    host_path, name, list->group, ctx->root, list->group);
	if (classify_members(ctx, list, position + 1) != 0)
		return -1;

	const struct group_member *member = &list->members[position];
	if (!member->handed_over)
		return fail(ctx, "%s (%s) is a bridge (class 0x%06x), which stays with the host",
			    host_path, name, (unsigned)member->class_code);
	return add_device(ctx, host_path, list->group, member);
}

static int name_host_path(struct naming_context *ctx, const char *host_path)
{
	struct host_path_target target;
	if (resolve_host_path(ctx, host_path, &target) != 0)
		return -1;
	struct listed_group *list = get_listed_group(ctx, target.group);
	if (!list || check_group_viable(ctx, list) != 0)
		return -1;
	if (target.one_device)
		return name_one_device(ctx, host_path, list, &target.device);

	if (classify_members(ctx, list, list->count) != 0)
		return -1;
	bool any_handed_over = false;
	for (size_t i = 0; i < list->count; i++) {
		if (!list->members[i].handed_over)
			continue;
		if (add_device(ctx, host_path, list->group, &list->members[i]) != 0)
			return -1;
		any_handed_over = true;
	}
	if (!any_handed_over)
		return fail(ctx, "IOMMU group %d has no device to hand over", list->group);
	return 0;
}

/* QEMU's id_wellformed(): an ASCII letter, then letters, digits, '-', '.', '_'. */
static bool is_wellformed_id(const char *id)
{
	const char *p = id;
	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return false;
	for (p++; *p; p++) {
		char c = *p;
		bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			       is_decimal_digit(c) || c == '-' || c == '.' || c == '_';
		if (!allowed)
			return false;
	}
	return true;
}

struct id_position {
	const char *id;
	size_t position;
};

static int compare_id_positions(const void *a, const void *b)
{
	const struct id_position *left = a, *right = b;
	int order = strcmp(left->id, right->id);
	if (order)
		return order;
	return left->position < right->position ? -1 : left->position > right->position;
}

int vfio_naming_find_duplicate(const struct vfio_named_device *devices, size_t n_devices,
			       size_t *earlier, size_t *later)
{
	if (n_devices < 2)
		return 0;
	struct id_position *sorted = malloc(n_devices * sizeof(*sorted));
	if (!sorted)
		return -1;
	for (size_t i = 0; i < n_devices; i++)
		sorted[i] = (struct id_position){ devices[i].id, i };
	qsort(sorted, n_devices, sizeof(*sorted), compare_id_positions);

	/* Within a run of equal IDs the second entry is the first device that repeats an
	 * earlier one; the device order wants the smallest such position over all runs. */
	bool found = false;
	for (size_t i = 1; i < n_devices; i++) {
		if (strcmp(sorted[i - 1].id, sorted[i].id) != 0)
			continue;
		if (!found || sorted[i].position < *later) {
			*earlier = sorted[i - 1].position;
			*later = sorted[i].position;
			found = true;
		}
		while (i + 1 < n_devices && strcmp(sorted[i].id, sorted[i + 1].id) == 0)
			i++;
	}
	free(sorted);
	return found;
}

/* The hypervisor's view of the IDs; the first failure in device order is reported. */
static int check_ids(struct naming_context *ctx)
{
	const struct vfio_naming_result *result = ctx->result;
	for (size_t i = 0; i < result->n_devices; i++) {
		const char *id = result->devices[i].id;
		bool wellformed = is_wellformed_id(id);
		size_t length = strlen(id);
		if (wellformed && length <= VFIO_NAMING_ID_MAX)
			continue;

		char *shown = escape_for_message(id, length);
		if (!shown)
			return fail_out_of_memory(ctx);
		if (!wellformed)
			fail(ctx,
			     "Device ID '%s' is not a valid identifier (must match "
			     "[A-Za-z][A-Za-z0-9._-]*)",
			     shown);
		else
			fail(ctx, "Device ID '%s' is %zu bytes; the limit is %d", shown, length,
			     VFIO_NAMING_ID_MAX);
		free(shown);
		return 1;
	}

	size_t earlier, later;
	int duplicate =
		vfio_naming_find_duplicate(result->devices, result->n_devices, &earlier, &later);
	if (duplicate < 0)
		return fail_out_of_memory(ctx);
	if (duplicate) {
		/* Well-formed already, so it needs no escaping. */
		fail(ctx, "Duplicate device ID '%s'", result->devices[later].id);
		return 1;
	}
	return 0;
}

static void free_devices(struct vfio_naming_result *result)
{
	for (size_t i = 0; i < result->n_devices; i++) {
		free(result->devices[i].id);
		free(result->devices[i].host_path);
	}
	free(result->devices);
	result->devices = NULL;
	result->n_devices = 0;
}

static void release_context(struct naming_context *ctx)
{
	group_cache_clear(&ctx->groups);
	free(ctx->root);
	ctx->root = NULL;
}

static enum vfio_naming_status finish_with_input_error(struct naming_context *ctx)
{
	free_devices(ctx->result);
	release_context(ctx);
	ctx->result->status = VFIO_NAMING_INPUT_ERROR;
	return VFIO_NAMING_INPUT_ERROR;
}

enum vfio_naming_status vfio_naming_assign(const struct vfio_naming_options *options,
					   const char *const *host_paths, size_t n_host_paths,
					   struct vfio_naming_result *result)
{
	*result = (struct vfio_naming_result){ .status = VFIO_NAMING_OK };
	struct naming_context ctx = {
		.scheme = options ? options->scheme : VFIO_NAMING_GROUP_INDEX,
		.prefix = options && options->prefix ? options->prefix : VFIO_NAMING_DEFAULT_PREFIX,
		.result = result,
	};

	const char *root = options && options->root ? options->root : "";
	size_t root_length = strlen(root);
	while (root_length > 0 && root[root_length - 1] == '/')
		root_length--;
	ctx.root = strndup(root, root_length);
	if (!ctx.root) {
		fail_out_of_memory(&ctx);
		return finish_with_input_error(&ctx);
	}

	if (ctx.scheme != VFIO_NAMING_INDEX && ctx.scheme != VFIO_NAMING_GROUP_INDEX) {
		fail(&ctx, "unknown naming scheme %d", (int)ctx.scheme);
		return finish_with_input_error(&ctx);
	}
	if (n_host_paths == 0 || !host_paths) {
		fail(&ctx, "no host paths given");
		return finish_with_input_error(&ctx);
	}
	for (size_t i = 0; i < n_host_paths; i++) {
		if (!host_paths[i]) {
			fail(&ctx, "host path %zu is missing (NULL)", i + 1);
			return finish_with_input_error(&ctx);
		}
		if (name_host_path(&ctx, host_paths[i]) != 0)
			return finish_with_input_error(&ctx);
	}

	int checked = check_ids(&ctx);
	if (checked < 0)
		return finish_with_input_error(&ctx);
	release_context(&ctx);
	result->status = checked ? VFIO_NAMING_CHECK_FAILED : VFIO_NAMING_OK;
	return result->status;
}

void vfio_naming_result_free(struct vfio_naming_result *result)
{
	if (!result)
		return;
	free_devices(result);
	free(result->error);
	result->error = NULL;
	result->status = VFIO_NAMING_OK;
}

int vfio_naming_scheme_parse(const char *name, enum vfio_naming_scheme *out)
{
	if (!name)
		return -1;
	if (strcmp(name, "index") == 0) {
		*out = VFIO_NAMING_INDEX;
		return 0;
	}
	if (strcmp(name, "group-index") == 0) {
		*out = VFIO_NAMING_GROUP_INDEX;
		return 0;
	}
	return -1;
}

const char *vfio_naming_scheme_name(enum vfio_naming_scheme scheme)
{
	switch (scheme) {
	case VFIO_NAMING_INDEX:
		return "index";
	case VFIO_NAMING_GROUP_INDEX:
		return "group-index";
	}
	return NULL;
}
