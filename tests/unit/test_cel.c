// SPDX-License-Identifier: GPL-2.0
/*
 * CelExpr: expressions compiled and run as the kernel runs them (the
 * user-space copy of gen_cel()), against values worked out by hand; and
 * expressions that are wrong, each with what is wrong and its column.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "policy/cel.h"

/* arg0 int, arg1 int, arg2 uint, arg3 a string */
static const enum hornet_cel_type types[] = { HORNET_CEL_T_INT, HORNET_CEL_T_INT, HORNET_CEL_T_UINT,
					      HORNET_CEL_T_NONE };

static const struct {
	const char *expr;
	int64_t a0, a1;
	uint64_t a2;
	int want;
} runs[] = {
	/* Tetragon's example: whence == -1 as an int32, fd >= 1024 */
	{ "arg1 == int32(-1) && arg0 >= int32(1024)", 2048, -1, 0, 1 },
	{ "arg1 == int32(-1) && arg0 >= int32(1024)", 1023, -1, 0, 0 },
	{ "arg1 == int32(-1) && arg0 >= int32(1024)", 2048, 0xffffffffLL, 0, 0 },
	{ "int32(arg1) == -1", 0, 0xffffffffLL, 0, 1 },
	{ "uint32(arg1) == 4294967295u", 0, -1, 0, 1 },
	{ "arg0 + 1 == arg1 - 1", 5, 7, 0, 1 },
	{ "arg0 - 10 < 0", 5, 0, 0, 1 },
	{ "arg2 - 10u < 0u", 0, 0, 5, 0 }, /* unsigned: wraps, not below zero */
	{ "arg2 > 4u", 0, 0, 5, 1 },
	{ "and(arg0, 0x0f) == 5", 0x35, 0, 0, 1 },
	{ "or(arg0, 1) == 3 || xor(arg1, arg1) != 0", 2, 9, 0, 1 },
	{ "not(arg0) == -1", 0, 0, 0, 1 },
	{ "!(arg0 == 1) && true", 2, 0, 0, 1 },
	{ "!(arg0 == 1) && false", 2, 0, 0, 0 },
	{ "-arg0 == -3", 3, 0, 0, 1 },
	{ "int(arg2) == arg0", 7, 0, 7, 1 },
	{ "uint(arg0) >= arg2", 1, 0, 2, 0 },
	{ "arg0 <= arg1 && arg0 != arg1", 1, 2, 0, 1 },
	{ "(arg0 > 1 || arg1 > 1) && arg0 + arg1 == 4", 3, 1, 0, 1 },
};

static const struct {
	const char *expr;
	const char *err;
} bad[] = {
	{ "arg0 == 1u", "column 6: == between int and uint" },
	{ "arg3 == 1", "column 1: arg3 is not an integer argument" },
	{ "arg9 == 1", "column 1: arg9: the hook has 4 arguments (arg0 to arg3)" },
	{ "arg0 * 2 == 4", "column 6: '* 2 == 4' after the expression" },
	{ "arg0 + 1", "column 1: the expression is an int, not a bool" },
	{ "size(arg0) == 1", "column 1: 'size' is not a function CelExpr has" },
	{ "arg0 == ", "column 9: the expression ends where a value is expected" },
	{ "(arg0 == 1", "column 11: ')' expected" },
	{ "!arg0", "column 1: ! needs bool, not int" },
	{ "arg0 && arg1", "column 6: && needs bool, not int" },
	{ "-arg2 == 1u", "column 1: - needs an int, not uint" },
	{ "true < false", "column 6: < does not order bools" },
	{ "and(arg0, arg2) == 1", "column 11: and() of int and uint" },
	{ "arg0 == 'x'", "column 9: ''' is not something CelExpr takes" },
	{ "99999999999999999999 == arg0", "column 1: not a number CelExpr takes" },
	{ "arg0 == 1 ? true : false", "column 11: '? true : false' after the expression" },
};

int main(void)
{
	struct hornet_cel_prog prog;
	char err[256], expr[512];
	size_t i;

	UNIT_CASE("cel/runs_as_the_kernel_does")
	{
		for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
			uint64_t args[4] = { (uint64_t)runs[i].a0, (uint64_t)runs[i].a1, runs[i].a2,
					     0 };

			err[0] = '\0';
			CHECK_INT(
				hornet_cel_compile(runs[i].expr, types, 4, &prog, err, sizeof(err)),
				0);
			if (err[0])
				printf("    %s: %s\n", runs[i].expr, err);
			CHECK_INT(hornet_cel_eval(&prog, args, 4), runs[i].want);
		}
	}
	UNIT_CASE("cel/errors_say_what_and_where")
	{
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err[0] = '\0';
			CHECK_INT(
				hornet_cel_compile(bad[i].expr, types, 4, &prog, err, sizeof(err)),
				-EINVAL);
			if (strncmp(err, bad[i].err, strlen(bad[i].err)))
				printf("    %s: got '%s', want '%s...'\n", bad[i].expr, err,
				       bad[i].err);
			CHECK(!strncmp(err, bad[i].err, strlen(bad[i].err)));
		}
	}
	UNIT_CASE("cel/limits_of_the_kernel_program")
	{
		/* 16 comparisons joined: more steps than the kernel runs */
		expr[0] = '\0';
		for (i = 0; i < 16; i++)
			strcat(expr, i ? " && arg0 == 1" : "arg0 == 1");
		CHECK_INT(hornet_cel_compile(expr, types, 4, &prog, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "longer than the kernel runs (32 steps)"));
		/* right-nested sums: deeper than its stack */
		strcpy(expr, "arg0 == (1 + (1 + (1 + (1 + (1 + (1 + (1 + (1 + 1))))))))");
		CHECK_INT(hornet_cel_compile(expr, types, 4, &prog, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "nests deeper than the kernel runs (8 values)"));
	}
	UNIT_CASE("cel/hostile_nesting_is_an_error_not_a_crash")
	{
		static char deep[200001];
		const char *open[] = { "(", "!", "-", "int(" };

		for (i = 0; i < 4; i++) {
			size_t n = strlen(open[i]), k;

			for (k = 0; k + n < sizeof(deep); k += n)
				memcpy(deep + k, open[i], n);
			deep[k] = '\0';
			err[0] = '\0';
			CHECK_INT(hornet_cel_compile(deep, types, 4, &prog, err, sizeof(err)),
				  -EINVAL);
			CHECK(strstr(err, "nests more than 64 deep"));
		}
		/* 64 levels of parentheses around a comparison still compile */
		strcpy(expr, "");
		for (i = 0; i < 60; i++)
			strcat(expr, "(");
		strcat(expr, "arg0 == 1");
		for (i = 0; i < 60; i++)
			strcat(expr, ")");
		CHECK_INT(hornet_cel_compile(expr, types, 4, &prog, err, sizeof(err)), 0);
	}
	UNIT_EXIT();
}
