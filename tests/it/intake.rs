//! Group commit of new cases: many submissions at once land exactly once each, in
//! fewer transactions than cases; a bad one in a batch gets its own error and sinks
//! nothing else; client tokens dedupe within a batch and across batches.

use std::collections::HashMap;

use minyi::actions::cases::{self, ChainReport, verify_chain};
use minyi::db;
use minyi::domain::case::CaseFields;
use minyi::domain::user::Scope;
use minyi::error::Error;

use crate::support::{actor, engines, load_demo};

const SUBMISSIONS: usize = 300;

/// The value of the line of `/metrics` text `rendered` that starts with `name`.
fn metric(rendered: &str, name: &str, engine: impl std::fmt::Display) -> f64 {
    let line = rendered.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{engine}: {name}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}
const TOKENS: usize = 240;

#[tokio::test]
async fn concurrent_submissions_land_once_each_in_shared_commits() {
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let before = {
            let mut tx = t.read().await;
            db::synth::totals(&mut tx).await.unwrap()
        };
        let deputy = actor(&t, "deputy").await;
        let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
        let fields = |i: usize| CaseFields {
            channel: "deputy_code".into(),
            representative_id: representative_id.clone(),
            category: "transport".into(),
            body: format!("第{i}件：村口的路灯坏了"),
            // Every fifth token is sent twice at once; one in forty has no token at all.
            client_token: if i % 40 == 39 { String::new() } else { format!("load-{}", i % TOKENS) },
            ..CaseFields::default()
        };
        let mut tasks = Vec::new();
        for i in 0..SUBMISSIONS {
            let (app, mine) = (t.app.clone(), fields(i));
            tasks.push(tokio::spawn(async move { (i, cases::submit(&app, &mine).await) }));
            if i == SUBMISSIONS / 2 {
                // A submission to nobody, in the middle of the crowd.
                let app = t.app.clone();
                let bad = CaseFields {
                    representative_id: "no-such-deputy".into(),
                    client_token: "bad-one".into(),
                    ..fields(0)
                };
                tasks.push(tokio::spawn(async move { (usize::MAX, cases::submit(&app, &bad).await) }));
            }
        }
        let mut by_token: HashMap<String, Vec<(String, bool)>> = HashMap::new();
        let mut untokened = Vec::new();
        for task in tasks {
            let (i, result) = task.await.unwrap();
            if i == usize::MAX {
                assert!(
                    matches!(&result, Err(Error::Invalid(fields)) if fields[0].field == "addressee"),
                    "{e}: the bad one gets its own error: {result:?}"
                );
                continue;
            }
            let submitted = result.unwrap_or_else(|err| panic!("{e}: submission {i}: {err:?}"));
            match fields(i).client_token.as_str() {
                "" => untokened.push(submitted.case_id),
                token => by_token.entry(token.to_string()).or_default().push((submitted.case_id, submitted.created)),
            }
        }
        let tokens: std::collections::HashSet<String> =
            (0..SUBMISSIONS).map(|i| fields(i).client_token).filter(|t| !t.is_empty()).collect();
        assert_eq!(by_token.len(), tokens.len(), "{e}");
        assert!(by_token.values().any(|seen| seen.len() == 2), "{e}: some tokens were sent twice at once");
        for (token, seen) in &by_token {
            assert_eq!(seen.iter().filter(|(_, created)| *created).count(), 1, "{e}: {token} created once: {seen:?}");
            assert!(seen.iter().all(|(id, _)| *id == seen[0].0), "{e}: {token} is one case: {seen:?}");
        }
        let expected_new = (tokens.len() + untokened.len()) as i64;
        let after = {
            let mut tx = t.read().await;
            db::synth::totals(&mut tx).await.unwrap()
        };
        assert_eq!(after.0 - before.0, expected_new, "{e}: exactly one case per token, none for the bad one");
        assert_eq!(after.2 - before.2, expected_new, "{e}: one history line each");
        let (batches, carried) = t.app.intake().stats();
        assert_eq!(carried, (SUBMISSIONS + 1) as u64, "{e}: every submission went through the intake writer");
        assert!(batches < carried / 4, "{e}: {carried} submissions shared {batches} commits");
        // The same counts, and where the batches' time went, are on /metrics.
        let metrics = t.app.metrics().handle().render();
        let value = |name: &str| metric(&metrics, name, e);
        assert_eq!(value("minyi_intake_batch_cases_sum "), carried as f64, "{e}");
        assert_eq!(value("minyi_intake_batch_cases_count "), batches as f64, "{e}");
        let committed = value("minyi_intake_phase_seconds_count{phase=\"commit\"} ");
        // A batch of nothing but errors and repeats of committed cases has nothing to commit.
        assert!(committed >= 1.0 && committed <= batches as f64, "{e}: {committed} of {batches} batches committed");
        for phase in ["check", "begin", "write", "commit"] {
            let count = value(&format!("minyi_intake_phase_seconds_count{{phase=\"{phase}\"}} "));
            let expected = if phase == "check" { batches as f64 } else { committed };
            assert_eq!(count, expected, "{e}: every batch timed its {phase}");
            assert!(value(&format!("minyi_intake_phase_seconds_sum{{phase=\"{phase}\"}} ")) > 0.0, "{e}: {phase}");
        }
        assert!(matches!(verify_chain(&t.app).await.unwrap(), ChainReport::Sound { .. }), "{e}");
        // Each new case told its deputy once, in the batch's one write of notices.
        let created = by_token.values().map(|seen| &seen[0].0).chain(&untokened);
        let mut tx = t.read().await;
        for case_id in created {
            let key = format!("case:{case_id}:case_new:1|inbox|{}", deputy.user_id());
            let notice = db::outbox::get_by_dedupe_key(&mut tx, &key).await.unwrap();
            assert!(notice.is_some_and(|n| n.link == format!("/cases/{case_id}")), "{e}: {key}");
        }
        drop(tx);

        // Across batches: the same tokens again find their cases, and create nothing.
        for i in 0..10 {
            let again = cases::submit(&t.app, &fields(i)).await.unwrap();
            assert!(!again.created, "{e}");
            assert_eq!(again.case_id, by_token[&format!("load-{i}")][0].0, "{e}");
        }
        let last = {
            let mut tx = t.read().await;
            db::synth::totals(&mut tx).await.unwrap()
        };
        assert_eq!(last.0, after.0, "{e}: nothing new");
    }
}

