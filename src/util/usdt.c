// SPDX-License-Identifier: GPL-2.0
/*
 * USDT probes from an ELF file's SystemTap notes. Each note of type 3 and
 * owner "stapsdt" in .note.stapsdt describes one probe site (see
 * https://sourceware.org/systemtap/wiki/UserSpaceProbeImplementation):
 *
 *	u64 pc, base, semaphore;	(ELF64)
 *	char provider[], name[], args[];	(each NUL-terminated)
 *
 * pc and semaphore are link-time addresses; when the file was prelinked,
 * .stapsdt.base's address minus the note's base is added to pc. A uprobe
 * takes file offsets: an address becomes one through the loadable segment
 * that holds it. The kernel counts the semaphore up while a uprobe with
 * its offset (ref_ctr_offset, Linux 4.20) is attached, which is what the
 * program tests before it computes costly probe arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <sys/user.h>
#endif

#include "util/usdt.h"

#define STAPSDT_NOTE_TYPE 3
#define MAX_SITES 4096 /* of one probe in one file: more is not a real binary */

#if defined(__x86_64__)
/* pt_regs of x86-64 has the layout of ptrace's user_regs_struct (its ABI) */
#define R(name) offsetof(struct user_regs_struct, name)
static const struct {
	const char *names[4]; /* the 64, 32, 16 and 8-bit names */
	unsigned short off;
} regs[] = {
	{ { "rax", "eax", "ax", "al" }, R(rax) },
	{ { "rbx", "ebx", "bx", "bl" }, R(rbx) },
	{ { "rcx", "ecx", "cx", "cl" }, R(rcx) },
	{ { "rdx", "edx", "dx", "dl" }, R(rdx) },
	{ { "rsi", "esi", "si", "sil" }, R(rsi) },
	{ { "rdi", "edi", "di", "dil" }, R(rdi) },
	{ { "rbp", "ebp", "bp", "bpl" }, R(rbp) },
	{ { "rsp", "esp", "sp", "spl" }, R(rsp) },
	{ { "r8", "r8d", "r8w", "r8b" }, R(r8) },
	{ { "r9", "r9d", "r9w", "r9b" }, R(r9) },
	{ { "r10", "r10d", "r10w", "r10b" }, R(r10) },
	{ { "r11", "r11d", "r11w", "r11b" }, R(r11) },
	{ { "r12", "r12d", "r12w", "r12b" }, R(r12) },
	{ { "r13", "r13d", "r13w", "r13b" }, R(r13) },
	{ { "r14", "r14d", "r14w", "r14b" }, R(r14) },
	{ { "r15", "r15d", "r15w", "r15b" }, R(r15) },
};
#undef R

static int reg_offset(const char *name, size_t len)
{
	size_t i, j;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (j = 0; j < 4; j++)
			if (strlen(regs[i].names[j]) == len && !memcmp(regs[i].names[j], name, len))
				return regs[i].off;
	return -1;
}
#endif

