// SPDX-License-Identifier: GPL-2.0
/*
 * TracingPolicy parsing: good policies give the expected model (YAML and
 * JSON alike), bad ones one line "FILE:LINE:COL: FIELD.PATH: what is wrong",
 * hostile ones (alias bombs, deep nesting, huge or binary files) a quick
 * refusal, and every Tetragon example policy of the compatibility corpus
 * parses.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "unit.h"
#include "policy/policy.h"

/* Most of the format in one policy; good_json below is the same policy. */
static const char good_yaml[] = "# a policy using most of the format\n"
				"apiVersion: cilium.io/v1alpha1\n"
				"kind: TracingPolicy\n"
				"metadata:\n"
				"  name: good.policy-1\n"
				"  annotations:\n"
				"    description: \"covers most fields\"\n"
				"spec:\n"
				"  podSelector:\n"
				"    matchLabels:\n"
				"      app: web\n"
				"  options:\n"
				"  - name: policy-mode\n"
				"    value: monitor\n"
				"  - name: disable-kprobe-multi\n"
				"    value: \"1\"\n"
				"  lists:\n"
				"  - name: dups\n"
				"    type: syscalls\n"
				"    values: [sys_dup, sys_dup2]\n"
				"  kprobes:\n"
				"  - call: sys_openat\n"
				"    syscall: true\n"
				"    return: true\n"
				"    message: \"open\"\n"
				"    tags: [file, \"observability.filesystem\"]\n"
				"    ignore:\n"
				"      callNotFound: true\n"
				"    args:\n"
				"    - index: 1\n"
				"      type: \" string \"\n"
				"    - index: 2\n"
				"      type: int32\n"
				"    returnArg:\n"
				"      index: 0\n"
				"      type: int\n"
				"    returnArgAction: Post\n"
				"    selectors:\n"
				"    - matchArgs:\n"
				"      - index: 1\n"
				"        operator: Prefix\n"
				"        values: &paths [\"/etc/\", \"/root/\"]\n"
				"      - args: [1]\n"
				"        operator: gt\n"
				"        values: [\"0x10\"]\n"
				"      matchReturnArgs:\n"
				"      - index: 0\n"
				"        operator: LessThan\n"
				"        values: [\"-1\"]\n"
				"      matchPIDs:\n"
				"      - operator: NotIn\n"
				"        followForks: true\n"
				"        isNamespacePID: true\n"
				"        values: [1, 0x10]\n"
				"      matchBinaries:\n"
				"      - operator: In\n"
				"        values: [\"/usr/bin/cat\"]\n"
				"        followChildren: true\n"
				"      matchActions:\n"
				"      - action: post\n"
				"        rateLimit: 1m\n"
				"        rateLimitScope: process\n"
				"        kernelStackTrace: \"true\"\n"
				"      - action: Override\n"
				"        argError: -2\n"
				"    - matchNamespaces:\n"
				"      - namespace: pid\n"
				"        operator: NotIn\n"
				"        values: [host_ns, 4026531836]\n"
				"      matchCapabilities:\n"
				"      - operator: In\n"
				"        isNamespaceCapability: false\n"
				"        values: [CAP_SYS_ADMIN, \"cap_net_raw\"]\n"
				"      matchNamespaceChanges:\n"
				"      - operator: In\n"
				"        values: [Mnt, Net]\n"
				"      matchCapabilityChanges:\n"
				"      - type: Permitted\n"
				"        operator: In\n"
				"        values: [CAP_SETUID]\n"
				"      matchActions:\n"
				"      - action: Signal\n"
				"        argSig: 9\n"
				"  - call: tcp_connect\n"
				"    args:\n"
				"    - index: 0\n"
				"      type: sock\n"
				"    - index: 1\n"
				"      type: char_buf\n"
				"      sizeArgIndex: 3\n"
				"      maxData: true\n"
				"    - index: 2\n"
				"      type: size_t\n"
				"    selectors:\n"
				"    - matchArgs:\n"
				"      - index: 0\n"
				"        operator: DAddr\n"
				"        values: [\"127.0.0.1/8\", \"::1\", \"${PODCIDR}\"]\n"
				"      - index: 0\n"
				"        operator: DPort\n"
				"        values: [\"80\", \"8000:8080\"]\n"
				"      - index: 0\n"
				"        operator: Protocol\n"
				"        values: [IPPROTO_TCP, \"17\"]\n"
				"      - index: 0\n"
				"        operator: State\n"
				"        values: [TCP_ESTABLISHED]\n"
				"      matchBinaries:\n"
				"      - operator: Prefix\n"
				"        values: *paths\n"
				"  tracepoints:\n"
				"  - subsystem: raw_syscalls\n"
				"    event: sys_enter\n"
				"    args:\n"
				"    - index: 4\n"
				"      type: syscall64\n"
				"    - index: 5\n"
				"    selectors:\n"
				"    - matchArgs:\n"
				"      - index: 0\n"
				"        operator: InMap\n"
				"        values: [\"list:dups\", \"1:3\", \"5\"]\n"
				"      matchActions:\n"
				"      - action: Sigkill\n"
				"  lsmhooks:\n"
				"  - hook: file_open\n"
				"    args:\n"
				"    - index: 0\n"
				"      type: file\n"
				"    selectors:\n"
				"    - matchArgs:\n"
				"      - index: 0\n"
				"        operator: NotFileType\n"
				"        values: [dir]\n"
				"      matchActions:\n"
				"      - action: Post\n"
				"        imaHash: true\n"
				"  uprobes:\n"
				"  - path: /bin/bash\n"
				"    symbols: [readline]\n"
				"    offsets: [0x1234]\n"
				"    return: true\n"
				"  usdts:\n"
				"  - path: /usr/bin/prog\n"
				"    provider: test\n"
				"    name: probe1\n"
				"    args:\n"
				"    - index: 0\n"
				"      type: int64\n";

static const char good_json[] =
	"{\"apiVersion\": \"cilium.io/v1alpha1\",\n"
	" \"kind\": \"TracingPolicy\",\n"
	" \"metadata\": {\"name\": \"good.policy-1\", \"annotations\": {\"description\": \"covers "
	"mo"
	"st fields\"}},\n"
	" \"spec\": {\n"
	"  \"podSelector\": {\"matchLabels\": {\"app\": \"web\"}},\n"
	"  \"options\": [{\"name\": \"policy-mode\", \"value\": \"monitor\"}, {\"name\": "
	"\"disable-kpr"
	"obe-multi\", \"value\": \"1\"}],\n"
	"  \"lists\": [{\"name\": \"dups\", \"type\": \"syscalls\", \"values\": [\"sys_dup\", "
	"\"sys_dup2"
	"\"]}],\n"
	"  \"kprobes\": [\n"
	"   {\"call\": \"sys_openat\", \"syscall\": true, \"return\": true, \"message\": \"open\", "
	"\"t"
	"ags\": [\"file\", \"observability.filesystem\"], \"ignore\": {\"callNotFound\": true}, \"a"
	"rgs\": [{\"index\": 1, \"type\": \" string \"}, {\"index\": 2, \"type\": \"int32\"}], "
	"\"return"
	"Arg\": {\"index\": 0, \"type\": \"int\"}, \"returnArgAction\": \"Post\", \"selectors\": "
	"[{\"ma"
	"tchArgs\": [{\"index\": 1, \"operator\": \"Prefix\", \"values\": [\"/etc/\", "
	"\"/root/\"]}, {\""
	"args\": [1], \"operator\": \"gt\", \"values\": [\"0x10\"]}], \"matchReturnArgs\": "
	"[{\"index\""
	": 0, \"operator\": \"LessThan\", \"values\": [\"-1\"]}], \"matchPIDs\": [{\"operator\": "
	"\"Not"
	"In\", \"followForks\": true, \"isNamespacePID\": true, \"values\": [1, 16]}], \"matchBin"
	"aries\": [{\"operator\": \"In\", \"values\": [\"/usr/bin/cat\"], \"followChildren\": "
	"true}]"
	", \"matchActions\": [{\"action\": \"post\", \"rateLimit\": \"1m\", \"rateLimitScope\": "
	"\"proc"
	"ess\", \"kernelStackTrace\": \"true\"}, {\"action\": \"Override\", \"argError\": -2}]}, "
	"{\"m"
	"atchNamespaces\": [{\"namespace\": \"pid\", \"operator\": \"NotIn\", \"values\": "
	"[\"host_ns\""
	", 4026531836]}], \"matchCapabilities\": [{\"operator\": \"In\", \"isNamespaceCapability"
	"\": false, \"values\": [\"CAP_SYS_ADMIN\", \"cap_net_raw\"]}], \"matchNamespaceChanges\":"
	" [{\"operator\": \"In\", \"values\": [\"Mnt\", \"Net\"]}], \"matchCapabilityChanges\": "
	"[{\"ty"
	"pe\": \"Permitted\", \"operator\": \"In\", \"values\": [\"CAP_SETUID\"]}], "
	"\"matchActions\": "
	"[{\"action\": \"Signal\", \"argSig\": 9}]}]},\n"
	"   {\"call\": \"tcp_connect\", \"args\": [{\"index\": 0, \"type\": \"sock\"}, {\"index\": "
	"1, \""
	"type\": \"char_buf\", \"sizeArgIndex\": 3, \"maxData\": true}, {\"index\": 2, \"type\": "
	"\"si"
	"ze_t\"}], \"selectors\": [{\"matchArgs\": [{\"index\": 0, \"operator\": \"DAddr\", "
	"\"values\""
	": [\"127.0.0.1/8\", \"::1\", \"${PODCIDR}\"]}, {\"index\": 0, \"operator\": \"DPort\", "
	"\"valu"
	"es\": [\"80\", \"8000:8080\"]}, {\"index\": 0, \"operator\": \"Protocol\", \"values\": "
	"[\"IPPR"
	"OTO_TCP\", \"17\"]}, {\"index\": 0, \"operator\": \"State\", \"values\": "
	"[\"TCP_ESTABLISHED\""
	"]}], \"matchBinaries\": [{\"operator\": \"Prefix\", \"values\": [\"/etc/\", "
	"\"/root/\"]}]}]}"
	"],\n"
	"  \"tracepoints\": [{\"subsystem\": \"raw_syscalls\", \"event\": \"sys_enter\", \"args\": "
	"[{"
	"\"index\": 4, \"type\": \"syscall64\"}, {\"index\": 5}], \"selectors\": [{\"matchArgs\": "
	"[{\""
	"index\": 0, \"operator\": \"InMap\", \"values\": [\"list:dups\", \"1:3\", \"5\"]}], "
	"\"matchAct"
	"ions\": [{\"action\": \"Sigkill\"}]}]}],\n"
	"  \"lsmhooks\": [{\"hook\": \"file_open\", \"args\": [{\"index\": 0, \"type\": "
	"\"file\"}], \"se"
	"lectors\": [{\"matchArgs\": [{\"index\": 0, \"operator\": \"NotFileType\", \"values\": "
	"[\"di"
	"r\"]}], \"matchActions\": [{\"action\": \"Post\", \"imaHash\": true}]}]}],\n"
	"  \"uprobes\": [{\"path\": \"/bin/bash\", \"symbols\": [\"readline\"], \"offsets\": "
	"[4660], "
	"\"return\": true}],\n"
	"  \"usdts\": [{\"path\": \"/usr/bin/prog\", \"provider\": \"test\", \"name\": \"probe1\", "
	"\"arg"
	"s\": [{\"index\": 0, \"type\": \"int64\"}]}]}}\n";

