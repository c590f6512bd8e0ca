/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: random sequences of the operations the FUSE layer makes on the tree
 * (lookup, getattr, readdir from any cookie, open, read at any offset, write of any bytes to
 * writable attributes, readlink, release, forget) on a host built afresh for every input from
 * the scenario in FAKESYS_FUZZ_SCENARIO. After the sequence the whole tree must still be what
 * sysfs is: every link resolves inside it, IOMMU group membership agrees from both sides, and
 * modes, sizes and link counts are those sysfs gives. A violation aborts, which libFuzzer
 * reports with the input that made it.
 */
#include "scenario.h"
#include "host_tree.h"
#include "verbatim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_KNOWN 256
#define MAX_OPS	  64

static const char *scenario_path;

/* What the input says next; zeros once it runs out. */
struct input {
	const uint8_t *data;
	size_t size, at;
};

static uint8_t next_byte(struct input *in)
{
	return in->at < in->size ? in->data[in->at++] : 0;
}

static uint32_t next_u32(struct input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | next_byte(in);
	return v;
}

/* The inodes the "kernel" has looked up and not forgotten, as the FUSE layer sees them. */
struct known {
	sysfs_ino_t ino[MAX_KNOWN];
	size_t n;
};

static void remember(struct known *k, sysfs_ino_t ino)
{
	if (k->n < MAX_KNOWN)
		k->ino[k->n++] = ino;
	else
		k->ino[ino % MAX_KNOWN] = ino;
}

static void violated(const char *what, const char *path)
{
	fprintf(stderr, "invariant violated: %s: %s\n", what, path);
	abort();
}

/* Modes sysfs gives: no execute bit on files, directories 0755 (0555 for /sys), links 0777;
 * or the mode a chmod set, whatever it was. */
static void check_stat(const struct sysfs_stat *st, const char *path)
{
	if (st->set.valid & SYSFS_SET_MODE) {
		if ((st->mode & 07777) != st->set.mode)
			violated("a mode that is not the one set", path);
		if (S_ISDIR(st->mode) && st->nlink < 2)
			violated("a directory's link count", path);
		return;
	}
	switch (st->mode & S_IFMT) {
	case S_IFREG:
		if (st->mode & 0111)
			violated("an attribute is executable", path);
		if (st->size == 0 || st->nlink != 1)
			violated("an attribute's size or link count", path);
		break;
	case S_IFDIR:
		if ((st->mode & 07777) != 0755 && (st->mode & 07777) != 0555)
			violated("a directory's mode", path);
		if (st->nlink < 2)
			violated("a directory's link count", path);
		break;
	case S_IFLNK:
		if ((st->mode & 07777) != 0777)
			violated("a link's mode", path);
		break;
	case S_IFCHR:
		break;
	default:
		violated("a kind sysfs does not have", path);
	}
}

/* Where the link at link_path leads (text: its text), as a path from the root. */
static bool resolve_link(const char *link_path, const char *text, char *out, size_t size)
{
	char dir[8192];
	const char *slash = strrchr(link_path, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - link_path) : 0, link_path);
	return sysfs_link_resolve(dir, text, out, size);
}

/* The whole tree, checked: entries as readdir and lookup give them agree, links resolve,
 * a directory's link count is two plus its subdirectories. */
static void check_tree(const struct sysfs_tree *tree, sysfs_ino_t dir, const char *dir_path,
		       int depth)
{
	uint64_t cookie = 0;
	const char *name;
	struct sysfs_stat st, again;
	uint32_t subdirs = 0;
	char path[4096], text[4096], target[4096];

	if (depth > 32)
		violated("a tree deeper than sysfs", dir_path);
	while (sysfs_readdir(tree, dir, &cookie, &name, &st) == 0) {
		snprintf(path, sizeof(path), "%s%s%s", dir_path, *dir_path ? "/" : "", name);
		check_stat(&st, path);
		if (sysfs_lookup(tree, dir, name, &again) != 0 || again.ino != st.ino ||
		    again.mode != st.mode)
			violated("readdir and lookup disagree", path);
		if (S_ISDIR(st.mode)) {
			subdirs++;
			check_tree(tree, st.ino, path, depth + 1);
		} else if (S_ISLNK(st.mode)) {
			if (sysfs_readlink(tree, st.ino, text, sizeof(text)) != 0 ||
			    !resolve_link(path, text, target, sizeof(target)) ||
			    sysfs_lookup_path(tree, target, &again) != 0)
				violated("a link that leads nowhere in the tree", path);
		}
	}
	if (sysfs_stat(tree, dir, &st) != 0 || st.nlink != 2 + subdirs)
		violated("a directory's link count is not 2 + its subdirectories", dir_path);
}

/* Where the link at path (no link above it) leads, as a path from the root; false if it is
 * no link or leads out of the tree. */
