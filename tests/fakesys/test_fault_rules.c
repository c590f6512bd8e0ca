/* SPDX-License-Identifier: MIT */
/* Fault rules: the text syntax and its errors, matching, call counting, listing, threads. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errno_names.h"
#include "fault_rules.h"
#include "verbatim.h"

#define DEV "sys/bus/pci/devices/0000:3b:00.0"

static struct fault_rules *rules;

static void setup(void)
{
	rules = fault_rules_new();
	ck_assert_ptr_nonnull(rules);
}

static void teardown(void)
{
	fault_rules_free(rules);
	rules = NULL;
}

static void add(const char *text)
{
	char error[256] = "";

	ck_assert_msg(fault_rules_add_text(rules, text, error, sizeof(error)) == 0,
		      "'%s' refused: %s", text, error);
}

/* The listing of the set, compared and freed. */
static void listing_is(const char *expected)
{
	char *text = fault_rules_describe(rules);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, expected);
	free(text);
}

/* The error a call gets: 0 when no rule fires. */
static int error_of(enum fault_op op, const char *path)
{
	struct fault_action action;

	if (!fault_rules_match(rules, op, path, &action)) {
		ck_assert_int_eq(action.error, 0);
		return 0;
	}
	return action.error;
}

static bool fires(enum fault_op op, const char *path)
{
	struct fault_action action;

	return fault_rules_match(rules, op, path, &action);
}

START_TEST(every_form_parses_and_lists_canonically)
{
	static const struct {
		const char *text, *listed;
	} forms[] = {
		{ DEV "/config read errno=EIO", DEV "/config read errno=EIO" },
		{ "a open,read errno=5", "a open,read errno=EIO" },
		{ "a read,open,read errno=5", "a open,read errno=EIO" },
		{ "a all errno=EBUSY nth=3", "a all errno=EBUSY nth=3" },
		{ "a read,all errno=ENOTCONN", "a all errno=ENOTCONN" },
		{ "a lookup,getattr,readlink,opendir,readdir,open,read,write errno=1",
		  "a all errno=EPERM" },
		{ "a read short=4 count=2", "a read short=4 count=2" },
		{ "a read short=0", "a read short=0" },
		{ "a lookup delay=20 after=1", "a lookup delay=20 after=1" },
		{ "a read errno=EIO after=0", "a read errno=EIO after=0" },
		{ "a getattr delay=5 errno=ENODEV", "a getattr errno=ENODEV delay=5" },
		{ "a read nth=2 short=7 delay=1 errno=EAGAIN",
		  "a read errno=EAGAIN short=7 delay=1 nth=2" },
		{ "a write errno=999", "a write errno=999" },
		{ "a all vanish", "a lookup,getattr,opendir,open vanish" },
		{ "a readdir,open vanish delay=3 nth=1", "a open vanish delay=3 nth=1" },
		{ " \ta\t  readlink   errno=EINVAL  \n", "a readlink errno=EINVAL" },
		{ "sys/**/config read errno=EIO", "sys/**/config read errno=EIO" },
		{ "a read errno=EIO count=4294967295", "a read errno=EIO count=4294967295" },
		{ "a read delay=3600000", "a read delay=3600000" },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char expected[256];

		fault_rules_clear(rules);
		add(forms[i].text);
		snprintf(expected, sizeof(expected), "%s\n", forms[i].listed);
		listing_is(expected);
	}
}
END_TEST

