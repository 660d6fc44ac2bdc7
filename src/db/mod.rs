//! Storage: the only module that holds SQL.
//!
//! Every query is written once, in the subset SQLite and PostgreSQL both accept,
//! with numbered placeholders (`$1`, `$2`…). [`Db`] holds one of two concrete pools;
//! the `rows!`, `row!`, `scalar!` and `exec!` macros expand a query into one arm per
//! engine so that a single line of SQL runs on both. Rows are private structs that
//! convert into domain types here; nothing outside `db` sees a row.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};

/// All rows of a query, as `Vec<$row>`.
macro_rules! rows {
    ($tx:expr, $row:ty, sqlite: $sqlite:literal, postgres: $postgres:literal $(, $arg:expr)* $(,)?) => {
        match &mut *$tx {
            $crate::db::Tx::Sqlite(t) => sqlx::query_as::<_, $row>($sqlite)$(.bind($arg))*.fetch_all(&mut **t).await,
            $crate::db::Tx::Postgres(t) => sqlx::query_as::<_, $row>($postgres)$(.bind($arg))*.fetch_all(&mut **t).await,
        }
    };
    ($tx:expr, $row:ty, $sql:literal $(, $arg:expr)* $(,)?) => {
        match &mut *$tx {
            $crate::db::Tx::Sqlite(t) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_all(&mut **t).await,
            $crate::db::Tx::Postgres(t) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_all(&mut **t).await,
        }
    };
}

/// At most one row, as `Option<$row>`. With `sqlite:` and `postgres:`, one query written
/// twice: only where the engines name a function differently (their JSON aggregates).
macro_rules! row {
    ($tx:expr, $row:ty, sqlite: $sqlite:literal, postgres: $postgres:literal $(, $arg:expr)* $(,)?) => {
        match &mut *$tx {
            $crate::db::Tx::Sqlite(t) => sqlx::query_as::<_, $row>($sqlite)$(.bind($arg))*.fetch_optional(&mut **t).await,
            $crate::db::Tx::Postgres(t) => {
                sqlx::query_as::<_, $row>($postgres)$(.bind($arg))*.fetch_optional(&mut **t).await
            }
        }
    };
    ($tx:expr, $row:ty, $sql:literal $(, $arg:expr)* $(,)?) => {
        match &mut *$tx {
            $crate::db::Tx::Sqlite(t) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_optional(&mut **t).await,
            $crate::db::Tx::Postgres(t) => sqlx::query_as::<_, $row>($sql)$(.bind($arg))*.fetch_optional(&mut **t).await,
        }
    };
}

/// One value of the first column of the one row the query returns.
macro_rules! scalar {
    ($tx:expr, $ty:ty, $sql:literal $(, $arg:expr)* $(,)?) => {
        match &mut *$tx {
            $crate::db::Tx::Sqlite(t) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(&mut **t).await,
            $crate::db::Tx::Postgres(t) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($arg))*.fetch_one(&mut **t).await,
        }
    };
}

/// A statement; yields the number of rows it touched.
macro_rules! exec {
    ($tx:expr, $sql:literal $(, $arg:expr)* $(,)?) => {
        match &mut *$tx {
            $crate::db::Tx::Sqlite(t) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **t).await.map(|r| r.rows_affected()),
            $crate::db::Tx::Postgres(t) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **t).await.map(|r| r.rows_affected()),
        }
    };
}

/// SQLite binds at most 32,766 values a statement; PostgreSQL 65,535.
pub(crate) const MAX_BINDS: usize = 30_000;

/// Multi-row statements of at most this many rows stay prepared on their connection.
pub(crate) const KEPT_ROWS: usize = 32;

