/* SPDX-License-Identifier: MIT */
/* Stores parse as the kernel's kstrto*(), kstrtobool() and sysfs_streq() do, errno for errno. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_parse.h"

/* A literal and its length, NULs inside it included. */
#define S(literal) literal, sizeof(literal) - 1
/* Only the first len bytes of a longer literal. */
#define PREFIX(literal, len) literal, len

/*
 * The bytes of a case in a heap block of exactly their length, with no NUL after them: reading
 * past len is then an error valgrind reports.
 */
static char *exact_copy(const char *buf, size_t len)
{
	char *copy = malloc(len); /* glibc: a block of its own even for 0 */

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, len);
	return copy;
}

struct unsigned_case {
	const char *buf;
	size_t len;
	unsigned base;
	int err;
	unsigned long long value;
};

struct signed_case {
	const char *buf;
	size_t len;
	unsigned base;
	int err;
	long long value;
};

/* What every width shares: the syntax of kstrtoull(). */
static const struct unsigned_case ull_cases[] = {
	{ S("0"), 10, 0, 0 },
	{ S("1"), 10, 0, 1 },
	{ S("42"), 10, 0, 42 },
	{ S("+42"), 10, 0, 42 },
	{ S("42\n"), 10, 0, 42 },
	{ S("+42\n"), 10, 0, 42 },
	{ S("010"), 10, 0, 10 },
	{ S("42\n\n"), 10, -EINVAL, 0 },
	{ S("\n42"), 10, -EINVAL, 0 },
	{ S(" 42"), 10, -EINVAL, 0 },
	{ S("42 "), 10, -EINVAL, 0 },
	{ S("4 2"), 10, -EINVAL, 0 },
	{ S("\t42"), 10, -EINVAL, 0 },
	{ S("42\r\n"), 10, -EINVAL, 0 },
	{ S(""), 10, -EINVAL, 0 },
	{ S("\n"), 10, -EINVAL, 0 },
	{ S("+"), 10, -EINVAL, 0 },
	{ S("+\n"), 10, -EINVAL, 0 },
	{ S("++1"), 10, -EINVAL, 0 },
	{ S("+ 1"), 10, -EINVAL, 0 },
	{ S("-1"), 10, -EINVAL, 0 },
	{ S("-0"), 10, -EINVAL, 0 },
	{ S("4a"), 10, -EINVAL, 0 },
	{ S("a"), 10, -EINVAL, 0 },
	{ S("0x10"), 10, -EINVAL, 0 },
	/* Base 0: "0x" with a hex digit after it is hex, another leading 0 octal. */
	{ S("10"), 0, 0, 10 },
	{ S("0"), 0, 0, 0 },
	{ S("0\n"), 0, 0, 0 },
	{ S("010"), 0, 0, 8 },
	{ S("0x1f"), 0, 0, 31 },
	{ S("0X1F"), 0, 0, 31 },
	{ S("0x1f\n"), 0, 0, 31 },
	{ S("+0x10"), 0, 0, 16 },
	{ S("+010"), 0, 0, 8 },
	{ S("08"), 0, -EINVAL, 0 },
	{ S("0x"), 0, -EINVAL, 0 },
	{ S("0x\n"), 0, -EINVAL, 0 },
	{ S("0xg"), 0, -EINVAL, 0 },
	{ S("0x0x1"), 0, -EINVAL, 0 },
	{ S("x10"), 0, -EINVAL, 0 },
	{ S("1f"), 0, -EINVAL, 0 },
	/* Base 16: "0x" may be there or not, but some digit must follow it. */
	{ S("1f"), 16, 0, 31 },
	{ S("1F"), 16, 0, 31 },
	{ S("0x1f"), 16, 0, 31 },
	{ S("0X1f"), 16, 0, 31 },
	{ S("+0x1f"), 16, 0, 31 },
	{ S("010"), 16, 0, 16 },
	{ S("0x"), 16, -EINVAL, 0 },
	{ S("0x\n"), 16, -EINVAL, 0 },
	{ S("0x0x1"), 16, -EINVAL, 0 },
	{ S("x1"), 16, -EINVAL, 0 },
	{ S("fg"), 16, -EINVAL, 0 },
	{ S("ffffffffffffffff"), 16, 0, ULLONG_MAX },
	{ S("0x0000000000000000ffffffffffffffff"), 16, 0, ULLONG_MAX },
	{ S("10000000000000000"), 16, -ERANGE, 0 },
	/* Base 8 and 2 take no prefix. */
	{ S("777"), 8, 0, 511 },
	{ S("0777"), 8, 0, 511 },
	{ S("8"), 8, -EINVAL, 0 },
	{ S("0x1"), 8, -EINVAL, 0 },
	{ S("1777777777777777777777"), 8, 0, ULLONG_MAX },
	{ S("2000000000000000000000"), 8, -ERANGE, 0 },
	{ S("01777777777777777777777"), 0, 0, ULLONG_MAX },
	{ S("02000000000000000000000"), 0, -ERANGE, 0 },
	{ S("101"), 2, 0, 5 },
	{ S("102"), 2, -EINVAL, 0 },
	/* Bases the kernel never gets from its callers. */
	{ S("1"), 1, -EINVAL, 0 },
	{ S("1"), 17, -EINVAL, 0 },
	/* The edge of 64 bits; overflow is reported before junk after the digits. */
	{ S("18446744073709551615"), 10, 0, ULLONG_MAX },
	{ S("18446744073709551615\n"), 10, 0, ULLONG_MAX },
	{ S("0000000000000000000000018446744073709551615"), 10, 0, ULLONG_MAX },
	{ S("18446744073709551616"), 10, -ERANGE, 0 },
	{ S("18446744073709551620"), 10, -ERANGE, 0 },
	{ S("99999999999999999999"), 10, -ERANGE, 0 },
	{ S("184467440737095516150"), 10, -ERANGE, 0 },
	{ S("18446744073709551616x"), 10, -ERANGE, 0 },
	{ S("18446744073709551616\n\n"), 10, -ERANGE, 0 },
	/* Only len bytes count, and the string ends at its first NUL as in the kernel. */
	{ PREFIX("123", 2), 10, 0, 12 },
	{ PREFIX("123\n", 3), 10, 0, 123 },
	{ PREFIX("12\n3", 3), 10, 0, 12 },
	{ PREFIX("12 ", 2), 10, 0, 12 },
	{ PREFIX("1", 0), 10, -EINVAL, 0 },
	{ PREFIX("+1", 1), 10, -EINVAL, 0 },
	{ PREFIX("0x10", 1), 0, 0, 0 },
	{ PREFIX("0x10", 2), 0, -EINVAL, 0 },
	{ PREFIX("0x10", 3), 0, 0, 1 },
	{ PREFIX("0x10", 2), 16, -EINVAL, 0 },
	{ PREFIX("184467440737095516150", 20), 10, 0, ULLONG_MAX },
	{ S("5\0junk"), 10, 0, 5 },
	{ S("5\n\0junk"), 10, 0, 5 },
	{ S("\0"
	    "5"),
	  10, -EINVAL, 0 },
};

