//! The cockpit's counters: added to in the transaction that appends a case event,
//! summed over a region and a period when the cockpit asks.
//!
//! Every counter is filed under its cohort day and that day's month
//! (`domain::rates::GRAINS`), so a period reads its whole months and only the days of
//! its ragged ends (`Period::buckets`). The region breakdowns (`Dim::Child`,
//! `Dim::Channel`, `Dim::Category`) and the hot words are filed under every region path
//! above the case, so a view of any region reads a few hundred rows, however many cases
//! lie below it; a station's and a representative's counters (`Dim::Unit`, `Dim::Rep`)
//! and a department's are filed once, under the case's own path, and a subtree of them
//! is a `LIKE '/a/b/%'` range read up to a bound.

use std::collections::{BTreeMap, HashMap};

use super::{DbResult, Tx};
use crate::domain::rates::{Buckets, buckets_of};
use crate::domain::tally::{AssignmentFact, CaseCounts, DeptCounts, Tally};

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
}

impl Dim {
    fn as_str(self) -> &'static str {
        match self {
            Dim::Child => "child",
            Dim::Channel => "channel",
            Dim::Category => "category",
            Dim::Unit => "unit",
            Dim::Rep => "rep",
        }
    }
}

/// The region paths a case filed at `path` counts under: the root `/`, every region
/// above, and `path` itself, each with the child of it the case lies under ('' at
/// `path`).
pub fn ancestors(path: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for (i, _) in path.match_indices('/') {
        let (above, rest) = path.split_at(i + 1);
        let child = rest.split('/').next().unwrap_or_default();
        out.push((above, child));
    }
    out
}