/// A province's batch reaches many receivers: its addressees and their accounts are read
/// for the whole batch at once. Cases to two deputies, a station and a studio (whose
/// notices go to their keepers and to the deputies serving there), to a representative
/// with no account, to one who left and to no unit at all, all in one crowd: each lands
/// with its own receiver, each notice greets that receiver by name and reaches exactly
/// its accounts, and the bad ones get their own errors.
#[tokio::test]
async fn a_batch_to_many_receivers_tells_each_its_own_accounts() {
    const EACH: usize = 12;
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let users = ["deputy", "member", "keeper", "studio-keeper", "office", "admin"];
        let mut actors = HashMap::new();
        for name in users {
            actors.insert(name, actor(&t, name).await);
        }
        let rep_of = |name: &str| match actors[name].scope() {
            Scope::Representative { representative_id, .. } => representative_id.clone(),
            other => panic!("{e}: {name} is no representative: {other:?}"),
        };
        let unit_of = |name: &str| match actors[name].scope() {
            Scope::Unit { unit_id, .. } => unit_id.clone(),
            other => panic!("{e}: {name} keeps no unit: {other:?}"),
        };
        let (deputy, member, station, studio) =
            (rep_of("deputy"), rep_of("member"), unit_of("keeper"), unit_of("studio-keeper"));
        // The station's and the studio's notices also reach the representatives serving there.
        let mut tx = t.read().await;
        let serves =
            |rep: &minyi::domain::representative::Representative, unit: &str| rep.unit_ids.iter().any(|u| u == unit);
        let deputy_rep = db::representatives::get(&mut tx, &deputy).await.unwrap().unwrap();
        let member_rep = db::representatives::get(&mut tx, &member).await.unwrap().unwrap();
        let all_reps = db::representatives::list(
            &mut tx,
            &minyi::domain::permission::ListFilter::All,
            "",
            db::PageRequest::new(1, 500),
        )
        .await
        .unwrap()
        .items;
        drop(tx);
        let silent = all_reps.iter().find(|r| r.input.active && r.id != deputy && r.id != member).expect("another");
        let gone = all_reps.iter().find(|r| !r.input.active);
        assert!(gone.is_some(), "{e}: the demo has a representative who left");
        let station_name = {
            let mut tx = t.read().await;
            db::units::get(&mut tx, &station).await.unwrap().unwrap().input.name
        };
        let studio_name = {
            let mut tx = t.read().await;
            db::units::get(&mut tx, &studio).await.unwrap().unwrap().input.name
        };
        let mut station_accounts = vec!["keeper"];
        let mut studio_accounts = vec!["studio-keeper"];
        for (name, rep) in [("deputy", &deputy_rep), ("member", &member_rep)] {
            if serves(rep, &station) {
                station_accounts.push(name);
            }
            if serves(rep, &studio) {
                studio_accounts.push(name);
            }
        }
        // (representative, unit, whom it greets, the accounts told)
        let receivers: Vec<(String, String, String, Vec<&str>)> = vec![
            (deputy.clone(), String::new(), deputy_rep.input.name.clone(), vec!["deputy"]),
            (member.clone(), String::new(), member_rep.input.name.clone(), vec!["member"]),
            (String::new(), station.clone(), station_name, station_accounts),
            (String::new(), studio.clone(), studio_name, studio_accounts),
            (silent.id.clone(), String::new(), silent.input.name.clone(), vec![]),
        ];
        let (batches_before, carried_before) = t.app.intake().stats();
        let mut tasks = Vec::new();
        for i in 0..EACH {
            for (r, (rep, unit, _, _)) in receivers.iter().enumerate() {
                let fields = CaseFields {
                    channel: if unit.is_empty() { "deputy_code" } else { "station_code" }.into(),
                    representative_id: rep.clone(),
                    unit_id: unit.clone(),
                    category: "transport".into(),
                    body: format!("第{i}件，致第{r}位：村口的路灯坏了"),
                    ..CaseFields::default()
                };
                let app = t.app.clone();
                tasks.push(tokio::spawn(async move { (Some(r), cases::submit(&app, &fields).await) }));
            }
            let bad = [
                gone.map(|g| CaseFields {
                    representative_id: g.id.clone(),
                    channel: "deputy_code".into(),
                    ..CaseFields::default()
                }),
                Some(CaseFields {
                    unit_id: "no-such-unit".into(),
                    channel: "station_code".into(),
                    ..CaseFields::default()
                }),
            ];
            for fields in bad.into_iter().flatten() {
                let app = t.app.clone();
                let fields = CaseFields { category: "transport".into(), body: "没有收件人".into(), ..fields };
                tasks.push(tokio::spawn(async move { (None, cases::submit(&app, &fields).await) }));
            }
        }
        let mut landed: Vec<(usize, String)> = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (Some(r), result) => {
                    landed.push((r, result.unwrap_or_else(|err| panic!("{e}: to {r}: {err:?}")).case_id))
                }
                (None, result) => assert!(
                    matches!(&result, Err(Error::Invalid(fields)) if fields[0].field == "addressee"),
                    "{e}: an addressee that cannot receive is refused alone: {result:?}"
                ),
            }
        }
        let (batches, carried) = t.app.intake().stats();
        assert!(batches - batches_before < (carried - carried_before) / 2, "{e}: the receivers shared batches");
        let mut tx = t.read().await;
        for (r, case_id) in &landed {
            let (rep, unit, name, told) = &receivers[*r];
            let case = db::cases::get(&mut tx, case_id).await.unwrap().unwrap();
            assert_eq!(case.representative_id.clone().unwrap_or_default(), *rep, "{e}");
            assert_eq!(case.unit_id.clone().unwrap_or_default(), *unit, "{e}");
            for user in users {
                let key = format!("case:{case_id}:case_new:1|inbox|{}", actors[user].user_id());
                let notice = db::outbox::get_by_dedupe_key(&mut tx, &key).await.unwrap();
                assert_eq!(notice.is_some(), told.contains(&user), "{e}: case to {r}, {user}'s notice: {notice:?}");
                if let Some(notice) = notice {
                    assert!(notice.body.starts_with(&format!("{name}：")), "{e}: greets {name}: {}", notice.body);
                }
            }
        }
    }
}

