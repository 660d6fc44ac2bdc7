//! The cockpit's bounded reads: a ranking of stations, representatives or departments
//! reads at most one counter row past its bound (a region holding more rows in the period
//! is too wide to rank, one holding exactly the bound is ranked in full); the database's
//! ranking of a one-range period is the cockpit's order; the stations', representatives'
//! and departments' sums under each top-level region are their own rows summed, as kept
//! and as the migration fills them; the due lists read wide or narrow give the same cases,
//! and the kept count of open cases by due day counts them.

use chrono::Datelike;
use minyi::db::Db;
use minyi::db::aggregates::{self, Dim};
use minyi::domain::rates::{Buckets, Period};

use crate::support::{engines, load_demo};

/// The counter rows of `table` (and `dim`, for `agg_cases`) under `prefix` in the
/// period's buckets, counted here, apart from the code under test.
async fn stored_rows(db: &Db, table: &str, dim: &str, prefix: &str, b: &Buckets) -> i64 {
    let ranges = [("m", &b.months), ("d", &b.head), ("d", &b.tail)];
    let like = format!("{prefix}%");
    let sql = format!(
        "SELECT COUNT(*) FROM {table} WHERE ($1 = '' OR {}) AND grain = $2 AND bucket >= $3 AND bucket <= $4
             AND region_path LIKE $5",
        if table == "agg_cases" { "dim = $1" } else { "$1 = ''" }
    );
    let mut total = 0;
    for (grain, range) in ranges {
        let Some((from, to)) = range else { continue };
        let sql = || sqlx::AssertSqlSafe(sql.clone());
        total += match db {
            Db::Sqlite { pool, .. } => {
                let q = sqlx::query_scalar::<_, i64>(sql()).bind(dim).bind(grain).bind(from).bind(to).bind(&like);
                q.fetch_one(pool).await
            }
            Db::Postgres(pool) => {
                let q = sqlx::query_scalar::<_, i64>(sql()).bind(dim).bind(grain).bind(from).bind(to).bind(&like);
                q.fetch_one(pool).await
            }
        }
        .unwrap();
    }
    total
}

/// The path of the county's town that received most cases in the period.
async fn busiest_town(tx: &mut minyi::db::Tx, b: &Buckets) -> String {
    let county = minyi::db::regions::top_level(tx).await.unwrap().remove(0);
    let children = aggregates::region_sums(tx, Dim::Child, county.path.as_str(), b).await.unwrap();
    let (id, _) = children.iter().filter(|(id, _)| !id.is_empty()).max_by_key(|(_, c)| c.received).expect("a town");
    minyi::db::regions::get(tx, id).await.unwrap().expect("the town").path.as_str().to_string()
}

/// One text per row `sql` returns (its only column).
async fn texts(db: &Db, sql: &'static str) -> Vec<String> {
    match db {
        Db::Sqlite { pool, .. } => sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await,
    }
    .unwrap()
}