static bool follow(const struct sysfs_tree *tree, const char *path, char *out, size_t size)
{
	struct sysfs_stat st;
	char text[4096];

	return sysfs_lookup_path(tree, path, &st) == 0 && S_ISLNK(st.mode) &&
	       sysfs_readlink(tree, st.ino, text, sizeof(text)) == 0 &&
	       resolve_link(path, text, out, size);
}

/* The group a PCI function's iommu_group link leads to ("" without one), found from its
 * sys/bus/pci/devices entry, itself a link (lookups here follow none). */
static bool group_of_function(const struct sysfs_tree *tree, const char *bdf, char *out,
			      size_t size)
{
	char path[4096], device[4096];
	struct sysfs_stat st;

	snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", bdf);
	if (!follow(tree, path, device, sizeof(device)))
		violated("a bus/pci/devices entry that leads nowhere", bdf);
	snprintf(path, sizeof(path), "%s/iommu_group", device);
	out[0] = '\0';
	if (sysfs_lookup_path(tree, path, &st) != 0)
		return false;
	if (!follow(tree, path, out, size))
		violated("an iommu_group that leads nowhere", bdf);
	return true;
}

/* sys/kernel/iommu_groups/<N>/devices/<BDF> exactly when <BDF>/iommu_group leads to <N>. */
static void check_groups(const struct sysfs_tree *tree)
{
	struct sysfs_stat groups, group, members, st;
	uint64_t cookie = 0, member_cookie;
	const char *name, *member;
	char path[4096], target[4096];
	size_t from_groups = 0, from_devices = 0;

	if (sysfs_lookup_path(tree, "sys/kernel/iommu_groups", &groups) != 0)
		return;
	while (sysfs_readdir(tree, groups.ino, &cookie, &name, &group) == 0) {
		if (sysfs_lookup(tree, group.ino, "devices", &members) != 0)
			violated("a group without devices", name);
		member_cookie = 0;
		while (sysfs_readdir(tree, members.ino, &member_cookie, &member, &st) == 0) {
			/* Mediated devices are not on the PCI bus; every PCI member links back. */
			snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", member);
			if (sysfs_lookup_path(tree, path, &st) != 0)
				continue;
			if (!group_of_function(tree, member, target, sizeof(target)))
				violated("a group member without its iommu_group link", member);
			snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s", name);
			if (strcmp(target, path) != 0)
				violated("a member whose iommu_group is another group", member);
			from_groups++;
		}
	}
	cookie = 0;
	if (sysfs_lookup_path(tree, "sys/bus/pci/devices", &members) != 0)
		violated("no sys/bus/pci/devices", "");
	while (sysfs_readdir(tree, members.ino, &cookie, &member, &st) == 0)
		from_devices += group_of_function(tree, member, target, sizeof(target));
	if (from_groups != from_devices)
		violated("group membership differs between the two sides", "iommu_groups");
	/* Every scenario fuzzed has PCI functions in groups: counting none checked nothing. */
	if (from_groups == 0)
		violated("no PCI function found in any group", "iommu_groups");
}

/* Values a store is likely to act on, so that writes change the host and not only fail. */
static const char *const words[] = {
	"1",	     "0",   "vfio-pci", "\n",	"0000:3b:00.0", "0000:3b:00.1", "4\n",
	"8086 1572", "DMA", "identity", "auto", "on",		"bus",		"",
};

static void write_some(struct sysfs_tree *tree, sysfs_ino_t ino, struct input *in,
		       const struct sysfs_opener *opener)
{
	struct sysfs_open_file *file;
	uint8_t choice = next_byte(in);
	char buf[SYSFS_PAGE_SIZE + 16];
	size_t len;

	if (sysfs_open(tree, ino, O_WRONLY, opener, &file) != 0)
		return;
	if (choice < 128) {
		len = strlen(words[choice % (sizeof(words) / sizeof(words[0]))]);
		memcpy(buf, words[choice % (sizeof(words) / sizeof(words[0]))], len);
	} else {
		len = next_byte(in) % 64;
		for (size_t i = 0; i < len; i++)
			buf[i] = (char)next_byte(in);
	}
	ssize_t n = sysfs_write(file, buf, len);
	if (n > (ssize_t)len)
		violated("a store took more than it was given", "write");
	sysfs_release(file);
}

static void read_some(struct sysfs_tree *tree, sysfs_ino_t ino, struct input *in,
		      const struct sysfs_opener *opener)
{
	struct sysfs_open_file *file;
	char buf[8192];

	if (sysfs_open(tree, ino, O_RDONLY, opener, &file) != 0)
		return;
	for (int reads = next_byte(in) % 4; reads >= 0; reads--) {
		uint64_t offset = next_u32(in) % 10000;
		size_t size = next_u32(in) % sizeof(buf);
		ssize_t n = sysfs_read(file, buf, size, offset);

		if (n > (ssize_t)size)
			violated("a read returned more than asked", "read");
	}
	sysfs_release(file);
}

