/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libcurl, loaded by the first watch (util/dlib.h).
 * Included by client.c after the library's own header: the names
 * below then call through the table, which the module's entry point loads
 * with hornet_dlib_load() before any call.
 */
#ifndef HORNET_K8S_CURL_DL_H
#define HORNET_K8S_CURL_DL_H

#include "util/dlib.h"

/* clang-format off */
#define HORNET_CURL_FNS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_escape) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_free) \
	X(curl_global_init) \
	X(curl_multi_add_handle) \
	X(curl_multi_cleanup) \
	X(curl_multi_info_read) \
	X(curl_multi_init) \
	X(curl_multi_perform) \
	X(curl_multi_poll) \
	X(curl_multi_remove_handle) \
	X(curl_slist_append) \
	X(curl_slist_free_all)
/* clang-format on */

struct hornet_curl_fns {
	HORNET_CURL_FNS(HORNET_DLIB_FN)
};

extern struct hornet_curl_fns hornet_curl_fns;
extern struct hornet_dlib hornet_curl_lib;

/* <curl/curl.h> makes these two macros, to count their arguments */
#undef curl_easy_getinfo
#undef curl_easy_setopt
#define curl_easy_cleanup (*hornet_curl_fns.curl_easy_cleanup)
#define curl_easy_escape (*hornet_curl_fns.curl_easy_escape)
#define curl_easy_getinfo (*hornet_curl_fns.curl_easy_getinfo)
#define curl_easy_init (*hornet_curl_fns.curl_easy_init)
#define curl_easy_setopt (*hornet_curl_fns.curl_easy_setopt)
#define curl_easy_strerror (*hornet_curl_fns.curl_easy_strerror)
#define curl_free (*hornet_curl_fns.curl_free)
#define curl_global_init (*hornet_curl_fns.curl_global_init)
#define curl_multi_add_handle (*hornet_curl_fns.curl_multi_add_handle)
#define curl_multi_cleanup (*hornet_curl_fns.curl_multi_cleanup)
#define curl_multi_info_read (*hornet_curl_fns.curl_multi_info_read)
#define curl_multi_init (*hornet_curl_fns.curl_multi_init)
#define curl_multi_perform (*hornet_curl_fns.curl_multi_perform)
#define curl_multi_poll (*hornet_curl_fns.curl_multi_poll)
#define curl_multi_remove_handle (*hornet_curl_fns.curl_multi_remove_handle)
#define curl_slist_append (*hornet_curl_fns.curl_slist_append)
#define curl_slist_free_all (*hornet_curl_fns.curl_slist_free_all)

#endif /* HORNET_K8S_CURL_DL_H */
