//! The cockpit's counters: added to in the transaction that appends a case event (or,
//! for the intake's new cases, by a fold of those waiting in `agg_pending`), summed over a
//! region and a period when the cockpit asks.
//!
//! Every counter is filed under its cohort day and that day's month
//! (`domain::rates::GRAINS`), so a period reads its whole months and only the days of
//! its ragged ends (`Period::buckets`). The region breakdowns (`Dim::Child`,
//! `Dim::Channel`, `Dim::Category`) and the hot words are filed under every region path
//! above the case, so a view of any region reads a few hundred rows, however many cases
//! lie below it; a station's and a representative's counters (`Dim::Unit`, `Dim::Rep`)
//! and a department's are filed once, under the case's own path, and a subtree of them
//! is read region path by region path up to a bound. The stations' and representatives'
//! are also filed summed under the case's top-level region (`Dim::UnitRollup`,
//! `Dim::RepRollup`; a department's under the region's path marked with [`TOP_MARK`]), so
//! the widest views (the whole installation, a province) read one range of rows a
//! top-level region instead of one seek per region below ([`read::Reach`]). Every table
//! has a `_next` copy that a rebuild fills and then swaps in.

use std::collections::BTreeMap;

use super::{DbResult, Tx};

mod carried;
mod pending;
mod read;
mod rebuild;
use crate::domain::calendar::cst_date;
use crate::domain::meeting::{Meeting, MeetingKind, MeetingState};
use crate::domain::rates::buckets_of;
use crate::domain::reception::{ReceptionCount, ReceptionDay, count_of};
use crate::domain::tally::{AssignmentFact, CaseCounts, DeptCounts, Tally};
pub use carried::{Carried, Carry, carry, clear_fold, noted_fold};
pub use pending::{Pending, clear_pending, defer, first_pending, pending_open, pending_through, take_pending};
pub use read::*;
pub use rebuild::{RebuildProgress, rebuild_progress, save_rebuild_progress};

/// What a case's counters are filed by: its cohort day, where it was filed, and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseKey {
    pub day: chrono::NaiveDate,
    pub region_path: String,
    pub channel: String,
    pub category: String,
    pub unit_id: String,
    pub representative_id: String,
}

/// The mark before a top-level region's path under which `agg_departments` files the sums
/// of that region's departments (`+/a/`; a region path starts with `/`, so a marked row is
/// never one region's own), read by `/` and top-level views as `agg_cases` reads
/// `Dim::UnitRollup`. The SQL of `read::{departments_within, department_sums,
/// department_top}` and the migration `20261130000009_agg_departments_rollup.sql` write it
/// as the literal `'+'`.
pub const TOP_MARK: &str = "+";

/// A breakdown of the case counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// Per child region of the region looked at ('' for cases filed at the region itself).
    Child,
    Channel,
    Category,
    /// Per station (unit) a case was addressed to.
    Unit,
    /// Per representative a case was addressed to.
    Rep,
    /// `Unit`, summed under the case's top-level region instead of its own path.
    UnitRollup,
    /// `Rep`, summed under the case's top-level region instead of its own path.
    RepRollup,
}

impl Dim {
    fn as_str(self) -> &'static str {
        match self {
            Dim::Child => "child",
            Dim::Channel => "channel",
            Dim::Category => "category",
            Dim::Unit => "unit",
            Dim::Rep => "rep",
            Dim::UnitRollup => "unit_rollup",
            Dim::RepRollup => "rep_rollup",
        }
    }

    /// The dimension `self` is summed into under a top-level region (itself if none).
    fn rollup(self) -> Dim {
        match self {
            Dim::Unit => Dim::UnitRollup,
            Dim::Rep => Dim::RepRollup,
            other => other,
        }
    }
}

/// The region paths a case filed at `path` counts under: the root `/`, every region
/// above, and `path` itself, each with the child of it the case lies under ('' at
/// `path`).
pub fn ancestors(path: &str) -> Vec<(&str, &str)> {
    let child_under = |above: &str| path[above.len()..].split('/').next().unwrap_or_default();
    crate::domain::region::lineage(path).into_iter().map(|above| (above, child_under(above))).collect()
}

