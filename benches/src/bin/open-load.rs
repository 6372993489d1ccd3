//! An open-loop load generator over many keep-alive connections, for
//! `bash benches/run.sh conns`: it opens CONNECTIONS connections evenly over
//! a ramp, offers a fixed RATE of `GET PATH` requests across them whatever
//! the server answers, and measures each request's latency from the time it
//! was scheduled to be sent (so a server that falls behind is charged for
//! the wait: no coordinated omission).
//!
//! usage: open-load ADDR CONNECTIONS RATE SECONDS PATH [RAMP-SECONDS] [WARMUP-SECONDS] [HOLD-SECONDS]
//!
//! Timeline, from the start: connection `c` opens at `c × RAMP ÷
//! CONNECTIONS` (RAMP defaults to 5 s); request `k` is scheduled at `k ÷
//! RATE` on connection `k mod CONNECTIONS` (one schedule per connection:
//! requests due before their connection opened are not sent, so the ramp
//! carries a rising part of the load); WARMUP seconds (default 1) after the
//! ramp are sent but not measured; then comes the measured window of
//! SECONDS. A connection waits for each response before sending its next
//! request (HTTP/1.1 without pipelining), so a late response delays that
//! connection's next requests, and their latency shows it. Every connection
//! is held open until HOLD seconds (default 0) after the result is printed,
//! so that the server's memory can be read with all of them open.
//!
//! Prints one line: `connections=<n> errors=<n> rps=<n> p50_ms=<x> p99_ms=<x>`:
//! `connections` is how many connections were open (never failed, not
//! closed by the server) at the end of the window; `errors` counts, over the
//! whole run, connect failures, connections reset or closed under a
//! request, non-200 statuses, responses not framed by `Content-Length`, and
//! requests not answered within 5 s of their scheduled time; `rps` is the 200
//! responses to requests scheduled in the window, per second of the window;
//! the percentiles are over those responses. A breakdown of the errors goes
//! to stderr.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep_until, timeout, timeout_at};

/// How long after its scheduled time a request may still be answered; it
/// is an error after that (and an unsent request is not sent any more).
const TIMEOUT: Duration = Duration::from_secs(5);

/// The run, as parsed from the command line.
struct Plan {
    addr: SocketAddr,
    connections: u64,
    rate: f64,
    request: Vec<u8>,
    /// When connection 0 opens and request 0 is due.
    start: Instant,
    ramp: Duration,
    /// Start of the measured window.
    measure_from: Instant,
    /// End of the measured window: nothing is scheduled from here.
    end: Instant,
}

impl Plan {
    /// When request `k` is due.
    fn due(&self, k: u64) -> Instant {
        self.start + Duration::from_secs_f64(k as f64 / self.rate)
    }

    /// When connection `c` opens.
    fn opens(&self, c: u64) -> Instant {
        self.start + self.ramp.mul_f64(c as f64 / self.connections as f64)
    }
}

/// What one connection saw.
#[derive(Default)]
struct Stats {
    connect_errors: u64,
    /// Reset, or closed by the server with a request outstanding.
    closed: u64,
    /// A status other than 200.
    status: u64,
    /// A response without `Content-Length`, or one that does not parse.
    unframed: u64,
    timeouts: u64,
    /// 200 responses to requests scheduled in the window.
    ok_in_window: u64,
    /// Their latencies from the scheduled time, in microseconds.
    latencies_us: Vec<u32>,
    /// Whether the connection was open at the end of the window.
    open_at_end: bool,
}

impl Stats {
    fn errors(&self) -> u64 {
        self.connect_errors + self.closed + self.status + self.unframed + self.timeouts
    }

    fn add(&mut self, other: Stats) {
        self.connect_errors += other.connect_errors;
        self.closed += other.closed;
        self.status += other.status;
        self.unframed += other.unframed;
        self.timeouts += other.timeouts;
        self.ok_in_window += other.ok_in_window;
        self.latencies_us.extend(other.latencies_us);
    }
}

/// How one request ended.
enum Outcome {
    /// The status code; the connection may be reused unless `close`.
    Answered {
        status: u16,
        close: bool,
    },
    Closed,
    Unframed,
    TimedOut,
}

/// Connects to the server, with the request timeout.
async fn connect(addr: SocketAddr) -> Option<TcpStream> {
    match timeout(TIMEOUT, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Some(stream)
        }
        _ => None,
    }
}

/// Sends the request and reads one response, framed by `Content-Length`,
/// until `deadline`. `buf` is the connection's read buffer (kept between
/// requests to spare an allocation).
async fn exchange(
    stream: &mut TcpStream,
    request: &[u8],
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Outcome {
    let work = async {
        stream.write_all(request).await?;
        buf.clear();
        let mut chunk = [0u8; 2048];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(Outcome::Closed);
            }
            buf.extend_from_slice(&chunk[..n]);
            let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let Some((status, length, close)) = parse_head(&buf[..head_end]) else {
                return Ok(Outcome::Unframed);
            };
            let total = head_end + 4 + length;
            while buf.len() < total {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(Outcome::Closed);
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok::<_, io::Error>(Outcome::Answered { status, close });
        }
    };
    match timeout_at(deadline, work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Outcome::Closed,
        Err(_) => Outcome::TimedOut,
    }
}

/// The status, `Content-Length` and whether the server closes the
/// connection, from a response head (without its blank line); `None` when
/// it does not parse or has no length.
fn parse_head(head: &[u8]) -> Option<(u16, usize, bool)> {
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut length = None;
    let mut close = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok();
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    Some((status, length?, close))
}

