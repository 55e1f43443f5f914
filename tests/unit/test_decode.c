// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of the generic sensor's argument records into typed values
 * (sensors/generic_decode.c): each record type, and records that lie about
 * their length, which must be refused without reading past the buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "sensors/generic_decode.h"

static char rec[1024] __attribute__((aligned(8)));
static size_t rec_len;
static unsigned int rec_nr;

static void rec_reset(void)
{
	memset(rec, 0, sizeof(rec));
	rec_len = 0;
	rec_nr = 0;
}

/* Appends one argument record: header, @len bytes of @data, padding to 8. */
static void rec_add(uint8_t spec, uint8_t type, uint8_t flags, const void *data, uint32_t len)
{
	struct hornet_gen_arg a = { .spec = spec, .type = type, .flags = flags, .len = len };

	memcpy(rec + rec_len, &a, sizeof(a));
	memcpy(rec + rec_len + sizeof(a), data, len);
	rec_len += sizeof(a) + ((len + 7) & ~7U);
	rec_nr++;
}

static int decode(struct hornet_event *ev, const struct hornet_render_hook *r, uint8_t flags,
		  int64_t ret)
{
	struct hornet_gen_event e = {
		.hdr.ktime = 5,
		.nr_args = rec_nr,
		.flags = flags,
		.ret = ret,
		.action = HORNET_A_POST,
		.data_len = rec_len,
	};

	return hornet_gen_decode(ev, r, &e, rec, rec_len);
}

