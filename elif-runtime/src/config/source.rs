//! Where configuration values come from: `elif.toml`, `.env`, the process
//! environment and values set in code, merged in that order (later wins).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::Serialized;
use figment::value::{Dict, Value};
use serde::de::DeserializeOwned;
use serde::de::value::UnitDeserializer;

use crate::config::{ConfigProblem, ProblemKind};

/// The prefix of nested environment keys: `APP__MAIL__HOST` sets `mail.host`.
pub const ENV_PREFIX: &str = "APP__";

/// Conventional variable names honoured as aliases of nested keys.
pub const ENV_ALIASES: &[(&str, &str)] = &[
    ("APP_ENV", "app.env"),
    ("HOST", "server.host"),
    ("PORT", "server.port"),
    ("DATABASE_URL", "database.url"),
    ("REDIS_URL", "redis.url"),
];

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Origin {
    /// The field's default.
    Default,
    /// A TOML file.
    File(PathBuf),
    /// A line of a `.env` file, by variable name.
    DotEnv(String),
    /// A process environment variable, by name.
    Env(String),
    /// Set in code (`App::config`, tests).
    Code,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("the default"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::DotEnv(name) => write!(f, "`{name}` in .env"),
            Origin::Env(name) => write!(f, "environment variable `{name}`"),
            Origin::Code => f.write_str("a value set in code"),
        }
    }
}

/// Options for [`ConfigSource::load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Directory holding `elif.toml` and `.env` (usually the working directory).
    pub dir: PathBuf,
    /// Whether to read the process environment (tests can turn it off).
    pub read_env: bool,
    /// Values set in code, by dotted key; they beat every other source.
    pub overrides: Vec<(String, serde_json::Value)>,
}

/// The merged configuration of an app, and where each key came from.
/// Its `Debug` lists keys and origins, never values (they may be secrets).
#[derive(Clone)]
pub struct ConfigSource {
    figment: Figment,
    origins: HashMap<String, Origin>,
}

impl fmt::Debug for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.origins.iter().map(|(k, o)| (k, o.to_string())))
            .finish()
    }
}

/// A parse error's position without the offending text, which may hold a secret.
fn redacted(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let reason = message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.contains('|') && *l != first)
        .map(|l| format!(": {}", l.trim()))
        .unwrap_or_default();
    format!("{first}{reason} (the line itself is not shown: it may hold a secret)")
}

impl ConfigSource {
    /// Loads `elif.toml` and `.env` from `options.dir` (each only if present),
    /// then the environment, then the overrides. Unreadable files are reported.
    pub fn load(options: &LoadOptions) -> Result<Self, Vec<ConfigProblem>> {
        let mut source = Self {
            figment: Figment::new(),
            origins: HashMap::new(),
        };
        let mut problems = Vec::new();
        let toml_path = options.dir.join("elif.toml");
        if toml_path.exists()
            && let Err(problem) = source.merge_toml(&toml_path)
        {
            problems.push(problem);
        }
        let dotenv_path = options.dir.join(".env");
        if dotenv_path.exists() {
            match read_dotenv(&dotenv_path) {
                Ok(vars) => source.merge_vars(vars, Origin::DotEnv),
                Err(problem) => problems.push(problem),
            }
        }
        if options.read_env {
            // Variables that are not valid UTF-8 cannot be config values; skip them.
            let vars = std::env::vars_os()
                .filter_map(|(name, value)| {
                    Some((name.into_string().ok()?, value.into_string().ok()?))
                })
                .collect();
            source.merge_vars(vars, Origin::Env);
        }
        for (key, value) in &options.overrides {
            source.set(key, value, Origin::Code);
        }
        if problems.is_empty() {
            Ok(source)
        } else {
            Err(problems)
        }
    }

