/* SPDX-License-Identifier: MIT */
/* Fault rules: parsing, matching with per-rule call counters, and listing. */
#define _GNU_SOURCE /* open_memstream */
#include "fault_rules.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errno_names.h"
#include "reader_lock.h"

/* errno values stop below the kernel's MAX_ERRNO. */
#define FAULT_ERRNO_MAX 4095

enum fault_when {
	WHEN_EVERY,
	WHEN_NTH,
	WHEN_COUNT,
	WHEN_AFTER,
};

static const char *const when_names[] = {
	[WHEN_NTH] = "nth",
	[WHEN_COUNT] = "count",
	[WHEN_AFTER] = "after",
};

struct fault_rule {
	char *pattern;
	/* Only for patterns with a "**" component: the components, in a copy of the pattern. */
	char *component_text;
	const char **components;
	size_t n_components;
	unsigned ops;
	struct fault_action action;
	enum fault_when when;
	unsigned when_n;
	atomic_ullong calls;
};

struct fault_rules {
	/*
	 * Matches read; add and clear write. The file system matches on every call of every
	 * thread while rules are set: a big-reader lock keeps those threads off one another's
	 * cache lines. Writers are preferred, or a busy mount could keep "faults add" waiting
	 * for ever.
	 */
	struct reader_lock lock;
	struct fault_rule **rules;
	size_t n, cap;
	/* Lets a match skip the lock while there are no rules, the usual case. */
	atomic_size_t published;
	/* Calls the file system never sees (fault_rules_set_unseen), with why. */
	unsigned unseen_ops;
	const char *unseen_why;
};

static const char *const op_names[] = {
	"lookup", "getattr", "readlink", "opendir", "readdir", "open", "read", "write",
};
#define N_OPS (sizeof(op_names) / sizeof(op_names[0]))

static void say(char *error, size_t error_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *error, size_t error_size, const char *format, ...)
{
	va_list args;

	if (!error || !error_size)
		return;
	va_start(args, format);
	vsnprintf(error, error_size, format, args);
	va_end(args);
}

struct fault_rules *fault_rules_new(void)
{
	struct fault_rules *rules = calloc(1, sizeof(*rules));

	if (!rules)
		return NULL;
	if (reader_lock_init(&rules->lock) != 0) {
		free(rules);
		return NULL;
	}
	atomic_init(&rules->published, 0);
	return rules;
}

static void rule_free(struct fault_rule *rule)
{
	free(rule->pattern);
	free(rule->component_text);
	free(rule->components);
	free(rule);
}

void fault_rules_clear(struct fault_rules *rules)
{
	reader_lock_write(&rules->lock);
	for (size_t i = 0; i < rules->n; i++)
		rule_free(rules->rules[i]);
	free(rules->rules);
	rules->rules = NULL;
	rules->n = rules->cap = 0;
	atomic_store(&rules->published, 0);
	reader_unlock_write(&rules->lock);
}

void fault_rules_free(struct fault_rules *rules)
{
	if (!rules)
		return;
	fault_rules_clear(rules);
	reader_lock_destroy(&rules->lock);
	free(rules);
}

static bool is_globstar(const char *component, size_t len)
{
	return len == 2 && component[0] == '*' && component[1] == '*';
}

static bool has_globstar(const char *pattern)
{
	for (const char *start = pattern;;) {
		const char *end = strchr(start, '/');
		size_t len = end ? (size_t)(end - start) : strlen(start);

		if (is_globstar(start, len))
			return true;
		if (!end)
			return false;
		start = end + 1;
	}
}

/*
 * Splits a "**" pattern into components. Runs of "**" collapse into one: they match the same
 * paths, and fewer of them keep matching cheap.
 */
static int split_globstar(struct fault_rule *rule, char *error, size_t error_size)
{
	char *text = strdup(rule->pattern);
	size_t n = 0;

	if (!text)
		goto nomem;
	rule->component_text = text;
	rule->components = calloc(FAULT_PATTERN_COMPONENTS, sizeof(*rule->components));
	if (!rule->components)
		goto nomem;
	for (char *start = text;;) {
		char *end = strchr(start, '/');

		if (end)
			*end = '\0';
		bool collapse = n > 0 && strcmp(start, "**") == 0 &&
				strcmp(rule->components[n - 1], "**") == 0;
		if (!collapse) {
			if (n == FAULT_PATTERN_COMPONENTS) {
				/* The reason first: such a pattern is long. */
				say(error, error_size,
				    "more than %d components in a pattern with '**': '%s'",
				    FAULT_PATTERN_COMPONENTS, rule->pattern);
				errno = EINVAL;
				return -1;
			}
			rule->components[n++] = start;
		}
		if (!end)
			break;
		start = end + 1;
	}
	rule->n_components = n;
	return 0;
nomem:
	say(error, error_size, "out of memory");
	errno = ENOMEM;
	return -1;
}

