// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "unit.h"
#include "process/procfs.h"
#include "vocab/vocab.h"

/* A string literal as (pointer, length). */
#define B(s) (s), (sizeof(s) - 1)

/* A real stat line (proc_pid_stat()), the comm left to fill in. */
#define STAT_REST                                                                             \
	" S 5604 5604 4490 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 57996 3133440 356 "         \
	"18446744073709551615 94678128820224 94678128840105 140736499717680 0 0 0 0 0 0 0 0 " \
	"0 17 0 0 0 0 0 0 94678128856112 94678128857728 94678297956352 140736499722892 "      \
	"140736499722912 140736499722912 140736499724267 0\n"

#define STATUS_OK                              \
	"Name:\tfake\n"                        \
	"Umask:\t0022\n"                       \
	"State:\tS (sleeping)\n"               \
	"Tgid:\t42\n"                          \
	"PPid:\t7\n"                           \
	"Uid:\t1000\t1001\t1002\t1003\n"       \
	"Gid:\t2000\t2001\t2002\t4294967295\n" \
	"FDSize:\t64\n"                        \
	"Groups:\t4 24 27 \n"                  \
	"CapInh:\t0000000000000001\n"          \
	"CapPrm:\t000001ffffffffff\n"          \
	"CapEff:\t00000000a80425fb\n"          \
	"CapBnd:\t000001ffffffffff\n"          \
	"CapAmb:\t0000000000000000\n"          \
	"NoNewPrivs:\t0\n"

/*
 * Calls a parser on an exact-size heap copy of the input, so that a read
 * past @len is caught by ASan or valgrind.
 */
static int stat_of(const char *s, size_t len, pid_t *ppid, uint64_t *start, unsigned int *flags)
{
	char *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, s, len);
	err = hornet_procfs_parse_stat(copy, len, ppid, start, flags);
	free(copy);
	return err;
}

static int status_of(const char *s, size_t len, struct hornet_creds *c, struct hornet_caps *k)
{
	char *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, s, len);
	err = hornet_procfs_parse_status(copy, len, c, k);
	free(copy);
	return err;
}

static int cgroup_of(const char *s, size_t len, char **path)
{
	char *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, s, len);
	err = hornet_procfs_parse_cgroup(copy, len, path);
	free(copy);
	return err;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	n = fwrite(data, 1, len, f);
	if (fclose(f) || n != len)
		return -1;
	return 0;
}

static int make_dir(const char *parent, const char *name, char *out, size_t out_size)
{
	snprintf(out, out_size, "%s/%s", parent, name);
	return mkdir(out, 0755);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int read_caps(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	*eff = data[0].effective | (uint64_t)data[1].effective << 32;
	*prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	*inh = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	return 0;
}

/* valgrind runs the program inside its own tool binary, which /proc shows */
static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}

/* Whether the NUL-separated @block holds the argument @arg. */
static bool block_has_arg(const char *block, size_t len, const char *arg)
{
	size_t pos = 0, n = strlen(arg);

	while (pos < len) {
		const char *end = memchr(block + pos, '\0', len - pos);
		size_t an = end ? (size_t)(end - (block + pos)) : len - pos;

		if (an == n && !memcmp(block + pos, arg, n))
			return true;
		pos += an + 1;
	}
	return false;
}

static bool has_cgroup2_line(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3))
			found = true;
	}
	fclose(f);
	return found;
}

