//! The document, from the app's map (what each route declares, with the
//! app's and modules' guards merged in) and its routes' descriptions (doc
//! comments, return types, `#[openapi(..)]`, guards' security schemes).
//!
//! Per route, in this order: skip it if `hidden` or if its method is not
//! one OpenAPI has; its operation id, tag, summary and description; its
//! parameters (path, then each property of its `Query<T>`); its body
//! (closed to unknown members unless the app or the type accepts them);
//! its success response; the errors its extractors, guards, limits and
//! handler can answer with, all with the one problem schema; its security.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, Responses};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme as Scheme,
};
use utoipa::openapi::tag::Tag;
use utoipa::openapi::{
    Components, Content, Header, Info, OpenApi, Paths, Ref, RefOr, Required, Server,
};

use super::OpenApiConfig;
use super::schema::{closed, to_schema};
use crate::config::UnknownFields;
use crate::config::source::ConfigSource;
use crate::credentials::{Credentials, GuardSecurity, SecurityScheme};
use crate::http::problem::ErrorFormat;
use crate::http::{AuthenticationMode, RouteInfo, RouteThrottle};
use crate::inspect::{AppMap, RouteMap};

/// What the document is made from.
pub(crate) struct Sources<'a> {
    /// The app's map.
    pub(crate) map: &'a AppMap,
    /// Every route's description, in the map's order.
    pub(crate) routes: &'a [(usize, RouteInfo)],
    /// The app's and modules' authenticating guards' schemes.
    pub(crate) guards: Vec<GuardSecurity>,
    /// The merged config, when it loaded.
    pub(crate) config: Option<&'a ConfigSource>,
    /// `[openapi]`.
    pub(crate) settings: OpenApiConfig,
    /// `server.unknown_fields`.
    pub(crate) unknown_fields: UnknownFields,
    /// How the app writes errors: the schema and media type of every
    /// error response.
    pub(crate) errors: &'a dyn ErrorFormat,
}

/// The app's OpenAPI 3.1 document.
pub(crate) fn document(sources: &Sources<'_>) -> OpenApi {
    let settings = &sources.settings;
    let mut info = Info::new(
        settings
            .title
            .clone()
            .unwrap_or_else(|| sources.map.app.name.clone()),
        settings.version.clone(),
    );
    info.description = settings.description.clone();
    info.contact = settings.contact.as_ref().map(|c| {
        let mut contact = utoipa::openapi::info::Contact::new();
        contact.name = c.name.clone();
        contact.url = c.url.clone();
        contact.email = c.email.clone();
        contact
    });
    info.license = settings.license.as_ref().map(|l| {
        let mut license = utoipa::openapi::info::License::new(l.name.clone());
        license.identifier = l.identifier.clone();
        license.url = l.url.clone();
        license
    });
    let schemes = SchemeTable::new(sources);
    let mut paths = Paths::new();
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    let mut used_schemes: BTreeMap<String, SecurityScheme> = BTreeMap::new();
    for (map, (_, route)) in sources.map.routes.iter().zip(sources.routes) {
        if route.operation.hidden {
            continue;
        }
        let Some(method) = http_method(&map.method) else {
            continue;
        };
        let tag = controller_of(&route.handler).to_owned();
        tags.entry(tag.clone())
            .or_insert_with(|| route.operation.tag_doc.clone());
        let route_schemes = schemes.of(map, route);
        let operation = operation(sources, map, route, &tag, &route_schemes);
        for scheme in route_schemes {
            used_schemes.insert(scheme.name.clone(), scheme);
        }
        paths.add_path_operation(openapi_path(&map.path), vec![method], operation);
    }
    if settings.include_internal {
        internal(&mut paths);
    }
    let mut components = Components::new();
    components.schemas.insert(
        sources.errors.schema_name().to_owned(),
        to_schema(&sources.errors.schema()),
    );
    for (name, scheme) in used_schemes {
        components
            .security_schemes
            .insert(name, RefOr::T(security_scheme(&scheme)));
    }
    let mut document = OpenApi::new(info, paths);
    document.components = Some(components);
    document.tags = Some(
        tags.into_iter()
            .map(|(name, doc)| {
                let mut tag = Tag::new(name);
                tag.description = (!doc.is_empty()).then_some(doc);
                tag
            })
            .collect(),
    );
    if !settings.servers.is_empty() {
        document.servers = Some(
            settings
                .servers
                .iter()
                .map(|s| {
                    let mut server = Server::new(s.url.clone());
                    server.description = s.description.clone();
                    server
                })
                .collect(),
        );
    }
    document
}

