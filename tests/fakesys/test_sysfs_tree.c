/* SPDX-License-Identifier: MIT */
/* The kernfs-like tree: link text by the kernfs rule, lookup, listing, stat and open rules. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs_tree.h"

static int shows;

static ssize_t hello_show(const void *obj, const struct sysfs_opener *opener, char *buf,
			  size_t size)
{
	(void)obj;
	(void)opener;
	shows++;
	return sysfs_emit(buf, size, "hello\n");
}

static ssize_t fail_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	(void)obj, (void)opener, (void)buf, (void)size;
	return -EIO;
}

/* What the last store saw, to check what sysfs_write hands over. */
static char stored[SYSFS_PAGE_SIZE + 1];
static size_t stored_len;
static int stores;

static ssize_t store_any(void *obj, const struct sysfs_opener *opener, const char *buf, size_t len)
{
	(void)obj, (void)opener;
	ck_assert_uint_le(len, SYSFS_PAGE_SIZE);
	ck_assert_int_eq(buf[len], '\0');
	memcpy(stored, buf, len + 1);
	stored_len = len;
	stores++;
	return (ssize_t)len;
}

static ssize_t blob_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	size_t n = opener->privileged ? size : 4;

	(void)obj;
	memset(buf, 0xab, n);
	return (ssize_t)n;
}

static size_t blob_size(const void *obj)
{
	(void)obj;
	return 16;
}

static const struct sysfs_attr attr_ro = { .name = "ro", .mode = 0444, .show = hello_show };
static const struct sysfs_attr attr_rw_no_store = { .name = "rw",
						    .mode = 0644,
						    .show = hello_show };
static const struct sysfs_attr attr_wo = { .name = "wo", .mode = 0200, .store = store_any };
static const struct sysfs_attr attr_eio = { .name = "eio", .mode = 0644, .show = fail_show };
static const struct sysfs_attr attr_hidden = { .name = "hidden", .mode = 0444, .show = hello_show };
static const struct sysfs_attr attr_blob = {
	.name = "blob", .mode = 0644, .show = blob_show, .size = blob_size
};

static const struct sysfs_attr *const main_attrs[] = { &attr_ro,     &attr_rw_no_store, &attr_wo,
						       &attr_hidden, &attr_blob,	NULL };
static const struct sysfs_attr *const sub_attrs[] = { &attr_eio, NULL };

static uint16_t hide_hidden(const void *obj, const struct sysfs_attr *attr)
{
	(void)obj;
	return attr == &attr_hidden ? 0 : attr->mode;
}

static const struct sysfs_attr_group main_group = { .attrs = main_attrs,
						    .is_visible = hide_hidden };
static const struct sysfs_attr_group power_group = { .name = "power", .attrs = sub_attrs };
static const struct sysfs_attr_group *const groups[] = { &main_group, &power_group, NULL };

struct fixture {
	struct sysfs_tree *tree;
	struct sysfs_node *sys, *devices, *root_bus, *port, *nic, *bus_pci_devices, *group;
	struct sysfs_node *link_bus, *link_group_member, *link_iommu_group, *link_device;
};

