// SPDX-License-Identifier: GPL-2.0
/*
 * Any bytes as a config file: hornet_config_load_file() either applies them
 * or refuses them with a message, and never crashes or leaks (ASan's leak
 * check runs at exit). The settings it leaves must stay within their bounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	struct hornet_config cfg;
	char err[512];
	int ret;

	path = fuzz_file(data, size);

	if (hornet_config_init(&cfg))
		abort();
	memset(err, 'X', sizeof(err));
	err[0] = '\0';
	ret = hornet_config_load_file(&cfg, path, err, sizeof(err));
	if (ret > 0)
		abort();
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	if (ret && !err[0] && ret != -ENOMEM)
		abort(); /* a refusal always says why */
	if (!ret && err[0])
		abort();
	if (!cfg.node_name || !cfg.export_file || !cfg.socket)
		abort();
	if (!cfg.node_name[0] || strchr(cfg.node_name, ':') || strlen(cfg.node_name) > 253)
		abort();
	if (cfg.process_cache_size < 64 || cfg.process_cache_size > 1 << 22)
		abort();
	if (cfg.ringbuf_size_mb < 1 || cfg.ringbuf_size_mb > 1024)
		abort();
	if (cfg.export_file_max_backups > 1000 || cfg.export_file_max_size_mb > 1 << 20)
		abort();
	if (cfg.log_level > HORNET_LOG_DEBUG || cfg.stdout_format > HORNET_STDOUT_COMPACT ||
	    cfg.exec_creds_hook > HORNET_CREDS_NONE)
		abort();
	hornet_config_free(&cfg);
	return 0;
}
