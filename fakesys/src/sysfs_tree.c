/* SPDX-License-Identifier: MIT */
/* The kernfs-like tree: nodes, name lookup, inode numbering, link text and per-open buffers. */
#define _GNU_SOURCE /* qsort_r, memrchr */
#include "sysfs_tree.h"
#include "sysfs_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * NODE_ATTR: an attribute made at run time with a name of its own (msi_irqs/<irq>), rather
 * than one of a directory's table attributes, which have no node. NODE_WHITEOUT: a name that
 * hides a table attribute of its directory; it is found by name but never listed or served.
 */
enum node_kind { NODE_DIR, NODE_LINK, NODE_CHR, NODE_ATTR, NODE_WHITEOUT };

/* Nodes refer to each other by index into the tree's node store; NO_NODE is the root's parent. */
#define NO_NODE UINT32_MAX

/* What only a directory has; out of line, since most nodes are links. */
struct dir_info {
	uint32_t *children; /* node indexes, in listing order once sorted */
	uint32_t n_children;
	uint32_t cap_children;
	uint32_t n_subdirs;
	/* Attribute files: groups[0..n_groups), the named ones skipped unless this directory
	 * is the named group's own subdirectory. */
	uint8_t n_groups;
	/* Bits, so that the counts and flags share eight bytes: 40 bytes in all. */
	uint8_t is_named_group : 1;
	uint8_t has_shadows : 1;       /* some child node hides a table attribute's name */
	uint8_t children_in_arena : 1; /* moved there when building was over: not to be freed */
	const struct sysfs_attr_group *const *groups;
	const void *obj;
};
_Static_assert(sizeof(struct dir_info) == 40, "a directory's own part stays small");

/* A run-time attribute's table entry and object (NODE_ATTR), out of line: they are rare. */
struct file_info {
	const struct sysfs_attr *attr;
	const void *obj;
};

/*
 * 32 bytes, since a host of 65,536 functions has over a million: indexes, not pointers, and
 * what only some kinds need behind payload. Names and link texts live in the tree's arena,
 * each stored once however many nodes use it (a function's address names five links,
 * "subsystem" is everywhere).
 */
struct sysfs_node {
	const char *name;
	uint32_t parent; /* NO_NODE for the root */
	uint32_t index;	 /* position in the node store */
	uint32_t ino;	 /* kept by the node at the same path when the tree is replaced */
	uint32_t hash;	 /* kernfs_name_hash(name): the listing order */
	/* NODE_DIR: index into the directory store; NODE_LINK: the target's index, or with
	 * text_link the text's index in the link text store; NODE_CHR: major << 20 | minor, as
	 * the kernel's dev_t; NODE_ATTR: index into the file store. */
	uint32_t payload;
	unsigned kind : 4;
	unsigned hidden : 1; /* taken out of its directory after building: neither found nor listed
			      */
	unsigned text_link : 1;
	unsigned mode : 12; /* permission bits */
};
_Static_assert(sizeof(struct sysfs_node) == 32, "a node stays 32 bytes");

/*
 * Stores that only grow while building and are addressed by index: fixed-size chunks, so
 * what was handed out never moves and nothing is copied when they grow.
 */
#define CHUNK_SHIFT 10
#define CHUNK_LEN   (1u << CHUNK_SHIFT)

struct chunked {
	void **chunks;
	uint32_t n; /* elements in use */
	uint32_t n_chunks;
	uint32_t elem_size;
};

static inline void *chunked_at(const struct chunked *store, uint32_t i)
{
	return (char *)store->chunks[i >> CHUNK_SHIFT] +
	       (size_t)(i & (CHUNK_LEN - 1)) * store->elem_size;
}

/* A zeroed new element at index store->n - 1, or NULL. */
static void *chunked_push(struct chunked *store)
{
	if (store->n == (uint64_t)store->n_chunks * CHUNK_LEN) {
		/* Indexes stay below NO_NODE. */
		if (store->n_chunks >= UINT32_MAX / CHUNK_LEN)
			return NULL;
		void **chunks = realloc(store->chunks, (store->n_chunks + 1) * sizeof(*chunks));

		if (!chunks)
			return NULL;
		store->chunks = chunks;
		if (!(chunks[store->n_chunks] = calloc(CHUNK_LEN, store->elem_size)))
			return NULL;
		store->n_chunks++;
	}
	return chunked_at(store, store->n++);
}

static void chunked_free(struct chunked *store)
{
	for (uint32_t i = 0; i < store->n_chunks; i++)
		free(store->chunks[i]);
	free(store->chunks);
	store->chunks = NULL;
	store->n = store->n_chunks = 0;
}

/* Bump allocation in blocks: no per-object header, freed all at once. */
#define ARENA_BLOCK_SIZE ((size_t)64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	void *data[];
};

struct arena {
	struct arena_block *blocks;
};

