//! A rebuild of the cockpit's counters that stops, asked to or by a crash, goes on from
//! where it stopped (issue #5: a province's rebuild takes more than an hour), and still
//! counts every event once.

use minyi::actions::cases::Who;
use minyi::actions::cockpit::{self, Chunks, Stop};
use minyi::db::aggregates::{RebuildProgress, rebuild_progress, save_rebuild_progress};
use minyi::domain::workflow::Move;

use crate::cockpit::{forwarded_demo_case, make, receiver_of, submit_like};
use crate::support::{TestDb, engines, load_demo};

/// Chunks of about 40 cases, each written 50 counter rows a transaction: many
/// transactions a chunk.
const SMALL: Chunks = Chunks { read_cases: 40, write_rows: 50, pause: std::time::Duration::ZERO };

async fn noted(t: &TestDb) -> Option<RebuildProgress> {
    let mut tx = t.read().await;
    rebuild_progress(&mut tx).await.expect("the rebuild's progress")
}

/// The demo county with its cases: how many cases a rebuild counts, and the counters kept
/// as events happened.
async fn demo_cases(t: &TestDb) -> (u64, Vec<String>) {
    load_demo(t).await;
    minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
    let total = cockpit::cases_to_rebuild(t.db()).await.expect("a count");
    (total, cockpit::dump_aggregates(t.db()).await.expect("dump"))
}

/// A rebuild in [`SMALL`] chunks, asked to stop once its first chunk is summed.
async fn stopped_after_first_chunk(t: &TestDb) -> cockpit::Rebuilt {
    let stop = Stop::default();
    cockpit::rebuild_aggregates_in_chunks(t.db(), SMALL, &stop, async |_| stop.request())
        .await
        .unwrap_or_else(|e| panic!("{}: rebuild: {e:?}", t.engine))
}

#[tokio::test]
async fn a_stopped_rebuild_goes_on_from_where_it_stopped() {
    for t in engines().await {
        let (total, maintained) = demo_cases(&t).await;

        // Asked to stop once its first chunk is summed: the chunk's writer stops after its
        // first transaction, and nothing is swapped in.
        let first = stopped_after_first_chunk(&t).await;
        assert!(first.stopped && !first.resumed, "{}: {first:?}", t.engine);
        assert!(first.cases < total, "{}: {first:?} of {total}", t.engine);
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{}: untouched", t.engine);
        let after_first = noted(&t).await.unwrap_or_else(|| panic!("{}: no note of how far it got", t.engine));
        assert_eq!((after_first.cases_before, after_first.rows_done), (0, 50), "{}: {after_first:?}", t.engine);

        // Meanwhile a new case comes, and an older one moves.
        let (like, _) = forwarded_demo_case(&t).await;
        let new_case = submit_like(&t, &like, "小区门口路灯不亮，晚上出行不便。").await;
        make(&t, &new_case, Who::Staff(&receiver_of(&like)), Move::Acknowledge).await;
        let maintained = cockpit::dump_aggregates(t.db()).await.expect("dump");

        // Stopped again, after its second chunk: it went on from the first, and got further.
        let stop = Stop::default();
        let mut chunks_summed = 0;
        let second = cockpit::rebuild_aggregates_in_chunks(t.db(), SMALL, &stop, async |_| {
            chunks_summed += 1;
            if chunks_summed == 2 {
                stop.request();
            }
        })
        .await
        .unwrap_or_else(|e| panic!("{}: rebuild: {e:?}", t.engine));
        assert!(second.stopped && second.resumed, "{}: {second:?}", t.engine);
        let after_second = noted(&t).await.unwrap_or_else(|| panic!("{}: no note", t.engine));
        assert_eq!(after_second.mark, after_first.mark, "{}: the same history", t.engine);
        assert!(after_second.cases_before > 0, "{}: a chunk done: {after_second:?}", t.engine);

        // To the end: every case once, the events since the first stop among them, the
        // counters the same as those kept as events happened, and the note gone.
        let last = cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert!(last.resumed && !last.stopped, "{}: {last:?}", t.engine);
        assert_eq!(last.cases, total + 1, "{}: {last:?}", t.engine);
        assert!(last.replayed >= 2, "{}: the new case's events: {last:?}", t.engine);
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{}: resumed", t.engine);
        assert_eq!(noted(&t).await, None, "{}: the note goes with the swap", t.engine);

        // The next rebuild starts afresh, and gives the same.
        let fresh = cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert!(!fresh.resumed, "{}: {fresh:?}", t.engine);
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{}: afresh", t.engine);
    }
}

#[tokio::test]
async fn a_note_that_names_no_case_is_not_gone_on_with() {
    for t in engines().await {
        let (total, maintained) = demo_cases(&t).await;
        // A stopped rebuild leaves some rows in the spare counters; its note is then made
        // one of a rebuild that read by region (before 2026-12-02), naming region paths.
        stopped_after_first_chunk(&t).await;
        let mut note = noted(&t).await.unwrap_or_else(|| panic!("{}: no note", t.engine));
        (note.chunk_first, note.chunk_last) = ("330000".into(), "330000/331000/331002".into());
        let mut tx = t.write().await;
        save_rebuild_progress(&mut tx, &note).await.expect("a note");
        tx.commit().await.expect("commit");

        // The rebuild starts afresh: the spare counters emptied, every case counted once.
        let rebuilt = cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert!(!rebuilt.resumed && !rebuilt.stopped, "{}: {rebuilt:?}", t.engine);
        assert_eq!(rebuilt.cases, total, "{}: {rebuilt:?}", t.engine);
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{}: afresh", t.engine);
    }
}
