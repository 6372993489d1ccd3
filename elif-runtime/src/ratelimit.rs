//! Rate limits: the generic cell rate algorithm (GCRA) over a store that
//! holds one number per key (its "theoretical arrival time"), in memory
//! for one instance or in Redis for all of them (one atomic script per
//! request, so two instances share one limit).
//!
//! A quota of `limit` requests per `window` allows one request every
//! `window / limit` on average and `burst` at once. Time comes from the
//! app's injectable clock, in microseconds, so tests move it by hand.
//!
//! When the store fails (Redis away), the answer comes within its timeout
//! and follows the policy: fail open (the request passes) or closed (it
//! is refused with 503). Failures are logged once per interval, not per
//! request.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::config::source::{ConfigSource, FieldSpec};
use crate::config::{ConfigKey, ConfigProblem, ConfigSection};
use crate::redis::{Redis, RedisError};
use crate::throttle::{self, Throttled};

/// The default app-wide limit: requests per client address per window.
pub const DEFAULT_LIMIT: u32 = 1000;
/// The default app-wide window, in seconds.
pub const DEFAULT_WINDOW_SECS: u64 = 60;

/// The `[rate_limit]` section: the app-wide limit every route has unless
/// it says otherwise (`#[throttle]`), and where limits are kept.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// Requests per client address per window on every route (default
    /// 1000; 0 turns the app-wide limit off).
    pub limit: u32,
    /// The window, in seconds (default 60).
    pub window_secs: u64,
    /// Requests allowed at once (default: `limit`).
    pub burst: Option<u32>,
    /// `memory` (this instance) or `redis` (every instance); default:
    /// `redis` when `REDIS_URL` is set.
    pub store: Option<String>,
    /// What limits do when Redis does not answer (default `open`).
    pub on_store_failure: Failure,
    /// The prefix of the keys in Redis (default `elif:ratelimit:<app>:`).
    pub key_prefix: Option<String>,
    /// Whether the app-wide limit is kept in `store` too (default false:
    /// in each instance's memory, so that it costs no Redis round trip per
    /// request; `#[throttle]` limits and failed logins use `store`).
    pub share_default: bool,
}

impl RateLimitConfig {
    /// The app-wide quota, if there is one.
    pub fn default_quota(&self) -> Option<Quota> {
        (self.limit > 0).then(|| {
            let quota = Quota::new(self.limit, self.window_secs);
            match self.burst {
                Some(burst) => quota.with_burst(burst),
                None => quota,
            }
        })
    }
}

