//! Accounts: authors sign up with an email and a password, log in (a JWT
//! for API clients, and a session cookie for browsers), log out, and make
//! API tokens for scripts (each with the abilities it needs). Who may
//! change what: authors write posts (a permission, which a token may lack)
//! and change their own (a policy); an admin deletes any (a role).

use elif::http::{HttpRequest, HttpResponse, header};
use elif::prelude::*;
use elif_auth::{
    ApiToken, ApiTokens, Authenticatable, Authenticated, Check, CurrentUser, Jwt, NoClaims,
    Passwords, Policy, Sessions, check_policy, security,
};

use crate::models::{Author, AuthorChanges, NewAuthor, Post, authors};

impl Authenticatable for Author {
    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }

    /// Every author writes posts; an admin may do anything.
    fn has_permission(&self, permission: &str) -> bool {
        self.role == "admin" || permission == "posts.write"
    }
}

/// Authors change their own posts; admins change any.
#[injectable(provides = dyn Policy<Author, Post>)]
pub struct PostPolicy;

impl Policy<Author, Post> for PostPolicy {
    fn update(&self, author: &Author, post: &Post) -> bool {
        post.author_id == author.id || author.role == "admin"
    }

    fn delete(&self, author: &Author, _: &Post) -> bool {
        author.role == "admin"
    }
}

/// `POST /users`.
#[derive(Debug, Deserialize, Validate, Schema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    /// The name posts show, unique.
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    /// The sign-in email, unique.
    #[validate(email)]
    pub email: String,
    /// 8 to 128 characters (elif-auth's policy, said here so that the
    /// OpenAPI document tells clients).
    #[validate(length(min = 8, max = 128))]
    pub password: String,
}

/// `POST /login`.
#[derive(Debug, Deserialize, Validate, Schema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The sign-in email.
    #[validate(email)]
    pub email: String,
    /// The password.
    #[validate(length(min = 1, max = 1024))]
    pub password: String,
}

/// An account as its owner sees it.
#[derive(Debug, Serialize, Schema)]
pub struct Account {
    /// The author's id.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: Option<String>,
    /// `author` or `admin`.
    pub role: String,
}

impl From<&Author> for Account {
    fn from(author: &Author) -> Self {
        Self {
            id: author.id,
            name: author.name.clone(),
            email: author.email.clone(),
            role: author.role.clone(),
        }
    }
}

/// What logging in answers: an access token, and the account.
#[derive(Debug, Serialize, Schema)]
pub struct LoggedIn {
    /// A JWT for `Authorization: Bearer` (API clients; browsers use the
    /// session cookie set with it).
    pub token: String,
    /// Who logged in.
    pub account: Account,
}

/// Why a login is refused: the same answer for an unknown email and a
/// wrong password.
#[derive(Debug, Clone, Copy, DomainError)]
pub enum LoginError {
    /// No such account, or not its password.
    #[problem(
        status = 401,
        code = "CREDENTIALS_INVALID",
        message = "the email or the password is not right"
    )]
    Invalid,
}

/// Sign-up, login, logout and the current account.
#[injectable]
pub struct AccountsController {
    authors: Inject<Repository<Author>>,
    passwords: Inject<Passwords>,
    jwt: Inject<Jwt>,
    sessions: Inject<Sessions>,
}

#[controller("/", guards(Authenticated))]
impl AccountsController {
    /// Creates an author account (409 when the name or email is taken).
    #[post("/users")]
    #[public]
    #[openapi(responses(409))]
    async fn sign_up(&self, input: Valid<SignUp>) -> elif::Result<Created<Account>> {
        let input = input.into_inner();
        check_policy(&input.password)?;
        let hash = self.passwords.hash(&input.password).await?;
        let author = self
            .authors
            .insert(NewAuthor {
                name: input.name,
                bio: None,
                email: Some(input.email),
                password_hash: Some(hash),
                role: "author".to_owned(),
            })
            .await?;
        Ok(Created::at("/me", Account::from(&author)))
    }

