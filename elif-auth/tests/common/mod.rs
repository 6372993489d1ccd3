//! What the database-backed tests share: the user model of
//! `tests/migrations`, whose `Authenticatable` impl each test file writes.

use elif::data::Migrations;
use elif::prelude::*;

/// The tables of `tests/migrations`: users, and their posts.
pub const MIGRATIONS: Migrations = elif::migrations!("../migrations");

/// The HS256 secret of the tests' tokens.
pub const SECRET: &str = "an HS256 secret of at least thirty-two bytes";

/// A user who signs in.
#[model(table = "users")]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Its key: the subject of its tokens and sessions.
    #[key]
    pub id: i64,
    /// Unique.
    #[fillable]
    pub email: String,
    /// A disabled account cannot sign in.
    #[fillable]
    pub active: bool,
    /// `member`, `writer` or `admin`.
    #[fillable]
    pub role: String,
    /// When the row was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}
