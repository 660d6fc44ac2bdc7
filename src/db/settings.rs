//! Small facts about this installation (for example, whether the demo is loaded).

use super::{DbResult, Tx};

pub async fn get(tx: &mut Tx, key: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT value FROM settings WHERE key = $1", key).map(|r| r.map(|(v,)| v))
}

pub async fn set(tx: &mut Tx, key: &str, value: &str) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        key,
        value
    )?;
    Ok(())
}