/* The shape of the reference's nested example: pci0000:00/0000:00:1c.0/0000:03:00.0. */
static void build(struct fixture *f)
{
	struct sysfs_node *root, *bus, *pci, *kernel, *groups_dir, *members, *pci_bus, *bus03;

	f->tree = sysfs_tree_new();
	ck_assert_ptr_nonnull(f->tree);
	root = sysfs_tree_root(f->tree);
	f->sys = sysfs_add_dir(f->tree, root, "sys", NULL, NULL);
	f->devices = sysfs_add_dir(f->tree, f->sys, "devices", NULL, NULL);
	f->root_bus = sysfs_add_dir(f->tree, f->devices, "pci0000:00", NULL, NULL);
	f->port = sysfs_add_dir(f->tree, f->root_bus, "0000:00:1c.0", groups, NULL);
	f->nic = sysfs_add_dir(f->tree, f->port, "0000:03:00.0", groups, NULL);
	bus = sysfs_add_dir(f->tree, f->sys, "bus", NULL, NULL);
	pci = sysfs_add_dir(f->tree, bus, "pci", NULL, NULL);
	f->bus_pci_devices = sysfs_add_dir(f->tree, pci, "devices", NULL, NULL);
	kernel = sysfs_add_dir(f->tree, f->sys, "kernel", NULL, NULL);
	groups_dir = sysfs_add_dir(f->tree, kernel, "iommu_groups", NULL, NULL);
	f->group = sysfs_add_dir(f->tree, groups_dir, "37", NULL, NULL);
	members = sysfs_add_dir(f->tree, f->group, "devices", NULL, NULL);
	pci_bus = sysfs_add_dir(f->tree, f->root_bus, "pci_bus", NULL, NULL);
	bus03 = sysfs_add_dir(f->tree, pci_bus, "0000:00", NULL, NULL);

	f->link_bus = sysfs_add_link(f->tree, f->bus_pci_devices, "0000:03:00.0", f->nic);
	f->link_group_member = sysfs_add_link(f->tree, members, "0000:03:00.0", f->nic);
	f->link_iommu_group = sysfs_add_link(f->tree, f->nic, "iommu_group", f->group);
	f->link_device = sysfs_add_link(f->tree, bus03, "device", f->root_bus);
	ck_assert_ptr_nonnull(f->link_device);
}

