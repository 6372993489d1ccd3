//! `[openapi]`: what the description says about the app itself.

use serde::Deserialize;

use crate::config::source::{ConfigSource, FieldSpec};
use crate::config::{ConfigKey, ConfigProblem, ConfigSection};

/// `[openapi]`: the description's title, version, servers, contact and
/// licence, and whether it lists elif's own routes.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenApiConfig {
    /// `info.title` (default: the app's name).
    pub title: Option<String>,
    /// `info.version`, the API's version (default `"0.1.0"`).
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `servers`: where the API is served (default: none, which clients
    /// read as the document's own origin).
    pub servers: Vec<OpenApiServer>,
    /// `info.contact`.
    pub contact: Option<OpenApiContact>,
    /// `info.license`.
    pub license: Option<OpenApiLicense>,
    /// Whether `/health`, `/ready` and `/_elif/*` are described too
    /// (default `false`: the app's own routes only).
    pub include_internal: bool,
}

/// One server (`[[openapi.servers]]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenApiServer {
    /// Its URL (`https://api.example.com/v1`).
    pub url: String,
    /// What it is (`production`).
    #[serde(default)]
    pub description: Option<String>,
}

/// `[openapi.contact]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenApiContact {
    /// A person or team.
    #[serde(default)]
    pub name: Option<String>,
    /// A web page.
    #[serde(default)]
    pub url: Option<String>,
    /// An address.
    #[serde(default)]
    pub email: Option<String>,
}

/// `[openapi.license]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenApiLicense {
    /// Its name (`MIT`).
    pub name: String,
    /// Its SPDX identifier (`MIT`).
    #[serde(default)]
    pub identifier: Option<String>,
    /// Where to read it.
    #[serde(default)]
    pub url: Option<String>,
}

/// The default API version.
const DEFAULT_VERSION: &str = "0.1.0";

impl Default for OpenApiConfig {
    fn default() -> Self {
        Self {
            title: None,
            version: DEFAULT_VERSION.to_owned(),
            description: None,
            servers: Vec::new(),
            contact: None,
            license: None,
            include_internal: false,
        }
    }
}

impl ConfigSection for OpenApiConfig {
    const SECTION: &'static str = "openapi";

    fn load(source: &ConfigSource) -> Result<Self, Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let s = "openapi";
        let title = source.field(s, "title", FieldSpec::default(), &mut problems);
        let version = source.field(
            s,
            "version",
            FieldSpec::defaulted(|| DEFAULT_VERSION.to_owned()).checked(|v: &String| {
                if v.trim().is_empty() {
                    Err("must not be empty".to_owned())
                } else {
                    Ok(())
                }
            }),
            &mut problems,
        );
        let description = source.field(s, "description", FieldSpec::default(), &mut problems);
        let servers = source.field(s, "servers", FieldSpec::defaulted(Vec::new), &mut problems);
        let contact = source.field(s, "contact", FieldSpec::default(), &mut problems);
        let license = source.field(s, "license", FieldSpec::default(), &mut problems);
        let include_internal = source.field(
            s,
            "include_internal",
            FieldSpec::defaulted(|| false),
            &mut problems,
        );
        match (
            (title, version, description, servers),
            (contact, license, include_internal),
        ) {
            (
                (Some(title), Some(version), Some(description), Some(servers)),
                (Some(contact), Some(license), Some(include_internal)),
            ) => Ok(Self {
                title,
                version,
                description,
                servers,
                contact,
                license,
                include_internal,
            }),
            _ => Err(problems),
        }
    }

    fn keys() -> Vec<ConfigKey> {
        let key = |key: &str, rust_type: &'static str, default: Option<&'static str>| ConfigKey {
            key: key.to_owned(),
            rust_type,
            default,
            secret: false,
        };
        vec![
            key("openapi.title", "Option<String>", None),
            key("openapi.version", "String", Some("\"0.1.0\"")),
            key("openapi.description", "Option<String>", None),
            key("openapi.servers", "Vec<OpenApiServer>", Some("[]")),
            key("openapi.contact", "Option<OpenApiContact>", None),
            key("openapi.license", "Option<OpenApiLicense>", None),
            key("openapi.include_internal", "bool", Some("false")),
        ]
    }
}
