// SPDX-License-Identifier: GPL-2.0
/*
 * hornet_dns_parse() on any bytes: it returns 0 or -EINVAL, leaves every
 * string terminated within its array and printable (names are escaped), and
 * counts no more answers than it has room for or than the header says;
 * every type has a printable name or none.
 * Cutting a message that parses, as the capture limit does, gives -EINVAL
 * while the cut is in the header or questions, and from there on the same
 * header and question with the same first answers, fewer or as many.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net/parse.h"

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool printable(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

static void check_type(uint16_t type)
{
	const char *name = hornet_dns_type_name(type);

	if (name && (!name[0] || !printable(name)))
		abort();
}

static void check_msg(const struct hornet_dns_msg *m)
{
	unsigned int i;

	if (!terminated(m->qname, sizeof(m->qname)) || !printable(m->qname))
		abort();
	if (m->nr_parsed > HORNET_DNS_MAX_ANSWERS || m->nr_parsed > m->nr_answers)
		abort();
	if (!m->response && m->nr_parsed)
		abort();
	for (i = 0; i < HORNET_DNS_MAX_ANSWERS; i++) {
		const struct hornet_dns_answer *a = &m->answers[i];

		if (!terminated(a->name, sizeof(a->name)) || !terminated(a->data, sizeof(a->data)))
			abort();
		if (i >= m->nr_parsed && (a->name[0] || a->data[0] || a->type || a->ttl))
			abort(); /* nothing left of an answer not counted */
		if (i < m->nr_parsed && (!a->name[0] || !printable(a->name) || !printable(a->data)))
			abort();
		if (i < m->nr_parsed)
			check_type(a->type);
	}
	check_type(m->qtype);
}

static bool same_answer(const struct hornet_dns_answer *a, const struct hornet_dns_answer *b)
{
	return a->type == b->type && a->ttl == b->ttl && !strcmp(a->name, b->name) &&
	       !strcmp(a->data, b->data);
}

static struct hornet_dns_msg full, part;

struct cuts {
	bool seen_ok;
	unsigned int last_parsed;
};

static void check_cut(void *ctx, const uint8_t *p, size_t n)
{
	struct cuts *c = ctx;
	unsigned int i;
	int ret;

	ret = hornet_dns_parse(p, n, &part);
	check_msg(&part);
	if (ret == -EINVAL) {
		if (c->seen_ok)
			abort(); /* a shorter cut parsed already */
		return;
	}
	if (ret)
		abort();
	c->seen_ok = true;
	if (part.id != full.id || part.response != full.response || part.opcode != full.opcode ||
	    part.rcode != full.rcode || part.qtype != full.qtype ||
	    part.nr_questions != full.nr_questions || part.nr_answers != full.nr_answers ||
	    strcmp(part.qname, full.qname))
		abort();
	if (part.nr_parsed > full.nr_parsed || part.nr_parsed < c->last_parsed)
		abort();
	c->last_parsed = part.nr_parsed;
	for (i = 0; i < part.nr_parsed; i++) {
		if (!same_answer(&part.answers[i], &full.answers[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cuts c = { 0 };
	int ret;

	ret = hornet_dns_parse(data, size, &full);
	check_msg(&full);
	if (ret && ret != -EINVAL)
		abort();
	if (!ret)
		fuzz_each_cut(data, size, check_cut, &c);
	return 0;
}
