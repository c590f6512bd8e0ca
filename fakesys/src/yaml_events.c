/* SPDX-License-Identifier: MIT */
/*
 * libyaml's events for an input in memory, the second part of a large input parsed ahead on a
 * thread of its own, with the reader seeing exactly what one yaml_parser_parse loop gives.
 *
 * libyaml alone takes longer than everything else a large scenario costs, and it cannot be
 * parallelised within one stream; but a stream can be cut where libyaml's state is known. The
 * reader's own parser (the head) parses the input from its start, as it always did. For a large
 * input, a thread (the tail) parses the input from a line past the middle that looks like a key
 * of a block mapping at column 2 inside the top-level block mapping (a `devices:` entry), fed a
 * short prefix that opens those two mappings first, and keeps the events it gets.
 *
 * The tail's events are used only if it parsed to the end without an error, and if the head,
 * on reaching that line, meets the same key there with libyaml in the very state the prefix
 * gives: document 1 without directives, within exactly two block mappings whose keys are at
 * columns 0 and 2 (so libyaml's indentation stack is the same), the inner one the value of a
 * key of the outer one, the key the next node of the inner one, and no flow collection open.
 * Nothing else of libyaml's state outlives a line break in block context, so from there on both
 * parse the same characters the same way, and the tail's events, their lines shifted, are the
 * head's. Otherwise the head parses on as if there were no tail: errors, and their messages,
 * always come from the head.
 *
 * The tail copies each event into a plain record and deletes it at once: libyaml's many small
 * allocations then stay with that thread's allocator cache instead of being freed across
 * threads.
 */
#include "yaml_events.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Batches stay below malloc's mmap threshold: mapping and unmapping them as they come and go
 * would cost a TLB flush on every core each time. */
#define RECORDS_PER_BATCH 2048
#define TEXT_MIN	  (16 * 1024)
/* Smaller inputs are parsed by the head alone: a second thread would not pay. (Both numbers can
 * be set when compiling, so that tests can split small inputs anywhere.) */
#ifndef YAML_EVENTS_SPLIT_MIN
#define YAML_EVENTS_SPLIT_MIN (1024 * 1024)
#endif
/* Where the tail starts, as a share of the input. The reader works on the head's events while
 * it parses them, and on the tail's after that, so the head's share is the smaller. */
#ifndef YAML_EVENTS_SPLIT_PERCENT
#define YAML_EVENTS_SPLIT_PERCENT 47
#endif
#define SPLIT_SEARCH (1024 * 1024)

/* The tail's input up to the split point: the key `x` of a block mapping at column 0, whose
 * value is a block mapping whose keys are at column 2. */
static const char tail_prefix[] = "x:\n  ";
#define TAIL_PREFIX_LEN	   (sizeof(tail_prefix) - 1)
#define TAIL_PREFIX_EVENTS 5 /* stream, document, mapping, x, mapping */
#define TAIL_SPLIT_LINE	   1
#define TAIL_KEY_COLUMN	   2

struct batch {
	struct batch *next;
	size_t n_records;
	char *text; /* the scalars' values, one after another, after the records */
	size_t text_used;
	size_t text_capacity;
	struct yaml_event_record records[RECORDS_PER_BATCH];
};

/* An open collection, as far as the split point needs to know. */
struct collection {
	bool block_mapping;
	size_t column; /* of its start */
	size_t nodes;  /* it holds so far */
};

/* Where the head's libyaml is: enough to tell the split point when it is met. */
struct nesting {
	unsigned documents;
	bool directives;
	size_t depth;
	struct collection level[2]; /* the two outermost open collections */
};

struct yaml_events {
	const unsigned char *input;
	size_t size;
	size_t split; /* byte offset of the tail's first key; 0 when there is no tail */

	/* The head: the reader's. */
	yaml_parser_t parser;
	yaml_event_t event;
	bool have_event;
	struct yaml_event_record record; /* the event, as handed out */
	struct yaml_events_error error;
	bool failed;
	bool before_split;
	size_t split_index; /* libyaml's mark index at the split point: characters, not bytes */
	struct nesting nesting;
	bool reading_tail;
	uint32_t line_shift;	  /* to add to the tail's lines */
	struct batch *handed_out; /* the tail's batch handed out last */

	/* The tail. */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t finished_cond;
	bool finished;	/* under lock: the tail has stopped */
	bool succeeded; /* under lock: ... having parsed to the stream's end */
	bool cancel;	/* under lock: the tail's events will not be used */
	/* The tail thread's own until finished, the reader's after. */
	yaml_parser_t tail_parser;
	size_t tail_given; /* bytes of the tail's input libyaml has read */
	struct batch *first, *last;
	yaml_event_t tail_event;
	bool have_tail_event;
};

/* ---- the tail ---------------------------------------------------------------------------- */

