-- The stations' and representatives' counters summed under each top-level region
-- (dims 'unit_rollup' and 'rep_rollup' of agg_cases, filed by db::aggregates::Additions
-- from now on), so the cockpit of the whole installation or of a province ranks its
-- people from one range of rows a top-level region, instead of seeking the rows of every
-- region path below (1,507 seeks in the synthetic province). Filled here from the
-- 'unit' and 'rep' rows, which are filed under the case's own region path: each such
-- row is summed into the top-level region its path lies under. Adds rows only.
INSERT INTO agg_cases (dim, region_path, grain, bucket, key, received, acknowledged, ack_on_time,
    answered_direct, forwarded, answered, answered_on_time, closed, solved, withdrawn, merged, reopened,
    citizen_satisfied, citizen_basic, citizen_unsatisfied, rep_satisfied, rep_basic, rep_unsatisfied,
    rated_both, disagree, returns, reworks, extensions)
SELECT CASE WHEN a.dim = 'unit' THEN 'unit_rollup' ELSE 'rep_rollup' END, t.path, a.grain, a.bucket, a.key,
    SUM(a.received), SUM(a.acknowledged), SUM(a.ack_on_time), SUM(a.answered_direct), SUM(a.forwarded),
    SUM(a.answered), SUM(a.answered_on_time), SUM(a.closed), SUM(a.solved), SUM(a.withdrawn), SUM(a.merged),
    SUM(a.reopened), SUM(a.citizen_satisfied), SUM(a.citizen_basic), SUM(a.citizen_unsatisfied),
    SUM(a.rep_satisfied), SUM(a.rep_basic), SUM(a.rep_unsatisfied), SUM(a.rated_both), SUM(a.disagree),
    SUM(a.returns), SUM(a.reworks), SUM(a.extensions)
FROM agg_cases a JOIN regions t ON t.parent_id IS NULL AND substr(a.region_path, 1, length(t.path)) = t.path
WHERE a.dim IN ('unit', 'rep')
GROUP BY a.dim, t.path, a.grain, a.bucket, a.key;
