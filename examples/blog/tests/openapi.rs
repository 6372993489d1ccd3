//! The blog's OpenAPI document: `openapi` prints a 3.1 document that the
//! official schema (`docs/openapi-3.1.schema.json`) accepts, whose schema
//! objects are valid JSON Schema 2020-12, with every route of `routes`
//! once; it says what each route answers; `/_elif/openapi.json` serves the
//! same; and `/_elif/docs/` renders every operation in headless Chromium
//! with the network cut (the app and the browser in a network namespace
//! of their own, loopback only).

#![allow(missing_docs, clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

/// An SQLite file for one test (removed first).
fn database(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("elif-blog-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.sqlite3"));
    let _ = std::fs::remove_file(&file);
    format!("sqlite://{}", file.display())
}

fn blog(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_example-blog"))
        .args(args)
        .env("APP_ENV", "development")
        .env("DATABASE_URL", database(&args.join("_").replace('-', "")))
        .env_remove("APP__AUTH__JWT__SECRETS")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn document() -> Value {
    serde_json::from_str(&blog(&["openapi"])).unwrap()
}

/// Validates `instance` against the schema at `url`, held in `schemas`.
fn validate(compiler: &mut boon::Compiler, url: &str, instance: &Value) {
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(url, &mut schemas).unwrap();
    if let Err(error) = schemas.validate(instance, index) {
        panic!("{error:#}\n\n{instance:#}");
    }
}

/// Every schema object of the document: components' and those under
/// `schema` members of parameters, bodies, responses and headers.
fn schema_objects(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                if key == "schema" {
                    out.push(member.clone());
                } else {
                    schema_objects(member, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| schema_objects(item, out)),
        _ => {}
    }
}

#[test]
fn the_openapi_command_prints_a_valid_3_1_document_with_every_route_once() {
    let document = document();
    assert_eq!(document["openapi"], "3.1.0");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi-3.1.schema.json"
    );
    let official: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///openapi-3.1.schema.json", official)
        .unwrap();
    validate(&mut compiler, "file:///openapi-3.1.schema.json", &document);
    // The official schema leaves schema objects to JSON Schema itself.
    let mut schemas = Vec::new();
    schema_objects(&document["paths"], &mut schemas);
    for schema in document["components"]["schemas"]
        .as_object()
        .unwrap()
        .values()
    {
        schemas.push(schema.clone());
    }
    assert!(schemas.len() > 30, "{}", schemas.len());
    for schema in &schemas {
        validate(
            &mut compiler,
            "https://json-schema.org/draft/2020-12/schema",
            schema,
        );
    }
    // Every route of `routes`, once, and nothing else.
    let mut operations: Vec<(String, String)> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    let mut routes: Vec<(String, String)> = blog(&["routes"])
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace();
            let method = words.next().unwrap().to_owned();
            (method, words.next().unwrap().to_owned())
        })
        .collect();
    operations.sort();
    routes.sort();
    assert_eq!(operations, routes);
    let mut ids: Vec<&str> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|operation| operation["operationId"].as_str().unwrap())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
}

