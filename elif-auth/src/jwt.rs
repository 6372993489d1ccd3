//! JSON Web Tokens: issued and verified with one algorithm, pinned by
//! config, and the app's clock.
//!
//! The algorithm is never read from a token: a token whose header names
//! another one (`none`, or HS256 against an RS256 key) is refused before
//! its signature is looked at. Keys carry a `kid`; the first key signs and
//! every listed key verifies, so a key is rotated by putting the new one
//! first and dropping the old one once its tokens have expired. `jku`,
//! `x5u` and `jwk` headers are never followed (`jsonwebtoken` does not
//! fetch keys). Times (`iat`, `exp`, `nbf`) come from the injected
//! [`Clock`], so a test moves them with a `TestClock`; `exp` is required.

use std::any::TypeId;
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use elif::config::{Environment, Secret};
use elif::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The `[auth.jwt]` config section.
#[derive(Config, Debug, Clone)]
#[config(section = "auth.jwt")]
pub struct JwtConfig {
    /// `HS256`, `EdDSA`, `RS256` or `ES256`: the only algorithm accepted.
    #[config(default = "HS256", validate = known_algorithm)]
    pub algorithm: String,
    /// The HS256 secrets, newest first (at least 32 bytes each): the first
    /// signs, all verify. Set `APP__AUTH__JWT__SECRETS='["..."]'`.
    pub secrets: Option<Secret<Vec<String>>>,
    /// For EdDSA, RS256 and ES256: PEM files of the private keys, newest
    /// first (the first signs).
    pub private_keys: Option<Vec<String>>,
    /// The PEM files of the matching public keys, in the same order.
    pub public_keys: Option<Vec<String>>,
    /// The `iss` claim tokens carry and must carry, when set.
    pub issuer: Option<String>,
    /// The `aud` claim tokens carry and must carry, when set.
    pub audience: Option<String>,
    /// How long an access token lives, in seconds.
    #[config(default = 900)]
    pub ttl_secs: u64,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[config(default = 30)]
    pub leeway_secs: u64,
    /// Whether refresh tokens are issued (`Tokens`); they live in the
    /// session store (Redis, or memory when chosen).
    #[config(default = false)]
    pub refresh_tokens: bool,
    /// How long a refresh token lives, in seconds (30 days).
    #[config(default = 2_592_000)]
    pub refresh_ttl_secs: u64,
    /// Whether every access token is checked against the deny-list in the
    /// session store (`Tokens::revoke_access`): a store read per request.
    #[config(default = false)]
    pub deny_list: bool,
}

// A config validator takes `&T` of the field's type, here `&String`.
#[allow(clippy::ptr_arg)]
fn known_algorithm(name: &String) -> Result<(), String> {
    algorithm(name).map(|_| ())
}

fn algorithm(name: &str) -> Result<Algorithm, String> {
    match name {
        "HS256" => Ok(Algorithm::HS256),
        "EdDSA" => Ok(Algorithm::EdDSA),
        "RS256" => Ok(Algorithm::RS256),
        "ES256" => Ok(Algorithm::ES256),
        other => Err(format!(
            "`{other}` is not an accepted algorithm; use HS256, EdDSA, RS256 or ES256"
        )),
    }
}

/// The fewest bytes an HS256 secret may have (RFC 7518, 3.2: a key of the
/// hash's size).
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of an elif token: the registered ones, and the app's own
/// (`C`, flattened into the same object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims<C = NoClaims> {
    /// The principal: a user's key as text.
    pub sub: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Not valid before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The token's own id, for revocation.
    pub jti: String,
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The app's own claims.
    #[serde(flatten)]
    pub custom: C,
}

/// The registered claims alone (a token without custom claims).
#[derive(Deserialize)]
struct Registered {
    sub: String,
    iat: i64,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    jti: String,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    aud: Option<String>,
}

impl Registered {
    fn with<C>(self, custom: C) -> Claims<C> {
        Claims {
            sub: self.sub,
            iat: self.iat,
            exp: self.exp,
            nbf: self.nbf,
            jti: self.jti,
            iss: self.iss,
            aud: self.aud,
            custom,
        }
    }
}

/// No custom claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NoClaims {}

