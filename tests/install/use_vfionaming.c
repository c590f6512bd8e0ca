/* SPDX-License-Identifier: MIT */
/*
 * A program of someone else's, built against an installed libvfionaming through pkg-config:
 * names the devices behind HOSTPATH... in the tree at ROOT with SCHEME and prints, per device,
 * its ID, group and address. Exits with the library's status.
 * usage: use_vfionaming ROOT SCHEME HOSTPATH...
 */
#include <stdio.h>
#include <vfionaming.h>

int main(int argc, char **argv)
{
	struct vfio_naming_options options = { .root = argc > 1 ? argv[1] : NULL };
	struct vfio_naming_result result;

	if (argc < 4 || vfio_naming_scheme_parse(argv[2], &options.scheme) != 0) {
		fprintf(stderr, "usage: use_vfionaming ROOT index|group-index HOSTPATH...\n");
		return 2;
	}
	enum vfio_naming_status status = vfio_naming_assign(&options, (const char *const *)&argv[3],
							    (size_t)argc - 3, &result);
	for (size_t i = 0; i < result.n_devices; i++)
		printf("%s %d %s\n", result.devices[i].id, result.devices[i].group,
		       result.devices[i].bdf);
	if (status != VFIO_NAMING_OK)
		fprintf(stderr, "%s\n", result.error ? result.error : "out of memory");
	vfio_naming_result_free(&result);
	return (int)status;
}
