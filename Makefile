# DevOps Defender — build, test, demo and benchmark entry points.
#   make demo   the main job on the local simulated fleet
#   make test   install prerequisites, build, lint and run every test
#   make bench  release-built benchmarks (JSON lines)
#   make fuzz   libFuzzer on the TDX quote parser (FUZZ_SECONDS, default 30)

SHELL := /bin/bash
SWIFT ?= swift
VENV := .build/venv
PYTHON := $(VENV)/bin/python
DD := .build/debug/devopsdefender
APT_PACKAGES := libyaml-dev libsqlite3-dev libgit2-dev git openssh-client openssl pkg-config python3-venv curl jq
PY_PACKAGES := pyyaml==6.0.3 jsonschema==4.26.0 dcap-qvl==0.7.0 cloudflare==5.9.0 google-cloud-compute==1.57.0 noiseprotocol==0.3.1 prometheus_client==0.26.0
export DD_TESTDATA ?= $(abspath ../shared/testdata)
export DD_PYTHON := $(abspath $(PYTHON))
FUZZ_BUILD := .build-fuzz
FUZZ_SECONDS ?= 30

.PHONY: all prereqs system-packages python-env build lint test demo bench fuzz clean

all: build

## Debian packages, installed only when missing (idempotent).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## The Python virtualenv the interop tests and benchmarks use (PyYAML's C loader, jsonschema).
python-env: $(VENV)/.installed
$(VENV)/.installed: Makefile
	@echo "==> creating $(VENV)"
	@mkdir -p .build
	@python3 -m venv $(VENV)
	@$(PYTHON) -m pip install -q --disable-pip-version-check $(PY_PACKAGES)
	@$(PYTHON) -c "import yaml; assert yaml.__with_libyaml__, 'PyYAML was built without libyaml'"
	@touch $@

prereqs: system-packages python-env

build: system-packages
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error

lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Benchmarks Fuzz Package.swift

## At most this many tests run at once: many start processes and servers, and on a 2-core machine
## an unbounded start (every test at once) starves them all of CPU past their deadlines.
TEST_PARALLELISM ?= 4
## Suites whose bound is on latency run after the others, on their own: they measure the server
## under a flood, not the machine under the rest of the suite.
ALONE_SUITES := FreezeTests

test: prereqs build lint
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_PARALLELISM) $(SWIFT) test --skip-build --skip '$(ALONE_SUITES)'
	$(SWIFT) test --skip-build --filter '$(ALONE_SUITES)'
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20

## libFuzzer + AddressSanitizer on the quote parser, in its own build directory. The corpus grows
## in $(FUZZ_BUILD)/corpus; the real samples are read in place as seeds; crashes land in $(FUZZ_BUILD)/.
fuzz: system-packages
	$(SWIFT) build -c release --product dd-fuzz-quote --build-path $(FUZZ_BUILD) -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	@$(SWIFT) build --product devopsdefender
	@mkdir -p $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seed
	@$(DD) attest quote --sim --version 5 --output-dir $(FUZZ_BUILD)/seed >/dev/null
	$(FUZZ_BUILD)/release/dd-fuzz-quote $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seed $$( [ -d "$(DD_TESTDATA)/tdx" ] && echo "$(DD_TESTDATA)/tdx" ) \
	  -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -artifact_prefix=$(FUZZ_BUILD)/ -print_final_stats=1

demo: system-packages
	@$(SWIFT) build --product devopsdefender
	@bash scripts/demo.sh $(DD)

bench: prereqs
	$(SWIFT) build -c release --product dd-bench
	.build/release/dd-bench

clean:
	rm -rf .build
