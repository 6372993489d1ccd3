#!/usr/bin/env bash
# Compile time of an app written with elif against the same app written on
# raw actix-web (`bash benches/run.sh compile`, from the repository root).
#
# For each size (SIZES, default "1 10 100" routes), benches/compile/generate.sh
# writes both apps into a temporary directory, each its own Cargo package
# with a copy of the workspace's Cargo.lock (the same dependency versions,
# nothing resolved or downloaded). They share one target directory
# (COMPILE_TARGET_DIR, default target/compile-bench), so dependencies are
# built once, on the first run, and stay built.
# Debug builds, ROUNDS rounds (default 5), raw and elif alternating, the one
# going first swapping round by round; each round measures:
# - clean: `cargo clean -p <app>`, then a build of the app crate alone;
# - rebuild: the incremental build after one handler's string literal changes.
# Before every timed build, an untimed build of the app's framework crate
# (elif or actix-web) makes sure no dependency is rebuilt inside the timing.
# Rounds are the outer loop, so each round has every size and both kinds
# built within seconds of each other. Output: a table of medians (wall
# seconds; CPU = user + system), then `COMPILE <n>-routes <r>` per size,
# r the median over rounds of that round's raw rebuild ÷ elif rebuild (the
# paired ratio, as `http` reports CPU time), and elif's largest ÷ smallest
# rebuild, paired the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
SIZES=${SIZES:-"1 10 100"}
export CARGO_TARGET_DIR=${COMPILE_TARGET_DIR:-$PWD/target/compile-bench}
apps=$(mktemp -d)
trap 'rm -rf "$apps"' EXIT

framework() { case $1 in elif-*) echo elif ;; raw-*) echo actix-web ;; esac; }
cargo_in() { (cd "$apps/$1" && shift && nice -n 10 cargo "$@" --offline -q); }

# timed app -> "wall cpu" seconds of one build of the app crate
timed() {
  local TIMEFORMAT='%R %U %S' times
  cargo_in "$1" build -p "$(framework "$1")"
  times=$({ time cargo_in "$1" build 2>&2; } 2>&1 >/dev/null | tail -n 1)
  awk '{printf "%.2f %.2f\n", $1, $2 + $3}' <<<"$times"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "generating the apps and building their dependencies (first run: a few minutes)..." >&2
for n in $SIZES; do
  for kind in raw elif; do
    bash benches/compile/generate.sh "$kind" "$n" "$apps/$kind-$n"
    cargo_in "$kind-$n" build
  done
done

results=$apps/results
# Rounds outside, sizes inside: each round measures every size and both
# kinds within a few seconds of each other, so that the paired ratios below
# compare builds made under the same load (this VM's speed drifts by 20 %
# and more from minute to minute).
for round in $(seq 1 "$ROUNDS"); do
  order=$([ $((round % 2)) = 1 ] && echo "raw elif" || echo "elif raw")
  for n in $SIZES; do
    for kind in $order; do
      cargo_in "$kind-$n" clean -p "$kind-$n"
      echo "$kind $n clean $(timed "$kind-$n") $round" >>"$results"
    done
    for kind in $order; do
      # Same length, so no span after the literal moves.
      sed -i "s/ v[0-9]\{4\}\"/ v$(printf %04d "$round")\"/" "$apps/$kind-$n/src/c0.rs"
      echo "$kind $n rebuild $(timed "$kind-$n") $round" >>"$results"
    done
  done
  echo "round $round: $(awk -v r="$round" '$3 == "rebuild" && $6 == r {printf "%s-%s %s  ", $1, $2, $4}' "$results")" >&2
done

# stat kind n measure column -> the median
stat() { awk -v k="$1" -v n="$2" -v m="$3" -v c="$4" '$1 == k && $2 == n && $3 == m {print $c}' "$results" | median; }
# paired kind1 n1 kind2 n2 -> the median over rounds of (kind1 n1 rebuild ÷ kind2 n2 rebuild)
paired() {
  awk -v k1="$1" -v n1="$2" -v k2="$3" -v n2="$4" '
    $3 == "rebuild" && $1 == k1 && $2 == n1 {a[$6] = $4}
    $3 == "rebuild" && $1 == k2 && $2 == n2 {b[$6] = $4}
    END {for (r in a) if (r in b && b[r] > 0) printf "%.4f\n", a[r] / b[r]}' "$results" | median
}

echo
echo "== compile time, debug, median of $ROUNDS rounds (seconds; wall, CPU in brackets)"
printf '%-7s %18s %18s %18s %18s\n' routes 'raw clean' 'elif clean' 'raw rebuild' 'elif rebuild'
for n in $SIZES; do
  row=$n
  for m in clean rebuild; do
    for kind in raw elif; do
      row+=" $(stat "$kind" "$n" "$m" 4) ($(stat "$kind" "$n" "$m" 5))"
    done
  done
  awk '{printf "%-7s %10s %7s %10s %7s %10s %7s %10s %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}' <<<"$row"
done
for n in $SIZES; do
  echo "rounds, rebuild wall s ($n routes): raw $(awk -v n="$n" '$1 == "raw" && $2 == n && $3 == "rebuild" {printf "%s ", $4}' "$results")| elif $(awk -v n="$n" '$1 == "elif" && $2 == n && $3 == "rebuild" {printf "%s ", $4}' "$results")"
done
first=${SIZES%% *} last=${SIZES##* }
echo "elif rebuild, $last routes ÷ $first: $(awk -v r="$(paired elif "$last" elif "$first")" 'BEGIN {printf "%.2f", r}') (target ≤ 1.5; raw's own: $(awk -v r="$(paired raw "$last" raw "$first")" 'BEGIN {printf "%.2f", r}'); median over rounds of each round's ratio)"
echo
for n in $SIZES; do
  echo "COMPILE $n-routes $(awk -v r="$(paired raw "$n" elif "$n")" 'BEGIN {printf "%.3f", r}')   (median over rounds of raw rebuild ÷ elif rebuild; ratio of the medians $(awk -v r="$(stat raw "$n" rebuild 4)" -v e="$(stat elif "$n" rebuild 4)" 'BEGIN {printf "%.3f", r / e}'))"
done
