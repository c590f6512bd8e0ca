/* SPDX-License-Identifier: MIT */
/* The big-reader lock: readers together, a writer alone, and a writer not starved by readers. */
#include <check.h>

#include "check_run.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "reader_lock.h"

static struct reader_lock lock;

static void setup(void)
{
	ck_assert_int_eq(reader_lock_init(&lock), 0);
}

static void teardown(void)
{
	reader_lock_destroy(&lock);
}

/* --- readers together ------------------------------------------------------------------------ */

#define READERS 4

static atomic_uint holders;

struct reader_seen {
	unsigned slot, slot_again;
	unsigned most_holders; /* the most readers this one saw inside with it */
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *read_with_the_others(void *arg)
{
	struct reader_seen *seen = arg;
	/* Only a bound for a lock that is wrongly exclusive: the others never come in then. */
	double give_up = now() + 10;

	seen->slot = reader_lock_read(&lock);
	atomic_fetch_add(&holders, 1);
	while ((seen->most_holders = atomic_load(&holders)) < READERS && now() < give_up)
		nanosleep(&(struct timespec){ 0, 100000 }, NULL);
	reader_unlock_read(&lock, seen->slot);
	seen->slot_again = reader_lock_read(&lock);
	reader_unlock_read(&lock, seen->slot_again);
	return NULL;
}

START_TEST(readers_hold_it_together_each_on_a_slot_of_its_own)
{
	pthread_t threads[READERS];
	struct reader_seen seen[READERS] = { 0 };

	atomic_store(&holders, 0);
	for (int t = 0; t < READERS; t++)
		ck_assert_int_eq(pthread_create(&threads[t], NULL, read_with_the_others, &seen[t]),
				 0);
	for (int t = 0; t < READERS; t++)
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
	for (int t = 0; t < READERS; t++) {
		ck_assert_uint_eq(seen[t].most_holders, READERS);
		ck_assert_uint_lt(seen[t].slot, READER_LOCK_SLOTS);
		/* A thread keeps its slot: the lock given back is the one taken. */
		ck_assert_uint_eq(seen[t].slot_again, seen[t].slot);
		for (int other = 0; other < t; other++)
			ck_assert_uint_ne(seen[t].slot, seen[other].slot);
	}
}
END_TEST

static void *read_once(void *arg)
{
	unsigned *slot = arg;

	*slot = reader_lock_read(&lock);
	reader_unlock_read(&lock, *slot);
	return NULL;
}

START_TEST(a_slot_goes_back_when_its_thread_ends)
{
	unsigned first, later;
	pthread_t thread;

	ck_assert_int_eq(pthread_create(&thread, NULL, read_once, &first), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	for (int i = 0; i < 3 * READER_LOCK_SLOTS; i++) {
		ck_assert_int_eq(pthread_create(&thread, NULL, read_once, &later), 0);
		ck_assert_int_eq(pthread_join(thread, NULL), 0);
		ck_assert_uint_eq(later, first);
	}
}
END_TEST

/* --- a writer alone -------------------------------------------------------------------------- */

#define EXCLUSION_READERS 3
#define EXCLUSION_WRITERS 2
#define EXCLUSION_ROUNDS  2000

static atomic_uint readers_inside, writers_inside, overlaps;
/* Written by writers only, without atomics: a second writer inside would lose increments. */
static unsigned long writes_done;

static void *read_and_look_for_writers(void *arg)
{
	(void)arg;
	for (int i = 0; i < EXCLUSION_ROUNDS; i++) {
		unsigned slot = reader_lock_read(&lock);

		atomic_fetch_add(&readers_inside, 1);
		if (atomic_load(&writers_inside))
			atomic_fetch_add(&overlaps, 1);
		sched_yield(); /* stay a while, so that writers come while readers are in */
		if (atomic_load(&writers_inside))
			atomic_fetch_add(&overlaps, 1);
		atomic_fetch_sub(&readers_inside, 1);
		reader_unlock_read(&lock, slot);
	}
	return NULL;
}

static void *write_and_look_for_others(void *arg)
{
	(void)arg;
	for (int i = 0; i < EXCLUSION_ROUNDS; i++) {
		reader_lock_write(&lock);
		if (atomic_fetch_add(&writers_inside, 1) != 0 || atomic_load(&readers_inside))
			atomic_fetch_add(&overlaps, 1);
		unsigned long seen = writes_done;

		sched_yield();
		writes_done = seen + 1;
		if (atomic_load(&readers_inside))
			atomic_fetch_add(&overlaps, 1);
		atomic_fetch_sub(&writers_inside, 1);
		reader_unlock_write(&lock);
	}
	return NULL;
}

START_TEST(a_writer_excludes_readers_and_writers)
{
	pthread_t readers[EXCLUSION_READERS], writers[EXCLUSION_WRITERS];

	atomic_store(&readers_inside, 0);
	atomic_store(&writers_inside, 0);
	atomic_store(&overlaps, 0);
	writes_done = 0;
	for (int t = 0; t < EXCLUSION_READERS; t++)
		ck_assert_int_eq(pthread_create(&readers[t], NULL, read_and_look_for_writers, NULL),
				 0);
	for (int t = 0; t < EXCLUSION_WRITERS; t++)
		ck_assert_int_eq(pthread_create(&writers[t], NULL, write_and_look_for_others, NULL),
				 0);
	for (int t = 0; t < EXCLUSION_READERS; t++)
		ck_assert_int_eq(pthread_join(readers[t], NULL), 0);
	for (int t = 0; t < EXCLUSION_WRITERS; t++)
		ck_assert_int_eq(pthread_join(writers[t], NULL), 0);
	unsigned overlaps_seen = atomic_load(&overlaps);

	ck_assert_uint_eq(overlaps_seen, 0);
	ck_assert_uint_eq(writes_done, (unsigned long)EXCLUSION_WRITERS * EXCLUSION_ROUNDS);
}
END_TEST

/* --- a writer not starved -------------------------------------------------------------------- */

/*
 * Two readers take turns so that one of them always holds the lock: each stays in until the
 * other is in too, then leaves and comes straight back. A lock that lets readers in while a
 * writer waits never comes free, and the writer waits until the readers give up, after
 * TURNS_AFTER_MAX turns each once it came. HANDOFF_WAITS_MAX bounds how long a reader waits
 * for the other to come in: with the writer first, the other may be held off for good. The
 * readers pause rather than spin, or on a machine with as few CPUs as readers the writer
 * would not even run.
 */
#define TURN_READERS	  2
#define TURNS_BEFORE	  100 /* turns taken before the writer comes */
#define TURNS_AFTER_MAX	  2000
#define HANDOFF_WAITS_MAX 1000

static const struct timespec turn_pause = { 0, 20000 };
static atomic_uint turn_holders, turns_taken;
static atomic_bool writer_coming, writer_done;

static void *take_turns(void *arg)
{
	unsigned *turns_after = arg; /* since the writer came */

	*turns_after = 0;
	while (!atomic_load(&writer_done) && *turns_after < TURNS_AFTER_MAX) {
		bool came = atomic_load(&writer_coming);
		unsigned slot = reader_lock_read(&lock);

		atomic_fetch_add(&turn_holders, 1);
		nanosleep(&turn_pause, NULL);
		for (int wait = 0; wait < HANDOFF_WAITS_MAX && atomic_load(&turn_holders) < 2;
		     wait++)
			nanosleep(&turn_pause, NULL);
		atomic_fetch_sub(&turn_holders, 1);
		reader_unlock_read(&lock, slot);
		atomic_fetch_add(&turns_taken, 1);
		if (came)
			(*turns_after)++;
	}
	return NULL;
}

START_TEST(a_waiting_writer_gets_in_while_readers_keep_coming)
{
	pthread_t readers[TURN_READERS];
	unsigned turns_after[TURN_READERS];

	atomic_store(&turn_holders, 0);
	atomic_store(&turns_taken, 0);
	atomic_store(&writer_coming, false);
	atomic_store(&writer_done, false);
	for (int t = 0; t < TURN_READERS; t++)
		ck_assert_int_eq(pthread_create(&readers[t], NULL, take_turns, &turns_after[t]), 0);
	while (atomic_load(&turns_taken) < TURNS_BEFORE)
		nanosleep(&turn_pause, NULL);

	atomic_store(&writer_coming, true);
	reader_lock_write(&lock);
	unsigned inside = atomic_load(&turn_holders);

	atomic_store(&writer_done, true);
	reader_unlock_write(&lock);
	for (int t = 0; t < TURN_READERS; t++)
		ck_assert_int_eq(pthread_join(readers[t], NULL), 0);
	ck_assert_uint_eq(inside, 0);
	/* The writer got in while the readers still came back for more. */
	for (int t = 0; t < TURN_READERS; t++)
		ck_assert_uint_lt(turns_after[t], TURNS_AFTER_MAX);
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("reader_lock");
	TCase *readers = tcase_create("readers");
	TCase *writers = tcase_create("writers");

	tcase_add_checked_fixture(readers, setup, teardown);
	/* Long enough for a reader to give up waiting for the others, and fail as such. */
	tcase_set_timeout(readers, 60);
	tcase_add_test(readers, readers_hold_it_together_each_on_a_slot_of_its_own);
	tcase_add_test(readers, a_slot_goes_back_when_its_thread_ends);
	suite_add_tcase(suite, readers);

	tcase_add_checked_fixture(writers, setup, teardown);
	/* Under valgrind the threads run one at a time and much slower. */
	tcase_set_timeout(writers, 120);
	tcase_add_test(writers, a_writer_excludes_readers_and_writers);
	tcase_add_test(writers, a_waiting_writer_gets_in_while_readers_keep_coming);
	suite_add_tcase(suite, writers);
	return check_run(suite);
}
