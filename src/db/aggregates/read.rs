//! The cockpit's reads: sums of the counters over a region and a period's buckets, the
//! station-management list, and every row for the rebuilt-equals-maintained check
//! (the open cases by due day, `db::open_due`, included).

use super::{DbResult, Dim, Tx};
use crate::domain::rates::Buckets;
use crate::domain::reception::ReceptionCount;
use crate::domain::tally::{CaseCounts, DeptCounts};

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
        (
            self.key,
            CaseCounts::from_values(&[
                self.received,
                self.acknowledged,
                self.ack_on_time,
                self.answered_direct,
                self.forwarded,
                self.answered,
                self.answered_on_time,
                self.closed,
                self.solved,
                self.withdrawn,
                self.merged,
                self.reopened,
                self.citizen_satisfied,
                self.citizen_basic,
                self.citizen_unsatisfied,
                self.rep_satisfied,
                self.rep_basic,
                self.rep_unsatisfied,
                self.rated_both,
                self.disagree,
                self.returns,
                self.reworks,
                self.extensions,
            ]),
        )
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
        (
            self.key,
            DeptCounts::from_values(&[
                self.assigned,
                self.returned,
                self.reworked,
                self.ext_requested,
                self.ext_granted,
                self.submitted,
                self.submitted_on_time,
                self.completed,
                self.rated_satisfied,
                self.rated_basic,
                self.rated_unsatisfied,
            ]),
        )
    }
}

/// A period's buckets as the ranges each read sums one by one: (grain, first, last),
/// the empty ones left out. One range a query keeps each a plain index range.
fn ranges(b: &Buckets) -> Vec<(&'static str, &str, &str)> {
    [("m", &b.months), ("d", &b.head), ("d", &b.tail)]
        .into_iter()
        .filter_map(|(grain, r)| r.as_ref().map(|(from, to)| (grain, from.as_str(), to.as_str())))
        .collect()
}

/// Where a view of a region reads the counters of its stations or representatives: the
/// whole installation (`/`) and a top-level region (a province) read the sums filed under
/// their top-level regions (`Dim::UnitRollup`, `Dim::RepRollup`), one range of rows each;
/// a region below reads the rows filed under each region path of its subtree. Either way
/// the SQL says `region_path IN (SELECT path FROM regions WHERE path LIKE like AND (NOT
/// rolled_up OR parent_id IS NULL))`.
struct Reach {
    dim: &'static str,
    like: String,
    rolled_up: bool,
}

impl Reach {
    fn of(dim: Dim, prefix: &str) -> Reach {
        let rolled_up = is_rolled_up(prefix);
        Reach { dim: if rolled_up { dim.rollup() } else { dim }.as_str(), like: format!("{prefix}%"), rolled_up }
    }
}

/// Whether a view of `prefix` reads the stations' and representatives' sums filed under
/// the top-level regions: `/`, or a top-level region's path (`/a/`).
pub fn is_rolled_up(prefix: &str) -> bool {
    prefix == "/"
        || (prefix.len() > 2 && prefix.starts_with('/') && prefix.ends_with('/') && prefix.matches('/').count() == 2)
}

/// Sums `(key, counts)` rows of several ranges per key, leaving out keys that sum to zero.
fn merged(parts: Vec<Vec<CaseSumRow>>) -> Vec<(String, CaseCounts)> {
    let mut sums: std::collections::BTreeMap<String, CaseCounts> = std::collections::BTreeMap::new();
    for (key, counts) in parts.into_iter().flatten().map(CaseSumRow::into_pair) {
        let sum = sums.entry(key).or_default();
        *sum = sum.plus(&counts);
    }
    sums.into_iter().filter(|(_, c)| !c.is_zero()).collect()
}

fn pairs(rows: Vec<CaseSumRow>) -> Vec<(String, CaseCounts)> {
    rows.into_iter().map(CaseSumRow::into_pair).filter(|(_, c)| !c.is_zero()).collect()
}

