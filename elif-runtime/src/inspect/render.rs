//! The map as JSON and as plain text: the `routes` table and the `map`
//! summary.

use std::fmt::Write as _;

use crate::http::AuthenticationMode;
use crate::inspect::model::AppMap;

impl AppMap {
    /// The map as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
    }

    /// The routes as a plain-text table, one per line: method, path,
    /// handler, authentication (`auth:required`, `auth:public`,
    /// `auth:MISSING`), guards/interceptors/filters, source location.
    pub fn routes_table(&self) -> String {
        let rows: Vec<[String; 6]> = self
            .routes
            .iter()
            .map(|r| {
                let mut layers = Vec::new();
                if !r.requires.is_empty() {
                    let requires: Vec<String> =
                        r.requires.iter().map(ToString::to_string).collect();
                    layers.push(format!("requires({})", requires.join(", ")));
                }
                for (name, list) in [
                    ("guards", &r.guards),
                    ("interceptors", &r.interceptors),
                    ("filters", &r.filters),
                ] {
                    if !list.is_empty() {
                        layers.push(format!("{name}({})", list.join(", ")));
                    }
                }
                let auth = match r.authentication.mode {
                    AuthenticationMode::Missing => "MISSING",
                    mode => mode.as_str(),
                };
                [
                    r.method.clone(),
                    r.path.clone(),
                    r.handler.clone(),
                    format!("auth:{auth}"),
                    layers.join(" "),
                    r.location.map(|l| l.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        table(&rows)
    }

    /// A plain-text summary: modules with what they declare, then routes,
    /// then config keys.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} ({})\n\nmodules\n",
            self.app.name,
            self.app.env.as_deref().unwrap_or("config not loaded")
        );
        for m in &self.modules {
            let _ = writeln!(out, "  {}  {}", m.name, m.location);
            for (label, list) in [
                (
                    "imports",
                    m.imports.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                ),
                (
                    "providers",
                    m.providers.iter().map(|s| s.to_string()).collect(),
                ),
                (
                    "controllers",
                    m.controllers.iter().map(|s| s.to_string()).collect(),
                ),
                ("exports", m.exports.clone()),
                ("guards", m.guards.iter().map(|s| s.to_string()).collect()),
                (
                    "interceptors",
                    m.interceptors.iter().map(|s| s.to_string()).collect(),
                ),
                ("filters", m.filters.iter().map(|s| s.to_string()).collect()),
                (
                    "commands",
                    m.commands.iter().map(|s| s.to_string()).collect(),
                ),
                (
                    "migrations",
                    m.migrations
                        .iter()
                        .flat_map(|set| set.versions.clone())
                        .collect(),
                ),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(out, "    {label}: {}", list.join(", "));
                }
            }
        }
        out.push_str("\ncomponents\n");
        let rows: Vec<[String; 5]> = self
            .components
            .iter()
            .map(|c| {
                let kind = serde_json::to_value(c.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let deps = c
                    .dependencies
                    .iter()
                    .filter_map(|d| d.rust_type.clone())
                    .collect::<Vec<_>>();
                [
                    format!("  {}", c.name),
                    kind,
                    c.scope.to_string(),
                    if deps.is_empty() {
                        String::new()
                    } else {
                        format!("<- {}", deps.join(", "))
                    },
                    c.location.map(|l| l.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&table(&rows));
        out.push_str("\nroutes\n");
        for line in self.routes_table().lines() {
            let _ = writeln!(out, "  {line}");
        }
        if !self.models.is_empty() {
            out.push_str("\nmodels\n");
            for m in &self.models {
                let _ = writeln!(out, "  {} (table {})  {}", m.name, m.table, m.location);
                for f in &m.fields {
                    let mut notes = Vec::new();
                    if f.key {
                        notes.push("key".to_owned());
                    }
                    if f.nullable {
                        notes.push("nullable".to_owned());
                    }
                    for (on, note) in [
                        (f.fillable, "fillable"),
                        (f.hidden, "hidden"),
                        (f.generated, "generated"),
                        (f.unique, "unique"),
                        (f.index, "index"),
                    ] {
                        if on {
                            notes.push(note.to_owned());
                        }
                    }
                    if let Some(r) = m.relations.iter().find(|r| r.foreign_key == f.name) {
                        notes.push(format!("belongs_to {}", r.model));
                    }
                    let _ = writeln!(
                        out,
                        "    {:<20} {:<10} {}",
                        f.name,
                        f.sql_type,
                        notes.join(", ")
                    );
                }
            }
        }
        out.push_str("\nconfig\n");
        let rows: Vec<[String; 3]> =
            self.config
                .iter()
                .map(|c| {
                    let unset = if c.rust_type.starts_with("Option") {
                        "(none)"
                    } else {
                        "(missing)"
                    };
                    let value = c.value.as_ref().map(|v| v.to_string()).unwrap_or_else(|| {
                        c.default.map_or_else(|| unset.to_owned(), str::to_owned)
                    });
                    let origin = c
                        .origin
                        .as_ref()
                        .map_or_else(String::new, |o| format!("from {o}"));
                    [format!("  {}", c.key), value, origin]
                })
                .collect();
        out.push_str(&table(&rows));
        if !self.diagnostics.is_empty() {
            let _ = write!(
                out,
                "\n{} problem(s): run `check` for details\n",
                self.diagnostics.len()
            );
        }
        out
    }
}

/// Rows as left-aligned columns separated by two spaces, without trailing blanks.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0; N];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < N {
                let _ = write!(line, "{cell:<width$}  ", width = widths[i]);
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns_and_trims() {
        let rows = [
            ["GET".to_owned(), "/".to_owned(), String::new()],
            [
                "DELETE".to_owned(),
                "/posts/{id}".to_owned(),
                "x".to_owned(),
            ],
        ];
        assert_eq!(table(&rows), "GET     /\nDELETE  /posts/{id}  x\n");
    }
}
