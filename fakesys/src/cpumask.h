/* SPDX-License-Identifier: MIT */
/* CPU sets as the kernel prints them: "%*pb" (local_cpus) and "%*pbl" (local_cpulist). */
#ifndef FAKESYS_CPUMASK_H
#define FAKESYS_CPUMASK_H

#include <stddef.h>
#include <sys/types.h>

#include "topology.h"

/* The CPUs local to a NUMA node: a contiguous range [first, last]; node -1 means all CPUs. */
void host_node_cpus(const struct topo_host *host, int node, unsigned *first, unsigned *last);

/* Hex mask of nbits bits in 32-bit chunks, high first, comma separated, then "\n". */
ssize_t cpumask_emit_hex(char *buf, size_t size, unsigned nbits, unsigned first, unsigned last);
/* "first-last\n", or "first\n" for one CPU. */
ssize_t cpumask_emit_list(char *buf, size_t size, unsigned first, unsigned last);

#endif
