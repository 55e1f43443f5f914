// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "cli/cli.h"
#include "export/api.h"
#include "policy/compile.h"
#include "policy/plan.h"
#include "policy/policy.h"
#include "policy/scope.h"
#include "probe/features.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet policy COMMAND [OPTIONS]\n\n"
		"Manages the TracingPolicies the running agent enforces, without restarting it.\n\n"
		"  add FILE [--mode enforce|monitor]   load a policy (FILE - reads stdin); --mode\n"
		"                                      overrides the policy's own policy-mode "
		"option\n"
		"  add --shadow-of NAME FILE           run FILE beside policy NAME as "
		"NAME.shadow:\n"
		"                                      it decides on every call but acts on none,\n"
		"                                      and reports where it decides otherwise\n"
		"  promote NAME                        put NAME's shadow in its place, acting\n"
		"  delete NAME                         unload a policy\n"
		"  list [-o text|json]                 policies with their state, mode, hooks and "
		"the\n"
		"                                      mechanism each uses, and their counters\n"
		"  mode NAME enforce|monitor           switch a policy's mode\n"
		"  enable NAME, disable NAME           switch a policy on or off: a disabled one\n"
		"                                      stays loaded but neither reports nor acts\n"
		"  check FILE...                       parse, validate and plan policies for this\n"
		"                                      kernel without loading them (no agent "
		"needed)\n"
		"  check --btf PATH... FILE...         the same for other kernels, from their BTF\n"
		"                                      (a file, or a directory of them); exit 1\n"
		"                                      when a policy cannot run on one\n\n"
		"Options:\n"
		"      --socket PATH   the agent's API socket (default: $HORNET_SOCKET or\n"
		"                      /run/hornet/hornet.sock)\n"
		"  -o, --output FMT    text (default) or json\n"
		"  -h, --help          show this help\n");
}