static void link_is(const struct fixture *f, const struct sysfs_node *link, const char *want)
{
	char buf[256];

	ck_assert_int_eq(sysfs_readlink(f->tree, sysfs_node_ino(link), buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
}

START_TEST(link_text_follows_the_kernfs_rule)
{
	struct fixture f;

	build(&f);
	/* The targets in the reference's table (section 2.5). */
	link_is(&f, f.link_bus, "../../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0");
	link_is(&f, f.link_group_member,
		"../../../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0");
	link_is(&f, f.link_iommu_group, "../../../../kernel/iommu_groups/37");
	link_is(&f, f.link_device, "../../../pci0000:00");

	char small[8];
	ck_assert_int_eq(sysfs_readlink(f.tree, sysfs_node_ino(f.link_bus), small, sizeof(small)),
			 -ENAMETOOLONG);
	ck_assert_int_eq(sysfs_readlink(f.tree, sysfs_node_ino(f.nic), small, sizeof(small)),
			 -EINVAL);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(lookup_finds_children_and_visible_attributes)
{
	struct fixture f;
	struct sysfs_stat st;

	build(&f);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.port), "0000:03:00.0", &st), 0);
	ck_assert_uint_eq(st.ino, sysfs_node_ino(f.nic));
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);

	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "ro", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFREG | 0444);
	ck_assert_uint_eq(st.size, SYSFS_PAGE_SIZE);
	ck_assert_uint_eq(st.nlink, 1);
	sysfs_ino_t ro_ino = st.ino;
	struct sysfs_stat again;
	ck_assert_int_eq(sysfs_stat(f.tree, ro_ino, &again), 0);
	ck_assert_mem_eq(&again, &st, sizeof(st));

	/* The same attribute of another object is another inode. */
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.port), "ro", &st), 0);
	ck_assert_uint_ne(st.ino, ro_ino);

	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "blob", &st), 0);
	ck_assert_uint_eq(st.size, 16);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "hidden", &st), -ENOENT);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "nope", &st), -ENOENT);
	/* A named group's attributes live in its subdirectory only. */
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "eio", &st), -ENOENT);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "power", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
	ck_assert_int_eq(sysfs_lookup(f.tree, st.ino, "eio", &st), 0);
	ck_assert_int_eq(sysfs_lookup(f.tree, ro_ino, "x", &st), -ENOTDIR);

	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "iommu_group", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFLNK | 0777);
	ck_assert_uint_eq(st.size, 0);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(directory_nlink_counts_subdirectories)
{
	struct fixture f;
	struct sysfs_stat st;

	build(&f);
	/* pci0000:00 holds 0000:00:1c.0 and pci_bus. */
	ck_assert_int_eq(sysfs_stat(f.tree, sysfs_node_ino(f.root_bus), &st), 0);
	ck_assert_uint_eq(st.nlink, 4);
	/* 0000:00:1c.0 holds power/ and 0000:03:00.0. */
	ck_assert_int_eq(sysfs_stat(f.tree, sysfs_node_ino(f.port), &st), 0);
	ck_assert_uint_eq(st.nlink, 4);
	ck_assert_int_eq(sysfs_stat(f.tree, 0, &st), -ENOENT);
	ck_assert_int_eq(sysfs_stat(f.tree, 1u << 30, &st), -ENOENT);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(readdir_lists_everything_once_and_resumes_from_any_cookie)
{
	struct fixture f;
	const char *name;
	const char *seen[8];
	struct sysfs_stat st;
	uint64_t cookies[8];
	uint64_t cookie = 0;
	size_t n = 0;

	build(&f);
	sysfs_tree_finish(f.tree);
	sysfs_ino_t dir = sysfs_node_ino(f.nic);
	while (sysfs_readdir(f.tree, dir, &cookie, &name, &st) == 0) {
		ck_assert_uint_lt(n, 6);
		seen[n] = name;
		cookies[n++] = cookie;
	}
	/* power/, the link, and the four visible attributes, each once. */
	ck_assert_uint_eq(n, 6);
	const char *want[] = { "power", "iommu_group", "ro", "rw", "wo", "blob" };
	for (size_t w = 0; w < 6; w++) {
		size_t hits = 0;

		for (size_t i = 0; i < n; i++)
			hits += strcmp(seen[i], want[w]) == 0;
		ck_assert_msg(hits == 1, "%s listed %zu times", want[w], hits);
	}
	/* Resuming after entry i yields entry i + 1. */
	for (size_t i = 0; i + 1 < n; i++) {
		cookie = cookies[i];
		ck_assert_int_eq(sysfs_readdir(f.tree, dir, &cookie, &name, &st), 0);
		ck_assert_str_eq(name, seen[i + 1]);
	}
	cookie = cookies[n - 1];
	ck_assert_int_eq(sysfs_readdir(f.tree, dir, &cookie, &name, &st), 1);
	cookie = 0;
	ck_assert_int_eq(sysfs_readdir(f.tree, sysfs_node_ino(f.link_bus), &cookie, &name, &st),
			 -ENOTDIR);
	sysfs_tree_free(f.tree);
}
END_TEST

static const struct sysfs_attr *const vm_attrs[] = {
	&(const struct sysfs_attr){ .name = "vendor", .mode = 0444, .show = hello_show },
	&(const struct sysfs_attr){ .name = "dma_mask_bits", .mode = 0444, .show = hello_show },
	&(const struct sysfs_attr){ .name = "subsystem_device", .mode = 0444, .show = hello_show },
	&(const struct sysfs_attr){
		.name = "broken_parity_status", .mode = 0444, .show = hello_show },
	&(const struct sysfs_attr){ .name = "power_state", .mode = 0444, .show = hello_show },
	&(const struct sysfs_attr){ .name = "uevent", .mode = 0444, .show = hello_show },
	NULL,
};
static const struct sysfs_attr_group vm_group = { .attrs = vm_attrs };
static const struct sysfs_attr_group *const vm_groups[] = { &vm_group, NULL };

/*
 * The orders getdents gives on a real sysfs (observed with ls -f on a 6.x kernel): kernfs sorts
 * by name hash, whatever order the entries were created in.
 */
START_TEST(listing_order_is_the_kernels)
{
	struct sysfs_tree *tree = sysfs_tree_new();
	struct sysfs_node *devices =
		sysfs_add_dir(tree, sysfs_tree_root(tree), "devices", NULL, NULL);
	struct sysfs_node *dev = sysfs_add_dir(tree, sysfs_tree_root(tree), "dev", vm_groups, NULL);
	const char *bus_order[] = { "0000:00:01.0", "0000:00:04.0", "0000:00:00.0",
				    "0000:00:03.0", "0000:00:02.0", "0000:00:05.0" };
	const char *attr_order[] = { "uevent",		 "power_state",	  "broken_parity_status",
				     "subsystem_device", "dma_mask_bits", "vendor" };
	char name[16];
	const char *listed;
	struct sysfs_stat st;
	uint64_t cookie = 0;

	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "0000:00:%02x.0", i);
		ck_assert_ptr_nonnull(sysfs_add_link(tree, devices, name, dev));
	}
	sysfs_tree_finish(tree);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(
			sysfs_readdir(tree, sysfs_node_ino(devices), &cookie, &listed, &st), 0);
		ck_assert_str_eq(listed, bus_order[i]);
	}
	cookie = 0;
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(sysfs_readdir(tree, sysfs_node_ino(dev), &cookie, &listed, &st),
				 0);
		ck_assert_str_eq(listed, attr_order[i]);
	}
	sysfs_tree_free(tree);
}
END_TEST