static void *arena_alloc(struct arena *arena, size_t size)
{
	struct arena_block *block = arena->blocks;

	/* Nothing in the arena needs more than a pointer's alignment. */
	size = (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	if (!block || block->size - block->used < size) {
		size_t capacity = size > ARENA_BLOCK_SIZE / 4 ? size : ARENA_BLOCK_SIZE;

		block = malloc(sizeof(*block) + capacity);
		if (!block)
			return NULL;
		block->size = capacity;
		block->used = 0;
		/* A block for one large object goes behind the current one, which has room. */
		if (capacity == size && arena->blocks) {
			block->next = arena->blocks->next;
			arena->blocks->next = block;
		} else {
			block->next = arena->blocks;
			arena->blocks = block;
		}
	}
	void *p = (char *)block->data + block->used;
	block->used += size;
	memset(p, 0, size);
	return p;
}

static void arena_free(struct arena *arena)
{
	while (arena->blocks) {
		struct arena_block *next = arena->blocks->next;

		free(arena->blocks);
		arena->blocks = next;
	}
}

/* The strings of a tree, each stored once: open addressing, NULL when empty. */
struct string_set {
	const char **slots;
	uint32_t mask;
	uint32_t count;
};

/*
 * Attribute files have no node. Their inode encodes the directory's inode and the attribute's
 * slot (group, position in group), so no table grows when the kernel looks them up.
 */
#define ATTR_INO_FLAG	 ((sysfs_ino_t)1 << 40)
#define ATTR_SLOT_BITS	 12
#define ATTR_GROUP_BITS	 4
#define ATTR_INDEX_BITS	 (ATTR_SLOT_BITS - ATTR_GROUP_BITS)
#define ATTR_MAX_DIR_INO ((sysfs_ino_t)1 << (40 - ATTR_SLOT_BITS))

struct sysfs_setattr_entry {
	sysfs_ino_t ino;
	/* For an attribute, its table entry: its inode names a slot, which a new tree could fill
	 * with another one. NULL for a node, whose inode is never given twice. */
	const struct sysfs_attr *attr_entry;
	struct sysfs_setattr attr;
};

struct sysfs_tree {
	enum sysfs_order order;
	uint64_t shuffle_seed;
	struct chunked nodes; /* struct sysfs_node; index 0 is the root */
	struct chunked dirs;  /* struct dir_info */
	struct chunked files; /* struct file_info */
	struct chunked texts; /* const char *: the texts of text links */
	/* Open addressing on (parent, name): slot holds node index + 1, 0 when empty. */
	uint32_t *hash;
	uint32_t hash_mask;
	/* Open addressing on the inode, same slots: inodes outlive replacements, indexes do not. */
	uint32_t *by_ino;
	sysfs_ino_t next_ino; /* never handed out twice in a tree's life, across replacements */
	struct arena arena;   /* names, link texts, finished children arrays */
	struct string_set strings; /* names and link texts */
	/* What setattr changed, by inode and sorted by it: few, and none on most trees. */
	struct sysfs_setattr_entry *setattrs;
	size_t n_setattrs;
	size_t cap_setattrs;
	/* What sysfs_tree_replace() changed, for the caches of whoever serves the tree. */
	struct sysfs_change *changes;
	size_t n_changes;
	size_t cap_changes;
};

static inline struct sysfs_node *node_at(const struct sysfs_tree *tree, uint32_t index)
{
	return chunked_at(&tree->nodes, index);
}

/* NULL for the root. */
static inline struct sysfs_node *parent_of(const struct sysfs_tree *tree,
					   const struct sysfs_node *node)
{
	return node->parent == NO_NODE ? NULL : node_at(tree, node->parent);
}

static inline struct dir_info *dir_of(const struct sysfs_tree *tree, const struct sysfs_node *dir)
{
	return chunked_at(&tree->dirs, dir->payload);
}

static inline struct sysfs_node *child_at(const struct sysfs_tree *tree, const struct dir_info *dir,
					  uint32_t i)
{
	return node_at(tree, dir->children[i]);
}

static inline const struct file_info *file_of(const struct sysfs_tree *tree,
					      const struct sysfs_node *file)
{
	return chunked_at(&tree->files, file->payload);
}

struct sysfs_open_file {
	const struct sysfs_attr *attr;
	const void *obj;
	struct sysfs_opener opener;
	pthread_mutex_t lock; /* one fd may be read by several threads at once */
	char *buf;
	size_t capacity;
	size_t len;
	bool rendered;
};

ssize_t sysfs_emit(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (size == 0)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < size ? n : (ssize_t)size - 1;
}

/* Takes the steps names spells (down a name, up for "..", nowhere for "."): false if one
 * climbs above the root or the path outgrows size. */
static bool walk_names(const char *names, char *out, size_t *len, size_t size)
{
	while (*names) {
		size_t n = strcspn(names, "/");

		if (n == 2 && names[0] == '.' && names[1] == '.') {
			char *up = memrchr(out, '/', *len);

			if (*len == 0)
				return false;
			*len = up ? (size_t)(up - out) : 0;
			out[*len] = '\0';
		} else if (n && !(n == 1 && names[0] == '.')) {
			if (*len + (*len != 0) + n >= size)
				return false;
			if (*len)
				out[(*len)++] = '/';
			memcpy(out + *len, names, n);
			*len += n;
			out[*len] = '\0';
		}
		names += n + (names[n] == '/');
	}
	return true;
}

bool sysfs_link_resolve(const char *dir, const char *text, char *out, size_t size)
{
	size_t len = 0;

	if (text[0] == '/' || size == 0)
		return false;
	out[0] = '\0';
	return walk_names(dir, out, &len, size) && walk_names(text, out, &len, size);
}

ssize_t sysfs_show_empty(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	(void)obj, (void)opener, (void)buf, (void)size;
	return 0;
}

ssize_t sysfs_show_zero(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	(void)obj, (void)opener;
	return sysfs_emit(buf, size, "0\n");
}

ssize_t sysfs_show_one(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	(void)obj, (void)opener;
	return sysfs_emit(buf, size, "1\n");
}

ssize_t sysfs_store_uevent(void *obj, const struct sysfs_opener *opener, const char *buf,
			   size_t len)
{
	(void)obj, (void)opener;
	int err = sysfs_parse_synth_uevent(buf, len);

	return err ? err : (ssize_t)len;
}

/* ---- listing order ------------------------------------------------------------------------ */

/*
 * kernfs_name_hash() with no namespace: partial_name_hash() per byte, then end_name_hash(),
 * which is hash_long() = hash_64(h, 32) on 64-bit kernels. sysfs lists a directory in order of
 * (hash, name), so reproducing it reproduces the kernel's getdents order byte for byte.
 */
static uint32_t kernfs_name_hash(const char *name)
{
	uint64_t hash = 0;

	for (const char *p = name; *p; p++)
		hash = (hash + ((uint64_t)(unsigned char)*p << 4) + ((unsigned char)*p >> 4)) * 11;
	hash = (hash * 0x61c8864680b583ebULL) >> 32;
	hash &= 0x7fffffffu;
	if (hash < 2)
		hash += 2;
	if (hash >= 0x7fffffffu)
		hash = 0x7fffffffu - 1;
	return (uint32_t)hash;
}

/* Where a name goes in a listing under the tree's order; ties are broken by name. */
static uint32_t listing_key(const struct sysfs_tree *tree, const char *name)
{
	uint64_t x;

	switch (tree->order) {
	case SYSFS_ORDER_KERNFS:
		return kernfs_name_hash(name);
	case SYSFS_ORDER_SHUFFLE:
		/* FNV-1a of the name, then splitmix64 with the seed: a fixed shuffle per seed. */
		x = 14695981039346656037ULL;
		for (const char *p = name; *p; p++)
			x = (x ^ (unsigned char)*p) * 1099511628211ULL;
		x ^= tree->shuffle_seed + 0x9e3779b97f4a7c15ULL;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
		return (uint32_t)((x ^ (x >> 31)) >> 32);
	case SYSFS_ORDER_SORTED:
	case SYSFS_ORDER_REVERSE:
		break;
	}
	return 0;
}

static int listing_compare(const struct sysfs_tree *tree, uint32_t key_a, const char *name_a,
			   uint32_t key_b, const char *name_b)
{
	int order = key_a != key_b ? (key_a < key_b ? -1 : 1) : strcmp(name_a, name_b);

	return tree->order == SYSFS_ORDER_REVERSE ? -order : order;
}

static int compare_children(const void *a, const void *b, void *context)
{
	const struct sysfs_tree *tree = context;
	const struct sysfs_node *x = node_at(tree, *(const uint32_t *)a);
	const struct sysfs_node *y = node_at(tree, *(const uint32_t *)b);

	return listing_compare(tree, x->hash, x->name, y->hash, y->name);
}

void sysfs_tree_finish(struct sysfs_tree *tree)
{
	for (uint32_t i = 0; i < tree->nodes.n; i++) {
		struct sysfs_node *node = node_at(tree, i);

		node->hash = listing_key(tree, node->name);
	}
	for (uint32_t i = 0; i < tree->dirs.n; i++) {
		struct dir_info *dir = chunked_at(&tree->dirs, i);

		if (!dir->n_children)
			continue; /* and children may be NULL, which qsort must not see */
		qsort_r(dir->children, dir->n_children, sizeof(*dir->children), compare_children,
			tree);
		/* Building is over: the array goes where it costs no allocation header and no
		 * reserve from doubling. */
		if (dir->children_in_arena)
			continue;
		uint32_t *fit = arena_alloc(&tree->arena, dir->n_children * sizeof(*fit));

		if (fit) {
			memcpy(fit, dir->children, dir->n_children * sizeof(*fit));
			free(dir->children);
			dir->children = fit;
			dir->cap_children = dir->n_children;
			dir->children_in_arena = true;
		}
	}
}

void sysfs_tree_set_order(struct sysfs_tree *tree, enum sysfs_order order, uint64_t shuffle_seed)
{
	tree->order = order;
	tree->shuffle_seed = shuffle_seed;
}

/* ---- name hash ---------------------------------------------------------------------------- */

static uint32_t name_hash(uint32_t parent, const char *name)
{
	uint32_t h = 2166136261u ^ (parent * 0x9e3779b1u);

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h ^ (h >> 15);
}

static void hash_insert(struct sysfs_tree *tree, const struct sysfs_node *node)
{
	uint32_t slot = name_hash(node->parent, node->name) & tree->hash_mask;

	while (tree->hash[slot])
		slot = (slot + 1) & tree->hash_mask;
	tree->hash[slot] = node->index + 1;
}

static uint32_t ino_slot(sysfs_ino_t ino)
{
	uint64_t x = ino * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(x >> 32);
}

static void ino_insert(struct sysfs_tree *tree, const struct sysfs_node *node)
{
	uint32_t slot = ino_slot(node->ino) & tree->hash_mask;

	while (tree->by_ino[slot])
		slot = (slot + 1) & tree->hash_mask;
	tree->by_ino[slot] = node->index + 1;
}

static struct sysfs_node *node_by_ino(const struct sysfs_tree *tree, sysfs_ino_t ino)
{
	for (uint32_t slot = ino_slot(ino) & tree->hash_mask; tree->by_ino[slot];
	     slot = (slot + 1) & tree->hash_mask) {
		struct sysfs_node *node = node_at(tree, tree->by_ino[slot] - 1);

		if (node->ino == ino)
			return node;
	}
	return NULL;
}

/* Both tables at size, rebuilt from the nodes (whose inodes may have been renumbered). */
static int hash_resize(struct sysfs_tree *tree, uint32_t size)
{
	uint32_t *hash = calloc(size, sizeof(*hash));
	uint32_t *by_ino = calloc(size, sizeof(*by_ino));

	if (!hash || !by_ino) {
		free(hash);
		free(by_ino);
		return -ENOMEM;
	}
	free(tree->hash);
	free(tree->by_ino);
	tree->hash = hash;
	tree->by_ino = by_ino;
	tree->hash_mask = size - 1;
	for (uint32_t i = 0; i < tree->nodes.n; i++) {
		if (i)
			hash_insert(tree, node_at(tree, i));
		ino_insert(tree, node_at(tree, i));
	}
	return 0;
}

/* The node called name under parent, whiteouts included, hidden nodes not. */
static struct sysfs_node *find_node(const struct sysfs_tree *tree, const struct sysfs_node *parent,
				    const char *name)
{
	uint32_t slot = name_hash(parent->index, name) & tree->hash_mask;

	for (; tree->hash[slot]; slot = (slot + 1) & tree->hash_mask) {
		struct sysfs_node *node = node_at(tree, tree->hash[slot] - 1);

		if (node->parent == parent->index && !node->hidden && strcmp(node->name, name) == 0)
			return node;
	}
	return NULL;
}

struct sysfs_node *sysfs_find_child(const struct sysfs_tree *tree, const struct sysfs_node *parent,
				    const char *name)
{
	struct sysfs_node *node = find_node(tree, parent, name);

	return node && node->kind != NODE_WHITEOUT ? node : NULL;
}

/* The tree's copy of text, shared with every other user of the same text; NULL: ENOMEM. */
static const char *intern(struct sysfs_tree *tree, const char *text)
{
	struct string_set *set = &tree->strings;

	if ((set->count + 1) * 4 > (set->mask + 1) * 3) {
		uint32_t size = set->mask ? (set->mask + 1) * 2 : 1024;
		const char **slots = calloc(size, sizeof(*slots));

		if (!slots)
			return NULL;
		for (uint32_t i = 0; set->mask && i <= set->mask; i++) {
			if (!set->slots[i])
				continue;
			uint32_t slot = name_hash(0, set->slots[i]) & (size - 1);
			while (slots[slot])
				slot = (slot + 1) & (size - 1);
			slots[slot] = set->slots[i];
		}
		free(set->slots);
		set->slots = slots;
		set->mask = size - 1;
	}
	uint32_t slot = name_hash(0, text) & set->mask;
	for (; set->slots[slot]; slot = (slot + 1) & set->mask)
		if (strcmp(set->slots[slot], text) == 0)
			return set->slots[slot];
	size_t len = strlen(text) + 1;
	char *copy = arena_alloc(&tree->arena, len);
	if (!copy)
		return NULL;
	memcpy(copy, text, len);
	set->slots[slot] = copy;
	set->count++;
	return copy;
}

/* ---- building ----------------------------------------------------------------------------- */

/* Room for one more child of dir; false when out of memory. */
static bool children_reserve(struct dir_info *dir)
{
	if (dir->n_children < dir->cap_children)
		return true;
	uint32_t cap = dir->cap_children ? dir->cap_children * 2 : 8;
	uint32_t *children = dir->children_in_arena
				     ? malloc(cap * sizeof(*children))
				     : realloc(dir->children, cap * sizeof(*children));

	if (!children)
		return false;
	if (dir->children_in_arena)
		memcpy(children, dir->children, dir->n_children * sizeof(*children));
	dir->children = children;
	dir->cap_children = cap;
	dir->children_in_arena = false;
	return true;
}

static struct sysfs_node *node_new(struct sysfs_tree *tree, struct sysfs_node *parent,
				   const char *name, enum node_kind kind, uint16_t mode)
{
	struct dir_info *parent_dir = parent ? dir_of(tree, parent) : NULL;

	/* Inodes are 32 bits in a node; a directory's must leave room for its attributes'. */
	if (tree->next_ino > UINT32_MAX)
		return NULL;
	/* Keep the hash at most three quarters full so probes stay short. */
	if ((uint64_t)(tree->nodes.n + 1) * 4 > (uint64_t)(tree->hash_mask + 1) * 3 &&
	    hash_resize(tree, (tree->hash_mask + 1) * 2))
		return NULL;
	if (parent_dir && !children_reserve(parent_dir))
		return NULL;

	/* A name given back after sysfs_remove() took a table attribute's away. */
	if (parent_dir && parent_dir->has_shadows) {
		struct sysfs_node *whiteout = find_node(tree, parent, name);

		if (whiteout && whiteout->kind == NODE_WHITEOUT)
			whiteout->hidden = true;
	}

	const char *interned = intern(tree, name);
	uint32_t payload = 0;
	if (!interned)
		return NULL;
	if (kind == NODE_DIR) {
		if (!chunked_push(&tree->dirs))
			return NULL;
		payload = tree->dirs.n - 1;
	}
	struct sysfs_node *node = chunked_push(&tree->nodes);
	if (!node)
		return NULL;
	node->name = interned;
	node->parent = parent ? parent->index : NO_NODE;
	node->index = tree->nodes.n - 1;
	node->ino = (uint32_t)tree->next_ino++;
	node->hash = listing_key(tree, name);
	node->kind = kind;
	node->mode = mode;
	node->payload = payload;
	ino_insert(tree, node);
	if (parent && kind == NODE_WHITEOUT) {
		hash_insert(tree, node);
	} else if (parent) {
		parent_dir->children[parent_dir->n_children++] = node->index;
		if (kind == NODE_DIR)
			parent_dir->n_subdirs++;
		hash_insert(tree, node);
	}
	return node;
}

struct sysfs_tree *sysfs_tree_new(void)
{
	struct sysfs_tree *tree = calloc(1, sizeof(*tree));

	if (!tree)
		return NULL;
	tree->nodes.elem_size = sizeof(struct sysfs_node);
	tree->dirs.elem_size = sizeof(struct dir_info);
	tree->files.elem_size = sizeof(struct file_info);
	tree->texts.elem_size = sizeof(const char *);
	tree->next_ino = SYSFS_ROOT_INO;
	if (hash_resize(tree, 256) || !node_new(tree, NULL, "", NODE_DIR, 0755)) {
		sysfs_tree_free(tree);
		return NULL;
	}
	return tree;
}

void sysfs_tree_free(struct sysfs_tree *tree)
{
	if (!tree)
		return;
	for (uint32_t i = 0; i < tree->dirs.n; i++) {
		struct dir_info *dir = chunked_at(&tree->dirs, i);

		if (!dir->children_in_arena)
			free(dir->children);
	}
	chunked_free(&tree->nodes);
	chunked_free(&tree->dirs);
	chunked_free(&tree->files);
	chunked_free(&tree->texts);
	arena_free(&tree->arena);
	free(tree->strings.slots);
	free(tree->hash);
	free(tree->by_ino);
	sysfs_changes_free(tree->changes, tree->n_changes);
	free(tree->setattrs);
	free(tree);
}

struct sysfs_node *sysfs_tree_root(struct sysfs_tree *tree)
{
	return node_at(tree, 0);
}

void sysfs_set_mode(struct sysfs_node *node, uint16_t mode)
{
	node->mode = mode;
}

sysfs_ino_t sysfs_node_ino(const struct sysfs_node *node)
{
	return node->ino;
}

struct sysfs_node *sysfs_node_parent(const struct sysfs_tree *tree, const struct sysfs_node *node)
{
	return parent_of(tree, node);
}

struct sysfs_node *sysfs_add_dir(struct sysfs_tree *tree, struct sysfs_node *parent,
				 const char *name, const struct sysfs_attr_group *const *groups,
				 const void *obj)
{
	struct sysfs_node *dir = node_new(tree, parent, name, NODE_DIR, 0755);
	uint8_t n_groups = 0;

	if (!dir)
		return NULL;
	if (dir->ino >= ATTR_MAX_DIR_INO)
		return NULL;
	while (groups && groups[n_groups])
		n_groups++;
	struct dir_info *info = dir_of(tree, dir);
	info->groups = groups;
	info->n_groups = n_groups;
	info->obj = obj;

	for (uint8_t g = 0; g < n_groups; g++) {
		if (!groups[g]->name)
			continue;
		struct sysfs_node *sub = node_new(tree, dir, groups[g]->name, NODE_DIR, 0755);

		if (!sub)
			return NULL;
		struct dir_info *sub_info = dir_of(tree, sub);
		sub_info->groups = &groups[g];
		sub_info->n_groups = 1;
		sub_info->is_named_group = true;
		sub_info->obj = obj;
	}
	return dir;
}

struct sysfs_node *sysfs_add_link(struct sysfs_tree *tree, struct sysfs_node *parent,
				  const char *name, const struct sysfs_node *target)
{
	struct sysfs_node *link = node_new(tree, parent, name, NODE_LINK, 0777);

	if (link)
		link->payload = target->index;
	return link;
}

struct sysfs_node *sysfs_add_chardev(struct sysfs_tree *tree, struct sysfs_node *parent,
				     const char *name, uint16_t mode, unsigned major,
				     unsigned minor)
{
	/* dev_t's split: 12 bits of major, 20 of minor. */
	if (major >= 1u << 12 || minor >= 1u << 20)
		return NULL;
	struct sysfs_node *chr = node_new(tree, parent, name, NODE_CHR, mode);

	if (chr)
		chr->payload = major << 20 | minor;
	return chr;
}

struct sysfs_node *sysfs_add_file(struct sysfs_tree *tree, struct sysfs_node *parent,
				  const char *name, const struct sysfs_attr *attr, const void *obj)
{
	struct file_info *info = chunked_push(&tree->files);
	struct sysfs_node *file = info ? node_new(tree, parent, name, NODE_ATTR, attr->mode) : NULL;

	if (file) {
		info->attr = attr;
		info->obj = obj;
		file->payload = tree->files.n - 1;
	}
	return file;
}

struct sysfs_node *sysfs_add_link_text(struct sysfs_tree *tree, struct sysfs_node *parent,
				       const char *name, const char *text)
{
	const char **slot = chunked_push(&tree->texts);
	struct sysfs_node *link = slot ? node_new(tree, parent, name, NODE_LINK, 0777) : NULL;

	if (!link || !(*slot = intern(tree, text)))
		return NULL; /* the tree frees what was made */
	link->text_link = true;
	link->payload = tree->texts.n - 1;
	return link;
}

/* ---- attribute slots ---------------------------------------------------------------------- */

struct attr_ref {
	const struct sysfs_node *dir;
	const struct sysfs_attr *attr;
	const void *obj;
	uint16_t mode;
	uint32_t slot;
};

static bool group_in_dir(const struct dir_info *info, uint8_t g)
{
	return info->is_named_group || !info->groups[g]->name;
}

static uint16_t attr_mode(const struct dir_info *info, const struct sysfs_attr_group *group,
			  const struct sysfs_attr *attr)
{
	return group->is_visible ? group->is_visible(info->obj, attr) : attr->mode;
}

/* The visible attribute at slot, or false. */
static bool attr_at_slot(const struct sysfs_tree *tree, const struct sysfs_node *dir, uint32_t slot,
			 struct attr_ref *ref)
{
	const struct dir_info *info = dir_of(tree, dir);
	uint32_t g = slot >> ATTR_INDEX_BITS, a = slot & ((1u << ATTR_INDEX_BITS) - 1);

	if (g >= info->n_groups || !group_in_dir(info, g))
		return false;
	const struct sysfs_attr_group *group = info->groups[g];
	for (uint32_t i = 0; i < a; i++)
		if (!group->attrs[i])
			return false;
	if (!group->attrs[a])
		return false;
	ref->dir = dir;
	ref->attr = group->attrs[a];
	ref->obj = info->obj;
	ref->mode = attr_mode(info, group, ref->attr);
	ref->slot = slot;
	return ref->mode != 0;
}

/* The first visible attribute at or after slot; false when there is none. */
static bool attr_next(const struct sysfs_tree *tree, const struct sysfs_node *dir, uint32_t slot,
		      struct attr_ref *ref)
{
	const struct dir_info *info = dir_of(tree, dir);

	for (uint32_t g = slot >> ATTR_INDEX_BITS; g < info->n_groups; g++) {
		if (!group_in_dir(info, g))
			continue;
		const struct sysfs_attr_group *group = info->groups[g];
		uint32_t a =
			(g == slot >> ATTR_INDEX_BITS) ? slot & ((1u << ATTR_INDEX_BITS) - 1) : 0;

		for (; group->attrs[a]; a++) {
			uint16_t mode = attr_mode(info, group, group->attrs[a]);

			if (mode) {
				ref->dir = dir;
				ref->attr = group->attrs[a];
				ref->obj = info->obj;
				ref->mode = mode;
				ref->slot = g << ATTR_INDEX_BITS | a;
				return true;
			}
		}
	}
	return false;
}

static bool attr_by_name(const struct sysfs_tree *tree, const struct sysfs_node *dir,
			 const char *name, struct attr_ref *ref)
{
	for (uint32_t slot = 0; attr_next(tree, dir, slot, ref); slot = ref->slot + 1)
		if (strcmp(ref->attr->name, name) == 0)
			return true;
	return false;
}

static sysfs_ino_t attr_ino(const struct attr_ref *ref)
{
	return ATTR_INO_FLAG | ref->dir->ino << ATTR_SLOT_BITS | ref->slot;
}

/* ---- changes after building ---------------------------------------------------------------- */

int sysfs_remove(struct sysfs_tree *tree, struct sysfs_node *dir, const char *name)
{
	struct sysfs_node *node = find_node(tree, dir, name);
	struct dir_info *info = dir_of(tree, dir);
	struct attr_ref ref;

	if (node && node->kind != NODE_WHITEOUT) {
		uint32_t *children = info->children;
		uint32_t n = info->n_children, i = 0;

		while (i < n && children[i] != node->index)
			i++;
		memmove(&children[i], &children[i + 1], (n - i - 1) * sizeof(*children));
		info->n_children--;
		if (node->kind == NODE_DIR)
			info->n_subdirs--;
		node->hidden = true;
		return 0;
	}
	if (node || !info->n_groups || !attr_by_name(tree, dir, name, &ref))
		return -ENOENT;
	info->has_shadows = true;
	return node_new(tree, dir, name, NODE_WHITEOUT, 0) ? 0 : -ENOMEM;
}

void sysfs_changes_free(struct sysfs_change *changes, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(changes[i].name);
	free(changes);
}

int sysfs_tree_log_change(struct sysfs_tree *tree, sysfs_ino_t parent, const char *name)
{
	if (tree->n_changes == tree->cap_changes) {
		size_t cap = tree->cap_changes ? tree->cap_changes * 2 : 16;
		struct sysfs_change *changes = realloc(tree->changes, cap * sizeof(*changes));

		if (!changes)
			return -ENOMEM;
		tree->changes = changes;
		tree->cap_changes = cap;
	}
	struct sysfs_change *change = &tree->changes[tree->n_changes];
	change->parent = parent;
	change->name = NULL;
	if (name && !(change->name = strdup(name)))
		return -ENOMEM;
	tree->n_changes++;
	return 0;
}

size_t sysfs_tree_take_changes(struct sysfs_tree *tree, struct sysfs_change **out)
{
	size_t count = tree->n_changes;

	*out = tree->changes;
	tree->changes = NULL;
	tree->n_changes = tree->cap_changes = 0;
	return count;
}

static int link_text(const struct sysfs_tree *tree, const struct sysfs_node *link, char *buf,
		     size_t size);

/* The same file as far as a cache can tell: kind, and where a link leads or a node points.
 * a is in tree, b in next. */
static bool same_entry(const struct sysfs_tree *tree, const struct sysfs_node *a,
		       const struct sysfs_tree *next, const struct sysfs_node *b)
{
	char text_a[4096], text_b[4096];

	if (a->kind != b->kind || a->mode != b->mode)
		return false;
	switch (a->kind) {
	case NODE_LINK:
		return link_text(tree, a, text_a, sizeof(text_a)) == 0 &&
		       link_text(next, b, text_b, sizeof(text_b)) == 0 &&
		       strcmp(text_a, text_b) == 0;
	case NODE_CHR:
		return a->payload == b->payload;
	case NODE_ATTR:
		return file_of(tree, a)->attr == file_of(next, b)->attr &&
		       file_of(tree, a)->obj == file_of(next, b)->obj;
	case NODE_DIR:
		return dir_of(tree, a)->obj == dir_of(next, b)->obj &&
		       dir_of(tree, a)->groups == dir_of(next, b)->groups;
	default:
		return true;
	}
}

/*
 * Matches next's nodes to tree's by path (parents come before their children in both), hands
 * the matched ones their old inodes, and logs every name that came, went or changed under a
 * directory that stays. matched[i] says whether tree's node i lives on.
 */
static int carry_inodes(struct sysfs_tree *tree, struct sysfs_tree *next, bool *matched)
{
	struct sysfs_node **old_of = calloc(next->nodes.n, sizeof(*old_of));
	int err = 0;

	if (!old_of)
		return -ENOMEM;
	old_of[0] = node_at(tree, 0);
	matched[0] = true;
	node_at(next, 0)->ino = SYSFS_ROOT_INO;
	next->next_ino = tree->next_ino;
	for (uint32_t i = 1; i < next->nodes.n && !err; i++) {
		struct sysfs_node *node = node_at(next, i);
		struct sysfs_node *old_parent = old_of[node->parent];
		struct sysfs_node *old =
			old_parent ? find_node(tree, old_parent, node->name) : NULL;

		if (old && old->kind != NODE_WHITEOUT && same_entry(tree, old, next, node)) {
			old_of[i] = old;
			matched[old->index] = true;
			node->ino = old->ino;
			continue;
		}
		if (next->next_ino > UINT32_MAX) {
			err = -ENOMEM;
			break;
		}
		node->ino = (uint32_t)next->next_ino++;
		if (old_parent && node->kind != NODE_WHITEOUT)
			err = sysfs_tree_log_change(tree, old_parent->ino, node->name);
	}
	for (uint32_t i = 1; i < tree->nodes.n && !err; i++) {
		const struct sysfs_node *old = node_at(tree, i);

		/* Gone from a directory that stays; below a gone one, the kernel drops it all. */
		if (!matched[i] && !old->hidden && old->kind != NODE_WHITEOUT &&
		    matched[old->parent])
			err = sysfs_tree_log_change(tree, node_at(tree, old->parent)->ino,
						    old->name);
	}
	free(old_of);
	return err;
}

struct resolved {
	const struct sysfs_node *node; /* NULL for an attribute */
	struct attr_ref attr;
};

static int resolve(const struct sysfs_tree *tree, sysfs_ino_t ino, struct resolved *out);

/* A node that went took what setattr changed of it along: its inode is never given again. */
static void drop_setattrs_of_the_gone(struct sysfs_tree *tree)
{
	size_t kept = 0;

	for (size_t i = 0; i < tree->n_setattrs; i++) {
		struct resolved r;

		if (resolve(tree, tree->setattrs[i].ino, &r) == 0 &&
		    (r.node ? NULL : r.attr.attr) == tree->setattrs[i].attr_entry)
			tree->setattrs[kept++] = tree->setattrs[i];
	}
	tree->n_setattrs = kept;
}

int sysfs_tree_replace(struct sysfs_tree *tree, struct sysfs_tree *next)
{
	bool *matched = calloc(tree->nodes.n, sizeof(*matched));
	size_t logged = tree->n_changes;
	int err;

	if (!matched)
		return -ENOMEM;
	next->order = tree->order;
	next->shuffle_seed = tree->shuffle_seed;
	sysfs_tree_finish(next);
	err = carry_inodes(tree, next, matched);
	if (!err)
		err = hash_resize(next, next->hash_mask + 1);
	/* A directory whose entries changed has a new listing and perhaps a new link count. */
	for (size_t i = logged, n = tree->n_changes; !err && i < n; i++)
		if (i == logged || tree->changes[i].parent != tree->changes[i - 1].parent)
			err = sysfs_tree_log_change(tree, tree->changes[i].parent, NULL);
	free(matched);
	if (err) {
		while (tree->n_changes > logged)
			free(tree->changes[--tree->n_changes].name);
		return err;
	}

	/* tree takes all of next but the change log, which is tree's; next takes the old
	 * content away to be freed. */
	struct sysfs_tree old = *tree;
	*tree = *next;
	tree->changes = old.changes;
	tree->n_changes = old.n_changes;
	tree->cap_changes = old.cap_changes;
	old.changes = next->changes;
	old.n_changes = next->n_changes;
	old.cap_changes = next->cap_changes;
	/* What setattr changed stays with the inodes that stayed, as with kernfs nodes. */
	tree->setattrs = old.setattrs;
	tree->n_setattrs = old.n_setattrs;
	tree->cap_setattrs = old.cap_setattrs;
	old.setattrs = next->setattrs;
	old.n_setattrs = next->n_setattrs;
	old.cap_setattrs = next->cap_setattrs;
	*next = old;
	sysfs_tree_free(next);
	drop_setattrs_of_the_gone(tree);
	return 0;
}

bool sysfs_is_dir(const struct sysfs_node *node)
{
	return node->kind == NODE_DIR;
}

/* ---- reading ------------------------------------------------------------------------------ */

static int resolve(const struct sysfs_tree *tree, sysfs_ino_t ino, struct resolved *out)
{
	if (ino & ATTR_INO_FLAG) {
		const struct sysfs_node *dir =
			node_by_ino(tree, (ino & ~ATTR_INO_FLAG) >> ATTR_SLOT_BITS);

		if (!dir || dir->hidden || dir->kind != NODE_DIR)
			return -ENOENT;
		out->node = NULL;
		if (!attr_at_slot(tree, dir, ino & ((1u << ATTR_SLOT_BITS) - 1), &out->attr))
			return -ENOENT;
		return 0;
	}
	out->node = node_by_ino(tree, ino);
	if (!out->node)
		return -ENOENT;
	return out->node->hidden || out->node->kind == NODE_WHITEOUT ? -ENOENT : 0;
}

/* The node at ino if it is of the given kind, else -wrong_kind (ENOTDIR, EINVAL...). */
static int resolve_kind(const struct sysfs_tree *tree, sysfs_ino_t ino, enum node_kind kind,
			int wrong_kind, const struct sysfs_node **out)
{
	struct resolved r;
	int err = resolve(tree, ino, &r);

	if (err)
		return err;
	if (!r.node || r.node->kind != kind)
		return -wrong_kind;
	*out = r.node;
	return 0;
}

/* The setattr entry of ino, or NULL. */
static struct sysfs_setattr_entry *setattr_of(const struct sysfs_tree *tree, sysfs_ino_t ino)
{
	size_t low = 0, high = tree->n_setattrs;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (tree->setattrs[mid].ino == ino)
			return &tree->setattrs[mid];
		if (tree->setattrs[mid].ino < ino)
			low = mid + 1;
		else
			high = mid;
	}
	return NULL;
}

