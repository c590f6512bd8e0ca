/* SPDX-License-Identifier: MIT */
/*
 * The FUSE low-level operations over a sysfs tree (after libfuse's example/hello_ll.c and
 * passthrough_hp). The tree changes only through writes (a store may rebuild it), so every
 * operation reads under a shared lock and a write takes it alone; what a write changed is then
 * dropped from the kernel's caches before the write returns, which lets everything else be
 * cached for long. Optional fault rules and an access trace see every operation by path.
 *
 * The lock is a big-reader lock (reader_lock.h): the session loop's threads read under locks
 * of their own, so that reads on several threads do not queue on one cache line.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312
#include "fuse_fs.h"

#include "access_trace.h"
#include "fault_rules.h"
#include "reader_lock.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* Changes are pushed out of the kernel's caches as they happen: keep the rest for long. */
#define CACHE_TIMEOUT_S 86400.0

/* The control file's inode: far above any the tree hands out, which count up from 1. */
#define CONTROL_INO ((fuse_ino_t)UINT64_MAX - 1)

/* An open file as the kernel holds it: an attribute of the tree, or the control file. */
struct open_handle {
	struct sysfs_open_file *file; /* NULL for the control file */
	char *reply;		      /* the control file: the last command's reply */
	size_t reply_len;
	struct handle_list *list; /* the one it is on */
	struct open_handle *prev, *next;
};

/*
 * Every handle given out: RELEASE for the last ones can still be in flight when the session
 * ends, and what the kernel never returns is freed there. A list per reader slot, each with
 * its lock on a cache line of its own, so that opens on different threads take different
 * locks; a handle goes on the list of the slot that opened it.
 */
struct handle_list {
	_Alignas(64) pthread_mutex_t lock;
	struct open_handle head;
};

struct fuse_fs {
	struct sysfs_tree *tree;
	struct fuse_session *se;
	struct reader_lock lock; /* shared by every operation, alone by writes */
	struct fault_rules *faults;
	struct access_trace *trace;
	const struct fuse_fs_control *control; /* may be NULL */
	/* Who mounted: the control file is theirs. Both ids, since the kernel refuses writes to
	 * a file whose owner or group is not mapped in a user namespace's mount. */
	uid_t owner;
	gid_t owner_group;
	struct timespec created; /* every node's timestamps, like sysfs at boot */
	/* The kernel opens directories without asking: decided at INIT, for the mount's life. */
	bool quiet_opendir;
	struct handle_list handles[READER_LOCK_SLOTS];
};

static struct fuse_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

struct op_context {
	char path[4096];
	size_t max_bytes;
	/* How the operation holds fs->lock: a delay lets it go and takes it back the same way. */
	bool exclusive;
	unsigned slot; /* shared: the reader slot taken */
};

static void lock_shared(struct fuse_fs *fs, struct op_context *ctx)
{
	ctx->exclusive = false;
	ctx->slot = reader_lock_read(&fs->lock);
}

static void lock_alone(struct fuse_fs *fs, struct op_context *ctx)
{
	ctx->exclusive = true;
	reader_lock_write(&fs->lock);
}

static void unlock(struct fuse_fs *fs, const struct op_context *ctx)
{
	if (ctx->exclusive)
		reader_unlock_write(&fs->lock);
	else
		reader_unlock_read(&fs->lock, ctx->slot);
}

/*
 * What an operation on ino (or on name in it) meets before it runs: a fault rule may make it
 * wait, fail or read short. path gets the node's path when faults or the trace need it ("" if
 * not). Called with the lock held as ctx says. A delay lets the lock go while it lasts:
 * it is there to open a window for a change (a device removed in the middle of an enumeration),
 * so the operation then meets the tree as it is after the wait, where ino may be gone; path
 * stays the one the call was made on. Returns 0 or the -errno to answer with.
 */
static int op_begin(struct fuse_fs *fs, enum fault_op op, fuse_ino_t ino, const char *name,
		    struct op_context *ctx)
{
	struct fault_action action;