impl ConfigSection for RateLimitConfig {
    const SECTION: &'static str = "rate_limit";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let s = "rate_limit";
        let limit = source.field(
            s,
            "limit",
            FieldSpec::defaulted(|| DEFAULT_LIMIT),
            &mut problems,
        );
        let window_secs = source.field(
            s,
            "window_secs",
            FieldSpec::defaulted(|| DEFAULT_WINDOW_SECS).checked(|w| match w {
                0 => Err("must be at least 1 second".to_owned()),
                _ => Ok(()),
            }),
            &mut problems,
        );
        let burst = source.field(
            s,
            "burst",
            FieldSpec {
                validate: Some(|b: &Option<u32>| match b {
                    Some(0) => Err("must be at least 1".to_owned()),
                    _ => Ok(()),
                }),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let store = source.field(
            s,
            "store",
            FieldSpec {
                validate: Some(|store: &Option<String>| match store.as_deref() {
                    None | Some("memory" | "redis") => Ok(()),
                    Some(other) => {
                        Err(format!("`{other}` is not a store; use `memory` or `redis`"))
                    }
                }),
                ..FieldSpec::default()
            },
            &mut problems,
        );
        let on_store_failure = source.field(
            s,
            "on_store_failure",
            FieldSpec::defaulted(|| Failure::Open),
            &mut problems,
        );
        let key_prefix = source.field(s, "key_prefix", FieldSpec::default(), &mut problems);
        let share_default = source.field(
            s,
            "share_default",
            FieldSpec::defaulted(|| false),
            &mut problems,
        );
        match (
            (limit, window_secs, burst, store),
            (on_store_failure, key_prefix, share_default),
        ) {
            (
                (Some(limit), Some(window_secs), Some(burst), Some(store)),
                (Some(on_store_failure), Some(key_prefix), Some(share_default)),
            ) => Ok(Self {
                limit,
                window_secs,
                burst,
                store,
                on_store_failure,
                key_prefix,
                share_default,
            }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        let key = |key: &str, rust_type: &'static str, default: Option<&'static str>| ConfigKey {
            key: key.to_owned(),
            rust_type,
            default,
            secret: false,
        };
        vec![
            key("rate_limit.limit", "u32", Some("1000")),
            key("rate_limit.window_secs", "u64", Some("60")),
            key("rate_limit.burst", "Option<u32>", None),
            key("rate_limit.store", "Option<String>", None),
            key("rate_limit.on_store_failure", "Failure", Some("\"open\"")),
            key("rate_limit.key_prefix", "Option<String>", None),
            key("rate_limit.share_default", "bool", Some("false")),
        ]
    }
}

/// `limit` requests per `window_secs` seconds, `burst` of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests per window.
    pub limit: u32,
    /// The window, in seconds.
    pub window_secs: u64,
    /// Requests allowed at once (at least 1; `limit` by default).
    pub burst: u32,
}

impl Quota {
    /// `limit` per `window_secs`, all of them allowed at once.
    pub const fn new(limit: u32, window_secs: u64) -> Self {
        Self {
            limit,
            window_secs,
            burst: limit,
        }
    }

    /// The same quota with another burst.
    pub const fn with_burst(self, burst: u32) -> Self {
        Self { burst, ..self }
    }

    /// Microseconds between two requests on average.
    fn interval(&self) -> i64 {
        let window = i64::try_from(self.window_secs)
            .unwrap_or(i64::MAX / 1_000_000)
            .saturating_mul(1_000_000);
        (window / i64::from(self.limit.max(1))).max(1)
    }

    /// How far ahead of now the arrival time may run: `burst - 1` intervals.
    fn tolerance(&self) -> i64 {
        self.interval()
            .saturating_mul(i64::from(self.burst.max(1) - 1))
    }

    /// The `RateLimit-Policy` item of this quota (draft-ietf-httpapi-
    /// ratelimit-headers-08): `"name";q=100;w=60`.
    pub fn policy(&self, name: &str) -> String {
        format!("\"{name}\";q={};w={}", self.limit, self.window_secs)
    }
}

/// What the limiter said of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// Requests still allowed right now.
    pub remaining: u32,
    /// Until the quota is whole again.
    pub reset_after: Duration,
    /// For a refused request: until the next one is allowed.
    pub retry_after: Duration,
    /// The store did not answer; `allowed` is the failure policy's.
    pub store_failed: bool,
}

impl Decision {
    /// The `RateLimit` field: `"name";r=remaining;t=seconds`.
    pub fn header(&self, name: &str) -> String {
        format!(
            "\"{name}\";r={};t={}",
            self.remaining,
            self.reset_after.as_micros().div_ceil(1_000_000)
        )
    }

    /// `Retry-After`, in whole seconds (at least 1).
    pub fn retry_after_secs(&self) -> u64 {
        (self.retry_after.as_micros().div_ceil(1_000_000) as u64).max(1)
    }

    /// The decision for a request given the key's arrival time before it
    /// (`None`: never seen), at `now`; and the arrival time to store when
    /// it is allowed.
    fn of(stored: Option<i64>, now: i64, quota: Quota) -> (Self, Option<i64>) {
        let (interval, tolerance) = (quota.interval(), quota.tolerance());
        let tat = stored.map_or(now, |tat| tat.max(now));
        let allow_at = tat - tolerance;
        if now < allow_at {
            let decision = Self {
                allowed: false,
                remaining: 0,
                reset_after: micros(tat - now),
                retry_after: micros(allow_at - now),
                store_failed: false,
            };
            return (decision, None);
        }
        let next = tat + interval;
        let room = now + tolerance - next;
        let remaining = if room < 0 { 0 } else { room / interval + 1 };
        let decision = Self {
            allowed: true,
            remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
            reset_after: micros(next - now),
            retry_after: Duration::ZERO,
            store_failed: false,
        };
        (decision, Some(next))
    }

    /// What the policy says when the store failed.
    fn failed(policy: Failure) -> Self {
        Self {
            allowed: policy == Failure::Open,
            remaining: 0,
            reset_after: Duration::ZERO,
            retry_after: Duration::from_secs(1),
            store_failed: true,
        }
    }
}

fn micros(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

/// What a limit does when its store does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Failure {
    /// The request passes (the limit is off while the store is away).
    Open,
    /// The request is refused (503).
    Closed,
}

/// Whether a request uses up its quota or only asks whether it could.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Counts the request.
    Hit,
    /// Asks without counting (a credential check counts only failures).
    Peek,
}

/// The clock the limiter reads: microseconds since the epoch.
pub type Now = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Rate limits on a store, timed by the app's clock.
pub struct Limiter {
    store: Store,
    prefix: String,
    now: Now,
}

