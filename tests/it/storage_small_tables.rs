//! The small tables, on every engine: sessions and failed sign-ins, the admin log,
//! import batches and settings.

use minyi::db::{self, PageRequest, Tx};
use minyi::domain::region::RegionLevel;
use minyi::domain::user::Role;

use crate::storage::{add_user, all, ids, page, region};
use crate::support::{MINUTE_MS, START_MS, engines};

async fn log_labels(tx: &mut Tx, prefix: &str, page: PageRequest) -> (i64, Vec<String>) {
    let page = db::admin_log::list(tx, prefix, page).await.unwrap();
    (page.total, page.items.into_iter().map(|entry| entry.target_label).collect())
}

// --- sessions and sign-in failures -------------------------------------------------------

/// The id of the account a session token's hash signs in, if the session is live.
async fn session_user(tx: &mut Tx, token_hash: &str, now: i64) -> Option<String> {
    db::users::by_session(tx, token_hash, now).await.unwrap().map(|account| account.id)
}

#[tokio::test]
async fn sessions_live_expire_and_end() {
    for t in engines().await {
        let e = t.engine;
        let hour = 60 * MINUTE_MS;
        let mut tx = t.write().await;
        let county = region(&mut tx, "c", "331081", "温岭市", RegionLevel::County, None).await;
        add_user(&mut tx, "a", "alice", Role::OfficeAdmin, ids(|s| s.region_id = Some(county.id.clone()))).await;
        add_user(&mut tx, "b", "bob", Role::SystemAdmin, ids(|_| {})).await;
        for (token, user) in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")] {
            db::sessions::insert(&mut tx, token, user, START_MS, START_MS + hour, "10.0.0.1").await.unwrap();
        }
        db::sessions::insert(&mut tx, "old", "a", START_MS - 2 * hour, START_MS - hour, "10.0.0.1").await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.write().await;
        assert_eq!(session_user(&mut tx, "a1", START_MS).await.as_deref(), Some("a"), "{e}: live");
        assert_eq!(session_user(&mut tx, "a1", START_MS + hour - 1).await.as_deref(), Some("a"), "{e}: until the end");
        assert_eq!(session_user(&mut tx, "a1", START_MS + hour).await, None, "{e}: expired at expires_at");
        assert_eq!(session_user(&mut tx, "old", START_MS).await, None, "{e}: expired");
        assert_eq!(session_user(&mut tx, "nope", START_MS).await, None, "{e}: unknown token");
        let scope = ids(|_| {});
        db::users::update(&mut tx, "b", "bob", Role::SystemAdmin, &scope, false, START_MS).await.unwrap();
        assert_eq!(session_user(&mut tx, "b1", START_MS).await, None, "{e}: an inactive account has no live session");

        assert_eq!(db::sessions::delete(&mut tx, "a1").await.unwrap(), 1, "{e}");
        assert_eq!(db::sessions::delete(&mut tx, "a1").await.unwrap(), 0, "{e}: already gone");
        assert_eq!(session_user(&mut tx, "a1", START_MS).await, None, "{e}: signed out");
        assert_eq!(db::sessions::delete_for_user_except(&mut tx, "a", "a2").await.unwrap(), 2, "{e}: a3 and old");
        assert_eq!(session_user(&mut tx, "a2", START_MS).await.as_deref(), Some("a"), "{e}: the kept session");
        assert_eq!(session_user(&mut tx, "a3", START_MS).await, None, "{e}: the other session");
        assert_eq!(db::sessions::delete_for_user_except(&mut tx, "a", "").await.unwrap(), 1, "{e}: everywhere");
        assert_eq!(session_user(&mut tx, "a2", START_MS).await, None, "{e}");
        db::sessions::insert(&mut tx, "b2", "b", START_MS, START_MS + 1, "").await.unwrap();
        assert_eq!(db::sessions::delete_expired(&mut tx, START_MS + 1).await.unwrap(), 1, "{e}: b2 ends");
        assert_eq!(db::sessions::delete(&mut tx, "b1").await.unwrap(), 1, "{e}: b1 was still live");
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn login_failures_are_counted_per_username_and_per_address() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.write().await;
        db::sessions::record_failure(&mut tx, "wang", "10.0.0.1", START_MS).await.unwrap();
        db::sessions::record_failure(&mut tx, "wang", "10.0.0.2", START_MS + MINUTE_MS).await.unwrap();
        db::sessions::record_failure(&mut tx, "li", "10.0.0.1", START_MS + 2 * MINUTE_MS).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.write().await;
        let by_name = db::sessions::failures_for_username(&mut tx, "wang", START_MS - 1).await.unwrap();
        assert_eq!(by_name, (2, Some(START_MS)), "{e}: both, and the oldest");
        let by_name = db::sessions::failures_for_username(&mut tx, "wang", START_MS).await.unwrap();
        assert_eq!(by_name, (1, Some(START_MS + MINUTE_MS)), "{e}: strictly after `since`");
        assert_eq!(db::sessions::failures_for_username(&mut tx, "zhao", 0).await.unwrap(), (0, None), "{e}");
        let by_address = db::sessions::failures_for_address(&mut tx, "10.0.0.1", 0).await.unwrap();
        assert_eq!(by_address, (2, Some(START_MS)), "{e}: per address");
        assert_eq!(db::sessions::clear_failures_for_username(&mut tx, "wang").await.unwrap(), 2, "{e}");
        assert_eq!(db::sessions::failures_for_username(&mut tx, "wang", 0).await.unwrap(), (0, None), "{e}");
        let by_address = db::sessions::failures_for_address(&mut tx, "10.0.0.1", 0).await.unwrap();
        assert_eq!(by_address, (1, Some(START_MS + 2 * MINUTE_MS)), "{e}: li's failure stays");
        tx.commit().await.unwrap();
    }
}

