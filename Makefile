# SPDX-License-Identifier: MIT
# chanwatch build, in the libbpf-tools manner: every artifact under .output/, V=1 for commands.
#
#   make            build .output/chanwatch
#   make demo       build everything and analyse the bundled leaky example
#   make test       unit, golden and CLI tests, the suite again under ASan/UBSan, fuzz smoke
#   make fuzz       run every libFuzzer target longer (FUZZ_SECONDS=60 each)
#   make bench      side-by-side benchmarks against peers (not a test)
#   make SANITIZE=1 an ASan/UBSan build in .output/asan/
#   make format     clang-format the sources; make format-check verifies

OUTPUT ?= .output
CC ?= cc
CLANG ?= clang
V ?= 0
SANITIZE ?= 0

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ifeq ($(SANITIZE),1)
BUILD := $(OUTPUT)/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1 -g
else
BUILD := $(OUTPUT)
SAN_FLAGS :=
OPT := -O2 -g
endif

PKGS := zlib libdw libelf libbpf capstone tree-sitter
CFLAGS ?= $(OPT)
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
	  -D_FILE_OFFSET_BITS=64 -Isrc -I$(OUTPUT)/bpf $(SAN_FLAGS)
# libcurl's headers only: src/lib/input.c loads the library itself on the first URL.
CFLAGS += $(shell pkg-config --cflags libcurl 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lz -ldw -lelf -lbpf -lcapstone -ltree-sitter) -lm -lpthread -ldl
LDFLAGS += $(SAN_FLAGS)

LIB_SRCS := $(sort $(filter-out %.bpf.c,$(wildcard src/lib/*.c src/model/*.c src/dump/*.c \
			      src/analyze/*.c src/output/*.c src/gobin/*.c src/trace/*.c src/lint/*.c \
			      src/inspect/*.c)))
CMD_SRCS := $(sort $(wildcard src/cmd/*.c)) src/main.c
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
CMD_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CMD_SRCS))
# tree-sitter-go's generated parser (scripts/fetch-go-grammar.sh), compiled into the library.
GRAMMAR_DIR := $(OUTPUT)/grammar
GRAMMAR_C := $(GRAMMAR_DIR)/src/parser.c
GRAMMAR_OBJ := $(BUILD)/obj/grammar/parser.o
LIB_OBJS += $(GRAMMAR_OBJ)
LIBCW := $(BUILD)/libchanwatch.a
BIN := $(BUILD)/chanwatch

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_SECONDS ?= 60

DEPS_STAMP := $(OUTPUT)/.deps-ok

.PHONY: all clean test unit cli test-asan fuzz fuzz-smoke demo bench format format-check deps FORCE

all: $(BIN)

# Install missing Debian packages (scripts/install-deps.sh says what it installs, and is
# silent and quick when nothing is missing). Checked on every make run; order-only for the
# targets, so it never forces a rebuild.
$(DEPS_STAMP): FORCE
	$(Q)mkdir -p $(@D)
	$(Q)./scripts/install-deps.sh
	$(Q)touch $@

FORCE:

deps: $(DEPS_STAMP)

# BPF programs: .bpf.c -> .bpf.o (clang -target bpf) -> .skel.h (bpftool), all in .output/bpf.
BPF_ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
BPF_SRCS := $(wildcard src/trace/*.bpf.c)
BPF_SKELS := $(patsubst src/trace/%.bpf.c,$(OUTPUT)/bpf/%.skel.h,$(BPF_SRCS))
# Keep the .bpf.o (an intermediate of the skeleton) so it is not rebuilt every time.
.SECONDARY: $(patsubst src/trace/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))

$(OUTPUT)/bpf/%.bpf.o: src/trace/%.bpf.c src/trace/%.h | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
		-I/usr/include/$(shell uname -m)-linux-gnu -Isrc/trace -c $< -o $@

$(OUTPUT)/bpf/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/trace/trace.o: $(BPF_SKELS)

$(GRAMMAR_C): scripts/fetch-go-grammar.sh | $(DEPS_STAMP)
	$(call msg,FETCH,$@)
	$(Q)./scripts/fetch-go-grammar.sh $(GRAMMAR_DIR)

# Generated code: not held to the project's warnings.
$(GRAMMAR_OBJ): $(GRAMMAR_C)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(OPT) $(SAN_FLAGS) -w -I$(GRAMMAR_DIR)/src -c $< -o $@

$(OUTPUT)/fuzz/grammar.o: $(GRAMMAR_C)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -O1 -g -fsanitize=address,undefined -w -I$(GRAMMAR_DIR)/src -c $< -o $@

$(BUILD)/obj/%.o: src/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBCW): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BIN): $(CMD_OBJS) $(LIBCW)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(CMD_OBJS) $(LIBCW) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIBCW) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $< $(LIBCW) $(LDFLAGS) $(LDLIBS) -lcmocka -o $@

# libFuzzer targets: always clang, ASan+UBSan, the library sources compiled in.
$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(BPF_SKELS) $(OUTPUT)/fuzz/grammar.o | $(DEPS_STAMP)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -std=gnu11 -O1 -g -Isrc -I$(OUTPUT)/bpf -D_FILE_OFFSET_BITS=64 -Wall -Wextra -Werror \
		-Wno-unused-parameter -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $< $(LIB_SRCS) $(OUTPUT)/fuzz/grammar.o $(LDLIBS) -o $@

unit: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do \
		CMOCKA_MESSAGE_OUTPUT=TAP $$t; done

cli: $(BIN) $(UNIT_BINS)
	$(Q)CHANWATCH=$(abspath $(BIN)) CHANWATCH_OUTPUT=$(abspath $(OUTPUT)) \
		CHANWATCH_TESTS=$(abspath $(BUILD)/tests) \
		prove -f tests/t/

# The whole suite again under ASan/UBSan (the traced fixtures with the local Go only: the
# toolchain matrix is covered by the plain pass, this one hunts memory errors).
test-asan:
	$(Q)TRACE_FIXTURES_TOOLCHAINS=local $(MAKE) --no-print-directory SANITIZE=1 unit cli

fuzz-smoke: $(FUZZ_BINS)
	$(Q)./tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)./tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

test: all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory cli
	$(Q)$(MAKE) --no-print-directory test-asan
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory format-check

demo: $(BIN)
	$(Q)./examples/demo.sh $(abspath $(BIN))

# The bare tree-sitter parse chanwatch lint is measured against (bench/lint/run.sh).
BARE_PARSE := $(BUILD)/bench/bare-parse
$(BARE_PARSE): bench/lint/bare-parse.c $(GRAMMAR_OBJ) | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< $(GRAMMAR_OBJ) $(LDFLAGS) -ltree-sitter -lpthread -o $@

bench: $(BIN) $(BARE_PARSE)
	$(Q)./bench/dump/run.sh $(abspath $(BIN))
	$(Q)./bench/trace/run.sh $(abspath $(BIN))
	$(Q)BENCH_OUTPUT=$(abspath $(OUTPUT)) ./bench/lint/run.sh $(abspath $(BIN))
	$(Q)BENCH_OUTPUT=$(abspath $(OUTPUT)) ./bench/ps/run.sh $(abspath $(BIN))

FORMAT_FILES = $(shell git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(FORMAT_FILES)

format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT) -name '*.d' 2>/dev/null)
