# Thin wrapper around CMake.  `make demo` and `make test` work on a fresh Debian machine:
# they install missing packages (scripts/deps.sh), configure, build and run.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local
CMAKE_FLAGS ?=

FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 60

.PHONY: all deps build demo test test-normal test-asan bench install format clean fuzz

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@echo "== examples/books: the foreign-key guide in C =="
	@$(BUILD)/example_books
	@echo
	@echo "== examples/persephone: bogus ids are refused =="
	@$(BUILD)/example_persephone

test: test-normal test-asan

test-normal: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DREFLITE_SANITIZE=ON $(CMAKE_FLAGS)

test-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  REFLITE_SANITIZED=1 ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench_crud
	$(BUILD)/bench_migrate $(BUILD)/reflite

install: build
	cmake --install $(BUILD)

# Each libFuzzer harness for FUZZ_TIME seconds (clang, ASan + UBSan), starting from the
# committed corpus in fuzz/corpus/; new inputs stay in $(FUZZ_BUILD)/corpus, findings in
# $(FUZZ_BUILD)/findings.  Copy a finding into fuzz/corpus/<harness>/ once it is fixed:
# `make test` replays that corpus.
fuzz:
	@scripts/deps.sh clang libclang-rt-14-dev
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DREFLITE_FUZZ=ON -DREFLITE_TESTS=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME)

format:
	clang-format -i include/*.h src/*.c src/*.h cli/*.c examples/*.c tests/*.c tests/*.h bench/*.c bench/*.h fuzz/*.c fuzz/*.h

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
