//! A ranking of stations, representatives or departments reads at most one counter row
//! past its bound: a region holding more rows in the period is too wide to rank (none),
//! one holding exactly the bound is ranked in full.

use minyi::db::Db;
use minyi::db::aggregates::{self, Dim};
use minyi::domain::rates::{Buckets, Period};

use crate::support::{engines, load_demo};

/// The counter rows of `table` (and `dim`, for `agg_cases`) in the period's buckets,
/// counted here, apart from the code under test.
async fn stored_rows(db: &Db, table: &str, dim: &str, b: &Buckets) -> i64 {
    let ranges = [("m", &b.months), ("d", &b.head), ("d", &b.tail)];
    let sql = format!(
        "SELECT COUNT(*) FROM {table} WHERE ($1 = '' OR {}) AND grain = $2 AND bucket >= $3 AND bucket <= $4",
        if table == "agg_cases" { "dim = $1" } else { "$1 = ''" }
    );
    let mut total = 0;
    for (grain, range) in ranges {
        let Some((from, to)) = range else { continue };
        let sql = || sqlx::AssertSqlSafe(sql.clone());
        total += match db {
            Db::Sqlite { pool, .. } => {
                sqlx::query_scalar::<_, i64>(sql()).bind(dim).bind(grain).bind(from).bind(to).fetch_one(pool).await
            }
            Db::Postgres(pool) => {
                sqlx::query_scalar::<_, i64>(sql()).bind(dim).bind(grain).bind(from).bind(to).fetch_one(pool).await
            }
        }
        .unwrap();
    }
    total
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
        for (dim, dim_name) in [(Dim::Unit, "unit"), (Dim::Rep, "rep")] {
            let e = format!("{} {dim:?}", t.engine);
            let all = aggregates::people_rank_figures(&mut tx, dim, "/", &b, 1_000_000).await.unwrap().unwrap();
            assert!(all.len() > 1, "{e}: the demo ranks several");
            let received: i64 = all.iter().map(|(_, c)| c.received).sum();
            // The fewest rows the ranking holds: the smallest bound that still ranks.
            let mut rows = 0;
            while aggregates::people_rank_figures(&mut tx, dim, "/", &b, rows).await.unwrap().is_none() {
                rows += 1;
            }
            assert!(rows >= all.len() as i64 && rows <= received, "{e}: {rows} rows for {} keys", all.len());
            assert_eq!(rows, stored_rows(t.db(), "agg_cases", dim_name, &b).await, "{e}: every row counts");
            let at_bound = aggregates::people_rank_figures(&mut tx, dim, "/", &b, rows).await.unwrap();
            assert_eq!(at_bound, Some(all.clone()), "{e}: at the bound, ranked in full");
        }
        let all = aggregates::department_sums(&mut tx, "/", &b, 1_000_000).await.unwrap().unwrap();
        assert!(!all.is_empty(), "{}: departments were assigned", t.engine);
        let mut rows = 0;
        while aggregates::department_sums(&mut tx, "/", &b, rows).await.unwrap().is_none() {
            rows += 1;
        }
        assert_eq!(rows, stored_rows(t.db(), "agg_departments", "", &b).await, "{}", t.engine);
        assert_eq!(aggregates::department_sums(&mut tx, "/", &b, rows).await.unwrap(), Some(all), "{}", t.engine);
        assert_eq!(aggregates::department_sums(&mut tx, "/", &b, 0).await.unwrap(), None, "{}", t.engine);
    }
}
