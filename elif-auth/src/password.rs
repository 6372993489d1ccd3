//! Passwords: argon2id hashes stored as PHC text, computed off the actix
//! workers.
//!
//! A hash at OWASP's parameters (argon2id, m = 19,456 KiB, t = 2, p = 1)
//! costs tens of milliseconds of CPU and 19 MiB of memory. Run on an actix
//! worker it would stall every request of that worker; run unbounded on the
//! blocking pool, a login flood would take 19 MiB for each of its 512
//! threads. So [`Passwords`] hashes and verifies on the blocking pool behind
//! a semaphore with one permit per core (`auth.passwords.concurrency`): a
//! request that waits longer than `queue_timeout_ms` for a permit answers
//! 503 `AUTH_BUSY` with `Retry-After`, and the others are not slowed.
//!
//! A login for an account that does not exist verifies against a dummy
//! hash with the same parameters ([`Passwords::check`] with `None`), so
//! neither the answer nor its timing says whether the account exists (the
//! dummy is made by the first such check, once per process, not at boot). Comparison is argon2's own, in constant time.

use elif::http::{ClientIp, HttpRequest};
use elif::ratelimit::{Failure, Key, Mode, Quota};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use elif::data::diesel;
use elif::prelude::*;
use tokio::sync::Semaphore;

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sqlite::{Sqlite, SqliteValue};

/// The fewest characters a password may have (OWASP ASVS 5.0, 6.2.1).
pub const MIN_LENGTH: usize = 8;
/// The most characters a password may have: longer ones are refused, never
/// truncated (ASVS 6.2.9 asks that at least 64 be allowed).
pub const MAX_LENGTH: usize = 128;

/// The `[auth.passwords]` config section.
#[derive(Config, Debug, Clone)]
#[config(section = "auth.passwords")]
pub struct PasswordConfig {
    /// argon2id memory cost in KiB (OWASP: 19,456).
    #[config(default = 19_456, validate = at_least_8)]
    pub memory_kib: u32,
    /// argon2id passes (OWASP: 2).
    #[config(default = 2, validate = at_least_1)]
    pub iterations: u32,
    /// argon2id lanes (OWASP: 1).
    #[config(default = 1, validate = at_least_1)]
    pub parallelism: u32,
    /// How many hashes run at once; the number of cores when unset.
    pub concurrency: Option<u32>,
    /// How long a request waits for a free slot before 503, in milliseconds.
    #[config(default = 2_000)]
    pub queue_timeout_ms: u64,
    /// Failed logins allowed per account per `account_window_secs`
    /// (OWASP's lockout threshold; default 5), then 429.
    #[config(default = 5, validate = at_least_1)]
    pub failures_per_account: u32,
    /// The account's window, in seconds (default 900: 15 minutes).
    #[config(default = 900)]
    pub account_window_secs: u64,
    /// Failed logins allowed per client address per `address_window_secs`
    /// (default 20), then 429.
    #[config(default = 20, validate = at_least_1)]
    pub failures_per_address: u32,
    /// The address's window, in seconds (default 60).
    #[config(default = 60)]
    pub address_window_secs: u64,
}

fn at_least_1(value: &u32) -> Result<(), String> {
    if *value >= 1 {
        Ok(())
    } else {
        Err("must be at least 1".into())
    }
}

fn at_least_8(value: &u32) -> Result<(), String> {
    if *value >= 8 {
        Ok(())
    } else {
        Err("must be at least 8 (KiB)".into())
    }
}

/// A password hash in PHC text (`$argon2id$v=19$m=19456,t=2,p=1$..`), as
/// stored in a column. Its text never shows in `Debug` or `Display`.
///
/// A `#[model]` field type (`#[hidden] pub password_hash: PasswordHash`),
/// stored as `TEXT` on both backends: a stored value that is not PHC text
/// fails the row's read rather than reaching `Passwords::check`.
/// Factories fill it with a hash of `password` (at cheap parameters, which
/// `needs_rehash` reports on the first login).
#[derive(
    Clone, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct PasswordHash(String);

impl elif::data::Column for PasswordHash {
    type Sql = diesel::sql_types::Text;
    const SQL_TYPE: elif::data::SqlType = elif::data::SqlType::Text;

    fn fake(_sequence: u64) -> Self {
        static FAKE: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
        FAKE.get_or_init(|| {
            let cheap = Params::new(1024, 1, 1, None).unwrap_or_default();
            let salt = SaltString::generate(&mut OsRng);
            let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, cheap)
                .hash_password(b"password", &salt)
                .map(|hash| hash.to_string())
                .unwrap_or_default();
            PasswordHash(hash)
        })
        .clone()
    }
}

impl FromSql<diesel::sql_types::Text, Sqlite> for PasswordHash {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        Self::from_phc(text).map_err(|e| e.detail().to_owned().into())
    }
}