/* Sends one request; prints the agent's error, returns the reply or NULL. */
static json_t *call(const char *sock, json_t *req)
{
	return hornet_cli_call("policy", sock, req);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f) {
		fprintf(stderr, "hornet policy: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 4096 > cap) {
			char *p;

			cap = cap ? cap * 2 : 65536;
			if (cap > HORNET_POLICY_MAX_FILE + 65536) {
				fprintf(stderr, "hornet policy: %s: larger than 4 MiB\n", path);
				free(buf);
				buf = NULL;
				break;
			}
			p = realloc(buf, cap);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (!r)
			break;
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int cmd_add(const char *sock, const char *file, const char *mode, const char *shadow_of)
{
	size_t len = 0;
	char *text = read_all(file, &len);
	json_t *req, *reply;

	if (!text)
		return 1;
	if (strlen(text) != len) {
		fprintf(stderr, "hornet policy: %s: contains a NUL byte; a policy is text\n", file);
		free(text);
		return 1;
	}
	req = json_pack("{s:s, s:s, s:s}", "command", "policy_add", "policy", text, "source",
			strcmp(file, "-") ? file : "stdin");
	free(text);
	if (!req) {
		fprintf(stderr, "hornet policy: %s: not valid UTF-8 text\n", file);
		return 1;
	}
	if (mode)
		json_object_set_new(req, "mode", json_string(mode));
	if (shadow_of)
		json_object_set_new(req, "shadow_of", json_string(shadow_of));
	reply = call(sock, req);
	json_decref(req);
	if (!reply)
		return 1;
	if (shadow_of)
		printf("policy '%s' added, shadowing '%s': it acts on nothing until promoted\n",
		       json_string_value(json_object_get(reply, "name")), shadow_of);
	if (json_object_get(reply, "warning"))
		printf("warning: %s\n", json_string_value(json_object_get(reply, "warning")));
	else
		printf("policy '%s' added\n", json_string_value(json_object_get(reply, "name")));
	json_decref(reply);
	return 0;
}

static int cmd_simple(const char *sock, json_t *req, const char *fmt)
{
	json_t *reply = call(sock, req);

	json_decref(req);
	if (!reply)
		return 1;
	printf(fmt, json_string_value(json_object_get(reply, "name")),
	       json_string_value(json_object_get(reply, "mode")));
	json_decref(reply);
	return 0;
}

static void print_list(json_t *reply)
{
	json_t *pols = json_object_get(reply, "policies"), *p, *h, *st;
	size_t i, k;

	if (!json_array_size(pols)) {
		printf("no policies\n");
		return;
	}
	json_array_foreach(pols, i, p)
	{
		printf("%s: %s, %s", json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "state")),
		       json_string_value(json_object_get(p, "mode")));
		st = json_object_get(p, "stats");
		if (st)
			printf(", %lld events, %lld actions taken, %lld skipped (monitor), %lld "
			       "bytes "
			       "of kernel memory",
			       json_integer_value(json_object_get(st, "events_posted")),
			       json_integer_value(json_object_get(st, "actions_taken")),
			       json_integer_value(json_object_get(st, "actions_skipped_monitor")),
			       json_integer_value(json_object_get(p, "kernel_memory_bytes")));
		printf("\n");
		if (json_object_get(p, "error"))
			printf("  error: %s\n", json_string_value(json_object_get(p, "error")));
		if (json_object_get(p, "scope"))
			printf("  scope: %s\n", json_string_value(json_object_get(p, "scope")));
		if (json_object_get(p, "shadow"))
			printf("  shadowed by: %s\n",
			       json_string_value(json_object_get(p, "shadow")));
		if (json_object_get(p, "warning"))
			printf("  warning: %s\n", json_string_value(json_object_get(p, "warning")));
		if (json_object_get(p, "shadow_of")) {
			json_t *d = json_object_get(st, "shadow_differences");

			long long only = json_integer_value(json_object_get(d, "shadow_only")),
				  cur = json_integer_value(json_object_get(d, "current_only")),
				  changed = json_integer_value(json_object_get(d, "changed"));

			printf("  shadow of %s, acting on nothing: decided otherwise on %lld "
			       "calls (%lld only it matched, %lld only %s matched, %lld both "
			       "with other actions)\n",
			       json_string_value(json_object_get(p, "shadow_of")),
			       only + cur + changed, only, cur,
			       json_string_value(json_object_get(p, "shadow_of")), changed);
		}
		if (json_object_get(p, "update_error"))
			printf("  update failed, this version runs on: %s\n",
			       json_string_value(json_object_get(p, "update_error")));
		json_array_foreach(json_object_get(p, "hooks"), k, h)
			printf("  %s %s: %s %s\n", json_string_value(json_object_get(h, "kind")),
			       json_string_value(json_object_get(h, "hook")),
			       json_string_value(json_object_get(h, "mechanism")),
			       json_string_value(json_object_get(h, "attached_to")));
		json_array_foreach(json_object_get(p, "enforcer"), k, h) printf(
			"  enforcer %s: %s %s\n", json_string_value(json_object_get(h, "syscall")),
			json_string_value(json_object_get(h, "mechanism")),
			json_string_value(json_object_get(h, "attached_to")));
		if (json_object_get(st, "enforcer_actions"))
			printf("  enforcer: %lld acted on, %lld missed (replaced before use), %lld "
			       "missed (no listed call)\n",
			       json_integer_value(json_object_get(st, "enforcer_actions")),
			       json_integer_value(
				       json_object_get(st, "enforcer_missed_overwritten")),
			       json_integer_value(
				       json_object_get(st, "enforcer_missed_no_action")));
	}
}

/* The selectors of every planned hook, compiled as the agent would. */
static int compile_each(const struct hornet_policy *p, const struct hornet_plan *plan, char *err,
			size_t err_size)
{
	struct hornet_point_config cfg;
	size_t h;
	int ret;

	for (h = 0; h < plan->nr_hooks; h++) {
		struct hornet_point_user u = {
			.policy_id = 1,
			.hook_id = h,
			.policy = p,
			.ph = &plan->hooks[h],
			.follow_bits = ~0ULL,
		};

		ret = hornet_point_compile(&u, 1, &cfg, err, err_size);
		if (ret)
			return ret;
		hornet_point_config_free(&cfg);
	}
	return 0;
}

