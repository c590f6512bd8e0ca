/* SPDX-License-Identifier: MIT */
/*
 * Synthetic scenarios. Each shape lays its host out on buses and slots by fixed rules; the seed
 * only picks among real models and picks the sandbox, so a size always gives the same layout
 * and the expected naming follows from the layout alone: the group numbers the loader will give
 * (VF groups numbered upwards from the highest written group) and the members of each group in
 * address order, as the naming counts them.
 */
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#define GEN_ROOT_PORTS	  31 /* devices 1..31 of bus 0: one per PF, switch or NVSwitch */
#define GEN_MAX_VFS	  65535
#define GEN_MAX_GPUS	  32
#define GEN_MAX_FUNCTIONS 65536 /* 256 buses x 32 devices x 8 functions */
#define GEN_MAX_PORTS	  32	/* devices of a switch's internal bus */

/* splitmix64: small, and the same sequence everywhere for a seed. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick(uint64_t *state, unsigned count)
{
	return (unsigned)(next_random(state) % count);
}

void gen_defaults(struct gen_options *options, enum gen_shape shape)
{
	*options = (struct gen_options){ .shape = shape,
					 .pfs = 4,
					 .vfs = 256,
					 .gpus = 8,
					 .functions = GEN_MAX_FUNCTIONS,
					 .switches = 4,
					 .ports = 4,
					 .seed = 1 };
}

int gen_shape_parse(const char *name, enum gen_shape *shape)
{
	static const char *const names[] = {
		[GEN_SRIOV] = "sriov",
		[GEN_GPU] = "gpu",
		[GEN_DOMAIN] = "domain",
		[GEN_SWITCH] = "switch",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*shape = (enum gen_shape)i;
			return 0;
		}
	return -1;
}

static void progress(const struct gen_options *o, const char *phase, size_t done, size_t total)
{
	if (o->progress)
		o->progress(o->progress_arg, phase, done, total);
}

static int invalid(char *error, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int invalid(char *error, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A sandbox member: one IOMMU group and the number of functions it hands over. */
struct gen_member {
	unsigned group;
	unsigned functions;
};

/*
 * The sandbox and what each scheme names it. Index naming restarts at 0 in every group, so two
 * groups always collide on vfio_device_0; group-index naming cannot.
 */
static void write_sandbox(FILE *out, const struct gen_member *members, size_t count)
{
	if (count == 0)
		return;
	fprintf(out, "sandbox: [");
	for (size_t i = 0; i < count; i++)
		fprintf(out, "%s/dev/vfio/%u", i ? ", " : "", members[i].group);
	fprintf(out, "]\nexpect:\n");
	if (count > 1) {
		fprintf(out, "  index: {error: \"Duplicate device ID 'vfio_device_0'\"}\n");
	} else {
		fprintf(out, "  index: {ids: [");
		for (unsigned f = 0; f < members[0].functions; f++)
			fprintf(out, "%svfio_device_%u", f ? ", " : "", f);
		fprintf(out, "]}\n");
	}
	fprintf(out, "  group-index: {ids: [");
	for (size_t i = 0; i < count; i++)
		for (unsigned f = 0; f < members[i].functions; f++)
			fprintf(out, "%svfio_device_%u_%u", i || f ? ", " : "", members[i].group,
				f);
	fprintf(out, "]}\n");
}

static void write_root_port(FILE *out, unsigned device, unsigned group, unsigned secondary)
{
	fprintf(out,
		"  0000:00:%02x.0: {id: 8086:2030, class: pci-bridge, revision: 0x04, "
		"driver: pcieport, group: %u, secondary: 0x%02x, pcie: {type: root-port}}\n",
		device, group, secondary);
}

/* An SR-IOV NIC: its IDs, driver, TotalVFs and First VF Offset as the hardware has them. */
struct nic_model {
	const char *id, *subsystem, *driver, *vf_id, *name;
	unsigned total, offset;
};

static const struct nic_model nic_models[] = {
	{ "8086:1572", "8086:0007", "i40e", "154c", "Intel X710", 64, 16 },
	{ "8086:1592", "8086:0002", "ice", "1889", "Intel E810-C", 256, 8 },
	{ "15b3:101d", "15b3:0016", "mlx5_core", "101e", "Mellanox ConnectX-6 Dx", 127, 2 },
};

