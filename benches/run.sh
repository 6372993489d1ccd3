#!/usr/bin/env bash
# Compares raw actix-web with the same endpoints through elif.
#
#   bash benches/run.sh http      (from the repository root)
#   bash benches/run.sh db        (the data layer, on SQLite and PostgreSQL)
#   bash benches/run.sh auth      (elif-auth's guard by JWT and by a Redis session; argon2id hash time)
#   bash benches/run.sh coverage  (line coverage of elif-runtime and elif-codegen)
#   bash benches/run.sh conns     (10,000 keep-alive connections under an open-loop load)
#   bash benches/run.sh compile   (compile time of generated apps, elif against raw actix-web)
#   bash benches/run.sh startup   (cold start and idle RSS of the example app; `http` ends with it too)
#   bash benches/run.sh slow      (slowhttptest's slow headers and slow body against the example app,
#                                  127.0.0.1 only, while other clients' latency is measured)
#   bash benches/run.sh fuzz      (schemathesis against the example app's OpenAPI document,
#                                  signed in and anonymously; benches/fuzz.sh)
#   bash benches/run.sh realworld (the RealWorld example on PostgreSQL, 1,000 articles:
#                                  latency of the article list and of one article)
#
#   ONLY=regex limits the endpoints; QUICK=1 is a quick check (3 rounds of
#   1 s, one callgrind run per side).
#
# Method: release builds; each server has one worker pinned to core 0, wrk is
# pinned to core 1; pipelining depth 16 so the server is the bottleneck;
# ROUNDS rounds with raw and elif interleaved; each round measures the
# server's CPU time per request (user + system from /proc/PID/stat divided by
# the requests wrk completed). Latency percentiles come from a separate,
# non-pipelined run. Every server started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

suite=${1:-http}
if [ -n "${QUICK:-}" ]; then
  ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-1} CG_RUNS=${CG_RUNS:-1}
fi
ROUNDS=${ROUNDS:-11}
DURATION=${DURATION:-2}
WARMUP=${WARMUP:-1}
RAW_PORT=9101
ELIF_PORT=9102
CLK_TCK=$(getconf CLK_TCK)
out=$(mktemp -d)
pids=()

PG_BASE=${ELIF_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
PG_SCHEMA=elif_bench_$$
pg_schema=

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pg_schema" ]; then psql -q "$PG_BASE" -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$out"
}
trap cleanup EXIT
# shellcheck source=benches/callgrind.sh
. benches/callgrind.sh
cg_suffix=

# Line coverage of elif-runtime and elif-codegen under the whole test suite
# (every test target of the workspace, as `cargo test --workspace` runs them;
# doctests aside, which tarpaulin covers on nightly only), measured with
# cargo-tarpaulin's LLVM engine (`-C instrument-coverage`; tarpaulin reads the
# profiles itself, no llvm-profdata needed) in target/coverage, so the
# ordinary target/ is not rebuilt. Prints `COVERAGE <crate> <percent>` per
# crate, then the ten least-covered files of the two. Code the macros run
# inside rustc is not counted; the same codegen functions run in-process in
# elif-codegen's own tests and in `elif expand`'s, and those are. Some tests
# need PostgreSQL (ELIF_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/test).
coverage() {
  if ! command -v cargo-tarpaulin >/dev/null; then
    echo "installing cargo-tarpaulin (crates.io)" >&2
    cargo install cargo-tarpaulin --locked
  fi
  local started=$SECONDS
  nice -n 10 cargo tarpaulin --workspace --engine llvm --skip-clean \
    --target-dir target/coverage --timeout 1800 \
    --include-files 'elif-runtime/src/*' 'elif-codegen/src/*' \
    --out Lcov --output-dir "$out" >&2
  echo "coverage run: $((SECONDS - started)) s" >&2
  # lcov: SF:<file>, then LF:<lines found> and LH:<lines hit> per file.
  awk -v root="$PWD/" '
    /^SF:/ { file = substr($0, 4); sub("^" root, "", file) }
    /^LF:/ { found[file] += substr($0, 4) }
    /^LH:/ { hit[file] += substr($0, 4) }
    END {
      for (f in found) {
        split(f, parts, "/"); crate = parts[1]
        if (crate != "elif-runtime" && crate != "elif-codegen") continue
        crate_found[crate] += found[f]; crate_hit[crate] += hit[f]
        if (found[f] > 0) printf "FILE %s %d/%d %.1f\n", f, hit[f], found[f], 100 * hit[f] / found[f]
      }
      for (c in crate_found) {
        printf "COVERAGE %s %.1f\n", c, 100 * crate_hit[c] / crate_found[c]
        printf "LINES %s %d/%d\n", c, crate_hit[c], crate_found[c]
      }
    }' "$out/lcov.info" >"$out/coverage.txt"
  grep '^COVERAGE' "$out/coverage.txt" | sort
  grep '^LINES' "$out/coverage.txt" | sort | awk '{print "lines covered in " $2 ": " $3}' >&2
  echo
  echo "least-covered files (covered/total lines, percent):"
  grep '^FILE' "$out/coverage.txt" | sort -k4,4g -k2,2 | head -n 10 | awk '{printf "%-48s %9s %6s%%\n", $2, $3, $4}'
}

