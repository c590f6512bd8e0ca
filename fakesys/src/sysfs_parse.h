/* SPDX-License-Identifier: MIT */
/*
 * Parsing what user space writes into attributes, by the kernel's own helpers (lib/kstrtox.c,
 * lib/string.c), so that a store accepts and refuses exactly the inputs the kernel does and
 * fails with the same errno.
 *
 * A store gets (buf, len). kernfs hands the kernel's stores a copy with a NUL at buf[len], and
 * the helpers below stop at the first NUL as the kernel's do: a write of "1\0junk" is "1". They
 * never read buf[len] or beyond, so a caller may also pass a prefix of a longer string.
 *
 * The number parsers mirror kstrtoull() and friends: base 0 picks 16 for "0x"/"0X" followed by
 * a hex digit, 8 for a leading "0", else 10; base 16 skips an optional "0x"; one leading '+' is
 * accepted (and '-' by the signed ones); no whitespace except a single trailing '\n'. They
 * return 0, -EINVAL for a malformed string or a base outside 0 and 2..16, or -ERANGE when the
 * value does not fit; overflow wins over trailing junk, as in the kernel. On error *out is left
 * untouched.
 */
#ifndef FAKESYS_SYSFS_PARSE_H
#define FAKESYS_SYSFS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int sysfs_parse_ull(const char *buf, size_t len, unsigned base, unsigned long long *out);
int sysfs_parse_ll(const char *buf, size_t len, unsigned base, long long *out);
int sysfs_parse_ul(const char *buf, size_t len, unsigned base, unsigned long *out);
int sysfs_parse_uint(const char *buf, size_t len, unsigned base, unsigned int *out);
int sysfs_parse_int(const char *buf, size_t len, unsigned base, int *out);
int sysfs_parse_u16(const char *buf, size_t len, unsigned base, uint16_t *out);
int sysfs_parse_u8(const char *buf, size_t len, unsigned base, uint8_t *out);

/*
 * kstrtobool(): only the first character decides (YyTt1 true, NnFf0 false), or the first two
 * for "on"/"off" ([oO][nN] true, [oO][fF] false), so "yes please" is true. Else -EINVAL.
 */
int sysfs_parse_bool(const char *buf, size_t len, bool *out);

/*
 * sysfs_streq(): equal strings, or equal but for one extra '\n' at the end of either one
 * ("add\n\n" equals "add\n" but not "add").
 */
bool sysfs_streq(const char *a, size_t alen, const char *b);

/*
 * kobject_synth_uevent(), what every uevent file takes: an action (add, remove, change, move,
 * online, offline, bind or unbind), optionally followed by a UUID and " KEY=VALUE" pairs whose
 * keys and values are non-empty runs of the kernel's isalnum() characters (Latin-1 letters
 * count). One trailing '\n' or NUL is dropped. 0, or -EINVAL for anything else.
 */
int sysfs_parse_synth_uevent(const char *buf, size_t len);

/* len without one trailing '\n', the newline echo(1) appends. */
size_t sysfs_strip_newline(const char *buf, size_t len);

#endif