#define HDR "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: t\nspec:\n"
/* lines 6..12: a kprobe with args index 0 (int) and index 1 (string) */
#define KP                                                                                   \
	HDR "  kprobes:\n  - call: sys_openat\n    args:\n    - index: 0\n      type: int\n" \
	    "    - index: 1\n      type: string\n"
/* lines 13..14: a selector and its matchArgs; an entry starts at line 15 */
#define MA KP "    selectors:\n    - matchArgs:\n"
/* lines 13..14: a selector and its matchActions; an entry starts at line 15 */
#define ACT KP "    selectors:\n    - matchActions:\n"
/* lines 6..14: a kprobe with args index 0 (sock) and index 1 (uint8), then matchArgs */
#define SK                                                                                     \
	HDR "  kprobes:\n  - call: tcp_connect\n    args:\n    - index: 0\n      type: sock\n" \
	    "    - index: 1\n      type: uint8\n    selectors:\n    - matchArgs:\n"
/* line 13: selectors; line 14 starts a selector */
#define SEL KP "    selectors:\n"
#define NS "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy"

/* Each row must be refused with a message containing @want. */
static const struct bad_row {
	const char *name;
	const char *text;
	const char *want;
} bad_rows[] = {
	{ "unknown operator",
	  MA "      - index: 1\n        operator: Prefx\n        values: [/etc]\n",
	  "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: unknown operator 'Prefx' "
	  "(did you mean 'Prefix'?)" },
	{ "CelExpr with an index",
	  MA "      - index: 1\n        operator: CelExpr\n        values: [\"arg0 == 1\"]\n",
	  "15:9: spec.kprobes[0].selectors[0].matchArgs[0]: operator 'CelExpr' takes no index: "
	  "its expressions name the arguments (argX, the X-th of args[])" },
	{ "CelExpr on a string",
	  MA "      - operator: CelExpr\n        values: [\"arg0 == 1\", \"arg1 == 1\"]\n",
	  "16:31: spec.kprobes[0].selectors[0].matchArgs[0].values[1]: CelExpr 'arg1 == 1': "
	  "column 1: arg1 is not an integer argument" },
	{ "CelExpr syntax", MA "      - operator: CelExpr\n        values: [\"arg0 = 1\"]\n",
	  "16:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: CelExpr 'arg0 = 1': "
	  "column 6: '= 1' after the expression: an operator is missing" },
	{ "SubString on an int",
	  MA "      - index: 0\n        operator: SubString\n        values: [x]\n",
	  "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: operator 'SubString' does "
	  "not apply to argument 0 of type 'int'" },
	{ "SubString too long",
	  MA
	  "      - index: 1\n        operator: SubStringIgnCase\n        values: [ok, "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaa]\n",
	  "17:22: spec.kprobes[0].selectors[0].matchArgs[0].values[1]: 'aaaa" },
	{ "matchData past the end of data",
	  KP "    data:\n    - index: 2\n      type: int\n    selectors:\n    - matchData:\n"
	     "      - index: 1\n        operator: Equal\n        values: [1]\n",
	  "18:16: spec.kprobes[0].selectors[0].matchData[0].index: 1 is past the end of data[] "
	  "(1 entries)" },
	{ "unknown source",
	  KP "    data:\n    - index: 2\n      type: int\n    - index: 0\n      type: int\n"
	     "      resolve: pid\n      source: stack\n",
	  "spec.kprobes[0].data[1].source: the one source is current_task" },
	{ "source pt_regs",
	  KP
	  "    data:\n    - index: 0\n      type: int\n      resolve: ax\n      source: pt_regs\n",
	  "spec.kprobes[0].data[0].source: source pt_regs (a register by name) is not supported" },
	{ "source current_task without resolve",
	  KP "    data:\n    - index: 0\n      type: int\n      source: current_task\n",
	  "spec.kprobes[0].data[0].source: source current_task needs resolve" },
	{ "matchData operator for its type",
	  KP "    data:\n    - index: 2\n      type: int\n    selectors:\n    - matchData:\n"
	     "      - index: 0\n        operator: Prefix\n        values: [/]\n",
	  "19:19: spec.kprobes[0].selectors[0].matchData[0].operator: operator 'Prefix' does not "
	  "apply to data entry 0 of type 'int'" },
	{ "matchReturnActions without a return",
	  KP "    selectors:\n    - matchReturnActions:\n      - action: Post\n",
	  "15:7: spec.kprobes[0].selectors[0].matchReturnActions: the hook has no return: "
	  "matchReturnActions need a kprobe, fentry or uprobe with 'return: true'" },
	{ "matchParentBinaries operator",
	  KP "    selectors:\n    - matchParentBinaries:\n      - operator: Equal\n"
	     "        values: [/bin/sh]\n",
	  "15:19: spec.kprobes[0].selectors[0].matchParentBinaries[0].operator: " },
	{ "matchParentBinaries without values",
	  KP "    selectors:\n    - matchParentBinaries:\n      - operator: In\n",
	  "15:9: spec.kprobes[0].selectors[0].matchParentBinaries[0]: missing 'values'" },
	{ "unknown key", KP "    selector: []\n",
	  "13:5: spec.kprobes[0].selector: unknown key (did you mean 'selectors'?)" },
	{ "missing call", HDR "  kprobes:\n  - syscall: true\n",
	  "7:5: spec.kprobes[0]: missing 'call'" },
	{ "missing event", HDR "  tracepoints:\n  - subsystem: sched\n",
	  "7:5: spec.tracepoints[0]: missing 'event'" },
	{ "missing hook", HDR "  lsmhooks:\n  - args: []\n",
	  "7:5: spec.lsmhooks[0]: missing 'hook'" },
	{ "missing path", HDR "  uprobes:\n  - symbols: [main]\n",
	  "7:5: spec.uprobes[0]: missing 'path'" },
	{ "uprobe without symbols", HDR "  uprobes:\n  - path: /bin/sh\n",
	  "7:5: spec.uprobes[0]: missing 'symbols' (or 'offsets')" },
	{ "bad apiVersion",
	  "apiVersion: cilium.io/v1\nkind: TracingPolicy\nmetadata:\n  name: t\n"
	  "spec:\n  kprobes: [{call: f}]\n",
	  "1:13: apiVersion: unknown apiVersion 'cilium.io/v1' (valid: cilium.io/v1alpha1, "
	  "hornet.dev/v1alpha1)" },
	{ "bad kind",
	  "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicies\nmetadata:\n  name: t\n"
	  "spec:\n  kprobes: [{call: f}]\n",
	  "2:7: kind: unknown kind 'TracingPolicies' (did you mean 'TracingPolicy'?)" },
	{ "bad name", NS "\nmetadata:\n  name: Bad_Name\nspec:\n  kprobes: [{call: f}]\n",
	  "4:9: metadata.name: 'Bad_Name' is not a valid name (lowercase letters, digits" },
	{ "name ending in a dash",
	  NS "\nmetadata:\n  name: policy-\nspec:\n  kprobes: [{call: f}]\n",
	  "4:9: metadata.name: 'policy-' is not a valid name" },
	{ "missing name", NS "\nmetadata:\n  labels: {}\nspec:\n  kprobes: [{call: f}]\n",
	  "4:3: metadata: missing 'name'" },
	{ "unknown metadata key", NS "\nmetadata:\n  nme: t\nspec:\n  kprobes: [{call: f}]\n",
	  "4:3: metadata.nme: unknown key (did you mean 'name'?)" },
	{ "missing spec", NS "\nmetadata:\n  name: t\n", "1:1: missing 'spec'" },
	{ "no hooks", HDR "  lists: []\n",
	  "6:3: spec: no hooks (add kprobes, tracepoints, lsmhooks or uprobes)" },
	{ "root is a list", "- a\n- b\n",
	  "1:1: expected a mapping (apiVersion, kind, metadata, spec), found a list" },
	{ "too many selectors", KP "    selectors: [{}, {}, {}, {}, {}, {}]\n",
	  "13:37: spec.kprobes[0].selectors[5]: too many selectors (at most 5)" },
	{ "too many actions",
	  ACT "      - action: Post\n      - action: Post\n      - action: Post\n"
	      "      - action: Sigkill\n",
	  "18:9: spec.kprobes[0].selectors[0].matchActions[3]: too many actions (at most 3)" },
	{ "index not in args",
	  MA "      - index: 3\n        operator: Equal\n        values: [1]\n",
	  "15:16: spec.kprobes[0].selectors[0].matchArgs[0].index: 3 is not among args[].index "
	  "(0, 1)" },
	{ "args form past the end",
	  MA "      - args: [2]\n        operator: Equal\n        values: [1]\n",
	  "15:16: spec.kprobes[0].selectors[0].matchArgs[0].args: 2 is past the end of args[] "
	  "(2 entries)" },
	{ "tracepoint without args, matchArgs without index",
	  HDR "  tracepoints:\n  - subsystem: syscalls\n    event: sys_enter_getpid\n"
	      "    selectors:\n    - matchArgs:\n      - operator: Equal\n        values: [2]\n",
	  "spec.tracepoints[0].selectors[0].matchArgs[0].index: 0 is past the end of args[] "
	  "(0 entries)" },
	{ "operator not for type",
	  MA "      - index: 0\n        operator: Prefix\n        values: [1]\n",
	  "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: operator 'Prefix' does not "
	  "apply to argument 0 of type 'int' (valid: Equal, NotEqual, Mask, GreaterThan, "
	  "LessThan, InRange, NotInRange, InMap, NotInMap)" },
	{ "integer operator on a string",
	  MA "      - index: 1\n        operator: Mask\n        values: [\"1\"]\n",
	  "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: operator 'Mask' does not "
	  "apply to argument 1 of type 'string' (valid: Equal, NotEqual, Prefix, NotPrefix, "
	  "Postfix, NotPostfix, SubString, SubStringIgnCase)" },
	{ "FileType on a plain string",
	  MA "      - index: 1\n        operator: FileType\n        values: [reg]\n",
	  "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: operator 'FileType' does "
	  "not apply to argument 1 of type 'string'" },
	{ "no operator for the type",
	  HDR "  kprobes:\n  - call: bpf_check\n    args:\n    - index: 0\n      type: bpf_attr\n"
	      "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Equal\n"
	      "        values: [\"1\"]\n",
	  "14:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: operator 'Equal' does not "
	  "apply to argument 0 of type 'bpf_attr' (no operator applies to that type)" },
	{ "not an integer",
	  MA "      - index: 0\n        operator: Equal\n        values: [\"1\", abc]\n",
	  "17:23: spec.kprobes[0].selectors[0].matchArgs[0].values[1]: 'abc' is not an integer" },
	{ "out of range for the type",
	  SK "      - index: 1\n        operator: Equal\n        values: [300]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: 300 is out of range for "
	  "type 'uint8' (0..255)" },
	{ "bad CIDR",
	  SK "      - index: 0\n        operator: DAddr\n        values: [10.0.0.0/33]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: '10.0.0.0/33' is not a "
	  "valid CIDR (prefix length 0..32 for IPv4)" },
	{ "bad IPv6 CIDR",
	  SK "      - index: 0\n        operator: SAddr\n        values: [\"::1/129\"]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: '::1/129' is not a valid "
	  "CIDR (prefix length 0..128 for IPv6)" },
	{ "bad address",
	  SK "      - index: 0\n        operator: NotSAddr\n        values: [10.0.0.300]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: '10.0.0.300' is not an IPv4 "
	  "or IPv6 address or CIDR" },
	{ "bad DNS name",
	  SK "      - index: 0\n        operator: DNSName\n        values: [\"bad name.test\"]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: 'bad name.test' is not a "
	  "DNS name: byte 0x20 at 3 (letters, digits, '-' and '_' only)" },
	{ "DNS wildcard inside a name",
	  SK "      - index: 0\n        operator: NotDNSName\n        values: [\"a.*.test\"]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: 'a.*.test': a wildcard "
	  "is '*' alone or '*.' before a name, as in '*.example.com'" },
	{ "DNS wildcard too deep",
	  SK "      - index: 0\n        operator: DNSName\n"
	     "        values: [\"*.a.b.c.d.e.f.g.h.test\"]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: '*.a.b.c.d.e.f.g.h.test': "
	  "a wildcard's name may have at most 8 labels (the kernel keeps the 8 shortest suffixes "
	  "of each name)" },
	{ "TLS rule: unknown operator",
	  HDR "  tlsServerNames:\n  - operator: Is\n    values: [a.test]\n",
	  "7:15: spec.tlsServerNames[0].operator: unknown operator 'Is' (valid: In, NotIn)" },
	{ "TLS rule: a bad name",
	  HDR "  tlsServerNames:\n  - values: [ok.test, \"*.*\"]\n    action: Post\n",
	  "7:23: spec.tlsServerNames[0].values[1]: '*.*': a wildcard is '*' alone or '*.' "
	  "before a name" },
	{ "TLS rule: no values", HDR "  tlsServerNames:\n  - action: Reset\n",
	  "7:5: spec.tlsServerNames[0]: missing 'values'" },
	{ "cgroup path not from the root",
	  HDR "  cgroupSelector:\n    paths: [\"/a\", system.slice]\n  loader: true\n",
	  "7:19: spec.cgroupSelector.paths[1]: 'system.slice' is not a cgroup path: it starts "
	  "with '/' at the hierarchy's root" },
	{ "cgroup path with ..",
	  HDR "  cgroupSelector:\n    paths: [\"/a/../b\"]\n  loader: true\n",
	  "spec.cgroupSelector.paths[0]: '/a/../b' is not a cgroup path" },
	{ "cgroupSelector without paths", HDR "  cgroupSelector: {}\n  loader: true\n",
	  "spec.cgroupSelector: missing 'paths'" },
	{ "port out of range",
	  SK "      - index: 0\n        operator: DPort\n        values: [\"80\", \"70000\"]\n",
	  "17:24: spec.kprobes[0].selectors[0].matchArgs[0].values[1]: '70000' is not a port "
	  "(0..65535)" },
	{ "port range reversed",
	  SK "      - index: 0\n        operator: SPort\n        values: [\"100:10\"]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: port range '100:10' is "
	  "empty (min above max)" },
	{ "unknown protocol",
	  SK "      - index: 0\n        operator: Protocol\n        values: [IPPROTO_TPC]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: unknown protocol "
	  "'IPPROTO_TPC' (did you mean 'IPPROTO_TCP'?)" },
	{ "unknown family",
	  SK "      - index: 0\n        operator: Family\n        values: [AF_INET7]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: unknown address family "
	  "'AF_INET7' (did you mean 'AF_INET'?)" },
	{ "unknown TCP state",
	  SK "      - index: 0\n        operator: State\n        values: [TCP_LISTENING]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: unknown TCP state "
	  "'TCP_LISTENING' (did you mean 'TCP_LISTEN'?)" },
	{ "priv operator with values",
	  SK "      - index: 0\n        operator: SPortPriv\n        values: [1]\n",
	  "17:17: spec.kprobes[0].selectors[0].matchArgs[0].values: operator 'SPortPriv' takes no "
	  "values" },
	{ "sockaddr has no destination",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: 0\n      type: sockaddr\n"
	      "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: DPort\n"
	      "        values: [\"53\"]\n",
	  "14:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: operator 'DPort' does not "
	  "apply to argument 0 of type 'sockaddr' (valid: SAddr, NotSAddr, SPort, NotSPort, "
	  "SPortPriv, NotSPortPriv, Family, DNSName, NotDNSName)" },
	{ "InRange without colon",
	  MA "      - index: 0\n        operator: InRange\n        values: [\"5\"]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchArgs[0].values[0]: expected a range "
	  "'min:max', found '5'" },
	{ "values missing", MA "      - index: 0\n        operator: Equal\n",
	  "15:9: spec.kprobes[0].selectors[0].matchArgs[0]: missing 'values'" },
	{ "unknown CAP name",
	  SEL "    - matchCapabilities:\n      - operator: In\n        values: [CAP_SYS_ADMN]\n",
	  "16:18: spec.kprobes[0].selectors[0].matchCapabilities[0].values[0]: unknown capability "
	  "'CAP_SYS_ADMN' (did you mean 'CAP_SYS_ADMIN'?)" },
	{ "unknown capability type",
	  SEL "    - matchCapabilities:\n      - type: Effectiv\n        operator: In\n"
	      "        values: [CAP_SYS_ADMIN]\n",
	  "15:15: spec.kprobes[0].selectors[0].matchCapabilities[0].type: unknown capability type "
	  "'Effectiv' (did you mean 'Effective'?)" },
	{ "unknown CAP in changes",
	  SEL "    - matchCapabilityChanges:\n      - operator: In\n        values: "
	      "[CAP_FOO_BAR_BAZ]\n",
	  "16:18: spec.kprobes[0].selectors[0].matchCapabilityChanges[0].values[0]: unknown "
	  "capability 'CAP_FOO_BAR_BAZ' (valid: CAP_* names" },
	{ "unknown namespace",
	  SEL "    - matchNamespaces:\n      - namespace: Nett\n        operator: In\n"
	      "        values: [host_ns]\n",
	  "15:20: spec.kprobes[0].selectors[0].matchNamespaces[0].namespace: unknown namespace "
	  "'Nett' (did you mean 'Net'?)" },
	{ "bad namespace value",
	  SEL "    - matchNamespaces:\n      - namespace: Pid\n        operator: NotIn\n"
	      "        values: [hostns]\n",
	  "17:18: spec.kprobes[0].selectors[0].matchNamespaces[0].values[0]: 'hostns' is not a "
	  "namespace inode number or 'host_ns'" },
	{ "unknown namespace change",
	  SEL "    - matchNamespaceChanges:\n      - operator: In\n        values: [Mnt, Mount]\n",
	  "16:23: spec.kprobes[0].selectors[0].matchNamespaceChanges[0].values[1]: unknown "
	  "namespace 'Mount' (valid: Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, "
	  "TimeForChildren, Cgroup, User)" },
	{ "bad PID", SEL "    - matchPIDs:\n      - operator: NotIn\n        values: [-1]\n",
	  "16:18: spec.kprobes[0].selectors[0].matchPIDs[0].values[0]: '-1' is not a process ID" },
	{ "matchPIDs operator",
	  SEL "    - matchPIDs:\n      - operator: Equal\n        values: [1]\n",
	  "15:19: spec.kprobes[0].selectors[0].matchPIDs[0].operator: unknown operator 'Equal' "
	  "(valid: In, NotIn)" },
	{ "matchBinaries empty values",
	  SEL "    - matchBinaries:\n      - operator: In\n        values: []\n",
	  "16:17: spec.kprobes[0].selectors[0].matchBinaries[0].values: must not be empty" },
	{ "bad rateLimit", ACT "      - action: Post\n        rateLimit: 1x\n",
	  "16:20: spec.kprobes[0].selectors[0].matchActions[0].rateLimit: invalid duration '1x'" },
	{ "negative rateLimit", ACT "      - action: Post\n        rateLimit: -5s\n",
	  "16:20: spec.kprobes[0].selectors[0].matchActions[0].rateLimit: invalid duration '-5s'" },
	{ "bad rateLimitScope",
	  ACT "      - action: Post\n        rateLimit: 1m\n        rateLimitScope: procss\n",
	  "17:25: spec.kprobes[0].selectors[0].matchActions[0].rateLimitScope: unknown "
	  "rateLimitScope 'procss' (did you mean 'process'?)" },
	{ "Override without argError", ACT "      - action: Override\n",
	  "15:9: spec.kprobes[0].selectors[0].matchActions[0]: missing 'argError'" },
	{ "Signal without argSig", ACT "      - action: Signal\n",
	  "15:9: spec.kprobes[0].selectors[0].matchActions[0]: missing 'argSig'" },
	{ "argSig out of range", ACT "      - action: Signal\n        argSig: 99\n",
	  "16:17: spec.kprobes[0].selectors[0].matchActions[0].argSig: 99 is out of range (valid: "
	  "1..64)" },
	{ "argSig zero", ACT "      - action: Signal\n        argSig: 0\n",
	  "16:17: spec.kprobes[0].selectors[0].matchActions[0].argSig: 0 is out of range (valid: "
	  "1..64)" },
	{ "argError beyond int32", ACT "      - action: Override\n        argError: 2147483648\n",
	  "16:19: spec.kprobes[0].selectors[0].matchActions[0].argError: 2147483648 is out of "
	  "range" },
	{ "unknown action", ACT "      - action: Sigkil\n",
	  "15:17: spec.kprobes[0].selectors[0].matchActions[0].action: unknown action 'Sigkil' "
	  "(did you mean 'Sigkill'?)" },
	{ "argument not for the action", ACT "      - action: Post\n        argSig: 9\n",
	  "16:17: spec.kprobes[0].selectors[0].matchActions[0].argSig: does not apply to action "
	  "'Post'" },
	{ "GetUrl not http", ACT "      - action: GetUrl\n        argUrl: ftp://example.com\n",
	  "16:17: spec.kprobes[0].selectors[0].matchActions[0].argUrl: 'ftp://example.com' is not "
	  "an http:// or https:// URL" },
	{ "DnsLookup bad name", ACT "      - action: DnsLookup\n        argFqdn: \"a..b\"\n",
	  "16:18: spec.kprobes[0].selectors[0].matchActions[0].argFqdn: 'a..b' is not a domain "
	  "name" },
	{ "NotifyEnforcer without enforcers", ACT "      - action: NotifyEnforcer\n",
	  "15:9: spec.kprobes[0].selectors[0].matchActions[0]: action NotifyEnforcer needs "
	  "spec.enforcers" },
	{ "NotifyEnforcer doing nothing",
	  HDR "  enforcers:\n  - calls: [sys_dup]\n  kprobes:\n  - call: sys_openat\n"
	      "    selectors:\n    - matchActions:\n      - action: NotifyEnforcer\n",
	  "12:9: spec.kprobes[0].selectors[0].matchActions[0]: action NotifyEnforcer needs argSig, "
	  "argError or both: the enforcer would do nothing" },
	{ "two enforcers", HDR "  enforcers:\n  - calls: [sys_dup]\n  - calls: [sys_dup2]\n",
	  "8:5: spec.enforcers[1]: more than one enforcer (Tetragon takes one) (at most 1)" },
	{ "enforcers empty", HDR "  enforcers: []\n",
	  "6:14: spec.enforcers: empty: one entry with its calls is needed" },
	{ "enforcer without calls", HDR "  enforcers:\n  - {}\n",
	  "7:5: spec.enforcers[0]: missing 'calls'" },
	{ "enforcer with no call", HDR "  enforcers:\n  - calls: []\n",
	  "7:12: spec.enforcers[0]: calls: at least one syscall (or list:NAME) is needed" },
	{ "enforcer list undefined",
	  HDR "  lists:\n  - name: dups\n    values: [sys_dup]\n  enforcers:\n"
	      "  - calls: [\"list:dup\"]\n",
	  "10:13: spec.enforcers[0].calls[0]: list 'dup' is not in spec.lists (did you mean "
	  "'dups'?)" },
	{ "enforcer list of functions",
	  HDR "  lists:\n  - name: fns\n    type: generated_ftrace\n    pattern: \"^vfs_\"\n"
	      "  enforcers:\n  - calls: [\"list:fns\"]\n",
	  "11:13: spec.enforcers[0].calls[0]: list 'fns' is of type generated_ftrace; an enforcer "
	  "takes syscalls" },
	{ "enforcer call with a slash", HDR "  enforcers:\n  - calls: [\"../dup\"]\n",
	  "7:13: spec.enforcers[0].calls[0]: '../dup' is not a syscall name" },
	{ "list undefined",
	  HDR "  lists:\n  - name: dups\n    values: [sys_dup]\n  kprobes:\n  - call: list:dup\n",
	  "10:11: spec.kprobes[0].call: list 'dup' is not in spec.lists (did you mean 'dups'?)" },
	{ "InMap list undefined",
	  HDR "  tracepoints:\n  - subsystem: raw_syscalls\n    event: sys_enter\n    args:\n"
	      "    - index: 4\n      type: syscall64\n    selectors:\n    - matchArgs:\n"
	      "      - index: 0\n        operator: InMap\n        values: [\"list:nope\"]\n",
	  "16:18: spec.tracepoints[0].selectors[0].matchArgs[0].values[0]: list 'nope' is not in "
	  "spec.lists (none defined)" },
	{ "unknown list type",
	  HDR "  lists:\n  - name: l\n    type: syscall\n    values: [a]\n  kprobes: [{call: f}]\n",
	  "8:11: spec.lists[0].type: unknown list type 'syscall' (did you mean 'syscalls'?)" },
	{ "duplicate list",
	  HDR "  lists:\n  - name: l\n    values: [a]\n  - name: l\n    values: [b]\n"
	      "  kprobes: [{call: f}]\n",
	  "9:11: spec.lists[1].name: list 'l' is defined twice (first at line 7)" },
	{ "char_buf without size",
	  HDR "  kprobes:\n  - call: sys_write\n    args:\n    - index: 1\n      type: char_buf\n",
	  "9:7: spec.kprobes[0].args[0]: char_buf needs sizeArgIndex" },
	{ "char_iovec without size",
	  HDR
	  "  kprobes:\n  - call: sys_writev\n    args:\n    - index: 1\n      type: char_iovec\n",
	  "9:7: spec.kprobes[0].args[0]: char_iovec needs sizeArgIndex" },
	{ "unknown bpf_cmd name",
	  HDR "  kprobes:\n  - call: sys_bpf\n    args:\n    - index: 0\n      type: bpf_cmd\n"
	      "    selectors:\n    - matchArgs:\n      - index: 0\n        operator: Equal\n"
	      "        values: [BPF_PROG_LAOD]\n",
	  "unknown bpf command 'BPF_PROG_LAOD' (did you mean 'BPF_PROG_LOAD'?)" },
	{ "sockaddr_un has no port",
	  HDR
	  "  kprobes:\n  - call: sys_connect\n    args:\n    - index: 1\n      type: sockaddr_un\n"
	  "    selectors:\n    - matchArgs:\n      - index: 1\n        operator: SPort\n"
	  "        values: ['80']\n",
	  "SPort" },
	{ "sizeArgIndex names no arg",
	  HDR "  kprobes:\n  - call: sys_write\n    args:\n    - index: 1\n      type: char_buf\n"
	      "      sizeArgIndex: 3\n",
	  "11:21: spec.kprobes[0].args[0].sizeArgIndex: 3 names argument index 2, which is not "
	  "among args[].index (1)" },
	{ "auto outside tracepoints",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: 0\n      type: auto\n",
	  "10:13: spec.kprobes[0].args[0].type: type 'auto' is only valid in tracepoints" },
	{ "unknown arg type",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: 0\n      type: strng\n",
	  "10:13: spec.kprobes[0].args[0].type: unknown type 'strng' (did you mean 'string'?)" },
	{ "arg without type", HDR "  lsmhooks:\n  - hook: file_open\n    args:\n    - index: 0\n",
	  "9:7: spec.lsmhooks[0].args[0]: missing 'type'" },
	{ "arg index out of range",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: 8\n      type: int\n",
	  "9:14: spec.kprobes[0].args[0].index: 8 is out of range (valid: 0..7)" },
	{ "tracepoint index out of range",
	  HDR "  tracepoints:\n  - subsystem: a\n    event: b\n    args:\n    - index: 64\n",
	  "10:14: spec.tracepoints[0].args[0].index: 64 is out of range (valid: 0..63)" },
	{ "negative index",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: -1\n      type: int\n",
	  "9:14: spec.kprobes[0].args[0].index: -1 is negative (valid: 0..7)" },
	{ "string for an integer",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: one\n      type: int\n",
	  "9:14: spec.kprobes[0].args[0].index: expected an integer, found 'one'" },
	{ "integer overflow",
	  HDR "  kprobes:\n  - call: f\n    args:\n    - index: 99999999999999999999999\n"
	      "      type: int\n",
	  "9:14: spec.kprobes[0].args[0].index: 99999999999999999999999 is out of range (valid: "
	  "0..7)" },
	{ "too many args",
	  HDR "  kprobes:\n  - call: f\n    args: [{index: 0, type: int}, {index: 1, type: int},"
	      " {index: 2, type: int}, {index: 3, type: int}, {index: 4, type: int},"
	      " {index: 5, type: int}, {index: 6, type: int}, {index: 7, type: int},"
	      " {index: 7, type: int}]\n",
	  "8:196: spec.kprobes[0].args[8]: too many args (at most 8)" },
	{ "returnArg without type",
	  HDR "  kprobes:\n  - call: f\n    return: true\n    returnArg:\n      index: 0\n",
	  "10:7: spec.kprobes[0].returnArg: missing 'type'" },
	{ "matchReturnArgs without returnArg",
	  KP "    selectors:\n    - matchReturnArgs:\n      - index: 0\n        operator: Equal\n"
	     "        values: [0]\n",
	  "15:9: spec.kprobes[0].selectors[0].matchReturnArgs[0]: the hook has no returnArg to "
	  "match" },
	{ "bad returnArgAction", HDR "  kprobes:\n  - call: f\n    returnArgAction: Sigkill\n",
	  "8:22: spec.kprobes[0].returnArgAction: 'Sigkill' is not a return action (valid: Post, "
	  "TrackSock, UntrackSock)" },
	{ "boolean yes", HDR "  kprobes:\n  - call: f\n    syscall: yes\n",
	  "8:14: spec.kprobes[0].syscall: expected true or false, found 'yes'" },
	{ "duplicate key", HDR "  kprobes:\n  - call: f\n    syscall: true\n    call: g\n",
	  "9:5: spec.kprobes[0].call: duplicate key (first at line 7)" },
	{ "scalar for a list",
	  MA "      - index: 1\n        operator: Equal\n        values: /etc/passwd\n",
	  "17:17: spec.kprobes[0].selectors[0].matchArgs[0].values: expected a list, found a "
	  "single "
	  "value" },
	{ "list for a scalar", HDR "  kprobes:\n  - call: [f, g]\n",
	  "7:11: spec.kprobes[0].call: expected a string, found a list" },
	{ "mapping for a scalar",
	  MA "      - index: 1\n        operator: {Equal: 1}\n        values: [a]\n",
	  "16:19: spec.kprobes[0].selectors[0].matchArgs[0].operator: expected a string, found a "
	  "mapping" },
	{ "mapping for a list", HDR "  kprobes:\n    call: f\n",
	  "7:5: spec.kprobes: expected a list, found a mapping" },
	{ "too many tags",
	  HDR "  kprobes:\n  - call: f\n    tags: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, "
	      "q]\n",
	  "8:60: spec.kprobes[0].tags[16]: too many entries (at most 16)" },
	{ "NUL inside a string", HDR "  kprobes:\n  - call: \"sys_\\0open\"\n",
	  "7:11: spec.kprobes[0].call: contains a NUL byte" },
	{ "bad policy-mode",
	  HDR "  options:\n  - name: policy-mode\n    value: audit\n  kprobes: [{call: f}]\n",
	  "8:12: spec.options[0].value: unknown policy mode 'audit' (valid: enforce, monitor)" },
	{ "hostSelector when namespaced",
	  "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicyNamespaced\nmetadata:\n  name: t\n"
	  "spec:\n  hostSelector: {}\n  kprobes: [{call: f}]\n",
	  "6:17: spec.hostSelector: not valid in a TracingPolicyNamespaced" },
	{ "unknown file type",
	  HDR
	  "  kprobes:\n  - call: f\n    args:\n    - index: 0\n      type: file\n    selectors:\n"
	  "    - matchArgs:\n      - index: 0\n        operator: FileType\n"
	  "        values: [regular, dirr]\n",
	  "15:27: spec.kprobes[0].selectors[0].matchArgs[0].values[1]: unknown file type 'dirr' "
	  "(did you mean 'dir'?)" },
	{ "key not a string", HDR "  ? [a]\n  : b\n  kprobes: [{call: f}]\n",
	  "6:5: spec: keys must be strings, found a list" },
	{ "tabs", "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n\tname: t\n",
	  "4:1: invalid YAML: found character that cannot start any token" },
	{ "unclosed flow", HDR "  kprobes: [{call: f}\n",
	  "7:1: invalid YAML: did not find expected ',' or ']'" },
	{ "two documents", HDR "  kprobes: [{call: f}]\n---\n" HDR "  kprobes: [{call: g}]\n",
	  "7:1: a second policy starts here (one policy per file)" },
	{ "empty file", "", "1:1: empty policy" },
	{ "comments only", "# nothing\n\n", "1:1: empty policy" },
	{ "empty document", "---\n...\n", "1:1: empty policy" },
	{ "JSON unknown key",
	  "{\"apiVersion\": \"cilium.io/v1alpha1\", \"kind\": \"TracingPolicy\",\n"
	  " \"metadata\": {\"name\": \"t\"},\n \"spec\": {\"kprobe\": []}}\n",
	  "3:11: spec.kprobe: unknown key (did you mean 'kprobes'?)" },
	{ "JSON syntax",
	  "{\"apiVersion\": \"cilium.io/v1alpha1\",\n \"kind\": \"TracingPolicy\" \"x\": 1}\n",
	  "2:26: invalid YAML: did not find expected ',' or '}'" },
	{ "JSON null for a string", "{\"apiVersion\": \"cilium.io/v1alpha1\",\n \"kind\": }\n",
	  "1:1: missing 'kind'" },
	{ "alias cycle",
	  NS
	  "\nmetadata:\n  name: t\n  annotations:\n    x: &a [*a]\nspec:\n  kprobes: [{call: f}]\n",
	  "6:8: metadata.annotations.x[0][0]" },
};

