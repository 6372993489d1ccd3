//! Limits and timeouts, each with its status, through real connections:
//! header count and size (431), URL length (414), a declared body over the
//! limit (413 before it is read), JSON depth (400), slow headers (408),
//! a slow body (408), a slow handler (503, and the handler stopped),
//! idle keep-alive, connections per worker, and request smuggling (400).

#![allow(missing_docs, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use elif::http::Method;
use elif::prelude::*;
use elif::testing::TestApp;
use serde_json::{Value, json};

static DROPPED: AtomicBool = AtomicBool::new(false);

/// Sets `DROPPED` when the handler's future is dropped unfinished.
struct Dropped;

impl Drop for Dropped {
    fn drop(&mut self) {
        DROPPED.store(true, Ordering::SeqCst);
    }
}

#[injectable]
pub struct LimitsController;

#[controller("/", public)]
impl LimitsController {
    #[get("/ok")]
    async fn ok(&self) -> &'static str {
        "ok"
    }

    #[post("/echo")]
    async fn echo(&self, body: Json<Value>) -> Json<Value> {
        Json(body.0)
    }

    #[post("/upload", body_limit = 1_048_576)]
    async fn upload(&self, body: Json<Value>) -> String {
        body.0.to_string().len().to_string()
    }

    #[post("/tiny", body_limit = 16)]
    async fn tiny(&self, body: Json<Value>) -> Json<Value> {
        Json(body.0)
    }

    #[get("/slow")]
    async fn slow(&self) -> &'static str {
        let guard = Dropped;
        elif::rt::time::sleep(Duration::from_secs(5)).await;
        std::mem::forget(guard);
        "done"
    }
}

#[module(controllers(LimitsController))]
pub struct LimitsModule;

async fn start(settings: &[(&str, Value)]) -> TestApp {
    let mut app = App::new().module(LimitsModule).without_env();
    for (key, value) in settings {
        app = app.config(key, value);
    }
    TestApp::start(app).await.unwrap()
}

/// Writes `parts` to a new connection, pausing `pause` between them, then
/// reads until the server closes or `read_for` passes. Runs off the test's
/// thread.
async fn raw(addr: SocketAddr, parts: Vec<Vec<u8>>, pause: Duration, read_for: Duration) -> String {
    elif::rt::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(read_for)).unwrap();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                std::thread::sleep(pause);
            }
            // The server may answer and close before the rest is written.
            if stream.write_all(part).is_err() {
                break;
            }
        }
        let mut received = Vec::new();
        let _ = stream.read_to_end(&mut received);
        String::from_utf8_lossy(&received).into_owned()
    })
    .await
    .unwrap()
}

fn status(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"))
}

#[elif::test]
async fn heads_over_the_limits_get_431_and_414() {
    let app = start(&[]).await;
    let mut many = app.request(Method::GET, "/ok");
    for i in 0..70 {
        many = many.append_header((format!("x-h{i}"), "1"));
    }
    let many = app.send(many).await;
    assert_eq!(many.status(), 431);
    assert_eq!(many.json::<Value>()["code"], "HEADERS_TOO_LARGE");
    let large = app
        .send(
            app.request(Method::GET, "/ok")
                .insert_header(("cookie", "a".repeat(17 * 1024))),
        )
        .await;
    assert_eq!(large.status(), 431);
    let fits = app
        .send(
            app.request(Method::GET, "/ok")
                .insert_header(("cookie", "a".repeat(8 * 1024))),
        )
        .await;
    assert_eq!(fits.status(), 200);
    let long = app.get(&format!("/ok?q={}", "a".repeat(9 * 1024))).await;
    assert_eq!(long.status(), 414);
    assert_eq!(long.json::<Value>()["code"], "URI_TOO_LONG");
    app.stop().await;

    let raised = start(&[
        ("server.max_headers", json!(80)),
        ("server.max_url_length", json!(16384)),
    ])
    .await;
    let mut many = raised.request(Method::GET, "/ok");
    for i in 0..70 {
        many = many.append_header((format!("x-h{i}"), "1"));
    }
    assert_eq!(raised.send(many).await.status(), 200);
    let long = raised.get(&format!("/ok?q={}", "a".repeat(9 * 1024))).await;
    assert_eq!(long.status(), 200);
    raised.stop().await;
    let report = App::new()
        .module(LimitsModule)
        .without_env()
        .config("server.max_headers", 200)
        .check()
        .to_string();
    assert!(
        report.contains("server.max_headers") && report.contains("at most 96"),
        "{report}"
    );
}

#[elif::test]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    let app = start(&[]).await;
    let head = b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 104857600\r\n\r\n".to_vec();
    let started = Instant::now();
    let response = raw(
        app.addr(),
        vec![head],
        Duration::ZERO,
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(status(&response), 413, "{response}");
    assert!(response.contains("PAYLOAD_TOO_LARGE"), "{response}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered without the body"
    );
}

