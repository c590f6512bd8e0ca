/* SPDX-License-Identifier: MIT */
/* bitmap_print_to_pagebuf() for one contiguous range of CPUs. */
#include "cpumask.h"

#include "sysfs_tree.h"

void host_node_cpus(const struct topo_host *host, int node, unsigned *first, unsigned *last)
{
	unsigned per_node = host->cpus / host->numa_nodes;

	if (node < 0 || host->numa_nodes <= 1) {
		*first = 0;
		*last = host->cpus - 1;
		return;
	}
	*first = (unsigned)node * per_node;
	/* The last node takes what does not divide evenly. */
	*last = (unsigned)node == host->numa_nodes - 1 ? host->cpus - 1 : *first + per_node - 1;
}

static unsigned chunk_bits(unsigned chunk, unsigned first, unsigned last)
{
	unsigned value = 0;

	for (unsigned bit = 0; bit < 32; bit++) {
		unsigned cpu = chunk * 32 + bit;

		if (cpu >= first && cpu <= last)
			value |= 1u << bit;
	}
	return value;
}

ssize_t cpumask_emit_hex(char *buf, size_t size, unsigned nbits, unsigned first, unsigned last)
{
	unsigned chunks = (nbits + 31) / 32;
	/* The first (highest) chunk is only as wide as the bits it holds, like %*pb. */
	unsigned top_bits = nbits % 32 ? nbits % 32 : 32;
	size_t len = 0;

	for (unsigned i = chunks; i-- > 0;) {
		int width = i == chunks - 1 ? (int)(top_bits + 3) / 4 : 8;
		ssize_t n = sysfs_emit(buf + len, size - len, "%s%0*x", i == chunks - 1 ? "" : ",",
				       width, chunk_bits(i, first, last));

		if (n < 0)
			return n;
		len += (size_t)n;
	}
	ssize_t n = sysfs_emit(buf + len, size - len, "\n");
	return n < 0 ? n : (ssize_t)len + n;
}

ssize_t cpumask_emit_list(char *buf, size_t size, unsigned first, unsigned last)
{
	if (first == last)
		return sysfs_emit(buf, size, "%u\n", first);
	return sysfs_emit(buf, size, "%u-%u\n", first, last);
}
