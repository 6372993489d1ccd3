//! Config sections as dependencies: what the container needs to load one
//! ([`ConfigRequirement`]), loading every section an app reads, and
//! [`Config<T>`] as a field type. The config floor knows nothing of the
//! container; the container reads config through it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::config::source::ConfigSource;
use crate::config::{Config, ConfigKey, ConfigProblem, ConfigSection};
use crate::di::dependency::Dependency;
use crate::di::provider::{Instance, ProviderKey, Requirement, instance};
use crate::di::resolver::Resolver;
use crate::diagnostics::Diagnostic;

/// What the container needs to load one section.
#[derive(Clone)]
pub struct ConfigRequirement {
    /// The section type's key.
    pub key: ProviderKey,
    /// The section name.
    pub section: &'static str,
    load: fn(&ConfigSource) -> Result<Instance, Vec<ConfigProblem>>,
    /// The section's keys.
    pub keys: fn() -> Vec<ConfigKey>,
}

impl ConfigRequirement {
    /// The requirement of section `T`.
    pub fn of<T: ConfigSection>() -> Self {
        Self {
            key: ProviderKey::of::<T>(),
            section: T::SECTION,
            load: |source| T::load(source).map(|section| instance(Arc::new(section))),
            keys: T::keys,
        }
    }
}

impl fmt::Debug for ConfigRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfigRequirement({})", self.section)
    }
}

/// Loads every required section, gathering all problems.
pub(crate) fn load_sections(
    source: &ConfigSource,
    requirements: &[ConfigRequirement],
) -> Result<HashMap<ProviderKey, Instance>, Vec<Diagnostic>> {
    let mut loaded = HashMap::new();
    let mut problems = Vec::new();
    for requirement in requirements {
        match (requirement.load)(source) {
            Ok(section) => {
                loaded.insert(requirement.key, section);
            }
            Err(found) => problems.extend(found.iter().map(ConfigProblem::to_diagnostic)),
        }
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(problems)
    }
}

impl<T: ConfigSection> Dependency for Config<T> {
    fn requirement() -> Requirement {
        Requirement::Config(ConfigRequirement::of::<T>())
    }

    async fn resolve(resolver: &Resolver) -> crate::Result<Self> {
        resolver.config::<T>().map(Config::shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AppConfig, ServerConfig};
    use serde_json::json;

    #[test]
    fn every_section_loads_or_every_problem_is_reported() {
        let requirements = [
            ConfigRequirement::of::<AppConfig>(),
            ConfigRequirement::of::<ServerConfig>(),
        ];
        let source = ConfigSource::from_pairs([("server.port", json!(9000))]);
        let loaded = load_sections(&source, &requirements).unwrap();
        let server = loaded
            .get(&ProviderKey::of::<ServerConfig>())
            .and_then(crate::di::provider::downcast::<ServerConfig>)
            .unwrap();
        assert_eq!(server.port, 9000);
        assert!(loaded.contains_key(&ProviderKey::of::<AppConfig>()));

        let broken =
            ConfigSource::from_pairs([("server.port", json!("x")), ("app.env", json!("staging"))]);
        let problems = load_sections(&broken, &requirements).unwrap_err();
        let codes: Vec<&str> = problems.iter().map(Diagnostic::code).collect();
        assert_eq!(codes, ["EL2002", "EL2002"], "both sections report");
    }

    #[test]
    fn a_config_field_asks_for_its_section() {
        let Requirement::Config(requirement) = <Config<ServerConfig>>::requirement() else {
            panic!("a config requirement");
        };
        assert_eq!(requirement.section, "server");
        assert_eq!(requirement.key, ProviderKey::of::<ServerConfig>());
        assert!((requirement.keys)().iter().any(|k| k.key == "server.port"));
    }
}
