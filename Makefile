# SoftSEAM — set-up and everyday commands. `make demo` and `make test` work on a fresh Debian machine with
# Swift: each installs what is missing first (libxxhash-dev, through apt-get).

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_PACKAGES := libxxhash-dev pkg-config gcc binutils

.PHONY: deps cargo-deps build demo test test-c test-rust lint bench release clean generate traces lib install examples fuzz

## deps: install the Debian packages the build needs, when any is missing
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; \
	fi

## cargo-deps: install Debian's cargo (and rustc) when no cargo is on the PATH — the Rust crates (Bindings/rust)
## and Examples/rust-l1 build with it, offline: they use no external crate
CARGO ?= cargo
cargo-deps:
	@command -v $(CARGO) >/dev/null 2>&1 || { \
	  echo "installing: cargo"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y cargo; \
	}

## build: debug build of everything
build: deps
	$(SWIFT) build

## demo: run the main job on the built-in default scenario
demo: deps
	$(SWIFT) build --product softseam
	.build/debug/softseam demo

## test: the whole test suite — Swift Testing, then the C side (Tests/CABI), the Rust crates, then the
## formatter's lint
test: deps
	$(SWIFT) test
	$(MAKE) --no-print-directory test-c
	$(MAKE) --no-print-directory test-rust
	$(MAKE) --no-print-directory lint

## test-c: libsoftseam from C (and Rust) — installs the release library into a staging prefix, builds Examples/
## and Tests/CABI/*.c with gcc through pkg-config and Examples/rust-l1 with cargo, runs them and checks them
## against the Swift demo L1
test-c: examples
	$(SWIFT) build --product softseam
	Tests/CABI/run.sh $(STAGE) .build/examples .build/debug/softseam

PREFIX ?= /usr/local
STAGE := $(CURDIR)/.build/stage
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
DATADIR = $(PREFIX)/share
HEADER := Sources/CSoftSEAM/include/softseam.h
# One source for the version: softseam.h. ABI_VERSION is the SONAME's number, VERSION the release (ABI.minor.patch).
ABI_VERSION := $(shell sed -n 's/^\#define SOFTSEAM_ABI_VERSION \([0-9]*\).*/\1/p' $(HEADER))
VERSION := $(shell sed -n 's/^\#define SOFTSEAM_VERSION "\([0-9.]*\)".*/\1/p' $(HEADER))
# What `make install` ships: release builds with the Swift runtime (and FoundationEssentials) linked in
# statically, so libsoftseam and the CLI run on a machine without the Swift toolchain (NEEDED: libc, libm,
# libstdc++, libgcc_s, libxxhash), and libsoftseam with its SONAME. A scratch path of their own, so these flags
# do not rebuild the plain release build `make bench` uses.
SHIP_BUILD := .build/ship
SHIP_FLAGS := -c release --scratch-path $(SHIP_BUILD) -Xswiftc -static-stdlib \
  -Xlinker -soname -Xlinker libsoftseam.so.$(ABI_VERSION)

## lib: libsoftseam and the softseam CLI as `make install` ships them (.build/ship/release/libSoftSEAMC.so,
## .build/ship/release/softseam)
lib: deps
	$(SWIFT) build $(SHIP_FLAGS)