/* One policy file against kernel @k: one line; returns 1 when it cannot run there. */
static int check_file(struct hornet_kernel *k, const char *file, const char *indent)
{
	char err[4096], scope[512];
	struct hornet_policy *p;
	struct hornet_plan plan;
	int bad = 0;

	p = hornet_policy_load(file, err, sizeof(err));
	if (!p) {
		printf("%s%s: invalid: %s\n", indent, file, err);
		return 1;
	}
	if (hornet_plan_policy(p, k, &plan, err, sizeof(err))) {
		printf("%s%s: policy '%s': cannot run on this kernel: %s\n", indent, file, p->name,
		       err);
		bad = 1;
	} else if (compile_each(p, &plan, err, sizeof(err))) {
		printf("%s%s: policy '%s': refused: %s\n", indent, file, p->name, err);
		hornet_plan_free(&plan);
		bad = 1;
	} else {
		printf("%s%s: policy '%s': ok (%zu hooks", indent, file, p->name, plan.nr_hooks);
		for (size_t h = 0; h < plan.nr_hooks; h++)
			printf("%s %s %s", h ? "," : ":", hornet_mech_name(plan.hooks[h].mech),
			       plan.hooks[h].target);
		for (size_t e = 0; e < plan.nr_enforcers; e++)
			printf("%s %s", e ? "," : "; enforcer:", plan.enforcers[e].syscall);
		if (plan.nr_enforcers)
			printf(" (%s)", hornet_plan_enforcer_mech(&plan.enforcers[0]));
		hornet_policy_scope_str(p, scope, sizeof(scope));
		printf("; scope: %s)\n", scope);
		hornet_plan_free(&plan);
	}
	hornet_policy_free(p);
	return bad;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A kernel's build configuration beside its BTF: config-VERSION, or FILE.config. */
static bool is_config(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "config-", 7) || (n > 7 && !strcmp(name + n - 7, ".config"));
}

/* The configuration of the kernel whose BTF is @btf (vmlinux-VERSION or FILE), or NULL. */
static char *config_of(const char *btf)
{
	const char *base = strrchr(btf, '/') ? strrchr(btf, '/') + 1 : btf;
	char path[4096];

	snprintf(path, sizeof(path), "%s.config", btf);
	if (!access(path, R_OK))
		return strdup(path);
	if (strncmp(base, "vmlinux-", 8))
		return NULL;
	snprintf(path, sizeof(path), "%.*sconfig-%s", (int)(base - btf), btf, base + 8);
	return access(path, R_OK) ? NULL : strdup(path);
}

/* The BTF files of @path: itself, or a directory's files (not its dot files), sorted. */
static char **btf_files(const char *path, size_t *n)
{
	struct dirent *de;
	struct stat st;
	char **out = NULL, **more;
	DIR *d;

	*n = 0;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		out = calloc(1, sizeof(*out));
		if (out && (out[0] = strdup(path)))
			*n = 1;
		return out;
	}
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		if (de->d_name[0] == '.' || is_config(de->d_name) || stat(full, &st) ||
		    !S_ISREG(st.st_mode))
			continue;
		more = realloc(out, (*n + 1) * sizeof(*out));
		if (!more)
			break;
		out = more;
		out[*n] = strdup(full);
		if (out[*n])
			(*n)++;
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(out, *n, sizeof(*out), cmp_strp);
	return out;
}

/* `policy check --btf PATH... FILE...`: each policy against each kernel's BTF. */
static int check_btf(char **btfs, int nr_btfs, int argc, char **argv)
{
	char err[1024], assumed[512];
	struct hornet_kernel k;
	int b, i, bad = 0, kernels = 0;
	size_t f, n;

	for (b = 0; b < nr_btfs; b++) {
		char **files = btf_files(btfs[b], &n);

		if (!n) {
			printf("%s: no BTF file there\n", btfs[b]);
			bad++;
		}
		for (f = 0; f < n; f++) {
			char *config = config_of(files[f]);
			int ret = hornet_kernel_from_btf(&k, files[f], config, assumed,
							 sizeof(assumed), err, sizeof(err));

			if (ret) {
				printf("kernel %s: %s\n", files[f], err);
				bad++;
			} else {
				printf("kernel %s%s%s (%s):\n", files[f], config ? " with " : "",
				       config ? config : "", assumed);
				for (i = 0; i < argc; i++)
					bad += check_file(&k, argv[i], "  ");
				hornet_kernel_fini(&k);
				kernels++;
			}
			free(config);
			free(files[f]);
		}
		free(files);
	}
	if (!kernels && !bad)
		printf("no kernel to check against\n");
	return bad || !kernels ? 1 : 0;
}

