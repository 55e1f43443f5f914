// SPDX-License-Identifier: GPL-2.0
/*
 * Any bytes written with hornet_json_strn() give valid JSON that decodes to
 * the input with each byte that starts no valid UTF-8 sequence replaced by
 * U+FFFD. jansson checks the syntax and the UTF-8; the reference decoder of
 * the unit tests gives the expected string. The same holds for a key
 * written with hornet_json_str_any_key() (up to the input's first NUL).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "export/json.h"
#include "support.h"

static bool string_is(json_t *v, const char *want, size_t len)
{
	return json_is_string(v) && json_string_length(v) == len &&
	       !memcmp(json_string_value(v), want, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cut = size ? data[0] % (size + 1) : 0, n_all, n_head, n_tail;
	char *all = malloc(3 * size + 1), *head = malloc(3 * cut + 1);
	char *tail = malloc(3 * (size - cut) + 1);
	struct hornet_json j;
	json_error_t e;
	json_t *root, *arr;
	char *key;

	if (!all || !head || !tail)
		abort();
	n_all = ref_utf8_repair(data, size, all);
	/* split anywhere, even inside a sequence: each half is repaired on its own */
	n_head = ref_utf8_repair(data, cut, head);
	n_tail = ref_utf8_repair(data + cut, size - cut, tail);

	hornet_json_init(&j);
	hornet_json_obj_begin(&j, NULL);
	hornet_json_strn(&j, "s", s, size);
	hornet_json_arr_begin(&j, "parts");
	hornet_json_strn(&j, NULL, s, cut);
	hornet_json_strn(&j, NULL, s + cut, size - cut);
	hornet_json_arr_end(&j);
	hornet_json_u64(&j, "n", size);
	hornet_json_obj_end(&j);
	if (j.failed || !j.buf || strlen(j.buf) != j.len)
		abort();

	root = json_loadb(j.buf, j.len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &e);
	if (!root)
		abort();
	if (!string_is(json_object_get(root, "s"), all, n_all))
		abort();
	arr = json_object_get(root, "parts");
	if (json_array_size(arr) != 2 || !string_is(json_array_get(arr, 0), head, n_head) ||
	    !string_is(json_array_get(arr, 1), tail, n_tail))
		abort();
	if (json_integer_value(json_object_get(root, "n")) != (json_int_t)size)
		abort();
	json_decref(root);

	/* a key from outside (a pod label's): escaped like a value */
	key = strndup(s, cut);
	if (!key)
		abort();
	n_head = ref_utf8_repair((const uint8_t *)key, strlen(key), head);
	head[n_head] = '\0';
	hornet_json_reset(&j);
	hornet_json_obj_begin(&j, NULL);
	hornet_json_str_any_key(&j, key, key);
	hornet_json_obj_end(&j);
	root = j.failed ? NULL : json_loadb(j.buf, j.len, JSON_REJECT_DUPLICATES, &e);
	if (!root || json_object_size(root) != 1 ||
	    strcmp(json_object_iter_key(json_object_iter(root)), head) ||
	    !string_is(json_object_get(root, head), head, n_head))
		abort();
	json_decref(root);
	free(key);
	hornet_json_free(&j);
	free(all);
	free(head);
	free(tail);
	return 0;
}