START_TEST(open_refuses_what_kernfs_refuses)
{
	struct fixture f;
	struct sysfs_open_file *file;
	struct sysfs_opener root = { .privileged = true };
	struct sysfs_stat st;

	build(&f);
	sysfs_ino_t dir = sysfs_node_ino(f.nic);
	ck_assert_int_eq(sysfs_lookup(f.tree, dir, "ro", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_WRONLY, &root, &file), -EACCES);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_RDWR, &root, &file), -EACCES);
	/* 0644 but no store: still no writing, even for root. */
	ck_assert_int_eq(sysfs_lookup(f.tree, dir, "rw", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_WRONLY, &root, &file), -EACCES);
	/* Write-only: no reading. */
	ck_assert_int_eq(sysfs_lookup(f.tree, dir, "wo", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_RDONLY, &root, &file), -EACCES);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_WRONLY, &root, &file), 0);
	sysfs_release(file);
	ck_assert_int_eq(sysfs_open(f.tree, dir, O_RDONLY, &root, &file), -EISDIR);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(reads_render_once_per_pass_and_honour_offsets)
{
	struct fixture f;
	struct sysfs_open_file *file;
	struct sysfs_opener root = { .privileged = true };
	struct sysfs_stat st;
	char buf[64];

	build(&f);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "ro", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_RDONLY, &root, &file), 0);
	shows = 0;
	/* pread at an offset before any read still sees the whole value. */
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 2), 4);
	ck_assert_mem_eq(buf, "llo\n", 4);
	ck_assert_int_eq(sysfs_read(file, buf, 2, 0), 2);
	ck_assert_mem_eq(buf, "he", 2);
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 2), 4);
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 6), 0);
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 4096), 0);
	ck_assert_int_eq(shows, 2); /* the first read, and the read at offset 0 */
	sysfs_release(file);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(show_errors_and_opener_privilege_reach_the_reader)
{
	struct fixture f;
	struct sysfs_open_file *file;
	struct sysfs_opener root = { .privileged = true }, user = { .privileged = false };
	struct sysfs_stat st, power;
	char buf[64];

	build(&f);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "power", &power), 0);
	ck_assert_int_eq(sysfs_lookup(f.tree, power.ino, "eio", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_RDONLY, &root, &file), 0);
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 0), -EIO);
	sysfs_release(file);

	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "blob", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_RDONLY, &root, &file), 0);
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 0), 16);
	sysfs_release(file);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_RDONLY, &user, &file), 0);
	ck_assert_int_eq(sysfs_read(file, buf, sizeof(buf), 0), 4);
	sysfs_release(file);
	sysfs_tree_free(f.tree);
}
END_TEST

/* The names readdir lists in dir, joined by spaces. */
static void listing_of(const struct sysfs_tree *tree, const struct sysfs_node *dir, char *out,
		       size_t size)
{
	uint64_t cookie = 0;
	const char *name;
	struct sysfs_stat st;

	out[0] = '\0';
	while (sysfs_readdir(tree, sysfs_node_ino(dir), &cookie, &name, &st) == 0) {
		strncat(out, name, size - strlen(out) - 2);
		strcat(out, " ");
	}
}

