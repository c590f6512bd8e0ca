/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: rules that make chosen file system calls on chosen paths fail, return short
 * reads, answer late, or see a device vanish between readdir and open, as real hosts do when a
 * device goes away or a driver misbehaves. The file system asks fault_rules_match() before it
 * answers a call and applies what it is told; this module knows nothing of FUSE.
 *
 * A rule is "PATTERN OP[,OP...] ACTION[ ACTION...] [nth=N|count=N|after=N]":
 *   PATTERN  an fnmatch(3) glob with FNM_PATHNAME over the path relative to the mount root,
 *            without a leading '/' ("sys/bus/pci/devices/0000:3b:00.0/config"); "*" stays
 *            within one component, while a whole component "**" stands for any number of
 *            components, none included: "sys" then a "**" component also matches "sys".
 *   OP       lookup getattr readlink opendir readdir open read write, or all.
 *   ACTION   errno=NAME or errno=NUMBER: the call fails with it;
 *            short=N: a read returns at most N bytes (needs op read);
 *            delay=MS: the answer comes MS milliseconds later (with or without an error);
 *            vanish: lookup, getattr, opendir and open of the path fail with ENOENT while the
 *            parent's readdir still lists it, as a device removed between readdir and open.
 *   WHEN     every matching call (the default), only the Nth (nth=N, from 1), the first N
 *            (count=N), or every one after the Nth (after=N).
 *
 * Each rule counts the calls it matches (op and path); rules are tried in the order they were
 * added and the first that fires decides, so later rules do not see (nor count) that call.
 */
#ifndef FAKESYS_FAULT_RULES_H
#define FAKESYS_FAULT_RULES_H

#include <stdbool.h>
#include <stddef.h>

enum fault_op {
	FAULT_LOOKUP = 1,
	FAULT_GETATTR = 2,
	FAULT_READLINK = 4,
	FAULT_OPENDIR = 8,
	FAULT_READDIR = 16,
	FAULT_OPEN = 32,
	FAULT_READ = 64,
	FAULT_WRITE = 128,
};

#define FAULT_ALL_OPS 255u
/* The calls a vanished path fails; readdir of its parent must still list it. */
#define FAULT_VANISH_OPS (FAULT_LOOKUP | FAULT_GETATTR | FAULT_OPENDIR | FAULT_OPEN)

/* The longest delay a rule may ask for, in milliseconds (an hour). */
#define FAULT_DELAY_MAX_MS 3600000u
/* Limits of a pattern: its length and, with "**", its number of components. */
#define FAULT_PATTERN_MAX	 4095
#define FAULT_PATTERN_COMPONENTS 128

struct fault_action {
	int error;	   /* errno to return, 0: none */
	size_t max_bytes;  /* reads: at most this many bytes; SIZE_MAX: no limit */
	unsigned delay_ms; /* wait before answering; the caller waits, not the matcher */
	bool vanish;	   /* error is ENOENT because the path vanished (readdir unaffected) */
};

struct fault_rules;

/* An empty set, or NULL when out of memory. */
struct fault_rules *fault_rules_new(void);
void fault_rules_free(struct fault_rules *rules);

/*
 * Parses one rule in the syntax above (surrounding blanks and a trailing newline are allowed)
 * and adds it. 0, or -1 with a one-line message naming the wrong word and why in error.
 */
int fault_rules_add_text(struct fault_rules *rules, const char *text, char *error,
			 size_t error_size);

/* Whether text is a rule add_text takes, without adding it anywhere; why not in error. */
bool fault_rules_valid_text(const char *text, char *error, size_t error_size);
/* The same for these rules: valid, and acting on a call they see (fault_rules_set_unseen). */
bool fault_rules_would_take(struct fault_rules *rules, const char *text, char *error,
			    size_t error_size);

/* Removes every rule. */
void fault_rules_clear(struct fault_rules *rules);

/*
 * Whether a rule fires for this call, counting the call in every rule tried that matches it.
 * true: out holds the firing rule's action; false: no fault, and out holds no error, no limit
 * and no delay. A leading '/' of path is ignored; rules may be NULL (no rules). Safe to call
 * from many threads at once, and concurrently with add, clear and describe.
 */
bool fault_rules_match(struct fault_rules *rules, enum fault_op op, const char *path,
		       struct fault_action *out);

/*
 * Says that the calls of ops never reach the file system (the kernel answers them itself), so
 * that a rule acting on nothing else is refused, with why (a static string) as the reason.
 */
void fault_rules_set_unseen(struct fault_rules *rules, unsigned ops, const char *why);

/* No rules: the caller may skip the work of naming the path. */
bool fault_rules_empty(const struct fault_rules *rules);
/* Whether some rule's pattern matches path, whatever the op and count: a call on it may fail,
 * so an answer cached before the rule came is out of date. */
bool fault_rules_cover(struct fault_rules *rules, const char *path);

/* Every rule, one per line ending in '\n', in the add_text syntax. Caller frees; NULL: ENOMEM. */
char *fault_rules_describe(const struct fault_rules *rules);

#endif
