#!/bin/bash
# Entry of the generate integration tier for test/integration/run.sh and CI:
# runs test/integration/generate.sh (real Postfix, HAProxy, BIND, Graphviz and
# swaks on loopback), which prints PASS/FAIL per check and "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 2
exec bash test/integration/generate.sh "$@"