START_TEST(removal_and_replacement_after_building)
{
	struct fixture f;
	struct sysfs_stat st;
	char before[512], after[512];

	build(&f);
	sysfs_tree_finish(f.tree);
	listing_of(f.tree, f.nic, before, sizeof(before));
	ck_assert_ptr_nonnull(strstr(before, "ro "));

	/* A table attribute taken away: not found, not listed, the rest unchanged. */
	ck_assert_int_eq(sysfs_remove(f.tree, f.nic, "ro"), 0);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "ro", &st), -ENOENT);
	/* A node taken away, with its subtree; the directory's link count follows. */
	ck_assert_int_eq(sysfs_remove(f.tree, f.nic, "power"), 0);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "power", &st), -ENOENT);
	ck_assert_ptr_null(sysfs_find_child(f.tree, f.nic, "power"));
	ck_assert_int_eq(sysfs_stat(f.tree, sysfs_node_ino(f.nic), &st), 0);
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_int_eq(sysfs_remove(f.tree, f.nic, "no-such-name"), -ENOENT);
	ck_assert_int_eq(sysfs_remove(f.tree, f.nic, "ro"), -ENOENT);

	/* A name given back: a literal link where the attribute was, listed once. */
	struct sysfs_node *link = sysfs_add_link_text(f.tree, f.nic, "ro", "../anywhere/at all");
	ck_assert_ptr_nonnull(link);
	sysfs_tree_finish(f.tree);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "ro", &st), 0);
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFLNK);
	link_is(&f, link, "../anywhere/at all");
	char small[4];
	ck_assert_int_eq(sysfs_readlink(f.tree, sysfs_node_ino(link), small, sizeof(small)),
			 -ENAMETOOLONG);
	listing_of(f.tree, f.nic, after, sizeof(after));
	ck_assert_ptr_nonnull(strstr(after, "ro "));
	ck_assert_ptr_null(strstr(strstr(after, "ro ") + 3, " ro "));
	ck_assert_ptr_null(strstr(after, "power"));
	ck_assert_uint_eq(strlen(after), strlen(before) - strlen("power "));

	/* The other device's table attributes are untouched. */
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.port), "ro", &st), 0);
	ck_assert_uint_eq(st.mode & S_IFMT, S_IFREG);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(writes_are_one_store_each_as_kernfs_hands_them)
{
	struct fixture f;
	struct sysfs_stat st;
	struct sysfs_open_file *file;
	const struct sysfs_opener opener = { .privileged = true };
	static char big[SYSFS_PAGE_SIZE + 1];

	build(&f);
	sysfs_tree_finish(f.tree);
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "wo", &st), 0);
	ck_assert_int_eq(sysfs_open(f.tree, st.ino, O_WRONLY, &opener, &file), 0);
	stores = 0;
	ck_assert_int_eq(sysfs_write(file, "0000:03:00.0\n", 13), 13);
	ck_assert_uint_eq(stored_len, 13);
	ck_assert_str_eq(stored, "0000:03:00.0\n");
	/* Nothing to store for an empty write; past a page, E2BIG and no store. */
	ck_assert_int_eq(sysfs_write(file, "", 0), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(sysfs_write(file, big, SYSFS_PAGE_SIZE + 1), -E2BIG);
	ck_assert_int_eq(stores, 1);
	ck_assert_int_eq(sysfs_write(file, big, SYSFS_PAGE_SIZE), SYSFS_PAGE_SIZE);
	ck_assert_int_eq(stores, 2);
	ck_assert_uint_eq(strlen(stored), SYSFS_PAGE_SIZE);
	sysfs_release(file);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(many_children_are_found_by_name)
{
	struct sysfs_tree *tree = sysfs_tree_new();
	struct sysfs_node *dir = sysfs_add_dir(tree, sysfs_tree_root(tree), "devices", NULL, NULL);
	char name[32];
	struct sysfs_stat st;

	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "0000:%02x:%02x.%x", i >> 8, (i >> 3) & 0x1f, i & 7);
		ck_assert_ptr_nonnull(sysfs_add_link(tree, dir, name, dir));
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "0000:%02x:%02x.%x", i >> 8, (i >> 3) & 0x1f, i & 7);
		ck_assert_int_eq(sysfs_lookup(tree, sysfs_node_ino(dir), name, &st), 0);
	}
	ck_assert_int_eq(sysfs_lookup(tree, sysfs_node_ino(dir), "0000:ff:00.0", &st), -ENOENT);
	sysfs_tree_free(tree);
}
END_TEST

/* A directory of links named 0..n-1 but those in skip, as a tree of its own. */
static struct sysfs_tree *numbered_links(int n, int skip_a, int skip_b, struct sysfs_node **dir)
{
	struct sysfs_tree *tree = sysfs_tree_new();
	char name[16];