static const struct unsigned_case uint_cases[] = {
	{ S("4294967295"), 10, 0, UINT_MAX },
	{ S("4294967295\n"), 10, 0, UINT_MAX },
	{ S("4294967296"), 10, -ERANGE, 0 },
	{ S("0xffffffff"), 0, 0, UINT_MAX },
	{ S("0x100000000"), 0, -ERANGE, 0 },
	{ S("18446744073709551615"), 10, -ERANGE, 0 },
	{ S("18446744073709551616"), 10, -ERANGE, 0 },
	{ S("+7"), 10, 0, 7 },
	{ S("-1"), 10, -EINVAL, 0 },
	{ S("7\n\n"), 10, -EINVAL, 0 },
	{ S(""), 10, -EINVAL, 0 },
	{ PREFIX("42949672950", 10), 10, 0, UINT_MAX },
};

static const struct unsigned_case ul_cases[] = {
#if ULONG_MAX == 18446744073709551615UL
	{ S("18446744073709551615"), 10, 0, ULONG_MAX },
	{ S("18446744073709551616"), 10, -ERANGE, 0 },
#else
	{ S("4294967295"), 10, 0, ULONG_MAX },
	{ S("4294967296"), 10, -ERANGE, 0 },
#endif
	{ S("0x10\n"), 0, 0, 16 },
	{ S("-1"), 0, -EINVAL, 0 },
	{ S(" 1"), 0, -EINVAL, 0 },
};

