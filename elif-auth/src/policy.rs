//! Authorisation of one action on one model: policies, and the [`Gate`]
//! that asks them.
//!
//! A policy is an injectable that provides `dyn Policy<User, Post>` and
//! answers, per ability, whether a user may act on a model; every ability
//! it does not answer is refused (deny by default). Policies show in
//! `map --json` as the components that provide `dyn Policy<User, Post>`.
//!
//! ```no_run
//! use elif::prelude::*;
//! use elif_auth::{Ability, Authenticatable, CurrentUser, Gate, Policy};
//! # #[model(table = "users")] #[derive(Clone)] pub struct User { #[key] pub id: i64 }
//! # impl Authenticatable for User {}
//! # #[model(table = "posts")] #[derive(Clone)] pub struct Post { #[key] pub id: i64, pub author_id: i64 }
//!
//! #[injectable(provides = dyn Policy<User, Post>)]
//! pub struct PostPolicy;
//!
//! impl Policy<User, Post> for PostPolicy {
//!     fn update(&self, user: &User, post: &Post) -> bool {
//!         post.author_id == user.id
//!     }
//! }
//!
//! async fn update(gate: &Gate, user: &CurrentUser<User>, post: &Post) -> elif::Result<()> {
//!     gate.authorize(user, Ability::Update, post)?; // 403 FORBIDDEN otherwise
//!     Ok(())
//! }
//! ```

use std::fmt;
use std::str::FromStr;

use elif::prelude::*;

use crate::current::{Authenticatable, CurrentUser, denied};

/// What a user wants to do with a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ability {
    /// List models of the type.
    ViewAny,
    /// See one.
    View,
    /// Make one.
    Create,
    /// Change one.
    Update,
    /// Remove one.
    Delete,
    /// An ability of the app's own (`"publish"`).
    Other(&'static str),
}

impl fmt::Display for Ability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ability::ViewAny => "view any",
            Ability::View => "view",
            Ability::Create => "create",
            Ability::Update => "update",
            Ability::Delete => "delete",
            Ability::Other(name) => name,
        })
    }
}

/// Whether user `U` may act on model `M`, per ability. Every method
/// refuses unless the policy answers it.
pub trait Policy<U, M>: Send + Sync {
    /// May `user` list models of the type?
    fn view_any(&self, user: &U) -> bool {
        let _ = user;
        false
    }

    /// May `user` see `model`?
    fn view(&self, user: &U, model: &M) -> bool {
        let _ = (user, model);
        false
    }

    /// May `user` make one?
    fn create(&self, user: &U) -> bool {
        let _ = user;
        false
    }

    /// May `user` change `model`?
    fn update(&self, user: &U, model: &M) -> bool {
        let _ = (user, model);
        false
    }

    /// May `user` remove `model`?
    fn delete(&self, user: &U, model: &M) -> bool {
        let _ = (user, model);
        false
    }

    /// May `user` do the app's own `ability` (to `model`, when there is one)?
    fn other(&self, user: &U, ability: &str, model: Option<&M>) -> bool {
        let _ = (user, ability, model);
        false
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq, DomainError)]
pub enum GateError {
    /// The policy refuses it.
    #[problem(status = 403, code = "FORBIDDEN", message = "you may not {0} this {1}")]
    Forbidden(String, &'static str),
    /// No policy covers the user and model types.
    #[problem(
        status = 500,
        code = "AUTH_NO_POLICY",
        message = "no policy decides what a `{0}` may do with a `{1}`",
        hint = "add an injectable that provides `dyn Policy<User, Model>` to a module of the app"
    )]
    NoPolicy(&'static str, &'static str),
}

/// Asks the app's policies (injectable: `Inject<Gate>`).
#[injectable]
pub struct Gate;

impl Gate {
    /// Whether `user` may do `ability` to `model`.
    pub fn allows<U, M>(
        &self,
        user: &CurrentUser<U>,
        ability: Ability,
        model: &M,
    ) -> elif::Result<bool>
    where
        U: Authenticatable,
        U::Key: FromStr,
        M: 'static,
    {
        let policy = policy::<U, M>(user)?;
        let user: &U = user;
        Ok(match ability {
            Ability::ViewAny => policy.view_any(user),
            Ability::View => policy.view(user, model),
            Ability::Create => policy.create(user),
            Ability::Update => policy.update(user, model),
            Ability::Delete => policy.delete(user, model),
            Ability::Other(name) => policy.other(user, name, Some(model)),
        })
    }

    /// `Ok` when `user` may do `ability` to `model`; 403 `FORBIDDEN`
    /// otherwise (a security event on `elif_auth::security`).
    pub fn authorize<U, M>(
        &self,
        user: &CurrentUser<U>,
        ability: Ability,
        model: &M,
    ) -> elif::Result<()>
    where
        U: Authenticatable,
        U::Key: FromStr,
        M: 'static,
    {
        if self.allows(user, ability, model)? {
            Ok(())
        } else {
            Err(denied(forbidden::<M>(ability)))
        }
    }

    /// As [`Gate::authorize`], for abilities on the model type rather
    /// than one model (`ViewAny`, `Create`, the app's own).
    pub fn authorize_type<U, M>(&self, user: &CurrentUser<U>, ability: Ability) -> elif::Result<()>
    where
        U: Authenticatable,
        U::Key: FromStr,
        M: 'static,
    {
        let policy = policy::<U, M>(user)?;
        let user: &U = user;
        let allowed = match ability {
            Ability::ViewAny => policy.view_any(user),
            Ability::Create => policy.create(user),
            Ability::Other(name) => policy.other(user, name, None),
            Ability::View | Ability::Update | Ability::Delete => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(denied(forbidden::<M>(ability)))
        }
    }
}

/// The app's `dyn Policy<U, M>`.
fn policy<U, M>(user: &CurrentUser<U>) -> elif::Result<Arc<dyn Policy<U, M>>>
where
    U: Authenticatable,
    U::Key: FromStr,
    M: 'static,
{
    user.container()
        .get::<dyn Policy<U, M>>()
        .ok_or_else(|| GateError::NoPolicy(short::<U>(), short::<M>()).into())
}

fn forbidden<M>(ability: Ability) -> GateError {
    GateError::Forbidden(ability.to_string(), short::<M>())
}

/// A type's name without its path (`Post`).
fn short<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}