static int write_sriov(const struct gen_options *o, FILE *out, char *error, size_t error_size)
{
	if (o->pfs < 1 || o->pfs > GEN_ROOT_PORTS)
		return invalid(error, error_size, "--pfs %u: 1 to %u", o->pfs, GEN_ROOT_PORTS);
	if (o->vfs < 1 || o->vfs > GEN_MAX_VFS)
		return invalid(error, error_size, "--vfs %u: 1 to %u", o->vfs, GEN_MAX_VFS);

	uint64_t state = o->seed;
	unsigned model[GEN_ROOT_PORTS], buses_per_pf = 1;
	for (unsigned i = 0; i < o->pfs; i++) {
		model[i] = pick(&state, sizeof(nic_models) / sizeof(nic_models[0]));
		unsigned last_rid = nic_models[model[i]].offset + o->vfs - 1;
		if (last_rid / 256 + 1 > buses_per_pf)
			buses_per_pf = last_rid / 256 + 1;
	}
	/* Each PF on a bus of its own at 00.0, its VFs spilling onto the buses after it. */
	if (o->pfs * buses_per_pf > 255)
		return invalid(error, error_size,
			       "%u PFs of %u VFs need %u buses; a domain has 255 below bus 0",
			       o->pfs, o->vfs, o->pfs * buses_per_pf);

	fprintf(out,
		"# fakesys gen sriov --pfs %u --vfs %u --seed %llu\n"
		"scenario: gen-sriov-%ux%u-s%llu\n"
		"description: >-\n"
		"  Synthetic NFV host: %u SR-IOV PFs behind root ports, %u VFs each bound to\n"
		"  vfio-pci, every VF alone in its IOMMU group.\n"
		"host: {cpus: 64, numa_nodes: 2}\n"
		"devices:\n"
		"  0000:00:00.0: {id: 8086:2020, class: host-bridge, revision: 0x04, group: 0}\n",
		o->pfs, o->vfs, (unsigned long long)o->seed, o->pfs, o->vfs,
		(unsigned long long)o->seed, o->pfs, o->vfs);
	for (unsigned i = 0; i < o->pfs; i++) {
		const struct nic_model *m = &nic_models[model[i]];
		unsigned bus = 1 + i * buses_per_pf;

		write_root_port(out, i + 1, 1 + i, bus);
		fprintf(out,
			"  0000:%02x:00.0: {id: %s, subsystem: %s, class: ethernet, driver: %s, "
			"group: %u, numa_node: %u, pcie: {width: 8},\n"
			"                 bars: [{size: 32M, type: mem64, prefetchable: true}],\n"
			"                 sriov: {total: %u, num: %u, offset: %u, vf_id: %s, "
			"vf_driver: vfio-pci,\n"
			"                         vf_bars: [{size: 16K, type: mem64, "
			"prefetchable: true}]}}  # %s\n",
			bus, m->id, m->subsystem, m->driver, 1 + o->pfs + i, i % 2,
			m->total > o->vfs ? m->total : o->vfs, o->vfs, m->offset, m->vf_id,
			m->name);
		progress(o, "writing PFs", i + 1, o->pfs);
	}

	/* VF n of PF i: the loader numbers VF groups from one above the highest written. */
	unsigned first_vf_group = 2 * o->pfs + 1;
	struct gen_member members[2];
	size_t count = 0;
	unsigned long long vfs = (unsigned long long)o->pfs * o->vfs;
	unsigned long long first = next_random(&state) % vfs;
	members[count++] = (struct gen_member){ first_vf_group + (unsigned)first, 1 };
	if (vfs > 1) {
		unsigned long long second = next_random(&state) % (vfs - 1);
		second += second >= first;
		members[count++] = (struct gen_member){ first_vf_group + (unsigned)second, 1 };
	}
	write_sandbox(out, members, count);
	return 0;
}

struct gpu_model {
	const char *id, *subsystem, *class, *name;
	const char *audio_id; /* NULL: no HD audio function */
};

static const struct gpu_model gpu_models[] = {
	{ "10de:20b0", "10de:134f", "3d", "NVIDIA A100 SXM4 40GB", NULL },
	{ "10de:2330", "10de:16c1", "3d", "NVIDIA H100 SXM5 80GB", NULL },
	{ "10de:2230", "10de:1459", "vga", "NVIDIA RTX A6000", "10de:1aef" },
};

/*
 * Two GPUs share a PCIe switch (upstream port, four downstream ports: GPU, GPU, NIC, NVMe)
 * behind one root port; NVSwitch bridges sit behind root ports of their own. ACS everywhere:
 * every function is alone in its group but a GPU's audio, which shares its GPU's.
 */
