// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 (util/sha256.c) on FIPS 180-4's test vectors and on a file, and
 * uprobe binaryDigests: their syntax, and the plan that attaches only to a
 * binary whose digest is listed, skips it with
 * ignore.digestVerificationFailure, and else says why it refuses.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
/* the fixture's plan printers are not used here */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "policy_fixture.h"
#pragma GCC diagnostic pop
#include "util/sha256.h"

static void hex_of(const void *data, size_t len, size_t chunk, char *hex)
{
	struct hornet_sha256 s;
	uint8_t d[HORNET_SHA256_LEN];
	size_t i, n;

	hornet_sha256_init(&s);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		hornet_sha256_update(&s, (const char *)data + i, n);
	}
	hornet_sha256_final(&s, d);
	for (i = 0; i < HORNET_SHA256_LEN; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

static char *uprobe_policy(const char *path, const char *digests, const char *ignore)
{
	static char yaml[2048];

	snprintf(
		yaml, sizeof(yaml),
		"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: d\n"
		"spec:\n  uprobes:\n  - path: %s\n    symbols: [main]\n    binaryDigests: [%s]\n%s",
		path, digests, ignore);
	return yaml;
}

/* The plan of @yaml on the host's kernel: its return, with the message in @err. */
static int plan_of(const char *yaml, size_t *nr_hooks, char *err, size_t err_size)
{
	struct hornet_policy *p = fx_policy(yaml);
	struct hornet_kernel k;
	struct hornet_plan plan;
	int ret;

	if (!p)
		return -100;
	fx_kernel(&k, FX_BARE, HORNET_FEAT_BIT(HORNET_FEAT_UPROBE), NULL);
	ret = hornet_plan_policy(p, &k, &plan, err, err_size);
	*nr_hooks = ret ? 0 : plan.nr_hooks;
	if (!ret)
		hornet_plan_free(&plan);
	hornet_policy_free(p);
	return ret;
}

int main(void)
{
	char hex[HORNET_SHA256_HEX], other[HORNET_SHA256_HEX], digest[80], err[1024];
	char path[] = "/tmp/hornet-digest-XXXXXX";
	static char million[1000000];
	size_t n;
	int fd;

	UNIT_CASE("sha256_fips_vectors")
	{
		hex_of("abc", 3, 64, hex);
		CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		hex_of("", 0, 64, hex);
		CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 7, hex);
		CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
		memset(million, 'a', sizeof(million));
		hex_of(million, sizeof(million), 4099, hex);
		CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	UNIT_CASE("sha256_of_a_file")
	{
		fd = mkstemp(path);
		CHECK(fd >= 0 && write(fd, million, 100000) == 100000);
		close(fd);
		CHECK_INT(hornet_sha256_file_hex(path, hex), 0);
		hex_of(million, 100000, 1 << 20, other);
		CHECK_STR(hex, other);
		CHECK_INT(hornet_sha256_file_hex("/nonexistent/x", hex), -ENOENT);
		/* a file that changed is read again: no cache behind this one */
		fd = open(path, O_WRONLY | O_APPEND);
		CHECK(fd >= 0 && write(fd, "x", 1) == 1);
		close(fd);
		CHECK_INT(hornet_sha256_file_hex(path, other), 0);
		CHECK(strcmp(other, hex));
	}
	UNIT_CASE("binary_digests_syntax")
	{
		static const char *const bad[] = {
			"md5:abc", "sha256", "sha256:12",
			("sha256:zz8d6a61d20638b8e5c026930c3e6039a33ce45964ff2"
			 "167f6ecedd419db06c1")
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err[0] = '\0';
			CHECK(!hornet_policy_parse(uprobe_policy("/bin/true", bad[i], ""),
						   strlen(uprobe_policy("/bin/true", bad[i], "")),
						   "t.yaml", err, sizeof(err)));
			CHECK(strstr(err, "spec.uprobes[0].binaryDigests[0]") &&
			      strstr(err, "64 hex digits"));
		}
	}
	UNIT_CASE("binary_digests_plan")
	{
		CHECK_INT(hornet_sha256_file_hex(path, hex), 0);
		/* upper case, as Tetragon allows */
		snprintf(digest, sizeof(digest), "\"SHA256:%s\"", hex);
		for (n = 7; digest[n]; n++)
			digest[n] = toupper((unsigned char)digest[n]);
		CHECK_INT(plan_of(uprobe_policy(path, digest, ""), &n, err, sizeof(err)), 0);
		CHECK_INT(n, 1);
		snprintf(digest, sizeof(digest), "\"sha256:%s\"", hex);
		digest[9] ^= 1;
		CHECK_INT(plan_of(uprobe_policy(path, digest, ""), &n, err, sizeof(err)), -EPERM);
		CHECK(strstr(err, "spec.uprobes[0] 'main': binaryDigests: '") && strstr(err, hex));
		CHECK_INT(plan_of(uprobe_policy(
					  path, digest,
					  "    ignore:\n      digestVerificationFailure: true\n"),
				  &n, err, sizeof(err)),
			  -ENOENT);
		CHECK(strstr(err, "ignore.digestVerificationFailure"));
		unlink(path);
	}
	UNIT_EXIT();
}
