//! Personal access tokens (as Laravel Sanctum has them): made for a
//! principal with a name and abilities, shown once, stored only as their
//! SHA-256, revocable, their last use recorded, sent as
//! `Authorization: Bearer <token>`.
//!
//! A token is 256 random bits from the OS after a prefix (`elif_` by
//! default): the prefix tells it from a JWT in the same header and lets
//! secret scanners find leaked ones. High-entropy tokens need no slow hash:
//! SHA-256 makes the stored value useless to whoever reads the table, and
//! one indexed lookup verifies a token (argon2 would cost ~20 ms a request).
//!
//! Import [`AuthDataModule`](crate::AuthDataModule) (it brings the table's
//! migration, under the namespace `elif_auth`) and add `api_token` to
//! `[auth] mechanisms`:
//!
//! ```toml
//! [auth]
//! mechanisms = ["jwt", "api_token"]
//! ```
//!
//! A token's abilities restrict what it may do: a route's
//! `#[requires(permission = "posts.delete")]` needs the permission from the
//! principal *and* the ability from the token (`*` grants every ability).

use std::time::Duration;

use elif::data::Document;
use elif::prelude::*;

use crate::security;

/// A personal access token, as stored: never its text, only its SHA-256.
#[model(table = "elif_api_tokens", namespace = "elif_auth")]
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    /// Its id (what `revoke` takes).
    #[key]
    pub id: i64,
    /// The principal it authenticates (`Authenticatable::subject`).
    #[index]
    pub subject: String,
    /// What its owner called it (`deploy script`).
    pub name: String,
    /// The SHA-256 of its text, in hex; never serialised.
    #[unique]
    #[hidden]
    pub token_hash: String,
    /// What it may do (`posts.create`; `*` for everything).
    pub abilities: Document<Vec<String>>,
    /// When it last authenticated a request (recorded at most once per
    /// `[auth.api_tokens] touch_interval_secs`).
    pub last_used_at: Option<Timestamp>,
    /// When it stops working; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// When it was made.
    pub created_at: Timestamp,
}

impl ApiToken {
    /// Whether the token may do `ability` (`*` allows everything).
    pub fn can(&self, ability: &str) -> bool {
        self.abilities.iter().any(|a| a == "*" || a == ability)
    }
}

/// A token just made: its text, shown this once, and its row.
pub struct CreatedApiToken {
    /// The token's text, for its owner: it cannot be read again.
    pub plain_text: String,
    /// The stored token.
    pub token: ApiToken,
}

impl std::fmt::Debug for CreatedApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiToken")
            .field("plain_text", &"[redacted]")
            .field("token", &self.token)
            .finish()
    }
}

impl CreatedApiToken {
    /// A `201` answer with the token and its text (`{"token": {..},
    /// "plain_text": ".."}`), `Cache-Control: no-store`.
    pub fn response(&self) -> elif::Result<elif::http::HttpResponse> {
        let body = serde_json::json!({ "token": &self.token, "plain_text": &self.plain_text });
        let body = serde_json::to_vec(&body).map_err(|e| Error::internal(e.to_string()))?;
        Ok(elif::http::HttpResponse::Created()
            .insert_header((elif::http::header::CONTENT_TYPE, "application/json"))
            .insert_header((elif::http::header::CACHE_CONTROL, "no-store"))
            .body(body))
    }
}

/// The `[auth.api_tokens]` config section.
#[derive(Config, Debug, Clone)]
#[config(section = "auth.api_tokens")]
pub struct ApiTokenConfig {
    /// What every token starts with: tells it from a JWT in the same
    /// header, and lets secret scanners recognise it.
    #[config(default = "elif_", validate = token_prefix)]
    pub prefix: String,
    /// How often a token's `last_used_at` is written, at most (a write per
    /// request would be a write per request).
    #[config(default = 60)]
    pub touch_interval_secs: u64,
}