static const struct unsigned_case u16_cases[] = {
	{ S("65535"), 10, 0, 65535 },	{ S("0xffff\n"), 0, 0, 65535 },
	{ S("65536"), 10, -ERANGE, 0 }, { S("-1"), 10, -EINVAL, 0 },
	{ S("1 "), 10, -EINVAL, 0 },
};

static const struct unsigned_case u8_cases[] = {
	{ S("255"), 10, 0, 255 },     { S("ff"), 16, 0, 255 },	     { S("0377"), 0, 0, 255 },
	{ S("256"), 10, -ERANGE, 0 }, { S("0x100"), 0, -ERANGE, 0 }, { S("-0"), 10, -EINVAL, 0 },
	{ S(""), 10, -EINVAL, 0 },
};

/* kstrtoll(): one '-' or one '+', then kstrtoull()'s syntax. */
static const struct signed_case ll_cases[] = {
	{ S("9223372036854775807"), 10, 0, LLONG_MAX },
	{ S("9223372036854775808"), 10, -ERANGE, 0 },
	{ S("-9223372036854775808"), 10, 0, LLONG_MIN },
	{ S("-9223372036854775809"), 10, -ERANGE, 0 },
	{ S("-0x8000000000000000"), 0, 0, LLONG_MIN },
	{ S("-0x8000000000000001"), 0, -ERANGE, 0 },
	{ S("-18446744073709551615"), 10, -ERANGE, 0 },
	{ S("-18446744073709551616"), 10, -ERANGE, 0 },
	{ S("18446744073709551615"), 10, -ERANGE, 0 },
	{ S("-1"), 10, 0, -1 },
	{ S("-0"), 10, 0, 0 },
};

static const struct signed_case int_cases[] = {
	{ S("0"), 10, 0, 0 },
	{ S("42"), 10, 0, 42 },
	{ S("+42"), 10, 0, 42 },
	{ S("-42"), 10, 0, -42 },
	{ S("-1\n"), 10, 0, -1 },
	{ S("-0"), 10, 0, 0 },
	{ S("-0x10"), 0, 0, -16 },
	{ S("-010"), 0, 0, -8 },
	{ S("-0x10"), 16, 0, -16 },
	{ S("-ff"), 16, 0, -255 },
	{ S("2147483647"), 10, 0, INT_MAX },
	{ S("2147483648"), 10, -ERANGE, 0 },
	{ S("-2147483648"), 10, 0, INT_MIN },
	{ S("-2147483649"), 10, -ERANGE, 0 },
	{ S("0x7fffffff"), 0, 0, INT_MAX },
	{ S("0x80000000"), 0, -ERANGE, 0 },
	{ S("4294967295"), 10, -ERANGE, 0 },
	{ S("-9223372036854775808"), 10, -ERANGE, 0 },
	{ S("-18446744073709551616"), 10, -ERANGE, 0 },
	{ S("-1\n\n"), 10, -EINVAL, 0 },
	{ S("-"), 10, -EINVAL, 0 },
	{ S("-\n"), 10, -EINVAL, 0 },
	{ S("--1"), 10, -EINVAL, 0 },
	{ S("-+1"), 10, -EINVAL, 0 },
	{ S("+-1"), 10, -EINVAL, 0 },
	{ S("- 1"), 10, -EINVAL, 0 },
	{ S(" -1"), 10, -EINVAL, 0 },
	{ S("-1 "), 10, -EINVAL, 0 },
	{ S(""), 10, -EINVAL, 0 },
	{ PREFIX("-12", 1), 10, -EINVAL, 0 },
	{ PREFIX("-12", 2), 10, 0, -1 },
	{ PREFIX("-21474836480", 11), 10, 0, INT_MIN },
	{ S("-5\0"
	    "0"),
	  10, 0, -5 },
};

