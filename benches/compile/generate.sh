#!/usr/bin/env bash
# Writes one app for the compile-time benchmark (benches/compile.sh):
#
#   bash benches/compile/generate.sh elif|raw ROUTES DIR
#
# Both kinds serve ROUTES routes, 10 to a file (one controller, or one
# actix scope, per file), and every route does the same work: a guard, a
# path parameter, a JSON body checked against two rules, a call to a shared
# service, a JSON answer.
# - elif: `#[controller]` impls with `Inject<Notes>`, a `#[guard]`,
#   `Valid<NewItem>` with `#[derive(Validate)]`.
# - raw: actix-web handlers with `web::Data<Notes>`, the guard as a check in
#   the handler, `web::Json<NewItem>` and the rules written by hand.
# The first handler's note carries the marker `v0000`, which compile.sh
# rewrites to cause a one-handler rebuild.
set -euo pipefail
kind=$1 routes=$2 dir=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
files=$(( (routes + 9) / 10 ))
mkdir -p "$dir/src"
cp "$repo/Cargo.lock" "$dir/Cargo.lock"

if [ "$kind" = elif ]; then
  deps="elif = { path = \"$repo/elif\" }"
else
  deps='actix-web = { version = "4", default-features = false, features = ["macros"] }'
fi
cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$kind-$routes"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
$deps
serde = { version = "1", features = ["derive"] }

[workspace]
TOML

# The handlers of file $1: routes $1*10 .. min($1*10+10, ROUTES).
handlers() {
  local k=$1 i marker
  for i in $(seq $((k * 10)) $(( (k * 10 + 9) < routes - 1 ? k * 10 + 9 : routes - 1 ))); do
    marker=$([ "$i" = 0 ] && echo " v0000" || true)
    if [ "$kind" = elif ]; then cat <<RS

    #[post("/r$i/{id}")]
    async fn r$i(&self, id: u64, input: Valid<NewItem>) -> Json<Item> {
        let input = input.into_inner();
        Json(Item { id, name: input.name, note: self.notes.note("r$i$marker") })
    }
RS
    else cat <<RS

async fn r$i(
    request: HttpRequest,
    id: web::Path<u64>,
    input: web::Json<NewItem>,
    notes: web::Data<Notes>,
) -> HttpResponse {
    if !open(&request) {
        return HttpResponse::Forbidden().finish();
    }
    let input = input.into_inner();
    if !input.is_valid() {
        return HttpResponse::UnprocessableEntity().finish();
    }
    let note = notes.note("r$i$marker");
    HttpResponse::Ok().json(Item { id: id.into_inner(), name: input.name, note })
}
RS
    fi
  done
}

mounts() { # the raw file $1's routes, for its scope
  local k=$1 i
  for i in $(seq $((k * 10)) $(( (k * 10 + 9) < routes - 1 ? k * 10 + 9 : routes - 1 ))); do
    printf '            .route("/r%s/{id}", web::post().to(r%s))\n' "$i" "$i"
  done
}

controllers=
for k in $(seq 0 $((files - 1))); do
  if [ "$kind" = elif ]; then
    controllers+="c$k::Controller$k, "
    cat >"$dir/src/c$k.rs" <<RS
use elif::prelude::*;

use crate::{Item, NewItem, Notes, Open};

#[injectable]
pub struct Controller$k {
    notes: Inject<Notes>,
}

#[controller("/c$k", guards(Open))]
impl Controller$k {$(handlers "$k")
}
RS
  else
    cat >"$dir/src/c$k.rs" <<RS
use actix_web::{HttpRequest, HttpResponse, web};

use crate::{Item, NewItem, Notes, open};
$(handlers "$k")

pub fn routes(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/c$k")
$(mounts "$k")
    );
}
RS
  fi
done

modules=$(for k in $(seq 0 $((files - 1))); do echo "mod c$k;"; done)
if [ "$kind" = elif ]; then
  cat >"$dir/src/main.rs" <<RS
use elif::prelude::*;

$modules

#[derive(serde::Deserialize, Validate)]
pub struct NewItem {
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    #[validate(email)]
    pub email: String,
}

#[derive(serde::Serialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
    pub note: String,
}

#[injectable]
pub struct Notes {}

impl Notes {
    pub fn note(&self, text: &str) -> String {
        format!("{text}!")
    }
}

#[guard]
pub struct Open;

impl Guard for Open {
    async fn check(&self, _: &RequestContext<'_>) -> elif::Result<()> {
        Ok(())
    }
}

#[module(providers(Notes), controllers(${controllers%, }))]
pub struct AppModule;

#[elif::main]
async fn main() -> elif::Result<()> {
    App::new().module(AppModule).run().await
}
RS
else
  configure=$(for k in $(seq 0 $((files - 1))); do echo "            .configure(c$k::routes)"; done)
  cat >"$dir/src/main.rs" <<RS
use actix_web::{App, HttpRequest, HttpServer, web};

$modules

#[derive(serde::Deserialize)]
pub struct NewItem {
    pub name: String,
    pub email: String,
}

impl NewItem {
    pub fn is_valid(&self) -> bool {
        (1..=100).contains(&self.name.chars().count()) && self.email.contains('@')
    }
}

#[derive(serde::Serialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
    pub note: String,
}

pub struct Notes {}

impl Notes {
    pub fn note(&self, text: &str) -> String {
        format!("{text}!")
    }
}

/// The guard every handler checks.
pub fn open(_: &HttpRequest) -> bool {
    true
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let notes = web::Data::new(Notes {});
    HttpServer::new(move || {
        App::new()
            .app_data(notes.clone())
$configure
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await
}
RS
fi
