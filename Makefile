# ringproxy — one GNU Makefile.
#   make            build ./ringproxy (-O2 -g, warnings are errors)
#   make SAN=1      build with ASan+UBSan (objects go to build/san/)
#   make test       deps, build, every test, then the sanitizer build of unit+vtc+e2e
#   make test-ref   the HAProxy-compatible vtc tests against /usr/sbin/haproxy
#   make run        deps, build, start ringproxy on examples/hello_world.conf
#   make perf       benchmarks against HAProxy (see docs/PERF.md)
#   make fuzz       build the fuzz targets (clang, libFuzzer)

CC      ?= cc
PREFIX  ?= /usr/local
SAN     ?= 0
V       ?= 0

PKGS    := liburing lua5.4 wolfssl libhs libpcre2-8
CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Wpointer-arith -Wstrict-prototypes -fno-strict-aliasing \
	-D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread -lcrypt

# O=<dir> puts objects and the binary in a private directory (parallel work).
ifeq ($(SAN),1)
  BUILD  := build/san
  CFLAGS_BASE += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -DRP_DEBUG=1
  LDSAN  := -fsanitize=address,undefined
  BIN    := build/san/ringproxy
else
  BUILD  := build/rel
  LDSAN  :=
  BIN    := ringproxy
endif
ifneq ($(O),)
  BUILD  := $(O)
  BIN    := $(O)/ringproxy
endif
CFLAGS  ?=
ALL_CFLAGS := $(CFLAGS_BASE) $(CFLAGS)

# Module groups. Dependencies point one way: proto/ and regex/ are leaves,
# engine/ may use them, lua/ may use all three plus liblua.
ENGINE_SRC := $(filter-out engine/main.c,$(wildcard engine/*.c))
PROTO_SRC  := $(wildcard proto/*.c)
REGEX_SRC  := $(wildcard regex/*.c)
LUA_SRC    := $(wildcard lua/*.c)
CORE_SRC   := $(ENGINE_SRC) $(PROTO_SRC) $(REGEX_SRC)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
CORE_OBJ := $(call obj,$(CORE_SRC))
LUA_OBJ  := $(call obj,$(LUA_SRC))
MAIN_OBJ := $(call obj,engine/main.c)

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(patsubst tests/tools/%.c,build/tools/%,$(TOOL_SRC))

ifeq ($(V),0)
  Q := @
  say = @printf '  %-6s %s\n' $(1) $(2);
else
  Q :=
  say :=
endif

.PHONY: all test test-ref run perf fuzz deps install clean unit tools core-objs
all: $(BIN)

$(BIN): $(MAIN_OBJ) $(CORE_OBJ) $(LUA_OBJ)
	$(call say,LD,$@)$(CC) $(LDSAN) -o $@ $^ $(LIBS)

# "-vv" names the liburing it was built with (2.3 has no version macro)
$(BUILD)/engine/ring_probe.o: ALL_CFLAGS += -DRP_LIBURING_VERSION='"$(shell pkg-config --modversion liburing 2>/dev/null)"'

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests link the core objects (and the Lua objects when they need them:
# a test named test_l*.c is a Lua-side test).
$(BUILD)/tests/test_l%: tests/unit/test_l%.c tests/unit/unit.h $(CORE_OBJ) $(LUA_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) $(LDSAN) -o $@ $< $(CORE_OBJ) $(LUA_OBJ) $(LIBS)
$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/unit.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) $(LDSAN) -o $@ $< $(CORE_OBJ) $(LIBS)

# Small C peers used by e2e tests and benchmarks (no project code).
build/tools/%: tests/tools/%.c
	@mkdir -p $(dir $@)
	$(call say,LD,$@)$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -lpthread

unit: $(UNIT_BIN)
core-objs: $(CORE_OBJ)
tools: $(TOOL_BIN)

# Installs what is missing (Debian). Runs apt-get update first only when needed.
DEB_BUILD := gcc make pkg-config liburing-dev liblua5.4-dev libwolfssl-dev \
	libhyperscan-dev libpcre2-dev
DEB_TEST  := varnish haproxy wrk curl socat openssl redis-server lua-redis lua-socket lua5.4 \
	nginx-light python3 clang libclang-rt-14-dev
deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

run: deps
	@$(MAKE) --no-print-directory all
	cd examples && ../ringproxy -db -f hello_world.conf

test: deps
	@$(MAKE) --no-print-directory all unit tools
	@$(MAKE) --no-print-directory SAN=1 all unit
	@$(MAKE) --no-print-directory fuzz
	tests/run.sh

test-ref: deps
	@$(MAKE) --no-print-directory tools
	tests/run.sh --ref

perf: deps
	@$(MAKE) --no-print-directory all tools
	perf/run.sh

# libFuzzer targets (tests/fuzz/fuzz_*.c) link the core objects built with clang.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
fuzz:
	@if [ -z "$(FUZZ_SRC)" ]; then echo "no fuzz targets yet"; exit 0; fi; \
	$(MAKE) --no-print-directory CC=clang O=build/fuzz \
		CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" core-objs && \
	for f in $(FUZZ_SRC); do \
		clang -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE -o build/fuzz/$$(basename $$f .c) \
			$$f $(patsubst %.c,build/fuzz/%.o,$(CORE_SRC)) $(LIBS) || exit 1; done

install: all
	install -D -m 755 ringproxy $(DESTDIR)$(PREFIX)/sbin/ringproxy
	install -D -m 644 docs/ringproxy.1 $(DESTDIR)$(PREFIX)/share/man/man1/ringproxy.1

clean:
	rm -rf build ringproxy

-include $(shell find build -name '*.d' 2>/dev/null)