START_TEST(parsed_actions_reach_the_match)
{
	struct fault_action action;

	add("e read errno=ENODEV");
	add("s read short=4");
	add("d getattr delay=25 errno=EAGAIN");
	add("v all vanish delay=7");

	ck_assert(fault_rules_match(rules, FAULT_READ, "e", &action));
	ck_assert_int_eq(action.error, ENODEV);
	ck_assert_uint_eq(action.max_bytes, SIZE_MAX);
	ck_assert_uint_eq(action.delay_ms, 0);
	ck_assert(!action.vanish);

	ck_assert(fault_rules_match(rules, FAULT_READ, "s", &action));
	ck_assert_int_eq(action.error, 0);
	ck_assert_uint_eq(action.max_bytes, 4);

	ck_assert(fault_rules_match(rules, FAULT_GETATTR, "d", &action));
	ck_assert_int_eq(action.error, EAGAIN);
	ck_assert_uint_eq(action.delay_ms, 25);
	ck_assert_uint_eq(action.max_bytes, SIZE_MAX);

	ck_assert(fault_rules_match(rules, FAULT_OPEN, "v", &action));
	ck_assert_int_eq(action.error, ENOENT);
	ck_assert(action.vanish);
	ck_assert_uint_eq(action.delay_ms, 7);

	/* No rule: nothing to do, and out says so. */
	action = (struct fault_action){ .error = 1, .max_bytes = 1, .delay_ms = 1, .vanish = true };
	ck_assert(!fault_rules_match(rules, FAULT_READ, "nothing", &action));
	ck_assert_int_eq(action.error, 0);
	ck_assert_uint_eq(action.max_bytes, SIZE_MAX);
	ck_assert_uint_eq(action.delay_ms, 0);
	ck_assert(!action.vanish);
	ck_assert(!fault_rules_match(NULL, FAULT_READ, "e", &action));
}
END_TEST

START_TEST(bad_words_are_named)
{
	static const struct {
		const char *text, *message;
	} bad[] = {
		{ "", "empty rule" },
		{ " \t\n", "empty rule" },
		{ "a", "'a': no operations after the pattern" },
		{ "a read", "no action" },
		{ "a read nth=2", "no action" },
		{ "a reed errno=EIO", "unknown operation 'reed'" },
		{ "a read,reed errno=EIO", "unknown operation 'reed'" },
		{ "a read,,open errno=EIO", "'read,,open': empty operation" },
		{ "a read, errno=EIO", "empty operation" },
		{ "read errno=EIO", "'errno=EIO' where operations were expected" },
		{ "a read errno=EFOO", "'errno=EFOO': unknown errno name 'EFOO'" },
		{ "a read errno=eio", "unknown errno name 'eio'" },
		{ "a read errno=", "unknown errno name ''" },
		{ "a read errno=0", "'errno=0': an errno number is 1 to 4095" },
		{ "a read errno=4096", "'errno=4096': an errno number is 1 to 4095" },
		{ "a read errno=5x", "'errno=5x': an errno number" },
		{ "a read errno=EIO errno=EBUSY", "'errno=EBUSY' after 'errno=EIO': give it once" },
		{ "a read vanish vanish", "'vanish' after 'vanish'" },
		{ "a read errno=EIO nth=0", "'nth=0': calls count from 1" },
		{ "a read errno=EIO count=0", "'count=0': calls count from 1" },
		{ "a read errno=EIO nth=2 count=3",
		  "'count=3' after 'nth=2': give at most one of nth=, count=, after=" },
		{ "a read errno=EIO after=1 nth=2", "'nth=2' after 'after=1'" },
		{ "a read errno=EIO nth=2 nth=3", "'nth=3' after 'nth=2'" },
		{ "a read errno=EIO nth=x", "'nth=x': nth= takes a number of calls" },
		{ "a read errno=EIO nth=-1", "'nth=-1': nth= takes a number" },
		{ "a read errno=EIO nth=+1", "'nth=+1': nth= takes a number" },
		{ "a read errno=EIO after=4294967296",
		  "'after=4294967296': after= takes a number" },
		{ "a read short=abc", "'short=abc': short= takes a number of bytes" },
		{ "a read short=", "'short=': short= takes a number" },
		{ "a read delay=3600001", "'delay=3600001': delay= takes milliseconds, at most" },
		{ "a read explode", "unknown word 'explode'" },
		{ "a read vanish=1", "unknown word 'vanish=1'" },
		{ "a read Errno=EIO", "unknown word 'Errno=EIO'" },
		{ "a read vanish", "vanish acts on lookup, getattr, opendir and open" },
		{ "a open vanish errno=EIO",
		  "vanish fails with ENOENT; it does not go with errno=EIO" },
		{ "a all vanish short=2", "vanish does not go with short=2" },
		{ "a open short=3", "short=3 acts on read" },
		{ "/sys/x read errno=EIO",
		  "pattern '/sys/x': paths are relative to the mount root" },
	};
	char error[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(error, "unchanged");
		errno = 0;
		ck_assert_msg(fault_rules_add_text(rules, bad[i].text, error, sizeof(error)) == -1,
			      "'%s' accepted", bad[i].text);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_msg(strstr(error, bad[i].message), "'%s': message '%s', wanted '%s'",
			      bad[i].text, error, bad[i].message);
	}
	listing_is("");
}
END_TEST

