// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "agent/persist.h"

static bool plain(unsigned char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || (c == '.' && !first);
}

/* DIR/escaped(NAME)SUFFIX; -ENAMETOOLONG when it does not fit */
static int path_of(char *out, size_t size, const char *dir, const char *name, const char *suffix)
{
	size_t n = snprintf(out, size, "%s/", dir);
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p && n + 4 < size; p++)
		n += plain(*p, p == (const unsigned char *)name)
			     ? (size_t)snprintf(out + n, size - n, "%c", *p)
			     : (size_t)snprintf(out + n, size - n, "%%%02X", *p);
	if (*p || n + strlen(suffix) >= size || n - strlen(dir) - 1 > NAME_MAX - 8)
		return -ENAMETOOLONG;
	strcpy(out + n, suffix);
	return 0;
}

/* @len bytes into @path, whole or not at all. */
static int write_whole(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX + 8];
	ssize_t w;
	size_t done = 0;
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	while (done < len) {
		w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = -errno;
			break;
		}
		done += w;
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int hornet_persist_save(const char *dir, const char *name, const char *text, size_t len, char *err,
			size_t err_size)
{
	char path[PATH_MAX];
	int ret = path_of(path, sizeof(path), dir, name, ".yaml");

	if (!ret)
		ret = write_whole(path, text, len);
	if (ret)
		snprintf(err, err_size, "--persist-policies: '%s': %s", path, strerror(-ret));
	return ret;
}

int hornet_persist_state(const char *dir, const char *name, bool disabled, const char *mode,
			 char *err, size_t err_size)
{
	char path[PATH_MAX], *text;
	json_t *o;
	int ret = path_of(path, sizeof(path), dir, name, ".yaml");

	if (ret || access(path, F_OK))
		return 0; /* not one of the kept policies */
	path_of(path, sizeof(path), dir, name, ".state");
	o = json_pack("{s:s, s:b}", "name", name, "disabled", disabled);
	if (o && mode)
		json_object_set_new(o, "mode", json_string(mode));
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	ret = text ? write_whole(path, text, strlen(text)) : -ENOMEM;
	free(text);
	if (ret)
		snprintf(err, err_size, "--persist-policies: '%s': %s", path, strerror(-ret));
	return ret;
}

void hornet_persist_remove(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (path_of(path, sizeof(path), dir, name, ".yaml"))
		return;
	unlink(path);
	path_of(path, sizeof(path), dir, name, ".state");
	unlink(path);
}

int hornet_persist_each_state(
	const char *dir, void (*fn)(void *ctx, const char *name, bool disabled, const char *mode),
	void (*why)(void *ctx, const char *path, const char *reason), void *ctx)
{
	char path[PATH_MAX], reason[256];
	json_error_t jerr;
	struct dirent *de;
	const char *mode, *name;
	json_t *o, *dis;
	size_t len;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".state"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		name = json_string_value(json_object_get(o, "name"));
		dis = json_object_get(o, "disabled");
		mode = json_string_value(json_object_get(o, "mode"));
		if (!name || (dis && !json_is_boolean(dis)) ||
		    (mode && strcmp(mode, "monitor") && strcmp(mode, "enforce"))) {
			snprintf(reason, sizeof(reason), "%s",
				 o ? "expected {\"name\": ..., \"disabled\": true|false, \"mode\": "
				     "\"monitor\"|\"enforce\"}"
				   : jerr.text);
			why(ctx, path, reason);
		} else {
			fn(ctx, name, json_is_true(dis), mode);
			n++;
		}
		json_decref(o);
	}
	closedir(d);
	return n;
}
