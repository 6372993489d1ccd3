//! A booted app: every singleton built and initialised, every layer
//! resolved, nothing served yet.

use std::sync::Arc;

use crate::app::inspection::Inspection;
use crate::app::layers::MountedController;
use crate::app::lifecycle::Lifecycle;
use crate::config::{AppConfig, ServerConfig};
use crate::di::Container;
use crate::http::RouteInfo;
use crate::http::hardening::Hardening;
use crate::inspect::AppMap;

/// A booted app: every singleton built and initialised, nothing served yet.
pub struct Booted {
    /// The app as data.
    pub(super) map: Arc<AppMap>,
    pub(super) openapi: Arc<crate::openapi::OpenApi>,
    /// Whether the `/_elif/*` endpoints are served, and behind which guard.
    pub(crate) inspection: Option<Inspection>,
    pub(super) container: Container,
    pub(super) app_config: Arc<AppConfig>,
    pub(super) server_config: Arc<ServerConfig>,
    /// The `[security]` rules every request is checked against.
    pub(crate) hardening: Arc<Hardening>,
    /// The app's rate limits.
    pub(crate) rate_limits: Arc<crate::http::RateLimits>,
    pub(super) lifecycle: Arc<Lifecycle>,
    pub(super) name: String,
    /// Every route the controllers describe.
    pub(super) routes: Vec<RouteInfo>,
    /// Every controller, with what runs around its routes.
    pub(super) controllers: Vec<MountedController>,
    /// How errors are written (`App::error_format`).
    pub(crate) error_format: Arc<dyn crate::http::problem::ErrorFormat>,
}

impl Booted {
    /// The app's container.
    pub fn container(&self) -> &Container {
        &self.container
    }

    /// The app's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `[app]` config section.
    pub fn app_config(&self) -> &AppConfig {
        &self.app_config
    }

    /// The `[server]` config section.
    pub fn server_config(&self) -> &ServerConfig {
        &self.server_config
    }

    /// The app's lifecycle (readiness, spawned tasks).
    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    /// The app's OpenAPI document (what `/_elif/openapi.json` serves when
    /// inspection is on).
    pub fn openapi(&self) -> &Arc<crate::openapi::OpenApi> {
        &self.openapi
    }

    /// The app as data (what `/_elif/map.json` serves when inspection is on).
    pub fn map(&self) -> &Arc<AppMap> {
        &self.map
    }

    /// Every route the app's controllers describe (what `routes` lists and
    /// boot checks for duplicates). A controller written by hand that does
    /// not override `Controller::describe` mounts routes not listed here.
    pub fn routes(&self) -> &[RouteInfo] {
        &self.routes
    }

    /// Every controller's instance, route mounter, and the layers and
    /// middleware its routes run inside: the app's, then its module's.
    pub(crate) fn controllers(&self) -> &[MountedController] {
        &self.controllers
    }

    /// Stops the app's tasks, then runs the `on_shutdown` hooks in reverse
    /// dependency order.
    pub async fn shutdown(&self) {
        self.lifecycle.begin_drain();
        self.lifecycle
            .stop_tasks(std::time::Duration::from_secs(
                self.server_config.shutdown_timeout,
            ))
            .await;
        self.container.shutdown().await;
    }
}