# http_status port path -> the status of one GET, or failure while nothing
# listens. Bash's /dev/tcp: no process is started per attempt, so polling
# does not itself delay the server's start by milliseconds.
http_status() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
  read -r _ status _ <&3 || status=
  exec 3<&-
  echo "$status"
}

# Cold start and idle memory of the example app as a user deploys it:
# release build, APP_ENV=production, default log level, SQLite, migrations
# already applied (`example-blog migrate up`, as a deploy runs them). Cold
# start: process start to the first 200 from /health, median of
# STARTUP_RUNS (default 5) fresh processes; idle RSS: VmRSS one second
# after that answer. Prints `STARTUP cold_ms=<x> idle_rss_mib=<x>`.
startup() {
  local db="sqlite://$out/blog.sqlite3" run start_ns pid status cold=() rss=()
  DATABASE_URL=$db target/release/example-blog migrate up >"$out/blog-migrate.log" 2>&1 ||
    { cat "$out/blog-migrate.log" >&2; exit 1; }
  for run in $(seq 1 "${STARTUP_RUNS:-5}"); do
    start_ns=$(date +%s%N)
    PORT=9103 DATABASE_URL=$db target/release/example-blog >"$out/blog.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    status=
    until [ "$status" = 200 ]; do
      kill -0 "$pid" 2>/dev/null || { echo "example-blog did not start:" >&2; cat "$out/blog.log" >&2; exit 1; }
      status=$(http_status 9103 /health) || status=
    done
    cold+=($((($(date +%s%N) - start_ns) / 1000)))
    sleep 1
    rss+=("$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")")
    stop "$pid"
  done
  echo "example-blog (release, production) cold start (us): ${cold[*]}; idle RSS (kB): ${rss[*]}" >&2
  echo "STARTUP cold_ms=$(printf '%s\n' "${cold[@]}" | median | awk '{printf "%.1f", $1 / 1000}') idle_rss_mib=$(printf '%s\n' "${rss[@]}" | median | awk '{printf "%.1f", $1 / 1024}')"
}

case "$suite" in
  http|db|conns|auth|slow|realworld) ;;
  coverage) coverage; exit 0 ;;
  compile) exec bash benches/compile.sh ;;
  fuzz) exec bash benches/fuzz.sh ;;
  startup) ;;
  *) echo "usage: bash benches/run.sh http|db|auth|coverage|conns|compile|startup|slow|fuzz|realworld" >&2; exit 2 ;;
esac

if [ "$suite" != conns ]; then
  if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)" >&2
    apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
  fi
  ensure_valgrind
fi

echo "building release binaries..." >&2
cargo build --release -q -p elif-benches -p example-blog -p example-realworld