// --- the admin log, import batches, settings ------------------------------------------------

#[tokio::test]
async fn admin_log_lists_newest_first_within_a_prefix() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.write().await;
        let entries = [
            ("first", START_MS, "/c/t1/"),
            ("second", START_MS + 1, "/c/t2/"),
            ("third", START_MS + 1, "/c/t1/v1/"),
            ("fourth", START_MS - 5, "/"),
        ];
        for (label, at, path) in entries {
            let entry = db::admin_log::NewEntry {
                actor_user_id: if label == "fourth" { None } else { Some("a") },
                actor_name: "admin",
                action: "update",
                resource: "units",
                target_id: "u1",
                target_label: label,
                region_path: path,
                detail: "LLZ-001",
            };
            db::admin_log::append(&mut tx, &entry, at).await.unwrap();
        }
        tx.commit().await.unwrap();

        let mut tx = t.read().await;
        // Newest first; of two at the same instant, the one written later first.
        assert_eq!(
            log_labels(&mut tx, "/", all()).await,
            (4, vec!["third".into(), "second".into(), "first".into(), "fourth".into()])
        );
        assert_eq!(
            log_labels(&mut tx, "/c/t1/", all()).await,
            (2, vec!["third".into(), "first".into()]),
            "{e}: T1's subtree"
        );
        assert_eq!(log_labels(&mut tx, "/c/t2/", all()).await, (1, vec!["second".into()]), "{e}: T2");
        assert_eq!(log_labels(&mut tx, "/c/t3/", all()).await, (0, vec![]), "{e}: nothing");
        assert_eq!(log_labels(&mut tx, "/", page(2, 3)).await, (4, vec!["fourth".into()]), "{e}: the last page");
        let first = db::admin_log::list(&mut tx, "/c/t2/", all()).await.unwrap().items.remove(0);
        assert_eq!(
            (first.at, first.actor_name.as_str(), first.action.as_str(), first.resource.as_str()),
            (START_MS + 1, "admin", "update", "units"),
            "{e}"
        );
        assert_eq!((first.target_id.as_str(), first.detail.as_str()), ("u1", "LLZ-001"), "{e}");
    }
}

#[tokio::test]
async fn import_batches_are_committed_once() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.write().await;
        add_user(&mut tx, "a", "admin", Role::SystemAdmin, ids(|_| {})).await;
        let batch = db::imports::ImportBatch {
            id: db::new_id(),
            resource: "units".into(),
            user_id: "a".into(),
            file_name: "联络站.csv".into(),
            rows_json: r#"[{"code":"LLZ-001"}]"#.into(),
            row_count: 1,
            created_at: START_MS,
            committed_at: None,
        };
        db::imports::insert(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.write().await;
        let stored = db::imports::get(&mut tx, &batch.id).await.unwrap().expect("the batch");
        assert_eq!(format!("{stored:?}"), format!("{batch:?}"), "{e}: stored as given");
        assert!(db::imports::get(&mut tx, "nope").await.unwrap().is_none(), "{e}");
        assert_eq!(db::imports::mark_committed(&mut tx, &batch.id, START_MS + 5).await.unwrap(), 1, "{e}: first");
        assert_eq!(db::imports::mark_committed(&mut tx, &batch.id, START_MS + 6).await.unwrap(), 0, "{e}: second");
        let stored = db::imports::get(&mut tx, &batch.id).await.unwrap().expect("the batch");
        assert_eq!(stored.committed_at, Some(START_MS + 5), "{e}: the first commit's time stays");
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn settings_get_and_upsert() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.write().await;
        assert_eq!(db::settings::get(&mut tx, "demo_loaded_at").await.unwrap(), None, "{e}");
        db::settings::set(&mut tx, "demo_loaded_at", "1").await.unwrap();
        db::settings::set(&mut tx, "other", "x").await.unwrap();
        db::settings::set(&mut tx, "demo_loaded_at", "2").await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.read().await;
        assert_eq!(db::settings::get(&mut tx, "demo_loaded_at").await.unwrap().as_deref(), Some("2"), "{e}");
        assert_eq!(db::settings::get(&mut tx, "other").await.unwrap().as_deref(), Some("x"), "{e}");
    }
}

