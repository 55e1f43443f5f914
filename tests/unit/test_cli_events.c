// SPDX-License-Identifier: GPL-2.0
/*
 * `hornet events --input FILE` on a file the agent is still writing: the
 * last line may be unfinished. It is left alone, and with --follow printed
 * once its rest arrives, also across a rotation of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "cli/cli.h"

#define L1 "{\"process_exec\":{\"process\":{\"pid\":11,\"binary\":\"/bin/a\"}}}"
#define L2 "{\"process_exit\":{\"process\":{\"pid\":22,\"binary\":\"/bin/b\"}}}"
#define L3 "{\"process_exec\":{\"process\":{\"pid\":33,\"binary\":\"/bin/c\"}}}"
#define L4 "{\"process_exec\":{\"process\":{\"pid\":44,\"binary\":\"/bin/d\"}}}"
#define L5 "{\"process_exit\":{\"process\":{\"pid\":5}}}"
#define HALF 20 /* where L2 is cut */

static char dir[64], path[PATH_MAX], rotated[PATH_MAX + 8];

static bool put_file(const char *p, const char *text, int flags)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
	bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Starts `hornet events --input path ARGS` in a child writing to a pipe. */
static pid_t start(int *out, const char *extra)
{
	char *argv[] = { "events", "--input", path, (char *)extra, NULL };
	int pfd[2], null;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO); /* what it says is checked by the exit status */
		close(pfd[0]);
		_exit(hornet_cmd_events(extra ? 4 : 3, argv));
	}
	close(pfd[1]);
	*out = pfd[0];
	return pid;
}

/* Reads from @fd until @want has come (true) or @ms pass; appends to @got. */
static bool read_until(int fd, char *got, size_t size, const char *want, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = strlen(got);
	ssize_t n;

	while (!strstr(got, want) && len + 1 < size) {
		if (poll(&p, 1, ms) <= 0)
			return false;
		n = read(fd, got + len, size - len - 1);
		if (n <= 0)
			return false;
		len += n;
		got[len] = '\0';
	}
	return strstr(got, want) != NULL;
}

/* Runs without --follow to the end; returns the exit status, output in @got. */
static int run(char *got, size_t size)
{
	int fd, status = 0;
	pid_t pid = start(&fd, NULL);

	got[0] = '\0';
	if (pid < 0)
		return -1;
	read_until(fd, got, size, "\n\n" /* never: reads to the end */, 5000);
	close(fd);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	char got[4096];
	int fd, status;
	pid_t pid;

	snprintf(dir, sizeof(dir), "/tmp/hornet-test-events-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/events.json", dir);
	snprintf(rotated, sizeof(rotated), "%s.1", path);

	UNIT_CASE("events_input_half_written_last_line_left_alone")
	{
		char half[sizeof(L2)] = "";

		memcpy(half, L2, HALF);
		CHECK(put_file(path, L1 "\n", O_TRUNC));
		CHECK(put_file(path, half, O_APPEND));
		CHECK_INT(run(got, sizeof(got)), 0);
		CHECK_STR(got, L1 "\n");
	}

	UNIT_CASE("events_input_whole_last_line_without_newline")
	{
		CHECK(put_file(path, L1 "\n" L2, O_TRUNC));
		CHECK_INT(run(got, sizeof(got)), 0);
		CHECK_STR(got, L1 "\n" L2 "\n");
	}

	UNIT_CASE("events_input_bad_line_in_the_middle_fails")
	{
		CHECK(put_file(path, "{\"process_exec\n" L1 "\n", O_TRUNC));
		CHECK_INT(run(got, sizeof(got)), 1);
		CHECK_STR(got, L1 "\n");
	}

	UNIT_CASE("events_follow_waits_for_the_rest_and_rotation")
	{
		got[0] = '\0';
		CHECK(put_file(path, L1 "\n", O_TRUNC));
		pid = start(&fd, "--follow");
		CHECK(pid > 0);
		if (pid > 0) {
			char half[sizeof(L2)] = "";

			CHECK(read_until(fd, got, sizeof(got), L1 "\n", 5000));
			memcpy(half, L2, HALF);
			CHECK(put_file(path, half, O_APPEND));
			/* the half line is not printed, nor taken for a bad one */
			CHECK(!read_until(fd, got, sizeof(got), "pid\":22", 600));
			CHECK(put_file(path, &L2[HALF], O_APPEND));
			CHECK(!read_until(fd, got, sizeof(got), "pid\":22", 400));
			CHECK(put_file(path, "\n", O_APPEND));
			CHECK(read_until(fd, got, sizeof(got), L2 "\n", 5000));
			/* rotation: a last line into the old file, then a new file */
			CHECK(put_file(path, L3 "\n", O_APPEND));
			CHECK_INT(rename(path, rotated), 0);
			CHECK(put_file(path, L4 "\n", O_TRUNC));
			CHECK(read_until(fd, got, sizeof(got), L4 "\n", 5000));
			CHECK_STR(got, L1 "\n" L2 "\n" L3 "\n" L4 "\n");
			/* started over in place (no backups): read from the start */
			CHECK(put_file(path, L5 "\n", O_TRUNC));
			got[0] = '\0';
			CHECK(read_until(fd, got, sizeof(got), L5 "\n", 5000));
			CHECK_STR(got, L5 "\n");
			/* still running: --follow ends only when stopped */
			CHECK_INT(waitpid(pid, &status, WNOHANG), 0);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fd);
		}
	}

	unlink(path);
	unlink(rotated);
	rmdir(dir);
	UNIT_EXIT();
}
