//! Backup and restore of the embedded database.
//!
//! A backup is `VACUUM INTO`: a consistent copy made inside one read transaction,
//! safe while the server keeps writing. PostgreSQL has its own tool, `pg_dump`.

use std::path::Path;

use anyhow::{Context, bail};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use super::{Db, SQLITE_FILE};

pub const POSTGRES_ADVICE: &str =
    "minyi backup/restore works on the embedded SQLite database only; for PostgreSQL use pg_dump and pg_restore";

/// Writes a consistent copy of the live database to `target` (which must not exist).
pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<()> {
    let Db::Sqlite { pool, .. } = db else { bail!(POSTGRES_ADVICE) };
    if target.exists() {
        bail!("{} already exists; choose a new file name so that no backup is overwritten", target.display());
    }
    let target_text = target.to_str().context("the backup path is not valid UTF-8")?;
    sqlx::query("VACUUM INTO $1").bind(target_text).execute(pool).await.context("the backup failed")?;
    Ok(())
}

/// Checks that `file` is a sound minyi database: SQLite's integrity check passes and
/// it carries minyi's migration table.
pub async fn check_backup(file: &Path) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("{} is not a readable SQLite database", file.display()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await?;
    if integrity != "ok" {
        bail!("{} fails SQLite's integrity check: {integrity}", file.display());
    }
    let migrations: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a minyi database", file.display()))?;
    if migrations == 0 {
        bail!("{} is not a minyi database", file.display());
    }
    conn.close().await?;
    Ok(())
}

/// Puts `file` in place as the database of `data_dir`. The server must be stopped.
/// The database it replaces is kept beside it, renamed, never deleted.
pub async fn restore(data_dir: &Path, file: &Path, now_label: &str) -> anyhow::Result<Option<std::path::PathBuf>> {
    check_backup(file).await?;
    std::fs::create_dir_all(data_dir)?;
    let live = data_dir.join(SQLITE_FILE);
    let staged = data_dir.join(format!("{SQLITE_FILE}.restoring"));
    std::fs::copy(file, &staged).with_context(|| format!("cannot copy {}", file.display()))?;
    std::fs::File::open(&staged)?.sync_all()?;
    let kept = if live.exists() {
        // Fold the write-ahead log into the old file first, so the kept copy is whole.
        let options = SqliteConnectOptions::new().filename(&live);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await?;
        conn.close().await?;
        let kept = data_dir.join(format!("{SQLITE_FILE}.before-restore-{now_label}"));
        std::fs::rename(&live, &kept)?;
        Some(kept)
    } else {
        None
    };
    for suffix in ["-wal", "-shm"] {
        let side = data_dir.join(format!("{SQLITE_FILE}{suffix}"));
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    std::fs::rename(&staged, &live)?;
    Ok(kept)
}