static struct hornet_policy *parse(const char *text, size_t len, char *err, size_t size)
{
	return hornet_policy_parse(text, len, "t.yaml", err, size);
}

/*
 * @text (@len bytes) must be refused with @errno_want and one line that
 * starts with "t.yaml:" and contains @want; prints why not.
 */
static bool refused(const char *name, const char *text, size_t len, int errno_want,
		    const char *want)
{
	struct hornet_policy *p;
	char err[1024];
	bool ok = true;

	memset(err, 'X', sizeof(err));
	errno = 0;
	p = parse(text, len, err, sizeof(err));
	if (p) {
		printf("    %s: parsed, want an error\n", name);
		hornet_policy_free(p);
		return false;
	}
	if (errno != errno_want) {
		printf("    %s: errno %d, want %d\n", name, errno, errno_want);
		ok = false;
	}
	if (!memchr(err, '\0', sizeof(err))) {
		printf("    %s: message not terminated\n", name);
		return false;
	}
	if (strncmp(err, "t.yaml:", 7) || strchr(err, '\n')) {
		printf("    %s: message '%s' is not one line starting with 't.yaml:'\n", name, err);
		ok = false;
	}
	if (!strstr(err, want)) {
		printf("    %s: message '%s' does not contain '%s'\n", name, err, want);
		ok = false;
	}
	return ok;
}

