/* SPDX-License-Identifier: MIT */
/*
 * Loading a scenario file (format: scenarios/README.md). libyaml's event parser feeds a
 * recursive-descent reader that follows the format's grammar, so every value is checked as it
 * streams past: errors come in file order, and a collection where the format wants a scalar is
 * refused at its first level, however deep it goes. Whole-file rules (bus numbering, parents,
 * references between sections) are checked once the file is read, then the model is filled in.
 */
#include "scenario.h"

#include "errno_names.h"
#include "fault_rules.h"
#include "hex.h"
#include "pci_class.h"
#include "pci_resources.h"
#include "yaml_events.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define SCALAR_MAX	   4096
#define FILE_SIZE_MAX	   (256u << 20)
#define DRIVER_NAME_MAX	   64
#define CPUS_MAX	   8192
#define NUMA_NODES_MAX	   64
#define DEFAULT_CPUS	   8
#define DEFAULT_NUMA_NODES 1
#define BUS_MAX		   255
#define LABEL_MAX	   64
#define VFS_MAX		   65535
/* Bridges (type 1 header) have BAR registers 0..1; endpoints and VFs (type 0) 0..5. */
#define BRIDGE_BAR_REGISTERS 2
#define IO_BAR_MIN	     4u
#define IO_BAR_MAX	     256u
#define MEM_BAR_MIN	     16u
#define MEM32_BAR_MAX	     (1ull << 31)
#define ROM_MIN		     2048u
#define ROM_MAX		     (1ull << 31)
/* Link defaults: 8.0 GT/s (generation 3), x1. */
#define DEFAULT_LINK_SPEED 3
#define DEFAULT_LINK_WIDTH 1
/* `config`: raw config space bytes, spelled as text: lspci -xxxx prints 4096 bytes in 256 lines
 * of 53 characters, so its scalar may be longer than others. */
#define CONFIG_BYTES_MAX   4096
#define CONFIG_TEXT_MAX	   (64 * 1024)
#define MDEV_TYPE_ID_MAX   64
#define MDEV_TEXT_MAX	   128
#define MDEV_INSTANCES_MAX 65535
#define UUID_LEN	   36

/* Which IOMMU group the VFs of a PF join (sriov's vf_groups). */
enum vf_groups {
	VF_GROUPS_AUTO, /* each VF a new group of its own */
	VF_GROUPS_NONE,
	VF_GROUPS_SAME, /* the PF's group */
};

/*
 * A device as read, or a VF made from its PF's `sriov`, with what the whole-file checks need
 * beyond the model. The model's heap parts (fn.sriov, fn.label) belong to this entry until the
 * model takes them.
 */
struct pending_fn {
	struct topo_function fn;
	int32_t driver_name; /* index into loader.driver_names, or TOPO_NONE */
	int32_t group_id;    /* as written, or TOPO_NONE */
	bool has_secondary;
	bool has_subordinate;
	uint8_t given_subordinate;
	bool pcie_type_given;
	struct src_pos numa_pos; /* positions of values, for the whole-file checks */
	struct src_pos secondary_pos;
	struct src_pos subordinate_pos;
	/* The first `bars` entry that a bridge's two BAR registers cannot hold, if any. */
	struct src_pos bridge_bars_pos;
	uint8_t bridge_bars_register;
	/* Physical functions: the `sriov` key, and what its VFs take. */
	struct src_pos sriov_pos;
	struct src_pos vf_groups_pos;
	int32_t vf_driver_name; /* index into loader.driver_names, or TOPO_NONE */
	enum vf_groups vf_groups;
	uint32_t first_vf;	/* file-order index of VF 0 in loader.fns */
	uint32_t first_idle_vf; /* file-order index of VF `num`, the first not enabled */
	/* Mediated devices: this device's `mdev` entries are loader.mdevs[first_mdev..]. */
	size_t first_mdev;
	/* Virtual functions. */
	bool is_vf;
	uint32_t pf;	/* the PF's index in loader.fns (file order until the sort, then sorted) */
	uint32_t order; /* this entry's index before the sort */
};

/* A reserved_regions entry as read, with where it was written. */
struct region_entry {
	struct topo_region region;
	uint8_t rank; /* the kernel's order of types at one start: enum iommu_resv_type */
	struct src_pos pos;
};

struct group_entry {
	int32_t id;
	enum iommu_group_type type;
	bool noiommu;
	struct topo_region *regions; /* sorted by start; the model takes them */
	size_t n_regions;
	struct src_pos pos;
};

struct root_entry {
	struct topo_root_bus bus;
	struct src_pos pos;
};

/* An `mdev` entry as read; mdev.parent is the file-order index of its device in loader.fns. */
struct mdev_entry {
	struct topo_mdev mdev;
	int32_t group_id;  /* as written, or TOPO_NONE for a new group */
	int32_t type_name; /* index into loader.mdev_type_names */
	struct src_pos uuid_pos;
	struct src_pos type_pos;
	struct src_pos group_pos;
};

/* A bus some bridge leads to: (domain, secondary) -> the bridge, for sorting and lookups. */
struct bus_link {
	uint32_t domain;
	uint8_t bus;
	uint32_t bridge; /* index into loader.fns */
};

/* Integer keys seen so far and where: duplicate detection in file order without sorting. */
struct pos_set {
	uint64_t *keys; /* key + 1; 0 marks a free slot */
	struct src_pos *positions;
	size_t n_slots; /* a power of two, at least twice count */
	size_t count;
};

/* Driver names, each stored once, with where the `drivers:` list named it. */
struct name_table {
	char **names;
	struct src_pos *listed; /* line 0: not in the `drivers:` list */
	size_t count;
	size_t capacity;
	uint32_t *slots; /* name index + 1; 0 marks a free slot */
	size_t n_slots;
};

struct loader {
	const char *path;
	char *error;
	struct yaml_events *events;
	const struct yaml_event_record *event;			  /* the current one */
	const struct yaml_event_record *next_record, *end_record; /* read, not taken yet */
	const unsigned char *input;
	size_t input_len;
	char shown[2][SCENARIO_SHOWN_MAX + 4];
	unsigned next_shown;
	/* The earliest error found by a whole-file check; see note(). */
	bool noted;
	struct src_pos noted_pos;
	char noted_message[SCENARIO_ERROR_MAX];

	struct scenario sc;
	struct src_pos top_pos;
	struct src_pos scenario_pos;
	struct src_pos devices_pos;
	struct src_pos sandbox_pos;
	struct src_pos expect_pos;

	struct pending_fn *fns;
	size_t n_fns;
	size_t fns_capacity;
	/* What the devices read have, so that whole-file checks that cannot apply are skipped. */
	size_t n_bridges;
	size_t n_sriov;
	bool any_unplugged;
	int32_t max_numa_node;
	/* Device addresses, filled in only once one is out of order (see check_new_device). */
	struct pos_set device_set;
	bool device_set_filled;
	struct group_entry *group_entries;
	size_t n_group_entries;
	size_t group_entries_capacity;
	struct pos_set group_set;
	struct root_entry *roots;
	size_t n_roots;
	size_t roots_capacity;
	struct pos_set root_set;
	struct name_table driver_names;
	struct mdev_entry *mdevs;
	size_t n_mdevs;
	size_t mdevs_capacity;
	struct pos_set mdev_group_set;
	/* The device being read: its `mdev_types` ids (listed set) and the types `mdev` names. */
	struct name_table mdev_type_names;
	/* The class name value_class looked up last: devices in a row are mostly of one class. */
	char class_name[32];
	uint32_t class_code;
	/* The longest scalar next_event accepts; longer only for a `config` value. */
	size_t scalar_max;
	size_t steps_capacity;
	size_t expect_capacity;
	size_t verbatim_capacity;
	/* After the sort: sorted_index[file-order index] is where that entry went. */
	uint32_t *sorted_index;
};

/* ---- errors ---------------------------------------------------------------------------- */

static void format_error(const struct loader *ld, struct src_pos pos, char *out, const char *format,
			 va_list args)
{
	int prefix;

	if (pos.line)
		prefix = snprintf(out, SCENARIO_ERROR_MAX, "%s:%u:%u: ", ld->path, pos.line,
				  pos.column);
	else
		prefix = snprintf(out, SCENARIO_ERROR_MAX, "%s: ", ld->path);
	if (prefix < 0 || prefix >= SCENARIO_ERROR_MAX)
		return;
	vsnprintf(out + prefix, SCENARIO_ERROR_MAX - (size_t)prefix, format, args);
}

/* A position is digits right after the path's colon; a message without one starts with a space. */
const char *scenario_error_message(const char *error, const char *path, unsigned *line,
				   unsigned *column)
{
	size_t path_len = strlen(path);
	unsigned long numbers[2];
	const char *at = error + path_len + 1;

	*line = *column = 0;
	if (strncmp(error, path, path_len) != 0 || error[path_len] != ':')
		return NULL;
	if (*at == ' ')
		return at + 1;
	for (int i = 0; i < 2; i++) {
		char *end;

		if (*at < '0' || *at > '9')
			return NULL;
		numbers[i] = strtoul(at, &end, 10);
		if (*end != ':' || numbers[i] > UINT_MAX)
			return NULL;
		at = end + 1;
	}
	if (*at != ' ')
		return NULL;
	*line = (unsigned)numbers[0];
	*column = (unsigned)numbers[1];
	return at + 1;
}

static int fail(struct loader *ld, struct src_pos pos, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the error; returns -1 so that callers can `return fail(...)`. */
static int fail(struct loader *ld, struct src_pos pos, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	format_error(ld, pos, ld->error, format, args);
	va_end(args);
	return -1;
}

static int fail_out_of_memory(struct loader *ld)
{
	static const struct src_pos nowhere = { 0, 0 };

	return fail(ld, nowhere, "out of memory");
}

static bool pos_before(struct src_pos a, struct src_pos b)
{
	return a.line != b.line ? a.line < b.line : a.column < b.column;
}

/* Of two keys, where the later one was: where a mapping says one thing too many. */
static struct src_pos later(struct src_pos a, struct src_pos b)
{
	return pos_before(a, b) ? b : a;
}

static void note(struct loader *ld, struct src_pos pos, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Whole-file checks visit things in address or bus order, not file order; they note every
 * problem and the earliest in the file is the one reported, as the streaming checks would.
 */
static void note(struct loader *ld, struct src_pos pos, const char *format, ...)
{
	va_list args;

	if (ld->noted && !pos_before(pos, ld->noted_pos))
		return;
	va_start(args, format);
	format_error(ld, pos, ld->noted_message, format, args);
	va_end(args);
	ld->noted = true;
	ld->noted_pos = pos;
}

static int report_noted(struct loader *ld)
{
	if (!ld->noted)
		return 0;
	memcpy(ld->error, ld->noted_message, SCENARIO_ERROR_MAX);
	return -1;
}

/* User text cut short enough that the message stays useful; one line whatever it holds. */
void scenario_shown_text(const char *text, size_t len, char out[SCENARIO_SHOWN_MAX + 4])
{
	size_t keep = len;

	if (len > SCENARIO_SHOWN_MAX) {
		keep = SCENARIO_SHOWN_MAX;
		/* Do not cut a UTF-8 sequence in two. */
		while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
			keep--;
	}
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)text[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	strcpy(out + keep, keep < len ? "..." : "");
}

/* len bytes of text for a message; two at a time, for messages that quote two texts. */
static const char *shown_token(struct loader *ld, const char *text, size_t len)
{
	char *out = ld->shown[ld->next_shown++ % 2];

	scenario_shown_text(text, len, out);
	return out;
}

static const char *shown(struct loader *ld, const char *text)
{
	return shown_token(ld, text, strlen(text));
}

/* ---- small containers ------------------------------------------------------------------ */

/* Doubles the capacity of a growable array; NULL (and the array untouched) if out of memory. */
static void *grow_array(void *array, size_t *capacity, size_t element_size)
{
	size_t wanted = *capacity ? *capacity * 2 : 16;
	void *grown;

	if (wanted > SIZE_MAX / element_size)
		return NULL;
	grown = realloc(array, wanted * element_size);
	if (grown)
		*capacity = wanted;
	return grown;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int pos_set_grow(struct pos_set *set)
{
	size_t n_slots = set->n_slots ? set->n_slots * 2 : 64;
	uint64_t *keys = malloc(n_slots * sizeof(*keys));
	struct src_pos *positions = malloc(n_slots * sizeof(*positions));

	if (!keys || !positions) {
		free(keys);
		free(positions);
		return -1;
	}
	/* Not calloc: probing would read its fresh pages before writing them, and each first
	 * write to a page read before costs a TLB flush on every core the process runs on. */
	memset(keys, 0, n_slots * sizeof(*keys));
	for (size_t i = 0; i < set->n_slots; i++) {
		size_t slot;

		if (!set->keys[i])
			continue;
		slot = mix64(set->keys[i]) & (n_slots - 1);
		while (keys[slot])
			slot = (slot + 1) & (n_slots - 1);
		keys[slot] = set->keys[i];
		positions[slot] = set->positions[i];
	}
	free(set->keys);
	free(set->positions);
	set->keys = keys;
	set->positions = positions;
	set->n_slots = n_slots;
	return 0;
}

/* 0: key recorded at pos; 1: key seen before, at *first; -1: out of memory. */
static int pos_set_add(struct pos_set *set, uint64_t key, struct src_pos pos, struct src_pos *first)
{
	uint64_t stored = key + 1;
	size_t slot;

	if ((set->count + 1) * 2 > set->n_slots && pos_set_grow(set) != 0)
		return -1;
	slot = mix64(stored) & (set->n_slots - 1);
	while (set->keys[slot]) {
		if (set->keys[slot] == stored) {
			*first = set->positions[slot];
			return 1;
		}
		slot = (slot + 1) & (set->n_slots - 1);
	}
	set->keys[slot] = stored;
	set->positions[slot] = pos;
	set->count++;
	return 0;
}

static void pos_set_free(struct pos_set *set)
{
	free(set->keys);
	free(set->positions);
}

static uint64_t hash_name(const char *name)
{
	uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		hash = (hash ^ *p) * 0x100000001b3ull;
	return hash;
}

static int name_table_grow_slots(struct name_table *table)
{
	size_t n_slots = table->n_slots ? table->n_slots * 2 : 32;
	uint32_t *slots = calloc(n_slots, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < table->count; i++) {
		size_t slot = hash_name(table->names[i]) & (n_slots - 1);

		while (slots[slot])
			slot = (slot + 1) & (n_slots - 1);
		slots[slot] = (uint32_t)i + 1;
	}
	free(table->slots);
	table->slots = slots;
	table->n_slots = n_slots;
	return 0;
}

/* The index of name in the table, adding it if new; -1 if out of memory. */
static int32_t name_table_intern(struct name_table *table, const char *name)
{
	size_t slot;

	if ((table->count + 1) * 2 > table->n_slots && name_table_grow_slots(table) != 0)
		return -1;
	slot = hash_name(name) & (table->n_slots - 1);
	while (table->slots[slot]) {
		uint32_t index = table->slots[slot] - 1;

		if (strcmp(table->names[index], name) == 0)
			return (int32_t)index;
		slot = (slot + 1) & (table->n_slots - 1);
	}
	if (table->count == table->capacity) {
		size_t capacity = table->capacity;
		char **names = grow_array(table->names, &capacity, sizeof(*names));
		struct src_pos *listed;

		if (!names)
			return -1;
		table->names = names;
		capacity = table->capacity;
		listed = grow_array(table->listed, &capacity, sizeof(*listed));
		if (!listed)
			return -1;
		table->listed = listed;
		table->capacity = capacity;
	}
	table->names[table->count] = strdup(name);
	if (!table->names[table->count])
		return -1;
	table->listed[table->count] = (struct src_pos){ 0, 0 };
	table->slots[slot] = (uint32_t)table->count + 1;
	return (int32_t)table->count++;
}

/* The index of name in the table, or -1 if it is not there. */
static int32_t name_table_find(const struct name_table *table, const char *name)
{
	size_t slot;

	if (!table->n_slots)
		return -1;
	slot = hash_name(name) & (table->n_slots - 1);
	while (table->slots[slot]) {
		uint32_t index = table->slots[slot] - 1;

		if (strcmp(table->names[index], name) == 0)
			return (int32_t)index;
		slot = (slot + 1) & (table->n_slots - 1);
	}
	return -1;
}

static void name_table_free(struct name_table *table)
{
	for (size_t i = 0; i < table->count; i++)
		free(table->names[i]);
	free(table->names);
	free(table->listed);
	free(table->slots);
}

/* ---- events ---------------------------------------------------------------------------- */

static struct src_pos mark_pos(yaml_mark_t mark)
{
	return (struct src_pos){ (uint32_t)mark.line + 1, (uint32_t)mark.column + 1 };
}

static struct src_pos event_pos(const struct loader *ld)
{
	return (struct src_pos){ ld->event->line + 1, ld->event->column + 1 };
}

/* libyaml gives no mark for a decoding error, only a byte offset; count characters up to it. */
static struct src_pos offset_pos(const struct loader *ld, size_t offset)
{
	struct src_pos pos = { 1, 1 };

	for (size_t i = 0; i < offset && i < ld->input_len; i++) {
		if (ld->input[i] == '\n') {
			pos.line++;
			pos.column = 1;
		} else if ((ld->input[i] & 0xc0) != 0x80) {
			pos.column++;
		}
	}
	return pos;
}

static int fail_syntax(struct loader *ld, const struct yaml_events_error *parser)
{
	const char *problem = parser->problem ? parser->problem : "malformed YAML";

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return fail_out_of_memory(ld);
	case YAML_READER_ERROR:
		return fail(ld, offset_pos(ld, parser->problem_offset), "%s", problem);
	default:
		break;
	}
	if (parser->context) {
		struct src_pos context_pos = mark_pos(parser->context_mark);

		return fail(ld, mark_pos(parser->problem_mark), "%s (%s at %u:%u)", problem,
			    parser->context, context_pos.line, context_pos.column);
	}
	return fail(ld, mark_pos(parser->problem_mark), "%s", problem);
}

static int refuse_anchor_and_tag(struct loader *ld, bool anchor, bool tag)
{
	if (anchor)
		return fail(ld, event_pos(ld), "anchors and aliases are not supported");
	if (tag)
		return fail(ld, event_pos(ld), "tags are not supported");
	return 0;
}

/* Reads the next event into ld->event, refusing what the format never accepts anywhere. */
static int next_event(struct loader *ld)
{
	const struct yaml_event_record *event;

	if (ld->next_record == ld->end_record) {
		struct yaml_events_error error;
		size_t count;

		if (!yaml_events_next(ld->events, &ld->next_record, &count, &error))
			return fail_syntax(ld, &error);
		ld->end_record = ld->next_record + count;
	}
	event = ld->event = ld->next_record++;
	switch (event->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (event->has_tag)
			return fail(ld, event_pos(ld), "tags are not supported");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail(ld, event_pos(ld), "anchors and aliases are not supported");
	case YAML_SCALAR_EVENT:
		if (refuse_anchor_and_tag(ld, event->has_anchor, event->has_tag))
			return -1;
		if (event->length > ld->scalar_max)
			return fail(ld, event_pos(ld), "scalar is %zu bytes long; the limit is %zu",
				    (size_t)event->length, ld->scalar_max);
		if (memchr(event->value, '\0', event->length))
			return fail(ld, event_pos(ld), "scalar contains a NUL character");
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return refuse_anchor_and_tag(ld, event->has_anchor, event->has_tag);
	default:
		return 0;
	}
}

static bool at(const struct loader *ld, yaml_event_type_t type)
{
	return ld->event->type == type;
}

static const char *scalar_text(const struct loader *ld)
{
	return ld->event->value;
}

static bool scalar_is_plain(const struct loader *ld)
{
	return ld->event->style == YAML_PLAIN_SCALAR_STYLE;
}

/* An unquoted empty value, `~` or `null`: YAML's null, which is never a valid value here. */
static bool at_null(const struct loader *ld)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (!at(ld, YAML_SCALAR_EVENT) || !scalar_is_plain(ld))
		return false;
	/* Every value passes here: most are told apart by their first character. */
	if (!strchr("~nN", scalar_text(ld)[0]))
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (strcmp(scalar_text(ld), nulls[i]) == 0)
			return true;
	}
	return false;
}

/* ---- scalar values --------------------------------------------------------------------- */

static bool is_decimal(char c)
{
	return c >= '0' && c <= '9';
}

static bool has_hex_prefix(const char *text)
{
	return text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

/* Exactly `digits` hex digits at text, into *value. */
static bool parse_fixed_hex(const char *text, size_t digits, uint32_t *value)
{
	uint32_t accumulated = 0;

	for (size_t i = 0; i < digits; i++) {
		int digit = hex_digit_value(text[i]);

		if (digit < 0)
			return false;
		accumulated = accumulated << 4 | (uint32_t)digit;
	}
	*value = accumulated;
	return true;
}

enum number_shape { NUMBER_OK, NUMBER_MALFORMED, NUMBER_LEADING_ZERO, NUMBER_HUGE };

/* Decimal or 0x-hex with an optional '-': the only integer spellings the format has. */
static enum number_shape parse_number(const char *text, bool *negative, unsigned long long *value)
{
	const char *p = text;
	unsigned long long accumulated = 0;
	size_t digits = 0;
	bool huge = false;

	*negative = *p == '-';
	if (*negative)
		p++;
	if (has_hex_prefix(p)) {
		for (p += 2; hex_digit_value(*p) >= 0; p++, digits++) {
			if (accumulated > ULLONG_MAX >> 4)
				huge = true;
			else
				accumulated = accumulated << 4 | (unsigned)hex_digit_value(*p);
		}
	} else {
		const char *first = p;

		for (; is_decimal(*p); p++, digits++) {
			if (accumulated > (ULLONG_MAX - 9) / 10)
				huge = true;
			else
				accumulated = accumulated * 10 + (unsigned)(*p - '0');
		}
		if (digits > 1 && *first == '0' && *p == '\0')
			return NUMBER_LEADING_ZERO;
	}
	if (digits == 0 || *p != '\0')
		return NUMBER_MALFORMED;
	*value = accumulated;
	return huge ? NUMBER_HUGE : NUMBER_OK;
}

/*
 * The current event as a plain (unquoted) number: its sign and magnitude, and whether it fits
 * 64 bits (NUMBER_OK) or not (NUMBER_HUGE). Anything else is an error naming label.
 */
static int value_number(struct loader *ld, const char *label, bool *negative,
			unsigned long long *magnitude, enum number_shape *shape)
{
	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld), "%s must be an integer", label);
	*shape = parse_number(scalar_text(ld), negative, magnitude);
	if (*shape == NUMBER_LEADING_ZERO)
		return fail(ld, event_pos(ld),
			    "%s must be an integer (decimal without leading zeros, or 0x hex)",
			    label);
	if (*shape == NUMBER_MALFORMED)
		return fail(ld, event_pos(ld), "%s must be an integer", label);
	if (!scalar_is_plain(ld))
		return fail(ld, event_pos(ld), "%s must be an integer, not a quoted string", label);
	return 0;
}

