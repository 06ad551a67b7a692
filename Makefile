# pktlua - build, test, demo, deps, install.  `make help` lists the targets.

.DELETE_ON_ERROR:
.PHONY: all test deps demo bench install uninstall clean help lint setcap

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
BIND_SRC := bindings/lpkt.c bindings/lnet.c
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

$(B)/embed.c: bindings/embed.lua $(LUA_MODS)
	@mkdir -p $(dir $@)
	$(LUA) bindings/embed.lua $@ $(LUA_MODS)

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
DEB_TEST  := lua-busted tcpdump tshark python3-scapy iproute2 iputils-ping \
             netcat-openbsd libcap2-bin lua-socket

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

TEST_ENV := LUA_PATH='bindings/?.lua;scripts/?.lua;spec/?.lua;spec/support/?.lua;;' \
            LUA_CPATH='$(B)/?.so;;' PKTLUA='$(CURDIR)/$(B)/pktlua' $(SANRUN)

test: deps
	@$(MAKE) --no-print-directory all lint
	@$(TEST_ENV) $(TEST_LUA) /usr/bin/busted --helper=spec/support/helper.lua \
	    -o spec/support/summary.lua --pattern=_spec spec

demo: deps all
	@LUA_PATH='scripts/?.lua;;' $(LUA) scripts/demo.lua $(CURDIR)/$(B)/pktlua

$(B)/core_bench: bench/core_bench.c $(B)/libpkt.a
	$(CC) $(PK_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libpkt.a

$(B)/c_sender: bench/c_sender.c
	@mkdir -p $(dir $@)
	$(CC) $(PK_CFLAGS) $(CFLAGS) -o $@ $<

# Build/dissect rates, then send rates on a veth pair (needs root; skipped
# otherwise). BENCH_QUICK=1 runs the send bench with tiny counts.
bench: all $(B)/core_bench $(B)/c_sender
	@LUA_PATH='bindings/?.lua;;' LUA_CPATH='$(B)/?.so;;' $(LUA) bench/run.lua $(B)/core_bench
	@echo
	@LUA_PATH='bindings/?.lua;scripts/?.lua;;' LUA_CPATH='$(B)/?.so;;' $(LUA) bench/send_bench.lua $(CURDIR) $(B)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt \
	    $(DESTDIR)$(PREFIX)/lib/lua/5.4/pkt
	install -m 755 pktlua $(DESTDIR)$(PREFIX)/bin/pktlua
	install -m 644 bindings/pkt.lua $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt.lua
	install -m 644 $(wildcard bindings/pkt/*.lua) $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt/
	install -m 755 $(B)/pkt/core.so $(DESTDIR)$(PREFIX)/lib/lua/5.4/pkt/core.so

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/pktlua $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt.lua \
	    $(DESTDIR)$(PREFIX)/share/lua/5.4/pkt $(DESTDIR)$(PREFIX)/lib/lua/5.4/pkt

# Lets pktlua capture and send without sudo.
setcap: pktlua
	setcap cap_net_raw,cap_net_admin+eip pktlua

clean:
	rm -rf build pktlua

help:
	@echo "make            build ./pktlua and the Lua module $(B)/pkt/core.so"
	@echo "make deps       install missing Debian packages (as root)"
	@echo "make test       install, build and run the whole suite (SAN=1: ASan+UBSan)"
	@echo "make demo       run the bundled demos in a throw-away network lab"
	@echo "make bench      build and dissect rates beside Scapy's"
	@echo "make install    install to PREFIX=$(PREFIX) (DESTDIR honoured)"
	@echo "make setcap     grant ./pktlua cap_net_raw,cap_net_admin"
	@echo "make lint       check that the C core has no Lua in it"
	@echo "make clean      remove build products"

-include $(shell find $(B) -name '*.d' 2>/dev/null)
