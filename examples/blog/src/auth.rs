//! A bearer-token guard for the blog's write routes (the security issue
//! brings real authentication).

use elif::prelude::*;

/// The `[auth]` section.
#[derive(Config)]
pub struct AuthConfig {
    /// The token writers send as `Authorization: Bearer <token>`
    /// (`APP__AUTH__TOKEN`). Unset: write routes answer 403.
    pub token: Option<Secret<String>>,
}

/// Who is writing: the author name the request's token stands for, put
/// into the request by [`Writer`].
#[derive(Debug, Clone)]
pub struct Editor(pub String);

/// Lets a request through when it carries the configured bearer token.
#[guard]
pub struct Writer {
    config: Config<AuthConfig>,
}

impl Guard for Writer {
    const AUTHENTICATES: bool = true;

    async fn check(&self, cx: &RequestContext<'_>) -> elif::Result<()> {
        let Some(expected) = &self.config.token else {
            return Err(
                Error::new(403, "WRITES_DISABLED", "this blog accepts no writes")
                    .with_hint("set APP__AUTH__TOKEN to enable write routes"),
            );
        };
        match cx.bearer_token() {
            Some(token) if token == expected.expose() => {
                cx.insert(Editor("editor".to_owned()));
                Ok(())
            }
            Some(_) => Err(Error::new(
                403,
                "TOKEN_REJECTED",
                "this token may not write",
            )),
            None => Err(
                Error::new(401, "TOKEN_MISSING", "write routes need a bearer token")
                    .with_hint("send `Authorization: Bearer <token>`"),
            ),
        }
    }
}

/// Authentication: the guard, exported to the modules that protect routes.
#[module(providers(Writer), exports(Writer))]
pub struct AuthModule;