#[elif::test]
async fn a_route_sets_its_own_body_limit() {
    let app = start(&[]).await;
    let big = json!({ "data": "x".repeat(300 * 1024) });
    let refused = app.post_json("/echo", &big).await;
    assert_eq!(refused.status(), 413, "over the app's 256 KiB");
    let accepted = app.post_json("/upload", &big).await;
    assert_eq!(accepted.status(), 200, "{}", accepted.text());
    let small = app.post_json("/tiny", &json!({ "a": 1 })).await;
    assert_eq!(small.status(), 200);
    let over = app
        .post_json("/tiny", &json!({ "a": "more than sixteen bytes" }))
        .await;
    assert_eq!(over.status(), 413);
    assert!(
        over.text().contains("larger than 16 bytes"),
        "{}",
        over.text()
    );
    let routes = app.booted().routes().to_vec();
    let upload = routes.iter().find(|r| r.path == "/upload").unwrap();
    assert_eq!(upload.body_limit, Some(1_048_576));
}

#[elif::test]
async fn deep_json_is_a_400_not_a_crash() {
    let app = start(&[]).await;
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let response = app
        .send_body(
            app.request(Method::POST, "/echo")
                .insert_header(("content-type", "application/json")),
            deep,
        )
        .await;
    assert_eq!(response.status(), 400, "{}", response.text());
    assert!(
        response.text().contains("recursion limit"),
        "{}",
        response.text()
    );
    assert_eq!(
        app.get("/ok").await.status(),
        200,
        "the worker still serves"
    );
}

#[elif::test]
async fn slow_clients_get_408_and_do_not_hold_the_app() {
    let app = start(&[
        ("server.header_timeout_ms", json!(300)),
        ("server.body_timeout_ms", json!(300)),
    ])
    .await;
    // Slow headers (slowloris): a line at a time, slower than the timeout.
    let slow_head = raw(
        app.addr(),
        vec![
            b"GET /ok HTTP/1.1\r\n".to_vec(),
            b"host: x\r\n".to_vec(),
            b"x-a: 1\r\n".to_vec(),
        ],
        Duration::from_millis(250),
        Duration::from_secs(3),
    );
    // Meanwhile, other clients are answered at once.
    let started = Instant::now();
    assert_eq!(app.get("/ok").await.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(200));
    let slow_head = slow_head.await;
    assert_eq!(status(&slow_head), 408, "{slow_head}");

    // A slow body: the head at once, the body a piece at a time.
    let head = b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\n".to_vec();
    let slow_body = raw(
        app.addr(),
        vec![head, b"{\"a\"".to_vec(), b":".to_vec(), b" 1}".to_vec()],
        Duration::from_millis(200),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(status(&slow_body), 408, "{slow_body}");
    assert!(slow_body.contains("BODY_TIMEOUT"), "{slow_body}");
    let prompt = app.post_json("/echo", &json!({"a": 1})).await;
    assert_eq!(prompt.json::<Value>(), json!({"a": 1}));
}

#[elif::test]
async fn a_handler_past_the_request_timeout_is_stopped_with_a_503() {
    let app = start(&[("server.request_timeout_ms", json!(300))]).await;
    let started = Instant::now();
    let slow = app.get("/slow").await;
    assert_eq!(slow.status(), 503);
    assert_eq!(slow.json::<Value>()["code"], "REQUEST_TIMEOUT");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        DROPPED.load(Ordering::SeqCst),
        "the handler's future was dropped"
    );
    assert_eq!(app.get("/ok").await.status(), 200);
}

#[elif::test]
async fn idle_connections_close_after_the_keep_alive() {
    let app = start(&[("server.keep_alive", json!(1))]).await;
    let request = b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n".to_vec();
    let started = Instant::now();
    // One request, then silence: the server closes the connection.
    let response = raw(
        app.addr(),
        vec![request],
        Duration::ZERO,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(status(&response), 200);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
}

#[elif::test]
async fn a_worker_serves_at_most_its_connections() {
    let app = start(&[("server.max_connections", json!(2))]).await;
    let addr = app.addr();
    let held: Vec<TcpStream> = elif::rt::task::spawn_blocking(move || {
        (0..2)
            .map(|_| {
                let mut stream = TcpStream::connect(addr).unwrap();
                stream
                    .write_all(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n")
                    .unwrap();
                let mut buffer = [0; 512];
                let _ = stream.read(&mut buffer).unwrap();
                stream
            })
            .collect()
    })
    .await
    .unwrap();
    let request = b"GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n".to_vec();
    let waiting = raw(
        addr,
        vec![request.clone()],
        Duration::ZERO,
        Duration::from_millis(500),
    )
    .await;
    assert_eq!(waiting, "", "a third connection waits while two are open");
    drop(held);
    let answered = raw(addr, vec![request], Duration::ZERO, Duration::from_secs(3)).await;
    assert_eq!(status(&answered), 200);
}

#[elif::test]
async fn conflicting_length_and_chunking_is_refused() {
    let app = start(&[]).await;
    let smuggled = b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /ok HTTP/1.1\r\nhost: x\r\n\r\n".to_vec();
    let response = raw(
        app.addr(),
        vec![smuggled],
        Duration::ZERO,
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(status(&response), 400, "{response}");
    assert_eq!(
        response.matches("HTTP/1.1").count(),
        1,
        "no second, smuggled request is answered: {response}"
    );
}