/* The model of good_yaml and good_json, positions apart. */
static void check_good(const struct hornet_policy *p)
{
	const struct hornet_hook *h;
	const struct hornet_selector *s;

	CHECK_STR(p->api_version, "cilium.io/v1alpha1");
	CHECK(!p->namespaced);
	CHECK_STR(p->name, "good.policy-1");
	CHECK(!p->namespace);
	CHECK_INT(p->mode, HORNET_MODE_MONITOR);
	CHECK(p->mode_set);
	CHECK(p->has_pod_selector && !p->has_container_selector && !p->has_host_selector);
	CHECK(!p->has_enforcers && !p->loader);
	CHECK_INT(p->nr_options, 2);
	if (p->nr_options == 2) {
		CHECK_STR(p->options_names[1], "disable-kprobe-multi");
		CHECK_STR(p->options_values[1], "1");
	}
	CHECK_INT(p->nr_lists, 1);
	if (p->nr_lists == 1) {
		CHECK_STR(p->lists[0].name, "dups");
		CHECK_STR(p->lists[0].type, "syscalls");
		CHECK_INT(p->lists[0].nr_values, 2);
		CHECK(!p->lists[0].pattern);
	}
	CHECK_INT(p->nr_hooks, 6);
	if (p->nr_hooks != 6)
		return;

	h = &p->hooks[0];
	CHECK_INT(h->kind, HORNET_HOOK_KPROBE);
	CHECK_INT(h->index, 0);
	CHECK_STR(h->call, "sys_openat");
	CHECK(h->syscall && h->ret && h->ignore_call_not_found);
	CHECK_STR(h->message, "open");
	CHECK_INT(h->nr_tags, 2);
	if (h->nr_tags == 2)
		CHECK_STR(h->tags[1], "observability.filesystem");
	CHECK_INT(h->nr_args, 2);
	CHECK_INT(h->args[0].index, 1);
	CHECK_INT(h->args[0].type, HORNET_ARG_STRING);
	CHECK_STR(h->args[0].type_name, "string"); /* " string " trimmed */
	CHECK_INT(h->args[1].index, 2);
	CHECK_INT(h->args[1].type, HORNET_ARG_INT);
	CHECK_STR(h->args[1].type_name, "int32");
	CHECK_INT(h->return_arg.type, HORNET_ARG_INT);
	CHECK_INT(h->return_arg_action, HORNET_ACTION_POST);
	CHECK_INT(h->nr_selectors, 2);
	s = &h->selectors[0];
	CHECK_INT(s->nr_args, 2);
	if (s->nr_args == 2) {
		CHECK_INT(s->args[0].index, 1);
		CHECK(!s->args[0].args_form);
		CHECK_INT(s->args[0].op, HORNET_OP_PREFIX);
		CHECK_INT(s->args[0].values.n, 2);
		if (s->args[0].values.n == 2)
			CHECK_STR(s->args[0].values.v[1].str, "/root/");
		CHECK_INT(s->args[1].index, 1); /* args: [1], the int32 */
		CHECK(s->args[1].args_form);
		CHECK_INT(s->args[1].op, HORNET_OP_GT);
		CHECK(s->args[1].values.n == 1 && s->args[1].values.v[0].is_num);
		CHECK_INT(s->args[1].values.v[0].num, 16);
	}
	CHECK_INT(s->nr_return_args, 1);
	if (s->nr_return_args == 1) {
		CHECK_INT(s->return_args[0].op, HORNET_OP_LT);
		CHECK_INT(s->return_args[0].values.v[0].num, -1);
	}
	CHECK_INT(s->nr_pids, 1);
	if (s->nr_pids == 1) {
		CHECK_INT(s->pids[0].op, HORNET_OP_NOT_IN);
		CHECK(s->pids[0].follow_forks && s->pids[0].is_namespace_pid);
		CHECK_INT(s->pids[0].values.n, 2);
		CHECK_INT(s->pids[0].values.v[1].num, 16);
	}
	CHECK_INT(s->nr_binaries, 1);
	if (s->nr_binaries == 1) {
		CHECK_INT(s->binaries[0].op, HORNET_OP_IN);
		CHECK(s->binaries[0].follow_children);
		CHECK_STR(s->binaries[0].values.v[0].str, "/usr/bin/cat");
	}
	CHECK_INT(s->nr_actions, 2);
	CHECK_INT(s->actions[0].action, HORNET_ACTION_POST); /* "post" */
	CHECK_INT(s->actions[0].rate_limit_ns, 60000000000ULL);
	CHECK_INT(s->actions[0].scope, HORNET_SCOPE_PROCESS);
	CHECK(s->actions[0].kernel_stack && !s->actions[0].user_stack);
	CHECK_INT(s->actions[1].action, HORNET_ACTION_OVERRIDE);
	CHECK_INT(s->actions[1].arg_error, -2);
	s = &h->selectors[1];
	CHECK_INT(s->nr_ns, 1);
	if (s->nr_ns == 1) {
		CHECK_INT(s->ns[0].ns, HORNET_NST_PID);
		CHECK_INT(s->ns[0].op, HORNET_OP_NOT_IN);
		CHECK(!s->ns[0].values.v[0].is_num);
		CHECK_INT(s->ns[0].values.v[1].num, 4026531836LL);
	}
	CHECK_INT(s->nr_caps, 1);
	if (s->nr_caps == 1) {
		CHECK_INT(s->caps[0].type, HORNET_CAPT_EFFECTIVE);
		CHECK_INT(s->caps[0].caps, (1ULL << 21) | (1ULL << 13)); /* SYS_ADMIN, NET_RAW */
	}
	CHECK_INT(s->nr_ns_changes, 1);
	if (s->nr_ns_changes == 1)
		CHECK_INT(s->ns_changes[0].ns_mask,
			  (1U << HORNET_NST_MNT) | (1U << HORNET_NST_NET));
	CHECK_INT(s->nr_cap_changes, 1);
	if (s->nr_cap_changes == 1) {
		CHECK_INT(s->cap_changes[0].type, HORNET_CAPT_PERMITTED);
		CHECK_INT(s->cap_changes[0].caps, 1ULL << 7); /* CAP_SETUID */
	}
	CHECK_INT(s->nr_actions, 1);
	CHECK_INT(s->actions[0].action, HORNET_ACTION_SIGNAL);
	CHECK_INT(s->actions[0].arg_sig, 9);

	h = &p->hooks[1];
	CHECK_STR(h->call, "tcp_connect");
	CHECK(!h->syscall && !h->ret);
	CHECK_INT(h->index, 1);
	CHECK_INT(h->nr_args, 3);
	CHECK_INT(h->args[0].type, HORNET_ARG_SOCK);
	CHECK_INT(h->args[1].type, HORNET_ARG_CHAR_BUF);
	CHECK_INT(h->args[1].size_arg_index, 3);
	CHECK_INT(h->args[1].max_data, 327360); /* maxData: true */
	CHECK_INT(h->args[2].type, HORNET_ARG_SIZE_T);
	CHECK_INT(h->nr_selectors, 1);
	s = &h->selectors[0];
	CHECK_INT(s->nr_args, 4);
	if (s->nr_args == 4) {
		CHECK_INT(s->args[0].op, HORNET_OP_DADDR);
		CHECK_INT(s->args[0].values.n, 3);
		CHECK_STR(s->args[0].values.v[2].str, "${PODCIDR}");
		CHECK_INT(s->args[1].op, HORNET_OP_DPORT);
		CHECK(s->args[1].values.v[0].is_num && !s->args[1].values.v[1].is_num);
		CHECK_INT(s->args[2].op, HORNET_OP_PROTOCOL);
		CHECK_INT(s->args[2].values.v[0].num, 6); /* IPPROTO_TCP */
		CHECK_INT(s->args[2].values.v[1].num, 17);
		CHECK_INT(s->args[3].values.v[0].num, 1); /* TCP_ESTABLISHED */
	}
	CHECK_INT(s->nr_actions, 0);
	CHECK(s->nr_binaries == 1 && s->binaries[0].op == HORNET_OP_PREFIX &&
	      s->binaries[0].values.n == 2);

	h = &p->hooks[2];
	CHECK_INT(h->kind, HORNET_HOOK_TRACEPOINT);
	CHECK_INT(h->index, 0);
	CHECK_STR(h->subsystem, "raw_syscalls");
	CHECK_STR(h->event, "sys_enter");
	CHECK_STR(h->call, "raw_syscalls/sys_enter");
	CHECK_INT(h->nr_args, 2);
	CHECK_INT(h->args[0].type, HORNET_ARG_SYSCALL64);
	CHECK_INT(h->args[1].type, HORNET_ARG_AUTO); /* no type: from the format file */
	CHECK_STR(h->args[1].type_name, "auto");
	if (h->nr_selectors == 1 && h->selectors[0].nr_args == 1) {
		/* index 0 names no field read: a position, as Tetragon reads it */
		CHECK(h->selectors[0].args[0].args_form);
		CHECK_INT(h->selectors[0].args[0].index, 0);
		CHECK_INT(h->selectors[0].args[0].op, HORNET_OP_IN_MAP);
		CHECK_INT(h->selectors[0].args[0].values.n, 3);
		CHECK_INT(h->selectors[0].actions[0].action, HORNET_ACTION_SIGKILL);
	} else {
		UNIT_FAIL("tracepoint selectors");
	}

	h = &p->hooks[3];
	CHECK_INT(h->kind, HORNET_HOOK_LSM);
	CHECK_STR(h->call, "file_open");
	CHECK(h->nr_selectors == 1 && h->selectors[0].nr_args == 1 &&
	      h->selectors[0].args[0].op == HORNET_OP_NOT_FILE_TYPE);
	CHECK(h->selectors[0].nr_actions == 1 && h->selectors[0].actions[0].ima_hash);

	h = &p->hooks[4];
	CHECK_INT(h->kind, HORNET_HOOK_UPROBE);
	CHECK_STR(h->path, "/bin/bash");
	CHECK_STR(h->call, "readline");
	CHECK(h->nr_symbols == 1 && h->nr_offsets == 1 && h->offsets[0] == 0x1234 && h->ret);

	h = &p->hooks[5];
	CHECK_INT(h->kind, HORNET_HOOK_USDT);
	CHECK_STR(h->call, "test:probe1");
	CHECK_STR(h->path, "/usr/bin/prog");
	CHECK(h->nr_args == 1 && h->args[0].type == HORNET_ARG_INT64);
}