static int cmd_check(char **btfs, int nr_btfs, int argc, char **argv)
{
	struct hornet_features f;
	struct hornet_kernel k;
	int i, bad = 0;

	if (nr_btfs)
		return check_btf(btfs, nr_btfs, argc, argv);
	if (hornet_features_probe(&f, HORNET_FEAT_ALL, NULL)) {
		fprintf(stderr, "hornet policy check: probing kernel features failed\n");
		return 1;
	}
	hornet_kernel_init(&k, &f);
	for (i = 0; i < argc; i++)
		bad += check_file(&k, argv[i], "");
	hornet_kernel_fini(&k);
	return bad ? 1 : 0;
}

int hornet_cmd_policy(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "btf", required_argument, NULL, 'b' },
		{ "shadow-of", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *mode = NULL, *fmt = "text", *cmd, *shadow_of = NULL;
	char *btfs[64];
	int c, nargs, nr_btfs = 0;
	char **args;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'm':
			mode = optarg;
			if (strcmp(mode, "enforce") && strcmp(mode, "monitor")) {
				fprintf(stderr,
					"hornet policy: --mode '%s': use enforce or monitor\n",
					mode);
				return 2;
			}
			break;
		case 'o':
			fmt = optarg;
			if (strcmp(fmt, "text") && strcmp(fmt, "json")) {
				fprintf(stderr, "hornet policy: -o '%s': use text or json\n", fmt);
				return 2;
			}
			break;
		case 'b':
			if (nr_btfs == 64) {
				fprintf(stderr, "hornet policy: more than 64 --btf\n");
				return 2;
			}
			btfs[nr_btfs++] = optarg;
			break;
		case 'S':
			if (!optarg[0]) {
				fprintf(stderr,
					"hornet policy: --shadow-of needs a policy's name\n");
				return 2;
			}
			shadow_of = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	args = argv + optind + 1;
	nargs = argc - optind - 1;
	if (nr_btfs && strcmp(cmd, "check")) {
		fprintf(stderr, "hornet policy: --btf is for 'check'\n");
		return 2;
	}
	if (shadow_of && strcmp(cmd, "add")) {
		fprintf(stderr, "hornet policy: --shadow-of is for 'add'\n");
		return 2;
	}
	sock = hornet_cli_socket(sock);
	if (!strcmp(cmd, "add") && nargs == 1)
		return cmd_add(sock, args[0], mode, shadow_of);
	if (!strcmp(cmd, "promote") && nargs == 1)
		return cmd_simple(
			sock, json_pack("{s:s, s:s}", "command", "policy_promote", "name", args[0]),
			"policy '%s': its shadow promoted, now acting (mode %s)\n");
	if (!strcmp(cmd, "delete") && nargs == 1)
		return cmd_simple(
			sock, json_pack("{s:s, s:s}", "command", "policy_delete", "name", args[0]),
			"policy '%s' deleted\n");
	if (!strcmp(cmd, "mode") && nargs == 2) {
		if (strcmp(args[1], "enforce") && strcmp(args[1], "monitor")) {
			fprintf(stderr, "hornet policy mode: '%s': use enforce or monitor\n",
				args[1]);
			return 2;
		}
		return cmd_simple(sock,
				  json_pack("{s:s, s:s, s:s}", "command", "policy_mode", "name",
					    args[0], "mode", args[1]),
				  "policy '%s': mode %s\n");
	}
	if ((!strcmp(cmd, "enable") || !strcmp(cmd, "disable")) && nargs == 1)
		return cmd_simple(sock,
				  json_pack("{s:s, s:s}", "command",
					    cmd[0] == 'e' ? "policy_enable" : "policy_disable",
					    "name", args[0]),
				  cmd[0] == 'e' ? "policy '%s' enabled\n"
						: "policy '%s' disabled\n");
	if (!strcmp(cmd, "list") && nargs == 0) {
		json_t *req = json_pack("{s:s}", "command", "policy_list"), *reply;

		reply = call(sock, req);
		json_decref(req);
		if (!reply)
			return 1;
		if (!strcmp(fmt, "json")) {
			json_dumpf(reply, stdout, JSON_COMPACT);
			printf("\n");
		} else {
			print_list(reply);
		}
		json_decref(reply);
		return 0;
	}
	if (!strcmp(cmd, "check") && nargs >= 1)
		return cmd_check(btfs, nr_btfs, nargs, args);
	fprintf(stderr, "hornet policy: '%s' with %d argument%s: see 'hornet policy --help'\n", cmd,
		nargs, nargs == 1 ? "" : "s");
	return 2;
}
