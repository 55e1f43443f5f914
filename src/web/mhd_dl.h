/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmicrohttpd, loaded when the web server starts (util/dlib.h).
 * Included by server.c and live.c after the library's own header: the names
 * below then call through the table, which the module's entry point loads
 * with hornet_dlib_load() before any call.
 */
#ifndef HORNET_WEB_MHD_DL_H
#define HORNET_WEB_MHD_DL_H

#include "util/dlib.h"

/* clang-format off */
#define HORNET_MHD_FNS(X) \
	X(MHD_add_response_header) \
	X(MHD_create_response_from_buffer) \
	X(MHD_create_response_from_callback) \
	X(MHD_destroy_response) \
	X(MHD_get_connection_info) \
	X(MHD_is_feature_supported) \
	X(MHD_lookup_connection_value) \
	X(MHD_queue_response) \
	X(MHD_resume_connection) \
	X(MHD_start_daemon) \
	X(MHD_stop_daemon) \
	X(MHD_suspend_connection)
/* clang-format on */

struct hornet_mhd_fns {
	HORNET_MHD_FNS(HORNET_DLIB_FN)
};

extern struct hornet_mhd_fns hornet_mhd_fns;
extern struct hornet_dlib hornet_mhd_lib;

#define MHD_add_response_header (*hornet_mhd_fns.MHD_add_response_header)
#define MHD_create_response_from_buffer (*hornet_mhd_fns.MHD_create_response_from_buffer)
#define MHD_create_response_from_callback (*hornet_mhd_fns.MHD_create_response_from_callback)
#define MHD_destroy_response (*hornet_mhd_fns.MHD_destroy_response)
#define MHD_get_connection_info (*hornet_mhd_fns.MHD_get_connection_info)
#define MHD_is_feature_supported (*hornet_mhd_fns.MHD_is_feature_supported)
#define MHD_lookup_connection_value (*hornet_mhd_fns.MHD_lookup_connection_value)
#define MHD_queue_response (*hornet_mhd_fns.MHD_queue_response)
#define MHD_resume_connection (*hornet_mhd_fns.MHD_resume_connection)
#define MHD_start_daemon (*hornet_mhd_fns.MHD_start_daemon)
#define MHD_stop_daemon (*hornet_mhd_fns.MHD_stop_daemon)
#define MHD_suspend_connection (*hornet_mhd_fns.MHD_suspend_connection)

#endif /* HORNET_WEB_MHD_DL_H */
