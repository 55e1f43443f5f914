// SPDX-License-Identifier: GPL-2.0
/*
 * hornet probe: which BPF hook mechanisms this kernel offers, found by
 * loading and attaching a trivial program of each kind (src/probe/).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "probe/features.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet probe [-o table|json] [-h]\n"
		"\n"
		"Finds out which BPF hook mechanisms this kernel offers by loading a trivial\n"
		"program of each kind and attaching it to a real hook (tp_btf, raw_tp,\n"
		"tracepoint, kprobe, kprobe_multi, fentry, fmod_ret, lsm, uprobe, cgroup),\n"
		"and by asking the kernel for the ring buffer map and the bpf_send_signal,\n"
		"bpf_loop, bpf_get_socket_cookie (in tp_btf) and bpf_probe_write_user\n"
		"helpers. For each missing one it says what hornet does instead. Nothing\n"
		"stays loaded or attached. Mounts tracefs at /sys/kernel/tracing when it is\n"
		"not mounted. Must be run as root.\n"
		"\n"
		"Options:\n"
		"  -o, --output FORMAT  table (the default): one row per feature with yes or\n"
		"                       no, and why not for a missing one\n"
		"                       json: {\"features\": {\"<name>\": {\"available\": bool,\n"
		"                       \"reason\": \"...\", \"without\": \"...\"}, ...},\n"
		"                       \"kernel\": \"<uname -r>\"}; \"reason\" (why not) and\n"
		"                       \"without\" (what hornet does then) are there only\n"
		"                       when available is false\n"
		"  -h, --help           print this help and exit\n"
		"\n"
		"Exit status: 0 when probing ran, even if features are missing; 1 when it could\n"
		"not run (not root, or probing itself failed); 2 on a usage error.\n");
}

static bool utf8_tail(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * The length of the valid UTF-8 sequence at s (at most n bytes), or 0 when
 * it is not one: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && utf8_tail(s[1]) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || !utf8_tail(s[1]) || !utf8_tail(s[2]))
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || !utf8_tail(s[1]) || !utf8_tail(s[2]) || !utf8_tail(s[3]))
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/*
 * Copies text from the kernel or from mount tables (a path may hold any
 * byte) into out as valid UTF-8 without control bytes: each invalid byte
 * becomes U+FFFD and each control byte '?'. Always NUL-terminates.
 */
static void clean_text(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), o = 0, len;

	while (n && o + 1 < size) {
		len = utf8_seq_len(s, n);
		if (len == 0) {
			if (o + 4 > size)
				break;
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			len = 1;
		} else if (len == 1 && (s[0] < 0x20 || s[0] == 0x7f)) {
			out[o++] = '?';
		} else {
			if (o + len + 1 > size)
				break;
			memcpy(out + o, s, len);
			o += len;
		}
		s += len;
		n -= len;
	}
	out[o] = '\0';
}

static void print_table(const struct hornet_features *f, const char *kernel)
{
	char text[HORNET_FEAT_DETAIL_LEN * 3];
	int i, missing = 0;

	clean_text(kernel, text, sizeof(text));
	printf("kernel %s\n\n", text);
	printf("%-14s %-9s %s\n", "FEATURE", "AVAILABLE", "REASON");
	for (i = 0; i < HORNET_FEAT_COUNT; i++) {
		if (!f->probed[i])
			continue;
		if (f->has[i]) {
			printf("%-14s yes\n", hornet_feature_name(i));
			continue;
		}
		clean_text(f->detail[i][0] ? f->detail[i] : "unknown", text, sizeof(text));
		printf("%-14s %-9s %s\n", hornet_feature_name(i), "no", text);
		missing++;
	}
	if (!missing)
		return;
	printf("\nWITHOUT        WHAT HORNET DOES\n");
	for (i = 0; i < HORNET_FEAT_COUNT; i++)
		if (f->probed[i] && !f->has[i])
			printf("%-14s %s\n", hornet_feature_name(i), hornet_feature_loss(i));
}

static int print_json(const struct hornet_features *f, const char *kernel)
{
	char text[HORNET_FEAT_DETAIL_LEN * 3];
	json_t *root, *features, *entry;
	int i, err = -ENOMEM;

	root = json_object();
	features = json_object();
	if (!root || !features || json_object_set(root, "features", features))
		goto out;
	for (i = 0; i < HORNET_FEAT_COUNT; i++) {
		if (!f->probed[i])
			continue;
		entry = json_object();
		if (json_object_set_new(features, hornet_feature_name(i), entry))
			goto out;
		if (json_object_set_new(entry, "available", json_boolean(f->has[i])))
			goto out;
		if (f->has[i])
			continue;
		clean_text(f->detail[i][0] ? f->detail[i] : "unknown", text, sizeof(text));
		if (json_object_set_new(entry, "reason", json_string(text)))
			goto out;
		if (json_object_set_new(entry, "without", json_string(hornet_feature_loss(i))))
			goto out;
	}
	clean_text(kernel, text, sizeof(text));
	if (json_object_set_new(root, "kernel", json_string(text)))
		goto out;
	if (json_dumpf(root, stdout, JSON_INDENT(2)))
		goto out;
	putchar('\n');
	err = 0;
out:
	json_decref(features);
	json_decref(root);
	return err;
}

int hornet_cmd_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	struct hornet_features f;
	struct utsname uts;
	int opt, err;

	/* Restart getopt: the caller may have parsed its own options already. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!strcmp(optarg, "table")) {
				json = false;
			} else if (!strcmp(optarg, "json")) {
				json = true;
			} else {
				fprintf(stderr,
					"hornet probe: unknown output format '%s'; use -o table or "
					"-o json\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr,
				"hornet probe: option '%s' needs a value, e.g. -o json; see "
				"'hornet probe --help'\n",
				argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr,
				"hornet probe: unknown option '%s'; see 'hornet probe --help'\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"hornet probe: unexpected argument '%s'; 'hornet probe' takes only "
			"options, see 'hornet probe --help'\n",
			argv[optind]);
		return 2;
	}

	if (geteuid() != 0) {
		fprintf(stderr, "hornet probe: must be run as root: loading and attaching BPF "
				"programs needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN; try "
				"'sudo hornet probe'\n");
		return 1;
	}
	if (uname(&uts)) {
		fprintf(stderr, "hornet probe: uname: %s\n", strerror(errno));
		return 1;
	}

	err = hornet_features_probe(&f, HORNET_FEAT_ALL, NULL);
	if (err) {
		fprintf(stderr, "hornet probe: probing failed: %s\n", strerror(-err));
		return 1;
	}

	if (!json) {
		print_table(&f, uts.release);
	} else {
		err = print_json(&f, uts.release);
		if (err) {
			fprintf(stderr, "hornet probe: writing JSON: %s\n", strerror(-err));
			return 1;
		}
	}
	if (fflush(stdout)) {
		fprintf(stderr, "hornet probe: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