/// The stations', representatives' and departments' rows summed per top-level region, as
/// text, and the sums filed under the top-level regions, as text, counted here.
async fn own_and_rolled_up(db: &Db) -> (Vec<String>, Vec<String>) {
    let own = texts(
        db,
        "SELECT a.dim || '|' || t.path || '|' || a.grain || '|' || a.bucket || '|' || a.key || '|'
             || CAST(CAST(SUM(a.received) AS BIGINT) AS TEXT) || '|' || CAST(CAST(SUM(a.ack_on_time) AS BIGINT) AS TEXT)
             || '|' || CAST(CAST(SUM(a.closed) AS BIGINT) AS TEXT) || '|' || CAST(CAST(SUM(a.merged) AS BIGINT) AS TEXT)
             || '|' || CAST(CAST(SUM(a.citizen_satisfied) AS BIGINT) AS TEXT)
             || '|' || CAST(CAST(SUM(a.rep_unsatisfied) AS BIGINT) AS TEXT)
             || '|' || CAST(CAST(SUM(a.extensions) AS BIGINT) AS TEXT) AS line
         FROM agg_cases a, regions t
         WHERE a.dim IN ('unit', 'rep') AND t.parent_id IS NULL AND a.region_path LIKE t.path || '%'
         GROUP BY a.dim, t.path, a.grain, a.bucket, a.key ORDER BY line",
    )
    .await;
    let rolled_up = texts(
        db,
        "SELECT CASE WHEN dim = 'unit_rollup' THEN 'unit' ELSE 'rep' END || '|' || region_path || '|' || grain || '|'
             || bucket || '|' || key || '|' || CAST(received AS TEXT) || '|' || CAST(ack_on_time AS TEXT)
             || '|' || CAST(closed AS TEXT) || '|' || CAST(merged AS TEXT) || '|' || CAST(citizen_satisfied AS TEXT)
             || '|' || CAST(rep_unsatisfied AS TEXT) || '|' || CAST(extensions AS TEXT) AS line
         FROM agg_cases WHERE dim IN ('unit_rollup', 'rep_rollup') ORDER BY line",
    )
    .await;
    let own_departments = texts(
        db,
        "SELECT t.path || '|' || a.grain || '|' || a.bucket || '|' || a.department_id || '|'
             || CAST(CAST(SUM(a.assigned) AS BIGINT) AS TEXT) || '|' || CAST(CAST(SUM(a.returned) AS BIGINT) AS TEXT)
             || '|' || CAST(CAST(SUM(a.submitted_on_time) AS BIGINT) AS TEXT)
             || '|' || CAST(CAST(SUM(a.rated_unsatisfied) AS BIGINT) AS TEXT) AS line
         FROM agg_departments a, regions t
         WHERE t.parent_id IS NULL AND a.region_path LIKE t.path || '%'
         GROUP BY t.path, a.grain, a.bucket, a.department_id ORDER BY line",
    )
    .await;
    let rolled_up_departments = texts(
        db,
        "SELECT substr(region_path, 2) || '|' || grain || '|' || bucket || '|' || department_id || '|'
             || CAST(assigned AS TEXT) || '|' || CAST(returned AS TEXT) || '|' || CAST(submitted_on_time AS TEXT)
             || '|' || CAST(rated_unsatisfied AS TEXT) AS line
         FROM agg_departments WHERE region_path LIKE '+%' ORDER BY line",
    )
    .await;
    let tag = |lines: Vec<String>, kind: &str| lines.into_iter().map(|l| format!("{kind}|{l}")).collect::<Vec<_>>();
    let mut own = own;
    own.extend(tag(own_departments, "department"));
    let mut rolled_up = rolled_up;
    rolled_up.extend(tag(rolled_up_departments, "department"));
    (own, rolled_up)
}

/// The sums under the top-level region are the stations', representatives' and
/// departments' own rows summed, as the cases' moves keep them and as the migrations fill
/// them from the own rows.
#[tokio::test]
async fn the_people_sums_under_a_top_level_region_are_their_rows_summed() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let (own, rolled_up) = own_and_rolled_up(t.db()).await;
        assert!(own.len() > 100, "{}: the demo files many rows, {}", t.engine, own.len());
        assert_eq!(rolled_up, own, "{}: as kept", t.engine);
        assert!(own.iter().any(|l| l.starts_with("department|")), "{}: departments were assigned", t.engine);
        let empty = "DELETE FROM agg_cases WHERE dim IN ('unit_rollup', 'rep_rollup');
             DELETE FROM agg_departments WHERE region_path LIKE '+%';";
        let people = include_str!("../../migrations/20261130000006_agg_people_rollup.sql");
        let departments = include_str!("../../migrations/20261130000009_agg_departments_rollup.sql");
        t.execute_raw(empty).await;
        assert_eq!(own_and_rolled_up(t.db()).await.1, Vec::<String>::new());
        t.execute_raw(people).await;
        t.execute_raw(departments).await;
        assert_eq!(own_and_rolled_up(t.db()).await, (own.clone(), own), "{}: as the migration fills them", t.engine);
    }
}

