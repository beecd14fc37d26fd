#!/usr/bin/env bash
# Integration: Neovim (the Debian package, its own LSP client) drives the
# bundled language server over stdio: diagnostics, completion, hover,
# definition, rename and formatting come back as expected. Installs neovim if
# missing. Live DNS checks are off: nothing leaves the machine.
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on a failure.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
PASSED=0; FAILED=0
if ! command -v nvim >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq neovim) >/dev/null 2>&1
fi
if ! command -v nvim >/dev/null 2>&1; then echo "FAIL neovim is not installed"; echo "0 passed, 1 failed"; exit 1; fi
[ -f dist/server.cjs ] || node esbuild.mjs
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cat > "$DIR/topo.mailtopo" <<'TOPO'
network corp {
  cidr 10.0.0.0/8
}

gateway edge1 {
  rol edge
  hostname edge1.example.test
  address    198.51.100.11
  dnsbl zen.spamhaus.org
  accept example.test
  relay allow from=corp
  route * via=direct
}

domain example.test {
  mx 10 edge1
}
TOPO
T0=$(date +%s%N)
SERVER="$ROOT/dist/server.cjs" FILE="$DIR/topo.mailtopo" OUT="$DIR/out.json" \
  timeout 60 nvim --headless -u NONE -i NONE -n -c "luafile $ROOT/test/integration/neovim.lua" >"$DIR/nvim.log" 2>&1
ST=$?
echo "neovim $(nvim --version | head -1 | cut -d' ' -f2) finished with $ST in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
[ -f "$DIR/out.json" ] || { echo "FAIL no result from neovim"; cat "$DIR/nvim.log"; echo "0 passed, 1 failed"; exit 1; }
node - "$DIR/out.json" <<'JS'
const r = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
let passed = 0, failed = 0;
const check = (name, ok, detail) => { if (ok) { passed++; console.log(`PASS neovim: ${name}`); } else { failed++; console.log(`FAIL neovim: ${name} -- ${JSON.stringify(detail)}`); } };
const s = r.steps || {};
check('no timeout', !r.timeout, r);
const mt101 = r.diagnostics && r.diagnostics.list.find((d) => d.code === 'MT101');
check('diagnostics: MT101 on "rol" (line 6, column 3), with its documentation link', mt101 && mt101.line === 5 && mt101.character === 2 && /rules\.md#mt101/.test(mt101.href), r.diagnostics);
check('completion offers "role"', s.completion && s.completion.labels.includes('role'), s.completion);
check('hover shows the reference target', s.hover && /gateway edge1/.test(JSON.stringify(s.hover.value)), s.hover);
check('definition goes to the declaration', s.definition && s.definition.line === 4 && /topo\.mailtopo$/.test(s.definition.uri), s.definition);
check('rename edge1 -> gw1 edits the declaration and the reference', s.rename && /gateway gw1 \{/.test(s.rename.text) && /mx 10 gw1/.test(s.rename.text) && !/edge1 \{/.test(s.rename.text), s.rename);
check('formatting applies the canonical layout', s.formatting && /\n  address 198\.51\.100\.11\n/.test(s.formatting.text) && /gateway gw1/.test(s.formatting.text), s.formatting);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
JS