static void test_parse_stat(void)
{
	pid_t ppid;
	uint64_t start;
	unsigned int flags;

	UNIT_CASE("procfs_parse_stat")
	{
		ppid = -1;
		start = 0;
		flags = 0;
		CHECK_INT(stat_of(B("5609 (cat)" STAT_REST), &ppid, &start, &flags), 0);
		CHECK_INT(ppid, 5604);
		CHECK_INT(start, 57996);
		CHECK_INT(flags, 4194304);
		/* the outputs are optional */
		CHECK_INT(stat_of(B("5609 (cat)" STAT_REST), NULL, NULL, NULL), 0);
		/* a kernel thread, exactly 22 fields and no newline */
		CHECK_INT(
			stat_of(B("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 30"),
				&ppid, &start, &flags),
			0);
		CHECK_INT(ppid, 0);
		CHECK_INT(start, 30);
		CHECK(flags & 0x00200000);
		/* the largest starttime */
		CHECK_INT(stat_of(B("2 (k) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
				    "18446744073709551615\n"),
				  &ppid, &start, &flags),
			  0);
		CHECK(start == UINT64_MAX);
	}

	UNIT_CASE("procfs_parse_stat_hostile_comm")
	{
		ppid = -1;
		CHECK_INT(stat_of(B("42 ((a) b))" STAT_REST), &ppid, &start, &flags), 0);
		CHECK_INT(ppid, 5604);
		CHECK_INT(stat_of(B("42 (a\nb)" STAT_REST), &ppid, &start, &flags), 0);
		CHECK_INT(ppid, 5604);
		/* a comm that looks like the rest of the line */
		ppid = -1;
		CHECK_INT(
			stat_of(B("42 (x) S 99 99 99 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1)" STAT_REST),
				&ppid, &start, &flags),
			0);
		CHECK_INT(ppid, 5604);
		CHECK_INT(start, 57996);
		CHECK_INT(stat_of(B("42 ()" STAT_REST), &ppid, &start, &flags), 0);
		CHECK_INT(stat_of(B("42 ( )" STAT_REST), &ppid, &start, &flags), 0);
		CHECK_INT(stat_of(B("42 (\0\xff)" STAT_REST), &ppid, &start, &flags), 0);
		CHECK_INT(ppid, 5604);
	}

	UNIT_CASE("procfs_parse_stat_garbage")
	{
		static const char *const bad[] = {
			"",
			"abc",
			"42",
			"42 ",
			"42 (",
			"42 (x",
			"42 (x)",
			"42 (x) ",
			"42 (x) S",
			"42 (x) S 1",
			"(x)" STAT_REST,
			"-42 (x)" STAT_REST,
			"42(x)" STAT_REST,
			"42  (x)" STAT_REST,
			"42 x)" STAT_REST,
			"42 (x)S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S -1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S 1x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S 2147483648 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S 1 1 1 0 -1 4294967296 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551616\n",
			"42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1x\n",
			"42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n",
			"42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 \n",
			"42 (x) S 1  1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1\n",
			"42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1\n0 1\n",
			"99999999999 (x)" STAT_REST,
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			ppid = 12345;
			if (stat_of(bad[i], strlen(bad[i]), &ppid, &start, &flags) != -EINVAL)
				UNIT_FAIL("bad[%zu] accepted", i);
			/* nothing is written on failure */
			CHECK_INT(ppid, 12345);
		}
		CHECK_INT(hornet_procfs_parse_stat(NULL, 0, &ppid, &start, &flags), -EINVAL);
	}

	UNIT_CASE("procfs_parse_stat_respects_len")
	{
		const char line[] = "5609 (cat)" STAT_REST;
		const char *start22 = strstr(line, " 57996");
		size_t cut;

		/* cut just before starttime, and inside it */
		cut = (size_t)(start22 - line);
		CHECK_INT(stat_of(line, cut, &ppid, &start, &flags), -EINVAL);
		CHECK_INT(stat_of(line, cut + 1, &ppid, &start, &flags), -EINVAL);
		CHECK_INT(stat_of(line, cut + 4, &ppid, &start, &flags), 0);
		CHECK_INT(start, 579);
		/* every prefix either fails or parses, never reads past len */
		for (cut = 0; cut < sizeof(line) - 1; cut++)
			stat_of(line, cut, &ppid, &start, &flags);
	}
}

/* The pid a process has in its own namespace: the last of NSpid's numbers. */
static void test_parse_nspid(void)
{
	static const char nested[] = "Name:\tsh\nTgid:\t4242\nNSpid:\t4242\t17\t3 \nPPid:\t1\n";
	static const char host[] = "NSpid:\t99";
	static const char *const bad[] = { "NSpid:\t\n", "NSpid:\t12345678901\n",
					   "NSpid:\t99999999999\n", "Pid:\t1\n" };
	uint32_t v = 0;
	size_t i;

	UNIT_CASE("procfs_parse_nspid")
	{
		CHECK_INT(hornet_procfs_parse_nspid(nested, strlen(nested), &v), 0);
		CHECK_INT(v, 3);
		CHECK_INT(hornet_procfs_parse_nspid(host, strlen(host), &v), 0);
		CHECK_INT(v, 99);
		/* the length is respected: "99" cut to "9" */
		CHECK_INT(hornet_procfs_parse_nspid(host, strlen(host) - 1, &v), 0);
		CHECK_INT(v, 9);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CHECK(hornet_procfs_parse_nspid(bad[i], strlen(bad[i]), &v) < 0);
		CHECK_INT(hornet_procfs_parse_nspid(NULL, 0, &v), -EINVAL);
	}
}

