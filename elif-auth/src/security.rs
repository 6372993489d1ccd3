//! Security events: `tracing` events on target `elif_auth::security` with
//! stable `event` names and never a secret (no password, token or session
//! id), for logs, alerts and audits. elif-auth records the ones it sees
//! itself (`credentials.rejected`, `authorization.denied`,
//! `session.started`, `session.ended`); an app's login and password
//! handlers record theirs with these functions.

/// A login succeeded for `subject` (`event = "login.succeeded"`).
pub fn login_succeeded(subject: &str) {
    tracing::info!(target: "elif_auth::security", event = "login.succeeded", subject, "login succeeded");
}

/// A login was refused (`event = "login.failed"`); the attempted account
/// is not recorded, so that a mistyped password in the email field never
/// reaches the logs.
pub fn login_failed() {
    tracing::info!(target: "elif_auth::security", event = "login.failed", "login failed");
}

/// `subject` logged out (`event = "logout"`).
pub fn logged_out(subject: &str) {
    tracing::info!(target: "elif_auth::security", event = "logout", subject, "logged out");
}

/// `subject`'s password changed (`event = "password.changed"`).
pub fn password_changed(subject: &str) {
    tracing::info!(target: "elif_auth::security", event = "password.changed", subject, "password changed");
}

/// An API token was made for `subject` (`event = "api_token.created"`;
/// its id, never its text).
pub fn api_token_created(subject: &str, id: i64) {
    tracing::info!(target: "elif_auth::security", event = "api_token.created", subject, id, "API token created");
}

/// `subject`'s API token `id` was revoked (`event = "api_token.revoked"`).
pub fn api_token_revoked(subject: &str, id: i64) {
    tracing::info!(target: "elif_auth::security", event = "api_token.revoked", subject, id, "API token revoked");
}

/// Every API token of `subject` was revoked (`event = "api_tokens.revoked"`).
pub fn api_tokens_revoked(subject: &str, count: u64) {
    tracing::info!(target: "elif_auth::security", event = "api_tokens.revoked", subject, count, "API tokens revoked");
}

/// A single-use link was issued (`event = "link.issued"`; never its text).
pub fn link_issued(purpose: &str, subject: &str) {
    tracing::info!(target: "elif_auth::security", event = "link.issued", purpose, subject, "single-use link issued");
}

/// A single-use link was used (`event = "link.used"`).
pub fn link_used(purpose: &str, subject: &str) {
    tracing::info!(target: "elif_auth::security", event = "link.used", purpose, subject, "single-use link used");
}
