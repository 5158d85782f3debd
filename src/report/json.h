/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal JSON-lines writer: one object per line, keys in call order. */
#ifndef UFFDWP_JSON_H
#define UFFDWP_JSON_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool need_comma[8];	/* per nesting level: a member was already written */
};

void json_begin(struct json *j, FILE *f);		/* "{" */
void json_end(struct json *j);				/* "}\n" and flush */
void json_obj_begin(struct json *j, const char *key);	/* "key":{ */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);	/* "key":[ */
void json_arr_end(struct json *j);
void json_arr_obj_begin(struct json *j);		/* { inside an array */
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_hex(struct json *j, const char *key, uint64_t val);	/* "0x..." string */
void json_bool(struct json *j, const char *key, bool val);
/* A number with three decimals (seconds to the millisecond). */
void json_f64(struct json *j, const char *key, double val);
/* Writes a JSON string literal with escaping; shared by the functions above. */
void json_quote(FILE *f, const char *s);

#endif