static void test_parse_ns_link(void)
{
	static const char *const bad[] = { "mnt:[]",   "mnt:[12",	   "mnt:[12]x",
					   "[12]",     "mnt:[4294967296]", "/tmp/nsfile",
					   "mnt:[-1]", "mnt:[ 1]",	   "" };
	static const char ok[] = "mnt:[4026531841]";
	uint32_t v = 0;
	size_t i;

	UNIT_CASE("procfs_parse_ns_link")
	{
		CHECK_INT(hornet_procfs_parse_ns_link(ok, strlen(ok), &v), 0);
		CHECK_INT(v, 4026531841u);
		CHECK_INT(hornet_procfs_parse_ns_link("user:[4294967295]", 17, &v), 0);
		CHECK_INT(v, 4294967295u);
		/* the length is respected: the ']' cut off */
		CHECK(hornet_procfs_parse_ns_link(ok, strlen(ok) - 1, &v) < 0);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (hornet_procfs_parse_ns_link(bad[i], strlen(bad[i]), &v) != -EINVAL)
				UNIT_FAIL("'%s' parsed", bad[i]);
		CHECK_INT(hornet_procfs_parse_ns_link(NULL, 0, &v), -EINVAL);
	}
}

static void test_parse_status(void)
{
	struct hornet_creds c;
	struct hornet_caps k;

	UNIT_CASE("procfs_parse_status")
	{
		memset(&c, 0xff, sizeof(c));
		memset(&k, 0xff, sizeof(k));
		CHECK_INT(status_of(B(STATUS_OK), &c, &k), 0);
		CHECK_INT(c.uid, 1000);
		CHECK_INT(c.euid, 1001);
		CHECK_INT(c.suid, 1002);
		CHECK_INT(c.fsuid, 1003);
		CHECK_INT(c.gid, 2000);
		CHECK_INT(c.egid, 2001);
		CHECK_INT(c.sgid, 2002);
		CHECK_INT(c.fsgid, 4294967295U);
		CHECK(k.inheritable == 1);
		CHECK(k.permitted == 0x1ffffffffffULL);
		CHECK(k.effective == 0xa80425fbULL);
		/* no final newline, spaces for tabs, upper-case hex */
		CHECK_INT(status_of(B("Uid: 0 0 0 0\nGid:\t0\t0\t0\t0\nCapInh:\t0\n"
				      "CapPrm:\tFFFFFFFFFFFFFFFF\nCapEff:\t0000000000000000"),
				    &c, &k),
			  0);
		CHECK(k.permitted == UINT64_MAX);
		CHECK_INT(status_of(B(STATUS_OK), NULL, NULL), 0);
	}

	UNIT_CASE("procfs_parse_status_garbage")
	{
		static const char *const bad[] = {
			"",
			"Name:\tx\n",
			/* each of the five lines missing in turn */
			"Gid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\n",
			/* bad values */
			"Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\t0\n"
			"Gid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t4294967296\n"
			"Gid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t-1\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0x\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
			"CapInh:\t00000000000000000\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\tg\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t\nCapPrm:\t0\nCapEff:\t0\n",
			"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
			"CapInh:\t0 1\nCapPrm:\t0\nCapEff:\t0\n",
			/* a value on the next line does not count */
			"Uid:\n0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\n",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&c, 0x5a, sizeof(c));
			if (status_of(bad[i], strlen(bad[i]), &c, &k) != -EINVAL)
				UNIT_FAIL("bad[%zu] accepted", i);
			CHECK_INT(c.uid, 0x5a5a5a5a);
		}
		/* keys only count at the start of a line */
		CHECK_INT(status_of(B("Name:\tUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\n"
				      "CapPrm:\t0\nCapEff:\t0\n"),
				    &c, &k),
			  -EINVAL);
		/* cut by len in the middle of CapEff's line */
		CHECK_INT(status_of(STATUS_OK, strstr(STATUS_OK, "CapEff") - STATUS_OK + 4, &c, &k),
			  -EINVAL);
		CHECK_INT(hornet_procfs_parse_status(NULL, 0, &c, &k), -EINVAL);
	}
}

