//! `minyi synth`: a small synthetic province on every engine; its histories verify,
//! its counts match what it reported, and every story is one the workflow allows.

use minyi::actions::cases::{ChainReport, verify_chain};
use minyi::db;
use minyi::synth::{SynthOptions, run};

use crate::support::{self, engines};

const CASES: u64 = 2_000;

#[tokio::test]
async fn a_small_synth_verifies_and_counts_match() {
    for t in engines().await {
        let e = t.engine;
        let options = SynthOptions { cases: CASES, seed: 7, days: 120, progress: false };
        let report = run(&t.app, &options).await.unwrap_or_else(|err| panic!("{e}: synth: {err:#}"));
        assert_eq!(report.cases, CASES, "{e}");
        assert_eq!(report.refused, 0, "{e}: every move of every story is allowed by the workflow table");
        assert!((1_300..=1_600).contains(&report.regions), "{e}: {} regions", report.regions);
        assert!((80_000..=120_000).contains(&report.representatives), "{e}: {} reps", report.representatives);
        assert!(report.units > 3_000, "{e}: {} units", report.units);

        let counts = support::counts(&t).await;
        assert_eq!(counts.regions, report.regions as i64, "{e}");
        assert_eq!(counts.units, report.units as i64, "{e}");
        assert_eq!(counts.representatives, report.representatives as i64, "{e}");
        assert_eq!(counts.departments, report.departments as i64, "{e}");
        let mut tx = t.read().await;
        let (cases, assignments, events) = db::synth::totals(&mut tx).await.unwrap();
        assert_eq!(cases, CASES as i64, "{e}");
        assert_eq!(assignments, report.assignments as i64, "{e}");
        assert_eq!(events, report.events as i64, "{e}");
        assert!(events > cases * 4, "{e}: full histories, {events} events for {cases} cases");

        // Believable spread: every state a case can be in, and every channel, occur.
        let states: Vec<String> = db::synth::cases_by_state(&mut tx).await.unwrap().into_iter().map(|s| s.0).collect();
        for state in ["acknowledged", "answered", "closed", "forwarded", "merged", "received", "withdrawn"] {
            assert!(states.iter().any(|s| s == state), "{e}: no case is {state}: {states:?}");
        }
        let by_channel = db::synth::cases_by_channel(&mut tx).await.unwrap();
        assert_eq!(by_channel.len(), 7, "{e}: {by_channel:?}");
        let by_state = db::synth::cases_by_state(&mut tx).await.unwrap();
        let in_state = |state: &str| by_state.iter().find(|s| s.0 == state).map(|s| s.1).unwrap_or(0);
        let closed = in_state("closed");
        assert!(closed > cases / 3, "{e}: most old cases end closed, {closed} of {cases}");

        // The cockpit's counters were rebuilt from these histories and agree with the cases.
        let buckets = minyi::domain::rates::Buckets {
            months: Some(("2000-01".into(), "2999-12".into())),
            head: None,
            tail: None,
        };
        let children = db::aggregates::region_sums(&mut tx, db::aggregates::Dim::Child, "/", &buckets).await.unwrap();
        let all = children.iter().fold(minyi::domain::tally::CaseCounts::default(), |sum, (_, c)| sum.plus(c));
        let all = &all;
        assert_eq!(all.received, cases, "{e}: every case counted once");
        assert_eq!(all.closed, closed, "{e}");
        assert_eq!(all.withdrawn, in_state("withdrawn"), "{e}");
        assert_eq!(all.merged, in_state("merged"), "{e}");
        let by_channel_sums =
            db::aggregates::region_sums(&mut tx, db::aggregates::Dim::Channel, "/", &buckets).await.unwrap();
        for (channel, count) in &by_channel {
            let counted = by_channel_sums.iter().find(|(k, _)| k == channel).map(|(_, c)| c.received).unwrap_or(0);
            assert_eq!(counted, *count, "{e}: cases by channel {channel}");
        }

        // Every station has reception days twice a month; most of those due were held.
        let today = t.app.today();
        let until = minyi::domain::reception::china_midnight(today);
        let reception = db::meetings::reception_counts(&mut tx, "/", 0, until, 1_000_000).await.unwrap();
        assert!(report.reception_days > report.units * 4, "{e}: {} reception days", report.reception_days);
        let stations = reception.len();
        // Every station, not the studios (about a third of the units).
        assert!(stations * 2 > report.units, "{e}: {stations} of {} units have reception days", report.units);
        assert_eq!(report.reception_days % stations, 0, "{e}: the same days at every station");
        let (planned, held) = reception.values().fold((0, 0), |(p, h), c| (p + c.planned, h + c.held));
        assert!(held * 100 >= planned * 80 && held * 100 <= planned * 92, "{e}: {held} held of {planned} planned");
        // The cockpit's counters of them (filled with the rest) say the same.
        let days_before_today = minyi::domain::rates::Buckets {
            months: None,
            head: Some(("1970-01-01".into(), (today - chrono::Duration::days(1)).to_string())),
            tail: None,
        };
        let counted = db::aggregates::reception_total(&mut tx, "/", &days_before_today).await.unwrap();
        assert_eq!((counted.planned, counted.held), (planned, held), "{e}: reception days in the counters");
        drop(tx);

        assert_eq!(
            verify_chain(&t.app).await.unwrap(),
            ChainReport::Sound { events },
            "{e}: the synthetic history verifies like a real one"
        );
        // A second synth into the same database is refused, not doubled.
        assert!(run(&t.app, &options).await.is_err(), "{e}");
        // The synth wrote as a bulk load and left the writer durable again.
        assert_eq!(t.app.db().writer_settings().await.unwrap(), durable_writer(e), "{e}");
    }
}

/// The writer as `Db::open_sqlite` sets it: every commit synced, 32 MB of pages, and its
/// own checkpoint only past 16,000 pages of log (serve checkpoints on a reading connection).
fn durable_writer(engine: &str) -> Option<(i64, i64, i64)> {
    (engine == "sqlite").then_some((2, -32_768, 16_000))
}

#[tokio::test]
async fn a_bulk_load_writes_unsynced_then_durably_again() {
    for t in engines().await {
        let (e, db) = (t.engine, t.app.db());
        assert_eq!(db.writer_settings().await.unwrap(), durable_writer(e), "{e}: as opened");
        db.bulk_load().await.unwrap();
        let bulk = (e == "sqlite").then_some((0, -1_048_576, 100_000));
        assert_eq!(db.writer_settings().await.unwrap(), bulk, "{e}: no sync, 1 GiB of pages");
        // Writes go on as usual meanwhile.
        let tx = db.write().await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(db.writer_settings().await.unwrap(), bulk, "{e}: kept across transactions");
        db.end_bulk_load().await.unwrap();
        assert_eq!(db.writer_settings().await.unwrap(), durable_writer(e), "{e}: durable again");
    }
}

#[tokio::test]
async fn the_same_seed_tells_the_same_stories() {
    let a = support::sqlite().await;
    let b = support::sqlite().await;
    let options = SynthOptions { cases: 300, seed: 11, days: 60, progress: false };
    let ra = run(&a.app, &options).await.unwrap();
    let rb = run(&b.app, &options).await.unwrap();
    assert_eq!((ra.cases, ra.assignments, ra.events), (rb.cases, rb.assignments, rb.events));
    let (mut ta, mut tb) = (a.read().await, b.read().await);
    assert_eq!(db::synth::cases_by_state(&mut ta).await.unwrap(), db::synth::cases_by_state(&mut tb).await.unwrap());
}