/// Whether the server has closed (or reset, or written to) an idle
/// connection: a read that does not complete within a millisecond means it
/// is still open.
async fn still_open(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    timeout(Duration::from_millis(1), stream.read(&mut byte))
        .await
        .is_err()
}

/// One connection's life: open at its time in the ramp, send its share of
/// the schedule, and give back what it saw with its socket (still open, for
/// the caller to hold).
async fn connection(plan: std::rc::Rc<Plan>, c: u64) -> (Stats, Option<TcpStream>) {
    let mut stats = Stats::default();
    let opens = plan.opens(c);
    sleep_until(opens).await;
    let mut stream = connect(plan.addr).await;
    if stream.is_none() {
        stats.connect_errors += 1;
    }
    let mut buf = Vec::with_capacity(1024);
    // The first of this connection's requests not due before it opened.
    let mut k = c;
    while plan.due(k) < opens {
        k += plan.connections;
    }
    loop {
        let due = plan.due(k);
        if due >= plan.end {
            break;
        }
        k += plan.connections;
        let deadline = due + TIMEOUT;
        sleep_until(due).await;
        if Instant::now() >= deadline {
            // So far behind that this request could only time out.
            stats.timeouts += 1;
            continue;
        }
        if stream.is_none() {
            stream = connect(plan.addr).await;
            if stream.is_none() {
                stats.connect_errors += 1;
                continue;
            }
        }
        let Some(socket) = stream.as_mut() else {
            continue;
        };
        let outcome = exchange(socket, &plan.request, &mut buf, deadline).await;
        let measured = due >= plan.measure_from;
        match outcome {
            Outcome::Answered { status, close } => {
                if status == 200 {
                    if measured {
                        stats.ok_in_window += 1;
                        let micros = due.elapsed().as_micros();
                        stats
                            .latencies_us
                            .push(u32::try_from(micros).unwrap_or(u32::MAX));
                    }
                } else {
                    stats.status += 1;
                }
                if close {
                    stream = None;
                }
            }
            Outcome::Closed => {
                stats.closed += 1;
                stream = None;
            }
            Outcome::Unframed => {
                stats.unframed += 1;
                stream = None;
            }
            Outcome::TimedOut => {
                stats.timeouts += 1;
                stream = None;
            }
        }
    }
    // Every connection is checked after the window, when its own last
    // response is in.
    sleep_until(plan.end).await;
    if let Some(socket) = stream.as_mut() {
        stats.open_at_end = still_open(socket).await;
    }
    let open = stats.open_at_end;
    (stats, stream.filter(|_| open))
}

/// The `q`-quantile of sorted latencies, in milliseconds.
fn quantile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted_us.len() as f64).ceil() as usize).clamp(1, sorted_us.len());
    f64::from(sorted_us[rank - 1]) / 1000.0
}

fn usage() -> ! {
    eprintln!(
        "usage: open-load ADDR CONNECTIONS RATE SECONDS PATH [RAMP-SECONDS] [WARMUP-SECONDS] [HOLD-SECONDS]"
    );
    std::process::exit(2);
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, connections, rate, seconds, path, rest @ ..] = args.as_slice() else {
        usage()
    };
    let number = |s: &str| s.parse::<f64>().unwrap_or_else(|_| usage());
    let optional = |i: usize, default: f64| rest.get(i).map_or(default, |s| number(s));
    let addr: SocketAddr = addr.parse().map_err(io::Error::other)?;
    let connections = connections.parse::<u64>().unwrap_or_else(|_| usage());
    let (rate, seconds) = (number(rate), number(seconds));
    let (ramp, warmup, hold) = (optional(0, 5.0), optional(1, 1.0), optional(2, 0.0));
    if connections == 0 || rate <= 0.0 || seconds <= 0.0 {
        usage();
    }
    let request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\n\r\n").into_bytes();

    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let start = Instant::now() + Duration::from_millis(100);
            let ramp = Duration::from_secs_f64(ramp);
            let measure_from = start + ramp + Duration::from_secs_f64(warmup);
            let plan = std::rc::Rc::new(Plan {
                addr,
                connections,
                rate,
                request,
                start,
                ramp,
                measure_from,
                end: measure_from + Duration::from_secs_f64(seconds),
            });
            // One thread: the tasks share the plan through an `Rc`.
            let local = tokio::task::LocalSet::new();
            local
                .run_until(async {
                    let tasks: Vec<_> = (0..connections)
                        .map(|c| tokio::task::spawn_local(connection(plan.clone(), c)))
                        .collect();
                    let mut total = Stats::default();
                    let mut open = 0;
                    let mut held = Vec::with_capacity(tasks.len());
                    for task in tasks {
                        let (stats, socket) = task.await.map_err(io::Error::other)?;
                        open += u64::from(stats.open_at_end);
                        total.add(stats);
                        held.push(socket);
                    }
                    total.latencies_us.sort_unstable();
                    eprintln!(
                        "open-load: errors: connect {} closed/reset {} status {} unframed {} timeout {}; {} measured of {:.0} scheduled",
                        total.connect_errors,
                        total.closed,
                        total.status,
                        total.unframed,
                        total.timeouts,
                        total.ok_in_window,
                        rate * seconds,
                    );
                    println!(
                        "connections={open} errors={} rps={:.0} p50_ms={:.2} p99_ms={:.2}",
                        total.errors(),
                        total.ok_in_window as f64 / seconds,
                        quantile_ms(&total.latencies_us, 0.50),
                        quantile_ms(&total.latencies_us, 0.99),
                    );
                    io::Write::flush(&mut io::stdout())?;
                    // Held until here, so the server's memory can be read
                    // with every connection still open.
                    tokio::time::sleep(Duration::from_secs_f64(hold)).await;
                    drop(held);
                    Ok(())
                })
                .await
        })
}
