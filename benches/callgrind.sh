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
# Two load shapes: `pipelined` (http: wrk, 4 connections 8 deep, windows of
# CG_SHORT and CG_LONG seconds) and `sequential` (db: benches/src/bin/fixed-load.rs sends exactly
# CG_SHORT_COUNT and then CG_LONG_COUNT requests one after another on one
# keep-alive connection). SQLite runs its queries on tokio's blocking pool;
# with many requests in flight, how the work of a window's edge requests
# falls on valgrind's serialised threads varied the totals by a factor of
# five, while a fixed count of requests that never overlap repeats within
# about 1 %.
#
# A measurement is taken CG_RUNS times (default 2) in fresh processes, the
# two sides alternating (raw, elif, raw, elif). When the ratios of the runs
# differ by more than CG_TOLERANCE (0.01 for http, 0.02 for db) the line
# says `unresolved` instead of printing a ratio.

CG_RUNS=${CG_RUNS:-2}
CG_SHORT=${CG_SHORT:-1}
CG_LONG=${CG_LONG:-4}
CG_SHORT_COUNT=${CG_SHORT_COUNT:-200}
CG_LONG_COUNT=${CG_LONG_COUNT:-1000}
CG_PORT=9111
cg_shape=pipelined

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

# cg_load seconds|count method path body -> requests completed
cg_load() {
  if [ "$cg_shape" = pipelined ]; then
    taskset -c 1 wrk -t1 -c4 -d"${1}s" -s benches/pipeline.lua \
      "http://127.0.0.1:$CG_PORT" -- 8 "$2" "$3" "$4" | awk '/requests in/ {print $1}'
    return
  fi
  # One connection, exactly $1 requests, each answered before the next.
  taskset -c 1 target/release/fixed-load "127.0.0.1:$CG_PORT" "$1" "$2" "$3" "$4"
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
  local short_n long_n short_c long_c short=$CG_SHORT long=$CG_LONG
  if [ "$cg_shape" = sequential ]; then short=$CG_SHORT_COUNT long=$CG_LONG_COUNT; fi
  cg_load "$short" "$@" >/dev/null # warm-up
  callgrind_control -i on "$cg_pid" >/dev/null 2>&1
  cg_dump >/dev/null
  short_n=$(cg_load "$short" "$@"); short_c=$(cg_dump)
  long_n=$(cg_load "$long" "$@"); long_c=$(cg_dump)
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
# cg_side recorded (run i of one side against run i of the other); when the
# runs' ratios spread by more than CG_TOLERANCE the line says `unresolved`
# instead of giving a figure. Appended to `iratios`.
iratios=()
cg_compare() {
  local prefix=$1 base=$2 ours=$3 name
  for name in $(awk '!seen[$1]++ {print $1}' "$out/cg-$ours"); do
    iratios+=("$(awk -v n="$name" -v p="$prefix" -v tol="$CG_TOLERANCE" '
      FILENAME ~ /'"$base"'$/ && $1 == n { b[++nb] = $2; bs += $3 }
      FILENAME ~ /'"$ours"'$/ && $1 == n { o[++no] = $2; os += $3 }
      END {
        k = nb < no ? nb : no
        for (i = 1; i <= k; i++) {
          r[i] = b[i] / o[i]; mb += b[i] / k; mo += o[i] / k
          if (i == 1 || r[i] < lo) lo = r[i]
          if (i == 1 || r[i] > hi) hi = r[i]
        }
        runs = ""
        for (i = 1; i <= k; i++) runs = runs sprintf(" %.3f", r[i])
        if (k == 0 || mo <= 0 || lo <= 0 || hi - lo > tol) {
          printf "%s %s unresolved: runs disagree by more than %s (ratio of each run:%s; baseline", p, n, tol, runs
          for (i = 1; i <= nb; i++) printf " %d", b[i]
          printf ", elif"
          for (i = 1; i <= no; i++) printf " %d", o[i]
          printf " instructions/request)"
        } else {
          printf "%s %s %.3f   (instructions/request: baseline %.0f, elif %.0f; syscalls/request: baseline %.2f, elif %.2f; ratio of each run:%s%s)",
            p, n, mb / mo, mb, mo, bs / nb, os / no, runs, k < 2 ? ", one run: repeat not checked" : ""
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
