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

void pci_addr_format(const struct pci_addr *addr, char out[PCI_ADDR_STRLEN])
{
	snprintf(out, PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", (unsigned)addr->domain, addr->bus,
		 addr->dev, addr->fn);
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