started_pid=
# Every server runs as a user runs it in production: APP_ENV=production and
# the default log level (RUST_LOG unset).
export APP_ENV=production
# The example blog authenticates (elif-auth): production wants a JWT secret,
# and its sessions in Redis unless told to keep them in memory.
export APP__AUTH__JWT__SECRETS='["the benchmark blog secret, thirty-two bytes long"]'
export APP__AUTH__SESSIONS__STORE=memory
# Production answers only its hosts (the load generators send 127.0.0.1).
export APP__SECURITY__ALLOWED_HOSTS='["127.0.0.1", "localhost"]'
# The app-wide rate limit runs on every request, as by default, at a
# limit the load (hundreds of thousands of requests a second from one
# address) never reaches; failed logins stay limited as by default.
export APP__RATE_LIMIT__LIMIT=4000000000
unset RUST_LOG
start() { # name port binary probe-path; sets started_pid (DATABASE_URL passes through)
  PORT=$2 taskset -c 0 "target/release/$3" >"$out/$1.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$2$4" >/dev/null 2>&1 && return
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$1 did not start:" >&2; cat "$out/$1.log" >&2; exit 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# The same responses, headers included (values of date and x-request-id aside).
normalise() { tr -d '\r' | grep -vi '^date:' | sed 's/^\(x-request-id:\).*/\1 ID/I' | sort; }
same_responses() { # endpoint lines...
  local e name method path body a b args
  for e in "$@"; do
    read -r name method path body <<<"$e"
    args=(-s -i -X "$method")
    [ -n "${BENCH_HEADER:-}" ] && args+=(-H "$BENCH_HEADER")
    [ "$body" != - ] && args+=(-H 'content-type: application/json' --data-binary "@$body")
    a=$(curl "${args[@]}" "http://127.0.0.1:$RAW_PORT$path" | normalise)
    b=$(curl "${args[@]}" "http://127.0.0.1:$ELIF_PORT$path" | normalise)
    if [ "$a" != "$b" ]; then
      echo "responses differ for $name:"; diff <(echo "$a") <(echo "$b") || true; exit 1
    fi
  done
  echo "responses identical on every endpoint (headers included)" >&2
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run server pid port method path body depth connections seconds -> "requests cpu_us_per_request req_per_s"
measure() {
  local pid=$1 port=$2 method=$3 path=$4 body=$5 depth=$6 conns=$7 secs=$8
  local before after result requests
  # The server was idle while the other one ran: warm it up again first.
  taskset -c 1 wrk -t1 -c"$conns" -d"${WARMUP}s" -s benches/pipeline.lua \
    "http://127.0.0.1:$port" -- "$depth" "$method" "$path" "$body" >/dev/null
  before=$(cpu_ticks "$pid")
  result=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" -s benches/pipeline.lua \
    "http://127.0.0.1:$port" -- "$depth" "$method" "$path" "$body")
  after=$(cpu_ticks "$pid")
  requests=$(echo "$result" | awk '/requests in/ {print $1}')
  awk -v r="$requests" -v t=$((after - before)) -v hz="$CLK_TCK" -v s="$secs" \
    'BEGIN { printf "%d %.3f %.0f\n", r, (t / hz * 1e6) / r, r / s }'
}

latency() { # port method path body -> "p50 p99"
  local result
  result=$(taskset -c 1 wrk -t1 -c8 -d"${DURATION}s" --latency -s benches/pipeline.lua \
    "http://127.0.0.1:$1" -- 1 "$2" "$3" "$4")
  echo "$result" | awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print p50, p99}'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

ratios=()
compare() { # suffix endpoint lines... (raw_pid and elif_pid set); appends to ratios
  local suffix=$1 e name method path body round raw_cpu elif_cpu raw_rps elif_rps paired
  local raw_p50 raw_p99 elif_p50 elif_p99
  shift
  for e in "$@"; do
    read -r name method path body <<<"$e"
    name=$name$suffix
    [[ "$name" =~ ${ONLY:-.} ]] || continue
    : >"$out/$name.raw"; : >"$out/$name.elif"
    # Interleaved, and which server goes first alternates (raw-elif,
    # elif-raw, ...) so that a drift in the machine's speed during a round
    # pair does not favour either.
    for round in $(seq 1 "$ROUNDS"); do
      if [ $((round % 2)) = 1 ]; then
        measure "$raw_pid" $RAW_PORT "$method" "$path" "$body" 16 32 "$DURATION" >>"$out/$name.raw"
        measure "$elif_pid" $ELIF_PORT "$method" "$path" "$body" 16 32 "$DURATION" >>"$out/$name.elif"
      else
        measure "$elif_pid" $ELIF_PORT "$method" "$path" "$body" 16 32 "$DURATION" >>"$out/$name.elif"
        measure "$raw_pid" $RAW_PORT "$method" "$path" "$body" 16 32 "$DURATION" >>"$out/$name.raw"
      fi
  done
  raw_cpu=$(awk '{print $2}' "$out/$name.raw" | median)
  elif_cpu=$(awk '{print $2}' "$out/$name.elif" | median)
  raw_rps=$(awk '{print $3}' "$out/$name.raw" | median)
  elif_rps=$(awk '{print $3}' "$out/$name.elif" | median)
  read -r raw_p50 raw_p99 <<<"$(latency $RAW_PORT "$method" "$path" "$body")"
  read -r elif_p50 elif_p99 <<<"$(latency $ELIF_PORT "$method" "$path" "$body")"
  echo
  echo "== $name ($method $path), median of $ROUNDS rounds"
  printf '%-6s %12s %16s %10s %10s\n' server 'req/s' 'CPU us/request' p50 p99
  printf '%-6s %12.0f %16.3f %10s %10s\n' raw "$raw_rps" "$raw_cpu" "$raw_p50" "$raw_p99"
  printf '%-6s %12.0f %16.3f %10s %10s\n' elif "$elif_rps" "$elif_cpu" "$elif_p50" "$elif_p99"
  echo "rounds (CPU us/request): raw $(awk '{printf "%s ", $2}' "$out/$name.raw")| elif $(awk '{printf "%s ", $2}' "$out/$name.elif")"
  ratios+=("RATIO $name $(awk -v r="$raw_cpu" -v e="$elif_cpu" 'BEGIN { printf "%.3f", r / e }')")
  # The same, paired: the median of each round's raw ÷ elif (the two runs of
  # a round are seconds apart, so a slow spell of the machine hits both).
  paired=$(paste "$out/$name.raw" "$out/$name.elif" | awk '{print $2 / $5}' | median)
  echo "paired median ratio (raw ÷ elif per round): $(printf '%.3f' "$paired")"
  done
}

# Many connections: the example app (release, SQLite, production mode) and
# raw actix-web answering the same `GET /posts/1` (benches/src/bin/raw-db.rs
# with RAW_SHAPE=blog: the post with its author, comments and tags, the same
# JSON) each hold CONNS keep-alive connections, opened over CONNS_RAMP
# seconds, from benches/src/bin/open-load.rs, which offers CONNS_RATE
# requests/s across them open-loop (latency from each request's scheduled
# time), CONNS_WARMUP seconds unmeasured, then CONNS_SECONDS measured. Each
# connection sends a request every CONNS / CONNS_RATE seconds (5 s at the
# defaults). elif runs at its default keep-alive (`server.keep_alive`, 75 s);
# raw actix-web's default is 5 s, checked against a clock updated every
# 500 ms, at which about half the requests found their connection closed,
# so raw-db is given elif's (KEEP_ALIVE=75): the same work, each at the
# setting a production deployment uses. The server's VmHWM and VmRSS are
# read after the load with every connection still open.
rss_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
conns_run() { # name port; the server is running as $conns_pid -> appends a line to conns_lines
  local name=$1 port=$2 idle before after result hwm rss lines
  idle=$(rss_kib "$conns_pid" VmRSS)
  lines=$(wc -l <"$out/$name.log")
  before=$(cpu_ticks "$conns_pid")
  taskset -c 1 target/release/open-load "127.0.0.1:$port" "$CONNS" "$CONNS_RATE" "$CONNS_SECONDS" \
    /posts/1 "$CONNS_RAMP" "$CONNS_WARMUP" 3 >"$out/$name.load" 2>"$out/$name.load.err" &
  local client=$!
  pids+=("$client")
  # The client prints its line, then holds every connection 3 s more.
  until [ -s "$out/$name.load" ] || ! kill -0 "$client" 2>/dev/null; do sleep 0.05; done
  hwm=$(rss_kib "$conns_pid" VmHWM); rss=$(rss_kib "$conns_pid" VmRSS)
  after=$(cpu_ticks "$conns_pid")
  wait "$client" || { echo "open-load failed:" >&2; cat "$out/$name.load.err" >&2; exit 1; }
  result=$(cat "$out/$name.load")
  echo "$name: $result; RSS idle before $((idle / 1024)) MiB, with the connections open" \
    "$((rss / 1024)) MiB, peak (VmHWM) $((hwm / 1024)) MiB; server CPU over the run" \
    "$(awk -v t=$((after - before)) -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz }') s;" \
    "$(($(wc -l <"$out/$name.log") - lines)) log lines during the load" >&2
  sed 's/^/  /' "$out/$name.load.err" >&2
  # CONNS <connections> errors=... rps=... p50_ms=... p99_ms=... rss_mib=<VmHWM>
  conns_lines+=("$(echo "$result" | awk -v label="$3" -v hwm="$hwm" '{
    sub("connections=", "", $1); printf "%s %s %s %s %s %s rss_mib=%.1f\n", label, $1, $2, $3, $4, $5, hwm / 1024 }')")
}

# The example blog's database, as a deploy leaves it: migrations applied
# by the app's command; then one start in development mode seeds its first
# post (id 1, with an author and two tags), which production does not.
blog_database() {
  export DATABASE_URL="sqlite://$out/blog.sqlite3"
  target/release/example-blog migrate up >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }
  APP_ENV=development PORT=9104 taskset -c 0 target/release/example-blog >"$out/seed.log" 2>&1 &
  seed_pid=$!
  pids+=("$seed_pid")
  for _ in $(seq 1 200); do
    curl -fs http://127.0.0.1:9104/posts/1 >/dev/null 2>&1 && break
    sleep 0.05
  done
  stop "$seed_pid"
}

if [ "$suite" = conns ]; then
  CONNS=${CONNS:-10000} CONNS_RATE=${CONNS_RATE:-2000} CONNS_SECONDS=${CONNS_SECONDS:-20}
  CONNS_RAMP=${CONNS_RAMP:-5} CONNS_WARMUP=${CONNS_WARMUP:-2}
  # Servers and client inherit it (the hard limit here is 20,000).
  ulimit -n 20000
  started=$SECONDS
  blog_database
  export KEEP_ALIVE=75 RAW_SHAPE=blog
  start elif $ELIF_PORT example-blog /posts/1; conns_pid=$started_pid
  start raw $RAW_PORT raw-db /posts/1; raw_pid=$started_pid
  same_responses "post GET /posts/1 -"
  conns_lines=()
  echo "$CONNS connections opened over ${CONNS_RAMP}s, $CONNS_RATE requests/s, ${CONNS_WARMUP}s warm-up, ${CONNS_SECONDS}s measured, keep-alive 75 s (elif's default; raw given the same)" >&2
  conns_run elif $ELIF_PORT CONNS
  stop "$conns_pid"
  conns_pid=$raw_pid
  conns_run raw $RAW_PORT CONNS-raw
  stop "$raw_pid"
  echo "conns run: $((SECONDS - started)) s" >&2
  echo
  printf '%s\n' "${conns_lines[@]}"
  exit 0
fi

if [ "$suite" = startup ]; then startup; exit 0; fi

# Slow clients (slowhttptest, Debian's package): SLOW_CONNS connections
# opened at SLOW_RATE a second, each sending a header line (slowloris) or
# a piece of its JSON body (R-U-Dead-Yet) every SLOW_INTERVAL seconds, for
# SLOW_SECONDS, against the example app in production with its defaults
# (the head within server.header_timeout_ms, 5 s; the body within
# server.body_timeout_ms, 10 s). Meanwhile wrk, 4 connections, reads a
# post: its p99 is the line's figure (target < 100 ms).
# The RealWorld example as deployed (release, production, default log
# level) on PostgreSQL, in a schema of its own: one user registered through
# the API (a real password hash), then 1,000 articles with two tags each
# and a third of them favourited, in SQL. Latency at 8 connections
# (non-pipelined, RW_SECONDS each, default 10) of `GET /api/articles` (a
# page of 20 with authors, tags and counts: 6 queries) and of `GET
# /api/articles/{slug}`, anonymous. Prints `REALWORLD <endpoint> p50=
# p99= req_per_s=` (target: p99 under 5 ms for one article).
if [ "$suite" = realworld ]; then
  psql -q "$PG_BASE" -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null ||
    { echo "PostgreSQL does not answer at $PG_BASE" >&2; exit 1; }
  pg_schema=$PG_SCHEMA
  export DATABASE_URL="$PG_BASE?options=-csearch_path%3D$PG_SCHEMA"
  target/release/example-realworld migrate up >"$out/rw-migrate.log" 2>&1 ||
    { cat "$out/rw-migrate.log" >&2; exit 1; }
  start realworld $ELIF_PORT example-realworld /api/tags; rw_pid=$started_pid
  curl -fsS -o /dev/null -H 'content-type: application/json' \
    --data '{"user": {"username": "jake", "email": "jake@example.com", "password": "jakejake1"}}' \
    "http://127.0.0.1:$ELIF_PORT/api/users"
  PGOPTIONS="-c search_path=$PG_SCHEMA" psql -q -v ON_ERROR_STOP=1 "$PG_BASE" >/dev/null <<'SQL'
INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
  SELECT 'article-' || i, 'Article ' || i, 'About article ' || i, repeat('The body of the article. ', 40), 1,
         now() - (1000 - i) * interval '1 minute', now() - (1000 - i) * interval '1 minute'
  FROM generate_series(1, 1000) AS i;
INSERT INTO tags (name) SELECT 'tag' || i FROM generate_series(1, 10) AS i;
INSERT INTO article_tags (article_id, tag_id)
  SELECT id, 1 + (id % 10) FROM articles UNION ALL SELECT id, 1 + ((id + 1) % 10) FROM articles;
INSERT INTO favorites (article_id, user_id) SELECT id, 1 FROM articles WHERE id % 3 = 0;
ANALYZE;
SQL
  count=$(curl -fsS "http://127.0.0.1:$ELIF_PORT/api/articles" | python3 -c 'import json, sys; print(json.load(sys.stdin)["articlesCount"])')
  [ "$count" = 1000 ] || { echo "the seed made $count articles, not 1000" >&2; exit 1; }
  lines=()
  for endpoint in "list /api/articles" "article /api/articles/article-500"; do
    read -r name path <<<"$endpoint"
    DURATION=2 latency $ELIF_PORT GET "$path" - >/dev/null  # warm-up
    result=$(taskset -c 1 wrk -t1 -c8 -d"${RW_SECONDS:-10}s" --latency -s benches/pipeline.lua \
      "http://127.0.0.1:$ELIF_PORT" -- 1 GET "$path" -)
    lines+=("$(echo "$result" | awk -v name="$name" '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /^Requests\/sec/ {rps=$2}
      END {printf "REALWORLD %s p50=%s p99=%s req_per_s=%.0f\n", name, p50, p99, rps}')")
  done
  stop "$rw_pid"
  echo
  printf '%s\n' "${lines[@]}"
  exit 0
fi

if [ "$suite" = slow ]; then
  command -v slowhttptest >/dev/null || { echo "installing slowhttptest (Debian package)" >&2; apt-get install -y -qq slowhttptest >/dev/null; }
  SLOW_CONNS=${SLOW_CONNS:-1000} SLOW_RATE=${SLOW_RATE:-200} SLOW_INTERVAL=${SLOW_INTERVAL:-2} SLOW_SECONDS=${SLOW_SECONDS:-20}
  ulimit -n 20000
  blog_database
  start elif $ELIF_PORT example-blog /posts/1; slow_pid=$started_pid
  slow_lines=()
  for mode in headers body; do
    case $mode in
      headers) args=(-H -u "http://127.0.0.1:$ELIF_PORT/posts/1") ;;
      body) args=(-B -u "http://127.0.0.1:$ELIF_PORT/contact" -f application/json -s 8192) ;;
    esac
    taskset -c 1 slowhttptest "${args[@]}" -c "$SLOW_CONNS" -r "$SLOW_RATE" -i "$SLOW_INTERVAL" \
      -l "$SLOW_SECONDS" -p 3 -g -o "$out/slow-$mode" >"$out/slow-$mode.log" 2>&1 &
    attack=$!
    pids+=("$attack")
    # Once the slow connections are open, measure the other clients.
    sleep $((SLOW_CONNS / SLOW_RATE + 1))
    latency=$(taskset -c 1 wrk -t1 -c4 -d"$((SLOW_SECONDS - SLOW_CONNS / SLOW_RATE - 3))s" --latency \
      "http://127.0.0.1:$ELIF_PORT/posts/1" 2>&1)
    wait "$attack" || true
    kill -0 "$slow_pid" 2>/dev/null || { echo "the app died under slow $mode:" >&2; cat "$out/elif.log" >&2; exit 1; }
    p99=$(echo "$latency" | awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub("us", "", v); v /= 1000 } else if (v ~ /ms$/) { sub("ms", "", v) } else if (v ~ /s$/) { sub("s", "", v); v *= 1000 } printf "%.2f", v }')
    rps=$(echo "$latency" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    errors=$(echo "$latency" | awk '/Non-2xx|Socket errors/ { n++ } END { print n + 0 }')
    # The CSV's last row, under its header.
    last=$(tail -1 "$out/slow-$mode.csv")
    echo "slow $mode: slowhttptest's CSV, header and last row: $(head -1 "$out/slow-$mode.csv") | $last" >&2
    sed -n '/Test parameters/,/Probe connection timeout/p' "$out/slow-$mode.log" | sed 's/^/  /' >&2
    slow_lines+=("SLOW $mode p99_ms=$p99 rps=$rps wrk_error_lines=$errors final=$last")
  done
  stop "$slow_pid"
  echo
  printf '%s\n' "${slow_lines[@]}"
  exit 0
fi

# Authentication: `GET /me` behind elif-auth's `Authenticated` guard, by
# JWT (`Authorization: Bearer`) and by a session cookie on Redis, against
# raw actix-web doing the same work by hand with the same crates
# (benches/src/bin/raw-auth.rs). elif-auth hands out the token and the
# session (`POST /token`, `POST /login`); both servers read the same Redis
# key. Instructions are counted with the sequential load (one connection,
# a fixed number of requests), as the database's are: each session request
# waits on Redis.
if [ "$suite" = auth ]; then
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379} APP__AUTH__SESSIONS__STORE=redis
  target/release/elif-auth hash-time
  start elif $ELIF_PORT elif-auth /health; elif_pid=$started_pid
  start raw $RAW_PORT raw-auth /health; raw_pid=$started_pid
  token=$(curl -fs -X POST "http://127.0.0.1:$ELIF_PORT/token")
  cookie=$(curl -fs -i -X POST "http://127.0.0.1:$ELIF_PORT/login" | tr -d '\r' |
    awk -F': ' 'tolower($1) == "set-cookie" { split($2, a, ";"); print a[1]; exit }')
  [ -n "$token" ] && [ -n "$cookie" ] || { echo "no token or session from elif-auth" >&2; exit 1; }
  headers=("jwt authorization: Bearer $token" "session cookie: $cookie")
  for h in "${headers[@]}"; do
    export BENCH_HEADER=${h#* }
    same_responses "${h%% *} GET /me -"
    compare "" "${h%% *} GET /me -"
  done
  stop "$raw_pid"; stop "$elif_pid"
  # Each session request waits on Redis, and the client's task wakes up a
  # little differently from run to run: 3,000 requests (rather than the
  # database's 1,000) bring the runs within the tolerance.
  cg_shape=sequential CG_TOLERANCE=${CG_TOLERANCE:-0.02}
  CG_SHORT_COUNT=${CG_SHORT_COUNT_AUTH:-500} CG_LONG_COUNT=${CG_LONG_COUNT_AUTH:-3000}
  for h in "${headers[@]}"; do
    export BENCH_HEADER=${h#* }
    cg_rounds "raw raw-auth /health" "elif elif-auth /health" -- "${h%% *} GET /me -"
  done
  unset BENCH_HEADER
  cg_compare IRATIO raw elif
  echo
  printf '%s\n' "${ratios[@]}" "${iratios[@]}"
  exit 0
fi

if [ "$suite" = http ]; then
  start raw $RAW_PORT raw-http /plaintext; raw_pid=$started_pid
  start elif $ELIF_PORT elif-http /plaintext; elif_pid=$started_pid
  endpoints=( # name, method, path, body file
    "plaintext GET /plaintext -"
    "json GET /json -"
    "path-query GET /users/17?detail=full -"
    "post-validated POST /users benches/data/user.json"
  )
  same_responses "${endpoints[@]}"
  compare "" "${endpoints[@]}"
  stop "$raw_pid"; stop "$elif_pid"
  CG_TOLERANCE=${CG_TOLERANCE:-0.01}
  # Instructions per request: elif against the raw server adding the same
  # headers (request id, security headers), and against bare actix-web (no
  # middleware at all).
  cg_rounds "raw raw-http /plaintext RAW_STACK=defaults" \
    "elif elif-http /plaintext" \
    "bare raw-http /plaintext RAW_STACK=bare" -- "${endpoints[@]}"
  cg_compare IRATIO raw elif
  cg_compare IRATIO-bare bare elif
  # The opt-in access log, against raw actix-web writing the same line
  # through the same `tracing` subscriber.
  cg_rounds "rawlog raw-http /plaintext RAW_STACK=access-log" \
    "eliflog elif-http /plaintext APP__SERVER__ACCESS_LOG=true" -- "${endpoints[@]:0:2}"
  cg_compare IRATIO-access rawlog eliflog
else
  # One row by key, 20 rows with their authors (one eager-loaded
  # relation), 20 rows filtered by their author's name (a relation filter,
  # `EXISTS`), and the authors each with its count of posts (`with_count`),
  # through elif (controller -> service -> repository) and raw
  # actix-web + diesel-async + bb8, on each backend. elif-db creates and
  # seeds the tables; raw-db reads them.
  endpoints=(
    "row GET /posts/7 -"
    "list20 GET /posts -"
    "has GET /posts/by/Author%203 -"
    "count GET /authors -"
  )
  backends=("sqlite sqlite://$out/bench.sqlite3")
  if psql -q "$PG_BASE" -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null 2>&1; then
    pg_schema=$PG_SCHEMA
    backends+=("postgres $PG_BASE?options=-csearch_path%3D$PG_SCHEMA")
  else
    echo "PostgreSQL does not answer at $PG_BASE: measuring SQLite only" >&2
  fi
  for b in "${backends[@]}"; do
    read -r backend url <<<"$b"
    export DATABASE_URL=$url
    # Production applies no migrations at start: apply them first.
    target/release/elif-db migrate up >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }
    start elif $ELIF_PORT elif-db /posts/1; elif_pid=$started_pid
    start raw $RAW_PORT raw-db /posts/1; raw_pid=$started_pid
    same_responses "${endpoints[@]}"
    compare "-$backend" "${endpoints[@]}"
    stop "$raw_pid"; stop "$elif_pid"
    cg_suffix=-$backend cg_shape=sequential CG_TOLERANCE=${CG_TOLERANCE:-0.02}
    cg_rounds "raw raw-db /posts/1" "elif elif-db /posts/1" -- "${endpoints[@]}"
    cg_suffix=
  done
  cg_compare IRATIO raw elif
  unset DATABASE_URL
  echo
  printf '%s\n' "${ratios[@]}" "${iratios[@]}"
  exit 0
fi

startup
echo
printf '%s\n' "${ratios[@]}" "${iratios[@]}"
