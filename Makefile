# fangkong build. `make` builds build/release/fangkong; `make run` and `make test` are the
# two commands of the README (both install what is missing first, see scripts/).
# MODE=release (default, -O2) or MODE=san (ASan + UBSan); objects go to build/$(MODE).

MODE ?= release
B := build/$(MODE)
CC ?= cc
PKGS := sqlite3 libmicrohttpd jansson libsodium libqrencode
WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -Isrc -MMD -MP $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lxlsxwriter -lgsl -lgslcblas -lpthread -lm

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
