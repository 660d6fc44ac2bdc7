//! Sign-in sessions (only a SHA-256 of each token is stored) and failed sign-ins.

use super::{DbResult, Tx, new_id};
use crate::clock::Millis;

pub async fn insert(
    tx: &mut Tx,
    token_hash: &str,
    user_id: &str,
    now: Millis,
    expires_at: Millis,
    address: &str,
) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at, address)
         VALUES ($1, $2, $3, $4, $3, $5)",
        token_hash,
        user_id,
        now,
        expires_at,
        address
    )?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, token_hash: &str) -> DbResult<u64> {
    exec!(tx, "DELETE FROM sessions WHERE token_hash = $1", token_hash)
}

/// Signs a user out everywhere but, optionally, the session they are using.
pub async fn delete_for_user_except(tx: &mut Tx, user_id: &str, keep_token_hash: &str) -> DbResult<u64> {
    exec!(tx, "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", user_id, keep_token_hash)
}

pub async fn delete_expired(tx: &mut Tx, now: Millis) -> DbResult<u64> {
    exec!(tx, "DELETE FROM sessions WHERE expires_at <= $1", now)
}

pub async fn record_failure(tx: &mut Tx, username: &str, address: &str, now: Millis) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO login_failures (id, username, address, at) VALUES ($1, $2, $3, $4)",
        new_id(),
        username,
        address,
        now
    )?;
    Ok(())
}

/// Failures since `since` for this username, and the oldest of them.
pub async fn failures_for_username(tx: &mut Tx, username: &str, since: Millis) -> DbResult<(i64, Option<Millis>)> {
    row!(
        tx,
        (i64, Option<i64>),
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE username = $1 AND at > $2",
        username,
        since
    )
    .map(|r| r.unwrap_or((0, None)))
}

pub async fn failures_for_address(tx: &mut Tx, address: &str, since: Millis) -> DbResult<(i64, Option<Millis>)> {
    row!(
        tx,
        (i64, Option<i64>),
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE address = $1 AND at > $2",
        address,
        since
    )
    .map(|r| r.unwrap_or((0, None)))
}

pub async fn clear_failures_for_username(tx: &mut Tx, username: &str) -> DbResult<u64> {
    exec!(tx, "DELETE FROM login_failures WHERE username = $1", username)
}