/// The case counters of the cases under `region_path` (a region path, or `/` for all)
/// received in the period, broken down by `dim` (`Child`, `Channel` or `Category`).
pub async fn region_sums(tx: &mut Tx, dim: Dim, region_path: &str, b: &Buckets) -> DbResult<Vec<(String, CaseCounts)>> {
    let mut parts = Vec::new();
    for (grain, from, to) in ranges(b) {
        parts.push(rows!(
            tx,
            CaseSumRow,
            "SELECT key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_cases WHERE dim = $1 AND region_path = $2 AND grain = $3 AND bucket >= $4 AND bucket <= $5 GROUP BY key",
            dim.as_str(),
            region_path,
            grain,
            from,
            to
        )?);
    }
    Ok(merged(parts))
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

/// Whether the cases under `prefix` received in the period hold at most `bound` counter
/// rows of stations (`Dim::Unit`) or representatives (`Dim::Rep`): a region that holds
/// more is too wide to rank its people one by one. Counts no further than the bound.
/// Reads the rows of each region path of the subtree by its own period range
/// (`region_path IN` the regions under `prefix`), rather than every bucket of every path;
/// `/` and a top-level region read the sums under the top-level regions ([`Reach`]).
pub async fn people_within(tx: &mut Tx, dim: Dim, prefix: &str, b: &Buckets, bound: i64) -> DbResult<bool> {
    let reach = Reach::of(dim, prefix);
    let mut rows = 0;
    for (grain, from, to) in ranges(b) {
        rows += scalar!(
            tx,
            i64,
            "SELECT COUNT(*) FROM (SELECT 1 FROM agg_cases WHERE dim = $1 AND region_path IN (SELECT path FROM regions WHERE path LIKE $2 AND (NOT $7 OR parent_id IS NULL)) AND grain = $3 AND bucket >= $4 AND bucket <= $5 LIMIT $6) AS bounded",
            reach.dim,
            &reach.like,
            grain,
            from,
            to,
            bound + 1 - rows,
            reach.rolled_up
        )?;
        if rows > bound {
            return Ok(false);
        }
    }
    Ok(true)
}

/// What ranks the stations (`Dim::Unit`) or representatives (`Dim::Rep`) of the cases
/// under `prefix` received in the period: per key, a `CaseCounts` with only `received`,
/// `merged` and `ack_on_time` filled (the response rate and the count it ranks by; the
/// ranked few are then read whole by [`one_sums`]). Reads every counter row of the
/// period: ask [`people_within`] first.
pub async fn people_rank_figures(
    tx: &mut Tx,
    dim: Dim,
    prefix: &str,
    b: &Buckets,
) -> DbResult<Vec<(String, CaseCounts)>> {
    let reach = Reach::of(dim, prefix);
    let mut sums: std::collections::BTreeMap<String, CaseCounts> = std::collections::BTreeMap::new();
    for (grain, from, to) in ranges(b) {
        let rows = rows!(
            tx,
            (String, i64, i64, i64),
            "SELECT key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time FROM agg_cases WHERE dim = $1 AND region_path IN (SELECT path FROM regions WHERE path LIKE $2 AND (NOT $6 OR parent_id IS NULL)) AND grain = $3 AND bucket >= $4 AND bucket <= $5 GROUP BY key",
            reach.dim,
            &reach.like,
            grain,
            from,
            to,
            reach.rolled_up
        )?;
        for (key, received, merged, ack_on_time) in rows {
            let sum = sums.entry(key).or_default();
            sum.received += received;
            sum.merged += merged;
            sum.ack_on_time += ack_on_time;
        }
    }
    Ok(sums.into_iter().filter(|(_, c)| !c.is_zero()).collect())
}

/// The first `limit` stations (`Dim::Unit`) or representatives (`Dim::Rep`) of the cases
/// under `prefix` received in the period, ranked as the cockpit ranks them: the best
/// response rate first (`domain::rates::response_rate` in whole per mille, none last),
/// then the most received, then by key; with their whole counters, in no order. In one
/// statement, which sums and sorts in the database and returns only those it keeps. For
/// a period of one range of buckets (a month, or days within one): over several, a
/// key's rank needs its sums over all of them first, and this answers None.
pub async fn people_top(
    tx: &mut Tx,
    dim: Dim,
    prefix: &str,
    b: &Buckets,
    limit: i64,
) -> DbResult<Option<Vec<(String, CaseCounts)>>> {
    let [(grain, from, to)] = ranges(b)[..] else { return Ok(None) };
    let reach = Reach::of(dim, prefix);
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_cases
         WHERE dim = $1 AND region_path IN (SELECT path FROM regions WHERE path LIKE $2 AND (NOT $7 OR parent_id IS NULL)) AND grain = $3 AND bucket >= $4 AND bucket <= $5
             AND key IN (SELECT key FROM agg_cases
                 WHERE dim = $1 AND region_path IN (SELECT path FROM regions WHERE path LIKE $2 AND (NOT $7 OR parent_id IS NULL)) AND grain = $3 AND bucket >= $4 AND bucket <= $5
                 GROUP BY key HAVING SUM(received) <> 0 OR SUM(merged) <> 0 OR SUM(ack_on_time) <> 0
                 ORDER BY CASE WHEN SUM(received) - SUM(merged) > 0
                     THEN CAST(SUM(ack_on_time) AS BIGINT) * 1000 / CAST(SUM(received) - SUM(merged) AS BIGINT) ELSE -1 END DESC,
                     SUM(received) DESC, key
                 LIMIT $6)
         GROUP BY key",
        reach.dim,
        &reach.like,
        grain,
        from,
        to,
        limit,
        reach.rolled_up
    )?;
    Ok(Some(rows.into_iter().map(CaseSumRow::into_pair).collect()))
}