// A config validator takes `&T` of the field's type, here `&String`.
#[allow(clippy::ptr_arg)]
fn token_prefix(prefix: &String) -> Result<(), String> {
    let valid = (2..=16).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !prefix.starts_with("ey");
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{prefix}` cannot prefix API tokens: use 2 to 16 ASCII letters, digits or `_`, not starting with `ey` (every JWT does)"
        ))
    }
}

/// Why an API token is refused, or cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum ApiTokenError {
    /// No token has this text (never made, revoked, or mistyped).
    #[problem(
        status = 401,
        code = "API_TOKEN_INVALID",
        message = "the API token is not valid",
        hint = "make a new token; revoked tokens do not come back"
    )]
    Invalid,
    /// The token's `expires_at` has passed.
    #[problem(
        status = 401,
        code = "API_TOKEN_EXPIRED",
        message = "the API token has expired",
        hint = "make a new token"
    )]
    Expired,
    /// The route requires a permission the token was not given.
    #[problem(
        status = 403,
        code = "ABILITY_REQUIRED",
        message = "this API token lacks the ability `{0}`",
        hint = "make a token with this ability"
    )]
    Ability(&'static str),
    /// A token needs a name: see [`NAME_PATTERN`].
    #[problem(
        status = 422,
        code = "API_TOKEN_NAME",
        message = "an API token needs a name of 1 to 100 characters, not only spaces, without control characters"
    )]
    Name,
    /// An ability is not a word: see [`ABILITY_PATTERN`].
    #[problem(
        status = 422,
        code = "API_TOKEN_ABILITY",
        message = "an ability is a word of printable ASCII characters without spaces (`posts.create`, or `*`)"
    )]
    BadAbility,
}

/// What a token's name may be, as a JSON Schema `pattern` (and a `regex`
/// rule of `#[validate]`) says it: 1 to 100 characters (a `length` rule),
/// none a control character, not only spaces. A request type that takes a
/// name puts it on the field, so that its OpenAPI document promises what
/// [`ApiTokens::create`] accepts.
pub const NAME_PATTERN: &str =
    r"^[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

/// What an ability may be, as a JSON Schema `pattern`: one or more
/// printable ASCII characters other than the space (`posts.create`, `*`).
pub const ABILITY_PATTERN: &str = "^[!-~]+$";

/// [`NAME_PATTERN`] and its length, in Rust.
fn is_token_name(name: &str) -> bool {
    (1..=100).contains(&name.chars().count())
        && !name.chars().any(char::is_control)
        && name.chars().any(|c| c != ' ')
}

/// [`ABILITY_PATTERN`], in Rust.
fn is_ability(ability: &str) -> bool {
    !ability.is_empty() && ability.bytes().all(|b| (b'!'..=b'~').contains(&b))
}

/// Makes, verifies, lists and revokes API tokens (`Inject<ApiTokens>`,
/// from [`AuthDataModule`]).
#[injectable]
pub struct ApiTokens {
    tokens: Inject<Repository<ApiToken>>,
    clock: Inject<dyn Clock>,
    config: Config<ApiTokenConfig>,
}

impl ApiTokens {
    /// Makes a token for `subject`, valid until `expires_at` (or for
    /// ever), that may do `abilities`. Its text is in the result only.
    pub async fn create(
        &self,
        subject: &str,
        name: &str,
        abilities: &[&str],
        expires_at: Option<Timestamp>,
    ) -> elif::Result<CreatedApiToken> {
        if !is_token_name(name) {
            return Err(ApiTokenError::Name.into());
        }
        if !abilities.iter().all(|a| is_ability(a)) {
            return Err(ApiTokenError::BadAbility.into());
        }
        let plain_text = format!("{}{}", self.config.prefix, crate::session::session_id());
        let token = self
            .tokens
            .insert(NewApiToken {
                subject: subject.to_owned(),
                name: name.to_owned(),
                token_hash: digest(&plain_text),
                abilities: Document(abilities.iter().map(|a| (*a).to_owned()).collect()),
                last_used_at: None,
                expires_at,
            })
            .await?;
        security::api_token_created(subject, token.id);
        Ok(CreatedApiToken { plain_text, token })
    }

    /// Whether `credential` is shaped as one of this app's tokens (its
    /// prefix): what the `Authenticated` guard asks before [`Self::verify`].
    pub fn recognises(&self, credential: &str) -> bool {
        credential.starts_with(self.config.prefix.as_str())
    }

    /// The stored token whose text is `plain_text`, unless it is unknown
    /// (revoked) or expired; records its use (at most once per
    /// `touch_interval_secs`).
    pub async fn verify(&self, plain_text: &str) -> elif::Result<ApiToken> {
        if !self.recognises(plain_text) {
            return Err(ApiTokenError::Invalid.into());
        }
        let token = self
            .tokens
            .first(Criteria::new().filter(elif_api_tokens::token_hash.eq(digest(plain_text))))
            .await?
            .ok_or(ApiTokenError::Invalid)?;
        let now = self.clock.now();
        if token.expires_at.is_some_and(|at| at <= now) {
            return Err(ApiTokenError::Expired.into());
        }
        let interval = Duration::from_secs(self.config.touch_interval_secs);
        let stale = token.last_used_at.is_none_or(|at| {
            (*now - *at)
                .to_std()
                .is_ok_and(|elapsed| elapsed >= interval)
        });
        if stale {
            let changes = ApiTokenChanges {
                last_used_at: Some(Some(now)),
                ..ApiTokenChanges::default()
            };
            self.tokens
                .update_where(
                    Criteria::new().filter(elif_api_tokens::id.eq(token.id)),
                    changes,
                )
                .await?;
        }
        Ok(token)
    }

    /// `subject`'s tokens, newest first.
    pub async fn list(&self, subject: &str) -> elif::Result<Vec<ApiToken>> {
        self.tokens
            .list(
                Criteria::new()
                    .filter(elif_api_tokens::subject.eq(subject.to_owned()))
                    .order_by(elif_api_tokens::id.desc()),
            )
            .await
    }

    /// Revokes `subject`'s token `id`: `false` when `subject` has no such
    /// token (someone else's stays).
    pub async fn revoke(&self, subject: &str, id: i64) -> elif::Result<bool> {
        let gone = self
            .tokens
            .delete_where(
                Criteria::new()
                    .filter(elif_api_tokens::id.eq(id))
                    .filter(elif_api_tokens::subject.eq(subject.to_owned())),
            )
            .await?;
        if gone > 0 {
            security::api_token_revoked(subject, id);
        }
        Ok(gone > 0)
    }

    /// Deletes the tokens whose `expires_at` has passed (`auth:prune`);
    /// how many.
    pub async fn prune(&self) -> elif::Result<u64> {
        self.tokens
            .delete_where(Criteria::new().filter(elif_api_tokens::expires_at.le(self.clock.now())))
            .await
    }

    /// Revokes every token of `subject` (a password change, a compromised
    /// account); how many there were.
    pub async fn revoke_all(&self, subject: &str) -> elif::Result<u64> {
        let gone = self
            .tokens
            .delete_where(Criteria::new().filter(elif_api_tokens::subject.eq(subject.to_owned())))
            .await?;
        security::api_tokens_revoked(subject, gone);
        Ok(gone)
    }
}

/// The SHA-256 of a token's text, in hex: what the table keeps.
pub(crate) fn digest(plain_text: &str) -> String {
    let mut out = String::with_capacity(64);
    crate::session::push_digest(&mut out, plain_text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns a request type declares (and `#[validate(regex)]`
    /// checks) accept exactly what `create` accepts.
    #[test]
    fn the_patterns_say_what_create_accepts() {
        use elif::validate::{Pattern, matches};
        let (name, ability) = (Pattern::new(NAME_PATTERN), Pattern::new(ABILITY_PATTERN));
        let samples = [
            "deploy",
            " deploy ",
            "posts.write",
            "*",
            "",
            " ",
            "   ",
            "two words",
            "a\tb",
            "\u{85}",
            "x\u{85}",
            "\u{a0}",
            "\u{3000}",
            "é",
            "\u{7f}",
            "\0",
            "ok\n",
            "😀",
        ];
        for sample in samples {
            let short = sample.chars().count() <= 100;
            assert_eq!(
                matches(sample, &name).is_ok() && short,
                is_token_name(sample),
                "name {sample:?}"
            );
            assert_eq!(
                matches(sample, &ability).is_ok(),
                is_ability(sample),
                "ability {sample:?}"
            );
        }
        assert!(is_token_name("deploy script") && !is_token_name(&"x".repeat(101)));
        assert!(is_ability("posts.write") && !is_ability("two words") && !is_ability("é"));
    }

    #[test]
    fn prefixes_are_short_words_that_no_jwt_starts_with() {
        assert!(token_prefix(&"elif_".to_owned()).is_ok());
        assert!(token_prefix(&"acme_pat_".to_owned()).is_ok());
        assert!(token_prefix(&"eyJ".to_owned()).is_err());
        assert!(token_prefix(&"a".to_owned()).is_err());
        assert!(token_prefix(&"has space".to_owned()).is_err());
    }

    #[test]
    fn the_stored_value_is_the_sha256_of_the_text() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