/// The operation of one route.
fn operation(
    sources: &Sources<'_>,
    map: &RouteMap,
    route: &RouteInfo,
    tag: &str,
    schemes: &[SecurityScheme],
) -> Operation {
    let mut operation = Operation::new();
    let doc = &route.operation;
    operation.operation_id = Some(
        doc.operation_id
            .clone()
            .unwrap_or_else(|| route.handler.replace("::", "_")),
    );
    operation.tags = Some(vec![tag.to_owned()]);
    let (summary, description) = split_doc(&doc.doc);
    operation.summary = doc.summary.clone().or(summary);
    operation.description = description;
    let parameters = parameters(map);
    operation.parameters =
        (!parameters.is_empty()).then(|| parameters.into_iter().map(RefOr::T).collect());
    operation.request_body = request_body(sources, map, route).map(RefOr::T);
    operation.responses = responses(sources.errors, map, route, schemes);
    operation.security = security(map, schemes);
    operation
}

/// The first paragraph as the summary (on one line), the rest as the
/// description.
fn split_doc(doc: &str) -> (Option<String>, Option<String>) {
    let doc = doc.trim();
    if doc.is_empty() {
        return (None, None);
    }
    let (first, rest) = doc.split_once("\n\n").unwrap_or((doc, ""));
    let summary = first.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = rest.trim();
    (Some(summary), (!rest.is_empty()).then(|| rest.to_owned()))
}

/// The route's path and query parameters.
fn parameters(map: &RouteMap) -> Vec<Parameter> {
    let mut parameters: Vec<Parameter> = map
        .params
        .iter()
        .map(|param| {
            let mut parameter = Parameter::new(param.name.clone());
            parameter.parameter_in = ParameterIn::Path;
            parameter.required = Required::True;
            parameter.schema = Some(to_schema(
                param
                    .schema
                    .as_ref()
                    .unwrap_or(&serde_json::json!({ "type": "string" })),
            ));
            parameter
        })
        .collect();
    // `Query<T>`: one parameter per property of `T`.
    let query = map.query.as_ref().and_then(|q| q.schema.as_ref());
    if let Some(Value::Object(properties)) = query.and_then(|q| q.get("properties")) {
        let required: BTreeSet<&str> = query
            .and_then(|q| q.get("required"))
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, schema) in properties {
            let mut parameter = Parameter::new(name.clone());
            parameter.parameter_in = ParameterIn::Query;
            parameter.required = if required.contains(name.as_str()) {
                Required::True
            } else {
                Required::False
            };
            parameter.description = schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            parameter.schema = Some(to_schema(schema));
            parameters.push(parameter);
        }
    }
    parameters
}

