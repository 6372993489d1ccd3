//! Logout for tokens: short-lived access tokens with rotating refresh
//! tokens, and a deny-list of access tokens, both in the session store.
//!
//! `Tokens::issue` gives an access token (a JWT) and a refresh token (256
//! random bits, stored only as a digest) of a new family. Each refresh
//! token is used once: `Tokens::refresh` marks it used and returns a new
//! pair of the same family. A used refresh token that comes back means it
//! was copied: the whole family is revoked (`REFRESH_REUSED`), so neither
//! the thief nor the owner can refresh again. `Tokens::revoke` (logout)
//! revokes a family; `Tokens::revoke_access` puts an access token on the
//! deny-list until it expires, which `Authenticated` reads when `[auth.jwt]
//! deny_list = true`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use elif::http::{HttpResponse, header};
use elif::prelude::*;
use serde::{Deserialize, Serialize};

use crate::current::Identity;
use crate::jwt::{Jwt, JwtConfig, NoClaims};
use crate::session::{Sessions, push_digest, session_id};

/// Why a refresh is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum RefreshError {
    /// Unknown, expired, or of a revoked family.
    #[problem(
        status = 401,
        code = "REFRESH_INVALID",
        message = "the refresh token is not valid",
        hint = "log in again"
    )]
    Invalid,
    /// Already used: it was copied, and its family is now revoked.
    #[problem(
        status = 401,
        code = "REFRESH_REUSED",
        message = "the refresh token was already used; every token of its login is revoked",
        hint = "log in again"
    )]
    Reused,
}

/// An access token and its refresh token, as a login or a refresh answers
/// them (OAuth 2.0's member names).
#[derive(Clone, Serialize)]
pub struct TokenPair {
    /// The JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// The token that gets the next pair, once.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenPair")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl TokenPair {
    /// The pair as a JSON response with `Cache-Control: no-store`.
    pub fn response(&self) -> elif::Result<HttpResponse> {
        let body = serde_json::to_vec(self).map_err(|e| Error::internal(e.to_string()))?;
        Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body))
    }
}

/// A refresh token as the store keeps it.
#[derive(Serialize, Deserialize)]
struct Refresh {
    subject: String,
    family: String,
    used: bool,
    expires_at: i64,
}

/// Issues, rotates and revokes tokens (injectable: `Inject<Tokens>`).
pub struct Tokens {
    jwt: Arc<Jwt>,
    store: Arc<Sessions>,
    clock: Arc<dyn Clock>,
    refresh_tokens: bool,
    refresh_ttl: i64,
    access_ttl: u64,
    deny_list: bool,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens").finish_non_exhaustive()
    }
}

