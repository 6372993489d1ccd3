# Instructions per request under callgrind: sourced by benches/run.sh.
#
# CPU time per request moves by 15–50 % within minutes on a shared VM, so
# the gate is the number of instructions a server executes per request,
# which repeats to a few instructions whatever else the machine does.
#
# Method, per server process: start it under
# `valgrind --tool=callgrind --instr-atstart=no` (nothing counted while it
# boots), warm the endpoint up, switch instrumentation on, then run two
# loads of different lengths, dumping the counters after each. The figure
# is (instructions of the long load − instructions of the short one) ÷
# (requests of the long − requests of the short): connection set-up, the
# requests still in flight when wrk stops and whatever the process does
# idle cancel out. `--collect-systime=yes` also counts system calls, so
# that work moved into the kernel shows (`sys/req`).
#
# A measurement is taken CG_RUNS times (default 2) in fresh processes, the
# two sides alternating (raw, elif, raw, elif). When the runs of one side
# differ by more than CG_TOLERANCE (default 1 %) the line says
# `unresolved` instead of printing a ratio.

CG_RUNS=${CG_RUNS:-2}
CG_TOLERANCE=${CG_TOLERANCE:-0.01}
CG_WARMUP=${CG_WARMUP:-2}
CG_SHORT=${CG_SHORT:-1}
CG_LONG=${CG_LONG:-4}
CG_PORT=9111

ensure_valgrind() {
  command -v valgrind >/dev/null && command -v callgrind_control >/dev/null && return
  echo "installing valgrind (Debian package)" >&2
  apt-get install -y -q valgrind >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q valgrind >/dev/null; }
}

cg_pid=
cg_file=
# cg_start label binary probe-path [VAR=value...]: starts the binary under
# callgrind on CG_PORT with the given environment; sets cg_pid and cg_file.
cg_start() {
  local label=$1 binary=$2 probe=$3
  shift 3
  cg_file="$out/cg-$label-$RANDOM"
  env PORT=$CG_PORT "$@" taskset -c 0 valgrind --tool=callgrind --instr-atstart=no \
    --collect-systime=yes --dump-instr=no --callgrind-out-file="$cg_file" \
    "target/release/$binary" >"$cg_file.log" 2>&1 &
  cg_pid=$!
  pids+=("$cg_pid")
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$CG_PORT$probe" >/dev/null 2>&1 && return
    kill -0 "$cg_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$label did not start under callgrind:" >&2; cat "$cg_file.log" >&2; exit 1
}

cg_stop() { stop "$cg_pid"; rm -f "$cg_file"*; }

# cg_load seconds method path body -> requests wrk completed
cg_load() {
  taskset -c 1 wrk -t1 -c4 -d"${1}s" -s benches/pipeline.lua \
    "http://127.0.0.1:$CG_PORT" -- 8 "$2" "$3" "$4" | awk '/requests in/ {print $1}'
}

# cg_dump -> "instructions syscalls" counted since the last dump
cg_dump() {
  local before after
  before=$(ls "$cg_file".* 2>/dev/null | grep -c '\.[0-9]*$' || true)
  callgrind_control -d "$cg_pid" >/dev/null 2>&1
  for _ in $(seq 1 100); do
    after=$(ls "$cg_file".* 2>/dev/null | grep -c '\.[0-9]*$' || true)
    [ "$after" -gt "$before" ] && break
    sleep 0.1
  done
  awk '/^totals:/ {print $2, $3}' "$cg_file.$after"
}

# cg_measure method path body -> "instructions/request syscalls/request"
# on the server cg_start started.
cg_measure() {
  local short_n long_n short_c long_c
  cg_load "$CG_WARMUP" "$@" >/dev/null
  callgrind_control -i on "$cg_pid" >/dev/null 2>&1
  cg_dump >/dev/null
  short_n=$(cg_load "$CG_SHORT" "$@"); short_c=$(cg_dump)
  long_n=$(cg_load "$CG_LONG" "$@"); long_c=$(cg_dump)
  callgrind_control -i off "$cg_pid" >/dev/null 2>&1
  awk -v sn="$short_n" -v ln="$long_n" -v sc="$short_c" -v lc="$long_c" 'BEGIN {
    split(sc, s, " "); split(lc, l, " ")
    printf "%.0f %.3f\n", (l[1] - s[1]) / (ln - sn), (l[2] - s[2]) / (ln - sn)
  }'
}

# cg_side label binary probe "env..." endpoint-lines...: measures every
# endpoint (ONLY applies) on one fresh process; appends
# "<endpoint> <instr/req> <sys/req>" lines to $out/cg-<label>.
cg_side() {
  local label=$1 binary=$2 probe=$3 envs=$4 e name method path body
  shift 4
  # shellcheck disable=SC2086
  cg_start "$label" "$binary" "$probe" $envs
  for e in "$@"; do
    read -r name method path body <<<"$e"
    name=$name$cg_suffix
    [[ "$name" =~ ${ONLY:-.} ]] || continue
    echo "$name $(cg_measure "$method" "$path" "$body")" >>"$out/cg-$label"
  done
  cg_stop
}

# cg_compare line-prefix baseline-label elif-label: one line per endpoint,
# `<prefix> <endpoint> <baseline instr/req ÷ elif instr/req>`, from the runs
# cg_side recorded; appended to `iratios`.
iratios=()
cg_compare() {
  local prefix=$1 base=$2 ours=$3 name
  for name in $(awk '!seen[$1]++ {print $1}' "$out/cg-$ours"); do
    iratios+=("$(awk -v n="$name" -v p="$prefix" -v tol="$CG_TOLERANCE" '
      FILENAME ~ /'"$base"'$/ && $1 == n { b[++nb] = $2; bs += $3 }
      FILENAME ~ /'"$ours"'$/ && $1 == n { o[++no] = $2; os += $3 }
      function spread(a, k,   i, lo, hi) {
        lo = hi = a[1]; for (i = 2; i <= k; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
        return (hi - lo) / lo
      }
      function mean(a, k,   i, s) { for (i = 1; i <= k; i++) s += a[i]; return s / k }
      END {
        if (spread(b, nb) > tol || spread(o, no) > tol) {
          printf "%s %s unresolved: the runs disagree (baseline", p, n
          for (i = 1; i <= nb; i++) printf " %d", b[i]
          printf "; elif"
          for (i = 1; i <= no; i++) printf " %d", o[i]
          printf " instructions/request)"
        } else {
          printf "%s %s %.3f   (instructions/request: baseline %.0f, elif %.0f; syscalls/request: baseline %.2f, elif %.2f; ratio of each run:",
            p, n, mean(b, nb) / mean(o, no), mean(b, nb), mean(o, no), bs / nb, os / no
          for (i = 1; i <= nb && i <= no; i++) printf " %.3f", b[i] / o[i]
          printf ")"
        }
      }' "$out/cg-$base" "$out/cg-$ours")")
  done
}

# cg_rounds "label binary probe env" ... -- endpoint-lines...: CG_RUNS
# fresh processes of each side, sides alternating within a run.
cg_rounds() {
  local sides=() run s label binary probe envs
  while [ "$1" != -- ]; do sides+=("$1"); shift; done
  shift
  for run in $(seq 1 "$CG_RUNS"); do
    for s in "${sides[@]}"; do
      read -r label binary probe envs <<<"$s"
      echo "callgrind: $label$cg_suffix, run $run of $CG_RUNS" >&2
      cg_side "$label" "$binary" "$probe" "$envs" "$@"
    done
  done
}
