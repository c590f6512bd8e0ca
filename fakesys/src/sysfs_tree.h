/* SPDX-License-Identifier: MIT */
/*
 * A kernfs-like tree: directories, symlinks, character devices, and attribute files whose bytes
 * are rendered by a show function when read, never stored per file. Modelled on fs/kernfs and
 * include/linux/sysfs.h: an object's directory points at the object and at static tables of
 * attributes (attribute groups with is_visible), so attribute files cost no memory until opened.
 *
 * This layer knows nothing of PCI (the tables come from its callers) and nothing of FUSE (the
 * file system layer and the plain-directory renderer both walk it through the functions below).
 */
#ifndef FAKESYS_SYSFS_TREE_H
#define FAKESYS_SYSFS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

/* Size stat reports for every text attribute, whatever its content: one page. */
#define SYSFS_PAGE_SIZE 4096

/* Who opened a file. Some attributes show less to the unprivileged (config: 64 bytes). */
struct sysfs_opener {
	bool privileged; /* CAP_SYS_ADMIN, decided when the file was opened */
};

/* Defines the store function of attribute name: name##_store(obj, opener, buf, len). */
#define SYSFS_STORE(name)                                                                          \
	static ssize_t name##_store(void *obj __attribute__((unused)),                             \
				    const struct sysfs_opener *opener __attribute__((unused)),     \
				    const char *buf, size_t len)

/*
 * One attribute file. show renders the whole content into buf (at most size bytes: one page,
 * or the attribute's size for binary attributes) and returns its length or -errno (some
 * attributes exist but fail when read, e.g. EIO). An attribute without show cannot be opened
 * for reading, one without store cannot be opened for writing; both fail with EACCES even for
 * root, as kernfs does.
 */
struct sysfs_attr {
	const char *name;
	uint16_t mode; /* permission bits only */
	ssize_t (*show)(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size);
	/* buf holds len bytes and a NUL after them: one write(), as kernfs hands it over. */
	ssize_t (*store)(void *obj, const struct sysfs_opener *opener, const char *buf, size_t len);
	/* Binary attributes report this size in stat; text attributes (NULL) report one page. */
	size_t (*size)(const void *obj);
	/* The most show may return, where that is not what stat reports (NULL: the same). */
	size_t (*buffer_size)(const void *obj);
};

/*
 * A table of attributes. is_visible, like the kernel's, returns the mode an attribute has for
 * this object, or 0 to hide it; NULL shows every attribute with its own mode. A named group is
 * a subdirectory of the object's directory (e.g. "power").
 */
struct sysfs_attr_group {
	const char *name;
	const struct sysfs_attr *const *attrs; /* NULL-terminated */
	uint16_t (*is_visible)(const void *obj, const struct sysfs_attr *attr);
};

/*
 * Defines the show function of attribute name: name##_show(obj, opener, buf, size). Most shows
 * ignore the opener and many the object, hence the attribute.
 */
#define SYSFS_SHOW(name)                                                                           \
	static ssize_t name##_show(const void *obj __attribute__((unused)),                        \
				   const struct sysfs_opener *opener __attribute__((unused)),      \
				   char *buf, size_t size)

/* Shows of files that always read the same: nothing, "0\n", "1\n". */
ssize_t sysfs_show_empty(const void *obj, const struct sysfs_opener *opener, char *buf,
			 size_t size);
ssize_t sysfs_show_zero(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size);
ssize_t sysfs_show_one(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size);

/*
 * The store of every uevent file (devices, buses, drivers, modules): the kernel synthesizes
 * the event asked for (kobject_synth_uevent) and takes the write whole; nothing listens here,
 * so only the words are checked. -EINVAL for a malformed request.
 */
ssize_t sysfs_store_uevent(void *obj, const struct sysfs_opener *opener, const char *buf,
			   size_t len);

struct sysfs_tree;
struct sysfs_node;

/* snprintf for show functions: returns the length written, clipped to size - 1 as the kernel's
 * sysfs_emit clips to a page. */