impl Tokens {
    /// The service over `jwt` and the session `store`, as `config` says.
    pub fn new(
        config: &JwtConfig,
        jwt: Arc<Jwt>,
        store: Arc<Sessions>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            jwt,
            store,
            clock,
            refresh_tokens: config.refresh_tokens,
            refresh_ttl: i64::try_from(config.refresh_ttl_secs).unwrap_or(i64::MAX),
            access_ttl: config.ttl_secs,
            deny_list: config.deny_list,
        }
    }

    /// Whether access tokens are checked against the deny-list.
    pub fn checks_deny_list(&self) -> bool {
        self.deny_list
    }

    /// A new pair for `subject`, of a new family (a login).
    pub async fn issue(&self, subject: &str) -> elif::Result<TokenPair> {
        self.pair(subject, &session_id()).await
    }

    /// The next pair for a refresh token, which is used up; a refresh
    /// token used twice revokes its family.
    pub async fn refresh(&self, refresh_token: &str) -> elif::Result<TokenPair> {
        self.enabled()?;
        let name = refresh_name(refresh_token);
        let now = self.clock.now().timestamp();
        let Some(stored) = self.store.get_named(&name).await? else {
            return Err(RefreshError::Invalid.into());
        };
        let Ok(mut record) = serde_json::from_str::<Refresh>(&stored) else {
            return Err(RefreshError::Invalid.into());
        };
        if record.expires_at <= now || self.family_revoked(&record.family).await? {
            return Err(RefreshError::Invalid.into());
        }
        // Marked used in one step: of two requests with one token, one
        // rotates and the other is a reuse.
        record.used = true;
        let marked = serde_json::to_string(&record).map_err(|e| Error::internal(e.to_string()))?;
        let previous = self
            .store
            .swap_named(&name, marked, self.ttl_until(record.expires_at))
            .await?;
        let already_used = previous
            .and_then(|p| serde_json::from_str::<Refresh>(&p).ok())
            .is_none_or(|p| p.used);
        if already_used {
            self.revoke_family(&record.family).await?;
            tracing::warn!(target: "elif_auth::security", event = "refresh.reused", subject = %record.subject, "a used refresh token came back: its family is revoked");
            return Err(RefreshError::Reused.into());
        }
        tracing::info!(target: "elif_auth::security", event = "refresh.rotated", subject = %record.subject, "tokens refreshed");
        self.pair(&record.subject, &record.family).await
    }

    /// Revokes the family of `refresh_token` (a logout): none of its
    /// refresh tokens works again. Unknown tokens are ignored.
    pub async fn revoke(&self, refresh_token: &str) -> elif::Result<()> {
        self.enabled()?;
        if let Some(stored) = self.store.get_named(&refresh_name(refresh_token)).await?
            && let Ok(record) = serde_json::from_str::<Refresh>(&stored)
        {
            self.revoke_family(&record.family).await?;
        }
        Ok(())
    }

    /// Puts the access token of `identity` on the deny-list until it
    /// expires: `Authenticated` refuses it (401 `TOKEN_REVOKED`) when
    /// `[auth.jwt] deny_list = true`.
    pub async fn revoke_access(&self, identity: &Identity) -> elif::Result<()> {
        let (Some(jti), Some(expires_at)) = (&identity.token_id, identity.expires_at) else {
            return Ok(());
        };
        let ttl = self.ttl_until(expires_at.saturating_add(60));
        self.store
            .put_named(&format!("revoked:{jti}"), "1".to_owned(), ttl)
            .await?;
        tracing::info!(target: "elif_auth::security", event = "token.revoked", subject = %identity.subject, "access token revoked");
        Ok(())
    }

    /// Whether access token `jti` is on the deny-list.
    pub async fn is_revoked(&self, jti: &str) -> elif::Result<bool> {
        Ok(self
            .store
            .get_named(&format!("revoked:{jti}"))
            .await?
            .is_some())
    }

    async fn pair(&self, subject: &str, family: &str) -> elif::Result<TokenPair> {
        self.enabled()?;
        let refresh_token = session_id();
        let expires_at = self
            .clock
            .now()
            .timestamp()
            .saturating_add(self.refresh_ttl);
        let record = Refresh {
            subject: subject.to_owned(),
            family: family.to_owned(),
            used: false,
            expires_at,
        };
        let text = serde_json::to_string(&record).map_err(|e| Error::internal(e.to_string()))?;
        self.store
            .put_named(
                &refresh_name(&refresh_token),
                text,
                self.ttl_until(expires_at),
            )
            .await?;
        Ok(TokenPair {
            access_token: self.jwt.issue(subject, NoClaims {})?,
            refresh_token,
            token_type: "Bearer",
            expires_in: self.access_ttl,
        })
    }

    async fn family_revoked(&self, family: &str) -> elif::Result<bool> {
        Ok(self
            .store
            .get_named(&format!("family:{family}"))
            .await?
            .is_some())
    }

    async fn revoke_family(&self, family: &str) -> elif::Result<()> {
        let ttl = Duration::from_secs(u64::try_from(self.refresh_ttl).unwrap_or(u64::MAX));
        self.store
            .put_named(&format!("family:{family}"), "revoked".to_owned(), ttl)
            .await
    }

    fn ttl_until(&self, at: i64) -> Duration {
        let left = at.saturating_sub(self.clock.now().timestamp()).max(1);
        Duration::from_secs(u64::try_from(left).unwrap_or(1))
    }

    fn enabled(&self) -> elif::Result<()> {
        if self.refresh_tokens && self.store.is_enabled() {
            Ok(())
        } else {
            Err(Error::new(500, "AUTH_REFRESH_DISABLED", "refresh tokens are not enabled")
                .with_hint("set `[auth.jwt] refresh_tokens = true` (they live in the session store: REDIS_URL in production)"))
        }
    }
}

/// The store's name of a refresh token: its digest.
fn refresh_name(token: &str) -> String {
    let mut name = String::with_capacity(8 + 64);
    name.push_str("refresh:");
    push_digest(&mut name, token);
    name
}
