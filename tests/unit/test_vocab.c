// SPDX-License-Identifier: GPL-2.0
/*
 * The name tables of src/vocab: every name of every table reads back as
 * its value and every value prints as a name that reads back; aliases,
 * case and blanks follow the one spelling rule; unknown names and values
 * out of range give nothing.
 */
#include <errno.h>
#include <stdint.h>

#include "unit.h"
#include "vocab/vocab.h"

#define NR(a) (sizeof(a) / sizeof((a)[0]))

/* Values known to the kernel headers, one or more per table. */
static const struct {
	enum hornet_vocab v;
	const char *name;
	int64_t value;
} known[] = {
	{ HORNET_VOCAB_CAP, "CAP_CHOWN", 0 },
	{ HORNET_VOCAB_CAP, "CAP_SETUID", 7 },
	{ HORNET_VOCAB_CAP, "CAP_NET_RAW", 13 },
	{ HORNET_VOCAB_CAP, "CAP_SYS_ADMIN", 21 },
	{ HORNET_VOCAB_CAP, "CAP_BPF", 39 },
	{ HORNET_VOCAB_CAP, "CAP_CHECKPOINT_RESTORE", 40 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_IP", 0 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_ICMP", 1 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_TCP", 6 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_UDP", 17 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_ICMPV6", 58 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_RAW", 255 },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_MPTCP", 262 },
	{ HORNET_VOCAB_FAMILY, "AF_UNSPEC", 0 },
	{ HORNET_VOCAB_FAMILY, "AF_UNIX", 1 },
	{ HORNET_VOCAB_FAMILY, "AF_INET", 2 },
	{ HORNET_VOCAB_FAMILY, "AF_INET6", 10 },
	{ HORNET_VOCAB_FAMILY, "AF_NETLINK", 16 },
	{ HORNET_VOCAB_FAMILY, "AF_XDP", 44 },
	{ HORNET_VOCAB_TCP_STATE, "TCP_ESTABLISHED", 1 },
	{ HORNET_VOCAB_TCP_STATE, "TCP_SYN_SENT", 2 },
	{ HORNET_VOCAB_TCP_STATE, "TCP_CLOSE", 7 },
	{ HORNET_VOCAB_TCP_STATE, "TCP_LISTEN", 10 },
	{ HORNET_VOCAB_TCP_STATE, "TCP_NEW_SYN_RECV", 12 },
	{ HORNET_VOCAB_SOCK_TYPE, "SOCK_STREAM", 1 },
	{ HORNET_VOCAB_SOCK_TYPE, "SOCK_DGRAM", 2 },
	{ HORNET_VOCAB_SOCK_TYPE, "SOCK_RAW", 3 },
	{ HORNET_VOCAB_SOCK_TYPE, "SOCK_SEQPACKET", 5 },
	{ HORNET_VOCAB_FILE_TYPE, "reg", 0100000 },
	{ HORNET_VOCAB_FILE_TYPE, "dir", 0040000 },
	{ HORNET_VOCAB_FILE_TYPE, "lnk", 0120000 },
	{ HORNET_VOCAB_FILE_TYPE, "chr", 0020000 },
	{ HORNET_VOCAB_FILE_TYPE, "blk", 0060000 },
	{ HORNET_VOCAB_FILE_TYPE, "fifo", 0010000 },
	{ HORNET_VOCAB_FILE_TYPE, "sock", 0140000 },
	{ HORNET_VOCAB_NAMESPACE, "Uts", 0 },
	{ HORNET_VOCAB_NAMESPACE, "PidForChildren", 4 },
	{ HORNET_VOCAB_NAMESPACE, "User", 9 },
	{ HORNET_VOCAB_NS_PROC, "uts", 0 },
	{ HORNET_VOCAB_NS_PROC, "pid_for_children", 4 },
	{ HORNET_VOCAB_NS_PROC, "time_for_children", 7 },
	{ HORNET_VOCAB_NS_PROC, "user", 9 },
	{ HORNET_VOCAB_BPF_PROG_TYPE, "BPF_PROG_TYPE_UNSPEC", 0 },
	{ HORNET_VOCAB_BPF_PROG_TYPE, "BPF_PROG_TYPE_KPROBE", 2 },
	{ HORNET_VOCAB_BPF_PROG_TYPE, "BPF_PROG_TYPE_LSM", 29 },
	{ HORNET_VOCAB_BPF_PROG_TYPE, "BPF_PROG_TYPE_SYSCALL", 31 },
};

