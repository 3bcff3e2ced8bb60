# The README's commands. CMake does the building; this file only names the jobs.
#   make demo   — check the token example, print its IR, verify it (and show a bug the
#                 verifier finds), build it for evm and wasm, run its scenario on both
#                 targets, and show the ERC20 example's gas next to solc's
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

WRIT := $(REL_BUILD)/cli/writ
SHARED ?= $(if $(WRIT_SHARED),$(WRIT_SHARED),../shared)

demo: release
	@echo "== writ check examples/token.writ"
	$(WRIT) check examples/token.writ
	@echo "== writ ir examples/token.writ"
	$(WRIT) ir examples/token.writ
	@echo "== writ verify examples/token.writ  (every check and spec proved with Z3)"
	$(WRIT) verify examples/token.writ
	@echo "== writ verify tests/verify/bugs/arm_fire.writ  (a deliberate bug from the corpus)"
	@$(WRIT) verify tests/verify/bugs/arm_fire.writ; s=$$?; if [ $$s -eq 1 ]; then \
	  echo "(exit 1, as it should: arm() then fire() fails the assert; the counterexample was replayed on the VM)"; \
	else echo "demo: writ verify should have found the bug (exit 1), got exit $$s"; exit 1; fi
	@echo "== writ build examples/token.writ --target evm,wasm -o build/demo"
	$(WRIT) build examples/token.writ --target evm,wasm -o build/demo
	@ls -l build/demo
	@if [ -f "$(SHARED)/oracles/evm/evmrun.mjs" ]; then \
	  sh tests/oracle/setup.sh "$(SHARED)" $(REL_BUILD)/oracle && \
	  echo "== writ test examples/scenarios/token.yaml --target all  (EVM oracle and the bundled VM)" && \
	  WRIT_EVM_ORACLE=$(REL_BUILD)/oracle $(WRIT) test examples/scenarios/token.yaml --target all && \
	  echo "== writ bench evm --runs 5  (the ERC20 example's gas and size next to solc's reference build)" && \
	  WRIT_EVM_ORACLE=$(REL_BUILD)/oracle $(WRIT) bench evm --runs 5; \
	else \
	  echo "SKIP: no $(SHARED)/oracles/evm: the token's scenario and gas need the EVM oracle (set WRIT_SHARED)"; \
	fi

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
