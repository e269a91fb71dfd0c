# The README's commands. CMake does the building; this file only strings the
# steps together.
BUILD ?= build
ASAN_BUILD ?= build-asan
DEMO_DB ?= $(BUILD)/demo/unyo.db
JOBS ?= $(shell nproc)
# CI and developers: make test WERROR=ON turns warnings into errors.
WERROR ?= OFF
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all help deps configure build build-console run demo-reset test test-asan test-clang-build bench fuzz format man deb clean

all: build

help:
	@echo "make run               build the console and open it on a demo store"
	@echo "make build             the binary, every test program and benchmark"
	@echo "make build-console     the binary and its catalogs only"
	@echo "make demo-reset        remake the demo store"
	@echo "make test              the whole suite (WERROR=ON: warnings are errors)"
	@echo "make test-asan         the suite under ASan + UBSan"
	@echo "make test-clang-build  a clang Release build and its unit tests"
	@echo "make bench             the benchmarks"
	@echo "make fuzz              each libFuzzer target for FUZZ_SECONDS"
	@echo "make format            clang-format the sources"
	@echo "make man               regenerate the man pages' SYNOPSIS"
	@echo "make deb               the Debian package $(BUILD)/unyo_VERSION_amd64.deb"
	@echo "make clean             remove the build directories"

deps:
	@scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUNYO_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null

# Everything: the binary, every test program and benchmark (what `make test` runs).
build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The console only: the unyo binary and its message catalogs, no test or benchmark.
build-console: configure
	@cmake --build $(BUILD) -j $(JOBS) --target unyo catalogs

# Opens the console on a demo store (made once; `make demo-reset` remakes it).
# The demo's hosts run their checks and jobs on this machine: nothing connects out.
run: build-console
	@[ -f $(DEMO_DB) ] || $(BUILD)/unyo demo --db $(DEMO_DB)
	@$(BUILD)/unyo --db $(DEMO_DB)

demo-reset: build-console
	@$(BUILD)/unyo demo --force --db $(DEMO_DB)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DUNYO_SANITIZE=ON -DUNYO_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

# The same sources built by clang as a Release build (CI builds with both
# compilers), and its unit tests run (cheap: no servers, no terminals).
test-clang-build: deps
	@cmake -S . -B build-clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Release -DUNYO_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-clang -j $(JOBS)
	@cd build-clang && ctest -R '^unit\.' --output-on-failure -j $(JOBS)

# Every libFuzzer target in tests/fuzz for FUZZ_SECONDS each over its seed corpus.
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) UNYO_WERROR=$(WERROR) scripts/fuzz.sh build-fuzz

bench: build
	@tests/bench/run.sh $(BUILD)

format:
	@clang-format -i src/*.[ch] src/cli/*.[ch] src/ui/*.[ch] screens/*.[ch] tests/unit/*.c tests/bench/*.c 2>/dev/null || true

# The synopsis of doc/unyo.1 and doc/ja/unyo.1 from the CLI's option tables
# (after adding a verb or option).
man: build
	@scripts/update-man-synopsis.sh $(BUILD)

# The Debian package (CPack's DEB generator; dpkg-shlibdeps works out the
# library dependencies): $(BUILD)/unyo_VERSION_amd64.deb, installing under /usr.
# Check it with `lintian $(BUILD)/unyo_*.deb`.
deb: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr -DUNYO_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target unyo catalogs manpages completion
	@cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-clang build-fuzz