static int write_gpu(const struct gen_options *o, FILE *out, char *error, size_t error_size)
{
	if (o->gpus < 1 || o->gpus > GEN_MAX_GPUS)
		return invalid(error, error_size, "--gpus %u: 1 to %u", o->gpus, GEN_MAX_GPUS);

	uint64_t state = o->seed;
	const struct gpu_model *m =
		&gpu_models[pick(&state, sizeof(gpu_models) / sizeof(gpu_models[0]))];
	unsigned switches = (o->gpus + 1) / 2;
	unsigned nvswitches = (o->gpus + 1) / 2;
	if (switches + nvswitches > GEN_ROOT_PORTS)
		nvswitches = GEN_ROOT_PORTS - switches; /* 32 GPUs: 16 switches, 15 NVSwitches */
	unsigned group = 1, gpu_group[GEN_MAX_GPUS];

	fprintf(out,
		"# fakesys gen gpu --gpus %u --seed %llu\n"
		"scenario: gen-gpu-%u-s%llu\n"
		"description: >-\n"
		"  Synthetic GPU server: %u x %s behind PCIe switches, two per switch with a NIC\n"
		"  and an NVMe drive, and %u NVSwitch bridges.\n"
		"host: {cpus: 128, numa_nodes: 2}\n"
		"devices:\n"
		"  0000:00:00.0: {id: 8086:2020, class: host-bridge, revision: 0x04, group: 0}\n",
		o->gpus, (unsigned long long)o->seed, o->gpus, (unsigned long long)o->seed, o->gpus,
		m->name, nvswitches);
	for (unsigned s = 0; s < switches; s++) {
		unsigned bus = 1 + s * 6, node = s * 2 / switches;

		write_root_port(out, s + 1, group++, bus);
		fprintf(out,
			"  0000:%02x:00.0: {id: 1000:c010, class: pci-bridge, driver: pcieport, "
			"group: %u, secondary: 0x%02x, pcie: {type: upstream-port}}\n",
			bus, group++, bus + 1);
		for (unsigned port = 0; port < 4; port++)
			fprintf(out,
				"  0000:%02x:%02x.0: {id: 1000:c010, class: pci-bridge, "
				"driver: pcieport, group: %u, secondary: 0x%02x, "
				"pcie: {type: downstream-port}}\n",
				bus + 1, port, group++, bus + 2 + port);
		for (unsigned g = 2 * s; g < 2 * s + 2 && g < o->gpus; g++) {
			unsigned gpu_bus = bus + 2 + g % 2;

			gpu_group[g] = group++;
			fprintf(out,
				"  0000:%02x:00.0: {id: %s, subsystem: %s, class: %s, "
				"driver: vfio-pci, group: %u, numa_node: %u, pcie: {width: 16},\n"
				"                 bars: [{size: 16M, type: mem32}, "
				"{size: 32G, type: mem64, prefetchable: true}]}\n",
				gpu_bus, m->id, m->subsystem, m->class, gpu_group[g], node);
			if (m->audio_id)
				fprintf(out,
					"  0000:%02x:00.1: {id: %s, subsystem: %s, class: audio, "
					"driver: vfio-pci, group: %u, numa_node: %u, "
					"pcie: {width: 16}}\n",
					gpu_bus, m->audio_id, m->subsystem, gpu_group[g], node);
		}
		fprintf(out,
			"  0000:%02x:00.0: {id: 15b3:1021, subsystem: 15b3:0041, class: "
			"infiniband, "
			"driver: mlx5_core, group: %u, numa_node: %u, pcie: {width: 16}}\n"
			"  0000:%02x:00.0: {id: 144d:a80a, subsystem: 144d:a801, class: nvme, "
			"driver: nvme, group: %u, numa_node: %u, pcie: {width: 4}}\n",
			bus + 4, group, node, bus + 5, group + 1, node);
		group += 2;
		progress(o, "writing GPUs", 2 * s + 2 < o->gpus ? 2 * s + 2 : o->gpus, o->gpus);
	}
	for (unsigned k = 0; k < nvswitches; k++) {
		unsigned bus = 1 + switches * 6 + k;

		write_root_port(out, switches + 1 + k, group++, bus);
		fprintf(out,
			"  0000:%02x:00.0: {id: 10de:1af1, class: other-bridge, revision: 0xa1, "
			"group: %u, pcie: {width: 2}}  # NVSwitch\n",
			bus, group++);
	}

	struct gen_member members[2];
	size_t count = 0;
	unsigned functions = m->audio_id ? 2 : 1;
	unsigned first = pick(&state, o->gpus);
	members[count++] = (struct gen_member){ gpu_group[first], functions };
	if (o->gpus > 1) {
		unsigned second = pick(&state, o->gpus - 1);
		second += second >= first;
		members[count++] = (struct gen_member){ gpu_group[second], functions };
	}
	write_sandbox(out, members, count);
	return 0;
}

