# The README's commands. CMake does the building; this file only names the jobs.
#   make demo   — check the bundled token example and print its IR
#   make test   — the whole test suite (sanitizer build: ASan + UBSan, clang-14)
#   make bench  — benchmarks (release build)
#   make fuzz   — long fuzzing runs (FUZZ_SECONDS each)
#   make update-golden — rewrite expected outputs, for review as a diff

JOBS ?= 2
TEST_BUILD := build/test
REL_BUILD := build/release
FUZZ_SECONDS ?= 300

.PHONY: all deps demo test bench fuzz update-golden clean release

all: release

deps:
	@bash .ci/install-deps

$(TEST_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-14 \
	      -DWRIT_SANITIZE=ON -DWRIT_FUZZ=ON

$(REL_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(REL_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-14

release: deps $(REL_BUILD)/CMakeCache.txt
	cmake --build $(REL_BUILD) -j$(JOBS)

demo: release
	@echo "== writ check examples/token.writ"
	$(REL_BUILD)/cli/writ check examples/token.writ
	@echo "== writ ir examples/token.writ"
	$(REL_BUILD)/cli/writ ir examples/token.writ

test: deps $(TEST_BUILD)/CMakeCache.txt
	cmake --build $(TEST_BUILD) -j$(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j$(JOBS)

bench: release
	$(REL_BUILD)/cli/writ bench

fuzz: deps $(TEST_BUILD)/CMakeCache.txt
	cmake --build $(TEST_BUILD) -j$(JOBS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run-all.sh $(TEST_BUILD)

update-golden: deps $(TEST_BUILD)/CMakeCache.txt
	cmake --build $(TEST_BUILD) -j$(JOBS)
	cd $(TEST_BUILD) && WRIT_UPDATE_GOLDEN=1 ctest -j$(JOBS) -L golden || true
	git status --short tests/

clean:
	rm -rf build