START_TEST(too_many_components_around_globstar)
{
	char text[1024] = "**", error[256] = "";

	for (int i = 0; i < FAULT_PATTERN_COMPONENTS; i++)
		strcat(text, "/x");
	strcat(text, " read errno=EIO");
	ck_assert_int_eq(fault_rules_add_text(rules, text, error, sizeof(error)), -1);
	ck_assert_msg(strstr(error, "more than 128 components"), "%s", error);
	/* One fewer fits. */
	strcpy(text, "**");
	for (int i = 0; i < FAULT_PATTERN_COMPONENTS - 1; i++)
		strcat(text, "/x");
	strcat(text, " read errno=EIO");
	add(text);
}
END_TEST

START_TEST(star_stays_within_a_component)
{
	add("sys/bus/pci/devices/*/config read errno=EIO");
	ck_assert_int_eq(error_of(FAULT_READ, DEV "/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "/" DEV "/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/bus/pci/devices/a/b/config"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, DEV "/config2"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, DEV), 0);

	fault_rules_clear(rules);
	add("sys/bus/pci/devices/0000:3b:00.[0-3]/*_id read errno=EBUSY");
	ck_assert_int_eq(error_of(FAULT_READ, "sys/bus/pci/devices/0000:3b:00.2/device_id"), EBUSY);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/bus/pci/devices/0000:3b:00.4/device_id"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/bus/pci/devices/0000:3b:00.2/x/device_id"), 0);

	/* "**" inside a component is an ordinary star. */
	fault_rules_clear(rules);
	add("sys/a** read errno=EIO");
	ck_assert_int_eq(error_of(FAULT_READ, "sys/abc"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/a"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/a/b"), 0);
}
END_TEST