/// The intake leaves a new case's cockpit counters to a fold (`agg_pending`): the counter
/// tables do not move until one runs; the cockpit folds before it reads, so it counts
/// every case acknowledged; two folds at once, a few cases a transaction, count each case
/// once; and what the folds add equals the counters rebuilt from the history.
#[tokio::test]
async fn new_cases_are_counted_by_a_fold_exactly_once() {
    use minyi::actions::cockpit;
    use minyi::db::aggregates;
    const CASES: usize = 30;
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let admin = actor(&t, "admin").await;
        let deputy = actor(&t, "deputy").await;
        let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
        let received = async || cockpit::overview(&t.app, &admin, "", "", "").await.expect("cockpit").total.received;
        // The counters as stored, without a fold (the open cases by due day included).
        let raw = async || aggregates::dump(&mut t.read().await).await.expect("dump");
        let pending = async || !aggregates::first_pending(&mut t.read().await, 1).await.expect("pending").is_empty();
        let submit_all = async |from: usize, n: usize| {
            let mut tasks = Vec::new();
            for i in from..from + n {
                let (app, rep) = (t.app.clone(), representative_id.clone());
                tasks.push(tokio::spawn(async move {
                    let fields = CaseFields {
                        channel: "deputy_code".into(),
                        representative_id: rep,
                        category: "environment".into(),
                        body: format!("第{i}件：河道里有人倾倒垃圾"),
                        ..CaseFields::default()
                    };
                    cases::submit(&app, &fields).await
                }));
            }
            for task in tasks {
                task.await.unwrap().unwrap_or_else(|err| panic!("{e}: a submission: {err:?}"));
            }
        };

        let counted = received().await;
        let counters = raw().await;
        assert!(!pending().await, "{e}: nothing waits before any case");
        submit_all(0, CASES).await;
        assert!(pending().await, "{e}: the new cases wait to be counted");
        assert_eq!(raw().await, counters, "{e}: the intake wrote no counter row");

        // Seven a transaction: each fold goes on chunk after chunk until none is left.
        let (a, b) =
            tokio::join!(cockpit::fold_pending_in_chunks(t.db(), 7), cockpit::fold_pending_in_chunks(t.db(), 7));
        let (a, b) = (a.expect("a fold"), b.expect("a fold"));
        assert_eq!(a + b, CASES as u64, "{e}: two folds at once took each case once ({a} and {b})");
        assert!(!pending().await, "{e}");
        assert_eq!(cockpit::fold_pending(t.db()).await.expect("a fold"), 0, "{e}: nothing is left");
        assert_eq!(received().await, counted + CASES as i64, "{e}: the folds counted each case once");

        // The cockpit folds before it reads.
        submit_all(CASES, 5).await;
        assert!(pending().await, "{e}");
        assert_eq!(received().await, counted + CASES as i64 + 5, "{e}: the cockpit counts the newest cases");
        assert!(!pending().await, "{e}");
        let words = |rows: &[String]| rows.iter().filter(|l| l.starts_with("word ")).count();
        assert!(words(&raw().await) > words(&counters), "{e}: the cases' hot words are counted");
        // The cockpit's fold (5 cases; none of the folds that found nothing) is on /metrics.
        let metrics = t.app.metrics().handle().render();
        let value = |name: &str| metric(&metrics, name, e);
        assert_eq!(value("minyi_cockpit_fold_cases_sum "), 5.0, "{e}");
        assert_eq!(value("minyi_cockpit_fold_cases_count "), 1.0, "{e}");
        assert_eq!(value("minyi_cockpit_fold_seconds_count "), 1.0, "{e}");

        // A rebuild counts the waiting cases from their history, and forgets them.
        submit_all(CASES + 5, 3).await;
        assert!(pending().await, "{e}");
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert!(!pending().await, "{e}: the rebuild took the waiting cases");
        assert_eq!(received().await, counted + CASES as i64 + 8, "{e}: the rebuild counted each case once");

        submit_all(CASES + 8, 2).await;
        let maintained = cockpit::dump_aggregates(t.db()).await.expect("dump");
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert_eq!(cockpit::dump_aggregates(t.db()).await.expect("dump"), maintained, "{e}: folded equals rebuilt");
    }
}

