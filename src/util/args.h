/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HORNET_UTIL_ARGS_H
#define HORNET_UTIL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The "arguments" string of a process: the NUL-separated argv block as the
 * kernel keeps it (mm->arg_start..arg_end), argv[0] dropped, the rest joined
 * by single spaces. An argument is written as is when it is non-empty and
 * holds only printable, valid UTF-8 without space, '"' or '\'. Any other
 * argument is put in double quotes, with these escapes inside:
 *   \"  \\  \n  \t  \r  and \xNN for any other byte below 0x20, 0x7f, or a
 *   byte that is not part of a valid UTF-8 sequence.
 * So the string can be split back into exactly the original argv
 * (hornet_args_parse), which the tests do. A block that does not end in NUL
 * (cut by the kernel side's limit) ends in a partial last argument.
 *
 * Returns a malloc'd string ("" when there are no arguments), or NULL with
 * errno set.
 */
char *hornet_args_format(const char *block, size_t len, bool skip_argv0);

/*
 * The inverse: splits a string made by hornet_args_format() into a
 * NUL-separated block. Returns a malloc'd block and its length in *len, or
 * NULL with errno EINVAL on a malformed string.
 */
char *hornet_args_parse(const char *s, size_t *len);

#endif