type CaseRow = (Dim, String, &'static str, String, String);
type DeptRow = (String, &'static str, String, String);
type WordRow = (String, &'static str, String, String);

/// What one or more events add to the counters, summed per row before anything is
/// written (in key order, so two writers never take rows in opposite orders).
#[derive(Debug, Default)]
pub struct Additions {
    cases: BTreeMap<CaseRow, CaseCounts>,
    departments: BTreeMap<DeptRow, DeptCounts>,
    words: BTreeMap<WordRow, i64>,
}

impl Additions {
    /// Files `delta` (a change to one case's counters) under every row its key reaches.
    pub fn case(&mut self, key: &CaseKey, delta: &Tally) {
        let buckets = buckets_of(key.day);
        if !delta.case.is_zero() {
            let mut add = |row: CaseRow| {
                let entry = self.cases.entry(row).or_default();
                *entry = entry.plus(&delta.case);
            };
            for (grain, bucket) in &buckets {
                for (path, child) in ancestors(&key.region_path) {
                    add((Dim::Child, path.to_string(), grain, bucket.clone(), child.to_string()));
                    add((Dim::Channel, path.to_string(), grain, bucket.clone(), key.channel.clone()));
                    add((Dim::Category, path.to_string(), grain, bucket.clone(), key.category.clone()));
                }
                if !key.unit_id.is_empty() {
                    add((Dim::Unit, key.region_path.clone(), grain, bucket.clone(), key.unit_id.clone()));
                }
                if !key.representative_id.is_empty() {
                    add((Dim::Rep, key.region_path.clone(), grain, bucket.clone(), key.representative_id.clone()));
                }
            }
        }
        for (department_id, counts) in &delta.departments {
            for (grain, bucket) in &buckets {
                let row = (key.region_path.clone(), *grain, bucket.clone(), department_id.clone());
                let entry = self.departments.entry(row).or_default();
                *entry = entry.plus(counts);
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

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.departments.is_empty() && self.words.is_empty()
    }
}

/// Adds `additions` to the stored counters: one multi-row upsert per table.
pub async fn apply(tx: &mut Tx, additions: &Additions) -> DbResult<()> {
    let cases: Vec<(&CaseRow, Vec<i64>)> = additions.cases.iter().map(|(k, c)| (k, c.values())).collect();
    bulk_insert!(
        tx,
        "INSERT INTO agg_cases (dim, region_path, grain, bucket, key, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions) ",
        " ON CONFLICT (dim, region_path, grain, bucket, key) DO UPDATE SET received = agg_cases.received + excluded.received, acknowledged = agg_cases.acknowledged + excluded.acknowledged, ack_on_time = agg_cases.ack_on_time + excluded.ack_on_time, answered_direct = agg_cases.answered_direct + excluded.answered_direct, forwarded = agg_cases.forwarded + excluded.forwarded, answered = agg_cases.answered + excluded.answered, answered_on_time = agg_cases.answered_on_time + excluded.answered_on_time, closed = agg_cases.closed + excluded.closed, solved = agg_cases.solved + excluded.solved, withdrawn = agg_cases.withdrawn + excluded.withdrawn, merged = agg_cases.merged + excluded.merged, reopened = agg_cases.reopened + excluded.reopened, citizen_satisfied = agg_cases.citizen_satisfied + excluded.citizen_satisfied, citizen_basic = agg_cases.citizen_basic + excluded.citizen_basic, citizen_unsatisfied = agg_cases.citizen_unsatisfied + excluded.citizen_unsatisfied, rep_satisfied = agg_cases.rep_satisfied + excluded.rep_satisfied, rep_basic = agg_cases.rep_basic + excluded.rep_basic, rep_unsatisfied = agg_cases.rep_unsatisfied + excluded.rep_unsatisfied, rated_both = agg_cases.rated_both + excluded.rated_both, disagree = agg_cases.disagree + excluded.disagree, returns = agg_cases.returns + excluded.returns, reworks = agg_cases.reworks + excluded.reworks, extensions = agg_cases.extensions + excluded.extensions",
        5 + 23,
        cases,
        |b, row| {
            let ((dim, path, grain, bucket, key), values) = row;
            b.push_bind(dim.as_str()).push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str());
            b.push_bind(key.as_str());
            for v in values {
                b.push_bind(*v);
            }
        }
    );
    let departments: Vec<(&DeptRow, Vec<i64>)> = additions.departments.iter().map(|(k, c)| (k, c.values())).collect();
    bulk_insert!(
        tx,
        "INSERT INTO agg_departments (region_path, grain, bucket, department_id, assigned, returned, reworked, ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic, rated_unsatisfied) ",
        " ON CONFLICT (region_path, grain, bucket, department_id) DO UPDATE SET assigned = agg_departments.assigned + excluded.assigned, returned = agg_departments.returned + excluded.returned, reworked = agg_departments.reworked + excluded.reworked, ext_requested = agg_departments.ext_requested + excluded.ext_requested, ext_granted = agg_departments.ext_granted + excluded.ext_granted, submitted = agg_departments.submitted + excluded.submitted, submitted_on_time = agg_departments.submitted_on_time + excluded.submitted_on_time, completed = agg_departments.completed + excluded.completed, rated_satisfied = agg_departments.rated_satisfied + excluded.rated_satisfied, rated_basic = agg_departments.rated_basic + excluded.rated_basic, rated_unsatisfied = agg_departments.rated_unsatisfied + excluded.rated_unsatisfied",
        4 + 11,
        departments,
        |b, row| {
            let ((path, grain, bucket, department_id), values) = row;
            b.push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str()).push_bind(department_id.as_str());
            for v in values {
                b.push_bind(*v);
            }
        }
    );
    let words: Vec<(&WordRow, &i64)> = additions.words.iter().collect();
    bulk_insert!(
        tx,
        "INSERT INTO agg_hot_words (region_path, grain, bucket, word, cases) ",
        " ON CONFLICT (region_path, grain, bucket, word) DO UPDATE SET cases = agg_hot_words.cases + excluded.cases",
        5,
        words,
        |b, row| {
            let ((path, grain, bucket, word), n) = row;
            b.push_bind(path.as_str()).push_bind(*grain).push_bind(bucket.as_str()).push_bind(word.as_str());
            b.push_bind(**n);
        }
    );
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CaseSumRow {
    key: String,
    received: i64,
    acknowledged: i64,
    ack_on_time: i64,
    answered_direct: i64,
    forwarded: i64,
    answered: i64,
    answered_on_time: i64,
    closed: i64,
    solved: i64,
    withdrawn: i64,
    merged: i64,
    reopened: i64,
    citizen_satisfied: i64,
    citizen_basic: i64,
    citizen_unsatisfied: i64,
    rep_satisfied: i64,
    rep_basic: i64,
    rep_unsatisfied: i64,
    rated_both: i64,
    disagree: i64,
    returns: i64,
    reworks: i64,
    extensions: i64,
}

impl CaseSumRow {
    fn into_pair(self) -> (String, CaseCounts) {
        (self.key, CaseCounts::from_values(&[self.received, self.acknowledged, self.ack_on_time, self.answered_direct, self.forwarded, self.answered, self.answered_on_time, self.closed, self.solved, self.withdrawn, self.merged, self.reopened, self.citizen_satisfied, self.citizen_basic, self.citizen_unsatisfied, self.rep_satisfied, self.rep_basic, self.rep_unsatisfied, self.rated_both, self.disagree, self.returns, self.reworks, self.extensions]))
    }
}

#[derive(sqlx::FromRow)]
struct DeptSumRow {
    key: String,
    assigned: i64,
    returned: i64,
    reworked: i64,
    ext_requested: i64,
    ext_granted: i64,
    submitted: i64,
    submitted_on_time: i64,
    completed: i64,
    rated_satisfied: i64,
    rated_basic: i64,
    rated_unsatisfied: i64,
}

impl DeptSumRow {
    fn into_pair(self) -> (String, DeptCounts) {
        (self.key, DeptCounts::from_values(&[self.assigned, self.returned, self.reworked, self.ext_requested, self.ext_granted, self.submitted, self.submitted_on_time, self.completed, self.rated_satisfied, self.rated_basic, self.rated_unsatisfied]))
    }
}

/// A period's buckets as the six bounds the range queries bind: an empty
/// range is bound as ('1', '0'), which nothing lies in.
fn bounds(b: &Buckets) -> [&str; 6] {
    fn pair(r: &Option<(String, String)>) -> (&str, &str) {
        match r {
            Some((from, to)) => (from.as_str(), to.as_str()),
            None => ("1", "0"),
        }
    }
    let (m, h, t) = (pair(&b.months), pair(&b.head), pair(&b.tail));
    [m.0, m.1, h.0, h.1, t.0, t.1]
}

fn pairs(rows: Vec<CaseSumRow>) -> Vec<(String, CaseCounts)> {
    rows.into_iter().map(CaseSumRow::into_pair).filter(|(_, c)| !c.is_zero()).collect()
}

/// The case counters of the cases under `region_path` (a region path, or `/` for all)
/// received in the period, broken down by `dim` (`Child`, `Channel` or `Category`).
pub async fn region_sums(tx: &mut Tx, dim: Dim, region_path: &str, b: &Buckets) -> DbResult<Vec<(String, CaseCounts)>> {
    let [m1, m2, h1, h2, t1, t2] = bounds(b);
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_cases WHERE dim = $1 AND region_path = $2 AND ((grain = 'm' AND bucket >= $3 AND bucket <= $4) OR (grain = 'd' AND bucket >= $5 AND bucket <= $6) OR (grain = 'd' AND bucket >= $7 AND bucket <= $8)) GROUP BY key",
        dim.as_str(),
        region_path,
        m1,
        m2,
        h1,
        h2,
        t1,
        t2
    )?;
    Ok(pairs(rows))
}

/// The case counters under `region_path` per cohort day from `from` to `to`.
pub async fn daily_sums(tx: &mut Tx, region_path: &str, from: &str, to: &str) -> DbResult<Vec<(String, CaseCounts)>> {
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT bucket AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_cases
         WHERE dim = 'child' AND region_path = $1 AND grain = 'd' AND bucket >= $2 AND bucket <= $3 GROUP BY bucket",
        region_path,
        from,
        to
    )?;
    Ok(pairs(rows))
}

/// The case counters per station (`Dim::Unit`) or representative (`Dim::Rep`) of the
/// cases under `prefix` received in the period, read from at most `bound` rows: none
/// when the subtree holds more (a region too wide to rank its people one by one).
pub async fn people_sums(
    tx: &mut Tx,
    dim: Dim,
    prefix: &str,
    b: &Buckets,
    bound: i64,
) -> DbResult<Option<Vec<(String, CaseCounts)>>> {
    let like = format!("{prefix}%");
    let [m1, m2, h1, h2, t1, t2] = bounds(b);
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT key, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions FROM agg_cases WHERE dim = $1 AND region_path LIKE $2 AND ((grain = 'm' AND bucket >= $3 AND bucket <= $4) OR (grain = 'd' AND bucket >= $5 AND bucket <= $6) OR (grain = 'd' AND bucket >= $7 AND bucket <= $8)) LIMIT $9",
        dim.as_str(),
        &like,
        m1,
        m2,
        h1,
        h2,
        t1,
        t2,
        bound + 1
    )?;
    if rows.len() as i64 > bound {
        return Ok(None);
    }
    let mut sums: HashMap<String, CaseCounts> = HashMap::new();
    for (key, counts) in rows.into_iter().map(CaseSumRow::into_pair) {
        let entry = sums.entry(key).or_default();
        *entry = entry.plus(&counts);
    }
    Ok(Some(sums.into_iter().filter(|(_, c)| !c.is_zero()).collect()))
}

/// The case counters of one station or representative (`key`) over the period, of the
/// cases under `prefix`.
pub async fn one_sums(tx: &mut Tx, dim: Dim, key: &str, prefix: &str, b: &Buckets) -> DbResult<CaseCounts> {
    let like = format!("{prefix}%");
    let [m1, m2, h1, h2, t1, t2] = bounds(b);
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_cases WHERE dim = $1 AND key = $9 AND region_path LIKE $2 AND ((grain = 'm' AND bucket >= $3 AND bucket <= $4) OR (grain = 'd' AND bucket >= $5 AND bucket <= $6) OR (grain = 'd' AND bucket >= $7 AND bucket <= $8)) GROUP BY key",
        dim.as_str(),
        &like,
        m1,
        m2,
        h1,
        h2,
        t1,
        t2,
        key
    )?;
    Ok(rows.into_iter().map(CaseSumRow::into_pair).map(|(_, c)| c).next().unwrap_or_default())
}

