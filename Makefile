# SoftSEAM — set-up and everyday commands. `make demo` and `make test` work on a fresh Debian machine with
# Swift: each installs what is missing first (libxxhash-dev, through apt-get).

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_PACKAGES := libxxhash-dev pkg-config

.PHONY: deps build demo test lint bench release clean generate traces

## deps: install the Debian packages the build needs, when any is missing
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y $$missing; \
	fi

## build: debug build of everything
build: deps
	$(SWIFT) build

## demo: run the main job on the built-in default scenario
demo: deps
	$(SWIFT) build --product softseam
	.build/debug/softseam demo

## test: the whole test suite (Swift Testing), then the formatter's lint
test: deps
	$(SWIFT) test
	$(MAKE) --no-print-directory lint

## lint: swift-format lint with the committed .swift-format (fails on any finding)
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

## release: optimised build
release: deps
	$(SWIFT) build -c release

## bench: in-process benchmarks, release build (ops/s; --json for tools)
bench: release
	.build/release/softseam bench

clean:
	rm -rf .build

## generate: rewrite the Swift sources generated from Specs/ tables (the L2 VMCS field table)
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
