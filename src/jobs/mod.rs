//! Background work: sweeps over durable rows. Every sweep is idempotent and
//! restart-safe: what it writes is keyed so that running it twice, or in two
//! processes at once, writes it once.

pub mod deadlines;
pub mod exports;

use std::time::Duration;

use crate::app::App;

/// How often the sweeps run in `serve`: deadlines, and old exports' files.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(300);

/// How often `serve` copies SQLite's write-ahead log into the database file
/// ([`crate::db::Db::checkpoint`]), on the other core: often enough that the log seldom
/// reaches the writer's own threshold even at the intake's full rate (a profile of the
/// intake benchmark shows no checkpoint on the writer's thread), and that each copy and its
/// sync are small: the intake's commits sync the log on the same disk, and at 100 ms their
/// p99 was 67–74 ms against 32–44 ms at 20 (README, "The fold carried by the intake").
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(20);

/// Checkpoints SQLite's log every [`CHECKPOINT_INTERVAL`] on a reading connection, so the
/// one writer seldom does it inside a commit; until the task is dropped. PostgreSQL: ends at once.
pub fn spawn_checkpoints(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(CHECKPOINT_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match app.db().checkpoint().await {
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(error) => {
                    tracing::error!(error = %error, "the checkpoint of the write-ahead log failed");
                    tokio::time::sleep(SWEEP_INTERVAL / 10).await;
                }
            }
        }
    })
}

/// How often `serve` sums the counters of the cases the intake left to be counted, for the
/// intake's batches to add ([`crate::actions::cockpit::plan_fold`]; on PostgreSQL it adds
/// them itself): long enough that a fold adds a region's and a day's counter rows once for
/// many cases, short enough that the table of cases waiting stays small. The cockpit folds
/// before it reads whatever the time.
pub const FOLD_INTERVAL: Duration = Duration::from_secs(1);

/// Plans a fold of the cases waiting to be counted every [`FOLD_INTERVAL`], until the task is
/// dropped.
pub fn spawn_folds(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(FOLD_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(error) = crate::actions::cockpit::plan_fold_for(&app).await {
                tracing::error!(error = %error, "adding the new cases to the cockpit's counters failed");
            }
        }
    })
}

/// Runs the sweeps now and then every [`SWEEP_INTERVAL`], until the task is dropped.
pub fn spawn_sweeps(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(SWEEP_INTERVAL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match deadlines::sweep(&app).await {
                Ok(report) => tracing::debug!(?report, "deadline sweep"),
                Err(error) => tracing::error!(error = %error, "the deadline sweep failed"),
            }
            match crate::actions::exports::expire_old(&app).await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "old exports' files deleted"),
                Err(error) => tracing::error!(error = %error, "deleting old exports' files failed"),
            }
        }
    })
}