/* "a: &a [x x ...]" then 8 more levels of 9 aliases: 9^9 nodes once expanded */
static char *alias_bomb(void)
{
	size_t size = 4096, n;
	char *s = malloc(size);
	int level, i;

	if (!s)
		exit(2);
	n = snprintf(s, size, NS "\nmetadata:\n  name: t\n  annotations:\n    l0: &l0 [");
	for (i = 0; i < 9; i++)
		n += snprintf(s + n, size - n, "%s\"lol\"", i ? ", " : "");
	n += snprintf(s + n, size - n, "]\n");
	for (level = 1; level < 9; level++) {
		n += snprintf(s + n, size - n, "    l%d: &l%d [", level, level);
		for (i = 0; i < 9; i++)
			n += snprintf(s + n, size - n, "%s*l%d", i ? ", " : "", level - 1);
		n += snprintf(s + n, size - n, "]\n");
	}
	snprintf(s + n, size - n, "spec:\n  kprobes: [{call: f}]\n");
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int corpus_files, corpus_parsed;

static int corpus_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t len = strlen(path);
	struct hornet_policy *p;
	char err[1024];

	if (type != FTW_F || !((len > 5 && !strcmp(path + len - 5, ".yaml")) ||
			       (len > 4 && !strcmp(path + len - 4, ".yml"))))
		return 0;
	corpus_files++;
	p = hornet_policy_load(path, err, sizeof(err));
	if (p) {
		corpus_parsed++;
		hornet_policy_free(p);
	} else {
		UNIT_FAIL("%s", err);
	}
	return 0;
}