impl FromSql<diesel::sql_types::Text, Pg> for PasswordHash {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Pg>>::from_sql(value)?;
        Self::from_phc(text).map_err(|e| e.detail().to_owned().into())
    }
}

impl ToSql<diesel::sql_types::Text, Sqlite> for PasswordHash {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.as_str());
        Ok(IsNull::No)
    }
}

impl ToSql<diesel::sql_types::Text, Pg> for PasswordHash {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <str as ToSql<diesel::sql_types::Text, Pg>>::to_sql(self.0.as_str(), out)
    }
}

impl PasswordHash {
    /// A stored hash, checked to be PHC text.
    pub fn from_phc(text: impl Into<String>) -> Result<Self, Error> {
        let text = text.into();
        argon2::PasswordHash::new(&text).map_err(|_| {
            Error::new(
                500,
                "AUTH_BAD_PASSWORD_HASH",
                "a stored password hash is not PHC text",
            )
            .with_hint("store the text `Passwords::hash` returns, unchanged")
        })?;
        Ok(Self(text))
    }

    /// The PHC text, to store.
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash([redacted])")
    }
}

/// The outcome of [`Passwords::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The password matches. `needs_rehash`: the hash was made with other
    /// parameters than today's; store [`Passwords::hash`] of it again.
    Valid {
        /// Whether to hash the password again with today's parameters.
        needs_rehash: bool,
    },
    /// The password does not match, or there is no such account.
    Invalid,
}

impl Check {
    /// Whether the password matched.
    pub fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }
}

/// Why a new password is refused (length only: no composition rules, as
/// ASVS 6.2.5 asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum PasswordPolicyError {
    /// Fewer than [`MIN_LENGTH`] characters.
    #[problem(
        status = 422,
        code = "PASSWORD_TOO_SHORT",
        message = "a password has at least 8 characters",
        hint = "choose a longer password; a passphrase of several words is easiest to remember"
    )]
    TooShort,
    /// More than [`MAX_LENGTH`] characters.
    #[problem(
        status = 422,
        code = "PASSWORD_TOO_LONG",
        message = "a password has at most 128 characters"
    )]
    TooLong,
}

/// Checks a new password's length in characters (not bytes): 8 to 128.
pub fn check_policy(password: &str) -> Result<(), PasswordPolicyError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err(PasswordPolicyError::TooShort)
    } else if length > MAX_LENGTH {
        Err(PasswordPolicyError::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes and verifies passwords (injectable: `Inject<Passwords>`).
pub struct Passwords {
    params: Params,
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
    /// Made by the first check of an unknown account, not at boot: a
    /// hash's time (30 ms at OWASP's parameters) would triple a cold start.
    dummy: tokio::sync::OnceCell<PasswordHash>,
    /// Failed logins per account.
    per_account: Quota,
    /// Failed logins per client address.
    per_address: Quota,
}

impl fmt::Debug for Passwords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passwords")
            .field("memory_kib", &self.params.m_cost())
            .field("iterations", &self.params.t_cost())
            .field("parallelism", &self.params.p_cost())
            .field("concurrency", &self.slots.available_permits())
            .finish()
    }
}