type CaseRow = (Dim, String, &'static str, String, String);
type DeptRow = (String, &'static str, String, String);
type WordRow = (String, &'static str, String, String);
type ReceptionRow = (String, &'static str, String);

/// What one or more events add to the counters, summed per row before anything is
/// written (in key order, so two writers never take rows in opposite orders).
#[derive(Debug, Default)]
pub struct Additions {
    cases: BTreeMap<CaseRow, CaseCounts>,
    departments: BTreeMap<DeptRow, DeptCounts>,
    words: BTreeMap<WordRow, i64>,
    /// The latest day a case came to each station (`units.last_case_day`).
    last_days: BTreeMap<String, chrono::NaiveDate>,
    /// Planned and held reception days (`agg_reception`), as signed changes.
    reception: BTreeMap<ReceptionRow, ReceptionCount>,
}

impl Additions {
    /// Files `delta` (a change to one case's counters) under every row its key reaches.
    pub fn case(&mut self, key: &CaseKey, delta: &Tally) {
        let buckets = buckets_of(key.day);
        if delta.case.received > 0 && !key.unit_id.is_empty() {
            let last = self.last_days.entry(key.unit_id.clone()).or_insert(key.day);
            *last = (*last).max(key.day);
        }
        if !delta.case.is_zero() {
            let mut add = |row: CaseRow| {
                let entry = self.cases.entry(row).or_default();
                *entry = entry.plus(&delta.case);
            };
            let top = ancestors(&key.region_path).get(1).map(|(top, _)| top.to_string());
            for (grain, bucket) in &buckets {
                for (path, child) in ancestors(&key.region_path) {
                    add((Dim::Child, path.to_string(), grain, bucket.clone(), child.to_string()));
                    add((Dim::Channel, path.to_string(), grain, bucket.clone(), key.channel.clone()));
                    add((Dim::Category, path.to_string(), grain, bucket.clone(), key.category.clone()));
                }
                for (dim, id) in [(Dim::Unit, &key.unit_id), (Dim::Rep, &key.representative_id)] {
                    if id.is_empty() {
                        continue;
                    }
                    add((dim, key.region_path.clone(), grain, bucket.clone(), id.clone()));
                    if let Some(top) = &top {
                        add((dim.rollup(), top.clone(), grain, bucket.clone(), id.clone()));
                    }
                }
            }
        }
        let top = ancestors(&key.region_path).get(1).map(|(top, _)| format!("{TOP_MARK}{top}"));
        for (department_id, counts) in &delta.departments {
            for (grain, bucket) in &buckets {
                for path in std::iter::once(&key.region_path).chain(&top) {
                    let row = (path.clone(), *grain, bucket.clone(), department_id.clone());
                    let entry = self.departments.entry(row).or_default();
                    *entry = entry.plus(counts);
                }
            }
        }
    }

    /// Adds `change` (planned and held, each -1, 0 or 1) for a reception day of a station
    /// at `region_path` on `day`.
    pub fn reception(&mut self, region_path: &str, day: chrono::NaiveDate, change: ReceptionCount) {
        if change == ReceptionCount::default() {
            return;
        }
        for (grain, bucket) in buckets_of(day) {
            for (path, _) in ancestors(region_path) {
                let entry = self.reception.entry((path.to_string(), grain, bucket.clone())).or_default();
                *entry = entry.plus(&change);
            }
        }
    }

    /// Counts one case under each of `words`.
    pub fn words(&mut self, key: &CaseKey, words: &[String]) {
        for (grain, bucket) in buckets_of(key.day) {
            for (path, _) in ancestors(&key.region_path) {
                for word in words {
                    *self.words.entry((path.to_string(), grain, bucket.clone(), word.clone())).or_default() += 1;
                }
            }
        }
    }

    /// Moves up to `rows` rows (in key order, the cases' first) and every station's latest
    /// day into additions of their own, for writing in parts.
    pub fn take_first(&mut self, rows: usize) -> Additions {
        let last_days = std::mem::take(&mut self.last_days);
        Additions { last_days, ..self.take_first_rows(rows) }
    }

    /// Moves up to `rows` counter rows (in key order, the cases' first) into additions of
    /// their own, the stations' latest days left behind.
    fn take_first_rows(&mut self, rows: usize) -> Additions {
        fn take<K: Ord, V>(from: &mut BTreeMap<K, V>, into: &mut BTreeMap<K, V>, left: &mut usize) {
            while *left > 0 {
                let Some((k, v)) = from.pop_first() else { return };
                into.insert(k, v);
                *left -= 1;
            }
        }
        let mut part = Additions::default();
        let mut left = rows;
        take(&mut self.cases, &mut part.cases, &mut left);
        take(&mut self.departments, &mut part.departments, &mut left);
        take(&mut self.words, &mut part.words, &mut left);
        take(&mut self.reception, &mut part.reception, &mut left);
        part
    }

    /// Moves up to `rows` rows into additions of their own, in key order, the cases' first
    /// and the stations' latest days last, one a row ([`carried`]'s slices: a fold's
    /// stations are thousands of statements, spread like its rows).
    pub fn take_slice(&mut self, rows: usize) -> Additions {
        let mut part = self.take_first_rows(rows);
        let mut left = rows - part.len();
        while left > 0 {
            let Some((unit, day)) = self.last_days.pop_first() else { break };
            part.last_days.insert(unit, day);
            left -= 1;
        }
        part
    }

    /// How many rows [`Additions::take_slice`] counts: the counter rows and the stations'
    /// latest days.
    pub fn slice_len(&self) -> usize {
        self.len() + self.last_days.len()
    }

    /// How many counter rows are left to write (a station's latest day is not one).
    pub fn len(&self) -> usize {
        self.cases.len() + self.departments.len() + self.words.len() + self.reception.len()
    }

    /// Whether nothing is left to write.
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
            && self.departments.is_empty()
            && self.words.is_empty()
            && self.reception.is_empty()
            && self.last_days.is_empty()
    }

    /// Adds everything `other` holds.
    pub fn absorb(&mut self, other: Additions) {
        for (row, counts) in other.cases {
            let entry = self.cases.entry(row).or_default();
            *entry = entry.plus(&counts);
        }
        for (row, counts) in other.departments {
            let entry = self.departments.entry(row).or_default();
            *entry = entry.plus(&counts);
        }
        for (row, n) in other.words {
            *self.words.entry(row).or_default() += n;
        }
        for (row, change) in other.reception {
            let entry = self.reception.entry(row).or_default();
            *entry = entry.plus(&change);
        }
        for (unit, day) in other.last_days {
            let last = self.last_days.entry(unit).or_insert(day);
            *last = (*last).max(day);
        }
    }
}

/// The three multi-row upserts of [`apply_to`], into the tables its literals name.
macro_rules! upsert {
    ($tx:expr, $cases:expr, $departments:expr, $words:expr, $h0:literal, $t0:literal, $h1:literal, $t1:literal,
     $h2:literal, $t2:literal) => {{
        bulk_insert!($tx, $h0, $t0, 5 + 23, $cases, |b, row| {
            let ((dim, path, grain, bucket, key), values) = row;
            b.push_bind(dim.as_str()).push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str());
            b.push_bind(key.as_str());
            for v in values {
                b.push_bind(*v);
            }
        });
        bulk_insert!($tx, $h1, $t1, 4 + 11, $departments, |b, row| {
            let ((path, grain, bucket, department_id), values) = row;
            b.push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str()).push_bind(department_id.as_str());
            for v in values {
                b.push_bind(*v);
            }
        });
        bulk_insert!($tx, $h2, $t2, 5, $words, |b, row| {
            let ((path, grain, bucket, word), n) = row;
            b.push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str()).push_bind(word.as_str());
            b.push_bind(**n);
        });
    }};
}
/// Which copy of the counters a write goes to: the ones the cockpit reads, or the
/// ones a rebuild is filling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counters {
    Live,
    Next,
}