/* What fills a slot; every function is bound to vfio-pci, so any slot can be handed over. */
struct endpoint_model {
	const char *id, *class;
};

static const struct endpoint_model endpoint_models[] = {
	{ "8086:1572", "ethernet" },
	{ "144d:a808", "nvme" },
	{ "8086:0b25", "accelerator" },
	{ "1af4:1041", "ethernet" },
};

/*
 * Every slot of bus 0, then of buses 1..255 (root buses of their own), holds one eight-function
 * device in one IOMMU group numbered as the slot; slot 0 is the host bridge's. The last device
 * has what remains of the count.
 */
static int write_domain(const struct gen_options *o, FILE *out, char *error, size_t error_size)
{
	if (o->functions < 1 || o->functions > GEN_MAX_FUNCTIONS)
		return invalid(error, error_size, "--functions %u: 1 to %u", o->functions,
			       GEN_MAX_FUNCTIONS);

	uint64_t state = o->seed;
	unsigned slots = (o->functions + 7) / 8, buses = (slots + 31) / 32;

	fprintf(out,
		"# fakesys gen domain --functions %u --seed %llu\n"
		"scenario: gen-domain-%u-s%llu\n"
		"description: >-\n"
		"  Synthetic PCI domain of %u functions: eight-function devices bound to vfio-pci\n"
		"  in every slot of %u buses, an IOMMU group per device.\n"
		"host: {cpus: 128, numa_nodes: 2}\n",
		o->functions, (unsigned long long)o->seed, o->functions,
		(unsigned long long)o->seed, o->functions, buses);
	if (buses > 1) {
		fprintf(out, "root_buses: [");
		for (unsigned bus = 1; bus < buses; bus++)
			fprintf(out, "%s\"0000:%02x\"", bus > 1 ? ", " : "", bus);
		fprintf(out, "]\n");
	}
	fprintf(out, "devices:\n");
	for (unsigned slot = 0; slot < slots; slot++) {
		unsigned bus = slot / 32, device = slot % 32;
		unsigned functions = slot + 1 < slots ? 8 : o->functions - 8 * slot;
		const struct endpoint_model *m = &endpoint_models[pick(
			&state, sizeof(endpoint_models) / sizeof(endpoint_models[0]))];

		for (unsigned f = 0; f < functions; f++) {
			if (slot == 0)
				fprintf(out,
					"  0000:00:00.%u: {id: 8086:%04x, class: %s, group: 0}\n",
					f, 0x2020 + f,
					f == 0 ? "host-bridge" : "system-peripheral");
			else
				fprintf(out,
					"  0000:%02x:%02x.%u: {id: %s, class: %s, driver: "
					"vfio-pci, "
					"group: %u, numa_node: %u}\n",
					bus, device, f, m->id, m->class, slot, bus / 128);
		}
		progress(o, "writing functions", 8 * (size_t)slot + functions, o->functions);
	}

	struct gen_member members[2];
	size_t count = 0;
	if (slots > 1) {
		unsigned first = 1 + pick(&state, slots - 1);
		unsigned last_functions = o->functions - 8 * (slots - 1);

		members[count++] =
			(struct gen_member){ first, first == slots - 1 ? last_functions : 8 };
		if (slots > 2) {
			unsigned second = 1 + pick(&state, slots - 2);
			second += second >= first;
			members[count++] =
				(struct gen_member){ second,
						     second == slots - 1 ? last_functions : 8 };
		}
	}
	write_sandbox(out, members, count);
	return 0;
}

/*
 * Each switch behind a root port of its own: an upstream port, then downstream ports on its
 * internal bus, one endpoint below each. The downstream ports have no ACS, so an endpoint's
 * DMA could reach its neighbours without the IOMMU seeing it: the kernel puts the upstream
 * port, the downstream ports and every endpoint below them in one group (bridges bound to
 * pcieport, endpoints to vfio-pci), and a VM gets all the endpoints or none.
 */