enum Store {
    Memory(Memory),
    Redis(Arc<Redis>),
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("store", &self.store_kind())
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The Redis script: one round trip, atomic. `KEYS[1]`: the key;
/// `ARGV`: now, interval, tolerance (microseconds), and `1` to count the
/// request. Returns `{allowed, arrival time before the request}`.
const SCRIPT: &str = r"
local stored = tonumber(redis.call('GET', KEYS[1]))
local now = tonumber(ARGV[1])
local tat = stored
if not tat or tat < now then tat = now end
if now < tat - tonumber(ARGV[3]) then return {0, stored or -1} end
if ARGV[4] == '1' then
  local next = tat + tonumber(ARGV[2])
  redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.floor((next - now) / 1000) + 1)
end
return {1, stored or -1}
";

impl Limiter {
    /// Limits kept in this process's memory.
    pub fn in_memory(now: Now) -> Self {
        Self {
            store: Store::Memory(Memory::default()),
            prefix: String::new(),
            now,
        }
    }

    /// Limits kept in Redis under `prefix`, shared by every instance that
    /// uses the same Redis and prefix.
    pub fn on_redis(redis: Arc<Redis>, prefix: impl Into<String>, now: Now) -> Self {
        Self {
            store: Store::Redis(redis),
            prefix: prefix.into(),
            now,
        }
    }

    /// `memory` or `redis`.
    pub fn store_kind(&self) -> &'static str {
        match self.store {
            Store::Memory(_) => "memory",
            Store::Redis(_) => "redis",
        }
    }

    /// The decision for one request under `policy` (a name that keeps
    /// limits apart) and `key` (whose limit: an address, a user), made
    /// without waiting when the store is in memory; `None` when it must
    /// ask Redis ([`Limiter::check`]).
    pub fn check_now(
        &self,
        policy: &str,
        key: Key<'_>,
        quota: Quota,
        mode: Mode,
    ) -> Option<Decision> {
        match &self.store {
            Store::Memory(memory) => Some(memory.check((self.now)(), policy, key, quota, mode)),
            Store::Redis(_) => None,
        }
    }

    /// The decision for one request, from whichever store; `on_failure`
    /// decides when the store does not answer (within its timeout).
    pub async fn check(
        &self,
        policy: &str,
        key: Key<'_>,
        quota: Quota,
        mode: Mode,
        on_failure: Failure,
    ) -> Decision {
        let redis = match &self.store {
            Store::Memory(memory) => return memory.check((self.now)(), policy, key, quota, mode),
            Store::Redis(redis) => redis,
        };
        let now = (self.now)();
        let full_key = format!("{}{policy}:{key}", self.prefix);
        let script = ::redis::Script::new(SCRIPT);
        let mut invocation = script.key(&full_key);
        invocation
            .arg(now)
            .arg(quota.interval())
            .arg(quota.tolerance())
            .arg(u8::from(mode == Mode::Hit));
        match redis.run_script::<(i64, i64)>(&invocation).await {
            Ok((_, stored)) => {
                store_recovered();
                let stored = (stored >= 0).then_some(stored);
                Decision::of(stored, now, quota).0
            }
            Err(error) => {
                store_failed(&error, on_failure);
                Decision::failed(on_failure)
            }
        }
    }
}

/// Whose requests count together under a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    /// A client address (`ip:203.0.113.5` in Redis).
    Address(std::net::IpAddr),
    /// Anything else: `user:42`, an account's name.
    Named(&'a str),
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Address(ip) => write!(f, "ip:{ip}"),
            Self::Named(name) => f.write_str(name),
        }
    }
}

/// Keys and arrival times in memory, in shards so that workers seldom
/// wait for one another. A key is held as its 64-bit keyed hash (SipHash
/// with a per-process random key: no allocation per request, and no
/// client can aim a collision at another's limit). Keys whose time has
/// passed are dropped when a shard grows.
struct Memory {
    shards: Box<[Mutex<HashMap<u64, i64, Prehashed>>]>,
    hasher: std::collections::hash_map::RandomState,
}

/// The map of hashes: the key is its own hash.
#[derive(Default, Clone, Copy)]
struct Prehashed;

impl BuildHasher for Prehashed {
    type Hasher = Identity;

    fn build_hasher(&self) -> Identity {
        Identity(0)
    }
}

struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

const SHARDS: usize = 16;
/// A shard's size past which passed keys are swept.
const SWEEP_AT: usize = 4096;

impl Default for Memory {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::with_hasher(Prehashed)))
                .collect(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }
}

impl Memory {
    fn check(&self, now: i64, policy: &str, key: Key<'_>, quota: Quota, mode: Mode) -> Decision {
        let hash = self.hasher.hash_one((policy, key));
        let shard = &self.shards[(hash % SHARDS as u64) as usize];
        let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
        let (decision, next) = Decision::of(shard.get(&hash).copied(), now, quota);
        if let (Some(next), Mode::Hit) = (next, mode) {
            if shard.len() >= SWEEP_AT && !shard.contains_key(&hash) {
                shard.retain(|_, tat| *tat > now);
            }
            shard.insert(hash, next);
        }
        decision
    }
}

