// SPDX-License-Identifier: GPL-2.0
/*
 * hornet ui: the web page and the history API over a store, without an
 * agent: no BPF, no root. For a cluster's PostgreSQL store, or a copy of a
 * node's SQLite file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"
#include "util/log.h"
#include "web/web.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hornet ui --store PATH|URL [OPTIONS]\n\n"
		"Serves the web page and the history API (docs/api.md) over an event store,\n"
		"without an agent: no BPF, no root. Status and policies are the agents' own\n"
		"(their --http-listen); live events come from the store, a second or two late.\n\n"
		"  --store PATH|URL          the SQLite file or postgres://... URL the agents "
		"write\n"
		"  --http-listen ADDR:PORT   where to serve (default: 127.0.0.1:2113); other than\n"
		"                            loopback needs --http-tls-cert and --http-tls-key\n"
		"  --http-token-file PATH    the token to ask for (default: a new one, in the\n"
		"                            URL printed)\n"
		"  --http-tls-cert PATH      PEM certificate for HTTPS\n"
		"  --http-tls-key PATH       PEM private key of --http-tls-cert\n"
		"  --ui-dir DIR              serve the page from DIR instead of the binary\n"
		"  --node-name NAME          a name the Host header may give (default: the\n"
		"                            hostname)\n"
		"  --log-level LEVEL         error, warn, info (default) or debug\n"
		"  -h, --help                show this help\n");
}

/* --NAME VALUE or --NAME=VALUE into *@v; 1 when argv[*i] is that flag, -1 without a value. */
static int flag(int argc, char **argv, int *i, const char *name, const char **v)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, "--", 2) || strncmp(a + 2, name, n) || (a[2 + n] && a[2 + n] != '='))
		return 0;
	if (a[2 + n] == '=') {
		*v = a + 3 + n;
		return 1;
	}
	if (*i + 1 >= argc)
		return -1;
	*v = argv[++*i];
	return 1;
}

int hornet_cmd_ui(int argc, char **argv)
{
	struct hornet_store_opts so = { .retention = "72h",
					.max_size_mb = 1024,
					.read_only = true };
	struct hornet_web_opts wo = { .listen = "127.0.0.1:2113", .metrics_listen = "" };
	const char *log = NULL;
	const struct {
		const char *name;
		const char **v;
	} flags[] = {
		{ "store", &so.url },
		{ "http-listen", &wo.listen },
		{ "http-token-file", &wo.token_file },
		{ "http-tls-cert", &wo.tls_cert },
		{ "http-tls-key", &wo.tls_key },
		{ "ui-dir", &wo.ui_dir },
		{ "node-name", &wo.node_name },
		{ "log-level", &log },
	};
	char err[1024], host[256] = "";
	struct hornet_store *store;
	struct hornet_web *web;
	sigset_t mask;
	size_t f;
	int i, r, sig;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		for (f = 0, r = 0; f < sizeof(flags) / sizeof(flags[0]) && !r; f++)
			r = flag(argc, argv, &i, flags[f].name, flags[f].v);
		if (r == 1)
			continue;
		if (r < 0)
			fprintf(stderr, "hornet ui: %s needs a value\n", argv[i]);
		else
			fprintf(stderr, "hornet ui: unknown argument '%s'\n", argv[i]);
		usage(stderr);
		return 2;
	}
	if (log && hornet_log_level_parse(log, &hornet_log_level)) {
		fprintf(stderr, "hornet ui: --log-level '%s': use error, warn, info or debug\n",
			log);
		return 2;
	}
	if (!so.url || !so.url[0]) {
		fprintf(stderr, "hornet ui: --store PATH|URL is needed: the SQLite file or "
				"postgres:// URL the agents write\n");
		return 2;
	}
	if (!wo.listen[0]) {
		fprintf(stderr, "hornet ui: --http-listen \"\" leaves nothing to serve\n");
		return 2;
	}
	if (!wo.node_name && !gethostname(host, sizeof(host) - 1))
		wo.node_name = host;
	/* blocked before the store's and the server's threads start, so they inherit the mask
	 * and the signals come to sigwait() below */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	store = hornet_store__open(&so, err, sizeof(err));
	if (!store) {
		fprintf(stderr, "hornet ui: --store '%s': %s\n", so.url, err);
		return 1;
	}
	wo.store = store;
	web = hornet_web__start(&wo, err, sizeof(err));
	if (!web) {
		fprintf(stderr, "hornet ui: %s\n", err);
		hornet_store__close(store);
		return 1;
	}
	printf("hornet ui: open %s\n", hornet_web__url(web));
	fflush(stdout);
	while (sigwait(&mask, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
		;
	hornet_web__stop(web);
	hornet_store__close(store);
	return 0;
}
