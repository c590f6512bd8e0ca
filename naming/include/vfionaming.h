/* SPDX-License-Identifier: MIT */
/*
 * libvfionaming: the device IDs a VMM-facing container runtime gives the VFIO devices handed to
 * one sandbox, and the checks the hypervisor will apply to them.
 *
 * It reads <root>/sys with plain POSIX calls, so it works the same on a fakesys mount, on a
 * plain directory holding a rendered tree, and on "/" of a real host.
 */
#ifndef VFIONAMING_H
#define VFIONAMING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vfio_naming_scheme {
	/* Legacy: "<prefix>_<index>". Two groups both start at index 0: the reported bug. */
	VFIO_NAMING_INDEX,
	/* The fix: "<prefix>_<group>_<index>". */
	VFIO_NAMING_GROUP_INDEX,
};

#define VFIO_NAMING_DEFAULT_PREFIX "vfio_device"
/* QEMU/Kata limit on a device ID (MAX_DEV_ID_SIZE), in bytes, not counting the NUL. */
#define VFIO_NAMING_ID_MAX 31

enum vfio_naming_status {
	VFIO_NAMING_OK = 0,
	/* The IDs were assigned but the hypervisor would refuse them (duplicate, ill-formed, too
	 * long). The devices are still listed. */
	VFIO_NAMING_CHECK_FAILED = 1,
	/* Bad host path, missing group, unreadable tree: nothing could be named. */
	VFIO_NAMING_INPUT_ERROR = 2,
};

struct vfio_named_device {
	char *id;            /* full ID, never truncated; may exceed VFIO_NAMING_ID_MAX */
	char *host_path;     /* the sandbox entry this device came from, as given */
	char bdf[16];        /* "DDDD:BB:DD.F" */
	int group;           /* IOMMU group number */
	unsigned index;      /* position among the handed-over members of its group, BDF order */
	uint32_t class_code; /* 24-bit class, read via the group's devices/<bdf>/class */
};

struct vfio_naming_result {
	enum vfio_naming_status status;
	struct vfio_named_device *devices; /* in host-path order, then BDF order within a group */
	size_t n_devices;
	/*
	 * When status != OK: one line, no trailing newline. A duplicate is reported in QEMU's
	 * words, exactly "Duplicate device ID '<id>'"; other messages name the path or ID at fault.
	 * NULL only when not even the "out of memory" message could be allocated.
	 */
	char *error;
};

/* A NULL options pointer means root "/", scheme VFIO_NAMING_GROUP_INDEX, the default prefix. */
struct vfio_naming_options {
	const char *root;   /* NULL or "" means "/"; trailing slashes are ignored */
	enum vfio_naming_scheme scheme;
	const char *prefix; /* NULL means VFIO_NAMING_DEFAULT_PREFIX */
};

/*
 * Names the devices behind host_paths. Each host path is "/dev/vfio/<N>",
 * "/dev/vfio/noiommu-<N>", or a PCI address ("DDDD:BB:DD.F", or "BB:DD.F" for domain 0), which
 * stands for its whole IOMMU group. Always fills *result (free it with
 * vfio_naming_result_free) and returns result->status.
 */
enum vfio_naming_status vfio_naming_assign(const struct vfio_naming_options *options,
					   const char *const *host_paths, size_t n_host_paths,
					   struct vfio_naming_result *result);

void vfio_naming_result_free(struct vfio_naming_result *result);

/*
 * Finds the first device (in array order) whose ID equals an earlier device's, in O(n log n).
 * Returns 1 and sets *earlier < *later to the two positions, 0 if all IDs differ, -1 if out of
 * memory. vfio_naming_assign uses it for its uniqueness check; callers can use it to name both
 * devices of a "Duplicate device ID" failure.
 */
int vfio_naming_find_duplicate(const struct vfio_named_device *devices, size_t n_devices,
			       size_t *earlier, size_t *later);

/* "index" / "group-index"; returns -1 if the name is unknown. */
int vfio_naming_scheme_parse(const char *name, enum vfio_naming_scheme *out);
const char *vfio_naming_scheme_name(enum vfio_naming_scheme scheme);

#ifdef __cplusplus
}
#endif

#endif