/// The case counters of one station or representative (`key`) over the period, of the
/// cases under `prefix`.
pub async fn one_sums(tx: &mut Tx, dim: Dim, key: &str, prefix: &str, b: &Buckets) -> DbResult<CaseCounts> {
    let reach = Reach::of(dim, prefix);
    let mut parts = Vec::new();
    for (grain, from, to) in ranges(b) {
        parts.push(rows!(
            tx,
            CaseSumRow,
            "SELECT key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_cases WHERE dim = $1 AND key = $2 AND grain = $3 AND bucket >= $4 AND bucket <= $5 AND region_path IN (SELECT path FROM regions WHERE path LIKE $6 AND (NOT $7 OR parent_id IS NULL)) GROUP BY key",
            reach.dim,
            key,
            grain,
            from,
            to,
            &reach.like,
            reach.rolled_up
        )?);
    }
    Ok(merged(parts).into_iter().map(|(_, c)| c).next().unwrap_or_default())
}

/// The words most cases under `region_path` received in the period gave, with how many
/// cases gave each, most first, at most `limit`.
pub async fn hot_words(tx: &mut Tx, region_path: &str, b: &Buckets, limit: i64) -> DbResult<Vec<(String, i64)>> {
    let mut sums: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for (grain, from, to) in ranges(b) {
        let rows = rows!(
            tx,
            (String, i64),
            "SELECT word, CAST(SUM(cases) AS BIGINT) AS n FROM agg_hot_words
             WHERE region_path = $1 AND grain = $2 AND bucket >= $3 AND bucket <= $4 GROUP BY word",
            region_path,
            grain,
            from,
            to
        )?;
        for (word, n) in rows {
            *sums.entry(word).or_default() += n;
        }
    }
    let mut words: Vec<(String, i64)> = sums.into_iter().filter(|(_, n)| *n > 0).collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(words)
}