	ck_assert_ptr_nonnull(tree);
	*dir = sysfs_add_dir(tree, sysfs_tree_root(tree), "devices", groups, NULL);
	ck_assert_ptr_nonnull(*dir);
	for (int i = 0; i < n; i++) {
		if (i == skip_a || i == skip_b)
			continue;
		snprintf(name, sizeof(name), "%d", i);
		ck_assert_ptr_nonnull(sysfs_add_link_text(tree, *dir, name, "../x"));
	}
	sysfs_tree_finish(tree);
	return tree;
}

static bool change_logged(const struct sysfs_change *changes, size_t n, sysfs_ino_t parent,
			  const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (changes[i].parent == parent &&
		    (name ? changes[i].name && strcmp(changes[i].name, name) == 0
			  : !changes[i].name))
			return true;
	return false;
}

START_TEST(replacement_keeps_inodes_by_path_and_logs_what_changed)
{
	struct sysfs_node *dir, *next_dir;
	struct sysfs_tree *tree = numbered_links(50, 7, -1, &dir);
	struct sysfs_stat st, before_ro, after_ro, link3, gone;
	struct sysfs_change *changes;

	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/3", &link3), 0);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/ro", &before_ro), 0);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/12", &gone), 0);
	sysfs_ino_t dir_ino = sysfs_node_ino(dir);

	/* 7 comes, 12 goes, 3 now leads elsewhere. */
	struct sysfs_tree *next = numbered_links(50, 12, 3, &next_dir);
	ck_assert_ptr_nonnull(sysfs_add_link_text(next, next_dir, "3", "../y"));
	ck_assert_int_eq(sysfs_tree_replace(tree, next), 0);

	ck_assert_int_eq(sysfs_lookup_path(tree, "devices", &st), 0);
	ck_assert_uint_eq(st.ino, dir_ino);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/ro", &after_ro), 0);
	ck_assert_uint_eq(after_ro.ino, before_ro.ino);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/3", &st), 0);
	ck_assert_uint_ne(st.ino, link3.ino); /* a changed link is a new file */
	ck_assert_int_eq(sysfs_stat(tree, gone.ino, &st), -ENOENT);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/7", &st), 0);
	ck_assert_uint_gt(st.ino, gone.ino); /* never an inode seen before */

	size_t n = sysfs_tree_take_changes(tree, &changes);
	ck_assert_uint_eq(n, 5); /* 7, 3 (new), 12, 3 (old), and the directory itself */
	ck_assert(change_logged(changes, n, dir_ino, "7"));
	ck_assert(change_logged(changes, n, dir_ino, "12"));
	ck_assert(change_logged(changes, n, dir_ino, "3"));
	ck_assert(change_logged(changes, n, dir_ino, NULL));
	ck_assert(!change_logged(changes, n, dir_ino, "8"));
	sysfs_changes_free(changes, n);
	ck_assert_uint_eq(sysfs_tree_take_changes(tree, &changes), 0);
	sysfs_tree_free(tree);
}
END_TEST

/* What chmod, chown and utimes set stays with a node or attribute for as long as its inode
 * lives, across replacements, and a reboot (forget) takes it all back. */