int main(void)
{
	struct hornet_render_hook r = {
		.policy_name = "p",
		.kind = HORNET_HOOK_KPROBE,
		.function_name = "fn",
	};
	struct hornet_file_data fd = { .flags = 1, .mode = 0100600 };
	struct hornet_sock_data sd = { .family = 2, .dport = 80 };
	char buf[sizeof(fd) + 4];
	struct hornet_event ev;
	int64_t v = -5;

	UNIT_CASE("decode_int_by_policy_type")
	{
		rec_reset();
		rec_add(0, HORNET_GT_INT, 0, &v, 8);
		r.nr_args = 1;
		r.args[0] = (struct hornet_render_arg){ .spec = 0,
							.type = HORNET_ARG_SIZE_T,
							.label = "n" };
		CHECK_INT(decode(&ev, &r, 0, 0), 0);
		CHECK_INT(ev.kind, HORNET_EV_POLICY);
		CHECK_INT(ev.policy.nr_args, 1);
		CHECK_INT(ev.policy.args[0].kind, HORNET_VAL_SIZE);
		CHECK_INT(ev.policy.args[0].i, -5);
		CHECK_STR(ev.policy.args[0].label, "n");
		r.args[0].type = HORNET_ARG_CAPABILITY;
		CHECK_INT(decode(&ev, &r, 0, 0), 0);
		CHECK_INT(ev.policy.args[0].kind, HORNET_VAL_CAPABILITY);
		r.args[0].type = HORNET_ARG_NOP;
		CHECK_INT(decode(&ev, &r, 0, 0), 0);
		CHECK_INT(ev.policy.nr_args, 0);
	}

	UNIT_CASE("decode_file_string_sock_and_return")
	{
		memcpy(buf, &fd, sizeof(fd));
		memcpy(buf + sizeof(fd), "/etc", 4);
		rec_reset();
		rec_add(3, HORNET_GT_FILE, HORNET_ARG_TRUNCATED, buf, sizeof(buf));
		rec_add(1, HORNET_GT_STRING, 0, "abc", 3);
		rec_add(2, HORNET_GT_SOCK, 0, &sd, sizeof(sd));
		rec_add(4, HORNET_GT_PATH, 0, "", 0); /* an unreadable pointer */
		r.nr_args = 3;
		r.args[0] = (struct hornet_render_arg){ .spec = 1, .type = HORNET_ARG_STRING };
		r.args[1] = (struct hornet_render_arg){ .spec = 3, .type = HORNET_ARG_FILE };
		r.args[2] = (struct hornet_render_arg){ .spec = 2, .type = HORNET_ARG_SOCK };
		r.has_ret = true;
		r.ret = (struct hornet_render_arg){ .spec = 4, .type = HORNET_ARG_PATH };
		r.return_action = HORNET_ACTION_NOPOST;
		CHECK_INT(decode(&ev, &r, HORNET_GEN_EV_RET | HORNET_GEN_EV_MONITOR, 0), 0);
		CHECK_INT(ev.policy.args[0].kind, HORNET_VAL_STRING);
		CHECK_INT(ev.policy.args[0].str.len, 3);
		CHECK(!memcmp(ev.policy.args[0].str.s, "abc", 3));
		CHECK_INT(ev.policy.args[1].kind, HORNET_VAL_FILE);
		CHECK(ev.policy.args[1].truncated);
		CHECK(ev.policy.args[1].file.fd && ev.policy.args[1].file.fd->mode == 0100600);
		CHECK_INT(ev.policy.args[1].file.path_len, 4);
		CHECK_INT(ev.policy.args[2].kind, HORNET_VAL_SOCK);
		CHECK_INT(ev.policy.args[2].sock->dport, 80);
		CHECK(ev.policy.has_ret && ev.policy.ret_nopost && ev.policy.monitor);
		CHECK_INT(ev.policy.ret.kind, HORNET_VAL_PATH);
		CHECK(!ev.policy.ret.file.fd);
		/* without the return flag the hook's return is not shown */
		CHECK_INT(decode(&ev, &r, 0, 0), 0);
		CHECK(!ev.policy.has_ret);
		r.ret.type = HORNET_ARG_INT;
		CHECK_INT(decode(&ev, &r, HORNET_GEN_EV_RET, -2), 0);
		CHECK_INT(ev.policy.ret.kind, HORNET_VAL_INT);
		CHECK_INT(ev.policy.ret.i, -2);
		r.has_ret = false;
	}

	UNIT_CASE("decode_iovec_sockaddr_un_bpf_cmd_data_loc")
	{
		struct hornet_sockaddr_un_data su = { .family = 1, .abstract = 1, .path_len = 4 };
		char iov[8 + 6] = { 6 };
		int64_t cmd = 5;

		memcpy(iov + 8, "abcdef", 6);
		memcpy(su.path, "@abc", 4);
		rec_reset();
		rec_add(0, HORNET_GT_IOVEC, HORNET_ARG_TRUNCATED, iov, sizeof(iov));
		rec_add(1, HORNET_GT_SOCKADDR_UN, 0, &su, sizeof(su));
		rec_add(2, HORNET_GT_INT, 0, &cmd, 8);
		rec_add(3, HORNET_GT_DATALOC, 0, "/bin/true", 9);
		rec_add(4, HORNET_GT_IOV_ITER, 0, iov, 8); /* no bytes read */
		r.nr_args = 5;
		r.args[0] = (struct hornet_render_arg){ .spec = 0, .type = HORNET_ARG_CHAR_IOVEC };
		r.args[1] = (struct hornet_render_arg){ .spec = 1, .type = HORNET_ARG_SOCKADDR_UN };
		r.args[2] = (struct hornet_render_arg){ .spec = 2, .type = HORNET_ARG_BPF_CMD };
		r.args[3] = (struct hornet_render_arg){ .spec = 3, .type = HORNET_ARG_AUTO };
		r.args[4] = (struct hornet_render_arg){ .spec = 4, .type = HORNET_ARG_IOV_ITER };
		CHECK_INT(decode(&ev, &r, 0, 0), 0);
		CHECK_INT(ev.policy.args[0].kind, HORNET_VAL_BYTES);
		CHECK(ev.policy.args[0].truncated);
		CHECK_INT(ev.policy.args[0].bytes.orig_size, 6);
		CHECK_INT(ev.policy.args[0].bytes.len, 6);
		CHECK_INT(ev.policy.args[1].kind, HORNET_VAL_SOCKADDR_UN);
		CHECK_INT(ev.policy.args[1].sockaddr_un->path_len, 4);
		CHECK_INT(ev.policy.args[2].kind, HORNET_VAL_BPF_CMD);
		CHECK_INT(ev.policy.args[2].i, 5);
		CHECK_INT(ev.policy.args[3].kind, HORNET_VAL_STRING);
		CHECK_INT(ev.policy.args[3].str.len, 9);
		CHECK_INT(ev.policy.args[4].kind, HORNET_VAL_BYTES);
		CHECK_INT(ev.policy.args[4].bytes.len, 0);
		/* a sockaddr_un record shorter than its fixed part */
		rec_reset();
		rec_add(0, HORNET_GT_SOCKADDR_UN, 0, &su, sizeof(su) - 8);
		r.nr_args = 1;
		r.args[0].type = HORNET_ARG_SOCKADDR_UN;
		CHECK_INT(decode(&ev, &r, 0, 0), -EINVAL);
	}

	UNIT_CASE("decode_names_a_shadows_difference_whichever_side_was_posted")
	{
		struct hornet_gen_event e = { .action = HORNET_A_SIGKILL,
					      .other_action = HORNET_A_OVERRIDE,
					      .other_arg = -1,
					      .flags = HORNET_GEN_EV_SHADOW };

		rec_reset();
		r.nr_args = 0;
		/* the shadow's selector: its decision, and the policy's beside it */
		r.policy_name = "p.shadow";
		r.shadow_of = "p";
		CHECK_INT(hornet_gen_decode(&ev, &r, &e, rec, 0), 0);
		CHECK(ev.policy.shadow && !strcmp(ev.policy.policy_name, "p.shadow") &&
		      !strcmp(ev.policy.shadow_of, "p"));
		CHECK_INT(ev.policy.action, HORNET_A_SIGKILL);
		CHECK_INT(ev.policy.current_action, HORNET_A_OVERRIDE);
		CHECK_INT(ev.policy.current_arg, -1);
		/* the policy's selector (the shadow did not match): still named for the shadow */
		r.policy_name = "p";
		r.shadow_of = NULL;
		r.shadow_name = "p.shadow";
		e.action = HORNET_A_POST;
		e.flags |= HORNET_GEN_EV_SHADOW_CURRENT;
		CHECK_INT(hornet_gen_decode(&ev, &r, &e, rec, 0), 0);
		CHECK(ev.policy.shadow && !strcmp(ev.policy.policy_name, "p.shadow") &&
		      !strcmp(ev.policy.shadow_of, "p"));
		CHECK_INT(ev.policy.action, 0);
		CHECK_INT(ev.policy.current_action, HORNET_A_POST);
		/* an ordinary event of a shadowed policy is its own */
		e.flags = 0;
		CHECK_INT(hornet_gen_decode(&ev, &r, &e, rec, 0), 0);
		CHECK(!ev.policy.shadow && !strcmp(ev.policy.policy_name, "p"));
		r.policy_name = "p";
		r.shadow_name = NULL;
	}

	UNIT_CASE("decode_refuses_malformed_records")
	{
		r.nr_args = 1;
		r.args[0] = (struct hornet_render_arg){ .spec = 0, .type = HORNET_ARG_INT };
		rec_reset();
		rec_add(0, HORNET_GT_INT, 0, &v, 4); /* too short for its type */
		CHECK_INT(decode(&ev, &r, 0, 0), -EINVAL);
		rec_reset();
		rec_add(0, HORNET_GT_SOCK, 0, &sd, sizeof(sd) - 1);
		r.args[0].type = HORNET_ARG_SOCK;
		CHECK_INT(decode(&ev, &r, 0, 0), -EINVAL);
		rec_reset();
		rec_add(1, HORNET_GT_INT, 0, &v, 8); /* the spec the hook reads is absent */
		CHECK_INT(decode(&ev, &r, 0, 0), -EINVAL);
		rec_reset();
		rec_add(0, HORNET_GT_STRING, 0, "abcdef", 6);
		rec_len -= 4; /* the record claims more than the event holds */
		CHECK_INT(decode(&ev, &r, 0, 0), -EINVAL);
	}

	UNIT_EXIT();
}