/// Adds `additions` to the counters the cockpit reads: one multi-row upsert per table.
pub async fn apply(tx: &mut Tx, additions: &Additions) -> DbResult<()> {
    apply_to(tx, Counters::Live, additions).await
}

/// Adds `additions` to one copy of the counters.
pub async fn apply_to(tx: &mut Tx, counters: Counters, additions: &Additions) -> DbResult<()> {
    let cases: Vec<(&CaseRow, Vec<i64>)> = additions.cases.iter().map(|(k, c)| (k, c.values())).collect();
    let departments: Vec<(&DeptRow, Vec<i64>)> = additions.departments.iter().map(|(k, c)| (k, c.values())).collect();
    let words: Vec<(&WordRow, &i64)> = additions.words.iter().collect();
    // Reception days have one copy: a rebuild counts them again in its last transaction.
    let reception: Vec<(&ReceptionRow, &ReceptionCount)> = additions.reception.iter().collect();
    bulk_insert!(
        tx,
        "INSERT INTO agg_reception (region_path, grain, bucket, planned, held) ",
        " ON CONFLICT (region_path, grain, bucket) DO UPDATE SET planned = agg_reception.planned + excluded.planned,
             held = agg_reception.held + excluded.held",
        5,
        reception,
        |b, row| {
            let ((path, grain, bucket), change) = row;
            b.push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str());
            b.push_bind(change.planned).push_bind(change.held);
        }
    );
    // Only ever moved later, so a rebuild (either copy) writes the live column too.
    for (unit, day) in &additions.last_days {
        exec!(
            tx,
            "UPDATE units SET last_case_day = $2 WHERE id = $1 AND last_case_day < $2",
            unit.as_str(),
            day.to_string()
        )?;
    }
    match counters {
        Counters::Live => upsert!(
            tx,
            cases,
            departments,
            words,
            "INSERT INTO agg_cases (dim, region_path, grain, bucket, key, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions) ",
            " ON CONFLICT (dim, region_path, grain, bucket, key) DO UPDATE SET received = agg_cases.received + excluded.received, acknowledged = agg_cases.acknowledged + excluded.acknowledged, ack_on_time = agg_cases.ack_on_time + excluded.ack_on_time, answered_direct = agg_cases.answered_direct + excluded.answered_direct, forwarded = agg_cases.forwarded + excluded.forwarded, answered = agg_cases.answered + excluded.answered, answered_on_time = agg_cases.answered_on_time + excluded.answered_on_time, closed = agg_cases.closed + excluded.closed, solved = agg_cases.solved + excluded.solved, withdrawn = agg_cases.withdrawn + excluded.withdrawn, merged = agg_cases.merged + excluded.merged, reopened = agg_cases.reopened + excluded.reopened, citizen_satisfied = agg_cases.citizen_satisfied + excluded.citizen_satisfied, citizen_basic = agg_cases.citizen_basic + excluded.citizen_basic, citizen_unsatisfied = agg_cases.citizen_unsatisfied + excluded.citizen_unsatisfied, rep_satisfied = agg_cases.rep_satisfied + excluded.rep_satisfied, rep_basic = agg_cases.rep_basic + excluded.rep_basic, rep_unsatisfied = agg_cases.rep_unsatisfied + excluded.rep_unsatisfied, rated_both = agg_cases.rated_both + excluded.rated_both, disagree = agg_cases.disagree + excluded.disagree, returns = agg_cases.returns + excluded.returns, reworks = agg_cases.reworks + excluded.reworks, extensions = agg_cases.extensions + excluded.extensions",
            "INSERT INTO agg_departments (region_path, grain, bucket, department_id, assigned, returned, reworked, ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic, rated_unsatisfied) ",
            " ON CONFLICT (region_path, grain, bucket, department_id) DO UPDATE SET assigned = agg_departments.assigned + excluded.assigned, returned = agg_departments.returned + excluded.returned, reworked = agg_departments.reworked + excluded.reworked, ext_requested = agg_departments.ext_requested + excluded.ext_requested, ext_granted = agg_departments.ext_granted + excluded.ext_granted, submitted = agg_departments.submitted + excluded.submitted, submitted_on_time = agg_departments.submitted_on_time + excluded.submitted_on_time, completed = agg_departments.completed + excluded.completed, rated_satisfied = agg_departments.rated_satisfied + excluded.rated_satisfied, rated_basic = agg_departments.rated_basic + excluded.rated_basic, rated_unsatisfied = agg_departments.rated_unsatisfied + excluded.rated_unsatisfied",
            "INSERT INTO agg_hot_words (region_path, grain, bucket, word, cases) ",
            " ON CONFLICT (region_path, grain, bucket, word) DO UPDATE SET cases = agg_hot_words.cases + excluded.cases"
        ),
        Counters::Next => upsert!(
            tx,
            cases,
            departments,
            words,
            "INSERT INTO agg_cases_next (dim, region_path, grain, bucket, key, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions) ",
            " ON CONFLICT (dim, region_path, grain, bucket, key) DO UPDATE SET received = agg_cases_next.received + excluded.received, acknowledged = agg_cases_next.acknowledged + excluded.acknowledged, ack_on_time = agg_cases_next.ack_on_time + excluded.ack_on_time, answered_direct = agg_cases_next.answered_direct + excluded.answered_direct, forwarded = agg_cases_next.forwarded + excluded.forwarded, answered = agg_cases_next.answered + excluded.answered, answered_on_time = agg_cases_next.answered_on_time + excluded.answered_on_time, closed = agg_cases_next.closed + excluded.closed, solved = agg_cases_next.solved + excluded.solved, withdrawn = agg_cases_next.withdrawn + excluded.withdrawn, merged = agg_cases_next.merged + excluded.merged, reopened = agg_cases_next.reopened + excluded.reopened, citizen_satisfied = agg_cases_next.citizen_satisfied + excluded.citizen_satisfied, citizen_basic = agg_cases_next.citizen_basic + excluded.citizen_basic, citizen_unsatisfied = agg_cases_next.citizen_unsatisfied + excluded.citizen_unsatisfied, rep_satisfied = agg_cases_next.rep_satisfied + excluded.rep_satisfied, rep_basic = agg_cases_next.rep_basic + excluded.rep_basic, rep_unsatisfied = agg_cases_next.rep_unsatisfied + excluded.rep_unsatisfied, rated_both = agg_cases_next.rated_both + excluded.rated_both, disagree = agg_cases_next.disagree + excluded.disagree, returns = agg_cases_next.returns + excluded.returns, reworks = agg_cases_next.reworks + excluded.reworks, extensions = agg_cases_next.extensions + excluded.extensions",
            "INSERT INTO agg_departments_next (region_path, grain, bucket, department_id, assigned, returned, reworked, ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic, rated_unsatisfied) ",
            " ON CONFLICT (region_path, grain, bucket, department_id) DO UPDATE SET assigned = agg_departments_next.assigned + excluded.assigned, returned = agg_departments_next.returned + excluded.returned, reworked = agg_departments_next.reworked + excluded.reworked, ext_requested = agg_departments_next.ext_requested + excluded.ext_requested, ext_granted = agg_departments_next.ext_granted + excluded.ext_granted, submitted = agg_departments_next.submitted + excluded.submitted, submitted_on_time = agg_departments_next.submitted_on_time + excluded.submitted_on_time, completed = agg_departments_next.completed + excluded.completed, rated_satisfied = agg_departments_next.rated_satisfied + excluded.rated_satisfied, rated_basic = agg_departments_next.rated_basic + excluded.rated_basic, rated_unsatisfied = agg_departments_next.rated_unsatisfied + excluded.rated_unsatisfied",
            "INSERT INTO agg_hot_words_next (region_path, grain, bucket, word, cases) ",
            " ON CONFLICT (region_path, grain, bucket, word) DO UPDATE SET cases = agg_hot_words_next.cases + excluded.cases"
        ),
    }
    Ok(())
}