/* Other spellings of a name: aliases, any case, blanks around. */
static const struct {
	enum hornet_vocab v;
	const char *spelling;
	const char *canonical;
} spellings[] = {
	{ HORNET_VOCAB_CAP, "cap_sys_admin", "CAP_SYS_ADMIN" },
	{ HORNET_VOCAB_CAP, "  Cap_Net_Raw ", "CAP_NET_RAW" },
	{ HORNET_VOCAB_CAP, "\tCAP_BPF", "CAP_BPF" },
	{ HORNET_VOCAB_PROTOCOL, "ipproto_tcp", "IPPROTO_TCP" },
	{ HORNET_VOCAB_PROTOCOL, "IPPROTO_udp ", "IPPROTO_UDP" },
	{ HORNET_VOCAB_FAMILY, "af_inet6", "AF_INET6" },
	{ HORNET_VOCAB_TCP_STATE, "tcp_syn_sent", "TCP_SYN_SENT" },
	{ HORNET_VOCAB_SOCK_TYPE, "sock_stream", "SOCK_STREAM" },
	{ HORNET_VOCAB_FILE_TYPE, "regular", "reg" },
	{ HORNET_VOCAB_FILE_TYPE, "REG", "reg" },
	{ HORNET_VOCAB_FILE_TYPE, "link", "lnk" },
	{ HORNET_VOCAB_FILE_TYPE, "char", "chr" },
	{ HORNET_VOCAB_FILE_TYPE, "block", "blk" },
	{ HORNET_VOCAB_FILE_TYPE, "pipe", "fifo" },
	{ HORNET_VOCAB_FILE_TYPE, "socket", "sock" },
	{ HORNET_VOCAB_NAMESPACE, "pidforchildren", "PidForChildren" },
	{ HORNET_VOCAB_NAMESPACE, "MNT", "Mnt" },
	{ HORNET_VOCAB_BPF_PROG_TYPE, "bpf_prog_type_xdp", "BPF_PROG_TYPE_XDP" },
};

/* Names no table should take. */
static const struct {
	enum hornet_vocab v;
	const char *name;
} unknown[] = {
	{ HORNET_VOCAB_CAP, "" },
	{ HORNET_VOCAB_CAP, "   " },
	{ HORNET_VOCAB_CAP, "SYS_ADMIN" }, /* the prefix is part of the name */
	{ HORNET_VOCAB_CAP, "CAP_SYS_ADMN" },
	{ HORNET_VOCAB_CAP, "CAP_SYS_ADMIN_" },
	{ HORNET_VOCAB_CAP, "CAP_SYS ADMIN" },
	{ HORNET_VOCAB_CAP, "21" }, /* numbers are the caller's business */
	{ HORNET_VOCAB_PROTOCOL, "TCP" },
	{ HORNET_VOCAB_PROTOCOL, "AF_INET" }, /* a name of another table */
	{ HORNET_VOCAB_FAMILY, "INET" },
	{ HORNET_VOCAB_FAMILY, "IPPROTO_TCP" },
	{ HORNET_VOCAB_TCP_STATE, "LISTEN" },
	{ HORNET_VOCAB_TCP_STATE, "TCP_LISTENING" },
	{ HORNET_VOCAB_SOCK_TYPE, "STREAM" },
	{ HORNET_VOCAB_FILE_TYPE, "S_IFREG" },
	{ HORNET_VOCAB_FILE_TYPE, "dirr" },
	{ HORNET_VOCAB_NAMESPACE, "host_ns" },
	{ HORNET_VOCAB_NAMESPACE, "pid_for_children" }, /* the kernel's spelling */
	{ HORNET_VOCAB_NS_PROC, "PidForChildren" }, /* the policy's */
	{ HORNET_VOCAB_BPF_PROG_TYPE, "LSM" },
	{ HORNET_VOCAB_COUNT, "CAP_CHOWN" }, /* no such table */
	{ -1, "CAP_CHOWN" },
};

/* Values without a name. */
static const struct {
	enum hornet_vocab v;
	int64_t value;
} nameless[] = {
	{ HORNET_VOCAB_CAP, 41 },
	{ HORNET_VOCAB_CAP, 63 },
	{ HORNET_VOCAB_CAP, -1 },
	{ HORNET_VOCAB_CAP, 4294967295LL }, /* ~0U, as an unsigned bit number */
	{ HORNET_VOCAB_CAP, INT64_MAX },
	{ HORNET_VOCAB_CAP, INT64_MIN },
	{ HORNET_VOCAB_PROTOCOL, 3 },
	{ HORNET_VOCAB_PROTOCOL, 65535 },
	{ HORNET_VOCAB_FAMILY, 3 },
	{ HORNET_VOCAB_TCP_STATE, 0 },
	{ HORNET_VOCAB_TCP_STATE, 13 },
	{ HORNET_VOCAB_SOCK_TYPE, 0 },
	{ HORNET_VOCAB_FILE_TYPE, 0 },
	{ HORNET_VOCAB_FILE_TYPE, 0100644 }, /* a mode, not a type */
	{ HORNET_VOCAB_NAMESPACE, 10 },
	{ HORNET_VOCAB_NS_PROC, 10 },
	{ HORNET_VOCAB_NS_PROC, -1 },
	{ HORNET_VOCAB_BPF_PROG_TYPE, 32 },
	{ HORNET_VOCAB_COUNT, 0 },
};