static void apply_setattr(const struct sysfs_tree *tree, struct sysfs_stat *st)
{
	const struct sysfs_setattr_entry *entry =
		tree->n_setattrs ? setattr_of(tree, st->ino) : NULL;

	if (!entry)
		return;
	st->set = entry->attr;
	if (entry->attr.valid & SYSFS_SET_MODE)
		st->mode = (st->mode & S_IFMT) | entry->attr.mode;
}

static void stat_node(const struct sysfs_tree *tree, const struct sysfs_node *node,
		      struct sysfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = sysfs_node_ino(node);
	st->nlink = 1;
	switch (node->kind) {
	case NODE_DIR:
		st->mode = S_IFDIR | node->mode;
		st->nlink = 2 + dir_of(tree, node)->n_subdirs;
		break;
	case NODE_LINK:
		st->mode = S_IFLNK | node->mode;
		break;
	case NODE_CHR:
		st->mode = S_IFCHR | node->mode;
		st->rdev_major = node->payload >> 20;
		st->rdev_minor = node->payload & ((1u << 20) - 1);
		break;
	case NODE_WHITEOUT: /* never served: resolve() and lookups refuse it */
		break;
	case NODE_ATTR: {
		const struct file_info *file = file_of(tree, node);

		st->mode = S_IFREG | node->mode;
		st->size = file->attr->size ? file->attr->size(file->obj) : SYSFS_PAGE_SIZE;
		break;
	}
	}
	apply_setattr(tree, st);
}

