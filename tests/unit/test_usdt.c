// SPDX-License-Identifier: GPL-2.0
/*
 * The USDT note reader (util/usdt.c): argument specs of each form, the
 * sites of probes in this very test binary (it has two, with sys/sdt.h),
 * and hostile ELF input: truncated and corrupted copies of the binary give
 * an error with a message, never a crash (tests/run asan runs this too).
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <sys/user.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "unit.h"
#include "util/usdt.h"

unsigned short unit_sem_semaphore __attribute__((section(".probes")));
unsigned short unit_twice_semaphore __attribute__((section(".probes")));

static void __attribute__((noinline)) fire(long v, const char *s)
{
	STAP_PROBE2(unit, sem, v, s);
	STAP_PROBE1(unit, twice, v);
	STAP_PROBE1(unit, twice, v + 1);
}

static char *read_self(size_t *len)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(n);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = n;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct hornet_usdt_site site, *sites;
	char err[256];
	size_t nr, len = 0, i, note = 0;
	char *img;
	int ret;

	if (argc > 5)
		fire(argc, argv[0]); /* never: the probes are only for the notes */

	UNIT_CASE("usdt_args_of_each_form")
	{
		ret = hornet_usdt_parse_args("-4@%edi 8@%rbp -4@$-7 -4@12(%rsp) 8@-0x10(%r8) 1@%al "
					     "%rsi",
					     &site, err, sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_INT(site.nr_args, 7);
		CHECK_INT(site.args[0].kind, HORNET_USDT_REG);
		CHECK_INT(site.args[0].size, -4);
		CHECK_INT(site.args[0].reg_off, offsetof(struct user_regs_struct, rdi));
		CHECK_INT(site.args[1].reg_off, offsetof(struct user_regs_struct, rbp));
		CHECK_INT(site.args[2].kind, HORNET_USDT_CONST);
		CHECK_INT(site.args[2].val, -7);
		CHECK_INT(site.args[3].kind, HORNET_USDT_REG_DEREF);
		CHECK_INT(site.args[3].val, 12);
		CHECK_INT(site.args[3].reg_off, offsetof(struct user_regs_struct, rsp));
		CHECK_INT(site.args[4].val, -16);
		CHECK_INT(site.args[4].reg_off, offsetof(struct user_regs_struct, r8));
		CHECK_INT(site.args[5].size, 1);
		CHECK_INT(site.args[5].reg_off, offsetof(struct user_regs_struct, rax));
		CHECK_INT(site.args[6].size, 8); /* old notes without a size */
	}
	UNIT_CASE("usdt_args_hornet_cannot_read_are_marked")
	{
		ret = hornet_usdt_parse_args("8@foo(%rip) 4@(%rax,%rbx,4) 8@8(%rip) 2@%xmm0", &site,
					     err, sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_INT(site.nr_args, 4);
		for (i = 0; i < 4; i++)
			CHECK_INT(site.args[i].kind, HORNET_USDT_NONE);
		CHECK_STR(site.bad[0], "a symbol-relative address");
		CHECK_STR(site.bad[1], "an indexed address");
		CHECK_STR(site.bad[2], "an address relative to %rip");
		CHECK_STR(site.bad[3], "a register hornet does not read");
	}
	UNIT_CASE("usdt_malformed_args_are_errors")
	{
		static const char *const bad[] = { "3@%eax", "8@",	 "8@garbage", "x@%eax",
						   "8@$",    "8@4(%rax", "4@$1x" };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err[0] = '\0';
			CHECK_INT(hornet_usdt_parse_args(bad[i], &site, err, sizeof(err)), -EINVAL);
			CHECK(err[0]);
		}
		CHECK_INT(hornet_usdt_parse_args("%rax %rax %rax %rax %rax %rax %rax %rax %rax "
						 "%rax %rax %rax %rax",
						 &site, err, sizeof(err)),
			  -EINVAL);
		CHECK_STR(err, "more than 12 arguments");
	}
	UNIT_CASE("usdt_sites_of_this_binary")
	{
		ret = hornet_usdt_find("/proc/self/exe", "unit", "sem", &sites, &nr, err,
				       sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_INT(nr, 1);
		if (!ret && nr == 1) {
			CHECK(sites[0].offset > 0);
			CHECK(sites[0].ref_ctr > 0); /* the semaphore */
			CHECK_INT(sites[0].nr_args, 2);
		}
		free(sites);
		ret = hornet_usdt_find("/proc/self/exe", "unit", "twice", &sites, &nr, err,
				       sizeof(err));
		CHECK_INT(ret, 0);
		CHECK_INT(nr, 2);
		if (nr == 2)
			CHECK(sites[0].offset != sites[1].offset);
		free(sites);
		ret = hornet_usdt_find("/proc/self/exe", "unit", "none", &sites, &nr, err,
				       sizeof(err));
		CHECK_INT(ret, -ENOENT);
		CHECK_STR(err, "no USDT probe unit:none in the file");
		ret = hornet_usdt_find("/nonexistent", "unit", "sem", &sites, &nr, err,
				       sizeof(err));
		CHECK_INT(ret, -ENOENT);
		ret = hornet_usdt_find("/proc/self/status", "unit", "sem", &sites, &nr, err,
				       sizeof(err));
		CHECK_INT(ret, -EINVAL);
		CHECK_STR(err, "not an ELF file");
	}
	UNIT_CASE("usdt_hostile_elf_gives_errors_not_crashes")
	{
		img = read_self(&len);
		CHECK(img);
		if (!img)
			break;
		ret = hornet_usdt_find_mem(img, len, "unit", "sem", &sites, &nr, err, sizeof(err));
		CHECK_INT(ret, 0);
		free(sites);
		/* truncated anywhere */
		for (i = 0; i < len; i += len / 97 + 1) {
			err[0] = '\0';
			ret = hornet_usdt_find_mem(img, i, "unit", "sem", &sites, &nr, err,
						   sizeof(err));
			if (ret)
				CHECK(err[0]);
			free(sites);
		}
		/* every byte of the notes changed, one at a time */
		for (i = 0; i + 8 < len && !note; i++)
			if (!memcmp(img + i, "stapsdt", 8))
				note = i;
		CHECK(note);
		for (i = note - 12; note && i < note + 120 && i < len; i++) {
			char old = img[i];

			img[i] ^= 0xa5;
			err[0] = '\0';
			ret = hornet_usdt_find_mem(img, len, "unit", "sem", &sites, &nr, err,
						   sizeof(err));
			if (ret)
				CHECK(err[0]);
			free(sites);
			img[i] = old;
		}
		free(img);
	}
	UNIT_EXIT();
}
