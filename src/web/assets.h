/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page's files (src/web/ui/), embedded at build time by
 * scripts/embed-ui.py into the build directory's web_assets.c.
 */
#ifndef HORNET_WEB_ASSETS_H
#define HORNET_WEB_ASSETS_H

#include <stddef.h>

struct hornet_web_asset {
	const char *path; /* relative to src/web/ui/, e.g. "index.html", "js/app.js" */
	const unsigned char *data;
	size_t len;
};

extern const struct hornet_web_asset hornet_web_assets[];
extern const size_t hornet_web_assets_count;

#endif
