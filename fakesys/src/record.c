/* SPDX-License-Identifier: MIT */
/*
 * fakesys record. First the model: one `devices` entry per function (VFs come from their
 * PF's `sriov`), `groups`, `drivers`, `root_buses`. That text is loaded as any scenario is; an
 * entry the loader refuses (a layout the model cannot express) is dropped and the load tried
 * again, so that the verbatim entries carry that part instead. Then the source and the model's
 * tree are walked side by side, and every difference becomes a verbatim entry.
 *
 * Nothing outside the root is read: every path is opened beneath it without following links,
 * and link texts are only resolved by name.
 */
#define _GNU_SOURCE
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpumask.h"
#include "host_tree.h"
#include "pci_config.h"
#include "scenario.h"
#include "verbatim.h"

#define SYSFS_MAGIC	 0x62656572
#define TEXT_MAX	 4096
#define CONFIG_MAX	 4096
#define MAX_LOAD_RETRIES 4096

/* ---- text buffers ------------------------------------------------------------------------ */

struct text {
	char *data;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void text_printf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = true;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;

		while (cap < t->len + (size_t)n + 1)
			cap *= 2;
		char *grown = realloc(t->data, cap);
		if (!grown) {
			t->failed = true;
			return;
		}
		t->data = grown;
		t->cap = cap;
		va_start(ap, fmt);
		vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
	}
	t->len += (size_t)n;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t lines = 0;

	for (size_t i = 0; i < len; i++)
		lines += s[i] == '\n';
	return lines;
}

/* A YAML double-quoted scalar of printable ASCII (callers check with is_plain_text). */
static void text_quoted(struct text *t, const unsigned char *s, size_t len)
{
	text_printf(t, "\"");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			text_printf(t, "\\n");
		else if (s[i] == '\t')
			text_printf(t, "\\t");
		else if (s[i] == '"' || s[i] == '\\')
			text_printf(t, "\\%c", s[i]);
		else
			text_printf(t, "%c", s[i]);
	}
	text_printf(t, "\"");
}

static bool is_plain_text(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\n' && s[i] != '\t')
			return false;
	return true;
}

/* dir/name into out; false when it does not fit. */
static bool join_path(char *out, size_t size, const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);

	if (a + 1 + b + 1 > size)
		return false;
	memcpy(out, dir, a);
	out[a] = '/';
	memcpy(out + a + 1, name, b + 1);
	return true;
}

/* ---- reading beneath the root ------------------------------------------------------------ */

struct recorder {
	const struct record_options *opt;
	struct record_summary *summary;
	int root_fd;
	bool privileged;  /* what the source showed us: root sees all of config */
	bool sysfs_sizes; /* the source is sysfs itself, whose sizes are worth keeping */
	size_t functions; /* as the source's sys/bus/pci/devices lists them */
	char *error;
	size_t error_size;
};

__attribute__((format(printf, 2, 3))) static void report(struct recorder *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->opt->report)
		return;
	va_start(ap, fmt);
	vfprintf(r->opt->report, fmt, ap);
	va_end(ap);
	fputc('\n', r->opt->report);
}

static void progress(const struct recorder *r, const char *phase, size_t done, size_t total)
{
	if (r->opt->progress)
		r->opt->progress(r->opt->progress_arg, phase, done, total);
}

/* rel, relative to the root, with no link followed on the way and none escaping it. */
static int open_beneath(const struct recorder *r, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, r->root_fd, rel, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS) /* before Linux 5.6: the last name at least */
		fd = openat(r->root_fd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : (int)fd;
}

/* The whole content of name in dir_fd into *data (malloc'd), at most max bytes. */
static int read_at(int dir_fd, const char *name, size_t max, unsigned char **data, size_t *len)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	size_t cap = 4096, used = 0;
	unsigned char *buf;

	if (fd < 0)
		return -errno;
	if (!(buf = malloc(cap))) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (used == cap) {
			unsigned char *grown = cap > max ? NULL : realloc(buf, cap * 2);

			if (!grown) {
				free(buf);
				close(fd);
				return cap > max ? -EFBIG : -ENOMEM;
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0) {
			int err = errno;

			free(buf);
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used > max) {
		free(buf);
		return -EFBIG;
	}
	*data = buf;
	*len = used;
	return 0;
}

/* A one-line attribute without its newline, or -errno. */
static int read_line_at(int dir_fd, const char *name, char *out, size_t size)
{
	unsigned char *data;
	size_t len;
	int err = read_at(dir_fd, name, TEXT_MAX, &data, &len);

	if (err)
		return err;
	while (len && (data[len - 1] == '\n' || data[len - 1] == ' '))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(out, data, len);
	out[len] = '\0';
	free(data);
	return 0;
}

static bool read_ulong_at(int dir_fd, const char *name, unsigned long long *value)
{
	char line[64], *end;

	if (read_line_at(dir_fd, name, line, sizeof(line)) != 0 || !line[0])
		return false;
	errno = 0;
	*value = strtoull(line, &end, 0);
	return !errno && !*end;
}

static bool read_long_at(int dir_fd, const char *name, long long *value)
{
	char line[64], *end;

	if (read_line_at(dir_fd, name, line, sizeof(line)) != 0 || !line[0])
		return false;
	errno = 0;
	*value = strtoll(line, &end, 0);
	return !errno && !*end;
}

/* The last name of the link's text (a driver's or a group's name), or false. */
static bool link_basename_at(int dir_fd, const char *name, char *out, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dir_fd, name, target, sizeof(target) - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return false;
	memcpy(out, base, strlen(base) + 1);
	return out[0] != '\0';
}

/* ---- the model --------------------------------------------------------------------------- */

/* One entry of a model section; dropped when the loader refuses it. */
struct item {
	int section;
	char *text;
	bool dropped;
	size_t first_line, last_line; /* in the assembled file, 1-based */
};

enum section { SECTION_DRIVERS, SECTION_ROOT_BUSES, SECTION_DEVICES, SECTION_GROUPS, N_SECTIONS };
static const char *const section_keys[N_SECTIONS] = { "drivers", "root_buses", "devices",
						      "groups" };

struct model {
	struct item *items;
	size_t n_items, cap_items;
	unsigned cpus, numa_nodes;
	unsigned cpus_seen; /* one past the highest CPU a local_cpulist names */
	/* Each NUMA node's CPUs as its devices' local_cpulist shows them, if one range. */
	unsigned node_first[64], node_last[64];
	uint64_t nodes_seen;
	bool vfio_cdev;
};

static int add_item(struct model *m, int section, struct text *t)
{
	if (t->failed) {
		free(t->data);
		return -ENOMEM;
	}
	if (m->n_items == m->cap_items) {
		size_t cap = m->cap_items ? m->cap_items * 2 : 64;
		struct item *grown = realloc(m->items, cap * sizeof(*grown));

		if (!grown) {
			free(t->data);
			return -ENOMEM;
		}
		m->items = grown;
		m->cap_items = cap;
	}
	m->items[m->n_items++] = (struct item){ .section = section, .text = t->data };
	return 0;
}

