//! Serving HTTP: the actix-web server around a booted app, and graceful
//! shutdown on SIGTERM and SIGINT.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use elif_catalogue::EL1010;
use tokio::signal::unix::{SignalKind, signal};

use crate::app::layers::MountedController;
use crate::app::{Booted, Lifecycle, health, inspection};
use crate::config::Environment;
use crate::di::Container;
use crate::diagnostics::{BootReport, Diagnostic};
use crate::error::Error;
use crate::http::pipeline::{Pipeline, Rendering};
use crate::http::{BodySettings, Routes};

/// Builds the actix-web server for a booted app on `listener`. Signals are
/// not handled by actix: elif takes them itself (see [`watch_signals`]).
pub(crate) fn http_server(
    booted: &Booted,
    listener: TcpListener,
    workers: usize,
) -> std::io::Result<Server> {
    let controllers = booted.controllers().to_vec();
    let lifecycle = booted.lifecycle().clone();
    let container = booted.container().clone();
    let body_limit = booted.server_config().body_limit;
    let pipeline = Pipeline {
        rendering: Arc::new(Rendering {
            production: booted.app_config().env == Environment::Production,
            format: Arc::clone(&booted.error_format),
        }),
        access_log: booted.server_config().access_log,
        body: BodySettings {
            limit: body_limit,
            unknown_fields: booted.server_config().unknown_fields,
            timeout: Duration::from_millis(booted.server_config().body_timeout_ms),
        },
        hardening: booted.hardening.clone(),
    };
    let hardening = booted.hardening.clone();
    let rate_limits = booted.rate_limits.clone();
    // Serialised only when served.
    let documents = booted
        .inspection
        .as_ref()
        .map(|_| inspection::Documents::new(booted.map(), booted.openapi()))
        .unwrap_or_else(|| inspection::Documents {
            map: Default::default(),
            openapi: Default::default(),
        });
    let inspection = booted.inspection.clone();
    let database = booted.container().get::<crate::data::Database>();
    let server = actix_web::HttpServer::new(move || {
        let controllers = controllers.clone();
        let lifecycle = lifecycle.clone();
        let routes_container = container.clone();
        let documents = documents.clone();
        let inspection = inspection.clone();
        let database = database.clone();
        actix_web::App::new()
            .wrap(pipeline.clone())
            .app_data(container.clone())
            .app_data(hardening.clone())
            .app_data(rate_limits.clone())
            .app_data(actix_web::web::PayloadConfig::new(body_limit))
            .app_data(actix_web::web::JsonConfig::default().limit(body_limit))
            .app_data(actix_web::web::FormConfig::default().limit(body_limit))
            .configure(move |config| {
                let routes = mount_all(routes_container, &controllers);
                // The framework's routes answer the same whatever the app
                // declares. After the app's routes they cost the app's
                // requests nothing; before them when an app route could
                // answer one of their paths (`/{slug}`), so that it cannot.
                // Read from the routes just mounted, so that routes written
                // by hand without a description count too.
                let framework_first = routes
                    .infos()
                    .any(|r| could_answer_framework_paths(&r.path));
                let framework = |config: &mut actix_web::web::ServiceConfig| {
                    health::register(config, lifecycle, database);
                    inspection::register(config, documents, inspection);
                };
                if framework_first {
                    framework(config);
                    routes.register(config);
                } else {
                    routes.register(config);
                    framework(config);
                }
            })
    })
    .workers(workers)
    .keep_alive(Duration::from_secs(booted.server_config().keep_alive))
    // A client that does not finish its request head in time gets 408
    // (slowloris holds no worker: actix-web reads heads asynchronously).
    .client_request_timeout(Duration::from_millis(
        booted.server_config().header_timeout_ms,
    ))
    .max_connections(booted.server_config().max_connections)
    .disable_signals()
    .shutdown_timeout(booted.server_config().shutdown_timeout)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The route table of every controller, as one worker serves it (and as
/// boot checks it once).
pub(crate) fn mount_all(container: Container, controllers: &[MountedController]) -> Routes {
    let mut routes = Routes::new(Some(container), Default::default(), Vec::new());
    for controller in controllers {
        routes.set_app_layers(std::rc::Rc::new(controller.layers.clone()));
        routes.set_middleware(controller.middleware.clone());
        (controller.mount)(&controller.instance, &mut routes);
    }
    routes
}

/// Whether a route template could match `/health`, `/ready` or a
/// `/_elif/*` path: its first segment is one of those names or holds a
/// parameter.
fn could_answer_framework_paths(template: &str) -> bool {
    let first = template
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    first.contains('{') || matches!(first, "health" | "ready" | "_elif")
}

/// How many connections the kernel queues before the server accepts them:
/// actix-web's default (std's `TcpListener::bind` queues 128, and a burst of
/// new connections beyond that waits for SYN retries, a second or more).
const BACKLOG: i32 = 1024;

/// A listening socket on `address` (`host:port`, the first of its
/// addresses that binds), as actix-web's own `bind` makes it.
fn listen(address: &str) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    use std::net::ToSocketAddrs;
    let mut failure = None;
    for addr in address.to_socket_addrs()? {
        let bound = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .and_then(|socket| {
                socket.set_reuse_address(true)?;
                socket.bind(&addr.into())?;
                socket.listen(BACKLOG)?;
                Ok(TcpListener::from(socket))
            });
        match bound {
            Ok(listener) => return Ok(listener),
            Err(error) => failure = Some(error),
        }
    }
    Err(failure.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to listen on")
    }))
}