	ctx->path[0] = '\0';
	ctx->max_bytes = SIZE_MAX;
	if (fault_rules_empty(fs->faults) && !fs->trace)
		return 0;
	if (sysfs_path(fs->tree, ino, ctx->path, sizeof(ctx->path)) != 0)
		ctx->path[0] = '\0';
	if (name) {
		size_t len = strlen(ctx->path);

		snprintf(ctx->path + len, sizeof(ctx->path) - len, "%s%s", len ? "/" : "", name);
	}
	if (!fs->faults || !fault_rules_match(fs->faults, op, ctx->path, &action))
		return 0;
	if (action.delay_ms) {
		struct timespec wait = { action.delay_ms / 1000,
					 (action.delay_ms % 1000) * 1000000L };

		unlock(fs, ctx);
		while (nanosleep(&wait, &wait) != 0 && errno == EINTR)
			;
		if (ctx->exclusive)
			lock_alone(fs, ctx);
		else
			lock_shared(fs, ctx);
	}
	ctx->max_bytes = action.max_bytes;
	return -action.error;
}

static void op_end(struct fuse_fs *fs, fuse_req_t req, const char *op, const struct op_context *ctx,
		   long long result, const char *data, size_t data_len)
{
	if (fs->trace)
		access_trace_log(fs->trace, op, (long)fuse_req_ctx(req)->pid, ctx->path, result,
				 data, data_len);
}

/* Owned by root and as old as the mount, unless a setattr said otherwise. */
static void to_stat(const struct fuse_fs *fs, const struct sysfs_stat *in, struct stat *st)
{
	unsigned set = in->set.valid;

	memset(st, 0, sizeof(*st));
	st->st_ino = in->ino;
	st->st_mode = in->mode;
	st->st_nlink = in->nlink;
	st->st_size = (off_t)in->size;
	st->st_rdev = makedev(in->rdev_major, in->rdev_minor);
	st->st_blksize = SYSFS_PAGE_SIZE;
	st->st_uid = set & SYSFS_SET_UID ? in->set.uid : 0;
	st->st_gid = set & SYSFS_SET_GID ? in->set.gid : 0;
	st->st_atim = set & SYSFS_SET_ATIME ? in->set.atime : fs->created;
	st->st_mtim = set & SYSFS_SET_MTIME ? in->set.mtime : fs->created;
	st->st_ctim = set & SYSFS_SET_CTIME ? in->set.ctime : fs->created;
}

static void to_entry(const struct fuse_fs *fs, const struct sysfs_stat *in,
		     struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = in->ino;
	e->attr_timeout = CACHE_TIMEOUT_S;
	e->entry_timeout = CACHE_TIMEOUT_S;
	to_stat(fs, in, &e->attr);
}