/* A number that is no value of any case: an untouched output keeps it. */
#define UNTOUCHED 0x5a5a5a5aULL

typedef int unsigned_parser(const char *buf, size_t len, unsigned base, unsigned long long *out);
typedef int signed_parser(const char *buf, size_t len, unsigned base, long long *out);

static int parse_ull(const char *buf, size_t len, unsigned base, unsigned long long *out)
{
	return sysfs_parse_ull(buf, len, base, out);
}

/* Each narrower parser writes its own type; these widen what it wrote, or leave UNTOUCHED. */
#define WIDENING_PARSER(name, parser, type, wide)                                                  \
	static int name(const char *buf, size_t len, unsigned base, wide *out)                     \
	{                                                                                          \
		type value = (type)UNTOUCHED;                                                      \
		int err = parser(buf, len, base, &value);                                          \
                                                                                                   \
		*out = err && value == (type)UNTOUCHED ? (wide)UNTOUCHED : (wide)value;            \
		return err;                                                                        \
	}

WIDENING_PARSER(parse_ul, sysfs_parse_ul, unsigned long, unsigned long long)
WIDENING_PARSER(parse_uint, sysfs_parse_uint, unsigned int, unsigned long long)
WIDENING_PARSER(parse_u16, sysfs_parse_u16, uint16_t, unsigned long long)
WIDENING_PARSER(parse_u8, sysfs_parse_u8, uint8_t, unsigned long long)
WIDENING_PARSER(parse_ll, sysfs_parse_ll, long long, long long)
WIDENING_PARSER(parse_int, sysfs_parse_int, int, long long)

static void check_unsigned(const char *what, unsigned_parser *parse,
			   const struct unsigned_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct unsigned_case *c = &cases[i];
		char *buf = exact_copy(c->buf, c->len);
		unsigned long long value = UNTOUCHED;
		int err = parse(buf, c->len, c->base, &value);

		ck_assert_msg(err == c->err, "%s case %zu \"%.*s\" base %u: %d, not %d", what, i,
			      (int)c->len, c->buf, c->base, err, c->err);
		if (c->err)
			ck_assert_msg(value == UNTOUCHED, "%s case %zu: output written on error",
				      what, i);
		else
			ck_assert_msg(value == c->value, "%s case %zu \"%.*s\": %llu, not %llu",
				      what, i, (int)c->len, c->buf, value, c->value);
		free(buf);
	}
}

static void check_signed(const char *what, signed_parser *parse, const struct signed_case *cases,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct signed_case *c = &cases[i];
		char *buf = exact_copy(c->buf, c->len);
		long long value = (long long)UNTOUCHED;
		int err = parse(buf, c->len, c->base, &value);

		ck_assert_msg(err == c->err, "%s case %zu \"%.*s\" base %u: %d, not %d", what, i,
			      (int)c->len, c->buf, c->base, err, c->err);
		if (c->err)
			ck_assert_msg(value == (long long)UNTOUCHED,
				      "%s case %zu: output written on error", what, i);
		else
			ck_assert_msg(value == c->value, "%s case %zu \"%.*s\": %lld, not %lld",
				      what, i, (int)c->len, c->buf, value, c->value);
		free(buf);
	}
}

#define N(cases) (sizeof(cases) / sizeof((cases)[0]))

