# Tool discovery, shared by the Makefile and the test scripts.
# Override any of these on the command line: make CLANG=clang-15 BPFTOOL=/usr/local/sbin/bpftool
CLANG      ?= clang
BPFTOOL    ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
CC         ?= cc
PKG_CONFIG ?= pkg-config
QEMU       ?= qemu-system-x86_64

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# libbpf and its dependencies, linked statically so the tool runs in a bare initramfs.
LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS   := $(shell $(PKG_CONFIG) --static --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

# V=1 shows every command.
ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif
