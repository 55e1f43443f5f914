/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared libraries loaded at their first use instead of at every exec.
 * libcurl (the Kubernetes watches), libmicrohttpd (the web server) and libpq
 * (a PostgreSQL store) bring some thirty libraries with them (TLS, Kerberos,
 * LDAP...): mapping and relocating those was 5 ms of every start of the
 * binary, `hornet status` included, for features most runs never use.
 *
 * A user names the functions it calls in an X-macro list, declares a table
 * of pointers of their own types (HORNET_DLIB_FN), and redirects the names
 * to the table; the module's entry point loads the table before any call.
 */
#ifndef HORNET_UTIL_DLIB_H
#define HORNET_UTIL_DLIB_H

#include <pthread.h>
#include <stddef.h>

/* A table member: a pointer of the type the library's header declares. */
#define HORNET_DLIB_FN(f) __typeof__(&f) f;
#define HORNET_DLIB_NAME(f) #f,

/*
 * Defines the table hornet_<lib>_fns and its hornet_dlib hornet_<lib>_lib,
 * in the one file of the module that does; @LIST is the X-macro list.
 */
#define HORNET_DLIB_DEFINE(lib, so, LIST)                                             \
	struct hornet_##lib##_fns hornet_##lib##_fns;                                 \
	static const char *const hornet_##lib##_names[] = { LIST(HORNET_DLIB_NAME) }; \
	struct hornet_dlib hornet_##lib##_lib = {                                     \
		.soname = so,                                                         \
		.names = hornet_##lib##_names,                                        \
		.fns = (void **)&hornet_##lib##_fns,                                  \
		.n = sizeof(hornet_##lib##_names) / sizeof(hornet_##lib##_names[0]),  \
		.once = PTHREAD_ONCE_INIT,                                            \
	}

struct hornet_dlib {
	const char *soname; /* "libcurl.so.4" */
	const char *const *names; /* of the functions, in the table's order */
	void **fns; /* the table */
	size_t n;
	pthread_once_t once;
	char error[256]; /* why it cannot be loaded; "" when loaded */
};

/*
 * Loads @lib and every function of its table, once per run. Returns 0, or
 * -ELIBACC with the reason (dlerror()'s, which names the library) in
 * lib->error.
 */
int hornet_dlib_load(struct hornet_dlib *lib);

#endif /* HORNET_UTIL_DLIB_H */
