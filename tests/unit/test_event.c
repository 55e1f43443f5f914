// SPDX-License-Identifier: GPL-2.0
/*
 * Events in Tetragon's shape: exec ids, timestamps, capability names, flags,
 * and whole exec/exit lines rendered from hand-built processes and read back
 * with jansson.
 */
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "unit.h"
#include "export/event.h"
#include "vocab/vocab.h"
#include "util/base64.h"
#include "util/intern.h"

#define FFFD "\xef\xbf\xbd"
#define HOST_NS_BASE 4026531835U

/* The value at a dotted @path ("process.ns.mnt.inum"), or NULL. */
static json_t *at(json_t *v, const char *path)
{
	char buf[256], *save = NULL, *k;

	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	return v;
}

static const char *str_at(json_t *v, const char *path)
{
	return json_string_value(at(v, path));
}

static long long int_at(json_t *v, const char *path)
{
	json_t *n = at(v, path);

	return json_is_integer(n) ? json_integer_value(n) : -12345;
}

/* @obj has exactly the keys in @keys (NULL-terminated). */
static bool keys_are(json_t *obj, const char *const *keys)
{
	size_t n = 0;

	if (!json_is_object(obj))
		return false;
	for (; keys[n]; n++) {
		if (!json_object_get(obj, keys[n])) {
			printf("    missing key '%s'\n", keys[n]);
			return false;
		}
	}
	if (json_object_size(obj) != n) {
		char *dump = json_dumps(obj, JSON_COMPACT);

		printf("    %zu keys, want %zu: %s\n", json_object_size(obj), n, dump);
		free(dump);
		return false;
	}
	return true;
}

/* @arr is an array of exactly the strings in @want (NULL-terminated). */
static bool strings_are(json_t *arr, const char *const *want)
{
	size_t i;

	if (!json_is_array(arr))
		return false;
	for (i = 0; want[i]; i++) {
		if (!json_is_string(json_array_get(arr, i)) ||
		    strcmp(json_string_value(json_array_get(arr, i)), want[i])) {
			printf("    [%zu] is not '%s'\n", i, want[i]);
			return false;
		}
	}
	return json_array_size(arr) == i;
}

/* The exec id @id decodes to "<@node>:<@ktime>:<@pid>". */
static bool exec_id_is(const char *id, const char *want)
{
	char raw[512];
	long n;

	if (!id)
		return false;
	n = hornet_base64_decode(id, strlen(id), raw, sizeof(raw) - 1);
	if (n < 0) {
		printf("    '%s' is not base64\n", id);
		return false;
	}
	raw[n] = '\0';
	if (strcmp(raw, want)) {
		printf("    exec_id decodes to '%s', want '%s'\n", raw, want);
		return false;
	}
	return true;
}

/* A process with interned strings (NULL for unknown). */
static struct hornet_process *proc(uint32_t pid, uint64_t ktime, uint32_t ppid, uint64_t pktime,
				   const char *binary, const char *cwd, const char *args)
{
	struct hornet_process *p = hornet_process__new();

	if (!p) {
		perror("hornet_process__new");
		exit(2);
	}
	p->pid = pid;
	p->tid = pid;
	p->ktime = ktime;
	p->ppid = ppid;
	p->pktime = pktime;
	p->flags = HORNET_PF_EXECVE;
	p->binary = binary ? hornet_intern(binary, strlen(binary)) : NULL;
	p->cwd = cwd ? hornet_intern(cwd, strlen(cwd)) : NULL;
	p->args = args ? hornet_intern(args, strlen(args)) : NULL;
	return p;
}

/* Parses a rendered line: it must be one JSON object with no newline. */
static json_t *parse(struct hornet_json *j)
{
	json_error_t e;
	json_t *v;

	if (j->failed || !j->buf) {
		printf("    the writer failed\n");
		return NULL;
	}
	if (memchr(j->buf, '\n', j->len)) {
		printf("    raw newline in the line: %s\n", j->buf);
		return NULL;
	}
	v = json_loadb(j->buf, j->len, JSON_REJECT_DUPLICATES, &e);
	if (!v)
		printf("    not JSON (%s): %s\n", e.text, j->buf);
	return v;
}