/// Whether cases exist but no counter does (a database just migrated to a new layout
/// of the counters).
pub async fn need_filling(tx: &mut Tx) -> DbResult<bool> {
    let n = scalar!(
        tx,
        i64,
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM cases) AND NOT EXISTS (SELECT 1 FROM agg_cases) THEN 1 ELSE 0 END
             AS BIGINT)"
    )?;
    Ok(n == 1)
}

/// Whether reception days exist but their counters do not (a database from before
/// `agg_reception`).
pub async fn reception_need_filling(tx: &mut Tx) -> DbResult<bool> {
    let n = scalar!(
        tx,
        i64,
        "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM meetings WHERE kind = 'reception')
             AND NOT EXISTS (SELECT 1 FROM agg_reception) THEN 1 ELSE 0 END AS BIGINT)"
    )?;
    Ok(n == 1)
}

/// Where and what a meeting counts in `agg_reception` (nothing unless a reception day).
fn reception_of(meeting: Option<&Meeting>) -> Option<(&str, chrono::NaiveDate, ReceptionCount)> {
    let m = meeting.filter(|m| m.input.kind == MeetingKind::Reception)?;
    let day = ReceptionDay {
        unit_id: m.unit_id.clone(),
        starts_at: m.input.starts_at,
        state: m.input.state,
        cancelled_at: m.cancelled_at,
    };
    Some((m.region_path.as_str(), cst_date(m.input.starts_at), count_of(&day)))
}