/* Not cached: whether there is a control file is the daemon's to say, every time. */
static void control_entry(const struct fuse_fs *fs, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = CONTROL_INO;
	e->attr.st_ino = CONTROL_INO;
	e->attr.st_mode = S_IFREG | 0600;
	e->attr.st_nlink = 1;
	e->attr.st_uid = fs->owner;
	e->attr.st_gid = fs->owner_group;
	e->attr.st_blksize = SYSFS_PAGE_SIZE;
	e->attr.st_atim = e->attr.st_mtim = e->attr.st_ctim = fs->created;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_fs *fs = fs_of(req);
	struct fuse_entry_param e;
	struct sysfs_stat st;
	struct op_context ctx;

	if (parent == FUSE_ROOT_ID && fs->control && strcmp(name, fs->control->name) == 0) {
		control_entry(fs, &e);
		fuse_reply_entry(req, &e);
		return;
	}
	lock_shared(fs, &ctx);
	int err = op_begin(fs, FAULT_LOOKUP, parent, name, &ctx);
	if (!err)
		err = sysfs_lookup(fs->tree, parent, name, &st);
	/* Where a rule may strike, the kernel must ask each time rather than keep the answer, or
	 * the rule would not see the calls it counts (nth=, after=) or delays. */
	bool uncached = fault_rules_cover(fs->faults, ctx.path);
	op_end(fs, req, "lookup", &ctx, err, NULL, 0);
	unlock(fs, &ctx);
	if (err == -ENOENT && !fault_rules_empty(fs->faults)) {
		/* A fault's ENOENT is not cached: the rule may stop firing. */
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (err == -ENOENT) {
		/* A negative entry: absent optional attributes are asked for again and again. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = CACHE_TIMEOUT_S;
		fuse_reply_entry(req, &e);
		return;
	}
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	to_entry(fs, &st, &e);
	if (uncached)
		e.entry_timeout = e.attr_timeout = 0;
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse_fs *fs = fs_of(req);
	struct sysfs_stat st;
	struct stat out;
	struct op_context ctx;

	if (ino == CONTROL_INO) {
		struct fuse_entry_param e;

		control_entry(fs, &e);
		fuse_reply_attr(req, &e.attr, 0);
		return;
	}
	lock_shared(fs, &ctx);
	int err = op_begin(fs, FAULT_GETATTR, ino, NULL, &ctx);
	if (!err)
		err = sysfs_stat(fs->tree, ino, &st);
	bool uncached = fault_rules_cover(fs->faults, ctx.path);
	op_end(fs, req, "getattr", &ctx, err, NULL, 0);
	unlock(fs, &ctx);
	(void)fi;
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	to_stat(fs, &st, &out);
	fuse_reply_attr(req, &out, uncached ? 0 : CACHE_TIMEOUT_S);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse_fs *fs = fs_of(req);
	char target[PATH_MAX];
	struct op_context ctx;

	lock_shared(fs, &ctx);
	int err = op_begin(fs, FAULT_READLINK, ino, NULL, &ctx);
	if (!err)
		err = sysfs_readlink(fs->tree, ino, target, sizeof(target));
	op_end(fs, req, "readlink", &ctx, err ? err : (long long)strlen(target), NULL, 0);
	unlock(fs, &ctx);

	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_readlink(req, target);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse_fs *fs = fs_of(req);
	struct sysfs_stat st;
	struct op_context ctx;

	if (fs->quiet_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	lock_shared(fs, &ctx);
	int err = op_begin(fs, FAULT_OPENDIR, ino, NULL, &ctx);
	if (!err)
		err = sysfs_stat(fs->tree, ino, &st);
	bool uncached = fault_rules_cover(fs->faults, ctx.path);
	op_end(fs, req, "opendir", &ctx, err, NULL, 0);
	unlock(fs, &ctx);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (!S_ISDIR(st.mode)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	fi->cache_readdir = fi->keep_cache = !uncached;
	fuse_reply_open(req, fi);
}

/*
 * Directory offsets: 1 and 2 follow "." and ".."; after that, offset = tree cookie + 2, so any
 * offset the kernel hands back continues exactly where the previous reply stopped.
 */
#define DOT_ENTRIES 2

/*
 * Whether a fault rule may strike name in the directory at dir_path (as op_begin names it).
 * Such an entry goes out of readdirplus without its inode: the kernel would otherwise keep it
 * and never look the name up again, and the rule would not see the calls it is there for.
 */
static bool entry_faulted(struct fuse_fs *fs, const char *dir_path, const char *name)
{
	char path[sizeof(((struct op_context *)NULL)->path)];
	int n = snprintf(path, sizeof(path), "%s%s%s", dir_path, *dir_path ? "/" : "", name);

	/* A path too long to name is looked up too: the lookup decides. */
	return n < 0 || (size_t)n >= sizeof(path) || fault_rules_cover(fs->faults, path);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, bool plus)
{
	struct fuse_fs *fs = fs_of(req);
	char *buf = malloc(size);
	size_t used = 0, entries = 0;
	struct op_context ctx;
	sysfs_ino_t parent = ino;
	int err = 0;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	lock_shared(fs, &ctx);
	err = op_begin(fs, FAULT_READDIR, ino, NULL, &ctx);
	/* A directory gone since the call (a delay let a removal in) answers ENOENT at once, not
	 * "." and then ENOENT. */
	if (!err)
		err = sysfs_parent(fs->tree, ino, &parent);
	/* Under the lock the rules do not change (they change under it alone). */
	bool check_faults = plus && !fault_rules_empty(fs->faults);
	while (!err) {
		struct sysfs_stat st;
		const char *name;
		uint64_t next;

		if (offset < DOT_ENTRIES) {
			memset(&st, 0, sizeof(st));
			st.ino = offset == 0 ? ino : parent;
			st.mode = S_IFDIR;
			name = offset == 0 ? "." : "..";
			next = (uint64_t)offset + 1;
		} else {
			uint64_t cookie = (uint64_t)offset - DOT_ENTRIES;

			err = sysfs_readdir(fs->tree, ino, &cookie, &name, &st);
			if (err) {
				err = err > 0 ? 0 : err;
				break;
			}
			next = cookie + DOT_ENTRIES;
		}

		size_t n;
		if (plus) {
			struct fuse_entry_param e;

			to_entry(fs, &st, &e);
			/* Zero: the name without an entry (d_ino stays attr.st_ino), so no lookup
			 * reference for "." and "..", and a lookup for a name a rule covers. */
			if (offset < DOT_ENTRIES ||
			    (check_faults && entry_faulted(fs, ctx.path, name)))
				e.ino = 0;
			n = fuse_add_direntry_plus(req, buf + used, size - used, name, &e,
						   (off_t)next);
		} else {
			struct stat out;

			to_stat(fs, &st, &out);
			n = fuse_add_direntry(req, buf + used, size - used, name, &out,
					      (off_t)next);
		}
		if (n > size - used)
			break;
		used += n;
		entries++;
		offset = (off_t)next;
	}
	op_end(fs, req, plus ? "readdirplus" : "readdir", &ctx,
	       err && !used ? err : (long long)entries, NULL, 0);
	unlock(fs, &ctx);
	if (err && used == 0)
		fuse_reply_err(req, -err);
	else
		fuse_reply_buf(req, buf, used);
	free(buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		       struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, offset, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
			   struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, offset, true);
}

static void handle_link(struct handle_list *list, struct open_handle *h)
{
	pthread_mutex_lock(&list->lock);
	h->list = list;
	h->prev = &list->head;
	h->next = list->head.next;
	h->next->prev = h;
	list->head.next = h;
	pthread_mutex_unlock(&list->lock);
}

static void handle_unlink(struct open_handle *h)
{
	pthread_mutex_lock(&h->list->lock);
	h->prev->next = h->next;
	h->next->prev = h->prev;
	pthread_mutex_unlock(&h->list->lock);
	sysfs_release(h->file);
	free(h->reply);
	free(h);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse_fs *fs = fs_of(req);
	/* Decided by who opens, not who reads, as file_ns_capable() does in pci-sysfs.c. */
	struct sysfs_opener opener = { .privileged = fuse_req_ctx(req)->uid == 0 };
	struct open_handle *h = calloc(1, sizeof(*h));
	struct handle_list *list = &fs->handles[0]; /* the control file's: seldom opened */
	struct op_context ctx;

	int err = 0;

	if (ino == CONTROL_INO) {
		err = h ? 0 : -ENOMEM;
	} else {
		lock_shared(fs, &ctx);
		list = &fs->handles[ctx.slot];
		err = op_begin(fs, FAULT_OPEN, ino, NULL, &ctx);
		if (!err && !h)
			err = -ENOMEM;
		if (!err) {
			err = sysfs_open(fs->tree, ino, fi->flags, &opener, &h->file);
			/* What the path walk found went since (a delay let a removal in): ENODEV,
			 * as kernfs's open answers when it gets no active reference. */
			if (err == -ENOENT)
				err = -ENODEV;
		}
		op_end(fs, req, "open", &ctx, err, NULL, 0);
		unlock(fs, &ctx);
	}

	if (err) {
		free(h);
		fuse_reply_err(req, -err);
		return;
	}
	handle_link(list, h);

	fi->fh = (uintptr_t)h;
	/* Without direct_io the kernel shrinks the cached size to the bytes read, and stat would
	 * no longer show 4096. */
	fi->direct_io = 1;
	fi->noflush = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)
		handle_unlink(h); /* the opener was interrupted */
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		    struct fuse_file_info *fi)
{
	struct open_handle *h = (struct open_handle *)(uintptr_t)fi->fh;
	char page[SYSFS_PAGE_SIZE];
	char *buf = size <= sizeof(page) ? page : malloc(size);
	ssize_t n;

	struct fuse_fs *fs = fs_of(req);
	struct op_context ctx;
	struct sysfs_stat st;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (!h->file) {
		size_t start = offset < 0 ? 0 : (size_t)offset;

		lock_shared(fs, &ctx); /* the reply is written under the write lock */
		n = start < h->reply_len ? (ssize_t)(h->reply_len - start) : 0;
		n = (size_t)n < size ? n : (ssize_t)size;
		if (n)
			memcpy(buf, h->reply + start, (size_t)n);
		unlock(fs, &ctx);
		fuse_reply_buf(req, buf, (size_t)n);
		if (buf != page)
			free(buf);
		return;
	}
	lock_shared(fs, &ctx);
	n = op_begin(fs, FAULT_READ, ino, NULL, &ctx);
	/* A file whose device went away reads ENODEV, as kernfs's active references give. */
	if (!n && sysfs_stat(fs->tree, ino, &st) != 0)
		n = -ENODEV;
	if (!n)
		n = offset < 0
			    ? -EINVAL
			    : sysfs_read(h->file, buf, size < ctx.max_bytes ? size : ctx.max_bytes,
					 (uint64_t)offset);
	op_end(fs, req, "read", &ctx, n, NULL, 0);
	unlock(fs, &ctx);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	if (buf != page)
		free(buf);
}

/*
 * Ends a write that may have changed the tree. What changed leaves the kernel's caches before
 * the writer hears back, so that every process sees the change at once; after the lock is let
 * go, since the kernel may be holding a directory while it waits on a lookup that waits on the
 * lock.
 */
static void unlock_and_publish(struct fuse_fs *fs, const struct op_context *ctx)
{
	struct sysfs_change *changes;
	size_t n_changes = sysfs_tree_take_changes(fs->tree, &changes);

	unlock(fs, ctx);
	for (size_t i = 0; i < n_changes; i++) {
		if (changes[i].name)
			fuse_lowlevel_notify_inval_entry(fs->se, changes[i].parent, changes[i].name,
							 strlen(changes[i].name));
		else
			fuse_lowlevel_notify_inval_inode(fs->se, changes[i].parent, 0, 0);
	}
	sysfs_changes_free(changes, n_changes);
}

/* One command: the control's reply replaces the handle's last one. */
static ssize_t control_write(struct fuse_fs *fs, struct open_handle *h, const char *buf,
			     size_t size)
{
	char *command = malloc(size + 1), *reply = NULL;
	int err;

	if (!command)
		return -ENOMEM;
	memcpy(command, buf, size);
	command[size] = '\0';
	err = fs->control->run(fs->control->ctx, command, size, &reply);
	free(command);
	free(h->reply);
	h->reply = reply;
	h->reply_len = reply ? strlen(reply) : 0;
	return err ? err : (ssize_t)size;
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t offset,
		     struct fuse_file_info *fi)
{
	struct open_handle *h = (struct open_handle *)(uintptr_t)fi->fh;
	struct fuse_fs *fs = fs_of(req);
	struct op_context ctx;
	struct sysfs_stat st;
	ssize_t n;

	(void)offset; /* a text attribute's store takes each write whole, wherever it lands */
	lock_alone(fs, &ctx);
	if (!h->file) {
		n = control_write(fs, h, buf, size);
	} else {
		n = op_begin(fs, FAULT_WRITE, ino, NULL, &ctx);
		if (!n && sysfs_stat(fs->tree, ino, &st) != 0)
			n = -ENODEV;
		if (!n)
			n = sysfs_write(h->file, buf, size);
		op_end(fs, req, "write", &ctx, n, buf, size);
	}
	unlock_and_publish(fs, &ctx);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	handle_unlink((struct open_handle *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st = { .f_bsize = SYSFS_PAGE_SIZE,
			      .f_frsize = SYSFS_PAGE_SIZE,
			      .f_namemax = 255 };

	(void)ino;
	fuse_reply_statfs(req, &st);
}

/*
 * kernfs has no create, mknod or link operations: the VFS answers EACCES for a regular file
 * (vfs_create, which FUSE sends here as a mknod of S_IFREG) and EPERM for anything else
 * (vfs_mknod: a FIFO, a socket, a device node).
 */
static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	(void)parent, (void)name, (void)rdev;
	fuse_reply_err(req, S_ISREG(mode) ? EACCES : EPERM);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	(void)parent, (void)name, (void)mode, (void)fi;
	fuse_reply_err(req, EACCES);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)parent, (void)name, (void)mode;
	fuse_reply_err(req, EPERM);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent, (void)name;
	fuse_reply_err(req, EPERM);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	(void)link, (void)parent, (void)name;
	fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	fuse_reply_err(req, EPERM);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	(void)ino, (void)newparent, (void)newname;
	fuse_reply_err(req, EPERM);
}

/* What a setattr request asks the tree to keep; the ctime of any change is now. */
static struct sysfs_setattr setattr_request(const struct stat *attr, int to_set)
{
	struct sysfs_setattr change = { 0 };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (to_set & FUSE_SET_ATTR_MODE) {
		change.valid |= SYSFS_SET_MODE;
		change.mode = attr->st_mode & 07777;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		change.valid |= SYSFS_SET_UID;
		change.uid = attr->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		change.valid |= SYSFS_SET_GID;
		change.gid = attr->st_gid;
	}
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW)) {
		change.valid |= SYSFS_SET_ATIME;
		change.atime = to_set & FUSE_SET_ATTR_ATIME_NOW ? now : attr->st_atim;
	}
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)) {
		change.valid |= SYSFS_SET_MTIME;
		change.mtime = to_set & FUSE_SET_ATTR_MTIME_NOW ? now : attr->st_mtim;
	}
	if (change.valid || (to_set & FUSE_SET_ATTR_SIZE)) {
		change.valid |= SYSFS_SET_CTIME;
		change.ctime = to_set & FUSE_SET_ATTR_CTIME ? attr->st_ctim : now;
	}
	return change;
}