START_TEST(globstar_spans_components)
{
	add("sys/**/config read errno=EIO");
	ck_assert_int_eq(error_of(FAULT_READ, "sys/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/a/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, DEV "/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, DEV "/config/x"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "sysx/config"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/a/config2"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "config"), 0);

	fault_rules_clear(rules);
	add("sys/devices/** getattr errno=ENODEV");
	ck_assert_int_eq(error_of(FAULT_GETATTR, "sys/devices"), ENODEV);
	ck_assert_int_eq(error_of(FAULT_GETATTR, "sys/devices/pci0000:00/0000:00:01.0/vendor"),
			 ENODEV);
	ck_assert_int_eq(error_of(FAULT_GETATTR, "sys/dev"), 0);
	ck_assert_int_eq(error_of(FAULT_GETATTR, "sys"), 0);

	fault_rules_clear(rules);
	add("**/vendor read errno=EIO");
	ck_assert_int_eq(error_of(FAULT_READ, "vendor"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a/b/c/vendor"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a/b/c/vendorx"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "a/vendor/x"), 0);

	fault_rules_clear(rules);
	add("** lookup errno=EIO");
	ck_assert_int_eq(error_of(FAULT_LOOKUP, ""), EIO);
	ck_assert_int_eq(error_of(FAULT_LOOKUP, "a"), EIO);
	ck_assert_int_eq(error_of(FAULT_LOOKUP, "a/b/c"), EIO);

	fault_rules_clear(rules);
	add("a/**/b/**/c read errno=EIO");
	ck_assert_int_eq(error_of(FAULT_READ, "a/b/c"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a/x/b/y/z/c"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a/b/b/c"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a/x/c"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "a/b/c/d"), 0);

	/* Runs of "**" mean one, and globs still work in the other components. */
	fault_rules_clear(rules);
	add("sys/**/**/**/0000:3b:*/con?ig read errno=EIO");
	listing_is("sys/**/**/**/0000:3b:*/con?ig read errno=EIO\n");
	ck_assert_int_eq(error_of(FAULT_READ, DEV "/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/0000:3b:00.0/config"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "sys/a/0000:3c:00.0/config"), 0);

	/* Many "**" over a deep path: answered at once, not by trying every split. */
	fault_rules_clear(rules);
	add("**/x/**/x/**/x/**/x/**/x/**/x/**/x/**/x/**/y read errno=EIO");
	char deep[512] = "";

	for (int i = 0; i < 60; i++)
		strcat(deep, "x/");
	strcat(deep, "z");
	ck_assert_int_eq(error_of(FAULT_READ, deep), 0);
	deep[strlen(deep) - 1] = 'y';
	ck_assert_int_eq(error_of(FAULT_READ, deep), EIO);
}
END_TEST

START_TEST(ops_select_calls_and_others_are_not_counted)
{
	add("a read,write errno=EIO nth=2");
	ck_assert_int_eq(error_of(FAULT_GETATTR, "a"), 0);
	ck_assert_int_eq(error_of(FAULT_OPEN, "a"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "b"), 0);
	ck_assert_int_eq(error_of(FAULT_READ, "a"), 0); /* first counted call */
	ck_assert_int_eq(error_of(FAULT_LOOKUP, "a"), 0);
	ck_assert_int_eq(error_of(FAULT_WRITE, "a"), EIO); /* second */
	ck_assert_int_eq(error_of(FAULT_READ, "a"), 0);

	fault_rules_clear(rules);
	add("a all errno=EBUSY");
	static const enum fault_op ops[] = { FAULT_LOOKUP,  FAULT_GETATTR, FAULT_READLINK,
					     FAULT_OPENDIR, FAULT_READDIR, FAULT_OPEN,
					     FAULT_READ,    FAULT_WRITE };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		ck_assert_int_eq(error_of(ops[i], "a"), EBUSY);

	fault_rules_clear(rules);
	add("a readlink errno=EIO");
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		ck_assert_int_eq(error_of(ops[i], "a"), ops[i] == FAULT_READLINK ? EIO : 0);
}
END_TEST

START_TEST(nth_count_after_and_every_count_exactly)
{
	add("nth read errno=EIO nth=3");
	add("count read errno=EIO count=2");
	add("after read errno=EIO after=2");
	add("every read errno=EIO");
	add("after0 read errno=EIO after=0");

	static const bool expected[][6] = {
		{ false, false, true, false, false, false }, /* nth=3 */
		{ true, true, false, false, false, false },  /* count=2 */
		{ false, false, true, true, true, true },    /* after=2 */
		{ true, true, true, true, true, true },	     /* every */
		{ true, true, true, true, true, true },	     /* after=0 */
	};
	static const char *const paths[] = { "nth", "count", "after", "every", "after0" };

	for (size_t p = 0; p < 5; p++)
		for (size_t call = 0; call < 6; call++)
			ck_assert_msg(fires(FAULT_READ, paths[p]) == expected[p][call],
				      "%s: call %zu", paths[p], call + 1);
}
END_TEST

START_TEST(first_rule_that_fires_wins)
{
	add("a read errno=EIO nth=2");
	add("a read errno=EBUSY");
	ck_assert_int_eq(error_of(FAULT_READ, "a"), EBUSY);
	ck_assert_int_eq(error_of(FAULT_READ, "a"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a"), EBUSY);

	/* A later rule does not see a call an earlier one took. */
	fault_rules_clear(rules);
	add("b read errno=EIO count=1");
	add("b read errno=EBUSY nth=1");
	ck_assert_int_eq(error_of(FAULT_READ, "b"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "b"), EBUSY);
	ck_assert_int_eq(error_of(FAULT_READ, "b"), 0);

	/* Broad first, narrow second: the broad one answers. */
	fault_rules_clear(rules);
	add("sys/** read errno=ENODEV");
	add(DEV "/config read errno=EIO");
	ck_assert_int_eq(error_of(FAULT_READ, DEV "/config"), ENODEV);
}
END_TEST

START_TEST(vanish_hides_the_path_but_not_its_listing)
{
	struct fault_action action;

	add(DEV " all vanish");
	ck_assert_int_eq(error_of(FAULT_LOOKUP, DEV), ENOENT);
	ck_assert_int_eq(error_of(FAULT_GETATTR, DEV), ENOENT);
	ck_assert_int_eq(error_of(FAULT_OPENDIR, DEV), ENOENT);
	ck_assert_int_eq(error_of(FAULT_OPEN, DEV), ENOENT);
	ck_assert(fault_rules_match(rules, FAULT_LOOKUP, DEV, &action));
	ck_assert(action.vanish);
	ck_assert_int_eq(action.error, ENOENT);
	/* The parent still lists it; calls on it other than the four are not faulted. */
	ck_assert(!fires(FAULT_READDIR, "sys/bus/pci/devices"));
	ck_assert(!fires(FAULT_READDIR, DEV));
	ck_assert(!fires(FAULT_READLINK, DEV));
	ck_assert(!fires(FAULT_READ, DEV));
	ck_assert(!fires(FAULT_WRITE, DEV));
	ck_assert(!fires(FAULT_LOOKUP, "sys/bus/pci/devices/0000:3b:00.1"));

	/* Removed between readdir and the first open: the second open on finds nothing. */
	fault_rules_clear(rules);
	add("sys/bus/pci/devices/0000:3b:00.0/** open,getattr vanish after=1");
	ck_assert_int_eq(error_of(FAULT_OPEN, DEV "/config"), 0);
	ck_assert_int_eq(error_of(FAULT_GETATTR, DEV "/vendor"), ENOENT);
	ck_assert_int_eq(error_of(FAULT_OPEN, DEV "/config"), ENOENT);
	ck_assert(!fires(FAULT_READDIR, DEV));
}
END_TEST

START_TEST(short_limits_reads_only)
{
	struct fault_action action;

	add("a all short=4 delay=2");
	ck_assert(fault_rules_match(rules, FAULT_READ, "a", &action));
	ck_assert_uint_eq(action.max_bytes, 4);
	ck_assert_uint_eq(action.delay_ms, 2);
	ck_assert(fault_rules_match(rules, FAULT_GETATTR, "a", &action));
	ck_assert_uint_eq(action.max_bytes, SIZE_MAX);
	ck_assert_uint_eq(action.delay_ms, 2);
	ck_assert_int_eq(action.error, 0);
}
END_TEST

START_TEST(clear_removes_every_rule)
{
	add("a read errno=EIO nth=1");
	add("b all errno=EBUSY");
	fault_rules_clear(rules);
	listing_is("");
	ck_assert(!fires(FAULT_READ, "a"));
	ck_assert(!fires(FAULT_READ, "b"));
	fault_rules_clear(rules);
	/* A rule added again counts from the start. */
	add("a read errno=EIO nth=1");
	ck_assert_int_eq(error_of(FAULT_READ, "a"), EIO);
	ck_assert_int_eq(error_of(FAULT_READ, "a"), 0);
	listing_is("a read errno=EIO nth=1\n");
}
END_TEST

START_TEST(cover_is_any_rule_on_the_path_uncounted)
{
	ck_assert(!fault_rules_cover(NULL, "a/b"));
	ck_assert(!fault_rules_cover(rules, "a/b"));
	ck_assert(fault_rules_empty(rules));
	add("a/* read errno=EIO nth=3");
	ck_assert(!fault_rules_empty(rules));
	for (int i = 0; i < 3; i++) {
		ck_assert(fault_rules_cover(rules, "a/b"));
		ck_assert(fault_rules_cover(rules, "/a/b"));
	}
	ck_assert(!fault_rules_cover(rules, "a"));
	ck_assert(!fault_rules_cover(rules, "a/b/c"));
	/* Not counted: the third call is still the third. */
	ck_assert(!fires(FAULT_READ, "a/b"));
	ck_assert(!fires(FAULT_READ, "a/b"));
	ck_assert(fires(FAULT_READ, "a/b"));
	fault_rules_clear(rules);
	ck_assert(!fault_rules_cover(rules, "a/b"));
}
END_TEST

START_TEST(patterns_have_a_length_limit)
{
	char text[FAULT_PATTERN_MAX + 32], error[256] = "";

	memset(text, 'x', FAULT_PATTERN_MAX + 1);
	strcpy(text + FAULT_PATTERN_MAX + 1, " read errno=EIO");
	ck_assert_int_eq(fault_rules_add_text(rules, text, error, sizeof(error)), -1);
	ck_assert_str_eq(error, "pattern longer than 4095 bytes");
	strcpy(text + FAULT_PATTERN_MAX, " read errno=EIO");
	add(text);
}
END_TEST

START_TEST(rules_on_unseen_calls_alone_are_refused)
{
	char error[256] = "";

	fault_rules_set_unseen(rules, FAULT_OPENDIR, "opendir is not seen");
	errno = 0;
	ck_assert_int_eq(fault_rules_add_text(rules, "a opendir errno=EIO", error, sizeof(error)),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(error, "pattern 'a': opendir is not seen");
	/* What vanish keeps of the ops is what counts. */
	ck_assert(!fault_rules_would_take(rules, "b opendir,readdir vanish", error, sizeof(error)));
	ck_assert_str_eq(error, "pattern 'b': opendir is not seen");
	ck_assert(!fault_rules_would_take(rules, "c reed errno=EIO", error, sizeof(error)));
	ck_assert_msg(strstr(error, "unknown operation 'reed'"), "%s", error);
	ck_assert(
		fault_rules_would_take(rules, "d opendir,readdir errno=EIO", error, sizeof(error)));
	/* Valid in itself: another set takes it. */
	ck_assert(fault_rules_valid_text("a opendir errno=EIO", error, sizeof(error)));
	ck_assert(fault_rules_would_take(NULL, "a opendir errno=EIO", error, sizeof(error)));
	/* Asking adds nothing. */
	listing_is("");
	add("e opendir,lookup vanish");
	add("f all errno=EIO");
	listing_is("e lookup,opendir vanish\nf all errno=EIO\n");
}
END_TEST

START_TEST(listing_reads_back_the_same)
{
	static const char *const texts[] = {
		DEV "/config read errno=EIO",
		"sys/**/vendor all errno=ENODEV nth=2",
		"a lookup,readdir,write delay=10",
		"b read short=3 delay=1 count=5",
		"c opendir,open,getattr,lookup,readdir vanish after=4",
		"d write errno=1234",
		"e readlink errno=ESTALE after=0",
		"f all vanish delay=9",
	};
	struct fault_rules *again = fault_rules_new();
	char *first, *second, *line, *save = NULL, error[256];

	ck_assert_ptr_nonnull(again);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		add(texts[i]);
	first = fault_rules_describe(rules);
	ck_assert_ptr_nonnull(first);
	char *lines = strdup(first);
	size_t n = 0;

	ck_assert_ptr_nonnull(lines);
	for (line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++)
		ck_assert_msg(fault_rules_add_text(again, line, error, sizeof(error)) == 0,
			      "'%s': %s", line, error);
	ck_assert_uint_eq(n, sizeof(texts) / sizeof(texts[0]));
	second = fault_rules_describe(again);
	ck_assert_ptr_nonnull(second);
	ck_assert_str_eq(first, second);
	ck_assert_str_eq(first, DEV "/config read errno=EIO\n"
				    "sys/**/vendor all errno=ENODEV nth=2\n"
				    "a lookup,readdir,write delay=10\n"
				    "b read short=3 delay=1 count=5\n"
				    "c lookup,getattr,opendir,open vanish after=4\n"
				    "d write errno=1234\n"
				    "e readlink errno=ESTALE after=0\n"
				    "f lookup,getattr,opendir,open vanish delay=9\n");
	free(lines);
	free(first);
	free(second);
	fault_rules_free(again);
}
END_TEST

START_TEST(errno_names_both_ways)
{
	ck_assert_int_eq(errno_by_name("EIO"), EIO);
	ck_assert_int_eq(errno_by_name("ENODEV"), ENODEV);
	ck_assert_int_eq(errno_by_name("ENOTCONN"), ENOTCONN);
	ck_assert_int_eq(errno_by_name("EINTR"), EINTR);
	ck_assert_int_eq(errno_by_name("EFOO"), 0);
	ck_assert_int_eq(errno_by_name(""), 0);
	ck_assert_int_eq(errno_by_name("eio"), 0);
	ck_assert_str_eq(errno_name(EIO), "EIO");
	ck_assert_str_eq(errno_name(ESTALE), "ESTALE");
	ck_assert_ptr_null(errno_name(0));
	ck_assert_ptr_null(errno_name(4000));
	/* The scenario's names are the same names, and only those sysfs reads fail with. */
	ck_assert_int_eq(verbatim_error_parse("ENOTCONN"), 0);
	ck_assert_int_eq(verbatim_error_parse("ENODEV"), ENODEV);
	for (int error = 1; error < 200; error++) {
		const char *name = verbatim_error_name(error);

		if (name)
			ck_assert_str_eq(errno_name(error), name);
		name = errno_name(error);
		if (name)
			ck_assert_int_eq(errno_by_name(name), error);
	}
}
END_TEST

#define THREADS 8
#define CALLS	5000

static atomic_int stop;

struct tally {
	unsigned eio, ebusy, enodev, other;
};

static void *count_matches(void *arg)
{
	struct tally *tally = arg;
	static const char *const paths[] = { "p", "q", "r" };
	struct fault_action action;

	for (int i = 0; i < CALLS; i++) {
		for (size_t p = 0; p < 3; p++) {
			if (!fault_rules_match(rules, FAULT_READ, paths[p], &action))
				continue;
			if (action.error == EIO)
				tally->eio++;
			else if (action.error == EBUSY)
				tally->ebusy++;
			else if (action.error == ENODEV)
				tally->enodev++;
			else
				tally->other++;
		}
	}
	return NULL;
}

static void *add_other_rules(void *arg)
{
	char text[64], error[256];

	(void)arg;
	/* Enough to overlap the matchers; unbounded, every match would walk thousands. */
	for (int i = 0; i < 300 && !atomic_load(&stop); i++) {
		snprintf(text, sizeof(text), "other/%d read errno=EPERM", i);
		if (fault_rules_add_text(rules, text, error, sizeof(error)) != 0)
			return "add failed";
		free(fault_rules_describe(rules));
	}
	return NULL;
}

START_TEST(counts_stay_exact_across_threads)
{
	pthread_t threads[THREADS], adder;
	struct tally tallies[THREADS] = { 0 }, total = { 0 };
	void *adder_result;

	add("p read errno=EIO nth=7777");
	add("q read errno=EBUSY count=1000");
	add("r read errno=ENODEV after=30000");
	atomic_store(&stop, 0);
	ck_assert_int_eq(pthread_create(&adder, NULL, add_other_rules, NULL), 0);
	for (int t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_create(&threads[t], NULL, count_matches, &tallies[t]), 0);
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		total.eio += tallies[t].eio;
		total.ebusy += tallies[t].ebusy;
		total.enodev += tallies[t].enodev;
		total.other += tallies[t].other;
	}
	atomic_store(&stop, 1);
	ck_assert_int_eq(pthread_join(adder, &adder_result), 0);
	ck_assert_ptr_null(adder_result);
	ck_assert_uint_eq(total.eio, 1);
	ck_assert_uint_eq(total.ebusy, 1000);
	ck_assert_uint_eq(total.enodev, THREADS * CALLS - 30000);
	ck_assert_uint_eq(total.other, 0);
}
END_TEST

struct churn {
	unsigned wrong;
};

static atomic_uint churn_fired;

static void *match_while_churning(void *arg)
{
	struct churn *churn = arg;
	struct fault_action action;

	while (!atomic_load(&stop)) {
		if (!fault_rules_match(rules, FAULT_READ, "s/x", &action))
			continue;
		atomic_fetch_add(&churn_fired, 1);
		/* Only ever one of the two rules' actions, whole. */
		bool first = action.error == EIO && action.max_bytes == SIZE_MAX &&
			     action.delay_ms == 0 && !action.vanish;
		bool second = action.error == 0 && action.max_bytes == 3 && action.delay_ms == 1 &&
			      !action.vanish;
		if (!first && !second)
			churn->wrong++;
	}
	return NULL;
}

START_TEST(add_and_clear_while_matching)
{
	pthread_t threads[THREADS];
	struct churn churns[THREADS] = { 0 };

	atomic_store(&stop, 0);
	atomic_store(&churn_fired, 0);
	for (int t = 0; t < THREADS; t++)
		ck_assert_int_eq(
			pthread_create(&threads[t], NULL, match_while_churning, &churns[t]), 0);
	/* Writers are not starved by a steady stream of matches: this loop finishes. */
	for (int i = 0; i < 2000; i++) {
		add("s/* read errno=EIO count=5");
		add("s/x read short=3 delay=1");
		fault_rules_clear(rules);
	}
	/* The matchers do see rules: the last one stays until one has fired (or the timeout). */
	add("s/x read short=3 delay=1");
	while (atomic_load(&churn_fired) == 0)
		sched_yield();
	atomic_store(&stop, 1);
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_uint_eq(churns[t].wrong, 0);
	}
	ck_assert(fires(FAULT_READ, "s/x"));
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("fault_rules");
	TCase *syntax = tcase_create("syntax");
	TCase *matching = tcase_create("matching");
	TCase *threads = tcase_create("threads");

	tcase_add_checked_fixture(syntax, setup, teardown);
	tcase_add_test(syntax, every_form_parses_and_lists_canonically);
	tcase_add_test(syntax, parsed_actions_reach_the_match);
	tcase_add_test(syntax, bad_words_are_named);
	tcase_add_test(syntax, too_many_components_around_globstar);
	tcase_add_test(syntax, patterns_have_a_length_limit);
	tcase_add_test(syntax, rules_on_unseen_calls_alone_are_refused);
	tcase_add_test(syntax, listing_reads_back_the_same);
	tcase_add_test(syntax, errno_names_both_ways);
	suite_add_tcase(suite, syntax);

	tcase_add_checked_fixture(matching, setup, teardown);
	tcase_add_test(matching, star_stays_within_a_component);
	tcase_add_test(matching, globstar_spans_components);
	tcase_add_test(matching, ops_select_calls_and_others_are_not_counted);
	tcase_add_test(matching, nth_count_after_and_every_count_exactly);
	tcase_add_test(matching, first_rule_that_fires_wins);
	tcase_add_test(matching, vanish_hides_the_path_but_not_its_listing);
	tcase_add_test(matching, short_limits_reads_only);
	tcase_add_test(matching, clear_removes_every_rule);
	tcase_add_test(matching, cover_is_any_rule_on_the_path_uncounted);
	suite_add_tcase(suite, matching);

	tcase_add_checked_fixture(threads, setup, teardown);
	/* Under valgrind the threads run one at a time and much slower. */
	tcase_set_timeout(threads, 120);
	tcase_add_test(threads, counts_stay_exact_across_threads);
	tcase_add_test(threads, add_and_clear_while_matching);
	suite_add_tcase(suite, threads);
	return check_run(suite);
}
