// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON lines export file: permissions, appending, rotation at line
 * boundaries without losing a line, and the failures it must survive.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "unit.h"
#include "export/file.h"

static char dir[64];

/* dir/name, in one of 8 static buffers used in turn */
static const char *in_dir(const char *name)
{
	static char bufs[8][PATH_MAX];
	static unsigned int slot;
	char *p = bufs[slot++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

/* The whole content of @path (NUL-terminated), its length in @len; NULL if missing. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (buf)
		buf[got] = '\0';
	*len = got;
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)(st.st_mode & 07777);
}

/* Removes everything in dir (files only). */
static void clean_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'/* 2>/dev/null", dir);
	if (system(cmd))
		fprintf(stderr, "cannot clean %s\n", dir);
}

static bool content_is(const char *path, const char *want, size_t want_len)
{
	size_t len = 0;
	char *got = slurp(path, &len);
	bool ok = got && len == want_len && !memcmp(got, want, len);

	if (!ok)
		printf("    %s: %zu bytes%s, want %zu\n", path, len, got ? "" : " (missing)",
		       want_len);
	free(got);
	return ok;
}

static int write_str(struct hornet_export_file *f, const char *s)
{
	return hornet_export_file__write(f, s, strlen(s));
}

/* Line @i of length @len (at least 16), newline included, into @buf. */
static size_t make_line(char *buf, unsigned int i, size_t len)
{
	size_t k, n = snprintf(buf, len, "{\"line\":%u,\"p\":\"", i);

	for (k = n; k < len - 3; k++)
		buf[k] = 'a' + (i + k) % 26;
	buf[len - 3] = '"';
	buf[len - 2] = '}';
	buf[len - 1] = '\n';
	return len;
}

/* Every file holds whole lines only, within @max unless it is one long line. */
static bool whole_lines(const char *path, uint64_t max)
{
	size_t len = 0;
	char *s = slurp(path, &len);
	bool ok = true;

	if (!s)
		return false;
	if (len && s[len - 1] != '\n') {
		printf("    %s does not end with a newline\n", path);
		ok = false;
	}
	if (len && s[0] != '{') {
		printf("    %s does not start with a line\n", path);
		ok = false;
	}
	if (len > max && memchr(s, '\n', len) != s + len - 1) {
		printf("    %s: %zu bytes, more than %llu\n", path, len, (unsigned long long)max);
		ok = false;
	}
	free(s);
	return ok;
}

/* The gunzipped content of @path, NUL-terminated in @buf; NULL if unreadable. */
static const char *gunzip(const char *path, char *buf, size_t size)
{
	gzFile in = gzopen(path, "rb");
	int n;

	if (!in)
		return NULL;
	n = gzread(in, buf, size - 1);
	gzclose(in);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

int main(void)
{
	struct hornet_export_file *f;
	char path[PATH_MAX], line[512];
	int fd;
	unsigned int i;

	unit_rng_seed(0x853c49e6748fea9bULL);

	snprintf(dir, sizeof(dir), "/tmp/hornet-test-export-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);

	UNIT_CASE("export_file_created_0600")
	{
		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		f = hornet_export_file__open(path, 0, 5);
		CHECK(f);
		CHECK_INT(file_mode(path), 0600);
		hornet_export_file__close(f);
		CHECK_INT(file_mode(path), 0600);
		clean_dir();
	}

	UNIT_CASE("export_file_existing_mode_fixed")
	{
		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		CHECK(fd >= 0);
		CHECK(write(fd, "old\n", 4) == 4);
		fchmod(fd, 0644);
		close(fd);
		CHECK_INT(file_mode(path), 0644);
		f = hornet_export_file__open(path, 0, 5);
		CHECK(f);
		CHECK_INT(file_mode(path), 0600);
		CHECK_INT(write_str(f, "new\n"), 0);
		hornet_export_file__close(f);
		/* appended to, not truncated */
		CHECK(content_is(path, "old\nnew\n", 8));
		clean_dir();
	}

	UNIT_CASE("export_file_appends")
	{
		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		f = hornet_export_file__open(path, 0, 5);
		CHECK(f);
		CHECK_INT(write_str(f, "{\"a\":1}\n"), 0);
		CHECK_INT(write_str(f, "{\"b\":2}\n"), 0);
		CHECK_INT(hornet_export_file__flush(f), 0);
		CHECK(content_is(path, "{\"a\":1}\n{\"b\":2}\n", 16));
		CHECK_INT(write_str(f, "{\"c\":3}\n"), 0);
		hornet_export_file__close(f);
		CHECK(content_is(path, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n", 24));
		/* a second open appends after what is there */
		f = hornet_export_file__open(path, 0, 5);
		CHECK(f);
		CHECK_INT(write_str(f, "{\"d\":4}\n"), 0);
		CHECK_INT(hornet_export_file__errors(f), 0);
		CHECK_INT(hornet_export_file__rotations(f), 0);
		hornet_export_file__close(f);
		CHECK(content_is(path, "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n{\"d\":4}\n", 32));
		hornet_export_file__close(NULL);
		clean_dir();
	}

	UNIT_CASE("export_file_rotation_shifts_and_bounds")
	{
		char all[200 * 100];
		size_t total = 0, len;
		unsigned int k;

		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		/* 100-byte lines, 10 to a 1000-byte file, 3 backups */
		f = hornet_export_file__open(path, 1000, 3);
		CHECK(f);
		for (i = 0; i < 200; i++) {
			len = make_line(line, i, 100);
			memcpy(all + total, line, len);
			total += len;
			if (hornet_export_file__write(f, line, len)) {
				UNIT_FAIL("line %u not written", i);
				break;
			}
			if (i == 9)
				CHECK_INT(hornet_export_file__rotations(f), 0);
			if (i == 10)
				CHECK_INT(hornet_export_file__rotations(f), 1);
		}
		CHECK_INT(hornet_export_file__rotations(f), 19);
		CHECK_INT(hornet_export_file__errors(f), 0);
		hornet_export_file__close(f);
		CHECK(!exists(in_dir("events.json.4")));
		CHECK(!exists(in_dir("events.json.0")));
		/* the newest 40 lines: .3 (oldest) .2 .1 and the current file */
		CHECK(content_is(in_dir("events.json.3"), all + 160 * 100, 1000));
		CHECK(content_is(in_dir("events.json.2"), all + 170 * 100, 1000));
		CHECK(content_is(in_dir("events.json.1"), all + 180 * 100, 1000));
		CHECK(content_is(path, all + 190 * 100, 1000));
		for (k = 1; k <= 3; k++) {
			char name[32];

			snprintf(name, sizeof(name), "events.json.%u", k);
			CHECK_INT(file_mode(in_dir(name)), 0600);
		}
		clean_dir();
	}

	UNIT_CASE("export_file_rotation_never_loses_a_line")
	{
		const uint64_t max = 64 << 10;
		size_t cap = 64 << 20, total = 0, len, got = 0, n;
		char *all = malloc(cap), *big = malloc(300 << 10), *rd = malloc(cap);
		unsigned int nfiles = 0, k;
		char name[64];

		CHECK(all && big && rd);
		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		f = hornet_export_file__open(path, max, 1000);
		CHECK(f);
		for (i = 0; f && all && big && rd && i < 5000; i++) {
			uint64_t r = unit_rng();

			/* mostly short, some near the limit, a few longer than it and the buffer */
			if (i % 997 == 500)
				len = (300 << 10) - (r % 1000);
			else if (r % 50 == 0)
				len = max - 16 - (r >> 8) % 64;
			else
				len = 16 + (r >> 8) % 2000;
			make_line(big, i, len);
			memcpy(all + total, big, len);
			total += len;
			if (hornet_export_file__write(f, big, len)) {
				UNIT_FAIL("line %u not written", i);
				break;
			}
		}
		CHECK_INT(hornet_export_file__errors(f), 0);
		nfiles = hornet_export_file__rotations(f) + 1;
		hornet_export_file__close(f);
		CHECK(nfiles > 2 && nfiles <= 1000);
		/* oldest first: .N ... .1, then the file itself */
		for (k = nfiles - 1; rd && k > 0; k--) {
			char *s;

			snprintf(name, sizeof(name), "events.json.%u", k);
			CHECK(whole_lines(in_dir(name), max));
			s = slurp(in_dir(name), &n);
			if (!s || got + n > cap) {
				UNIT_FAIL("%s missing or too big", name);
				free(s);
				break;
			}
			memcpy(rd + got, s, n);
			got += n;
			free(s);
		}
		snprintf(name, sizeof(name), "events.json.%u", nfiles);
		CHECK(!exists(in_dir(name)));
		CHECK(whole_lines(path, max));
		if (rd) {
			char *s = slurp(path, &n);

			if (s && got + n <= cap) {
				memcpy(rd + got, s, n);
				got += n;
			}
			free(s);
		}
		CHECK_INT(got, total);
		CHECK(all && rd && got == total && !memcmp(all, rd, total));
		free(all);
		free(big);
		free(rd);
		clean_dir();
	}

	UNIT_CASE("export_file_no_backups_truncates")
	{
		char want[1000];
		size_t wl = 0, len;

		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		f = hornet_export_file__open(path, 1000, 0);
		CHECK(f);
		for (i = 0; i < 25; i++) {
			len = make_line(line, i, 100);
			CHECK_INT(hornet_export_file__write(f, line, len), 0);
			/* truncated at lines 10 and 20: 20..24 remain */
			if (i >= 20) {
				memcpy(want + wl, line, len);
				wl += len;
			}
		}
		CHECK_INT(hornet_export_file__rotations(f), 2);
		hornet_export_file__close(f);
		CHECK(content_is(path, want, wl));
		CHECK(!exists(in_dir("events.json.1")));
		CHECK_INT(file_mode(path), 0600);
		clean_dir();
	}

	UNIT_CASE("export_file_half_line_cut_on_open")
	{
		/* an agent killed in the middle of a write left half a line */
		static const char *const left[][2] = {
			{ "{\"a\":1}\n{\"b\":", "{\"a\":1}\n{\"c\":3}\n" },
			{ "{\"b\":", "{\"c\":3}\n" }, /* one unfinished line: emptied */
		};

		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		for (i = 0; i < 2; i++) {
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			CHECK(fd >= 0);
			CHECK(write(fd, left[i][0], strlen(left[i][0])) ==
			      (ssize_t)strlen(left[i][0]));
			close(fd);
			f = hornet_export_file__open(path, 0, 5);
			CHECK(f);
			CHECK_INT(write_str(f, "{\"c\":3}\n"), 0);
			hornet_export_file__close(f);
			CHECK(content_is(path, left[i][1], strlen(left[i][1])));
		}
		clean_dir();
	}

	UNIT_CASE("export_file_failed_write_leaves_no_half_line")
	{
		/*
		 * A file size limit makes a write stop part-way, as a full disk
		 * does: what it wrote of the lines is cut off again, and the lines
		 * written once there is room again are whole. In a child, for the
		 * limit.
		 */
		int status = -1;
		pid_t pid;

		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct rlimit rl = { 250, RLIM_INFINITY };
			int err;

			signal(SIGXFSZ, SIG_IGN);
			f = hornet_export_file__open(path, 0, 5);
			if (!f || write_str(f, "{\"first\":1}\n") || hornet_export_file__flush(f))
				_exit(2);
			setrlimit(RLIMIT_FSIZE, &rl);
			for (i = 0; i < 4; i++) {
				make_line(line, i, 100);
				write_str(f, line);
			}
			err = hornet_export_file__flush(f);
			/* the four lines of the failed flush are counted lost */
			if (err != -EFBIG || hornet_export_file__errors(f) != 1 ||
			    hornet_export_file__lost(f) != 4 ||
			    hornet_export_file__last_error(f) != -EFBIG)
				_exit(3);
			rl.rlim_cur = RLIM_INFINITY;
			setrlimit(RLIMIT_FSIZE, &rl);
			if (write_str(f, "{\"last\":1}\n") || hornet_export_file__flush(f))
				_exit(4);
			hornet_export_file__close(f);
			_exit(0);
		}
		CHECK(pid > 0);
		if (pid > 0)
			waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK(content_is(path, "{\"first\":1}\n{\"last\":1}\n", 23));
		clean_dir();
	}

	UNIT_CASE("export_file_symlink_refused")
	{
		const char *target = in_dir("target");

		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		CHECK(fd >= 0);
		close(fd);
		CHECK_INT(symlink(target, path), 0);
		errno = 0;
		f = hornet_export_file__open(path, 0, 5);
		CHECK(!f);
		CHECK_INT(errno, ELOOP);
		hornet_export_file__close(f);
		/* the target is untouched */
		CHECK_INT(file_mode(target), 0644);
		CHECK(content_is(target, "", 0));
		/* a dangling symlink is not followed to create a file either */
		unlink(target);
		f = hornet_export_file__open(path, 0, 5);
		CHECK(!f);
		hornet_export_file__close(f);
		CHECK(!exists(target));
		clean_dir();
	}

	UNIT_CASE("export_file_directory_refused")
	{
		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		CHECK_INT(mkdir(path, 0700), 0);
		errno = 0;
		f = hornet_export_file__open(path, 0, 5);
		CHECK(!f);
		CHECK(errno != 0);
		hornet_export_file__close(f);
		clean_dir();
	}

	UNIT_CASE("export_file_fifo_refused")
	{
		/*
		 * A FIFO at the path is not a regular file: opening it must fail,
		 * not block the agent until a reader appears. Tried in a child with a
		 * deadline so a hang shows as a failure.
		 */
		int status = 0;
		pid_t pid;

		snprintf(path, sizeof(path), "%s", in_dir("events.json"));
		CHECK_INT(mkfifo(path, 0600), 0);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			alarm(2);
			f = hornet_export_file__open(path, 0, 5);
			_exit(f ? 1 : 0);
		}
		CHECK(pid > 0);
		if (pid > 0) {
			waitpid(pid, &status, 0);
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
				UNIT_FAIL("hornet_export_file__open() blocked on a FIFO");
			else
				CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		clean_dir();
	}

	UNIT_CASE("export_file_directory_removed")
	{
		char sub[PATH_MAX], file[PATH_MAX + 16];
		int err = 0, errors_seen = 0;
		size_t len;

		snprintf(sub, sizeof(sub), "%s/sub", dir);
		snprintf(file, sizeof(file), "%s/events.json", sub);
		CHECK_INT(mkdir(sub, 0700), 0);
		f = hornet_export_file__open(file, 1000, 3);
		CHECK(f);
		for (i = 0; f && i < 5; i++) {
			len = make_line(line, i, 100);
			CHECK_INT(hornet_export_file__write(f, line, len), 0);
		}
		CHECK_INT(unlink(file), 0);
		CHECK_INT(rmdir(sub), 0);
		/* the next rotation cannot make a new file: an error, every time after */
		for (i = 5; f && i < 100; i++) {
			len = make_line(line, i, 100);
			err = hornet_export_file__write(f, line, len);
			if (err)
				errors_seen++;
		}
		CHECK(errors_seen > 0);
		CHECK(err < 0);
		CHECK_INT(err, -ENOENT);
		CHECK(f && hornet_export_file__errors(f) > 0);
		if (f) {
			hornet_export_file__flush(f);
			hornet_export_file__close(f);
		}
		CHECK(!exists(sub));
	}

	UNIT_CASE("export_file_removed_then_back")
	{
		/*
		 * The file's directory removed under an open file: the next flush
		 * sees the file gone, counts its lines lost instead of writing
		 * them where nobody reads, and once the directory is back (the
		 * open is tried again after a second) writes into a new file.
		 */
		char sub[PATH_MAX], file[PATH_MAX + 16];

		snprintf(sub, sizeof(sub), "%s/back", dir);
		snprintf(file, sizeof(file), "%s/events.json", sub);
		CHECK_INT(mkdir(sub, 0700), 0);
		f = hornet_export_file__open(file, 0, 0);
		CHECK(f);
		if (f) {
			CHECK_INT(write_str(f, "{\"a\":1}\n"), 0);
			CHECK_INT(hornet_export_file__flush(f), 0);
			CHECK_INT(unlink(file), 0);
			CHECK_INT(rmdir(sub), 0);
			for (i = 0; i < 3; i++)
				CHECK_INT(write_str(f, "{\"gone\":1}\n"), 0);
			CHECK_INT(hornet_export_file__flush(f), -ENOENT);
			CHECK_INT(hornet_export_file__lost(f), 3);
			CHECK_INT(hornet_export_file__last_error(f), -ENOENT);
			/* still gone: counted line by line */
			CHECK_INT(write_str(f, "{\"gone\":2}\n"), -ENOENT);
			CHECK_INT(hornet_export_file__lost(f), 4);
			CHECK_INT(mkdir(sub, 0700), 0);
			usleep(1100 * 1000);
			CHECK_INT(write_str(f, "{\"back\":1}\n"), 0);
			CHECK_INT(hornet_export_file__flush(f), 0);
			CHECK_INT(hornet_export_file__last_error(f), 0);
			CHECK_INT(hornet_export_file__lost(f), 4);
			hornet_export_file__close(f);
			CHECK(content_is(file, "{\"back\":1}\n", 11));
		}
		unlink(file);
		rmdir(sub);
	}

	UNIT_CASE("export_file_rotation_by_time_compressed")
	{
		/*
		 * --export-file-rotation-interval with --export-file-compress:
		 * the interval rotates a file with lines in it (not an empty
		 * one), the rotated file becomes FILE.1.gz, mode 0600, whose
		 * gunzipped content is the lines; the next one pushes it to
		 * FILE.2.gz and the oldest past max_backups goes.
		 */
		char gz[PATH_MAX + 16], buf[256];
		uint64_t now = 0;
		struct stat st;

		snprintf(path, sizeof(path), "%s", in_dir("timed.json"));
		f = hornet_export_file__open(path, 0, 2);
		CHECK(f);
		if (f) {
			hornet_export_file__set_rotation(f, 1000000, true); /* 1 ms */
			usleep(2000);
			CHECK_INT(hornet_export_file__tick(f, UINT64_MAX / 2), 0);
			CHECK_INT(hornet_export_file__rotations(f), 0); /* empty: kept */
			for (i = 0; i < 3; i++) {
				snprintf(line, sizeof(line), "{\"round\":%u}\n", i);
				CHECK_INT(write_str(f, line), 0);
				now = UINT64_MAX / 2 + (i + 1) * 1000000000ULL;
				CHECK_INT(hornet_export_file__tick(f, now), 0);
			}
			CHECK_INT(hornet_export_file__rotations(f), 3);
			CHECK_INT(hornet_export_file__compress_errors(f), 0);
			snprintf(gz, sizeof(gz), "%s.1", path);
			CHECK(!exists(gz));
			snprintf(gz, sizeof(gz), "%s.3.gz", path);
			CHECK(!exists(gz));
			snprintf(gz, sizeof(gz), "%s.1.gz", path);
			CHECK_INT(stat(gz, &st), 0);
			CHECK_INT(st.st_mode & 0777, 0600);
			CHECK_STR(gunzip(gz, buf, sizeof(buf)), "{\"round\":2}\n");
			snprintf(gz, sizeof(gz), "%s.2.gz", path);
			CHECK_STR(gunzip(gz, buf, sizeof(buf)), "{\"round\":1}\n");
			/* before the interval: no rotation */
			CHECK_INT(write_str(f, "{\"a\":1}\n"), 0);
			CHECK_INT(hornet_export_file__tick(f, now + 1), 0);
			CHECK_INT(hornet_export_file__rotations(f), 3);
			hornet_export_file__close(f);
		}
	}

	clean_dir();
	rmdir(dir);
	UNIT_EXIT();
}