ssize_t sysfs_emit(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Inode numbers: 1 = root. A node keeps its inode as long as it exists, across replacements. */
typedef uint64_t sysfs_ino_t;
#define SYSFS_ROOT_INO ((sysfs_ino_t)1)

/* Building. Names are copied. All functions return NULL only when out of memory. */
struct sysfs_tree *sysfs_tree_new(void);
void sysfs_tree_free(struct sysfs_tree *tree);
struct sysfs_node *sysfs_tree_root(struct sysfs_tree *tree);

/*
 * Adds a directory for obj under parent, with obj's attribute groups (NULL-terminated array,
 * may be NULL). Named groups become subdirectories at once. Returns the new directory.
 */
struct sysfs_node *sysfs_add_dir(struct sysfs_tree *tree, struct sysfs_node *parent,
				 const char *name, const struct sysfs_attr_group *const *groups,
				 const void *obj);
/* A symlink whose text is computed from both nodes' places by the kernfs rule. */
struct sysfs_node *sysfs_add_link(struct sysfs_tree *tree, struct sysfs_node *parent,
				  const char *name, const struct sysfs_node *target);
/* An attribute file with a name chosen at run time (the kernel's dynamically created
 * attributes, like msi_irqs/<irq>); it shows attr for obj. */
struct sysfs_node *sysfs_add_file(struct sysfs_tree *tree, struct sysfs_node *parent,
				  const char *name, const struct sysfs_attr *attr, const void *obj);
/* A symlink whose text is given, not computed: it may point anywhere, even nowhere. */
struct sysfs_node *sysfs_add_link_text(struct sysfs_tree *tree, struct sysfs_node *parent,
				       const char *name, const char *text);
/*
 * Takes name out of dir after building: a node (with everything below it) or a table
 * attribute. A node added later under the same name takes its place. 0, -ENOENT when dir has
 * nothing of that name, -ENOMEM.
 */
int sysfs_remove(struct sysfs_tree *tree, struct sysfs_node *dir, const char *name);
bool sysfs_is_dir(const struct sysfs_node *node);
/* A character device node (for /dev/vfio). mode holds permission bits only. */
struct sysfs_node *sysfs_add_chardev(struct sysfs_tree *tree, struct sysfs_node *parent,
				     const char *name, uint16_t mode, unsigned major,
				     unsigned minor);
/*
 * How directories list. sysfs lists by kernfs name hash, which looks random; the others are
 * for flushing out programs that depend on a listing order (the kernel guarantees none).
 */
enum sysfs_order {
	SYSFS_ORDER_KERNFS, /* the kernel's own order (default) */
	SYSFS_ORDER_SORTED, /* by name */
	SYSFS_ORDER_REVERSE,
	SYSFS_ORDER_SHUFFLE, /* a fixed permutation per seed */
};
void sysfs_tree_set_order(struct sysfs_tree *tree, enum sysfs_order order, uint64_t shuffle_seed);

/* Puts every directory in listing order; call once building is done (or the order changed). */
void sysfs_tree_finish(struct sysfs_tree *tree);

/*
 * A change a replacement made: name appeared in, vanished from or changed in the directory
 * parent (name NULL: only the directory's own listing and link count). Whoever serves the tree
 * drops what it cached of these.
 */
struct sysfs_change {
	sysfs_ino_t parent;
	char *name;
};

/*
 * Makes next (built afresh, e.g. from a changed model) the content of tree, as the kernel
 * would have changed it in place: every node keeps the inode of the node at the same path with
 * the same kind and target in tree, new ones get inodes never used before, and the listing
 * order of tree is kept. What differs is logged for sysfs_tree_take_changes(). next is consumed
 * (freed) on success; on -ENOMEM nothing changed and next is still the caller's.
 */
int sysfs_tree_replace(struct sysfs_tree *tree, struct sysfs_tree *next);
/* Logs a change made other than by replacement (name NULL: the node parent itself), for what
 * a cache holds of it to be dropped, e.g. when something outside the tree changes what a call
 * on it answers. 0 or -ENOMEM. */
int sysfs_tree_log_change(struct sysfs_tree *tree, sysfs_ino_t parent, const char *name);
/* The changes logged since the last call; the caller frees them with sysfs_changes_free(). */
size_t sysfs_tree_take_changes(struct sysfs_tree *tree, struct sysfs_change **out);
void sysfs_changes_free(struct sysfs_change *changes, size_t count);

/* The path of ino below the root ("sys/bus/pci"; "" for the root); -ENAMETOOLONG, -ENOENT. */
int sysfs_path(const struct sysfs_tree *tree, sysfs_ino_t ino, char *buf, size_t size);

/* Directories are 0755; the few that are not (/sys is 0555) say so after creation. */
void sysfs_set_mode(struct sysfs_node *node, uint16_t mode);
sysfs_ino_t sysfs_node_ino(const struct sysfs_node *node);
/* The directory holding node (NULL for the root). */
struct sysfs_node *sysfs_node_parent(const struct sysfs_tree *tree, const struct sysfs_node *node);

/* The directory called name directly under parent, or NULL. */
struct sysfs_node *sysfs_find_child(const struct sysfs_tree *tree, const struct sysfs_node *parent,
				    const char *name);

/* What a setattr may change of a node or an attribute, as kernfs keeps it (kernfs_iattrs). */
enum sysfs_setattr_field {
	SYSFS_SET_MODE = 1u << 0, /* the permission bits */
	SYSFS_SET_UID = 1u << 1,
	SYSFS_SET_GID = 1u << 2,
	SYSFS_SET_ATIME = 1u << 3,
	SYSFS_SET_MTIME = 1u << 4,
	SYSFS_SET_CTIME = 1u << 5,
};

struct sysfs_setattr {
	unsigned valid; /* enum sysfs_setattr_field: what the others below hold */
	uint16_t mode;
	uint32_t uid, gid;
	struct timespec atime, mtime, ctime;
};

/* Reading: what the file system layer and the renderer use. All return 0 or -errno. */
struct sysfs_stat {
	sysfs_ino_t ino;
	uint32_t mode; /* S_IFDIR/S_IFLNK/S_IFREG/S_IFCHR | permission bits, as set if they were */
	uint64_t size;
	uint32_t nlink;
	unsigned rdev_major;
	unsigned rdev_minor;
	/* What setattr changed (its valid; mode is merged above): owner and times otherwise are
	 * the server's to say (root, the mount's time). */
	struct sysfs_setattr set;
};

int sysfs_stat(const struct sysfs_tree *tree, sysfs_ino_t ino, struct sysfs_stat *st);
/*
 * chmod, chown and utimes, as kernfs takes them: what attr->valid names is kept for the node or
 * attribute at ino for as long as its inode lives, across replacements; a size is not the
 * tree's to change and is not asked for. 0, -ENOENT or -ENOMEM. Callers check permissions.
 */
int sysfs_setattr(struct sysfs_tree *tree, sysfs_ino_t ino, const struct sysfs_setattr *attr);
/*
 * Forgets every setattr, as a reboot would; each inode that had one is logged as changed (name
 * NULL). 0 or -ENOMEM (then some may be left).
 */
int sysfs_tree_forget_setattrs(struct sysfs_tree *tree);
int sysfs_lookup(const struct sysfs_tree *tree, sysfs_ino_t dir, const char *name,
		 struct sysfs_stat *st);
/* The node at a relative path of names ("sys/bus/pci"), following no link; "" is the root. */
int sysfs_lookup_path(const struct sysfs_tree *tree, const char *path, struct sysfs_stat *st);
/* The parent directory's inode (the root is its own parent). */
int sysfs_parent(const struct sysfs_tree *tree, sysfs_ino_t ino, sysfs_ino_t *parent);
/*
 * Where a relative link text leads from dir (a relative path of names, "" the root): the
 * relative path it names, "." and ".." resolved ("" for the root itself). False when the text
 * is absolute, climbs above the root or does not fit in size bytes.
 */
bool sysfs_link_resolve(const char *dir, const char *text, char *out, size_t size);

/* Writes the NUL-terminated link text; -ENAMETOOLONG if size is too small. */
int sysfs_readlink(const struct sysfs_tree *tree, sysfs_ino_t ino, char *buf, size_t size);

/*
 * Directory listing without "." and "..", in the tree's order (by default the kernfs name-hash
 * order getdents gives on sysfs). *cookie starts at 0; each call stores the next entry into name/st
 * and sets *cookie to the value that continues after it. Returns 1 at the end. Cookies stay valid
 * across changes: entries that stay are neither repeated nor skipped.
 */
int sysfs_readdir(const struct sysfs_tree *tree, sysfs_ino_t dir, uint64_t *cookie,
		  const char **name, struct sysfs_stat *st);

/* An open attribute file: the per-open buffer a read is served from, as in kernfs. */
struct sysfs_open_file;
/* flags: O_RDONLY/O_WRONLY/O_RDWR. -EACCES as sysfs gives it, -EISDIR, -ENOENT. */
int sysfs_open(const struct sysfs_tree *tree, sysfs_ino_t ino, int flags,
	       const struct sysfs_opener *opener, struct sysfs_open_file **out);
/* Renders on the first read and on every read at offset 0, like seq_file; past the end: 0. */
ssize_t sysfs_read(struct sysfs_open_file *file, char *buf, size_t size, uint64_t offset);
/*
 * One write() is one store, as sysfs does it for text attributes: the whole buffer, whatever
 * the offset; nothing for an empty write; E2BIG past one page. Returns what store returns.
 */
ssize_t sysfs_write(struct sysfs_open_file *file, const char *buf, size_t size);
void sysfs_release(struct sysfs_open_file *file);

#endif
