//! The machine's ceiling for durable writes: a bare loop of one-row INSERT + COMMIT,
//! on a database opened exactly as minyi opens it (SQLite: WAL, synchronous = FULL,
//! BEGIN IMMEDIATE; or PostgreSQL when DATABASE_URL is set), with no web server and
//! no case logic. Prints commits per second and the p50/p99 of one commit.
//!
//!     cargo run --release --example commit-loop -- [COMMITS] [DATA_DIR]

use std::time::Instant;

use minyi::db::Db;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let commits: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2_000);
    let dir = args.next().unwrap_or_else(|| std::env::temp_dir().join("minyi-commit-loop").display().to_string());
    let db = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => Db::open_postgres(&url).await?,
        None => {
            let _ = std::fs::remove_dir_all(&dir);
            Db::open_sqlite(std::path::Path::new(&dir)).await?
        }
    };
    minyi::db::bench::create_table(&db).await?;
    let mut times = Vec::with_capacity(commits);
    let started = Instant::now();
    for i in 0..commits {
        let one = Instant::now();
        minyi::db::bench::insert_and_commit(&db, i as i64).await?;
        times.push(one.elapsed().as_secs_f64() * 1000.0);
    }
    let seconds = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "engine={:?} commits={commits} seconds={seconds:.2} commits_per_s={:.0} p50_ms={:.2} p99_ms={:.2}",
        db.engine(),
        commits as f64 / seconds,
        at(0.50),
        at(0.99)
    );
    Ok(())
}