static void test_parse_cgroup(void)
{
	char *path;

	UNIT_CASE("procfs_parse_cgroup")
	{
		/* hybrid: v1 hierarchies and the unified one */
		path = NULL;
		CHECK_INT(cgroup_of(B("12:pids:/kubepods/besteffort/pod1/abc\n"
				      "4:memory:/kubepods/besteffort/pod1/abc\n"
				      "1:name=systemd:/kubepods/besteffort/pod1/abc\n"
				      "0::/kubepods/besteffort/pod1/abc\n"),
				    &path),
			  0);
		CHECK_STR(path, "/kubepods/besteffort/pod1/abc");
		free(path);
		/* v2 only, no newline */
		path = NULL;
		CHECK_INT(cgroup_of(B("0::/system.slice/docker-x.scope"), &path), 0);
		CHECK_STR(path, "/system.slice/docker-x.scope");
		free(path);
		/* a path with ':' in it */
		path = NULL;
		CHECK_INT(cgroup_of(B("0::/a:b\n"), &path), 0);
		CHECK_STR(path, "/a:b");
		free(path);
		path = NULL;
		CHECK_INT(cgroup_of(B("0::/\n"), &path), 0);
		CHECK_STR(path, "/");
		free(path);
	}

	UNIT_CASE("procfs_parse_cgroup_none")
	{
		path = (char *)"untouched";
		CHECK_INT(cgroup_of(B("4:memory:/x\n1:cpu:/x\n"), &path), -ENOENT);
		CHECK_INT(cgroup_of(B(""), &path), -ENOENT);
		CHECK_INT(cgroup_of(B("10::/x\n"), &path), -ENOENT);
		CHECK_INT(cgroup_of(B("x0::/x\n"), &path), -ENOENT);
		CHECK_INT(cgroup_of(B("0:cpu:/x\n"), &path), -ENOENT);
		CHECK_INT(cgroup_of(B("1:cpu:/x 0::/y\n"), &path), -ENOENT);
		CHECK_INT(cgroup_of(B("0:"), &path), -ENOENT);
		/* cut by len before the "0::" line is complete */
		CHECK_INT(cgroup_of("1:cpu:/\n0::/x\n", 9, &path), -ENOENT);
		CHECK_INT(cgroup_of(B("0::/a\0b\n"), &path), -EINVAL);
		CHECK_STR(path, "untouched");
		CHECK_INT(hornet_procfs_parse_cgroup(NULL, 0, &path), -EINVAL);
	}
}

