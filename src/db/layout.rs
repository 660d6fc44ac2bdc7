//! How SQLite stores the cockpit's counters: each table clustered by its primary key
//! (`WITHOUT ROWID`), so a cockpit's range of counter rows is read from consecutive
//! pages instead of one table lookup a row, and an upsert writes one b-tree instead of a
//! table and its key index.
//!
//! The migrations are written once in the SQL both engines accept, and PostgreSQL has no
//! `WITHOUT ROWID`; so after the migrations have run, [`cluster_counters`] rebuilds each
//! counter table SQLite still keeps the other way (a new database, or one made before
//! this), keeping its rows and indexes. Nothing changes for PostgreSQL.

use anyhow::{Context, bail};
use sqlx::{Connection, SqliteConnection};

/// The counter tables stored clustered; each has a primary key. The `_next` copies are
/// what a rebuild fills and swaps in by renaming, so they are stored the same way.
pub const CLUSTERED: &[&str] = &[
    "agg_cases",
    "agg_cases_next",
    "agg_departments",
    "agg_departments_next",
    "agg_hot_words",
    "agg_hot_words_next",
    "agg_reception",
    "open_due",
];

/// Rebuilds every table of [`CLUSTERED`] not yet stored `WITHOUT ROWID`, each in one
/// transaction (a crash leaves it as it was); returns each rebuilt table and its rows.
pub async fn cluster_counters(conn: &mut SqliteConnection) -> anyhow::Result<Vec<(&'static str, u64)>> {
    let mut rebuilt = Vec::new();
    for &table in CLUSTERED {
        let definition: Option<String> =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
                .bind(table)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(definition) = definition else { bail!("the counter table {table} is missing") };
        if is_clustered(&definition) {
            continue;
        }
        tracing::info!(table, "storing the counters clustered by their key, once (about a minute a million cases)");
        let rows = cluster(conn, table, &definition).await.with_context(|| format!("cannot rebuild {table}"))?;
        tracing::info!(table, rows, "stored the counters clustered by their key");
        rebuilt.push((table, rows));
    }
    Ok(rebuilt)
}

fn is_clustered(definition: &str) -> bool {
    definition.trim_end().to_ascii_uppercase().ends_with("WITHOUT ROWID")
}

/// `CREATE TABLE <name> (...)` as `CREATE TABLE "<new_name>" (...) WITHOUT ROWID`.
fn clustered_definition(definition: &str, new_name: &str) -> anyhow::Result<String> {
    let open = definition.find('(').context("a table definition without columns")?;
    if !definition.to_ascii_uppercase().contains("PRIMARY KEY") {
        bail!("a table without a primary key cannot be clustered");
    }
    Ok(format!("CREATE TABLE \"{new_name}\" {} WITHOUT ROWID", definition[open..].trim_end()))
}

async fn cluster(conn: &mut SqliteConnection, table: &str, definition: &str) -> anyhow::Result<u64> {
    let staging = format!("{table}_clustered");
    let mut tx = conn.begin().await?;
    let indexes: Vec<String> =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL")
            .bind(table)
            .fetch_all(&mut *tx)
            .await?;
    sqlx::query(audited(clustered_definition(definition, &staging)?)).execute(&mut *tx).await?;
    let rows = sqlx::query(audited(format!("INSERT INTO \"{staging}\" SELECT * FROM \"{table}\"")))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query(audited(format!("DROP TABLE \"{table}\""))).execute(&mut *tx).await?;
    sqlx::query(audited(format!("ALTER TABLE \"{staging}\" RENAME TO \"{table}\""))).execute(&mut *tx).await?;
    for index in &indexes {
        sqlx::query(audited(index.clone())).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(rows)
}

/// DDL made from the names in [`CLUSTERED`] and the definitions SQLite itself stored,
/// never from anything a person typed.
fn audited(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_is_renamed_and_clustered() {
        let old = "CREATE TABLE \"agg_x_next\" (\n  a TEXT NOT NULL,\n  n BIGINT NOT NULL,\n  PRIMARY KEY (a)\n)";
        let new = clustered_definition(old, "agg_x_clustered").unwrap();
        assert_eq!(
            new,
            "CREATE TABLE \"agg_x_clustered\" (\n  a TEXT NOT NULL,\n  n BIGINT NOT NULL,\n  PRIMARY KEY (a)\n) WITHOUT ROWID"
        );
        assert!(is_clustered(&new));
        assert!(!is_clustered(old));
        assert!(clustered_definition("CREATE TABLE t (a TEXT)", "t2").is_err());
    }
}
