//! The lane of SQLite connections lent for lone reads (`db::lane`): a lease comes back to
//! the lane, not to sqlx's pool; the lane lends no more than `LONE_READERS` at once; a
//! read cut short leaves its connection fit for the next; and the database still closes.

use futures_util::FutureExt;
use minyi::db::{self, Db, Tx};

async fn sqlite() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Db::open_sqlite(dir.path()).await.expect("SQLite opens");
    (dir, db)
}

async fn answer(tx: &mut Tx, sql: &'static str) -> i64 {
    let Tx::Sqlite(hold) = tx else { panic!("a SQLite read") };
    sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut **hold).await.expect("the read answers")
}

#[tokio::test]
async fn a_lone_read_gives_its_connection_back_to_the_lane() {
    let (_dir, db) = sqlite().await;
    let Db::Sqlite { pool, alone, .. } = &db else { unreachable!() };
    let mut tx = db.read_alone().await.expect("a lone read");
    assert_eq!(answer(&mut tx, "SELECT 41 + 1").await, 42);
    drop(tx);
    assert_eq!(alone.idle(), 1, "the connection is back on the lane's list");
    assert_eq!(pool.num_idle(), 0, "and not in the pool");
    let mut again = db.read_alone().await.expect("a second lone read");
    assert_eq!(answer(&mut again, "SELECT 7").await, 7);
    assert_eq!(alone.idle(), 0, "the second read took the same connection");
    assert_eq!(pool.size(), 1, "the pool opened one connection for both");
}

#[tokio::test]
async fn the_lane_lends_no_more_than_its_size_at_once() {
    let (_dir, db) = sqlite().await;
    let mut out = Vec::new();
    for _ in 0..db::LONE_READERS {
        out.push(db.read_alone().await.expect("a lone read"));
    }
    let mut waiting = Box::pin(db.read_alone());
    assert!((&mut waiting).now_or_never().is_none(), "one more waits while all are lent");
    // Read transactions still have the rest of the pool.
    let mut tx = db.read().await.expect("a read transaction beside them");
    assert_eq!(answer(&mut tx, "SELECT 1").await, 1);
    out.pop();
    let mut next = waiting.await.expect("one lease ended, so the waiting read goes on");
    assert_eq!(answer(&mut next, "SELECT 2").await, 2);
}

#[tokio::test]
async fn a_lone_read_cut_short_leaves_its_connection_fit_for_the_next() {
    let (_dir, db) = sqlite().await;
    let Db::Sqlite { alone, .. } = &db else { unreachable!() };
    {
        let mut tx = db.read_alone().await.expect("a lone read");
        let Tx::Sqlite(hold) = &mut tx else { unreachable!() };
        let long = sqlx::query_scalar::<_, i64>(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT COUNT(*) FROM n",
        )
        .fetch_one(&mut **hold);
        // Sent to the connection's thread, then dropped unanswered, as a request is when
        // its client goes away.
        assert!(long.now_or_never().is_none(), "two million rows take more than one poll");
    }
    assert_eq!(alone.idle(), 1);
    let mut tx = db.read_alone().await.expect("the same connection again");
    assert_eq!(answer(&mut tx, "SELECT 41 + 1").await, 42, "the next read gets its own answer");
    assert_eq!(answer(&mut tx, "SELECT COUNT(*) FROM (SELECT 1 UNION ALL SELECT 2)").await, 2);
}

#[tokio::test]
async fn the_database_closes_while_a_lease_is_out() {
    let (_dir, db) = sqlite().await;
    let ended = db.read_alone().await.expect("a lone read, ended before the close");
    let lease = db.read_alone().await.expect("a lone read still out");
    drop(ended);
    let Db::Sqlite { alone, .. } = &db else { unreachable!() };
    assert_eq!(alone.idle(), 1, "one connection idle on the lane, one lent");
    let closing = tokio::spawn({
        let db = db.clone();
        async move { db.close().await }
    });
    // The close starts, gives the idle connection back and waits for the one lent.
    tokio::task::yield_now().await;
    assert_eq!(alone.idle(), 0, "the close took the idle connection off the lane");
    drop(lease);
    tokio::time::timeout(std::time::Duration::from_secs(20), closing)
        .await
        .expect("the pool closes once the lease is back")
        .expect("the closing task ends");
    assert!(db.read_alone().await.is_err(), "a closed database lends nothing");
}