    /// Logs in: a token, and a session cookie (a new session every time).
    #[post("/login")]
    #[public]
    #[openapi(
        status = 200,
        body = LoggedIn,
        errors(LoginError),
        example = r#"{"email": "ada@example.com", "password": "correct horse battery staple"}"#
    )]
    async fn login(
        &self,
        request: HttpRequest,
        input: Valid<Credentials>,
    ) -> elif::Result<HttpResponse> {
        let input = input.into_inner();
        let author = self
            .authors
            .first(Criteria::new().filter(authors::email.eq(input.email.clone())))
            .await?;
        let stored = author.as_ref().and_then(|a| a.password_hash.clone());
        let check = self
            .passwords
            .check(&request, &input.email, &input.password, stored.as_ref())
            .await?;
        let (author, needs_rehash) = match (author, check) {
            (Some(author), Check::Valid { needs_rehash }) if stored.is_some() => {
                (author, needs_rehash)
            }
            _ => {
                security::login_failed();
                return Err(LoginError::Invalid.into());
            }
        };
        if needs_rehash {
            let hash = self.passwords.hash(&input.password).await?;
            let changes = AuthorChanges {
                password_hash: Some(Some(hash)),
                ..AuthorChanges::default()
            };
            self.authors.update(author.id, changes).await?;
        }
        security::login_succeeded(&author.subject());
        let token = self.jwt.issue(&author.subject(), NoClaims {})?;
        let cookie = self.sessions.start(&author.subject(), &request).await?;
        let body = LoggedIn {
            token,
            account: Account::from(&author),
        };
        Ok(cookie.apply(
            HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .body(serde_json::to_vec(&body).map_err(|e| Error::internal(e.to_string()))?),
        ))
    }

    /// Logs out: the session ends on the server.
    #[post("/logout")]
    #[openapi(status = 204)]
    async fn logout(
        &self,
        request: HttpRequest,
        author: CurrentUser<Author>,
    ) -> elif::Result<HttpResponse> {
        let cookie = self.sessions.end(&request).await?;
        security::logged_out(&author.subject());
        Ok(cookie.apply(HttpResponse::NoContent().finish()))
    }

    /// The signed-in account.
    #[get("/me")]
    async fn me(&self, user: CurrentUser<Author>) -> Json<Account> {
        Json(Account::from(&*user))
    }
}

/// `POST /tokens`.
#[derive(Debug, Deserialize, Validate, Schema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for (`deploy script`): not only spaces, no
    /// control characters (elif-auth's `NAME_PATTERN`).
    #[validate(
        length(min = 1, max = 100),
        regex = r"^[^\x00-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// What it may do: `posts.write`, or `*` for all the author may
    /// (elif-auth's `ABILITY_PATTERN`).
    #[validate(length(min = 1, max = 20), each(regex = "^[!-~]+$"))]
    pub abilities: Vec<String>,
}

/// The token to revoke is not the author's.
#[derive(Debug, Clone, Copy, DomainError)]
pub enum TokenError {
    /// No token of the author has this id.
    #[problem(
        status = 404,
        code = "TOKEN_NOT_FOUND",
        message = "you have no API token {0}"
    )]
    NotFound(i64),
}

/// An author's API tokens: made (their text shown once), listed, revoked.
#[injectable]
pub struct TokensController {
    tokens: Inject<ApiTokens>,
}

#[controller("/tokens", guards(Authenticated))]
impl TokensController {
    /// Makes a token: `201` with its text, which is never shown again.
    #[post("/")]
    #[openapi(status = 201, body = serde_json::Value)]
    async fn create(
        &self,
        author: CurrentUser<Author>,
        input: Valid<NewToken>,
    ) -> elif::Result<HttpResponse> {
        let input = input.into_inner();
        let abilities: Vec<&str> = input.abilities.iter().map(String::as_str).collect();
        self.tokens
            .create(&author.subject(), &input.name, &abilities, None)
            .await?
            .response()
    }

    /// The author's tokens, newest first (never their text).
    #[get("/")]
    async fn list(&self, author: CurrentUser<Author>) -> elif::Result<Json<Vec<ApiToken>>> {
        Ok(Json(self.tokens.list(&author.subject()).await?))
    }

    /// Revokes one of the author's tokens.
    #[delete("/{id}")]
    #[openapi(status = 204, errors(TokenError))]
    async fn revoke(&self, author: CurrentUser<Author>, id: i64) -> elif::Result<HttpResponse> {
        if self.tokens.revoke(&author.subject(), id).await? {
            Ok(HttpResponse::NoContent().finish())
        } else {
            Err(TokenError::NotFound(id).into())
        }
    }
}

/// Accounts and API tokens, and elif-auth's services for the modules that
/// protect routes.
#[module(
    imports(
        elif_auth::AuthModule,
        elif_auth::AuthDataModule,
        crate::models::ModelsModule,
        DataModule
    ),
    providers(PostPolicy),
    controllers(AccountsController, TokensController),
    exports(elif_auth::AuthModule)
)]
pub struct AccountsModule;
