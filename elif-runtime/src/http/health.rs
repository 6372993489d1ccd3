//! Liveness and readiness: `/health` answers while the process runs,
//! `/ready` only while the app accepts work (not while draining).

use std::sync::Arc;

use actix_web::{HttpResponse, web};

use crate::app::Lifecycle;

/// Adds `GET /health` and `GET /ready`.
pub(crate) fn register(config: &mut web::ServiceConfig, lifecycle: Arc<Lifecycle>) {
    config
        .route(
            "/health",
            web::get()
                .to(|| async { HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })) }),
        )
        .route(
            "/ready",
            web::get().to(move || {
                let ready = lifecycle.is_ready();
                async move {
                    if ready {
                        HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
                    } else {
                        HttpResponse::ServiceUnavailable()
                            .json(serde_json::json!({ "status": "draining" }))
                    }
                }
            }),
        );
}