    /// A source with only the given values (for tests and tools).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, serde_json::Value)>) -> Self {
        let mut source = Self {
            figment: Figment::new(),
            origins: HashMap::new(),
        };
        for (key, value) in pairs {
            source.set(key, &value, Origin::Code);
        }
        source
    }

    fn merge_toml(&mut self, path: &Path) -> Result<(), ConfigProblem> {
        let unreadable = |message: String| ConfigProblem {
            kind: ProblemKind::Unreadable,
            key: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
        let table: toml::Table =
            toml::from_str(&text).map_err(|e| unreadable(redacted(&e.to_string())))?;
        let provider = Serialized::defaults(table);
        let data =
            figment::Provider::data(&provider).map_err(|e| unreadable(redacted(&e.to_string())))?;
        for dict in data.values() {
            for key in leaf_keys(dict, "") {
                self.origins.insert(key, Origin::File(path.to_path_buf()));
            }
        }
        self.figment = std::mem::take(&mut self.figment).merge(provider);
        Ok(())
    }

    /// Merges variables, mapping `APP__A__B` to `a.b` and the aliases; nested
    /// names beat aliases from the same source.
    fn merge_vars(&mut self, vars: Vec<(String, String)>, origin: fn(String) -> Origin) {
        let aliases = vars.iter().filter_map(|(name, value)| {
            let (_, key) = ENV_ALIASES.iter().find(|(alias, _)| alias == name)?;
            Some(((*key).to_owned(), name, value))
        });
        let nested = vars.iter().filter_map(|(name, value)| {
            let rest = name.strip_prefix(ENV_PREFIX)?;
            let key = rest
                .split("__")
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
                .join(".");
            (!key.is_empty()).then_some((key, name, value))
        });
        let found: Vec<_> = aliases.chain(nested).collect();
        for (key, name, value) in found {
            self.set(&key, &env_value(value), origin(name.clone()));
        }
    }

    fn set(&mut self, key: &str, value: &serde_json::Value, origin: Origin) {
        self.figment = std::mem::take(&mut self.figment).merge(Serialized::global(key, value));
        self.origins.insert(key.to_owned(), origin);
    }

    /// The merged value of `key`, if anything set it (secrets included:
    /// callers redact).
    pub fn value(&self, key: &str) -> Option<serde_json::Value> {
        let value = self.figment.find_value(key).ok()?;
        serde_json::to_value(value).ok()
    }

    /// Where the value of `key` came from, if anything set it.
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.origins.get(key)
    }

    /// Reads one field of a section. Records a problem and returns `None`
    /// when the key is missing (and has no default), has the wrong type or
    /// fails validation. Secret values never appear in a problem.
    pub fn field<T: DeserializeOwned>(
        &self,
        section: &str,
        name: &str,
        spec: FieldSpec<T>,
        problems: &mut Vec<ConfigProblem>,
    ) -> Option<T> {
        let key = if section.is_empty() {
            name.to_owned()
        } else {
            format!("{section}.{name}")
        };
        let value = match self.figment.find_value(&key) {
            Ok(_) => match self.figment.extract_inner_lossy::<T>(&key) {
                Ok(value) => value,
                Err(error) => {
                    problems.push(self.invalid(&key, &error, spec.secret));
                    return None;
                }
            },
            Err(_) => match (
                spec.default,
                T::deserialize(UnitDeserializer::<serde::de::value::Error>::new()),
            ) {
                (Some(default), _) => default(),
                // `Option<T>` fields are `None` when unset.
                (None, Ok(value)) => value,
                (None, Err(_)) => {
                    problems.push(ConfigProblem {
                        kind: ProblemKind::Missing,
                        message: format!("`{key}` is not set; {}", where_to_set(&key)),
                        key,
                    });
                    return None;
                }
            },
        };
        if let Some(validate) = spec.validate
            && let Err(rule) = validate(&value)
        {
            {
                let origin = self.origin(&key).cloned().unwrap_or(Origin::Default);
                problems.push(ConfigProblem {
                    kind: ProblemKind::Rejected,
                    message: format!("`{key}` (from {origin}) is rejected: {rule}"),
                    key,
                });
                return None;
            }
        }
        Some(value)
    }

    fn invalid(&self, key: &str, error: &figment::Error, secret: bool) -> ConfigProblem {
        let origin = self.origin(key).cloned().unwrap_or(Origin::Default);
        let reason = match (&error.kind, secret) {
            (figment::error::Kind::InvalidType(_, expected), true) => {
                format!("expected {expected} (value hidden: secret)")
            }
            (_, true) => "the value cannot be read (value hidden: secret)".to_owned(),
            (kind, false) => kind.to_string(),
        };
        ConfigProblem {
            kind: ProblemKind::Invalid,
            key: key.to_owned(),
            message: format!("`{key}` (from {origin}) is invalid: {reason}"),
        }
    }
}

/// Checks a field's value; `Err` carries the rule it broke.
pub type Validate<T> = fn(&T) -> Result<(), String>;