START_TEST(setattr_is_kept_while_the_inode_lives)
{
	struct sysfs_node *dir, *next_dir;
	struct sysfs_tree *tree = numbered_links(20, -1, -1, &dir);
	struct sysfs_stat ro, link5, link9, st;
	struct sysfs_change *changes;
	const struct sysfs_setattr chmod_chown = { .valid = SYSFS_SET_MODE | SYSFS_SET_UID,
						   .mode = 0600,
						   .uid = 4244 };
	const struct sysfs_setattr touch = { .valid = SYSFS_SET_MTIME, .mtime = { 1577934245, 0 } };

	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/ro", &ro), 0);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/5", &link5), 0);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/9", &link9), 0);
	ck_assert_uint_eq(ro.set.valid, 0);
	ck_assert_int_eq(sysfs_setattr(tree, ro.ino, &chmod_chown), 0);
	ck_assert_int_eq(sysfs_setattr(tree, ro.ino, &touch), 0);
	ck_assert_int_eq(sysfs_setattr(tree, link5.ino, &chmod_chown), 0);
	ck_assert_int_eq(sysfs_setattr(tree, link9.ino, &touch), 0);
	ck_assert_int_eq(sysfs_setattr(tree, 1u << 30, &touch), -ENOENT);

	/* Both calls add up; the file type stays. */
	ck_assert_int_eq(sysfs_stat(tree, ro.ino, &st), 0);
	ck_assert_uint_eq(st.mode, S_IFREG | 0600);
	ck_assert_uint_eq(st.set.valid, SYSFS_SET_MODE | SYSFS_SET_UID | SYSFS_SET_MTIME);
	ck_assert_uint_eq(st.set.uid, 4244);
	ck_assert_int_eq(st.set.mtime.tv_sec, 1577934245);
	ck_assert_int_eq(sysfs_lookup(tree, sysfs_node_ino(dir), "5", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFLNK | 0600);

	/* 9 goes and comes back: a new inode, nothing set. The attribute and 5 stay. */
	struct sysfs_tree *next = numbered_links(20, 9, -1, &next_dir);
	ck_assert_int_eq(sysfs_tree_replace(tree, next), 0);
	next = numbered_links(20, -1, -1, &next_dir);
	ck_assert_int_eq(sysfs_tree_replace(tree, next), 0);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/ro", &st), 0);
	ck_assert_uint_eq(st.ino, ro.ino);
	ck_assert_uint_eq(st.mode, S_IFREG | 0600);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/5", &st), 0);
	ck_assert_uint_eq(st.set.uid, 4244);
	ck_assert_int_eq(sysfs_lookup_path(tree, "devices/9", &st), 0);
	ck_assert_uint_ne(st.ino, link9.ino);
	ck_assert_uint_eq(st.set.valid, 0);
	sysfs_changes_free(changes, sysfs_tree_take_changes(tree, &changes));

	/* A reboot: everything back to the tree's own, each inode logged for the caches. */
	ck_assert_int_eq(sysfs_tree_forget_setattrs(tree), 0);
	ck_assert_int_eq(sysfs_stat(tree, ro.ino, &st), 0);
	ck_assert_uint_eq(st.mode, ro.mode);
	ck_assert_uint_eq(st.set.valid, 0);
	size_t n = sysfs_tree_take_changes(tree, &changes);
	ck_assert_uint_eq(n, 2);
	ck_assert(change_logged(changes, n, ro.ino, NULL));
	ck_assert(change_logged(changes, n, link5.ino, NULL));
	sysfs_changes_free(changes, n);
	sysfs_tree_free(tree);
}
END_TEST

/* A listing cut between two getdents calls by a replacement misses and repeats nothing that
 * stayed, in every order. */
START_TEST(listing_resumes_across_a_replacement)
{
	static const enum sysfs_order orders[] = { SYSFS_ORDER_KERNFS, SYSFS_ORDER_SHUFFLE };

	for (size_t o = 0; o < sizeof(orders) / sizeof(*orders); o++) {
		for (int cut = 1; cut < 60; cut += 5) {
			struct sysfs_node *dir;
			struct sysfs_tree *tree = numbered_links(60, -1, -1, &dir);
			int seen[61] = { 0 }, seen_attrs = 0;
			uint64_t cookie = 0;
			const char *name;
			struct sysfs_stat st;
			int listed = 0, status;

			sysfs_tree_set_order(tree, orders[o], 99);
			sysfs_tree_finish(tree);
			sysfs_ino_t ino = sysfs_node_ino(dir);
			while (listed < cut && sysfs_readdir(tree, ino, &cookie, &name, &st) == 0) {
				if (S_ISLNK(st.mode))
					seen[atoi(name)]++;
				else if (S_ISREG(st.mode))
					seen_attrs++;
				listed++;
			}
			/* Every fifth name goes; "60" comes. */
			struct sysfs_node *next_dir;
			struct sysfs_tree *next = numbered_links(61, -1, -1, &next_dir);
			char gone[16];
			for (int i = 0; i < 60; i += 5) {
				snprintf(gone, sizeof(gone), "%d", i);
				ck_assert_int_eq(sysfs_remove(next, next_dir, gone), 0);
			}
			ck_assert_int_eq(sysfs_tree_replace(tree, next), 0);
			while ((status = sysfs_readdir(tree, ino, &cookie, &name, &st)) == 0) {
				if (S_ISLNK(st.mode))
					seen[atoi(name)]++;
				else if (S_ISREG(st.mode))
					seen_attrs++;
			}
			ck_assert_int_eq(status, 1);
			for (int i = 0; i < 60; i++) {
				if (i % 5)
					ck_assert_msg(seen[i] == 1,
						      "order %zu cut %d: %d seen %d times", o, cut,
						      i, seen[i]);
				else
					ck_assert_int_le(seen[i], 1);
			}
			ck_assert_int_le(seen[60], 1);
			ck_assert_int_eq(seen_attrs, 4); /* ro, rw, wo, blob */
			struct sysfs_change *changes;
			sysfs_changes_free(changes, sysfs_tree_take_changes(tree, &changes));
			sysfs_tree_free(tree);
		}
	}
}
END_TEST