/* The current event as an integer within [min, max]; label names it in messages. */
static int value_integer(struct loader *ld, const char *label, long long min, long long max,
			 long long *out)
{
	bool negative;
	unsigned long long magnitude;
	const char *text;
	enum number_shape shape;

	if (value_number(ld, label, &negative, &magnitude, &shape) != 0)
		return -1;
	text = scalar_text(ld);
	if (shape == NUMBER_HUGE || magnitude > (unsigned long long)LLONG_MAX ||
	    (negative && min >= 0) ||
	    (negative ? -(long long)magnitude : (long long)magnitude) < min ||
	    (!negative && (long long)magnitude > max))
		return fail(ld, event_pos(ld), "%s %s is out of range (%lld..%lld)", label,
			    shown(ld, text), min, max);
	*out = negative ? -(long long)magnitude : (long long)magnitude;
	return 0;
}

/* The current event as a string (any scalar style; never null). */
static int value_string(struct loader *ld, const char *label, const char **out)
{
	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld), "%s must be a string", label);
	*out = scalar_text(ld);
	return 0;
}

static int value_nonempty_string(struct loader *ld, const char *label, const char **out)
{
	if (value_string(ld, label, out) != 0)
		return -1;
	if (**out == '\0')
		return fail(ld, event_pos(ld), "%s must not be empty", label);
	return 0;
}

static int value_copy(struct loader *ld, const char *label, bool allow_empty, char **out)
{
	const char *text;

	if ((allow_empty ? value_string(ld, label, &text)
			 : value_nonempty_string(ld, label, &text)) != 0)
		return -1;
	*out = strdup(text);
	return *out ? 0 : fail_out_of_memory(ld);
}

/* "VVVV:DDDD", as lspci -n prints vendor and device. */
static int value_id_pair(struct loader *ld, const char *label, uint16_t *vendor, uint16_t *device)
{
	const char *text;
	uint32_t high, low;

	if (value_string(ld, label, &text) != 0)
		return -1;
	if (strlen(text) != 9 || text[4] != ':' || !parse_fixed_hex(text, 4, &high) ||
	    !parse_fixed_hex(text + 5, 4, &low))
		return fail(ld, event_pos(ld), "%s must be VVVV:DDDD (4 hex digits each), not '%s'",
			    label, shown(ld, text));
	*vendor = (uint16_t)high;
	*device = (uint16_t)low;
	return 0;
}

