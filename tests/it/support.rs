//! The test harness: an [`App`] on each storage engine, with a fake clock.
//!
//! SQLite is always tested (a fresh database in a temporary folder). PostgreSQL is
//! tested too when `TEST_DATABASE_URL` names a server (`scripts/with-postgres` starts
//! a throwaway one): every [`TestDb`] then gets its own new database, dropped again
//! when the `TestDb` is dropped. Tests loop over [`engines`] and name the engine in
//! every assertion message, so a failure says which engine broke.

use std::sync::Arc;

use minyi::app::App;
use minyi::clock::{FakeClock, Millis};
use minyi::config::Config;
use minyi::db::{self, Db, Engine, Tx};
use minyi::domain::user::Actor;
use minyi::error::Error;
use sqlx::Connection;
use tempfile::TempDir;

/// 2026-03-02T09:00:00+08:00 (a Monday morning in Beijing), in milliseconds UTC.
pub const START_MS: Millis = 1_772_413_200_000;

pub const MINUTE_MS: Millis = 60 * 1000;

/// One engine to test on: the App, the clock it reads, and what must outlive it.
pub struct TestDb {
    pub app: App,
    pub clock: FakeClock,
    /// "sqlite" or "postgres", for assertion messages.
    pub engine: &'static str,
    /// The data folder (the SQLite file lives here on SQLite).
    pub dir: TempDir,
    /// Dropped last: removes the PostgreSQL database, if there is one.
    _postgres: Option<PgDatabase>,
}

impl TestDb {
    pub fn db(&self) -> &Db {
        self.app.db()
    }

    pub async fn read(&self) -> Tx {
        self.db().read().await.unwrap_or_else(|e| panic!("{}: cannot open a read transaction: {e}", self.engine))
    }

    pub async fn write(&self) -> Tx {
        self.db().write().await.unwrap_or_else(|e| panic!("{}: cannot open a write transaction: {e}", self.engine))
    }

    pub fn now(&self) -> Millis {
        self.app.now()
    }

    /// Runs `sql` (statements separated by `;`) outside minyi's own code, as a person at
    /// the database would: to empty or damage what a test then expects minyi to mend.
    pub async fn execute_raw(&self, sql: &'static str) {
        let mut tx = self.write().await;
        match &mut tx {
            Tx::Sqlite(conn) => sqlx::raw_sql(sql).execute(&mut **conn).await.map(|_| ()),
            Tx::Postgres(conn) => sqlx::raw_sql(sql).execute(&mut **conn).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.engine));
        tx.commit().await.unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.engine));
    }

    /// The name of this test's own PostgreSQL database, if it runs on PostgreSQL.
    pub fn postgres_database(&self) -> Option<&str> {
        self._postgres.as_ref().map(|pg| pg.name.as_str())
    }
}

/// Every engine available here: SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.
pub async fn engines() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        out.push(pg);
    }
    out
}

/// A fresh, migrated SQLite database in a new temporary folder.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Db::open_sqlite(dir.path()).await.expect("sqlite: open");
    db.migrate().await.expect("sqlite: migrate");
    assert_eq!(db.engine(), Engine::Sqlite);
    build(db, "sqlite", dir, None)
}

/// A fresh, migrated PostgreSQL database on the server `TEST_DATABASE_URL` names,
/// or `None` when the variable is not set.
pub async fn postgres() -> Option<TestDb> {
    let server_url = std::env::var("TEST_DATABASE_URL").ok().filter(|url| !url.trim().is_empty())?;
    let name = format!("minyi_t_{}", random_hex(8));
    let mut conn = sqlx::PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|e| panic!("postgres: cannot connect to TEST_DATABASE_URL: {e}"));
    // The name is ours (a fixed prefix and hex digits), so it is safe to splice in.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("postgres: cannot create database {name}: {e}"));
    conn.close().await.ok();
    let guard = PgDatabase { server_url: server_url.clone(), name: name.clone() };
    let db = Db::open_postgres(&with_database(&server_url, &name)).await.expect("postgres: open");
    db.migrate().await.expect("postgres: migrate");
    assert_eq!(db.engine(), Engine::Postgres);
    let dir = tempfile::tempdir().expect("a temporary folder");
    Some(build(db, "postgres", dir, Some(guard)))
}

