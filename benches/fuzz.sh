#!/usr/bin/env bash
# Schema-driven fuzzing of the example blog against its own OpenAPI document
# (`bash benches/run.sh fuzz`, from the repository root).
#
# Schemathesis 4 (PyPI, in a virtual environment made here, target/fuzz-venv)
# runs every phase (examples, coverage, fuzzing, stateful: links inferred
# from `Location` headers and from the document's shapes) with every check
# (`--checks all`: no 5xx; status, content type, headers and body as the
# document says; valid data accepted, invalid data rejected; auth not
# ignored...) against the release blog as a user deploys it (production,
# default log level, SQLite, migrations applied by `migrate up`).
#
# Three runs: authenticated by the JWT, then by the session cookie (with its
# XSRF token), as the account the script signs up and logs in through the
# API (an admin, so that admin routes answer too), then anonymously. JWTs
# are EdDSA, so that the JWK Set route has keys to serve. Each run is
# bounded by FUZZ_SECONDS (default 60) of schemathesis' own time budget.
# Printed per run and operation: the cases sent and the 2xx received, then
# `FUZZ <run> cases=<n> failures=<n>` and `FUZZ total cases=<n>`. The exit
# status is non-zero when a run fails (any failure schemathesis reports), or
# when an operation got no 2xx in the authenticated runs (a run where
# everything answers 401 proves nothing). FUZZ_SEED fixes hypothesis' seed.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
PORT=${FUZZ_PORT:-9105}
venv=target/fuzz-venv
out=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
  rm -rf "$out"
}
trap cleanup EXIT

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q 'version 4\.'; then
  echo "installing schemathesis 4 (PyPI) into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'schemathesis>=4,<5'
fi
"$venv/bin/schemathesis" --version >&2

echo "building the release blog..." >&2
cargo build --release -q -p example-blog
blog=target/release/example-blog

export APP_ENV=production
unset RUST_LOG
export DATABASE_URL="sqlite://$out/blog.sqlite3"
openssl genpkey -algorithm ed25519 -out "$out/jwt.pem" 2>/dev/null
openssl pkey -in "$out/jwt.pem" -pubout -out "$out/jwt.pub.pem"
export APP__AUTH__JWT__ALGORITHM=EdDSA
export APP__AUTH__JWT__PRIVATE_KEYS="[\"$out/jwt.pem\"]"
export APP__AUTH__JWT__PUBLIC_KEYS="[\"$out/jwt.pub.pem\"]"
export APP__AUTH__SESSIONS__STORE=memory
export APP__SECURITY__ALLOWED_HOSTS='["127.0.0.1"]'
# Thousands of requests a second from one address: the app-wide limit is
# raised so that the run reaches the handlers; failed logins stay limited
# as by default (their 429 is in the document).
export APP__RATE_LIMIT__LIMIT=4000000000

# The document is the one `openapi` prints; the server answers it too.
"$blog" openapi --out "$out/openapi.json"
"$blog" migrate up >"$out/migrate.log" 2>&1 || { cat "$out/migrate.log" >&2; exit 1; }
PORT=$PORT "$blog" >"$out/blog.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 200); do
  curl -fs "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$out/blog.log" >&2; exit 1; }
  sleep 0.05
done

# The account the login example names (the examples phase logs in with
# it), made an admin as an operator would, in the database.
email=ada@example.com password='correct horse battery staple'
curl -fsS -o /dev/null -H 'content-type: application/json' \
  --data "{\"name\": \"Ada\", \"email\": \"$email\", \"password\": \"$password\"}" "$base/users"
python3 - "$out/blog.sqlite3" "$email" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    assert db.execute("UPDATE authors SET role = 'admin' WHERE email = ?", (sys.argv[2],)).rowcount == 1
PY
curl -fsS -D "$out/login.headers" -o "$out/login.json" -H 'content-type: application/json' \
  --data "{\"email\": \"$email\", \"password\": \"$password\"}" "$base/login"
token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["token"])' "$out/login.json")
# The cookies login set, as a browser sends them back, and the XSRF token.
cookies=$(tr -d '\r' <"$out/login.headers" | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip' | paste -sd ';' | sed 's/;/; /g')
xsrf=$(tr -d '\r' <"$out/login.headers" | sed -n 's/^set-cookie: XSRF-TOKEN=\([^;]*\).*/\1/Ip')
[ -n "$cookies" ] && [ -n "$xsrf" ] || { echo "login set no session or XSRF cookie:" >&2; cat "$out/login.headers" >&2; exit 1; }

export SCHEMATHESIS_HOOKS=benches.fuzz.hooks
total=0 status=0
fuzz() { # name, extra schemathesis arguments...
  local name=$1 code=0
  shift
  export ELIF_FUZZ_LOG="$out/$name.calls"
  : >"$ELIF_FUZZ_LOG"
  echo "== $name" >&2
  PYTHONPATH=$PWD "$venv/bin/schemathesis" --config-file benches/fuzz/schemathesis.toml run "$out/openapi.json" --url "$base" \
    --checks all --max-time "$FUZZ_SECONDS" --workers 2 --no-color \
    ${FUZZ_SEED:+--seed "$FUZZ_SEED"} --report junit --report-junit-path "$out/$name.xml" "$@" >&2 || code=$?
  # Per operation: cases sent, 2xx received.
  awk -F '\t' '{ n[$1]++; if ($2 ~ /^2/) ok[$1]++ }
    END { for (op in n) printf "  %-44s cases=%-6d 2xx=%d\n", op, n[op], ok[op] }' "$ELIF_FUZZ_LOG" | sort
  local cases failures
  cases=$(wc -l <"$ELIF_FUZZ_LOG")
  failures=$(grep -o 'failures="[0-9]*"' "$out/$name.xml" | head -1 | grep -o '[0-9]*' || echo 0)
  echo "FUZZ $name cases=$cases failures=$failures exit=$code"
  total=$((total + cases))
  [ "$code" = 0 ] || status=$code
}

fuzz jwt -H "Authorization: Bearer $token"
# Logging out would end the session this run authenticates with: that
# route answers its 2xx in the JWT run.
fuzz session -H "Cookie: $cookies" -H "X-XSRF-TOKEN: $xsrf" --exclude-path /logout
# Every operation of the document answered 2xx at least once signed in.
missing=$(python3 - "$out/openapi.json" "$out/jwt.calls" "$out/session.calls" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ops = {f"{m.upper()} {p}" for p, item in doc["paths"].items() for m in item if m in
       ("get", "put", "post", "delete", "patch", "head", "options", "trace")}
ok = {line.split("\t")[0] for calls in sys.argv[2:] for line in open(calls)
      if line.split("\t")[1].startswith("2")}
print(" ".join(sorted(ops - ok)))
PY
)
if [ -n "$missing" ]; then
  echo "no 2xx in the authenticated runs for: $missing" >&2
  status=1
fi
fuzz anonymous
echo "FUZZ total cases=$total"
exit "$status"