static bool cancelled(struct yaml_events *events)
{
	bool cancel;

	pthread_mutex_lock(&events->lock);
	cancel = events->cancel;
	pthread_mutex_unlock(&events->lock);
	return cancel;
}

/* A batch that one more record, and text bytes of value, fit; NULL if out of memory or
 * cancelled. */
static struct batch *make_room(struct yaml_events *events, size_t text)
{
	struct batch *batch = events->last;

	if (batch && batch->n_records < RECORDS_PER_BATCH &&
	    text <= batch->text_capacity - batch->text_used)
		return batch;
	/* A batch is full: a moment to look whether the work is still wanted. */
	if (batch && cancelled(events))
		return NULL;
	size_t capacity = text > TEXT_MIN ? text : TEXT_MIN;
	batch = malloc(sizeof(*batch) + capacity);
	if (!batch)
		return NULL;
	batch->next = NULL;
	batch->n_records = 0;
	batch->text = (char *)(batch + 1);
	batch->text_used = 0;
	batch->text_capacity = capacity;
	if (events->last)
		events->last->next = batch;
	else
		events->first = batch;
	events->last = batch;
	return batch;
}

/* The record of event, whose value (a scalar's) is at value. */
static void describe(struct yaml_event_record *record, const yaml_event_t *event, const char *value)
{
	memset(record, 0, sizeof(*record));
	record->type = event->type;
	record->line = (uint32_t)event->start_mark.line;
	record->column = (uint32_t)event->start_mark.column;
	switch (event->type) {
	case YAML_DOCUMENT_START_EVENT:
		record->has_tag = event->data.document_start.tag_directives.start !=
				  event->data.document_start.tag_directives.end;
		break;
	case YAML_SEQUENCE_START_EVENT:
		record->has_anchor = event->data.sequence_start.anchor != NULL;
		record->has_tag = event->data.sequence_start.tag != NULL;
		break;
	case YAML_MAPPING_START_EVENT:
		record->has_anchor = event->data.mapping_start.anchor != NULL;
		record->has_tag = event->data.mapping_start.tag != NULL;
		break;
	case YAML_SCALAR_EVENT:
		record->value = value;
		record->length = (uint32_t)event->data.scalar.length;
		record->style = event->data.scalar.style;
		record->has_anchor = event->data.scalar.anchor != NULL;
		record->has_tag = event->data.scalar.tag != NULL;
		break;
	default:
		break;
	}
}

/* Copies the event into a record; false if out of memory or cancelled. */
static bool keep_event(struct yaml_events *events, const yaml_event_t *event)
{
	size_t text = event->type == YAML_SCALAR_EVENT ? event->data.scalar.length + 1 : 0;
	struct batch *batch = make_room(events, text);
	char *value;

	if (!batch)
		return false;
	value = batch->text + batch->text_used;
	if (text) {
		memcpy(value, event->data.scalar.value, text - 1);
		value[text - 1] = '\0';
		batch->text_used += text;
	}
	describe(&batch->records[batch->n_records++], event, value);
	return true;
}

/* Parses the tail's next event; false on a syntax error. */
static bool parse_tail_event(struct yaml_events *events)
{
	if (!yaml_parser_parse(&events->tail_parser, &events->tail_event))
		return false;
	events->have_tail_event = true;
	return true;
}

static void drop_tail_event(struct yaml_events *events)
{
	if (events->have_tail_event) {
		yaml_event_delete(&events->tail_event);
		events->have_tail_event = false;
	}
}

static void *run_tail(void *arg)
{
	static const yaml_event_type_t prefix_types[TAIL_PREFIX_EVENTS] = {
		YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT, YAML_MAPPING_START_EVENT,
		YAML_SCALAR_EVENT,	 YAML_MAPPING_START_EVENT,
	};
	struct yaml_events *events = arg;
	bool succeeded = true;

	for (size_t i = 0; succeeded && i < TAIL_PREFIX_EVENTS; i++) {
		succeeded = parse_tail_event(events) && events->tail_event.type == prefix_types[i];
		drop_tail_event(events);
	}
	while (succeeded) {
		bool end;

		if (!parse_tail_event(events)) {
			succeeded = false;
			break;
		}
		end = events->tail_event.type == YAML_STREAM_END_EVENT;
		succeeded = keep_event(events, &events->tail_event);
		drop_tail_event(events);
		if (end)
			break;
	}
	pthread_mutex_lock(&events->lock);
	events->finished = true;
	events->succeeded = succeeded;
	pthread_cond_signal(&events->finished_cond);
	pthread_mutex_unlock(&events->lock);
	return NULL;
}

