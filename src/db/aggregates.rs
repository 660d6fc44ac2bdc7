//! The cockpit's aggregates: counters per cohort day and region (and channel and
//! category, station and representative, or department), added to in the
//! transaction that appends a case event, summed over a region subtree and a range
//! of days when the cockpit asks.

use super::{DbResult, Tx};
use crate::domain::tally::{AssignmentFact, CaseCounts, DeptCounts};

/// The keys a case's counters are filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseKey {
    pub day: String,
    pub region_path: String,
    pub channel: String,
    pub category: String,
    pub unit_id: String,
    pub representative_id: String,
}

/// Adds `delta` to the row of `agg_region` for the key's day, region, channel and category.
pub async fn add_region(tx: &mut Tx, key: &CaseKey, delta: &CaseCounts) -> DbResult<()> {
    let v = delta.values();
    exec!(
        tx,
        "INSERT INTO agg_region (day, region_path, channel, category, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) ON CONFLICT (day, region_path, channel, category) DO UPDATE SET received = agg_region.received + excluded.received, acknowledged = agg_region.acknowledged + excluded.acknowledged, ack_on_time = agg_region.ack_on_time + excluded.ack_on_time, answered_direct = agg_region.answered_direct + excluded.answered_direct, forwarded = agg_region.forwarded + excluded.forwarded, answered = agg_region.answered + excluded.answered, answered_on_time = agg_region.answered_on_time + excluded.answered_on_time, closed = agg_region.closed + excluded.closed, solved = agg_region.solved + excluded.solved, withdrawn = agg_region.withdrawn + excluded.withdrawn, merged = agg_region.merged + excluded.merged, reopened = agg_region.reopened + excluded.reopened, citizen_satisfied = agg_region.citizen_satisfied + excluded.citizen_satisfied, citizen_basic = agg_region.citizen_basic + excluded.citizen_basic, citizen_unsatisfied = agg_region.citizen_unsatisfied + excluded.citizen_unsatisfied, rep_satisfied = agg_region.rep_satisfied + excluded.rep_satisfied, rep_basic = agg_region.rep_basic + excluded.rep_basic, rep_unsatisfied = agg_region.rep_unsatisfied + excluded.rep_unsatisfied, rated_both = agg_region.rated_both + excluded.rated_both, disagree = agg_region.disagree + excluded.disagree, returns = agg_region.returns + excluded.returns, reworks = agg_region.reworks + excluded.reworks, extensions = agg_region.extensions + excluded.extensions",
        &key.day,
        &key.region_path,
        &key.channel,
        &key.category,
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10],
        v[11],
        v[12],
        v[13],
        v[14],
        v[15],
        v[16],
        v[17],
        v[18],
        v[19],
        v[20],
        v[21],
        v[22]
    )?;
    Ok(())
}

