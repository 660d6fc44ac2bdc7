//! The bare commit loop of the benchmarks (`bench/commit_loop.rs`): the machine's
//! ceiling for durable writes, measured with the same pool and pragmas as minyi.

use super::{Db, DbResult};

pub async fn create_table(db: &Db) -> DbResult<()> {
    let mut tx = db.write().await?;
    exec!(&mut tx, "CREATE TABLE IF NOT EXISTS bench_commits (n BIGINT NOT NULL, at BIGINT NOT NULL)")?;
    tx.commit().await
}

/// One durable write: a write transaction with one row, committed.
pub async fn insert_and_commit(db: &Db, n: i64) -> DbResult<()> {
    let mut tx = db.write().await?;
    exec!(&mut tx, "INSERT INTO bench_commits (n, at) VALUES ($1, $1)", n)?;
    tx.commit().await
}