static json_t *exec_json(const struct hornet_render_ctx *ctx, struct hornet_process *p,
			 uint64_t ktime)
{
	struct hornet_json j;
	json_t *v;

	hornet_json_init(&j);
	hornet_render_exec(&j, ctx, p, ktime);
	v = parse(&j);
	hornet_json_free(&j);
	return v;
}

static json_t *exit_json(const struct hornet_render_ctx *ctx, struct hornet_process *p,
			 uint32_t code, uint64_t ktime)
{
	struct hornet_json j;
	json_t *v;

	hornet_json_init(&j);
	hornet_render_exit(&j, ctx, p, code, ktime);
	v = parse(&j);
	hornet_json_free(&j);
	return v;
}

static bool time_is(uint64_t ns, const char *want)
{
	char out[HORNET_TIME_MAX];

	memset(out, 'X', sizeof(out));
	hornet_format_time(out, ns);
	if (strnlen(out, sizeof(out)) != 30 || strcmp(out, want)) {
		printf("    %llu: got '%.*s', want '%s'\n", (unsigned long long)ns,
		       (int)sizeof(out), out, want);
		return false;
	}
	return true;
}

static bool flags_are(uint32_t flags, const char *cwd, const char *want)
{
	char out[160];

	memset(out, 'X', sizeof(out));
	hornet_process_flags(flags, cwd, out, sizeof(out));
	if (strcmp(out, want)) {
		printf("    flags 0x%x cwd '%s': got '%s', want '%s'\n", flags,
		       cwd ? cwd : "(null)", out, want);
		return false;
	}
	return true;
}

