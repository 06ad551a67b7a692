# pktlua - build, test, demo, deps, install.  `make help` lists the targets.

.DELETE_ON_ERROR:
.PHONY: all test ctest deps demo bench install uninstall clean help lint setcap fuzz fuzz-build valgrind diff-soak bench-instr soak

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
LUA     ?= lua5.4

PKG_LUA := $(shell for p in lua5.4 lua54 lua; do pkg-config --exists $$p 2>/dev/null && { echo $$p; break; }; done)
LUA_CFLAGS := $(if $(PKG_LUA),$(shell pkg-config --cflags $(PKG_LUA)),-I/usr/include/lua5.4)
LUA_LIBS   := $(if $(PKG_LUA),$(shell pkg-config --libs $(PKG_LUA)),-llua5.4)
PCAP_LIBS  := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)

# SAN=1 builds everything with AddressSanitizer and UBSan into build/san.
ifeq ($(SAN),1)
B := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The suite runs under the sanitized host (lua-compatible), so the ASan
# runtime is in that process only: an LD_PRELOAD would reach every tool
# the specs start (ps, tcpdump, ip) and hang some of them.
SANRUN := ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
          PKTLUA_PRELOAD=$(shell $(CC) -print-file-name=libasan.so)
TEST_LUA := $(B)/pktlua
else
B := build
SANFLAGS :=
SANRUN :=
TEST_LUA := $(LUA)
endif

PK_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
             -fPIC -fvisibility=hidden -MMD -MP $(SANFLAGS)
PK_LDFLAGS := $(SANFLAGS)