/* libyaml's read handler for the tail: the prefix, then the input from the split on. */
static int read_tail(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	struct yaml_events *events = data;
	size_t given = 0;

	while (given < size) {
		size_t at = events->tail_given, chunk;

		if (at < TAIL_PREFIX_LEN) {
			chunk = TAIL_PREFIX_LEN - at;
			if (chunk > size - given)
				chunk = size - given;
			memcpy(buffer + given, tail_prefix + at, chunk);
		} else {
			const unsigned char *from =
				events->input + events->split + (at - TAIL_PREFIX_LEN);
			size_t left = (size_t)(events->input + events->size - from);

			chunk = left < size - given ? left : size - given;
			if (!chunk)
				break;
			memcpy(buffer + given, from, chunk);
		}
		given += chunk;
		events->tail_given += chunk;
	}
	*size_read = given;
	return 1;
}

/* The start of a line that may hold a key at column 2, after the middle; 0 if none is near. */
static size_t find_split(const unsigned char *input, size_t size)
{
	size_t at = size / 100 * YAML_EVENTS_SPLIT_PERCENT;
	size_t end = size - at > SPLIT_SEARCH ? at + SPLIT_SEARCH : size;

	/* A byte order mark would make libyaml's offsets differ from the input's. */
	if (size < YAML_EVENTS_SPLIT_MIN || size < 4 || input[0] >= 0x80)
		return 0;
	while (at + 3 < end) {
		const unsigned char *line = memchr(input + at, '\n', end - at - 3);

		if (!line)
			break;
		at = (size_t)(line - input) + 1;
		if (line[1] == ' ' && line[2] == ' ' && strchr(" \t\r\n#", line[3]) == NULL)
			return at + 2;
	}
	return 0;
}

/* libyaml counts characters, not bytes; the input before the split is valid UTF-8 if the head
 * gets there. */
static size_t count_characters(const unsigned char *text, size_t size)
{
	size_t continuations = 0, i = 0;

	/* Eight bytes at a time: a continuation byte has bit 7 set and bit 6 clear. */
	for (; i + 8 <= size; i += 8) {
		uint64_t word;

		memcpy(&word, text + i, sizeof(word));
		continuations +=
			(size_t)__builtin_popcountll(word & ~(word << 1) & 0x8080808080808080ull);
	}
	for (; i < size; i++)
		continuations += (text[i] & 0xc0) == 0x80;
	return size - continuations;
}

/* ---- the head ---------------------------------------------------------------------------- */

static void count_node(struct nesting *nesting)
{
	if (nesting->depth >= 1 && nesting->depth <= 2)
		nesting->level[nesting->depth - 1].nodes++;
}

static void track(struct nesting *nesting, const yaml_event_t *event)
{
	switch (event->type) {
	case YAML_DOCUMENT_START_EVENT:
		nesting->documents++;
		if (event->data.document_start.version_directive ||
		    event->data.document_start.tag_directives.start !=
			    event->data.document_start.tag_directives.end)
			nesting->directives = true;
		break;
	case YAML_SCALAR_EVENT:
	case YAML_ALIAS_EVENT:
		count_node(nesting);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		count_node(nesting);
		if (nesting->depth < 2)
			nesting->level[nesting->depth] = (struct collection){
				.block_mapping =
					event->type == YAML_MAPPING_START_EVENT &&
					event->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE,
				.column = event->start_mark.column,
			};
		nesting->depth++;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		nesting->depth--;
		break;
	default:
		break;
	}
}

/* Whether event, at the split point, is a key where the tail's prefix leaves libyaml. */
static bool at_split_state(const struct nesting *nesting, const yaml_event_t *event)
{
	/* A block mapping's start mark is its first key's, whose column is its indentation. */
	return nesting->documents == 1 && !nesting->directives && nesting->depth == 2 &&
	       nesting->level[0].block_mapping && nesting->level[0].column == 0 &&
	       nesting->level[0].nodes % 2 == 0 && nesting->level[1].block_mapping &&
	       nesting->level[1].column == TAIL_KEY_COLUMN && nesting->level[1].nodes % 2 == 0 &&
	       event->type == YAML_SCALAR_EVENT && event->start_mark.column == TAIL_KEY_COLUMN;
}

static bool same_scalar(const struct yaml_event_record *record, const yaml_event_t *event)
{
	return record->type == YAML_SCALAR_EVENT && record->line == TAIL_SPLIT_LINE &&
	       record->column == event->start_mark.column &&
	       record->length == event->data.scalar.length &&
	       memcmp(record->value, event->data.scalar.value, record->length) == 0 &&
	       record->style == event->data.scalar.style &&
	       record->has_anchor == (event->data.scalar.anchor != NULL) &&
	       record->has_tag == (event->data.scalar.tag != NULL);
}

