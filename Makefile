# fangkong build. `make` builds build/release/fangkong; `make run` and `make test` are the
# two commands of the README (both install what is missing first, see scripts/).
# MODE=release (default, -O2) or MODE=san (ASan + UBSan); objects go to build/$(MODE).

MODE ?= release
B := build/$(MODE)
CC ?= cc
PKGS := sqlite3 jansson libsodium libqrencode
# Loaded when first used, not linked (base/dynlib.h): libmicrohttpd by `fangkong serve`,
# libxlsxwriter by XLSX files. Linked, the loader brought them and eleven libraries of
# theirs (gnutls, libcrypto...) into every command: ~20 ms of each CLI run's start. The
# build compiles against their headers (libmicrohttpd's flags from pkg-config, as before)
# and names the file each links as (its SONAME, read from the linker's .so; dynlib.h).
PKGS_LOADED := libmicrohttpd
soname = $(or $(shell objdump -p "$$($(CC) -print-file-name=$(1).so)" 2>/dev/null | \
	sed -n 's/^ *SONAME *//p'),$(1).so)
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Isrc -MMD -MP $(WARN) \
	$(shell pkg-config --cflags $(PKGS) $(PKGS_LOADED) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lgsl -lgslcblas -lpthread -lm

ifeq ($(MODE),san)
CFLAGS_MODE := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS_MODE := -fsanitize=address,undefined
else
CFLAGS_MODE := -O2 -g
LDFLAGS_MODE :=
endif
CFLAGS += $(CFLAGS_COMMON) $(CFLAGS_MODE)
LDFLAGS += $(LDFLAGS_MODE)

LIB_SRC := $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC := $(sort $(wildcard src/cli/*.c))
EMBED_IN := $(sort $(wildcard policy/*.json) $(wildcard src/store/migrations/*.sql))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/embedded.o
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all run test unit unit-bins clean
all: $(B)/fangkong

$(B)/fangkong: $(CLI_OBJ) $(B)/libfangkong.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libfangkong.a $(LIBS)

$(B)/libfangkong.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(B)/src/http/mhd.o: CFLAGS += -DFK_MHD_SONAME='"$(call soname,libmicrohttpd)"'
$(B)/src/io/xlsx.o: CFLAGS += -DFK_XLSX_SONAME='"$(call soname,libxlsxwriter)"'

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(B)/gen/embedded.c: tools/embed.sh $(EMBED_IN)
	@mkdir -p $(dir $@)
	sh tools/embed.sh $(EMBED_IN) > $@.tmp && mv $@.tmp $@

$(B)/gen/embedded.o: $(B)/gen/embedded.c
	$(CC) $(CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libfangkong.a tests/unit/testutil.h tests/unit/store_fixture.h
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(B)/libfangkong.a $(LIBS) -lcmocka $(LDFLAGS)

unit-bins: $(TEST_BIN)

unit: $(TEST_BIN)
	@for t in $(TEST_BIN); do $$t || exit 1; done

run:
	@sh scripts/run.sh

test:
	@sh scripts/test.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
