# SPDX-License-Identifier: GPL-2.0
#
# hornet: `make` builds build/hornet; `sudo make run` installs what is
# missing, builds and starts the agent; `sudo make test` runs every suite.

OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
BPF_HDRS := $(wildcard bpf/lib/*.h) $(wildcard include/hornet/*.h)

SRCS := $(shell find src -name '*.c' ! -name main.c | sort)
OBJS := $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(SRCS))
# the page's files, embedded in the binary (scripts/embed-ui.py)
UI_FILES := $(shell find src/web/ui 2>/dev/null | sort)
UI_OBJ := $(OUTPUT)/obj/web_assets.o
MAIN_OBJ := $(OUTPUT)/obj/main.o
LIB := $(OUTPUT)/libhornet.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c) $(wildcard bench/*/*.c)
HELPER_BINS := $(patsubst %.c,$(OUTPUT)/%,$(HELPER_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(CFLAGS) $(WARN) -D_GNU_SOURCE -Iinclude -Isrc -I$(OUTPUT) -I/usr/include/postgresql \
	-DHORNET_VERSION='"$(VERSION)"' -DHORNET_GIT_REV='"$(GIT_REV)"' -MMD -MP
LDLIBS := -lbpf -lelf -lz -lyaml -ljansson -lpcre2-8 -lsqlite3 -lpthread -ldl
BPF_CFLAGS_ANY := -g -O2 -target bpf -Wall -Werror -I$(OUTPUT) -Iinclude -Ibpf
BPF_CFLAGS := $(BPF_CFLAGS_ANY) -D__TARGET_ARCH_$(ARCH)

Q := $(if $(V),,@)
NPROC := $(shell nproc 2>/dev/null || echo 2)

.SECONDARY:
.PHONY: build-tests build-sanitized all deps run test vmtest static unit asan e2e attack fault bench insns \
	fuzz format-check check-arm64 clean bench-peers soak
.DEFAULT_GOAL := all

all: $(OUTPUT)/hornet

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# vmlinux.h is generated from the running kernel's BTF, which every kernel
# hornet supports has (CO-RE needs it anyway); nothing of it is checked in.
$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	@echo "  GEN      $@"
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(OUTPUT)/vmlinux.h | $(OUTPUT)/bpf
	@echo "  BPF      $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	@echo "  SKEL     $@"
	$(Q)$(BPFTOOL) gen skeleton $< name hornet_$* > $@.tmp && mv $@.tmp $@

# The objects that call bpf_loop() (Linux 5.17) are built a second time with
# bounded loops instead; their skeleton carries both and opens the one the
# running kernel takes (bpf/lib/compat.bpf.h, src/util/skel.h).
LOOP_BPF := exec generic net
LOOP_SKELS := $(patsubst %,$(OUTPUT)/%.skel.h,$(LOOP_BPF))

$(OUTPUT)/bpf/%.bounded.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(OUTPUT)/vmlinux.h | $(OUTPUT)/bpf
	@echo "  BPF      $@"
	$(Q)$(CLANG) $(BPF_CFLAGS) -DHORNET_BOUNDED_LOOPS -c $< -o $@

$(LOOP_SKELS): $(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o $(OUTPUT)/bpf/%.bounded.bpf.o \
		scripts/skel-bounded.sh
	@echo "  SKEL     $@"
	$(Q)scripts/skel-bounded.sh $(BPFTOOL) $* $(OUTPUT)/bpf/$*.bpf.o $(OUTPUT)/bpf/$*.bounded.bpf.o $@

# The syscall table of the build machine's architecture, from the C library's headers.
$(OUTPUT)/syscalls.h: | $(OUTPUT)
	@echo "  GEN      $@"
	$(Q)echo '#include <sys/syscall.h>' | $(CC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/\t{ "\1", \2 },/p' | sort > $@.tmp && \
		mv $@.tmp $@

$(OUTPUT)/obj/%.o: src/%.c $(SKELS) $(OUTPUT)/syscalls.h
	@mkdir -p $(dir $@)
	@echo "  CC       $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/web_assets.c: scripts/embed-ui.py $(UI_FILES) | $(OUTPUT)
	@echo "  GEN      $@"
	$(Q)scripts/embed-ui.py src/web/ui $@

$(UI_OBJ): $(OUTPUT)/web_assets.c
	@mkdir -p $(dir $@)
	@echo "  CC       $@"
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJS) $(UI_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/hornet: $(MAIN_OBJ) $(LIB)
	@echo "  LINK     $@"
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

# What the unit tests share (reference UTF-8 decoder, byte printer, random bytes).
UNIT_SUPPORT := tests/unit/support.c tests/unit/support.h tests/unit/unit.h

$(OUTPUT)/tests/support.o: tests/unit/support.c tests/unit/support.h | $(OUTPUT)/tests
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(UNIT_SUPPORT) $(wildcard tests/unit/*.h) $(OUTPUT)/tests/support.o $(LIB) | $(OUTPUT)/tests
	@echo "  TEST     $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(OUTPUT)/tests/support.o $(LIB) $(LDLIBS) -o $@

# The policy compiler's tests link only the policy core, built without the
# BPF skeletons (no clang, bpftool or kernel needed): an archive, so each test
# takes just the objects it uses.
POLICY_CORE_SRCS := $(shell grep -L '\.skel\.h' $(filter-out src/policy/manager.c, \
	$(wildcard src/policy/*.c src/util/*.c src/vocab/*.c src/export/*.c src/process/*.c) \
	src/net/dnsname.c))
POLICY_CORE_LIB := $(OUTPUT)/libhornet-policy.a
POLICY_TESTS := $(OUTPUT)/tests/test_plan $(OUTPUT)/tests/test_compile

$(OUTPUT)/core/%.o: src/%.c $(OUTPUT)/syscalls.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(POLICY_CORE_LIB): $(patsubst src/%.c,$(OUTPUT)/core/%.o,$(POLICY_CORE_SRCS))
	$(Q)rm -f $@ && ar rcs $@ $^

$(POLICY_TESTS): $(OUTPUT)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(POLICY_CORE_LIB) | $(OUTPUT)/tests
	@echo "  TEST     $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(POLICY_CORE_LIB) $(LDLIBS) -o $@

$(OUTPUT)/tests/helpers/% $(OUTPUT)/bench/%: CFLAGS += -O2
# helpers that need a library of their own (linked statically too, for the VM)
HELPER_LIBS_attack_open := -luring

$(OUTPUT)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $< -o $@ $(HELPER_LIBS_$*) -lpthread

# static everywhere: the cheapest exec there is
$(OUTPUT)/tests/helpers/nop: tests/helpers/nop.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -static $< -o $@

$(OUTPUT)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIB) $(LDLIBS) -o $@ -lm

# Sanitized builds: the sources are compiled once with ASan, UBSan and the
# fuzzer's coverage hooks into one library, which the fuzzers (libFuzzer) and
# a second build of the unit tests (make asan) both link.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS := -std=gnu11 -g -O1 $(SAN_FLAGS) $(WARN) -D_GNU_SOURCE -Iinclude -Isrc -I$(OUTPUT) \
	-I/usr/include/postgresql -DHORNET_VERSION='"$(VERSION)"' -DHORNET_GIT_REV='"$(GIT_REV)"'
SAN_OBJS := $(patsubst src/%.c,$(OUTPUT)/asan/obj/%.o,$(SRCS))
SAN_LIB := $(OUTPUT)/asan/libhornet.a
ASAN_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/asan/tests/%,$(UNIT_SRCS))
FUZZ_SECONDS ?= 60

$(OUTPUT)/asan/obj/%.o: src/%.c $(SKELS) $(OUTPUT)/syscalls.h
	@mkdir -p $(dir $@)
	@echo "  CC       $@"
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(SAN_LIB): $(SAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/asan/support.o: tests/unit/support.c tests/unit/support.h
	@mkdir -p $(dir $@)
	$(Q)$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(OUTPUT)/asan/tests/%: tests/unit/%.c $(UNIT_SUPPORT) $(OUTPUT)/asan/support.o $(SAN_LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST     $@ (asan)"
	$(Q)$(CLANG) $(SAN_CFLAGS) -Itests/unit $< $(OUTPUT)/asan/support.o $(SAN_LIB) $(LDLIBS) -o $@

# Fuzzers: libFuzzer from clang, with ASan and UBSan.
$(OUTPUT)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(OUTPUT)/asan/support.o $(SAN_LIB)
	@mkdir -p $(dir $@)
	@echo "  FUZZ     $@"
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer -Itests/unit $< $(OUTPUT)/asan/support.o \
		$(SAN_LIB) $(LDLIBS) -o $@

# Static test helpers for the VM's initramfs (make vmtest). hornet itself goes
# in dynamically linked, with its shared libraries: libcurl has no complete set
# of static dependencies on Debian (Kerberos, LDAP).
STATIC_HELPERS := $(patsubst tests/helpers/%.c,$(OUTPUT)/static/helpers/%,$(wildcard tests/helpers/*.c))

$(OUTPUT)/static/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -static $< -o $@ $(HELPER_LIBS_$*) -lpthread

static: $(STATIC_HELPERS)

# Compile-only check that the tree builds for arm64, from any machine: the BPF
# objects for __TARGET_ARCH_arm64 and the user-space C parsed for
# aarch64-linux-gnu against Debian's libc6-dev-arm64-cross headers (and the
# arch-independent ones of libbpf, libelf, zlib, libyaml, jansson). Nothing
# is linked or run.
ARM64_OUT := $(OUTPUT)/arm64
ARM64_LIBC ?= /usr/aarch64-linux-gnu/include
ARM64_BPF_OBJS := $(patsubst bpf/%.bpf.c,$(ARM64_OUT)/bpf/%.bpf.o,$(BPF_SRCS))
ARM64_SHIM := $(if $(filter arm64,$(ARCH)),,-include bpf/cross/arm64.bpf.h)
ARM64_CFLAGS := --target=aarch64-linux-gnu -fsyntax-only -std=gnu11 $(WARN) -D_GNU_SOURCE \
	-isystem $(ARM64_LIBC) -idirafter /usr/include -Iinclude -Isrc -I$(ARM64_OUT) \
	-I$(OUTPUT) -DHORNET_VERSION='"$(VERSION)"' -DHORNET_GIT_REV='"$(GIT_REV)"' \
	-idirafter $(ARM64_OUT)/include -idirafter /usr/include/postgresql
# libcurl's headers are the same on every architecture, but Debian puts them
# in the build machine's multiarch directory: link them where arm64 looks.
ARM64_CURL := $(firstword $(wildcard /usr/include/curl /usr/include/*-linux-gnu/curl))

$(ARM64_OUT)/include/curl:
	@mkdir -p $(dir $@)
	$(Q)ln -sfn $(ARM64_CURL) $@

$(ARM64_OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) bpf/cross/arm64.bpf.h $(OUTPUT)/vmlinux.h
	@mkdir -p $(dir $@)
	@echo "  BPF      $@"
	$(Q)$(CLANG) $(BPF_CFLAGS_ANY) -D__TARGET_ARCH_arm64 $(ARM64_SHIM) -c $< -o $@

$(ARM64_OUT)/syscalls.h:
	@mkdir -p $(dir $@)
	@test -d $(ARM64_LIBC) || { echo "$(ARM64_LIBC) missing: apt-get install libc6-dev-arm64-cross"; exit 1; }
	@echo "  GEN      $@"
	$(Q)echo '#include <sys/syscall.h>' | $(CLANG) --target=aarch64-linux-gnu -isystem $(ARM64_LIBC) -dM -E - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/\t{ "\1", \2 },/p' | sort > $@.tmp && \
		mv $@.tmp $@

check-arm64: $(ARM64_BPF_OBJS) $(ARM64_OUT)/syscalls.h $(SKELS) $(ARM64_OUT)/include/curl
	@echo "  CHECK    src/ for aarch64-linux-gnu"
	$(Q)for f in $(SRCS) src/main.c; do $(CLANG) $(ARM64_CFLAGS) $$f || exit 1; done

deps:
	$(Q)scripts/deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "hornet: the web page is at the URL the agent logs as 'web page: open http://127.0.0.1:2113/?token=...'"
	$(OUTPUT)/hornet agent --stdout compact --policy-dir policies $(HORNET_ARGS)

build-tests: all $(UNIT_BINS) $(HELPER_BINS)

build-sanitized: $(FUZZ_BINS) $(ASAN_BINS)

# make test builds with every core, and checks that the tree compiles for arm64
test: deps
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) build-tests build-sanitized static check-arm64
	$(Q)scripts/test-all.sh

vmtest: deps
	$(Q)$(MAKE) --no-print-directory static
	$(Q)scripts/vmtest.sh

unit: $(UNIT_BINS)
	$(Q)tests/run unit

e2e: all $(HELPER_BINS)
	$(Q)tests/run e2e

attack: all $(HELPER_BINS)
	$(Q)tests/run attack

fault: all
	$(Q)tests/run fault

# The long variants: fault and attack with HORNET_SOAK=1, the policy and API fuzzers at
# 10,000,000 executions each (scripts/soak.sh; hours)
soak: deps
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) build-tests build-sanitized static
	$(Q)scripts/soak.sh

bench: all $(HELPER_BINS)
	$(Q)bench/run

asan: $(ASAN_BINS)
	$(Q)tests/run asan

# hornet side by side with bpftrace, libbpf-tools, auditd and strace (scripts/bench-deps.sh).
bench-peers: all $(HELPER_BINS)
	$(Q)bench/run peers

# What the verifier and the JIT make of each program the default pack loads.
insns: all
	$(Q)bench/run insns

# Each fuzzer for FUZZ_SECONDS from its seeds (make test gives each a few seconds).
fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run --seconds $(FUZZ_SECONDS)

format-check:
	$(Q)clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT)/obj $(OUTPUT)/core $(OUTPUT)/asan/obj -name '*.d' 2>/dev/null)