/*
 * Whether the components of a "**" pattern match path: column by column from the path's end,
 * ahead[i] says whether components i.. match the path's components after the current one.
 */
static bool globstar_match(const struct fault_rule *rule, const char *path)
{
	bool ahead[FAULT_PATTERN_COMPONENTS + 1], here[FAULT_PATTERN_COMPONENTS + 1];
	size_t np = rule->n_components, len = strlen(path);
	/* FUSE paths fit in PATH_MAX; a longer one is nothing a rule was written for. */
	char copy[PATH_MAX];

	if (len >= sizeof(copy))
		return false;
	memcpy(copy, path, len + 1);

	/* Past the path's last component: only "**" components remain matchable. */
	ahead[np] = true;
	for (size_t i = np; i-- > 0;)
		ahead[i] = ahead[i + 1] && strcmp(rule->components[i], "**") == 0;
	if (len == 0)
		return ahead[0]; /* the root: no components */

	for (char *end = copy + len;;) {
		char *start = end;

		while (start > copy && start[-1] != '/')
			start--;
		*end = '\0';
		here[np] = false;
		for (size_t i = np; i-- > 0;) {
			if (strcmp(rule->components[i], "**") == 0)
				here[i] = here[i + 1] || ahead[i];
			else
				here[i] =
					ahead[i + 1] && fnmatch(rule->components[i], start, 0) == 0;
		}
		memcpy(ahead, here, (np + 1) * sizeof(ahead[0]));
		if (start == copy)
			return ahead[0];
		end = start - 1;
	}
}

static bool rule_matches_path(const struct fault_rule *rule, const char *path)
{
	if (rule->components)
		return globstar_match(rule, path);
	return fnmatch(rule->pattern, path, FNM_PATHNAME) == 0;
}

static bool rule_fires(const struct fault_rule *rule, unsigned long long call)
{
	switch (rule->when) {
	case WHEN_NTH:
		return call == rule->when_n;
	case WHEN_COUNT:
		return call <= rule->when_n;
	case WHEN_AFTER:
		return call > rule->when_n;
	case WHEN_EVERY:
		break;
	}
	return true;
}

static const struct fault_action no_fault = { .max_bytes = SIZE_MAX };

void fault_rules_set_unseen(struct fault_rules *rules, unsigned ops, const char *why)
{
	reader_lock_write(&rules->lock);
	rules->unseen_ops = ops;
	rules->unseen_why = why;
	reader_unlock_write(&rules->lock);
}

static unsigned unseen_ops(struct fault_rules *rules, const char **why)
{
	unsigned ops, slot = reader_lock_read(&rules->lock);

	ops = rules->unseen_ops;
	*why = rules->unseen_why;
	reader_unlock_read(&rules->lock, slot);
	return ops;
}

bool fault_rules_would_take(struct fault_rules *rules, const char *text, char *error,
			    size_t error_size)
{
	struct fault_rules *scratch = fault_rules_new();
	bool valid;

	if (!scratch) {
		say(error, error_size, "out of memory");
		return false;
	}
	if (rules)
		scratch->unseen_ops = unseen_ops(rules, &scratch->unseen_why);
	valid = fault_rules_add_text(scratch, text, error, error_size) == 0;
	fault_rules_free(scratch);
	return valid;
}

bool fault_rules_valid_text(const char *text, char *error, size_t error_size)
{
	return fault_rules_would_take(NULL, text, error, error_size);
}

bool fault_rules_empty(const struct fault_rules *rules)
{
	return !rules || atomic_load(&rules->published) == 0;
}

bool fault_rules_cover(struct fault_rules *rules, const char *path)
{
	bool covered = false;
	unsigned slot;

	if (fault_rules_empty(rules))
		return false;
	while (*path == '/')
		path++;
	slot = reader_lock_read(&rules->lock);
	for (size_t i = 0; i < rules->n && !covered; i++)
		covered = rule_matches_path(rules->rules[i], path);
	reader_unlock_read(&rules->lock, slot);
	return covered;
}

