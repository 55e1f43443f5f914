// SPDX-License-Identifier: GPL-2.0
/*
 * The selector compiler, table-driven in the manner of Tetragon's
 * pkg/selectors/kernel_test.go: policies (YAML, through the real parser and
 * the hook plan on a described Debian 6.1 kernel) whose hooks share one hook
 * point in, the point's configuration out: argument specs, selectors and
 * their slots, negated slots, filters, the map entries with the slot bits
 * each carries (prefixes and addresses with those of the shorter entries
 * they extend), follow entries and the quick-reject flags; or the exact
 * error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "unit.h"
#include "policy_fixture.h"
#include "policy/compile.h"

#define MAX_POLICIES 4

struct compile_case {
	const char *name;
	const char *specs[MAX_POLICIES]; /* one policy each, on the same hook point */
	/* the configuration as config_text() writes it, or the error; "{n}" stands
	 * for a number that depends on the build machine (syscall numbers) */
	const char *want;
	int want_ret;
	unsigned int repeat; /* users given this many times over (0: once) */
	bool host618; /* planned for the host kernel 6.18 instead of Debian 6.1 */
	/* policy i is a shadow of the policy of id shadow_of[i] (ids are 1 + index) */
	uint32_t shadow_of[MAX_POLICIES];
};

/* Pieces of the rows' policies. */
#define OPENAT                                                  \
	"  kprobes:\n  - call: sys_openat\n    syscall: true\n" \
	"    args:\n    - index: 1\n      type: string\n"
#define PERM                                               \
	"  kprobes:\n  - call: security_file_permission\n" \
	"    args:\n    - index: 0\n      type: file\n    - index: 1\n      type: int\n"
#define CONNECT "  kprobes:\n  - call: tcp_connect\n    args:\n    - index: 0\n      type: sock\n"
#define SEL "    selectors:\n    - "
/* openat's two integers (the fixture's one syscall tracepoint): dirfd, flags */
#define OPENAT_INTS                                             \
	"  kprobes:\n  - call: sys_openat\n    syscall: true\n" \
	"    args:\n    - index: 0\n      type: int\n    - index: 2\n      type: int\n"
/* a path of 300 bytes, and its first 40 */
#define LONG40 "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG LONG40 LONG40 LONG40 LONG40 LONG40 LONG40 LONG40 LONG40 "aaaaaaaaaaaaaaaaaaaa"
#define ARG(i, op, vals)                                                \
	"matchArgs:\n      - index: " #i "\n        operator: " op "\n" \
	"        values: " vals "\n"