#[tokio::test]
async fn a_new_id_is_unique_and_time_ordered() {
    let ids: Vec<String> = (0..1000).map(|_| db::new_id()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids made later sort later");
    assert!(ids.iter().all(|id| id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit())));
}

// --- a lone read ---------------------------------------------------------------------------

/// `Db::read_alone` holds no transaction: each statement sees the last commit, where a
/// read transaction keeps the snapshot of its first read.
#[tokio::test]
async fn a_lone_read_sees_each_commit_and_a_read_transaction_keeps_its_snapshot() {
    for t in engines().await {
        let set = |value: &'static str| {
            let db = t.db().clone();
            async move {
                let mut tx = db.write().await.unwrap();
                db::settings::set(&mut tx, "probe", value).await.unwrap();
                tx.commit().await.unwrap();
            }
        };
        set("first").await;
        let mut alone = t.db().read_alone().await.unwrap();
        let mut snapshot = t.read().await;
        assert_eq!(db::settings::get(&mut alone, "probe").await.unwrap().as_deref(), Some("first"), "{}", t.engine);
        assert_eq!(db::settings::get(&mut snapshot, "probe").await.unwrap().as_deref(), Some("first"), "{}", t.engine);
        set("second").await;
        assert_eq!(db::settings::get(&mut alone, "probe").await.unwrap().as_deref(), Some("second"), "{}", t.engine);
        let kept = db::settings::get(&mut snapshot, "probe").await.unwrap();
        // PostgreSQL's default isolation (read committed) takes a snapshot per statement.
        let expected = if t.engine == "sqlite" { "first" } else { "second" };
        assert_eq!(kept.as_deref(), Some(expected), "{}", t.engine);
        alone.commit().await.unwrap();
    }
}

// --- the write-ahead log's checkpoint ---------------------------------------------------

#[tokio::test]
async fn a_checkpoint_copies_the_committed_log_while_the_writer_holds_its_transaction() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.db().write().await.unwrap();
        db::settings::set(&mut tx, "probe", "committed").await.unwrap();
        tx.commit().await.unwrap();
        // The writer holds a transaction with a change not committed: the checkpoint
        // neither waits for it nor copies its change.
        let mut open = t.db().write().await.unwrap();
        db::settings::set(&mut open, "probe", "not yet").await.unwrap();
        let done = t.db().checkpoint().await.unwrap();
        if e == "postgres" {
            assert_eq!(done, None, "{e}: PostgreSQL checkpoints by itself");
            open.commit().await.unwrap();
            continue;
        }
        let done = done.expect("SQLite checkpoints");
        assert!(!done.busy, "{e}: {done:?}");
        assert!(done.log_pages > 0, "{e}: the commit is in the log: {done:?}");
        assert_eq!(done.copied, done.log_pages, "{e}: every committed page is copied: {done:?}");
        open.commit().await.unwrap();
        let after = t.db().checkpoint().await.unwrap().expect("SQLite checkpoints");
        assert!(after.log_pages > done.log_pages, "{e}: the second commit is in the log too: {after:?}");
        assert_eq!(after.copied, after.log_pages, "{e}: {after:?}");
        let mut tx = t.read().await;
        assert_eq!(db::settings::get(&mut tx, "probe").await.unwrap().as_deref(), Some("not yet"), "{e}");
    }
}

/// A write transaction dropped before its commit leaves nothing, and the next one begins
/// afresh on the same connection (on SQLite the one writer, lent back to its lane).
#[tokio::test]
async fn a_write_dropped_before_its_commit_leaves_nothing_and_the_next_commits() {
    for t in engines().await {
        let e = t.engine;
        let mut dropped = t.db().write().await.unwrap();
        db::settings::set(&mut dropped, "probe", "dropped").await.unwrap();
        drop(dropped);
        let mut tx = t.db().write().await.unwrap();
        assert_eq!(db::settings::get(&mut tx, "probe").await.unwrap(), None, "{e}: rolled back");
        db::settings::set(&mut tx, "probe", "kept").await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.read().await;
        assert_eq!(db::settings::get(&mut tx, "probe").await.unwrap().as_deref(), Some("kept"), "{e}");
    }
}