/*
 * chmod, chown, utimes and truncate, which sysfs takes from whoever may (kernfs_iop_setattr):
 * the kernel has checked that already (default_permissions). Modes, owners and times stay
 * with the node while it lives; a size is ignored, as kernfs ignores it.
 */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fuse_fs *fs = fs_of(req);
	struct sysfs_setattr change = setattr_request(attr, to_set);
	struct sysfs_stat st;
	struct op_context ctx = { .path = "" };
	struct stat out;

	(void)fi;
	/* The control file is the daemon's, not a sysfs file. */
	if (ino == CONTROL_INO) {
		fuse_reply_err(req, EPERM);
		return;
	}
	lock_alone(fs, &ctx);
	if (fs->trace && sysfs_path(fs->tree, ino, ctx.path, sizeof(ctx.path)) != 0)
		ctx.path[0] = '\0';
	int err = sysfs_setattr(fs->tree, ino, &change);
	if (!err)
		err = sysfs_stat(fs->tree, ino, &st);
	op_end(fs, req, "setattr", &ctx, err, NULL, 0);
	unlock(fs, &ctx);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	to_stat(fs, &st, &out);
	fuse_reply_attr(req, &out, CACHE_TIMEOUT_S);
}

/*
 * Every change is pushed out of the kernel's caches when it happens, so the kernel need not
 * check for itself: with automatic invalidation it asks for a directory's attributes again
 * (for its mtime) each time it lists the directory from its cache.
 */