START_TEST(unsigned_numbers_parse_as_kstrtoull)
{
	check_unsigned("ull", parse_ull, ull_cases, N(ull_cases));
#if ULONG_MAX == ULLONG_MAX
	/* Where long has 64 bits, kstrtoul() is kstrtoull(). */
	check_unsigned("ul", parse_ul, ull_cases, N(ull_cases));
#endif
}
END_TEST

START_TEST(narrower_unsigned_numbers_refuse_what_does_not_fit)
{
	check_unsigned("uint", parse_uint, uint_cases, N(uint_cases));
	check_unsigned("ul", parse_ul, ul_cases, N(ul_cases));
	check_unsigned("u16", parse_u16, u16_cases, N(u16_cases));
	check_unsigned("u8", parse_u8, u8_cases, N(u8_cases));
}
END_TEST

START_TEST(signed_numbers_parse_as_kstrtoll)
{
	check_signed("ll", parse_ll, ll_cases, N(ll_cases));
	check_signed("int", parse_int, int_cases, N(int_cases));
}
END_TEST

/* kstrtoll() is kstrtoull() after its sign: the unsigned table holds for it too. */
START_TEST(signed_parsers_share_the_unsigned_syntax)
{
	for (size_t i = 0; i < N(ull_cases); i++) {
		const struct unsigned_case *c = &ull_cases[i];
		char *buf = exact_copy(c->buf, c->len);
		long long value = (long long)UNTOUCHED;
		int err = sysfs_parse_ll(buf, c->len, c->base, &value);

		/* "-1" and "-0" are numbers here; past LLONG_MAX is out of range. */
		if (c->len > 0 && c->buf[0] == '-')
			ck_assert_msg(err == 0, "ll case %zu: %d", i, err);
		else if (c->err == 0 && c->value > LLONG_MAX)
			ck_assert_msg(err == -ERANGE, "ll case %zu: %d", i, err);
		else if (c->err)
			ck_assert_msg(err == c->err, "ll case %zu \"%.*s\": %d, not %d", i,
				      (int)c->len, c->buf, err, c->err);
		else
			ck_assert_msg(err == 0 && value == (long long)c->value,
				      "ll case %zu \"%.*s\": %d %lld", i, (int)c->len, c->buf, err,
				      value);
		free(buf);
	}
}
END_TEST

struct bool_case {
	const char *buf;
	size_t len;
	int err;
	bool value;
};

static const struct bool_case bool_cases[] = {
	{ S("y"), 0, true },
	{ S("Y"), 0, true },
	{ S("t"), 0, true },
	{ S("T"), 0, true },
	{ S("1"), 0, true },
	{ S("n"), 0, false },
	{ S("N"), 0, false },
	{ S("f"), 0, false },
	{ S("F"), 0, false },
	{ S("0"), 0, false },
	{ S("on"), 0, true },
	{ S("On"), 0, true },
	{ S("oN"), 0, true },
	{ S("ON"), 0, true },
	{ S("of"), 0, false },
	{ S("off"), 0, false },
	{ S("oF"), 0, false },
	{ S("OFF"), 0, false },
	{ S("y\n"), 0, true },
	{ S("0\n"), 0, false },
	{ S("on\n"), 0, true },
	{ S("off\n"), 0, false },
	/* Only the first one or two characters decide. */
	{ S("yes"), 0, true },
	{ S("no"), 0, false },
	{ S("true"), 0, true },
	{ S("false"), 0, false },
	{ S("1234"), 0, true },
	{ S("0x1"), 0, false },
	{ S("y\n\n"), 0, true },
	{ S("nonsense"), 0, false },
	{ S("onion"), 0, true },
	{ S("oFfset"), 0, false },
	{ S(""), -EINVAL, false },
	{ S("\n"), -EINVAL, false },
	{ S("o"), -EINVAL, false },
	{ S("o\n"), -EINVAL, false },
	{ S("ox"), -EINVAL, false },
	{ S("2"), -EINVAL, false },
	{ S("-1"), -EINVAL, false },
	{ S(" y"), -EINVAL, false },
	{ S("enable"), -EINVAL, false },
	{ S("disable"), -EINVAL, false },
	{ S("a"), -EINVAL, false },
	{ PREFIX("on", 1), -EINVAL, false },
	{ PREFIX("off", 1), -EINVAL, false },
	{ PREFIX("yes", 0), -EINVAL, false },
	{ PREFIX("no", 1), 0, false },
	{ S("o\0n"), -EINVAL, false },
	{ S("\0y"), -EINVAL, false },
};

