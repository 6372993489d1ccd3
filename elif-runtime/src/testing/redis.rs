//! Redis for tests: the machine's shared one (`redis://127.0.0.1:6379`, or
//! `REDIS_URL`), and servers of a test's own that it can stop and start
//! again (outages). Under `CI=true` a missing Redis fails the test rather
//! than skipping it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the environment requires services (`CI=true`).
fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The shared Redis's URL when it answers; `None` (with a note) when it
/// does not, outside CI. Panics under `CI=true` when it does not answer.
pub fn shared_redis() -> Option<String> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let address = url
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned();
    let address = address.split('/').next().unwrap_or_default();
    if std::net::TcpStream::connect(address).is_ok() {
        return Some(url);
    }
    assert!(!required(), "Redis is required under CI=true ({url})");
    eprintln!("skipped: no Redis at {url} (set CI=true to make this a failure)");
    None
}

/// A `redis-server` of the test's own on a free port, stopped when
/// dropped; [`TestRedis::stop`] and [`TestRedis::start_again`] make an
/// outage and its end.
pub struct TestRedis {
    child: Option<Child>,
    port: u16,
}

impl TestRedis {
    /// Starts one; `None` (with a note) when `redis-server` cannot run,
    /// outside CI. Panics under `CI=true` when it cannot.
    pub fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ok()?;
        let mut redis = Self { child: None, port };
        match redis.spawn() {
            Ok(()) => Some(redis),
            Err(error) => {
                assert!(
                    !required(),
                    "redis-server is required under CI=true: {error}"
                );
                eprintln!("skipped: cannot start redis-server ({error})");
                None
            }
        }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server (an outage).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn start_again(&mut self) {
        self.stop();
        if let Err(error) = self.spawn() {
            panic!("redis-server did not start again: {error}");
        }
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                return Err(std::io::Error::other(
                    "redis-server did not listen within 5 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
