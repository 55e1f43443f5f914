// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "export/file.h"
#include "util/clock.h"

#define BUF_SIZE (256 << 10)
/* seconds between two attempts to open the file again while it cannot be */
#define RECHECK_SEC 1

struct hornet_export_file {
	char *path;
	int fd;
	uint64_t size; /* bytes in the current file, the buffer included */
	uint64_t max_size;
	unsigned int max_backups;
	uint64_t rotations;
	uint64_t errors;
	uint64_t lost; /* lines that could not be written */
	int last_err; /* of the last write, open or flush: 0 or -errno */
	time_t check_at; /* CLOCK_MONOTONIC second of the next attempt to open */
	uint64_t interval_ns; /* rotate this long after the file was started, 0 never */
	uint64_t rotate_at_ns; /* CLOCK_MONOTONIC */
	bool compress; /* gzip rotated files: FILE.1.gz */
	uint64_t compress_errors;
	size_t buffered;
	size_t buf_lines;
	char buf[BUF_SIZE];
};

/*
 * Cuts an unfinished last line off the file (an agent killed in the middle of
 * a write, a disk that was full), so that the lines appended next stay whole
 * and readers never see two lines run into one. Returns the new size.
 */
static off_t cut_half_line(int fd, off_t size)
{
	char buf[4096];
	off_t at = size;
	ssize_t n;

	while (at > 0) {
		n = pread(fd, buf, at > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)at,
			  at > (off_t)sizeof(buf) ? at - (off_t)sizeof(buf) : 0);
		if (n <= 0)
			return size; /* unreadable: leave it as it is */
		while (n > 0 && buf[n - 1] != '\n') {
			n--;
			at--;
		}
		if (n > 0)
			break;
	}
	if (at == size || ftruncate(fd, at))
		return size;
	return at;
}

static int open_file(struct hornet_export_file *f)
{
	struct stat st;

	/* O_NONBLOCK: a FIFO at the path must not block the agent; it is
	 * refused below like any other file that is not a regular one.
	 * O_RDWR: cut_half_line() reads the end of the file. */
	f->fd = open(f->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
		     0600);
	if (f->fd < 0)
		return errno == ENXIO ? -EINVAL : -errno;
	if (fstat(f->fd, &st) || !S_ISREG(st.st_mode)) {
		close(f->fd);
		f->fd = -1;
		return -EINVAL;
	}
	fcntl(f->fd, F_SETFL, O_APPEND);
	/* an existing file may have had looser permissions */
	if ((st.st_mode & 0777) != 0600)
		fchmod(f->fd, 0600);
	f->size = st.st_size ? cut_half_line(f->fd, st.st_size) : 0;
	return 0;
}

struct hornet_export_file *hornet_export_file__open(const char *path, uint64_t max_size,
						    unsigned int max_backups)
{
	struct hornet_export_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return NULL;
	f->path = strdup(path);
	f->max_size = max_size;
	f->max_backups = max_backups;
	if (!f->path) {
		free(f);
		return NULL;
	}
	err = open_file(f);
	if (err) {
		free(f->path);
		free(f);
		errno = -err;
		return NULL;
	}
	return f;
}

/* Writes all of @p; *@done is what went out before a failure. */
static int write_all(int fd, const char *p, size_t n, size_t *done)
{
	ssize_t w;

	*done = 0;
	while (n) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
		*done += w;
	}
	return 0;
}

/*
 * Appends whole lines. A write that fails part-way (the disk is full) is cut
 * back off the file, so that a half line is never left for the next line to
 * continue. Where the lines began is found only then (the end less what was
 * written): an lseek() before every write was a syscall per flush for nothing.
 */
static int write_lines(struct hornet_export_file *f, const char *p, size_t n, size_t lines)
{
	size_t done;
	int err = write_all(f->fd, p, n, &done);
	off_t start;

	f->last_err = err;
	if (err) {
		f->errors++;
		f->lost += lines;
		start = lseek(f->fd, 0, SEEK_END);
		if (start >= (off_t)done) {
			start -= done;
			if (ftruncate(f->fd, start) == 0)
				f->size = start;
		}
	}
	return err;
}

/*
 * The file is opened again when it has gone (removed, or its directory
 * removed: the agent would write on into an unlinked file nobody can read) or
 * when it could not be opened. An fstat() per flush (one per 256 KiB at most
 * under a storm) makes the count of lines not written exact; an open that
 * failed is tried again at most once every RECHECK_SEC, so that a missing
 * directory costs no syscall per event. Returns 0 when the file is open.
 */
static int reopen_if_gone(struct hornet_export_file *f)
{
	struct stat st;
	time_t now;
	int err;

	if (f->fd >= 0) {
		if (fstat(f->fd, &st) || st.st_nlink > 0)
			return 0;
		close(f->fd);
		f->fd = -1;
		f->check_at = 0;
	}
	now = (time_t)(hornet_clock_ns(CLOCK_MONOTONIC) / 1000000000);
	if (now < f->check_at)
		return f->last_err ? f->last_err : -EIO;
	f->check_at = now + RECHECK_SEC;
	err = open_file(f);
	if (err)
		f->errors++;
	else
		f->size += f->buffered; /* to be written there: rotation counts it */
	f->last_err = err;
	return err;
}

/* Drops the buffer, counting its lines as lost. */
static void drop_buffer(struct hornet_export_file *f)
{
	f->lost += f->buf_lines;
	f->buffered = 0;
	f->buf_lines = 0;
}

int hornet_export_file__flush(struct hornet_export_file *f)
{
	int err;

	if (!f->buffered && f->fd >= 0)
		return 0;
	err = reopen_if_gone(f);
	if (err) {
		drop_buffer(f);
		return err;
	}
	if (!f->buffered)
		return 0;
	err = write_lines(f, f->buf, f->buffered, f->buf_lines);
	f->buffered = 0;
	f->buf_lines = 0;
	return err;
}

