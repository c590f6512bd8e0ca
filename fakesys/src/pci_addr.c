/* SPDX-License-Identifier: MIT */
/* PCI addresses ("DDDD:BB:DD.F"): the canonical text form, its strict parser and the order. */
#include "topology.h"

#include "hex.h"

#include <stdio.h>

/*
 * Eight hex digits of domain would not fit PCI_ADDR_STRLEN; seven cover every real domain
 * (VMD domains start at 0x10000) and match what the naming library accepts.
 */
#define PCI_DOMAIN_MAX 0xfffffffu
#define PCI_DEV_MAX    0x1f
#define PCI_FN_MAX     7

/* Writes value as at least digits lower-case hex digits; returns the end. */
static char *put_hex(char *out, uint32_t value, int digits)
{
	static const char hex[] = "0123456789abcdef";

	while (digits < 8 && value >> (4 * digits))
		digits++;
	for (int i = digits - 1; i >= 0; i--)
		*out++ = hex[(value >> (4 * i)) & 0xf];
	return out;
}

/* "%04x:%02x:%02x.%x" by hand: the loader formats every address it reads, and printf was a
 * tenth of parsing a large scenario. */
void pci_addr_format(const struct pci_addr *addr, char out[PCI_ADDR_STRLEN])
{
	char *p = put_hex(out, addr->domain, 4);

	*p++ = ':';
	p = put_hex(p, addr->bus, 2);
	*p++ = ':';
	p = put_hex(p, addr->dev, 2);
	*p++ = '.';
	p = put_hex(p, addr->fn, 1);
	*p = '\0';
}

/* Reads up to max_digits hex digits at *cursor; returns how many it read. */
static size_t read_hex(const char **cursor, size_t max_digits, uint32_t *value)
{
	const char *p = *cursor;
	uint32_t accumulated = 0;
	size_t digits = 0;

	while (digits < max_digits && hex_digit_value(*p) >= 0) {
		accumulated = accumulated << 4 | (uint32_t)hex_digit_value(*p);
		p++;
		digits++;
	}
	*cursor = p;
	*value = accumulated;
	return digits;
}

bool pci_addr_parse(const char *text, struct pci_addr *out)
{
	const char *p = text;
	uint32_t domain, bus, dev, fn;
	size_t domain_digits = read_hex(&p, 9, &domain);

	if (domain_digits < 4 || domain_digits > 8 || domain > PCI_DOMAIN_MAX || *p++ != ':')
		return false;
	if (read_hex(&p, 3, &bus) != 2 || *p++ != ':')
		return false;
	if (read_hex(&p, 3, &dev) != 2 || dev > PCI_DEV_MAX || *p++ != '.')
		return false;
	if (*p < '0' || *p > '0' + PCI_FN_MAX)
		return false;
	fn = (uint32_t)(*p++ - '0');
	if (*p != '\0')
		return false;

	out->domain = domain;
	out->bus = (uint8_t)bus;
	out->dev = (uint8_t)dev;
	out->fn = (uint8_t)fn;
	return true;
}

int pci_addr_compare(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return 0;
}
