// SPDX-License-Identifier: GPL-2.0
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "util/dlib.h"

/* The lib being loaded by pthread_once(), which takes no argument; set under its once. */
static __thread struct hornet_dlib *loading;

static void load_once(void)
{
	struct hornet_dlib *lib = loading;
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h) {
		snprintf(lib->error, sizeof(lib->error), "%s", dlerror());
		return;
	}
	for (i = 0; i < lib->n; i++) {
		lib->fns[i] = dlsym(h, lib->names[i]);
		if (!lib->fns[i]) {
			snprintf(lib->error, sizeof(lib->error), "%s: no %s", lib->soname,
				 lib->names[i]);
			/* never unloaded: a table half filled points into it */
			return;
		}
	}
	lib->error[0] = '\0';
}

int hornet_dlib_load(struct hornet_dlib *lib)
{
	loading = lib;
	pthread_once(&lib->once, load_once);
	loading = NULL;
	return lib->error[0] ? -ELIBACC : 0;
}