/*
 * @from (a whole export file) into @to, gzip. The agent's loop waits for it:
 * level 1, the fastest, keeps the wait short (the numbers are in
 * docs/cli.md). Returns 0 or -errno; @to does not remain on failure.
 */
static int gzip_file(const char *from, const char *to)
{
	char buf[64 << 10];
	int in, out, err = 0;
	ssize_t n;
	gzFile gz;

	in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	gz = gzdopen(out, "wb1");
	if (!gz) {
		close(out);
		close(in);
		unlink(to);
		return -ENOMEM;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (gzwrite(gz, buf, n) != n) {
			err = -EIO;
			break;
		}
	}
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	close(in);
	if (err)
		unlink(to);
	return err;
}

/* FILE.@i, or FILE.@i.gz when rotated files are compressed */
static void backup_name(const struct hornet_export_file *f, char *out, size_t size, unsigned int i,
			bool gz)
{
	snprintf(out, size, "%s.%u%s", f->path, i, gz ? ".gz" : "");
}

static int rotate(struct hornet_export_file *f)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned int i;
	int err, ret, gz;

	err = hornet_export_file__flush(f);
	close(f->fd);
	f->fd = -1;
	if (f->max_backups == 0) {
		/* nothing to keep: start the file over */
		if (truncate(f->path, 0) && errno != ENOENT)
			err = err ? err : -errno;
	} else {
		/*
		 * The oldest backup goes first, so that no rename below replaces
		 * a file: ext4 (auto_da_alloc) writes back all of a file renamed
		 * over another one before the rename returns, which made the
		 * agent's thread write out the whole export file at each
		 * rotation; the kernel's flusher writes it out anyway. (If it
		 * cannot be removed, the rename replaces it as before.) Both
		 * names of a backup move, plain and .gz: --export-file-compress
		 * may have changed between two runs.
		 */
		for (gz = 0; gz < 2; gz++) {
			backup_name(f, to, sizeof(to), f->max_backups, gz);
			unlink(to);
		}
		for (i = f->max_backups; i > 1; i--) {
			for (gz = 0; gz < 2; gz++) {
				backup_name(f, from, sizeof(from), i - 1, gz);
				backup_name(f, to, sizeof(to), i, gz);
				if (rename(from, to) && errno != ENOENT)
					err = err ? err : -errno;
			}
		}
		backup_name(f, to, sizeof(to), 1, false);
		if (rename(f->path, to) && errno != ENOENT) {
			err = err ? err : -errno;
		} else if (f->compress) {
			backup_name(f, from, sizeof(from), 1, true);
			ret = gzip_file(to, from);
			if (ret)
				f->compress_errors++; /* the plain FILE.1 stays */
			else
				unlink(to);
		}
	}
	f->rotations++;
	ret = open_file(f);
	return ret ? ret : err;
}

void hornet_export_file__set_rotation(struct hornet_export_file *f, uint64_t interval_ns,
				      bool compress)
{
	f->interval_ns = interval_ns;
	f->compress = compress;
	f->rotate_at_ns = interval_ns ? hornet_clock_ns(CLOCK_MONOTONIC) + interval_ns : 0;
}

int hornet_export_file__tick(struct hornet_export_file *f, uint64_t now_ns)
{
	int err;

	if (!f->interval_ns || now_ns < f->rotate_at_ns)
		return 0;
	if (f->size == 0) {
		/* nothing written: an empty backup would push a full one out */
		f->rotate_at_ns = now_ns + f->interval_ns;
		return 0;
	}
	f->rotate_at_ns = now_ns + f->interval_ns;
	err = rotate(f);
	if (err) {
		f->errors++;
		f->last_err = err;
	}
	return err;
}

uint64_t hornet_export_file__compress_errors(const struct hornet_export_file *f)
{
	return f->compress_errors;
}

int hornet_export_file__write(struct hornet_export_file *f, const char *line, size_t len)
{
	int err;

	if (f->fd < 0) {
		/* a failed rotation or a missing directory left no file open */
		err = reopen_if_gone(f);
		if (err) {
			f->lost++;
			return err;
		}
	}
	if (f->max_size && f->size > 0 && f->size + len > f->max_size) {
		err = rotate(f);
		if (err)
			f->errors++;
		if (f->fd < 0) {
			f->last_err = err;
			drop_buffer(f);
			f->lost++;
			return err;
		}
	}
	if (f->buffered + len > BUF_SIZE) {
		err = hornet_export_file__flush(f);
		if (err) {
			f->lost++;
			return err;
		}
	}
	if (len > BUF_SIZE) {
		err = reopen_if_gone(f);
		if (err) {
			f->lost++;
			return err;
		}
		err = write_lines(f, line, len, 1);
		if (err)
			return err;
	} else {
		memcpy(f->buf + f->buffered, line, len);
		f->buffered += len;
		f->buf_lines++;
	}
	f->size += len;
	return 0;
}

void hornet_export_file__close(struct hornet_export_file *f)
{
	if (!f)
		return;
	hornet_export_file__flush(f);
	if (f->fd >= 0) {
		fsync(f->fd);
		close(f->fd);
	}
	free(f->path);
	free(f);
}

uint64_t hornet_export_file__rotations(const struct hornet_export_file *f)
{
	return f->rotations;
}

uint64_t hornet_export_file__errors(const struct hornet_export_file *f)
{
	return f->errors;
}

uint64_t hornet_export_file__lost(const struct hornet_export_file *f)
{
	return f->lost;
}

int hornet_export_file__last_error(const struct hornet_export_file *f)
{
	return f->last_err;
}