/// Runs one multi-row INSERT per chunk of `$items` on either engine; `$push` binds one
/// row's values, in the column order of `$head`, and `$tail` (an `ON CONFLICT` clause)
/// follows the rows. Evaluates to the rows written. The one place where SQL is built
/// with a query builder rather than one literal: the number of rows a statement carries
/// varies, the columns and their order do not.
macro_rules! bulk_insert {
    ($tx:expr, $head:literal, $columns:expr, $items:expr, |$b:ident, $x:ident| $push:block) => {
        bulk_insert!($tx, $head, "", $columns, $items, |$b, $x| $push)
    };
    ($tx:expr, $head:literal, $tail:literal, $columns:expr, $items:expr, |$b:ident, $x:ident| $push:block) => {{
        let per = ($crate::db::MAX_BINDS / $columns).max(1);
        let mut affected: u64 = 0;
        for chunk in $items.chunks(per) {
            // A connection keeps its last 100 statements prepared. A statement of a few rows
            // recurs and a full chunk recurs; one of some hundreds of rows is seldom met
            // again and holds its program (megabytes at a thousand rows) until pushed out.
            let keep = chunk.len() == per || chunk.len() <= $crate::db::KEPT_ROWS;
            match &mut *$tx {
                $crate::db::Tx::Sqlite(t) => {
                    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new($head);
                    q.push_values(chunk, |mut $b, $x| $push);
                    q.push($tail);
                    affected += q.build().persistent(keep).execute(&mut **t).await?.rows_affected();
                }
                $crate::db::Tx::Postgres(t) => {
                    let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new($head);
                    q.push_values(chunk, |mut $b, $x| $push);
                    q.push($tail);
                    affected += q.build().persistent(keep).execute(&mut **t).await?.rows_affected();
                }
            }
        }
        affected
    }};
}

pub mod admin_log;
pub mod aggregates;
pub mod api_tokens;
pub mod attachments;
pub mod backup;
pub mod bench;
pub mod calendar_years;
pub mod cases;
pub mod channels;
pub mod codes;
pub mod deadline_notices;
pub mod departments;
pub mod exports;
pub mod imports;
pub mod intake;
pub mod lane;
pub mod layout;
pub mod meetings;
pub mod message_templates;
pub mod open311;
pub mod open_due;
pub mod outbox;
pub mod regions;
pub mod representatives;
pub mod sessions;
pub mod settings;
pub mod synth;
pub mod units;
pub mod users;
pub mod webhooks;

pub type DbResult<T> = Result<T, sqlx::Error>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The database: one of two concrete pools.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite: `pool` for reading, `writer` (one connection) for every write
    /// transaction, lent by the lane `writing`, so writers queue on the lane instead of
    /// sleeping in SQLite's busy handler, and the writer's page cache is never invalidated
    /// by another connection's commit.
    Sqlite {
        pool: SqlitePool,
        writer: SqlitePool,
        file: PathBuf,
        /// Up to [`LONE_READERS`] of `pool`'s connections, lent for lone reads.
        alone: std::sync::Arc<lane::Lane<Sqlite>>,
        /// `writer`'s connection, lent for every use once the database is open
        /// ([`Db::write`], the writer's pragmas), never handed back to `writer` until closed.
        writing: std::sync::Arc<lane::Lane<Sqlite>>,
        /// The fold the intake's batches carry, if one is in progress ([`Db::carried_fold`]).
        carried: CarriedFold,
    },
    Postgres(PgPool),
}

/// The fold of new cases that the intake's batches carry a slice at a time
/// ([`aggregates::carry`]), held by whoever adds to it until their transaction commits.
pub type CarriedFold = std::sync::Arc<tokio::sync::Mutex<Option<aggregates::Carried>>>;

/// A transaction on either engine. Reads and writes both go through one; so does a
/// lone read that needs no snapshot ([`Db::read_alone`]), on a connection outside any
/// transaction.
pub enum Tx {
    Sqlite(Hold<Sqlite>),
    Postgres(Hold<Postgres>),
}

/// What a [`Tx`] holds on its engine: a transaction, or a connection with none, pooled
/// (PostgreSQL) or lent by a [`lane::Lane`] (SQLite). Each dereferences to the engine's
/// connection, which the query macros run on.
pub enum Hold<DB: sqlx::Database> {
    Transaction(Transaction<'static, DB>),
    Alone(sqlx::pool::PoolConnection<DB>),
    Leased(lane::Lease<DB>),
    Writing(lane::Writing<DB>),
}

impl<DB: sqlx::Database> std::ops::Deref for Hold<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Hold::Transaction(t) => t,
            Hold::Alone(c) => c,
            Hold::Leased(c) => c,
            Hold::Writing(w) => w,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Hold<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Hold::Transaction(t) => t,
            Hold::Alone(c) => c,
            Hold::Leased(c) => c,
            Hold::Writing(w) => w,
        }
    }
}

impl<DB: sqlx::Database> Hold<DB> {
    async fn commit(self) -> DbResult<()> {
        match self {
            Hold::Transaction(t) => t.commit().await,
            Hold::Writing(w) => w.commit().await,
            Hold::Alone(_) | Hold::Leased(_) => Ok(()),
        }
    }
}

