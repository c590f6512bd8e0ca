/* SPDX-License-Identifier: MIT */
/*
 * libvfionaming: resolves each host path to its IOMMU group, lists the group's PCI functions
 * from <root>/sys, gives the handed-over ones device IDs by the chosen scheme and applies the
 * checks the hypervisor will apply to those IDs (well-formed, at most 31 bytes, unique).
 */
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

struct pci_address {
	uint32_t domain;
	unsigned bus, dev, fn;
};

/* One entry of <root>/sys/kernel/iommu_groups/<N>/devices. */
struct group_member {
	struct pci_address address;
	char *entry_name; /* as listed, for building paths */
};

struct member_list {
	struct group_member *members;
	size_t count, capacity;
};

struct naming_context {
	char *root; /* root without trailing slashes; "" for "/" so paths read "/sys/..." */
	enum vfio_naming_scheme scheme;
	const char *prefix;
	struct vfio_naming_result *result;
	size_t devices_capacity;
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

/* A group number as the kernel prints it ("%d" of a non-negative IDA id): no sign, no
 * leading zero, no trailing text. */
static bool parse_group_number(const char *text, int *out)
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

static int compare_members(const void *a, const void *b)
{
	const struct group_member *left = a, *right = b;
	int order = compare_pci_addresses(&left->address, &right->address);
	/* Equal addresses spelt differently ("3b" and "3B"): keep the result deterministic. */
	return order ? order : strcmp(left->entry_name, right->entry_name);
}

/* basename(readlink(<root>/sys/bus/pci/devices/<BDF>/iommu_group)), as the runtimes do. */
static int group_of_pci_function(struct naming_context *ctx, const struct pci_address *address,
				 int *group)
{
	char bdf[16];
	format_pci_address(address, bdf);
	char *link_path = format_string("%s/sys/bus/pci/devices/%s/iommu_group", ctx->root, bdf);
	if (!link_path)
		return fail_out_of_memory(ctx);

	char target[PATH_MAX];
	ssize_t length = readlink(link_path, target, sizeof(target));
	if (length < 0 || (size_t)length >= sizeof(target)) {
		int error = length < 0 ? errno : ENAMETOOLONG;
		fail(ctx, "%s has no IOMMU group: %s: %s", bdf, link_path, strerror(error));
		free(link_path);
		return -1;
	}
	target[length] = '\0';

	const char *slash = strrchr(target, '/');
	const char *name = slash ? slash + 1 : target;
	if (!parse_group_number(name, group)) {
		char *shown = escape_for_message(target, sizeof(target));
		if (shown)
			fail(ctx, "%s has no IOMMU group: %s points to '%s', not to an IOMMU group",
			     bdf, link_path, shown);
		else
			fail_out_of_memory(ctx);
		free(shown);
		free(link_path);
		return -1;
	}
	free(link_path);
	return 0;
}

static int resolve_group(struct naming_context *ctx, const char *host_path, int *group)
{
	static const char vfio_dir[] = "/dev/vfio/";
	static const char noiommu[] = "noiommu-";

	if (strncmp(host_path, vfio_dir, strlen(vfio_dir)) == 0) {
		const char *name = host_path + strlen(vfio_dir);
		if (strncmp(name, noiommu, strlen(noiommu)) == 0)
			name += strlen(noiommu);
		if (parse_group_number(name, group))
			return 0;
	} else {
		struct pci_address address;
		if (parse_pci_address(host_path, true, &address))
			return group_of_pci_function(ctx, &address, group);
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

static void member_list_clear(struct member_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->members[i].entry_name);
	free(list->members);
	*list = (struct member_list){ 0 };
}

static int member_list_add(struct member_list *list, const struct pci_address *address,
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
	list->members[list->count++] = (struct group_member){ *address, name };
	return 0;
}

/* Fills *list with the group's PCI functions in (domain, bus, dev, fn) order: sysfs lists
 * them in hash order, which must not leak into the IDs. */
static int list_group_members(struct naming_context *ctx, int group, struct member_list *list)
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

		struct pci_address address;
		if (!parse_pci_address(entry->d_name, false, &address)) {
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
		if (member_list_add(list, &address, entry->d_name) != 0) {
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
	format_pci_address(&member->address, bdf);

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

static int add_device(struct naming_context *ctx, const char *host_path, int group, unsigned index,
		      const struct group_member *member, uint32_t class_code)
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
		.id = make_device_id(ctx, group, index),
		.host_path = strdup(host_path),
		.group = group,
		.index = index,
		.class_code = class_code,
	};
	format_pci_address(&member->address, device.bdf);
	if (!device.id || !device.host_path) {
		free(device.id);
		free(device.host_path);
		return fail_out_of_memory(ctx);
	}
	result->devices[result->n_devices++] = device;
	return 0;
}

static int name_host_path(struct naming_context *ctx, const char *host_path)
{
	int group;
	if (resolve_group(ctx, host_path, &group) != 0)
		return -1;

	struct member_list list = { 0 };
	if (list_group_members(ctx, group, &list) != 0) {
		member_list_clear(&list);
		return -1;
	}

	unsigned next_index = 0;
	int status = 0;
	for (size_t i = 0; i < list.count && status == 0; i++) {
		uint32_t class_code = 0;
		status = read_member_class(ctx, group, &list.members[i], &class_code);
		/* Bridges stay with the host and take no index. */
		if (status == 0 && !is_bridge(class_code))
			status = add_device(ctx, host_path, group, next_index++, &list.members[i],
					    class_code);
	}
	member_list_clear(&list);
	if (status != 0)
		return -1;

	if (next_index == 0)
		return fail(ctx, "IOMMU group %d has no device to hand over", group);
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

static enum vfio_naming_status finish_with_input_error(struct naming_context *ctx)
{
	free_devices(ctx->result);
	free(ctx->root);
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
	free(ctx.root);
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