/// Why a token is refused. Every variant answers 401 with its own code;
/// the message never says more than the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DomainError)]
pub enum TokenError {
    /// Not three base64url parts of JSON, or claims of the wrong shape.
    #[problem(
        status = 401,
        code = "TOKEN_MALFORMED",
        message = "the token cannot be read",
        hint = "send the token exactly as it was issued"
    )]
    Malformed,
    /// The header names another algorithm than the pinned one (`none` too).
    #[problem(
        status = 401,
        code = "TOKEN_ALGORITHM",
        message = "the token is signed with an algorithm this app does not accept"
    )]
    Algorithm,
    /// No key of this app has the token's `kid`.
    #[problem(
        status = 401,
        code = "TOKEN_UNKNOWN_KEY",
        message = "the token names a key this app does not have",
        hint = "log in again for a new token"
    )]
    UnknownKey,
    /// The signature does not match.
    #[problem(
        status = 401,
        code = "TOKEN_SIGNATURE",
        message = "the token's signature is not valid"
    )]
    Signature,
    /// `exp` is past (beyond the leeway).
    #[problem(
        status = 401,
        code = "TOKEN_EXPIRED",
        message = "the token has expired",
        hint = "log in again, or refresh the token"
    )]
    Expired,
    /// `nbf` is still ahead (beyond the leeway).
    #[problem(
        status = 401,
        code = "TOKEN_NOT_YET_VALID",
        message = "the token is not valid yet"
    )]
    NotYetValid,
    /// On the deny-list (`Tokens::revoke_access`, a logout).
    #[problem(
        status = 401,
        code = "TOKEN_REVOKED",
        message = "the token has been revoked",
        hint = "log in again"
    )]
    Revoked,
    /// `iss` or `aud` is not this app's.
    #[problem(
        status = 401,
        code = "TOKEN_AUDIENCE",
        message = "the token was issued for another audience or by another issuer"
    )]
    Audience,
}

/// One key: its id, and what signs and verifies with it.
struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

/// Issues and verifies tokens (injectable: `Inject<Jwt>`).
pub struct Jwt {
    algorithm: Algorithm,
    keys: Vec<Key>,
    /// jsonwebtoken's checks: the algorithm and the signature (times and
    /// audience are checked against the app's clock, after it).
    validation: Validation,
    issuer: Option<String>,
    audience: Option<String>,
    ttl: i64,
    leeway: i64,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("algorithm", &self.algorithm)
            .field(
                "kids",
                &self.keys.iter().map(|k| &k.kid).collect::<Vec<_>>(),
            )
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// A boot error of the JWT config, with its fix.
fn config_error(detail: impl Into<String>, hint: &'static str) -> Error {
    Error::new(500, "AUTH_JWT_CONFIG", detail)
        .with_hint(hint)
        .with_entry(&crate::catalogue::EL5001)
}

impl Jwt {
    /// The service for `config` in mode `env`; fails (stopping the boot)
    /// on a short secret, an unreadable key file, a key of another
    /// algorithm, or a missing secret in production. In development and
    /// tests a missing HS256 secret is made for the process, with a warning:
    /// its tokens stop verifying when the process ends.
    pub fn new(config: &JwtConfig, clock: Arc<dyn Clock>, env: Environment) -> elif::Result<Self> {
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let algorithm = algorithm(&config.algorithm).map_err(|e| {
            config_error(
                e,
                "set `auth.jwt.algorithm` to HS256, EdDSA, RS256 or ES256",
            )
        })?;
        let keys = match algorithm {
            Algorithm::HS256 => hmac_keys(config, env)?,
            _ => pem_keys(algorithm, config)?,
        };
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::new();
        Ok(Self {
            algorithm,
            keys,
            validation,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl: i64::try_from(config.ttl_secs).unwrap_or(i64::MAX),
            leeway: i64::try_from(config.leeway_secs).unwrap_or(i64::MAX),
            clock,
        })
    }