int main(void)
{
	static const char *const envelope_exec[] = { "process_exec", "node_name", "time", NULL };
	static const char *const envelope_exit[] = { "process_exit", "node_name", "time", NULL };
	struct hornet_render_ctx ctx = {
		.node_name = "node-1",
		/* an event at ktime 1000000 happens at 2026-11-28T10:00:00.123456789Z */
		.boot_to_wall_ns = 1795860000123456789LL - 1000000,
		.process_cred = true,
		.process_ns = true,
	};
	struct hornet_process *p, *par, *g, *gg;
	json_t *v;
	unsigned int i;

	for (i = 0; i < HORNET_NS_COUNT; i++)
		ctx.host_ns.inum[i] = HOST_NS_BASE + i;

	UNIT_CASE("event_exec_id")
	{
		char id[HORNET_EXEC_ID_MAX], node[301];
		const char *raw = "node-1:123456789:4242";
		size_t need = HORNET_BASE64_SIZE(strlen(raw));

		CHECK_INT(hornet_exec_id(id, sizeof(id), "node-1", 123456789, 4242), strlen(id));
		CHECK(exec_id_is(id, raw));
		CHECK_INT(strlen(id), need - 1);
		/* exactly enough room, then one byte short */
		CHECK_INT(hornet_exec_id(id, need, "node-1", 123456789, 4242), need - 1);
		CHECK(exec_id_is(id, raw));
		CHECK_INT(hornet_exec_id(id, need - 1, "node-1", 123456789, 4242), 0);
		CHECK_INT(hornet_exec_id(id, 1, "node-1", 123456789, 4242), 0);
		/* the largest: a 253-byte DNS name, the largest ktime and pid */
		memset(node, 'n', 253);
		node[253] = '\0';
		CHECK(hornet_exec_id(id, sizeof(id), node, UINT64_MAX, UINT32_MAX) > 0);
		{
			char want[400];

			snprintf(want, sizeof(want), "%s:18446744073709551615:4294967295", node);
			CHECK(exec_id_is(id, want));
		}
		/* a name far too long is refused, never cut */
		memset(node, 'n', 300);
		node[300] = '\0';
		id[0] = 'X';
		CHECK_INT(hornet_exec_id(id, sizeof(id), node, 1, 1), 0);
		CHECK_STR(id, "");
		/* zero values */
		CHECK(hornet_exec_id(id, sizeof(id), "n", 0, 0) > 0);
		CHECK(exec_id_is(id, "n:0:0"));
	}

	UNIT_CASE("event_format_time")
	{
		CHECK(time_is(0, "1970-01-01T00:00:00.000000000Z"));
		CHECK(time_is(1, "1970-01-01T00:00:00.000000001Z"));
		CHECK(time_is(1795860000123456789ULL, "2026-11-28T10:00:00.123456789Z"));
		CHECK(time_is(1709251199999999999ULL, "2024-02-29T23:59:59.999999999Z"));
		CHECK(time_is(1709251200000000000ULL, "2024-03-01T00:00:00.000000000Z"));
		CHECK(time_is(1709164800000000000ULL, "2024-02-29T00:00:00.000000000Z"));
		CHECK(time_is(951825600000000005ULL, "2000-02-29T12:00:00.000000005Z"));
		CHECK(time_is(UINT64_MAX, "2554-07-21T23:34:33.709551615Z"));
	}

	UNIT_CASE("event_cap_name")
	{
		CHECK_STR(hornet_cap_name(0), "CAP_CHOWN");
		CHECK_STR(hornet_cap_name(7), "CAP_SETUID");
		CHECK_STR(hornet_cap_name(21), "CAP_SYS_ADMIN");
		CHECK_STR(hornet_cap_name(38), "CAP_PERFMON");
		CHECK_STR(hornet_cap_name(39), "CAP_BPF");
		CHECK_STR(hornet_cap_name(40), "CAP_CHECKPOINT_RESTORE");
		CHECK(!hornet_cap_name(41));
		CHECK(!hornet_cap_name(63));
		CHECK(!hornet_cap_name(~0U));
		for (i = 0; i <= 40; i++) {
			const char *n = hornet_cap_name(i);

			if (!n || strncmp(n, "CAP_", 4))
				UNIT_FAIL("bit %u has no name", i);
		}
	}

	UNIT_CASE("event_process_flags")
	{
		CHECK(flags_are(0, NULL, ""));
		CHECK(flags_are(0, "/tmp", ""));
		CHECK(flags_are(0, "/", "rootcwd"));
		CHECK(flags_are(HORNET_PF_EXECVE, "/home", "execve"));
		CHECK(flags_are(HORNET_PF_EXECVE, "/", "execve rootcwd"));
		CHECK(flags_are(HORNET_PF_PROCFS, NULL, "procFS"));
		CHECK(flags_are(HORNET_PF_CLONE, "/", "clone rootcwd"));
		CHECK(flags_are(HORNET_PF_EXECVE | HORNET_PF_TRUNC_ARGS | HORNET_PF_TRUNC_PATH,
				"/x", "execve truncFilename truncArgs"));
		CHECK(flags_are(HORNET_PF_ERROR_CWD | HORNET_PF_ERROR_ARGS | HORNET_PF_TRUNC_CWD,
				NULL, "truncCWD errorArgs errorCWD"));
		CHECK(flags_are(0xff, "/",
				"execve procFS clone truncFilename truncArgs truncCWD errorArgs "
				"errorCWD rootcwd"));
		/* bits with no Tetragon name print nothing */
		CHECK(flags_are(HORNET_PF_DELETED | HORNET_PF_NO_PARENT | HORNET_PF_SECUREEXEC,
				"//", ""));
		/* a small buffer stays terminated and in bounds */
		{
			char out[12];

			memset(out, 'X', sizeof(out));
			hornet_process_flags(0xff, "/", out, sizeof(out));
			CHECK(memchr(out, '\0', sizeof(out)));
			/* cut where the buffer ends, as snprintf() cut it */
			CHECK(!strcmp(out, "execve proc"));
		}
	}

	UNIT_CASE("event_exec_shape")
	{
		p = proc(4242, 900000, 100, 500, "/usr/bin/curl", "/", "-s http://x");
		p->tid = 4243;
		p->creds = (struct hornet_creds){ 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007 };
		p->auid = 1000;
		p->caps.permitted = 1ULL << 0 | 1ULL << 21 | 1ULL << 63;
		p->caps.effective = 1ULL << 21;
		p->caps.inheritable = 0;
		p->ns.inum[HORNET_NS_UTS] = HOST_NS_BASE + HORNET_NS_UTS;
		p->ns.inum[HORNET_NS_MNT] = HOST_NS_BASE + 999;
		p->ns.inum[HORNET_NS_PID] = HOST_NS_BASE + HORNET_NS_PID;
		p->cgroup_id = 77;
		p->start_ns = 951825600000000005ULL;
		memset(p->container_id, 'a', HORNET_CONTAINER_ID_LEN);
		memcpy(p->container_id, "0123456789abcdef", 16);
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			static const char *const pe_keys[] = { "process", "parent_unknown", NULL };
			static const char *const creds[] = { "uid",   "gid",   "euid",
							     "egid",  "suid",  "sgid",
							     "fsuid", "fsgid", NULL };
			static const char *const ns_keys[] = { "uts", "mnt", "pid", NULL };
			static const char *const permitted[] = { "CAP_CHOWN", "CAP_SYS_ADMIN",
								 "CAP_63", NULL };
			static const char *const effective[] = { "CAP_SYS_ADMIN", NULL };
			static const char *const none[] = { NULL };
			json_t *pr = at(v, "process_exec.process");

			CHECK(keys_are(v, envelope_exec));
			CHECK_STR(str_at(v, "node_name"), "node-1");
			CHECK_STR(str_at(v, "time"), "2026-11-28T10:00:00.123456789Z");
			CHECK(keys_are(at(v, "process_exec"), pe_keys));
			CHECK(json_is_true(at(v, "process_exec.parent_unknown")));
			CHECK(exec_id_is(str_at(pr, "exec_id"), "node-1:900000:4242"));
			CHECK_INT(int_at(pr, "pid"), 4242);
			CHECK_INT(int_at(pr, "tid"), 4243);
			CHECK_INT(int_at(pr, "uid"), 1000);
			CHECK_STR(str_at(pr, "cwd"), "/");
			CHECK_STR(str_at(pr, "binary"), "/usr/bin/curl");
			CHECK_STR(str_at(pr, "arguments"), "-s http://x");
			CHECK_STR(str_at(pr, "flags"), "execve rootcwd");
			CHECK_STR(str_at(pr, "start_time"), "2000-02-29T12:00:00.000000005Z");
			CHECK_INT(int_at(pr, "auid"), 1000);
			CHECK_STR(str_at(pr, "docker"), "0123456789abcdefaaaaaaaaaaaaaaa");
			CHECK(exec_id_is(str_at(pr, "parent_exec_id"), "node-1:500:100"));
			CHECK_INT(int_at(pr, "cgroup_id"), 77);
			CHECK(strings_are(at(pr, "cap.permitted"), permitted));
			CHECK(strings_are(at(pr, "cap.effective"), effective));
			CHECK(strings_are(at(pr, "cap.inheritable"), none));
			CHECK(keys_are(at(pr, "ns"), ns_keys));
			CHECK_INT(int_at(pr, "ns.uts.inum"), HOST_NS_BASE + HORNET_NS_UTS);
			CHECK(json_is_true(at(pr, "ns.uts.is_host")));
			CHECK_INT(int_at(pr, "ns.mnt.inum"), HOST_NS_BASE + 999);
			CHECK(json_is_false(at(pr, "ns.mnt.is_host")));
			CHECK(json_is_true(at(pr, "ns.pid.is_host")));
			CHECK(keys_are(at(pr, "process_credentials"), creds));
			for (i = 0; creds[i]; i++) {
				char path[64];

				snprintf(path, sizeof(path), "process_credentials.%s", creds[i]);
				CHECK_INT(int_at(pr, path), 1000 + i);
			}
			CHECK(!at(pr, "binary_properties"));
			json_decref(v);
		}

		/* the second rendering (from the kept object) is the same */
		{
			struct hornet_json a, b;

			hornet_json_init(&a);
			hornet_json_init(&b);
			hornet_render_exec(&a, &ctx, p, 1000000);
			hornet_render_exec(&b, &ctx, p, 1000000);
			CHECK(a.buf && b.buf && !strcmp(a.buf, b.buf));
			hornet_json_free(&a);
			hornet_json_free(&b);
		}
		hornet_process__put(p);
	}

	UNIT_CASE("event_exec_cred_and_ns_only_when_enabled")
	{
		/*
		 * Tetragon's defaults: no cap, process_credentials or ns
		 * unless asked; each flag brings its own part, nothing else
		 */
		static const struct {
			bool cred, ns;
		} modes[] = { { false, false }, { true, false }, { false, true } };
		struct hornet_render_ctx c = ctx;
		unsigned int m;

		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			c.process_cred = modes[m].cred;
			c.process_ns = modes[m].ns;
			p = proc(4300 + m, 900000, 100, 500, "/usr/bin/id", "/", "");
			p->caps.effective = 1ULL << 21;
			p->ns.inum[HORNET_NS_PID] = HOST_NS_BASE + HORNET_NS_PID;
			p->cgroup_id = 77;
			v = exec_json(&c, p, 1000000);
			CHECK(v);
			if (v) {
				json_t *pr = at(v, "process_exec.process");

				CHECK(!at(pr, "cap") == !modes[m].cred);
				CHECK(!at(pr, "process_credentials") == !modes[m].cred);
				CHECK(!at(pr, "ns") == !modes[m].ns);
				CHECK_INT(int_at(pr, "tid"), 4300 + m);
				CHECK_INT(int_at(pr, "cgroup_id"), 77);
				json_decref(v);
			}
			v = exit_json(&c, p, 0, 2000000);
			CHECK(v && !at(v, "process_exit.process.cap") == !modes[m].cred);
			CHECK(v && !at(v, "process_exit.process.ns") == !modes[m].ns);
			json_decref(v);
			hornet_process__put(p);
		}
	}

	UNIT_CASE("event_exec_minimal_process")
	{
		/* nothing known but the key: optional fields are left out */
		p = proc(7, 70, 0, 0, NULL, NULL, "");
		p->flags = 0;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			static const char *const pe_keys[] = { "process", NULL };
			json_t *pr = at(v, "process_exec.process");

			CHECK(keys_are(at(v, "process_exec"), pe_keys));
			CHECK(!at(pr, "cwd") && !at(pr, "binary") && !at(pr, "arguments"));
			CHECK(!at(pr, "start_time") && !at(pr, "parent_exec_id"));
			CHECK(!at(pr, "docker") && !at(pr, "cgroup_id"));
			CHECK_STR(str_at(pr, "flags"), "");
			CHECK_INT(int_at(pr, "tid"), 7);
			CHECK_INT(json_object_size(at(pr, "ns")), 0);
			CHECK_INT(json_array_size(at(pr, "cap.permitted")), 0);
			json_decref(v);
		}
		hornet_process__put(p);

		/* no parent key but the kernel said it had none: parent_unknown */
		p = proc(8, 80, 0, 0, "/x", "/", NULL);
		p->flags |= HORNET_PF_NO_PARENT;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v && json_is_true(at(v, "process_exec.parent_unknown")));
		CHECK(v && !at(v, "process_exec.parent"));
		json_decref(v);
		hornet_process__put(p);
	}

	UNIT_CASE("event_exec_binary_properties")
	{
		static const char *const setuid_root[] = { "PRIVILEGES_RAISED_EXEC_FILE_SETUID",
							   NULL };
		static const char *const both[] = { "PRIVILEGES_RAISED_EXEC_FILE_CAP",
						    "PRIVILEGES_RAISED_EXEC_FILE_SETUID", NULL };
		static const char *const file_cap[] = { "PRIVILEGES_RAISED_EXEC_FILE_CAP", NULL };

		p = proc(10, 100, 1, 1, "/usr/bin/sudo", "/home/u", "id");
		p->creds = (struct hornet_creds){ 1000, 1000, 0, 1000, 0, 1000, 0, 1000 };
		p->privs = HORNET_PRIV_SETUID | HORNET_PRIV_SETUID_ROOT;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			json_t *bp = at(v, "process_exec.process.binary_properties");
			static const char *const keys[] = { "setuid", "privileges_changed", NULL };

			CHECK(keys_are(bp, keys));
			CHECK_INT(int_at(bp, "setuid"), 0);
			CHECK(strings_are(at(bp, "privileges_changed"), setuid_root));
			json_decref(v);
		}
		/* only the exec carries them */
		v = exit_json(&ctx, p, 0, 2000000);
		CHECK(v && at(v, "process_exit.process.binary") &&
		      !at(v, "process_exit.process.binary_properties"));
		json_decref(v);
		hornet_process__put(p);

		p = proc(11, 110, 1, 1, "/usr/bin/newgrp", "/", NULL);
		p->creds = (struct hornet_creds){ 5, 6, 5, 42, 5, 42, 5, 42 };
		p->privs = HORNET_PRIV_SETGID | HORNET_PRIV_FILE_CAP | HORNET_PRIV_SETUID_ROOT;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			json_t *bp = at(v, "process_exec.process.binary_properties");
			static const char *const keys[] = { "setgid", "privileges_changed", NULL };

			CHECK(keys_are(bp, keys));
			CHECK_INT(int_at(bp, "setgid"), 42);
			CHECK(strings_are(at(bp, "privileges_changed"), both));
			json_decref(v);
		}
		hornet_process__put(p);

		p = proc(12, 120, 1, 1, "/usr/bin/ping", "/", NULL);
		p->privs = HORNET_PRIV_FILE_CAP;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v && strings_are(at(v, "process_exec.process.binary_properties."
					     "privileges_changed"),
				       file_cap));
		json_decref(v);
		hornet_process__put(p);

		/* a deleted binary (memfd, unlinked file) */
		p = proc(13, 130, 1, 1, "/memfd:payload (deleted)", "/tmp", NULL);
		p->flags |= HORNET_PF_DELETED;
		p->ino = 98765;
		p->nlink = 0;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			json_t *bp = at(v, "process_exec.process.binary_properties");
			static const char *const keys[] = { "file", NULL };
			static const char *const file_keys[] = { "inode", "path", NULL };

			CHECK(keys_are(bp, keys));
			CHECK(keys_are(at(bp, "file"), file_keys));
			CHECK_INT(int_at(bp, "file.inode.number"), 98765);
			CHECK_INT(int_at(bp, "file.inode.links"), 0);
			CHECK_STR(str_at(bp, "file.path"), "/memfd:payload (deleted)");
			json_decref(v);
		}
		hornet_process__put(p);

		/* neither: no binary_properties */
		p = proc(14, 140, 1, 1, "/bin/true", "/", NULL);
		v = exec_json(&ctx, p, 1000000);
		CHECK(v && !at(v, "process_exec.process.binary_properties"));
		json_decref(v);
		hornet_process__put(p);
	}

	UNIT_CASE("event_exit_status_and_signal")
	{
		static const struct {
			uint32_t code;
			const char *signal;
			long long status;
		} cases[] = {
			{ 0, NULL, 0 },	       { 0x300, NULL, 3 },    { 0xff00, NULL, 255 },
			{ 9, "SIGKILL", -1 },  { 11, "SIGSEGV", -1 }, { 0x8b, "SIGSEGV", -1 },
			{ 15, "SIGTERM", -1 }, { 6, "SIGABRT", -1 },
		};

		p = proc(20, 200, 1, 10, "/bin/sleep", "/", "10");
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			v = exit_json(&ctx, p, cases[i].code, 1000000);
			if (!v) {
				UNIT_FAIL("code 0x%x: no JSON", cases[i].code);
				continue;
			}
			CHECK(keys_are(v, envelope_exit));
			CHECK_STR(str_at(v, "time"), "2026-11-28T10:00:00.123456789Z");
			CHECK_STR(str_at(v, "process_exit.time"), "2026-11-28T10:00:00.123456789Z");
			CHECK(exec_id_is(str_at(v, "process_exit.process.exec_id"),
					 "node-1:200:20"));
			CHECK(json_is_true(at(v, "process_exit.parent_unknown")));
			if (cases[i].signal) {
				if (!str_at(v, "process_exit.signal") ||
				    strcmp(str_at(v, "process_exit.signal"), cases[i].signal))
					UNIT_FAIL("code 0x%x: signal '%s', want '%s'",
						  cases[i].code, str_at(v, "process_exit.signal"),
						  cases[i].signal);
				CHECK(!at(v, "process_exit.status"));
			} else {
				if (int_at(v, "process_exit.status") != cases[i].status)
					UNIT_FAIL("code 0x%x: status %lld, want %lld",
						  cases[i].code, int_at(v, "process_exit.status"),
						  cases[i].status);
				CHECK(!at(v, "process_exit.signal"));
			}
			json_decref(v);
		}
		hornet_process__put(p);
	}

	UNIT_CASE("event_parent")
	{
		par = proc(100, 500, 1, 0, "/bin/bash", "/root", "-l");
		par->flags = HORNET_PF_PROCFS;
		p = proc(4242, 900000, 100, 500, "/bin/ls", "/root", "-la");
		p->parent = hornet_process__get(par);
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			static const char *const pe_keys[] = { "process", "parent", NULL };

			CHECK(keys_are(at(v, "process_exec"), pe_keys));
			CHECK(exec_id_is(str_at(v, "process_exec.parent.exec_id"),
					 "node-1:500:100"));
			CHECK(exec_id_is(str_at(v, "process_exec.process.parent_exec_id"),
					 "node-1:500:100"));
			CHECK_INT(int_at(v, "process_exec.parent.pid"), 100);
			CHECK_STR(str_at(v, "process_exec.parent.binary"), "/bin/bash");
			CHECK_STR(str_at(v, "process_exec.parent.flags"), "procFS");
			CHECK(!at(v, "process_exec.parent_unknown"));
			CHECK(!at(v, "process_exec.ancestors"));
			json_decref(v);
		}
		v = exit_json(&ctx, p, 0, 1000000);
		CHECK(v && int_at(v, "process_exit.parent.pid") == 100);
		json_decref(v);
		/* a two-level chain has no ancestors even when they are asked for */
		ctx.ancestors = true;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v && !at(v, "process_exec.ancestors"));
		json_decref(v);
		ctx.ancestors = false;
		hornet_process__put(par);
		/* the child's reference keeps the parent readable */
		CHECK_STR(p->parent->binary, "/bin/bash");
		hornet_process__put(p);
	}

	UNIT_CASE("event_ancestors")
	{
		gg = proc(1, 10, 0, 0, "/sbin/init", "/", NULL);
		g = proc(2, 20, 1, 10, "/usr/sbin/sshd", "/", NULL);
		par = proc(3, 30, 2, 20, "/bin/bash", "/root", NULL);
		p = proc(4, 40, 3, 30, "/bin/cat", "/root", "/etc/shadow");
		g->parent = gg;
		par->parent = g;
		p->parent = par; /* each takes over the reference from proc() */

		ctx.ancestors = true;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			static const char *const pe_keys[] = { "process", "parent", "ancestors",
							       NULL };
			json_t *anc = at(v, "process_exec.ancestors");

			CHECK(keys_are(at(v, "process_exec"), pe_keys));
			CHECK_INT(int_at(v, "process_exec.parent.pid"), 3);
			CHECK_INT(json_array_size(anc), 2);
			CHECK_INT(int_at(json_array_get(anc, 0), "pid"), 2);
			CHECK_STR(str_at(json_array_get(anc, 0), "binary"), "/usr/sbin/sshd");
			CHECK(exec_id_is(str_at(json_array_get(anc, 0), "exec_id"), "node-1:20:2"));
			CHECK_INT(int_at(json_array_get(anc, 1), "pid"), 1);
			CHECK_STR(str_at(json_array_get(anc, 1), "binary"), "/sbin/init");
			json_decref(v);
		}
		v = exit_json(&ctx, p, 0x100, 1000000);
		CHECK(v && json_array_size(at(v, "process_exit.ancestors")) == 2);
		CHECK(v && int_at(v, "process_exit.status") == 1);
		json_decref(v);

		ctx.ancestors = false;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v && !at(v, "process_exec.ancestors") && at(v, "process_exec.parent"));
		json_decref(v);
		/* the last reference frees the whole chain */
		hornet_process__put(p);
	}

	UNIT_CASE("event_hostile_strings")
	{
		p = proc(66, 660, 1, 1, "/tmp/evil\n\"name\xff\x80.sh\\", "/tmp/\x1b[31mred",
			 "\"a\" \xc0\xaf \t");
		v = exec_json(&ctx, p, 1000000);
		CHECK(v);
		if (v) {
			json_t *pr = at(v, "process_exec.process");

			CHECK_STR(str_at(pr, "binary"), "/tmp/evil\n\"name" FFFD FFFD ".sh\\");
			CHECK_STR(str_at(pr, "cwd"), "/tmp/\x1b[31mred");
			CHECK_STR(str_at(pr, "arguments"), "\"a\" " FFFD FFFD " \t");
			json_decref(v);
		}
		hornet_process__put(p);

		/* the same for a deleted binary, whose name appears twice */
		p = proc(67, 670, 1, 1, "/memfd:\n\xed\xa0\x80", "/", NULL);
		p->flags |= HORNET_PF_DELETED;
		v = exec_json(&ctx, p, 1000000);
		CHECK(v && str_at(v, "process_exec.process.binary_properties.file.path") &&
		      !strcmp(str_at(v, "process_exec.process.binary_properties.file.path"),
			      "/memfd:\n" FFFD FFFD FFFD));
		json_decref(v);
		hornet_process__put(p);
	}

	UNIT_CASE("event_cap_sets_many")
	{
		/* more distinct capability sets than any memo keeps, then the first again */
		struct hornet_process *ps[12];
		char name[16];

		for (i = 0; i < 12; i++) {
			ps[i] = proc(1000 + i, 1000 + i, 1, 1, "/bin/x", "/", NULL);
			ps[i]->caps.permitted = 1ULL << i;
			ps[i]->caps.effective = 1ULL << (i + 20);
			ps[i]->caps.inheritable = i ? 0 : ~0ULL;
		}
		for (i = 0; i < 24; i++) {
			unsigned int k = i % 12;
			const char *want_perm[] = { hornet_cap_name(k), NULL };
			const char *want_eff[] = { hornet_cap_name(k + 20), NULL };

			/* a fresh object each time, so the capability part is rendered again */
			free(ps[k]->json);
			ps[k]->json = NULL;
			v = exec_json(&ctx, ps[k], 1000000);
			if (!v ||
			    !strings_are(at(v, "process_exec.process.cap.permitted"), want_perm) ||
			    !strings_are(at(v, "process_exec.process.cap.effective"), want_eff))
				UNIT_FAIL("round %u, process %u: wrong capabilities", i, k);
			if (v && k == 0) {
				json_t *inh = at(v, "process_exec.process.cap.inheritable");

				snprintf(name, sizeof(name), "CAP_%u", 63);
				CHECK_INT(json_array_size(inh), 64);
				CHECK_STR(json_string_value(json_array_get(inh, 40)),
					  "CAP_CHECKPOINT_RESTORE");
				CHECK_STR(json_string_value(json_array_get(inh, 63)), name);
			}
			json_decref(v);
		}
		for (i = 0; i < 12; i++)
			hornet_process__put(ps[i]);
	}

	UNIT_CASE("event_strings_released")
	{
		/* every process is gone, so is every interned string */
		CHECK_INT(hornet_intern_count(), 0);
	}

	UNIT_EXIT();
}
