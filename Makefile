# make run  : install what is missing, build, serve with sfu.toml
# make test : same set-up, then every test (Swift unit tests + Python interop tests)
SWIFT ?= swift
# toml++ (inside TOMLKit) asserts on some malformed input in debug builds; with NDEBUG it
# reports a parse error instead, which is what a bad config must give.
SWIFT_FLAGS ?= -Xcxx -DNDEBUG
CONFIG ?= sfu.toml

.PHONY: setup build release run test unit interop clean

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build $(SWIFT_FLAGS)

release: setup
	$(SWIFT) build $(SWIFT_FLAGS) -c release

run: build
	.build/debug/sfu serve --config $(CONFIG)

unit: build
	$(SWIFT) test $(SWIFT_FLAGS)

interop: build
	bash scripts/setup.sh --test
	SFU_BIN=$(CURDIR)/.build/debug/sfu .venv/bin/python -m pytest -q Tests/interop

test: build
	bash scripts/setup.sh --test
	$(SWIFT) test $(SWIFT_FLAGS)
	SFU_BIN=$(CURDIR)/.build/debug/sfu .venv/bin/python -m pytest -q Tests/interop

clean:
	rm -rf .build