/// Adds `delta` to the row of `agg_person` for the key's day, region, unit and representative.
pub async fn add_person(tx: &mut Tx, key: &CaseKey, delta: &CaseCounts) -> DbResult<()> {
    let v = delta.values();
    exec!(
        tx,
        "INSERT INTO agg_person (day, region_path, unit_id, representative_id, received, acknowledged, ack_on_time, answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened, citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied, rated_both, disagree, returns, reworks, extensions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) ON CONFLICT (day, region_path, unit_id, representative_id) DO UPDATE SET received = agg_person.received + excluded.received, acknowledged = agg_person.acknowledged + excluded.acknowledged, ack_on_time = agg_person.ack_on_time + excluded.ack_on_time, answered_direct = agg_person.answered_direct + excluded.answered_direct, forwarded = agg_person.forwarded + excluded.forwarded, answered = agg_person.answered + excluded.answered, answered_on_time = agg_person.answered_on_time + excluded.answered_on_time, closed = agg_person.closed + excluded.closed, solved = agg_person.solved + excluded.solved, withdrawn = agg_person.withdrawn + excluded.withdrawn, merged = agg_person.merged + excluded.merged, reopened = agg_person.reopened + excluded.reopened, citizen_satisfied = agg_person.citizen_satisfied + excluded.citizen_satisfied, citizen_basic = agg_person.citizen_basic + excluded.citizen_basic, citizen_unsatisfied = agg_person.citizen_unsatisfied + excluded.citizen_unsatisfied, rep_satisfied = agg_person.rep_satisfied + excluded.rep_satisfied, rep_basic = agg_person.rep_basic + excluded.rep_basic, rep_unsatisfied = agg_person.rep_unsatisfied + excluded.rep_unsatisfied, rated_both = agg_person.rated_both + excluded.rated_both, disagree = agg_person.disagree + excluded.disagree, returns = agg_person.returns + excluded.returns, reworks = agg_person.reworks + excluded.reworks, extensions = agg_person.extensions + excluded.extensions",
        &key.day,
        &key.region_path,
        &key.unit_id,
        &key.representative_id,
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10],
        v[11],
        v[12],
        v[13],
        v[14],
        v[15],
        v[16],
        v[17],
        v[18],
        v[19],
        v[20],
        v[21],
        v[22]
    )?;
    Ok(())
}

/// Adds `delta` to one department's row for the case's day and region.
pub async fn add_department(tx: &mut Tx, key: &CaseKey, department_id: &str, delta: &DeptCounts) -> DbResult<()> {
    let v = delta.values();
    exec!(
        tx,
        "INSERT INTO agg_department (day, region_path, department_id, assigned, returned, reworked, ext_requested, ext_granted, submitted, submitted_on_time, completed, rated_satisfied, rated_basic, rated_unsatisfied) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (day, region_path, department_id) DO UPDATE SET assigned = agg_department.assigned + excluded.assigned, returned = agg_department.returned + excluded.returned, reworked = agg_department.reworked + excluded.reworked, ext_requested = agg_department.ext_requested + excluded.ext_requested, ext_granted = agg_department.ext_granted + excluded.ext_granted, submitted = agg_department.submitted + excluded.submitted, submitted_on_time = agg_department.submitted_on_time + excluded.submitted_on_time, completed = agg_department.completed + excluded.completed, rated_satisfied = agg_department.rated_satisfied + excluded.rated_satisfied, rated_basic = agg_department.rated_basic + excluded.rated_basic, rated_unsatisfied = agg_department.rated_unsatisfied + excluded.rated_unsatisfied",
        &key.day,
        &key.region_path,
        department_id,
        v[0],
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        v[6],
        v[7],
        v[8],
        v[9],
        v[10]
    )?;
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

/// How a sum over a subtree and a range of days is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One row, key ''.
    Nothing,
    RegionPath,
    Channel,
    Category,
    Day,
    Unit,
    Representative,
}

/// Sums of the case counters of every region under `prefix` (a region path) for
/// cases received from `from` to `to` (inclusive), broken down `by`.
pub async fn case_sums(tx: &mut Tx, prefix: &str, from: &str, to: &str, by: By) -> DbResult<Vec<(String, CaseCounts)>> {
    let like = format!("{prefix}%");
    let rows = match by {
        By::Nothing => rows!(
            tx,
            CaseSumRow,
            "SELECT '' AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_region WHERE region_path LIKE $1 AND day >= $2 AND day <= $3",
            &like,
            from,
            to
        )?,
        By::RegionPath => rows!(
            tx,
            CaseSumRow,
            "SELECT region_path AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_region WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY region_path",
            &like,
            from,
            to
        )?,
        By::Channel => rows!(
            tx,
            CaseSumRow,
            "SELECT channel AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_region WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY channel",
            &like,
            from,
            to
        )?,
        By::Category => rows!(
            tx,
            CaseSumRow,
            "SELECT category AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_region WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY category",
            &like,
            from,
            to
        )?,
        By::Day => rows!(
            tx,
            CaseSumRow,
            "SELECT day AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_region WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY day",
            &like,
            from,
            to
        )?,
        By::Unit => rows!(
            tx,
            CaseSumRow,
            "SELECT unit_id AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_person WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY unit_id",
            &like,
            from,
            to
        )?,
        By::Representative => rows!(
            tx,
            CaseSumRow,
            "SELECT representative_id AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_person WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY representative_id",
            &like,
            from,
            to
        )?,
    };
    Ok(rows.into_iter().map(CaseSumRow::into_pair).filter(|(_, c)| !c.is_zero()).collect())
}

