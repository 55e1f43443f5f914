// SPDX-License-Identifier: GPL-2.0
/*
 * The stand-in for the kernel's BTF (sensors/generic_btf.c), against the
 * running kernel's own: every function and BTF tracepoint typedef is found
 * by libbpf at the kernel's id; nothing else is there; mounted over the
 * kernel's for one thread, the thread reads it and the rest of the process
 * the real one, and no mount reaches the agent's namespace.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "unit.h"
#include "sensors/generic_btf.h"

struct seen {
	int fd;
	const char *name; /* the one lookup the stand-in is cut for, or NULL */
	const char *other; /* a name of the kernel's, not to be found then */
	int enter;
	int id; /* of @name, in what the thread reads */
	int other_id;
	__u32 types;
	int task_struct; /* found in what the thread reads as the kernel's BTF */
	int mounted_for_all; /* the mount shows in the process's namespace */
};

static bool mount_in_process_ns(void)
{
	char line[1024];
	bool found = false;
	/* the thread group leader's namespace: the agent's */
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " " HORNET_KERNEL_BTF " "))
			found = true;
	if (f)
		fclose(f);
	return found;
}

static void *in_thread(void *arg)
{
	struct seen *s = arg;
	struct btf *b;

	s->enter = hornet_gen_standin_enter_for(s->fd, s->name);
	if (s->enter)
		return NULL;
	b = btf__load_vmlinux_btf();
	s->types = b ? btf__type_cnt(b) : 0;
	s->task_struct = b ? btf__find_by_name_kind(b, "task_struct", BTF_KIND_STRUCT) : -1;
	if (b && s->name) {
		s->id = btf__find_by_name_kind(b, s->name, BTF_KIND_FUNC);
		s->other_id = btf__find_by_name_kind(b, s->other, BTF_KIND_FUNC);
	}
	s->mounted_for_all = mount_in_process_ns();
	btf__free(b);
	hornet_gen_standin_leave();
	return NULL;
}

int main(void)
{
	struct btf *k = btf__parse(HORNET_KERNEL_BTF, NULL), *s = NULL;
	struct seen seen = { .fd = -1 };
	__u32 i, n, funcs = 0, traces = 0, wrong = 0, checked = 0;
	char path[32];
	pthread_t th;

	if (!k) {
		UNIT_SKIP("generic_btf", "no kernel BTF");
		return 0;
	}
	n = btf__type_cnt(k);
	UNIT_CASE("standin/every_target_at_the_kernel_id")
	{
		seen.fd = hornet_gen_standin_btf(k);
		CHECK(seen.fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", seen.fd);
		s = seen.fd >= 0 ? btf__parse(path, NULL) : NULL;
		CHECK(s != NULL);
		if (s) {
			CHECK_INT(btf__type_cnt(s), n);
			for (i = 1; i < n; i++) {
				const struct btf_type *t = btf__type_by_id(k, i);
				const char *name = btf__name_by_offset(k, t->name_off);
				int kind = btf_kind(t);

				if (btf_is_typedef(t) && !strncmp(name, "btf_trace_", 10))
					traces++;
				else if (btf_is_func(t))
					funcs++;
				else
					continue;
				/* a lookup walks every type: a sample of them, and the last */
				if ((funcs + traces) % 97 && i < n - 1000)
					continue;
				checked++;
				/* the first of that name: the kernel's lookup gives it too */
				if (btf__find_by_name_kind(s, name, kind) !=
				    btf__find_by_name_kind(k, name, kind))
					wrong++;
			}
			CHECK(funcs > 1000);
			CHECK(checked > 10);
			CHECK(traces > 100);
			CHECK_INT(wrong, 0);
			CHECK(btf__find_by_name_kind(s, "task_struct", BTF_KIND_STRUCT) < 0);
		}
	}
	UNIT_CASE("standin/one_thread_sees_it_the_process_does_not")
	{
		if (seen.fd >= 0 && !pthread_create(&th, NULL, in_thread, &seen)) {
			pthread_join(th, NULL);
			CHECK_INT(seen.enter, 0);
			CHECK_INT(seen.types, n);
			CHECK(seen.task_struct < 0);
			CHECK(!seen.mounted_for_all);
			CHECK(!mount_in_process_ns());
			CHECK(btf__find_by_name_kind(k, "task_struct", BTF_KIND_STRUCT) > 0);
		}
	}
	UNIT_CASE("standin/cut_for_one_target_at_its_kernel_id")
	{
		/* two functions of the kernel: the later one, and one before it */
		int a = btf__find_by_name_kind(k, "security_file_open", BTF_KIND_FUNC);
		int b = btf__find_by_name_kind(k, "commit_creds", BTF_KIND_FUNC);

		seen.name = a > b ? "security_file_open" : "commit_creds";
		seen.other = a > b ? "commit_creds" : "security_file_open";
		CHECK(a > 0 && b > 0);
		if (seen.fd >= 0 && a > 0 && b > 0 &&
		    !pthread_create(&th, NULL, in_thread, &seen)) {
			pthread_join(th, NULL);
			CHECK_INT(seen.enter, 0);
			CHECK_INT(seen.id, a > b ? a : b);
			/* nothing after it but its prototype, no other name */
			CHECK_INT(seen.types, (a > b ? a : b) + 2);
			CHECK(seen.other_id < 0);
			CHECK(seen.task_struct < 0);
			CHECK(!mount_in_process_ns());
		}
		/* a name not there: the whole stand-in, where libbpf looks on in modules */
		seen.name = "hornet_no_such_function";
		if (seen.fd >= 0 && !pthread_create(&th, NULL, in_thread, &seen)) {
			pthread_join(th, NULL);
			CHECK_INT(seen.enter, 0);
			CHECK_INT(seen.types, n);
			CHECK(seen.id < 0);
			CHECK(seen.other_id > 0);
		}
	}
	btf__free(s);
	btf__free(k);
	if (seen.fd >= 0)
		close(seen.fd);
	UNIT_EXIT();
}
