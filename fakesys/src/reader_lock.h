/* SPDX-License-Identifier: MIT */
/*
 * A big-reader lock, as the kernel's brlock, lglock and percpu_rw_semaphore are: one small
 * reader-writer lock per slot, each on a cache line of its own. A thread reads under its own
 * slot only (one chosen when the thread first reads, kept while it lives, and not shared with
 * another living thread while there are enough slots), so readers on different threads never
 * write to the same cache line; a writer takes every slot in turn, which leaves it alone.
 * Reading is as cheap as an uncontended lock; writing costs READER_LOCK_SLOTS of them, for
 * locks that are read far more often than written.
 *
 * Writers come first: a reader does not get a slot for which a writer is waiting, so a stream
 * of readers cannot hold a writer off for ever. Neither side may be taken again by a thread
 * that holds it (a second read waits for a writer that waits for the first).
 */
#ifndef FAKESYS_READER_LOCK_H
#define FAKESYS_READER_LOCK_H

/* At least the FUSE session loop's threads, so that each of them has a slot of its own. */
#define READER_LOCK_SLOTS 16

struct reader_lock_slot;

struct reader_lock {
	struct reader_lock_slot *slots; /* READER_LOCK_SLOTS of them */
};

/* 0, or -errno (the lock is then not initialised and needs no destroy). */
int reader_lock_init(struct reader_lock *lock);
/* Held by nobody; an all-zero lock (never initialised) is fine too. */
void reader_lock_destroy(struct reader_lock *lock);

/* Shared with other readers. Returns the slot taken, which reader_unlock_read wants back. */
unsigned reader_lock_read(struct reader_lock *lock);
void reader_unlock_read(struct reader_lock *lock, unsigned slot);

/* Alone: no reader and no other writer holds it until reader_unlock_write. */
void reader_lock_write(struct reader_lock *lock);
void reader_unlock_write(struct reader_lock *lock);

#endif