/* What the parser hands the compiler: every value read once, typed. */
static const char typed_yaml[] =
	"apiVersion: cilium.io/v1alpha1\n"
	"kind: TracingPolicy\n"
	"metadata: {name: typed}\n"
	"spec:\n"
	"  lists: [{name: fds, type: syscalls, values: [sys_dup]}]\n"
	"  kprobes:\n"
	"  - call: f\n"
	"    args:\n"
	"    - {index: 0, type: sock}\n"
	"    - {index: 1, type: int}\n"
	"    - {index: 2, type: file}\n"
	"    - {index: 3, type: cap_effective}\n"
	"    selectors:\n"
	"    - matchArgs:\n"
	"      - {index: 0, operator: DAddr, values: [10.1.2.3/8, \"::1\", "
	"\"${NET}\"]}\n"
	"      - {index: 0, operator: DPort, values: [\"80\", \"1000:2000\"]}\n"
	"      - {index: 0, operator: Protocol, values: [ipproto_udp, \"6\"]}\n"
	"      - {index: 1, operator: InMap, values: [\"list:fds\", \"-3:3\", "
	"\"0x10\"]}\n"
	"      - {index: 2, operator: FileType, values: [Regular]}\n"
	"      - {index: 3, operator: CapabilitiesGained, values: [CAP_SYS_ADMIN, "
	"\" cap_bpf\"]}\n"
	"      matchNamespaces:\n"
	"      - {namespace: Net, operator: In, values: [host_ns, \"4026531840\"]}\n";

