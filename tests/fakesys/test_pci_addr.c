/* SPDX-License-Identifier: MIT */
/* PCI addresses: formatted as lspci -D prints them (%04x:%02x:%02x.%x), and parsed back. */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <string.h>

#include "topology.h"

/* What printf makes of addr: the format the hand-written one must match byte for byte. */
static void expect_printf_format(uint32_t domain, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_addr addr = { domain, bus, dev, fn }, back;
	char got[PCI_ADDR_STRLEN], want[32];

	snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", (unsigned)domain, bus, dev, fn);
	pci_addr_format(&addr, got);
	ck_assert_str_eq(got, want);
	ck_assert(pci_addr_parse(got, &back));
	ck_assert_int_eq(pci_addr_compare(&addr, &back), 0);
}

START_TEST(format_matches_printf)
{
	expect_printf_format(0, 0, 0, 0);
	expect_printf_format(0, 0x3b, 0x02, 7);
	expect_printf_format(0x1, 0xff, 0x1f, 7);
	expect_printf_format(0xabcd, 0x0a, 0x10, 3);
	expect_printf_format(0x10000, 0xe1, 0x00, 0); /* VMD: five digits */
	expect_printf_format(0xfffffff, 0x80, 0x1f, 6);
}
END_TEST

START_TEST(format_of_every_devfn)
{
	for (unsigned devfn = 0; devfn < 256; devfn++)
		for (unsigned bus = 0; bus < 256; bus += 17)
			expect_printf_format(bus * 0x101, (uint8_t)bus, (uint8_t)(devfn >> 3),
					     (uint8_t)(devfn & 7));
}
END_TEST

static Suite *pci_addr_suite(void)
{
	Suite *s = suite_create("pci_addr");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, format_matches_printf);
	tcase_add_test(tc, format_of_every_devfn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(pci_addr_suite());
}