fn build(db: Db, engine: &'static str, dir: TempDir, postgres: Option<PgDatabase>) -> TestDb {
    let clock = FakeClock::at(START_MS);
    let config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
    let app = App::new(db, Arc::new(clock.clone()), config);
    TestDb { app, clock, engine, dir, _postgres: postgres }
}

/// `url` with its database (the path) replaced by `database`; the query string is kept.
/// `postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable` →
/// `postgres://postgres@127.0.0.1:5432/minyi_t_…?sslmode=disable`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let authority_end = base[after_scheme..].find('/').map(|i| after_scheme + i).unwrap_or(base.len());
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Drops the per-test PostgreSQL database. `Drop` cannot await, so it runs on a
/// thread of its own with a small runtime; `WITH (FORCE)` ends the pool's
/// connections that may still be open.
struct PgDatabase {
    server_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.server_url.clone(), self.name.clone());
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                    conn.close().await.ok();
                }
            });
        });
        let _ = dropper.join();
    }
}

// --- people -------------------------------------------------------------------

/// The actor of the account `username`, as a signed-in session would build it.
pub async fn actor(t: &TestDb, username: &str) -> Actor {
    let mut tx = t.read().await;
    let id = db::users::id_by_username(&mut tx, username)
        .await
        .unwrap_or_else(|e| panic!("{}: looking up {username}: {e}", t.engine))
        .unwrap_or_else(|| panic!("{}: no user {username}", t.engine));
    let account = db::users::get(&mut tx, &id)
        .await
        .unwrap_or_else(|e| panic!("{}: reading {username}: {e}", t.engine))
        .unwrap_or_else(|| panic!("{}: user {username} vanished", t.engine));
    Actor::new(account.id, account.username, account.display_name, account.role, account.scope)
        .unwrap_or_else(|| panic!("{}: {username}'s role does not fit its scope", t.engine))
}

/// The password every account made by [`add_system_admin`] has.
pub const ADMIN_PASSWORD: &str = "minyi-test-2026";

/// Adds a system administrator account `username` straight through storage (the
/// first account of an installation has no one to create it) and returns its actor.
pub async fn add_system_admin(t: &TestDb, username: &str) -> Actor {
    let hash = minyi::actions::accounts::hash_password(ADMIN_PASSWORD).await.expect("hashing");
    let mut tx = t.write().await;
    let id = db::new_id();
    let scope = db::users::ScopeIds::default();
    let role = minyi::domain::user::Role::SystemAdmin;
    let user = db::users::NewUser {
        id: &id,
        username,
        display_name: "系统管理员",
        password_hash: &hash,
        role,
        scope: &scope,
        active: true,
    };
    db::users::insert(&mut tx, &user, t.now()).await.unwrap_or_else(|e| panic!("{}: adding {username}: {e}", t.engine));
    tx.commit().await.expect("commit");
    actor(t, username).await
}

/// A citizen's case with `body` to `deputy`, by the deputy's code, about transport.
pub fn to_deputy(deputy: &Actor, body: &str) -> minyi::domain::case::CaseFields {
    let minyi::domain::user::Scope::Representative { representative_id, .. } = deputy.scope().clone() else {
        panic!("a deputy")
    };
    minyi::domain::case::CaseFields {
        channel: "deputy_code".into(),
        representative_id,
        category: "transport".into(),
        body: body.into(),
        ..Default::default()
    }
}

/// Loads the demo county (温岭市) through the actions, as `minyi demo` does.
pub async fn load_demo(t: &TestDb) {
    minyi::demo::load_demo(&t.app).await.unwrap_or_else(|e| panic!("{}: loading the demo: {e:?}", t.engine));
}

// --- a small tree ----------------------------------------------------------------

/// A county with two towns, made through the actions: the tree most tests need.
pub struct SmallTree {
    pub county: minyi::domain::region::Region,
    pub t1: minyi::domain::region::Region,
    pub t2: minyi::domain::region::Region,
}

pub const COUNTY: &str = "331081";
pub const TOWN1: &str = "331081001";
pub const TOWN2: &str = "331081002";

