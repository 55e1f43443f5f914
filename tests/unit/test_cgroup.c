// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include "unit.h"
#include "process/cgroup.h"

#define ID "4a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef"
#define ID2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define UID "1234abcd-5678-90ab-cdef-1234567890ab"
#define UID_SYSTEMD "1234abcd_5678_90ab_cdef_1234567890ab"

/* Runs hornet_container_id on a string and checks runtime and id. */
static int expect_id(const char *path, enum hornet_runtime want_rt, const char *want_id)
{
	char id[HORNET_CONTAINER_ID_LEN + 1];
	enum hornet_runtime rt;

	memset(id, 'X', sizeof(id));
	rt = hornet_container_id(path, strlen(path), id);
	if (rt != want_rt || strcmp(id, want_id)) {
		printf("    path %s: got %d '%.65s', want %d '%s'\n", path, rt, id, want_rt,
		       want_id);
		return 0;
	}
	return 1;
}

static int expect_uid(const char *path, int want_err, const char *want_uid)
{
	char uid[37];
	int err;

	memset(uid, 'X', sizeof(uid));
	err = hornet_pod_uid(path, strlen(path), uid);
	if (err != want_err || strcmp(uid, want_uid)) {
		printf("    path %s: got %d '%.37s', want %d '%s'\n", path, err, uid, want_err,
		       want_uid);
		return 0;
	}
	return 1;
}