/// Moves the reception counters from what meeting `before` counted to what `after`
/// counts (either `None` for a meeting that did not or no longer exists), in the
/// transaction that changed it.
pub async fn reception_moved(tx: &mut Tx, before: Option<&Meeting>, after: Option<&Meeting>) -> DbResult<()> {
    let mut additions = Additions::default();
    if let Some((path, day, count)) = reception_of(before) {
        additions.reception(path, day, ReceptionCount { planned: -count.planned, held: -count.held });
    }
    if let Some((path, day, count)) = reception_of(after) {
        additions.reception(path, day, count);
    }
    apply(tx, &additions).await
}

/// Counts every reception day again from the meetings (the end of a rebuild, or a
/// database whose `agg_reception` is empty).
pub async fn refill_reception(tx: &mut Tx) -> DbResult<u64> {
    exec!(tx, "DELETE FROM agg_reception")?;
    let rows = rows!(
        tx,
        (String, i64, String, Option<i64>),
        "SELECT r.path, m.starts_at, m.state, m.cancelled_at FROM meetings m JOIN units u ON u.id = m.unit_id
             JOIN regions r ON r.id = u.region_id
         WHERE m.kind = 'reception'"
    )?;
    let mut additions = Additions::default();
    for (path, starts_at, state, cancelled_at) in &rows {
        let state = MeetingState::parse("state", state).unwrap_or(MeetingState::Planned);
        let day = ReceptionDay { unit_id: String::new(), starts_at: *starts_at, state, cancelled_at: *cancelled_at };
        additions.reception(path, cst_date(*starts_at), count_of(&day));
    }
    apply(tx, &additions).await?;
    Ok(rows.len() as u64)
}

