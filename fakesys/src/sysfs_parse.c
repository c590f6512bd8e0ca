/* SPDX-License-Identifier: MIT */
/* lib/kstrtox.c and sysfs_streq() from lib/string.c, over (buf, len) instead of C strings. */
#include "sysfs_parse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

/* The kernel's helpers see the string up to its first NUL, whatever the write's count was. */
static size_t string_length(const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len);

	return nul ? (size_t)(nul - buf) : len;
}

/* What the kernel reads at s[i]: the terminating NUL once past the end. */
static char char_at(const char *buf, size_t len, size_t i)
{
	return i < len ? buf[i] : '\0';
}

/* _tolower(): ASCII only, whatever the locale. */
static char lower(char c)
{
	return (char)(c | 0x20);
}

/* 16 for anything that is no hex digit, so that it is no digit in any base. */
static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (lower(c) >= 'a' && lower(c) <= 'f')
		return (unsigned)(lower(c) - 'a' + 10);
	return 16;
}

/*
 * _kstrtoull(): the part after any sign. The radix fixup of _parse_integer_fixup_radix(), the
 * digits of _parse_integer() (overflow noted but the digits still consumed), then at most one
 * '\n' and the end. The kernel never checks base; its callers pass constants.
 */
static int parse_digits(const char *s, size_t len, unsigned base, unsigned long long *out)
{
	unsigned long long value = 0;
	bool overflow = false;
	size_t start = 0, pos;

	if (base == 1 || base > 16)
		return -EINVAL;
	if (base == 0) {
		if (char_at(s, len, 0) != '0')
			base = 10;
		else if (lower(char_at(s, len, 1)) == 'x' && digit_value(char_at(s, len, 2)) < 16)
			base = 16;
		else
			base = 8;
	}
	if (base == 16 && char_at(s, len, 0) == '0' && lower(char_at(s, len, 1)) == 'x')
		start = 2;

	for (pos = start; pos < len; pos++) {
		unsigned digit = digit_value(s[pos]);

		if (digit >= base)
			break;
		if (value > (ULLONG_MAX - digit) / base)
			overflow = true;
		value = value * base + digit;
	}
	if (overflow)
		return -ERANGE;
	if (pos == start)
		return -EINVAL;
	if (pos < len && s[pos] == '\n')
		pos++;
	if (pos < len)
		return -EINVAL;
	*out = value;
	return 0;
}

/* kstrtoull() */
int sysfs_parse_ull(const char *buf, size_t len, unsigned base, unsigned long long *out)
{
	len = string_length(buf, len);
	if (len > 0 && buf[0] == '+')
		return parse_digits(buf + 1, len - 1, base, out);
	return parse_digits(buf, len, base, out);
}

/* kstrtoll(): "-+1" and "+-1" are refused, and -(LLONG_MAX + 1) is the one magnitude over. */
int sysfs_parse_ll(const char *buf, size_t len, unsigned base, long long *out)
{
	unsigned long long magnitude;
	int err;

	len = string_length(buf, len);
	if (len > 0 && buf[0] == '-') {
		err = parse_digits(buf + 1, len - 1, base, &magnitude);
		if (err)
			return err;
		if (magnitude > (unsigned long long)LLONG_MAX + 1)
			return -ERANGE;
		*out = magnitude == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
								      : -(long long)magnitude;
		return 0;
	}
	err = sysfs_parse_ull(buf, len, base, &magnitude);
	if (err)
		return err;
	if (magnitude > LLONG_MAX)
		return -ERANGE;
	*out = (long long)magnitude;
	return 0;
}

/* kstrtoul() */
int sysfs_parse_ul(const char *buf, size_t len, unsigned base, unsigned long *out)
{
	unsigned long long value;
	int err = sysfs_parse_ull(buf, len, base, &value);

	if (err)
		return err;
	if (value != (unsigned long)value)
		return -ERANGE;
	*out = (unsigned long)value;
	return 0;
}

/* kstrtouint() */
int sysfs_parse_uint(const char *buf, size_t len, unsigned base, unsigned int *out)
{
	unsigned long long value;
	int err = sysfs_parse_ull(buf, len, base, &value);

	if (err)
		return err;
	if (value > UINT_MAX)
		return -ERANGE;
	*out = (unsigned int)value;
	return 0;
}