static const struct compile_case cases[] = {
	{ "no_selectors",
	  { OPENAT },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req= post\n"
	  "always" },
	{ "syscall_tracepoint_reads_its_dirfd_field",
	  { OPENAT SEL ARG(1, "Prefix", "[/etc/]") },
	  "specs: tp:string@24/8+uSF dirfd=1 fs=8 | tp:int@16/4+s fs=8\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "lookups: str_prefix\n"
	  "str_prefix 0 '/etc/'/48 -> 0",
	  0,
	  0,
	  true },
	{ "tracepoint_match_by_position",
	  { "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n"
	    "    args:\n    - index: 5\n    - index: 6\n" SEL ARG(1, "Equal", "[/etc/passwd]") },
	  "specs: tp:int@16/8 fs=8 | tp:string@24/8+uS fs=8\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "lookups: str_eq\n"
	  "str_eq 1 '/etc/passwd' -> 0",
	  0,
	  0,
	  true },
	{ "char_buf_sizes_point_into_the_union",
	  { "  kprobes:\n  - call: sys_write\n    syscall: true\n"
	    "    args:\n    - index: 2\n      type: size_t\n"
	    "    - index: 1\n      type: char_buf\n      sizeArgIndex: 3\n",
	    "  kprobes:\n  - call: sys_write\n    syscall: true\n"
	    "    args:\n    - index: 1\n      type: char_buf\n      sizeArgIndex: 3\n"
	    "    - index: 2\n      type: size_t\n" },
	  "specs: sys:int@2/8 | sys:buf@1/8+u sz=0\n"
	  "users: 0,1 ret=- | 1,0 ret=-\n"
	  "sel 1/100.0 first req= post\n"
	  "sel 2/200.0 first req= post\n"
	  "always" },
	{ "str_eq",
	  { OPENAT SEL ARG(1, "Equal", "[/etc/passwd, /etc/shadow]") },
	  "specs: sys:string@1/8+uSF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "lookups: str_eq\n"
	  "str_eq 0 '/etc/passwd' -> 0\n"
	  "str_eq 0 '/etc/shadow' -> 0" },
	{ "shadow_selectors_and_pairs",
	  { OPENAT SEL ARG(1, "Equal", "[/etc/passwd]"),
	    OPENAT SEL ARG(1, "Equal", "[/etc/passwd, /etc/shadow]") "      matchActions:\n      - "
								     "action: Sigkill\n" },
	  "specs: sys:string@1/8+uSF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=- | 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 2/200.0 first shadow req=1 sigkill\n"
	  "lookups: str_eq\n"
	  "shadow: 2 of 1\n"
	  "str_eq 0 '/etc/passwd' -> 0,1\n"
	  "str_eq 0 '/etc/shadow' -> 1",
	  .shadow_of = { 0, 1 } },
	{ "str_prefix_carries_shorter_prefixes",
	  { OPENAT SEL ARG(1, "Prefix", "[/etc/, /usr/lib/]") "    - " ARG(
		  1, "Prefix", "[/etc/ssh/]") "    - " ARG(1, "NotPrefix", "[/e]") },
	  "specs: sys:string@1/8+uSF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "sel 1/100.2 req=2 post\n"
	  "neg: 2\n"
	  "lookups: str_prefix\n"
	  "always\n"
	  "str_prefix 0 '/etc/'/48 -> 0,2\n"
	  "str_prefix 0 '/usr/lib/'/80 -> 0\n"
	  "str_prefix 0 '/etc/ssh/'/80 -> 0,1,2\n"
	  "str_prefix 0 '/e'/24 -> 2" },
	{ "str_postfix_reversed",
	  { OPENAT SEL ARG(1, "Postfix", "[.so, lib.so]") "    - " ARG(1, "NotPostfix",
								       "[.conf]") },
	  "specs: sys:string@1/8+uSF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "neg: 1\n"
	  "lookups: str_postfix\n"
	  "always\n"
	  "str_postfix 0 'os.'/32 -> 0\n"
	  "str_postfix 0 'os.bil'/56 -> 0\n"
	  "str_postfix 0 'fnoc.'/48 -> 1" },
	{ "int_operators",
	  { PERM SEL ARG(1, "Equal",
			 "[4, \"0x2\"]") "      - index: 1\n        operator: Mask\n"
					 "        values: [\"0x10\"]\n"
					 "      - index: 1\n        operator: GT\n"
					 "        values: [\"-5\"]\n"
					 "      - index: 1\n        operator: LT\n"
					 "        values: [100]\n"
					 "      - index: 1\n        operator: InRange\n"
					 "        values: [\"1:3\"]\n"
					 "      - index: 1\n        operator: NotEqual\n"
					 "        values: [7]\n" },
	  "specs: arg:file@0/8 | arg:int@1/4+sI\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0,1,2,3,4,5 post\n"
	  "neg: 5\n"
	  "lookups: int_eq\n"
	  "filter 1: int_mask arg=1 sub=0 a=16 b=0\n"
	  "filter 2: int_gt arg=1 sub=0 a=-5 b=0\n"
	  "filter 3: int_lt arg=1 sub=0 a=100 b=0\n"
	  "filter 4: int_range arg=1 sub=0 a=1 b=3\n"
	  "int_eq 1/0 4 -> 0\n"
	  "int_eq 1/0 2 -> 0\n"
	  "int_eq 1/0 7 -> 5" },
	{ "args_form_names_a_position",
	  { "  kprobes:\n  - call: security_file_permission\n"
	    "    args:\n    - index: 1\n      type: int\n    - index: 0\n      type: file\n" SEL
	    "matchArgs:\n      - args: [1]\n        operator: Equal\n"
	    "        values: [/etc/passwd]\n"
	    "      - index: 1\n        operator: Equal\n        values: [4]\n" },
	  "specs: arg:int@1/4+sI | arg:file@0/8+S\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0,1 post\n"
	  "lookups: str_eq int_eq\n"
	  "str_eq 1 '/etc/passwd' -> 0\n"
	  "int_eq 0/0 4 -> 1" },
	{ "data_args_are_read_too",
	  { "  kprobes:\n  - call: security_file_permission\n"
	    "    args:\n    - index: 1\n      type: int\n"
	    "    data:\n    - index: 0\n      type: file\n" },
	  "specs: arg:int@1/4+s | arg:file@0/8\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req= post\n"
	  "always" },
	{ "in_map",
	  { "  lists:\n  - name: opens\n    type: syscalls\n    values: [sys_openat, "
	    "sys_dup]\n" PERM SEL ARG(1, "InMap", "[1, \"5:7\", \"list:opens\"]") "    - " ARG(
		    1, "NotInMap", "[9]") },
	  "specs: arg:file@0/8 | arg:int@1/4+sI\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "neg: 1\n"
	  "lookups: int_eq\n"
	  "always\n"
	  "int_eq 1/0 1 -> 0\n"
	  "int_eq 1/0 5 -> 0\n"
	  "int_eq 1/0 6 -> 0\n"
	  "int_eq 1/0 7 -> 0\n"
	  "int_eq 1/0 {n} -> 0\n"
	  "int_eq 1/0 {n} -> 0\n"
	  "int_eq 1/0 9 -> 1" },
	{ "file_type",
	  { PERM SEL ARG(0, "FileType", "[reg, dir]") "    - " ARG(0, "NotFileType", "[sock]") },
	  "specs: arg:file@0/8+I | arg:int@1/4+s\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "neg: 1\n"
	  "always\n"
	  "filter 0: file_type arg=0 sub=0 a=32768 b=0\n"
	  "filter 0: file_type arg=0 sub=0 a=16384 b=0\n"
	  "filter 1: file_type arg=0 sub=0 a=49152 b=0" },
	{ "addresses_carry_shorter_prefixes",
	  { CONNECT SEL ARG(0, "SAddr", "[10.0.0.0/8, \"2001:db8::1/32\"]") "    - " ARG(
		  0, "SAddr", "[10.1.0.0/16]") "    - " ARG(0, "NotDAddr", "[10.1.2.3]") },
	  "specs: arg:sock@0/8+N\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "sel 1/100.2 req=2 post\n"
	  "neg: 2\n"
	  "lookups: addr\n"
	  "always\n"
	  "addr 0 saddr 10.0.0.0/8 -> 0\n"
	  "addr 0 saddr 2001:db8::/32 -> 0\n"
	  "addr 0 saddr 10.1.0.0/16 -> 0,1\n"
	  "addr 0 daddr 10.1.2.3/32 -> 2" },
	{ "ports_protocols_families",
	  { CONNECT SEL ARG(0, "DPort", "[443, \"8000:8080\"]") "      - index: 0\n"
								"        operator: "
								"SPortPriv\n"
								"      - index: 0\n"
								"        operator: Protocol\n"
								"        values: [IPPROTO_TCP]\n"
								"      - index: 0\n"
								"        operator: Family\n"
								"        values: [AF_INET6]\n"
								"      - index: 0\n"
								"        operator: State\n"
								"        values: [TCP_SYN_SENT]\n"
								"      - index: 0\n"
								"        operator: NotSPort\n"
								"        values: [22]\n" },
	  "specs: arg:sock@0/8+N\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0,1,2,3,4,5 post\n"
	  "neg: 5\n"
	  "lookups: port netint\n"
	  "filter 0: port_range arg=0 sub=5 a=8000 b=8080\n"
	  "filter 1: port_priv arg=0 sub=4 a=0 b=0\n"
	  "int_eq 0/5 443 -> 0\n"
	  "int_eq 0/1 6 -> 2\n"
	  "int_eq 0/2 10 -> 3\n"
	  "int_eq 0/3 2 -> 4\n"
	  "int_eq 0/4 22 -> 5" },
	{ "dns_names_hashed_apart_from_ports",
	  { CONNECT SEL ARG(0, "DNSName", "[\"*.b.test\", A.Test.]") "    - " ARG(
		  0, "NotDNSName", "[\"*\"]") "    - " ARG(0, "DPort", "[6]") },
	  "specs: arg:sock@0/8+N\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "sel 1/100.2 req=2 post\n"
	  "neg: 1\n"
	  "lookups: port dns\n"
	  "always\n"
	  /* hashes under key 0 (src/net/dnsname.c): ".b.test", "a.test", and "" */
	  "int_eq 0/6 -7182197181063464065 -> 0\n"
	  "int_eq 0/6 -6283069512757970046 -> 0\n"
	  "int_eq 0/6 0 -> 1\n"
	  "int_eq 0/5 6 -> 2" },
	{ "ports_apart_from_families",
	  { CONNECT SEL ARG(0, "DPort", "[10]") "    - " ARG(0, "Family", "[AF_INET6]") },
	  "specs: arg:sock@0/8+N\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "lookups: port netint\n"
	  "int_eq 0/5 10 -> 0\n"
	  "int_eq 0/2 10 -> 1" },
	{ "pids_and_follow_forks",
	  { OPENAT SEL "matchPIDs:\n      - operator: In\n        followForks: true\n"
		       "        values: [1, 2]\n"
		       "      - operator: NotIn\n        isNamespacePID: true\n"
		       "        values: [1]\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0,1 post\n"
	  "neg: 1\n"
	  "lookups: pid nspid proc\n"
	  "filter 0: follow arg=254 sub=0 a=1 b=0\n"
	  "int_eq pid/0 1 -> 0\n"
	  "int_eq pid/0 2 -> 0\n"
	  "int_eq nspid/0 1 -> 1\n"
	  "follow pid 1 bit=0x1\n"
	  "follow pid 2 bit=0x1" },
	{ "binaries_and_follow_children",
	  { OPENAT SEL "matchBinaries:\n      - operator: In\n        values: [/usr/bin/cat]\n"
		       "      - operator: Prefix\n        followChildren: true\n"
		       "        values: [/usr/sbin/]\n"
		       "    - matchBinaries:\n      - operator: NotPostfix\n"
		       "        values: [sh]\n"
		       "      - operator: NotIn\n        followChildren: true\n"
		       "        values: [/bin/init]\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0,1 post\n"
	  "sel 1/100.1 req=2,3 post\n"
	  "neg: 2,3\n"
	  "lookups: str_eq str_prefix str_postfix binary proc\n"
	  "always\n"
	  "filter 1: follow arg=255 sub=0 a=1 b=0\n"
	  "filter 3: follow arg=255 sub=0 a=2 b=0\n"
	  "str_eq bin '/usr/bin/cat' -> 0\n"
	  "str_eq bin '/bin/init' -> 3\n"
	  "str_prefix bin '/usr/sbin/'/88 -> 1\n"
	  "str_postfix bin 'hs'/24 -> 2\n"
	  "follow prefix /usr/sbin/ bit=0x1\n"
	  "follow exact /bin/init bit=0x2" },
	{ "follow_slots_per_policy_hook",
	  { "  kprobes:\n  - call: security_file_permission\n" SEL
	    "matchBinaries:\n      - operator: In\n        followChildren: true\n"
	    "        values: [/bin/a]\n"
	    "  - call: security_file_permission\n" SEL
	    "matchBinaries:\n      - operator: In\n        followChildren: true\n"
	    "        values: [/bin/b]\n" },
	  "specs:\n"
	  "users: ret=- | ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/101.0 first req=1 post\n"
	  "lookups: str_eq binary proc\n"
	  "filter 0: follow arg=255 sub=0 a=1 b=0\n"
	  "filter 1: follow arg=255 sub=0 a=2 b=0\n"
	  "str_eq bin '/bin/a' -> 0\n"
	  "str_eq bin '/bin/b' -> 1\n"
	  "follow exact /bin/a bit=0x1\n"
	  "follow exact /bin/b bit=0x2" },
	{ "parent_binaries_under_their_own_key",
	  { OPENAT SEL "matchParentBinaries:\n      - operator: In\n        values: [/bin/sh]\n"
		       "      - operator: NotPostfix\n        values: [bash]\n"
		       "      matchBinaries:\n      - operator: In\n        values: [/bin/sh]\n"
		       "    - matchParentBinaries:\n      - operator: Prefix\n"
		       "        followChildren: true\n        values: [/usr/sbin/]\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0,1,2 post\n"
	  "sel 1/100.1 req=3 post\n"
	  "neg: 2\n"
	  "lookups: str_eq str_prefix str_postfix binary parent\n"
	  "filter 3: parent_follow arg=252 sub=0 a=1 b=0\n"
	  "str_eq bin '/bin/sh' -> 0\n"
	  "str_eq pbin '/bin/sh' -> 1\n"
	  "str_prefix pbin '/usr/sbin/'/88 -> 3\n"
	  "str_postfix pbin 'hsab'/40 -> 2\n"
	  "follow prefix /usr/sbin/ bit=0x1" },
	{ "substrings_and_the_host_user_namespace",
	  { OPENAT SEL ARG(1, "SubString",
			   "[passwd, /etc/]") "      matchCapabilities:\n"
					      "      - type: Effective\n        operator: NotIn\n"
					      "        isNamespaceCapability: true\n        "
					      "values: [CAP_SYS_ADMIN]\n"
					      "    - " ARG(1, "SubStringIgnCase", "[SeCrEt]") },
	  "specs: sys:string@1/8+uSF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0,1,2 post\n"
	  "sel 1/100.1 req=3 post\n"
	  "neg: 1,2\n"
	  "lookups: substr\n"
	  "ns_lookups: 0x200\n"
	  "filter 0: substr arg=0 sub=0 a=0 b=0\n"
	  "filter 0: substr arg=0 sub=0 a=1 b=0\n"
	  "filter 1: caps arg=0 sub=0 a=0x200000 b=0\n"
	  "filter 3: substr arg=0 sub=1 a=2 b=0\n"
	  "int_eq ns9/0 4026531009 -> 2\n"
	  "substr 0 'passwd'\n"
	  "substr 1 '/etc/'\n"
	  "substr 2 'secret'" },
	{ "match_data_by_position_in_data",
	  { OPENAT
	    "    data:\n    - index: 0\n      type: int\n    - index: 2\n      type: int\n" SEL
	    "matchData:\n      - index: 1\n        operator: Mask\n        values: [64]\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s | sys:int@2/4+sI\n"
	  "users: 0,1,2 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "filter 0: int_mask arg=2 sub=0 a=64 b=0" },
	{ "return_actions_after_the_actions",
	  { OPENAT "    return: true\n    returnArg:\n      index: 0\n      type: int\n" SEL
		   "matchReturnArgs:\n      - index: 0\n        operator: LT\n"
		   "        values: [0]\n      matchReturnActions:\n      - action: Sigkill\n"
		   "    - matchActions:\n      - action: NoPost\n"
		   "      matchReturnActions:\n      - action: Signal\n        argSig: 10\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s | ret:int@0/4+s\n"
	  "users: 0 ret=2\n"
	  "sel 1/100.0 first req=0 post sigkill\n"
	  "sel 1/100.1 req= nopost signal(10)\n"
	  "ret_spec: 3\n"
	  "always\n"
	  "filter 0: int_lt arg=208 sub=0 a=0 b=0" },
	{ "return_actions_refuse_override",
	  { OPENAT "    return: true\n" SEL "matchReturnActions:\n      - action: Override\n"
		   "        argError: -1\n" },
	  "spec.kprobes[0].selectors[0]: matchReturnActions: Override changes a call before it "
	  "runs; at its return there is nothing left to override",
	  -EOPNOTSUPP },
	{ "return_actions_count_with_the_actions",
	  { OPENAT "    return: true\n" SEL "matchActions:\n      - action: Post\n"
		   "      - action: Post\n      matchReturnActions:\n      - action: Sigkill\n"
		   "      - action: Post\n" },
	  "spec.kprobes[0].selectors[0]: more than 3 actions in matchActions (Post when empty) and "
	  "matchReturnActions together",
	  -E2BIG },
	{ "substring_needs_a_string",
	  { "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_openat\n"
	    "    args:\n    - index: 5\n" SEL ARG(0, "SubString", "[x]") },
	  "spec.tracepoints[0].selectors[0]: operator 'SubString' needs a string argument",
	  -EINVAL,
	  0,
	  true },
	{ "namespaces_and_capabilities",
	  { OPENAT SEL "matchNamespaces:\n      - namespace: Pid\n        operator: In\n"
		       "        values: [host_ns, 4026531999]\n"
		       "      - namespace: Mnt\n        operator: NotIn\n"
		       "        values: [host_ns]\n"
		       "      matchCapabilities:\n      - type: Effective\n        operator: In\n"
		       "        values: [CAP_SYS_ADMIN, CAP_NET_RAW]\n"
		       "      - type: Permitted\n        operator: NotIn\n"
		       "        values: [CAP_CHOWN]\n"
		       "      matchNamespaceChanges:\n      - operator: In\n"
		       "        values: [Mnt, Net]\n"
		       "      matchCapabilityChanges:\n      - type: Effective\n"
		       "        operator: In\n        values: [CAP_SETUID]\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0,1,2,3,4,5 post\n"
	  "neg: 1,3\n"
	  "lookups: proc\n"
	  "ns_lookups: 0xc\n"
	  "filter 2: caps arg=0 sub=0 a=0x202000 b=0\n"
	  "filter 3: caps arg=0 sub=2 a=0x1 b=0\n"
	  "filter 4: ns_changed arg=0 sub=0 a=0x24 b=0\n"
	  "filter 5: caps_changed arg=0 sub=0 a=0x80 b=0\n"
	  "int_eq ns3/0 4026531003 -> 0\n"
	  "int_eq ns3/0 4026531999 -> 0\n"
	  "int_eq ns2/0 4026531002 -> 1" },
	{ "return_values",
	  { "  kprobes:\n  - call: sys_openat\n    syscall: true\n    return: true\n"
	    "    args:\n    - index: 1\n      type: string\n"
	    "    returnArg:\n      index: 0\n      type: int\n" SEL
	    "matchReturnArgs:\n      - index: 0\n        operator: LT\n"
	    "        values: [0]\n"
	    "      - index: 0\n        operator: Equal\n        values: [-13]\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s | ret:int@0/4+s\n"
	  "users: 0 ret=2\n"
	  "sel 1/100.0 first req=0,1 post\n"
	  "lookups: int_eq\n"
	  "ret_spec: 3\n"
	  "filter 0: int_lt arg=208 sub=0 a=0 b=0\n"
	  "int_eq ret/0 -13 -> 1" },
	{ "return_fd_compared_as_path",
	  { "  kprobes:\n  - call: sys_openat\n    syscall: true\n    return: true\n"
	    "    returnArg:\n      index: 0\n      type: fd\n" SEL
	    "matchReturnArgs:\n      - index: 0\n        operator: Prefix\n"
	    "        values: [/etc/]\n" },
	  "specs: ret:fd@0/8+S\n"
	  "users: ret=0\n"
	  "sel 1/100.0 first req=0 post\n"
	  "lookups: str_prefix\n"
	  "str_prefix 0 '/etc/'/48 -> 0" },
	{ "capabilities_gained",
	  { "  kprobes:\n  - call: security_file_permission\n"
	    "    args:\n    - index: 0\n      type: cred\n" SEL
	    "matchArgs:\n      - index: 0\n        operator: CapabilitiesGained\n"
	    "        values: [CAP_SYS_ADMIN, CAP_NET_ADMIN]\n" },
	  "specs: arg:cred@0/8\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "filter 0: caps_gained arg=0 sub=0 a=2101248 b=0" },
	{ "actions",
	  { "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n      type: file\n" SEL
	    "matchActions:\n      - action: Post\n        rateLimit: 1m\n"
	    "        rateLimitScope: process\n        kernelStackTrace: true\n"
	    "        userStackTrace: true\n"
	    "    - matchActions:\n      - action: Override\n        argError: -1\n"
	    "      - action: Signal\n        argSig: 10\n      - action: NoPost\n"
	    "    - matchActions:\n      - action: Sigkill\n      - action: DnsLookup\n"
	    "        argFqdn: example.com\n"
	    "      - action: GetUrl\n        argUrl: http://example.com/x\n" },
	  "specs: arg:file@0/8\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req= post(rate=60000000000,scope=1,k,u)\n"
	  "sel 1/100.1 req= override(-1) signal(10) nopost\n"
	  "sel 1/100.2 req= sigkill user user\n"
	  "always" },
	{ "track_sock",
	  { "  kprobes:\n  - call: tcp_connect\n    args:\n    - index: 0\n      type: sock\n" SEL
	    "matchActions:\n      - action: TrackSock\n        argSock: 0\n"
	    "    - matchActions:\n      - action: UntrackSock\n        argSock: 0\n" },
	  "specs: arg:sock@0/8\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req= tracksock(0)\n"
	  "sel 1/100.1 req= untracksock(0)\n"
	  "always" },
	{ "two_policies_share_specs_and_entries",
	  { PERM SEL ARG(1, "Equal", "[4]") "      matchBinaries:\n      - operator: In\n"
					    "        followChildren: true\n"
					    "        values: [/bin/a]\n",
	    "  kprobes:\n  - call: security_file_permission\n"
	    "    args:\n    - index: 1\n      type: int\n    - index: 0\n      type: path\n" SEL
		    ARG(1, "Equal", "[4, 2]") "    - " ARG(
			    1, "NotEqual", "[2]") "      matchBinaries:\n      - operator: Prefix\n"
						  "        followChildren: true\n"
						  "        values: [/bin/]\n" },
	  "specs: arg:file@0/8 | arg:int@1/4+sI | arg:path@0/8\n"
	  "users: 0,1 ret=- | 1,2 ret=-\n"
	  "sel 1/100.0 first req=0,1 post\n"
	  "sel 2/200.0 first req=2 post\n"
	  "sel 2/200.1 req=3,4 post\n"
	  "neg: 3\n"
	  "lookups: str_eq str_prefix int_eq binary proc\n"
	  "filter 1: follow arg=255 sub=0 a=1 b=0\n"
	  "filter 4: follow arg=255 sub=0 a=2 b=0\n"
	  "str_eq bin '/bin/a' -> 1\n"
	  "str_prefix bin '/bin/'/48 -> 4\n"
	  "int_eq 1/0 4 -> 0,2\n"
	  "int_eq 1/0 2 -> 2,3\n"
	  "follow exact /bin/a bit=0x1\n"
	  "follow prefix /bin/ bit=0x2" },

	/* errors */
	{ "error/in_map_range_too_wide",
	  { PERM SEL ARG(1, "InMap", "[\"0:70000\"]") },
	  "spec.kprobes[0].selectors[0]: range '0:70000' spans more than 65536 values",
	  -E2BIG },
	{ "error/in_map_list_of_functions",
	  { "  lists:\n  - name: fns\n    type: syscalls\n    values: [sys_openat, vfs_read]\n" PERM
		    SEL ARG(1, "InMap", "[\"list:fns\"]") },
	  "spec.kprobes[0].selectors[0]: list 'fns': 'vfs_read' is not a syscall",
	  -EINVAL },
	{ "error/follow_children_postfix",
	  { OPENAT SEL "matchBinaries:\n      - operator: Postfix\n        followChildren: true\n"
		       "        values: [sh]\n" },
	  "spec.kprobes[0].selectors[0]: followChildren works with In and Prefix, not Postfix",
	  -EOPNOTSUPP },
	{ "error/get_url_https",
	  { OPENAT SEL "matchActions:\n      - action: GetUrl\n"
		       "        argUrl: https://example.com/\n" },
	  "spec.kprobes[0].selectors[0]: GetUrl 'https://example.com/': only http:// URLs are "
	  "fetched (no TLS)",
	  -EOPNOTSUPP },
	{ "notify_enforcer",
	  { "  enforcers:\n  - calls: [sys_dup]\n" OPENAT SEL
	    "matchActions:\n      - action: NotifyEnforcer\n        argSig: 9\n"
	    "    - matchActions:\n      - action: CleanupEnforcerNotification\n" },
	  "specs: sys:string@1/8+uF dirfd=1 | sys:int@0/4+s\n"
	  "users: 0 ret=-\n"
	  "sel 1/100.0 first req= notify(sig=9,error=0)\n"
	  "sel 1/100.1 req= cleanup\n"
	  "always" },
	{ "error/track_sock_not_an_argument",
	  { CONNECT SEL "matchActions:\n      - action: TrackSock\n        argSock: 1\n" },
	  "spec.kprobes[0].selectors[0]: TrackSock: argSock 1 is not among args[].index",
	  -EINVAL },
	{ "error/too_many_selectors",
	  { OPENAT SEL "matchPIDs:\n      - operator: In\n        values: [1]\n"
		       "    - matchPIDs:\n      - operator: In\n        values: [2]\n"
		       "    - matchPIDs:\n      - operator: In\n        values: [3]\n"
		       "    - matchPIDs:\n      - operator: In\n        values: [4]\n" },
	  "spec.kprobes[0].selectors[0]: policy 'compile-test-0': more than 2048 selectors on "
	  "hook point __x64_sys_openat, all policies together",
	  -E2BIG,
	  513 },
	{ "error/too_many_filters",
	  { PERM SEL ARG(1, "Mask", "[1]") "    - " ARG(1, "GT", "[1]") "    - " ARG(
		  1, "LT", "[1]") "    - " ARG(1, "InRange", "[\"1:2\"]") },
	  "spec.kprobes[0].selectors[0]: more than 64 range, mask or capability filters on one "
	  "hook point",
	  -E2BIG,
	  17 },
	/* the integer gate: raw-sockets' selectors (on openat's integers), one
	 * test each (17 a bit, SOCK_RAW's flagged values beside the bit of 3);
	 * NotEqual no test */
	{ "gate/int_equal_values_one_test_per_selector",
	  { OPENAT_INTS SEL ARG(0, "Equal", "[17]") "    - " ARG(
		  2, "Equal", "[3, 0x803, 0x80003, 0x80803]") "      - index: 0\n        operator: "
							      "NotEqual\n        values: [16]\n" },
	  "specs: tp:int@16/4+sI fs=8 | tp:int@32/4+sI fs=8\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1,2 post\n"
	  "neg: 2\n"
	  "lookups: int_eq\n"
	  "gate 0: @16 fs=8 size=4 small=0x20000\n"
	  "gate 1: @32 fs=8 size=4 small=0x8 vals=0x803,0x80003,0x80803\n"
	  "gate sels: 0x1 0x2\n"
	  "int_eq 0/0 17 -> 0\n"
	  "int_eq 1/0 3 -> 1\n"
	  "int_eq 1/0 2051 -> 1\n"
	  "int_eq 1/0 524291 -> 1\n"
	  "int_eq 1/0 526339 -> 1\n"
	  "int_eq 0/0 16 -> 2",
	  0,
	  0,
	  true },
	/* -1 compared in the int's 4 bytes; a selector with both fields needs
	 * both tests, one with the same tests is the same gate selector */
	{ "gate/both_fields_of_a_selector_and_negative_values",
	  { OPENAT_INTS SEL ARG(
		  0, "Equal",
		  "[-1]") "      - index: 2\n        operator: Equal\n"
			  "        values: [2]\n    - " ARG(
				  2, "Equal",
				  "[2]") "      - index: 0\n"
					 "        operator: Equal\n        values: [-1]\n" },
	  "specs: tp:int@16/4+sI fs=8 | tp:int@32/4+sI fs=8\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0,1 post\n"
	  "sel 1/100.1 req=2,3 post\n"
	  "lookups: int_eq\n"
	  "gate 0: @16 fs=8 size=4 small=0x0 vals=0xffffffff\n"
	  "gate 1: @32 fs=8 size=4 small=0x4\n"
	  "gate sels: 0x3\n"
	  "int_eq 0/0 -1 -> 0,3\n"
	  "int_eq 1/0 2 -> 1,2",
	  0,
	  0,
	  true },
	/* no gate: a selector with only an arithmetic filter */
	{ "gate/none_for_a_selector_with_a_mask",
	  { OPENAT_INTS SEL ARG(0, "Equal", "[17]") "    - " ARG(2, "Mask", "[3]") },
	  "specs: tp:int@16/4+sI fs=8 | tp:int@32/4+sI fs=8\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "sel 1/100.1 req=1 post\n"
	  "lookups: int_eq\n"
	  "filter 1: int_mask arg=1 sub=0 a=3 b=0\n"
	  "int_eq 0/0 17 -> 0",
	  0,
	  0,
	  true },
	/* nor for more values of 64 or more than a test holds */
	{ "gate/none_for_many_large_values",
	  { OPENAT_INTS SEL ARG(2, "Equal", "[100, 101, 102, 103, 104]") },
	  "specs: tp:int@16/4+s fs=8 | tp:int@32/4+sI fs=8\n"
	  "users: 0,1 ret=-\n"
	  "sel 1/100.0 first req=0 post\n"
	  "lookups: int_eq\n"
	  "int_eq 1/0 100 -> 0\n"
	  "int_eq 1/0 101 -> 0\n"
	  "int_eq 1/0 102 -> 0\n"
	  "int_eq 1/0 103 -> 0\n"
	  "int_eq 1/0 104 -> 0",
	  0,
	  0,
	  true },
	{ "error/too_many_slots",
	  { OPENAT SEL
	    "matchPIDs:\n      - operator: In\n        values: [1]\n"
	    "      - operator: NotIn\n        values: [2]\n"
	    "      - operator: In\n        isNamespacePID: true\n        values: [3]\n"
	    "      - operator: NotIn\n        isNamespacePID: true\n        values: [4]\n"
	    "      matchBinaries:\n      - operator: In\n        values: [/bin/a]\n" },
	  "spec.kprobes[0].selectors[0]: policy 'compile-test-0': more than 2048 filter values "
	  "and ranges on hook point __x64_sys_openat, all policies together",
	  -E2BIG,
	  410 },
	{ "error/value_too_long",
	  { OPENAT SEL ARG(1, "Equal", "[" LONG "]") },
	  "spec.kprobes[0].selectors[0]: value '" LONG40 "...' is longer than 255 bytes",
	  -E2BIG },
	{ "error/too_many_specs",
	  { PERM,
	    "  kprobes:\n  - call: security_file_permission\n"
	    "    args:\n    - index: 0\n      type: path\n    - index: 0\n      type: dentry\n"
	    "    - index: 0\n      type: cred\n    - index: 0\n      type: sock\n",
	    "  kprobes:\n  - call: security_file_permission\n"
	    "    args:\n    - index: 0\n      type: socket\n    - index: 0\n      type: skb\n"
	    "    - index: 0\n      type: uint64\n" },
	  "spec.kprobes[0]: the policies on this hook point read more than 8 different arguments",
	  -E2BIG },
};

/* The row policies' users of the point: every planned hook, in order. */
struct point {
	struct hornet_policy *policies[MAX_POLICIES];
	struct hornet_plan plans[MAX_POLICIES];
	struct hornet_point_user *users;
	size_t nr_users;
};

static int point_build(struct point *pt, const struct compile_case *c, struct btf *btf)
{
	const char *const *specs = c->specs;
	unsigned int repeat = c->repeat ? c->repeat : 1, r;
	char yaml[8192], err[1024];
	struct hornet_kernel k;
	uint64_t next_follow = 1, policy_bits;
	size_t i, h;
	int ret;

	memset(pt, 0, sizeof(*pt));
	fx_kernel(&k, c->host618 ? FX_HOST_618 : FX_DEBIAN_61, ~0u, btf);
	for (i = 0; i < MAX_POLICIES && specs[i]; i++) {
		snprintf(yaml, sizeof(yaml),
			 "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
			 "metadata:\n  name: compile-test-%zu\nspec:\n%s",
			 i, specs[i]);
		pt->policies[i] = fx_policy(yaml);
		if (!pt->policies[i])
			return -EINVAL;
		ret = hornet_plan_policy(pt->policies[i], &k, &pt->plans[i], err, sizeof(err));
		if (ret) {
			printf("    plan: %s\n", err);
			return ret;
		}
		pt->users = realloc(pt->users, (pt->nr_users + pt->plans[i].nr_hooks * repeat) *
						       sizeof(*pt->users));
		if (!pt->users)
			return -ENOMEM;
		/* as the manager does: each policy owns the next free follow slots, as many
		 * as all its hooks need, and gives every user of its hooks all of them */
		policy_bits = 0;
		for (h = 0; h < pt->policies[i]->nr_hooks; h++) {
			unsigned int n = hornet_hook_follow_slots(&pt->policies[i]->hooks[h]);

			for (; n; n--, next_follow <<= 1)
				policy_bits |= next_follow;
		}
		for (h = 0; h < pt->plans[i].nr_hooks; h++) {
			struct hornet_point_user *u = &pt->users[pt->nr_users++];
			unsigned int s;

			memset(u, 0, sizeof(*u));
			u->policy_id = i + 1;
			u->hook_id = (i + 1) * 100 + h;
			u->policy = pt->policies[i];
			u->ph = &pt->plans[i].hooks[h];
			for (s = 0; s < HORNET_NS_COUNT; s++)
				u->host_ns[s] = 4026531000u + s;
			u->follow_bits = policy_bits;
			u->shadow_of = c->shadow_of[i];
		}
	}
	/* the same hooks again, as if more policies had them */
	for (r = 1, h = pt->nr_users; r < repeat; r++)
		for (i = 0; i < h; i++)
			pt->users[pt->nr_users++] = pt->users[i];
	return 0;
}

static void point_free(struct point *pt)
{
	size_t i;

	for (i = 0; i < MAX_POLICIES; i++) {
		hornet_plan_free(&pt->plans[i]);
		hornet_policy_free(pt->policies[i]);
	}
	free(pt->users);
}

static void slots_text(char *buf, size_t size, const __u64 *w)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < HORNET_GEN_MAX_SLOTS; i++) {
		if (w[i / 64] & (1ULL << (i % 64))) {
			fx_cat(buf, size, "%s%u", sep, i);
			sep = ",";
		}
	}
}

static void key_text(char *buf, size_t size, unsigned int arg)
{
	if (arg == HORNET_KEY_BINARY)
		fx_cat(buf, size, "bin");
	else if (arg == HORNET_KEY_PARENT_BINARY)
		fx_cat(buf, size, "pbin");
	else if (arg == HORNET_KEY_PID)
		fx_cat(buf, size, "pid");
	else if (arg == HORNET_KEY_NSPID)
		fx_cat(buf, size, "nspid");
	else if (arg == HORNET_KEY_RET)
		fx_cat(buf, size, "ret");
	else if (arg >= HORNET_KEY_NS(0) && arg < HORNET_KEY_NS(HORNET_NS_COUNT))
		fx_cat(buf, size, "ns%u", arg - HORNET_KEY_NS(0));
	else
		fx_cat(buf, size, "%u", arg);
}

static void action_text(char *buf, size_t size, const struct hornet_gen_act *a)
{
	switch (a->action) {
	case HORNET_A_POST:
		fx_cat(buf, size, " post");
		if (a->rate_ns || a->scope || a->flags)
			fx_cat(buf, size, "(rate=%llu,scope=%u%s%s)",
			       (unsigned long long)a->rate_ns, a->scope,
			       a->flags & HORNET_ACT_KSTACK ? ",k" : "",
			       a->flags & HORNET_ACT_USTACK ? ",u" : "");
		break;
	case HORNET_A_NOPOST:
		fx_cat(buf, size, " nopost");
		break;
	case HORNET_A_SIGKILL:
		fx_cat(buf, size, " sigkill");
		break;
	case HORNET_A_SIGNAL:
		fx_cat(buf, size, " signal(%d)", a->arg);
		break;
	case HORNET_A_OVERRIDE:
		fx_cat(buf, size, " override(%d)", a->arg);
		break;
	case HORNET_A_TRACKSOCK:
	case HORNET_A_UNTRACKSOCK:
		fx_cat(buf, size, " %s(%u)",
		       a->action == HORNET_A_TRACKSOCK ? "tracksock" : "untracksock", a->arg_spec);
		break;
	case HORNET_A_USER:
		fx_cat(buf, size, " user");
		break;
	case HORNET_A_NOTIFY:
		fx_cat(buf, size, " notify(sig=%d,error=%lld)", a->arg,
		       (long long)(int64_t)a->value);
		break;
	case HORNET_A_CLEANUP:
		fx_cat(buf, size, " cleanup");
		break;
	default:
		fx_cat(buf, size, " ?%u", a->action);
	}
}

static void lpm_str_text(char *buf, size_t size, const char *what,
			 const struct hornet_lpm_str_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fx_cat(buf, size, "\n%s ", what);
		key_text(buf, size, e[i].key.arg);
		fx_cat(buf, size, " '%.*s'/%u -> ", (int)(e[i].key.prefixlen - 8) / 8, e[i].key.s,
		       e[i].key.prefixlen);
		slots_text(buf, size, e[i].bits.w);
	}
}

/* The configuration as text, one line per item, empty parts left out. */
static void config_text(const struct hornet_point_config *o, const struct hornet_point_user *users,
			char *buf, size_t size)
{
	static const char *const lookups[] = { "str_eq", "str_prefix", "str_postfix", "int_eq",
					       "binary", "pid",	       "nspid",	      "addr",
					       "port",	 "netint",     "proc",	      "parent",
					       "substr", "cel",	       "dns" };
	static const char *const kinds[] = {
		"int_gt", "int_lt",   "int_range",     "int_mask",     "port_range",  "port_priv",
		"caps",	  "caps_all", "ns_changed",    "caps_changed", "caps_gained", "file_type",
		"follow", "always",   "parent_follow", "substr",
	};
	const struct hornet_gen_cfg *cfg = &o->cfg;
	char addr[INET6_ADDRSTRLEN];
	size_t i, j;

	buf[0] = '\0';
	fx_cat(buf, size, "specs:");
	for (i = 0; i < cfg->nr_specs; i++) {
		fx_cat(buf, size, "%s", i ? " | " : " ");
		fx_spec(buf, size, &cfg->specs[i]);
	}
	fx_cat(buf, size, "\nusers:");
	for (i = 0; i < o->nr_users; i++) {
		fx_cat(buf, size, "%s", i ? " | " : " ");
		for (j = 0; j < users[i].ph->nr_args; j++)
			fx_cat(buf, size, "%s%u", j ? "," : "", o->arg_spec[i][j]);
		fx_cat(buf, size, j ? " ret=" : "ret=");
		if (o->ret_spec[i] == 0xff)
			fx_cat(buf, size, "-");
		else
			fx_cat(buf, size, "%u", o->ret_spec[i]);
	}
	for (i = 0; i < cfg->nr_sels; i++) {
		const struct hornet_gen_sel *s = &o->sels[i];

		fx_cat(buf, size, "\nsel %u/%u.%u%s%s req=", s->policy_id, s->hook_id, s->sel,
		       s->flags & HORNET_SEL_FIRST ? " first" : "",
		       s->flags & HORNET_SEL_SHADOW ? " shadow" : "");
		slots_text(buf, size, s->required.w);
		for (j = 0; j < s->nr_actions; j++)
			action_text(buf, size, &s->actions[j]);
	}
	for (i = 0; i < HORNET_GEN_WORDS && !cfg->neg[i]; i++)
		;
	if (i < HORNET_GEN_WORDS) {
		fx_cat(buf, size, "\nneg: ");
		slots_text(buf, size, cfg->neg);
	}
	if (cfg->lookups) {
		fx_cat(buf, size, "\nlookups:");
		for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
			if (cfg->lookups & (1u << i))
				fx_cat(buf, size, " %s", lookups[i]);
	}
	if (cfg->ns_lookups)
		fx_cat(buf, size, "\nns_lookups: 0x%x", cfg->ns_lookups);
	if (cfg->ret_spec)
		fx_cat(buf, size, "\nret_spec: %u", cfg->ret_spec);
	if (cfg->always)
		fx_cat(buf, size, "\nalways");
	for (i = 0; i < cfg->nr_shadows; i++)
		fx_cat(buf, size, "\nshadow: %u of %u", cfg->shadow_pol[i], cfg->shadow_base[i]);
	for (i = 0; i < cfg->nr_gate_tests; i++) {
		const struct hornet_gate_test *t = &cfg->gate_tests[i];

		fx_cat(buf, size, "\ngate %zu: @%u fs=%u size=%u small=0x%llx", i, t->off,
		       t->field_size, t->size, (unsigned long long)t->small);
		for (j = 0; j < t->nr_vals; j++)
			fx_cat(buf, size, "%s0x%llx",
			       j ? "," : " vals=", (unsigned long long)t->vals[j]);
	}
	if (cfg->nr_gate_sels) {
		fx_cat(buf, size, "\ngate sels:");
		for (i = 0; i < cfg->nr_gate_sels; i++)
			fx_cat(buf, size, " 0x%x", cfg->gate_sels[i]);
	}
	for (i = 0; i < cfg->nr_filters; i++) {
		const struct hornet_gen_filter *f = &o->filters[i];
		bool hex = f->kind == HORNET_F_CAPS || f->kind == HORNET_F_NS_CHANGED ||
			   f->kind == HORNET_F_CAPS_CHANGED;

		fx_cat(buf, size, "\nfilter %u: %s arg=%u sub=%u a=", f->slot,
		       f->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[f->kind] : "?", f->arg,
		       f->sub);
		fx_cat(buf, size, hex ? "0x%llx" : "%lld", (long long)f->a);
		fx_cat(buf, size, " b=%lld", (long long)f->b);
	}
	for (i = 0; i < o->nr_str_eq; i++) {
		fx_cat(buf, size, "\nstr_eq ");
		key_text(buf, size, o->str_eq[i].key.arg);
		fx_cat(buf, size, " '%s' -> ", o->str_eq[i].key.s);
		slots_text(buf, size, o->str_eq[i].bits.w);
	}
	lpm_str_text(buf, size, "str_prefix", o->str_prefix, o->nr_str_prefix);
	lpm_str_text(buf, size, "str_postfix", o->str_postfix, o->nr_str_postfix);
	for (i = 0; i < o->nr_int_eq; i++) {
		fx_cat(buf, size, "\nint_eq ");
		key_text(buf, size, o->int_eq[i].key.arg);
		fx_cat(buf, size, "/%u %lld -> ", o->int_eq[i].key.sub,
		       (long long)o->int_eq[i].key.value);
		slots_text(buf, size, o->int_eq[i].bits.w);
	}
	for (i = 0; i < o->nr_addr; i++) {
		const struct hornet_lpm_addr_key *k = &o->addr[i].key;

		inet_ntop(k->family, k->addr, addr, sizeof(addr));
		fx_cat(buf, size, "\naddr ");
		key_text(buf, size, k->arg);
		fx_cat(buf, size, " %s %s/%u -> ", k->which == HORNET_NET_SADDR ? "saddr" : "daddr",
		       addr, k->prefixlen - 24);
		slots_text(buf, size, o->addr[i].bits.w);
	}
	for (i = 0; i < o->nr_substr; i++)
		fx_cat(buf, size, "\nsubstr %zu '%.*s'", i, (int)o->substr[i].len, o->substr[i].s);
	for (i = 0; i < o->nr_follow; i++) {
		const struct hornet_follow_entry *e = &o->follow[i];

		if (e->pid)
			fx_cat(buf, size, "\nfollow pid %u", e->pid_value);
		else
			fx_cat(buf, size, "\nfollow %s %s", e->prefix ? "prefix" : "exact",
			       e->value);
		fx_cat(buf, size, " bit=0x%llx", (unsigned long long)e->bit);
	}
}

static void run_case(const struct compile_case *c, struct btf *btf)
{
	static char got[16384];
	struct hornet_point_config cfg;
	struct point pt;
	char err[1024] = "";
	int ret;

	UNIT_CASE(c->name)
	{
		ret = point_build(&pt, c, btf);
		CHECK_INT(ret, 0);
		if (!ret) {
			ret = hornet_point_compile(pt.users, pt.nr_users, &cfg, err, sizeof(err));
			CHECK_INT(ret, c->want_ret);
			if (!ret) {
				config_text(&cfg, pt.users, got, sizeof(got));
				hornet_point_config_free(&cfg);
			} else {
				snprintf(got, sizeof(got), "%s", err);
			}
			if (!fx_matches(got, c->want))
				CHECK_STR(got, c->want);
		}
		point_free(&pt);
	}
}

static bool prefilter_bit(const struct hornet_point_config *o, uint32_t arg, const char *bytes,
			  unsigned int k)
{
	uint64_t x = 0;
	uint32_t h;

	memcpy(&x, bytes, k);
	h = hornet_prefilter_hash(arg, x & hornet_prefilter_mask(k));
	return o->prefilter[h / 64] & (1ULL << (h % 64));
}

/*
 * The string prefilter: K and K' are the shortest Equal/Prefix and Postfix
 * values, each value's first (last) K bytes have their bit and nothing else
 * has; an empty value turns its side off.
 */
static void run_prefilter(struct btf *btf)
{
	static const struct compile_case with = {
		"prefilter",
		{ OPENAT SEL ARG(1, "Prefix", "[/etc/shadow, /boot, /root/.ssh, /etc/sudoers]"),
		  OPENAT SEL ARG(1, "Equal", "[/etc/hostname]"),
		  OPENAT SEL ARG(1, "Postfix", "[.key, /id_rsa]") },
	};
	static const struct compile_case empty = {
		"prefilter_off_with_an_empty_value",
		{ OPENAT SEL ARG(1, "Prefix", "[/etc/, \"\"]") },
	};
	struct hornet_point_config cfg;
	unsigned int i, bits = 0;
	struct point pt;
	char err[1024];

	UNIT_CASE(with.name)
	{
		CHECK_INT(point_build(&pt, &with, btf), 0);
		CHECK_INT(hornet_point_compile(pt.users, pt.nr_users, &cfg, err, sizeof(err)), 0);
		CHECK_INT(cfg.cfg.prefilter_len, 5);
		CHECK_INT(cfg.cfg.postfilter_len, 4);
		CHECK(cfg.prefilter != NULL);
		if (cfg.prefilter) {
			for (i = 0; i < HORNET_PREFILTER_WORDS; i++)
				bits += __builtin_popcountll(cfg.prefilter[i]);
			/* '/etc/', '/boot', '/root' and the Postfix '.key', 'rsa' reversed */
			CHECK_INT(bits, 5);
			CHECK(prefilter_bit(&cfg, 0, "/etc/", 5));
			CHECK(prefilter_bit(&cfg, 0, "/boot", 5));
			CHECK(prefilter_bit(&cfg, 0 | HORNET_PREFILTER_POSTFIX, ".key", 4));
			CHECK(prefilter_bit(&cfg, 0 | HORNET_PREFILTER_POSTFIX, "_rsa", 4));
			CHECK(!prefilter_bit(&cfg, 0, "/tmp/", 5));
			CHECK(!prefilter_bit(&cfg, 0 | HORNET_PREFILTER_POSTFIX, "/etc", 4));
		}
		hornet_point_config_free(&cfg);
		point_free(&pt);
	}
	UNIT_CASE(empty.name)
	{
		CHECK_INT(point_build(&pt, &empty, btf), 0);
		CHECK_INT(hornet_point_compile(pt.users, pt.nr_users, &cfg, err, sizeof(err)), 0);
		CHECK_INT(cfg.cfg.prefilter_len, 0);
		CHECK(cfg.prefilter == NULL);
		hornet_point_config_free(&cfg);
		point_free(&pt);
	}
}

/* whether selector @i is in @set */
static bool in_set(const struct hornet_sel_set *set, unsigned int i)
{
	return (set->w[i / 64] >> (i % 64)) & 1 && (set->words >> (i / 64)) & 1;
}

static bool slot_in(const __u64 *w, unsigned int slot)
{
	return (w[slot / 64] >> (slot % 64)) & 1;
}

/* The point of @c's policies compiled into @cfg: 0, or a failed check. */
static int compile_point(const struct compile_case *c, struct btf *btf,
			 struct hornet_point_config *cfg)
{
	struct point pt;
	char err[1024] = "";
	int ret;

	ret = point_build(&pt, c, btf);
	CHECK_INT(ret, 0);
	if (ret)
		return ret;
	ret = hornet_point_compile(pt.users, pt.nr_users, cfg, err, sizeof(err));
	CHECK_STR(err, "");
	point_free(&pt);
	return ret;
}

/*
 * The selector index: 1,000 users of one point (a Prefix each, as
 * bench/scale generates them) compile, each selector listed under a slot of
 * its own; a selector with only a negated filter is always walked; a
 * selector with a Mask and a Prefix is listed under the Prefix's slot (a
 * value map's), not the Mask's, which holds on most calls.
 */
static void index_case(struct btf *btf)
{
	struct compile_case many = {
		.name = "index",
		.specs = { OPENAT SEL ARG(1, "Prefix", "[/srv/many/]") },
		.repeat = 1000,
	};
	struct compile_case neg = { .name = "index",
				    .specs = { OPENAT SEL ARG(1, "NotEqual", "[/x]") } };
	struct compile_case mask = {
		.name = "index",
		.specs = { PERM SEL ARG(1, "Mask", "[1]") "      - index: 0\n"
							  "        operator: Prefix\n"
							  "        values: [/y/]\n" },
	};
	struct hornet_point_config cfg;
	unsigned int i, j, slot;

	UNIT_CASE("index/a_thousand_users_each_under_its_own_slot")
	{
		if (!compile_point(&many, btf, &cfg)) {
			CHECK_INT(cfg.cfg.nr_sels, 1000);
			CHECK_INT(cfg.nr_slots, 1000);
			CHECK_INT(cfg.cfg.always, 0);
			for (i = 0; i < cfg.cfg.nr_sels; i++) {
				for (slot = 0, j = 0; j < cfg.nr_slots; j++)
					if (in_set(&cfg.slot_sels[j], i))
						slot = j + 1;
				CHECK(slot);
				if (!slot)
					break;
				CHECK(slot_in(cfg.cfg.index, slot - 1));
				CHECK(slot_in(cfg.sels[i].required.w, slot - 1));
			}
			hornet_point_config_free(&cfg);
		}
	}
	UNIT_CASE("index/negated_only_is_always_walked")
	{
		if (!compile_point(&neg, btf, &cfg)) {
			CHECK_INT(cfg.cfg.always, 1);
			CHECK(in_set(&cfg.cfg.always_sels, 0));
			hornet_point_config_free(&cfg);
		}
	}
	UNIT_CASE("index/a_mask_is_not_the_index_slot")
	{
		if (!compile_point(&mask, btf, &cfg)) {
			slot = cfg.filters[0].slot;
			CHECK_INT(cfg.cfg.always, 0);
			CHECK_INT(cfg.cfg.nr_filters, 1);
			CHECK(!in_set(&cfg.slot_sels[slot], 0));
			CHECK(in_set(&cfg.slot_sels[slot == 0 ? 1 : 0], 0));
			hornet_point_config_free(&cfg);
		}
	}
}

int main(void)
{
	struct btf *btf = fx_btf();
	size_t i;

	if (!btf || fx_tracefs_create()) {
		printf("FAIL compile/fixture: cannot build the test kernel's BTF or tracefs\n");
		fx_tracefs_remove();
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], btf);
	run_prefilter(btf);
	index_case(btf);
	fx_tracefs_remove();
	btf__free(btf);
	UNIT_EXIT();
}