static void test_read_self(const char *argv0)
{
	struct hornet_procfs_entry e;
	char real[PATH_MAX], cwd[PATH_MAX], nspath[64];
	uint64_t eff, prm, inh;
	struct stat st;
	int err, i;

	UNIT_CASE("procfs_read_self")
	{
		err = hornet_procfs_read("/proc", getpid(), &e);
		CHECK_INT(err, 0);
		if (err)
			break;
		CHECK_INT(e.pid, getpid());
		CHECK_INT(e.ppid, getppid());
		CHECK(!e.kthread);
		CHECK(e.starttime > 0);
		if (under_valgrind()) {
			/* valgrind fakes /proc/self/exe, the real exe is its tool */
			CHECK(e.binary && !stat(e.binary, &st) && st.st_ino == e.ino);
		} else {
			CHECK(realpath("/proc/self/exe", real));
			CHECK_STR(e.binary, real);
		}
		CHECK(getcwd(cwd, sizeof(cwd)));
		CHECK_STR(e.cwd, cwd);
		CHECK(e.args && e.args_len > strlen(argv0));
		if (e.args) {
			CHECK(block_has_arg(e.args, e.args_len, argv0));
			CHECK_INT(e.args[e.args_len - 1], '\0');
		}
		CHECK_INT(e.creds.uid, getuid());
		CHECK_INT(e.creds.euid, geteuid());
		CHECK_INT(e.creds.gid, getgid());
		CHECK_INT(e.creds.egid, getegid());
		if (!read_caps(&eff, &prm, &inh)) {
			CHECK(e.caps.effective == eff);
			CHECK(e.caps.permitted == prm);
			CHECK(e.caps.inheritable == inh);
		}
		for (i = 0; i < HORNET_NS_COUNT; i++) {
			snprintf(nspath, sizeof(nspath), "/proc/self/ns/%s",
				 hornet_vocab_name(HORNET_VOCAB_NS_PROC, i));
			if (stat(nspath, &st))
				CHECK_INT(e.ns.inum[i], 0);
			else if (e.ns.inum[i] != st.st_ino)
				UNIT_FAIL("ns %s: got %u, want %lu",
					  hornet_vocab_name(HORNET_VOCAB_NS_PROC, i), e.ns.inum[i],
					  (unsigned long)st.st_ino);
		}
		CHECK(e.ns.inum[HORNET_NS_MNT] != 0);
		CHECK(!stat("/proc/self/exe", &st));
		CHECK(e.ino == st.st_ino);
		CHECK_INT(e.nlink, st.st_nlink);
		{
			FILE *f = fopen("/proc/self/loginuid", "r");
			unsigned int auid = UINT32_MAX;

			if (f) {
				if (fscanf(f, "%u", &auid) != 1)
					auid = UINT32_MAX;
				fclose(f);
			}
			CHECK_INT(e.auid, auid);
		}
		if (has_cgroup2_line())
			CHECK(e.cgroup && e.cgroup[0] == '/');
		else
			CHECK(!e.cgroup);
		hornet_procfs_entry_free(&e);
		CHECK(!e.binary && !e.cwd && !e.args && !e.cgroup);
		/* freeing twice, or NULL, is harmless */
		hornet_procfs_entry_free(&e);
		hornet_procfs_entry_free(NULL);
	}

	UNIT_CASE("procfs_list_self")
	{
		pid_t *pids = NULL;
		long n = hornet_procfs_list("/proc", &pids), j;
		bool found = false;

		CHECK(n > 0);
		for (j = 0; j < n; j++) {
			if (pids[j] == getpid())
				found = true;
			if (pids[j] <= 0)
				UNIT_FAIL("pid %d listed", pids[j]);
		}
		CHECK(found);
		free(pids);
	}

	UNIT_CASE("procfs_read_environ")
	{
		char *env = NULL, *want = NULL;
		size_t len = 0, wlen = 0;
		bool truncated = true;
		FILE *f = fopen("/proc/self/environ", "r");

		CHECK(f);
		if (!f)
			break;
		/* EOF as the delimiter: the whole file, its NULs included */
		wlen = (size_t)(getdelim(&want, &(size_t){ 0 }, EOF, f) > 0 ? ftell(f) : 0);
		fclose(f);
		/* the process's start time from the read above */
		CHECK_INT(hornet_procfs_read("/proc", getpid(), &e), 0);
		CHECK_INT(hornet_procfs_read_environ("/proc", getpid(), e.starttime, 1 << 20, &env,
						     &len, &truncated),
			  0);
		CHECK(!truncated);
		CHECK(env && len == wlen && !memcmp(env, want, wlen));
		free(env);
		/* a limit below its size: cut and said so */
		if (len > 4) {
			CHECK_INT(hornet_procfs_read_environ("/proc", getpid(), e.starttime, 4,
							     &env, &len, &truncated),
				  0);
			CHECK(truncated);
			CHECK_INT(len, 4);
			free(env);
		}
		/* another start time: another process, not read */
		CHECK_INT(hornet_procfs_read_environ("/proc", getpid(), e.starttime + 1, 4096, &env,
						     &len, &truncated),
			  -ENOENT);
		CHECK_INT(hornet_procfs_read_environ("/proc", INT_MAX, 0, 4096, &env, &len,
						     &truncated),
			  -ENOENT);
		CHECK_INT(hornet_procfs_read_environ("/proc", 0, 0, 4096, &env, &len, &truncated),
			  -EINVAL);
		hornet_procfs_entry_free(&e);
		free(want);
	}

	UNIT_CASE("procfs_read_errors")
	{
		char longroot[PATH_MAX + 16];

		/* larger than any pid_max */
		CHECK_INT(hornet_procfs_read("/proc", INT_MAX, &e), -ENOENT);
		CHECK_INT(hornet_procfs_read("/proc", 0, &e), -EINVAL);
		CHECK_INT(hornet_procfs_read("/proc", -1, &e), -EINVAL);
		CHECK_INT(hornet_procfs_read(NULL, 1, &e), -EINVAL);
		memset(longroot, 'a', sizeof(longroot) - 1);
		longroot[sizeof(longroot) - 1] = '\0';
		CHECK_INT(hornet_procfs_read(longroot, 1, &e), -ENAMETOOLONG);
		CHECK_INT(hornet_procfs_list("/nonexistent-hornet-proc", &(pid_t *){ NULL }),
			  -ENOENT);
	}
}