static int write_switch(const struct gen_options *o, FILE *out, char *error, size_t error_size)
{
	if (o->switches < 1 || o->switches > GEN_ROOT_PORTS)
		return invalid(error, error_size, "--switches %u: 1 to %u", o->switches,
			       GEN_ROOT_PORTS);
	if (o->ports < 1 || o->ports > GEN_MAX_PORTS)
		return invalid(error, error_size, "--ports %u: 1 to %u", o->ports, GEN_MAX_PORTS);
	/* A root port's bus, the switch's internal bus, and one bus below each port. */
	unsigned buses = o->ports + 2;
	if (o->switches * buses > 255)
		return invalid(
			error, error_size,
			"%u switches of %u ports need %u buses; a domain has 255 below bus 0",
			o->switches, o->ports, o->switches * buses);

	uint64_t state = o->seed;
	const struct endpoint_model *m = &endpoint_models[pick(
		&state, sizeof(endpoint_models) / sizeof(endpoint_models[0]))];

	fprintf(out,
		"# fakesys gen switch --switches %u --ports %u --seed %llu\n"
		"scenario: gen-switch-%ux%u-s%llu\n"
		"description: >-\n"
		"  Synthetic host of %u PCIe switches without ACS, each behind a root port with "
		"%u\n"
		"  endpoints on vfio-pci below its downstream ports, all in the switch's group.\n"
		"host: {cpus: 64, numa_nodes: 2}\n"
		"devices:\n"
		"  0000:00:00.0: {id: 8086:2020, class: host-bridge, revision: 0x04, group: 0}\n",
		o->switches, o->ports, (unsigned long long)o->seed, o->switches, o->ports,
		(unsigned long long)o->seed, o->switches, o->ports);
	/* Root ports take groups 1..switches; switch s takes group switches + 1 + s. */
	for (unsigned s = 0; s < o->switches; s++) {
		unsigned bus = 1 + s * buses, group = o->switches + 1 + s;
		unsigned node = s * 2 / o->switches;

		write_root_port(out, s + 1, s + 1, bus);
		fprintf(out,
			"  0000:%02x:00.0: {id: 10b5:8747, class: pci-bridge, driver: pcieport, "
			"group: %u, secondary: 0x%02x, pcie: {type: upstream-port}}\n",
			bus, group, bus + 1);
		for (unsigned port = 0; port < o->ports; port++)
			fprintf(out,
				"  0000:%02x:%02x.0: {id: 10b5:8747, class: pci-bridge, "
				"driver: pcieport, group: %u, secondary: 0x%02x, "
				"pcie: {type: downstream-port}}\n",
				bus + 1, port, group, bus + 2 + port);
		for (unsigned port = 0; port < o->ports; port++)
			fprintf(out,
				"  0000:%02x:00.0: {id: %s, class: %s, driver: vfio-pci, "
				"group: %u, numa_node: %u}\n",
				bus + 2 + port, m->id, m->class, group, node);
		progress(o, "writing switches", s + 1, o->switches);
	}

	/* Handed over whole: the bridges stay with the host and take no index. */
	struct gen_member members[2];
	size_t count = 0;
	unsigned first = pick(&state, o->switches);
	members[count++] = (struct gen_member){ o->switches + 1 + first, o->ports };
	if (o->switches > 1) {
		unsigned second = pick(&state, o->switches - 1);
		second += second >= first;
		members[count++] = (struct gen_member){ o->switches + 1 + second, o->ports };
	}
	write_sandbox(out, members, count);
	return 0;
}

int gen_write(const struct gen_options *options, FILE *out, char *error, size_t error_size)
{
	int err;

	switch (options->shape) {
	case GEN_SRIOV:
		err = write_sriov(options, out, error, error_size);
		break;
	case GEN_GPU:
		err = write_gpu(options, out, error, error_size);
		break;
	case GEN_DOMAIN:
		err = write_domain(options, out, error, error_size);
		break;
	case GEN_SWITCH:
		err = write_switch(options, out, error, error_size);
		break;
	default:
		return invalid(error, error_size, "unknown shape");
	}
	if (err == 0 && (fflush(out) != 0 || ferror(out))) {
		snprintf(error, error_size, "writing the scenario: %s", strerror(errno));
		return -EIO;
	}
	return err;
}