static const char *const pcie_type_names[16] = {
	[0x0] = "endpoint",	      [0x1] = "legacy-endpoint", [0x4] = "root-port",
	[0x5] = "upstream-port",      [0x6] = "downstream-port", [0x7] = "pcie-to-pci-bridge",
	[0x8] = "pci-to-pcie-bridge", [0x9] = "rc-endpoint",	 [0xa] = "rc-event-collector",
};

/* The Device Serial Number names one physical device: zeroed unless asked to keep it. */
static bool scrub_serial_number(unsigned char *config, size_t len)
{
	unsigned pos = pci_config_find_ext_capability(config, len, PCI_EXT_CAP_ID_DSN);

	if (!pos || pos + 12 > len)
		return false;
	memset(config + pos + 4, 0, 8);
	return true;
}

/* "8.0 GT/s PCIe" -> "8.0"; false for "Unknown" and the like. */
static bool link_speed_of(const char *line, char *out, size_t size)
{
	static const char *const speeds[] = { "2.5", "5.0", "8.0", "16.0", "32.0", "64.0" };

	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		size_t n = strlen(speeds[i]);

		if (strncmp(line, speeds[i], n) == 0 && line[n] == ' ') {
			snprintf(out, size, "%s", speeds[i]);
			return true;
		}
	}
	return false;
}

static bool link_width_ok(unsigned long long width)
{
	return width == 1 || width == 2 || width == 4 || width == 8 || width == 12 || width == 16 ||
	       width == 32;
}

static void emit_pcie(struct text *t, int dev_fd, const unsigned char *config, size_t len)
{
	unsigned cap = pci_config_find_capability(config, len, PCI_CAP_ID_EXP);
	char line[64], speed[8], max_speed[8];
	unsigned long long width, max_width;
	bool has_link = read_line_at(dev_fd, "current_link_speed", line, sizeof(line)) == 0 &&
			link_speed_of(line, speed, sizeof(speed));

	has_link = has_link && read_line_at(dev_fd, "max_link_speed", line, sizeof(line)) == 0 &&
		   link_speed_of(line, max_speed, sizeof(max_speed)) &&
		   read_ulong_at(dev_fd, "current_link_width", &width) && link_width_ok(width) &&
		   read_ulong_at(dev_fd, "max_link_width", &max_width) &&
		   link_width_ok(max_width) && width <= max_width &&
		   strtod(speed, NULL) <= strtod(max_speed, NULL);
	text_printf(t, "    pcie: {");
	if (cap && cap + 3 <= len) {
		const char *type = pcie_type_names[config[cap + 2] >> 4 & 0xf];

		if (type)
			text_printf(t, "type: %s%s", type, has_link ? ", " : "");
		if (type &&
		    (strcmp(type, "rc-endpoint") == 0 || strcmp(type, "rc-event-collector") == 0))
			has_link = false;
	}
	if (has_link)
		text_printf(t, "speed: %s, width: %llu, max_speed: %s, max_width: %llu", speed,
			    width, max_speed, max_width);
	text_printf(t, "}\n");
}

/*
 * The `resource` file: "start end flags" per line; registers 0..5, the ROM, then a PF's
 * SR-IOV BARs (7..12), each as large as all of TotalVFs' BARs together.
 */
#define RESOURCE_LINES 13
#define RESOURCE_IOV   7
struct resources {
	unsigned long long start[RESOURCE_LINES], end[RESOURCE_LINES], flags[RESOURCE_LINES];
};

static bool read_resources(int dev_fd, struct resources *res)
{
	unsigned char *data;
	size_t len;
	int n = 0;

	memset(res, 0, sizeof(*res));
	if (read_at(dev_fd, "resource", TEXT_MAX, &data, &len) != 0)
		return false;
	char *text = strndup((const char *)data, len);
	free(data);
	if (!text)
		return false;
	for (char *save, *line = strtok_r(text, "\n", &save); line && n < RESOURCE_LINES;
	     line = strtok_r(NULL, "\n", &save), n++)
		sscanf(line, "%llx %llx %llx", &res->start[n], &res->end[n], &res->flags[n]);
	free(text);
	return true;
}

/* "[{size: ..., type: ...}, ~, ...]" for the first registers BARs, or nothing if none is set. */
static void emit_bar_list(struct text *t, const char *prefix, const struct resources *res,
			  int registers, const char *suffix)
{
	int last = -1;

	for (int i = 0; i < registers; i++)
		if (res->end[i] > res->start[i])
			last = i;
	if (last < 0)
		return;
	text_printf(t, "%s[", prefix);
	for (int i = 0; i <= last; i++) {
		unsigned long long size = res->end[i] - res->start[i] + 1;
		bool io = res->flags[i] & 0x100, mem64 = res->flags[i] & 0x00100000;

		if (i)
			text_printf(t, ", ");
		if (res->end[i] <= res->start[i] || (size & (size - 1))) {
			text_printf(t, "~");
			continue;
		}
		text_printf(t, "{size: 0x%llx, type: %s%s}", size,
			    io	    ? "io"
			    : mem64 ? "mem64"
				    : "mem32",
			    !io && (res->flags[i] & 0x2000) ? ", prefetchable: true" : "");
		if (mem64 && !io)
			i++; /* the upper half is the next register */
	}
	text_printf(t, "]%s", suffix);
}

static void emit_bars(struct text *t, int dev_fd, bool bridge)
{
	struct resources res;

	if (!read_resources(dev_fd, &res))
		return;
	emit_bar_list(t, "    bars: ", &res, bridge ? 2 : 6, "\n");
	unsigned long long rom = res.end[6] > res.start[6] ? res.end[6] - res.start[6] + 1 : 0;
	if (rom >= 2048 && !(rom & (rom - 1)))
		text_printf(t, "    rom: 0x%llx\n", rom);
}

static void emit_config(struct text *t, const unsigned char *config, size_t len)
{
	text_printf(t, "    config: |\n");
	for (size_t row = 0; row < len; row += 16) {
		text_printf(t, "      %02zx:", row);
		for (size_t i = row; i < row + 16 && i < len; i++)
			text_printf(t, " %02x", config[i]);
		text_printf(t, "\n");
	}
}