/// How many cases there are (a rebuild's progress bar).
pub async fn case_count(tx: &mut Tx) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT CAST(COUNT(*) AS BIGINT) FROM cases")
}

/// The greatest case id: a rebuild counts the cases up to it.
pub async fn last_case_id(tx: &mut Tx) -> DbResult<Option<String>> {
    Ok(row!(tx, (String,), "SELECT id FROM cases ORDER BY id DESC LIMIT 1")?.map(|(id,)| id))
}

/// The greatest case id below `id` (empty when there is none): where a rebuild that goes
/// on reads from, to begin with the chunk it was writing.
pub async fn case_id_before(tx: &mut Tx, id: &str) -> DbResult<String> {
    Ok(row!(tx, (String,), "SELECT id FROM cases WHERE id < $1 ORDER BY id DESC LIMIT 1", id)?
        .map(|(id,)| id)
        .unwrap_or_default())
}

/// Whether a case with id `id` exists.
pub async fn case_exists(tx: &mut Tx, id: &str) -> DbResult<bool> {
    Ok(row!(tx, (String,), "SELECT id FROM cases WHERE id = $1", id)?.is_some())
}

/// Empties the copy a rebuild fills, and forgets how far a rebuild had filled it.
pub async fn clear_next(tx: &mut Tx) -> DbResult<()> {
    exec!(tx, "DELETE FROM agg_cases_next")?;
    exec!(tx, "DELETE FROM agg_departments_next")?;
    exec!(tx, "DELETE FROM agg_hot_words_next")?;
    rebuild::forget_rebuild(tx).await
}