    /// A token for `subject` with the app's `custom` claims, valid for the
    /// configured time from now.
    pub fn issue<C: Serialize>(&self, subject: &str, custom: C) -> elif::Result<String> {
        let now = self.clock.now().timestamp();
        let claims = Claims {
            sub: subject.to_owned(),
            iat: now,
            exp: now.saturating_add(self.ttl),
            nbf: None,
            jti: random_id(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            custom,
        };
        self.sign(&claims)
    }

    /// The keys that verify tokens, public parts only, as a JWK Set (RFC
    /// 7517) with their `kid`s: for EdDSA, RS256 and ES256. `None` for
    /// HS256, whose secret is never published.
    pub fn jwks(&self) -> Option<jsonwebtoken::jwk::JwkSet> {
        if self.algorithm == Algorithm::HS256 {
            return None;
        }
        let keys = self
            .keys
            .iter()
            .filter_map(|key| {
                let mut jwk =
                    jsonwebtoken::jwk::Jwk::from_encoding_key(&key.encoding, self.algorithm)
                        .ok()?;
                jwk.common.key_id = Some(key.kid.clone());
                jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
                Some(jwk)
            })
            .collect();
        Some(jsonwebtoken::jwk::JwkSet { keys })
    }

    /// Signs `claims` as they are (times included) with the newest key.
    pub fn sign<C: Serialize>(&self, claims: &Claims<C>) -> elif::Result<String> {
        let key = &self.keys[0];
        let mut header = Header::new(self.algorithm);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|e| Error::internal(format!("a token could not be signed: {e}")))
    }

    /// The claims of a valid token; why it is refused otherwise.
    pub fn verify<C: DeserializeOwned + 'static>(
        &self,
        token: &str,
    ) -> Result<Claims<C>, TokenError> {
        // An algorithm jsonwebtoken does not know (`none`) fails the
        // header's parse: the algorithm is then read as text, so that it is
        // refused as an algorithm, not as noise.
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| match header_algorithm(token) {
                Ok(name) if name != self.algorithm_name() => TokenError::Algorithm,
                _ => TokenError::Malformed,
            })?;
        if header.alg != self.algorithm {
            return Err(TokenError::Algorithm);
        }
        let key = match &header.kid {
            Some(kid) => self.keys.iter().find(|k| &k.kid == kid),
            None => None,
        }
        .ok_or(TokenError::UnknownKey)?;
        let refused = |e: jsonwebtoken::errors::Error| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::Signature,
            jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => TokenError::Algorithm,
            _ => TokenError::Malformed,
        };
        let claims = if TypeId::of::<C>() == TypeId::of::<NoClaims>() {
            // No custom claims: the registered ones alone, without serde's
            // `flatten` (which buffers every member first).
            let registered =
                jsonwebtoken::decode::<Registered>(token, &key.decoding, &self.validation)
                    .map_err(refused)?
                    .claims;
            let empty = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(
                std::iter::empty::<(&str, &str)>(),
            );
            registered.with(C::deserialize(empty).map_err(|_| TokenError::Malformed)?)
        } else {
            jsonwebtoken::decode::<Claims<C>>(token, &key.decoding, &self.validation)
                .map_err(refused)?
                .claims
        };
        let now = self.clock.now().timestamp();
        if claims.exp.saturating_add(self.leeway) <= now {
            return Err(TokenError::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf.saturating_sub(self.leeway) > now)
        {
            return Err(TokenError::NotYetValid);
        }
        if self.issuer.is_some() && claims.iss != self.issuer {
            return Err(TokenError::Audience);
        }
        if self.audience.is_some() && claims.aud != self.audience {
            return Err(TokenError::Audience);
        }
        Ok(claims)
    }
}

impl Jwt {
    fn algorithm_name(&self) -> &'static str {
        match self.algorithm {
            Algorithm::EdDSA => "EdDSA",
            Algorithm::RS256 => "RS256",
            Algorithm::ES256 => "ES256",
            _ => "HS256",
        }
    }
}

/// The `alg` of a token's header, as written.
fn header_algorithm(token: &str) -> Result<String, TokenError> {
    use base64::Engine;
    #[derive(Deserialize)]
    struct Alg {
        alg: String,
    }
    let encoded = token.split('.').next().ok_or(TokenError::Malformed)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| TokenError::Malformed)?;
    let header: Alg = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
    Ok(header.alg)
}