/// How to read one field.
pub struct FieldSpec<T> {
    /// Builds the default when nothing sets the key.
    pub default: Option<fn() -> T>,
    /// Keep the value out of messages and inspection output.
    pub secret: bool,
    /// Checks the value; `Err` carries the rule it broke.
    pub validate: Option<Validate<T>>,
}

impl<T> FieldSpec<T> {
    /// A field with a default and no check.
    pub fn defaulted(default: fn() -> T) -> Self {
        Self {
            default: Some(default),
            ..Self::default()
        }
    }

    /// The same spec with a check.
    pub fn checked(self, validate: Validate<T>) -> Self {
        Self {
            validate: Some(validate),
            ..self
        }
    }
}

impl<T> Default for FieldSpec<T> {
    fn default() -> Self {
        Self {
            default: None,
            secret: false,
            validate: None,
        }
    }
}

/// A variable's value as config: a JSON array or object when it is one
/// (`APP__AUTH__JWT__SECRETS='["a", "b"]'`), text otherwise (which numbers
/// and booleans are read from).
fn env_value(value: &str) -> serde_json::Value {
    let trimmed = value.trim_start();
    if (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && let Ok(parsed @ (serde_json::Value::Array(_) | serde_json::Value::Object(_))) =
            serde_json::from_str::<serde_json::Value>(value)
    {
        return parsed;
    }
    serde_json::Value::String(value.to_owned())
}

/// "set APP__MAIL__HOST or `[mail] host` in elif.toml"
pub fn where_to_set(key: &str) -> String {
    let env = format!(
        "{ENV_PREFIX}{}",
        key.replace('.', "__").to_ascii_uppercase()
    );
    let alias = ENV_ALIASES.iter().find(|(_, k)| *k == key).map(|(a, _)| *a);
    let env = match alias {
        Some(alias) => format!("`{alias}` (or `{env}`)"),
        None => format!("`{env}`"),
    };
    let toml = match key.rsplit_once('.') {
        Some((table, leaf)) => format!("`{leaf} = ...` under `[{table}]` in elif.toml"),
        None => format!("`{key} = ...` in elif.toml"),
    };
    format!("set the environment variable {env} or {toml}")
}

fn read_dotenv(path: &Path) -> Result<Vec<(String, String)>, ConfigProblem> {
    let unreadable = |message: String| ConfigProblem {
        kind: ProblemKind::Unreadable,
        key: path.display().to_string(),
        message,
    };
    let iter = dotenvy::from_path_iter(path).map_err(|e| unreadable(e.to_string()))?;
    iter.map(|item| item.map_err(|e| unreadable(e.to_string())))
        .collect()
}

fn leaf_keys(dict: &Dict, prefix: &str) -> Vec<String> {
    dict.iter()
        .flat_map(|(k, v)| {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Dict(_, inner) => leaf_keys(inner, &key),
                _ => vec![key],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dir_with(files: &[(&str, &str)]) -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("elif-config-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    fn load(dir: PathBuf, overrides: Vec<(&str, serde_json::Value)>) -> ConfigSource {
        let overrides = overrides
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        ConfigSource::load(&LoadOptions {
            dir,
            read_env: false,
            overrides,
        })
        .unwrap()
    }

    #[test]
    fn dotenv_beats_toml_and_code_beats_dotenv() {
        let dir = dir_with(&[
            (
                "elif.toml",
                "[server]\nport = 9000\nhost = \"0.0.0.0\"\n[mail]\nfrom = \"a@b.c\"\n",
            ),
            (".env", "PORT=9100\nAPP__MAIL__FROM=x@y.z\n"),
        ]);
        let source = load(dir, vec![("mail.from", json!("code@y.z"))]);
        let mut problems = Vec::new();
        let port: Option<u16> = source.field("server", "port", FieldSpec::default(), &mut problems);
        let host: Option<String> =
            source.field("server", "host", FieldSpec::default(), &mut problems);
        let from: Option<String> =
            source.field("mail", "from", FieldSpec::default(), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(port, Some(9100));
        assert_eq!(host.as_deref(), Some("0.0.0.0"));
        assert_eq!(from.as_deref(), Some("code@y.z"));
        assert_eq!(
            source.origin("server.port"),
            Some(&Origin::DotEnv("PORT".into()))
        );
        assert!(matches!(
            source.origin("server.host"),
            Some(Origin::File(_))
        ));
    }

    #[test]
    fn variables_holding_json_arrays_and_tables_set_lists_and_sections() {
        let dir = dir_with(&[(
            ".env",
            "APP__AUTH__SECRETS='[\"one, with a comma\", \"two\"]'\nAPP__MAIL__UPSTREAM='{\"host\": \"smtp\"}'\nAPP__MAIL__SUBJECT='[not json'\n",
        )]);
        let source = load(dir, vec![]);
        let secrets: Option<Vec<String>> =
            source.field("auth", "secrets", FieldSpec::default(), &mut Vec::new());
        assert_eq!(
            secrets,
            Some(vec!["one, with a comma".to_owned(), "two".to_owned()])
        );
        assert_eq!(source.value("mail.upstream.host"), Some(json!("smtp")));
        let subject: Option<String> =
            source.field("mail", "subject", FieldSpec::default(), &mut Vec::new());
        assert_eq!(
            subject.as_deref(),
            Some("[not json"),
            "text that is not JSON stays text"
        );
    }

    #[test]
    fn nested_env_names_beat_aliases_from_the_same_source() {
        let dir = dir_with(&[(".env", "APP__SERVER__PORT=7000\nPORT=7001\n")]);
        let source = load(dir, vec![]);
        let port: Option<u16> =
            source.field("server", "port", FieldSpec::default(), &mut Vec::new());
        assert_eq!(port, Some(7000));
    }

    #[test]
    fn every_problem_is_reported_and_secrets_stay_hidden() {
        let source =
            ConfigSource::from_pairs([("db.port", json!("eighty")), ("db.password", json!(12))]);
        let mut problems = Vec::new();
        let port: Option<u16> = source.field("db", "port", FieldSpec::default(), &mut problems);
        let user: Option<String> = source.field("db", "user", FieldSpec::default(), &mut problems);
        let secret = FieldSpec::<Vec<u8>> {
            secret: true,
            ..FieldSpec::default()
        };
        let password: Option<Vec<u8>> = source.field("db", "password", secret, &mut problems);
        let name: Option<Option<String>> =
            source.field("db", "name", FieldSpec::default(), &mut problems);
        assert_eq!((port, user, password), (None, None, None));
        assert_eq!(name, Some(None), "unset Option fields are None");
        let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                ProblemKind::Invalid,
                ProblemKind::Missing,
                ProblemKind::Invalid
            ]
        );
        assert!(
            problems[0].message.contains("eighty"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[1].message.contains("APP__DB__USER"),
            "{}",
            problems[1].message
        );
        assert!(
            !problems[2].message.contains("12"),
            "{}",
            problems[2].message
        );
        assert!(
            problems[2].message.contains("value hidden"),
            "{}",
            problems[2].message
        );
    }

    #[test]
    fn defaults_and_validation() {
        let source = ConfigSource::from_pairs([("mail.port", json!(0))]);
        let mut problems = Vec::new();
        let spec = FieldSpec::<u16> {
            validate: Some(|p| {
                if *p == 0 {
                    Err("must be between 1 and 65535".into())
                } else {
                    Ok(())
                }
            }),
            ..FieldSpec::default()
        };
        assert_eq!(source.field("mail", "port", spec, &mut problems), None);
        let host = FieldSpec::<String> {
            default: Some(|| "localhost".into()),
            ..FieldSpec::default()
        };
        assert_eq!(
            source.field("mail", "host", host, &mut problems).as_deref(),
            Some("localhost")
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::Rejected);
        assert!(problems[0].message.contains("must be between 1 and 65535"));
    }

    #[test]
    fn broken_files_are_reported() {
        let dir = dir_with(&[("elif.toml", "[server\nport = 1\n")]);
        let problems = ConfigSource::load(&LoadOptions {
            dir,
            ..LoadOptions::default()
        })
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::Unreadable);
        assert!(
            problems[0].message.contains("line 1"),
            "{}",
            problems[0].message
        );

        // The broken line may hold a secret: where and why, never the line.
        let dir = dir_with(&[("elif.toml", "[mail]\npassword = \"hunter2\n")]);
        let problems = ConfigSource::load(&LoadOptions {
            dir,
            ..LoadOptions::default()
        })
        .unwrap_err();
        let message = &problems[0].message;
        assert!(message.contains("line 2"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(
            message.contains("the line itself is not shown"),
            "{message}"
        );
    }
}