/// The route's body, closed to unknown members when they are rejected.
fn request_body(sources: &Sources<'_>, map: &RouteMap, route: &RouteInfo) -> Option<RequestBody> {
    let body = map.body.as_ref()?;
    let schema = body.schema.clone().unwrap_or_else(|| serde_json::json!({}));
    let lenient = body.rust_type.contains("Lenient");
    let schema = if sources.unknown_fields == UnknownFields::Reject && !lenient {
        closed(&schema)
    } else {
        schema
    };
    let form = body.rust_type.trim_start().starts_with("Form");
    let media = if form {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    let mut content = Content::new(Some(to_schema(&schema)));
    content.example = route.operation.request_example.clone();
    let mut request = RequestBody::new();
    request.required = Some(Required::True);
    request.content.insert(media.to_owned(), RefOr::T(content));
    Some(request)
}

/// Every response the route can give: success, then errors by status.
fn responses(
    errors_format: &dyn ErrorFormat,
    map: &RouteMap,
    route: &RouteInfo,
    schemes: &[SecurityScheme],
) -> Responses {
    let mut responses = Responses::new();
    let declared = route.operation.responses.iter().find(|r| r.status < 400);
    let success = declared.or(route.responds.as_ref());
    match success {
        Some(doc) => {
            let mut response = Response::new(if doc.description.is_empty() {
                reason(doc.status)
            } else {
                doc.description.clone()
            });
            if let Some(media) = doc.content_type {
                let mut content = Content::new(doc.schema.as_ref().map(to_schema));
                content.example = route.operation.response_example.clone();
                response.content.insert(media.to_owned(), RefOr::T(content));
            }
            for header in &doc.headers {
                response.headers.insert(
                    (*header).to_owned(),
                    RefOr::T(Header::new(to_schema(
                        &serde_json::json!({ "type": "string" }),
                    ))),
                );
            }
            responses
                .responses
                .insert(doc.status.to_string(), RefOr::T(response));
        }
        None => {
            responses.responses.insert(
                "2XX".to_owned(),
                RefOr::T(Response::new(
                    "Success (the return type does not say more: declare it with `#[openapi(status = .., body = T)]`)",
                )),
            );
        }
    }
    for (status, why) in errors(map, route, schemes) {
        let mut response = Response::new(why.join("; "));
        response.content.insert(
            errors_format.content_type().to_owned(),
            RefOr::T(Content::new(Some(RefOr::Ref(Ref::from_schema_name(
                errors_format.schema_name(),
            ))))),
        );
        if status == 429 {
            response.headers.insert(
                "Retry-After".to_owned(),
                RefOr::T(Header::new(to_schema(
                    &serde_json::json!({ "type": "integer", "minimum": 0 }),
                ))),
            );
        }
        responses
            .responses
            .insert(status.to_string(), RefOr::T(response));
    }
    responses
}

/// The errors a route can answer with, by status, each with why.
fn errors(
    map: &RouteMap,
    route: &RouteInfo,
    schemes: &[SecurityScheme],
) -> BTreeMap<u16, Vec<String>> {
    let mut errors: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    let mut add = |status: u16, why: String| {
        let list = errors.entry(status).or_default();
        if !list.contains(&why) {
            list.push(why);
        }
    };
    if !map.params.is_empty() || map.query.is_some() {
        add(400, "A path or query parameter is malformed".to_owned());
    }
    if !map.params.is_empty() {
        add(404, "Nothing is at this path".to_owned());
    }
    if map.body.is_some() {
        add(400, "The body is not well-formed JSON".to_owned());
        add(413, "The body is larger than the route's limit".to_owned());
        add(415, "The body is not of a supported media type".to_owned());
        add(
            422,
            "The body has unknown members, or breaks the type's rules".to_owned(),
        );
    }
    if map.query.is_some()
        && map
            .query
            .as_ref()
            .is_some_and(|q| q.rust_type.contains("Valid"))
    {
        add(422, "The query breaks the type's rules".to_owned());
    }
    let authenticated = !map.authentication.guards.is_empty();
    if authenticated {
        add(
            401,
            match map.authentication.mode {
                AuthenticationMode::Public => "The credentials sent are not valid",
                _ => "No valid credentials were sent",
            }
            .to_owned(),
        );
    }
    if !map.requires.is_empty() {
        add(
            403,
            "The caller lacks a required role or permission".to_owned(),
        );
    }
    let unsafe_method = !matches!(map.method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let sessions = schemes
        .iter()
        .any(|s| matches!(s.credentials, Credentials::Cookie { .. }));
    if sessions && unsafe_method {
        add(
            403,
            "A cookie-authenticated request came from another site (CSRF)".to_owned(),
        );
    }
    if !matches!(route.throttle, RouteThrottle::Off) {
        add(
            429,
            "Too many requests: retry after `Retry-After` seconds".to_owned(),
        );
    }
    let declared = route
        .responds
        .iter()
        .flat_map(|r| r.problems.iter())
        .chain(&route.operation.problems);
    for problem in declared {
        add(
            problem.status,
            format!("`{}`: {}", problem.code, problem.message),
        );
    }
    for response in &route.operation.responses {
        if response.status >= 400 {
            add(response.status, reason(response.status));
        }
    }
    errors
}

/// The route's security: each scheme its authenticating guards accept,
/// with its requirements as the scheme's roles; a public route also admits
/// no credentials (`{}`).
fn security(map: &RouteMap, schemes: &[SecurityScheme]) -> Option<Vec<SecurityRequirement>> {
    match map.authentication.mode {
        AuthenticationMode::Missing if schemes.is_empty() => return None,
        AuthenticationMode::Public if schemes.is_empty() => return Some(Vec::new()),
        _ => {}
    }
    let roles: Vec<String> = map.requires.iter().map(ToString::to_string).collect();
    let mut requirements = Vec::new();
    if map.authentication.mode == AuthenticationMode::Public {
        requirements.push(SecurityRequirement::default());
    }
    for scheme in schemes {
        requirements.push(SecurityRequirement::new(&scheme.name, roles.clone()));
    }
    Some(requirements)
}

/// Every authenticating guard's schemes, read once from the config.
struct SchemeTable {
    by_guard: BTreeMap<&'static str, Vec<SecurityScheme>>,
}

impl SchemeTable {
    fn new(sources: &Sources<'_>) -> Self {
        let empty = ConfigSource::from_pairs([]);
        let config = sources.config.unwrap_or(&empty);
        let mut by_guard = BTreeMap::new();
        let all = sources
            .guards
            .iter()
            .chain(sources.routes.iter().flat_map(|(_, r)| r.security.iter()));
        for guard in all {
            by_guard
                .entry(guard.guard)
                .or_insert_with(|| (guard.schemes)(config));
        }
        Self { by_guard }
    }

    /// The schemes of the guards that authenticate `map`'s route, each once.
    fn of(&self, map: &RouteMap, _route: &RouteInfo) -> Vec<SecurityScheme> {
        let mut schemes: Vec<SecurityScheme> = Vec::new();
        for guard in &map.authentication.guards {
            for scheme in self.by_guard.get(guard).into_iter().flatten() {
                if !schemes.iter().any(|s| s.name == scheme.name) {
                    schemes.push(scheme.clone());
                }
            }
        }
        schemes
    }
}

/// A scheme in OpenAPI's terms.
fn security_scheme(scheme: &SecurityScheme) -> Scheme {
    let description = Some(scheme.description.clone()).filter(|d| !d.is_empty());
    match &scheme.credentials {
        Credentials::Bearer { format } => {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.bearer_format = format.clone();
            http.description = description;
            Scheme::Http(http)
        }
        Credentials::Header { name } => Scheme::ApiKey(ApiKey::Header(value(name, description))),
        Credentials::Cookie { name } => Scheme::ApiKey(ApiKey::Cookie(value(name, description))),
    }
}

fn value(name: &str, description: Option<String>) -> ApiKeyValue {
    let mut value = ApiKeyValue::new(name);
    value.description = description;
    value
}

/// `PostsController` of `PostsController::show`.
fn controller_of(handler: &str) -> &str {
    handler.split("::").next().unwrap_or(handler)
}

/// An elif path template as OpenAPI writes it: `{id}` stays, a segment's
/// pattern (`{slug:[a-z-]+}`) or tail marker is left out.
fn openapi_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '{' if !in_param => {
                in_param = true;
                skipping = false;
                out.push(c);
            }
            '}' if in_param => {
                in_param = false;
                out.push(c);
            }
            ':' if in_param => skipping = true,
            '*' if in_param && !skipping => {}
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

/// OpenAPI's method for `method`; `None` for methods it has no field for
/// (`QUERY`, `PURGE`, WebDAV's), which the document leaves out.
fn http_method(method: &str) -> Option<HttpMethod> {
    Some(match method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        "HEAD" => HttpMethod::Head,
        "OPTIONS" => HttpMethod::Options,
        "TRACE" => HttpMethod::Trace,
        _ => return None,
    })
}

/// The reason phrase of `status`.
fn reason(status: u16) -> String {
    actix_web::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

/// `/health`, `/ready` and `/_elif/openapi.json` (`include_internal`).
fn internal(paths: &mut Paths) {
    let json = |description: &str| {
        let mut response = Response::new(description);
        response.content.insert(
            "application/json".to_owned(),
            RefOr::T(Content::new(Some(to_schema(
                &serde_json::json!({ "type": "object" }),
            )))),
        );
        response
    };
    let get = |id: &str, summary: &str, ok: Response, unavailable: bool| {
        let mut operation = Operation::new();
        operation.operation_id = Some(id.to_owned());
        operation.tags = Some(vec!["elif".to_owned()]);
        operation.summary = Some(summary.to_owned());
        operation
            .responses
            .responses
            .insert("200".to_owned(), RefOr::T(ok));
        if unavailable {
            operation.responses.responses.insert(
                "503".to_owned(),
                RefOr::T(json("A dependency does not answer")),
            );
        }
        operation.security = Some(Vec::new());
        operation
    };
    paths.add_path_operation(
        "/health",
        vec![HttpMethod::Get],
        get(
            "elif_health",
            "Liveness: the process answers",
            json("Alive"),
            false,
        ),
    );
    paths.add_path_operation(
        "/ready",
        vec![HttpMethod::Get],
        get(
            "elif_ready",
            "Readiness: the database and other dependencies answer",
            json("Ready"),
            true,
        ),
    );
    paths.add_path_operation(
        "/_elif/openapi.json",
        vec![HttpMethod::Get],
        get(
            "elif_openapi",
            "This document",
            json("The OpenAPI document"),
            false,
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_split_into_summary_and_description() {
        assert_eq!(split_doc(""), (None, None));
        assert_eq!(
            split_doc("Lists posts,\nnewest first.\n\nPaged by `page`."),
            (
                Some("Lists posts, newest first.".to_owned()),
                Some("Paged by `page`.".to_owned())
            )
        );
    }

    #[test]
    fn templates_keep_their_parameter_names_only() {
        assert_eq!(openapi_path("/posts/{id}"), "/posts/{id}");
        assert_eq!(openapi_path("/files/{path:.*}"), "/files/{path}");
        assert_eq!(openapi_path("/"), "/");
    }
}
