# Makefile — the short names for building, testing and measuring valkey-rs.
# Why: one obvious entry point per task, the same commands locally and in CI (.ci/run).
#
#   make build    release build of target/release/valkey-server
#   make run      build, then run the server with ./valkey.conf
#   make test     unit + integration tests (integration tests start the release binary)
#   make compat   valkey-py client test suite against our server (tests/compat/valkey-py.sh)
#   make ratchet  compat, and fail if fewer tests pass than tests/compat/valkey-py.passed
#   make bench    throughput/latency/CPU/memory comparison with redis-server (benches/compare.sh)
#   make fmt      format the code;  make clippy  lint (warnings are errors)
#   make clean    cargo clean;  make distclean  also removes .venv-compat/

CARGO ?= cargo
SERVER := target/release/valkey-server

.PHONY: all build run test compat ratchet bench fmt fmt-check clippy clean distclean

all: build

build:
	$(CARGO) build --release

run: build
	./$(SERVER) ./valkey.conf

# Integration tests need the release binary, so build it first.
test:
	$(CARGO) build --release && $(CARGO) test --release

compat: build
	tests/compat/valkey-py.sh

ratchet: build
	tests/compat/ratchet.sh

bench: build
	benches/compare.sh
	PIPE=16 benches/strings.sh
	benches/strings.sh

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --release --all-targets -- -D warnings

clean:
	$(CARGO) clean

# Also drop the compat suite's Python venv.
distclean: clean
	rm -rf .venv-compat
