// SPDX-License-Identifier: GPL-2.0
/*
 * The table of libmicrohttpd's entry points (web/mhd_dl.h), in a file of its
 * own: live.c calls through it too, and a program that links live.c without
 * the server (the fuzzers, the unit tests) must not pull in server.c and the
 * UI's embedded files with it.
 */
#include <microhttpd.h>

#include "web/mhd_dl.h"

HORNET_DLIB_DEFINE(mhd, "libmicrohttpd.so.12", HORNET_MHD_FNS);
