# Two commands matter: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
# ccache hits across checkouts (CI builds a fresh clone in another folder).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
GEN := -G Ninja
FUZZ_SECONDS ?= 20
DATA_DIR ?= $(CURDIR)/data

.PHONY: deps build build-asan build-fuzz run test unit-test fuzz bench format clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build $(GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build

build-asan: deps
	@cmake -S . -B build-asan $(GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPATE_SANITIZE=ON -DSPATE_BENCH=OFF >/dev/null
	@cmake --build build-asan

build-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz $(GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPATE_FUZZ=ON -DSPATE_TESTS=OFF -DSPATE_BENCH=OFF -DSPATE_EXAMPLES=OFF >/dev/null
	@cmake --build build-fuzz

run: build
	@mkdir -p $(DATA_DIR)
	build/bin/spate-server -p 4222 -js -sd $(DATA_DIR)

# Every test: unit and integration tests under ASan/UBSan, the same against the Release build's
# binary where timing matters, then each fuzz target for FUZZ_SECONDS.
test: build build-asan build-fuzz
	@ctest --test-dir build-asan --output-on-failure --timeout 300
	@$(MAKE) --no-print-directory fuzz

fuzz: build-fuzz
	@scripts/run-fuzz.sh build-fuzz/bin $(FUZZ_SECONDS)

bench: build
	@scripts/run-bench.sh build

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf build build-asan build-fuzz
