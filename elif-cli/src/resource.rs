//! `elif generate resource <Name> field:type...` and `elif generate policy
//! <Model>`: the texts of a resource's files (its module, service,
//! controller, policy and tests; the model and migrations come from
//! [`crate::generate`]'s model generator).
//!
//! A resource is guarded by authentication: reads are `#[public]` unless
//! `--private`, writes need a signed-in user, and changing or deleting a
//! row asks the resource's policy (elif-auth's `Gate`). The first
//! `belongs_to(User)` field is the row's owner: the server sets it to the
//! signed-in user, and the policy lets only the owner change or delete the
//! row. A resource without an owner lets every signed-in user do so, as
//! its policy says where that is written.

use std::path::Path;

use crate::generate::{self, Field, GenerateError, find_model};

/// What the templates need to know of a resource.
pub(crate) struct Resource<'a> {
    /// `BlogPost`.
    pub name: &'a str,
    /// `blog_post`.
    pub snake: &'a str,
    /// The app's crate (`shop`).
    pub krate: &'a str,
    /// Its fields, as given.
    pub fields: &'a [Field],
    /// The app's user model (`crate::users::User`).
    pub user: &'a str,
    /// Reads need a signed-in user too.
    pub private: bool,
}

impl Resource<'_> {
    /// Its table and route: `blog_posts`.
    pub fn table(&self) -> String {
        format!("{}s", self.snake)
    }

    fn owner(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.is_owner())
    }

    /// `src/<snake>.rs`: the module, with every component registered.
    pub fn module(&self) -> String {
        let (name, snake) = (self.name, self.snake);
        format!(
            "//! {name}: the `{table}` table, its service, its policy and `/{table}`.

use elif::prelude::*;

/// {name}: the model's repository, the service, the policy and the controller.
#[module(
    imports(DataModule, elif_auth::AuthModule),
    providers(
        Repository<crate::{snake}_model::{name}>,
        crate::{snake}_service::{name}Service,
        crate::{snake}_policy::{name}Policy
    ),
    controllers(crate::{snake}_controller::{name}Controller),
    exports(crate::{snake}_service::{name}Service)
)]
pub struct {name}Module;