/* The head is at the split point: whether the tail's events follow from here. */
static bool take_tail(struct yaml_events *events)
{
	bool succeeded;

	pthread_mutex_lock(&events->lock);
	while (!events->finished)
		pthread_cond_wait(&events->finished_cond, &events->lock);
	succeeded = events->succeeded;
	pthread_mutex_unlock(&events->lock);
	if (!succeeded || !events->first ||
	    !same_scalar(&events->first->records[0], &events->event))
		return false;
	events->reading_tail = true;
	events->line_shift = (uint32_t)events->event.start_mark.line - TAIL_SPLIT_LINE;
	return true;
}

static void cancel_tail(struct yaml_events *events)
{
	pthread_mutex_lock(&events->lock);
	events->cancel = true;
	pthread_mutex_unlock(&events->lock);
}

static void drop_event(struct yaml_events *events)
{
	if (events->have_event) {
		yaml_event_delete(&events->event);
		events->have_event = false;
	}
}

/* The head's next event as a record: 1; 0 on a syntax error; -1 if the tail's events follow. */
static int next_head_event(struct yaml_events *events, const struct yaml_event_record **records,
			   size_t *count)
{
	const yaml_event_t *event = &events->event;
	struct yaml_event_record *record = &events->record;

	drop_event(events);
	if (!yaml_parser_parse(&events->parser, &events->event)) {
		const yaml_parser_t *parser = &events->parser;

		events->error = (struct yaml_events_error){
			.error = parser->error,
			.problem = parser->problem,
			.problem_offset = parser->problem_offset,
			.problem_mark = parser->problem_mark,
			.context = parser->context,
			.context_mark = parser->context_mark,
		};
		events->failed = true;
		return 0;
	}
	events->have_event = true;
	if (events->before_split && event->start_mark.index >= events->split_index) {
		events->before_split = false;
		if (event->start_mark.index == events->split_index &&
		    at_split_state(&events->nesting, event) && take_tail(events)) {
			drop_event(events);
			return -1;
		}
		cancel_tail(events);
	}
	if (events->before_split)
		track(&events->nesting, event);
	describe(record, event,
		 event->type == YAML_SCALAR_EVENT ? (const char *)event->data.scalar.value : NULL);
	*records = record;
	*count = 1;
	return 1;
}

/* ---- the reader's side ------------------------------------------------------------------- */

struct yaml_events *yaml_events_start(const unsigned char *input, size_t size)
{
	struct yaml_events *events;

	if (size > UINT32_MAX)
		return NULL;
	events = calloc(1, sizeof(*events));
	if (!events)
		return NULL;
	events->input = input;
	events->size = size;
	pthread_mutex_init(&events->lock, NULL);
	pthread_cond_init(&events->finished_cond, NULL);
	if (!yaml_parser_initialize(&events->parser) ||
	    !yaml_parser_initialize(&events->tail_parser)) {
		yaml_events_stop(events);
		return NULL;
	}
	yaml_parser_set_input_string(&events->parser, input, size);
	/* On one core the two parts would only take turns. */
	events->split = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? find_split(input, size) : 0;
	if (events->split) {
		sigset_t all, old;

		yaml_parser_set_input(&events->tail_parser, read_tail, events);
		/* Signals stay with the reader's threads, as they did when parsing had none. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		events->running = pthread_create(&events->thread, NULL, run_tail, events) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		events->before_split = events->running;
		events->split_index = count_characters(input, events->split);
	}
	return events;
}

int yaml_events_next(struct yaml_events *events, const struct yaml_event_record **records,
		     size_t *count, struct yaml_events_error *error)
{
	static const struct yaml_event_record no_event = { .type = YAML_NO_EVENT };
	struct batch *batch;

	if (events->failed) {
		*error = events->error;
		return 0;
	}
	if (!events->reading_tail) {
		int rc = next_head_event(events, records, count);

		if (rc >= 0) {
			if (rc == 0)
				*error = events->error;
			return rc;
		}
	}
	/* The tail has finished: its batches are the reader's. */
	free(events->handed_out);
	batch = events->handed_out = events->first;
	if (!batch) {
		*records = &no_event;
		*count = 1;
		return 1;
	}
	events->first = batch->next;
	for (size_t i = 0; i < batch->n_records; i++)
		batch->records[i].line += events->line_shift;
	*records = batch->records;
	*count = batch->n_records;
	return 1;
}

void yaml_events_stop(struct yaml_events *events)
{
	if (!events)
		return;
	if (events->running) {
		cancel_tail(events);
		pthread_join(events->thread, NULL);
	}
	drop_event(events);
	drop_tail_event(events);
	free(events->handed_out);
	while (events->first) {
		struct batch *next = events->first->next;

		free(events->first);
		events->first = next;
	}
	yaml_parser_delete(&events->parser);
	yaml_parser_delete(&events->tail_parser);
	pthread_cond_destroy(&events->finished_cond);
	pthread_mutex_destroy(&events->lock);
	free(events);
}