/* kstrtoint() */
int sysfs_parse_int(const char *buf, size_t len, unsigned base, int *out)
{
	long long value;
	int err = sysfs_parse_ll(buf, len, base, &value);

	if (err)
		return err;
	if (value < INT_MIN || value > INT_MAX)
		return -ERANGE;
	*out = (int)value;
	return 0;
}

/* kstrtou16() */
int sysfs_parse_u16(const char *buf, size_t len, unsigned base, uint16_t *out)
{
	unsigned long long value;
	int err = sysfs_parse_ull(buf, len, base, &value);

	if (err)
		return err;
	if (value > UINT16_MAX)
		return -ERANGE;
	*out = (uint16_t)value;
	return 0;
}

/* kstrtou8() */
int sysfs_parse_u8(const char *buf, size_t len, unsigned base, uint8_t *out)
{
	unsigned long long value;
	int err = sysfs_parse_ull(buf, len, base, &value);

	if (err)
		return err;
	if (value > UINT8_MAX)
		return -ERANGE;
	*out = (uint8_t)value;
	return 0;
}

/* kstrtobool() */
int sysfs_parse_bool(const char *buf, size_t len, bool *out)
{
	len = string_length(buf, len);
	switch (char_at(buf, len, 0)) {
	case 'y':
	case 'Y':
	case 't':
	case 'T':
	case '1':
		*out = true;
		return 0;
	case 'n':
	case 'N':
	case 'f':
	case 'F':
	case '0':
		*out = false;
		return 0;
	case 'o':
	case 'O':
		switch (char_at(buf, len, 1)) {
		case 'n':
		case 'N':
			*out = true;
			return 0;
		case 'f':
		case 'F':
			*out = false;
			return 0;
		default:
			break;
		}
		break;
	default:
		break;
	}
	return -EINVAL;
}

/*
 * sysfs_streq(), stated by lengths: its loop stops at the first difference, after which only
 * one '\n' on one side may remain.
 */
bool sysfs_streq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	alen = string_length(a, alen);
	if (alen == blen)
		return memcmp(a, b, alen) == 0;
	if (alen == blen + 1)
		return a[blen] == '\n' && memcmp(a, b, blen) == 0;
	if (blen == alen + 1)
		return b[alen] == '\n' && memcmp(a, b, alen) == 0;
	return false;
}

size_t sysfs_strip_newline(const char *buf, size_t len)
{
	return len > 0 && buf[len - 1] == '\n' ? len - 1 : len;
}

/* lib/ctype.c's isalnum(): ASCII letters and digits, and Latin-1's letters (not × and ÷). */
static bool kernel_isalnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}

/* uuid_is_valid(): 36 characters, hex digits with dashes at 8, 13, 18 and 23. */
static bool uuid_valid(const char *s)
{
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* action_arg_word_end(): the end of a non-empty alnum run that stops at delim or at end. */
static const char *word_end(const char *p, const char *end, char delim)
{
	const char *start = p;

	while (p < end && *p != delim)
		if (!kernel_isalnum((unsigned char)*p++))
			return NULL;
	return p == start ? NULL : p;
}

/* kobject_action_args(): a UUID, then " KEY=VALUE" pairs. */
static bool synth_args_valid(const char *args, size_t len)
{
	const char *end;

	if (len && (args[len - 1] == '\n' || args[len - 1] == '\0'))
		len--;
	end = args + len;
	if (len < 36 || !uuid_valid(args))
		return false;
	for (const char *p = args + 36; p < end;) {
		if (*p++ != ' ')
			return false;
		p = word_end(p, end, '=');
		if (!p || p == end)
			return false;
		p = word_end(p + 1, end, ' ');
		if (!p)
			return false;
	}
	return true;
}

int sysfs_parse_synth_uevent(const char *buf, size_t len)
{
	static const char *const actions[] = { "add",	 "remove",  "change", "move",
					       "online", "offline", "bind",   "unbind" };
	size_t count = len;

	if (count && (buf[count - 1] == '\n' || buf[count - 1] == '\0'))
		count--;
	const char *space = memchr(buf, ' ', count);
	size_t action_len = space ? (size_t)(space - buf) : count;

	for (size_t i = 0; count && i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strlen(actions[i]) != action_len || memcmp(actions[i], buf, action_len) != 0)
			continue;
		/* The arguments run to the end of what was written, not of the trimmed count. */
		if (space && !synth_args_valid(space + 1, len - action_len - 1))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}
