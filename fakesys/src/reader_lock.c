/* SPDX-License-Identifier: MIT */
/* A big-reader lock: a writer-preferring rwlock per slot, a slot per reading thread. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include "reader_lock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define CACHE_LINE 64

struct reader_lock_slot {
	_Alignas(CACHE_LINE) pthread_rwlock_t lock;
};

_Static_assert(sizeof(struct reader_lock_slot) % CACHE_LINE == 0,
	       "a slot shares its cache line with no other");

/*
 * Each reading thread holds an index, from which its slot follows. An index goes back when
 * its thread ends (a key's destructor), and a new thread takes the lowest free one: libfuse
 * ends and starts workers as the load changes, and handing indices round without taking them
 * back would soon put two living workers on one slot.
 */
#define RECYCLED_INDICES 64

static atomic_uint_least64_t indices_in_use;
/* Beyond RECYCLED_INDICES living threads (or without a key): round robin, never given back. */
static atomic_uint indices_round_robin;
static pthread_key_t index_key;
static pthread_once_t index_key_once = PTHREAD_ONCE_INIT;
static bool index_key_made;
/* This thread's slot, plus one: 0 until the thread first reads. */
static _Thread_local unsigned thread_slot_plus_one;

static void index_give_back(void *value)
{
	unsigned index = (unsigned)(uintptr_t)value - 1;

	atomic_fetch_and(&indices_in_use, ~(UINT64_C(1) << index));
	/* A later destructor of this thread that reads again takes a new index. */
	thread_slot_plus_one = 0;
}

static void index_key_make(void)
{
	index_key_made = pthread_key_create(&index_key, index_give_back) == 0;
}

static unsigned index_take(void)
{
	uint_least64_t in_use = atomic_load(&indices_in_use);

	pthread_once(&index_key_once, index_key_make);
	while (index_key_made && ~in_use) {
		unsigned index = (unsigned)__builtin_ctzll(~in_use);
		uint_least64_t bit = UINT64_C(1) << index;

		if (!atomic_compare_exchange_weak(&indices_in_use, &in_use, in_use | bit))
			continue; /* in_use now holds what another thread left */
		if (pthread_setspecific(index_key, (void *)(uintptr_t)(index + 1)) == 0)
			return index;
		atomic_fetch_and(&indices_in_use, ~bit);
		break;
	}
	return atomic_fetch_add(&indices_round_robin, 1);
}

static unsigned thread_slot(void)
{
	if (!thread_slot_plus_one)
		thread_slot_plus_one = index_take() % READER_LOCK_SLOTS + 1;
	return thread_slot_plus_one - 1;
}

int reader_lock_init(struct reader_lock *lock)
{
	pthread_rwlockattr_t attr;
	unsigned ready = 0;
	int err;

	lock->slots = aligned_alloc(CACHE_LINE, READER_LOCK_SLOTS * sizeof(*lock->slots));
	if (!lock->slots)
		return -ENOMEM;
	err = pthread_rwlockattr_init(&attr);
	if (!err) {
		/*
		 * A writer waiting for a slot keeps new readers out of it: it waits for those
		 * already in, slot after slot, and no longer. With the default (readers first),
		 * readers taking turns on one slot could keep it held for ever.
		 */
		err = pthread_rwlockattr_setkind_np(&attr,
						    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		while (!err && ready < READER_LOCK_SLOTS &&
		       !(err = pthread_rwlock_init(&lock->slots[ready].lock, &attr)))
			ready++;
		pthread_rwlockattr_destroy(&attr);
	}
	if (err) {
		while (ready--)
			pthread_rwlock_destroy(&lock->slots[ready].lock);
		free(lock->slots);
		lock->slots = NULL;
		return -err;
	}
	return 0;
}

void reader_lock_destroy(struct reader_lock *lock)
{
	if (!lock->slots)
		return;
	for (unsigned i = 0; i < READER_LOCK_SLOTS; i++)
		pthread_rwlock_destroy(&lock->slots[i].lock);
	free(lock->slots);
	lock->slots = NULL;
}

unsigned reader_lock_read(struct reader_lock *lock)
{
	unsigned slot = thread_slot();

	pthread_rwlock_rdlock(&lock->slots[slot].lock);
	return slot;
}

void reader_unlock_read(struct reader_lock *lock, unsigned slot)
{
	pthread_rwlock_unlock(&lock->slots[slot].lock);
}

/* Always in the same order, so that two writers cannot each hold a slot the other waits for. */
void reader_lock_write(struct reader_lock *lock)
{
	for (unsigned i = 0; i < READER_LOCK_SLOTS; i++)
		pthread_rwlock_wrlock(&lock->slots[i].lock);
}

void reader_unlock_write(struct reader_lock *lock)
{
	for (unsigned i = 0; i < READER_LOCK_SLOTS; i++)
		pthread_rwlock_unlock(&lock->slots[i].lock);
}
