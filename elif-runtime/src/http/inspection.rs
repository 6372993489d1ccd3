//! The inspection endpoints: `/_elif/map.json` serves the app's map (the
//! same document as `map --json`). They are on in development and test; in
//! production every `/_elif/*` path answers 404 unless the app opts in with
//! [`App::inspection_guard`](crate::App::inspection_guard), whose guard then
//! runs before them in every environment.

use std::sync::Arc;

use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

use crate::app::Inspection;
use crate::http::{DynGuard, RequestContext};

/// Adds `GET /_elif/map.json` (when `inspection` is on) and a 404 for every
/// other `/_elif/*` path, so that no app route (`/{a}/{b}`) can answer them.
/// One scope with a static prefix: other requests pay a prefix comparison.
pub(crate) fn register(
    config: &mut web::ServiceConfig,
    map_json: Bytes,
    inspection: Option<Inspection>,
) {
    let mut scope = web::scope("/_elif");
    if let Some(Inspection { guard }) = inspection {
        scope = scope.route(
            "/map.json",
            web::get().to(move |request: HttpRequest| {
                let map_json = map_json.clone();
                let guard = guard.clone();
                async move { serve(&request, guard.as_deref(), map_json).await }
            }),
        );
    }
    config.service(scope.default_service(web::to(|| async { HttpResponse::NotFound().finish() })));
}

async fn serve(
    request: &HttpRequest,
    guard: Option<&dyn DynGuard>,
    body: Bytes,
) -> crate::Result<HttpResponse> {
    if let Some(guard) = guard {
        guard.check_dyn(&RequestContext::new(request)).await?;
    }
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// The map as the bytes the endpoint serves, serialised once at start-up.
pub(crate) fn map_bytes(map: &Arc<crate::inspect::AppMap>) -> Bytes {
    Bytes::from(map.to_json())
}
