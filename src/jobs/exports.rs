//! The export runner: works through queued exports one at a time, each page in its
//! own short transaction (`actions::exports`), so a long export never holds the
//! database or a request. It wakes when an export is queued, and otherwise looks
//! every [`POLL`] for jobs whose runner died (their lease ran out).

use std::time::Duration;

use crate::actions::exports;
use crate::app::App;

/// How often an idle runner looks for work it was not woken for.
pub const POLL: Duration = Duration::from_secs(5);

/// Runs exports until the task is dropped.
pub fn spawn_runner(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let worker = format!("exports-{}", crate::db::new_id());
        loop {
            match exports::run_next(&app, &worker).await {
                Ok(true) => continue,
                Ok(false) => {
                    tokio::select! {
                        () = app.exports_queued().notified() => {}
                        () = tokio::time::sleep(POLL) => {}
                    }
                }
                Err(error) => {
                    tracing::error!(error = %error, "the export runner failed");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    })
}