/* The change log the FUSE layer would turn into cache invalidations. */
static void drain_changes(struct sysfs_tree *tree)
{
	struct sysfs_change *changes;
	size_t n = sysfs_tree_take_changes(tree, &changes);

	sysfs_changes_free(changes, n);
}

static void run_ops(struct sysfs_tree *tree, struct input *in)
{
	struct known known = { .ino = { SYSFS_ROOT_INO }, .n = 1 };
	struct sysfs_opener opener;
	struct sysfs_stat st;
	const char *name;
	char text[4096];

	for (int op = 0; op < MAX_OPS && in->at < in->size; op++) {
		uint8_t verb = next_byte(in);
		sysfs_ino_t ino = known.ino[next_byte(in) % known.n];
		uint64_t cookie = 0;

		opener.privileged = verb & 0x80;
		switch (verb % 8) {
		case 0: /* lookup of an entry the listing gives, the nth one */
		case 1:
			for (uint8_t skip = next_byte(in);
			     sysfs_readdir(tree, ino, &cookie, &name, &st) == 0; skip--) {
				if (skip == 0) {
					if (sysfs_lookup(tree, ino, name, &st) != 0)
						violated("a listed name is not found", name);
					remember(&known, st.ino);
					break;
				}
			}
			break;
		case 2: /* lookup of any name */
			text[0] = '\0';
			/* Any bytes but the two no name holds. */
			for (uint8_t len = next_byte(in) % 16, i = 0; i < len; i++) {
				uint8_t c = next_byte(in);

				text[i] = (char)(c == '/' || c == '\0' ? '_' : c);
				text[i + 1] = '\0';
			}
			if (sysfs_lookup(tree, ino, text, &st) == 0)
				remember(&known, st.ino);
			break;
		case 3: /* readdir from any position: never fails but for what is not a dir */
			cookie = (uint64_t)next_u32(in) << 32 | next_u32(in);
			for (int i = 0; i < 8 && sysfs_readdir(tree, ino, &cookie, &name, &st) == 0;
			     i++)
				check_stat(&st, name);
			break;
		case 4:
			read_some(tree, ino, in, &opener);
			break;
		case 5:
			if (sysfs_stat(tree, ino, &st) == 0 && S_ISREG(st.mode) && (st.mode & 0222))
				write_some(tree, ino, in, &opener);
			drain_changes(tree);
			break;
		case 6:
			if (sysfs_stat(tree, ino, &st) == 0) {
				check_stat(&st, "getattr");
				if (S_ISLNK(st.mode) &&
				    sysfs_readlink(tree, ino, text, sizeof(text)) != 0)
					violated("a link without text", "readlink");
			}
			break;
		case 7:
			if (verb & 0x40) { /* chmod, chown, utimes: kept and shown, the kind kept */
				struct sysfs_setattr change = { .valid = next_byte(in) & 0x3f,
								.mode = (uint16_t)next_u32(in) &
									07777,
								.uid = next_u32(in),
								.gid = next_u32(in) };
				struct sysfs_stat before, after;

				if (sysfs_stat(tree, ino, &before) != 0)
					break;
				if (sysfs_setattr(tree, ino, &change) != 0 ||
				    sysfs_stat(tree, ino, &after) != 0)
					violated("a setattr of a live inode failed", "setattr");
				if ((after.mode & S_IFMT) != (before.mode & S_IFMT) ||
				    (after.set.valid & change.valid) != change.valid ||
				    ((change.valid & SYSFS_SET_MODE) &&
				     (after.mode & 07777) != change.mode) ||
				    ((change.valid & SYSFS_SET_UID) && after.set.uid != change.uid))
					violated("a setattr not kept as asked", "setattr");
				check_stat(&after, "setattr");
			} else if (known.n > 1) { /* forget */
				known.ino[next_byte(in) % known.n] = known.ino[--known.n];
			}
			break;
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	scenario_path = getenv("FAKESYS_FUZZ_SCENARIO");
	if (!scenario_path) {
		fprintf(stderr, "fuzz_tree_ops: set FAKESYS_FUZZ_SCENARIO to a scenario file\n");
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char error[SCENARIO_ERROR_MAX];
	struct scenario sc;
	struct host_tree ht;
	struct input in = { data, size, 0 };

	if (scenario_load(scenario_path, &sc, error) != 0) {
		fprintf(stderr, "%s\n", error);
		abort();
	}
	if (scenario_tree_build(&sc, &ht, error) != 0) {
		fprintf(stderr, "%s\n", error);
		abort();
	}
	run_ops(ht.tree, &in);
	check_tree(ht.tree, SYSFS_ROOT_INO, "", 0);
	check_groups(ht.tree);
	host_tree_free(&ht);
	scenario_free(&sc);
	return 0;
}