/* `true` or `false` (YAML 1.2 core spellings), unquoted. */
static int value_bool(struct loader *ld, const char *label, bool *out)
{
	static const char *const trues[] = { "true", "True", "TRUE" };
	static const char *const falses[] = { "false", "False", "FALSE" };

	if (at(ld, YAML_SCALAR_EVENT) && scalar_is_plain(ld)) {
		for (size_t i = 0; i < sizeof(trues) / sizeof(trues[0]); i++) {
			if (strcmp(scalar_text(ld), trues[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(scalar_text(ld), falses[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	return fail(ld, event_pos(ld), "%s must be true or false", label);
}

/* The current event as an unsigned 64-bit integer (addresses): decimal or 0x hex, unquoted. */
static int value_u64(struct loader *ld, const char *label, uint64_t *out)
{
	bool negative;
	unsigned long long value;
	const char *text;
	enum number_shape shape;

	if (value_number(ld, label, &negative, &value, &shape) != 0)
		return -1;
	text = scalar_text(ld);
	if (shape == NUMBER_HUGE || (negative && value != 0))
		return fail(ld, event_pos(ld), "%s %s is out of range (0..0xffffffffffffffff)",
			    label, shown(ld, text));
	*out = value;
	return 0;
}

static bool is_power_of_two(uint64_t value)
{
	return value && !(value & (value - 1));
}

/* A size for messages, in the largest binary unit that divides it: 4G, 64K, 96. */
static const char *format_size(struct loader *ld, uint64_t size)
{
	static const char units[] = "KMGT";
	char *out = ld->shown[ld->next_shown++ % 2];
	unsigned unit = 0;

	while (unit < sizeof(units) - 1 && size && size % 1024 == 0) {
		size /= 1024;
		unit++;
	}
	if (unit)
		snprintf(out, SCENARIO_SHOWN_MAX, "%llu%c", (unsigned long long)size,
			 units[unit - 1]);
	else
		snprintf(out, SCENARIO_SHOWN_MAX, "%llu", (unsigned long long)size);
	return out;
}

/* A power-of-two byte count: a number, optionally with a binary suffix K, M, G or T. */
static int value_size(struct loader *ld, const char *label, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	char digits[SCALAR_MAX + 1];
	const char *text, *suffix;
	unsigned shift = 0;
	size_t len;
	bool negative;
	unsigned long long value;
	enum number_shape shape;

	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld),
			    "%s must be a number of bytes, optionally with a K, M, G or T suffix",
			    label);
	text = scalar_text(ld);
	len = strlen(text);
	suffix = len && !has_hex_prefix(text) ? strchr(suffixes, text[len - 1]) : NULL;
	if (suffix && *suffix) {
		shift = 10 * (unsigned)(suffix - suffixes + 1);
		len--;
	}
	memcpy(digits, text, len);
	digits[len] = '\0';
	shape = parse_number(digits, &negative, &value);
	if (shape == NUMBER_MALFORMED || shape == NUMBER_LEADING_ZERO || negative)
		return fail(ld, event_pos(ld),
			    "%s must be a number of bytes, optionally with a K, M, G or T suffix, "
			    "not '%s'",
			    label, shown(ld, text));
	if (!scalar_is_plain(ld))
		return fail(ld, event_pos(ld), "%s must be a size, not a quoted string", label);
	if (shape == NUMBER_HUGE || (shift && value > UINT64_MAX >> shift))
		return fail(ld, event_pos(ld), "%s %s does not fit in 64 bits", label,
			    shown(ld, text));
	value <<= shift;
	if (!is_power_of_two(value))
		return fail(ld, event_pos(ld), "%s %s is not a power of two", label,
			    shown(ld, text));
	*out = value;
	return 0;
}

/* Link generations 1..6 by their speed in GT/s, as `lspci` and the spec write them. */
static const char *const link_speed_names[] = { NULL, "2.5", "5.0", "8.0", "16.0", "32.0", "64.0" };

#define LINK_GENERATIONS (sizeof(link_speed_names) / sizeof(link_speed_names[0]) - 1)

static int value_link_speed(struct loader *ld, const char *label, uint8_t *generation)
{
	static const char *const whole[] = { NULL, NULL, "5", "8", "16", "32", "64" };
	const char *text;

	if (at(ld, YAML_SCALAR_EVENT) && !at_null(ld)) {
		text = scalar_text(ld);
		for (uint8_t gen = 1; gen <= LINK_GENERATIONS; gen++) {
			if (strcmp(text, link_speed_names[gen]) != 0 &&
			    (!whole[gen] || strcmp(text, whole[gen]) != 0))
				continue;
			if (!scalar_is_plain(ld))
				return fail(ld, event_pos(ld),
					    "%s must be a link speed, not a quoted string", label);
			*generation = gen;
			return 0;
		}
	}
	return fail(ld, event_pos(ld),
		    "%s must be a link speed in GT/s (2.5, 5.0, 8.0, 16.0, 32.0 or 64.0)%s%s%s",
		    label, at(ld, YAML_SCALAR_EVENT) ? ", not '" : "",
		    at(ld, YAML_SCALAR_EVENT) ? shown(ld, scalar_text(ld)) : "",
		    at(ld, YAML_SCALAR_EVENT) ? "'" : "");
}

static int value_link_width(struct loader *ld, const char *label, uint8_t *width)
{
	long long value;

	if (value_integer(ld, label, 1, 32, &value) != 0)
		return -1;
	switch (value) {
	case 1:
	case 2:
	case 4:
	case 8:
	case 12:
	case 16:
	case 32:
		*width = (uint8_t)value;
		return 0;
	default:
		return fail(ld, event_pos(ld),
			    "%s %lld is not a link width (1, 2, 4, 8, 12, 16 or 32)", label, value);
	}
}

static bool all_decimal(const char *text)
{
	if (!*text)
		return false;
	for (; *text; text++) {
		if (!is_decimal(*text))
			return false;
	}
	return true;
}

/* A class name from the table, 0xCCSS (prog-if 0) or 0xCCSSPP. */
static int value_class(struct loader *ld, uint32_t *code)
{
	const char *text;
	size_t len;

	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld), "'class' must be a class name or number");
	text = scalar_text(ld);
	len = strlen(text);
	if (has_hex_prefix(text) || all_decimal(text)) {
		uint32_t value;

		if (!scalar_is_plain(ld))
			return fail(ld, event_pos(ld),
				    "'class' must be a class name or an unquoted number");
		if (has_hex_prefix(text) && (len == 6 || len == 8) &&
		    parse_fixed_hex(text + 2, len - 2, &value)) {
			*code = len == 6 ? value << 8 : value;
			return 0;
		}
		return fail(ld, event_pos(ld),
			    "ambiguous class number '%s': write 0xCCSS (4 hex digits, prog-if 0) "
			    "or 0xCCSSPP (6 hex digits)",
			    shown(ld, text));
	}
	if (ld->class_name[0] && strcmp(text, ld->class_name) == 0) {
		*code = ld->class_code;
		return 0;
	}
	if (pci_class_from_name(text, code)) {
		if (len < sizeof(ld->class_name)) {
			memcpy(ld->class_name, text, len + 1);
			ld->class_code = *code;
		}
		return 0;
	}
	return fail(ld, event_pos(ld),
		    "unknown class '%s' (names such as ethernet, nvme, vga, 3d, audio, "
		    "pci-bridge; all are listed in scenarios/README.md)",
		    shown(ld, text));
}

/* A name that sysfs shows as a directory: a driver, an mdev type. */
static bool is_directory_name(const char *text, size_t max)
{
	size_t len = strlen(text);

	if (len == 0 || len > max || strcmp(text, ".") == 0 || strcmp(text, "..") == 0)
		return false;
	for (const char *p = text; *p; p++) {
		char c = *p;

		if (!(is_decimal(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int value_driver(struct loader *ld, const char *label, int32_t *index)
{
	const char *text;

	if (value_string(ld, label, &text) != 0)
		return -1;
	if (!is_directory_name(text, DRIVER_NAME_MAX))
		return fail(ld, event_pos(ld),
			    "malformed driver name '%s' "
			    "(letters, digits, '_', '.' and '-'; at most %d)",
			    shown(ld, text), DRIVER_NAME_MAX);
	*index = name_table_intern(&ld->driver_names, text);
	return *index < 0 ? fail_out_of_memory(ld) : 0;
}

/* "DDDD:BB", as in /sys/devices/pciDDDD:BB. */
static bool parse_root_bus(const char *text, struct topo_root_bus *out)
{
	struct pci_addr addr;
	char full[PCI_ADDR_STRLEN + 8];
	size_t len = strlen(text);

	/* Borrow the address parser's domain and bus rules by completing the address. */
	if (len < 7 || len > 11 || text[len - 3] != ':')
		return false;
	snprintf(full, sizeof(full), "%s:00.0", text);
	if (!pci_addr_parse(full, &addr))
		return false;
	out->domain = addr.domain;
	out->bus = addr.bus;
	return true;
}

/* A group number as a host path spells it: decimal, no sign, no leading zero. */
static bool is_group_number(const char *text)
{
	bool negative;
	unsigned long long value;

	return is_decimal(*text) && !has_hex_prefix(text) &&
	       parse_number(text, &negative, &value) == NUMBER_OK && value <= INT32_MAX;
}

static bool is_sandbox_path(const char *text)
{
	static const char vfio[] = "/dev/vfio/";
	static const char noiommu[] = "noiommu-";
	static const char iommufd[] = "devices/vfio";
	struct pci_addr addr;
	char full[PCI_ADDR_STRLEN + 8];

	if (strncmp(text, vfio, sizeof(vfio) - 1) == 0) {
		const char *rest = text + sizeof(vfio) - 1;

		if (strncmp(rest, noiommu, sizeof(noiommu) - 1) == 0)
			rest += sizeof(noiommu) - 1;
		else if (strncmp(rest, iommufd, sizeof(iommufd) - 1) == 0)
			rest += sizeof(iommufd) - 1;
		return is_group_number(rest);
	}
	if (strlen(text) == 7) {
		snprintf(full, sizeof(full), "0000:%s", text);
		return pci_addr_parse(full, &addr);
	}
	return pci_addr_parse(text, &addr);
}

/* ---- mappings -------------------------------------------------------------------------- */

/*
 * The current event as a key of a mapping whose keys are fixed names: its index in keys,
 * refusing unknown and repeated keys. seen[] holds where each key was met (line 0: not yet).
 */
static int take_key(struct loader *ld, const char *const *keys, size_t n_keys, struct src_pos *seen,
		    const char *where, size_t *index)
{
	const char *text;

	if (!at(ld, YAML_SCALAR_EVENT))
		return fail(ld, event_pos(ld), "mapping keys must be scalars");
	text = scalar_text(ld);
	for (size_t i = 0; i < n_keys; i++) {
		if (keys[i][0] != text[0] || strcmp(keys[i], text) != 0)
			continue;
		if (seen[i].line)
			return fail(ld, event_pos(ld), "duplicate key '%s' (first at %u:%u)",
				    keys[i], seen[i].line, seen[i].column);
		seen[i] = event_pos(ld);
		*index = i;
		return 0;
	}
	return fail(ld, event_pos(ld), "unknown key '%s' %s", shown(ld, text), where);
}

/* Expects the current event to open a mapping; label names the value in the message. */
static int open_mapping(struct loader *ld, const char *label)
{
	if (!at(ld, YAML_MAPPING_START_EVENT))
		return fail(ld, event_pos(ld), "%s must be a mapping", label);
	return 0;
}

static int open_sequence(struct loader *ld, const char *label)
{
	if (!at(ld, YAML_SEQUENCE_START_EVENT))
		return fail(ld, event_pos(ld), "%s must be a list", label);
	return 0;
}

/* Reads the next key of an open mapping: 1 with the key as current event, 0 at its end. */
static int next_key(struct loader *ld)
{
	if (next_event(ld) != 0)
		return -1;
	if (at(ld, YAML_MAPPING_END_EVENT))
		return 0;
	if (!at(ld, YAML_SCALAR_EVENT))
		return fail(ld, event_pos(ld), "mapping keys must be scalars");
	return 1;
}

/* Reads the next item of an open list: 1 with the item as current event, 0 at its end. */
static int next_item(struct loader *ld)
{
	if (next_event(ld) != 0)
		return -1;
	return at(ld, YAML_SEQUENCE_END_EVENT) ? 0 : 1;
}

/* ---- sections -------------------------------------------------------------------------- */

enum device_key {
	DEVICE_ID,
	DEVICE_CLASS,
	DEVICE_SUBSYSTEM,
	DEVICE_REVISION,
	DEVICE_DRIVER,
	DEVICE_GROUP,
	DEVICE_NUMA_NODE,
	DEVICE_IRQ,
	DEVICE_SECONDARY,
	DEVICE_SUBORDINATE,
	DEVICE_PCIE,
	DEVICE_BARS,
	DEVICE_ROM,
	DEVICE_SRIOV,
	DEVICE_LABEL,
	DEVICE_ACPI_INDEX,
	DEVICE_CONFIG,
	DEVICE_MDEV_TYPES,
	DEVICE_MDEV,
	DEVICE_INDEX,
	DEVICE_PLUGGED,
	DEVICE_D3COLD_ALLOWED,
	DEVICE_KEY_COUNT
};

static const char *const device_keys[DEVICE_KEY_COUNT] = {
	[DEVICE_ID] = "id",
	[DEVICE_CLASS] = "class",
	[DEVICE_SUBSYSTEM] = "subsystem",
	[DEVICE_REVISION] = "revision",
	[DEVICE_DRIVER] = "driver",
	[DEVICE_GROUP] = "group",
	[DEVICE_NUMA_NODE] = "numa_node",
	[DEVICE_IRQ] = "irq",
	[DEVICE_SECONDARY] = "secondary",
	[DEVICE_SUBORDINATE] = "subordinate",
	[DEVICE_PCIE] = "pcie",
	[DEVICE_BARS] = "bars",
	[DEVICE_ROM] = "rom",
	[DEVICE_SRIOV] = "sriov",
	[DEVICE_LABEL] = "label",
	[DEVICE_ACPI_INDEX] = "acpi_index",
	[DEVICE_CONFIG] = "config",
	[DEVICE_MDEV_TYPES] = "mdev_types",
	[DEVICE_MDEV] = "mdev",
	[DEVICE_INDEX] = "index",
	[DEVICE_PLUGGED] = "plugged",
	[DEVICE_D3COLD_ALLOWED] = "d3cold_allowed",
};

/* ---- PCI Express ----------------------------------------------------------------------- */

static const struct {
	const char *name;
	uint8_t type;
} pcie_types[] = {
	{ "endpoint", PCIE_ENDPOINT },
	{ "legacy-endpoint", PCIE_LEGACY_ENDPOINT },
	{ "root-port", PCIE_ROOT_PORT },
	{ "upstream-port", PCIE_UPSTREAM_PORT },
	{ "downstream-port", PCIE_DOWNSTREAM_PORT },
	{ "pcie-to-pci-bridge", PCIE_TO_PCI_BRIDGE },
	{ "pci-to-pcie-bridge", PCI_TO_PCIE_BRIDGE },
	{ "rc-endpoint", PCIE_RC_INTEGRATED_ENDPOINT },
	{ "rc-event-collector", PCIE_RC_EVENT_COLLECTOR },
};

#define PCIE_TYPE_COUNT (sizeof(pcie_types) / sizeof(pcie_types[0]))

static const char *pcie_type_name(uint8_t type)
{
	for (size_t i = 0; i < PCIE_TYPE_COUNT; i++) {
		if (pcie_types[i].type == type)
			return pcie_types[i].name;
	}
	return "unknown";
}

/* Ports have a type 1 header: they are bridges. */
static bool pcie_type_is_port(uint8_t type)
{
	return type == PCIE_ROOT_PORT || type == PCIE_UPSTREAM_PORT ||
	       type == PCIE_DOWNSTREAM_PORT || type == PCIE_TO_PCI_BRIDGE ||
	       type == PCI_TO_PCIE_BRIDGE;
}

/* Root-complex integrated functions sit inside the root complex, on no link. */
static bool pcie_type_has_link(uint8_t type)
{
	return type != PCIE_RC_INTEGRATED_ENDPOINT && type != PCIE_RC_EVENT_COLLECTOR;
}

enum pcie_key { PCIE_TYPE, PCIE_SPEED, PCIE_WIDTH, PCIE_MAX_SPEED, PCIE_MAX_WIDTH, PCIE_KEY_COUNT };

static const char *const pcie_keys[PCIE_KEY_COUNT] = {
	[PCIE_TYPE] = "type",		[PCIE_SPEED] = "speed",		[PCIE_WIDTH] = "width",
	[PCIE_MAX_SPEED] = "max_speed", [PCIE_MAX_WIDTH] = "max_width",
};

static int read_pcie_value(struct loader *ld, struct pending_fn *pending, enum pcie_key key,
			   uint8_t link[PCIE_KEY_COUNT])
{
	const char *text;

	switch (key) {
	case PCIE_TYPE:
		if (value_string(ld, "'type'", &text) != 0)
			return -1;
		for (size_t i = 0; i < PCIE_TYPE_COUNT; i++) {
			if (strcmp(pcie_types[i].name, text) == 0) {
				pending->fn.pcie.port_type = pcie_types[i].type;
				pending->pcie_type_given = true;
				return 0;
			}
		}
		return fail(
			ld, event_pos(ld),
			"unknown pcie type '%s' (expected endpoint, legacy-endpoint, root-port, "
			"upstream-port, downstream-port, pcie-to-pci-bridge, pci-to-pcie-bridge, "
			"rc-endpoint or rc-event-collector)",
			shown(ld, text));
	case PCIE_SPEED:
	case PCIE_MAX_SPEED:
		return value_link_speed(ld, key == PCIE_SPEED ? "'speed'" : "'max_speed'",
					&link[key]);
	default:
		return value_link_width(ld, key == PCIE_WIDTH ? "'width'" : "'max_width'",
					&link[key]);
	}
}

/* The link as negotiated and as capable: each half defaults to the other, then to 8.0 GT/s x1. */
static int settle_link(struct loader *ld, struct topo_pcie *pcie,
		       const uint8_t link[PCIE_KEY_COUNT],
		       const struct src_pos value_pos[PCIE_KEY_COUNT])
{
	if (!pcie_type_has_link(pcie->port_type)) {
		size_t first = PCIE_KEY_COUNT;

		for (size_t key = PCIE_SPEED; key < PCIE_KEY_COUNT; key++) {
			if (value_pos[key].line && (first == PCIE_KEY_COUNT ||
						    pos_before(value_pos[key], value_pos[first])))
				first = key;
		}
		if (first == PCIE_KEY_COUNT)
			return 0;
		return fail(ld, value_pos[first], "'%s' is not for pcie type %s, which has no link",
			    pcie_keys[first], pcie_type_name(pcie->port_type));
	}
	pcie->speed = link[PCIE_SPEED];
	if (!pcie->speed)
		pcie->speed = link[PCIE_MAX_SPEED] ? link[PCIE_MAX_SPEED] : DEFAULT_LINK_SPEED;
	pcie->max_speed = link[PCIE_MAX_SPEED] ? link[PCIE_MAX_SPEED] : pcie->speed;
	pcie->width = link[PCIE_WIDTH];
	if (!pcie->width)
		pcie->width = link[PCIE_MAX_WIDTH] ? link[PCIE_MAX_WIDTH] : DEFAULT_LINK_WIDTH;
	pcie->max_width = link[PCIE_MAX_WIDTH] ? link[PCIE_MAX_WIDTH] : pcie->width;
	if (pcie->speed > pcie->max_speed)
		return fail(ld, value_pos[PCIE_SPEED],
			    "'speed' %s GT/s is above 'max_speed' %s GT/s",
			    link_speed_names[pcie->speed], link_speed_names[pcie->max_speed]);
	if (pcie->width > pcie->max_width)
		return fail(ld, value_pos[PCIE_WIDTH], "'width' %u is above 'max_width' %u",
			    pcie->width, pcie->max_width);
	return 0;
}

/* `pcie: true`, `pcie: false`, or a mapping of the capability's settings. */
static int read_pcie(struct loader *ld, struct pending_fn *pending, const char *name)
{
	struct src_pos seen[PCIE_KEY_COUNT] = { { 0, 0 } };
	struct src_pos value_pos[PCIE_KEY_COUNT] = { { 0, 0 } };
	uint8_t link[PCIE_KEY_COUNT] = { 0 };
	char where[PCI_ADDR_STRLEN + 32];
	int more;

	if (at(ld, YAML_SCALAR_EVENT) && !at_null(ld)) {
		bool present;

		if (value_bool(ld, "'pcie'", &present) != 0)
			return fail(ld, event_pos(ld), "'pcie' must be true, false or a mapping");
		pending->fn.pcie.present = present;
		if (present)
			return settle_link(ld, &pending->fn.pcie, link, value_pos);
		memset(&pending->fn.pcie, 0, sizeof(pending->fn.pcie));
		return 0;
	}
	if (!at(ld, YAML_MAPPING_START_EVENT))
		return fail(ld, event_pos(ld), "'pcie' must be true, false or a mapping");
	snprintf(where, sizeof(where), "in 'pcie' of device %s", name);
	while ((more = next_key(ld)) == 1) {
		size_t key;

		if (take_key(ld, pcie_keys, PCIE_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0 ||
		    read_pcie_value(ld, pending, (enum pcie_key)key, link) != 0)
			return -1;
		value_pos[key] = event_pos(ld);
	}
	if (more < 0)
		return -1;
	pending->fn.pcie.present = true;
	return settle_link(ld, &pending->fn.pcie, link, value_pos);
}

/* ---- BARs ------------------------------------------------------------------------------ */

enum bar_key { BAR_KEY_SIZE, BAR_KEY_TYPE, BAR_KEY_PREFETCHABLE, BAR_KEY_COUNT };

/* One `bars`/`vf_bars` entry: {size, type, prefetchable}. list is "'bars'" or "'vf_bars'". */
static int read_bar(struct loader *ld, const char *list, const char *where, bool vf,
		    struct topo_bar *bar)
{
	static const char *const keys[BAR_KEY_COUNT] = {
		[BAR_KEY_SIZE] = "size",
		[BAR_KEY_TYPE] = "type",
		[BAR_KEY_PREFETCHABLE] = "prefetchable",
	};
	struct src_pos seen[BAR_KEY_COUNT] = { { 0, 0 } };
	struct src_pos entry_pos = event_pos(ld), size_pos = { 0, 0 }, prefetch_pos = { 0, 0 };
	int more;

	bar->kind = BAR_MEM32;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		const char *text;

		if (take_key(ld, keys, BAR_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		if (key == BAR_KEY_SIZE) {
			size_pos = event_pos(ld);
			if (value_size(ld, "'size'", &bar->size) != 0)
				return -1;
		} else if (key == BAR_KEY_PREFETCHABLE) {
			prefetch_pos = event_pos(ld);
			if (value_bool(ld, "'prefetchable'", &bar->prefetchable) != 0)
				return -1;
		} else {
			if (value_string(ld, "'type'", &text) != 0)
				return -1;
			if (strcmp(text, "mem32") == 0) {
				bar->kind = BAR_MEM32;
			} else if (strcmp(text, "mem64") == 0) {
				bar->kind = BAR_MEM64;
			} else if (strcmp(text, "io") == 0) {
				if (vf)
					return fail(
						ld, event_pos(ld),
						"%s entry cannot be io: VF BARs are memory only",
						list);
				bar->kind = BAR_IO;
			} else {
				return fail(ld, event_pos(ld),
					    "unknown BAR type '%s' (expected mem32, mem64 or io)",
					    shown(ld, text));
			}
		}
	}
	if (more < 0)
		return -1;
	if (!seen[BAR_KEY_SIZE].line)
		return fail(ld, entry_pos, "%s entry has no 'size'", list);
	if (bar->kind == BAR_IO && bar->prefetchable)
		return fail(ld, prefetch_pos,
			    "'prefetchable' is only for memory BARs; this one is io");
	if (bar->kind == BAR_IO && bar->size < IO_BAR_MIN)
		return fail(ld, size_pos, "'size' %s is too small for an io BAR (at least %u)",
			    format_size(ld, bar->size), IO_BAR_MIN);
	if (bar->kind == BAR_IO && bar->size > IO_BAR_MAX)
		return fail(ld, size_pos, "'size' %s is too large for an io BAR (at most %u)",
			    format_size(ld, bar->size), IO_BAR_MAX);
	if (bar->kind != BAR_IO && bar->size < MEM_BAR_MIN)
		return fail(ld, size_pos, "'size' %s is too small for a memory BAR (at least %u)",
			    format_size(ld, bar->size), MEM_BAR_MIN);
	if (bar->kind == BAR_MEM32 && bar->size > MEM32_BAR_MAX)
		return fail(ld, size_pos, "'size' %s is too large for a mem32 BAR (at most 2G)",
			    format_size(ld, bar->size));
	return 0;
}

/*
 * A list of BAR registers in order: each entry a BAR or null for an unused register; a mem64
 * BAR also takes the register after it, so the next entry describes the one after that. Type 0
 * headers have six registers; when bridge_check is given, the first entry past a bridge's two
 * is remembered there, as the class (and so the header type) may come later.
 */
static int read_bars(struct loader *ld, const char *list, const char *name, bool vf,
		     struct topo_bar bars[TOPO_N_BARS], struct pending_fn *bridge_check)
{
	char entry_label[32], where[PCI_ADDR_STRLEN + 48];
	unsigned reg = 0;
	int more;

	snprintf(entry_label, sizeof(entry_label), "%s entry", list);
	snprintf(where, sizeof(where), "in %s entry of device %s", list, name);
	if (open_sequence(ld, list) != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		struct topo_bar bar = { 0 };
		struct src_pos entry_pos = event_pos(ld);
		unsigned last;

		if (!at_null(ld)) {
			if (!at(ld, YAML_MAPPING_START_EVENT))
				return fail(ld, entry_pos, "%s must be a mapping or null",
					    entry_label);
			if (read_bar(ld, list, where, vf, &bar) != 0)
				return -1;
		}
		last = reg + (bar.kind == BAR_MEM64 ? 1 : 0);
		if (last >= TOPO_N_BARS)
			return fail(ld, entry_pos,
				    "%s would take BAR register %u; a type 0 header has registers "
				    "0..%d",
				    entry_label, last, TOPO_N_BARS - 1);
		if (bridge_check && last >= BRIDGE_BAR_REGISTERS &&
		    !bridge_check->bridge_bars_pos.line) {
			bridge_check->bridge_bars_pos = entry_pos;
			bridge_check->bridge_bars_register = (uint8_t)last;
		}
		bars[reg] = bar;
		reg = last + 1;
	}
	return more < 0 ? -1 : 0;
}

static int read_rom(struct loader *ld, struct topo_bar *rom)
{
	if (value_size(ld, "'rom'", &rom->size) != 0)
		return -1;
	if (rom->size < ROM_MIN)
		return fail(ld, event_pos(ld), "'rom' %s is too small (at least 2K)",
			    format_size(ld, rom->size));
	if (rom->size > ROM_MAX)
		return fail(ld, event_pos(ld), "'rom' %s is too large (at most 2G)",
			    format_size(ld, rom->size));
	rom->kind = BAR_MEM32; /* the expansion ROM BAR is a 32-bit memory BAR */
	return 0;
}

/* ---- SR-IOV ---------------------------------------------------------------------------- */

enum sriov_key {
	SRIOV_TOTAL,
	SRIOV_NUM,
	SRIOV_OFFSET,
	SRIOV_STRIDE,
	SRIOV_VF_ID,
	SRIOV_VF_DRIVER,
	SRIOV_VF_GROUPS,
	SRIOV_AUTOPROBE,
	SRIOV_VF_BARS,
	SRIOV_KEY_COUNT
};

static const char *const sriov_keys[SRIOV_KEY_COUNT] = {
	[SRIOV_TOTAL] = "total",	 [SRIOV_NUM] = "num",
	[SRIOV_OFFSET] = "offset",	 [SRIOV_STRIDE] = "stride",
	[SRIOV_VF_ID] = "vf_id",	 [SRIOV_VF_DRIVER] = "vf_driver",
	[SRIOV_VF_GROUPS] = "vf_groups", [SRIOV_AUTOPROBE] = "autoprobe",
	[SRIOV_VF_BARS] = "vf_bars",
};

static int read_sriov_value(struct loader *ld, struct pending_fn *pending, enum sriov_key key,
			    const char *name)
{
	struct topo_sriov *sriov = pending->fn.sriov;
	char label[24];
	const char *text;
	long long value;
	uint32_t vf_id;

	snprintf(label, sizeof(label), "'%s'", sriov_keys[key]);
	switch (key) {
	case SRIOV_VF_ID:
		if (value_string(ld, label, &text) != 0)
			return -1;
		if (strlen(text) != 4 || !parse_fixed_hex(text, 4, &vf_id))
			return fail(ld, event_pos(ld),
				    "'vf_id' must be the VF device ID in 4 hex digits (as in "
				    "'id'), not '%s'",
				    shown(ld, text));
		sriov->vf_device = (uint16_t)vf_id;
		return 0;
	case SRIOV_VF_DRIVER:
		return value_driver(ld, label, &pending->vf_driver_name);
	case SRIOV_VF_GROUPS:
		if (value_string(ld, label, &text) != 0)
			return -1;
		pending->vf_groups_pos = event_pos(ld);
		if (strcmp(text, "auto") == 0)
			pending->vf_groups = VF_GROUPS_AUTO;
		else if (strcmp(text, "none") == 0)
			pending->vf_groups = VF_GROUPS_NONE;
		else if (strcmp(text, "same") == 0)
			pending->vf_groups = VF_GROUPS_SAME;
		else
			return fail(ld, event_pos(ld),
				    "unknown vf_groups '%s' (expected auto, none or same)",
				    shown(ld, text));
		return 0;
	case SRIOV_AUTOPROBE:
		return value_bool(ld, label, &sriov->drivers_autoprobe);
	case SRIOV_VF_BARS:
		return read_bars(ld, "'vf_bars'", name, true, sriov->vf_bars, NULL);
	default:
		break;
	}
	if (value_integer(ld, label, key == SRIOV_NUM ? 0 : 1, VFS_MAX, &value) != 0)
		return -1;
	if (key == SRIOV_TOTAL)
		sriov->total = (uint16_t)value;
	else if (key == SRIOV_NUM)
		sriov->num = (uint16_t)value;
	else if (key == SRIOV_OFFSET)
		sriov->offset = (uint16_t)value;
	else
		sriov->stride = (uint16_t)value;
	return 0;
}

static int read_sriov(struct loader *ld, struct pending_fn *pending, const char *name)
{
	struct src_pos seen[SRIOV_KEY_COUNT] = { { 0, 0 } };
	struct src_pos num_pos = { 0, 0 };
	char where[PCI_ADDR_STRLEN + 32];
	struct topo_sriov *sriov;
	int more;

	if (open_mapping(ld, "'sriov'") != 0)
		return -1;
	sriov = calloc(1, sizeof(*sriov));
	if (!sriov)
		return fail_out_of_memory(ld);
	pending->fn.sriov = sriov;
	sriov->offset = 1;
	sriov->stride = 1;
	sriov->vf_driver = TOPO_NONE;
	sriov->drivers_autoprobe = true;
	sriov->first_vf = TOPO_NONE;
	snprintf(where, sizeof(where), "in 'sriov' of device %s", name);
	while ((more = next_key(ld)) == 1) {
		size_t key;

		if (take_key(ld, sriov_keys, SRIOV_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		if (key == SRIOV_NUM)
			num_pos = event_pos(ld);
		if (read_sriov_value(ld, pending, (enum sriov_key)key, name) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (!seen[SRIOV_TOTAL].line)
		return fail(ld, pending->sriov_pos, "'sriov' of device %s has no 'total'", name);
	if (!seen[SRIOV_VF_ID].line)
		return fail(ld, pending->sriov_pos, "'sriov' of device %s has no 'vf_id'", name);
	if (sriov->num > sriov->total)
		return fail(ld, num_pos, "'num' %u is above 'total' %u", sriov->num, sriov->total);
	return 0;
}

/* A firmware label: printable, on one line, as the `label` file shows it. */
static int read_label(struct loader *ld, char **out)
{
	const char *text;
	size_t len;

	if (value_string(ld, "'label'", &text) != 0)
		return -1;
	len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f)
			len = 0;
	}
	if (len == 0 || len > LABEL_MAX)
		return fail(ld, event_pos(ld),
			    "malformed label '%s' (1 to %d bytes, no control characters)",
			    shown(ld, text), LABEL_MAX);
	*out = strdup(text);
	return *out ? 0 : fail_out_of_memory(ld);
}

/* ---- raw config space ------------------------------------------------------------------ */

static bool is_config_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* An lspci offset token, "HH:" (1 to 8 hex digits and a colon), into *value. */
static bool parse_config_offset(const char *token, size_t len, uint32_t *value)
{
	return len >= 2 && len <= 9 && token[len - 1] == ':' &&
	       parse_fixed_hex(token, len - 1, value);
}

/*
 * `config`: hex byte pairs separated by whitespace, as `od -t x1` or `lspci -xxx` print them;
 * a line may start with its offset ("00:", "100:"), which must be the count of bytes before
 * it. Errors stand at the string, naming the line within it.
 */
static int read_config(struct loader *ld, struct topo_function *fn)
{
	uint8_t bytes[CONFIG_BYTES_MAX];
	const char *text, *p;
	size_t count = 0;
	unsigned line = 1;
	bool line_start = true;

	if (value_string(ld, "'config'", &text) != 0)
		return -1;
	for (p = text; *p;) {
		const char *token = p;
		size_t len;
		uint32_t value;

		if (is_config_space(*p)) {
			if (*p++ == '\n') {
				line++;
				line_start = true;
			}
			continue;
		}
		while (*p && !is_config_space(*p))
			p++;
		len = (size_t)(p - token);
		if (len == 2 && parse_fixed_hex(token, 2, &value)) {
			if (count < CONFIG_BYTES_MAX)
				bytes[count] = (uint8_t)value;
			count++;
		} else if (parse_config_offset(token, len, &value)) {
			if (!line_start)
				return fail(
					ld, event_pos(ld),
					"'config' offset '%s' is not at the start of a line (line "
					"%u of the value; only a literal block, 'config: |', keeps "
					"YAML from joining lines)",
					shown_token(ld, token, len), line);
			if (value != count)
				return fail(ld, event_pos(ld),
					    "'config' offset '%s' does not match the 0x%zx bytes "
					    "before it (line %u of the value)",
					    shown_token(ld, token, len), count, line);
		} else {
			return fail(
				ld, event_pos(ld),
				"'config' byte '%s' is not two hex digits (line %u of the value)",
				shown_token(ld, token, len), line);
		}
		line_start = false;
	}
	if (count == 0)
		return fail(ld, event_pos(ld), "'config' holds no bytes (1 to %d)",
			    CONFIG_BYTES_MAX);
	if (count > CONFIG_BYTES_MAX)
		return fail(ld, event_pos(ld), "'config' holds %zu bytes; the limit is %d", count,
			    CONFIG_BYTES_MAX);
	fn->raw_config = malloc(count);
	if (!fn->raw_config)
		return fail_out_of_memory(ld);
	memcpy(fn->raw_config, bytes, count);
	fn->raw_config_len = (uint16_t)count;
	return 0;
}

/* ---- mediated devices ------------------------------------------------------------------ */

static const char *const mdev_device_apis[] = { "vfio-pci", "vfio-platform", "vfio-ccw",
						"vfio-ap" };

#define MDEV_DEVICE_API_COUNT (sizeof(mdev_device_apis) / sizeof(mdev_device_apis[0]))

static void free_mdev_types(struct topo_mdev_type *types, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(types[i].id);
		free(types[i].name);
		free(types[i].description);
		free(types[i].device_api);
	}
	free(types);
}

/* An mdev type's `name` or `description` file: printable, on one line. */
static int read_mdev_text(struct loader *ld, const char *what, char **out)
{
	char label[24];
	const char *text;
	size_t len;

	snprintf(label, sizeof(label), "'%s'", what);
	if (value_string(ld, label, &text) != 0)
		return -1;
	len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f)
			len = 0;
	}
	if (len == 0 || len > MDEV_TEXT_MAX)
		return fail(ld, event_pos(ld),
			    "malformed mdev type %s '%s' (1 to %d bytes, no control characters)",
			    what, shown(ld, text), MDEV_TEXT_MAX);
	*out = strdup(text);
	return *out ? 0 : fail_out_of_memory(ld);
}

/* The type's directory name, unique within the device (ld->mdev_type_names lists them). */
static int read_mdev_type_id(struct loader *ld, struct topo_mdev_type *type)
{
	struct name_table *names = &ld->mdev_type_names;
	const char *text;
	int32_t index;

	if (value_string(ld, "'id'", &text) != 0)
		return -1;
	if (!is_directory_name(text, MDEV_TYPE_ID_MAX))
		return fail(ld, event_pos(ld),
			    "malformed mdev type id '%s' (letters, digits, '_', '.' and '-'; at "
			    "most %d)",
			    shown(ld, text), MDEV_TYPE_ID_MAX);
	index = name_table_intern(names, text);
	if (index < 0)
		return fail_out_of_memory(ld);
	if (names->listed[index].line)
		return fail(ld, event_pos(ld), "duplicate mdev type '%s' (first at %u:%u)", text,
			    names->listed[index].line, names->listed[index].column);
	names->listed[index] = event_pos(ld);
	type->id = strdup(text);
	return type->id ? 0 : fail_out_of_memory(ld);
}

enum mdev_type_key {
	MDEV_TYPE_ID,
	MDEV_TYPE_INSTANCES,
	MDEV_TYPE_DEVICE_API,
	MDEV_TYPE_NAME,
	MDEV_TYPE_DESCRIPTION,
	MDEV_TYPE_KEY_COUNT
};

static int read_mdev_type(struct loader *ld, const char *where, struct topo_mdev_type *type)
{
	static const char *const keys[MDEV_TYPE_KEY_COUNT] = {
		[MDEV_TYPE_ID] = "id",
		[MDEV_TYPE_INSTANCES] = "instances",
		[MDEV_TYPE_DEVICE_API] = "device_api",
		[MDEV_TYPE_NAME] = "name",
		[MDEV_TYPE_DESCRIPTION] = "description",
	};
	struct src_pos seen[MDEV_TYPE_KEY_COUNT] = { { 0, 0 } };
	struct src_pos entry_pos = event_pos(ld);
	const char *api = mdev_device_apis[0];
	int more;

	if (open_mapping(ld, "'mdev_types' entry") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key, i = 0;
		long long value;
		const char *text;
		int rc = 0;

		if (take_key(ld, keys, MDEV_TYPE_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		switch ((enum mdev_type_key)key) {
		case MDEV_TYPE_ID:
			rc = read_mdev_type_id(ld, type);
			break;
		case MDEV_TYPE_INSTANCES:
			if (value_integer(ld, "'instances'", 1, MDEV_INSTANCES_MAX, &value) != 0)
				return -1;
			type->instances = (uint32_t)value;
			break;
		case MDEV_TYPE_DEVICE_API:
			if (value_string(ld, "'device_api'", &text) != 0)
				return -1;
			while (i < MDEV_DEVICE_API_COUNT && strcmp(mdev_device_apis[i], text) != 0)
				i++;
			if (i == MDEV_DEVICE_API_COUNT)
				return fail(ld, event_pos(ld),
					    "unknown device_api '%s' (expected vfio-pci, "
					    "vfio-platform, vfio-ccw or vfio-ap)",
					    shown(ld, text));
			api = mdev_device_apis[i];
			break;
		case MDEV_TYPE_NAME:
			rc = read_mdev_text(ld, "name", &type->name);
			break;
		default:
			rc = read_mdev_text(ld, "description", &type->description);
			break;
		}
		if (rc != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (!seen[MDEV_TYPE_ID].line)
		return fail(ld, entry_pos, "'mdev_types' entry has no 'id'");
	if (!seen[MDEV_TYPE_INSTANCES].line)
		return fail(ld, entry_pos, "'mdev_types' entry has no 'instances'");
	type->device_api = strdup(api);
	return type->device_api ? 0 : fail_out_of_memory(ld);
}

static int read_mdev_types(struct loader *ld, struct topo_function *fn, const char *name)
{
	struct src_pos start = event_pos(ld);
	char where[PCI_ADDR_STRLEN + 48];
	size_t capacity = 0;
	int more;

	snprintf(where, sizeof(where), "in 'mdev_types' entry of device %s", name);
	if (open_sequence(ld, "'mdev_types'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		if (fn->n_mdev_types == capacity) {
			struct topo_mdev_type *grown =
				grow_array(fn->mdev_types, &capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			fn->mdev_types = grown;
		}
		/* Counted before it is read, so that loader_free frees what it holds. */
		memset(&fn->mdev_types[fn->n_mdev_types], 0, sizeof(*fn->mdev_types));
		if (read_mdev_type(ld, where, &fn->mdev_types[fn->n_mdev_types++]) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (fn->n_mdev_types == 0)
		return fail(ld, start, "'mdev_types' must not be empty");
	return 0;
}

/* 8-4-4-4-12 hex digits in either case, into the lower case sysfs names them with. */
static bool parse_uuid(const char *text, char out[UUID_LEN + 1])
{
	if (strlen(text) != UUID_LEN)
		return false;
	for (size_t i = 0; i < UUID_LEN; i++) {
		char c = text[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (hex_digit_value(c) < 0) {
			return false;
		}
		out[i] = c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c;
	}
	out[UUID_LEN] = '\0';
	return true;
}

enum mdev_key { MDEV_UUID, MDEV_TYPE, MDEV_GROUP, MDEV_KEY_COUNT };

static int read_mdev_value(struct loader *ld, struct mdev_entry *entry, enum mdev_key key)
{
	const char *text;
	long long value;
	struct src_pos first;
	int seen;

	switch (key) {
	case MDEV_UUID:
		entry->uuid_pos = event_pos(ld);
		if (value_string(ld, "'uuid'", &text) != 0)
			return -1;
		if (!parse_uuid(text, entry->mdev.uuid))
			return fail(ld, event_pos(ld),
				    "malformed mdev uuid '%s' (expected 8-4-4-4-12 hex digits, as "
				    "in 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001)",
				    shown(ld, text));
		return 0;
	case MDEV_TYPE:
		entry->type_pos = event_pos(ld);
		if (value_string(ld, "'type'", &text) != 0)
			return -1;
		/* Resolved when the device's mapping ends: `mdev_types` may come later. */
		entry->type_name = name_table_intern(&ld->mdev_type_names, text);
		return entry->type_name < 0 ? fail_out_of_memory(ld) : 0;
	default:
		entry->group_pos = event_pos(ld);
		if (value_integer(ld, "'group'", 0, INT32_MAX, &value) != 0)
			return -1;
		seen = pos_set_add(&ld->mdev_group_set, (uint64_t)value, event_pos(ld), &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		if (seen)
			return fail(
				ld, event_pos(ld),
				"mdev group %lld is already the group of another mdev (first at "
				"%u:%u)",
				value, first.line, first.column);
		entry->group_id = (int32_t)value;
		return 0;
	}
}

static int read_mdev(struct loader *ld, const char *where, struct mdev_entry *entry)
{
	static const char *const keys[MDEV_KEY_COUNT] = {
		[MDEV_UUID] = "uuid",
		[MDEV_TYPE] = "type",
		[MDEV_GROUP] = "group",
	};
	struct src_pos seen[MDEV_KEY_COUNT] = { { 0, 0 } };
	int more;

	if (open_mapping(ld, "'mdev' entry") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;

		if (take_key(ld, keys, MDEV_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0 || read_mdev_value(ld, entry, (enum mdev_key)key) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	for (size_t key = 0; key < MDEV_GROUP; key++) {
		if (!seen[key].line)
			return fail(ld, entry->mdev.pos, "'mdev' entry has no '%s'", keys[key]);
	}
	return 0;
}

/* The device's created mdevs, appended to ld->mdevs; their types are resolved later. */
static int read_mdevs(struct loader *ld, const char *name)
{
	struct src_pos start = event_pos(ld);
	char where[PCI_ADDR_STRLEN + 48];
	size_t first = ld->n_mdevs;
	int more;

	snprintf(where, sizeof(where), "in 'mdev' entry of device %s", name);
	if (open_sequence(ld, "'mdev'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		struct mdev_entry *entry;

		if (ld->n_mdevs == ld->mdevs_capacity) {
			struct mdev_entry *grown =
				grow_array(ld->mdevs, &ld->mdevs_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			ld->mdevs = grown;
		}
		entry = &ld->mdevs[ld->n_mdevs++];
		memset(entry, 0, sizeof(*entry));
		entry->mdev.parent = (int32_t)(ld->n_fns - 1);
		entry->mdev.type = TOPO_NONE;
		entry->mdev.group = TOPO_NONE;
		entry->mdev.pos = event_pos(ld);
		entry->group_id = TOPO_NONE;
		entry->type_name = TOPO_NONE;
		if (read_mdev(ld, where, entry) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (ld->n_mdevs == first)
		return fail(ld, start, "'mdev' must not be empty");
	return 0;
}

/*
 * When the device's mapping ends: every `mdev` names one of its `mdev_types`, and no type has
 * more mdevs than its `instances`.
 */
static int resolve_mdev_types(struct loader *ld, const struct pending_fn *pending, const char *name)
{
	const struct name_table *names = &ld->mdev_type_names;
	const struct topo_function *fn = &pending->fn;
	int32_t *type_of_name;
	uint32_t *created;
	int rc = 0;

	if (ld->n_mdevs == pending->first_mdev)
		return 0;
	type_of_name = malloc(names->count * sizeof(*type_of_name));
	created = calloc(fn->n_mdev_types ? fn->n_mdev_types : 1, sizeof(*created));
	if (!type_of_name || !created) {
		free(type_of_name);
		free(created);
		return fail_out_of_memory(ld);
	}
	for (size_t i = 0; i < names->count; i++)
		type_of_name[i] = TOPO_NONE;
	for (size_t t = 0; t < fn->n_mdev_types; t++)
		type_of_name[name_table_find(names, fn->mdev_types[t].id)] = (int32_t)t;
	for (size_t i = pending->first_mdev; i < ld->n_mdevs && rc == 0; i++) {
		struct mdev_entry *entry = &ld->mdevs[i];
		int32_t type = type_of_name[entry->type_name];

		if (type == TOPO_NONE) {
			rc = fail(
				ld, entry->type_pos,
				"unknown mdev type '%s' (not an 'id' in 'mdev_types' of device %s)",
				shown(ld, names->names[entry->type_name]), name);
		} else if (++created[type] > fn->mdev_types[type].instances) {
			rc = fail(ld, entry->type_pos,
				  "device %s has more mdevs of type '%s' than its 'instances' %u",
				  name, fn->mdev_types[type].id, fn->mdev_types[type].instances);
		}
		entry->mdev.type = type;
	}
	free(type_of_name);
	free(created);
	return rc;
}

static int read_device_value(struct loader *ld, struct pending_fn *pending, enum device_key key,
			     const char *name)
{
	struct topo_function *fn = &pending->fn;
	size_t key_len = strlen(device_keys[key]);
	char label[24];
	long long value;

	/* "'key'" without printf, which was a tenth of reading a device. */
	label[0] = '\'';
	memcpy(label + 1, device_keys[key], key_len);
	strcpy(label + 1 + key_len, "'");
	switch (key) {
	case DEVICE_ID:
		return value_id_pair(ld, label, &fn->vendor, &fn->device);
	case DEVICE_CLASS:
		return value_class(ld, &fn->class_code);
	case DEVICE_SUBSYSTEM:
		return value_id_pair(ld, label, &fn->subsys_vendor, &fn->subsys_device);
	case DEVICE_DRIVER:
		return value_driver(ld, label, &pending->driver_name);
	case DEVICE_PCIE:
		return read_pcie(ld, pending, name);
	case DEVICE_BARS:
		return read_bars(ld, "'bars'", name, false, fn->bars, pending);
	case DEVICE_ROM:
		return read_rom(ld, &fn->rom);
	case DEVICE_SRIOV:
		return read_sriov(ld, pending, name);
	case DEVICE_LABEL:
		return read_label(ld, &fn->label);
	case DEVICE_CONFIG:
		return read_config(ld, fn);
	case DEVICE_MDEV_TYPES:
		return read_mdev_types(ld, fn, name);
	case DEVICE_MDEV:
		return read_mdevs(ld, name);
	case DEVICE_ACPI_INDEX:
		if (value_integer(ld, label, 0, INT32_MAX, &value) != 0)
			return -1;
		fn->acpi_index = (int32_t)value;
		return 0;
	case DEVICE_INDEX:
		if (value_integer(ld, label, 0, INT32_MAX, &value) != 0)
			return -1;
		fn->smbios_index = (int32_t)value;
		return 0;
	case DEVICE_PLUGGED: {
		bool plugged;

		if (value_bool(ld, label, &plugged) != 0)
			return -1;
		fn->unplugged = !plugged;
		fn->present = plugged;
		return 0;
	}
	case DEVICE_D3COLD_ALLOWED: {
		bool allowed;

		if (value_bool(ld, label, &allowed) != 0)
			return -1;
		fn->d3cold_disallowed = !allowed;
		return 0;
	}
	default:
		break;
	}

	switch (key) {
	case DEVICE_REVISION:
		if (value_integer(ld, label, 0, 255, &value) != 0)
			return -1;
		fn->revision = (uint8_t)value;
		return 0;
	case DEVICE_GROUP:
		if (value_integer(ld, label, 0, INT32_MAX, &value) != 0)
			return -1;
		pending->group_id = (int32_t)value;
		return 0;
	case DEVICE_NUMA_NODE:
		if (value_integer(ld, label, -1, NUMA_NODES_MAX - 1, &value) != 0)
			return -1;
		fn->numa_node = (int32_t)value;
		pending->numa_pos = event_pos(ld);
		return 0;
	case DEVICE_IRQ:
		if (value_integer(ld, label, 0, 255, &value) != 0)
			return -1;
		fn->irq = (uint8_t)value;
		return 0;
	case DEVICE_SECONDARY:
		if (value_integer(ld, label, 1, BUS_MAX, &value) != 0)
			return -1;
		fn->secondary_bus = (uint8_t)value;
		pending->has_secondary = true;
		pending->secondary_pos = event_pos(ld);
		return 0;
	case DEVICE_SUBORDINATE:
		if (value_integer(ld, label, 1, BUS_MAX, &value) != 0)
			return -1;
		pending->given_subordinate = (uint8_t)value;
		pending->has_subordinate = true;
		pending->subordinate_pos = event_pos(ld);
		return 0;
	default:
		return -1;
	}
}

/* A given pcie type must fit the header: ports are bridges, and bridges are ports. */
static int check_device_pcie(struct loader *ld, const struct pending_fn *pending,
			     const struct src_pos *seen, const char *name)
{
	const struct topo_function *fn = &pending->fn;
	uint8_t type = fn->pcie.port_type;

	if (!fn->pcie.present || !pending->pcie_type_given)
		return 0;
	if (pcie_type_is_port(type) && !fn->is_bridge)
		return fail(
			ld, seen[DEVICE_PCIE],
			"pcie type %s needs a bridge (class 0x0604xx or 0x0609xx); device %s is "
			"class 0x%06x",
			pcie_type_name(type), name, fn->class_code);
	if (!pcie_type_is_port(type) && fn->is_bridge)
		return fail(ld, seen[DEVICE_PCIE],
			    "pcie type %s is not for a bridge; device %s is class 0x%06x (ports "
			    "are root-port, upstream-port, downstream-port, pcie-to-pci-bridge and "
			    "pci-to-pcie-bridge)",
			    pcie_type_name(type), name, fn->class_code);
	return 0;
}

/* SR-IOV needs a PCI Express endpoint; `vf_groups: same` needs a group to share. */
static int check_device_sriov(struct loader *ld, const struct pending_fn *pending, const char *name)
{
	const struct topo_function *fn = &pending->fn;
	uint8_t type = fn->pcie.port_type;

	if (!fn->pcie.present)
		return fail(ld, pending->sriov_pos,
			    "'sriov' needs PCI Express: device %s has no 'pcie'", name);
	if (fn->is_bridge)
		return fail(ld, pending->sriov_pos,
			    "'sriov' is only for endpoints (pcie type endpoint or rc-endpoint); "
			    "device %s is a bridge",
			    name);
	if (type != PCIE_ENDPOINT && type != PCIE_RC_INTEGRATED_ENDPOINT)
		return fail(ld, pending->sriov_pos,
			    "'sriov' is only for endpoints (pcie type endpoint or rc-endpoint); "
			    "device %s is pcie type %s",
			    name, pcie_type_name(type));
	if (pending->vf_groups == VF_GROUPS_SAME && pending->group_id == TOPO_NONE)
		return fail(ld, pending->vf_groups_pos,
			    "'vf_groups: same' needs device %s to have a 'group'", name);
	return 0;
}

/* Mediated devices hang off endpoints (VFs included, which are never written as devices). */
static int check_device_mdevs(struct loader *ld, const struct pending_fn *pending,
			      const struct src_pos *seen, const char *name)
{
	enum device_key first = DEVICE_MDEV_TYPES;

	if (!seen[DEVICE_MDEV_TYPES].line ||
	    (seen[DEVICE_MDEV].line && pos_before(seen[DEVICE_MDEV], seen[DEVICE_MDEV_TYPES])))
		first = DEVICE_MDEV;
	if (pending->fn.is_bridge && seen[first].line)
		return fail(ld, seen[first], "'%s' is not for bridges; device %s is class 0x%06x",
			    device_keys[first], name, pending->fn.class_code);
	return resolve_mdev_types(ld, pending, name);
}

/* The rules that concern one device alone, checked when its mapping ends. */
static int check_device(struct loader *ld, struct pending_fn *pending, const struct src_pos *seen,
			const char *name)
{
	struct topo_function *fn = &pending->fn;

	if (!seen[DEVICE_ID].line)
		return fail(ld, fn->pos, "device %s has no 'id'", name);
	if (!seen[DEVICE_CLASS].line)
		return fail(ld, fn->pos, "device %s has no 'class'", name);
	fn->is_bridge = pci_class_is_bridge(fn->class_code);
	if (!fn->is_bridge) {
		enum device_key first = DEVICE_SECONDARY;

		if (!seen[DEVICE_SECONDARY].line ||
		    (seen[DEVICE_SUBORDINATE].line &&
		     pos_before(seen[DEVICE_SUBORDINATE], seen[DEVICE_SECONDARY])))
			first = DEVICE_SUBORDINATE;
		if (seen[first].line)
			return fail(ld, seen[first],
				    "'%s' is only for bridges (class 0x0604xx or 0x0609xx); device "
				    "%s is class 0x%06x",
				    device_keys[first], name, fn->class_code);
	}
	if (pending->has_secondary && fn->secondary_bus <= fn->addr.bus)
		return fail(ld, pending->secondary_pos,
			    "'secondary' 0x%02x of bridge %s must be above its own bus 0x%02x",
			    fn->secondary_bus, name, fn->addr.bus);
	if (pending->has_secondary && pending->has_subordinate &&
	    pending->given_subordinate < fn->secondary_bus)
		return fail(ld, pending->subordinate_pos,
			    "'subordinate' 0x%02x of bridge %s is below its 'secondary' 0x%02x",
			    pending->given_subordinate, name, fn->secondary_bus);
	if (!seen[DEVICE_SUBSYSTEM].line && !fn->is_bridge) {
		fn->subsys_vendor = fn->vendor;
		fn->subsys_device = fn->device;
	}
	if (check_device_pcie(ld, pending, seen, name) != 0)
		return -1;
	if (fn->is_bridge && pending->bridge_bars_pos.line)
		return fail(ld, pending->bridge_bars_pos,
			    "'bars' entry would take BAR register %u; a bridge (type 1 header) has "
			    "registers 0..%d",
			    pending->bridge_bars_register, BRIDGE_BAR_REGISTERS - 1);
	if (fn->sriov && check_device_sriov(ld, pending, name) != 0)
		return -1;
	return check_device_mdevs(ld, pending, seen, name);
}

static int read_device(struct loader *ld, const struct pci_addr *addr, struct src_pos key_pos)
{
	struct src_pos seen[DEVICE_KEY_COUNT] = { { 0, 0 } };
	struct pending_fn *pending;
	char name[PCI_ADDR_STRLEN], where[PCI_ADDR_STRLEN + 16], label[PCI_ADDR_STRLEN + 16];
	int more;

	pci_addr_format(addr, name);
	strcpy(stpcpy(label, "device "), name);
	if (open_mapping(ld, label) != 0)
		return -1;
	if (ld->n_fns == ld->fns_capacity) {
		struct pending_fn *grown = grow_array(ld->fns, &ld->fns_capacity, sizeof(*grown));

		if (!grown)
			return fail_out_of_memory(ld);
		ld->fns = grown;
	}
	pending = &ld->fns[ld->n_fns];
	memset(pending, 0, sizeof(*pending));
	pending->fn.addr = *addr;
	pending->fn.pos = key_pos;
	pending->fn.numa_node = -1;
	pending->fn.present = true;
	pending->fn.group = TOPO_NONE;
	pending->fn.driver = TOPO_NONE;
	pending->fn.parent = TOPO_NONE;
	pending->fn.physfn = TOPO_NONE;
	pending->fn.acpi_index = -1;
	pending->fn.smbios_index = -1;
	pending->driver_name = TOPO_NONE;
	pending->group_id = TOPO_NONE;
	pending->vf_driver_name = TOPO_NONE;
	pending->first_mdev = ld->n_mdevs;
	ld->n_fns++; /* from here on loader_free frees what the entry holds */

	strcpy(stpcpy(where, "in device "), name);
	while ((more = next_key(ld)) == 1) {
		size_t key;
		int rc;

		if (take_key(ld, device_keys, DEVICE_KEY_COUNT, seen, where, &key) != 0)
			return -1;
		ld->scalar_max = key == DEVICE_CONFIG ? CONFIG_TEXT_MAX : SCALAR_MAX;
		rc = next_event(ld);
		ld->scalar_max = SCALAR_MAX;
		if (rc != 0)
			return -1;
		if (key == DEVICE_SRIOV)
			pending->sriov_pos = seen[key];
		if (read_device_value(ld, pending, (enum device_key)key, name) != 0)
			return -1;
	}
	if (more < 0 || check_device(ld, pending, seen, name) != 0)
		return -1;
	ld->n_bridges += pending->fn.is_bridge;
	ld->n_sriov += pending->fn.sriov != NULL;
	ld->any_unplugged |= pending->fn.unplugged;
	if (pending->fn.numa_node > ld->max_numa_node)
		ld->max_numa_node = pending->fn.numa_node;
	/* Type names are per device. */
	name_table_free(&ld->mdev_type_names);
	memset(&ld->mdev_type_names, 0, sizeof(ld->mdev_type_names));
	return 0;
}

static uint64_t device_key(const struct pci_addr *addr)
{
	return (uint64_t)addr->domain << 16 | (uint64_t)addr->bus << 8 | (uint64_t)addr->dev << 3 |
	       addr->fn;
}

/*
 * Whether a device address was seen before: 0 (now it has), 1 (at *first) or -1 (out of
 * memory). While addresses come in ascending order, as they mostly do, none can repeat an
 * earlier one and ld->fns holds them all; the set is filled from there when one does not.
 */
static int fill_device_set(struct loader *ld)
{
	struct src_pos unused;

	if (ld->device_set_filled)
		return 0;
	for (size_t i = 0; i < ld->n_fns; i++) {
		if (pos_set_add(&ld->device_set, device_key(&ld->fns[i].fn.addr), ld->fns[i].fn.pos,
				&unused) < 0)
			return -1;
	}
	ld->device_set_filled = true;
	return 0;
}

static int check_new_device(struct loader *ld, const struct pci_addr *addr, struct src_pos pos,
			    struct src_pos *first)
{
	if (!ld->device_set_filled &&
	    (!ld->n_fns || device_key(&ld->fns[ld->n_fns - 1].fn.addr) < device_key(addr)))
		return 0;
	if (fill_device_set(ld) != 0)
		return -1;
	return pos_set_add(&ld->device_set, device_key(addr), pos, first);
}

static int read_devices(struct loader *ld)
{
	struct src_pos start = event_pos(ld);
	int more;

	if (open_mapping(ld, "'devices'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		struct pci_addr addr;
		struct src_pos key_pos = event_pos(ld), first;
		char name[PCI_ADDR_STRLEN];
		int seen;

		if (!pci_addr_parse(scalar_text(ld), &addr))
			return fail(ld, key_pos,
				    "malformed PCI address '%s' (expected DDDD:BB:DD.F)",
				    shown(ld, scalar_text(ld)));
		seen = check_new_device(ld, &addr, key_pos, &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		if (seen) {
			pci_addr_format(&addr, name);
			return fail(ld, key_pos, "duplicate device %s (first at %u:%u)", name,
				    first.line, first.column);
		}
		if (next_event(ld) != 0 || read_device(ld, &addr, key_pos) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (ld->n_fns == 0)
		return fail(ld, start, "'devices' must not be empty");
	return 0;
}

/* Reserved region types, in the kernel's order (enum iommu_resv_type) for equal starts. */
static const char *const region_types[] = { "direct", "direct-relaxable", "reserved", "msi" };

#define REGION_TYPE_COUNT (sizeof(region_types) / sizeof(region_types[0]))

enum region_key { REGION_START, REGION_END, REGION_TYPE, REGION_KEY_COUNT };

static int read_region(struct loader *ld, const char *where, struct region_entry *entry)
{
	static const char *const keys[REGION_KEY_COUNT] = {
		[REGION_START] = "start",
		[REGION_END] = "end",
		[REGION_TYPE] = "type",
	};
	struct src_pos seen[REGION_KEY_COUNT] = { { 0, 0 } };
	struct topo_region *region = &entry->region;
	struct src_pos end_pos = { 0, 0 };
	int more;

	entry->pos = event_pos(ld);
	if (open_mapping(ld, "'reserved_regions' entry") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		const char *text;
		size_t type = 0;

		if (take_key(ld, keys, REGION_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		if (key == REGION_START) {
			if (value_u64(ld, "'start'", &region->start) != 0)
				return -1;
			continue;
		}
		if (key == REGION_END) {
			end_pos = event_pos(ld);
			if (value_u64(ld, "'end'", &region->end) != 0)
				return -1;
			continue;
		}
		if (value_string(ld, "'type'", &text) != 0)
			return -1;
		while (type < REGION_TYPE_COUNT && strcmp(region_types[type], text) != 0)
			type++;
		if (type == REGION_TYPE_COUNT)
			return fail(ld, event_pos(ld),
				    "unknown reserved region type '%s' (expected direct, "
				    "direct-relaxable, reserved or msi)",
				    shown(ld, text));
		strcpy(region->type, region_types[type]);
		entry->rank = (uint8_t)type;
	}
	if (more < 0)
		return -1;
	for (size_t key = 0; key < REGION_KEY_COUNT; key++) {
		if (!seen[key].line)
			return fail(ld, entry->pos, "'reserved_regions' entry has no '%s'",
				    keys[key]);
	}
	if (region->start > region->end)
		return fail(ld, end_pos, "reserved region 'end' 0x%llx is below its 'start' 0x%llx",
			    (unsigned long long)region->end, (unsigned long long)region->start);
	return 0;
}

static int compare_region_entries(const void *a, const void *b)
{
	const struct region_entry *x = a, *y = b;

	if (x->region.start != y->region.start)
		return x->region.start < y->region.start ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return pos_before(x->pos, y->pos) ? -1 : pos_before(y->pos, x->pos);
}

/*
 * The kernel merges regions of one type that overlap or touch, so sysfs never shows two such
 * lines; a scenario may not either. Entries are sorted by start.
 */
static int check_regions(struct loader *ld, const struct region_entry *entries, size_t count)
{
	/* Per type, the entry reaching furthest so far: what the kernel would merge into. */
	size_t last_of_type[REGION_TYPE_COUNT] = { 0 };
	bool have_type[REGION_TYPE_COUNT] = { false };

	for (size_t i = 0; i < count; i++) {
		const struct region_entry *entry = &entries[i];
		const struct region_entry *previous = &entries[last_of_type[entry->rank]];

		if (have_type[entry->rank] && (previous->region.end == UINT64_MAX ||
					       entry->region.start <= previous->region.end + 1)) {
			const struct region_entry *later =
				pos_before(previous->pos, entry->pos) ? entry : previous;
			const struct region_entry *other = later == entry ? previous : entry;

			note(ld, later->pos,
			     "reserved region 0x%llx..0x%llx overlaps or adjoins 0x%llx..0x%llx, "
			     "also %s (the kernel shows such regions merged: write them as one)",
			     (unsigned long long)later->region.start,
			     (unsigned long long)later->region.end,
			     (unsigned long long)other->region.start,
			     (unsigned long long)other->region.end, entry->region.type);
		}
		if (!have_type[entry->rank] || entry->region.end > previous->region.end) {
			last_of_type[entry->rank] = i;
			have_type[entry->rank] = true;
		}
	}
	return report_noted(ld);
}

static int read_regions(struct loader *ld, struct group_entry *group)
{
	struct src_pos start = event_pos(ld);
	struct region_entry *entries = NULL;
	size_t count = 0, capacity = 0;
	char where[64];
	int more, rc = -1;

	snprintf(where, sizeof(where), "in 'reserved_regions' entry of group %d", (int)group->id);
	if (open_sequence(ld, "'reserved_regions'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		if (count == capacity) {
			struct region_entry *grown = grow_array(entries, &capacity, sizeof(*grown));

			if (!grown) {
				fail_out_of_memory(ld);
				goto out;
			}
			entries = grown;
		}
		memset(&entries[count], 0, sizeof(entries[count]));
		if (read_region(ld, where, &entries[count]) != 0)
			goto out;
		count++;
	}
	if (more < 0)
		goto out;
	if (count == 0) {
		fail(ld, start,
		     "'reserved_regions' must not be empty (leave it out for the x86 "
		     "default, one msi region)");
		goto out;
	}
	qsort(entries, count, sizeof(*entries), compare_region_entries);
	if (check_regions(ld, entries, count) != 0)
		goto out;
	group->regions = malloc(count * sizeof(*group->regions));
	if (!group->regions) {
		fail_out_of_memory(ld);
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		group->regions[i] = entries[i].region;
	group->n_regions = count;
	rc = 0;
out:
	free(entries);
	return rc;
}

enum group_key { GROUP_TYPE, GROUP_NOIOMMU, GROUP_RESERVED_REGIONS, GROUP_KEY_COUNT };

static int read_group(struct loader *ld, struct group_entry *entry)
{
	static const char *const keys[GROUP_KEY_COUNT] = {
		[GROUP_TYPE] = "type",
		[GROUP_NOIOMMU] = "noiommu",
		[GROUP_RESERVED_REGIONS] = "reserved_regions",
	};
	struct src_pos seen[GROUP_KEY_COUNT] = { { 0, 0 } };
	char label[32], where[32];
	int more;

	snprintf(label, sizeof(label), "group %d", (int)entry->id);
	snprintf(where, sizeof(where), "in group %d", (int)entry->id);
	if (open_mapping(ld, label) != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		const char *text;

		if (take_key(ld, keys, GROUP_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		if (key == GROUP_NOIOMMU) {
			if (value_bool(ld, "'noiommu'", &entry->noiommu) != 0)
				return -1;
			continue;
		}
		if (key == GROUP_RESERVED_REGIONS) {
			if (read_regions(ld, entry) != 0)
				return -1;
			continue;
		}
		if (value_string(ld, "'type'", &text) != 0)
			return -1;
		if (!iommu_group_type_parse(text, &entry->type))
			return fail(
				ld, event_pos(ld),
				"unknown IOMMU group type '%s' (expected DMA, DMA-FQ, identity, "
				"unmanaged, blocked or unknown)",
				shown(ld, text));
	}
	if (more < 0)
		return -1;
	if (!entry->noiommu)
		return 0;
	/* A no-IOMMU group has no domain, so its type reads "unknown", and no regions. */
	for (size_t key = 0; key < GROUP_KEY_COUNT; key++) {
		if (key == GROUP_NOIOMMU || !seen[key].line)
			continue;
		/* Whichever of the two comes second is the one in the way. */
		note(ld,
		     pos_before(seen[key], seen[GROUP_NOIOMMU]) ? seen[GROUP_NOIOMMU] : seen[key],
		     "group %d has both 'noiommu' and '%s'", (int)entry->id, keys[key]);
	}
	entry->type = IOMMU_TYPE_UNKNOWN;
	return report_noted(ld);
}

static int read_groups(struct loader *ld)
{
	int more;

	if (open_mapping(ld, "'groups'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		struct group_entry *entry;
		struct src_pos key_pos = event_pos(ld), first;
		long long id;
		int seen;

		if (value_integer(ld, "group number", 0, INT32_MAX, &id) != 0)
			return -1;
		seen = pos_set_add(&ld->group_set, (uint64_t)id, key_pos, &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		if (seen)
			return fail(ld, key_pos, "duplicate group %lld (first at %u:%u)", id,
				    first.line, first.column);
		if (ld->n_group_entries == ld->group_entries_capacity) {
			struct group_entry *grown = grow_array(
				ld->group_entries, &ld->group_entries_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			ld->group_entries = grown;
		}
		entry = &ld->group_entries[ld->n_group_entries++];
		memset(entry, 0, sizeof(*entry));
		entry->id = (int32_t)id;
		entry->type = IOMMU_TYPE_DMA_FQ;
		entry->pos = key_pos;
		if (next_event(ld) != 0 || read_group(ld, entry) != 0)
			return -1;
	}
	return more < 0 ? -1 : 0;
}

static int read_host(struct loader *ld)
{
	static const char *const keys[] = { "cpus", "numa_nodes", "vfio_cdev" };
	struct src_pos seen[3] = { { 0, 0 } };
	struct topo_host *host = &ld->sc.topo.host;
	struct src_pos numa_nodes_pos = { 0, 0 };
	int more;

	if (open_mapping(ld, "'host'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		long long value;

		if (take_key(ld, keys, 3, seen, "in host", &key) != 0 || next_event(ld) != 0)
			return -1;
		if (key == 2) {
			if (value_bool(ld, "'vfio_cdev'", &host->vfio_cdev) != 0)
				return -1;
		} else if (key == 0) {
			if (value_integer(ld, "'cpus'", 1, CPUS_MAX, &value) != 0)
				return -1;
			host->cpus = (uint32_t)value;
		} else {
			if (value_integer(ld, "'numa_nodes'", 1, NUMA_NODES_MAX, &value) != 0)
				return -1;
			host->numa_nodes = (uint32_t)value;
			numa_nodes_pos = event_pos(ld);
		}
	}
	if (more < 0)
		return -1;
	if (host->cpus < host->numa_nodes)
		return fail(ld, numa_nodes_pos, "host has %u cpus, fewer than its %u numa_nodes",
			    host->cpus, host->numa_nodes);
	return 0;
}

static int read_drivers(struct loader *ld)
{
	int more;

	if (open_sequence(ld, "'drivers'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		struct name_table *table = &ld->driver_names;
		int32_t index;

		if (value_driver(ld, "'drivers' entry", &index) != 0)
			return -1;
		if (table->listed[index].line)
			return fail(ld, event_pos(ld), "duplicate driver '%s' (first at %u:%u)",
				    table->names[index], table->listed[index].line,
				    table->listed[index].column);
		table->listed[index] = event_pos(ld);
	}
	return more < 0 ? -1 : 0;
}

static int read_root_buses(struct loader *ld)
{
	int more;

	if (open_sequence(ld, "'root_buses'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		struct topo_root_bus bus;
		struct src_pos first;
		const char *text;
		int seen;

		if (value_string(ld, "'root_buses' entry", &text) != 0)
			return -1;
		if (!parse_root_bus(text, &bus))
			return fail(ld, event_pos(ld), "malformed root bus '%s' (expected DDDD:BB)",
				    shown(ld, text));
		seen = pos_set_add(&ld->root_set, (uint64_t)bus.domain << 8 | bus.bus,
				   event_pos(ld), &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		if (seen)
			return fail(ld, event_pos(ld),
				    "duplicate root bus %04x:%02x (first at %u:%u)",
				    (unsigned)bus.domain, bus.bus, first.line, first.column);
		if (ld->n_roots == ld->roots_capacity) {
			struct root_entry *grown =
				grow_array(ld->roots, &ld->roots_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			ld->roots = grown;
		}
		ld->roots[ld->n_roots].bus = bus;
		ld->roots[ld->n_roots].pos = event_pos(ld);
		ld->n_roots++;
	}
	return more < 0 ? -1 : 0;
}

/* Refuses text, the current scalar, as an entry of a list; 0 when it is one. */
typedef int (*entry_check)(struct loader *ld, const char *text);

/* A list of strings, each taken by check: `sandbox` (the top-level one or a step's), `faults`. */
static int read_string_list(struct loader *ld, const char *label, entry_check check, char ***list,
			    size_t *count)
{
	size_t capacity = *count;
	char entry_label[32];
	int more;

	snprintf(entry_label, sizeof(entry_label), "%s entry", label);
	if (open_sequence(ld, label) != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		const char *text;

		if (value_string(ld, entry_label, &text) != 0 || check(ld, text) != 0)
			return -1;
		if (*count == capacity) {
			char **grown = grow_array(*list, &capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			*list = grown;
		}
		(*list)[*count] = strdup(text);
		if (!(*list)[*count])
			return fail_out_of_memory(ld);
		(*count)++;
	}
	return more < 0 ? -1 : 0;
}

static int check_sandbox_entry(struct loader *ld, const char *text)
{
	if (is_sandbox_path(text))
		return 0;
	return fail(ld, event_pos(ld),
		    "malformed sandbox entry '%s' (expected /dev/vfio/<N>, /dev/vfio/noiommu-<N>, "
		    "/dev/vfio/devices/vfio<X> or a PCI address)",
		    shown(ld, text));
}

/* A list of host paths handed to a sandbox: the top-level `sandbox`, or a step's. */
static int read_sandbox_list(struct loader *ld, char ***list, size_t *count)
{
	struct src_pos start = event_pos(ld);

	if (read_string_list(ld, "'sandbox'", check_sandbox_entry, list, count) != 0)
		return -1;
	if (*count == 0)
		return fail(ld, start, "'sandbox' must not be empty");
	return 0;
}

static int read_sandbox(struct loader *ld)
{
	return read_sandbox_list(ld, &ld->sc.sandbox, &ld->sc.n_sandbox);
}

/* A rule in the syntax of mount --fault, checked by the parser the mount uses. */
static int check_fault_entry(struct loader *ld, const char *text)
{
	char reason[256];

	if (!*text)
		return fail(ld, event_pos(ld), "'faults' entry must not be empty");
	if (!fault_rules_valid_text(text, reason, sizeof(reason)))
		return fail(ld, event_pos(ld), "fault rule: %s", reason);
	return 0;
}

static int read_faults(struct loader *ld)
{
	return read_string_list(ld, "'faults'", check_fault_entry, &ld->sc.faults,
				&ld->sc.n_faults);
}

static int read_ids(struct loader *ld, struct scenario_expect *outcome)
{
	struct src_pos start = event_pos(ld);
	size_t capacity = 0;
	int more;

	if (open_sequence(ld, "'ids'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		if (outcome->n_ids == capacity) {
			char **grown = grow_array(outcome->ids, &capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			outcome->ids = grown;
		}
		if (value_copy(ld, "'ids' entry", false, &outcome->ids[outcome->n_ids]) != 0)
			return -1;
		outcome->n_ids++;
	}
	if (more < 0)
		return -1;
	if (outcome->n_ids == 0)
		return fail(ld, start, "'ids' must not be empty");
	return 0;
}

enum outcome_key { OUTCOME_IDS, OUTCOME_ERROR, OUTCOME_PREFIX, OUTCOME_KEY_COUNT };

static int read_outcome(struct loader *ld, struct scenario_expect *outcome)
{
	static const char *const keys[OUTCOME_KEY_COUNT] = {
		[OUTCOME_IDS] = "ids",
		[OUTCOME_ERROR] = "error",
		[OUTCOME_PREFIX] = "prefix",
	};
	struct src_pos seen[OUTCOME_KEY_COUNT] = { { 0, 0 } };
	char label[32], where[32];
	int more;

	snprintf(label, sizeof(label), "expect '%s'", outcome->scheme);
	snprintf(where, sizeof(where), "in expect '%s'", outcome->scheme);
	if (open_mapping(ld, label) != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		int rc;

		if (take_key(ld, keys, OUTCOME_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		if (key == OUTCOME_IDS)
			rc = read_ids(ld, outcome);
		else if (key == OUTCOME_ERROR)
			rc = value_copy(ld, "'error'", false, &outcome->error);
		else
			rc = value_copy(ld, "'prefix'", true, &outcome->prefix);
		if (rc != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (seen[OUTCOME_IDS].line && seen[OUTCOME_ERROR].line)
		return fail(ld, later(seen[OUTCOME_IDS], seen[OUTCOME_ERROR]),
			    "expect '%s' has both 'ids' and 'error'", outcome->scheme);
	if (!seen[OUTCOME_IDS].line && !seen[OUTCOME_ERROR].line)
		return fail(ld, outcome->pos, "expect '%s' needs 'ids' or 'error'",
			    outcome->scheme);
	return 0;
}

/* The schemes an outcome is for (`expect` keys, `name` steps), as vfio-naming spells them. */
#define N_NAMING_SCHEMES 2
static const char *const naming_schemes[N_NAMING_SCHEMES] = { "index", "group-index" };

/* Where text is in naming_schemes, or N_NAMING_SCHEMES. */
static size_t naming_scheme_index(const char *text)
{
	size_t scheme = 0;

	while (scheme < N_NAMING_SCHEMES && strcmp(naming_schemes[scheme], text) != 0)
		scheme++;
	return scheme;
}

static int read_expect(struct loader *ld)
{
	struct src_pos seen[N_NAMING_SCHEMES] = { { 0, 0 } };
	struct scenario *sc = &ld->sc;
	int more;

	if (open_mapping(ld, "'expect'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		struct scenario_expect *outcome;
		const char *text = scalar_text(ld);
		size_t scheme = naming_scheme_index(text);

		if (scheme == N_NAMING_SCHEMES)
			return fail(ld, event_pos(ld),
				    "unknown scheme '%s' in expect (expected index or group-index)",
				    shown(ld, text));
		if (take_key(ld, naming_schemes, N_NAMING_SCHEMES, seen, "in expect", &scheme) != 0)
			return -1;
		if (sc->n_expect == ld->expect_capacity) {
			struct scenario_expect *grown =
				grow_array(sc->expect, &ld->expect_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			sc->expect = grown;
		}
		outcome = &sc->expect[sc->n_expect++];
		memset(outcome, 0, sizeof(*outcome));
		outcome->pos = event_pos(ld);
		outcome->scheme = strdup(naming_schemes[scheme]);
		if (!outcome->scheme)
			return fail_out_of_memory(ld);
		if (next_event(ld) != 0 || read_outcome(ld, outcome) != 0)
			return -1;
	}
	return more < 0 ? -1 : 0;
}

/*
 * "sys/..." or "dev/...": names of 1..255 bytes, no "." or "..", no empty name. The paths of
 * verbatim entries and of steps (past their leading '/') follow it.
 */
static const char *verbatim_path_problem(const char *path)
{
	size_t len = strlen(path);

	if (len > VERBATIM_PATH_MAX)
		return "is too long";
	if (strncmp(path, "sys/", 4) != 0 && strncmp(path, "dev/", 4) != 0)
		return "must start with sys/ or dev/";
	for (const char *name = path; *name;) {
		const char *end = strchr(name, '/');
		if (!end)
			end = name + strlen(name);
		size_t n = (size_t)(end - name);

		if (n == 0)
			return "has an empty name (a doubled or trailing '/')";
		if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
			return "may not contain '.' or '..'";
		if (n > VERBATIM_NAME_MAX)
			return "has a name longer than 255 bytes";
		name = *end ? end + 1 : end;
		if (*end && !*name)
			return "has an empty name (a doubled or trailing '/')";
	}
	return NULL;
}

/* ---- steps ----------------------------------------------------------------------------- */

/* What a step may say besides its action. */
enum step_key {
	STEP_KEY_DRIVER,
	STEP_KEY_VALUE,
	STEP_KEY_VF_COUNT,
	STEP_KEY_ERRNO,
	STEP_KEY_IDS,
	STEP_KEY_ERROR,
	STEP_KEY_PREFIX,
	STEP_KEY_SANDBOX,
	STEP_KEY_COUNT
};
#define KEY(k) (1u << STEP_KEY_##k)

enum step_target { TARGET_PATH, TARGET_DEVICE, TARGET_DEVICE_OR_ALL, TARGET_SCHEME };

/* Each action: what its value names, and which other keys it takes. */
static const struct step_verb {
	const char *name;
	enum step_target target;
	unsigned required;
	unsigned allowed;
} step_verbs[STEP_KIND_COUNT] = {
	[STEP_WRITE] = { "write", TARGET_PATH, KEY(VALUE), KEY(VALUE) | KEY(ERRNO) },
	[STEP_BIND] = { "bind", TARGET_DEVICE, KEY(DRIVER), KEY(DRIVER) | KEY(ERRNO) },
	[STEP_UNBIND] = { "unbind", TARGET_DEVICE, 0, KEY(ERRNO) },
	[STEP_OVERRIDE] = { "override", TARGET_DEVICE, KEY(DRIVER), KEY(DRIVER) | KEY(ERRNO) },
	[STEP_PROBE] = { "probe", TARGET_DEVICE, 0, KEY(ERRNO) },
	[STEP_NUMVFS] = { "numvfs", TARGET_DEVICE, KEY(VF_COUNT), KEY(VF_COUNT) | KEY(ERRNO) },
	[STEP_REMOVE] = { "remove", TARGET_DEVICE, 0, KEY(ERRNO) },
	[STEP_RESCAN] = { "rescan", TARGET_DEVICE_OR_ALL, 0, KEY(ERRNO) },
	[STEP_PLUG] = { "plug", TARGET_DEVICE, 0, KEY(ERRNO) },
	[STEP_UNPLUG] = { "unplug", TARGET_DEVICE, 0, KEY(ERRNO) },
	[STEP_EXISTS] = { "exists", TARGET_PATH, 0, 0 },
	[STEP_ABSENT] = { "absent", TARGET_PATH, 0, 0 },
	/* One of value and errno: checked apart. */
	[STEP_READ] = { "read", TARGET_PATH, 0, KEY(VALUE) | KEY(ERRNO) },
	/* One of ids and error: likewise. */
	[STEP_NAME] = { "name", TARGET_SCHEME, 0,
			KEY(IDS) | KEY(ERROR) | KEY(PREFIX) | KEY(SANDBOX) },
};

static const char *const step_key_names[STEP_KEY_COUNT] = {
	[STEP_KEY_DRIVER] = "driver", [STEP_KEY_VALUE] = "value",     [STEP_KEY_VF_COUNT] = "count",
	[STEP_KEY_ERRNO] = "errno",   [STEP_KEY_IDS] = "ids",	      [STEP_KEY_ERROR] = "error",
	[STEP_KEY_PREFIX] = "prefix", [STEP_KEY_SANDBOX] = "sandbox",
};

const char *scenario_step_name(enum scenario_step_kind kind)
{
	return kind < STEP_KIND_COUNT ? step_verbs[kind].name : "?";
}

static void free_step(struct scenario_step *step)
{
	free(step->target);
	free(step->driver);
	free(step->value);
	free(step->outcome.scheme);
	free(step->outcome.prefix);
	for (size_t i = 0; i < step->outcome.n_ids; i++)
		free(step->outcome.ids[i]);
	free(step->outcome.ids);
	free(step->outcome.error);
	for (size_t i = 0; i < step->n_sandbox; i++)
		free(step->sandbox[i]);
	free(step->sandbox);
}

/* The value of a step's action: a path as programs see it, a device, or a naming scheme. */
static int read_step_target(struct loader *ld, struct scenario_step *step)
{
	const struct step_verb *verb = &step_verbs[step->kind];
	struct pci_addr addr;
	const char *text, *problem;
	char label[24];

	snprintf(label, sizeof(label), "'%s'", verb->name);
	if (value_nonempty_string(ld, label, &text) != 0)
		return -1;
	switch (verb->target) {
	case TARGET_PATH:
		if (strncmp(text, "/sys/", 5) != 0 && strncmp(text, "/dev/", 5) != 0)
			return fail(ld, event_pos(ld),
				    "%s must be a path under /sys/ or /dev/, not '%s'", label,
				    shown(ld, text));
		/* Past its '/', the rules of a verbatim path; short enough to join to a root. */
		problem = strlen(text) >= PATH_MAX / 2 ? "is too long"
						       : verbatim_path_problem(text + 1);
		if (problem)
			return fail(ld, event_pos(ld), "%s path '%s' %s", label, shown(ld, text),
				    problem);
		break;
	case TARGET_DEVICE_OR_ALL:
		if (strcmp(text, "all") == 0)
			break;
		/* fall through */
	case TARGET_DEVICE:
		if (!pci_addr_parse(text, &addr))
			return fail(ld, event_pos(ld), "%s must be a PCI address%s, not '%s'",
				    label, verb->target == TARGET_DEVICE ? "" : " or all",
				    shown(ld, text));
		break;
	case TARGET_SCHEME:
		if (naming_scheme_index(text) == N_NAMING_SCHEMES)
			return fail(ld, event_pos(ld),
				    "unknown scheme '%s' (expected index or group-index)",
				    shown(ld, text));
		if (!(step->outcome.scheme = strdup(text)))
			return fail_out_of_memory(ld);
		break;
	}
	step->target = strdup(text);
	return step->target ? 0 : fail_out_of_memory(ld);
}

static int read_step_value(struct loader *ld, struct scenario_step *step, enum step_key key)
{
	const char *text;
	long long count;

	switch (key) {
	case STEP_KEY_DRIVER:
		/* Empty only for override: checked with the action, which may come later. */
		return value_copy(ld, "'driver'", true, &step->driver);
	case STEP_KEY_VALUE:
		return value_copy(ld, "'value'", true, &step->value);
	case STEP_KEY_VF_COUNT:
		if (value_integer(ld, "'count'", 0, UINT16_MAX, &count) != 0)
			return -1;
		step->count = (unsigned)count;
		return 0;
	case STEP_KEY_ERRNO:
		if (value_nonempty_string(ld, "'errno'", &text) != 0)
			return -1;
		if (!(step->error = errno_by_name(text)))
			return fail(ld, event_pos(ld), "unknown errno '%s' (a name such as EBUSY)",
				    shown(ld, text));
		return 0;
	case STEP_KEY_IDS:
		return read_ids(ld, &step->outcome);
	case STEP_KEY_ERROR:
		return value_copy(ld, "'error'", false, &step->outcome.error);
	case STEP_KEY_PREFIX:
		return value_copy(ld, "'prefix'", true, &step->outcome.prefix);
	default:
		return read_sandbox_list(ld, &step->sandbox, &step->n_sandbox);
	}
}

/* The keys the action takes, all it needs, and one of the two alternatives where it has one. */
static int check_step(struct loader *ld, const struct scenario_step *step,
		      const struct src_pos *seen)
{
	const struct step_verb *verb = &step_verbs[step->kind];
	enum step_key either = STEP_KEY_VALUE, or = STEP_KEY_ERRNO;

	for (size_t k = 0; k < STEP_KEY_COUNT; k++) {
		if (seen[k].line && !(verb->allowed & (1u << k)))
			return fail(ld, seen[k], "'%s' does not go with '%s'", step_key_names[k],
				    verb->name);
		if (!seen[k].line && (verb->required & (1u << k)))
			return fail(ld, step->pos, "'%s' needs '%s'", verb->name,
				    step_key_names[k]);
	}
	if (step->driver && !*step->driver && step->kind != STEP_OVERRIDE)
		return fail(ld, seen[STEP_KEY_DRIVER], "'driver' must not be empty");
	if (step->kind == STEP_NAME) {
		either = STEP_KEY_IDS;
		or = STEP_KEY_ERROR;
	} else if (step->kind != STEP_READ) {
		return 0;
	}
	if (seen[either].line && seen[or].line)
		return fail(ld, later(seen[either], seen[or]), "'%s' takes '%s' or '%s', not both",
			    verb->name, step_key_names[either], step_key_names[or]);
	if (!seen[either].line && !seen[or].line)
		return fail(ld, step->pos, "'%s' needs '%s' or '%s'", verb->name,
			    step_key_names[either], step_key_names[or]);
	return 0;
}

/* A step: a mapping with one action key (its value the target) and the keys that action takes. */
static int read_step(struct loader *ld, struct scenario_step *step)
{
	enum { N_KEYS = STEP_KIND_COUNT + STEP_KEY_COUNT }; /* the actions, then the others */
	const char *keys[N_KEYS];
	struct src_pos seen[N_KEYS] = { { 0, 0 } };
	bool has_action = false;
	int more;

	for (size_t i = 0; i < STEP_KIND_COUNT; i++)
		keys[i] = step_verbs[i].name;
	for (size_t i = 0; i < STEP_KEY_COUNT; i++)
		keys[STEP_KIND_COUNT + i] = step_key_names[i];
	step->pos = event_pos(ld);
	if (open_mapping(ld, "a step") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;

		if (take_key(ld, keys, N_KEYS, seen, "in a step", &key) != 0)
			return -1;
		if (key < STEP_KIND_COUNT && has_action)
			return fail(ld, event_pos(ld), "a step has one action: '%s' and '%s'",
				    step_verbs[step->kind].name, keys[key]);
		if (next_event(ld) != 0)
			return -1;
		if (key < STEP_KIND_COUNT) {
			has_action = true;
			step->kind = (enum scenario_step_kind)key;
			if (read_step_target(ld, step) != 0)
				return -1;
		} else if (read_step_value(ld, step, (enum step_key)(key - STEP_KIND_COUNT)) != 0) {
			return -1;
		}
	}
	if (more < 0)
		return -1;
	if (!has_action)
		return fail(ld, step->pos,
			    "a step needs an action: write, bind, unbind, override, probe, numvfs, "
			    "remove, rescan, plug, unplug, exists, absent, read or name");
	return check_step(ld, step, seen + STEP_KIND_COUNT);
}

static int read_steps(struct loader *ld)
{
	struct scenario *sc = &ld->sc;
	struct src_pos start = event_pos(ld);
	int more;

	if (open_sequence(ld, "'steps'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		if (sc->n_steps == ld->steps_capacity) {
			struct scenario_step *grown =
				grow_array(sc->steps, &ld->steps_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			sc->steps = grown;
		}
		struct scenario_step *step = &sc->steps[sc->n_steps++];
		memset(step, 0, sizeof(*step));
		if (read_step(ld, step) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (sc->n_steps == 0)
		return fail(ld, start, "'steps' must not be empty");
	return 0;
}

/* ---- verbatim entries ------------------------------------------------------------------ */

/* Permission bits as `stat -c %a` prints them: 1 to 4 octal digits, e.g. 644 or 0644. */
static int value_mode(struct loader *ld, const char *label, uint16_t *out)
{
	const char *text;
	unsigned value = 0;
	size_t digits = 0;

	if (value_string(ld, label, &text) != 0)
		return -1;
	for (const char *p = text; *p >= '0' && *p <= '7'; p++, digits++)
		value = value << 3 | (unsigned)(*p - '0');
	if (digits == 0 || digits > 4 || text[digits] != '\0')
		return fail(ld, event_pos(ld),
			    "%s must be octal permission bits like 0644, not '%s'", label,
			    shown(ld, text));
	*out = (uint16_t)value;
	return 0;
}

/* `hex`: byte pairs, whitespace anywhere between them. */
static int read_verbatim_hex(struct loader *ld, struct verbatim_entry *entry)
{
	const char *text = scalar_text(ld);
	size_t count = 0;

	entry->data = malloc(strlen(text) / 2 + 1);
	if (!entry->data)
		return fail_out_of_memory(ld);
	for (const char *p = text; *p;) {
		uint32_t value;

		if (is_config_space(*p)) {
			p++;
			continue;
		}
		if (!parse_fixed_hex(p, 2, &value))
			return fail(ld, event_pos(ld),
				    "'hex' holds '%s' where two hex digits belong (byte %zu)",
				    shown_token(ld, p, strnlen(p, 2)), count);
		entry->data[count++] = (unsigned char)value;
		p += 2;
	}
	entry->len = count;
	return 0;
}

enum verbatim_key {
	VERBATIM_KEY_TEXT,
	VERBATIM_KEY_HEX,
	VERBATIM_KEY_ERROR,
	VERBATIM_KEY_LINK,
	VERBATIM_KEY_DIR,
	VERBATIM_KEY_CHAR,
	VERBATIM_KEY_MODE,
	VERBATIM_KEY_SIZE,
	VERBATIM_KEY_COUNT
};

static int read_verbatim_value(struct loader *ld, struct verbatim_entry *entry,
			       enum verbatim_key key)
{
	const char *text;
	long long number;
	unsigned major, minor;
	int end;

	if (key == VERBATIM_KEY_TEXT || key == VERBATIM_KEY_HEX || key == VERBATIM_KEY_LINK) {
		/* Two of them are refused when the mapping ends; until then the last one holds. */
		free(entry->data);
		entry->data = NULL;
		entry->len = 0;
	}
	switch (key) {
	case VERBATIM_KEY_TEXT:
		if (value_string(ld, "'text'", &text) != 0)
			return -1;
		entry->len = ld->event->length;
		entry->data = malloc(entry->len + 1);
		if (!entry->data)
			return fail_out_of_memory(ld);
		memcpy(entry->data, text, entry->len + 1);
		return 0;
	case VERBATIM_KEY_HEX:
		if (value_string(ld, "'hex'", &text) != 0)
			return -1;
		return read_verbatim_hex(ld, entry);
	case VERBATIM_KEY_ERROR:
		if (value_string(ld, "'error'", &text) != 0)
			return -1;
		entry->error = verbatim_error_parse(text);
		if (!entry->error)
			return fail(ld, event_pos(ld),
				    "'error' must be an errno name such as EIO or EACCES, not '%s'",
				    shown(ld, text));
		return 0;
	case VERBATIM_KEY_LINK:
		if (value_nonempty_string(ld, "'link'", &text) != 0)
			return -1;
		if (strlen(text) > VERBATIM_PATH_MAX)
			return fail(ld, event_pos(ld), "'link' is longer than %u bytes",
				    VERBATIM_PATH_MAX);
		entry->data = (unsigned char *)strdup(text);
		if (!entry->data)
			return fail_out_of_memory(ld);
		entry->len = strlen(text);
		return 0;
	case VERBATIM_KEY_DIR:
		return value_mode(ld, "'dir'", &entry->mode);
	case VERBATIM_KEY_CHAR:
		if (value_string(ld, "'char'", &text) != 0)
			return -1;
		end = 0;
		if (sscanf(text, "%u:%u%n", &major, &minor, &end) != 2 || text[end] != '\0' ||
		    !is_decimal(text[0]) || major > 4095 || minor > 1048575)
			return fail(ld, event_pos(ld),
				    "'char' must be MAJOR:MINOR (decimal, at most 4095:1048575), "
				    "not '%s'",
				    shown(ld, text));
		entry->major = major;
		entry->minor = minor;
		return 0;
	case VERBATIM_KEY_MODE:
		return value_mode(ld, "'mode'", &entry->mode);
	case VERBATIM_KEY_SIZE:
	default:
		if (value_integer(ld, "'size'", 0, 1LL << 40, &number) != 0)
			return -1;
		entry->size = (uint64_t)number;
		return 0;
	}
}

/* One entry's value: `absent`, or a mapping naming what is there. */
static int read_verbatim_entry(struct loader *ld, struct verbatim_entry *entry)
{
	static const char *const keys[VERBATIM_KEY_COUNT] = {
		[VERBATIM_KEY_TEXT] = "text",	[VERBATIM_KEY_HEX] = "hex",
		[VERBATIM_KEY_ERROR] = "error", [VERBATIM_KEY_LINK] = "link",
		[VERBATIM_KEY_DIR] = "dir",	[VERBATIM_KEY_CHAR] = "char",
		[VERBATIM_KEY_MODE] = "mode",	[VERBATIM_KEY_SIZE] = "size",
	};
	struct src_pos seen[VERBATIM_KEY_COUNT] = { { 0, 0 } };
	struct src_pos at_entry = event_pos(ld);
	int more, kinds = 0;

	if (at(ld, YAML_SCALAR_EVENT) && strcmp(scalar_text(ld), "absent") == 0) {
		entry->kind = VERBATIM_ABSENT;
		return 0;
	}
	if (!at(ld, YAML_MAPPING_START_EVENT))
		return fail(ld, at_entry,
			    "a verbatim entry must be 'absent' or a mapping with one of text, "
			    "hex, error, link, dir or char");
	ld->scalar_max = 3 * VERBATIM_DATA_MAX;
	while ((more = next_key(ld)) == 1) {
		size_t key;

		if (take_key(ld, keys, VERBATIM_KEY_COUNT, seen, "in a verbatim entry", &key) !=
			    0 ||
		    next_event(ld) != 0 ||
		    read_verbatim_value(ld, entry, (enum verbatim_key)key) != 0)
			return -1;
	}
	ld->scalar_max = SCALAR_MAX;
	if (more < 0)
		return -1;
	for (size_t key = VERBATIM_KEY_TEXT; key <= VERBATIM_KEY_CHAR; key++)
		kinds += seen[key].line != 0;
	/* text, hex and error are one kind: a file (error is what reading it gives). */
	bool content = seen[VERBATIM_KEY_TEXT].line || seen[VERBATIM_KEY_HEX].line;
	if (content && seen[VERBATIM_KEY_ERROR].line)
		kinds--;
	if (kinds != 1 || (seen[VERBATIM_KEY_TEXT].line && seen[VERBATIM_KEY_HEX].line))
		return fail(ld, at_entry,
			    "a verbatim entry needs exactly one of text, hex (either may come "
			    "with error), error, link, dir or char");
	if (seen[VERBATIM_KEY_LINK].line || seen[VERBATIM_KEY_DIR].line ||
	    seen[VERBATIM_KEY_CHAR].line) {
		if (seen[VERBATIM_KEY_SIZE].line)
			return fail(ld, seen[VERBATIM_KEY_SIZE], "only files have a 'size'");
		if (seen[VERBATIM_KEY_LINK].line && seen[VERBATIM_KEY_MODE].line)
			return fail(ld, seen[VERBATIM_KEY_MODE],
				    "a link has no mode of its own (it is always 0777)");
		if (seen[VERBATIM_KEY_DIR].line && seen[VERBATIM_KEY_MODE].line)
			return fail(ld, seen[VERBATIM_KEY_MODE],
				    "a directory's mode is the value of 'dir'");
	}
	if (seen[VERBATIM_KEY_LINK].line) {
		entry->kind = VERBATIM_LINK;
	} else if (seen[VERBATIM_KEY_DIR].line) {
		entry->kind = VERBATIM_DIR;
	} else if (seen[VERBATIM_KEY_CHAR].line) {
		entry->kind = VERBATIM_CHAR;
		if (!seen[VERBATIM_KEY_MODE].line)
			entry->mode = 0600;
	} else {
		entry->kind = VERBATIM_FILE;
		if (!seen[VERBATIM_KEY_MODE].line)
			entry->mode = 0444;
		if (!seen[VERBATIM_KEY_SIZE].line)
			entry->size = SYSFS_PAGE_SIZE;
		if (entry->len > VERBATIM_DATA_MAX)
			return fail(ld, at_entry, "a verbatim file holds at most %u bytes",
				    VERBATIM_DATA_MAX);
	}
	return 0;
}

static int compare_verbatim_paths(const void *a, const void *b)
{
	return strcmp(((const struct verbatim_entry *)a)->path,
		      ((const struct verbatim_entry *)b)->path);
}

/*
 * `verbatim`: path -> entry. Kept sorted by path, so that a directory comes before what is in
 * it whatever the file's order.
 */
static int read_verbatim(struct loader *ld)
{
	struct scenario *sc = &ld->sc;
	int more;

	if (open_mapping(ld, "'verbatim'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		const char *path = scalar_text(ld), *problem = verbatim_path_problem(path);
		struct verbatim_entry *entry;

		if (problem)
			return fail(ld, event_pos(ld), "verbatim path '%s' %s", shown(ld, path),
				    problem);
		if (sc->n_verbatim == ld->verbatim_capacity) {
			struct verbatim_entry *grown =
				grow_array(sc->verbatim, &ld->verbatim_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			sc->verbatim = grown;
		}
		entry = &sc->verbatim[sc->n_verbatim++];
		memset(entry, 0, sizeof(*entry));
		entry->pos = event_pos(ld);
		if (!(entry->path = strdup(path)))
			return fail_out_of_memory(ld);
		if (next_event(ld) != 0 || read_verbatim_entry(ld, entry) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	qsort(sc->verbatim, sc->n_verbatim, sizeof(*sc->verbatim), compare_verbatim_paths);
	for (size_t i = 1; i < sc->n_verbatim; i++) {
		const struct verbatim_entry *a = &sc->verbatim[i - 1], *b = &sc->verbatim[i];

		if (strcmp(a->path, b->path) == 0) {
			const struct verbatim_entry *later = pos_before(a->pos, b->pos) ? b : a;
			const struct verbatim_entry *first = later == b ? a : b;

			return fail(ld, later->pos, "duplicate verbatim path '%s' (first at %u:%u)",
				    shown(ld, later->path), first->pos.line, first->pos.column);
		}
	}
	return 0;
}

static bool is_scenario_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > SCENARIO_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool alnum = is_decimal(c) || (c >= 'a' && c <= 'z');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

static int read_scenario_name(struct loader *ld)
{
	const char *text;

	if (value_string(ld, "'scenario'", &text) != 0)
		return -1;
	if (!is_scenario_name(text))
		return fail(
			ld, event_pos(ld),
			"malformed scenario name '%s' (lower-case letters, digits, '.', '_' and "
			"'-', starting with a letter or digit; at most %d)",
			shown(ld, text), SCENARIO_NAME_MAX);
	ld->sc.name = strdup(text);
	return ld->sc.name ? 0 : fail_out_of_memory(ld);
}

enum top_key {
	TOP_SCENARIO,
	TOP_DESCRIPTION,
	TOP_HOST,
	TOP_DRIVERS,
	TOP_ROOT_BUSES,
	TOP_DEVICES,
	TOP_GROUPS,
	TOP_SANDBOX,
	TOP_EXPECT,
	TOP_VERBATIM,
	TOP_FAULTS,
	TOP_STEPS,
	TOP_KEY_COUNT
};

static int read_top(struct loader *ld)
{
	static const char *const keys[TOP_KEY_COUNT] = {
		[TOP_SCENARIO] = "scenario",
		[TOP_DESCRIPTION] = "description",
		[TOP_HOST] = "host",
		[TOP_DRIVERS] = "drivers",
		[TOP_ROOT_BUSES] = "root_buses",
		[TOP_DEVICES] = "devices",
		[TOP_GROUPS] = "groups",
		[TOP_SANDBOX] = "sandbox",
		[TOP_EXPECT] = "expect",
		[TOP_VERBATIM] = "verbatim",
		[TOP_FAULTS] = "faults",
		[TOP_STEPS] = "steps",
	};
	struct src_pos seen[TOP_KEY_COUNT] = { { 0, 0 } };
	int more;

	while ((more = next_key(ld)) == 1) {
		size_t key;
		int rc;

		if (take_key(ld, keys, TOP_KEY_COUNT, seen, "at top level", &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		switch ((enum top_key)key) {
		case TOP_SCENARIO:
			rc = read_scenario_name(ld);
			break;
		case TOP_DESCRIPTION:
			rc = value_copy(ld, "'description'", true, &ld->sc.description);
			break;
		case TOP_HOST:
			rc = read_host(ld);
			break;
		case TOP_DRIVERS:
			rc = read_drivers(ld);
			break;
		case TOP_ROOT_BUSES:
			rc = read_root_buses(ld);
			break;
		case TOP_DEVICES:
			rc = read_devices(ld);
			break;
		case TOP_GROUPS:
			rc = read_groups(ld);
			break;
		case TOP_SANDBOX:
			rc = read_sandbox(ld);
			break;
		case TOP_VERBATIM:
			rc = read_verbatim(ld);
			break;
		case TOP_FAULTS:
			rc = read_faults(ld);
			break;
		case TOP_STEPS:
			rc = read_steps(ld);
			break;
		default:
			rc = read_expect(ld);
			break;
		}
		if (rc != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	ld->scenario_pos = seen[TOP_SCENARIO];
	ld->devices_pos = seen[TOP_DEVICES];
	ld->sandbox_pos = seen[TOP_SANDBOX];
	ld->expect_pos = seen[TOP_EXPECT];
	return 0;
}

/* The whole stream: exactly one document whose top level is a mapping. */
static int read_stream(struct loader *ld)
{
	static const struct src_pos nowhere = { 0, 0 };

	if (next_event(ld) != 0 || next_event(ld) != 0) /* stream start, then document start */
		return -1;
	if (at(ld, YAML_STREAM_END_EVENT))
		return fail(ld, nowhere, "empty scenario");
	if (next_event(ld) != 0)
		return -1;
	if (at(ld, YAML_SCALAR_EVENT) && scalar_is_plain(ld) && scalar_text(ld)[0] == '\0')
		return fail(ld, nowhere, "empty scenario");
	if (!at(ld, YAML_MAPPING_START_EVENT))
		return fail(ld, event_pos(ld), "the top level must be a mapping");
	ld->top_pos = event_pos(ld);
	if (read_top(ld) != 0)
		return -1;
	if (next_event(ld) != 0 || next_event(ld) != 0) /* document end, then what follows */
		return -1;
	if (at(ld, YAML_DOCUMENT_START_EVENT))
		return fail(ld, event_pos(ld), "more than one document");
	return 0;
}

/* ---- whole-file checks and the model --------------------------------------------------- */

static int check_references(struct loader *ld)
{
	const struct topo_host *host = &ld->sc.topo.host;

	if (!ld->scenario_pos.line)
		return fail(ld, ld->top_pos, "missing 'scenario'");
	if (!ld->devices_pos.line)
		return fail(ld, ld->top_pos, "missing 'devices'");
	if (ld->expect_pos.line && !ld->sandbox_pos.line)
		return fail(ld, ld->expect_pos, "'expect' needs a 'sandbox' to name");
	for (size_t i = 0; i < ld->sc.n_steps; i++)
		if (ld->sc.steps[i].kind == STEP_NAME && !ld->sc.steps[i].sandbox &&
		    !ld->sandbox_pos.line)
			return fail(ld, ld->sc.steps[i].pos,
				    "'name' needs a 'sandbox', its own or the scenario's");
	/* Still in file order: the first offender is the earliest. */
	for (size_t i = 0; ld->max_numa_node >= (int32_t)host->numa_nodes && i < ld->n_fns; i++) {
		const struct topo_function *fn = &ld->fns[i].fn;

		if (fn->numa_node >= (int32_t)host->numa_nodes)
			return fail(
				ld, ld->fns[i].numa_pos,
				"'numa_node' %d is out of range (-1..%u, as host numa_nodes is %u)",
				(int)fn->numa_node, host->numa_nodes - 1, host->numa_nodes);
	}
	return 0;
}

static int compare_mdev_entries(const void *a, const void *b)
{
	const struct mdev_entry *x = a, *y = b;
	int order = strcmp(x->mdev.uuid, y->mdev.uuid);

	if (order)
		return order;
	return pos_before(x->uuid_pos, y->uuid_pos) ? -1 : pos_before(y->uuid_pos, x->uuid_pos);
}

/* Sorts the mdevs by uuid, as the model keeps them; a uuid may appear once in the file. */
static int check_mdev_uuids(struct loader *ld)
{
	size_t first = 0;

	if (ld->n_mdevs > 1)
		qsort(ld->mdevs, ld->n_mdevs, sizeof(*ld->mdevs), compare_mdev_entries);
	for (size_t i = 1; i < ld->n_mdevs; i++) {
		const struct mdev_entry *entry = &ld->mdevs[i];

		if (strcmp(entry->mdev.uuid, ld->mdevs[first].mdev.uuid) != 0) {
			first = i;
			continue;
		}
		note(ld, entry->uuid_pos, "duplicate mdev uuid %s (first at %u:%u)",
		     entry->mdev.uuid, ld->mdevs[first].uuid_pos.line,
		     ld->mdevs[first].uuid_pos.column);
	}
	return report_noted(ld);
}

static int compare_pending_fns(const void *a, const void *b)
{
	return pci_addr_compare(&((const struct pending_fn *)a)->fn.addr,
				&((const struct pending_fn *)b)->fn.addr);
}

static void make_vf(struct pending_fn *vf, const struct pending_fn *pf, uint32_t pf_index,
		    uint16_t vf_index, const struct pci_addr *addr)
{
	const struct topo_function *parent = &pf->fn;
	const struct topo_sriov *sriov = parent->sriov;
	struct topo_function *fn = &vf->fn;

	memset(vf, 0, sizeof(*vf));
	fn->addr = *addr;
	fn->present = true;
	fn->vendor = parent->vendor;
	fn->device = sriov->vf_device;
	fn->subsys_vendor = parent->subsys_vendor;
	fn->subsys_device = parent->subsys_device;
	fn->class_code = parent->class_code;
	fn->revision = parent->revision;
	fn->numa_node = parent->numa_node;
	fn->group = TOPO_NONE;
	fn->driver = TOPO_NONE;
	fn->parent = TOPO_NONE;
	fn->pcie = parent->pcie; /* the PF's port type and link */
	memcpy(fn->bars, sriov->vf_bars, sizeof(fn->bars));
	fn->physfn = TOPO_NONE; /* an index into the sorted functions, set after the sort */
	fn->vf_index = vf_index;
	fn->acpi_index = -1;
	fn->smbios_index = -1;
	fn->pos = pf->sriov_pos;
	vf->driver_name = pf->vf_driver_name;
	vf->group_id = pf->vf_groups == VF_GROUPS_SAME ? pf->group_id : TOPO_NONE;
	vf->vf_driver_name = TOPO_NONE;
	vf->is_vf = true;
	vf->pf = pf_index;
}

/*
 * Every VF a PF can enable becomes a function, at the kernel's addresses, which may spill onto
 * higher buses; the `num` enabled ones are present. The enabled ones come first, PF by PF in
 * file order, so the first PF whose enabled VFs do not fit is the one reported; the others
 * stop silently before the first that would not fit, which sriov_numvfs then refuses.
 */
static int materialize_vfs(struct loader *ld)
{
	size_t n_devices = ld->n_fns, n_vfs = 0;
	char name[PCI_ADDR_STRLEN], vf_name[PCI_ADDR_STRLEN];
	struct pci_addr addr;

	if (!ld->n_sriov)
		return 0;
	for (size_t i = 0; i < n_devices; i++)
		n_vfs += ld->fns[i].fn.sriov ? ld->fns[i].fn.sriov->total : 0;
	if (n_vfs == 0)
		return 0;
	if (fill_device_set(ld) != 0)
		return fail_out_of_memory(ld);
	if (n_devices + n_vfs > UINT32_MAX || n_devices + n_vfs > SIZE_MAX / sizeof(*ld->fns))
		return fail_out_of_memory(ld);
	if (n_devices + n_vfs > ld->fns_capacity) {
		struct pending_fn *grown = realloc(ld->fns, (n_devices + n_vfs) * sizeof(*grown));

		if (!grown)
			return fail_out_of_memory(ld);
		ld->fns = grown;
		ld->fns_capacity = n_devices + n_vfs;
	}
	for (size_t p = 0; p < n_devices; p++) {
		struct pending_fn *pf = &ld->fns[p];
		struct topo_sriov *sriov = pf->fn.sriov;

		if (!sriov || sriov->num == 0)
			continue;
		pci_addr_format(&pf->fn.addr, name);
		if (!topology_vf_address(&pf->fn, sriov->num - 1u, &addr)) {
			/* The first VF past bus 0xff. */
			uint64_t first =
				topology_routing_id(&pf->fn.addr) + (uint64_t)sriov->offset;
			uint64_t n = first > 0xffff ? 0
						    : (0x10000 - first + sriov->stride - 1) /
							      sriov->stride;

			return fail(ld, pf->sriov_pos,
				    "VF %llu of %s would be on bus 0x%llx, past the last bus 0xff",
				    (unsigned long long)n, name,
				    (unsigned long long)((first + sriov->stride * n) >> 8));
		}
		pf->first_vf = (uint32_t)ld->n_fns;
		for (uint32_t n = 0; n < sriov->num; n++) {
			struct src_pos taken;
			int seen;

			topology_vf_address(&pf->fn, n, &addr);
			seen = pos_set_add(&ld->device_set, device_key(&addr), pf->sriov_pos,
					   &taken);
			if (seen < 0)
				return fail_out_of_memory(ld);
			if (seen) {
				pci_addr_format(&addr, vf_name);
				return fail(
					ld, pf->sriov_pos,
					"VF %u of %s would be %s, which is already taken (first "
					"at %u:%u)",
					n, name, vf_name, taken.line, taken.column);
			}
			make_vf(&ld->fns[ld->n_fns++], pf, (uint32_t)p, (uint16_t)n, &addr);
		}
		sriov->possible = sriov->num;
	}
	/* The VFs not enabled yet, each PF's in one run after its enabled ones. */
	for (size_t p = 0; p < n_devices; p++) {
		struct pending_fn *pf = &ld->fns[p];
		struct topo_sriov *sriov = pf->fn.sriov;

		if (!sriov)
			continue;
		for (uint32_t n = sriov->num; n < sriov->total; n++) {
			struct src_pos taken;
			int seen = topology_vf_address(&pf->fn, n, &addr)
					   ? pos_set_add(&ld->device_set, device_key(&addr),
							 pf->sriov_pos, &taken)
					   : 1;

			if (seen < 0)
				return fail_out_of_memory(ld);
			if (seen)
				break;
			if (n == 0)
				pf->first_vf = (uint32_t)ld->n_fns;
			if (n == sriov->num)
				pf->first_idle_vf = (uint32_t)ld->n_fns;
			make_vf(&ld->fns[ld->n_fns], pf, (uint32_t)p, (uint16_t)n, &addr);
			ld->fns[ld->n_fns++].fn.present = false;
			sriov->possible = (uint16_t)(n + 1);
		}
	}
	return 0;
}

/* Sorts the functions by address and turns every file-order index into a sorted one. */
static int sort_functions(struct loader *ld)
{
	/* Files usually list devices in address order; addresses are unique, so there is only one
	 * order to sort into. Devices that came in order, without VFs after them, are sorted. */
	bool sorted = true;

	for (size_t i = 1; ld->device_set_filled && sorted && i < ld->n_fns; i++)
		sorted = pci_addr_compare(&ld->fns[i - 1].fn.addr, &ld->fns[i].fn.addr) < 0;
	ld->sorted_index = malloc((ld->n_fns ? ld->n_fns : 1) * sizeof(*ld->sorted_index));
	if (!ld->sorted_index)
		return fail_out_of_memory(ld);
	if (sorted) {
		for (size_t i = 0; i < ld->n_fns; i++)
			ld->sorted_index[i] = (uint32_t)i;
	} else {
		for (size_t i = 0; i < ld->n_fns; i++)
			ld->fns[i].order = (uint32_t)i;
		qsort(ld->fns, ld->n_fns, sizeof(*ld->fns), compare_pending_fns);
		for (size_t i = 0; i < ld->n_fns; i++)
			ld->sorted_index[ld->fns[i].order] = (uint32_t)i;
	}
	/* Only PFs and their VFs hold indices to turn. */
	for (size_t i = 0; ld->n_sriov && i < ld->n_fns; i++) {
		if (ld->fns[i].is_vf) {
			ld->fns[i].pf = ld->sorted_index[ld->fns[i].pf];
			ld->fns[i].fn.physfn = (int32_t)ld->fns[i].pf;
		}
	}
	for (size_t i = 0; ld->n_sriov && i < ld->n_fns; i++) {
		struct topo_sriov *sriov = ld->fns[i].fn.sriov;

		if (sriov && sriov->possible)
			sriov->first_vf = (int32_t)ld->sorted_index[ld->fns[i].first_vf];
	}
	return 0;
}

static int compare_bus_links(const void *a, const void *b)
{
	const struct bus_link *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	return x->bridge < y->bridge ? -1 : x->bridge > y->bridge;
}

static int compare_bus_link_bus(const void *a, const void *b)
{
	const struct bus_link *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return x->bus < y->bus ? -1 : x->bus > y->bus;
}

static int compare_root_buses(const void *a, const void *b)
{
	const struct topo_root_bus *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return x->bus < y->bus ? -1 : x->bus > y->bus;
}

static int compare_root_entries(const void *a, const void *b)
{
	return compare_root_buses(&((const struct root_entry *)a)->bus,
				  &((const struct root_entry *)b)->bus);
}

static const struct bus_link *find_link(const struct bus_link *links, size_t n_links,
					uint32_t domain, uint8_t bus)
{
	struct bus_link key = { domain, bus, 0 };

	return bsearch(&key, links, n_links, sizeof(*links), compare_bus_link_bus);
}

static bool is_listed_root(const struct loader *ld, uint32_t domain, uint8_t bus)
{
	struct root_entry key = { { domain, bus }, { 0, 0 } };

	return ld->n_roots &&
	       bsearch(&key, ld->roots, ld->n_roots, sizeof(*ld->roots), compare_root_entries);
}

/* (domain, secondary) of every bridge that has one, sorted; *n_links gets the count. */
static struct bus_link *collect_links(const struct loader *ld, bool given_only, size_t *n_links)
{
	struct bus_link *links = malloc((ld->n_fns ? ld->n_fns : 1) * sizeof(*links));
	size_t count = 0;

	if (!links)
		return NULL;
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct pending_fn *pending = &ld->fns[i];

		if (!pending->fn.is_bridge || (given_only && !pending->has_secondary))
			continue;
		links[count].domain = pending->fn.addr.domain;
		links[count].bus = pending->fn.secondary_bus;
		links[count].bridge = (uint32_t)i;
		count++;
	}
	qsort(links, count, sizeof(*links), compare_bus_links);
	*n_links = count;
	return links;
}

/*
 * VFs that spill past their PF's bus sit on virtual buses that nothing else may claim: no
 * bridge leads there and no root bus has that number. (Default secondaries avoid them.)
 */
static void check_vf_buses(struct loader *ld, const struct bus_link *links, size_t n_links)
{
	char pf_name[PCI_ADDR_STRLEN], vf_name[PCI_ADDR_STRLEN], bridge[PCI_ADDR_STRLEN];

	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct pending_fn *vf = &ld->fns[i];
		const struct pending_fn *pf = &ld->fns[vf->pf];
		const struct bus_link *link;

		if (!vf->is_vf || vf->fn.addr.bus == pf->fn.addr.bus)
			continue;
		link = find_link(links, n_links, vf->fn.addr.domain, vf->fn.addr.bus);
		if (!link && !is_listed_root(ld, vf->fn.addr.domain, vf->fn.addr.bus))
			continue;
		if (!vf->fn.present) {
			/* Not enabled: enabling stops short of it, as the kernel finds no bus. */
			if (pf->fn.sriov->possible > vf->fn.vf_index)
				pf->fn.sriov->possible = vf->fn.vf_index;
			continue;
		}
		pci_addr_format(&pf->fn.addr, pf_name);
		pci_addr_format(&vf->fn.addr, vf_name);
		if (link) {
			pci_addr_format(&ld->fns[link->bridge].fn.addr, bridge);
			note(ld, vf->fn.pos,
			     "VF %u of %s would be %s on bus %04x:%02x, which is the secondary bus "
			     "of bridge %s",
			     vf->fn.vf_index, pf_name, vf_name, (unsigned)vf->fn.addr.domain,
			     vf->fn.addr.bus, bridge);
		} else {
			note(ld, vf->fn.pos,
			     "VF %u of %s would be %s on bus %04x:%02x, which is a root bus",
			     vf->fn.vf_index, pf_name, vf_name, (unsigned)vf->fn.addr.domain,
			     vf->fn.addr.bus);
		}
	}
}

/* Given secondaries: no bus reached by two bridges, no listed root bus reached by a bridge. */
static int check_given_secondaries(struct loader *ld)
{
	size_t n_links;
	struct bus_link *links;
	char name[PCI_ADDR_STRLEN], other[PCI_ADDR_STRLEN];

	if (!ld->n_bridges && !ld->n_sriov) /* no secondary bus, and no VF off its PF's bus */
		return 0;
	links = collect_links(ld, true, &n_links);
	if (!links)
		return fail_out_of_memory(ld);
	for (size_t i = 1; i < n_links; i++) {
		const struct pending_fn *a = &ld->fns[links[i - 1].bridge];
		const struct pending_fn *b = &ld->fns[links[i].bridge];

		if (compare_bus_link_bus(&links[i - 1], &links[i]) != 0)
			continue;
		if (pos_before(b->secondary_pos, a->secondary_pos)) {
			const struct pending_fn *swap = a;

			a = b;
			b = swap;
		}
		pci_addr_format(&b->fn.addr, name);
		pci_addr_format(&a->fn.addr, other);
		note(ld, b->secondary_pos,
		     "'secondary' 0x%02x of bridge %s is already the secondary bus of bridge %s",
		     b->fn.secondary_bus, name, other);
	}
	for (size_t i = 0; i < ld->n_roots; i++) {
		const struct root_entry *root = &ld->roots[i];
		const struct bus_link *link =
			find_link(links, n_links, root->bus.domain, root->bus.bus);

		if (!link)
			continue;
		pci_addr_format(&ld->fns[link->bridge].fn.addr, name);
		note(ld, root->pos, "root bus %04x:%02x is also the secondary bus of bridge %s",
		     (unsigned)root->bus.domain, root->bus.bus, name);
	}
	check_vf_buses(ld, links, n_links);
	free(links);
	return report_noted(ld);
}

static void mark_bus(uint64_t used[4], unsigned bus)
{
	used[bus / 64] |= 1ull << (bus % 64);
}

static bool bus_is_used(const uint64_t used[4], unsigned bus)
{
	return used[bus / 64] >> (bus % 64) & 1;
}

/* Bridges without 'secondary' take, in address order, the lowest free bus above their own. */
static int assign_default_secondaries(struct loader *ld)
{
	size_t root = 0;

	if (!ld->n_bridges)
		return 0;
	for (size_t start = 0, end; start < ld->n_fns; start = end) {
		uint32_t domain = ld->fns[start].fn.addr.domain;
		uint64_t used[4] = { 0 };

		for (end = start; end < ld->n_fns && ld->fns[end].fn.addr.domain == domain; end++) {
			mark_bus(used, ld->fns[end].fn.addr.bus);
			if (ld->fns[end].has_secondary)
				mark_bus(used, ld->fns[end].fn.secondary_bus);
		}
		while (root < ld->n_roots && ld->roots[root].bus.domain < domain)
			root++;
		for (size_t r = root; r < ld->n_roots && ld->roots[r].bus.domain == domain; r++)
			mark_bus(used, ld->roots[r].bus.bus);

		for (size_t i = start; i < end; i++) {
			struct topo_function *fn = &ld->fns[i].fn;
			unsigned bus = fn->addr.bus + 1u;
			char name[PCI_ADDR_STRLEN];

			if (!fn->is_bridge || ld->fns[i].has_secondary)
				continue;
			while (bus <= BUS_MAX && bus_is_used(used, bus))
				bus++;
			if (bus > BUS_MAX) {
				pci_addr_format(&fn->addr, name);
				note(ld, fn->pos,
				     "no free bus number above 0x%02x for the secondary bus of "
				     "bridge "
				     "%s; give it 'secondary'",
				     fn->addr.bus, name);
				continue;
			}
			fn->secondary_bus = (uint8_t)bus;
			mark_bus(used, bus);
		}
	}
	return report_noted(ld);
}

/*
 * Parents (the bridge whose secondary bus a function sits on), then subordinate buses, which
 * grow from the leaves up: a child bridge's secondary is above its parent's, so walking the
 * bridges by descending secondary meets every child before its parent.
 */
static int link_buses(struct loader *ld)
{
	size_t n_links;
	struct bus_link *links = collect_links(ld, false, &n_links);
	char name[PCI_ADDR_STRLEN];

	if (!links)
		return fail_out_of_memory(ld);
	/* Functions sorted by address come bus by bus: each bus is looked up once. */
	const struct pending_fn *previous = NULL;
	const struct bus_link *link = NULL;
	bool root = false;
	for (size_t i = 0; i < ld->n_fns; i++) {
		struct topo_function *fn = &ld->fns[i].fn;

		if (ld->fns[i].is_vf) {
			/* A sibling of its PF, which sorts before it (offset >= 1). */
			fn->parent = ld->fns[ld->fns[i].pf].fn.parent;
			continue;
		}
		if (!previous || previous->fn.addr.domain != fn->addr.domain ||
		    previous->fn.addr.bus != fn->addr.bus) {
			link = find_link(links, n_links, fn->addr.domain, fn->addr.bus);
			root = !link && (fn->addr.bus == 0 ||
					 is_listed_root(ld, fn->addr.domain, fn->addr.bus));
		}
		previous = &ld->fns[i];
		if (link) {
			fn->parent = (int32_t)link->bridge;
			continue;
		}
		if (root)
			continue;
		pci_addr_format(&fn->addr, name);
		note(ld, fn->pos,
		     "device %s is on bus %04x:%02x, which no bridge leads to (give a bridge "
		     "'secondary: 0x%02x' or list \"%04x:%02x\" in root_buses)",
		     name, (unsigned)fn->addr.domain, fn->addr.bus, fn->addr.bus,
		     (unsigned)fn->addr.domain, fn->addr.bus);
	}
	if (report_noted(ld) != 0) {
		free(links);
		return -1;
	}

	for (size_t i = 0; i < n_links; i++)
		ld->fns[links[i].bridge].fn.subordinate_bus = links[i].bus;
	/* The buses VFs spill onto lie within their PF's parent bridge's range. */
	for (size_t i = 0; ld->n_sriov && i < ld->n_fns; i++) {
		const struct topo_function *fn = &ld->fns[i].fn;

		if (ld->fns[i].is_vf && fn->parent != TOPO_NONE &&
		    ld->fns[fn->parent].fn.subordinate_bus < fn->addr.bus)
			ld->fns[fn->parent].fn.subordinate_bus = fn->addr.bus;
	}
	for (size_t i = n_links; i-- > 0;) {
		struct pending_fn *bridge = &ld->fns[links[i].bridge];
		struct topo_function *fn = &bridge->fn;
		uint8_t reach = fn->subordinate_bus;

		if (bridge->has_subordinate) {
			uint8_t given = bridge->given_subordinate;

			pci_addr_format(&fn->addr, name);
			if (given < fn->secondary_bus)
				note(ld, bridge->subordinate_pos,
				     "'subordinate' 0x%02x of bridge %s is below its secondary bus "
				     "0x%02x",
				     given, name, fn->secondary_bus);
			else if (given < reach)
				note(ld, bridge->subordinate_pos,
				     "'subordinate' 0x%02x of bridge %s is below bus 0x%02x, which "
				     "is "
				     "reachable through it",
				     given, name, reach);
			if (given > reach)
				reach = given;
		}
		fn->subordinate_bus = reach;
		if (fn->parent != TOPO_NONE && ld->fns[fn->parent].fn.subordinate_bus < reach)
			ld->fns[fn->parent].fn.subordinate_bus = reach;
	}
	free(links);
	return report_noted(ld);
}

static int compare_group_ids(const void *a, const void *b)
{
	int32_t x = ((const struct topo_group *)a)->id, y = ((const struct topo_group *)b)->id;

	return x < y ? -1 : x > y;
}

/*
 * `vf_groups: auto`: each VF gets a new group, numbered upwards from just above the highest
 * group number the file uses, PF by PF in address order, then by VF index. The VFs not enabled
 * (idle) come last, above every other group, mdevs' included, as the kernel's IDA would hand
 * out free numbers when sriov_numvfs enables them.
 */
static int assign_vf_groups(struct loader *ld, bool idle)
{
	int64_t next = 0;
	char name[PCI_ADDR_STRLEN];

	if (!ld->n_sriov)
		return 0;
	for (size_t i = 0; i < ld->n_fns; i++) {
		if ((!ld->fns[i].is_vf || idle) && ld->fns[i].group_id >= next)
			next = (int64_t)ld->fns[i].group_id + 1;
	}
	for (size_t i = 0; i < ld->n_group_entries; i++) {
		if (ld->group_entries[i].id >= next)
			next = (int64_t)ld->group_entries[i].id + 1;
	}
	for (size_t i = 0; i < ld->n_mdevs; i++) {
		if (ld->mdevs[i].group_id >= next)
			next = (int64_t)ld->mdevs[i].group_id + 1;
	}
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct pending_fn *pf = &ld->fns[i];
		const struct topo_sriov *sriov = pf->fn.sriov;

		if (!sriov || pf->vf_groups != VF_GROUPS_AUTO)
			continue;
		uint32_t from = idle ? sriov->num : 0;
		uint32_t to = idle ? sriov->possible : sriov->num;
		if (from == to)
			continue;
		if (next + (to - from) - 1 > INT32_MAX) {
			pci_addr_format(&pf->fn.addr, name);
			return fail(
				ld, pf->sriov_pos,
				"the VFs of %s need IOMMU groups up to %lld, past 2147483647 "
				"('vf_groups: auto' numbers them above the highest group in the "
				"file)",
				name, (long long)(next + (to - from) - 1));
		}
		for (uint32_t n = from; n < to; n++) {
			uint32_t file_index =
				idle ? pf->first_idle_vf + (n - from) : pf->first_vf + n;

			ld->fns[ld->sorted_index[file_index]].group_id = (int32_t)next++;
		}
	}
	return 0;
}

/* A group number some function uses, and the first such function in address order. */
struct group_user {
	int32_t id;
	uint32_t fn; /* index into loader.fns */
};

static int compare_group_users(const void *a, const void *b)
{
	const struct group_user *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->fn < y->fn ? -1 : x->fn > y->fn;
}

static int compare_group_user_id(const void *key, const void *element)
{
	int32_t id = *(const int32_t *)key, here = ((const struct group_user *)element)->id;

	return (id > here) - (id < here);
}

/* An mdev's given group is its own: no PCI function (VFs included) may be in it. */
static int check_mdev_groups(struct loader *ld)
{
	struct group_user *users;
	size_t count = 0, unique = 0;
	char name[PCI_ADDR_STRLEN];

	if (ld->n_mdevs == 0)
		return 0;
	users = malloc(ld->n_fns * sizeof(*users));
	if (!users)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns; i++) {
		if (ld->fns[i].group_id == TOPO_NONE)
			continue;
		users[count].id = ld->fns[i].group_id;
		users[count].fn = (uint32_t)i;
		count++;
	}
	qsort(users, count, sizeof(*users), compare_group_users);
	for (size_t i = 0; i < count; i++) {
		if (unique == 0 || users[i].id != users[unique - 1].id)
			users[unique++] = users[i];
	}
	for (size_t i = 0; i < ld->n_mdevs; i++) {
		const struct mdev_entry *entry = &ld->mdevs[i];
		const struct group_user *user;

		if (entry->group_id == TOPO_NONE || unique == 0)
			continue;
		user = bsearch(&entry->group_id, users, unique, sizeof(*users),
			       compare_group_user_id);
		if (!user)
			continue;
		pci_addr_format(&ld->fns[user->fn].fn.addr, name);
		note(ld, entry->group_pos,
		     "mdev group %d is already the group of device %s (an mdev has an IOMMU group "
		     "of its own)",
		     (int)entry->group_id, name);
	}
	free(users);
	return report_noted(ld);
}

/*
 * An mdev without `group` gets a new group, numbered upwards from just above every other
 * group of the file (the `auto` VF groups included), in uuid order (ld->mdevs is sorted).
 */
static int assign_mdev_groups(struct loader *ld)
{
	int64_t next = 0;

	if (ld->n_mdevs == 0)
		return 0;
	for (size_t i = 0; i < ld->n_fns; i++) {
		if (ld->fns[i].group_id >= next)
			next = (int64_t)ld->fns[i].group_id + 1;
	}
	for (size_t i = 0; i < ld->n_group_entries; i++) {
		if (ld->group_entries[i].id >= next)
			next = (int64_t)ld->group_entries[i].id + 1;
	}
	for (size_t i = 0; i < ld->n_mdevs; i++) {
		if (ld->mdevs[i].group_id >= next)
			next = (int64_t)ld->mdevs[i].group_id + 1;
	}
	for (size_t i = 0; i < ld->n_mdevs; i++) {
		struct mdev_entry *entry = &ld->mdevs[i];

		if (entry->group_id != TOPO_NONE)
			continue;
		if (next > INT32_MAX) {
			note(ld, entry->mdev.pos,
			     "mdev %s needs IOMMU group %lld, past 2147483647 (an mdev without "
			     "'group' gets a new group above the highest in the file)",
			     entry->mdev.uuid, (long long)next++);
			continue;
		}
		entry->group_id = (int32_t)next++;
	}
	return report_noted(ld);
}

/* Every group a device or an mdev is in, sorted; `groups:` entries set their type. */
static int build_groups(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct topo_group *groups = malloc((ld->n_fns + ld->n_mdevs) * sizeof(*groups));
	size_t count = 0;

	if (!groups)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns + ld->n_mdevs; i++) {
		int32_t id =
			i < ld->n_fns ? ld->fns[i].group_id : ld->mdevs[i - ld->n_fns].group_id;

		/* Neighbours are mostly in one group: no need to sort each one in. */
		if (id == TOPO_NONE || (count && groups[count - 1].id == id))
			continue;
		memset(&groups[count], 0, sizeof(groups[count]));
		groups[count].id = id;
		groups[count].type = IOMMU_TYPE_DMA_FQ;
		count++;
	}
	qsort(groups, count, sizeof(*groups), compare_group_ids);
	if (count > 1) {
		size_t unique = 1;

		for (size_t i = 1; i < count; i++) {
			if (groups[i].id != groups[unique - 1].id)
				groups[unique++] = groups[i];
		}
		count = unique;
	}
	topo->groups = groups;
	topo->n_groups = count;

	/* A group's position is its first device in the file, or its `groups:` entry. */
	int32_t last_id = TOPO_NONE, last_index = TOPO_NONE;
	for (size_t i = 0; i < ld->n_fns; i++) {
		struct topo_function *fn = &ld->fns[i].fn;
		struct topo_group *group;

		if (ld->fns[i].group_id == TOPO_NONE)
			continue;
		if (ld->fns[i].group_id != last_id) {
			last_id = ld->fns[i].group_id;
			last_index = topology_find_group(topo, last_id);
		}
		fn->group = last_index;
		group = &groups[fn->group];
		if (!group->pos.line || pos_before(fn->pos, group->pos))
			group->pos = fn->pos;
	}
	/* Each mdev is alone in its group, which takes the mdev's position. */
	for (size_t i = 0; i < ld->n_mdevs; i++) {
		struct topo_mdev *mdev = &ld->mdevs[i].mdev;

		mdev->group = topology_find_group(topo, ld->mdevs[i].group_id);
		groups[mdev->group].pos = mdev->pos;
	}
	for (size_t i = 0; i < ld->n_group_entries; i++) {
		struct group_entry *entry = &ld->group_entries[i];
		int32_t index = topology_find_group(topo, entry->id);

		if (index == TOPO_NONE) {
			note(ld, entry->pos, "group %d has no device (no device has 'group: %d')",
			     (int)entry->id, (int)entry->id);
			continue;
		}
		groups[index].type = entry->type;
		groups[index].noiommu = entry->noiommu;
		groups[index].regions = entry->regions; /* the model owns them now */
		groups[index].n_regions = entry->n_regions;
		entry->regions = NULL;
		entry->n_regions = 0;
		groups[index].pos = entry->pos;
	}
	return report_noted(ld);
}

struct name_order {
	const char *name;
	uint32_t index; /* in the name table */
};

static int compare_name_orders(const void *a, const void *b)
{
	return strcmp(((const struct name_order *)a)->name, ((const struct name_order *)b)->name);
}

/* Adds vendor:device to driver's table unless it is there already. */
static int add_driver_id(struct topo_driver *driver, uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < driver->n_ids; i++)
		if (driver->ids[i].vendor == vendor && driver->ids[i].device == device)
			return 0;
	struct topo_pci_id *ids = realloc(driver->ids, (driver->n_ids + 1) * sizeof(*ids));
	if (!ids)
		return -1;
	driver->ids = ids;
	ids[driver->n_ids++] = (struct topo_pci_id){ .vendor = vendor,
						     .device = device,
						     .subvendor = TOPO_PCI_ANY_ID,
						     .subdevice = TOPO_PCI_ANY_ID };
	return 0;
}

/*
 * Every driver claims the IDs of the functions the scenario binds to it, VFs not enabled yet
 * included (they bind to their PF's vf_driver when enabled); those start unbound. vfio-pci and
 * pci-stub have no sriov_configure (vfio-pci's needs enable_sriov, off by default).
 */
static int build_id_tables(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	const struct topo_function *previous = NULL;

	for (size_t i = 0; i < ld->n_fns; i++) {
		struct topo_function *fn = &ld->fns[i].fn;

		if (fn->driver == TOPO_NONE)
			continue;
		/* Neighbours are mostly functions of one card, with one ID and driver. */
		if ((!previous || previous->driver != fn->driver ||
		     previous->vendor != fn->vendor || previous->device != fn->device) &&
		    add_driver_id(&topo->drivers[fn->driver], fn->vendor, fn->device) != 0)
			return fail_out_of_memory(ld);
		previous = fn;
		if (!fn->present)
			fn->driver = TOPO_NONE;
	}
	for (size_t i = 0; i < topo->n_drivers; i++)
		topo->drivers[i].sriov_configure =
			strcmp(topo->drivers[i].name, TOPO_DRIVER_VFIO_PCI) != 0 &&
			strcmp(topo->drivers[i].name, "pci-stub") != 0;
	return 0;
}

/* Every driver named anywhere, plus vfio-pci, which every host running VFIO has. */
static int build_drivers(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct name_table *table = &ld->driver_names;
	struct name_order *order;
	uint32_t *rank;

	if (name_table_intern(table, TOPO_DRIVER_VFIO_PCI) < 0)
		return fail_out_of_memory(ld);
	order = malloc(table->count * sizeof(*order));
	rank = malloc(table->count * sizeof(*rank));
	topo->drivers = calloc(table->count, sizeof(*topo->drivers));
	if (!order || !rank || !topo->drivers) {
		free(order);
		free(rank);
		return fail_out_of_memory(ld);
	}
	for (size_t i = 0; i < table->count; i++) {
		order[i].name = table->names[i];
		order[i].index = (uint32_t)i;
	}
	qsort(order, table->count, sizeof(*order), compare_name_orders);
	for (size_t i = 0; i < table->count; i++) {
		rank[order[i].index] = (uint32_t)i;
		topo->drivers[i].name = table->names[order[i].index];
	}
	topo->n_drivers = table->count;
	/* The model owns the names now. */
	table->count = 0;
	for (size_t i = 0; i < ld->n_fns; i++) {
		if (ld->fns[i].driver_name != TOPO_NONE)
			ld->fns[i].fn.driver = (int32_t)rank[ld->fns[i].driver_name];
		if (ld->fns[i].vf_driver_name != TOPO_NONE)
			ld->fns[i].fn.sriov->vf_driver = (int32_t)rank[ld->fns[i].vf_driver_name];
	}
	free(order);
	free(rank);
	return build_id_tables(ld);
}

/* Buses that functions sit on and that no bridge leads to; listed ones must be among them. */
static int build_root_buses(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct topo_root_bus *roots = malloc((ld->n_fns ? ld->n_fns : 1) * sizeof(*roots));
	size_t count = 0;

	if (!roots)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct topo_function *fn = &ld->fns[i].fn;

		/* A VF's bus is where its PF is, in sysfs, even when its number is not. */
		if (fn->parent != TOPO_NONE || ld->fns[i].is_vf)
			continue;
		if (count && roots[count - 1].domain == fn->addr.domain &&
		    roots[count - 1].bus == fn->addr.bus)
			continue;
		roots[count].domain = fn->addr.domain;
		roots[count].bus = fn->addr.bus;
		count++;
	}
	topo->root_buses = roots;
	topo->n_root_buses = count;

	for (size_t i = 0; i < ld->n_roots; i++) {
		const struct root_entry *root = &ld->roots[i];
		bool found = bsearch(&root->bus, roots, count, sizeof(*roots), compare_root_buses);

		if (!found)
			note(ld, root->pos, "root bus %04x:%02x has no device on it",
			     (unsigned)root->bus.domain, root->bus.bus);
	}
	return report_noted(ld);
}

/*
 * A bridge's PCI Express port type, unless given, follows from what is above it: root ports on
 * root buses, a switch's upstream port below a root or downstream port, its downstream ports
 * below the upstream port; below conventional PCI, a PCI-to-PCIe bridge. Parents sort before
 * their children (their bus is lower), so one pass in address order sees every parent settled.
 */
static void default_pcie_types(struct loader *ld)
{
	for (size_t i = 0; i < ld->n_fns; i++) {
		struct topo_function *fn = &ld->fns[i].fn;
		const struct topo_pcie *above;

		if (!fn->is_bridge || !fn->pcie.present || ld->fns[i].pcie_type_given)
			continue;
		if (fn->parent == TOPO_NONE) {
			fn->pcie.port_type = PCIE_ROOT_PORT;
			continue;
		}
		above = &ld->fns[fn->parent].fn.pcie;
		if (!above->present || above->port_type == PCIE_TO_PCI_BRIDGE)
			fn->pcie.port_type = PCI_TO_PCIE_BRIDGE;
		else if (above->port_type == PCIE_UPSTREAM_PORT)
			fn->pcie.port_type = PCIE_DOWNSTREAM_PORT;
		else
			fn->pcie.port_type = PCIE_UPSTREAM_PORT;
	}
}

/*
 * The model takes the functions, and the loader's array with them: each function moves down to
 * its place in an array of functions, which never overwrites an entry not moved yet (an entry
 * is larger than a function, and fn comes first in it). Copying them out instead cost more
 * than any check of the file.
 */
static int move_functions(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct topo_function *functions = (struct topo_function *)(void *)ld->fns;
	size_t count = ld->n_fns;
	struct topo_function *shrunk;

	for (size_t i = 0; i < count; i++)
		memmove(&functions[i], &ld->fns[i].fn, sizeof(*functions));
	ld->fns = NULL;
	ld->n_fns = 0;
	ld->fns_capacity = 0;
	shrunk = realloc(functions, count * sizeof(*functions));
	topo->functions = shrunk ? shrunk : functions;
	topo->n_functions = count;
	return 0;
}

/* The model takes the mdevs, sorted by uuid, with their parents as sorted indices. */
static int move_mdevs(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;

	if (ld->n_mdevs == 0)
		return 0;
	topo->mdevs = malloc(ld->n_mdevs * sizeof(*topo->mdevs));
	if (!topo->mdevs)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_mdevs; i++) {
		topo->mdevs[i] = ld->mdevs[i].mdev;
		topo->mdevs[i].parent = (int32_t)ld->sorted_index[ld->mdevs[i].mdev.parent];
	}
	topo->n_mdevs = ld->n_mdevs;
	return 0;
}

/* BAR, ROM and window addresses, as firmware would assign them; no position to report. */
static int assign_resources(struct loader *ld)
{
	static const struct src_pos nowhere = { 0, 0 };
	char message[SCENARIO_ERROR_MAX];

	message[0] = '\0';
	if (pci_resources_assign(&ld->sc.topo, message, sizeof(message)) == 0)
		return 0;
	return fail(ld, nowhere, "%s", message[0] ? message : "resource assignment failed");
}

/*
 * A device not plugged in is not on the bus, nor is anything below it, and none of them has VFs
 * enabled. They start unbound: plugging the card in probes all of it afresh, as hotplug does.
 * Parents sort before their children, so one pass in address order settles every function.
 */
static int settle_unplugged(struct loader *ld)
{
	if (!ld->any_unplugged && !ld->n_sriov) /* every function is present */
		return 0;
	/* `plugged: false` on one function of a card says it of the card: all its functions. */
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct topo_function *fn = &ld->fns[i].fn;

		if (!fn->unplugged || ld->fns[i].is_vf)
			continue;
		/* Sorted by address: the card's functions are this one's neighbours. */
		size_t first = i, last = i;
		while (first > 0 && topology_same_slot(&ld->fns[first - 1].fn.addr, &fn->addr))
			first--;
		while (last + 1 < ld->n_fns &&
		       topology_same_slot(&ld->fns[last + 1].fn.addr, &fn->addr))
			last++;
		for (size_t j = first; j <= last; j++) {
			if (!ld->fns[j].is_vf) {
				ld->fns[j].fn.unplugged = true;
				ld->fns[j].fn.present = false;
			}
		}
	}
	for (size_t i = 0; i < ld->n_fns; i++) {
		struct pending_fn *pending = &ld->fns[i];
		struct topo_function *fn = &pending->fn;
		char name[PCI_ADDR_STRLEN];

		if (pending->is_vf)
			continue;
		if (fn->parent != TOPO_NONE && !ld->fns[fn->parent].fn.present)
			fn->present = false;
		if (fn->present || !fn->sriov || !fn->sriov->num)
			continue;
		pci_addr_format(&fn->addr, name);
		return fail(ld, pending->sriov_pos,
			    "device %s is not plugged in at the start (it or a bridge above it has "
			    "'plugged: false'), so it has no VFs enabled: 'num' must be 0",
			    name);
	}
	return 0;
}

static int build_model(struct loader *ld)
{
	if (check_references(ld) != 0 || check_mdev_uuids(ld) != 0 || materialize_vfs(ld) != 0 ||
	    sort_functions(ld) != 0)
		return -1;
	if (ld->n_roots)
		qsort(ld->roots, ld->n_roots, sizeof(*ld->roots), compare_root_entries);
	if (check_given_secondaries(ld) != 0 || assign_default_secondaries(ld) != 0 ||
	    link_buses(ld) != 0 || settle_unplugged(ld) != 0)
		return -1;
	default_pcie_types(ld);
	if (assign_vf_groups(ld, false) != 0 || check_mdev_groups(ld) != 0 ||
	    assign_mdev_groups(ld) != 0 || assign_vf_groups(ld, true) != 0 ||
	    build_groups(ld) != 0 || build_drivers(ld) != 0 || build_root_buses(ld) != 0 ||
	    move_functions(ld) != 0 || move_mdevs(ld) != 0)
		return -1;
	return assign_resources(ld);
}

/* ---- entry points ---------------------------------------------------------------------- */

static int read_file(struct loader *ld, unsigned char **data, size_t *size)
{
	static const struct src_pos nowhere = { 0, 0 };
	FILE *file = fopen(ld->path, "rb");
	struct stat st;
	unsigned char *buffer = NULL;
	size_t capacity = 0, length = 0, first_capacity = 64 * 1024;
	int rc = 0;

	if (!file)
		return fail(ld, nowhere, "%s", strerror(errno));
	/* A regular file's size is known: one buffer, with a byte more to meet the end in. */
	if (fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size < FILE_SIZE_MAX)
		first_capacity = (size_t)st.st_size + 1;
	for (;;) {
		size_t got;

		if (length == capacity) {
			size_t wanted = capacity ? capacity * 2 : first_capacity;
			unsigned char *grown;

			if (capacity >= FILE_SIZE_MAX) {
				rc = fail(ld, nowhere, "larger than %u MiB", FILE_SIZE_MAX >> 20);
				break;
			}
			if (wanted > FILE_SIZE_MAX)
				wanted = FILE_SIZE_MAX;
			grown = realloc(buffer, wanted);
			if (!grown) {
				rc = fail_out_of_memory(ld);
				break;
			}
			buffer = grown;
			capacity = wanted;
		}
		got = fread(buffer + length, 1, capacity - length, file);
		length += got;
		if (got == 0) {
			if (ferror(file))
				rc = fail(ld, nowhere, "%s", strerror(errno ? errno : EIO));
			break;
		}
	}
	fclose(file);
	/* libyaml would decode UTF-16 after its byte order mark, but scenarios are UTF-8, and an
	 * editor that saved one as UTF-16 should be told so rather than have it half work. */
	if (rc == 0 && length >= 2 &&
	    ((buffer[0] == 0xff && buffer[1] == 0xfe) || (buffer[0] == 0xfe && buffer[1] == 0xff)))
		rc = fail(ld, nowhere,
			  "UTF-16 text (it starts with a byte order mark); scenario "
			  "files are UTF-8");
	if (rc != 0) {
		free(buffer);
		return rc;
	}
	*data = buffer;
	*size = length;
	return 0;
}

static void loader_free(struct loader *ld)
{
	for (size_t i = 0; i < ld->n_fns; i++) {
		free(ld->fns[i].fn.sriov);
		free(ld->fns[i].fn.label);
		free(ld->fns[i].fn.raw_config);
		free_mdev_types(ld->fns[i].fn.mdev_types, ld->fns[i].fn.n_mdev_types);
	}
	free(ld->fns);
	free(ld->mdevs);
	pos_set_free(&ld->mdev_group_set);
	name_table_free(&ld->mdev_type_names);
	free(ld->sorted_index);
	pos_set_free(&ld->device_set);
	for (size_t i = 0; i < ld->n_group_entries; i++)
		free(ld->group_entries[i].regions);
	free(ld->group_entries);
	pos_set_free(&ld->group_set);
	free(ld->roots);
	pos_set_free(&ld->root_set);
	name_table_free(&ld->driver_names);
}

int scenario_load(const char *path, struct scenario *out, char error[SCENARIO_ERROR_MAX])
{
	static const struct yaml_event_record no_event = { .type = YAML_NO_EVENT };
	struct loader *ld = calloc(1, sizeof(*ld));
	unsigned char *data = NULL;
	size_t size = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!ld) {
		snprintf(error, SCENARIO_ERROR_MAX, "%s: out of memory", path);
		return -1;
	}
	ld->path = path;
	ld->error = error;
	ld->event = &no_event;
	ld->scalar_max = SCALAR_MAX;
	ld->max_numa_node = -1;
	ld->sc.topo.host.cpus = DEFAULT_CPUS;
	ld->sc.topo.host.numa_nodes = DEFAULT_NUMA_NODES;
	/* CONFIG_VFIO_DEVICE_CDEV is on in current distribution kernels (6.6 and later). */
	ld->sc.topo.host.vfio_cdev = true;
	if (read_file(ld, &data, &size) == 0) {
		ld->input = data;
		ld->input_len = size;
		ld->events = yaml_events_start(data, size);
		if (!ld->events) {
			fail_out_of_memory(ld);
		} else {
			rc = read_stream(ld);
			yaml_events_stop(ld->events);
			ld->events = NULL;
			if (rc == 0)
				rc = build_model(ld);
		}
	}
	if (rc == 0) {
		ld->sc.path = strdup(path);
		if (!ld->sc.path)
			rc = fail_out_of_memory(ld);
	}
	if (rc == 0) {
		*out = ld->sc;
		error[0] = '\0';
	} else {
		scenario_free(&ld->sc);
	}
	loader_free(ld);
	free(data);
	free(ld);
	return rc;
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	free(sc->path);
	free(sc->name);
	free(sc->description);
	topology_free(&sc->topo);
	for (size_t i = 0; i < sc->n_sandbox; i++)
		free(sc->sandbox[i]);
	free(sc->sandbox);
	for (size_t i = 0; i < sc->n_expect; i++) {
		struct scenario_expect *outcome = &sc->expect[i];

		free(outcome->scheme);
		free(outcome->prefix);
		for (size_t j = 0; j < outcome->n_ids; j++)
			free(outcome->ids[j]);
		free(outcome->ids);
		free(outcome->error);
	}
	free(sc->expect);
	verbatim_free(sc->verbatim, sc->n_verbatim);
	for (size_t i = 0; i < sc->n_faults; i++)
		free(sc->faults[i]);
	free(sc->faults);
	for (size_t i = 0; i < sc->n_steps; i++)
		free_step(&sc->steps[i]);
	free(sc->steps);
	memset(sc, 0, sizeof(*sc));
}