START_TEST(booleans_parse_as_kstrtobool)
{
	for (size_t i = 0; i < N(bool_cases); i++) {
		const struct bool_case *c = &bool_cases[i];
		char *buf = exact_copy(c->buf, c->len);

		/* Both starting values, so that an untouched output cannot pass for a result. */
		for (int start = 0; start < 2; start++) {
			bool value = start;
			int err = sysfs_parse_bool(buf, c->len, &value);

			ck_assert_msg(err == c->err, "bool case %zu \"%.*s\": %d, not %d", i,
				      (int)c->len, c->buf, err, c->err);
			ck_assert_msg(value == (c->err ? (bool)start : c->value),
				      "bool case %zu \"%.*s\": %d", i, (int)c->len, c->buf, value);
		}
		free(buf);
	}
}
END_TEST

struct streq_case {
	const char *a;
	size_t alen;
	const char *b;
	bool equal;
};

static const struct streq_case streq_cases[] = {
	{ S("add"), "add", true },
	{ S("add\n"), "add", true },
	{ S("add"), "add\n", true },
	{ S("add\n"), "add\n", true },
	{ S(""), "", true },
	{ S("\n"), "", true },
	{ S(""), "\n", true },
	{ S("\n"), "\n", true },
	/* One side may have one '\n' more than the other, even after a newline of its own. */
	{ S("add\n\n"), "add\n", true },
	{ S("add\n"), "add\n\n", true },
	{ S("add\n\n"), "add", false },
	{ S("add"), "add\n\n", false },
	{ S("\n\n"), "", false },
	{ S(""), "\n\n", false },
	{ S("ad"), "add", false },
	{ S("add"), "ad", false },
	{ S("ad\n"), "add", false },
	{ S("add"), "ad\n", false },
	{ S("Add"), "add", false },
	{ S("add "), "add", false },
	{ S(" add"), "add", false },
	{ S("add\r\n"), "add", false },
	{ S("\nadd"), "add", false },
	{ S("add"), "", false },
	{ S(""), "add", false },
	{ PREFIX("addx", 3), "add", true },
	{ PREFIX("add\nx", 4), "add", true },
	{ PREFIX("add\n", 2), "add", false },
	{ PREFIX("add", 0), "", true },
	{ S("ad\0d"), "ad", true },
	{ S("add\n\0x"), "add", true },
};

START_TEST(strings_compare_as_sysfs_streq)
{
	for (size_t i = 0; i < N(streq_cases); i++) {
		const struct streq_case *c = &streq_cases[i];
		char *a = exact_copy(c->a, c->alen);

		ck_assert_msg(sysfs_streq(a, c->alen, c->b) == c->equal,
			      "streq case %zu \"%.*s\" \"%s\": not %d", i, (int)c->alen, c->a, c->b,
			      c->equal);
		free(a);
	}
}
END_TEST