CORE_SRC := $(wildcard src/*.c src/proto/*.c)
HOST_SRC := $(wildcard src/host/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
BIND_SRC := bindings/lpkt.c bindings/lpacket.c bindings/lnet.c bindings/ldesc.c bindings/ldecl.c
BIND_OBJ := $(BIND_SRC:%.c=$(B)/%.o)
LUA_MODS := bindings/pkt.lua $(wildcard bindings/pkt/*.lua)

# ./pktlua is the plain build; a SAN=1 host stays in build/san.
ifeq ($(SAN),1)
all: $(B)/pktlua $(B)/pkt/core.so
else
all: pktlua $(B)/pkt/core.so
endif

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(LUA_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/libpkt.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/pkt/core.so: $(BIND_OBJ) $(B)/libpkt.a
	@mkdir -p $(dir $@)
	$(CC) -shared $(PK_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PCAP_LIBS)

# The host carries the modules, and the vendor/ registries they read.
$(B)/embed.c: bindings/embed.lua $(LUA_MODS) vendor/services
	@mkdir -p $(dir $@)
	$(LUA) bindings/embed.lua $@ $(LUA_MODS) pkt.services_db=vendor/services

$(B)/pktlua: $(HOST_SRC:%.c=$(B)/%.o) $(BIND_OBJ) $(B)/bindings/preload.o $(B)/embed.o $(B)/libpkt.a
	$(CC) $(PK_LDFLAGS) $(LDFLAGS) -o $@ $^ $(LUA_LIBS) $(PCAP_LIBS) -lreadline -lm -ldl

$(B)/embed.o: $(B)/embed.c
	$(CC) $(PK_CFLAGS) $(CFLAGS) -c $< -o $@

pktlua: $(B)/pktlua
	ln -sf $< $@

# The core must stay free of Lua: only the host and bindings see its headers.
lint:
	@! grep -nE 'lua(lib|conf)?\.h|lauxlib\.h|lua_State' $(CORE_SRC) src/pk.h || \
	    { echo "lint: Lua found in the core (src/)"; exit 1; }
	@echo "lint: ok"

DEB_BUILD := gcc make pkg-config libpcap-dev liblua5.4-dev lua5.4 libreadline-dev
DEB_TEST  := valgrind lua-busted lua-dkjson tcpdump tshark python3-scapy iproute2 iputils-ping \
             netcat-openbsd libcap2-bin lua-socket clang libclang-rt-14-dev \
             netsniff-ng python3-dpkt python3-dnspython

# Installs the Debian packages that are missing; nothing when all are there.
deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_TEST); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

# The random differential spec's seed: fixed, so a CI run is repeatable;
# PKTLUA_SEED=random draws one (printed), `make diff-soak` tries many.
PKTLUA_SEED ?= 20261126
TEST_ENV := PKTLUA_SEED=$(PKTLUA_SEED) \
            LUA_PATH='bindings/?.lua;scripts/?.lua;spec/?.lua;spec/support/?.lua;;' \
            LUA_CPATH='$(B)/?.so;;' PKTLUA='$(CURDIR)/$(B)/pktlua' \
            PKTLUA_CODEC_TOOL='$(CURDIR)/$(B)/codec_tool' $(SANRUN)

# C tests of the core (spec/c/*_test.c), each linked with the core alone,
# and the codec driver spec/codec_spec.lua runs beside Scapy.
CTESTS := $(patsubst spec/c/%.c,$(B)/spec/c/%,$(wildcard spec/c/*_test.c))

$(B)/spec/c/%: spec/c/%.c $(B)/libpkt.a
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) -Isrc $(CFLAGS) $(PK_LDFLAGS) -o $@ $< $(B)/libpkt.a $(PCAP_LIBS)

$(B)/codec_tool: spec/c/codec_tool.c $(B)/libpkt.a
	$(CC) $(PK_CFLAGS) -Isrc $(CFLAGS) -o $@ $< $(B)/libpkt.a $(PK_LDFLAGS)

ctest: $(CTESTS) $(B)/codec_tool
	@for t in $(CTESTS); do $$t || exit 1; done

test: deps
	@$(MAKE) --no-print-directory all lint ctest
	@$(TEST_ENV) $(TEST_LUA) /usr/bin/busted --helper=spec/support/helper.lua \
	    -o spec/support/summary.lua --pattern=_spec spec

demo: deps all
	@LUA_PATH='scripts/?.lua;;' $(LUA) scripts/demo.lua $(CURDIR)/$(B)/pktlua

$(B)/core_bench: bench/core_bench.c $(B)/libpkt.a
	$(CC) $(PK_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libpkt.a

$(B)/c_sender: bench/c_sender.c
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(CFLAGS) -o $@ $<

$(B)/c_responder: bench/c_responder.c
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(CFLAGS) -o $@ $< $(PCAP_LIBS)

$(B)/spawn_time: bench/spawn_time.c
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(CFLAGS) -o $@ $<

# Build/dissect rates, then send rates on a veth pair, then the network
# bench: trafgen, vary, pps, capture beside tcpdump, reaction beside C and
# Scapy, startup (needs root; skipped otherwise), then memory over long
# runs (10 million packets each). Tables: $(B)/bench-send.txt.
# BENCH_QUICK=1 runs everything with tiny counts.
bench: all $(B)/core_bench $(B)/c_sender $(B)/c_responder $(B)/spawn_time
	@LUA_PATH='bindings/?.lua;;' LUA_CPATH='$(B)/?.so;;' $(LUA) bench/run.lua $(B)/core_bench $(B)
	@echo
	@LUA_PATH='bindings/?.lua;scripts/?.lua;;' LUA_CPATH='$(B)/?.so;;' $(LUA) bench/send_bench.lua $(CURDIR) $(B)
	@echo
	@LUA_PATH='bindings/?.lua;scripts/?.lua;;' LUA_CPATH='$(B)/?.so;;' $(LUA) bench/net_bench.lua $(CURDIR) $(B)
	@echo
	@LUA_PATH='bindings/?.lua;scripts/?.lua;;' LUA_CPATH='$(B)/?.so;;' $(LUA) bench/longrun.lua $(CURDIR) $(B)

# Instructions per packet of the build and dissect loops (callgrind):
# figures that do not drift with the machine's load, unlike rates.
bench-instr: all
	@sh bench/instructions.sh $(B)

# libFuzzer targets (spec/fuzz) over a core built again with clang and
# ASan+UBSan into build/fuzz.  `make fuzz FUZZ_SECONDS=N` runs each for N
# seconds on a copy of its seeds (spec/fixtures/corpus/<target>); crash
# inputs land in build/fuzz/<target>-crash-*, the full output in
# build/fuzz/<target>.log.  `make fuzz-build` only compiles.
.PHONY: fuzz fuzz-build

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_MAXLEN  ?= 4096
FZ           := build/fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
FUZZ_CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
                -Isrc -MMD -MP $(FUZZ_SAN)
FUZZ_TARGETS := $(patsubst spec/fuzz/%.c,%,$(wildcard spec/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FZ)/%)

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FZ)/libpkt.a: $(CORE_SRC:%.c=$(FZ)/obj/%.o)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BINS): $(FZ)/%: $(FZ)/obj/spec/fuzz/%.o $(FZ)/libpkt.a
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(PCAP_LIBS)

fuzz-build: $(FUZZ_BINS)

# One line per target: executions, rate and result; non-zero on any crash.
fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_TARGETS); do \
	    c=$(FZ)/corpus-$$t; rm -rf $$c; mkdir -p $$c; \
	    if [ -d spec/fixtures/corpus/$$t ]; then cp spec/fixtures/corpus/$$t/* $$c/ 2>/dev/null; fi; \
	    cp spec/fixtures/crashes/$$t-* $$c/ 2>/dev/null; \
	    if UBSAN_OPTIONS=print_stacktrace=1 $(FZ)/$$t -max_total_time=$(FUZZ_SECONDS) \
	        -max_len=$(FUZZ_MAXLEN) -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=$(FZ)/$$t- $$c >$(FZ)/$$t.log 2>&1; \
	    then res=ok; \
	    else res="CRASH $$(sed -n 's/.*Test unit written to \(.*\)/\1/p' $(FZ)/$$t.log | head -1)"; fail=1; fi; \
	    execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FZ)/$$t.log); \
	    rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(FZ)/$$t.log); \
	    printf '%-14s %10s execs %8s/s  %s\n' $$t "$${execs:-?}" "$${rate:-?}" "$$res"; \
	    if [ "$$res" != ok ]; then \
	        grep -m1 -E '^SUMMARY|ERROR: libFuzzer' $(FZ)/$$t.log | sed 's/^/    /'; \
	        grep -m1 -E '#[0-9]+ .* in .*/(src|spec/fuzz)/' $(FZ)/$$t.log | \
	            sed 's/^ *#[0-9]* 0x[0-9a-f]* in /    at /; s|$(CURDIR)/||'; \
	        echo "    see $(FZ)/$$t.log"; fi; \
	done; exit $$fail

ifneq ($(B),build)
-include $(shell find $(FZ) -name '*.d' 2>/dev/null)
endif

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt \
	    $(DESTDIR)$(PREFIX)/lib/lua/5.4/pkt
	install -m 755 pktlua $(DESTDIR)$(PREFIX)/bin/pktlua
	install -m 644 bindings/pkt.lua $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt.lua
	install -m 644 $(wildcard bindings/pkt/*.lua) $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt/
	install -m 644 vendor/services $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt/services.txt
	install -m 755 $(B)/pkt/core.so $(DESTDIR)$(PREFIX)/lib/lua/5.4/pkt/core.so

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/pktlua $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt.lua \
	    $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt $(DESTDIR)$(PREFIX)/lib/lua/5.4/pkt

# The random differential spec over SEEDS random seeds (default 10).
SEEDS ?= 10
diff-soak: all
	@fail=0; for i in $$(seq 1 $(SEEDS)); do s=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	    r=$$($(subst PKTLUA_SEED=$(PKTLUA_SEED),PKTLUA_SEED=$$s,$(TEST_ENV)) $(TEST_LUA) /usr/bin/busted \
	        --helper=spec/support/helper.lua -o spec/support/summary.lua --pattern=random_diff_spec spec 2>&1); \
	    echo "seed $$s: $$(echo "$$r" | tail -1)"; echo "$$r" | grep -q ' 0 failed' || fail=1; \
	done; exit $$fail

# Every packet of the public test captures (CAPTURES holds
# public-test-captures.tar.xz; MANIFEST.txt there says where each comes
# from) through the whole API under ASan+UBSan, in SOAK_WORKERS processes:
# prints files, packets, refusals, failures and time (spec/support/soak.lua).
CAPTURES ?= ../shared/captures
SOAK_WORKERS ?= 2
soak:
	@test -f $(CAPTURES)/public-test-captures.tar.xz || \
	    { echo "soak: no $(CAPTURES)/public-test-captures.tar.xz (set CAPTURES=dir)"; exit 1; }
	@$(MAKE) --no-print-directory SAN=1 all
	@rm -rf build/soak && mkdir -p build/soak/captures
	@tar -xJf $(CAPTURES)/public-test-captures.tar.xz -C build/soak/captures
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    LUA_PATH='bindings/?.lua;spec/support/?.lua;;' LUA_CPATH='build/san/?.so;;' \
	    PKTLUA='$(CURDIR)/build/san/pktlua' build/san/pktlua spec/support/soak.lua \
	    build/soak/captures $(SOAK_WORKERS) build/soak

# The core paths under valgrind: no invalid access, no definite leak.
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
valgrind: all $(B)/core_bench
	$(VALGRIND) $(B)/core_bench 2000
	$(VALGRIND) $(B)/pktlua spec/support/valgrind_paths.lua
	@echo "valgrind: ok"

# Lets pktlua capture and send without sudo.
setcap: pktlua
	setcap cap_net_raw,cap_net_admin+eip $(B)/pktlua

clean:
	rm -rf build pktlua

help:
	@echo "make            build ./pktlua and the Lua module $(B)/pkt/core.so (also: make all, make pktlua)"
	@echo "make deps       install missing Debian packages (as root)"
	@echo "make test       install, build and run the whole suite (SAN=1: ASan+UBSan)"
	@echo "make demo       run the bundled demos in a throw-away network lab"
	@echo "make bench      build, dissect, send, capture and reaction rates beside their peers"
	@echo "make bench-instr  instructions per packet of the build and dissect loops (callgrind)"
	@echo "make soak       every packet of the public test captures through the API (ASan+UBSan)"
	@echo "make install    install to PREFIX=$(PREFIX) (DESTDIR honoured); make uninstall removes it"
	@echo "make setcap     grant ./pktlua cap_net_raw,cap_net_admin"
	@echo "make ctest      build and run the C unit tests of the codecs"
	@echo "make lint       check that the C core has no Lua in it"
	@echo "make valgrind   the core paths under valgrind: no invalid access, no definite leak"
	@echo "make fuzz       libFuzzer targets for FUZZ_SECONDS=$(FUZZ_SECONDS) each (make fuzz-build: only compile)"
	@echo "make diff-soak  the random differential spec over SEEDS=$(SEEDS) random seeds"
	@echo "make clean      remove build products"
	@echo "make help       this list"

-include $(shell find $(B) -name '*.d' 2>/dev/null)
