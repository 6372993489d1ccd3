//! elif-auth's boot diagnostics, in the block of codes it reserved:
//! `EL5000`–`EL5099` (docs/packages.md). `explain EL5001` on an app that
//! links elif-auth prints an entry; the boot report names them.

use elif::diagnostics::catalogue::Phase;

elif::package_catalogue! {
    /// elif-auth's diagnostics.
    pub static CATALOGUE = ("elif-auth", 5000..=5099, "https://elif.rs/packages/elif-auth#diagnostics");

    /// The `[auth.jwt]` settings cannot sign or verify tokens.
    EL5001 = {
        phase: Phase::Boot,
        title: "JWT configuration invalid",
        explanation: "`Jwt` is built at boot from `[auth.jwt]`: the algorithm is pinned, HS256 needs a secret of at \
            least 32 bytes (production has no per-process secret), and the asymmetric algorithms need readable key \
            files of that algorithm. Anything else would issue tokens that cannot be verified, or accept forged ones, \
            so the app does not boot.",
        hint: "follow the message's hint: set `APP__AUTH__JWT__SECRETS` to a secret of 32 bytes or more, or fix the key files",
        wrong: "APP_ENV=production ./app serve   # no auth.jwt.secrets",
        right: "APP__AUTH__JWT__SECRETS='[\"$(openssl rand -base64 48)\"]' APP_ENV=production ./app serve",
    }
    /// The session store cannot be used.
    EL5002 = {
        phase: Phase::Boot,
        title: "session store configuration invalid",
        explanation: "Sessions (and refresh tokens and the deny-list, which live beside them) are kept in Redis, or in \
            the process's memory. In production, memory loses every session on restart and is not shared by other \
            instances, so it must be chosen explicitly; a configured Redis must answer at boot.",
        hint: "set REDIS_URL, or `[auth.sessions] store = \"memory\"` for one instance",
        wrong: "APP_ENV=production ./app serve   # [auth] mechanisms = [\"session\"], no REDIS_URL",
        right: "REDIS_URL=redis://127.0.0.1:6379 APP_ENV=production ./app serve",
    }
    /// `api_token` authenticates, but nothing verifies API tokens.
    EL5003 = {
        phase: Phase::Boot,
        title: "API tokens configured without their module",
        explanation: "`[auth] mechanisms` lists `api_token`, but the app does not import `AuthDataModule`, which \
            provides `ApiTokens` and the migration of their table. Requests with API tokens would all be refused.",
        hint: "import `elif_auth::AuthDataModule` in the root module, or remove `api_token` from `[auth] mechanisms`",
        wrong: "#[module(imports(elif_auth::AuthModule))]   // mechanisms = [\"jwt\", \"api_token\"]",
        right: "#[module(imports(elif_auth::AuthModule, elif_auth::AuthDataModule))]",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_catalogue_keeps_to_its_block() {
        assert_eq!(super::CATALOGUE.problems(), Vec::<String>::new());
        assert_eq!(super::CATALOGUE.entries.len(), 3);
    }
}
