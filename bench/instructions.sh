#!/bin/sh
# instructions.sh - instructions per packet of bench/loops.lua's loops,
# counted by callgrind: the difference between 20000 and 10000 runs, so
# loading the module does not count.  Usage: sh bench/instructions.sh [BUILD_DIR]
B=${1:-build}
count() {
    LUA_PATH='bindings/?.lua;;' LUA_CPATH="$B/?.so;;" valgrind --tool=callgrind \
        --callgrind-out-file=/dev/null lua5.4 bench/loops.lua "$1" "$2" 2>&1 |
        sed -n 's/.*I *refs: *//p' | tr -d ,
}
for what in build dissect dissect2 edit dedit chain; do
    a=$(count $what 10000)
    b=$(count $what 20000)
    echo "$what $(( (b - a) / 10000 )) instructions per packet"
done
