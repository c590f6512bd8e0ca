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
	/* Bad host path, missing group, a group VFIO would refuse (see vfio_naming_assign),
	 * unreadable tree: nothing could be named. */
	VFIO_NAMING_INPUT_ERROR = 2,
};

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx": how sysfs names a mediated device (mdev). */
#define VFIO_NAMING_UUID_LENGTH 36

/*
 * A group's members are its PCI functions, in (domain, bus, device, function) order, then its
 * mediated devices, in UUID string order; bridges (class 0x0600xx, 0x0604xx) stay with the host
 * and take no index. That order is what index counts, whatever order sysfs lists them in.
 */
struct vfio_named_device {
	char *id;	 /* full ID, never truncated; may exceed VFIO_NAMING_ID_MAX */
	char *host_path; /* the sandbox entry this device came from, as given */
	/* "DDDD:BB:DD.F": the PCI function, or for a mediated device its parent function. */
	char bdf[16];
	/* A mediated device's UUID, lower case as sysfs names it; "" for a PCI function. */
	char uuid[VFIO_NAMING_UUID_LENGTH + 1];
	int group;	/* IOMMU group number */
	unsigned index; /* position among the handed-over members of its group (order above) */
	/* 24-bit class, read via the group's devices/<bdf>/class; 0 for a mediated device, which
	 * has no class attribute. */
	uint32_t class_code;
};

struct vfio_naming_result {
	enum vfio_naming_status status;
	/* In host-path order, then member order (see struct vfio_named_device) within a group. */
	struct vfio_named_device *devices;
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
	const char *root; /* NULL or "" means "/"; trailing slashes are ignored */
	enum vfio_naming_scheme scheme;
	const char *prefix; /* NULL means VFIO_NAMING_DEFAULT_PREFIX */
};

/*
 * Names the devices behind host_paths. Each host path is one of:
 *  - "/dev/vfio/<N>", "/dev/vfio/noiommu-<N>": the whole IOMMU group N;
 *  - a PCI address ("DDDD:BB:DD.F", or "BB:DD.F" for domain 0): its whole IOMMU group;
 *  - "/dev/vfio/devices/vfio<X>" (an iommufd device node): that one device only, found through
 *    <root>/sys/class/vfio-dev/vfio<X>/device (a PCI function or a mediated device). It keeps
 *    the index it has in its group, so it gets the same ID as when the group is handed over.
 * The group of every host path must be viable, as VFIO requires before it hands over any of
 * it: each PCI function in it, bridges included, has no driver or is bound to vfio-pci, a
 * driver with "vfio" in its name (a variant such as mlx5_vfio_pci), pci-stub or pcieport.
 * Otherwise, even for a one-device host path, the result is VFIO_NAMING_INPUT_ERROR with a
 * message naming the function, its driver and the driver link read.
 * Always fills *result (free it with vfio_naming_result_free) and returns result->status.
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