bool fault_rules_match(struct fault_rules *rules, enum fault_op op, const char *path,
		       struct fault_action *out)
{
	bool fired = false;
	unsigned slot;

	*out = no_fault;
	if (!rules || !path || atomic_load(&rules->published) == 0)
		return false;
	while (*path == '/')
		path++;
	slot = reader_lock_read(&rules->lock);
	for (size_t i = 0; i < rules->n && !fired; i++) {
		struct fault_rule *rule = rules->rules[i];

		if (!(rule->ops & (unsigned)op) || !rule_matches_path(rule, path))
			continue;
		/* Every caller gets its own ordinal, so nth fires exactly once under any load. */
		unsigned long long call = atomic_fetch_add(&rule->calls, 1) + 1;

		if (!rule_fires(rule, call))
			continue;
		*out = rule->action;
		if (rule->action.vanish)
			out->error = ENOENT;
		if (op != FAULT_READ)
			out->max_bytes = SIZE_MAX;
		fired = true;
	}
	reader_unlock_read(&rules->lock, slot);
	return fired;
}

/*
 * Checks how the words of a parsed rule go together, then adds it. The words themselves (an
 * action, errno and delay in range, one condition) were checked as they were read.
 */
static int rule_add(struct fault_rules *rules, const char *pattern, unsigned ops,
		    const struct fault_action *action, enum fault_when when, unsigned when_n,
		    char *error, size_t error_size)
{
	struct fault_rule *rule;
	const char *unseen_why;

	errno = EINVAL;
	if (pattern[0] == '/') {
		say(error, error_size,
		    "pattern '%s': paths are relative to the mount root, without a leading '/'",
		    pattern);
		return -1;
	}
	if (strlen(pattern) > FAULT_PATTERN_MAX) {
		say(error, error_size, "pattern longer than %d bytes", FAULT_PATTERN_MAX);
		return -1;
	}
	if (action->vanish) {
		if (action->error && action->error != ENOENT) {
			say(error, error_size,
			    "vanish fails with ENOENT; it does not go with errno=%s",
			    errno_name(action->error) ? errno_name(action->error) : "(another)");
			return -1;
		}
		if (action->max_bytes != SIZE_MAX) {
			say(error, error_size, "vanish does not go with short=%zu: nothing is read",
			    action->max_bytes);
			return -1;
		}
		/* Only these see a vanished path: its parent's readdir still lists it. */
		ops &= FAULT_VANISH_OPS;
		if (!ops) {
			say(error, error_size,
			    "vanish acts on lookup, getattr, opendir and open; the rule has none");
			return -1;
		}
	}
	if (!(ops & ~unseen_ops(rules, &unseen_why))) {
		say(error, error_size, "pattern '%s': %s", pattern, unseen_why);
		return -1;
	}
	if (action->max_bytes != SIZE_MAX && !(ops & FAULT_READ)) {
		say(error, error_size, "short=%zu acts on read; the rule's operations have none",
		    action->max_bytes);
		return -1;
	}

	rule = calloc(1, sizeof(*rule));
	if (!rule || !(rule->pattern = strdup(pattern)))
		goto nomem;
	rule->ops = ops;
	rule->action = *action;
	if (rule->action.vanish)
		rule->action.error = 0; /* set at match time; kept apart for the listing */
	rule->when = when;
	rule->when_n = when_n;
	atomic_init(&rule->calls, 0);
	if (has_globstar(pattern) && split_globstar(rule, error, error_size) != 0) {
		int saved = errno;

		rule_free(rule);
		errno = saved;
		return -1;
	}

	reader_lock_write(&rules->lock);
	if (rules->n == rules->cap) {
		size_t cap = rules->cap ? 2 * rules->cap : 8;
		struct fault_rule **grown = realloc(rules->rules, cap * sizeof(*grown));

		if (!grown) {
			reader_unlock_write(&rules->lock);
			goto nomem;
		}
		rules->rules = grown;
		rules->cap = cap;
	}
	rules->rules[rules->n++] = rule;
	atomic_store(&rules->published, rules->n);
	reader_unlock_write(&rules->lock);
	return 0;
nomem:
	if (rule)
		rule_free(rule);
	say(error, error_size, "out of memory");
	errno = ENOMEM;
	return -1;
}

