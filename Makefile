# make run  : install what is missing, build, serve with sfu.toml
# make test : same set-up, then every test (Swift unit tests + Python interop tests)
SWIFT ?= swift
CONFIG ?= sfu.toml

.PHONY: setup build release run test unit interop clean

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

run: build
	.build/debug/sfu serve --config $(CONFIG)

unit: build
	$(SWIFT) test

interop: build
	bash scripts/setup.sh --test
	SFU_BIN=$(CURDIR)/.build/debug/sfu .venv/bin/python -m pytest -q Tests/interop

test: build
	bash scripts/setup.sh --test
	$(SWIFT) test
	SFU_BIN=$(CURDIR)/.build/debug/sfu .venv/bin/python -m pytest -q Tests/interop

clean:
	rm -rf .build
