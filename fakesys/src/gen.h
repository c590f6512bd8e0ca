/* SPDX-License-Identifier: MIT */
/*
 * Synthetic scenarios: hosts of a chosen shape and size, written as scenario YAML, for stress,
 * scale and benchmarks. The same options and seed always give the same bytes.
 */
#ifndef FAKESYS_GEN_H
#define FAKESYS_GEN_H

#include <stdint.h>
#include <stdio.h>

enum gen_shape {
	GEN_SRIOV,  /* NFV host: PFs behind root ports, each with VFs in groups of their own */
	GEN_GPU,    /* GPU server: switches, GPUs (with audio), NVSwitch bridges, NICs, NVMe */
	GEN_DOMAIN, /* a PCI domain filled slot by slot: up to 65,536 functions */
	GEN_SWITCH, /* endpoints behind PCIe switches without ACS: a group per switch */
};

struct gen_options {
	enum gen_shape shape;
	unsigned pfs;	    /* sriov: physical functions, 1..31 */
	unsigned vfs;	    /* sriov: VFs enabled on each PF, 1..65535 */
	unsigned gpus;	    /* gpu: 1..32 */
	unsigned functions; /* domain: 1..65536 */
	unsigned switches;  /* switch: 1..31 */
	unsigned ports;	    /* switch: downstream ports of each, one endpoint below each, 1..32 */
	uint64_t seed;	    /* picks models, drivers and the sandbox */
	/* Called as the devices are written: done of total. NULL: not called. */
	void (*progress)(void *arg, const char *phase, size_t done, size_t total);
	void *progress_arg;
};

/* The defaults of shape: 4 PFs x 256 VFs, 8 GPUs, 65,536 functions, 4 switches x 4 ports;
 * seed 1; no progress. */
void gen_defaults(struct gen_options *options, enum gen_shape shape);
/* "sriov", "gpu", "domain", "switch" -> shape; -1 for anything else. */
int gen_shape_parse(const char *name, enum gen_shape *shape);

/*
 * Writes the scenario to out, with a sandbox of two groups and the outcome each naming scheme
 * must give. 0; -EINVAL with error set when the options cannot make a host (too many PFs for
 * the buses, say); -EIO when writing failed.
 */
int gen_write(const struct gen_options *options, FILE *out, char *error, size_t error_size);

#endif
