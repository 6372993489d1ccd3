//! Profiles: a user as others see them, followed or not.

use elif::prelude::*;
use elif_auth::{Authenticated, CurrentUser};

use crate::errors::Conduit;
use crate::models::{Follow, NewFollow, User, follows, users};
use crate::views::{Profile, ProfileBody};

/// Who follows whom.
#[injectable]
pub struct ProfileService {
    users: Inject<Repository<User>>,
    follows: Inject<Repository<Follow>>,
}

impl ProfileService {
    /// The user called `username` (404 `PROFILE_NOT_FOUND`).
    pub async fn user(&self, username: &str) -> elif::Result<User> {
        self.users
            .first(Criteria::new().filter(users::username.eq(username.to_owned())))
            .await?
            .ok_or_else(|| Conduit::ProfileNotFound.into())
    }

    /// Whether `viewer` follows `user`.
    pub async fn follows(&self, viewer: Option<&User>, user: &User) -> elif::Result<bool> {
        let Some(viewer) = viewer else {
            return Ok(false);
        };
        self.follows
            .exists(
                Criteria::new()
                    .filter(follows::follower_id.eq(viewer.id))
                    .filter(follows::followed_id.eq(user.id)),
            )
            .await
    }

    /// `viewer` follows `user` (again: no change).
    pub async fn follow(&self, viewer: &User, user: &User) -> elif::Result<()> {
        if self.follows(Some(viewer), user).await? {
            return Ok(());
        }
        let new = NewFollow {
            follower_id: viewer.id,
            followed_id: user.id,
        };
        match self.follows.insert(new).await {
            // A concurrent follow of the same user got there first.
            Err(error) if error.code() == "ALREADY_EXISTS" => Ok(()),
            other => other.map(drop),
        }
    }

    /// `viewer` no longer follows `user`.
    pub async fn unfollow(&self, viewer: &User, user: &User) -> elif::Result<()> {
        self.follows
            .delete_where(
                Criteria::new()
                    .filter(follows::follower_id.eq(viewer.id))
                    .filter(follows::followed_id.eq(user.id)),
            )
            .await
            .map(drop)
    }
}

/// `/api/profiles/{username}`
#[injectable]
pub struct ProfilesController {
    profiles: Inject<ProfileService>,
}

#[controller("/api/profiles", guards(Authenticated))]
impl ProfilesController {
    /// A user's profile (`following` for a signed-in viewer).
    #[get("/{username}")]
    #[public]
    #[openapi(errors(Conduit))]
    async fn show(
        &self,
        username: String,
        viewer: Option<CurrentUser<User>>,
    ) -> elif::Result<Json<ProfileBody>> {
        let user = self.profiles.user(&username).await?;
        let following = self.profiles.follows(viewer.as_deref(), &user).await?;
        Ok(Json(ProfileBody {
            profile: Profile::of(&user, following),
        }))
    }

    /// Follows a user.
    #[post("/{username}/follow")]
    #[openapi(errors(Conduit))]
    async fn follow(
        &self,
        username: String,
        viewer: CurrentUser<User>,
    ) -> elif::Result<Json<ProfileBody>> {
        let user = self.profiles.user(&username).await?;
        self.profiles.follow(&viewer, &user).await?;
        Ok(Json(ProfileBody {
            profile: Profile::of(&user, true),
        }))
    }

    /// Unfollows a user.
    #[delete("/{username}/follow")]
    #[openapi(errors(Conduit))]
    async fn unfollow(
        &self,
        username: String,
        viewer: CurrentUser<User>,
    ) -> elif::Result<Json<ProfileBody>> {
        let user = self.profiles.user(&username).await?;
        self.profiles.unfollow(&viewer, &user).await?;
        Ok(Json(ProfileBody {
            profile: Profile::of(&user, false),
        }))
    }
}

/// Profiles and follows.
#[module(
    imports(crate::models::ModelsModule, elif_auth::AuthModule),
    providers(ProfileService),
    controllers(ProfilesController),
    exports(ProfileService)
)]
pub struct ProfilesModule;
