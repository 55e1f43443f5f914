// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time guard: a Sigkill, Signal or Override selector aimed only at
 * pid 1 or the agent (by pid or by binary) is refused with a message naming
 * the hook, the selector and why; any selector that can reach another
 * process, or does not kill, is let through.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "unit.h"
#include "policy/guard.h"
#include "policy/policy.h"

static const struct hornet_guard guard = {
	.self_pid = 4242,
	.self_exe = "/usr/sbin/hornet",
	.init_exe = "/usr/lib/systemd/systemd",
};

/* @sel: the selector's lines below "    - ", indented by six. */
static int check(const char *sel, char *err, size_t err_size)
{
	char doc[2048];
	struct hornet_policy *p;
	int ret;

	snprintf(doc, sizeof(doc),
		 "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: g\n"
		 "spec:\n  kprobes:\n  - call: sys_getpid\n    syscall: true\n"
		 "    selectors:\n    - matchActions:\n      - action: Post\n"
		 "    - %s\n",
		 sel);
	err[0] = '\0';
	p = hornet_policy_parse(doc, strlen(doc), "g.yaml", err, err_size);
	if (!p) {
		printf("    parse: %s\n", err);
		return -EINVAL;
	}
	ret = hornet_guard_check(p, &guard, err, err_size);
	hornet_policy_free(p);
	return ret;
}

#define KILL "\n      matchActions:\n      - action: Sigkill\n"

static const struct {
	const char *sel;
	const char *want; /* a piece of the refusal; NULL: accepted */
} cases[] = {
	{ "matchPIDs:\n      - operator: In\n        values: [1]" KILL,
	  "spec.kprobes[0] 'sys_getpid': selectors[1]: matchPIDs In [1]: a Sigkill aimed only "
	  "at pid 1" },
	{ "matchPIDs:\n      - operator: In\n        values: [4242, 1]" KILL,
	  "matchPIDs In [4242, 1]: a Sigkill" },
	{ "matchPIDs:\n      - operator: In\n        values: [4242]\n"
	  "      matchActions:\n      - action: Signal\n        argSig: 10\n",
	  "a Signal aimed only" },
	{ "matchPIDs:\n      - operator: In\n        values: [1]\n"
	  "      matchActions:\n      - action: Override\n        argError: -1\n",
	  "an Override aimed only" },
	{ "matchBinaries:\n      - operator: In\n        values: [/usr/sbin/hornet]" KILL,
	  "selectors[1]: matchBinaries In [/usr/sbin/hornet]: a Sigkill aimed only at the "
	  "agent's own binary" },
	{ "matchBinaries:\n      - operator: In\n        values: [/usr/lib/systemd/systemd]" KILL,
	  "matchBinaries In [/usr/lib/systemd/systemd]" },
	/* another process can match: accepted */
	{ "matchPIDs:\n      - operator: In\n        values: [1, 77]" KILL, NULL },
	{ "matchPIDs:\n      - operator: NotIn\n        values: [1]" KILL, NULL },
	/* each container's init may be killed, as Tetragon lets it */
	{ "matchPIDs:\n      - operator: In\n        isNamespacePID: true\n        values: "
	  "[1]" KILL,
	  NULL },
	{ "matchBinaries:\n      - operator: In\n        values: [/usr/sbin/hornet, /bin/sh]" KILL,
	  NULL },
	{ "matchBinaries:\n      - operator: Prefix\n        values: [/usr/sbin/hornet]" KILL,
	  NULL },
	/* no kill: watching pid 1 is fine */
	{ "matchPIDs:\n      - operator: In\n        values: [1]\n"
	  "      matchActions:\n      - action: Post\n",
	  NULL },
	/* no filter at all: the kernel side spares init and the agent */
	{ "matchActions:\n      - action: Sigkill\n", NULL },
};

int main(void)
{
	char err[1024];
	size_t i;
	int ret;

	UNIT_CASE("guard_refuses_kills_aimed_only_at_init_or_the_agent")
	{
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			ret = check(cases[i].sel, err, sizeof(err));
			if (cases[i].want && (ret != -EPERM || !strstr(err, cases[i].want)))
				UNIT_FAIL("case %zu: %d '%s', want -EPERM with '%s'", i, ret, err,
					  cases[i].want);
			if (!cases[i].want && ret)
				UNIT_FAIL("case %zu: refused: %d '%s'", i, ret, err);
		}
	}
	UNIT_CASE("guard_reads_its_own_pid_and_binary")
	{
		struct hornet_guard g;

		hornet_guard_init(&g);
		CHECK_INT(g.self_pid, getpid());
		CHECK(g.self_exe && strstr(g.self_exe, "test_guard"));
	}
	UNIT_EXIT();
}
