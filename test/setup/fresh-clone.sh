#!/usr/bin/env bash
# The set-up test (.ci/run runs it after the main suite; it counts as one test there).
# A new user on a machine without Chromium and OpenBLAS: clone the committed HEAD into a temp
# folder, run exactly the README's two set-up commands (parsed from its "Set up" block) with CI
# unset, and check that both exit 0, that `eoc report` wrote its report folder with index.html,
# and that the suite counted the browser and native-backend tests as skipped, not failed.
#   test/setup/fresh-clone.sh           # prints timings, ends with "fresh-clone: ok" or "fresh-clone: FAIL: ..."
# The machine without them is simulated: PATH is a temp folder holding only node, npm, npx, git,
# sh, bash, a few coreutils and the build tools a fresh machine has (python3, make, cc/gcc, g++/c++
# and binutils' as, ld and ar, for the compiled kernels `npm ci` builds: native/build.mjs), so no
# chromium on it, and EOC_OPENBLAS=none (README) keeps the native backend from loading the system
# OpenBLAS. npm ci runs with prefer-offline (the npm cache makes it fast), set through npm's
# environment so the README's command runs verbatim. The set-up log must show the one line the
# kernel build prints: built, or not built with its reason (npm ci passes either way).
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/eoc-fresh-clone-XXXXXX")
keep=${EOC_FRESH_CLONE_KEEP:-}
cleanup() { if [ -z "$keep" ]; then rm -rf "$work"; else echo "fresh-clone: kept $work" >&2; fi; }
trap cleanup EXIT
fail() {
  echo "fresh-clone: FAIL: $*"
  exit 1
}

# --- the README's set-up commands: the ```sh block under "## Set up", one command per line,
# comments stripped. The test knows the two it checks; a README that changes them breaks it.
mapfile -t cmds < <(node -e '
  const md = require("fs").readFileSync(process.argv[1], "utf8");
  const m = /^## Set up[^\n]*\n[\s\S]*?^```sh\n([\s\S]*?)^```/m.exec(md);
  if (!m) process.exit(1);
  for (const line of m[1].split("\n")) {
    const cmd = line.replace(/\s+#.*$/, "").trim();
    if (cmd) console.log(cmd);
  }' "$repo/README.md") || fail "README.md has no \`\`\`sh block under '## Set up'"
expected=("npm ci && npx eoc report" "npm test")
[ "${#cmds[@]}" -eq 2 ] && [ "${cmds[0]}" = "${expected[0]}" ] && [ "${cmds[1]}" = "${expected[1]}" ] \
  || fail "README's set-up commands are now [${cmds[*]}], this test checks [${expected[*]}]: update test/setup/fresh-clone.sh with the README"

# --- a clone of the committed HEAD (uncommitted changes are not part of what a user gets)
head=$(git -C "$repo" rev-parse HEAD) || fail "not a git checkout: $repo"
git clone --quiet --no-checkout "$repo" "$work/eoc" && git -C "$work/eoc" checkout --quiet --detach "$head" \
  || fail "could not clone $repo at $head"

# --- a PATH without Chromium: only the tools the set-up needs
bin="$work/bin"
mkdir -p "$bin"
for tool in node npm npx git sh bash env cat ls mkdir rm cp mv ln grep sed tr uname dirname basename head tail sort mktemp \
  printf touch which make cc gcc g++ c++ as ld ar; do
  # type -P: the program, not a shell builtin of the same name (printf)
  p=$(type -P "$tool") || fail "this machine has no $tool"
  ln -s "$p" "$bin/$tool"
done
# python3 for node-gyp: the interpreter itself (a pyenv shim on PATH needs tools the simulated PATH lacks)
py=$(python3 -c 'import sys; print(sys.executable)') || fail "this machine has no python3"
ln -s "$py" "$bin/python3"
ls "$bin" | grep -qi chrom && fail "the simulated PATH has a browser"

run() { # run <label> <command>: in the clone, on the simulated machine, CI unset; stdout, stderr and both in $work/<label>.{out,err,log}
  local label=$1 cmd=$2 status real user sys TIMEFORMAT='%R %U %S'
  { time { (cd "$work/eoc" && env -u CI -u EOC_BACKEND -u EOC_CHROMIUM PATH="$bin" HOME="${HOME:-/root}" \
    EOC_OPENBLAS=none npm_config_prefer_offline=true npm_config_audit=false npm_config_fund=false \
    bash -c "$cmd") >"$work/$label.out" 2>"$work/$label.err"; }; } 2>"$work/$label.time"
  status=$?
  cat "$work/$label.out" "$work/$label.err" >"$work/$label.log"
  read -r real user sys <"$work/$label.time"
  # wall time, and the CPU time of every process it ran (on an idle 2-core machine wall >= CPU/2)
  echo "fresh-clone: \`$cmd\` exit $status in ${real} s wall, CPU ${user} s user + ${sys} s sys"
  return $status
}

run setup "${cmds[0]}" || { tail -n 30 "$work/setup.log"; fail "\`${cmds[0]}\` failed"; }
# the compiled kernels' build (package.json "install"): exactly one line, built or not built and why
kernels=$(grep -E '^eoc: compiled kernels (built: .*eoc_kernels\.node|not built \(.*\); eoc will use the wasm backend$)' "$work/setup.log")
[ "$(grep -c . <<<"$kernels")" -eq 1 ] || { tail -n 30 "$work/setup.log"; fail "npm ci printed no compiled-kernels line (or more than one): [$kernels]"; }
echo "fresh-clone: $kernels"
report=$(grep -v '^\s*$' "$work/setup.out" | tail -n 1)
case "$report" in /*) ;; *) report="$work/eoc/$report" ;; esac
[ -f "$report/index.html" ] || { tail -n 30 "$work/setup.log"; fail "no index.html in the folder eoc report printed ($report)"; }
[ "$(cd "$report" && pwd)" = "$work/eoc/reports/default" ] || fail "eoc report wrote $report, not reports/default"

run test "${cmds[1]}" || { tail -n 40 "$work/test.log"; fail "\`${cmds[1]}\` failed"; }
log=$(sed 's/\x1b\[[0-9;]*m//g' "$work/test.log")
summary=$(grep -E '^\s*Tests\s' <<<"$log" | tail -n 1)
echo "fresh-clone: vitest: $(sed 's/^\s*//' <<<"$summary")"
grep -q 'failed' <<<"$summary" && fail "the suite reports failures: $summary"
grep -qE '[0-9]+ skipped' <<<"$summary" || fail "the suite reports nothing skipped: $summary"
grep -q 'eoc tests: skipping the browser test' <<<"$log" || fail "no reason printed for skipping the browser test"
grep -q 'eoc tests: skipping the native backend tests' <<<"$log" || fail "no reason printed for skipping the native backend tests"
grep -qE 'browser\.test\.ts \(1 test \| 1 skipped\)' <<<"$log" || fail "the browser test was not counted as skipped"
grep -qE 'native-extras\.test\.ts \(([0-9]+) tests \| \1 skipped\)' <<<"$log" || fail "native-extras.test.ts was not counted as skipped"
grep -qE 'backends\.test\.ts \([0-9]+ tests \| [0-9]+ skipped\)' <<<"$log" || fail "backends.test.ts counted no skipped native tests"
echo "fresh-clone: ok"