/// A new case's place among the open cases by due day (`db::open_due`) is added by the
/// fold too: the intake writes none of it; a case acknowledged before its fold ends up
/// counted where it now is; and the counter emptied and counted again from the cases while
/// cases wait (a database just migrated) counts each of them once.
#[tokio::test]
async fn open_cases_by_due_day_are_added_by_the_fold() {
    use minyi::actions::cases::{CaseRef, Who};
    use minyi::actions::cockpit;
    use minyi::domain::workflow::Move;
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let deputy = actor(&t, "deputy").await;
        let open_due = async || {
            let rows = db::aggregates::dump(&mut t.read().await).await.expect("dump");
            rows.into_iter().filter(|row| row.starts_with("open_due ")).collect::<Vec<_>>()
        };
        let submit = async |i: usize| {
            let fields = crate::support::to_deputy(&deputy, &format!("第{i}件：小区门口路灯不亮，晚上出行不便。"));
            cases::submit(&t.app, &fields).await.unwrap_or_else(|err| panic!("{e}: a submission: {err:?}")).case_id
        };
        let acknowledge = async |id: &str| {
            cases::act(&t.app, Who::Staff(&deputy), CaseRef::Id(id), None, Move::Acknowledge)
                .await
                .unwrap_or_else(|err| panic!("{e}: acknowledging {id}: {err:?}"));
        };
        let before = open_due().await;
        assert!(!before.is_empty(), "{e}: the demo's open cases are counted");
        let first = submit(0).await;
        submit(1).await;
        assert_eq!(open_due().await, before, "{e}: the intake left the new cases to the fold");
        acknowledge(&first).await;

        t.execute_raw("DELETE FROM open_due").await;
        assert_eq!(cockpit::fill_if_empty(t.db()).await.expect("fill"), None, "{e}: only open_due was empty");
        let third = submit(2).await;
        acknowledge(&third).await;
        assert_eq!(cockpit::fold_pending(t.db()).await.expect("a fold"), 3, "{e}");
        let folded = open_due().await;
        assert_ne!(folded, before, "{e}: the new cases are counted");
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert_eq!(open_due().await, folded, "{e}: folded equals counted from the cases");
    }
}