/// Holds off every new case event, and every reader and writer of the counters, until
/// this transaction ends (PostgreSQL; a SQLite write transaction already excludes every
/// other writer): the end of a rebuild replays the last events and swaps the copies.
pub async fn lock_for_swap(tx: &mut Tx) -> DbResult<()> {
    match tx.engine() {
        super::Engine::Sqlite => Ok(()),
        super::Engine::Postgres => {
            exec!(tx, "LOCK TABLE case_events, meetings IN SHARE ROW EXCLUSIVE MODE")?;
            exec!(
                tx,
                "LOCK TABLE agg_cases, agg_departments, agg_hot_words, agg_cases_next, agg_departments_next,
                     agg_hot_words_next, agg_reception, open_due, agg_pending IN ACCESS EXCLUSIVE MODE"
            )?;
            Ok(())
        }
    }
}

/// Makes the copy a rebuild filled the counters the cockpit reads, and the old ones the
/// copy the next rebuild fills, by renaming the tables (in this transaction); the
/// rebuild's progress goes with it.
pub async fn swap(tx: &mut Tx) -> DbResult<()> {
    rebuild::forget_rebuild(tx).await?;
    exec!(tx, "ALTER TABLE agg_cases RENAME TO agg_cases_old")?;
    exec!(tx, "ALTER TABLE agg_cases_next RENAME TO agg_cases")?;
    exec!(tx, "ALTER TABLE agg_cases_old RENAME TO agg_cases_next")?;
    exec!(tx, "ALTER TABLE agg_departments RENAME TO agg_departments_old")?;
    exec!(tx, "ALTER TABLE agg_departments_next RENAME TO agg_departments")?;
    exec!(tx, "ALTER TABLE agg_departments_old RENAME TO agg_departments_next")?;
    exec!(tx, "ALTER TABLE agg_hot_words RENAME TO agg_hot_words_old")?;
    exec!(tx, "ALTER TABLE agg_hot_words_next RENAME TO agg_hot_words")?;
    exec!(tx, "ALTER TABLE agg_hot_words_old RENAME TO agg_hot_words_next")?;
    Ok(())
}

/// The next `limit` cases by id after `after_id`, up to `through_id`. Case ids begin with
/// the time they were made, so this reads the cases in the order they came, and the newest
/// part of a big database, which its page cache holds, last.
pub async fn cases_after(tx: &mut Tx, after_id: &str, through_id: &str, limit: i64) -> DbResult<Vec<CaseFacts>> {
    rows!(
        tx,
        CaseFacts,
        "SELECT id, created_at, region_path, channel, category, unit_id, representative_id, title, body FROM cases
         WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3",
        after_id,
        through_id,
        limit
    )
}

/// Assignments of the cases whose ids lie from `first` to `last`, by case.
pub async fn assignments_between(tx: &mut Tx, first: &str, last: &str) -> DbResult<Vec<(String, AssignmentFact)>> {
    let rows = rows!(
        tx,
        (String, String, String, i64),
        "SELECT case_id, id, department_id, created_at FROM assignments WHERE case_id >= $1 AND case_id <= $2
         ORDER BY case_id, created_at, id",
        first,
        last
    )?;
    Ok(rows
        .into_iter()
        .map(|(case_id, id, department_id, created_at)| (case_id, AssignmentFact { id, department_id, created_at }))
        .collect())
}

/// A case's immutable facts, for filing its counters (the rebuild reads them in batches).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseFacts {
    pub id: String,
    pub created_at: i64,
    pub region_path: String,
    pub channel: String,
    pub category: String,
    pub unit_id: Option<String>,
    pub representative_id: Option<String>,
    /// The text, for its hot words.
    pub title: String,
    pub body: String,
}

/// One case's assignments as the fold needs them.
pub async fn assignment_facts(tx: &mut Tx, case_id: &str) -> DbResult<Vec<AssignmentFact>> {
    let rows = rows!(
        tx,
        (String, String, i64),
        "SELECT id, department_id, created_at FROM assignments WHERE case_id = $1 ORDER BY created_at, id",
        case_id
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, department_id, created_at)| AssignmentFact { id, department_id, created_at })
        .collect())
}
