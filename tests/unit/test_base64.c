// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>

#include "unit.h"
#include "util/base64.h"

static const struct {
	const char *plain;
	const char *encoded;
} rfc4648_vectors[] = {
	/* RFC 4648 section 10 */
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

#define NVECTORS (sizeof(rfc4648_vectors) / sizeof(rfc4648_vectors[0]))

int main(void)
{
	char enc[256];
	unsigned char dec[256];
	size_t i;

	UNIT_CASE("base64_encode_rfc4648")
	{
		for (i = 0; i < NVECTORS; i++) {
			const char *p = rfc4648_vectors[i].plain;

			memset(enc, 'X', sizeof(enc));
			CHECK_INT(hornet_base64_encode(p, strlen(p), enc, sizeof(enc)),
				  strlen(rfc4648_vectors[i].encoded));
			CHECK_STR(enc, rfc4648_vectors[i].encoded);
		}
	}

	UNIT_CASE("base64_decode_rfc4648")
	{
		for (i = 0; i < NVECTORS; i++) {
			const char *e = rfc4648_vectors[i].encoded;
			long n = hornet_base64_decode(e, strlen(e), dec, sizeof(dec));

			CHECK_INT(n, strlen(rfc4648_vectors[i].plain));
			CHECK(n >= 0 && !memcmp(dec, rfc4648_vectors[i].plain, (size_t)n));
		}
	}

	UNIT_CASE("base64_size_macro")
	{
		CHECK_INT(HORNET_BASE64_SIZE(0), 1);
		CHECK_INT(HORNET_BASE64_SIZE(1), 5);
		CHECK_INT(HORNET_BASE64_SIZE(3), 5);
		CHECK_INT(HORNET_BASE64_SIZE(4), 9);
	}

	UNIT_CASE("base64_encode_exact_and_short_buffer")
	{
		/* "foobar" needs 8 characters and the NUL */
		memset(enc, 'X', sizeof(enc));
		CHECK_INT(hornet_base64_encode("foobar", 6, enc, 9), 8);
		CHECK_STR(enc, "Zm9vYmFy");
		memset(enc, 'X', sizeof(enc));
		CHECK_INT(hornet_base64_encode("foobar", 6, enc, 8), 0);
		CHECK_INT(enc[0], '\0');
		CHECK_INT(enc[1], 'X');
		CHECK_INT(hornet_base64_encode("foobar", 6, enc, 0), 0);
		CHECK_INT(enc[1], 'X');
		CHECK_INT(hornet_base64_encode("f", 1, NULL, 0), 0);
	}

	UNIT_CASE("base64_all_bytes_and_binary")
	{
		unsigned char all[256];

		for (i = 0; i < 256; i++)
			all[i] = (unsigned char)i;
		{
			char big[HORNET_BASE64_SIZE(256)];
			long n;

			CHECK_INT(hornet_base64_encode(all, 256, big, sizeof(big)), 344);
			CHECK(!strncmp(big, "AAECAwQFBgcICQoLDA0ODx", 22));
			CHECK_STR(big + 336, "/P3+/w==");
			n = hornet_base64_decode(big, strlen(big), dec, sizeof(dec));
			CHECK_INT(n, 256);
			CHECK(!memcmp(dec, all, 256));
		}
	}

	UNIT_CASE("base64_exec_id_round_trip")
	{
		const char *id = "node1:123456789:4567";
		long n;

		CHECK_INT(hornet_base64_encode(id, strlen(id), enc, sizeof(enc)), 28);
		CHECK_STR(enc, "bm9kZTE6MTIzNDU2Nzg5OjQ1Njc=");
		n = hornet_base64_decode(enc, strlen(enc), dec, sizeof(dec));
		CHECK_INT(n, strlen(id));
		CHECK(n >= 0 && !memcmp(dec, id, (size_t)n));
	}

	UNIT_CASE("base64_round_trip_lengths")
	{
		unsigned char src[64];
		uint32_t x = 12345;
		size_t len, j;

		for (len = 0; len <= sizeof(src); len++) {
			long n;

			for (j = 0; j < len; j++) {
				x = x * 1103515245 + 12345;
				src[j] = (unsigned char)(x >> 16);
			}
			CHECK_INT(hornet_base64_encode(src, len, enc, sizeof(enc)),
				  HORNET_BASE64_SIZE(len) - 1);
			n = hornet_base64_decode(enc, strlen(enc), dec, sizeof(dec));
			CHECK_INT(n, len);
			CHECK(n >= 0 && !memcmp(dec, src, len));
		}
	}

	UNIT_CASE("base64_decode_rejects_malformed")
	{
		static const char *const bad[] = {
			"Zg=", /* length not a multiple of 4 */
			"Zg", /* padding missing */
			"Zm9", /* padding missing */
			"Z===", /* too much padding */
			"====", /* only padding */
			"Zg==Zg==", /* padding in the middle */
			"Z=g=", /* padding then data */
			"Zm9v\n", /* whitespace */
			"Zm 9", /* space */
			"Zm-v", /* base64url alphabet */
			"Zm_v", /* base64url alphabet */
			"Zh==", /* non-zero bits under the padding */
			"Zm9=", /* non-zero bits under the padding */
			"Zm9\x80", /* non-ASCII */
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (hornet_base64_decode(bad[i], strlen(bad[i]), dec, sizeof(dec)) != -1)
				UNIT_FAIL("'%s' was accepted", bad[i]);
		}
		/* an embedded NUL is not base64 either */
		CHECK_INT(hornet_base64_decode("Zm\0v", 4, dec, sizeof(dec)), -1);
	}

	UNIT_CASE("base64_decode_short_buffer")
	{
		CHECK_INT(hornet_base64_decode("Zm9vYmFy", 8, dec, 6), 6);
		CHECK_INT(hornet_base64_decode("Zm9vYmFy", 8, dec, 5), -1);
		CHECK_INT(hornet_base64_decode("Zm9vYg==", 8, dec, 4), 4);
		CHECK_INT(hornet_base64_decode("Zm9vYg==", 8, dec, 3), -1);
		CHECK_INT(hornet_base64_decode("", 0, NULL, 0), 0);
		/* only @len bytes are read: the rest of the string is ignored */
		CHECK_INT(hornet_base64_decode("Zm9vYmFy", 4, dec, sizeof(dec)), 3);
	}

	UNIT_EXIT();
}