/* A signed integer of the whole of [s, end): decimal or 0x hex. */
static int parse_int(const char *s, const char *end, int64_t *v)
{
	char buf[32], *e;

	if (end <= s || (size_t)(end - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, end - s);
	buf[end - s] = '\0';
	errno = 0;
	*v = strtoll(buf, &e, 0);
	return errno || *e || e == buf ? -EINVAL : 0;
}

static void set_bad(struct hornet_usdt_site *site, unsigned int i, const char *why)
{
	site->args[i].kind = HORNET_USDT_NONE;
	snprintf(site->bad[i], sizeof(site->bad[i]), "%s", why);
}

/* One argument "[-]N@operand" into site->args[i]. */
static int parse_one(const char *tok, struct hornet_usdt_site *site, unsigned int i, char *err,
		     size_t err_size)
{
	struct hornet_usdt_arg *a = &site->args[i];
	const char *at = strchr(tok, '@'), *op = tok, *open, *close;
	int64_t size = 8, v;
	int off;

	memset(a, 0, sizeof(*a));
	site->bad[i][0] = '\0';
	if (at) {
		if (parse_int(tok, at, &size) ||
		    (size != 1 && size != -1 && size != 2 && size != -2 && size != 4 &&
		     size != -4 && size != 8 && size != -8)) {
			snprintf(err, err_size, "argument %u '%s': bad size", i, tok);
			return -EINVAL;
		}
		op = at + 1;
	}
	a->size = (int8_t)size;
	if (op[0] == '$') {
		if (parse_int(op + 1, op + strlen(op), &v)) {
			snprintf(err, err_size, "argument %u '%s': bad constant", i, tok);
			return -EINVAL;
		}
		a->kind = HORNET_USDT_CONST;
		a->val = v;
		return 0;
	}
#if defined(__x86_64__)
	if (op[0] == '%') {
		off = reg_offset(op + 1, strlen(op + 1));
		if (off < 0) {
			set_bad(site, i, "a register hornet does not read");
			return 0;
		}
		a->kind = HORNET_USDT_REG;
		a->reg_off = off;
		return 0;
	}
	open = strchr(op, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!open || !close || close[1] || open[1] != '%') {
		snprintf(err, err_size, "argument %u '%s': not a USDT argument spec", i, tok);
		return -EINVAL;
	}
	if (memchr(open, ',', close - open)) {
		set_bad(site, i, "an indexed address");
		return 0;
	}
	v = 0;
	if (open > op && parse_int(op, open, &v)) {
		/* "sym(%rip)", "sym+8(%rip)": needs the load address */
		set_bad(site, i, "a symbol-relative address");
		return 0;
	}
	off = reg_offset(open + 2, close - open - 2);
	if (off < 0) {
		set_bad(site, i,
			!strncmp(open + 2, "rip", 3) ? "an address relative to %rip"
						     : "a register hornet does not read");
		return 0;
	}
	a->kind = HORNET_USDT_REG_DEREF;
	a->reg_off = off;
	a->val = v;
	return 0;
#else
	(void)off;
	(void)open;
	(void)close;
	/* a probe whose policy reads no argument still attaches */
	set_bad(site, i, "a register (hornet reads USDT arguments on x86-64 only)");
	return 0;
#endif
}

int hornet_usdt_parse_args(const char *spec, struct hornet_usdt_site *site, char *err,
			   size_t err_size)
{
	char buf[512], *save = NULL, *tok;
	int ret;

	site->nr_args = 0;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, err_size, "argument specs longer than %zu bytes", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (site->nr_args == HORNET_USDT_MAX_ARGS) {
			snprintf(err, err_size, "more than %d arguments", HORNET_USDT_MAX_ARGS);
			return -EINVAL;
		}
		ret = parse_one(tok, site, site->nr_args, err, err_size);
		if (ret)
			return ret;
		site->nr_args++;
	}
	return 0;
}

/* The file offset of address @addr, in a loadable segment (its file part). */
static int addr_to_offset(Elf *e, size_t nr_phdrs, uint64_t addr, bool exec, uint64_t *off)
{
	GElf_Phdr ph;
	size_t i;

	for (i = 0; i < nr_phdrs; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (exec && !(ph.p_flags & PF_X))
			continue;
		if (addr < ph.p_vaddr || addr - ph.p_vaddr >= ph.p_filesz)
			continue;
		*off = addr - ph.p_vaddr + ph.p_offset;
		return 0;
	}
	return -EINVAL;
}

/* A NUL-terminated string at *p before @end; *p moves past it. */
static const char *note_str(const char **p, const char *end)
{
	const char *s = *p, *nul = s < end ? memchr(s, '\0', end - s) : NULL;

	if (!nul)
		return NULL;
	*p = nul + 1;
	return s;
}

static int find_in_elf(Elf *e, const char *provider, const char *name,
		       struct hornet_usdt_site **sites, size_t *nr, char *err, size_t err_size)
{
	uint64_t base_addr = 0, pc, base, sema;
	Elf_Scn *scn = NULL, *notes = NULL;
	size_t shstrndx, nr_phdrs, off, next, name_off, desc_off, cap = 0;
	struct hornet_usdt_site *out = NULL, *s;
	bool has_base = false;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Nhdr nh;
	Elf_Data *d;
	int ret = 0;

