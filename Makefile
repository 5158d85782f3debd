# uffdwp-trace: eBPF tracing and verification for userfaultfd write-protection.
#
#   make setup     install build/test dependencies and kernel images (Debian 12, root)
#   make           build/uffdwp-trace and build/uffdwp-vmtest (static)
#   make check     run every test (prints "N passed, N failed, N skipped")
#   make bench     side-by-side measurements, written to build/bench.json
#   make sanitize  unit tests and golden replays built with ASan+UBSan (build/asan)
#   make analyze   clang-tidy (.clang-tidy) and scan-build over src/; a finding fails
#   make fuzz      each libFuzzer harness (tests/fuzz) FUZZ_SECONDS (60), in build/fuzz;
#                  make fuzz-long: FUZZ_LONG_SECONDS (3600) each
#   make fuzz-vm   uffdwp-fuzz in QEMU on each of FUZZ_VM_KERNELS for FUZZ_VM_SECONDS (600)
#                  with FUZZ_VM_SEED (1), outside CI; results in build/fuzz-vm
#   make vmlinux   regenerate vmlinux/$(ARCH)/vmlinux.h from the running kernel's BTF
#   make install   the tools, scenarios, expected table, man pages and bash completion
#                  into DESTDIR/PREFIX (/usr/local; the Debian package: PREFIX=/usr)
#   make help      this list and the variables
# Variables: CC, CFLAGS (default -O2 -g), CPPFLAGS, EXTRA_CFLAGS, EXTRA_LDFLAGS, OUTPUT, V=1,
# PREFIX, DESTDIR, CLANG_TIDY, SCAN_BUILD, FUZZ_SECONDS, FUZZ_LONG_SECONDS, FUZZ_VM_SECONDS,
# FUZZ_VM_SEED, FUZZ_VM_KERNELS;
# e.g. make CFLAGS=-O0, make EXTRA_CFLAGS=-Werror (CI).
include tools.mk

OUTPUT  ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
# Where install puts what uffdwp-vmtest reads; it looks there relative to its own
# directory (INSTALLED_* in src/vmtest/vmtest.h must agree).
BINDIR      := $(PREFIX)/bin
LIBEXECDIR  := $(PREFIX)/libexec/uffdwp-trace
DATADIR     := $(PREFIX)/share/uffdwp-trace
MAN8DIR     := $(PREFIX)/share/man/man8
COMPLETIONDIR := $(PREFIX)/share/bash-completion/completions

# The include paths stay apart from CFLAGS (as bcc libbpf-tools' Makefile keeps
# INCLUDES), so overriding CFLAGS changes flags, never what the build can find.
INCLUDES := -Isrc -I$(OUTPUT) $(LIBBPF_CFLAGS)
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ALL_CFLAGS := $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -D_GNU_SOURCE $(INCLUDES) $(EXTRA_CFLAGS)
# The tools run in a bare initramfs: static, unless a sanitizer build says otherwise.
STATIC  ?= -static
ALL_LDFLAGS := $(LDFLAGS) $(STATIC) $(EXTRA_LDFLAGS)

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	      -Ivmlinux/$(ARCH) -Isrc -Ibpf

# The checker, model and reporting: plain C, no libbpf, shared by the tracer,
# replay and the unit tests.
CORE_SRCS    := $(wildcard src/model/*.c src/pipeline/*.c src/report/*.c)
CORE_OBJS    := $(CORE_SRCS:%.c=$(OUTPUT)/%.o)
LOADER_SRCS  := $(wildcard src/cli/*.c src/loader/*.c)
LOADER_OBJS  := $(LOADER_SRCS:%.c=$(OUTPUT)/%.o)
VMTEST_SRCS  := $(wildcard src/vmtest/*.c)
VMTEST_OBJS  := $(VMTEST_SRCS:%.c=$(OUTPUT)/%.o)
# Every bpf/*.bpf.c is compiled on its own and all are linked into the one
# object (and skeleton, struct uffdwp) that the loader opens.  uffdwp.bpf.c,
# which defines the shared maps, goes first: libbpf's linker keeps the .maps
# BTF offset of the first object that names a map, extern or not.
BPF_SRCS     := bpf/uffdwp.bpf.c $(filter-out bpf/uffdwp.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_OBJS     := $(BPF_SRCS:bpf/%.bpf.c=$(OUTPUT)/%.tmp.bpf.o)
SKELS        := $(OUTPUT)/uffdwp.skel.h
SCENARIOS    := $(patsubst tests/scenarios/%.c,$(OUTPUT)/scenarios/%,$(wildcard tests/scenarios/*.c))
BENCH_PROGS  := $(patsubst tests/bench/%.c,$(OUTPUT)/bench/%,$(wildcard tests/bench/*.c)) \
		$(OUTPUT)/bench/bpf-floor
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(OUTPUT)/helpers/%,$(wildcard tests/helpers/*.c))
UNIT_TESTS   := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))
HDRS         := $(wildcard src/*.h src/*/*.h)