/// On SQLite the intake's own batches add a fold a slice at a time (`cockpit::carry_fold`):
/// `plan_fold` sums the waiting cases and writes nothing; each batch adds a slice of its
/// rows and notes in `agg_fold` how many; a server that stops half-way (the fold forgotten
/// in memory, the note kept) goes on past the rows noted, so each case is counted once, as
/// a rebuild from the history counts it; a fold whose cases a rebuild took adds nothing.
/// On PostgreSQL `plan_fold` folds at once and a batch carries nothing.
#[tokio::test]
async fn a_fold_carried_by_the_intake_counts_each_case_once_after_a_stop() {
    use minyi::actions::cockpit;
    use minyi::db::aggregates;
    for t in engines().await {
        let e = t.engine;
        let carries = t.db().carried_fold().is_some();
        assert_eq!(carries, e == "sqlite", "{e}: only SQLite's intake carries folds");
        load_demo(&t).await;
        let deputy = actor(&t, "deputy").await;
        let raw = async || aggregates::dump(&mut t.read().await).await.expect("dump");
        let noted = async || aggregates::noted_fold(&mut t.read().await).await.expect("note");
        let submit = async |i: usize| {
            let fields = crate::support::to_deputy(&deputy, &format!("第{i}件：菜市场门口积水，雨天进出不便。"));
            cases::submit(&t.app, &fields).await.unwrap_or_else(|err| panic!("{e}: a submission: {err:?}"));
        };
        // Adds `rows` rows of the carried fold in a transaction of its own, as a batch does.
        let carry = async |rows: usize, remember: bool| {
            let mut tx = t.write().await;
            let carrying = cockpit::carry_fold_rows(t.db(), &mut tx, rows).await.expect("a slice");
            tx.commit().await.expect("commit");
            match carrying {
                Some(carrying) if remember => carrying.committed(),
                Some(forgotten) => drop(forgotten),
                None => {}
            }
        };
        cockpit::fold_pending(t.db()).await.expect("a fold");
        for i in 0..6 {
            submit(i).await;
        }
        let before = raw().await;
        let folded = cockpit::plan_fold(t.db()).await.expect("a plan");
        if !carries {
            assert_eq!(folded, 6, "{e}: the fold is done at once");
            carry(5, true).await;
            assert_eq!(noted().await, None, "{e}");
            continue;
        }
        assert_eq!(folded, 0, "{e}: a plan counts nothing yet");
        assert_eq!(raw().await, before, "{e}: a plan writes nothing");
        assert_eq!(noted().await, None, "{e}");
        carry(5, true).await;
        let (last_seq, cases, rows_done) = noted().await.expect("the first slice notes the fold");
        assert_eq!((cases, rows_done), (6, 5), "{e}: up to submission {last_seq}");
        assert_ne!(raw().await, before, "{e}: the first slice is added");
        carry(7, true).await;
        assert_eq!(noted().await.map(|n| n.2), Some(12), "{e}: the next slice goes on from there");
        // The server "stops": a slice commits but the fold is forgotten in memory. A batch
        // of the intake then carries nothing, and the cockpit's fold finishes it from the
        // note, then counts the case that came after it.
        carry(3, false).await;
        assert_eq!(noted().await.map(|n| n.2), Some(15), "{e}");
        carry(3, true).await;
        submit(6).await;
        assert_eq!(noted().await.map(|n| n.2), Some(15), "{e}: a forgotten fold is not carried");
        assert_eq!(cockpit::fold_pending(t.db()).await.expect("a fold"), 7, "{e}: the six cases and the seventh");
        assert_eq!(noted().await, None, "{e}: the finished fold's note is gone");
        let maintained = raw().await;
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert_eq!(raw().await, maintained, "{e}: carried, stopped and finished equals rebuilt");

        // The intake's batches carry a fold to its end (fewer rows than CARRY_ROWS here).
        for i in 7..10 {
            submit(i).await;
        }
        assert_eq!(cockpit::plan_fold(t.db()).await.expect("a plan"), 0, "{e}");
        submit(10).await;
        assert_eq!(noted().await, None, "{e}: the batch added the whole fold");
        let waiting = aggregates::first_pending(&mut t.read().await, 10).await.expect("pending");
        assert_eq!(waiting.len(), 1, "{e}: only the case after the fold waits");
        assert_eq!(cockpit::fold_pending(t.db()).await.expect("a fold"), 1, "{e}");
        let maintained = raw().await;
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        assert_eq!(raw().await, maintained, "{e}: carried by the batches equals rebuilt");

        // A fold planned before a rebuild took its cases adds nothing.
        submit(7).await;
        cockpit::plan_fold(t.db()).await.expect("a plan");
        cockpit::rebuild_aggregates(t.db(), |_| {}).await.expect("rebuild");
        let rebuilt = raw().await;
        carry(1000, true).await;
        assert_eq!(raw().await, rebuilt, "{e}: the stale fold is dropped");
        assert_eq!(noted().await, None, "{e}");
    }
}

