#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scripts/skel-bounded.sh BPFTOOL NAME MAIN.o BOUNDED.o OUT.skel.h
#
# The skeleton of an object built twice: with bpf_loop() (MAIN.o) and with
# bounded loops for kernels before 5.17 (BOUNDED.o, -DHORNET_BOUNDED_LOOPS).
# It is MAIN.o's skeleton, with BOUNDED.o's before it and the choice
# between the two made when it is opened (hornet_skel_elf(), util/skel.h).
# Both objects must have the same maps, programs and global variables: the
# skeleton's structs are MAIN.o's and are used for either. This checks it.
set -eu
bpftool=$1 name=$2 main=$3 bounded=$4 out=$5
tmp=$out.tmp
"$bpftool" gen skeleton "$main" name "hornet_$name" > "$tmp.main"
"$bpftool" gen skeleton "$bounded" name "hornet_${name}_bounded" > "$tmp.bounded"

# the skeleton's declarations (structs, programs, maps, variables), minus the bytes
shape() {
	sed -n '/^struct hornet_/,/^};/p; /s->maps\[/p; /s->progs\[/p' "$1" |
		sed -e "s/hornet_${name}_bounded/hornet_$name/g" \
		    -e "s/HORNET_$(echo "$name" | tr a-z A-Z)_BOUNDED/HORNET_$(echo "$name" | tr a-z A-Z)/g"
}
shape "$tmp.main" > "$tmp.shape.main"
shape "$tmp.bounded" > "$tmp.shape.bounded"
if ! cmp -s "$tmp.shape.main" "$tmp.shape.bounded"; then
	echo "$0: $main and $bounded differ in maps, programs or variables:" >&2
	diff "$tmp.shape.main" "$tmp.shape.bounded" | head -20 >&2
	rm -f "$tmp".*
	exit 1
fi

line="s->data = (void \*)hornet_${name}__elf_bytes(&s->data_sz);"
if ! grep -q "$line" "$tmp.main"; then
	echo "$0: no '$line' in bpftool's skeleton: its layout changed" >&2
	rm -f "$tmp".*
	exit 1
fi
{
	echo '#include "util/skel.h"'
	cat "$tmp.bounded"
	sed "s|$line|s->data = (void *)hornet_skel_elf(hornet_${name}__elf_bytes, hornet_${name}_bounded__elf_bytes, \&s->data_sz);|" "$tmp.main"
} > "$tmp"
rm -f "$tmp.main" "$tmp.bounded" "$tmp.shape.main" "$tmp.shape.bounded"
mv "$tmp" "$out"