/// The listening socket the process that started this one handed over
/// (`LISTEN_FDS`, systemd's socket activation; `elif dev` keeps one open
/// across restarts so that no connection is refused), or `None`.
fn inherited() -> std::io::Result<Option<TcpListener>> {
    if std::env::var_os("LISTEN_FDS").is_none() {
        return Ok(None);
    }
    let listener = listenfd::ListenFd::from_env().take_tcp_listener(0)?;
    if let Some(listener) = &listener {
        listener.set_nonblocking(true)?;
    }
    Ok(listener)
}

/// Binds `HOST:PORT` (or takes the inherited socket), serves until a stop
/// signal, drains, then shuts the app down.
pub(crate) async fn serve(booted: Booted) -> crate::Result<()> {
    let config = booted.server_config();
    let address = format!("{}:{}", config.host, config.port);
    let socket = match inherited() {
        Ok(Some(listener)) => Ok(listener),
        Ok(None) => listen(&address),
        Err(error) => Err(std::io::Error::new(
            error.kind(),
            format!("the inherited socket (LISTEN_FDS) is not a TCP listener: {error}"),
        )),
    };
    let listener = match socket {
        Ok(listener) => listener,
        Err(error) => {
            booted.shutdown().await;
            let diagnostic =
                Diagnostic::error(&EL1010, format!("cannot listen on {address}: {error}"));
            return Err(Error::boot(BootReport::new(vec![diagnostic])));
        }
    };
    let started = listener.local_addr().and_then(|addr| {
        let workers = config
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        http_server(&booted, listener, workers).map(|server| (addr, workers, server))
    });
    let (addr, workers, server): (SocketAddr, usize, _) = match started {
        Ok(started) => started,
        Err(error) => {
            booted.shutdown().await;
            return Err(error.into());
        }
    };
    tracing::info!(app = %booted.name(), workers, "listening on http://{addr}");
    // The watcher outlives the server: a second signal must also cut short
    // the shutdown hooks below.
    let watcher = actix_rt::spawn(watch_signals(
        server.handle(),
        booted.lifecycle().clone(),
        Duration::from_secs(config.shutdown_timeout),
    ));
    let result = server.await;
    booted.shutdown().await;
    watcher.abort();
    tracing::info!(app = %booted.name(), "stopped");
    Ok(result?)
}

/// On the first SIGTERM or SIGINT: readiness turns false and the server stops
/// accepting and drains in-flight requests (up to the shutdown timeout). A
/// second signal ends the process at once.
async fn watch_signals(handle: ServerHandle, lifecycle: Arc<Lifecycle>, timeout: Duration) {
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for stop signals; stop the app with SIGKILL");
        return;
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    tracing::info!(
        "{name} received: draining in-flight requests (up to {}s); send it again to stop at once",
        timeout.as_secs()
    );
    lifecycle.begin_drain();
    // Stop accepting first, and give the workers a moment to take the
    // connections accepted just before: a worker that stops drops those
    // still queued to it, and their clients would get no answer. Then drain.
    handle.pause().await;
    actix_rt::time::sleep(HANDOVER).await;
    let stop = handle.stop(true);
    tokio::select! {
        () = stop => {}
        _ = term.recv() => force(),
        _ = int.recv() => force(),
    }
    // Draining is over; tasks stop and hooks run. A second signal still
    // ends the process at once.
    tokio::select! {
        _ = term.recv() => force(),
        _ = int.recv() => force(),
    }
}

/// How long a stopping server waits, after it stops accepting, for its
/// workers to take the connections accepted just before.
const HANDOVER: Duration = Duration::from_millis(100);

fn force() {
    tracing::warn!("second stop signal: exiting without waiting for in-flight requests");
    std::process::exit(130);
}

#[cfg(test)]
mod tests {
    use super::{could_answer_framework_paths, listen};

    #[test]
    fn listens_on_the_first_address_that_binds_and_reports_one_that_does_not() {
        let listener = listen("127.0.0.1:0").expect("a free port");
        let addr = listener.local_addr().expect("bound");
        std::net::TcpStream::connect(addr).expect("accepts connections");
        let taken = listen(&addr.to_string()).expect_err("the port is taken");
        assert_eq!(taken.kind(), std::io::ErrorKind::AddrInUse);
        assert!(listen("no-such-host.invalid:80").is_err());
        assert!(listen("127.0.0.1").is_err(), "no port");
    }

    #[test]
    fn framework_paths_go_first_only_when_an_app_route_could_answer_them() {
        for template in [
            "/{slug}",
            "/{a}/{b}",
            "/v{version}/x",
            "/health",
            "/ready/now",
            "/_elif/x",
        ] {
            assert!(could_answer_framework_paths(template), "{template}");
        }
        for template in ["/", "/posts", "/posts/{id}", "/healthz", "/api/{x}"] {
            assert!(!could_answer_framework_paths(template), "{template}");
        }
    }
}