fn hmac_keys(config: &JwtConfig, env: Environment) -> elif::Result<Vec<Key>> {
    let mut secrets = config
        .secrets
        .as_ref()
        .map(|s| s.expose().clone())
        .unwrap_or_default();
    if secrets.is_empty() && env != Environment::Production {
        tracing::warn!(
            "`auth.jwt.secrets` is not set: tokens are signed with a secret made for this process ({env} mode only), and stop verifying when it ends; set APP__AUTH__JWT__SECRETS to keep them"
        );
        secrets.push(format!("{}{}", random_id(), random_id()));
    }
    if secrets.is_empty() {
        return Err(config_error(
            "HS256 needs a secret, and `auth.jwt.secrets` is not set",
            "set APP__AUTH__JWT__SECRETS='[\"<at least 32 random bytes>\"]' (e.g. from `openssl rand -base64 48`)",
        ));
    }
    secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| {
            if secret.len() < MIN_SECRET_BYTES {
                return Err(config_error(
                    format!(
                        "`auth.jwt.secrets` entry {} has {} bytes; HS256 needs at least {MIN_SECRET_BYTES}",
                        i + 1,
                        secret.len()
                    ),
                    "use a random secret of at least 32 bytes (e.g. from `openssl rand -base64 48`)",
                ));
            }
            let unusable = |e: jsonwebtoken::errors::Error| {
                config_error(
                    format!("`auth.jwt.secrets` entry {} cannot be used: {e}", i + 1),
                    "use a random secret of at least 32 bytes",
                )
            };
            Ok(Key {
                kid: fingerprint(secret.as_bytes()),
                encoding: EncodingKey::from_secret(secret.as_bytes()).map_err(unusable)?,
                decoding: DecodingKey::from_secret(secret.as_bytes()).map_err(unusable)?,
            })
        })
        .collect()
}

fn pem_keys(algorithm: Algorithm, config: &JwtConfig) -> elif::Result<Vec<Key>> {
    let private = config.private_keys.clone().unwrap_or_default();
    let public = config.public_keys.clone().unwrap_or_default();
    if private.is_empty() || private.len() != public.len() {
        return Err(config_error(
            format!(
                "{algorithm:?} needs key pairs: `auth.jwt.private_keys` has {} and `auth.jwt.public_keys` {}",
                private.len(),
                public.len()
            ),
            "list the PEM files of each pair, newest first, under [auth.jwt]: `private_keys = [\"keys/jwt.pem\"]`, `public_keys = [\"keys/jwt.pub.pem\"]`",
        ));
    }
    private
        .iter()
        .zip(&public)
        .map(|(private, public)| {
            let read = |path: &String| {
                std::fs::read(path).map_err(|e| {
                    config_error(
                        format!("the JWT key file `{path}` cannot be read: {e}"),
                        "check the paths under [auth.jwt] (relative to the working directory)",
                    )
                })
            };
            let (private_pem, public_pem) = (read(private)?, read(public)?);
            let wrong = |path: &str| {
                let path = path.to_owned();
                move |e: jsonwebtoken::errors::Error| {
                    config_error(
                        format!("`{path}` is not a {algorithm:?} key in PEM: {e}"),
                        "give PEM keys of the configured algorithm (PKCS#8 for private keys)",
                    )
                }
            };
            let (encoding, decoding) = match algorithm {
                Algorithm::EdDSA => (
                    EncodingKey::from_ed_pem(&private_pem).map_err(wrong(private))?,
                    DecodingKey::from_ed_pem(&public_pem).map_err(wrong(public))?,
                ),
                Algorithm::RS256 => (
                    EncodingKey::from_rsa_pem(&private_pem).map_err(wrong(private))?,
                    DecodingKey::from_rsa_pem(&public_pem).map_err(wrong(public))?,
                ),
                _ => (
                    EncodingKey::from_ec_pem(&private_pem).map_err(wrong(private))?,
                    DecodingKey::from_ec_pem(&public_pem).map_err(wrong(public))?,
                ),
            };
            Ok(Key {
                kid: fingerprint(&public_pem),
                encoding,
                decoding,
            })
        })
        .collect()
}

/// A short, stable id for a key: the first 8 bytes of a SHA-256 of it, so
/// that the id is the same in every process and build, and says nothing
/// of the key.
fn fingerprint(material: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::new()
        .chain_update(b"elif-auth kid\0")
        .chain_update(material)
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// 128 random bits from the OS, as 32 hex digits.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut bytes,
    );
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