/* A decimal number up to max: digits only, no sign, no blanks. */
static bool parse_number(const char *text, unsigned long long max, unsigned long long *out)
{
	unsigned long long value = 0;

	if (!*text)
		return false;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return false;
		unsigned digit = (unsigned)(*text - '0');

		if (value > (max - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*out = value;
	return true;
}

static int parse_ops(const char *word, unsigned *ops, char *error, size_t error_size)
{
	const char *start = word;

	*ops = 0;
	if (strchr(word, '=')) {
		say(error, error_size,
		    "'%s' where operations were expected: a rule is PATTERN OP[,OP...] ACTION...",
		    word);
		return -1;
	}
	for (;;) {
		const char *end = strchr(start, ',');
		size_t len = end ? (size_t)(end - start) : strlen(start);
		size_t i;

		if (len == 3 && strncmp(start, "all", 3) == 0) {
			*ops |= FAULT_ALL_OPS;
		} else {
			for (i = 0; i < N_OPS; i++)
				if (strlen(op_names[i]) == len &&
				    strncmp(start, op_names[i], len) == 0)
					break;
			if (i == N_OPS) {
				if (len == 0)
					say(error, error_size, "'%s': empty operation", word);
				else
					say(error, error_size,
					    "unknown operation '%.*s' (lookup, getattr, readlink, "
					    "opendir, readdir, open, read, write or all)",
					    (int)len, start);
				return -1;
			}
			*ops |= 1u << i;
		}
		if (!end)
			return 0;
		start = end + 1;
	}
}

/* The parts of a rule as add_text reads them, and which word gave each. */
struct parsed_rule {
	struct fault_action action;
	const char *error_word, *short_word, *delay_word, *vanish_word, *when_word;
	enum fault_when when;
	unsigned when_n;
};

static int parse_errno(const char *word, const char *value, int *out, char *error,
		       size_t error_size)
{
	unsigned long long number;
	int named;

	if (value[0] >= '0' && value[0] <= '9') {
		if (!parse_number(value, FAULT_ERRNO_MAX, &number) || number == 0) {
			say(error, error_size, "'%s': an errno number is 1 to %d", word,
			    FAULT_ERRNO_MAX);
			return -1;
		}
		*out = (int)number;
		return 0;
	}
	named = errno_by_name(value);
	if (named == 0) {
		say(error, error_size,
		    "'%s': unknown errno name '%s' (a name such as EIO, EBUSY, ENODEV, or a "
		    "number)",
		    word, value);
		return -1;
	}
	*out = named;
	return 0;
}

/* Once only: "errno=EIO errno=EBUSY" is more likely a slip than a wish. */
static bool first_time(const char **seen, const char *word, char *error, size_t error_size)
{
	if (*seen) {
		say(error, error_size, "'%s' after '%s': give it once", word, *seen);
		return false;
	}
	*seen = word;
	return true;
}

static int parse_action_word(struct parsed_rule *parsed, const char *word, char *error,
			     size_t error_size)
{
	const char *equals = strchr(word, '=');
	size_t key_len = equals ? (size_t)(equals - word) : strlen(word);
	const char *value = equals ? equals + 1 : NULL;
	unsigned long long number;

	if (!equals) {
		if (strcmp(word, "vanish") != 0)
			goto unknown;
		if (!first_time(&parsed->vanish_word, word, error, error_size))
			return -1;
		parsed->action.vanish = true;
		return 0;
	}
	if (key_len == 5 && strncmp(word, "errno", 5) == 0) {
		if (!first_time(&parsed->error_word, word, error, error_size))
			return -1;
		return parse_errno(word, value, &parsed->action.error, error, error_size);
	}
	if (key_len == 5 && strncmp(word, "short", 5) == 0) {
		if (!first_time(&parsed->short_word, word, error, error_size))
			return -1;
		if (!parse_number(value, SIZE_MAX - 1, &number)) {
			say(error, error_size, "'%s': short= takes a number of bytes", word);
			return -1;
		}
		parsed->action.max_bytes = (size_t)number;
		return 0;
	}
	if (key_len == 5 && strncmp(word, "delay", 5) == 0) {
		if (!first_time(&parsed->delay_word, word, error, error_size))
			return -1;
		if (!parse_number(value, FAULT_DELAY_MAX_MS, &number)) {
			say(error, error_size,
			    "'%s': delay= takes milliseconds, at most %u (an hour)", word,
			    FAULT_DELAY_MAX_MS);
			return -1;
		}
		parsed->action.delay_ms = (unsigned)number;
		return 0;
	}
	for (enum fault_when when = WHEN_NTH; when <= WHEN_AFTER; when++) {
		if (strlen(when_names[when]) != key_len || strncmp(word, when_names[when], key_len))
			continue;
		if (parsed->when_word) {
			say(error, error_size,
			    "'%s' after '%s': give at most one of nth=, count=, after=", word,
			    parsed->when_word);
			return -1;
		}
		parsed->when_word = word;
		if (!parse_number(value, UINT_MAX, &number)) {
			say(error, error_size, "'%s': %s= takes a number of calls", word,
			    when_names[when]);
			return -1;
		}
		if (number == 0 && when != WHEN_AFTER) {
			say(error, error_size, "'%s': calls count from 1", word);
			return -1;
		}
		parsed->when = when;
		parsed->when_n = (unsigned)number;
		return 0;
	}
unknown:
	say(error, error_size,
	    "unknown word '%s': expected errno=, short=, delay=, vanish, nth=, count= or after=",
	    word);
	return -1;
}

#define BLANKS " \t\r\n\v\f"

int fault_rules_add_text(struct fault_rules *rules, const char *text, char *error,
			 size_t error_size)
{
	struct parsed_rule parsed = { .action = { .max_bytes = SIZE_MAX } };
	char *copy = strdup(text), *save = NULL;
	const char *pattern, *ops_word;
	char *word;
	unsigned ops;
	int rc = -1;

	if (!copy) {
		say(error, error_size, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	errno = EINVAL;
	pattern = strtok_r(copy, BLANKS, &save);
	if (!pattern) {
		say(error, error_size, "empty rule: expected PATTERN OP[,OP...] ACTION...");
		goto out;
	}
	ops_word = strtok_r(NULL, BLANKS, &save);
	if (!ops_word) {
		say(error, error_size,
		    "'%s': no operations after the pattern (lookup, getattr, readlink, opendir, "
		    "readdir, open, read, write or all)",
		    pattern);
		goto out;
	}
	if (parse_ops(ops_word, &ops, error, error_size) != 0)
		goto out;
	while ((word = strtok_r(NULL, BLANKS, &save)))
		if (parse_action_word(&parsed, word, error, error_size) != 0)
			goto out;
	if (!parsed.error_word && !parsed.short_word && !parsed.delay_word && !parsed.vanish_word) {
		say(error, error_size, "'%s %s': no action: give errno=, short=, delay= or vanish",
		    pattern, ops_word);
		goto out;
	}
	rc = rule_add(rules, pattern, ops, &parsed.action, parsed.when, parsed.when_n, error,
		      error_size);
out:
	free(copy);
	return rc;
}

static void describe_rule(FILE *out, const struct fault_rule *rule)
{
	const struct fault_action *action = &rule->action;
	const char *separator = "";

	fprintf(out, "%s ", rule->pattern);
	if (rule->ops == FAULT_ALL_OPS) {
		fputs("all", out);
	} else {
		for (size_t i = 0; i < N_OPS; i++) {
			if (!(rule->ops & (1u << i)))
				continue;
			fprintf(out, "%s%s", separator, op_names[i]);
			separator = ",";
		}
	}
	if (action->vanish)
		fputs(" vanish", out);
	if (action->error) {
		const char *name = errno_name(action->error);

		if (name)
			fprintf(out, " errno=%s", name);
		else
			fprintf(out, " errno=%d", action->error);
	}
	if (action->max_bytes != SIZE_MAX)
		fprintf(out, " short=%zu", action->max_bytes);
	if (action->delay_ms)
		fprintf(out, " delay=%u", action->delay_ms);
	if (rule->when != WHEN_EVERY)
		fprintf(out, " %s=%u", when_names[rule->when], rule->when_n);
	fputc('\n', out);
}

char *fault_rules_describe(const struct fault_rules *rules)
{
	/* The lock guards the list, not its meaning: listing does not change the set. */
	struct fault_rules *shared = (struct fault_rules *)rules;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	unsigned slot;

	if (!out)
		return NULL;
	slot = reader_lock_read(&shared->lock);
	for (size_t i = 0; i < shared->n; i++)
		describe_rule(out, shared->rules[i]);
	reader_unlock_read(&shared->lock, slot);
	if (ferror(out)) {
		fclose(out);
		free(text);
		return NULL;
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