int main(void)
{
	UNIT_CASE("cgroup_runtime_name")
	{
		CHECK_STR(hornet_runtime_name(HORNET_RUNTIME_NONE), "");
		CHECK_STR(hornet_runtime_name(HORNET_RUNTIME_DOCKER), "docker");
		CHECK_STR(hornet_runtime_name(HORNET_RUNTIME_CONTAINERD), "containerd");
		CHECK_STR(hornet_runtime_name(HORNET_RUNTIME_CRIO), "crio");
		CHECK_STR(hornet_runtime_name(HORNET_RUNTIME_PODMAN), "podman");
		CHECK_STR(hornet_runtime_name(HORNET_RUNTIME_UNKNOWN), "unknown");
		CHECK_STR(hornet_runtime_name((enum hornet_runtime)99), "unknown");
	}

	UNIT_CASE("cgroup_docker")
	{
		/* systemd driver */
		CHECK(expect_id("/system.slice/docker-" ID ".scope", HORNET_RUNTIME_DOCKER, ID));
		/* cgroupfs driver */
		CHECK(expect_id("/docker/" ID, HORNET_RUNTIME_DOCKER, ID));
		/* a container running systemd moves itself into a child cgroup */
		CHECK(expect_id("/system.slice/docker-" ID ".scope/init.scope",
				HORNET_RUNTIME_DOCKER, ID));
		/* rootless docker */
		CHECK(expect_id(
			"/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" ID
			".scope",
			HORNET_RUNTIME_DOCKER, ID));
		/* docker in docker: the deepest container wins */
		CHECK(expect_id("/docker/" ID "/docker/" ID2, HORNET_RUNTIME_DOCKER, ID2));
	}

	UNIT_CASE("cgroup_containerd_kubernetes")
	{
		CHECK(expect_id("/kubepods.slice/kubepods-besteffort.slice/"
				"kubepods-besteffort-pod" UID_SYSTEMD ".slice/cri-containerd-" ID
				".scope",
				HORNET_RUNTIME_CONTAINERD, ID));
		CHECK(expect_id("/kubepods.slice/kubepods-pod" UID_SYSTEMD
				".slice/cri-containerd-" ID ".scope",
				HORNET_RUNTIME_CONTAINERD, ID));
		/*
		 * cgroupfs: a bare id, the same for containerd and cri-dockerd, so
		 * the runtime cannot be told from the path.
		 */
		CHECK(expect_id("/kubepods/besteffort/pod" UID "/" ID, HORNET_RUNTIME_UNKNOWN, ID));
		CHECK(expect_id("/kubepods/pod" UID "/" ID, HORNET_RUNTIME_UNKNOWN, ID));
		/* containerd outside Kubernetes: nerdctl with systemd, ctr in a namespace */
		CHECK(expect_id("/system.slice/nerdctl-" ID ".scope", HORNET_RUNTIME_CONTAINERD,
				ID));
		CHECK(expect_id("/default/" ID, HORNET_RUNTIME_UNKNOWN, ID));
	}

	UNIT_CASE("cgroup_crio")
	{
		CHECK(expect_id("/kubepods.slice/kubepods-burstable.slice/"
				"kubepods-burstable-pod" UID_SYSTEMD ".slice/crio-" ID ".scope",
				HORNET_RUNTIME_CRIO, ID));
		CHECK(expect_id("/kubepods.slice/kubepods-burstable.slice/"
				"kubepods-burstable-pod" UID_SYSTEMD ".slice/crio-" ID
				".scope/container",
				HORNET_RUNTIME_CRIO, ID));
		/* cgroupfs */
		CHECK(expect_id("/kubepods/burstable/pod" UID "/crio-" ID, HORNET_RUNTIME_CRIO,
				ID));
		/* conmon is the runtime's monitor, not the container */
		CHECK(expect_id("/kubepods.slice/kubepods-burstable.slice/"
				"kubepods-burstable-pod" UID_SYSTEMD ".slice/crio-conmon-" ID
				".scope",
				HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/kubepods/burstable/pod" UID "/crio-conmon-" ID,
				HORNET_RUNTIME_NONE, ""));
	}

	UNIT_CASE("cgroup_podman")
	{
		CHECK(expect_id("/machine.slice/libpod-" ID ".scope", HORNET_RUNTIME_PODMAN, ID));
		CHECK(expect_id("/machine.slice/libpod-" ID ".scope/container",
				HORNET_RUNTIME_PODMAN, ID));
		/* a podman pod */
		CHECK(expect_id("/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID
				".scope",
				HORNET_RUNTIME_PODMAN, ID));
		/* rootless */
		CHECK(expect_id(
			"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID
			".scope",
			HORNET_RUNTIME_PODMAN, ID));
		CHECK(expect_id("/user.slice/user-1000.slice/user@1000.service/user.slice/"
				"libpod-" ID ".scope/container",
				HORNET_RUNTIME_PODMAN, ID));
		/* cgroupfs */
		CHECK(expect_id("/libpod_parent/libpod-" ID, HORNET_RUNTIME_PODMAN, ID));
		/* conmon */
		CHECK(expect_id("/machine.slice/libpod-conmon-" ID ".scope", HORNET_RUNTIME_NONE,
				""));
		CHECK(expect_id("/user.slice/user-1000.slice/user@1000.service/user.slice/"
				"libpod-conmon-" ID ".scope",
				HORNET_RUNTIME_NONE, ""));
	}

	UNIT_CASE("cgroup_not_a_container")
	{
		CHECK(expect_id("/user.slice/user-0.slice/session-1.scope", HORNET_RUNTIME_NONE,
				""));
		CHECK(expect_id("/system.slice/sshd.service", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("//", HORNET_RUNTIME_NONE, ""));
		/* a pod cgroup itself is not a container */
		CHECK(expect_id("/kubepods/besteffort/pod" UID, HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/machine.slice/machine-libpod_pod_" ID2 ".slice",
				HORNET_RUNTIME_NONE, ""));
	}

	UNIT_CASE("cgroup_bad_ids_rejected")
	{
		char upper[] = "/docker/" ID, nonhex[] = "/docker/" ID;

		upper[8 + 10] = 'A';
		CHECK(expect_id(upper, HORNET_RUNTIME_NONE, ""));
		nonhex[8 + 63] = 'g';
		CHECK(expect_id(nonhex, HORNET_RUNTIME_NONE, ""));
		/* 63 and 65 digits, and the short ids "docker ps" shows */
		CHECK(expect_id("/docker/" ID "0", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/system.slice/docker-4a1b2c3d4e5f.scope", HORNET_RUNTIME_NONE,
				""));
		{
			char short_id[] = "/system.slice/docker-" ID ".scope";

			memmove(short_id + 21 + 63, short_id + 21 + 64, sizeof(".scope"));
			CHECK(expect_id(short_id, HORNET_RUNTIME_NONE, ""));
		}
		CHECK(expect_id("/system.slice/docker-" ID "x.scope", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/system.slice/docker-.scope", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/system.slice/dockerd-" ID ".scope", HORNET_RUNTIME_NONE, ""));
		CHECK(expect_id("/system.slice/" ID "docker-.scope", HORNET_RUNTIME_NONE, ""));
		/* a rejected deeper component does not hide a good one above it */
		CHECK(expect_id("/docker/" ID "/sub-" ID2 "x", HORNET_RUNTIME_DOCKER, ID));
	}

	UNIT_CASE("cgroup_respects_len")
	{
		const char *p = "/system.slice/docker-" ID ".scope";
		char id[HORNET_CONTAINER_ID_LEN + 1];
		char buf[128];

		/* cut inside the id: not a container */
		CHECK_INT(hornet_container_id(p, 60, id), HORNET_RUNTIME_NONE);
		CHECK_STR(id, "");
		/* not NUL-terminated: only len bytes count */
		memset(buf, 'a', sizeof(buf));
		memcpy(buf, "/docker/" ID, 8 + 64);
		CHECK_INT(hornet_container_id(buf, 8 + 64, id), HORNET_RUNTIME_DOCKER);
		CHECK_STR(id, ID);
		CHECK_INT(hornet_container_id(buf, 8 + 65, id), HORNET_RUNTIME_NONE);
		/* zero padding after the path ends it */
		memset(buf, 0, sizeof(buf));
		memcpy(buf, "/docker/" ID, 8 + 64);
		CHECK_INT(hornet_container_id(buf, sizeof(buf), id), HORNET_RUNTIME_DOCKER);
		CHECK_STR(id, ID);
		CHECK_INT(hornet_container_id(NULL, 0, id), HORNET_RUNTIME_NONE);
		CHECK_STR(id, "");
	}

	UNIT_CASE("cgroup_pod_uid")
	{
		/* systemd driver: '_' turned back into '-' */
		CHECK(expect_uid("/kubepods.slice/kubepods-besteffort.slice/"
				 "kubepods-besteffort-pod" UID_SYSTEMD ".slice/cri-containerd-" ID
				 ".scope",
				 0, UID));
		CHECK(expect_uid("/kubepods.slice/kubepods-pod" UID_SYSTEMD ".slice/crio-" ID
				 ".scope",
				 0, UID));
		/* the pod of a conmon scope is still known */
		CHECK(expect_uid("/kubepods.slice/kubepods-burstable.slice/"
				 "kubepods-burstable-pod" UID_SYSTEMD ".slice/crio-conmon-" ID
				 ".scope",
				 0, UID));
		/* cgroupfs driver */
		CHECK(expect_uid("/kubepods/besteffort/pod" UID "/" ID, 0, UID));
		CHECK(expect_uid("/kubepods/pod" UID "/" ID, 0, UID));
		CHECK(expect_uid("/kubepods/burstable/pod" UID, 0, UID));
		/* static pods: the uid is the manifest hash, 32 hex digits */
		CHECK(expect_uid("/kubepods.slice/kubepods-burstable.slice/"
				 "kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice",
				 0, "0123456789abcdef0123456789abcdef"));
		CHECK(expect_uid("/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" ID, 0,
				 "0123456789abcdef0123456789abcdef"));
	}

	UNIT_CASE("cgroup_pod_uid_absent_or_bad")
	{
		CHECK(expect_uid("/system.slice/docker-" ID ".scope", -ENOENT, ""));
		CHECK(expect_uid("/user.slice/user-0.slice/session-1.scope", -ENOENT, ""));
		CHECK(expect_uid("/kubepods.slice/kubepods-besteffort.slice", -ENOENT, ""));
		CHECK(expect_uid("/kubepods/besteffort/pod1234", -ENOENT, ""));
		CHECK(expect_uid("/kubepods/besteffort/pod" UID "0", -ENOENT, ""));
		CHECK(expect_uid("/kubepods/besteffort/pod1234ABCD-5678-90ab-cdef-1234567890ab",
				 -ENOENT, ""));
		/* separators in the wrong places */
		CHECK(expect_uid("/kubepods/besteffort/pod1234abcd5-678-90ab-cdef-1234567890ab",
				 -ENOENT, ""));
		/* a systemd slice with the uid's dashes kept is not a layout systemd makes */
		CHECK(expect_uid("/kubepods.slice/kubepods-besteffort-pod" UID ".slice", -ENOENT,
				 ""));
		CHECK(expect_uid("/kubepods.slice/kubepods-besteffort-pod" UID_SYSTEMD, -ENOENT,
				 ""));
		CHECK(expect_uid("", -ENOENT, ""));
		{
			char uid[37];

			/* the uid is cut by len */
			CHECK_INT(hornet_pod_uid("/kubepods/pod" UID, 13 + 30, uid), -ENOENT);
			CHECK_INT(hornet_pod_uid(NULL, 0, uid), -ENOENT);
			CHECK_STR(uid, "");
		}
	}

	UNIT_EXIT();
}