/// The checker works a batch ahead of the committer: a client token sent again while its
/// first case is checked but not committed is answered with that case once it commits,
/// and told to send again if that commit fails, never given a case that is not there.
/// The committer is held at the chain head by a write transaction of the test's own (on
/// SQLite the one writer itself), so both submissions are checked while the first waits.
#[tokio::test]
async fn a_token_sent_again_while_its_case_waits_for_its_commit_is_answered_after_it() {
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let deputy = actor(&t, "deputy").await;
        let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
        let fields = |token: &str| CaseFields {
            channel: "deputy_code".into(),
            representative_id: representative_id.clone(),
            category: "transport".into(),
            body: "桥头的护栏松了".into(),
            client_token: token.into(),
            ..CaseFields::default()
        };
        // Both sent while the committer waits; returns their answers once `release` ran.
        let twice = |token: &'static str| {
            let (app, mine) = (t.app.clone(), fields(token));
            async move {
                let (batches, _) = app.intake().stats();
                let first = tokio::spawn({
                    let (app, mine) = (app.clone(), mine.clone());
                    async move { cases::submit(&app, &mine).await }
                });
                wait_until(|| app.intake().tokens_in_flight() == 1, e, "the first case checked").await;
                let again = tokio::spawn({
                    let app = app.clone();
                    async move { cases::submit(&app, &mine).await }
                });
                wait_until(|| app.intake().stats().0 == batches + 2, e, "the second checked").await;
                (first, again)
            }
        };

        // The first commits: both answers name its case, once created.
        let mut hold = t.write().await;
        db::cases::claim_chain(&mut hold).await.unwrap();
        let (first, again) = twice("sent-twice").await;
        hold.commit().await.unwrap();
        let (first, again) = (first.await.unwrap().unwrap(), again.await.unwrap().unwrap());
        assert!(first.created && !again.created, "{e}: {first:?} {again:?}");
        assert_eq!(first.case_id, again.case_id, "{e}");
        assert_eq!(t.app.intake().tokens_in_flight(), 0, "{e}: the token left with its commit");
        let sent_twice = first.case_id;

        // The first fails (its token was taken meanwhile by a case of the test's own): the
        // repeat is told to send again; sent again, it finds the case that holds the token.
        let mut hold = t.write().await;
        db::cases::claim_chain(&mut hold).await.unwrap();
        let (first, again) = twice("taken-meanwhile").await;
        let mut other = db::cases::get(&mut hold, &sent_twice).await.unwrap().unwrap();
        other.id = db::new_id();
        other.tracking_code = format!("TEST{}", &other.id[other.id.len() - 8..]);
        db::cases::insert_many(&mut hold, &[(&other, Some("taken-meanwhile"))]).await.unwrap();
        hold.commit().await.unwrap();
        let (first, again) = (first.await.unwrap(), again.await.unwrap());
        assert!(matches!(first, Err(Error::Internal(_))), "{e}: the batch failed: {first:?}");
        assert!(matches!(again, Err(Error::Internal(_))), "{e}: the repeat is not given a lost case: {again:?}");
        let third = cases::submit(&t.app, &fields("taken-meanwhile")).await.unwrap();
        assert!(!third.created, "{e}");
        assert_eq!(third.case_id, other.id, "{e}: the token's case, as committed");
    }
}

/// Polls `done` until it holds; panics after ten seconds.
async fn wait_until(done: impl Fn() -> bool, engine: &str, what: &str) {
    for _ in 0..10_000 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    panic!("{engine}: never happened: {what}");
}
