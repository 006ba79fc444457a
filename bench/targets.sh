#!/usr/bin/env bash
# Issue 13's targets, each timed as a whole process by farm-bench (medians over runs), eoc beside a
# numpy/OpenBLAS script doing the same work where there is one (--vs: A and B alternate, the ratio is
# taken pair by pair). Prints farm-bench's tables; bench/RESULTS.md quotes their medians.
#   bench/targets.sh                     # every backend that loads here, all targets
#   BACKENDS="wasm compiled" RUNS=3 TARGETS="sweep eval" bench/targets.sh
# Backends: wasm and compiled run with EOC_OPENBLAS=none (a fresh machine has no system OpenBLAS);
# native needs libopenblas0. numpy runs single-threaded (OPENBLAS_NUM_THREADS=1), and so does eoc
# (--workers 1) where it would otherwise use both cores; the machine's OpenBLAS overrides
# (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) are removed for both, as in bench/run.js.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BACKENDS=${BACKENDS:-"wasm compiled native"}
TARGETS=${TARGETS:-"startup check sweep eval report"}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OPENBLAS_NUM_THREADS=1
eoc="node bin/eoc.js"
np="python3 bench/numpy_ref.py"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, node $(node --version)"
node bin/eoc.js --version
for b in $BACKENDS; do
  envs=(EOC_BACKEND="$b")
  [ "$b" = native ] || envs+=(EOC_OPENBLAS=none)
  line=$(env "${envs[@]}" node bin/eoc.js --version | grep backend)
  echo; echo "## backend $b: $line"
  case "$line" in *"$b"*) ;; *) echo "(skipped: $b does not load here)"; continue ;; esac
  for t in $TARGETS; do
    case $t in
      startup)
        echo "### eoc --version (target < 0.3 s wall)"
        env "${envs[@]}" farm-bench -n 10 -- $eoc --version ;;
      check)
        echo "### eoc check --depth 60 --width 256 (target < 2 s wall; 2 workers)"
        env "${envs[@]}" farm-bench -n "$RUNS" --timeout 600 -- sh -c "exec $eoc check --depth 60 --width 256 >/dev/null; exit 0" ;;
      sweep)
        echo "### sweep: orthogonal tanh L=100 N=256, gains 0.9:1.35:0.05, 2 seeds, sigma_b 0.05, located gains (eoc, 1 worker) vs the numpy grid alone (target <= 1.0 fresh, <= 0.6 compiled/OpenBLAS)"
        env "${envs[@]}" farm-bench -n "$RUNS" --timeout 1800 \
          --vs "$np W1 256 100 0.9:1.35:0.05 2" \
          -- $eoc sweep --depth 100 --width 256 --gains 0.9:1.35:0.05 --seeds 2 --bias-std 0.05 --workers 1 --json ;;
      eval)
        for n in 256 512 1024; do
          echo "### one evaluation, draws included: eoc spectrum --seeds 1 N=$n L=100 vs numpy (target <= 0.7)"
          env "${envs[@]}" farm-bench -n "$RUNS" --timeout 1800 \
            --vs "$np W3dense $n 100 1 1" \
            -- $eoc spectrum --depth 100 --width "$n" --seeds 1 --gain 1.05 --bias-std 0.05 --json
        done ;;
      report)
        echo "### the default eoc report (target < 30 s wall on 2 cores)"
        out=$(mktemp -d)
        env "${envs[@]}" farm-bench -n 1 --warmup 0 --timeout 600 -- sh -c "exec $eoc report --out $out >/dev/null 2>&1"
        rm -rf "$out" ;;
    esac
  done
done