/// Sums of the case counters of the cases addressed to one station (unit) and
/// received from `from` to `to`, per representative named with it ('' for none).
pub async fn unit_sums(tx: &mut Tx, unit_id: &str, from: &str, to: &str) -> DbResult<Vec<(String, CaseCounts)>> {
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT representative_id AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_person WHERE unit_id = $1 AND day >= $2 AND day <= $3 GROUP BY representative_id",
        unit_id,
        from,
        to
    )?;
    Ok(rows.into_iter().map(CaseSumRow::into_pair).filter(|(_, c)| !c.is_zero()).collect())
}

/// Sums of the case counters of the cases under `prefix` addressed to one
/// representative and received from `from` to `to` (one row, or none).
pub async fn representative_sums(
    tx: &mut Tx,
    prefix: &str,
    representative_id: &str,
    from: &str,
    to: &str,
) -> DbResult<CaseCounts> {
    let like = format!("{prefix}%");
    let rows = rows!(
        tx,
        CaseSumRow,
        "SELECT representative_id AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_person WHERE representative_id = $1 AND region_path LIKE $2 AND day >= $3 AND day <= $4 GROUP BY representative_id",
        representative_id,
        &like,
        from,
        to
    )?;
    Ok(rows.into_iter().map(CaseSumRow::into_pair).map(|(_, c)| c).next().unwrap_or_default())
}

/// Adds `cases` to the count of cases that gave `word` on the key's day and region.
pub async fn add_word(tx: &mut Tx, day: &str, region_path: &str, word: &str, cases: i64) -> DbResult<()> {
    exec!(
        tx,
        "INSERT INTO agg_words (day, region_path, word, cases) VALUES ($1, $2, $3, $4)
         ON CONFLICT (day, region_path, word) DO UPDATE SET cases = agg_words.cases + excluded.cases",
        day,
        region_path,
        word,
        cases
    )?;
    Ok(())
}

/// The words most cases under `prefix` received from `from` to `to` gave, with how
/// many cases gave each, most first, at most `limit`.
pub async fn hot_words(tx: &mut Tx, prefix: &str, from: &str, to: &str, limit: i64) -> DbResult<Vec<(String, i64)>> {
    let like = format!("{prefix}%");
    rows!(
        tx,
        (String, i64),
        "SELECT word, CAST(SUM(cases) AS BIGINT) AS n FROM agg_words
         WHERE region_path LIKE $1 AND day >= $2 AND day <= $3
         GROUP BY word HAVING SUM(cases) > 0 ORDER BY n DESC, word LIMIT $4",
        &like,
        from,
        to,
        limit
    )
}