static void test_known(void)
{
	UNIT_CASE("vocab_known_names_and_values")
	{
		size_t i;

		for (i = 0; i < NR(known); i++) {
			int64_t v = -12345;

			CHECK_INT(hornet_vocab_value(known[i].v, known[i].name, &v), 0);
			CHECK_INT(v, known[i].value);
			CHECK_STR(hornet_vocab_name(known[i].v, known[i].value), known[i].name);
		}
		/* the wrappers the renderers use */
		CHECK_STR(hornet_cap_name(21), "CAP_SYS_ADMIN");
		CHECK_STR(hornet_protocol_name(17), "IPPROTO_UDP");
		CHECK_STR(hornet_family_name(10), "AF_INET6");
		CHECK_STR(hornet_tcp_state_name(10), "TCP_LISTEN");
		CHECK(!hornet_cap_name(~0U));
	}
}

/* Every spelling a table lists reads as a value whose name reads the same. */
static void test_round_trip(void)
{
	UNIT_CASE("vocab_every_table_round_trips")
	{
		const char *names[128];
		unsigned int v;
		int64_t x, y;
		size_t n, i;

		for (v = 0; v < HORNET_VOCAB_COUNT; v++) {
			const char *canonical;

			n = hornet_vocab_names(v, names, NR(names));
			CHECK(n > 0 && n < NR(names) - 1);
			CHECK(!names[n]);
			for (i = 0; i < n; i++) {
				CHECK_INT(hornet_vocab_value(v, names[i], &x), 0);
				canonical = hornet_vocab_name(v, x);
				CHECK(canonical != NULL);
				if (!canonical)
					continue;
				CHECK_INT(hornet_vocab_value(v, canonical, &y), 0);
				CHECK_INT(y, x);
			}
			/* each value printable is a value of the table */
			for (x = -2; x < 70000; x++) {
				canonical = hornet_vocab_name(v, x);
				if (!canonical)
					continue;
				CHECK_INT(hornet_vocab_value(v, canonical, &y), 0);
				CHECK_INT(y, x);
			}
		}
	}
}

static void test_spellings(void)
{
	UNIT_CASE("vocab_aliases_case_and_blanks")
	{
		size_t i;

		for (i = 0; i < NR(spellings); i++) {
			int64_t a = -1, b = -2;

			CHECK_INT(hornet_vocab_value(spellings[i].v, spellings[i].spelling, &a), 0);
			CHECK_INT(hornet_vocab_value(spellings[i].v, spellings[i].canonical, &b),
				  0);
			CHECK_INT(a, b);
			CHECK_STR(hornet_vocab_name(spellings[i].v, a), spellings[i].canonical);
		}
	}
}

static void test_unknown(void)
{
	UNIT_CASE("vocab_unknown_names")
	{
		int64_t v;
		size_t i;

		for (i = 0; i < NR(unknown); i++) {
			v = 777;
			if (hornet_vocab_value(unknown[i].v, unknown[i].name, &v) != -ENOENT)
				UNIT_FAIL("'%s' found in table %d", unknown[i].name, unknown[i].v);
			CHECK_INT(v, 777); /* left alone */
		}
		CHECK_INT(hornet_vocab_value(HORNET_VOCAB_CAP, NULL, &v), -ENOENT);
	}
}

static void test_out_of_range(void)
{
	UNIT_CASE("vocab_values_without_a_name")
	{
		const char *names[4];
		size_t i;

		for (i = 0; i < NR(nameless); i++)
			if (hornet_vocab_name(nameless[i].v, nameless[i].value))
				UNIT_FAIL("value %lld of table %d has a name",
					  (long long)nameless[i].value, nameless[i].v);
		/* a short array gets the first names and the NULL */
		CHECK_INT(hornet_vocab_names(HORNET_VOCAB_CAP, names, 4), 3);
		CHECK(!names[3]);
		CHECK_INT(hornet_vocab_names(HORNET_VOCAB_CAP, names, 1), 0);
		CHECK(!names[0]);
		CHECK_INT(hornet_vocab_names(HORNET_VOCAB_COUNT, names, 4), 0);
		CHECK(!names[0]);
	}
}

static void test_what(void)
{
	UNIT_CASE("vocab_what_and_max")
	{
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_CAP), "capability");
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_PROTOCOL), "protocol");
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_FAMILY), "address family");
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_TCP_STATE), "TCP state");
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_FILE_TYPE), "file type");
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_NAMESPACE), "namespace");
		CHECK_STR(hornet_vocab_what(HORNET_VOCAB_COUNT), "name");
		CHECK_INT(hornet_vocab_max(HORNET_VOCAB_CAP), 63);
		CHECK_INT(hornet_vocab_max(HORNET_VOCAB_PROTOCOL), 255);
		CHECK_INT(hornet_vocab_max(HORNET_VOCAB_FAMILY), 65535);
		CHECK_INT(hornet_vocab_max(HORNET_VOCAB_TCP_STATE), 255);
		CHECK_INT(hornet_vocab_max(HORNET_VOCAB_COUNT), 0);
	}
}

int main(void)
{
	test_known();
	test_round_trip();
	test_spellings();
	test_unknown();
	test_out_of_range();
	test_what();
	UNIT_EXIT();
}
