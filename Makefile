# Brook: `make run` installs what is missing, builds and starts one node;
# `make test` installs, builds and runs every test.
BUILD ?= build
JOBS ?= 2
# Optional properties file for `make run`; empty = brookd's embedded defaults.
CONFIG ?=

.PHONY: deps configure build run test bench clean

deps:
	@.ci/install-deps

configure: deps
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/bin/brookd $(CONFIG)

test: build
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -j1

bench: build
	$(BUILD)/bin/brook_micro_bench

clean:
	rm -rf $(BUILD)