/// Sums of the department counters of cases under `prefix`, per department.
pub async fn department_sums(tx: &mut Tx, prefix: &str, from: &str, to: &str) -> DbResult<Vec<(String, DeptCounts)>> {
    let like = format!("{prefix}%");
    let rows = rows!(
        tx,
        DeptSumRow,
        "SELECT department_id AS key, CAST(COALESCE(SUM(assigned), 0) AS BIGINT) AS assigned, CAST(COALESCE(SUM(returned), 0) AS BIGINT) AS returned, CAST(COALESCE(SUM(reworked), 0) AS BIGINT) AS reworked, CAST(COALESCE(SUM(ext_requested), 0) AS BIGINT) AS ext_requested, CAST(COALESCE(SUM(ext_granted), 0) AS BIGINT) AS ext_granted, CAST(COALESCE(SUM(submitted), 0) AS BIGINT) AS submitted, CAST(COALESCE(SUM(submitted_on_time), 0) AS BIGINT) AS submitted_on_time, CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, CAST(COALESCE(SUM(rated_satisfied), 0) AS BIGINT) AS rated_satisfied, CAST(COALESCE(SUM(rated_basic), 0) AS BIGINT) AS rated_basic, CAST(COALESCE(SUM(rated_unsatisfied), 0) AS BIGINT) AS rated_unsatisfied FROM agg_department WHERE region_path LIKE $1 AND day >= $2 AND day <= $3 GROUP BY department_id",
        &like,
        from,
        to
    )?;
    Ok(rows.into_iter().map(DeptSumRow::into_pair).filter(|(_, c)| !c.is_zero()).collect())
}

/// Every stored row, in key order, with zero rows left out (for the check that the
/// maintained aggregates equal the rebuilt ones).
pub async fn dump(tx: &mut Tx) -> DbResult<Vec<String>> {
    let region = rows!(
        tx,
        CaseSumRow,
        "SELECT day || '|' || region_path || '|' || channel || '|' || category AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_region
         GROUP BY day, region_path, channel, category ORDER BY 1"
    )?;
    let person = rows!(
        tx,
        CaseSumRow,
        "SELECT day || '|' || region_path || '|' || unit_id || '|' || representative_id AS key, CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, CAST(COALESCE(SUM(acknowledged), 0) AS BIGINT) AS acknowledged, CAST(COALESCE(SUM(ack_on_time), 0) AS BIGINT) AS ack_on_time, CAST(COALESCE(SUM(answered_direct), 0) AS BIGINT) AS answered_direct, CAST(COALESCE(SUM(forwarded), 0) AS BIGINT) AS forwarded, CAST(COALESCE(SUM(answered), 0) AS BIGINT) AS answered, CAST(COALESCE(SUM(answered_on_time), 0) AS BIGINT) AS answered_on_time, CAST(COALESCE(SUM(closed), 0) AS BIGINT) AS closed, CAST(COALESCE(SUM(solved), 0) AS BIGINT) AS solved, CAST(COALESCE(SUM(withdrawn), 0) AS BIGINT) AS withdrawn, CAST(COALESCE(SUM(merged), 0) AS BIGINT) AS merged, CAST(COALESCE(SUM(reopened), 0) AS BIGINT) AS reopened, CAST(COALESCE(SUM(citizen_satisfied), 0) AS BIGINT) AS citizen_satisfied, CAST(COALESCE(SUM(citizen_basic), 0) AS BIGINT) AS citizen_basic, CAST(COALESCE(SUM(citizen_unsatisfied), 0) AS BIGINT) AS citizen_unsatisfied, CAST(COALESCE(SUM(rep_satisfied), 0) AS BIGINT) AS rep_satisfied, CAST(COALESCE(SUM(rep_basic), 0) AS BIGINT) AS rep_basic, CAST(COALESCE(SUM(rep_unsatisfied), 0) AS BIGINT) AS rep_unsatisfied, CAST(COALESCE(SUM(rated_both), 0) AS BIGINT) AS rated_both, CAST(COALESCE(SUM(disagree), 0) AS BIGINT) AS disagree, CAST(COALESCE(SUM(returns), 0) AS BIGINT) AS returns, CAST(COALESCE(SUM(reworks), 0) AS BIGINT) AS reworks, CAST(COALESCE(SUM(extensions), 0) AS BIGINT) AS extensions FROM agg_person
         GROUP BY day, region_path, unit_id, representative_id ORDER BY 1"
    )?;
    let dept = rows!(
        tx,
        DeptSumRow,
        "SELECT day || '|' || region_path || '|' || department_id AS key, CAST(COALESCE(SUM(assigned), 0) AS BIGINT) AS assigned, CAST(COALESCE(SUM(returned), 0) AS BIGINT) AS returned, CAST(COALESCE(SUM(reworked), 0) AS BIGINT) AS reworked, CAST(COALESCE(SUM(ext_requested), 0) AS BIGINT) AS ext_requested, CAST(COALESCE(SUM(ext_granted), 0) AS BIGINT) AS ext_granted, CAST(COALESCE(SUM(submitted), 0) AS BIGINT) AS submitted, CAST(COALESCE(SUM(submitted_on_time), 0) AS BIGINT) AS submitted_on_time, CAST(COALESCE(SUM(completed), 0) AS BIGINT) AS completed, CAST(COALESCE(SUM(rated_satisfied), 0) AS BIGINT) AS rated_satisfied, CAST(COALESCE(SUM(rated_basic), 0) AS BIGINT) AS rated_basic, CAST(COALESCE(SUM(rated_unsatisfied), 0) AS BIGINT) AS rated_unsatisfied FROM agg_department
         GROUP BY day, region_path, department_id ORDER BY 1"
    )?;
    let mut out = Vec::new();
    out.extend(
        region
            .into_iter()
            .map(CaseSumRow::into_pair)
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| format!("region {k} {c:?}")),
    );
    out.extend(
        person
            .into_iter()
            .map(CaseSumRow::into_pair)
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| format!("person {k} {c:?}")),
    );
    let words = rows!(
        tx,
        (String, i64),
        "SELECT day || '|' || region_path || '|' || word AS key, CAST(SUM(cases) AS BIGINT) AS n FROM agg_words
         GROUP BY day, region_path, word HAVING SUM(cases) <> 0 ORDER BY 1"
    )?;
    out.extend(words.into_iter().map(|(k, n)| format!("word {k} {n}")));
    out.extend(
        dept.into_iter()
            .map(DeptSumRow::into_pair)
            .filter(|(_, c)| !c.is_zero())
            .map(|(k, c)| format!("department {k} {c:?}")),
    );
    Ok(out)
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
/// rebuild chunk and the events of the same moment cannot miss or double a case.
pub async fn lock_for_rebuild(tx: &mut Tx) -> DbResult<()> {
    match tx.engine() {
        super::Engine::Sqlite => Ok(()),
        super::Engine::Postgres => {
            exec!(tx, "LOCK TABLE agg_region, agg_person, agg_department, agg_words IN SHARE ROW EXCLUSIVE MODE")?;
            Ok(())
        }
    }
}