# uffdwp-fuzz: the differential fuzzer, a guest program like the scenarios (it uses
# scenario.h); its sequence code (seq.c) is plain C the unit tests link too.
SEQFUZZ_SRCS := $(wildcard src/seqfuzz/*.c)
TOOLS := $(OUTPUT)/uffdwp-trace $(if $(VMTEST_SRCS),$(OUTPUT)/uffdwp-vmtest $(OUTPUT)/uffdwp-fuzz)

.PHONY: all setup check bench install clean vmlinux scenarios unit sanitize help
all: $(TOOLS) scenarios $(BENCH_PROGS) $(TEST_HELPERS)

$(OUTPUT) $(OUTPUT)/src/cli $(OUTPUT)/src/loader $(OUTPUT)/src/model $(OUTPUT)/src/pipeline $(OUTPUT)/src/report $(OUTPUT)/src/vmtest $(OUTPUT)/src/seqfuzz $(OUTPUT)/scenarios $(OUTPUT)/bench $(OUTPUT)/helpers $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# BPF: compile each file, link them with bpftool (BPF static linking: resolves
# the extern maps, knobs and pgtable_walk(), .rodata/.bss; strips DWARF), skeleton.
$(OUTPUT)/%.tmp.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) src/event.h src/bpf_config.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUTPUT)/uffdwp.bpf.o: $(BPF_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^
$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

$(OUTPUT)/src/%.o: src/%.c $(HDRS) $(SKELS) | $(OUTPUT)/src/cli $(OUTPUT)/src/loader $(OUTPUT)/src/model $(OUTPUT)/src/pipeline $(OUTPUT)/src/report $(OUTPUT)/src/vmtest $(OUTPUT)/src/seqfuzz
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/libuffdwp-core.a: $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUTPUT)/uffdwp-trace: $(LOADER_OBJS) $(OUTPUT)/libuffdwp-core.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(ALL_LDFLAGS) $(LIBBPF_LIBS) -lzstd -o $@

$(OUTPUT)/uffdwp-vmtest: $(VMTEST_OBJS) $(OUTPUT)/libuffdwp-core.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(ALL_LDFLAGS) -o $@

# Scenario programs run inside bare guests: static, one behaviour each.
# The bench workloads are built the same way (they use scenario.h).
GUEST_PROG_CC = $(CC) -O2 -g -Wall -D_GNU_SOURCE -Itests/scenarios -static -pthread
scenarios: $(SCENARIOS)
$(OUTPUT)/scenarios/%: tests/scenarios/%.c $(wildcard tests/scenarios/*.h) | $(OUTPUT)/scenarios
	$(call msg,CC,$@)
	$(Q)$(GUEST_PROG_CC) $< -o $@
$(OUTPUT)/uffdwp-fuzz: $(SEQFUZZ_SRCS) $(wildcard src/seqfuzz/*.h tests/scenarios/*.h) | $(OUTPUT)
	$(call msg,LINK,$@)
	$(Q)$(GUEST_PROG_CC) $(SEQFUZZ_SRCS) -o $@
$(OUTPUT)/bench/%: tests/bench/%.c $(wildcard tests/scenarios/*.h tests/bench/*.h) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(GUEST_PROG_CC) $< -o $@
# The floor under the per-event figures (tests/bench/floor/, make bench's part
# floor): a BPF object and skeleton of its own, and its loader, a host program.
$(OUTPUT)/bench/floor.tmp.bpf.o: tests/bench/floor/floor.bpf.c src/event.h src/bpf_config.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(OUTPUT)/bench/floor.bpf.o: $(OUTPUT)/bench/floor.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^
$(OUTPUT)/bench/floor.skel.h: $(OUTPUT)/bench/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor > $@
$(OUTPUT)/bench/bpf-floor: tests/bench/floor/bpf-floor.c $(OUTPUT)/bench/floor.skel.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(OUTPUT)/bench $< $(ALL_LDFLAGS) $(LIBBPF_LIBS) -o $@
# The shell tests' own helpers (tests/helpers/): host programs.
$(OUTPUT)/helpers/%: tests/helpers/%.c | $(OUTPUT)/helpers
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -D_GNU_SOURCE $(EXTRA_CFLAGS) $< -o $@

unit: $(UNIT_TESTS)
$(OUTPUT)/tests/test_seqfuzz: tests/unit/test_seqfuzz.c src/seqfuzz/seq.c src/seqfuzz/emit.c $(wildcard src/seqfuzz/*.h tests/unit/*.h) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -DSCENARIOS_DIR='"$(abspath tests/scenarios)"' $< \
		src/seqfuzz/seq.c src/seqfuzz/emit.c $(EXTRA_LDFLAGS) -o $@
# The console parser is the runner's, outside the core library.
$(OUTPUT)/tests/test_console: tests/unit/test_console.c src/vmtest/console.c src/vmtest/util.c src/vmtest/expect.c $(OUTPUT)/libuffdwp-core.a $(wildcard tests/unit/*.h src/vmtest/*.h) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(filter %.c,$^) $(OUTPUT)/libuffdwp-core.a $(EXTRA_LDFLAGS) -o $@
# The loader's skip arithmetic, apart from libbpf.
$(OUTPUT)/tests/test_skips: tests/unit/test_skips.c src/loader/skips.c src/loader/skips.h $(wildcard tests/unit/*.h) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(filter %.c,$^) $(EXTRA_LDFLAGS) -o $@
# test_checker's cases are in tests/unit/checker_*.c, linked into the one program.
$(OUTPUT)/tests/test_checker: tests/unit/test_checker.c $(wildcard tests/unit/checker_*.c) $(OUTPUT)/libuffdwp-core.a $(wildcard tests/unit/*.h) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(filter %.c,$^) $(OUTPUT)/libuffdwp-core.a $(EXTRA_LDFLAGS) -o $@
$(OUTPUT)/tests/%: tests/unit/%.c $(OUTPUT)/libuffdwp-core.a $(wildcard tests/unit/*.h) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $< $(OUTPUT)/libuffdwp-core.a $(EXTRA_LDFLAGS) -o $@

setup:
	$(Q)./vm/setup.sh

help:
	$(Q)sed -n '2,/^include/p' Makefile | sed -e '/^include/d' -e 's/^# \{0,1\}//'

# The core (model, pipeline, report), the unit tests and the tracer with
# ASan+UBSan, dynamically linked (ASan cannot be static), in their own OUTPUT.
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
sanitize:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/asan STATIC= CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="$(SANITIZE_FLAGS) $(EXTRA_CFLAGS)" \
		EXTRA_LDFLAGS="$(SANITIZE_FLAGS) $(EXTRA_LDFLAGS)" unit $(OUTPUT)/asan/uffdwp-trace

# make analyze: clang-tidy (.clang-tidy) over the host C in src/, and
# scan-build over a build of the same objects in their own OUTPUT; any
# finding fails.  Both need the generated skeleton the loader includes.
# libbpf's headers are user headers there (a bpf/ symlink on the -I path):
# the analyzer assumes a function declared in a system header frees nothing,
# and so took the skeleton bpftool generates (freed by
# bpf_object__destroy_skeleton) for a leak.
CLANG_TIDY   ?= clang-tidy
SCAN_BUILD   ?= scan-build-14
ANALYZE_JOBS ?= $(shell nproc)
ANALYZE_OUT  := $(OUTPUT)/analyze
# uffdwp-fuzz is a guest program on tests/scenarios/scenario.h: analysed like the rest.
ANALYZE_FLAGS := -I$(ANALYZE_OUT)/include -Itests/scenarios
HOST_SRCS    := $(CORE_SRCS) $(LOADER_SRCS) $(VMTEST_SRCS) $(SEQFUZZ_SRCS)
.PHONY: analyze analyze-tidy analyze-scan objs
analyze: analyze-tidy analyze-scan
$(ANALYZE_OUT)/include/bpf:
	$(Q)mkdir -p $(@D) && ln -sfn $(shell $(PKG_CONFIG) --variable=includedir libbpf 2>/dev/null || echo /usr/include)/bpf $@
analyze-tidy: $(SKELS) $(ANALYZE_OUT)/include/bpf
	$(call msg,TIDY,$(words $(HOST_SRCS)) files in src/)
	$(Q)printf '%s\n' $(HOST_SRCS) | xargs -P$(ANALYZE_JOBS) -n1 bash -c \
		'$(CLANG_TIDY) --quiet "$$0" -- $(WARNINGS) -D_GNU_SOURCE $(INCLUDES) $(ANALYZE_FLAGS) 2>&1 | \
		 { grep -v "^[0-9]* warnings\? generated\.$$" || :; }; exit $${PIPESTATUS[0]}' \
		|| { echo "clang-tidy: findings above" >&2; exit 1; }
# CC is handed on explicitly: scan-build puts its wrapper in the environment,
# which a CC= given to this make would override.
analyze-scan: $(ANALYZE_OUT)/include/bpf
	$(call msg,SCAN,$(ANALYZE_OUT))
	$(Q)rm -rf $(ANALYZE_OUT)/src
	$(Q)$(SCAN_BUILD) --status-bugs --use-cc=$(CLANG) -o $(ANALYZE_OUT)/report \
		sh -c '$(MAKE) --no-print-directory OUTPUT=$(ANALYZE_OUT) CC="$$CC" \
		EXTRA_CFLAGS="$(ANALYZE_FLAGS)" objs'
objs: $(CORE_OBJS) $(LOADER_OBJS) $(VMTEST_OBJS) $(SEQFUZZ_SRCS:%.c=$(OUTPUT)/%.o)

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) over the core built with
# ASan+UBSan by clang, in their own OUTPUT.  make fuzz runs each for
# FUZZ_SECONDS (60), make fuzz-long for FUZZ_LONG_SECONDS (3600); a crash
# fails, and its input is kept in $(OUTPUT)/fuzz/crashes.
FUZZ_SECONDS      ?= 60
FUZZ_LONG_SECONDS ?= 3600
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
FUZZERS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzzers/%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzz-long fuzz-build fuzzers
fuzzers: $(FUZZERS)
$(OUTPUT)/fuzzers/%: tests/fuzz/%.c $(OUTPUT)/libuffdwp-core.a $(wildcard tests/unit/*.h)
	$(call msg,FUZZER,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/unit $< $(OUTPUT)/libuffdwp-core.a \
		$(EXTRA_LDFLAGS) -o $@
fuzz-build:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/fuzz CC=$(CLANG) STATIC= CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="$(FUZZ_FLAGS) $(EXTRA_CFLAGS)" \
		EXTRA_LDFLAGS="$(FUZZ_FLAGS) $(EXTRA_LDFLAGS)" fuzzers
fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh
fuzz-long: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) ./tests/fuzz/run.sh

# The differential fuzzer's long runs, outside CI (make check runs tests/vm/fuzz.sh, a
# small smoke): uffdwp-vmtest --fuzz FUZZ_VM_SECONDS (600) --seed FUZZ_VM_SEED (1) on each
# kernel of FUZZ_VM_KERNELS (debian-VER from the cache, else ../shared/kernels/NAME.bzImage);
# each run's sequences and programs in $(OUTPUT)/fuzz-vm/NAME, its output in NAME.log.
FUZZ_VM_SECONDS ?= 600
FUZZ_VM_SEED    ?= 1
FUZZ_VM_KERNELS ?= bad-A bad-C bad-E debian-6.1 debian-6.12 debian-7.3
.PHONY: fuzz-vm
fuzz-vm: all
	$(Q)for k in $(FUZZ_VM_KERNELS); do \
		case $$k in debian-*) img="--debian $${k#debian-}" ;; \
			    *) img="--kernel $${UFFDWP_SHARED_KERNELS:-../shared/kernels}/$$k.bzImage" ;; esac; \
		mkdir -p $(OUTPUT)/fuzz-vm/$$k; \
		$(OUTPUT)/uffdwp-vmtest $$img --fuzz $(FUZZ_VM_SECONDS) --seed $(FUZZ_VM_SEED) \
			--fuzz-out $(OUTPUT)/fuzz-vm/$$k > $(OUTPUT)/fuzz-vm/$$k.log 2>&1; \
		echo "$$k: exit $$? ($$(grep -c '^seqfuzz: found' $(OUTPUT)/fuzz-vm/$$k.log) kinds found:" \
		     "$$(sed -n 's/^seqfuzz: found \([^:]*\):.*/\1/p' $(OUTPUT)/fuzz-vm/$$k.log | tr '\n' ' '))"; \
	done

check: all unit sanitize fuzz-build
	$(Q)./tests/run.sh

bench: all
	$(Q)./tests/bench.sh

vmlinux:
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

# What the Debian package ships (debian/rules calls this with PREFIX=/usr).
install: $(TOOLS) $(SCENARIOS)
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/scenarios $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MAN8DIR) $(DESTDIR)$(COMPLETIONDIR)
	$(Q)install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)/
	$(Q)install -m 0755 $(SCENARIOS) $(DESTDIR)$(LIBEXECDIR)/scenarios/
	$(Q)install -m 0644 tests/scenarios/expected.tsv $(DESTDIR)$(DATADIR)/
	$(Q)install -m 0644 man/*.8 $(DESTDIR)$(MAN8DIR)/
	$(Q)install -m 0644 completion/uffdwp-trace completion/uffdwp-vmtest $(DESTDIR)$(COMPLETIONDIR)/

clean:
	$(Q)rm -rf $(OUTPUT)

.DELETE_ON_ERROR:
.SECONDARY:
