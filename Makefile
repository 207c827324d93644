# Thin wrapper around CMake.  `make demo` and `make test` work on a fresh Debian machine:
# they install missing packages (scripts/deps.sh), configure, build and run.
# The build's own output goes to $(BUILD)/build.log and is shown only when it fails;
# V=1 shows it as it happens.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DEB_BUILD  ?= build-deb
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX     ?= /usr/local
CMAKE_FLAGS ?=

FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 60

MAKEFLAGS += --no-print-directory
ifeq ($(V),1)
quiet = $(1)
else
# run a command with its output in a log, printed only if the command fails
quiet = @echo "  $(2)"; ( $(1) ) > $(3) 2>&1 || { cat $(3); exit 1; }
endif

# What the tests need beyond the build: a C++ compiler (the header from C++), man (the manual
# pages), Debian's packaging tools (the packages are built, checked and installed) and the
# PostgreSQL server.
# postgresql: the suite starts its own throw-away PostgreSQL server (initdb, pg_ctl).
# nodejs: the OpenAPI check (tests/openapi.sh) and PostgREST's JavaScript client (tests/client.sh).
# curl: the command-line client of tests/cli_serve.sh.
# pgbouncer: the suite puts a transaction-pooling PgBouncer in front of its server (pooler).
# tidy: every web page the server writes is checked to be valid HTML (tests/test_pages.c).
# chromium: the web pages are driven in a real browser, headless (tests/browser.sh).
TEST_PACKAGES = g++ man-db build-essential debhelper dpkg-dev fakeroot lintian postgresql nodejs \
                curl pgbouncer tidy chromium

.PHONY: all deps deps-test build demo screenshots test test-normal test-asan bench install uninstall deb format \
        clean fuzz

all: build

# g++ is found at configure time (the header's C++ test), so every configure has it.
deps:
	@scripts/deps.sh g++

# npm: Debian's package, unless the machine has npm already (a Node.js that ships its own).
deps-test:
	@scripts/deps.sh $(TEST_PACKAGES)
	@command -v npm >/dev/null 2>&1 || scripts/deps.sh npm

$(BUILD)/CMakeCache.txt: | deps
	@mkdir -p $(BUILD)
	$(call quiet,cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS),configuring $(BUILD),$(BUILD)/configure.log)

build: deps $(BUILD)/CMakeCache.txt
	$(call quiet,cmake --build $(BUILD) -j $(JOBS),building $(BUILD),$(BUILD)/build.log)

demo: build
	@echo
	@echo "== examples/books: the foreign-key guide in C =="
	@$(BUILD)/example_books
	@echo
	@echo "== examples/persephone: bogus ids are refused, by the C API and over HTTP (409) =="
	@$(BUILD)/example_persephone
	@echo
	@echo "== examples/estimator: the group service over HTTP (test mode: a clean database) =="
	@$(BUILD)/example_estimator --demo
	@echo
	@echo "== the web pages: 'reflite serve DB' and open its address in a browser;"
	@echo "   'make screenshots' photographs them in Chromium (docs/screenshots/) =="

# The web pages of the server, photographed in Debian's Chromium (headless) as the browser test
# drives them: docs/screenshots/*.png.
screenshots: deps-test build
	@SCREENSHOTS=$(CURDIR)/docs/screenshots tests/browser.sh $(abspath $(BUILD))/reflite $(CURDIR) \
	  $(abspath $(BUILD))/browser-shots
	@echo "the pages are in docs/screenshots/"

test: test-normal test-asan

test-normal: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	@mkdir -p $(ASAN_BUILD)
	$(call quiet,cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DREFLITE_SANITIZE=ON $(CMAKE_FLAGS),configuring $(ASAN_BUILD),$(ASAN_BUILD)/configure.log)

test-asan: deps deps-test $(ASAN_BUILD)/CMakeCache.txt
	$(call quiet,cmake --build $(ASAN_BUILD) -j $(JOBS),building $(ASAN_BUILD),$(ASAN_BUILD)/build.log)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  REFLITE_SANITIZED=1 ctest --output-on-failure -j $(JOBS)

# Seconds of both sides, each phase in slices alternating between them, best times and each
# round's ratio (min, median, max), then instructions per phase (callgrind; repeatable);
# reading related rows (prefetch and join through an integer, a text and a two-column key,
# streaming with its peak memory); the same workloads on a throw-away PostgreSQL server
# against hand-written libpq code; `reflite copy` of 1,000,000 rows to PostgreSQL against
# pgloader ("copy vs pgloader: R"); the HTTP server under wrk against a bare libmicrohttpd
# handler.
bench: build
	@scripts/deps.sh valgrind postgresql wrk
	$(BUILD)/bench_crud
	$(BUILD)/bench_relations
	scripts/bench_instructions.sh sqlite3 $(BUILD)/bench_crud 1 1000
	scripts/bench_instructions.sh sqlite3 $(BUILD)/bench_relations "" 1 1000
	scripts/bench_pg.sh $(BUILD)
	scripts/bench_replica.sh $(BUILD)
	scripts/bench_copy.sh $(BUILD)
	$(BUILD)/bench_migrate
	scripts/bench_instructions.sh sqlite3 $(BUILD)/bench_migrate 1 100000
	$(BUILD)/bench_http

# Installs under PREFIX (default /usr/local), also after a build configured with another
# prefix; DESTDIR stages the install elsewhere.  ldconfig refreshes the dynamic linker's
# cache so that programs find the new libreflite.so.0 (a real install as root only).
install: build
	$(call quiet,cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) && cmake --build $(BUILD) -j $(JOBS),configuring $(BUILD) for $(PREFIX),$(BUILD)/configure.log)
	cmake --install $(BUILD)
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

# Removes what the last `make install` installed (its list is $(BUILD)/install_manifest.txt).
uninstall:
	@DESTDIR="$(DESTDIR)" scripts/uninstall.sh $(BUILD)/install_manifest.txt

# The Debian packages libreflite0, libreflite-dev and reflite, built from a copy of the
# tree in $(DEB_BUILD)/ (dpkg-buildpackage writes next to the source directory).
deb:
	@scripts/deps.sh build-essential debhelper dpkg-dev fakeroot lintian g++ man-db
	@scripts/deb.sh $(DEB_BUILD)

# Each libFuzzer harness for FUZZ_TIME seconds (clang, ASan + UBSan), starting from the
# committed corpus in fuzz/corpus/; new inputs stay in $(FUZZ_BUILD)/corpus, findings in
# $(FUZZ_BUILD)/findings.  Copy a finding into fuzz/corpus/<harness>/ once it is fixed:
# `make test` replays that corpus.  FUZZ_TARGETS="http_query http_body http_raw" runs some only
# (those three are the HTTP server's: query strings, bodies, raw bytes on a socket).
fuzz:
	@scripts/deps.sh clang libclang-rt-14-dev
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DREFLITE_FUZZ=ON -DREFLITE_TESTS=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME)

format:
	clang-format -i include/*.h include/reflite/sqlite.h include/reflite/http.h $$(find src -name "*.[ch]") cli/*.c cli/*.h tests/*.cpp examples/*.c tests/*.c tests/*.h bench/*.c bench/*.h fuzz/*.c fuzz/*.h

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)