/// Removes the counters of region paths no case is filed at any more.
pub async fn clear_stale(tx: &mut Tx) -> DbResult<()> {
    exec!(tx, "DELETE FROM agg_region WHERE region_path NOT IN (SELECT region_path FROM cases)")?;
    exec!(tx, "DELETE FROM agg_person WHERE region_path NOT IN (SELECT region_path FROM cases)")?;
    exec!(tx, "DELETE FROM agg_department WHERE region_path NOT IN (SELECT region_path FROM cases)")?;
    exec!(tx, "DELETE FROM agg_words WHERE region_path NOT IN (SELECT region_path FROM cases)")?;
    Ok(())
}

/// Empties the counters of one region path (not its subtree), before it is refiled.
pub async fn clear_path(tx: &mut Tx, path: &str) -> DbResult<()> {
    exec!(tx, "DELETE FROM agg_region WHERE region_path = $1", path)?;
    exec!(tx, "DELETE FROM agg_person WHERE region_path = $1", path)?;
    exec!(tx, "DELETE FROM agg_department WHERE region_path = $1", path)?;
    exec!(tx, "DELETE FROM agg_words WHERE region_path = $1", path)?;
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
             CAST(COALESCE((SELECT SUM(a.received) FROM agg_person a WHERE a.unit_id = u.id AND a.day >= $4), 0) AS BIGINT)
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