impl Tx {
    /// Commits a transaction; a lone read has nothing to commit.
    pub async fn commit(self) -> DbResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The file name of the SQLite database inside the data folder.
pub const SQLITE_FILE: &str = "minyi.db";

/// SQLite's reading connections, each with its own page cache ([`Db::open_sqlite`]).
const READERS: u32 = 8;

/// Of [`READERS`], how many lone reads ([`Db::read_alone`]) hold at most, kept lent by a
/// [`lane::Lane`]: the rest serve read transactions (the cockpit reads its parts on four at
/// once). Two cores keep no more than four statements busy.
pub const LONE_READERS: usize = 4;

/// The one SQLite writer's page cache, in KiB as `PRAGMA cache_size` takes it (negative):
/// set when it opens and again when a bulk load ends.
const WRITER_CACHE: &str = "-32768";

/// How many pages the SQLite writer lets its log hold before it copies them into the
/// database file itself, inside a commit (SQLite's default is 1,000): `serve` copies the
/// log every [`crate::jobs::CHECKPOINT_INTERVAL`] on a reading connection, on the other
/// core, so the writer's own checkpoint is only a bound on the log's size.
const WRITER_AUTOCHECKPOINT: &str = "16000";

impl Db {
    /// Opens (creating if needed) the SQLite database in `data_dir`: WAL journal and
    /// `synchronous = FULL`, so a commit acknowledged to a user is on disk; LIKE is
    /// case-sensitive, so region-path prefixes are answered from their indexes.
    pub async fn open_sqlite(data_dir: &Path) -> anyhow::Result<Db> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
        let file = data_dir.join(SQLITE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Region paths are ids: matching them case-sensitively changes no answer, and
            // lets `path LIKE 'prefix%'` use the path indexes instead of scanning.
            .pragma("case_sensitive_like", "ON")
            // 4 MB of pages a reading connection (the default is 2 MB). The cockpit reads its
            // parts on four connections at once, so each holds a part's pages; 8 MB each
            // kept the server above 200 MB resident at a million cases for no faster page.
            .pragma("cache_size", "-4096");
        // No ping before a connection is handed out: an embedded database has no other end
        // to hang up, and sqlx pings every connection as it comes back to the pool anyway.
        // On SQLite a ping is a round trip to the connection's thread, one per use saved.
        let pool = SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("cannot open the SQLite database {}", file.display()))?;
        // The one writer keeps the hot pages of the counters and the indexes it adds to
        // (32 MB), without spilling a big transaction's pages to the WAL before its commit,
        // and its statement journals in memory: a multi-row upsert of the counters outgrows
        // the 64 KiB SQLite keeps there and would spill it to a temporary file.
        // It stays open for the life of the process: its warm pages are its worth, and
        // `bulk_load` sets it for a whole synth.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(
                options
                    .pragma("cache_size", WRITER_CACHE)
                    .pragma("temp_store", "MEMORY")
                    .pragma("wal_autocheckpoint", WRITER_AUTOCHECKPOINT),
            )
            .await
            .with_context(|| format!("cannot open the SQLite database {}", file.display()))?;
        let alone = lane::Lane::new(pool.clone(), LONE_READERS);
        let writing = lane::Lane::new(writer.clone(), 1);
        Ok(Db::Sqlite { pool, writer, file, alone, writing, carried: CarriedFold::default() })
    }

    pub async fn open_postgres(url: &str) -> anyhow::Result<Db> {
        let options = PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("cannot connect to PostgreSQL")?;
        Ok(Db::Postgres(pool))
    }

    /// SQLite: the fold the intake's batches carry ([`aggregates::carry`]), so that the one
    /// writer is never held by a whole fold. PostgreSQL: `None`; its writers do not queue
    /// behind one another, and a fold is one transaction there.
    pub fn carried_fold(&self) -> Option<&CarriedFold> {
        match self {
            Db::Sqlite { carried, .. } => Some(carried),
            Db::Postgres(_) => None,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Refreshes the query planner's statistics where they are stale, so it picks the
    /// index a query needs (an office's region or a station's counters) rather than one
    /// that merely avoids a sort; cheap, run at start. SQLite: `PRAGMA optimize` analyses
    /// (a sample of) the tables that changed much or were never analysed. PostgreSQL:
    /// nothing, its autovacuum does this.
    pub async fn optimize(&self) -> DbResult<()> {
        if self.engine() == Engine::Postgres {
            return Ok(());
        }
        let mut tx = self.write().await?;
        exec!(&mut tx, "PRAGMA analysis_limit = 1000")?;
        exec!(&mut tx, "PRAGMA optimize = 0x10002")?;
        tx.commit().await
    }

    /// SQLite: copies the pages the write-ahead log holds into the database file
    /// (`PRAGMA wal_checkpoint(PASSIVE)`: it waits for no lock and blocks no one), on a
    /// reading connection. The writer checkpoints by itself inside a commit only once the
    /// log holds [`WRITER_AUTOCHECKPOINT`] pages, holding up the batch of cases that commit
    /// carries; `serve` runs this often enough that the log seldom grows that far.
    /// PostgreSQL: nothing to do, `None`.
    pub async fn checkpoint(&self) -> DbResult<Option<Checkpointed>> {
        if self.engine() == Engine::Postgres {
            return Ok(None);
        }
        let mut tx = self.read_alone().await?;
        let row = row!(&mut tx, (i64, i64, i64), "PRAGMA wal_checkpoint(PASSIVE)")?;
        Ok(row.map(|(busy, log_pages, copied)| Checkpointed { busy: busy != 0, log_pages, copied }))
    }

    /// Refreshes the planner's statistics after a bulk write (synth, a rebuild), on
    /// PostgreSQL too (`ANALYZE`), rather than waiting for autovacuum.
    pub async fn analyze(&self) -> DbResult<()> {
        if self.engine() == Engine::Sqlite {
            return self.optimize().await;
        }
        let mut tx = self.write().await?;
        exec!(&mut tx, "ANALYZE")?;
        tx.commit().await
    }

    /// Brings the schema up to date. Migrations only add or transform.
    /// On SQLite the counter tables are then stored clustered by their key
    /// ([`layout::cluster_counters`]).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite { writing, .. } => {
                let mut writer = writing.lease().await?;
                MIGRATOR.run(&mut *writer).await.context("cannot migrate the database")?;
                layout::cluster_counters(&mut writer).await.context("cannot store the counters clustered")?;
            }
            Db::Postgres(pool) => MIGRATOR.run(pool).await.context("cannot migrate the database")?,
        }
        Ok(())
    }

    /// A transaction for reading.
    pub async fn read(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite { pool, .. } => Tx::Sqlite(Hold::Transaction(pool.begin().await?)),
            Db::Postgres(pool) => Tx::Postgres(Hold::Transaction(pool.begin().await?)),
        })
    }

    /// A reading connection outside any transaction, for one statement that needs no
    /// snapshot shared with another (who a request's token signs in; a case read whole,
    /// [`cases::whole`], then the people and departments around it; a checkpoint). It spares the
    /// `BEGIN` and the `ROLLBACK`, each a round trip to the connection's thread on SQLite.
    /// Two statements on it may see two different commits: use [`Db::read`] for those.
    /// On SQLite the connection is lent by the [`lane::Lane`], which spares sqlx's ping as
    /// it comes back.
    pub async fn read_alone(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite { alone, .. } => Tx::Sqlite(Hold::Leased(alone.lease().await?)),
            Db::Postgres(pool) => Tx::Postgres(Hold::Alone(pool.acquire().await?)),
        })
    }

    /// A transaction for writing. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue instead of failing on upgrade, on the one
    /// writer lent by its lane ([`lane::Writing`]).
    pub async fn write(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite { writing, .. } => {
                Tx::Sqlite(Hold::Writing(lane::Writing::begin(writing.lease().await?, "BEGIN IMMEDIATE").await?))
            }
            Db::Postgres(pool) => Tx::Postgres(Hold::Transaction(pool.begin().await?)),
        })
    }

    /// SQLite: sets the one writer for a bulk load (`minyi synth`, a fresh folder that a
    /// failed run is thrown away with): commits are not synced (`synchronous = OFF`: a
    /// crash of minyi loses nothing committed, a crash of the machine may spoil the file),
    /// 1 GiB of pages, so that a batch's index pages stay in memory rather than spill to
    /// the log before its commit, and the log copied into the database every 100,000 pages
    /// rather than every 1,000, so that a page rewritten by many batches is copied once.
    /// [`Db::end_bulk_load`] sets it back. PostgreSQL: nothing changes.
    pub async fn bulk_load(&self) -> DbResult<()> {
        self.writer_pragmas("OFF", "-1048576", "100000").await
    }

    /// SQLite: the writer as [`Db::open_sqlite`] sets it, every commit on disk (and the
    /// log copied by the writer itself only past [`WRITER_AUTOCHECKPOINT`] pages).
    pub async fn end_bulk_load(&self) -> DbResult<()> {
        self.writer_pragmas("FULL", WRITER_CACHE, WRITER_AUTOCHECKPOINT).await
    }

    /// Sets the SQLite writer's `synchronous`, `cache_size` and `wal_autocheckpoint`,
    /// outside a transaction (SQLite refuses to change `synchronous` inside one). The
    /// values are this module's constants, never input.
    async fn writer_pragmas(&self, synchronous: &str, cache_size: &str, autocheckpoint: &str) -> DbResult<()> {
        if let Db::Sqlite { writing, .. } = self {
            let mut conn = writing.lease().await?;
            for pragma in [
                format!("PRAGMA synchronous = {synchronous}"),
                format!("PRAGMA cache_size = {cache_size}"),
                format!("PRAGMA wal_autocheckpoint = {autocheckpoint}"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(pragma)).execute(&mut *conn).await?;
            }
        }
        Ok(())
    }

    /// SQLite: the writer's `synchronous` (0 off, 2 full), `cache_size` and
    /// `wal_autocheckpoint`; PostgreSQL: `None`.
    pub async fn writer_settings(&self) -> DbResult<Option<(i64, i64, i64)>> {
        let Db::Sqlite { writing, .. } = self else { return Ok(None) };
        let mut conn = writing.lease().await?;
        let synchronous = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await?;
        let cache_size = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *conn).await?;
        let autocheckpoint = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut *conn).await?;
        Ok(Some((synchronous, cache_size, autocheckpoint)))
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        let result = match self {
            Db::Sqlite { pool, .. } => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await,
            Db::Postgres(pool) => sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await,
        };
        result.is_ok()
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { pool, writer, alone, writing, .. } => {
                alone.close();
                writing.close();
                pool.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// A list of ids (or numbers) as one parameter, a JSON array, for
/// `IN (SELECT value FROM json_each($n))` on SQLite and
/// `IN (SELECT jsonb_array_elements_text($n::jsonb))` on PostgreSQL (cast for numbers): one
/// statement, prepared once, whatever the list's length.
pub(crate) fn id_list<T: serde::Serialize>(ids: &[T]) -> String {
    serde_json::json!(ids).to_string()
}

/// A new id: a UUIDv7, time-ordered, made by the application on either engine.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// `%text%` for a LIKE search, with LIKE's own wildcards taken literally.
pub fn like_pattern(text: &str) -> String {
    let escaped = text.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// What one [`Db::checkpoint`] found: whether another checkpoint held the log, how many
/// pages the log holds, and how many of them are now in the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    pub busy: bool,
    pub log_pages: i64,
    pub copied: i64,
}

/// One page of a list, and how many there are in all.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A row's place in a list, for keyset cursors: its sort columns (`second` empty
/// when the list sorts by one) and its id, the tiebreaker. The page after a key
/// starts just past that row, so rows inserted meanwhile neither repeat nor skip one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListKey {
    pub first: String,
    pub second: String,
    pub id: String,
}

