//! Liveness and readiness: `/health` answers while the process runs,
//! `/ready` only while the app accepts work (not while draining) and, when
//! it has a database, while the database answers.

use std::sync::Arc;

use actix_web::{HttpResponse, web};

use crate::app::Lifecycle;
use crate::data::Database;

/// Adds `GET /health` and `GET /ready`.
pub(crate) fn register(
    config: &mut web::ServiceConfig,
    lifecycle: Arc<Lifecycle>,
    database: Option<Arc<Database>>,
) {
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
                let database = database.clone();
                async move {
                    if !ready {
                        return HttpResponse::ServiceUnavailable()
                            .json(serde_json::json!({ "status": "draining" }));
                    }
                    if let Some(database) = database
                        && database.ping().await.is_err()
                    {
                        return HttpResponse::ServiceUnavailable()
                            .json(serde_json::json!({ "status": "database unavailable" }));
                    }
                    HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
                }
            }),
        );
}