START_TEST(paths_name_nodes_and_attributes)
{
	struct fixture f;
	struct sysfs_stat st;
	char path[256];

	build(&f);
	ck_assert_int_eq(sysfs_path(f.tree, SYSFS_ROOT_INO, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "");
	ck_assert_int_eq(sysfs_path(f.tree, sysfs_node_ino(f.nic), path, sizeof(path)), 0);
	ck_assert_str_eq(path, "sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0");
	ck_assert_int_eq(sysfs_lookup(f.tree, sysfs_node_ino(f.nic), "ro", &st), 0);
	ck_assert_int_eq(sysfs_path(f.tree, st.ino, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/ro");
	ck_assert_int_eq(sysfs_path(f.tree, st.ino, path, 10), -ENAMETOOLONG);
	ck_assert_int_eq(sysfs_path(f.tree, 999999, path, sizeof(path)), -ENOENT);
	sysfs_tree_free(f.tree);
}
END_TEST

START_TEST(link_text_resolves_by_name_from_its_directory)
{
	static const struct {
		const char *dir, *text, *want; /* want NULL: refused */
		size_t size;
	} cases[] = {
		{ "sys/bus/pci/devices", "../../../devices/pci0000:00/0000:00:01.0",
		  "sys/devices/pci0000:00/0000:00:01.0", 64 },
		{ "sys/kernel/iommu_groups/5/devices", "../../../../devices/x", "sys/devices/x",
		  64 },
		{ "", "a/./b//c/", "a/b/c", 64 },
		{ "sys", "..", "", 64 },
		{ "sys", "../..", NULL, 64 },
		{ "a/b", "../../../c", NULL, 64 },
		{ "a", "/sys/devices", NULL, 64 },
		{ "a", "b/../../..", NULL, 64 },
		{ "abc", "def", "abc/def", 8 },
		{ "abc", "defg", NULL, 8 }, /* "abc/defg" and its NUL need 9 */
		{ "abc/def", "..", "abc", 8 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];
		bool resolved = sysfs_link_resolve(cases[i].dir, cases[i].text, out, cases[i].size);

		ck_assert_msg(resolved == (cases[i].want != NULL), "case %zu: resolved %d", i,
			      resolved);
		if (resolved)
			ck_assert_msg(strcmp(out, cases[i].want) == 0, "case %zu: '%s'", i, out);
	}
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("sysfs_tree");
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, link_text_follows_the_kernfs_rule);
	tcase_add_test(tc, lookup_finds_children_and_visible_attributes);
	tcase_add_test(tc, directory_nlink_counts_subdirectories);
	tcase_add_test(tc, readdir_lists_everything_once_and_resumes_from_any_cookie);
	tcase_add_test(tc, listing_order_is_the_kernels);
	tcase_add_test(tc, open_refuses_what_kernfs_refuses);
	tcase_add_test(tc, reads_render_once_per_pass_and_honour_offsets);
	tcase_add_test(tc, show_errors_and_opener_privilege_reach_the_reader);
	tcase_add_test(tc, many_children_are_found_by_name);
	tcase_add_test(tc, writes_are_one_store_each_as_kernfs_hands_them);
	tcase_add_test(tc, removal_and_replacement_after_building);
	tcase_add_test(tc, replacement_keeps_inodes_by_path_and_logs_what_changed);
	tcase_add_test(tc, listing_resumes_across_a_replacement);
	tcase_add_test(tc, paths_name_nodes_and_attributes);
	tcase_add_test(tc, link_text_resolves_by_name_from_its_directory);
	tcase_add_test(tc, setattr_is_kept_while_the_inode_lives);
	suite_add_tcase(suite, tc);
	return check_run(suite);
}
