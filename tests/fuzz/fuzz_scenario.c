/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the scenario loader and validator, then the tree build, on any bytes.
 * Whatever the input, loading either succeeds or gives one "FILE:..." line; a loaded scenario
 * builds a host that is freed again. The sanitizers catch the rest.
 */
#define _GNU_SOURCE /* memfd_create */
#include "host_tree.h"
#include "scenario.h"
#include "verbatim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The loader reads a path; a memory file gives it one without touching the disk. */
static int scenario_file(const uint8_t *data, size_t size, char path[64])
{
	static int fd = -1;

	if (fd < 0 && (fd = memfd_create("fuzz-scenario", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], error[SCENARIO_ERROR_MAX];
	struct scenario sc;
	struct host_tree ht;

	scenario_file(data, size, path);
	if (scenario_load(path, &sc, error) != 0) {
		/* Refusals name the file and say why, on one line. */
		if (strncmp(error, path, strlen(path)) != 0 || strchr(error, '\n') ||
		    strlen(error) <= strlen(path) + 2)
			abort();
		return 0;
	}
	if (scenario_tree_build(&sc, &ht, error) == 0)
		host_tree_free(&ht);
	scenario_free(&sc);
	return 0;
}
