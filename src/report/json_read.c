// SPDX-License-Identifier: GPL-2.0
/* Recursive-descent JSON reader: see json_read.h. */
#include "report/json_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper documents are refused rather than risking the stack: the parser and
 * free_members() recurse once per level, hence the NOLINTNEXTLINEs below. */
#define MAX_DEPTH 64

struct parser {
	const char *p;
	const char *start;
	char *err;
	size_t err_size;
	bool failed;
};

static int line_of(const struct parser *ps)
{
	int line = 1;

	for (const char *q = ps->start; q < ps->p; q++)
		line += *q == '\n';
	return line;
}

static bool fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->err_size, "line %d: %s", line_of(ps), what);
	ps->failed = true;
	return false;
}

static void skip_blanks(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
		ps->p++;
}

static bool parse_value(struct parser *ps, struct json_value *v, int depth);

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The four hex digits after "\u", or -1. */
static long hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_digit(p[i]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Appends code point cp as UTF-8 at out; returns the bytes written. */
static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* "\uXXXX" (a surrogate pair counts as one) at ps->p, after the backslash's 'u'. */
static bool unicode_escape(struct parser *ps, char *out, size_t *len)
{
	long cp = hex4(ps->p), low;

	if (cp < 0)
		return fail(ps, "bad \\u escape");
	ps->p += 4;
	if (cp >= 0xd800 && cp < 0xdc00) {
		if (ps->p[0] != '\\' || ps->p[1] != 'u' || (low = hex4(ps->p + 2)) < 0xdc00 ||
		    low >= 0xe000)
			return fail(ps, "unpaired surrogate in a \\u escape");
		ps->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
	}
	*len += put_utf8(out + *len, (unsigned long)cp);
	return true;
}

/* A string literal at ps->p (on its opening quote) into a malloc'd *out. */
static bool parse_string(struct parser *ps, char **out)
{
	const char *end = ++ps->p;
	size_t len = 0;
	char *s;

	while (*end && *end != '"')	/* the decoded text is never longer than this */
		end += *end == '\\' && end[1] ? 2 : 1;
	s = malloc(end - ps->p + 1);
	if (!s)
		return fail(ps, "out of memory");
	*out = s;
	while (*ps->p != '"') {
		char c = *ps->p++;

		if (!c)
			return fail(ps, "unterminated string");
		if ((unsigned char)c < 0x20)
			return fail(ps, "control character in a string");
		if (c != '\\') {
			s[len++] = c;
			continue;
		}
		c = *ps->p++;
		switch (c) {
		case '"': case '\\': case '/': s[len++] = c; break;
		case 'b': s[len++] = '\b'; break;
		case 'f': s[len++] = '\f'; break;
		case 'n': s[len++] = '\n'; break;
		case 'r': s[len++] = '\r'; break;
		case 't': s[len++] = '\t'; break;
		case 'u':
			if (!unicode_escape(ps, s, &len))
				return false;
			break;
		default:
			ps->p--;
			return fail(ps, "bad escape in a string");
		}
	}
	ps->p++;
	s[len] = '\0';
	return true;
}

static bool parse_number(struct parser *ps, struct json_value *v)
{
	const char *q = ps->p;
	char *end;

	/* the grammar's shape: -?digits[.digits][e[+-]digits]; strtod checks the rest */
	if (*q == '-')
		q++;
	if (*q < '0' || *q > '9')
		return fail(ps, "unexpected character");
	v->type = JSON_NUMBER;
	v->number = strtod(ps->p, &end);
	ps->p = end;
	return true;
}

/* Room for one more element or member. */
static bool grow(struct parser *ps, struct json_value *v, bool with_key)
{
	struct json_value *item;
	char **key;

	if (v->n % 16)
		return true;
	item = realloc(v->item, (v->n + 16) * sizeof(*item));
	if (!item)
		return fail(ps, "out of memory");
	v->item = item;
	if (!with_key)
		return true;
	key = realloc(v->key, (v->n + 16) * sizeof(*key));
	if (!key)
		return fail(ps, "out of memory");
	v->key = key;
	return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): at most MAX_DEPTH deep */
static bool parse_array(struct parser *ps, struct json_value *v, int depth)
{
	v->type = JSON_ARRAY;
	ps->p++;
	skip_blanks(ps);
	if (*ps->p == ']') {
		ps->p++;
		return true;
	}
	for (;;) {
		if (!grow(ps, v, false))
			return false;
		memset(&v->item[v->n], 0, sizeof(v->item[0]));
		v->n++;
		if (!parse_value(ps, &v->item[v->n - 1], depth + 1))
			return false;
		skip_blanks(ps);
		if (*ps->p == ']') {
			ps->p++;
			return true;
		}
		if (*ps->p++ != ',')
			return ps->p--, fail(ps, "expected , or ] in an array");
	}
}

/* NOLINTNEXTLINE(misc-no-recursion): at most MAX_DEPTH deep */
static bool parse_object(struct parser *ps, struct json_value *v, int depth)
{
	v->type = JSON_OBJECT;
	ps->p++;
	skip_blanks(ps);
	if (*ps->p == '}') {
		ps->p++;
		return true;
	}
	for (;;) {
		if (*ps->p != '"')
			return fail(ps, "expected a member name in an object");
		if (!grow(ps, v, true))
			return false;
		memset(&v->item[v->n], 0, sizeof(v->item[0]));
		v->key[v->n] = NULL;
		v->n++;
		if (!parse_string(ps, &v->key[v->n - 1]))
			return false;
		skip_blanks(ps);
		if (*ps->p++ != ':')
			return ps->p--, fail(ps, "expected : after a member name");
		if (!parse_value(ps, &v->item[v->n - 1], depth + 1))
			return false;
		skip_blanks(ps);
		if (*ps->p == '}') {
			ps->p++;
			return true;
		}
		if (*ps->p++ != ',')
			return ps->p--, fail(ps, "expected , or } in an object");
		skip_blanks(ps);
	}
}

static bool literal(struct parser *ps, const char *word)
{
	size_t len = strlen(word);

	if (strncmp(ps->p, word, len))
		return fail(ps, "unexpected character");
	ps->p += len;
	return true;
}

/* NOLINTNEXTLINE(misc-no-recursion): at most MAX_DEPTH deep */
static bool parse_value(struct parser *ps, struct json_value *v, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(ps, "nested too deeply");
	skip_blanks(ps);
	switch (*ps->p) {
	case '{':
		return parse_object(ps, v, depth);
	case '[':
		return parse_array(ps, v, depth);
	case '"':
		v->type = JSON_STRING;
		return parse_string(ps, &v->string);
	case 't':
		v->type = JSON_BOOL;
		v->boolean = true;
		return literal(ps, "true");
	case 'f':
		v->type = JSON_BOOL;
		return literal(ps, "false");
	case 'n':
		return literal(ps, "null");
	case '\0':
		return fail(ps, "unexpected end of the text");
	default:
		return parse_number(ps, v);
	}
}

/* NOLINTNEXTLINE(misc-no-recursion): at most MAX_DEPTH deep */
static void free_members(struct json_value *v)
{
	for (int i = 0; i < v->n; i++) {
		free_members(&v->item[i]);
		if (v->key)
			free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	free(v->string);
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	free_members(v);
	free(v);
}

struct json_value *json_parse(const char *text, char *err, size_t err_size)
{
	struct parser ps = { .p = text, .start = text, .err = err, .err_size = err_size };
	struct json_value *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	if (parse_value(&ps, v, 0)) {
		skip_blanks(&ps);
		if (!*ps.p)
			return v;
		fail(&ps, "text after the JSON value");
	}
	json_free(v);
	return NULL;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (int i = 0; i < obj->n; i++)
		if (!strcmp(obj->key[i], key))
			return &obj->item[i];
	return NULL;
}

const char *json_get_str(const struct json_value *obj, const char *key, const char *dflt)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->string : dflt;
}

double json_get_num(const struct json_value *obj, const char *key, double dflt)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_NUMBER ? v->number : dflt;
}

bool json_get_bool(const struct json_value *obj, const char *key, bool dflt)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_BOOL ? v->boolean : dflt;
}