/// The words most cases under `region_path` received in the period gave, with how many
/// cases gave each, most first, at most `limit`.
pub async fn hot_words(tx: &mut Tx, region_path: &str, b: &Buckets, limit: i64) -> DbResult<Vec<(String, i64)>> {
    let [m1, m2, h1, h2, t1, t2] = bounds(b);
    rows!(
        tx,
        (String, i64),
        "SELECT word, CAST(SUM(cases) AS BIGINT) AS n FROM agg_hot_words
         WHERE region_path = $1 AND ((grain = 'm' AND bucket >= $2 AND bucket <= $3) OR (grain = 'd' AND bucket >= $4 AND bucket <= $5) OR (grain = 'd' AND bucket >= $6 AND bucket <= $7))
         GROUP BY word HAVING SUM(cases) > 0 ORDER BY n DESC, word LIMIT $8",
        region_path,
        m1,
        m2,
        h1,
        h2,
        t1,
        t2,
        limit
    )
}

/// The department counters of the cases under `prefix` received in the period, per
/// department, read from at most `bound` rows (none when there are more).
pub async fn department_sums(
    tx: &mut Tx,
    prefix: &str,
    b: &Buckets,
    bound: i64,
) -> DbResult<Option<Vec<(String, DeptCounts)>>> {
    let like = format!("{prefix}%");
    let [m1, m2, h1, h2, t1, t2] = bounds(b);
    let rows = rows!(
        tx,
        DeptSumRow,
        "SELECT department_id AS key, assigned, returned, reworked, ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic, rated_unsatisfied FROM agg_departments
         WHERE region_path LIKE $1 AND ((grain = 'm' AND bucket >= $2 AND bucket <= $3) OR (grain = 'd' AND bucket >= $4 AND bucket <= $5) OR (grain = 'd' AND bucket >= $6 AND bucket <= $7)) LIMIT $8",
        &like,
        m1,
        m2,
        h1,
        h2,
        t1,
        t2,
        bound + 1
    )?;
    if rows.len() as i64 > bound {
        return Ok(None);
    }
    let mut sums: HashMap<String, DeptCounts> = HashMap::new();
    for (key, counts) in rows.into_iter().map(DeptSumRow::into_pair) {
        let entry = sums.entry(key).or_default();
        *entry = entry.plus(&counts);
    }
    Ok(Some(sums.into_iter().filter(|(_, c)| !c.is_zero()).collect()))
}