#[test]
fn the_document_says_what_each_route_answers() {
    let document = document();
    let paths = &document["paths"];
    // `Created<Post>`: 201 with a Location; the body is closed to unknown
    // members (the app rejects them) and the route needs `posts.write`.
    let create = &paths["/posts"]["post"];
    assert_eq!(create["operationId"], "PostsController_create");
    assert_eq!(create["tags"][0], "PostsController");
    assert!(create["responses"]["201"]["headers"]["Location"].is_object());
    let body = &create["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["unevaluatedProperties"], false, "{body:#}");
    for status in ["400", "401", "403", "413", "415", "422", "429"] {
        let error = &create["responses"][status]["content"]["application/problem+json"];
        assert_eq!(
            error["schema"]["$ref"], "#/components/schemas/Problem",
            "{status}"
        );
    }
    assert_eq!(
        create["security"][0]["jwt"][0], "permission:posts.write",
        "{:#}",
        create["security"]
    );
    // `NoContent`: 204 without a body; path parameters are typed.
    let delete = &paths["/posts/{id}"]["delete"];
    assert!(delete["responses"]["204"].get("content").is_none());
    assert_eq!(delete["parameters"][0]["in"], "path");
    assert_eq!(delete["parameters"][0]["schema"]["type"], "integer");
    // A handler answering `HttpResponse` declares it; its domain errors
    // are listed with their codes; public routes also admit no credentials.
    let login = &paths["/login"]["post"];
    assert!(login["responses"]["200"]["content"]["application/json"]["schema"].is_object());
    let unauthorised = login["responses"]["401"]["description"].as_str().unwrap();
    assert!(
        unauthorised.contains("CREDENTIALS_INVALID"),
        "{unauthorised}"
    );
    assert_eq!(login["security"][0], serde_json::json!({}));
    assert!(login["requestBody"]["content"]["application/json"]["example"].is_object());
    // `Query<Paging>`: one query parameter per field.
    let list = &paths["/posts"]["get"];
    assert!(
        list["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["in"] == "query"),
        "{:#}",
        list["parameters"]
    );
    // The doc comment is the summary.
    assert!(
        paths["/me"]["get"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("The signed-in account")
    );
    // Security schemes from the authenticating guard, as the config turns them on.
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["jwt"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    // `--yaml` and `--out`.
    assert!(blog(&["openapi", "--yaml"]).starts_with("openapi: 3.1.0"));
    let out = std::env::temp_dir().join(format!("elif-openapi-{}.json", std::process::id()));
    blog(&["openapi", "--out", out.to_str().unwrap()]);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written, document);
}

#[elif::test]
async fn the_served_document_is_the_printed_one_and_the_docs_page_has_its_own_policy() {
    let db = elif::testing::TestDatabase::sqlite("blog_openapi_served");
    let app = elif::testing::TestApp::start(
        example_blog::app()
            .without_env()
            .config("database.url", db.url()),
    )
    .await
    .unwrap();
    let served: Value = app.get("/_elif/openapi.json").await.json();
    let built = example_blog::app()
        .without_env()
        .config("database.url", db.url())
        .openapi()
        .unwrap();
    assert_eq!(served, serde_json::to_value(&built).unwrap());
    let redirect = app.get("/_elif/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.header("location"), Some("/_elif/docs/"));
    let page = app.get("/_elif/docs/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().contains("swagger-ui"), "{}", page.text());
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let initializer = app.get("/_elif/docs/swagger-initializer.js").await.text();
    assert!(initializer.contains("/_elif/openapi.json"), "{initializer}");
    assert!(
        initializer.contains("\"displayOperationId\": true"),
        "{initializer}"
    );
    assert_eq!(app.get("/_elif/docs/nothing-here.js").await.status(), 404);
    app.stop().await;
}

/// The docs page in headless Chromium, the app and the browser in a
/// network namespace with only loopback: every operation id is rendered.
#[test]
fn the_docs_page_renders_every_operation_offline_in_chromium() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok());
    let Some(chromium) = chromium else {
        assert!(
            std::env::var("CI").is_err(),
            "chromium is missing (.ci/run installs Debian's `chromium`)"
        );
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let document = document();
    let port = 18000 + (std::process::id() % 1000) as u16;
    let script = format!(
        r#"set -e
ip link set lo up
APP_ENV=development PORT={port} HOST=127.0.0.1 DATABASE_URL='{db}' '{bin}' serve >/dev/null 2>&1 &
app=$!
for i in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null; then break; fi
  sleep 0.1
done
{chromium} --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$(mktemp -d)" --virtual-time-budget=20000 \
  --dump-dom http://127.0.0.1:{port}/_elif/docs/ 2>/dev/null
kill $app
"#,
        db = database("chromium"),
        bin = env!("CARGO_BIN_EXE_example-blog"),
    );
    let output = Command::new("unshare")
        .args(["-n", "bash", "-c", &script])
        .env_remove("APP__AUTH__JWT__SECRETS")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("opblock"), "Swagger UI did not render:\n{dom}");
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().unwrap();
            assert!(dom.contains(id), "`{id}` is not on the page");
        }
    }
}
