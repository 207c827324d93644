# Thin wrapper around CMake.  `make demo` and `make test` work on a fresh Debian machine:
# they install missing packages (scripts/deps.sh), configure, build and run.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-normal test-asan bench install format clean

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

format:
	clang-format -i include/*.h src/*.c src/*.h cli/*.c examples/*.c tests/*.c tests/*.h bench/*.c bench/*.h

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