/// Every stored row, in key order, with zero rows left out (for the check that the
/// maintained counters equal the rebuilt ones).
pub async fn dump(tx: &mut Tx) -> DbResult<Vec<String>> {
    let cases = rows!(
        tx,
        CaseSumRow,
        "SELECT dim || '|' || region_path || '|' || grain || '|' || bucket || '|' || key AS key, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions
         FROM agg_cases ORDER BY dim, region_path, grain, bucket, key"
    )?;
    let departments = rows!(
        tx,
        DeptSumRow,
        "SELECT region_path || '|' || grain || '|' || bucket || '|' || department_id AS key, assigned, returned, reworked, ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic, rated_unsatisfied
         FROM agg_departments ORDER BY region_path, grain, bucket, department_id"
    )?;
    let words = rows!(
        tx,
        (String, i64),
        "SELECT region_path || '|' || grain || '|' || bucket || '|' || word AS key, cases FROM agg_hot_words
         WHERE cases <> 0 ORDER BY region_path, grain, bucket, word"
    )?;
    let mut out: Vec<String> = pairs(cases).into_iter().map(|(k, c)| format!("cases {k} {c:?}")).collect();
    out.extend(
        departments
            .into_iter()
            .map(DeptSumRow::into_pair)
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| format!("department {k} {c:?}")),
    );
    out.extend(words.into_iter().map(|(k, n)| format!("word {k} {n}")));
    Ok(out)
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