/// The four parameters of a keyset condition: a flag (empty: no key) and the key.
pub(crate) fn key_params(after: Option<&ListKey>) -> (&str, &str, &str, &str) {
    match after {
        Some(key) => ("after", key.first.as_str(), key.second.as_str(), key.id.as_str()),
        None => ("", "", "", ""),
    }
}

/// Which page of a list to read.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub number: i64,
    pub size: i64,
}

impl PageRequest {
    pub fn new(number: i64, size: i64) -> PageRequest {
        PageRequest { number: number.max(1), size: size.clamp(1, 500) }
    }

    pub fn offset(&self) -> i64 {
        (self.number - 1) * self.size
    }
}

/// The three parameters every scoped list query takes: a region-path prefix for
/// `LIKE`, an id the list is narrowed to (or empty), and a unit whose
/// representatives are wanted (or empty).
pub(crate) fn filter_params(filter: &crate::domain::permission::ListFilter) -> (String, String, String) {
    use crate::domain::permission::ListFilter;
    match filter {
        ListFilter::All => ("/%".to_string(), String::new(), String::new()),
        ListFilter::Subtree(path) => (format!("{}%", path.as_str()), String::new(), String::new()),
        ListFilter::OnlyId(id) => ("/%".to_string(), id.clone(), String::new()),
        ListFilter::AtUnit(unit_id) => ("/%".to_string(), String::new(), unit_id.clone()),
    }
}