/// Whether the cases under `prefix` received in the period hold at most `bound` department
/// counter rows (as [`people_within`]). Counts no further than the bound.
pub async fn departments_within(tx: &mut Tx, prefix: &str, b: &Buckets, bound: i64) -> DbResult<bool> {
    let like = format!("{prefix}%");
    let rolled_up = is_rolled_up(prefix);
    let mut rows = 0;
    for (grain, from, to) in ranges(b) {
        rows += scalar!(
            tx,
            i64,
            "SELECT COUNT(*) FROM (SELECT 1 FROM agg_departments WHERE region_path IN (SELECT CASE WHEN $6 THEN '+' || path ELSE path END FROM regions WHERE path LIKE $1 AND (NOT $6 OR parent_id IS NULL)) AND grain = $2 AND bucket >= $3 AND bucket <= $4 LIMIT $5) AS bounded",
            &like,
            grain,
            from,
            to,
            bound + 1 - rows,
            rolled_up
        )?;
        if rows > bound {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The department counters of the cases under `prefix` received in the period, per
/// department; none when there are more than `bound` counter rows (as [`people_within`]).
/// `/` and a top-level region read the sums under the top-level regions (their paths
/// marked with [`super::TOP_MARK`]), a region below the rows of each of its paths.
pub async fn department_sums(
    tx: &mut Tx,
    prefix: &str,
    b: &Buckets,
    bound: i64,
) -> DbResult<Option<Vec<(String, DeptCounts)>>> {
    if !departments_within(tx, prefix, b, bound).await? {
        return Ok(None);
    }
    Ok(Some(department_totals(tx, prefix, b).await?))
}

/// [`department_sums`] without the bound: every department's counters of the period. Ask
/// [`departments_within`] first.
pub async fn department_totals(tx: &mut Tx, prefix: &str, b: &Buckets) -> DbResult<Vec<(String, DeptCounts)>> {
    let like = format!("{prefix}%");
    let rolled_up = is_rolled_up(prefix);
    let mut sums: std::collections::BTreeMap<String, DeptCounts> = std::collections::BTreeMap::new();
    for (grain, from, to) in ranges(b) {
        let rows = rows!(
            tx,
            DeptSumRow,
            "SELECT department_id AS key, CAST(COALESCE(SUM(assigned), 0) AS BIGINT) AS assigned, CAST(COALESCE(SUM(returned), 0) AS BIGINT) AS returned, CAST(COALESCE(SUM(reworked), 0) AS BIGINT) AS reworked, CAST(COALESCE(SUM(ext_requested), 0) AS BIGINT) AS ext_requested, CAST(COALESCE(SUM(ext_granted), 0) AS BIGINT) AS ext_granted, CAST(COALESCE(SUM(submitted), 0) AS BIGINT) AS submitted, CAST(COALESCE(SUM(submitted_on_time), 0) AS BIGINT) AS submitted_on_time, CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, CAST(COALESCE(SUM(rated_satisfied), 0) AS BIGINT) AS rated_satisfied, CAST(COALESCE(SUM(rated_basic), 0) AS BIGINT) AS rated_basic, CAST(COALESCE(SUM(rated_unsatisfied), 0) AS BIGINT) AS rated_unsatisfied FROM agg_departments WHERE region_path IN (SELECT CASE WHEN $5 THEN '+' || path ELSE path END FROM regions WHERE path LIKE $1 AND (NOT $5 OR parent_id IS NULL)) AND grain = $2 AND bucket >= $3 AND bucket <= $4
             GROUP BY department_id",
            &like,
            grain,
            from,
            to,
            rolled_up
        )?;
        for (key, counts) in rows.into_iter().map(DeptSumRow::into_pair) {
            let sum = sums.entry(key).or_default();
            *sum = sum.plus(&counts);
        }
    }
    Ok(sums.into_iter().filter(|(_, c)| !c.is_zero()).collect())
}

/// The first `limit` departments of the cases under `prefix` received in the period, as
/// the cockpit ranks them: the best on-time rate first (`domain::rates::department_on_time_rate`
/// in whole per mille, none last), then the most assigned, then by id; with their whole
/// counters, in no order. In one statement, as [`people_top`], for a period of one range of
/// buckets (None over several). Reads every counter row of the period: ask
/// [`departments_within`] first.
pub async fn department_top(
    tx: &mut Tx,
    prefix: &str,
    b: &Buckets,
    limit: i64,
) -> DbResult<Option<Vec<(String, DeptCounts)>>> {
    let [(grain, from, to)] = ranges(b)[..] else { return Ok(None) };
    let rows = rows!(
        tx,
        DeptSumRow,
        "SELECT department_id AS key, CAST(COALESCE(SUM(assigned), 0) AS BIGINT) AS assigned, CAST(COALESCE(SUM(returned), 0) AS BIGINT) AS returned, CAST(COALESCE(SUM(reworked), 0) AS BIGINT) AS reworked, CAST(COALESCE(SUM(ext_requested), 0) AS BIGINT) AS ext_requested, CAST(COALESCE(SUM(ext_granted), 0) AS BIGINT) AS ext_granted, CAST(COALESCE(SUM(submitted), 0) AS BIGINT) AS submitted, CAST(COALESCE(SUM(submitted_on_time), 0) AS BIGINT) AS submitted_on_time, CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, CAST(COALESCE(SUM(rated_satisfied), 0) AS BIGINT) AS rated_satisfied, CAST(COALESCE(SUM(rated_basic), 0) AS BIGINT) AS rated_basic, CAST(COALESCE(SUM(rated_unsatisfied), 0) AS BIGINT) AS rated_unsatisfied FROM agg_departments
         WHERE region_path IN (SELECT CASE WHEN $6 THEN '+' || path ELSE path END FROM regions WHERE path LIKE $1 AND (NOT $6 OR parent_id IS NULL))
             AND grain = $2 AND bucket >= $3 AND bucket <= $4
             AND department_id IN (SELECT department_id FROM agg_departments
                 WHERE region_path IN (SELECT CASE WHEN $6 THEN '+' || path ELSE path END FROM regions WHERE path LIKE $1 AND (NOT $6 OR parent_id IS NULL))
                     AND grain = $2 AND bucket >= $3 AND bucket <= $4
                 GROUP BY department_id
                 HAVING SUM(assigned) <> 0 OR SUM(returned) <> 0 OR SUM(reworked) <> 0 OR SUM(ext_requested) <> 0
                     OR SUM(ext_granted) <> 0 OR SUM(submitted) <> 0 OR SUM(submitted_on_time) <> 0 OR SUM(completed) <> 0
                     OR SUM(rated_satisfied) <> 0 OR SUM(rated_basic) <> 0 OR SUM(rated_unsatisfied) <> 0
                 ORDER BY CASE WHEN SUM(submitted) > 0
                     THEN CAST(SUM(submitted_on_time) AS BIGINT) * 1000 / CAST(SUM(submitted) AS BIGINT) ELSE -1 END DESC,
                     SUM(assigned) DESC, department_id
                 LIMIT $5)
         GROUP BY department_id",
        format!("{prefix}%"),
        grain,
        from,
        to,
        limit,
        is_rolled_up(prefix)
    )?;
    Ok(Some(rows.into_iter().map(DeptSumRow::into_pair).collect()))
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
    let reception = rows!(
        tx,
        (String, i64, i64),
        "SELECT region_path || '|' || grain || '|' || bucket AS key, planned, held FROM agg_reception
         WHERE planned <> 0 OR held <> 0 ORDER BY region_path, grain, bucket"
    )?;
    out.extend(reception.into_iter().map(|(k, p, h)| format!("reception {k} {p} {h}")));
    let open_due = rows!(
        tx,
        (String, i64),
        "SELECT region_path || '|' || due AS key, cases FROM open_due WHERE cases <> 0 ORDER BY region_path, due"
    )?;
    out.extend(open_due.into_iter().map(|(k, n)| format!("open_due {k} {n}")));
    Ok(out)
}

/// Planned and held reception days under `region_path` (a region path, or `/`) dated in
/// the period's buckets (a period that ends today at the latest: days ahead are stored
/// as planned already).
pub async fn reception_total(tx: &mut Tx, region_path: &str, b: &Buckets) -> DbResult<ReceptionCount> {
    let (mut planned, mut held) = (0, 0);
    for (grain, from, to) in ranges(b) {
        let (p, h) = row!(
            tx,
            (i64, i64),
            "SELECT CAST(COALESCE(SUM(planned), 0) AS BIGINT), CAST(COALESCE(SUM(held), 0) AS BIGINT) FROM agg_reception
             WHERE region_path = $1 AND grain = $2 AND bucket >= $3 AND bucket <= $4",
            region_path,
            grain,
            from,
            to
        )?
        .unwrap_or_default();
        planned += p;
        held += h;
    }
    Ok(ReceptionCount { planned, held })
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
    /// The day the last case came to it (`YYYY-MM-DD`), '' for never.
    pub last_case_day: String,
}

/// The stations under `prefix`: inactive ones last, the least recently active first
/// (by `units.last_case_day`, never first), at most `limit`; the scans and the recent
/// count are read for the stations listed. The root (`/`) takes the first of every
/// station in the order of the index `units_activity`; a region sorts its own (by
/// `units_region_activity`): one statement, whose other half a constant condition skips.
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
        "SELECT t.id, t.name, t.active, t.profile_filled,
             CAST(COALESCE((SELECT SUM(s.scans) FROM codes c JOIN code_scans s ON s.code = c.code
                 WHERE c.kind = 'unit' AND c.target_id = t.id AND s.day >= $2 AND s.day <= $3), 0) AS BIGINT) AS scans,
             CAST(COALESCE((SELECT SUM(a.received) FROM agg_cases a
                 WHERE a.dim = 'unit' AND a.key = t.id AND a.grain = 'd' AND a.bucket >= $4), 0) AS BIGINT)
                 AS recent_cases, t.last_case_day
         FROM (SELECT u.id, u.name, u.active, u.last_case_day,
                 CAST((CASE WHEN u.address <> '' THEN 1 ELSE 0 END) + (CASE WHEN u.opening_hours <> '' THEN 1 ELSE 0 END)
                     + (CASE WHEN u.reception_days <> '' THEN 1 ELSE 0 END) + (CASE WHEN u.contact_name <> '' THEN 1 ELSE 0 END)
                     + (CASE WHEN u.contact_phone <> '' THEN 1 ELSE 0 END) + (CASE WHEN u.service_fields <> '' THEN 1 ELSE 0 END)
                     AS BIGINT) AS profile_filled
             FROM units u
             WHERE u.id IN (
                 SELECT id FROM (SELECT u.id FROM units u WHERE $6
                     ORDER BY u.active DESC, u.last_case_day, u.name, u.id LIMIT $5) AS everywhere
                 UNION ALL
                 SELECT id FROM (SELECT u.id FROM units u JOIN regions r ON r.id = u.region_id WHERE NOT $6 AND r.path LIKE $1
                     ORDER BY u.active DESC, u.last_case_day, u.name, u.id LIMIT $5) AS below)) AS t
         ORDER BY t.active DESC, t.last_case_day, t.name, t.id",
        &like,
        from,
        to,
        since,
        limit,
        prefix == "/"
    )
}

/// How many active stations under `prefix` received no case since `since`.
pub async fn idle_stations(tx: &mut Tx, prefix: &str, since: &str) -> DbResult<i64> {
    let like = format!("{prefix}%");
    scalar!(
        tx,
        i64,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM units u JOIN regions r ON r.id = u.region_id
         WHERE r.path LIKE $1 AND u.active = TRUE AND u.last_case_day < $2",
        &like,
        since
    )
}
