// SPDX-License-Identifier: GPL-2.0
/*
 * What flags add to process objects: /etc/passwd parsing for user names
 * (hostile lines included), the environment's JSON with its filter and
 * redaction, SHA-256 and the binary hash cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "agent/config.h"
#include "process/binhash.h"
#include "export/environ.h"
#include "export/throttle.h"
#include "process/redact.h"
#include "process/userdb.h"
#include "util/sha256.h"

/* the name of @uid in @text, or "(none)" */
static const char *name_of(const char *text, size_t len, uint32_t uid)
{
	static char name[HORNET_USER_NAME_MAX];

	if (hornet_passwd_lookup(text, len, uid, name))
		return "(none)";
	return name;
}

#define NAME(text, uid) name_of((text), sizeof(text) - 1, (uid))

static const char *sha_hex(const char *s)
{
	static char hex[HORNET_SHA256_HEX];
	uint8_t d[HORNET_SHA256_LEN];
	struct hornet_sha256 c;
	size_t i;

	/* fed one byte at a time, then in one piece: the same digest */
	hornet_sha256_init(&c);
	for (i = 0; s[i]; i++)
		hornet_sha256_update(&c, s + i, 1);
	hornet_sha256_final(&c, d);
	hornet_sha256_hex(d, hex);
	return hex;
}

static const char *env_json(const char *env, size_t len, bool trunc, char *const *keep,
			    struct hornet_redact *r)
{
	static char out[1024];
	char *s = hornet_environ_json(env, len, trunc, keep, r, "/bin/x");

	snprintf(out, sizeof(out), "%s", s ? s : "(null)");
	free(s);
	return out;
}

#define ENV(s, trunc, keep, r) env_json((s), sizeof(s) - 1, (trunc), (keep), (r))

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int stopped;
static char stopped_name[64];

static void on_stop(void *ctx, const char *name)
{
	(void)ctx;
	stopped++;
	snprintf(stopped_name, sizeof(stopped_name), "%s", name);
}

