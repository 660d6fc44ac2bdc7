//! Backup and restore of the embedded database (SQLite only; PostgreSQL has pg_dump).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use minyi::actions;
use minyi::db::backup::{POSTGRES_ADVICE, backup, check_backup, restore};
use minyi::db::{self, Db, PageRequest, SQLITE_FILE};
use minyi::domain::permission::ListFilter;

use crate::support::{COUNTY, add_system_admin, postgres, small_tree, sqlite};

/// Opens a copy of `file` as the database of a new folder, migrated, so that the
/// original stays untouched.
async fn open_copy(file: &Path) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(file, dir.path().join(SQLITE_FILE)).unwrap();
    let db = Db::open_sqlite(dir.path()).await.expect("the copy opens");
    db.migrate().await.expect("the copy migrates");
    (dir, db)
}

/// The regions of a database, and whether the copy is consistent: every region's
/// parent is there, and every region has the admin-log line written in the same
/// transaction as the region itself.
async fn regions_and_log(db: &Db) -> (usize, usize) {
    let mut tx = db.read().await.unwrap();
    let regions = db::regions::all_in(&mut tx, &ListFilter::All).await.unwrap();
    let ids: std::collections::HashSet<&str> = regions.iter().map(|r| r.id.as_str()).collect();
    for region in &regions {
        assert!(
            region.parent_id.as_deref().is_none_or(|p| ids.contains(p)),
            "the parent of {} is there",
            region.code.as_str()
        );
    }
    let log = db::admin_log::list(&mut tx, "/", PageRequest::new(1, 500)).await.unwrap();
    let created = log.items.iter().filter(|l| l.resource == "regions" && l.action == "create").count();
    (regions.len(), created)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_server_writes_is_whole_and_restores() {
    let t = sqlite().await;
    let admin = add_system_admin(&t, "root").await;
    small_tree(&t, &admin).await;

    // A writer that keeps adding towns through the actions until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(tokio::sync::Notify::new());
    let writer = tokio::spawn({
        let (app, admin, stop, written, started) =
            (t.app.clone(), admin.clone(), stop.clone(), written.clone(), started.clone());
        async move {
            for n in 3..=999 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let fields = actions::regions::RegionFields {
                    code: format!("{COUNTY}{n:03}"),
                    name: format!("第{n}街道"),
                    level: "town".into(),
                    parent_code: COUNTY.into(),
                };
                actions::regions::save(&app, &admin, None, &fields).await.expect("the writer writes");
                if written.fetch_add(1, Ordering::SeqCst) + 1 == 20 {
                    started.notify_one();
                }
            }
        }
    });
    started.notified().await;
    let before_backup = 3 + written.load(Ordering::SeqCst);
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("minyi-2026-03-02.db");
    backup(t.db(), &file).await.expect("the backup runs beside the writer");
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("the writer ends well");
    let in_the_end = 3 + written.load(Ordering::SeqCst);

    check_backup(&file).await.expect("the backup passes its check");
    let (_copy_dir, copy) = open_copy(&file).await;
    let (regions, logged) = regions_and_log(&copy).await;
    assert!(
        (before_backup..=in_the_end).contains(&regions),
        "the backup holds {regions} regions: at least the {before_backup} written before it began, at most {in_the_end}"
    );
    assert_eq!(logged, regions, "each region and its log line are in the backup together");
    copy.close().await;

    // Onto an existing file: refused, and the file is left alone.
    let size = std::fs::metadata(&file).unwrap().len();
    let again = backup(t.db(), &file).await;
    let message = format!("{:#}", again.expect_err("a backup never overwrites"));
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size, "the first backup is untouched");

    // Restoring over a live database keeps that database beside it.
    let data = tempfile::tempdir().unwrap();
    {
        let live = Db::open_sqlite(data.path()).await.unwrap();
        live.migrate().await.unwrap();
        let mut tx = live.write().await.unwrap();
        db::settings::set(&mut tx, "marker", "before the restore").await.unwrap();
        tx.commit().await.unwrap();
        live.close().await;
    }
    let kept = restore(data.path(), &file, "20260302-090000").await.expect("restore");
    let kept = kept.expect("the replaced database is kept");
    assert_eq!(kept, data.path().join("minyi.db.before-restore-20260302-090000"));
    assert!(kept.is_file(), "{} exists", kept.display());
    let (_kept_dir, old) = open_copy(&kept).await;
    let mut tx = old.read().await.unwrap();
    assert_eq!(db::settings::get(&mut tx, "marker").await.unwrap().as_deref(), Some("before the restore"));
    drop(tx);
    old.close().await;

    let restored = Db::open_sqlite(data.path()).await.unwrap();
    restored.migrate().await.unwrap();
    assert_eq!(regions_and_log(&restored).await, (regions, regions), "the restored database is the backup");
    let mut tx = restored.read().await.unwrap();
    assert_eq!(db::settings::get(&mut tx, "marker").await.unwrap(), None, "the old data is not mixed in");
    drop(tx);
    restored.close().await;

    // Into an empty folder nothing needs keeping.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(restore(empty.path(), &file, "x").await.expect("restore"), None);
    assert!(empty.path().join(SQLITE_FILE).is_file());
}

#[tokio::test]
async fn only_sound_minyi_databases_pass_the_check() {
    let folder = tempfile::tempdir().unwrap();
    let garbage = folder.path().join("garbage.db");
    std::fs::write(&garbage, b"this is not a database, just some bytes that are long enough").unwrap();
    assert!(check_backup(&garbage).await.is_err(), "not SQLite");
    assert!(check_backup(&folder.path().join("missing.db")).await.is_err(), "no file");
    let data = tempfile::tempdir().unwrap();
    restore(data.path(), &garbage, "x").await.expect_err("a restore checks its file first");
    assert!(!data.path().join(SQLITE_FILE).exists(), "and puts nothing in place");

    // A SQLite database that minyi never migrated.
    let other = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(other.path()).await.unwrap();
    db.close().await;
    let message = format!("{:#}", check_backup(&other.path().join(SQLITE_FILE)).await.expect_err("not minyi's"));
    assert!(message.contains("not a minyi database"), "{message}");
}

#[tokio::test]
async fn postgresql_is_pointed_to_pg_dump() {
    // A pool that never connects is enough: the refusal comes first.
    let pool = sqlx::postgres::PgPoolOptions::new().connect_lazy("postgres://nobody@127.0.0.1:9/none").unwrap();
    let mut databases = vec![Db::Postgres(pool)];
    let real = postgres().await;
    if let Some(t) = &real {
        databases.push(t.db().clone());
    }
    for db in databases {
        let folder = tempfile::tempdir().unwrap();
        let result = backup(&db, &folder.path().join("pg.db")).await;
        let message = format!("{:#}", result.expect_err("no backup of PostgreSQL here"));
        assert_eq!(message, POSTGRES_ADVICE);
        assert!(message.contains("pg_dump"), "{message}");
        assert!(!folder.path().join("pg.db").exists(), "no file is made");
    }
}