/* What a PF's VFs look like: their driver and how they are grouped. */
static void emit_sriov(struct text *t, int dev_fd, const char *pf_group)
{
	unsigned long long total, num = 0, offset = 1, stride = 1, vf_device;
	char vf_driver[128] = "", vf_group[32] = "";

	char vf_id[16];
	/* sriov_vf_device is hex without "0x", as the kernel prints it. */
	if (!read_ulong_at(dev_fd, "sriov_totalvfs", &total) || total == 0 ||
	    read_line_at(dev_fd, "sriov_vf_device", vf_id, sizeof(vf_id)) != 0)
		return;
	vf_device = strtoull(vf_id, NULL, 16);
	read_ulong_at(dev_fd, "sriov_numvfs", &num);
	read_ulong_at(dev_fd, "sriov_offset", &offset);
	read_ulong_at(dev_fd, "sriov_stride", &stride);
	if (num) {
		char target[PATH_MAX], sibling[PATH_MAX];
		ssize_t n = readlinkat(dev_fd, "virtfn0", target, sizeof(target) - 1);

		if (n > 0) {
			target[n] = '\0';
			/* virtfn0 reads "../0000:3b:02.0": VFs sit beside their PF. */
			const char *base = strrchr(target, '/');
			int fd = join_path(sibling, sizeof(sibling), "..", base ? base + 1 : target)
					 ? openat(dev_fd, sibling,
						  O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
					 : -1;
			if (fd >= 0) {
				link_basename_at(fd, "driver", vf_driver, sizeof(vf_driver));
				link_basename_at(fd, "iommu_group", vf_group, sizeof(vf_group));
				close(fd);
			}
		}
	}
	text_printf(t,
		    "    sriov: {total: %llu, num: %llu, offset: %llu, stride: %llu, vf_id: %04llx",
		    total, num, offset ? offset : 1, stride ? stride : 1, vf_device & 0xffff);
	if (vf_driver[0])
		text_printf(t, ", vf_driver: %s", vf_driver);
	if (num)
		text_printf(t, ", vf_groups: %s",
			    !vf_group[0]		      ? "none"
			    : strcmp(vf_group, pf_group) == 0 ? "same"
							      : "auto");
	/* Each VF's BARs: the PF's SR-IOV BARs shared out over TotalVFs. */
	struct resources pf_res;
	if (read_resources(dev_fd, &pf_res)) {
		struct resources vf_res = { 0 };

		for (int i = 0; i < 6; i++) {
			unsigned long long size =
				pf_res.end[RESOURCE_IOV + i] > pf_res.start[RESOURCE_IOV + i]
					? pf_res.end[RESOURCE_IOV + i] -
						  pf_res.start[RESOURCE_IOV + i] + 1
					: 0;

			if (size % total == 0 && size / total) {
				vf_res.end[i] = size / total - 1;
				vf_res.flags[i] = pf_res.flags[RESOURCE_IOV + i];
			}
		}
		emit_bar_list(t, ", vf_bars: ", &vf_res, 6, "");
	}
	unsigned long long autoprobe;
	if (read_ulong_at(dev_fd, "sriov_drivers_autoprobe", &autoprobe) && !autoprobe)
		text_printf(t, ", autoprobe: false");
	text_printf(t, "}\n");
}

/* Names safe as a plain scalar in this format (drivers, labels are quoted anyway). */
static bool is_driver_name(const char *s)
{
	if (!*s || strlen(s) > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

/* One line of text a scenario string may hold, quoted; false if it is not one. */
static bool emit_quoted_line(struct text *t, const char *prefix, const char *line)
{
	size_t len = strlen(line);

	if (!len || !is_plain_text((const unsigned char *)line, len) || strchr(line, '\n') ||
	    strchr(line, '\t'))
		return false;
	text_printf(t, "%s", prefix);
	text_quoted(t, (const unsigned char *)line, len);
	return true;
}

static bool is_uuid(const char *name)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	for (size_t i = 0; i < sizeof(shape); i++) {
		char c = name[i];

		if (shape[i] == '\0')
			return c == '\0';
		if (shape[i] == '-' ? c != '-'
				    : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return false;
}

static char **list_dir(const struct recorder *r, const char *rel, size_t *n, int *error);
static void free_names(char **names, size_t n);

/* The mediated device types a device offers and the mdevs made on it. */
static void emit_mdevs(struct recorder *r, struct text *t, const char *dev_path)
{
	char path[PATH_MAX], line[TEXT_MAX];
	size_t n;
	int err;
	char **names;

	if (join_path(path, sizeof(path), dev_path, "mdev_supported_types") &&
	    (names = list_dir(r, path, &n, &err))) {
		bool any = false;

		for (size_t i = 0; i < n; i++) {
			char type_path[PATH_MAX];
			unsigned long long available;
			size_t created = 0;

			if (!join_path(type_path, sizeof(type_path), path, names[i]) ||
			    !is_driver_name(names[i]))
				continue;
			int fd = open_beneath(r, type_path, O_RDONLY | O_DIRECTORY);
			if (fd < 0)
				continue;
			char **made;
			char made_path[PATH_MAX];
			if (join_path(made_path, sizeof(made_path), type_path, "devices") &&
			    (made = list_dir(r, made_path, &created, &err)))
				free_names(made, created);
			if (read_ulong_at(fd, "available_instances", &available) &&
			    available + created >= 1 && available + created <= 65535) {
				text_printf(t, "%s{id: %s, instances: %llu",
					    any ? ", " : "    mdev_types: [", names[i],
					    available + created);
				any = true;
				if (read_line_at(fd, "device_api", line, sizeof(line)) == 0 &&
				    is_driver_name(line))
					text_printf(t, ", device_api: %s", line);
				if (read_line_at(fd, "name", line, sizeof(line)) == 0)
					emit_quoted_line(t, ", name: ", line);
				if (read_line_at(fd, "description", line, sizeof(line)) == 0)
					emit_quoted_line(t, ", description: ", line);
				text_printf(t, "}");
			}
			close(fd);
		}
		if (any)
			text_printf(t, "]\n");
		free_names(names, n);
	}

	if (!(names = list_dir(r, dev_path, &n, &err)))
		return;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		char type[128], group[32];

		if (!is_uuid(names[i]) || !join_path(path, sizeof(path), dev_path, names[i]))
			continue;
		int fd = open_beneath(r, path, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			continue;
		if (link_basename_at(fd, "mdev_type", type, sizeof(type)) && is_driver_name(type)) {
			text_printf(t, "%s{uuid: %s, type: %s", any ? ", " : "    mdev: [",
				    names[i], type);
			if (link_basename_at(fd, "iommu_group", group, sizeof(group)))
				text_printf(t, ", group: %s", group);
			text_printf(t, "}");
			any = true;
		}
		close(fd);
	}
	if (any)
		text_printf(t, "]\n");
	free_names(names, n);
}

static int record_device(struct recorder *r, struct model *m, const char *bdf, unsigned *max_node)
{
	static const char link_dir[] = "sys/bus/pci/devices";
	char text_buf[PATH_MAX], dev_path[PATH_MAX];
	int list_fd = open_beneath(r, link_dir, O_RDONLY | O_DIRECTORY);
	ssize_t n = list_fd < 0 ? -1 : readlinkat(list_fd, bdf, text_buf, sizeof(text_buf) - 1);

	if (list_fd >= 0)
		close(list_fd);
	if (n <= 0) {
		report(r, "%s/%s: not a link; left out", link_dir, bdf);
		r->summary->left_out++;
		return 0;
	}
	text_buf[n] = '\0';
	if (!sysfs_link_resolve(link_dir, text_buf, dev_path, sizeof(dev_path)) || !dev_path[0]) {
		report(r, "%s/%s: points outside the root (%s); left out", link_dir, bdf, text_buf);
		r->summary->left_out++;
		return 0;
	}
	int dev_fd = open_beneath(r, dev_path, O_RDONLY | O_DIRECTORY);
	if (dev_fd < 0) {
		report(r, "%s: %s; left out", dev_path, strerror(-dev_fd));
		r->summary->left_out++;
		return 0;
	}
	if (faccessat(dev_fd, "physfn", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		close(dev_fd); /* a VF: its PF's sriov makes it */
		return 0;
	}

	struct text t = { 0 };
	unsigned long long vendor = 0, device = 0, sub_vendor = 0, sub_device = 0, class_code = 0,
			   revision = 0, irq = 0, value;
	long long numa_node = -1, acpi_index, d3cold_allowed;
	char driver[128] = "", group[32] = "", label[128];
	unsigned char *config = NULL;
	size_t config_len = 0;

	read_ulong_at(dev_fd, "vendor", &vendor);
	read_ulong_at(dev_fd, "device", &device);
	read_ulong_at(dev_fd, "class", &class_code);
	text_printf(&t, "  %s:\n    id: %04llx:%04llx\n", bdf, vendor & 0xffff, device & 0xffff);
	text_printf(&t, "    class: 0x%06llx\n", class_code & 0xffffff);
	bool bridge = (class_code >> 8) == 0x0604 || (class_code >> 8) == 0x0609;
	if (read_ulong_at(dev_fd, "subsystem_vendor", &sub_vendor) &&
	    read_ulong_at(dev_fd, "subsystem_device", &sub_device))
		text_printf(&t, "    subsystem: %04llx:%04llx\n", sub_vendor & 0xffff,
			    sub_device & 0xffff);
	if (read_ulong_at(dev_fd, "revision", &revision) && revision && revision <= 255)
		text_printf(&t, "    revision: %llu\n", revision);
	if (link_basename_at(dev_fd, "driver", driver, sizeof(driver)) && is_driver_name(driver))
		text_printf(&t, "    driver: %s\n", driver);
	if (link_basename_at(dev_fd, "iommu_group", group, sizeof(group)))
		text_printf(&t, "    group: %s\n", group);
	if (!read_long_at(dev_fd, "numa_node", &numa_node))
		numa_node = -1;
	if (numa_node >= 0 && numa_node < 64) {
		text_printf(&t, "    numa_node: %lld\n", numa_node);
		if ((unsigned)numa_node + 1 > *max_node)
			*max_node = (unsigned)numa_node + 1;
	}
	char cpulist[TEXT_MAX];
	if (read_line_at(dev_fd, "local_cpulist", cpulist, sizeof(cpulist)) == 0) {
		/* "0-19,40-59": the highest number is the last one. */
		const char *last = cpulist + strlen(cpulist);
		while (last > cpulist && last[-1] >= '0' && last[-1] <= '9')
			last--;
		unsigned long highest = strtoul(last, NULL, 10);
		if (highest < 8192 && highest + 1 > m->cpus_seen)
			m->cpus_seen = (unsigned)highest + 1;
		unsigned first, end;
		int used = 0;
		if (numa_node >= 0 && numa_node < 64 &&
		    sscanf(cpulist, "%u-%u%n", &first, &end, &used) == 2 && !cpulist[used]) {
			m->node_first[numa_node] = first;
			m->node_last[numa_node] = end;
			m->nodes_seen |= 1ull << numa_node;
		}
	}
	if (read_ulong_at(dev_fd, "irq", &irq) && irq && irq <= 255)
		text_printf(&t, "    irq: %llu\n", irq);

	int err = read_at(dev_fd, "config", CONFIG_MAX, &config, &config_len);
	struct stat config_st;
	if (err) {
		report(r, "%s/config: %s; the model's bytes stand in", dev_path, strerror(-err));
		r->summary->unreadable++;
	} else if (!r->privileged && r->sysfs_sizes &&
		   fstatat(dev_fd, "config", &config_st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   (off_t)config_len < config_st.st_size) {
		/* sysfs shows the unprivileged only the standard header. */
		report(r,
		       "%s/config: only %zu of %lld bytes readable (not root); zeros stand in "
		       "for the rest",
		       dev_path, config_len, (long long)config_st.st_size);
		r->summary->unreadable++;
	}
	if (config && !r->opt->keep_identifiers && scrub_serial_number(config, config_len))
		report(r, "%s/config: Device Serial Number zeroed (--keep-identifiers keeps it)",
		       dev_path);
	if (bridge && config_len >= 0x1b)
		text_printf(&t, "    secondary: %u\n    subordinate: %u\n", config[0x19],
			    config[0x1a]);
	if (faccessat(dev_fd, "current_link_speed", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
	    pci_config_find_capability(config, config_len, PCI_CAP_ID_EXP))
		emit_pcie(&t, dev_fd, config, config_len);
	emit_bars(&t, dev_fd, bridge);
	if (read_line_at(dev_fd, "label", label, sizeof(label)) == 0 && label[0] &&
	    is_plain_text((const unsigned char *)label, strlen(label)) && !strchr(label, '\t')) {
		text_printf(&t, "    label: ");
		text_quoted(&t, (const unsigned char *)label, strlen(label));
		text_printf(&t, "\n");
	}
	/* A writable flag the model keeps: a verbatim file would take the writes away. */
	if (read_long_at(dev_fd, "d3cold_allowed", &d3cold_allowed) && d3cold_allowed == 0)
		text_printf(&t, "    d3cold_allowed: false\n");
	if (read_long_at(dev_fd, "acpi_index", &acpi_index) && acpi_index >= 0)
		text_printf(&t, "    acpi_index: %lld\n", acpi_index);
	else if (read_ulong_at(dev_fd, "index", &value) && value <= 2147483647)
		text_printf(&t, "    index: %llu\n", value);
	if (!bridge) {
		emit_sriov(&t, dev_fd, group);
		emit_mdevs(r, &t, dev_path);
	}
	if (config_len)
		emit_config(&t, config, config_len);
	free(config);
	close(dev_fd);
	r->summary->functions++;
	return add_item(m, SECTION_DEVICES, &t);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory rel (sorted; "." and ".." left out), or NULL with *n = 0. */
static char **list_dir(const struct recorder *r, const char *rel, size_t *n, int *error)
{
	int fd = open_beneath(r, rel, O_RDONLY | O_DIRECTORY);
	char **names = NULL;
	size_t cap = 0;
	DIR *dir;

	*n = 0;
	*error = 0;
	if (fd < 0 || !(dir = fdopendir(fd))) {
		*error = fd < 0 ? -fd : errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (struct dirent *e; (e = readdir(dir));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				goto out_of_memory;
			names = grown;
		}
		if (!(names[*n] = strdup(e->d_name)))
			goto out_of_memory;
		(*n)++;
	}
	closedir(dir);
	if (names)
		qsort(names, *n, sizeof(*names), compare_names);
	return names;

out_of_memory:
	closedir(dir);
	for (size_t i = 0; i < *n; i++)
		free(names[i]);
	free(names);
	*n = 0;
	*error = ENOMEM;
	return NULL;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static const char *const region_types[] = { "direct", "direct-relaxable", "reserved", "msi" };

/* A group's settings; reserved regions only when they parse as the kernel prints them. */
static int record_group(struct recorder *r, struct model *m, const char *name)
{
	char path[PATH_MAX], type[64] = "", group_name[64] = "";
	struct text t = { 0 };

	for (const char *p = name; *p; p++)
		if (*p < '0' || *p > '9')
			return 0; /* not a group number: verbatim entries carry it */
	snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s", name);
	int fd = open_beneath(r, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0;
	read_line_at(fd, "type", type, sizeof(type));
	read_line_at(fd, "name", group_name, sizeof(group_name));
	r->summary->groups++;
	text_printf(&t, "  %s: {", name);
	if (strcmp(group_name, "vfio-noiommu") == 0) {
		text_printf(&t, "noiommu: true}\n");
		close(fd);
		return add_item(m, SECTION_GROUPS, &t);
	}
	/* Only what differs from a group's defaults: a group the devices make (a VF's made by
	 * `vf_groups: auto`) may not be listed with nothing to say. */
	enum iommu_group_type parsed;
	bool differs = false;
	if (iommu_group_type_parse(type, &parsed) && parsed != IOMMU_TYPE_DMA_FQ) {
		text_printf(&t, "type: %s", type);
		differs = true;
	}

	unsigned char *data;
	size_t len = 0;
	static const char default_regions[] = "0x00000000fee00000 0x00000000feefffff msi\n";
	bool read_regions = read_at(fd, "reserved_regions", TEXT_MAX, &data, &len) == 0;
	if (read_regions &&
	    (len != strlen(default_regions) || memcmp(data, default_regions, len) != 0)) {
		struct text regions = { 0 };
		bool ok = len > 0;
		char *copy = strndup((const char *)data, len);

		for (char *save, *line = copy ? strtok_r(copy, "\n", &save) : NULL; ok && line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned long long start, end;
			char kind[32];
			size_t k = 0;

			ok = sscanf(line, "%llx %llx %31s", &start, &end, kind) == 3;
			while (ok && k < 4 && strcmp(kind, region_types[k]) != 0)
				k++;
			ok = ok && k < 4;
			if (ok)
				text_printf(&regions, ", {start: 0x%llx, end: 0x%llx, type: %s}",
					    start, end, kind);
		}
		free(copy);
		if (ok && regions.data && !regions.failed) {
			text_printf(&t, "%sreserved_regions: [%s]", differs ? ",\n      " : "",
				    regions.data + 2);
			differs = true;
		}
		free(regions.data);
	}
	if (read_regions)
		free(data);
	text_printf(&t, "}\n");
	close(fd);
	if (!differs) {
		free(t.data);
		return 0;
	}
	return add_item(m, SECTION_GROUPS, &t);
}

/* One past the highest N of the names in rel shaped as format ("cpu%u%c"); 0 if none. */
static unsigned highest_numbered(const struct recorder *r, const char *rel, const char *format)
{
	size_t n;
	int err;
	char **names = list_dir(r, rel, &n, &err);
	unsigned highest = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned number;
		char tail;

		if (sscanf(names[i], format, &number, &tail) == 1 && number < 65536 &&
		    number + 1 > highest)
			highest = number + 1;
	}
	free_names(names, n);
	return highest;
}

/* CPUs and NUMA nodes as the source has them, so that local_cpus and friends agree. */
static void record_cpus_and_nodes(const struct recorder *r, struct model *m, unsigned max_node)
{
	m->cpus = highest_numbered(r, "sys/devices/system/cpu", "cpu%u%c");
	unsigned nodes_listed = highest_numbered(r, "sys/devices/system/node", "node%u%c");
	m->numa_nodes = nodes_listed > max_node ? nodes_listed : max_node;
	if (m->cpus == 0 || m->cpus > 8192) /* a copied tree often lacks sys/devices/system */
		m->cpus = m->cpus_seen ? m->cpus_seen : 8;
	if (m->numa_nodes > 64)
		m->numa_nodes = 64;
	/* Without sys/devices/system/node, the node count that splits the CPUs as seen. */
	for (unsigned k = m->numa_nodes; m->nodes_seen && !nodes_listed && k <= 64; k++) {
		struct topo_host host = { .cpus = m->cpus, .numa_nodes = k };
		bool fits = k <= m->cpus;

		for (int node = 0; fits && node < 64; node++) {
			unsigned first, last;

			if (!(m->nodes_seen >> node & 1))
				continue;
			host_node_cpus(&host, node, &first, &last);
			fits = first == m->node_first[node] && last == m->node_last[node];
		}
		if (fits) {
			m->numa_nodes = k;
			break;
		}
	}
	if (m->cpus < m->numa_nodes)
		m->cpus = m->numa_nodes;
}

/* A list item "  - NAME\n" (quoted when asked) for a section. */
static int add_list_item(struct model *m, int section, const char *name, bool quoted)
{
	struct text t = { 0 };

	text_printf(&t, quoted ? "  - \"%s\"\n" : "  - %s\n", name);
	return add_item(m, section, &t);
}

/* The model's items; a directory that is missing or unreadable simply adds none. */
static int record_model(struct recorder *r, struct model *m)
{
	unsigned max_node = 1;
	size_t n;
	int err, failed = 0;
	char **names = list_dir(r, "sys/bus/pci/devices", &n, &err);

	if (!names) {
		snprintf(r->error, r->error_size, "%s/sys/bus/pci/devices: %s", r->opt->root,
			 err ? strerror(err) : "no PCI devices");
		return -1;
	}
	struct pci_addr addr;
	for (size_t i = 0; i < n; i++)
		r->functions += pci_addr_parse(names[i], &addr);
	for (size_t i = 0, done = 0; i < n && !failed; i++) {
		if (!pci_addr_parse(names[i], &addr))
			continue;
		failed = record_device(r, m, names[i], &max_node);
		progress(r, "reading functions", ++done, r->functions);
	}
	free_names(names, n);

	names = list_dir(r, "sys/bus/pci/drivers", &n, &err);
	for (size_t i = 0; i < n && !failed; i++)
		if (is_driver_name(names[i]))
			failed = add_list_item(m, SECTION_DRIVERS, names[i], false);
	free_names(names, n);
	failed = failed ? failed : err == ENOMEM;

	names = list_dir(r, "sys/devices", &n, &err);
	for (size_t i = 0; i < n && !failed; i++) {
		struct topo_root_bus bus;
		char tail;

		if (sscanf(names[i], "pci%x:%hhx%c", &bus.domain, &bus.bus, &tail) == 2 &&
		    strlen(names[i]) >= 9)
			failed = add_list_item(m, SECTION_ROOT_BUSES, names[i] + 3, true);
	}
	free_names(names, n);
	failed = failed ? failed : err == ENOMEM;

	names = list_dir(r, "sys/kernel/iommu_groups", &n, &err);
	for (size_t i = 0; i < n && !failed; i++) {
		failed = record_group(r, m, names[i]);
		progress(r, "reading IOMMU groups", i + 1, n);
	}
	free_names(names, n);
	failed = failed ? failed : err == ENOMEM;

	if (failed) {
		snprintf(r->error, r->error_size, "out of memory");
		return -1;
	}
	record_cpus_and_nodes(r, m, max_node);
	m->vfio_cdev = faccessat(r->root_fd, "dev/iommu", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	return 0;
}

/* The model's text with the items not dropped; each item learns its lines. */
static char *assemble_model(const struct recorder *r, struct model *m)
{
	struct text t = { 0 };

	text_printf(&t, "scenario: %s\n", r->opt->name);
	text_printf(&t, "description: ");
	text_quoted(&t, (const unsigned char *)"Recorded by fakesys record", 26);
	text_printf(&t, "\nhost: {cpus: %u, numa_nodes: %u, vfio_cdev: %s}\n", m->cpus,
		    m->numa_nodes, m->vfio_cdev ? "true" : "false");
	size_t line = 4;
	for (int s = 0; s < N_SECTIONS; s++) {
		bool any = false;

		for (size_t i = 0; i < m->n_items; i++) {
			struct item *it = &m->items[i];

			if (it->section != s || it->dropped)
				continue;
			if (!any) {
				text_printf(&t, "%s:\n", section_keys[s]);
				line++;
				any = true;
			}
			it->first_line = line;
			line += count_lines(it->text, strlen(it->text));
			it->last_line = line - 1;
			text_printf(&t, "%s", it->text);
		}
	}
	if (t.failed) {
		free(t.data);
		return NULL;
	}
	return t.data;
}

/*
 * Loads text as a scenario through a memory file; on a refusal, drops the item the error
 * points into and tries again.
 */
static int load_model(struct recorder *r, struct model *m, struct scenario *sc, char **text_out)
{
	progress(r, "loading the model", 0, 0);
	for (int attempt = 0; attempt < MAX_LOAD_RETRIES; attempt++) {
		char *text = assemble_model(r, m);
		char path[64], error[SCENARIO_ERROR_MAX];

		if (!text) {
			snprintf(r->error, r->error_size, "out of memory");
			return -1;
		}
		int fd = memfd_create("fakesys-record", MFD_CLOEXEC);
		if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
			snprintf(r->error, r->error_size, "memfd: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			free(text);
			return -1;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		int rc = scenario_load(path, sc, error);
		close(fd);
		if (rc == 0) {
			*text_out = text;
			return 0;
		}
		free(text);

		unsigned long line = 0;
		const char *at = error + strlen(path);
		if (at[0] == ':')
			line = strtoul(at + 1, NULL, 10);
		struct item *culprit = NULL;
		for (size_t i = 0; i < m->n_items && line; i++)
			if (!m->items[i].dropped && line >= m->items[i].first_line &&
			    line <= m->items[i].last_line)
				culprit = &m->items[i];
		if (!culprit) {
			snprintf(r->error, r->error_size, "the recorded model does not load: %s",
				 at[0] == ':' ? at + 1 : error);
			return -1;
		}
		culprit->dropped = true;
		char first_line[128];
		snprintf(first_line, sizeof(first_line), "%.*s", (int)strcspn(culprit->text, "\n"),
			 culprit->text);
		report(r, "model: left '%s' to verbatim entries: %s", first_line,
		       strstr(at, ": ") ? strstr(at, ": ") + 2 : at);
		if (culprit->section == SECTION_DEVICES && r->summary->functions)
			r->summary->functions--;
	}
	snprintf(r->error, r->error_size, "the recorded model does not load");
	return -1;
}

/* ---- the walk: source against the model's tree ------------------------------------------ */

struct entry_list {
	char **lines; /* each a whole `  "path": {...}` line, or a block */
	size_t n, cap;
};

struct walk {
	struct recorder *r;
	const struct sysfs_tree *tree;
	struct sysfs_opener opener;
	struct entry_list out;
	size_t functions_compared; /* PCI function directories walked, for the progress */
	bool failed;
};

static void add_entry(struct walk *w, const char *path, struct text *value)
{
	struct text line = { 0 };

	if (value->failed) {
		w->failed = true;
		free(value->data);
		return;
	}
	text_printf(&line, "  ");
	text_quoted(&line, (const unsigned char *)path, strlen(path));
	text_printf(&line, ": %s\n", value->data);
	free(value->data);
	if (line.failed) {
		w->failed = true;
		free(line.data);
		return;
	}
	if (w->out.n == w->out.cap) {
		size_t cap = w->out.cap ? w->out.cap * 2 : 256;
		char **grown = realloc(w->out.lines, cap * sizeof(*grown));
		if (!grown) {
			w->failed = true;
			free(line.data);
			return;
		}
		w->out.lines = grown;
		w->out.cap = cap;
	}
	w->out.lines[w->out.n++] = line.data;
}

static void entry_simple(struct walk *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void entry_simple(struct walk *w, const char *path, const char *fmt, ...)
{
	struct text value = { 0 };
	char buf[PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_printf(&value, "%s", buf);
	add_entry(w, path, &value);
}

/* What a file reads as: its bytes, or the errno that opening or reading it gave. */
struct content {
	unsigned char *data;
	size_t len;
	int error;
};

static void model_content(const struct walk *w, sysfs_ino_t ino, struct content *c)
{
	struct sysfs_open_file *file;
	size_t cap = 4096;

	memset(c, 0, sizeof(*c));
	c->error = -sysfs_open(w->tree, ino, O_RDONLY, &w->opener, &file);
	if (c->error)
		return;
	if (!(c->data = malloc(cap))) {
		c->error = ENOMEM;
		sysfs_release(file);
		return;
	}
	for (;;) {
		if (c->len == cap) {
			unsigned char *grown = realloc(c->data, cap * 2);
			if (!grown) {
				c->error = ENOMEM;
				break;
			}
			c->data = grown;
			cap *= 2;
		}
		ssize_t n = sysfs_read(file, (char *)c->data + c->len, cap - c->len, c->len);
		if (n < 0) {
			c->error = (int)-n;
			break;
		}
		if (n == 0)
			break;
		c->len += (size_t)n;
	}
	if (c->error) {
		free(c->data);
		c->data = NULL;
		c->len = 0;
	}
	sysfs_release(file);
}

static bool same_content(const struct content *a, const struct content *b)
{
	return a->error == b->error && a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* resource0..5 (and _wc) and rom: reading I/O BARs reads the device's ports; never done. */
static bool touches_device(const char *name)
{
	if (strcmp(name, "rom") == 0)
		return true;
	if (strncmp(name, "resource", 8) != 0 || name[8] < '0' || name[8] > '9')
		return false;
	return name[9] == '\0' || strcmp(name + 9, "_wc") == 0;
}

static void file_entry(struct walk *w, const char *path, const struct stat *st,
		       const struct content *c)
{
	struct text value = { 0 };

	text_printf(&value, "{");
	if (c->error) {
		text_printf(&value, "error: %s",
			    verbatim_error_name(c->error) ? verbatim_error_name(c->error) : "EIO");
	} else if (is_plain_text(c->data, c->len)) {
		text_printf(&value, "text: ");
		text_quoted(&value, c->data, c->len);
	} else {
		text_printf(&value, "hex: \"");
		for (size_t i = 0; i < c->len; i++)
			text_printf(&value, "%s%02x", i && i % 32 == 0 ? " " : "", c->data[i]);
		text_printf(&value, "\"");
	}
	text_printf(&value, ", mode: %04o", st->st_mode & 07777);
	if ((uint64_t)st->st_size != SYSFS_PAGE_SIZE)
		text_printf(&value, ", size: %lld", (long long)st->st_size);
	text_printf(&value, "}");
	add_entry(w, path, &value);
}

static void walk_dir(struct walk *w, const char *rel, sysfs_ino_t model_dir, bool under_device);

/*
 * A directory the model lacks that is a device of another subsystem (net, block, virtio...):
 * it has a uevent. Mediated devices are VFIO's own and are kept whole.
 */
static bool is_foreign_device(const struct walk *w, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (join_path(path, sizeof(path), rel, "mdev_type") &&
	    fstatat(w->r->root_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return false;
	if (!join_path(path, sizeof(path), rel, "uevent"))
		return false;
	fd = open_beneath(w->r, path, O_RDONLY);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* One name of a directory both sides have (model_dir 0: the model has no such directory). */
static void walk_entry(struct walk *w, int dir_fd, const char *rel, const char *name,
		       sysfs_ino_t model_dir, bool under_device)
{
	char path[PATH_MAX];
	struct stat st;
	struct sysfs_stat mst;
	bool in_model = model_dir && sysfs_lookup(w->tree, model_dir, name, &mst) == 0;

	if (!join_path(path, sizeof(path), rel, name) ||
	    fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;

	if (S_ISDIR(st.st_mode)) {
		bool model_dir_too = in_model && S_ISDIR(mst.mode);
		struct pci_addr addr;
		bool function_dir = pci_addr_parse(name, &addr);
		bool device_dir = under_device || function_dir;

		if (!model_dir_too || (mst.mode & 07777) != (st.st_mode & 07777))
			entry_simple(w, path, "{dir: %04o}", st.st_mode & 07777);
		if (!model_dir_too && device_dir && !w->r->opt->children &&
		    is_foreign_device(w, path)) {
			report(w->r,
			       "%s: a device of another subsystem; contents left out "
			       "(--children keeps them)",
			       path);
			w->r->summary->left_out++;
			return;
		}
		walk_dir(w, path, model_dir_too ? mst.ino : 0, device_dir);
		if (function_dir) {
			size_t done = ++w->functions_compared;

			/* A source may hold more function directories than it lists. */
			progress(w->r, "comparing functions", done,
				 done > w->r->functions ? done : w->r->functions);
		}
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		char text[PATH_MAX], model_text[PATH_MAX];
		ssize_t n = readlinkat(dir_fd, name, text, sizeof(text) - 1);

		if (n < 0)
			return;
		text[n] = '\0';
		if (in_model && S_ISLNK(mst.mode) &&
		    sysfs_readlink(w->tree, mst.ino, model_text, sizeof(model_text)) == 0 &&
		    strcmp(text, model_text) == 0)
			return;
		struct text value = { 0 };
		text_printf(&value, "{link: ");
		text_quoted(&value, (const unsigned char *)text, strlen(text));
		text_printf(&value, "}");
		add_entry(w, path, &value);
		return;
	}
	if (S_ISCHR(st.st_mode)) {
		if (in_model && S_ISCHR(mst.mode) && mst.rdev_major == major(st.st_rdev) &&
		    mst.rdev_minor == minor(st.st_rdev) &&
		    (mst.mode & 07777) == (st.st_mode & 07777))
			return;
		entry_simple(w, path, "{char: \"%u:%u\", mode: %04o}", major(st.st_rdev),
			     minor(st.st_rdev), st.st_mode & 07777);
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;

	bool same_shape = in_model && S_ISREG(mst.mode) &&
			  (mst.mode & 07777) == (st.st_mode & 07777) &&
			  (!w->r->sysfs_sizes || mst.size == (uint64_t)st.st_size);
	struct content source = { 0 }, model = { 0 };
	if (touches_device(name)) {
		/* Not read: the model's reading stands, or EIO as for a memory BAR. */
		if (same_shape)
			return;
		if (in_model && S_ISREG(mst.mode))
			model_content(w, mst.ino, &source);
		else
			source.error = EIO;
	} else if (strcmp(name, "vpd") == 0 && !w->r->opt->keep_identifiers) {
		report(w->r, "%s: left out (serial numbers; --keep-identifiers keeps it)", path);
		w->r->summary->left_out++;
		if (in_model && S_ISREG(mst.mode))
			return;
		/* An empty vpd stands in: the file is there, its bytes are not. */
	} else if (!w->r->sysfs_sizes && !(st.st_mode & 0444)) {
		/* In a plain tree, a file nobody may read is an attribute without show. */
		source.error = EACCES;
	} else {
		int err = read_at(dir_fd, name, VERBATIM_DATA_MAX, &source.data, &source.len);

		/* A file without read bits refuses root too (kernfs: no show); only files
		 * that root could read were missed for want of it. */
		if (err == -EACCES && !w->r->privileged && (st.st_mode & 0444)) {
			report(w->r, "%s: %s (not root)%s", path, strerror(EACCES),
			       in_model ? "; the model's bytes stand in" : "");
			w->r->summary->unreadable++;
			if (in_model)
				return;
		} else if (err == -EFBIG) {
			report(w->r, "%s: larger than %u bytes; left out", path, VERBATIM_DATA_MAX);
			w->r->summary->unreadable++;
			return;
		}
		source.error = -err;
		if (!err && strcmp(name, "config") == 0 && !w->r->opt->keep_identifiers)
			scrub_serial_number(source.data, source.len);
	}
	if (same_shape) {
		model_content(w, mst.ino, &model);
		/* A plain tree cannot hold a read error: an empty file is what render wrote. */
		bool same = same_content(&source, &model) ||
			    (!w->r->sysfs_sizes && model.error && !source.error && !source.len);
		free(model.data);
		if (same) {
			free(source.data);
			return;
		}
	}
	struct stat shown = st;
	if (!w->r->sysfs_sizes)
		shown.st_size = in_model && S_ISREG(mst.mode) ? (off_t)mst.size : SYSFS_PAGE_SIZE;
	file_entry(w, path, &shown, &source);
	free(source.data);
}

static bool has_name(char **names, size_t n, const char *name)
{
	/* An empty directory lists no names at all: NULL, which bsearch must not be given. */
	return n && bsearch(&name, names, n, sizeof(*names), compare_names) != NULL;
}

static void walk_dir(struct walk *w, const char *rel, sysfs_ino_t model_dir, bool under_device)
{
	size_t n;
	int err;
	char **names = list_dir(w->r, rel, &n, &err);
	int fd;

	if (err == ENOMEM) {
		w->failed = true;
		return;
	}
	if (err) {
		report(w->r, "%s: %s", rel, strerror(err));
		w->r->summary->unreadable++;
		return;
	}
	fd = open_beneath(w->r, rel, O_RDONLY | O_DIRECTORY);
	for (size_t i = 0; fd >= 0 && i < n; i++)
		walk_entry(w, fd, rel, names[i], model_dir, under_device);
	if (fd >= 0)
		close(fd);

	/* What the model has and the source does not. */
	uint64_t cookie = 0;
	const char *name;
	struct sysfs_stat mst;
	while (model_dir && sysfs_readdir(w->tree, model_dir, &cookie, &name, &mst) == 0) {
		if (has_name(names, n, name))
			continue;
		char path[PATH_MAX];
		if (join_path(path, sizeof(path), rel, name))
			entry_simple(w, path, "absent");
	}
	free_names(names, n);
}

/* The model's inode of rel (0: none). */
static sysfs_ino_t model_ino(const struct sysfs_tree *tree, const char *rel, struct sysfs_stat *st)
{
	return sysfs_lookup_path(tree, rel, st) == 0 ? st->ino : 0;
}

/* One top-level part of the scope: a directory (or node) walked whole. */
static void walk_scope(struct walk *w, const char *rel)
{
	struct stat st;
	struct sysfs_stat mst;
	sysfs_ino_t ino = model_ino(w->tree, rel, &mst);

	if (fstatat(w->r->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (ino)
			entry_simple(w, rel, "absent");
		return;
	}
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", rel);
	char *slash = strrchr(parent, '/');
	*slash = '\0';
	int fd = open_beneath(w->r, parent, O_RDONLY | O_DIRECTORY);
	sysfs_ino_t parent_ino = model_ino(w->tree, parent, &mst);
	if (fd < 0) {
		report(w->r, "%s: %s", parent, strerror(-fd));
		return;
	}
	walk_entry(w, fd, parent, slash + 1, parent_ino, false);
	close(fd);
}

static int record_differences(struct recorder *r, struct scenario *sc, FILE *out)
{
	struct host_tree ht;
	struct walk w = { .r = r, .opener = { .privileged = r->privileged } };
	size_t n;
	int err;

	if (host_tree_build(&sc->topo, &ht) != 0) {
		snprintf(r->error, r->error_size, "out of memory building the model's tree");
		return -1;
	}
	w.tree = ht.tree;
	/* The bus and group listings come before the first function: the phase shows at 0. */
	progress(r, "comparing functions", 0, r->functions);

	static const char *const fixed[] = { "sys/bus/pci", "sys/kernel/iommu_groups" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		walk_scope(&w, fixed[i]);
	/* sys/devices/pci*: the source's root buses, and the model's the source lacks. */
	char **names = list_dir(r, "sys/devices", &n, &err);
	w.failed = w.failed || err == ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (strncmp(names[i], "pci", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "sys/devices/%s", names[i]);
		walk_scope(&w, path);
	}
	struct sysfs_stat mst;
	sysfs_ino_t devices = model_ino(ht.tree, "sys/devices", &mst);
	uint64_t cookie = 0;
	const char *name;
	while (devices && sysfs_readdir(ht.tree, devices, &cookie, &name, &mst) == 0)
		if (strncmp(name, "pci", 3) == 0 && !has_name(names, n, name)) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "sys/devices/%s", name);
			entry_simple(&w, path, "absent");
		}
	free_names(names, n);
	/* dev/ only when the source has one: a tree copied off a host often has sys alone. */
	struct stat st;
	if (fstatat(r->root_fd, "dev", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		walk_scope(&w, "dev/vfio");
		walk_scope(&w, "dev/iommu");
	} else {
		report(r, "dev: not in the source; /dev/vfio is the model's");
	}

	if (!w.failed && w.out.n) {
		qsort(w.out.lines, w.out.n, sizeof(*w.out.lines), compare_names);
		fprintf(out, "verbatim:\n");
		for (size_t i = 0; i < w.out.n; i++)
			fputs(w.out.lines[i], out);
	}
	r->summary->verbatim = w.out.n;
	for (size_t i = 0; i < w.out.n; i++)
		free(w.out.lines[i]);
	free(w.out.lines);
	host_tree_free(&ht);
	if (w.failed) {
		snprintf(r->error, r->error_size, "out of memory");
		return -1;
	}
	return 0;
}

int record_host(const struct record_options *options, FILE *out, struct record_summary *summary,
		char *error, size_t error_size)
{
	struct recorder r = {
		.opt = options,
		.summary = summary,
		.error = error,
		.error_size = error_size,
		.privileged = geteuid() == 0,
	};
	struct model m = { 0 };
	struct scenario sc;
	char *text = NULL;
	struct statfs fs;
	int rc = -1;

	memset(summary, 0, sizeof(*summary));
	r.root_fd = open(options->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.root_fd < 0) {
		snprintf(error, error_size, "%s: %s", options->root, strerror(errno));
		return -1;
	}
	int sys_fd = openat(r.root_fd, "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	r.sysfs_sizes = sys_fd >= 0 && fstatfs(sys_fd, &fs) == 0 && fs.f_type == SYSFS_MAGIC;
	if (sys_fd >= 0)
		close(sys_fd);

	if (record_model(&r, &m) == 0 && load_model(&r, &m, &sc, &text) == 0) {
		fputs("# fakesys record: the model first, then what the model does not reproduce\n",
		      out);
		fputs(text, out);
		rc = record_differences(&r, &sc, out);
		scenario_free(&sc);
		if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
			snprintf(error, error_size, "writing the scenario: %s", strerror(errno));
			rc = -1;
		}
	}
	free(text);
	for (size_t i = 0; i < m.n_items; i++)
		free(m.items[i].text);
	free(m.items);
	close(r.root_fd);
	return rc;
}
