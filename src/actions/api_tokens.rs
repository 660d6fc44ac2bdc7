//! Tokens for programs: an administrator issues one for a staff account in their
//! scope; the program then acts as that account (same role, same scope, same
//! checks). Only a SHA-256 of the token is stored; the token is shown once.
//! Also the stored answers that make a repeated API request harmless.

use super::accounts::{actor_of, random_token, token_hash};
use super::{log, require};
use crate::app::App;
use crate::db::{self, api_tokens::StoredAnswer};
use crate::domain::Msg;
use crate::domain::fields::required_text;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::Actor;
use crate::error::{Error, Result};

/// Every token begins with this, so a leaked one is easy to recognise and search for.
pub const TOKEN_PREFIX: &str = "minyi_";

/// What an administrator sends to issue a token.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenFields {
    /// The staff account the program acts as.
    pub username: String,
    /// What the token is for, e.g. "省12345热线".
    pub name: String,
}

/// A token just issued: the only time its secret is seen.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: String,
    pub token: String,
}

pub use crate::db::api_tokens::TokenRow as TokenLine;

/// Issues a token acting as `fields.username`, which must be in the caller's scope.
pub async fn create(app: &App, actor: &Actor, fields: &TokenFields) -> Result<IssuedToken> {
    let name = required_text("name", &fields.name, 100).map_err(|e| Error::Invalid(vec![e]))?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    let username = fields.username.trim().to_lowercase();
    let user_id = db::users::id_by_username(&mut tx, &username)
        .await?
        .ok_or_else(|| Error::invalid("username", Msg::new("err-unknown-user").with("name", username.as_str())))?;
    let account = db::users::get(&mut tx, &user_id).await?.ok_or(Error::NotFound)?;
    let path = account.scope.region_path();
    require(actor, Action::ResetPassword, Resource::User, &Target { region_path: &path, id: None, unit_ids: &[] })?;
    let id = db::new_id();
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let new = db::api_tokens::NewToken {
        id: &id,
        token_hash: &token_hash(&token),
        user_id: &user_id,
        name: &name,
        created_by: actor.username(),
    };
    db::api_tokens::insert(&mut tx, &new, now).await?;
    log(&mut tx, actor, "create_token", Resource::User, &user_id, &account.username, path.as_str(), &name, now).await?;
    tx.commit().await?;
    Ok(IssuedToken { id, token })
}

/// The tokens of accounts in the caller's scope, newest first.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<TokenLine>> {
    let mut tx = app.db().read().await?;
    let mut shown = Vec::new();
    for line in db::api_tokens::list(&mut tx).await? {
        if may_manage(&mut tx, actor, &line.user_id).await? {
            shown.push(line);
        }
    }
    if shown.is_empty() && !actor.role().is_admin() {
        return Err(Error::Forbidden);
    }
    Ok(shown)
}

/// Revokes a token at once; revoking it again changes nothing.
pub async fn revoke(app: &App, actor: &Actor, id: &str) -> Result<TokenLine> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let line = db::api_tokens::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !may_manage(&mut tx, actor, &line.user_id).await? {
        return Err(Error::NotFound);
    }
    if db::api_tokens::revoke(&mut tx, id, now).await? > 0 {
        log(&mut tx, actor, "revoke_token", Resource::User, &line.user_id, &line.username, "", &line.name, now).await?;
    }
    let line = db::api_tokens::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(line)
}

async fn may_manage(tx: &mut db::Tx, actor: &Actor, user_id: &str) -> Result<bool> {
    let Some(account) = db::users::get(tx, user_id).await? else { return Ok(false) };
    let path = account.scope.region_path();
    let target = Target { region_path: &path, id: None, unit_ids: &[] };
    Ok(crate::domain::permission::allowed(actor, Action::ResetPassword, Resource::User, &target))
}

/// The account a bearer token acts as, if the token is live and the account active.
pub async fn actor_for_token(app: &App, token: &str) -> Result<Option<Actor>> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let mut tx = app.db().read_alone().await?;
    db::users::by_api_token(&mut tx, &token_hash(token)).await?.map(actor_of).transpose()
}

/// A token for the demo: acts as the demo's system administrator. A new one is
/// issued at every `serve --demo` (the old secret cannot be read back), and the
/// previous demo tokens are revoked.
pub async fn demo_token(app: &App, admin_username: &str) -> Result<String> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let user_id = db::users::id_by_username(&mut tx, admin_username).await?.ok_or(Error::NotFound)?;
    for line in db::api_tokens::list(&mut tx).await? {
        if line.user_id == user_id && line.name == DEMO_TOKEN_NAME {
            db::api_tokens::revoke(&mut tx, &line.id, now).await?;
        }
    }
    let id = db::new_id();
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let new = db::api_tokens::NewToken {
        id: &id,
        token_hash: &token_hash(&token),
        user_id: &user_id,
        name: DEMO_TOKEN_NAME,
        created_by: admin_username,
    };
    db::api_tokens::insert(&mut tx, &new, now).await?;
    tx.commit().await?;
    Ok(token)
}

const DEMO_TOKEN_NAME: &str = "demo";

/// What became of an idempotency key when a request claimed it.
#[derive(Debug, Clone)]
pub enum Claim {
    /// The key is new: run the request, then [`store_answer`] or [`release`].
    Run,
    /// The key was answered before: this is the answer.
    Answered(StoredAnswer),
}

/// Claims `key` for a request with this hash. The same key while the first request
/// still runs, or with another request, is a conflict.
pub async fn claim(app: &App, principal: &str, key: &str, request_hash: &str) -> Result<Claim> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    if db::api_tokens::reserve(&mut tx, principal, key, request_hash, now).await? {
        tx.commit().await?;
        return Ok(Claim::Run);
    }
    let stored = db::api_tokens::stored_answer(&mut tx, principal, key).await?;
    tx.commit().await?;
    match stored {
        Some(stored) if stored.status == 0 => Err(Error::Conflict(Msg::new("err-idempotency-running"))),
        Some(stored) if stored.request_hash != request_hash => Err(Error::Conflict(Msg::new("err-idempotency-reused"))),
        Some(stored) => Ok(Claim::Answered(stored)),
        // Released between the two statements: the caller may simply retry.
        None => Err(Error::Conflict(Msg::new("err-idempotency-running"))),
    }
}

/// Keeps the answer to a claimed key.
pub async fn store_answer(app: &App, principal: &str, key: &str, answer: &StoredAnswer) -> Result<()> {
    let mut tx = app.db().write().await?;
    db::api_tokens::store_answer(&mut tx, principal, key, answer).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives a claimed key back after a request that failed (and so changed nothing).
pub async fn release(app: &App, principal: &str, key: &str) -> Result<()> {
    let mut tx = app.db().write().await?;
    db::api_tokens::release(&mut tx, principal, key).await?;
    tx.commit().await?;
    Ok(())
}