START_TEST(one_trailing_newline_is_stripped)
{
	static const struct {
		const char *buf;
		size_t len;
		size_t stripped;
	} cases[] = {
		{ S("abc\n"), 3 },
		{ S("abc"), 3 },
		{ S("abc\n\n"), 4 },
		{ S(""), 0 },
		{ S("\n"), 0 },
		{ S("\n\n"), 1 },
		{ S("\nabc"), 4 },
		{ S("abc \n"), 4 },
		{ PREFIX("ab\nc", 3), 2 },
		{ PREFIX("abc\n", 3), 3 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *buf = exact_copy(cases[i].buf, cases[i].len);

		ck_assert_msg(sysfs_strip_newline(buf, cases[i].len) == cases[i].stripped,
			      "strip case %zu: %zu", i, sysfs_strip_newline(buf, cases[i].len));
		free(buf);
	}
}
END_TEST

#define UUID "2b5f2f55-4b1a-4f2e-9d6c-0123456789ab"

START_TEST(uevent_requests_parse_as_kobject_synth_uevent)
{
	static const struct {
		const char *buf;
		size_t len;
		int result;
	} cases[] = {
		{ S("change"), 0 },
		{ S("change\n"), 0 },
		{ S("add\0"), 0 },
		{ S("remove"), 0 },
		{ S("move"), 0 },
		{ S("online"), 0 },
		{ S("offline"), 0 },
		{ S("bind"), 0 },
		{ S("unbind"), 0 },
		{ S(""), -EINVAL },
		{ S("\n"), -EINVAL },
		{ S("change\n\n"), -EINVAL },
		{ S("Change"), -EINVAL },
		{ S("chang"), -EINVAL },
		{ S("changes"), -EINVAL },
		{ S("frobnicate"), -EINVAL },
		/* A space opens the arguments: a UUID first, then KEY=VALUE pairs. */
		{ S("change "), -EINVAL },
		{ S("change \n"), -EINVAL },
		{ S("add " UUID), 0 },
		{ S("add " UUID "\n"), 0 },
		{ S("add " UUID " A=1"), 0 },
		{ S("add " UUID " KEY1=v1 KEY2=v2\n"), 0 },
		{ S("add " UUID " K\xe9Y=caf\xe9"), 0 }, /* Latin-1 letters are alnum */
		{ S("add " UUID " K\xd7Y=1"), -EINVAL }, /* but not the multiplication sign */
		{ S("add 2B5F2F55-4B1A-4F2E-9D6C-0123456789AB"), 0 },
		{ S("add 2b5f2f55-4b1a-4f2e-9d6c-0123456789a"), -EINVAL },
		{ S("add 2b5f2f55x4b1a-4f2e-9d6c-0123456789ab"), -EINVAL },
		{ S("add 2b5f2f55-4b1a-4f2e-9d6c-0123456789ag"), -EINVAL },
		{ S("add " UUID "x"), -EINVAL },
		{ S("add " UUID " "), -EINVAL },
		{ S("add " UUID " A=1 "), -EINVAL },
		{ S("add " UUID " A=1  B=2"), -EINVAL },
		{ S("add " UUID " A="), -EINVAL },
		{ S("add " UUID " =1"), -EINVAL },
		{ S("add " UUID " A"), -EINVAL },
		{ S("add " UUID " A=b-c"), -EINVAL },
		{ S("add " UUID " A_B=1"), -EINVAL },
		{ S("add " UUID " A=1=2"), -EINVAL },
		{ S("add not-a-uuid"), -EINVAL },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *buf = exact_copy(cases[i].buf, cases[i].len);

		ck_assert_msg(sysfs_parse_synth_uevent(buf, cases[i].len) == cases[i].result,
			      "uevent case %zu ('%.*s'): %d", i, (int)cases[i].len, cases[i].buf,
			      sysfs_parse_synth_uevent(buf, cases[i].len));
		free(buf);
	}
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("sysfs_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, unsigned_numbers_parse_as_kstrtoull);
	tcase_add_test(tc, narrower_unsigned_numbers_refuse_what_does_not_fit);
	tcase_add_test(tc, signed_numbers_parse_as_kstrtoll);
	tcase_add_test(tc, signed_parsers_share_the_unsigned_syntax);
	tcase_add_test(tc, booleans_parse_as_kstrtobool);
	tcase_add_test(tc, strings_compare_as_sysfs_streq);
	tcase_add_test(tc, one_trailing_newline_is_stripped);
	tcase_add_test(tc, uevent_requests_parse_as_kobject_synth_uevent);
	suite_add_tcase(suite, tc);
	return check_run(suite);
}