// <<<ELIF:BEGIN agent-editable:items>>>
// <<<ELIF:END agent-editable:items>>>
",
            table = self.table()
        )
    }

    /// `src/<snake>_service.rs`: the rules over `Repository<Model>`.
    pub fn service(&self) -> String {
        let (name, snake, table) = (self.name, self.snake, self.table());
        let (owner_param, owner_arg, owner_doc) = match self.owner() {
            Some(owner) => (
                format!(", {}_id: i64", owner.name),
                format!("{}_id", owner.name),
                format!(", made by the user `{}_id`", owner.name),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        format!(
            "//! {name}'s rules: what the controller asks of the `{table}` table.

use elif::prelude::*;

use crate::{snake}_model::{{{name}, {name}Input, {name}Patch, {table}}};

/// {name}'s rules, over `Repository<{name}>` (`Inject<{name}Service>`).
#[injectable]
pub struct {name}Service {{
    rows: Inject<Repository<{name}>>,
    // <<<ELIF:BEGIN agent-editable:fields>>>
    // <<<ELIF:END agent-editable:fields>>>
}}

impl {name}Service {{
    /// One page of `{table}`, newest first.
    pub async fn page(&self, page: u64, per_page: u64) -> elif::Result<Page<{name}>> {{
        let newest_first = Criteria::new().order_by({table}::id.desc());
        self.rows.page(newest_first, page, per_page).await
    }}

    /// The row with this id (404 when there is none).
    pub async fn find(&self, id: i64) -> elif::Result<{name}> {{
        self.rows.find_or_fail(id).await
    }}

    /// Stores a new row{owner_doc}.
    pub async fn create(&self, input: {name}Input{owner_param}) -> elif::Result<{name}> {{
        self.rows.insert(input.into_new({owner_arg})).await
    }}

    /// Changes the fields the patch has (404 when there is no such row).
    pub async fn update(&self, id: i64, patch: {name}Patch) -> elif::Result<{name}> {{
        self.rows.update(id, patch.into()).await
    }}

    /// Deletes the row (404 when there is none).
    pub async fn delete(&self, id: i64) -> elif::Result<()> {{
        self.rows.delete(id).await
    }}

    // <<<ELIF:BEGIN agent-editable:methods>>>
    // <<<ELIF:END agent-editable:methods>>>
}}
"
        )
    }

    /// `src/<snake>_controller.rs`: CRUD over the service.
    pub fn controller(&self) -> String {
        let (name, snake, table, user) = (self.name, self.snake, self.table(), self.user);
        let user_name = user.rsplit("::").next().unwrap_or(user);
        let read = if self.private { "" } else { "    #[public]\n" };
        let who_reads = if self.private {
            "signed-in users read them"
        } else {
            "anyone reads them"
        };
        let owner_arg = match self.owner() {
            Some(_) => ", user.id",
            None => "",
        };
        // The longest valid text is 10,000 characters at up to 12 bytes
        // each in JSON (`\ud83d\ude00`), past the default body limit.
        let limit = if self.fields.iter().any(|f| f.kind == "text") {
            ", body_limit = 262_144"
        } else {
            ""
        };
        format!(
            "//! `/{table}`: {who_reads}, signed-in users write them, and a row is
//! changed or deleted by those its policy allows (`{name}Policy`).

use elif::prelude::*;
use elif_auth::{{Ability, Authenticated, CurrentUser, Gate}};

use crate::{snake}_model::{{{name}, {name}Input, {name}Patch}};
use crate::{snake}_service::{name}Service;
use {user};

/// Which page to list: `?page=2&per_page=50`.
#[derive(Debug, Deserialize, Schema)]
pub struct {name}Paging {{
    /// 1-based page number (default 1; 0 reads as 1).
    pub page: Option<u64>,
    /// Rows a page, 1 to 100 (default 20; others are brought into the range).
    pub per_page: Option<u64>,
}}

/// `/{table}`.
#[injectable]
pub struct {name}Controller {{
    rows: Inject<{name}Service>,
    gate: Inject<Gate>,
}}

#[controller(\"/{table}\", guards(Authenticated))]
impl {name}Controller {{
    /// One page of `{table}`, newest first.
    #[get(\"/\")]
{read}    async fn list(&self, paging: Query<{name}Paging>) -> elif::Result<Page<{name}>> {{
        let page = paging.page.unwrap_or(1).max(1);
        let per_page = paging.per_page.unwrap_or(20).clamp(1, 100);
        self.rows.page(page, per_page).await
    }}

    /// One row (404 when there is none).
    #[get(\"/{{id}}\")]
{read}    async fn show(&self, id: i64) -> elif::Result<Json<{name}>> {{
        self.rows.find(id).await.map(Json)
    }}

    /// Makes a row (signed in, as the policy allows).
    #[post(\"/\"{limit})]
    async fn create(
        &self,
        input: Valid<{name}Input>,
        user: CurrentUser<{user_name}>,
    ) -> elif::Result<Created<{name}>> {{
        self.gate.authorize_type::<{user_name}, {name}>(&user, Ability::Create)?;
        let row = self.rows.create(input.into_inner(){owner_arg}).await?;
        Ok(Created::at(format!(\"/{table}/{{}}\", row.id), row))
    }}

    /// Changes a row's fields (as the policy allows).
    #[patch(\"/{{id}}\"{limit})]
    async fn update(
        &self,
        id: i64,
        patch: Valid<{name}Patch>,
        user: CurrentUser<{user_name}>,
    ) -> elif::Result<Json<{name}>> {{
        let row = self.rows.find(id).await?;
        self.gate.authorize(&user, Ability::Update, &row)?;
        self.rows.update(id, patch.into_inner()).await.map(Json)
    }}

    /// Deletes a row (as the policy allows).
    #[delete(\"/{{id}}\")]
    async fn delete(&self, id: i64, user: CurrentUser<{user_name}>) -> elif::Result<NoContent> {{
        let row = self.rows.find(id).await?;
        self.gate.authorize(&user, Ability::Delete, &row)?;
        self.rows.delete(id).await.map(|()| NoContent)
    }}

    // <<<ELIF:BEGIN agent-editable:routes>>>
    // <<<ELIF:END agent-editable:routes>>>
}}
"
        )
    }

    /// `src/<snake>_policy.rs`: who may write.
    pub fn policy(&self) -> String {
        let model = format!("crate::{}_model::{}", self.snake, self.name);
        match self.owner() {
            Some(owner) => policy_source(
                self.name,
                &model,
                self.user,
                &format!(
                    "A row is its owner's (`{0}_id`, the user who made it) to change\n/// and delete; every signed-in user may make one.",
                    owner.name
                ),
                [
                    "true",
                    &format!("row.{}_id == user.id", owner.name),
                    &format!("row.{}_id == user.id", owner.name),
                ],
            ),
            None => policy_source(
                self.name,
                &model,
                self.user,
                "Every signed-in user may make, change and delete a row (it has no\n/// owner): write here who may.",
                ["true", "true", "true"],
            ),
        }
    }

    /// `tests/<snake>.rs`: every route, signed in and not, good and bad input.
    pub fn tests(&self, app: &Path) -> Result<String, GenerateError> {
        let (name, snake, table, krate) = (self.name, self.snake, self.table(), self.krate);
        let user = in_tests(self.user, krate);
        let user_name = user.rsplit("::").next().unwrap_or(&user).to_owned();

        // The models a row needs, parents first, each made by its factory.
        let mut makers: Vec<(String, String)> = Vec::new();
        let this = MadeModel {
            name: name.to_owned(),
            path: format!("{krate}::{snake}_model::{name}"),
            parents: self
                .fields
                .iter()
                .filter_map(|f| {
                    f.related()
                        .map(|(t, p)| (f.name.clone(), t.to_owned(), in_tests(p, krate)))
                })
                .collect(),
        };
        maker(app, krate, &user_name, &this, &mut makers, 0)?;
        let helpers: String = makers.iter().map(|(_, text)| text.as_str()).collect();
        let uses: String = {
            let mut paths: Vec<String> = makers
                .iter()
                .map(|(path, _)| format!("use {path};\n"))
                .collect();
            paths.push(format!("use {user};\n"));
            paths.sort();
            paths.dedup();
            paths.concat()
        };

        // A valid body: every fillable field, parents made first.
        let mut body_setup = String::new();
        let mut members = Vec::new();
        for field in self.fields {
            match field.related() {
                Some(_) if field.is_owner() => {}
                Some((target, _)) => {
                    let var = format!("{}_row", field.name);
                    body_setup.push_str(&format!(
                        "    let {var} = a_{}(app, owner).await;\n",
                        generate::snake(target)
                    ));
                    members.push(format!("\"{}_id\": {var}.id", field.name));
                }
                None => members.push(format!("\"{}\": {}", field.name, field.sample(false))),
            }
        }
        let body = format!("json!({{ {} }})", members.join(", "));
        let body_params = if body_setup.is_empty() {
            format!("_app: &TestApp, _owner: &{user_name}")
        } else {
            format!("app: &TestApp, owner: &{user_name}")
        };
        // The patch changes the first plain field the response echoes as sent.
        let patched = self
            .fields
            .iter()
            .find(|f| f.belongs_to.is_none() && f.kind != "timestamp");
        let (patch, patch_check) = match patched {
            Some(f) => (
                format!("json!({{ \"{}\": {} }})", f.name, f.sample(true)),
                format!(
                    "    assert_eq!(changed.json::<Value>()[\"{0}\"], patch[\"{0}\"]);\n",
                    f.name
                ),
            ),
            None => ("json!({})".to_owned(), String::new()),
        };
        let blank = self
            .fields
            .iter()
            .find(|f| matches!(f.kind.as_str(), "string" | "text") && !f.nullable)
            .map(|f| {
                format!(
                    "    let mut blank = body.clone();
    blank[\"{0}\"] = json!(\"\");
    let refused = acting.post_json(\"/{table}\", &blank).await;
    assert_eq!(refused.status(), 422, \"{{}}\", refused.text());
    assert_eq!(refused.json::<Value>()[\"errors\"][0][\"pointer\"], \"/{0}\");
",
                    f.name
                )
            })
            .unwrap_or_default();
        let missing = self
            .fields
            .iter()
            .find(|f| !f.nullable && !f.is_owner())
            .map(|f| {
                format!(
                    "    let mut missing = body.clone();
    missing.as_object_mut().unwrap().remove(\"{}\");
    assert_eq!(acting.post_json(\"/{table}\", &missing).await.status(), 400);
",
                    f.column()
                )
            })
            .unwrap_or_default();
        let owner_check = match self.owner() {
            Some(owner) => format!(
                "    assert_eq!(created.json::<Value>()[\"{}_id\"], owner.id, \"the signed-in user owns it\");\n",
                owner.name
            ),
            None => String::new(),
        };
        let others = if self.owner().is_some() {
            "    let other = a_user(&app).await;
    let theirs = app.acting_as(&other).await;
    assert_eq!(theirs.send_json(Method::PATCH, &path, &patch).await.status(), 403);
    assert_eq!(theirs.delete(&path).await.status(), 403);
"
            .to_owned()
        } else {
            String::new()
        };
        let reader = if self.private {
            format!(
                "    assert_eq!(app.get(\"/{table}\").await.status(), 401, \"reads are private\");
    let reader = app.acting_as(&owner).await;
"
            )
        } else {
            "    let reader = &app;\n".to_owned()
        };
        Ok(format!(
            "//! `/{table}` through elif's in-process test app: every route, signed in
//! (`acting_as`) and not, with good and bad input.

#![allow(clippy::unwrap_used)]

use elif::data::Repository;
use elif::http::Method;
use elif::testing::{{TestApp, TestDatabase}};
use elif_auth::testing::ActingAs;
use serde_json::{{Value, json}};

{uses}
async fn start(db: &TestDatabase) -> TestApp {{
    TestApp::start({krate}::app().without_env().config(\"database.url\", db.url()))
        .await
        .unwrap()
}}

/// A user, made by its factory.
async fn a_user(app: &TestApp) -> {user_name} {{
    let users = app.container().get::<Repository<{user_name}>>().unwrap();
    {user_name}::factory().create_one(&users).await.unwrap()
}}
{helpers}
/// A body `POST /{table}` accepts.
async fn valid_body({body_params}) -> Value {{
{body_setup}    {body}
}}

#[elif::test]
async fn {table}_are_listed_a_page_at_a_time_and_shown() {{
    let db = TestDatabase::sqlite(\"{krate}_{table}_reads\");
    let app = start(&db).await;
    let owner = a_user(&app).await;
    let first = a_{snake}(&app, &owner).await;
    a_{snake}(&app, &owner).await;
    a_{snake}(&app, &owner).await;
{reader}    let page = reader.get(\"/{table}?per_page=2\").await;
    assert_eq!(page.status(), 200, \"{{}}\", page.text());
    let page: Value = page.json();
    assert_eq!((page[\"total\"].as_u64(), page[\"pages\"].as_u64()), (Some(3), Some(2)));
    assert_eq!(page[\"items\"].as_array().unwrap().len(), 2);
    let last: Value = reader.get(\"/{table}?page=2&per_page=2\").await.json();
    assert_eq!(last[\"items\"][0][\"id\"], first.id, \"newest first\");
    let shown = reader.get(&format!(\"/{table}/{{}}\", first.id)).await;
    assert_eq!(shown.status(), 200, \"{{}}\", shown.text());
    assert_eq!(shown.json::<Value>()[\"id\"], first.id);
    assert_eq!(reader.get(\"/{table}/999999\").await.status(), 404);
    assert_eq!(reader.get(\"/{table}?page=x\").await.status(), 400);
    app.stop().await;
    db.cleanup().await;
}}

#[elif::test]
async fn {table}_are_made_by_signed_in_users_from_valid_bodies() {{
    let db = TestDatabase::sqlite(\"{krate}_{table}_create\");
    let app = start(&db).await;
    let owner = a_user(&app).await;
    let body = valid_body(&app, &owner).await;
    let anonymous = app.post_json(\"/{table}\", &body).await;
    assert_eq!(anonymous.status(), 401, \"{{}}\", anonymous.text());
    let acting = app.acting_as(&owner).await;
    let created = acting.post_json(\"/{table}\", &body).await;
    assert_eq!(created.status(), 201, \"{{}}\", created.text());
{owner_check}    let id = created.json::<Value>()[\"id\"].as_i64().unwrap();
    let location = format!(\"/{table}/{{id}}\");
    assert_eq!(created.header(\"location\"), Some(location.as_str()));
    let mut unknown = body.clone();
    unknown[\"not_a_field\"] = json!(1);
    assert_eq!(acting.post_json(\"/{table}\", &unknown).await.status(), 400, \"unknown fields are refused\");
{blank}{missing}    app.stop().await;
    db.cleanup().await;
}}

#[elif::test]
async fn {table}_are_changed_and_deleted_as_the_policy_allows() {{
    let db = TestDatabase::sqlite(\"{krate}_{table}_write\");
    let app = start(&db).await;
    let owner = a_user(&app).await;
    let row = a_{snake}(&app, &owner).await;
    let path = format!(\"/{table}/{{}}\", row.id);
    let patch = {patch};
    let anonymous = app.send_json(app.request(Method::PATCH, &path), &patch).await;
    assert_eq!(anonymous.status(), 401, \"{{}}\", anonymous.text());
    assert_eq!(app.send(app.request(Method::DELETE, &path)).await.status(), 401);
{others}    let acting = app.acting_as(&owner).await;
    let changed = acting.send_json(Method::PATCH, &path, &patch).await;
    assert_eq!(changed.status(), 200, \"{{}}\", changed.text());
{patch_check}    let nowhere = acting.send_json(Method::PATCH, \"/{table}/999999\", &patch).await;
    assert_eq!(nowhere.status(), 404);
    let deleted = acting.delete(&path).await;
    assert_eq!(deleted.status(), 204, \"{{}}\", deleted.text());
    assert_eq!(acting.get(&path).await.status(), 404);
    assert_eq!(acting.delete(&path).await.status(), 404);
    app.stop().await;
    db.cleanup().await;
}}
"
        ))
    }
}

/// A policy's text: `create`, `update` and `delete` answered in zones
/// (`bodies`), the other abilities refused (elif-auth's default).
fn policy_source(name: &str, model: &str, user: &str, doc: &str, bodies: [&str; 3]) -> String {
    let user_name = user.rsplit("::").next().unwrap_or(user);
    let [create, update, delete] = bodies;
    let uses_row = |body: &str| if body.contains("row") { "row" } else { "_row" };
    let uses_user = |body: &str| {
        if body.contains("user") {
            "user"
        } else {
            "_user"
        }
    };
    format!(
        "//! Who may do what with a `{name}` (elif-auth's `Gate` asks it).

use elif::prelude::*;
use elif_auth::Policy;

use {model};
use {user};

/// {doc}
/// Abilities it does not answer (`view`, `view_any`, the app's own) are
/// refused.
#[injectable(provides = dyn Policy<{user_name}, {name}>)]
pub struct {name}Policy;

impl Policy<{user_name}, {name}> for {name}Policy {{
    fn create(&self, {create_user}: &{user_name}) -> bool {{
        // <<<ELIF:BEGIN agent-editable:create>>>
        {create}
        // <<<ELIF:END agent-editable:create>>>
    }}

    fn update(&self, {update_user}: &{user_name}, {update_row}: &{name}) -> bool {{
        // <<<ELIF:BEGIN agent-editable:update>>>
        {update}
        // <<<ELIF:END agent-editable:update>>>
    }}

    fn delete(&self, {delete_user}: &{user_name}, {delete_row}: &{name}) -> bool {{
        // <<<ELIF:BEGIN agent-editable:delete>>>
        {delete}
        // <<<ELIF:END agent-editable:delete>>>
    }}

    // <<<ELIF:BEGIN agent-editable:abilities>>>
    // <<<ELIF:END agent-editable:abilities>>>
}}
",
        create_user = uses_user(create),
        update_user = uses_user(update),
        update_row = uses_row(update),
        delete_user = uses_user(delete),
        delete_row = uses_row(delete),
    )
}

/// A model a test makes, and the parents it needs: (field, model, path).
struct MadeModel {
    name: String,
    path: String,
    parents: Vec<(String, String, String)>,
}

/// `a_<model>(app, owner)` for `model` and, first, for each parent it
/// needs (a `User` parent is the owner passed in).
fn maker(
    app: &Path,
    krate: &str,
    user_name: &str,
    model: &MadeModel,
    out: &mut Vec<(String, String)>,
    depth: usize,
) -> Result<(), GenerateError> {
    if out.iter().any(|(path, _)| *path == model.path) {
        return Ok(());
    }
    if depth > 8 {
        return Err(GenerateError::BadField(format!(
            "`{}`'s parents go more than 8 models deep (or round in a circle)",
            model.name
        )));
    }
    let mut setup = String::new();
    let mut parents = String::new();
    for (field, target, path) in &model.parents {
        if target == user_name {
            parents.push_str(&format!(
                "\n        .for_parent({}::{field}(), owner)",
                model.name
            ));
            continue;
        }
        let parent = MadeModel {
            name: target.clone(),
            path: path.clone(),
            parents: model_parents(app, target)?
                .into_iter()
                .map(|(f, t, p)| (f, t, in_tests(&p, krate)))
                .collect(),
        };
        maker(app, krate, user_name, &parent, out, depth + 1)?;
        let var = format!("{field}_row");
        setup.push_str(&format!(
            "    let {var} = a_{}(app, owner).await;\n",
            generate::snake(target)
        ));
        parents.push_str(&format!(
            "\n        .for_parent({}::{field}(), &{var})",
            model.name
        ));
    }
    let (name, snake) = (&model.name, generate::snake(&model.name));
    // Every parent is the owner or is made for the owner.
    let owner = if model.parents.is_empty() {
        "_owner"
    } else {
        "owner"
    };
    out.push((
        model.path.clone(),
        format!(
            "
/// A `{name}`, made by its factory (its parents too).
async fn a_{snake}(app: &TestApp, {owner}: &{user_name}) -> {name} {{
{setup}    let rows = app.container().get::<Repository<{name}>>().unwrap();
    {name}::factory(){parents}
        .create_one(&rows)
        .await
        .unwrap()
}}
"
        ),
    ));
    Ok(())
}

/// A path in the app (`crate::users::User`) as its tests name it
/// (`shop::users::User`).
fn in_tests(path: &str, krate: &str) -> String {
    path.replacen("crate::", &format!("{krate}::"), 1)
}

/// The `belongs_to` relations of the app's model `name`: (field, model,
/// path), read from its declaration.
fn model_parents(app: &Path, name: &str) -> Result<Vec<(String, String, String)>, GenerateError> {
    let (path, _) = find_model(app, name)?;
    let file = path
        .strip_prefix("crate::")
        .and_then(|rest| rest.rsplit_once("::"))
        .map_or_else(|| "lib".to_owned(), |(module, _)| module.replace("::", "/"));
    let source = std::fs::read_to_string(app.join("src").join(format!("{file}.rs")))?;
    let parsed = syn::parse_file(&source)
        .map_err(|e| GenerateError::BadField(format!("the model `{name}` does not parse: {e}")))?;
    let mut parents = Vec::new();
    for item in parsed.items {
        let syn::Item::Struct(item) = item else {
            continue;
        };
        if item.ident != name {
            continue;
        }
        for field in &item.fields {
            for attr in &field.attrs {
                if !attr.path().is_ident("belongs_to") {
                    continue;
                }
                let target: syn::Path = attr.parse_args().map_err(|e| {
                    GenerateError::BadField(format!(
                        "`{name}`'s `#[belongs_to]` does not parse: {e}"
                    ))
                })?;
                let last = target
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                let full = quote::quote!(#target).to_string().replace(' ', "");
                let full = if full.starts_with("crate::") {
                    full
                } else {
                    find_model(app, &last)?.0
                };
                if let Some(ident) = &field.ident {
                    parents.push((ident.to_string(), last, full));
                }
            }
        }
    }
    Ok(parents)
}

/// The standalone policy of `elif generate policy <Model>`: every ability
/// refused until written.
pub(crate) fn standalone_policy(name: &str, model: &str, user: &str) -> String {
    policy_source(
        name,
        model,
        user,
        "Refuses everything until its answers are written (deny by default).",
        ["false", "false", "false"],
    )
}