## install: under PREFIX (default /usr/local): bin/softseam; lib/libsoftseam.so.VERSION with the links
## libsoftseam.so.ABI_VERSION (the SONAME) and libsoftseam.so; include/softseam.h and softseam_defs.h;
## lib/pkgconfig/softseam.pc; share/softseam/Specs (the tables `softseam conform` reads). Then
## `cc app.c $$(pkg-config --cflags --libs softseam)` works. Binaries are installed stripped.
install: lib
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(DATADIR)/softseam/Specs
	install -m 755 -s $(SHIP_BUILD)/release/softseam $(DESTDIR)$(BINDIR)/softseam
	install -m 755 -s $(SHIP_BUILD)/release/libSoftSEAMC.so $(DESTDIR)$(LIBDIR)/libsoftseam.so.$(VERSION)
	ln -sf libsoftseam.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsoftseam.so.$(ABI_VERSION)
	ln -sf libsoftseam.so.$(ABI_VERSION) $(DESTDIR)$(LIBDIR)/libsoftseam.so
	install -m 644 $(HEADER) Sources/CSoftSEAM/include/softseam_defs.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 Specs/README.md Specs/*.tsv $(DESTDIR)$(DATADIR)/softseam/Specs/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	  softseam.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/softseam.pc

## examples: the C examples and C tests, built with gcc against libsoftseam installed in .build/stage, and
## Examples/rust-l1, built with cargo against the same (.build/examples/rust-l1)
RUST_ENV := PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig CARGO_TARGET_DIR=$(CURDIR)/.build/rust
examples: cargo-deps
	$(MAKE) --no-print-directory install PREFIX=$(STAGE)
	@mkdir -p .build/examples
	@set -e; export PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig; flags="$$(pkg-config --cflags --libs softseam)"; \
	for src in Examples/*/*.c Tests/CABI/*.c; do \
	  [ -e "$$src" ] || continue; \
	  out=.build/examples/$$(basename $$src .c); \
	  echo "gcc $$src -o $$out $$flags"; \
	  gcc -std=c11 -Wall -Wextra -Werror -O2 $$src -o $$out $$flags -lpthread; \
	done
	$(RUST_ENV) $(CARGO) build --offline --manifest-path Examples/rust-l1/Cargo.toml
	cp .build/rust/debug/rust-l1 .build/examples/rust-l1

## test-rust: the Rust crates of Bindings/rust (softseam, tdx-tdcall) against libsoftseam staged in .build/stage
## (found through its softseam.pc): their tests (the C layout probe, the API, misuse, adapter and drop-in tests)
## and their docs, warnings as errors; the same with Debian's cargo (CARGO_DEBIAN) when it is installed and is not
## the cargo on the PATH; rustfmt --check (Bindings/rust/rustfmt.toml) and clippy (warnings as errors) where they
## are installed
CARGO_DEBIAN ?= /usr/bin/cargo
test-rust: examples
	$(RUST_ENV) $(CARGO) test --offline --manifest-path Bindings/rust/Cargo.toml
	$(RUST_ENV) RUSTDOCFLAGS="-D warnings" $(CARGO) doc --offline --no-deps --manifest-path Bindings/rust/Cargo.toml
	@if [ -x "$(CARGO_DEBIAN)" ] && [ "$$($(CARGO_DEBIAN) --version)" != "$$($(CARGO) --version)" ]; then \
	  echo "again with Debian's toolchain ($$($(CARGO_DEBIAN) --version)): the crates' rust-version is 1.63"; \
	  export $(RUST_ENV) CARGO_TARGET_DIR=$(CURDIR)/.build/rust-debian; set -e; \
	  $(CARGO_DEBIAN) test --offline --manifest-path Bindings/rust/Cargo.toml; \
	  RUSTDOCFLAGS="-D warnings" $(CARGO_DEBIAN) doc --offline --no-deps --manifest-path Bindings/rust/Cargo.toml; \
	  $(CARGO_DEBIAN) build --offline --manifest-path Examples/rust-l1/Cargo.toml; \
	fi
	@if $(CARGO) fmt --version >/dev/null 2>&1; then \
	  $(CARGO) fmt --all --check --manifest-path Bindings/rust/Cargo.toml && \
	  $(CARGO) fmt --check --manifest-path Examples/rust-l1/Cargo.toml && echo "rustfmt: clean"; \
	else echo "rustfmt not installed: format check skipped"; fi
	@if $(CARGO) clippy --version >/dev/null 2>&1; then \
	  export $(RUST_ENV); set -e; \
	  $(CARGO) clippy --offline --all-targets --manifest-path Bindings/rust/Cargo.toml -- -D warnings; \
	  $(CARGO) clippy --offline --all-targets --manifest-path Examples/rust-l1/Cargo.toml -- -D warnings; \
	  echo "clippy: clean"; \
	else echo "clippy not installed: lint skipped"; fi

## lint: swift-format lint with the committed .swift-format (fails on any finding)
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift fuzz/targets Examples/vtpm-l1

## fuzz: the libFuzzer targets (README, "Fuzzing with libFuzzer"): fuzz/run.sh builds them with
## fuzz/oss-fuzz/build.sh as OSS-Fuzz does (libFuzzer alone, then with AddressSanitizer; into .build/fuzz-out)
## and runs each on its seed corpus (Traces/fuzz/) for FUZZ_SECONDS (default 20) with SWIFT_BACKTRACE=enable=no;
## a finding is left in .build/fuzz-findings. Not part of `make test`: two release builds with coverage.
fuzz: deps
	fuzz/run.sh

## release: optimised build
release: deps
	$(SWIFT) build -c release

## bench: in-process benchmarks, release build (ops/s; --json for tools)
bench: release
	.build/release/softseam bench

clean:
	rm -rf .build

## generate: rewrite what is generated from Specs/ tables and the leaf registries (the L2 VMCS field table,
## the TDXStatus constants, the global metadata table, the C constants header softseam_defs.h, the README's leaf tables)
generate: deps
	$(SWIFT) build --product softseam
	.build/debug/softseam generate
	$(SWIFT) format -i Sources/SEAMCore/VCPU/L2VMCSFields+Generated.swift

## traces: re-record the trace corpus (Traces/*.trace.*) from Traces/scenarios/ and the built-in demo, after a
## model change that is meant to change outcomes (replay shows which steps changed before you run this)
traces: deps
	$(SWIFT) build --product softseam
	@for s in Traces/scenarios/*.scenario.jsonl; do \
	  n=$$(basename $$s .scenario.jsonl); \
	  if [ "$$n" = multi-vcpu ]; then out=Traces/$$n.trace.bin; else out=Traces/$$n.trace.jsonl; fi; \
	  .build/debug/softseam record $$s -o $$out || exit 1; \
	done
	.build/debug/softseam record --builtin alias-table -o Traces/alias-table-demo.trace.jsonl
	.build/debug/softseam record --builtin l2-boot -o Traces/l2-boot-demo.trace.jsonl
	.build/debug/softseam record --builtin l2-boot --l1-observed -o Traces/l2-boot-demo.l1-observed.trace.jsonl