static void test_typed_values(void)
{
	const struct hornet_match_arg *m;
	const struct hornet_value *v;
	struct hornet_policy *p;
	char err[1024];

	UNIT_CASE("policy_typed_values")
	{
		p = hornet_policy_parse(typed_yaml, strlen(typed_yaml), "t.yaml", err, sizeof(err));
		if (!p) {
			UNIT_FAIL("refused: %s", err);
			continue;
		}
		m = p->hooks[0].selectors[0].args;
		v = m[0].values.v;
		CHECK_INT(v[0].kind, HORNET_VALUE_ADDR);
		CHECK_INT(v[0].family, AF_INET);
		CHECK_INT(v[0].prefix_len, 8);
		CHECK(v[0].addr[0] == 10 && v[0].addr[1] == 1 && v[0].addr[3] == 3);
		CHECK_INT(v[1].kind, HORNET_VALUE_ADDR);
		CHECK_INT(v[1].family, AF_INET6);
		CHECK_INT(v[1].prefix_len, 128);
		CHECK_INT(v[1].addr[15], 1);
		CHECK_INT(v[2].kind, HORNET_VALUE_PLACEHOLDER);
		v = m[1].values.v;
		CHECK(v[0].kind == HORNET_VALUE_INT && v[0].num == 80);
		CHECK(v[1].kind == HORNET_VALUE_RANGE && v[1].num == 1000 && v[1].hi == 2000);
		v = m[2].values.v;
		CHECK(v[0].kind == HORNET_VALUE_INT && v[0].num == 17);
		CHECK(v[1].kind == HORNET_VALUE_INT && v[1].num == 6);
		v = m[3].values.v;
		CHECK(v[0].kind == HORNET_VALUE_LIST && v[0].list == 0);
		CHECK(v[1].kind == HORNET_VALUE_RANGE && v[1].num == -3 && v[1].hi == 3);
		CHECK(v[2].kind == HORNET_VALUE_INT && v[2].num == 16);
		v = m[4].values.v;
		CHECK(v[0].kind == HORNET_VALUE_INT && v[0].num == 0100000);
		CHECK_INT(m[5].caps, (1ULL << 21) | (1ULL << 39));
		v = p->hooks[0].selectors[0].ns[0].values.v;
		CHECK_INT(v[0].kind, HORNET_VALUE_HOST_NS);
		CHECK(v[1].kind == HORNET_VALUE_INT && v[1].num == 4026531840LL);
		hornet_policy_free(p);
	}
}

