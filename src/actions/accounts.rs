//! Signing in and out, sessions, passwords, and login throttling.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{log, require};
use crate::app::App;
use crate::db::{self};
use crate::domain::Msg;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::{Account, Actor, Scope, check_new_password};
use crate::error::{Error, Result};

/// Failed sign-ins for one account within the window before it is locked for a while.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failed sign-ins from one address within the window before it must wait.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A freshly opened session: the token goes to the browser, only its hash is kept.
pub struct Session {
    pub token: String,
    pub actor: Actor,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Argon2id, off the async threads (it is deliberately slow).
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| Error::Internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(e.into()))?
}

async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
        .map_err(|e| Error::Internal(e.into()))
}

/// A hash that matches no password, checked when the username is unknown so that
/// a wrong username takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZcO7V5hHQ4xUu2vQdkpv3v0m1W5l0mZ8GG5fHqu3LkU";

pub async fn login(app: &App, username: &str, password: &str, address: &str) -> Result<Session> {
    let now = app.now();
    let username = username.trim().to_lowercase();
    let since = now - THROTTLE_WINDOW_MS;
    {
        let mut tx = app.db().read().await?;
        let (by_name, oldest_name) = db::sessions::failures_for_username(&mut tx, &username, since).await?;
        let (by_address, oldest_address) = db::sessions::failures_for_address(&mut tx, address, since).await?;
        let blocked_until = [
            (by_name >= MAX_FAILURES_PER_ACCOUNT).then(|| oldest_name.unwrap_or(now) + THROTTLE_WINDOW_MS),
            (by_address >= MAX_FAILURES_PER_ADDRESS).then(|| oldest_address.unwrap_or(now) + THROTTLE_WINDOW_MS),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(until) = blocked_until {
            return Err(Error::Throttled { retry_after_secs: ((until - now) / 1000).max(1) });
        }
    }
    let credentials = {
        let mut tx = app.db().read().await?;
        db::users::credentials(&mut tx, &username).await?
    };
    let user_id = match credentials {
        Some((id, hash, true)) if verify_password(password, &hash).await? => Some(id),
        Some(_) => None,
        None => {
            verify_password(password, DUMMY_HASH).await?;
            None
        }
    };
    let mut tx = app.db().write().await?;
    let Some(user_id) = user_id else {
        db::sessions::record_failure(&mut tx, &username, address, now).await?;
        tx.commit().await?;
        return Err(Error::invalid("password", Msg::new("err-login-failed")));
    };
    db::sessions::clear_failures_for_username(&mut tx, &username).await?;
    let account = db::users::get(&mut tx, &user_id).await?.ok_or(Error::NotFound)?;
    let actor = actor_of(account)?;
    let token = random_token();
    let expires_at = now + app.config().session_hours * 3600 * 1000;
    db::sessions::insert(&mut tx, &token_hash(&token), &user_id, now, expires_at, address).await?;
    db::sessions::delete_expired(&mut tx, now).await?;
    tx.commit().await?;
    Ok(Session { token, actor })
}

/// The person behind a session token, if the session is live.
pub async fn actor_for_token(app: &App, token: &str) -> Result<Option<Actor>> {
    let mut tx = app.db().read_alone().await?;
    db::users::by_session(&mut tx, &token_hash(token), app.now()).await?.map(actor_of).transpose()
}

pub async fn logout(app: &App, token: &str) -> Result<()> {
    let mut tx = app.db().write().await?;
    db::sessions::delete(&mut tx, &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes one's own password; every other session of the account is signed out.
pub async fn change_password(app: &App, actor: &Actor, token: &str, current: &str, new: &str) -> Result<()> {
    let hash = {
        let mut tx = app.db().read().await?;
        db::users::password_hash(&mut tx, actor.user_id()).await?.ok_or(Error::NotFound)?
    };
    if !verify_password(current, &hash).await? {
        return Err(Error::invalid("current", Msg::new("err-password-wrong")));
    }
    check_new_password("new", new, actor.username()).map_err(|e| Error::Invalid(vec![e]))?;
    let new_hash = hash_password(new).await?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    db::users::set_password(&mut tx, actor.user_id(), &new_hash, now).await?;
    db::sessions::delete_for_user_except(&mut tx, actor.user_id(), &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// An administrator sets a new temporary password for someone in their scope; the
/// person is signed out everywhere. Returns the temporary password, shown once.
pub async fn reset_password(app: &App, actor: &Actor, user_id: &str) -> Result<String> {
    let temporary = temporary_password();
    let hash = hash_password(&temporary).await?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    let account = db::users::get(&mut tx, user_id).await?.ok_or(Error::NotFound)?;
    let path = account.scope.region_path();
    require(actor, Action::ResetPassword, Resource::User, &Target { region_path: &path, id: None, unit_ids: &[] })?;
    db::users::set_password(&mut tx, user_id, &hash, now).await?;
    db::sessions::delete_for_user_except(&mut tx, user_id, "").await?;
    log(&mut tx, actor, "reset_password", Resource::User, user_id, &account.username, path.as_str(), "", now).await?;
    tx.commit().await?;
    Ok(temporary)
}

/// Twelve characters from an alphabet without look-alikes (no 0/O, 1/l/I).
fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

pub(crate) fn actor_of(account: Account) -> Result<Actor> {
    Actor::new(account.id, account.username, account.display_name, account.role, account.scope)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("an account's role does not fit its scope")))
}

/// The scope of an actor as the API reports it.
pub fn scope_summary(actor: &Actor) -> (&'static str, Option<&str>, String) {
    match actor.scope() {
        Scope::Everything => ("everything", None, "/".to_string()),
        Scope::Subtree { region_id, path } => ("region", Some(region_id.as_str()), path.as_str().to_string()),
        Scope::Unit { unit_id, path } => ("unit", Some(unit_id.as_str()), path.as_str().to_string()),
        Scope::Department { department_id, path } => {
            ("department", Some(department_id.as_str()), path.as_str().to_string())
        }
        Scope::Representative { representative_id, path } => {
            ("representative", Some(representative_id.as_str()), path.as_str().to_string())
        }
    }
}
