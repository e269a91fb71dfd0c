# The README's commands. CMake does the building; this file only strings the
# steps together.
BUILD ?= build
ASAN_BUILD ?= build-asan
DEMO_DB ?= $(BUILD)/demo/unyo.db
JOBS ?= $(shell nproc)

.PHONY: all deps build run test test-asan bench format clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Opens the console on a demo store (made once; `make demo-reset` remakes it).
run: build
	@[ -f $(DEMO_DB) ] || $(BUILD)/unyo demo --db $(DEMO_DB)
	@$(BUILD)/unyo --db $(DEMO_DB)

demo-reset: build
	@$(BUILD)/unyo demo --force --db $(DEMO_DB)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUNYO_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

bench: build
	@tests/bench/run.sh $(BUILD)

format:
	@clang-format -i src/*.[ch] src/ui/*.[ch] screens/*.[ch] tests/unit/*.c tests/bench/*.c 2>/dev/null || true

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
