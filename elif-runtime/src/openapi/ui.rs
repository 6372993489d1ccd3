//! `GET /_elif/docs/`: Swagger UI, its files compiled into the binary
//! (`utoipa-swagger-ui` with its `vendored` Swagger UI, so neither the
//! build nor a browser reaches the network), reading `/_elif/openapi.json`.
//! The page has its own Content-Security-Policy: elif's default one
//! (`default-src 'none'`) would stop its scripts; this one allows the
//! app's own scripts, styles, images and requests only.

use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::header;
use utoipa_swagger_ui::Config;

/// Where the page lives; its files are relative to it.
pub(crate) const DOCS_PATH: &str = "/_elif/docs/";

/// The page's policy: Swagger UI's own files, its inline `style`
/// attributes and `data:` icons, and requests to the app.
pub(crate) const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Swagger UI's settings: the document's URL, operation ids shown, no
/// call to an online validator.
pub(crate) fn config() -> Arc<Config<'static>> {
    Arc::new(
        Config::from("/_elif/openapi.json")
            .display_operation_id(true)
            .validator_url("none")
            .try_it_out_enabled(true)
            .persist_authorization(false),
    )
}

/// The file at `tail` (`""` is the page itself), or 404.
pub(crate) fn file(tail: &str, config: Arc<Config<'static>>) -> HttpResponse {
    match utoipa_swagger_ui::serve(tail, config) {
        Ok(Some(file)) => {
            let mut response = HttpResponse::Ok();
            response
                .content_type(file.content_type)
                .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
                .insert_header((header::CACHE_CONTROL, "no-cache"));
            if file.gzpipped {
                response.insert_header((header::CONTENT_ENCODING, "gzip"));
            }
            response.body(file.bytes.into_owned())
        }
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(error) => {
            tracing::error!(%error, "Swagger UI's settings did not render");
            HttpResponse::InternalServerError().finish()
        }
    }
}