static void stat_attr(const struct sysfs_tree *tree, const struct attr_ref *ref,
		      struct sysfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = attr_ino(ref);
	st->mode = S_IFREG | ref->mode;
	st->nlink = 1;
	st->size = ref->attr->size ? ref->attr->size(ref->obj) : SYSFS_PAGE_SIZE;
	apply_setattr(tree, st);
}

int sysfs_stat(const struct sysfs_tree *tree, sysfs_ino_t ino, struct sysfs_stat *st)
{
	struct resolved r;
	int err = resolve(tree, ino, &r);

	if (err)
		return err;
	if (r.node)
		stat_node(tree, r.node, st);
	else
		stat_attr(tree, &r.attr, st);
	return 0;
}

int sysfs_setattr(struct sysfs_tree *tree, sysfs_ino_t ino, const struct sysfs_setattr *attr)
{
	struct resolved r;
	int err = resolve(tree, ino, &r);

	if (err)
		return err;
	struct sysfs_setattr_entry *entry = setattr_of(tree, ino);
	if (!entry) {
		size_t at = 0;

		if (tree->n_setattrs == tree->cap_setattrs) {
			size_t cap = tree->cap_setattrs ? 2 * tree->cap_setattrs : 8;
			void *bigger = realloc(tree->setattrs, cap * sizeof(*tree->setattrs));

			if (!bigger)
				return -ENOMEM;
			tree->setattrs = bigger;
			tree->cap_setattrs = cap;
		}
		while (at < tree->n_setattrs && tree->setattrs[at].ino < ino)
			at++;
		memmove(&tree->setattrs[at + 1], &tree->setattrs[at],
			(tree->n_setattrs - at) * sizeof(*tree->setattrs));
		tree->n_setattrs++;
		entry = &tree->setattrs[at];
		*entry = (struct sysfs_setattr_entry){ .ino = ino,
						       .attr_entry = r.node ? NULL : r.attr.attr };
	}
	struct sysfs_setattr *kept = &entry->attr;
	kept->valid |= attr->valid;
	if (attr->valid & SYSFS_SET_MODE)
		kept->mode = attr->mode & 07777;
	if (attr->valid & SYSFS_SET_UID)
		kept->uid = attr->uid;
	if (attr->valid & SYSFS_SET_GID)
		kept->gid = attr->gid;
	if (attr->valid & SYSFS_SET_ATIME)
		kept->atime = attr->atime;
	if (attr->valid & SYSFS_SET_MTIME)
		kept->mtime = attr->mtime;
	if (attr->valid & SYSFS_SET_CTIME)
		kept->ctime = attr->ctime;
	return 0;
}

