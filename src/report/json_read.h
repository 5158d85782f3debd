/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader, for the documents this project writes itself (json.h) and reads
 * back: uffdwp-vmtest --merge reads the matrix JSON of each shard. The whole text is
 * parsed into a tree; numbers are doubles, strings are UTF-8 (\uXXXX decoded).
 */
#ifndef UFFDWP_JSON_READ_H
#define UFFDWP_JSON_READ_H
#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	bool boolean;
	double number;
	char *string;
	struct json_value *item;	/* array elements, or object members' values */
	char **key;			/* object members' keys, in document order */
	int n;				/* elements or members */
};

/*
 * Parses text (one JSON value, blanks around it allowed); NULL on malformed text, with
 * "line N: what" in err. Free the tree with json_free().
 */
struct json_value *json_parse(const char *text, char *err, size_t err_size);
void json_free(struct json_value *v);

/* Member key of object obj, or NULL (also when obj is not an object). */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* The member's string, number or boolean; dflt when absent or of another type. */
const char *json_get_str(const struct json_value *obj, const char *key, const char *dflt);
double json_get_num(const struct json_value *obj, const char *key, double dflt);
bool json_get_bool(const struct json_value *obj, const char *key, bool dflt);

#endif