/// Store failures, logged once per interval.
static FAILURES: std::sync::LazyLock<Arc<Throttled>> = std::sync::LazyLock::new(Arc::default);
/// Whether the store failed since it last answered.
static DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn store_failed(error: &RedisError, policy: Failure) {
    DOWN.store(true, std::sync::atomic::Ordering::Relaxed);
    let interval = throttle::INTERVAL.as_secs();
    let policy = match policy {
        Failure::Open => "passing requests (fail open)",
        Failure::Closed => "refusing requests with 503 (fail closed)",
    };
    let error = error.to_string();
    throttle::log(
        &FAILURES,
        || {
            tracing::warn!(
                "the rate limit store does not answer ({error}): {policy}; while it is away, one line every {interval} s counts these"
            )
        },
        move |count| {
            tracing::warn!(
                count,
                "the rate limit store failed {count} times in the last {interval} s"
            )
        },
    );
}

fn store_recovered() {
    if DOWN.swap(false, std::sync::atomic::Ordering::Relaxed) {
        tracing::info!("the rate limit store answers again");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    fn clock() -> (Arc<AtomicI64>, Now) {
        let time = Arc::new(AtomicI64::new(1_700_000_000_000_000));
        let read = Arc::clone(&time);
        (time, Arc::new(move || read.load(Ordering::SeqCst)))
    }

    #[test]
    fn a_quota_allows_its_burst_then_one_request_per_interval() {
        let (time, now) = clock();
        let limiter = Limiter::in_memory(now);
        let quota = Quota::new(3, 60);
        let hit = || {
            limiter
                .check_now("p", Key::Named("k"), quota, Mode::Hit)
                .unwrap()
        };
        let remaining: Vec<u32> = (0..3).map(|_| hit().remaining).collect();
        assert_eq!(remaining, [2, 1, 0]);
        let refused = hit();
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_secs(), 20, "one request every 20 s");
        assert_eq!(refused.header("default"), "\"default\";r=0;t=60");
        time.fetch_add(20_000_000, Ordering::SeqCst);
        assert!(hit().allowed, "one more after an interval");
        assert!(!hit().allowed);
        time.fetch_add(60_000_000, Ordering::SeqCst);
        assert_eq!(hit().remaining, 2, "whole again after the window");
        assert_eq!(quota.policy("default"), "\"default\";q=3;w=60");
    }

    #[test]
    fn keys_and_policies_are_apart_and_a_peek_counts_nothing() {
        let (_, now) = clock();
        let limiter = Limiter::in_memory(now);
        let quota = Quota::new(1, 60);
        assert!(
            limiter
                .check_now("p", Key::Named("a"), quota, Mode::Hit)
                .unwrap()
                .allowed
        );
        assert!(
            !limiter
                .check_now("p", Key::Named("a"), quota, Mode::Hit)
                .unwrap()
                .allowed
        );
        assert!(
            limiter
                .check_now("p", Key::Named("b"), quota, Mode::Hit)
                .unwrap()
                .allowed
        );
        assert!(
            limiter
                .check_now("q", Key::Named("a"), quota, Mode::Hit)
                .unwrap()
                .allowed
        );
        for _ in 0..3 {
            assert!(
                limiter
                    .check_now("r", Key::Named("a"), quota, Mode::Peek)
                    .unwrap()
                    .allowed
            );
        }
    }

    #[test]
    fn a_smaller_burst_spreads_the_quota() {
        let (time, now) = clock();
        let limiter = Limiter::in_memory(now);
        let quota = Quota::new(60, 60).with_burst(2);
        let hit = || {
            limiter
                .check_now("p", Key::Named("k"), quota, Mode::Hit)
                .unwrap()
                .allowed
        };
        assert!(hit() && hit() && !hit());
        time.fetch_add(1_000_000, Ordering::SeqCst);
        assert!(hit() && !hit());
    }

    #[test]
    fn passed_keys_are_swept_when_a_shard_grows() {
        let (time, now) = clock();
        let limiter = Limiter::in_memory(now);
        let quota = Quota::new(10, 1);
        for i in 0..(SHARDS * SWEEP_AT) {
            limiter.check_now("p", Key::Named(&i.to_string()), quota, Mode::Hit);
        }
        time.fetch_add(10_000_000, Ordering::SeqCst);
        for i in 0..(SHARDS * 8) {
            limiter.check_now("p", Key::Named(&format!("new-{i}")), quota, Mode::Hit);
        }
        let Store::Memory(memory) = &limiter.store else {
            unreachable!()
        };
        let kept: usize = memory.shards.iter().map(|s| s.lock().unwrap().len()).sum();
        assert!(kept < SHARDS * SWEEP_AT, "{kept} keys kept");
    }
}
