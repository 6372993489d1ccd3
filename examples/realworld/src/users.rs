//! Users: registration, login, the current user and its update.

use elif::http::HttpRequest;
use elif::prelude::*;
use elif_auth::{Authenticatable, Authenticated, Check, CurrentUser, Jwt, NoClaims, Passwords};

use crate::errors::{Conduit, not_blank};
use crate::models::{NewUser, User, UserChanges, users};
use crate::views::{UserBody, UserView};

impl Authenticatable for User {}

/// `{"user": {"username", "email", "password"}}`
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Registration {
    /// The new user.
    #[validate(required, nested)]
    pub user: Option<NewAccount>,
}

/// A new user.
#[derive(Debug, Default, Deserialize, Validate, Schema)]
pub struct NewAccount {
    /// The name profiles show, unique.
    #[validate(required, custom = not_blank)]
    pub username: Option<String>,
    /// The sign-in email, unique.
    #[validate(required, custom = not_blank)]
    pub email: Option<String>,
    /// 8 to 128 characters.
    #[validate(required, length(min = 8, max = 128))]
    pub password: Option<String>,
}

/// `{"user": {"email", "password"}}`
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Login {
    /// The credentials.
    #[validate(required, nested)]
    pub user: Option<LoginUser>,
}

/// An email and a password.
#[derive(Debug, Default, Deserialize, Validate, Schema)]
pub struct LoginUser {
    /// The sign-in email.
    #[validate(required, custom = not_blank)]
    pub email: Option<String>,
    /// The password.
    #[validate(required, custom = not_blank)]
    pub password: Option<String>,
}

/// `{"user": {..}}`: what changes.
#[derive(Debug, Deserialize, Validate, Schema)]
pub struct Update {
    /// The changes.
    #[validate(required, nested)]
    pub user: Option<UserUpdate>,
}

/// The fields to change; absent ones stay.
#[derive(Debug, Default, Deserialize, Validate, Schema)]
pub struct UserUpdate {
    /// A new email.
    #[validate(custom = not_blank)]
    pub email: Option<String>,
    /// A new name.
    #[validate(custom = not_blank)]
    pub username: Option<String>,
    /// A new password (8 to 128 characters).
    #[validate(length(min = 8, max = 128))]
    pub password: Option<String>,
    /// A new bio (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    pub bio: Option<Option<String>>,
    /// A new picture's URL (`null` clears it).
    #[serde(default, deserialize_with = "nullable")]
    pub image: Option<Option<String>>,
}

/// Absent is `None`, `null` is `Some(None)`.
fn nullable<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Users and their tokens.
#[injectable]
pub struct UsersController {
    users: Inject<Repository<User>>,
    passwords: Inject<Passwords>,
    jwt: Inject<Jwt>,
}

impl UsersController {
    /// `user` with a new token.
    fn signed_in(&self, user: &User) -> elif::Result<UserBody> {
        let token = self.jwt.issue(&user.subject(), NoClaims {})?;
        Ok(UserView::of(user, token))
    }
}

#[controller("/api", guards(Authenticated))]
impl UsersController {
    /// Registers a user (409 when the username or email is taken).
    #[post("/users")]
    #[public]
    #[openapi(responses(409))]
    async fn register(&self, input: Valid<Registration>) -> elif::Result<Created<UserBody>> {
        let NewAccount {
            username,
            email,
            password,
        } = input.into_inner().user.unwrap_or_default();
        let (username, email, password) = (
            username.unwrap_or_default(),
            email.unwrap_or_default(),
            password.unwrap_or_default(),
        );
        let password_hash = self.passwords.hash(&password).await?;
        let user = self
            .users
            .insert(NewUser {
                email,
                username,
                password_hash,
                bio: None,
                image: None,
            })
            .await?;
        Ok(Created::at("/api/user", self.signed_in(&user)?))
    }

    /// Logs in: the user with a token.
    #[post("/users/login")]
    #[public]
    #[openapi(errors(Conduit))]
    async fn login(
        &self,
        request: HttpRequest,
        input: Valid<Login>,
    ) -> elif::Result<Json<UserBody>> {
        let LoginUser { email, password } = input.into_inner().user.unwrap_or_default();
        let (email, password) = (email.unwrap_or_default(), password.unwrap_or_default());
        let user = self
            .users
            .first(Criteria::new().filter(users::email.eq(email.clone())))
            .await?;
        let stored = user.as_ref().map(|u| &u.password_hash);
        let check = self
            .passwords
            .check(&request, &email, &password, stored)
            .await?;
        match (user, check) {
            (Some(user), Check::Valid { needs_rehash }) => {
                if needs_rehash {
                    let changes = UserChanges {
                        password_hash: Some(self.passwords.hash(&password).await?),
                        ..UserChanges::default()
                    };
                    self.users.update(user.id, changes).await?;
                }
                Ok(Json(self.signed_in(&user)?))
            }
            _ => Err(Conduit::BadCredentials.into()),
        }
    }

    /// The signed-in user.
    #[get("/user")]
    async fn current(&self, user: CurrentUser<User>) -> elif::Result<Json<UserBody>> {
        Ok(Json(self.signed_in(&user)?))
    }

    /// Changes the signed-in user (422 when the new username or email is
    /// taken); a new password is hashed again.
    #[put("/user")]
    async fn update(
        &self,
        user: CurrentUser<User>,
        input: Valid<Update>,
    ) -> elif::Result<Json<UserBody>> {
        let update = input.into_inner().user.unwrap_or_default();
        let password_hash = match &update.password {
            Some(password) => Some(self.passwords.hash(password).await?),
            None => None,
        };
        let changes = UserChanges {
            email: update.email,
            username: update.username,
            password_hash,
            bio: update.bio,
            image: update.image,
        };
        let updated = self
            .users
            .update(user.id, changes)
            .await
            .map_err(taken_is_invalid)?;
        Ok(Json(self.signed_in(&updated)?))
    }
}

/// A taken username or email on update is a 422, as `openapi.yml` says
/// (registration answers 409).
fn taken_is_invalid(error: Error) -> Error {
    if error.code() == "ALREADY_EXISTS" {
        Error::new(422, "VALIDATION_FAILED", "a value is taken")
            .with_errors(error.errors().to_vec())
    } else {
        error
    }
}

/// Users.
#[module(
    imports(crate::models::ModelsModule, elif_auth::AuthModule),
    controllers(UsersController)
)]
pub struct UsersModule;
