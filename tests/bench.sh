#!/bin/bash
# `make bench`: measurements, not tests.  So far the checker's replay
# throughput and model memory (tests/unit/bench_replay.c); written to
# build/bench.json.
cd "$(dirname "$0")/.." || exit 2
make -s build/tests/bench_replay || exit 2
build/tests/bench_replay | tee build/bench.json