static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fuse_fs *fs = userdata;

	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	/*
	 * Two things cost round trips that answer nothing new, and are given up only where a
	 * trace or a fault rule must see every call, decided here for the mount's life:
	 * - link texts: a link whose target changes gets a new inode, so they can be kept for
	 *   good; every path through /sys/bus/pci/devices would otherwise cost a readlink;
	 * - an opendir and a releasedir per directory: declined, the kernel opens directories
	 *   itself, for good, and caches their listings as it does for ours (only our opendir
	 *   can ask it not to, for a directory a rule covers).
	 * On a mount that starts with neither, a rule added later sees a readlink or readdir
	 * only until the kernel has cached its answer again.
	 */
	bool cache_all = !fs->trace && fault_rules_empty(fs->faults);

	if (cache_all && (conn->capable & FUSE_CAP_CACHE_SYMLINKS))
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	fs->quiet_opendir = cache_all && (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
	if (fs->quiet_opendir && fs->faults)
		fault_rules_set_unseen(fs->faults, FAULT_OPENDIR,
				       "this mount does not see opendir: the kernel opens "
				       "directories itself unless the mount starts with a fault "
				       "rule or --trace");
}

static const struct fuse_lowlevel_ops fuse_fs_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.release = op_release,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.statfs = op_statfs,
	.create = op_create,
};