static void test_read_kthread(void)
{
	struct hornet_procfs_entry e;
	char buf[256] = "";
	FILE *f = fopen("/proc/2/stat", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	if (strncmp(buf, "2 (kthreadd) ", 13)) {
		UNIT_SKIP("procfs_read_kthread",
			  "pid 2 is not kthreadd (not the host pid namespace)");
		return;
	}
	UNIT_CASE("procfs_read_kthread")
	{
		CHECK_INT(hornet_procfs_read("/proc", 2, &e), 0);
		CHECK(e.kthread);
		CHECK_INT(e.ppid, 0);
		CHECK(!e.binary);
		CHECK(!e.args);
		CHECK_INT(e.args_len, 0);
		/* read no further than its stat: a kernel thread's cwd is "/" */
		CHECK(!e.cwd);
		CHECK(!e.cgroup);
		hornet_procfs_entry_free(&e);
	}
}

/* Waits until /proc/<pid>/exe names @path, that is the child has exec'd. */
static ssize_t cmdline_len(pid_t pid)
{
	char file[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "/proc/%d/cmdline", (int)pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n;
}

static bool wait_exec(pid_t pid, const char *path)
{
	char link[64], target[PATH_MAX];
	int i;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (i = 0; i < 500; i++) {
		ssize_t n = readlink(link, target, sizeof(target) - 1);

		if (n > 0) {
			target[n] = '\0';
			/*
			 * exec switches the exe link before the loader fills
			 * the new stack: wait for the arguments too
			 */
			if (!strcmp(target, path) && cmdline_len(pid) > 0)
				return true;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return false;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			ret = -1;
			break;
		}
	}
	if (n < 0)
		ret = -1;
	close(in);
	if (close(out))
		ret = -1;
	return ret;
}

static void test_read_children(const char *tmp)
{
	static const char sleep_args[] = "sleep\0"
					 "30";
	struct hornet_procfs_entry e;
	char bin[PATH_MAX], want[PATH_MAX + 16];
	const char *sleep_bin = NULL;
	int status;
	pid_t pid;

	UNIT_CASE("procfs_read_zombie_then_gone")
	{
		/* the child must not inherit unwritten PASS lines */
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(3);
		CHECK(pid > 0);
		if (pid < 0)
			break;
		/* a zombie: stat and status remain, its mm (cmdline) and exe are gone */
		CHECK(!waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED | WNOWAIT));
		CHECK_INT(hornet_procfs_read("/proc", pid, &e), 0);
		CHECK_INT(e.ppid, getpid());
		CHECK(!e.args);
		CHECK(!e.binary);
		hornet_procfs_entry_free(&e);
		CHECK_INT(waitpid(pid, &status, 0), pid);
		CHECK_INT(hornet_procfs_read("/proc", pid, &e), -ENOENT);
	}

	if (!access("/bin/sleep", X_OK))
		sleep_bin = "/bin/sleep";
	else if (!access("/usr/bin/sleep", X_OK))
		sleep_bin = "/usr/bin/sleep";
	if (!sleep_bin) {
		UNIT_SKIP("procfs_read_deleted_binary", "no sleep binary to copy");
		return;
	}
	snprintf(bin, sizeof(bin), "%s/sleep", tmp);
	if (copy_file(sleep_bin, bin)) {
		UNIT_SKIP("procfs_read_deleted_binary", "cannot copy sleep to the temp dir");
		return;
	}
	/* the child must not inherit unwritten PASS lines */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(bin, "sleep", "30", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || !wait_exec(pid, bin)) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		UNIT_SKIP("procfs_read_deleted_binary",
			  "cannot run a copy of sleep from the temp dir (noexec mount?)");
		return;
	}
	UNIT_CASE("procfs_read_deleted_binary")
	{
		CHECK_INT(unlink(bin), 0);
		CHECK_INT(hornet_procfs_read("/proc", pid, &e), 0);
		/* the kernel's d_path() marks an unlinked file so */
		snprintf(want, sizeof(want), "%s (deleted)", bin);
		CHECK_STR(e.binary, want);
		CHECK_INT(e.nlink, 0);
		CHECK(e.ino != 0);
		CHECK(e.args && e.args_len == sizeof(sleep_args));
		if (e.args && e.args_len == sizeof(sleep_args))
			CHECK(!memcmp(e.args, sleep_args, e.args_len));
		hornet_procfs_entry_free(&e);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static void test_fake_root(const char *tmp)
{
	struct hornet_procfs_entry e;
	char root[1024], dir[1024], nsdir[1024], target[1024], path[PATH_MAX];
	struct stat bin_st;
	char *big;
	size_t big_len = (3U << 20) / 2;
	int ok = 1;

	ok &= !make_dir(tmp, "proc", root, sizeof(root));

	/* 42: every file present, links to real files in the temp dir */
	ok &= !make_dir(root, "42", dir, sizeof(dir));
	ok &= !write_file(dir, "stat",
			  B("42 (fake) b) S 7 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 "
			    "0 1 0 123456 0 0\n"));
	ok &= !write_file(dir, "status", B(STATUS_OK));
	ok &= !write_file(dir, "cmdline", B("fake\0--flag\0a b\0"));
	ok &= !write_file(dir, "loginuid", B("1000"));
	ok &= !write_file(dir, "cgroup", B("1:cpu:/x\n0::/fake.slice/docker-1.scope\n"));
	ok &= !write_file(tmp, "fakebin", B("#!/bin/true\n"));
	snprintf(target, sizeof(target), "%s/fakebin", tmp);
	snprintf(path, sizeof(path), "%s/exe", dir);
	ok &= !symlink(target, path);
	snprintf(path, sizeof(path), "%s/cwd", dir);
	ok &= !symlink(tmp, path);
	ok &= !make_dir(dir, "ns", nsdir, sizeof(nsdir));
	/* the kernel's link text: a namespace's number, not a path (proc_ns_readlink()) */
	snprintf(path, sizeof(path), "%s/mnt", nsdir);
	ok &= !symlink("mnt:[4026531841]", path);
	snprintf(path, sizeof(path), "%s/net", nsdir);
	ok &= !symlink("/nonexistent-hornet-ns", path);

	/* 43: garbled stat */
	ok &= !make_dir(root, "43", dir, sizeof(dir));
	ok &= !write_file(dir, "stat", B("43 (x) S garbage\n"));
	ok &= !write_file(dir, "status", B(STATUS_OK));
	/* 44: no status */
	ok &= !make_dir(root, "44", dir, sizeof(dir));
	ok &= !write_file(dir, "stat", B("44 (x)" STAT_REST));
	/* 45: garbled status */
	ok &= !make_dir(root, "45", dir, sizeof(dir));
	ok &= !write_file(dir, "stat", B("45 (x)" STAT_REST));
	ok &= !write_file(dir, "status", B("Uid:\t0\t0\n\xff\xfe"));
	/* 46: empty directory */
	ok &= !make_dir(root, "46", dir, sizeof(dir));
	/* 47: only what is required, and a garbled loginuid */
	ok &= !make_dir(root, "47", dir, sizeof(dir));
	ok &= !write_file(dir, "stat", B("47 (x)" STAT_REST));
	ok &= !write_file(dir, "status", B(STATUS_OK));
	ok &= !write_file(dir, "loginuid", B("-5\n"));
	ok &= !write_file(dir, "cmdline", B(""));
	ok &= !write_file(dir, "cgroup", B("3:memory:/v1-only\n"));
	/* 48: a cmdline past the 1 MiB cap */
	ok &= !make_dir(root, "48", dir, sizeof(dir));
	ok &= !write_file(dir, "stat", B("48 (x)" STAT_REST));
	ok &= !write_file(dir, "status", B(STATUS_OK));
	big = malloc(big_len);
	ok &= big != NULL;
	if (big) {
		memset(big, 'A', big_len);
		ok &= !write_file(dir, "cmdline", big, big_len);
		free(big);
	}
	/* 49: stat is a directory */
	ok &= !make_dir(root, "49", dir, sizeof(dir));
	ok &= !make_dir(dir, "stat", path, sizeof(path));
	/* not processes: names that are not pids, and a file */
	ok &= !make_dir(root, "self", dir, sizeof(dir));
	ok &= !make_dir(root, "12a", dir, sizeof(dir));
	ok &= !make_dir(root, "007", dir, sizeof(dir));
	ok &= !make_dir(root, "0", dir, sizeof(dir));
	ok &= !make_dir(root, "99999999999", dir, sizeof(dir));
	ok &= !write_file(root, "99", B(""));

	UNIT_CASE("procfs_fake_root_setup")
	{
		CHECK(ok);
	}
	if (!ok)
		return;

	UNIT_CASE("procfs_fake_root_full_entry")
	{
		CHECK_INT(hornet_procfs_read(root, 42, &e), 0);
		CHECK_INT(e.pid, 42);
		CHECK_INT(e.ppid, 7);
		CHECK_INT(e.starttime, 123456);
		CHECK(!e.kthread);
		CHECK_INT(e.creds.uid, 1000);
		CHECK_INT(e.creds.euid, 1001);
		CHECK_INT(e.creds.fsgid, 4294967295U);
		CHECK(e.caps.permitted == 0x1ffffffffffULL);
		CHECK_INT(e.auid, 1000);
		CHECK_INT(e.args_len, sizeof("fake\0--flag\0a b"));
		CHECK(e.args && !memcmp(e.args, "fake\0--flag\0a b", e.args_len));
		CHECK_STR(e.cgroup, "/fake.slice/docker-1.scope");
		snprintf(target, sizeof(target), "%s/fakebin", tmp);
		CHECK_STR(e.binary, target);
		CHECK_STR(e.cwd, tmp);
		CHECK(!stat(target, &bin_st));
		CHECK(e.ino == bin_st.st_ino);
		CHECK_INT(e.nlink, 1);
		CHECK_INT(e.ns.inum[HORNET_NS_MNT], 4026531841u);
		/* a link to a path is no namespace's */
		CHECK_INT(e.ns.inum[HORNET_NS_NET], 0);
		CHECK_INT(e.ns.inum[HORNET_NS_USER], 0);
		hornet_procfs_entry_free(&e);
	}

	UNIT_CASE("procfs_fake_root_errors")
	{
		memset(&e, 0x5a, sizeof(e));
		CHECK_INT(hornet_procfs_read(root, 43, &e), -EINVAL);
		/* nothing to free is left behind on failure */
		CHECK(!e.binary && !e.args && !e.cwd && !e.cgroup);
		CHECK_INT(hornet_procfs_read(root, 44, &e), -ENOENT);
		CHECK_INT(hornet_procfs_read(root, 45, &e), -EINVAL);
		CHECK_INT(hornet_procfs_read(root, 46, &e), -ENOENT);
		CHECK_INT(hornet_procfs_read(root, 49, &e), -EISDIR);
		CHECK_INT(hornet_procfs_read(root, 50, &e), -ENOENT);
		CHECK_INT(hornet_procfs_read(root, 99, &e), -ENOTDIR);
	}

	UNIT_CASE("procfs_fake_root_minimal_entry")
	{
		CHECK_INT(hornet_procfs_read(root, 47, &e), 0);
		CHECK_INT(e.ppid, 5604);
		CHECK_INT(e.auid, 4294967295U);
		CHECK(!e.args);
		CHECK_INT(e.args_len, 0);
		CHECK(!e.binary);
		CHECK(!e.cwd);
		CHECK(!e.cgroup);
		CHECK(e.ino == 0);
		CHECK_INT(e.nlink, 0);
		CHECK_INT(e.ns.inum[HORNET_NS_MNT], 0);
		hornet_procfs_entry_free(&e);
	}

	UNIT_CASE("procfs_fake_root_cmdline_cap")
	{
		CHECK_INT(hornet_procfs_read(root, 48, &e), 0);
		CHECK_INT(e.args_len, 1 << 20);
		CHECK(e.args && e.args[0] == 'A' && e.args[e.args_len - 1] == 'A');
		hornet_procfs_entry_free(&e);
	}

	UNIT_CASE("procfs_fake_root_list")
	{
		static const pid_t want[] = { 42, 43, 44, 45, 46, 47, 48, 49 };
		pid_t *pids = NULL;
		long n = hornet_procfs_list(root, &pids), i;

		CHECK_INT(n, sizeof(want) / sizeof(want[0]));
		if (n == (long)(sizeof(want) / sizeof(want[0]))) {
			qsort(pids, (size_t)n, sizeof(*pids), cmp_pid);
			for (i = 0; i < n; i++)
				CHECK_INT(pids[i], want[i]);
		}
		free(pids);
	}
}

int main(int argc, char **argv)
{
	const char *tmpdir = getenv("TMPDIR");
	char tmp[512];

	if (!tmpdir || !*tmpdir || strlen(tmpdir) > 256)
		tmpdir = "/tmp";
	snprintf(tmp, sizeof(tmp), "%s/hornet-test-procfs-XXXXXX", tmpdir);

	test_parse_stat();
	test_parse_ns_link();
	test_parse_status();
	test_parse_nspid();
	test_parse_cgroup();
	test_read_self(argv[0]);
	test_read_kthread();

	if (!mkdtemp(tmp)) {
		UNIT_CASE("procfs_mkdtemp")
		{
			UNIT_FAIL("mkdtemp: %s", strerror(errno));
		}
		UNIT_EXIT();
	}
	test_read_children(tmp);
	test_fake_root(tmp);
	if (nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS)) {
		UNIT_CASE("procfs_cleanup")
		{
			UNIT_FAIL("removing %s: %s", tmp, strerror(errno));
		}
	}
	UNIT_EXIT();
}
