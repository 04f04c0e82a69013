# DevOps Defender — build, test, demo and benchmark entry points.
#   make demo   the main job on the local simulated fleet
#   make test   install prerequisites, build, lint and run every test
#   make bench  release-built benchmarks (JSON lines)

SHELL := /bin/bash
SWIFT ?= swift
VENV := .build/venv
PYTHON := $(VENV)/bin/python
DD := .build/debug/devopsdefender
APT_PACKAGES := libyaml-dev pkg-config python3-venv
PY_PACKAGES := pyyaml==6.0.3 jsonschema==4.26.0 dcap-qvl==0.7.0
export DD_TESTDATA ?= $(abspath ../shared/testdata)
export DD_PYTHON := $(abspath $(PYTHON))

.PHONY: all prereqs system-packages python-env build lint test demo bench clean

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
	$(SWIFT) build --build-tests

lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Benchmarks Package.swift

test: prereqs build lint
	$(SWIFT) test --skip-build

demo: system-packages
	@$(SWIFT) build --product devopsdefender
	@bash scripts/demo.sh $(DD)

bench: prereqs
	$(SWIFT) build -c release --product dd-bench
	.build/release/dd-bench

clean:
	rm -rf .build