pub async fn small_tree(t: &TestDb, admin: &Actor) -> SmallTree {
    let save = |code: &'static str, name: &'static str, level: &'static str, parent: &'static str| {
        let fields = minyi::actions::regions::RegionFields {
            code: code.into(),
            name: name.into(),
            level: level.into(),
            parent_code: parent.into(),
        };
        async move {
            minyi::actions::regions::save(&t.app, admin, None, &fields)
                .await
                .unwrap_or_else(|e| panic!("{}: creating region {code}: {e:?}", t.engine))
        }
    };
    let county = save(COUNTY, "温岭市", "county", "").await;
    let t1 = save(TOWN1, "太平街道", "town", COUNTY).await;
    let t2 = save(TOWN2, "城东街道", "town", COUNTY).await;
    SmallTree { county, t1, t2 }
}

// --- errors ------------------------------------------------------------------------

/// The field names of an `Error::Invalid`, in order; panics on any other result.
pub fn invalid_fields<T: std::fmt::Debug>(engine: &str, result: Result<T, Error>) -> Vec<String> {
    match result {
        Err(Error::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("{engine}: expected Error::Invalid, got {other:?}"),
    }
}

/// The (field, message key) pairs of an `Error::Invalid`; panics on any other result.
pub fn invalid_keys<T: std::fmt::Debug>(engine: &str, result: Result<T, Error>) -> Vec<(String, &'static str)> {
    match result {
        Err(Error::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.msg.key)).collect(),
        other => panic!("{engine}: expected Error::Invalid, got {other:?}"),
    }
}

/// Counts of every kind of record, read through the status action.
pub async fn counts(t: &TestDb) -> minyi::actions::status::Counts {
    minyi::actions::status::counts(&t.app).await.unwrap_or_else(|e| panic!("{}: counts: {e:?}", t.engine))
}

/// How many lines the admin log holds.
pub async fn admin_log_len(t: &TestDb) -> i64 {
    let mut tx = t.read().await;
    db::admin_log::list(&mut tx, "/", db::PageRequest::new(1, 1)).await.expect("admin log").total
}

// --- the harness's own tests ------------------------------------------------------------

#[test]
fn the_clock_starts_on_a_monday_morning_in_beijing() {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00").unwrap();
    assert_eq!(start.timestamp_millis(), START_MS);
}

#[test]
fn a_postgres_url_gets_another_database() {
    let check = |url: &str, expected: &str| assert_eq!(with_database(url, "minyi_t_ab"), expected, "{url}");
    check("postgres://postgres@127.0.0.1:5432/postgres", "postgres://postgres@127.0.0.1:5432/minyi_t_ab");
    check("postgres://u:p@db:5432/x?sslmode=disable", "postgres://u:p@db:5432/minyi_t_ab?sslmode=disable");
    check("postgres://localhost", "postgres://localhost/minyi_t_ab");
    check("postgresql://h:1/a/b", "postgresql://h:1/minyi_t_ab");
}

#[tokio::test]
async fn the_harness_gives_every_configured_engine_and_cleans_up() {
    let expected: &[&str] = if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.trim().is_empty()) {
        &["sqlite", "postgres"]
    } else {
        &["sqlite"]
    };
    let all = engines().await;
    assert_eq!(all.iter().map(|t| t.engine).collect::<Vec<_>>(), expected);
    for t in &all {
        assert!(t.db().ping().await, "{}: answers", t.engine);
        assert_eq!(t.now(), START_MS, "{}: the clock", t.engine);
        t.clock.advance_ms(MINUTE_MS);
        assert_eq!(t.now(), START_MS + MINUTE_MS, "{}: the App reads the test's clock", t.engine);
        assert_eq!(t.app.config().data_dir, t.dir.path(), "{}: the data folder", t.engine);
    }
    for t in all {
        let Some(name) = t.postgres_database().map(String::from) else { continue };
        let server = std::env::var("TEST_DATABASE_URL").unwrap();
        drop(t);
        let mut conn = sqlx::PgConnection::connect(&server).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(left, 0, "postgres: database {name} is dropped with its TestDb");
    }
}