int sysfs_tree_forget_setattrs(struct sysfs_tree *tree)
{
	/* Logged by inode alone: whoever caches its attributes drops them. */
	while (tree->n_setattrs) {
		int err =
			sysfs_tree_log_change(tree, tree->setattrs[tree->n_setattrs - 1].ino, NULL);

		if (err)
			return err;
		tree->n_setattrs--;
	}
	return 0;
}

int sysfs_lookup(const struct sysfs_tree *tree, sysfs_ino_t dir, const char *name,
		 struct sysfs_stat *st)
{
	const struct sysfs_node *node;
	int err = resolve_kind(tree, dir, NODE_DIR, ENOTDIR, &node);

	if (err)
		return err;

	const struct sysfs_node *child = find_node(tree, node, name);
	if (child && child->kind == NODE_WHITEOUT)
		return -ENOENT;
	if (child) {
		stat_node(tree, child, st);
		return 0;
	}
	struct attr_ref ref;
	if (attr_by_name(tree, node, name, &ref)) {
		stat_attr(tree, &ref, st);
		return 0;
	}
	return -ENOENT;
}

int sysfs_lookup_path(const struct sysfs_tree *tree, const char *path, struct sysfs_stat *st)
{
	int err = sysfs_stat(tree, SYSFS_ROOT_INO, st);

	for (const char *name = path; !err && *name;) {
		size_t len = strcspn(name, "/");
		char part[256];

		if (len >= sizeof(part))
			return -ENAMETOOLONG;
		if (len) {
			memcpy(part, name, len);
			part[len] = '\0';
			err = sysfs_lookup(tree, st->ino, part, st);
		}
		name += len + (name[len] == '/');
	}
	return err;
}

