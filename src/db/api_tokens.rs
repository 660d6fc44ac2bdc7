//! Tokens for programs (only a SHA-256 of each is stored) and the stored answers
//! of idempotent API requests.

use super::{DbResult, Tx};
use crate::clock::Millis;

/// A token as the administration lists it (never the token itself).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub created_by: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

pub struct NewToken<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    pub created_by: &'a str,
}

pub async fn insert(tx: &mut Tx, token: &NewToken<'_>, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO api_tokens (id, token_hash, user_id, name, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        token.id,
        token.token_hash,
        token.user_id,
        token.name,
        token.created_by,
        now
    )?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<TokenRow>> {
    row!(
        tx,
        TokenRow,
        "SELECT t.id, t.user_id, u.username, t.name, t.created_by, t.created_at, t.revoked_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        id
    )
}

/// Every token, newest first (the action keeps those in the caller's scope).
pub async fn list(tx: &mut Tx) -> DbResult<Vec<TokenRow>> {
    rows!(
        tx,
        TokenRow,
        "SELECT t.id, t.user_id, u.username, t.name, t.created_by, t.created_at, t.revoked_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC, t.id DESC"
    )
}

pub async fn revoke(tx: &mut Tx, id: &str, now: Millis) -> DbResult<u64> {
    exec!(tx, "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", id, now)
}

/// A stored answer: the hash of the request it answered, its status and body.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub status: i64,
    pub body: String,
}

pub async fn stored_answer(tx: &mut Tx, principal: &str, key: &str) -> DbResult<Option<StoredAnswer>> {
    row!(
        tx,
        StoredAnswer,
        "SELECT request_hash, status, body FROM idempotency_keys WHERE principal = $1 AND idem_key = $2",
        principal,
        key
    )
}

/// Claims `key` for a request about to run (status 0, no body); false when the key
/// is already claimed or answered.
pub async fn reserve(tx: &mut Tx, principal: &str, key: &str, request_hash: &str, now: Millis) -> DbResult<bool> {
    let inserted = exec!(
        tx,
        "INSERT INTO idempotency_keys (principal, idem_key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (principal, idem_key) DO NOTHING",
        principal,
        key,
        request_hash,
        now
    )?;
    Ok(inserted == 1)
}

/// Keeps the answer to a claimed key.
pub async fn store_answer(tx: &mut Tx, principal: &str, key: &str, answer: &StoredAnswer) -> DbResult<u64> {
    exec!(
        tx,
        "UPDATE idempotency_keys SET status = $3, body = $4 WHERE principal = $1 AND idem_key = $2",
        principal,
        key,
        answer.status,
        &answer.body
    )
}

/// Gives a claimed key back (the request failed and changed nothing).
pub async fn release(tx: &mut Tx, principal: &str, key: &str) -> DbResult<u64> {
    exec!(tx, "DELETE FROM idempotency_keys WHERE principal = $1 AND idem_key = $2 AND status = 0", principal, key)
}