#[tokio::test]
async fn a_ranking_is_left_out_exactly_when_the_region_holds_more_rows_than_the_bound() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let today = t.app.today();
        // Ragged at both ends, so the rows come from day, month and day ranges in turn.
        let from = (today - chrono::Duration::days(200)).to_string();
        let period = Period::parse(&from, &today.to_string(), today).unwrap();
        let b = period.buckets_as_of(today);
        assert!(b.head.is_some() && b.months.is_some(), "{}: {b:?}", t.engine);
        let mut tx = t.read().await;
        // The root reads the sums under the top-level region; the busiest town its own rows.
        let town = busiest_town(&mut tx, &b).await;
        for (prefix, rolled_up) in [("/", true), (town.as_str(), false)] {
            assert_eq!(aggregates::is_rolled_up(prefix), rolled_up, "{prefix}");
            for (dim, own, rollup) in [(Dim::Unit, "unit", "unit_rollup"), (Dim::Rep, "rep", "rep_rollup")] {
                let e = format!("{} {dim:?} {prefix}", t.engine);
                let all = aggregates::people_rank_figures(&mut tx, dim, prefix, &b).await.unwrap();
                assert!(all.len() > usize::from(rolled_up), "{e}: the demo ranks several at the root, some in a town");
                let received: i64 = all.iter().map(|(_, c)| c.received).sum();
                // The fewest rows the ranking holds: the smallest bound that still ranks.
                let mut rows = 0;
                while !aggregates::people_within(&mut tx, dim, prefix, &b, rows).await.unwrap() {
                    rows += 1;
                }
                assert!(rows >= all.len() as i64 && rows <= received, "{e}: {rows} rows for {} keys", all.len());
                let dim_name = if rolled_up { rollup } else { own };
                assert_eq!(rows, stored_rows(t.db(), "agg_cases", dim_name, prefix, &b).await, "{e}: every row counts");
                assert!(aggregates::people_within(&mut tx, dim, prefix, &b, rows).await.unwrap(), "{e}: at the bound");
            }
        }
        // The departments likewise: the root reads the sums under the marked top-level path.
        let county = minyi::db::regions::top_level(&mut tx).await.unwrap().remove(0);
        let marked = format!("{}{}", aggregates::TOP_MARK, county.path.as_str());
        for (prefix, stored) in [("/", marked.as_str()), (town.as_str(), town.as_str())] {
            let e = format!("{} departments {prefix}", t.engine);
            let all = aggregates::department_sums(&mut tx, prefix, &b, 1_000_000).await.unwrap().unwrap();
            assert!(!all.is_empty(), "{e}: departments were assigned");
            let mut rows = 0;
            while aggregates::department_sums(&mut tx, prefix, &b, rows).await.unwrap().is_none() {
                rows += 1;
            }
            assert_eq!(rows, stored_rows(t.db(), "agg_departments", "", stored, &b).await, "{e}");
            assert_eq!(aggregates::department_sums(&mut tx, prefix, &b, rows).await.unwrap(), Some(all), "{e}");
            assert_eq!(aggregates::department_sums(&mut tx, prefix, &b, 0).await.unwrap(), None, "{e}");
        }
    }
}

/// The overdue and due-soon lists read either from the open cases of all regions by due
/// date (wide) or from the region's own cases (narrow): the same cases, in the same
/// order, for the root, the county and towns; and the kept count of open cases by due
/// day (`db::open_due`) counts exactly the cases they find.
#[tokio::test]
async fn the_due_lists_read_wide_or_narrow_are_the_same() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let mut tx = t.read().await;
        let mut prefixes = vec!["/".to_string()];
        let county = minyi::db::regions::top_level(&mut tx).await.unwrap().remove(0);
        prefixes.push(county.path.as_str().to_string());
        for town in minyi::db::regions::children(&mut tx, &county.id).await.unwrap().into_iter().take(3) {
            prefixes.push(town.path.as_str().to_string());
        }
        let today = t.app.today();
        let windows = [
            ("0000-01-01".to_string(), (today - chrono::Duration::days(1)).to_string()),
            (today.to_string(), (today + chrono::Duration::days(10)).to_string()),
            ("0000-01-01".to_string(), "9999-12-31".to_string()),
        ];
        let mut listed = 0;
        for prefix in &prefixes {
            for (from, to) in &windows {
                let e = format!("{} {prefix} {from}..{to}", t.engine);
                let wide = minyi::db::cases::open_due_between(&mut tx, prefix, from, to, 30, false).await.unwrap();
                let narrow = minyi::db::cases::open_due_between(&mut tx, prefix, from, to, 30, true).await.unwrap();
                let ids = |cases: &[minyi::domain::case::Case]| cases.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
                assert_eq!(ids(&wide), ids(&narrow), "{e}");
                assert!(wide.iter().all(|c| c.region_path.as_str().starts_with(prefix.as_str())), "{e}");
                // The kept count of open cases by due day is every case the lists find.
                let count = minyi::db::open_due::count(&mut tx, prefix, from, to).await.unwrap();
                let every = minyi::db::cases::open_due_between(&mut tx, prefix, from, to, 100_000, true).await.unwrap();
                assert_eq!(count, every.len() as i64, "{e}: counted");
                assert_eq!(ids(&wide), ids(&every[..wide.len()]), "{e}: the first of them");
                listed += wide.len();
            }
        }
        assert!(listed > 0, "{}: the demo has open cases", t.engine);
    }
}