int sysfs_parent(const struct sysfs_tree *tree, sysfs_ino_t ino, sysfs_ino_t *parent)
{
	struct resolved r;
	int err = resolve(tree, ino, &r);

	if (err)
		return err;
	const struct sysfs_node *node = r.node ? r.node : r.attr.dir;
	if (r.node && node->parent == NO_NODE)
		*parent = SYSFS_ROOT_INO;
	else
		*parent = sysfs_node_ino(r.node ? parent_of(tree, node) : node);
	return 0;
}

int sysfs_path(const struct sysfs_tree *tree, sysfs_ino_t ino, char *buf, size_t size)
{
	struct resolved r;
	int err = resolve(tree, ino, &r);
	const char *leaf = NULL;

	if (err)
		return err;
	const struct sysfs_node *node = r.node;
	if (!node) {
		node = r.attr.dir;
		leaf = r.attr.attr->name;
	}
	/* Every name but the first is preceded by a slash. */
	size_t len = leaf ? strlen(leaf) + 1 : 0;
	for (const struct sysfs_node *kn = node; kn->parent != NO_NODE; kn = parent_of(tree, kn))
		len += strlen(kn->name) + 1;
	if (len)
		len--;
	if (len + 1 > size)
		return -ENAMETOOLONG;
	/* Fill backwards, from the leaf up to the root. */
	size_t end = len;
	buf[end] = '\0';
	if (leaf) {
		end -= strlen(leaf);
		memcpy(buf + end, leaf, strlen(leaf));
	}
	for (const struct sysfs_node *kn = node; kn->parent != NO_NODE; kn = parent_of(tree, kn)) {
		size_t n = strlen(kn->name);

		if (end < len)
			buf[--end] = '/';
		end -= n;
		memcpy(buf + end, kn->name, n);
	}
	return 0;
}