int main(void)
{
	struct hornet_policy *p;
	char err[1024], path[4096], tmp[] = "/tmp/hornet-test-policy-XXXXXX";
	const char *root;
	uint64_t ns;
	size_t i;
	int fd;

	test_typed_values();
	UNIT_CASE("policy_good_yaml")
	{
		p = parse(good_yaml, strlen(good_yaml), err, sizeof(err));
		if (!p) {
			UNIT_FAIL("refused: %s", err);
		} else {
			CHECK_STR(p->file, "t.yaml");
			CHECK(!err[0]);
			check_good(p);
			/* positions: 1-based line and column of each mapping or value */
			CHECK_INT(p->hooks[0].pos.line, 22);
			CHECK_INT(p->hooks[0].pos.column, 5);
			CHECK_INT(p->hooks[0].args[0].pos.line, 30);
			CHECK_INT(p->hooks[0].args[0].pos.column, 7);
			CHECK_INT(p->hooks[0].selectors[0].args[0].pos.line, 40);
			CHECK_INT(p->hooks[0].selectors[0].args[0].pos.column, 9);
			CHECK_INT(p->hooks[0].selectors[0].pids[0].values.v[1].pos.line, 54);
			CHECK_INT(p->hooks[0].selectors[0].pids[0].values.v[1].pos.column, 21);
			CHECK_INT(p->hooks[1].selectors[0].args[1].values.v[1].pos.line, 101);
			CHECK_INT(p->hooks[1].selectors[0].args[1].values.v[1].pos.column, 24);
			CHECK_INT(p->hooks[2].pos.line, 112);
			hornet_policy_free(p);
		}
	}

	UNIT_CASE("policy_good_json")
	{
		p = hornet_policy_parse(good_json, strlen(good_json), "t.json", err, sizeof(err));
		if (!p) {
			UNIT_FAIL("refused: %s", err);
		} else {
			CHECK_STR(p->file, "t.json");
			check_good(p);
			CHECK_INT(p->hooks[0].pos.line, 9);
			CHECK_INT(p->hooks[0].pos.column, 4);
			CHECK_INT(p->hooks[1].pos.line, 10);
			hornet_policy_free(p);
		}
	}

	UNIT_CASE("policy_small_forms")
	{
		/* a Pod next to the policy (kubectl apply -f) is skipped; loader alone is a policy */
		static const char pod[] = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"
					  "spec:\n  containers: []\n---\n" HDR "  loader: true\n";
		static const char hornet[] = "apiVersion: hornet.dev/v1alpha1\n"
					     "kind: TracingPolicyNamespaced\nmetadata:\n  name: n\n"
					     "  namespace: prod\nspec:\n  fentries:\n  - call: f\n"
					     "  enforcers:\n  - calls: [f]\n";

		/* TLS rules alone are a policy too */
		static const char tls[] =
			HDR "  tlsServerNames:\n  - values: [\"*.a.test\", b.test]\n"
			    "  - operator: notin\n    values: [\"*\"]\n"
			    "    action: Post\n";

		p = parse(pod, strlen(pod), err, sizeof(err));
		CHECK(p && p->loader && !p->nr_hooks && !strcmp(p->name, "t"));
		hornet_policy_free(p);
		p = parse(tls, strlen(tls), err, sizeof(err));
		CHECK(p && !p->nr_hooks && p->nr_tls == 2);
		if (p && p->nr_tls == 2) {
			CHECK(!p->tls[0].not_in && !p->tls[0].post_only);
			CHECK(p->tls[0].nr_names == 2 && !strcmp(p->tls[0].names[1], "b.test"));
			CHECK(p->tls[1].not_in && p->tls[1].post_only);
		}
		hornet_policy_free(p);
		p = parse(hornet, strlen(hornet), err, sizeof(err));
		CHECK(p && p->namespaced && p->has_enforcers);
		if (p) {
			CHECK_STR(p->namespace, "prod");
			CHECK_INT(p->mode, HORNET_MODE_ENFORCE);
			CHECK(!p->mode_set);
			CHECK(p->nr_hooks == 1 && p->hooks[0].kind == HORNET_HOOK_FENTRY);
			CHECK_INT(p->hooks[0].return_arg.type, HORNET_ARG_NONE);
		}
		hornet_policy_free(p);
	}

	UNIT_CASE("policy_bad_inputs")
	{
		for (i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++)
			if (!refused(bad_rows[i].name, bad_rows[i].text, strlen(bad_rows[i].text),
				     EINVAL, bad_rows[i].want))
				UNIT_FAIL("row '%s'", bad_rows[i].name);
		printf("    %zu bad inputs checked\n", i);
	}

	UNIT_CASE("policy_hostile_inputs")
	{
		static const char garbage[] = "\x7f"
					      "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";
		static const char bad_utf8[] = NS "\nmetadata:\n  name: \"caf\xc3\x28\"\n";
		char *bomb = alias_bomb(), *deep, *big;
		int k;
		double t0;
		size_t n;

		t0 = now();
		CHECK(refused("alias bomb", bomb, strlen(bomb), EINVAL,
			      "aliases expand the policy past 1000000 nodes"));
		/* some milliseconds natively, well under a second even under valgrind */
		if (now() - t0 > 1.0)
			UNIT_FAIL("alias bomb took %.2f s", now() - t0);
		free(bomb);

		/* a 1 MiB string used 20 times: few nodes, but 20 MiB of text to copy */
		n = 1 << 20;
		big = malloc(n + 512);
		if (!big)
			exit(2);
		i = snprintf(big, 512, NS "\nmetadata:\n  name: t\n  annotations:\n    a: &a ");
		memset(big + i, 'x', n);
		i += n;
		i += snprintf(big + i, 512, "\n    b: [*a");
		for (n = 1; n < 20; n++)
			i += snprintf(big + i, 8, ", *a");
		i += snprintf(big + i, 128, "]\nspec:\n  kprobes: [{call: f}]\n");
		CHECK(refused(
			"text bomb", big, i, EINVAL,
			"6:8: metadata.annotations.b[14]: aliases expand the policy past 16777216 "
			"bytes"));
		free(big);

		/* libyaml resolves anchors by a linear search: thousands of them are refused */
		n = 6000 * 16 + 512;
		big = malloc(n);
		if (!big)
			exit(2);
		i = snprintf(big, n, NS "\nmetadata:\n  name: t\n  annotations:\n    a: [");
		for (k = 0; k < 6000; k++)
			i += snprintf(big + i, n - i, "%s&a%d x", k ? ", " : "", k);
		i += snprintf(big + i, n - i, "]\nspec:\n  kprobes: [{call: f}]\n");
		t0 = now();
		CHECK(refused("anchor flood", big, i, EINVAL,
			      "too many anchors and aliases (4473 anchors so far)"));
		if (now() - t0 > 1.0)
			UNIT_FAIL("anchor flood took %.2f s", now() - t0);
		free(big);

		/* 100 nested lists inside spec: refused at the 65th level */
		deep = malloc(4096);
		if (!deep)
			exit(2);
		n = snprintf(deep, 4096, HDR "  x: ");
		for (i = 0; i < 100; i++)
			deep[n++] = '[';
		for (i = 0; i < 100; i++)
			deep[n++] = ']';
		deep[n++] = '\n';
		deep[n] = '\0';
		CHECK(refused("deep nesting", deep, n, EINVAL,
			      "6:68: nested deeper than 64 levels"));
		free(deep);

		n = 5 << 20;
		big = malloc(n);
		if (!big)
			exit(2);
		memset(big, '#', n);
		CHECK(refused("5 MiB file", big, n, EFBIG, "1:1: policy is 5242880 bytes"));
		free(big);

		CHECK(refused("binary garbage", garbage, sizeof(garbage) - 1, EINVAL,
			      "1:1: invalid text: control characters are not allowed"));
		CHECK(refused("invalid UTF-8", bad_utf8, strlen(bad_utf8), EINVAL,
			      "4:14: invalid text: invalid trailing UTF-8 octet (byte 0x28)"));
	}

	UNIT_CASE("policy_load")
	{
		fd = mkstemp(tmp);
		if (fd < 0 || write(fd, good_yaml, strlen(good_yaml)) != (ssize_t)strlen(good_yaml))
			exit(2);
		close(fd);
		p = hornet_policy_load(tmp, err, sizeof(err));
		CHECK(p && p->nr_hooks == 6);
		if (p)
			CHECK_STR(p->file, tmp);
		hornet_policy_free(p);
		unlink(tmp);
		errno = 0;
		p = hornet_policy_load(tmp, err, sizeof(err));
		CHECK(!p && errno == ENOENT);
		CHECK(strstr(err, "cannot open: No such file or directory") != NULL);
	}

	UNIT_CASE("policy_duration")
	{
		CHECK(!hornet_parse_duration("1m", &ns) && ns == 60000000000ULL);
		CHECK(!hornet_parse_duration("30s", &ns) && ns == 30000000000ULL);
		CHECK(!hornet_parse_duration("500ms", &ns) && ns == 500000000ULL);
		CHECK(!hornet_parse_duration("2h", &ns) && ns == 7200000000000ULL);
		CHECK(!hornet_parse_duration("1d", &ns) && ns == 86400000000000ULL);
		CHECK(!hornet_parse_duration("5", &ns) && ns == 5000000000ULL);
		CHECK(!hornet_parse_duration("0s", &ns) && ns == 0);
		CHECK_INT(hornet_parse_duration("", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("-1s", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("1.5m", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("1w", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("1 m", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("m", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("1h30m", &ns), -EINVAL);
		CHECK_INT(hornet_parse_duration("18446744073709551616", &ns), -ERANGE);
		CHECK_INT(hornet_parse_duration("300000d", &ns), -ERANGE);
		CHECK(!hornet_parse_duration("18446744073ms", &ns) && ns == 18446744073000000ULL);
	}

	UNIT_CASE("policy_names")
	{
		CHECK_STR(hornet_arg_type_name(HORNET_ARG_CHAR_BUF), "char_buf");
		CHECK_STR(hornet_arg_type_name(HORNET_ARG_AUTO), "auto");
		CHECK_STR(hornet_arg_type_name(HORNET_ARG_TYPE_COUNT), "unknown");
		CHECK_STR(hornet_op_name(HORNET_OP_NOT_DPORT_PRIV), "NotDPortPriv");
		CHECK_STR(hornet_op_name(HORNET_OP_GT), "GreaterThan");
		CHECK_STR(hornet_op_name(HORNET_OP_COUNT), "unknown");
		CHECK_STR(hornet_action_name(HORNET_ACTION_NOTIFY_ENFORCER), "NotifyEnforcer");
		CHECK_STR(hornet_action_name(HORNET_ACTION_COUNT), "unknown");
		CHECK_STR(hornet_hook_kind_name(HORNET_HOOK_LSM), "lsmhooks");
		CHECK_STR(hornet_hook_kind_name(HORNET_HOOK_USDT), "usdts");
		hornet_policy_free(NULL);
	}

	root = getenv("HORNET_ROOT");
	snprintf(path, sizeof(path), "%s/../shared/compat/tetragon-examples", root ? root : ".");
	if (access(path, R_OK)) {
		UNIT_SKIP("compat_corpus_parses", "../shared/compat not found");
	} else {
		UNIT_CASE("compat_corpus_parses")
		{
			nftw(path, corpus_file, 16, FTW_PHYS);
			CHECK(corpus_files > 0);
			printf("    %d of %d corpus files parse\n", corpus_parsed, corpus_files);
		}
	}
	UNIT_EXIT();
}