/* libfuse splits -o at commas; a backslash keeps the next character literal. */
static void escape_option(const char *value, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = value; *p && n + 2 < size; p++) {
		if (*p == ',' || *p == '\\')
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n] = '\0';
}

int fuse_fs_serve(struct sysfs_tree *tree, const struct fuse_fs_options *options, char *error,
		  size_t error_size)
{
	struct fuse_fs fs = { .tree = tree,
			      .faults = options->faults,
			      .trace = options->trace,
			      .control = options->control,
			      .owner = getuid(),
			      .owner_group = getgid() };
	char mount_options[2 * PATH_MAX + 128];
	char fsname[2 * PATH_MAX];
	char *argv[5];
	int argc = 0;
	int status = 1;
	int err = reader_lock_init(&fs.lock);

	if (err) {
		snprintf(error, error_size, "cannot make the tree's lock: %s", strerror(-err));
		return 1;
	}
	for (size_t i = 0; i < READER_LOCK_SLOTS; i++) {
		pthread_mutex_init(&fs.handles[i].lock, NULL);
		fs.handles[i].head.prev = fs.handles[i].head.next = &fs.handles[i].head;
	}
	clock_gettime(CLOCK_REALTIME, &fs.created);
	escape_option(options->source ? options->source : "fakesys", fsname, sizeof(fsname));
	snprintf(mount_options, sizeof(mount_options),
		 "default_permissions,noatime,fsname=%s,subtype=fakesys%s%s", fsname,
		 options->allow_other ? ",allow_other" : "", options->read_only ? ",ro" : "");
	argv[argc++] = "fakesys";
	argv[argc++] = "-o";
	argv[argc++] = mount_options;
	if (options->debug)
		argv[argc++] = "-d";
	argv[argc] = NULL;

	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_session *se = fuse_session_new(&args, &fuse_fs_ops, sizeof(fuse_fs_ops), &fs);
	fs.se = se;
	if (!se) {
		snprintf(error, error_size, "cannot start a FUSE session");
		goto out_args;
	}
	if (fuse_set_signal_handlers(se) != 0) {
		snprintf(error, error_size, "cannot install signal handlers");
		goto out_session;
	}
	if (fuse_session_mount(se, options->mountpoint) != 0) {
		snprintf(error, error_size,
			 "%s: cannot mount (is /dev/fuse there and usable? see the message above)",
			 options->mountpoint);
		goto out_signals;
	}
	/* The mount is in place: from here on the parent may return to its caller. */
	if (fuse_daemonize(options->foreground || options->debug) != 0) {
		snprintf(error, error_size, "cannot detach from the terminal");
		goto out_unmount;
	}

	struct fuse_loop_config *loop = fuse_loop_cfg_create();
	if (!loop) {
		snprintf(error, error_size, "out of memory");
		goto out_unmount;
	}
	/*
	 * A bounded pool: libfuse starts a worker only when none is free and fewer than the
	 * maximum run, and lets one end when more than two are left idle. Each worker has a
	 * reader slot of its own while there are no more of them than READER_LOCK_SLOTS.
	 */
	fuse_loop_cfg_set_max_threads(loop, options->max_threads ? options->max_threads : 8);
	fuse_loop_cfg_set_idle_threads(loop, 2);
	/* Ended by SIGTERM, SIGINT or SIGHUP, libfuse returns the signal: a clean stop. */
	int ended = fuse_session_loop_mt(se, loop);
	status = ended == 0 || ended == SIGTERM || ended == SIGINT || ended == SIGHUP ? 0 : 1;
	if (status)
		snprintf(error, error_size, "the FUSE session ended with an error (%d)", ended);
	fuse_loop_cfg_destroy(loop);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_args:
	fuse_opt_free_args(&args);
	for (size_t i = 0; i < READER_LOCK_SLOTS; i++) {
		while (fs.handles[i].head.next != &fs.handles[i].head)
			handle_unlink(fs.handles[i].head.next);
		pthread_mutex_destroy(&fs.handles[i].lock);
	}
	reader_lock_destroy(&fs.lock);
	return status;
}