/*
 * kernfs_get_target_path(): climb from the link's directory until reaching a directory on
 * the target's parent chain, one "../" per step, then descend to the target by name.
 */
static int link_text(const struct sysfs_tree *tree, const struct sysfs_node *link, char *buf,
		     size_t size)
{
	const struct sysfs_node *base = parent_of(tree, link);
	size_t len = 0;

	if (link->text_link) {
		const char *text = *(const char *const *)chunked_at(&tree->texts, link->payload);

		len = strlen(text);
		if (len >= size)
			return -ENAMETOOLONG;
		memcpy(buf, text, len + 1);
		return 0;
	}

	const struct sysfs_node *target = node_at(tree, link->payload);
	while (base->parent != NO_NODE) {
		const struct sysfs_node *kn = parent_of(tree, target);

		while (kn->parent != NO_NODE && kn != base)
			kn = parent_of(tree, kn);
		if (kn == base)
			break;
		if (len + 3 >= size)
			return -ENAMETOOLONG;
		memcpy(buf + len, "../", 3);
		len += 3;
		base = parent_of(tree, base);
	}

	size_t down = 0;
	for (const struct sysfs_node *kn = target; kn->parent != NO_NODE && kn != base;
	     kn = parent_of(tree, kn))
		down += strlen(kn->name) + 1;
	if (down == 0 || len + down > size)
		return -ENAMETOOLONG;
	/* Fill the descent backwards, from the target's own name towards base. */
	size_t end = len + down - 1;
	buf[end] = '\0';
	for (const struct sysfs_node *kn = target; kn->parent != NO_NODE && kn != base;
	     kn = parent_of(tree, kn)) {
		size_t n = strlen(kn->name);

		end -= n;
		memcpy(buf + end, kn->name, n);
		if (end > len)
			buf[--end] = '/';
	}
	return 0;
}

int sysfs_readlink(const struct sysfs_tree *tree, sysfs_ino_t ino, char *buf, size_t size)
{
	const struct sysfs_node *link;
	int err = resolve_kind(tree, ino, NODE_LINK, EINVAL, &link);

	return err ? err : link_text(tree, link, buf, size);
}

/* A directory's visible attributes in listing order. */
#define MAX_DIR_ATTRS 512
struct listed_attr {
	uint32_t hash;
	struct attr_ref ref;
};

static int compare_listed(const void *a, const void *b, void *tree)
{
	const struct listed_attr *x = a, *y = b;

	return listing_compare(tree, x->hash, x->ref.attr->name, y->hash, y->ref.attr->name);
}

static size_t list_attrs(const struct sysfs_tree *tree, const struct sysfs_node *dir,
			 struct listed_attr *out)
{
	size_t n = 0;
	struct attr_ref ref;

	bool has_shadows = dir_of(tree, dir)->has_shadows;

	for (uint32_t slot = 0; n < MAX_DIR_ATTRS && attr_next(tree, dir, slot, &ref);
	     slot = ref.slot + 1) {
		if (has_shadows && find_node(tree, dir, ref.attr->name))
			continue;
		out[n].hash = listing_key(tree, ref.attr->name);
		out[n++].ref = ref;
	}
	qsort_r(out, n, sizeof(*out), compare_listed, (void *)tree);
	return n;
}

