/* SPDX-License-Identifier: MIT */
/* The files of /sys/module/<name>, and which module a driver comes from. */
#include "module_sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sysfs_parse.h"

/* What sets one module apart; a module the table does not know gets default_facts. */
struct module_facts {
	const char *name;
	bool builtin;
	uint32_t coresize;   /* bytes, page multiples as lsmod shows them */
	const char *taint;   /* module_flags_taint() letters */
	const char *version; /* MODULE_VERSION, for the few that still have one */
	const struct sysfs_attr_group *parameters;
};

/* KBUILD_MODNAME where it is not the driver's name with '-' as '_'. */
static const struct {
	const char *driver, *module;
} driver_modules[] = {
	{ "i801_smbus", "i2c_i801" },
	{ "pcieport", "pcieportdrv" }, /* drivers/pci/pcie: pcieportdrv-y := portdrv.o ... */
	{ "serial", "8250_pci" },
	{ "xhci_hcd", "xhci_pci" }, /* xhci-pci.c registers as hcd_name */
};

void module_name_of_driver(const char *driver, char out[MODULE_NAME_LEN])
{
	for (size_t i = 0; i < sizeof(driver_modules) / sizeof(driver_modules[0]); i++)
		if (strcmp(driver, driver_modules[i].driver) == 0) {
			snprintf(out, MODULE_NAME_LEN, "%s", driver_modules[i].module);
			return;
		}
	snprintf(out, MODULE_NAME_LEN, "%s", driver);
	for (char *c = out; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* kernel/params.c param_get_bool() and param_set_bool() (kstrtobool) of parameter n. */
static ssize_t param_show(const void *obj, unsigned n, char *buf, size_t size)
{
	const struct module_obj *mod = obj;

	return sysfs_emit(buf, size, "%c\n", mod->params[n] ? 'Y' : 'N');
}

static ssize_t param_store(void *obj, unsigned n, const char *buf, size_t len)
{
	struct module_obj *mod = obj;
	bool value;
	int err = sysfs_parse_bool(buf, len, &value);

	if (err)
		return err;
	mod->params[n] = value;
	return (ssize_t)len;
}

/* A bool module_param: read-only ones (0444) have no store, so kernfs refuses writes. */
#define BOOL_PARAM(prefix, n, param, perm)                                                         \
	SYSFS_SHOW(prefix##_##param)                                                               \
	{                                                                                          \
		return param_show(obj, n, buf, size);                                              \
	}                                                                                          \
	SYSFS_STORE(prefix##_##param)                                                              \
	{                                                                                          \
		return param_store(obj, n, buf, len);                                              \
	}                                                                                          \
	static const struct sysfs_attr prefix##_##param##_attr = {                                 \
		.name = #param,                                                                    \
		.mode = (perm),                                                                    \
		.show = prefix##_##param##_show,                                                   \
		.store = ((perm)&0222) ? prefix##_##param##_store : NULL,                          \
	}

/*
 * drivers/vfio/pci/vfio_pci.c, as distributions build it (CONFIG_VFIO_PCI_VGA, CONFIG_PCI_IOV).
 * ids is registered with permission 0, so it has no file.
 */
BOOL_PARAM(vfio_pci, 0, nointxmask, 0644);
BOOL_PARAM(vfio_pci, 1, disable_vga, 0444);
BOOL_PARAM(vfio_pci, 2, disable_idle_d3, 0644);
BOOL_PARAM(vfio_pci, 3, enable_sriov, 0644);
BOOL_PARAM(vfio_pci, 4, disable_denylist, 0444);

static const struct sysfs_attr *const vfio_pci_param_attrs[] = {
	&vfio_pci_nointxmask_attr,	 &vfio_pci_disable_vga_attr,
	&vfio_pci_disable_idle_d3_attr,	 &vfio_pci_enable_sriov_attr,
	&vfio_pci_disable_denylist_attr, NULL,
};
static const struct sysfs_attr_group vfio_pci_params = { .name = "parameters",
							 .attrs = vfio_pci_param_attrs };

/* Typical of x86-64 distribution kernels of the 6.x series; sizes vary by release and build. */
static const struct module_facts known_modules[] = {
	{ .name = "8250_pci", .builtin = true },
	{ .name = "ahci", .coresize = 49152, .version = "3.0" },
	{ .name = "e1000e", .coresize = 356352 },
	{ .name = "i2c_i801", .coresize = 40960 },
	{ .name = "i40e", .coresize = 573440 },
	{ .name = "i915", .coresize = 3952640 },
	{ .name = "iavf", .coresize = 204800 },
	{ .name = "ice", .coresize = 1200128 },
	{ .name = "ixgbe", .coresize = 479232 },
	{ .name = "lpc_ich", .coresize = 28672 },
	{ .name = "mlx5_core", .coresize = 2465792 },
	/* Proprietary and out of tree; signed, as distributions ship it. Its version depends on
	 * the release installed, so it has none here. */
	{ .name = "nvidia", .coresize = 56471552, .taint = "PO" },
	{ .name = "nvme", .coresize = 61440 },
	{ .name = "pcieportdrv", .builtin = true },
	{ .name = "snd_hda_intel", .coresize = 61440 },
	{ .name = "vfio_pci", .coresize = 16384, .parameters = &vfio_pci_params },
	{ .name = "virtio_pci", .coresize = 28672, .version = "1" },
	{ .name = "xhci_pci", .coresize = 24576 },
};

static const struct module_facts default_facts = { .coresize = 32768 };

/* FNV-1a of name, then splitmix64 steps: made-up identifiers that stay put from run to run. */
static uint64_t name_hash(const char *name, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 0x100000001b3ULL;
	return h;
}

static uint64_t mix_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const struct module_obj *mod_of(const void *obj)
{
	return obj;
}

SYSFS_SHOW(initstate)
{
	return sysfs_emit(buf, size, "live\n");
}

SYSFS_SHOW(coresize)
{
	return sysfs_emit(buf, size, "%u\n", mod_of(obj)->facts->coresize);
}

SYSFS_SHOW(version)
{
	return sysfs_emit(buf, size, "%s\n", mod_of(obj)->facts->version);
}

SYSFS_SHOW(taint)
{
	const char *taint = mod_of(obj)->facts->taint;

	return sysfs_emit(buf, size, "%s\n", taint ? taint : "");
}

/* An MD4 of the sources, 24 upper-case hex digits; here one that names the module. */
SYSFS_SHOW(srcversion)
{
	uint64_t state = name_hash(mod_of(obj)->name, 0x5352435645525349ULL);
	uint64_t high = mix_next(&state), low = mix_next(&state);

	return sysfs_emit(buf, size, "%08llX%016llX\n", (unsigned long long)(high >> 32),
			  (unsigned long long)low);
}

/*
 * sections/<name>: where each loaded section sits, "0x%px\n", 19 bytes, root only; zeros for
 * whoever kallsyms_show_value() refuses. A few of the sections every module has: a real one
 * has dozens more, depending on its code and the kernel's configuration.
 */
#define SECTION_READ_SIZE 19

static size_t section_size(const void *obj)
{
	(void)obj;
	return SECTION_READ_SIZE;
}

/* Offsets in sixteenths of the core; the init section was past it (and is freed). */
static ssize_t section_show(const void *obj, const struct sysfs_opener *opener, char *buf,
			    size_t size, unsigned sixteenths)
{
	const struct module_obj *mod = obj;
	uint64_t offset = (uint64_t)mod->facts->coresize * sixteenths / 16 & ~(uint64_t)0x3f;
	char bounce[SECTION_READ_SIZE + 1];

	snprintf(bounce, sizeof(bounce), "0x%016llx\n",
		 opener->privileged ? (unsigned long long)(mod->base + offset) : 0ULL);
	size = size < SECTION_READ_SIZE ? size : SECTION_READ_SIZE;
	memcpy(buf, bounce, size);
	return (ssize_t)size;
}

#define SECTION(id, section_name, sixteenths)                                                      \
	SYSFS_SHOW(section_##id)                                                                   \
	{                                                                                          \
		return section_show(obj, opener, buf, size, sixteenths);                           \
	}                                                                                          \
	static const struct sysfs_attr section_##id##_attr = { .name = section_name,               \
							       .mode = 0400,                       \
							       .show = section_##id##_show,        \
							       .size = section_size }

SECTION(text, ".text", 0);
SECTION(exit_text, ".exit.text", 5);
SECTION(note_build_id, ".note.gnu.build-id", 6);
SECTION(rodata, ".rodata", 7);
SECTION(data, ".data", 9);
SECTION(this_module, ".gnu.linkonce.this_module", 11);
SECTION(bss, ".bss", 12);
SECTION(symtab, ".symtab", 13);
SECTION(strtab, ".strtab", 15);
SECTION(init_text, ".init.text", 16);

static const struct sysfs_attr *const section_attrs[] = {
	&section_text_attr,
	&section_exit_text_attr,
	&section_note_build_id_attr,
	&section_rodata_attr,
	&section_data_attr,
	&section_this_module_attr,
	&section_bss_attr,
	&section_symtab_attr,
	&section_strtab_attr,
	&section_init_text_attr,
	NULL,
};

/* notes/<section>: the bytes of each SHT_NOTE section. The build ID is made up, per module. */
#define BUILD_ID_NOTE_SIZE 36

static size_t build_id_size(const void *obj)
{
	(void)obj;
	return BUILD_ID_NOTE_SIZE;
}

SYSFS_SHOW(build_id)
{
	/* Elf64_Nhdr (namesz 4, descsz 20, NT_GNU_BUILD_ID), "GNU", 20 bytes of ID. */
	uint8_t note[BUILD_ID_NOTE_SIZE] = { 4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U' };
	uint64_t state = name_hash(mod_of(obj)->name, 0x4255494c442d4944ULL);

	for (size_t i = 16; i < BUILD_ID_NOTE_SIZE; i += 8) {
		uint64_t word = mix_next(&state);

		for (size_t b = 0; b < 8 && i + b < BUILD_ID_NOTE_SIZE; b++)
			note[i + b] = (uint8_t)(word >> (8 * b));
	}
	size = size < BUILD_ID_NOTE_SIZE ? size : BUILD_ID_NOTE_SIZE;
	memcpy(buf, note, size);
	return (ssize_t)size;
}

static const struct sysfs_attr build_id_attr = {
	.name = ".note.gnu.build-id", .mode = 0444, .show = build_id_show, .size = build_id_size
};

static const struct sysfs_attr *const note_attrs[] = { &build_id_attr, NULL };

static const struct sysfs_attr uevent_attr = { .name = "uevent",
					       .mode = 0200,
					       .store = sysfs_store_uevent };
static const struct sysfs_attr initstate_attr = { .name = "initstate",
						  .mode = 0444,
						  .show = initstate_show };
static const struct sysfs_attr coresize_attr = { .name = "coresize",
						 .mode = 0444,
						 .show = coresize_show };
/* Zero once init is done: do_init_module() drops the init sections' sizes with them. */
static const struct sysfs_attr initsize_attr = { .name = "initsize",
						 .mode = 0444,
						 .show = sysfs_show_zero };
static const struct sysfs_attr taint_attr = { .name = "taint", .mode = 0444, .show = taint_show };
/* Nothing here takes a reference: no module depends on it, no VFIO device is open. */
static const struct sysfs_attr refcnt_attr = { .name = "refcnt",
					       .mode = 0444,
					       .show = sysfs_show_zero };
static const struct sysfs_attr version_attr = { .name = "version",
						.mode = 0444,
						.show = version_show };
static const struct sysfs_attr srcversion_attr = { .name = "srcversion",
						   .mode = 0444,
						   .show = srcversion_show };

/* modinfo_attrs[]'s test: version only for a module with MODULE_VERSION. */
static uint16_t modinfo_is_visible(const void *obj, const struct sysfs_attr *attr)
{
	return attr == &version_attr && !mod_of(obj)->facts->version ? 0 : attr->mode;
}

static const struct sysfs_attr *const loadable_attrs[] = {
	&uevent_attr,	 &version_attr,	 &srcversion_attr,
	&initstate_attr, &coresize_attr, &initsize_attr,
	&taint_attr,	 &refcnt_attr,	 NULL,
};
static const struct sysfs_attr_group loadable_group = { .attrs = loadable_attrs,
							.is_visible = modinfo_is_visible };

/* lookup_or_create_module_kobject() gives a built-in module uevent; version_sysfs_builtin()
 * adds version for one with MODULE_VERSION. */
static const struct sysfs_attr *const builtin_attrs[] = { &uevent_attr, &version_attr, NULL };
static const struct sysfs_attr_group builtin_group = { .attrs = builtin_attrs,
						       .is_visible = modinfo_is_visible };

/* Nothing depends on a module of the scenario's: holders/ stays empty. */
static const struct sysfs_attr *const no_attrs[] = { NULL };
static const struct sysfs_attr_group holders_group = { .name = "holders", .attrs = no_attrs };
static const struct sysfs_attr_group notes_group = { .name = "notes", .attrs = note_attrs };
static const struct sysfs_attr_group sections_group = { .name = "sections",
							.attrs = section_attrs };

/* The module area of x86-64 (MODULES_VADDR), where the first module's core goes. */
#define MODULES_VADDR 0xffffffffc0000000ULL
#define PAGE_SIZE     4096ULL

void module_obj_init(struct module_obj *mod, const char *name, uint64_t *next_base)
{
	size_t n = 0;

	memset(mod, 0, sizeof(*mod));
	snprintf(mod->name, sizeof(mod->name), "%s", name);
	mod->facts = &default_facts;
	for (size_t i = 0; i < sizeof(known_modules) / sizeof(known_modules[0]); i++)
		if (strcmp(mod->name, known_modules[i].name) == 0)
			mod->facts = &known_modules[i];

	if (mod->facts->builtin) {
		mod->groups[n++] = &builtin_group;
	} else {
		if (!*next_base)
			*next_base = MODULES_VADDR;
		mod->base = *next_base;
		/* A guard page between modules; the init section was allocated past the core. */
		*next_base += (mod->facts->coresize + 2 * PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE +
			      PAGE_SIZE;
		mod->groups[n++] = &loadable_group;
		mod->groups[n++] = &holders_group;
		mod->groups[n++] = &notes_group;
		mod->groups[n++] = &sections_group;
	}
	if (mod->facts->parameters)
		mod->groups[n++] = mod->facts->parameters;
	mod->groups[n] = NULL;
}
