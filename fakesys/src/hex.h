/* SPDX-License-Identifier: MIT */
/* One hex digit's value, for the strict parsers of PCI addresses and scenario values. */
#ifndef FAKESYS_HEX_H
#define FAKESYS_HEX_H

/* 0..15, or -1 for anything that is not a hex digit (either case). */
static inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