impl Passwords {
    /// The service for `config`.
    pub async fn new(config: &PasswordConfig) -> elif::Result<Self> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| {
            Error::new(
                500,
                "AUTH_PASSWORD_PARAMS",
                format!("argon2id parameters refused: {e}"),
            )
            .with_hint("set `[auth.passwords]` memory_kib, iterations and parallelism to OWASP's 19456, 2, 1")
        })?;
        let concurrency = config.concurrency.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n.max(1) as usize,
        );
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(concurrency)),
            queue_timeout: Duration::from_millis(config.queue_timeout_ms),
            dummy: tokio::sync::OnceCell::new(),
            per_account: Quota::new(
                config.failures_per_account,
                config.account_window_secs.max(1),
            ),
            per_address: Quota::new(
                config.failures_per_address,
                config.address_window_secs.max(1),
            ),
        })
    }

    /// The PHC hash of a new password, after [`check_policy`].
    pub async fn hash(&self, password: &str) -> elif::Result<PasswordHash> {
        check_policy(password)?;
        self.hash_unchecked(password).await
    }

    /// The credential check of a login: whether `password` is `account`'s
    /// (its `stored` hash; `None` when there is no such account), limited
    /// in itself, wherever it is called. An account with
    /// `failures_per_account` failures in its window, or a client address
    /// with `failures_per_address`, gets 429 `RATE_LIMITED` (with
    /// `Retry-After`) before any hash is checked, whatever the password;
    /// only failures count. The limits are kept where the app's are
    /// (`[rate_limit] store`) and fail closed: when Redis does not answer,
    /// 503 `RATE_LIMIT_UNAVAILABLE`.
    pub async fn check(
        &self,
        request: &HttpRequest,
        account: &str,
        password: &str,
        stored: Option<&PasswordHash>,
    ) -> elif::Result<Check> {
        let limiter = elif::http::rate_limiter(request);
        let address = ClientIp::of(request).map_or(Key::Named("unknown"), |ip| Key::Address(ip.0));
        let account = format!("account:{}", account.trim().to_lowercase());
        let limits = [
            ("login-account", Key::Named(&account), self.per_account),
            ("login-address", address, self.per_address),
        ];
        if let Some(limiter) = limiter {
            for (policy, key, quota) in limits {
                let decision = limiter
                    .check(policy, key, quota, Mode::Peek, Failure::Closed)
                    .await;
                if !decision.allowed {
                    tracing::warn!(target: "elif_auth::security", event = "login.throttled", policy, "login attempts throttled");
                    return Err(elif::http::rate_refusal(&decision, policy, quota));
                }
            }
        }
        let check = self.verify(password, stored).await?;
        if let (Check::Invalid, Some(limiter)) = (&check, limiter) {
            for (policy, key, quota) in limits {
                limiter
                    .check(policy, key, quota, Mode::Hit, Failure::Closed)
                    .await;
            }
        }
        Ok(check)
    }

    /// Whether `password` matches `stored`, without limits: to confirm
    /// the password of a signed-in user (before a change of email or
    /// password). Logins use [`Passwords::check`]. With `None` (no such
    /// account) it verifies against the dummy hash and answers
    /// [`Check::Invalid`], taking the same time as a real check.
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&PasswordHash>,
    ) -> elif::Result<Check> {
        // Too long to be a password we hashed: refuse without work, the
        // same for every account.
        if password.chars().count() > MAX_LENGTH {
            return Ok(Check::Invalid);
        }
        let known = stored.is_some();
        let target = match stored {
            Some(stored) => stored.clone(),
            // Any password will do: nobody knows it and no account has it.
            None => self
                .dummy
                .get_or_try_init(|| self.hash_unchecked("elif dummy password"))
                .await?
                .clone(),
        };
        let params = self.params.clone();
        let password = password.to_owned();
        let matched = self
            .blocking(move || {
                let argon = argon2(params.clone());
                let Ok(parsed) = argon2::PasswordHash::new(target.as_phc()) else {
                    return (false, false);
                };
                let matched = argon.verify_password(password.as_bytes(), &parsed).is_ok();
                (matched, matched && needs_rehash(&parsed, &params))
            })
            .await?;
        Ok(match matched {
            (true, needs_rehash) if known => Check::Valid { needs_rehash },
            _ => Check::Invalid,
        })
    }

    async fn hash_unchecked(&self, password: &str) -> elif::Result<PasswordHash> {
        let params = self.params.clone();
        let password = password.to_owned();
        self.blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2(params)
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| PasswordHash(hash.to_string()))
                .map_err(|e| Error::internal(format!("argon2id hashing failed: {e}")))
        })
        .await?
    }

    /// Runs `work` on the blocking pool once a slot is free; 503 when none
    /// frees up within the queue timeout.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> elif::Result<T> {
        let permit = tokio::time::timeout(self.queue_timeout, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        let result = elif::rt::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| Error::internal(format!("a password task failed: {e}")))?;
        Ok(result)
    }
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Whether a hash was made with another algorithm, version or parameters
/// than `params`.
fn needs_rehash(parsed: &argon2::PasswordHash<'_>, params: &Params) -> bool {
    let same_algorithm = parsed.algorithm == Algorithm::Argon2id.ident();
    let same_version = parsed.version == Some(Version::V0x13.into());
    let same_params = Params::try_from(parsed).is_ok_and(|p| {
        p.m_cost() == params.m_cost()
            && p.t_cost() == params.t_cost()
            && p.p_cost() == params.p_cost()
    });
    !(same_algorithm && same_version && same_params)
}

fn busy() -> Error {
    Error::new(
        503,
        "AUTH_BUSY",
        "too many password checks are running; try again in a moment",
    )
    .with_retry_after(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(check_policy("short"), Err(PasswordPolicyError::TooShort));
        assert_eq!(check_policy("ééééééé"), Err(PasswordPolicyError::TooShort));
        assert_eq!(check_policy("éééééééé"), Ok(()));
        assert_eq!(check_policy(&"a".repeat(128)), Ok(()));
        assert_eq!(
            check_policy(&"a".repeat(129)),
            Err(PasswordPolicyError::TooLong)
        );
    }

    #[test]
    fn a_hash_never_shows() {
        let hash = PasswordHash("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA".into());
        assert_eq!(format!("{hash:?}"), "PasswordHash([redacted])");
        assert!(PasswordHash::from_phc("plain text").is_err());
    }
}