int main(void)
{
	UNIT_CASE("passwd_lookup")
	{
		static const char pw[] = "root:x:0:0:root:/root:/bin/bash\n"
					 "daemon:x:1:1::/:/usr/sbin/nologin\n"
					 "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
					 "big:x:4294967295:1::/:\n"
					 "second-root:x:0:0::/:\n"
					 "last:x:7:7::/:";
		CHECK_STR(NAME(pw, 0), "root"); /* the first line that names it */
		CHECK_STR(NAME(pw, 1), "daemon");
		CHECK_STR(NAME(pw, 65534), "nobody");
		CHECK_STR(NAME(pw, 4294967295u), "big");
		CHECK_STR(NAME(pw, 7), "last"); /* no newline at the end */
		CHECK_STR(NAME(pw, 2), "(none)");
		CHECK_STR(name_of("", 0, 0), "(none)");
	}

	UNIT_CASE("passwd_hostile_lines")
	{
		/* each line is wrong in its own way; only "ok" is a user */
		static const char pw[] =
			"\n"
			":x:5:5::/:\n" /* no name */
			"short:x:5\n" /* no ':' after the uid */
			"sign:x:+5:5::/:\n" /* not decimal */
			"neg:x:-5:5::/:\n"
			"space:x: 5:5::/:\n"
			"hex:x:0x5:5::/:\n"
			"wrap:x:4294967301:5::/:\n" /* 2^32 + 5 */
			"long:x:00000000005:5::/:\n" /* 11 digits */
			"+nis:x:5:5::/:\n" /* NIS */
			"-nis:x:5:5::/:\n"
			"es\033c:x:5:5::/:\n" /* a control byte */
			"del\177:x:5:5::/:\n"
			"nul\0x:x:5:5::/:\n"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			":x:5:5::/:\n" /* 68 bytes */
			"nocolon\n"
			"ok:x:0005:5::/:\n";
		CHECK_STR(NAME(pw, 5), "ok");
		/* a name of UTF-8 bytes is taken as it is (the JSON writer checks it) */
		CHECK_STR(NAME("j\xc3\xb6rg:x:9:9::/:\n", 9), "j\xc3\xb6rg");
		/* a lone \r is a control byte: a CRLF file gives no names */
		CHECK_STR(NAME("crlf\r:x:9:9::/:\r\n", 9), "(none)");
	}

	UNIT_CASE("userdb_reads_own_root")
	{
		struct hornet_userdb *db = hornet_userdb__new(2);
		char name[HORNET_USER_NAME_MAX];
		struct passwd *pw = getpwuid(0);

		CHECK(db && pw);
		CHECK_INT(hornet_userdb__lookup(db, getpid(), 1, 0, 100, name), 0);
		/* uid 0's name as getpwuid() finds it in this machine's /etc/passwd */
		CHECK_STR(name, pw ? pw->pw_name : "?");
		/* a gone process, a namespace not cached yet: no answer, and no harm */
		CHECK_INT(hornet_userdb__lookup(db, 0x7ffffff0, 2, 0, 100, name), -ESRCH);
		/* the cached namespace answers even when its process is gone */
		CHECK_INT(hornet_userdb__lookup(db, 0x7ffffff0, 1, 0, 101, name), 0);
		hornet_userdb__free(db);
	}

	UNIT_CASE("environ_json")
	{
		char *keep[] = { "A", "NOEQ", NULL }, err[256];
		struct hornet_redact *r =
			hornet_redact__new("{\"redact\": [\"^TOKEN=(.*)\"]}", err, sizeof(err));

		CHECK(r);
		CHECK_STR(ENV("A=1\0B=x=y\0\0NOEQ\0", false, NULL, NULL),
			  "[{\"Key\":\"A\",\"Value\":\"1\"},{\"Key\":\"B\",\"Value\":\"x=y\"},"
			  "{\"Key\":\"invalid\",\"Value\":\"NOEQ\"}]");
		/* the filter is on names: a string without '=' has none */
		CHECK_STR(ENV("A=1\0AB=2\0NOEQ\0", false, keep, NULL),
			  "[{\"Key\":\"A\",\"Value\":\"1\"}]");
		/* redaction sees "KEY=VALUE", as Tetragon's */
		CHECK_STR(ENV("TOKEN=hunter2 x\0MYTOKEN=1\0", false, NULL, r),
			  "[{\"Key\":\"TOKEN\",\"Value\":\"*****\"},"
			  "{\"Key\":\"MYTOKEN\",\"Value\":\"1\"}]");
		/* cut by the kernel side's limit: the partial last one is left out */
		CHECK_STR(ENV("A=1\0TOKEN=hun", true, NULL, NULL),
			  "[{\"Key\":\"A\",\"Value\":\"1\"}]");
		CHECK_STR(ENV("A=1\0B=2", false, NULL, NULL),
			  "[{\"Key\":\"A\",\"Value\":\"1\"},{\"Key\":\"B\",\"Value\":\"2\"}]");
		/* control bytes and invalid UTF-8 are escaped or repaired */
		CHECK(!strstr(ENV("A=\n\x01\xff\0", false, NULL, NULL), "\n"));
		CHECK_STR(ENV("", false, NULL, NULL), "[]");
		hornet_redact__free(r);
	}

	UNIT_CASE("environ_keep_list")
	{
		char **l = hornet_environ_keep_list("A,,BB,C");

		CHECK(l && l[0] && l[1] && l[2] && !l[3]);
		if (l && l[0] && l[1] && l[2]) {
			CHECK_STR(l[0], "A");
			CHECK_STR(l[1], "BB");
			CHECK_STR(l[2], "C");
		}
		free(l);
		CHECK(!hornet_environ_keep_list(""));
		CHECK(!hornet_environ_keep_list(NULL));
	}

	UNIT_CASE("sha256_vectors")
	{
		char a[1001];

		CHECK_STR(sha_hex(""),
			  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		CHECK_STR(sha_hex("abc"),
			  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		/* 56 bytes: the length needs a block of its own */
		CHECK_STR(sha_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
			  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
		memset(a, 'a', 1000);
		a[1000] = '\0';
		CHECK_STR(sha_hex(a),
			  "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
	}

	UNIT_CASE("binhash_cache")
	{
		char dir[] = "/tmp/hornet-binhash-XXXXXX", path[64], h1[HORNET_BINHASH_LEN],
		     h2[HORNET_BINHASH_LEN], h3[HORNET_BINHASH_LEN];
		struct hornet_binhash *c = hornet_binhash__new(16, 100);
		struct hornet_binhash_stats st;
		struct timespec later[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };

		CHECK(c && mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/f", dir);
		CHECK(!write_file(path, "abc"));
		CHECK_INT(hornet_binhash__process(c, getpid(), path, 0, false, h1), 0);
		CHECK_STR(
			h1,
			"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		CHECK_INT(hornet_binhash__process(c, getpid(), path, 0, false, h2), 0);
		hornet_binhash__stats(c, &st);
		CHECK_INT(st.hashed, 1);
		CHECK_INT(st.hits, 1);
		/* by path (imaHash): the same version from the same cache */
		CHECK_INT(hornet_binhash__path(c, path, h2), 0);
		CHECK_STR(h2, h1);
		hornet_binhash__stats(c, &st);
		CHECK_INT(st.hashed, 1);
		CHECK_INT(st.hits, 2);
		CHECK_INT(hornet_binhash__path(c, dir, h2), -EINVAL);
		/* the same size, another content and mtime: a new version */
		CHECK(!write_file(path, "abd"));
		CHECK(!utimensat(AT_FDCWD, path, later, 0));
		CHECK_INT(hornet_binhash__process(c, getpid(), path, 0, false, h3), 0);
		CHECK(strcmp(h1, h3));
		hornet_binhash__stats(c, &st);
		CHECK_INT(st.hashed, 2);
		/* another inode than the one executed: not taken */
		CHECK(hornet_binhash__process(c, getpid(), path, 1, false, h3) < 0);
		/* over the size limit, a directory, a missing file */
		CHECK(!write_file(path,
				  "0123456789012345678901234567890123456789012345678901234567890"
				  "1234567890123456789012345678901234567890"));
		CHECK_INT(hornet_binhash__process(c, getpid(), path, 0, false, h3), -EFBIG);
		CHECK_INT(hornet_binhash__process(c, getpid(), dir, 0, false, h3), -EINVAL);
		unlink(path);
		CHECK(hornet_binhash__process(c, 0x7ffffff0, path, 0, false, h3) < 0);
		rmdir(dir);
		hornet_binhash__free(c);
	}

	UNIT_CASE("enable_ancestors_as_tetragon_list")
	{
		char err[512], empty[] = "/tmp/hornet-empty-XXXXXX";
		int fd = mkstemp(empty);
		struct hornet_config cfg;
		char *list[] = { "agent", "--config", empty,
				 "--enable-ancestors=base,kprobe,lsm,loader", NULL };
		char *none[] = { "agent", "--config", empty, "--enable-ancestors=", NULL };
		char *all[] = { "agent", "--config", empty, "--enable-ancestors", NULL };
		char *bad[] = { "agent", "--config", empty, "--enable-ancestors=base,kprobes",
				NULL };
		char *rate[] = { "agent", "--config", empty, "--cgroup-rate", "10,1", NULL };

		CHECK_INT(hornet_config_init(&cfg), 0);
		CHECK_INT(hornet_config_load(&cfg, 4, list, err, sizeof(err)), 0);
		CHECK(cfg.enable_ancestors);
		CHECK_INT(cfg.ancestors_policy,
			  (1U << HORNET_POLICY_KPROBE) | (1U << HORNET_POLICY_LSM));
		CHECK_INT(hornet_config_load(&cfg, 4, none, err, sizeof(err)), 0);
		CHECK(!cfg.enable_ancestors && !cfg.ancestors_policy);
		CHECK_INT(hornet_config_load(&cfg, 4, all, err, sizeof(err)), 0);
		CHECK(cfg.enable_ancestors && cfg.ancestors_policy == ~0U);
		CHECK_INT(hornet_config_load(&cfg, 4, bad, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "'base,kprobes' is not a boolean"));
		CHECK(strstr(err, "'kprobes' is none"));
		CHECK_INT(hornet_config_load(&cfg, 5, rate, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "cgroup-rate: '10,1' is not EVENTS,INTERVAL"));
		hornet_config_free(&cfg);
		close(fd);
		unlink(empty);
	}

	UNIT_CASE("cgroup_rate_parse")
	{
		uint64_t ev = 0, ns = 0;

		CHECK_INT(hornet_cgroup_rate_parse("1000,1s", &ev, &ns), 0);
		CHECK_INT(ev, 1000);
		CHECK_INT(ns, 1000000000);
		CHECK_INT(hornet_cgroup_rate_parse("5,1m30s", &ev, &ns), 0);
		CHECK_INT(ns, 90000000000ULL);
		CHECK_INT(hornet_cgroup_rate_parse("5,250ms", &ev, &ns), 0);
		CHECK_INT(ns, 250000000);
		CHECK_INT(hornet_cgroup_rate_parse("5,2h", &ev, &ns), 0);
		CHECK_INT(ns, 7200000000000ULL);
		static const char *const bad[] = {
			"",
			"1000",
			"1000,",
			"0,1s",
			"-1,1s",
			"1000,1",
			"1000,s",
			"1,0s",
			"1,1x",
			"1,1s,",
			" 1,1s",
			"1,-1s",
			"1,1.5s",
			"1,1s 2s",
			"99999999999999999999,1s",
			"1,99999999999999999999h",
			"1,9999999999h",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (!hornet_cgroup_rate_parse(bad[i], &ev, &ns))
				UNIT_FAIL("'%s' accepted", bad[i]);
	}

	UNIT_CASE("throttle_start_and_stop")
	{
		struct hornet_throttle *t = hornet_throttle__new(10, 1000000000ULL);
		struct hornet_throttle_stats st;
		uint64_t now = 1000000000000ULL;
		int i, passed = 0, starts = 0;

		CHECK(t);
		/* 30 events in 300 ms: the first 9 go, the 10th starts the throttle */
		for (i = 0; i < 30; i++) {
			switch (hornet_throttle__count(t, 7, "/a/b/cg", now + i * 10000000ULL)) {
			case HORNET_THROTTLE_PASS:
				passed++;
				break;
			case HORNET_THROTTLE_START:
				starts++;
				break;
			default:
				break;
			}
		}
		CHECK_INT(passed, 9);
		CHECK_INT(starts, 1);
		/* another cgroup is not concerned */
		CHECK_INT(hornet_throttle__count(t, 8, "/x", now), HORNET_THROTTLE_PASS);
		/* quiet, but not yet 5 s: still throttled */
		stopped = 0;
		hornet_throttle__tick(t, now + 3000000000ULL, on_stop, NULL);
		CHECK_INT(stopped, 0);
		CHECK_INT(hornet_throttle__count(t, 7, "/a/b/cg", now + 3000000000ULL),
			  HORNET_THROTTLE_DROP);
		hornet_throttle__tick(t, now + 6000000000ULL, on_stop, NULL);
		CHECK_INT(stopped, 1);
		CHECK_STR(stopped_name, "/a/b/cg");
		CHECK_INT(hornet_throttle__count(t, 7, "/a/b/cg", now + 6100000000ULL),
			  HORNET_THROTTLE_PASS);
		hornet_throttle__stats(t, &st);
		CHECK_INT(st.starts, 1);
		CHECK_INT(st.stops, 1);
		CHECK_INT(st.dropped, 22);
		CHECK_INT(st.throttled, 0);
		/* still busy at the stop's time: no stop */
		for (i = 0; i < 20; i++)
			hornet_throttle__count(t, 9, "/busy", now + i);
		for (i = 1; i <= 8; i++) {
			int k;

			for (k = 0; k < 20; k++)
				hornet_throttle__count(t, 9, "/busy",
						       now + i * 1000000000ULL + k * 1000000ULL);
		}
		stopped = 0;
		hornet_throttle__tick(t, now + 8500000000ULL, on_stop, NULL);
		CHECK_INT(stopped, 0);
		hornet_throttle__free(t);
	}

	UNIT_CASE("render_throttle")
	{
		struct hornet_render_ctx ctx = { .node_name = "n1" };
		struct hornet_json j;

		hornet_json_init(&j);
		hornet_render_throttle(&j, &ctx, true, "/kubepods/pod1/abc", 0);
		CHECK(!j.failed);
		CHECK(j.buf && strstr(j.buf, "{\"process_throttle\":{\"type\":\"THROTTLE_START\","
					     "\"cgroup\":\"abc\"},\"node_name\":\"n1\",") == j.buf);
		hornet_json_free(&j);
	}

	UNIT_EXIT();
}
