//! Single-use, expiring tokens for links sent to a person: password reset
//! and email verification (the primitives; sending the mail is the app's).
//!
//! A token is 256 random bits from the OS; the table keeps only its
//! SHA-256, so reading the table gives no usable link. Issuing a token
//! for a purpose and subject replaces the ones issued before (the last
//! mail sent is the one that works). Consuming deletes the row in the
//! statement that checks it: of two requests racing with one link, one
//! wins.

use std::time::Duration;

use elif::prelude::*;

use crate::security;

/// The purpose of password reset links.
pub const PASSWORD_RESET: &str = "password_reset";
/// The purpose of email verification links.
pub const EMAIL_VERIFICATION: &str = "email_verification";

/// A single-use token, as stored: its purpose, its subject, the SHA-256
/// of its text, and when it expires.
#[model(table = "elif_one_time_tokens", namespace = "elif_auth")]
#[derive(Debug, Clone, PartialEq)]
pub struct OneTimeToken {
    /// Its id.
    #[key]
    pub id: i64,
    /// What it is for ([`PASSWORD_RESET`], [`EMAIL_VERIFICATION`], or the
    /// app's own word).
    pub purpose: String,
    /// The principal it acts for.
    #[index]
    pub subject: String,
    /// The SHA-256 of its text, in hex; never serialised.
    #[unique]
    #[hidden]
    pub token_hash: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// When it was issued.
    pub created_at: Timestamp,
}

/// Why a single-use token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum OneTimeTokenError {
    /// Unknown, already used, replaced by a newer one, or for another
    /// purpose.
    #[problem(
        status = 400,
        code = "LINK_INVALID",
        message = "this link is not valid; it may have been used already",
        hint = "ask for a new link"
    )]
    Invalid,
    /// Its time has passed.
    #[problem(
        status = 400,
        code = "LINK_EXPIRED",
        message = "this link has expired",
        hint = "ask for a new link"
    )]
    Expired,
}

/// Issues and consumes single-use tokens (`Inject<OneTimeTokens>`, from
/// [`AuthDataModule`](crate::AuthDataModule)).
#[injectable]
pub struct OneTimeTokens {
    tokens: Inject<Repository<OneTimeToken>>,
    clock: Inject<dyn Clock>,
}

impl OneTimeTokens {
    /// A token for `subject` and `purpose` that works once, within `ttl`;
    /// the ones issued before for the same purpose and subject stop
    /// working. Put its text in the link; it cannot be read again.
    pub async fn issue(&self, purpose: &str, subject: &str, ttl: Duration) -> elif::Result<String> {
        let ttl = chrono_ttl(ttl)?;
        self.tokens
            .delete_where(
                Criteria::new()
                    .filter(elif_one_time_tokens::purpose.eq(purpose.to_owned()))
                    .filter(elif_one_time_tokens::subject.eq(subject.to_owned())),
            )
            .await?;
        let text = crate::session::session_id();
        self.tokens
            .insert(NewOneTimeToken {
                purpose: purpose.to_owned(),
                subject: subject.to_owned(),
                token_hash: crate::api_tokens::digest(&text),
                expires_at: Timestamp(*self.clock.now() + ttl),
            })
            .await?;
        security::link_issued(purpose, subject);
        Ok(text)
    }

    /// The subject of the token `text` for `purpose`, which is used up
    /// (400 `LINK_INVALID` when unknown, used, replaced or for another
    /// purpose; `LINK_EXPIRED` after its time).
    pub async fn consume(&self, purpose: &str, text: &str) -> elif::Result<String> {
        let found = self
            .tokens
            .first(
                Criteria::new()
                    .filter(elif_one_time_tokens::token_hash.eq(crate::api_tokens::digest(text)))
                    .filter(elif_one_time_tokens::purpose.eq(purpose.to_owned())),
            )
            .await?
            .ok_or(OneTimeTokenError::Invalid)?;
        // The delete decides: a racing request with the same link finds
        // nothing left to delete.
        let deleted = self
            .tokens
            .delete_where(Criteria::new().filter(elif_one_time_tokens::id.eq(found.id)))
            .await?;
        if deleted == 0 {
            return Err(OneTimeTokenError::Invalid.into());
        }
        if found.expires_at <= self.clock.now() {
            return Err(OneTimeTokenError::Expired.into());
        }
        security::link_used(purpose, &found.subject);
        Ok(found.subject)
    }

    /// Deletes the links whose time has passed (`auth:prune`); how many.
    pub async fn prune(&self) -> elif::Result<u64> {
        self.tokens
            .delete_where(
                Criteria::new().filter(elif_one_time_tokens::expires_at.le(self.clock.now())),
            )
            .await
    }
}

fn chrono_ttl(ttl: Duration) -> elif::Result<elif::data::chrono::Duration> {
    elif::data::chrono::Duration::from_std(ttl)
        .map_err(|_| Error::internal("a one-time token's lifetime is out of range"))
}