	*sites = NULL;
	*nr = 0;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		snprintf(err, err_size, "not an ELF file");
		return -EINVAL;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, err_size, "USDT probes are read from 64-bit little-endian ELF only");
		return -EINVAL;
	}
	if (elf_getshdrstrndx(e, &shstrndx) || elf_getphdrnum(e, &nr_phdrs)) {
		snprintf(err, err_size, "malformed ELF headers: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	while ((scn = elf_nextscn(e, scn))) {
		const char *sname;

		if (!gelf_getshdr(scn, &sh))
			continue;
		sname = elf_strptr(e, shstrndx, sh.sh_name);
		if (!sname)
			continue;
		if (!strcmp(sname, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
			has_base = true;
		} else if (!strcmp(sname, ".note.stapsdt") && sh.sh_type == SHT_NOTE) {
			notes = scn;
		}
	}
	if (!notes) {
		snprintf(err, err_size, "no USDT probes in the file (no .note.stapsdt section)");
		return -ENOENT;
	}
	d = elf_getdata(notes, NULL);
	if (!d || !d->d_buf) {
		snprintf(err, err_size, ".note.stapsdt: unreadable: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	for (off = 0; (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0; off = next) {
		const char *desc = (const char *)d->d_buf + desc_off, *p = desc + 24, *end;
		const char *prov, *nm, *args;
		char why[160];

		if (nh.n_type != STAPSDT_NOTE_TYPE || nh.n_namesz != 8 ||
		    memcmp((const char *)d->d_buf + name_off, "stapsdt", 8))
			continue;
		if (nh.n_descsz < 24 || desc_off + nh.n_descsz > d->d_size) {
			snprintf(err, err_size, ".note.stapsdt: a note of %u bytes is too short",
				 nh.n_descsz);
			ret = -EINVAL;
			break;
		}
		end = desc + nh.n_descsz;
		prov = note_str(&p, end);
		nm = prov ? note_str(&p, end) : NULL;
		args = p < end ? note_str(&p, end) : "";
		if (!prov || !nm || !args) {
			snprintf(err, err_size,
				 ".note.stapsdt: a note's strings are not terminated");
			ret = -EINVAL;
			break;
		}
		if (strcmp(prov, provider) || strcmp(nm, name))
			continue;
		memcpy(&pc, desc, 8);
		memcpy(&base, desc + 8, 8);
		memcpy(&sema, desc + 16, 8);
		if (has_base && base)
			pc += base_addr - base; /* prelinked: moved by the difference */
		if (*nr == cap) {
			if (cap == MAX_SITES) {
				snprintf(err, err_size, "probe %s:%s: more than %d sites", provider,
					 name, MAX_SITES);
				ret = -E2BIG;
				break;
			}
			cap = cap ? cap * 2 : 4;
			s = realloc(out, cap * sizeof(*out));
			if (!s) {
				ret = -ENOMEM;
				snprintf(err, err_size, "out of memory");
				break;
			}
			out = s;
		}
		s = &out[*nr];
		memset(s, 0, sizeof(*s));
		if (addr_to_offset(e, nr_phdrs, pc, true, &s->offset)) {
			snprintf(err, err_size,
				 "probe %s:%s: site 0x%llx is in no executable segment", provider,
				 name, (unsigned long long)pc);
			ret = -EINVAL;
			break;
		}
		if (sema && addr_to_offset(e, nr_phdrs, sema, false, &s->ref_ctr)) {
			snprintf(err, err_size,
				 "probe %s:%s: semaphore 0x%llx is in no loadable segment",
				 provider, name, (unsigned long long)sema);
			ret = -EINVAL;
			break;
		}
		ret = hornet_usdt_parse_args(args, s, why, sizeof(why));
		if (ret) {
			snprintf(err, err_size, "probe %s:%s at 0x%llx: %s", provider, name,
				 (unsigned long long)pc, why);
			break;
		}
		(*nr)++;
	}
	if (!ret && !*nr) {
		snprintf(err, err_size, "no USDT probe %s:%s in the file", provider, name);
		ret = -ENOENT;
	}
	if (ret) {
		free(out);
		*nr = 0;
		return ret;
	}
	*sites = out;
	return 0;
}

/* find_in_elf() on @e (NULL: libelf refused the input), then ends it. */
static int find_and_end(Elf *e, const char *provider, const char *name,
			struct hornet_usdt_site **sites, size_t *nr, char *err, size_t err_size)
{
	int ret;

	if (!e) {
		snprintf(err, err_size, "not an ELF file: %s", elf_errmsg(-1));
		return -EINVAL;
	}
	ret = find_in_elf(e, provider, name, sites, nr, err, err_size);
	elf_end(e);
	return ret;
}

int hornet_usdt_find_mem(const void *img, size_t size, const char *provider, const char *name,
			 struct hornet_usdt_site **sites, size_t *nr, char *err, size_t err_size)
{
	char *copy;
	int ret;

	*sites = NULL;
	*nr = 0;
	elf_version(EV_CURRENT);
	/* libelf may convert in place: its own copy */
	copy = malloc(size ? size : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, img, size);
	ret = find_and_end(elf_memory(copy, size), provider, name, sites, nr, err, err_size);
	free(copy);
	return ret;
}

int hornet_usdt_find(const char *path, const char *provider, const char *name,
		     struct hornet_usdt_site **sites, size_t *nr, char *err, size_t err_size)
{
	int fd, ret;

	*sites = NULL;
	*nr = 0;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_size, "%s", strerror(errno));
		return ret;
	}
	/* read, not mapped: a file truncated meanwhile is an error, not SIGBUS */
	ret = find_and_end(elf_begin(fd, ELF_C_READ, NULL), provider, name, sites, nr, err,
			   err_size);
	close(fd);
	return ret;
}
