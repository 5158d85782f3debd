// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader (src/report/json_read.c): what the writer (json.h) writes reads back
 * the same, escapes decode, and malformed text is refused with the line it is on.
 */
#include "report/json.h"
#include "report/json_read.h"
#include "tap.h"

#include <stdlib.h>

/* The writer's output for one object with every kind of member, read back. */
static void round_trip(void)
{
	char *text = NULL, err[128] = "";
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct json j;
	struct json_value *v;
	const struct json_value *arr;

	json_begin(&j, f);
	json_str(&j, "s", "a \"quoted\" \\ line\nand a tab\t");
	json_i64(&j, "neg", -125);
	json_u64(&j, "big", 1ull << 52);
	json_f64(&j, "secs", 12.3456);
	json_bool(&j, "yes", true);
	json_arr_begin(&j, "cells");
	json_arr_obj_begin(&j);
	json_str(&j, "kernel", "debian-6.1");
	json_obj_end(&j);
	json_arr_obj_begin(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	json_end(&j);
	fclose(f);
	v = json_parse(text, err, sizeof(err));
	tap_ok(v != NULL, "the writer's output parses (%s)", err);
	if (v) {
		arr = json_get(v, "cells");
		tap_ok(!strcmp(json_get_str(v, "s", ""), "a \"quoted\" \\ line\nand a tab\t"),
		       "a string with quotes, backslash, newline and a control character");
		tap_ok(json_get_num(v, "neg", 0) == -125 && json_get_num(v, "big", 0) == 1ull << 52,
		       "integers, negative and 2^52");
		tap_ok(json_get_num(v, "secs", 0) == 12.346, "a double with three decimals");
		tap_ok(json_get_bool(v, "yes", false), "a boolean");
		tap_ok(arr && arr->type == JSON_ARRAY && arr->n == 2 &&
		       !strcmp(json_get_str(&arr->item[0], "kernel", ""), "debian-6.1") &&
		       arr->item[1].type == JSON_OBJECT && arr->item[1].n == 0,
		       "an array of objects, the second empty");
		tap_ok(!json_get(v, "absent") && !strcmp(json_get_str(v, "neg", "dflt"), "dflt"),
		       "an absent member, or one of another type, gives the default");
	}
	json_free(v);
	free(text);
}

static void escapes(void)
{
	char err[128] = "";
	struct json_value *v = json_parse(" {\"u\":\"\\u00e9\\u20ac\\ud83d\\ude00\\/\"} ",
					  err, sizeof(err));

	tap_ok(v && !strcmp(json_get_str(v, "u", ""), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/"),
	       "\\u escapes, a surrogate pair and \\/ decode to UTF-8 (%s)", err);
	json_free(v);
}

/* Each malformed text: refused, and err names the line and what is wrong. */
static void malformed(void)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "", "line 1: unexpected end of the text" },
		{ "{\"a\":1,}", "line 1: expected a member name in an object" },
		{ "{\n\"a\" 1}", "line 2: expected : after a member name" },
		{ "[1 2]", "line 1: expected , or ] in an array" },
		{ "{\"a\":\"open", "line 1: unterminated string" },
		{ "\"\\x\"", "line 1: bad escape in a string" },
		{ "\"\\ud800x\"", "line 1: unpaired surrogate in a \\u escape" },
		{ "{}\n{}", "line 2: text after the JSON value" },
		{ "tru", "line 1: unexpected character" },
		{ "\"a\tb\"", "line 1: control character in a string" },
	};
	char deep[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";
		struct json_value *v = json_parse(cases[i].text, err, sizeof(err));

		tap_ok(!v && !strcmp(err, cases[i].err), "malformed %zu refused: %s", i, err);
		json_free(v);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	{
		char err[128] = "";
		struct json_value *v = json_parse(deep, err, sizeof(err));

		tap_ok(!v && strstr(err, "nested too deeply"), "199 open brackets: %s", err);
		json_free(v);
	}
}

static const struct tap_test tests[] = {
	TAP_TEST(round_trip),
	TAP_TEST(escapes),
	TAP_TEST(malformed),
};

int main(int argc, char **argv)
{
	return tap_main(TAP_TESTS(tests), argc, argv);
}