/// The stations and representatives the database ranks for a period of one range of
/// buckets are the first of the cockpit's order (the best response rate in whole per
/// mille first, none last; then the most received; then by id), with their whole
/// counters: checked against every key's counters summed one by one and sorted here; the
/// departments likewise on their on-time rate.
#[tokio::test]
async fn the_database_ranks_people_as_the_cockpit_orders_them() {
    use minyi::domain::rates::response_rate;
    use minyi::domain::tally::CaseCounts;
    let order = |a: &(String, CaseCounts), b: &(String, CaseCounts)| {
        let rate = |c: &CaseCounts| response_rate(c).per_mille().unwrap_or(-1);
        rate(&b.1).cmp(&rate(&a.1)).then(b.1.received.cmp(&a.1.received)).then(a.0.cmp(&b.0))
    };
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let today = t.app.today();
        let mut tx = t.read().await;
        let county = minyi::db::regions::top_level(&mut tx).await.unwrap().remove(0);
        let year = format!("{}-01-01", today.format("%Y"));
        // The whole month before this one, which the demo's cases fill.
        let last_month_end = today.with_day(1).unwrap() - chrono::Duration::days(1);
        let (last_month, last_month_end) =
            (format!("{}-01", last_month_end.format("%Y-%m")), last_month_end.to_string());
        let ragged = (today - chrono::Duration::days(61)).to_string();
        let (today_text, year_end) = (today.to_string(), format!("{}-12-31", today.format("%Y")));
        let periods = [(&year, &year_end, true), (&last_month, &last_month_end, true), (&ragged, &today_text, false)];
        for (from, to, ranked) in periods {
            let b = Period::parse(from, to, today).unwrap().buckets_as_of(today);
            // The root and the county read the sums under the county; a town its own rows.
            let town = busiest_town(&mut tx, &b).await;
            for prefix in ["/", county.path.as_str(), town.as_str()] {
                for dim in [Dim::Unit, Dim::Rep] {
                    let e = format!("{} {dim:?} {prefix} from {from}", t.engine);
                    let top = aggregates::people_top(&mut tx, dim, prefix, &b, 1_000).await.unwrap();
                    if !ranked {
                        assert_eq!(top, None, "{e}: several ranges are not ranked in one statement");
                        continue;
                    }
                    let mut all = Vec::new();
                    for (key, _) in aggregates::people_rank_figures(&mut tx, dim, prefix, &b).await.unwrap() {
                        let counts = aggregates::one_sums(&mut tx, dim, &key, prefix, &b).await.unwrap();
                        all.push((key, counts));
                    }
                    all.sort_by(order);
                    let several = usize::from(aggregates::is_rolled_up(prefix));
                    assert!(all.len() > several, "{e}: the demo ranks several at the top, some in a town");
                    for limit in [1, 2, 3, all.len(), all.len() + 5] {
                        let mut top = aggregates::people_top(&mut tx, dim, prefix, &b, limit as i64).await.unwrap();
                        let top = top.as_mut().map(|top| {
                            top.sort_by(order);
                            top.clone()
                        });
                        assert_eq!(top, Some(all[..limit.min(all.len())].to_vec()), "{e}: the first {limit}");
                    }
                }
                // The departments, on their on-time rate, against every department summed here.
                let e = format!("{} departments {prefix} from {from}", t.engine);
                let top = aggregates::department_top(&mut tx, prefix, &b, 1_000).await.unwrap();
                if !ranked {
                    assert_eq!(top, None, "{e}: several ranges are not ranked in one statement");
                    continue;
                }
                let mut all = aggregates::department_sums(&mut tx, prefix, &b, 1_000_000).await.unwrap().unwrap();
                all.sort_by(department_order);
                assert!(!all.is_empty(), "{e}: departments were assigned");
                for limit in [1, 2, all.len(), all.len() + 5] {
                    let mut top = aggregates::department_top(&mut tx, prefix, &b, limit as i64).await.unwrap().unwrap();
                    top.sort_by(department_order);
                    assert_eq!(top, all[..limit.min(all.len())].to_vec(), "{e}: the first {limit}");
                }
            }
        }
    }
}

