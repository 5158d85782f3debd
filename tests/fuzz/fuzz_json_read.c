// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: any bytes into the JSON reader (report/json_read.c), which reads the slice
 * files of uffdwp-vmtest --merge: it must refuse or parse, never crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/json_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every value of the tree read through the accessors --merge uses. */
static void walk(const struct json_value *v)
{
	for (int i = 0; v->type == JSON_ARRAY && i < v->n; i++)
		(void)json_get_str(&v->item[i], "name", NULL);
	for (int i = 0; v->type == JSON_OBJECT && i < v->n; i++) {
		(void)json_get(v, v->key[i]);
		(void)json_get_num(v, v->key[i], 0);
		(void)json_get_bool(v, v->key[i], false);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[160];
	struct json_value *v;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	v = json_parse(text, err, sizeof(err));
	if (v)
		walk(v);
	json_free(v);
	free(text);
	return 0;
}