/*
 * A listing position is the listing key of the next entry and its rank among the entries with
 * that key, as kernfs positions a listing at a name hash: an entry that stays is neither
 * repeated nor skipped when others come or go between two getdents calls (only entries with the
 * very same key can shift). Position 0 is the start; keys are at most 32 bits.
 */
#define COOKIE_RANK_BITS 30
#define COOKIE_END	 ((uint64_t)1 << 62)

static uint64_t cookie_of(uint32_t key, uint64_t rank)
{
	return ((uint64_t)key << COOKIE_RANK_BITS | rank) + 1;
}

/* Children with a listing key below key: they all come before any entry with that key. */
static uint32_t children_before(const struct sysfs_tree *tree, const struct sysfs_node *dir,
				uint32_t key)
{
	const struct dir_info *info = dir_of(tree, dir);
	uint32_t low = 0, high = info->n_children;

	if (tree->order == SYSFS_ORDER_SORTED || tree->order == SYSFS_ORDER_REVERSE)
		return 0; /* one key for all: the rank is the position */
	while (low < high) {
		uint32_t mid = low + (high - low) / 2;

		if (child_at(tree, info, mid)->hash < key)
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

/* Whether the merged listing goes on with attrs[attr] rather than children[child]. */
static bool next_is_attr(const struct sysfs_tree *tree, const struct sysfs_node *dir,
			 uint32_t child, const struct listed_attr *attrs, size_t attr,
			 size_t n_attrs)
{
	if (attr >= n_attrs)
		return false;
	const struct dir_info *info = dir_of(tree, dir);

	if (child >= info->n_children)
		return true;
	const struct sysfs_node *c = child_at(tree, info, child);
	return listing_compare(tree, attrs[attr].hash, attrs[attr].ref.attr->name, c->hash,
			       c->name) < 0;
}

int sysfs_readdir(const struct sysfs_tree *tree, sysfs_ino_t dir, uint64_t *cookie,
		  const char **name, struct sysfs_stat *st)
{
	struct listed_attr attrs[MAX_DIR_ATTRS];
	const struct sysfs_node *node;
	int err = resolve_kind(tree, dir, NODE_DIR, ENOTDIR, &node);

	if (err)
		return err;
	if (*cookie >= COOKIE_END)
		return 1;

	uint32_t key = *cookie ? (uint32_t)((*cookie - 1) >> COOKIE_RANK_BITS) : 0;
	uint64_t rank = *cookie ? (*cookie - 1) & (((uint64_t)1 << COOKIE_RANK_BITS) - 1) : 0;
	const struct dir_info *info = dir_of(tree, node);
	size_t n_attrs = info->n_groups ? list_attrs(tree, node, attrs) : 0;
	uint32_t child = children_before(tree, node, key);
	size_t attr = 0;

	if (tree->order != SYSFS_ORDER_SORTED && tree->order != SYSFS_ORDER_REVERSE)
		while (attr < n_attrs && attrs[attr].hash < key)
			attr++;
	/* Merge forward past the rank entries that share the key, then take one more. */
	uint32_t entry_key;
	for (uint64_t skipped = 0;; skipped++) {
		bool have_attr = next_is_attr(tree, node, child, attrs, attr, n_attrs);

		if (!have_attr && child >= info->n_children) {
			*cookie = COOKIE_END;
			return 1;
		}
		entry_key = have_attr ? attrs[attr].hash : child_at(tree, info, child)->hash;
		if (entry_key == key && skipped < rank) {
			have_attr ? attr++ : child++;
			continue;
		}
		if (entry_key != key)
			rank = 0; /* what the position named is gone: go on from its successor */
		if (have_attr) {
			*name = attrs[attr].ref.attr->name;
			stat_attr(tree, &attrs[attr].ref, st);
			attr++;
		} else {
			const struct sysfs_node *c = child_at(tree, info, child);

			*name = c->name;
			stat_node(tree, c, st);
			child++;
		}
		break;
	}
	/* Where the next call starts: the entry after this one. */
	bool have_attr = next_is_attr(tree, node, child, attrs, attr, n_attrs);
	if (!have_attr && child >= info->n_children) {
		*cookie = COOKIE_END;
		return 0;
	}
	uint32_t next_key = have_attr ? attrs[attr].hash : child_at(tree, info, child)->hash;
	*cookie = cookie_of(next_key, next_key == entry_key ? rank + 1 : 0);
	return 0;
}

/* ---- open files --------------------------------------------------------------------------- */

int sysfs_open(const struct sysfs_tree *tree, sysfs_ino_t ino, int flags,
	       const struct sysfs_opener *opener, struct sysfs_open_file **out)
{
	struct resolved r;
	int err = resolve(tree, ino, &r);

	if (err)
		return err;
	const struct sysfs_attr *attr = r.node ? NULL : r.attr.attr;
	const void *obj = r.node ? NULL : r.attr.obj;
	if (r.node && r.node->kind != NODE_ATTR)
		return r.node->kind == NODE_DIR ? -EISDIR : -ENXIO;
	if (r.node) {
		attr = file_of(tree, r.node)->attr;
		obj = file_of(tree, r.node)->obj;
	}

	int access = flags & O_ACCMODE;
	bool wants_read = access == O_RDONLY || access == O_RDWR;
	bool wants_write = access == O_WRONLY || access == O_RDWR;
	if ((wants_read && !attr->show) || (wants_write && !attr->store))
		return -EACCES;

	struct sysfs_open_file *file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	file->attr = attr;
	file->obj = obj;
	file->opener = *opener;
	file->capacity = attr->buffer_size ? attr->buffer_size(file->obj)
			 : attr->size	   ? attr->size(file->obj)
					   : SYSFS_PAGE_SIZE;
	pthread_mutex_init(&file->lock, NULL);
	*out = file;
	return 0;
}

ssize_t sysfs_read(struct sysfs_open_file *file, char *buf, size_t size, uint64_t offset)
{
	ssize_t result = 0;

	pthread_mutex_lock(&file->lock);
	if (!file->rendered || offset == 0) {
		if (!file->buf && !(file->buf = malloc(file->capacity ? file->capacity : 1))) {
			result = -ENOMEM;
			goto out;
		}
		ssize_t n = file->attr->show(file->obj, &file->opener, file->buf, file->capacity);
		if (n < 0) {
			result = n;
			goto out;
		}
		file->len = (size_t)n < file->capacity ? (size_t)n : file->capacity;
		file->rendered = true;
	}
	if (offset < file->len) {
		result = (ssize_t)(file->len - offset < size ? file->len - offset : size);
		memcpy(buf, file->buf + offset, (size_t)result);
	}
out:
	pthread_mutex_unlock(&file->lock);
	return result;
}

ssize_t sysfs_write(struct sysfs_open_file *file, const char *buf, size_t size)
{
	char page[SYSFS_PAGE_SIZE + 1];

	if (size == 0)
		return 0;
	if (size > SYSFS_PAGE_SIZE)
		return -E2BIG;
	memcpy(page, buf, size);
	page[size] = '\0';
	/* The objects behind writable attributes are their owners' own, mutable ones; the tree
	 * keeps every object as const only because most are read. */
	return file->attr->store((void *)file->obj, &file->opener, page, size);
}

void sysfs_release(struct sysfs_open_file *file)
{
	if (!file)
		return;
	pthread_mutex_destroy(&file->lock);
	free(file->buf);
	free(file);
}
