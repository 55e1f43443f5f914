/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CelExpr: Tetragon's CEL subset over integer arguments, compiled to the
 * stack program of include/hornet/generic.h that the generic programs run.
 */
#ifndef HORNET_POLICY_CEL_H
#define HORNET_POLICY_CEL_H

#include <stddef.h>
#include <stdint.h>
#include <hornet/generic.h>

/* The CEL type of argument X (its position in the hook's args[]). */
enum hornet_cel_type {
	HORNET_CEL_T_NONE, /* not an integer: the expression may not name it */
	HORNET_CEL_T_INT,
	HORNET_CEL_T_UINT,
	HORNET_CEL_T_BOOL,
};

/*
 * Compiles @expr, whose argX has type @types[X] (@nargs of them), into
 * @out; HORNET_CEL_ARG ops carry X. Returns 0, or -EINVAL with @err saying
 * what is wrong and at which column of the expression.
 */
int hornet_cel_compile(const char *expr, const enum hornet_cel_type *types, size_t nargs,
		       struct hornet_cel_prog *out, char *err, size_t err_size);

/* Runs @p with argX = @args[X] as the kernel does: true or false. */
int hornet_cel_eval(const struct hornet_cel_prog *p, const uint64_t *args, size_t nargs);

#endif /* HORNET_POLICY_CEL_H */