/// The region paths cases are filed at, with how many cases each, in path order.
pub async fn case_paths(tx: &mut Tx) -> DbResult<Vec<(String, i64)>> {
    rows!(
        tx,
        (String, i64),
        "SELECT region_path, CAST(COUNT(*) AS BIGINT) AS n FROM cases GROUP BY region_path ORDER BY region_path"
    )
}

/// Holds off every other writer of the counters until this transaction ends
/// (PostgreSQL; a SQLite write transaction already excludes every other writer), so a
/// rebuild and the events of the same moment cannot miss or double a case.
pub async fn lock_for_rebuild(tx: &mut Tx) -> DbResult<()> {
    match tx.engine() {
        super::Engine::Sqlite => Ok(()),
        super::Engine::Postgres => {
            exec!(tx, "LOCK TABLE agg_cases, agg_departments, agg_hot_words IN SHARE ROW EXCLUSIVE MODE")?;
            Ok(())
        }
    }
}

/// Empties every counter, before a rebuild files every case again.
pub async fn clear(tx: &mut Tx) -> DbResult<()> {
    exec!(tx, "DELETE FROM agg_cases")?;
    exec!(tx, "DELETE FROM agg_departments")?;
    exec!(tx, "DELETE FROM agg_hot_words")?;
    Ok(())
}

/// The next `limit` cases filed at `path`, by id after `after_id`.
pub async fn cases_in_path_after(tx: &mut Tx, path: &str, after_id: &str, limit: i64) -> DbResult<Vec<CaseFacts>> {
    rows!(
        tx,
        CaseFacts,
        "SELECT id, created_at, region_path, channel, category, unit_id, representative_id, title, body FROM cases
         WHERE region_path = $1 AND id > $2 ORDER BY id LIMIT $3",
        path,
        after_id,
        limit
    )
}

/// Assignments of the cases filed at `path` whose ids lie from `first` to `last`.
pub async fn assignments_in_path_between(
    tx: &mut Tx,
    path: &str,
    first: &str,
    last: &str,
) -> DbResult<Vec<(String, AssignmentFact)>> {
    let rows = rows!(
        tx,
        (String, String, String, i64),
        // The path's cases first, as in `db::cases::events_in_path_between`.
        "SELECT a.case_id, a.id, a.department_id, a.created_at FROM cases c CROSS JOIN assignments a
         WHERE a.case_id = c.id AND c.region_path = $1 AND c.id >= $2 AND c.id <= $3
         ORDER BY a.case_id, a.created_at, a.id",
        path,
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

/// One station (or studio) under a region, as the cockpit's station management shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StationActivity {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// How many of the six profile fields (address, opening hours, reception days,
    /// contact name and phone, service fields) are filled in.
    pub profile_filled: i64,
    /// Scans of its code in the period.
    pub scans: i64,
    /// Cases received since `since` (the last 30 days).
    pub recent_cases: i64,
}

/// The stations under `prefix`: inactive ones last, the least recently active first,
/// at most `limit`.
pub async fn stations(
    tx: &mut Tx,
    prefix: &str,
    from: &str,
    to: &str,
    since: &str,
    limit: i64,
) -> DbResult<Vec<StationActivity>> {
    let like = format!("{prefix}%");
    rows!(
        tx,
        StationActivity,
        "SELECT u.id, u.name, u.active,
             CAST((CASE WHEN u.address <> '' THEN 1 ELSE 0 END) + (CASE WHEN u.opening_hours <> '' THEN 1 ELSE 0 END)
                 + (CASE WHEN u.reception_days <> '' THEN 1 ELSE 0 END) + (CASE WHEN u.contact_name <> '' THEN 1 ELSE 0 END)
                 + (CASE WHEN u.contact_phone <> '' THEN 1 ELSE 0 END) + (CASE WHEN u.service_fields <> '' THEN 1 ELSE 0 END)
                 AS BIGINT) AS profile_filled,
             CAST(COALESCE((SELECT SUM(s.scans) FROM codes c JOIN code_scans s ON s.code = c.code
                 WHERE c.kind = 'unit' AND c.target_id = u.id AND s.day >= $2 AND s.day <= $3), 0) AS BIGINT) AS scans,
             CAST(COALESCE((SELECT SUM(a.received) FROM agg_cases a
                 WHERE a.dim = 'unit' AND a.key = u.id AND a.grain = 'd' AND a.bucket >= $4), 0) AS BIGINT)
                 AS recent_cases
         FROM units u JOIN regions r ON r.id = u.region_id
         WHERE r.path LIKE $1
         ORDER BY u.active DESC, recent_cases, u.name, u.id
         LIMIT $5",
        &like,
        from,
        to,
        since,
        limit
    )
}