/// The cockpit's order of departments: the best on-time rate in whole per mille first
/// (none last), then the most assigned, then by id.
fn department_order(
    a: &(String, minyi::domain::tally::DeptCounts),
    b: &(String, minyi::domain::tally::DeptCounts),
) -> std::cmp::Ordering {
    let rate = |d: &minyi::domain::tally::DeptCounts| {
        minyi::domain::rates::department_on_time_rate(d).per_mille().unwrap_or(-1)
    };
    rate(&b.1).cmp(&rate(&a.1)).then(b.1.assigned.cmp(&a.1.assigned)).then(a.0.cmp(&b.0))
}

/// A database whose count of open cases by due day is empty while open cases exist (one
/// just migrated) has it counted from the cases at start, as it was kept.
#[tokio::test]
async fn an_empty_count_of_open_cases_by_due_day_is_counted_at_start() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let kept = minyi::actions::cockpit::dump_aggregates(t.db()).await.expect("dump");
        assert!(kept.iter().filter(|l| l.starts_with("open_due ")).count() > 10, "{}: kept", t.engine);
        t.execute_raw("DELETE FROM open_due").await;
        let mut tx = t.read().await;
        assert!(minyi::db::open_due::need_filling(&mut tx).await.unwrap(), "{}", t.engine);
        drop(tx);
        assert_eq!(minyi::actions::cockpit::fill_if_empty(t.db()).await.expect("fill"), None, "{}", t.engine);
        assert_eq!(minyi::actions::cockpit::dump_aggregates(t.db()).await.expect("dump"), kept, "{}", t.engine);
        let mut tx = t.read().await;
        assert!(!minyi::db::open_due::need_filling(&mut tx).await.unwrap(), "{}", t.engine);
    }
}

/// The root lists stations (and their reception days) by the index of every station in
/// order, a region by sorting its own: where one county holds every station, the same.
#[tokio::test]
async fn the_root_lists_the_stations_as_its_only_county_does() {
    for t in engines().await {
        load_demo(&t).await;
        minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
        let mut tx = t.read().await;
        let county = minyi::db::regions::top_level(&mut tx).await.unwrap().remove(0);
        let county = county.path.as_str();
        let today = t.app.today();
        let (from, to, since) = ("2000-01-01", today.to_string(), (today - chrono::Duration::days(30)).to_string());
        let until = minyi::domain::reception::china_midnight(today + chrono::Duration::days(60));
        for limit in [1, 3, 200] {
            let e = format!("{} first {limit}", t.engine);
            let root = aggregates::stations(&mut tx, "/", from, &to, &since, limit).await.unwrap();
            let own = aggregates::stations(&mut tx, county, from, &to, &since, limit).await.unwrap();
            let ids = |list: &[aggregates::StationActivity]| {
                list.iter().map(|s| (s.id.clone(), s.recent_cases, s.last_case_day.clone())).collect::<Vec<_>>()
            };
            assert_eq!(ids(&root), ids(&own), "{e}");
            assert_eq!(root.len(), (limit as usize).min(own.len()), "{e}");
            let root = minyi::db::meetings::reception_counts(&mut tx, "/", 0, until, limit).await.unwrap();
            let own = minyi::db::meetings::reception_counts(&mut tx, county, 0, until, limit).await.unwrap();
            assert_eq!(root, own, "{e}: reception days");
        }
        let all = minyi::db::meetings::reception_counts(&mut tx, "/", 0, until, 200).await.unwrap();
        assert!(!all.is_empty(), "{}: the demo plans reception days", t.engine);
    }
}
