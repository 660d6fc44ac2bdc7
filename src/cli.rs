//! The command line: parses arguments, builds [`App`], runs one subcommand.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::app::App;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::db::{self, Db};
use crate::domain::permission::Resource;
use crate::domain::user::{Actor, Role, Scope};

#[derive(Parser, Debug)]
#[command(name = "minyi", version, about = "民意 minyi: liaison stations, member studios and the people they serve")]
pub struct Cli {
    /// Folder of the embedded database.
    #[arg(long = "data", env = "MINYI_DATA", default_value = "minyi-data", global = true)]
    pub data_dir: PathBuf,
    /// Use PostgreSQL instead of the embedded SQLite (postgres://…).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (and its background work).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "MINYI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the demo county (once) and print its log-ins.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served over HTTPS).
        #[arg(long, env = "MINYI_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Background exports: at most this many rows a file; a longer list is split into parts.
        #[arg(long, env = "MINYI_EXPORT_PART_ROWS", default_value_t = 1_000_000)]
        export_part_rows: i64,
        /// A record list longer than this is exported in the background, not downloaded at once.
        #[arg(long, env = "MINYI_EXPORT_DIRECT_MAX_ROWS", default_value_t = 10_000)]
        export_direct_max_rows: i64,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Load the demo county into the database, then exit.
    Demo,
    /// Write a consistent copy of the embedded database to FILE (safe while serving).
    Backup { file: PathBuf },
    /// Replace the embedded database by the backup FILE (stop the server first).
    Restore { file: PathBuf },
    /// Check the tamper-evident history of every case.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The cockpit's counters.
    Cockpit {
        #[command(subcommand)]
        command: CockpitCommand,
    },
    /// Official working days: when a deadline falls, whether a day is a workday.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Fill the database with a synthetic province and N cases with full histories (for benchmarks).
    Synth {
        /// How many cases.
        #[arg(long, default_value_t = 100_000)]
        cases: u64,
        /// The seed: the same seed makes the same province and the same stories.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The cases arrive over this many days up to now.
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
    /// Import regions, units, representatives, departments or users from CSV or XLSX.
    Import {
        /// regions | units | representatives | departments | users
        kind: String,
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Prove the history chain: exits non-zero naming the first broken link.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum CockpitCommand {
    /// Rebuild the cockpit's counters from the history of every case (short write transactions; a running server keeps writing).
    Rebuild,
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Print the date that is the Nth working day after FROM.
    Due {
        #[arg(long)]
        from: String,
        #[arg(long = "working-days")]
        working_days: u32,
    },
    /// Print `workday` or `rest`.
    IsWorkday { date: String },
    /// List the years the calendar knows and where each comes from.
    Years,
    /// Add or correct a year from a year file (as in calendars/) or, with --year, an iCalendar file.
    Import {
        file: PathBuf,
        /// The year an iCalendar (.ics) file describes.
        #[arg(long)]
        year: Option<i32>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        smtp: crate::config::smtp_from_env()?,
        ..Config::default()
    };
    match cli.command {
        Command::Serve { listen, demo, secure_cookies, export_part_rows, export_direct_max_rows } => {
            let export_part_rows = export_part_rows.clamp(1, crate::actions::exports::XLSX_MAX_ROWS);
            serve(Config { listen, secure_cookies, export_part_rows, export_direct_max_rows, ..config }, demo).await
        }
        Command::Migrate => {
            open(&config).await?;
            println!("migrated");
            Ok(())
        }
        Command::Demo => {
            let app = App::new(open(&config).await?, Arc::new(SystemClock), config);
            print_logins(&crate::demo::load_demo(&app).await?);
            let key = crate::actions::api_tokens::demo_token(&app, "admin").await.map_err(|e| describe(&app, e))?;
            println!("demo api-key {key}");
            crate::demo::load_demo_cases(&app).await.map_err(|e| describe(&app, e))?;
            Ok(())
        }
        Command::Backup { file } => {
            if config.database_url.is_some() {
                bail!(db::backup::POSTGRES_ADVICE);
            }
            let db = open(&config).await?;
            db::backup::backup(&db, &file).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => restore(&config, &file).await,
        Command::Import { kind, file } => import(config, &kind, &file).await,
        Command::Synth { cases, seed, days } => {
            let app = App::new(open(&config).await?, Arc::new(SystemClock), config);
            crate::actions::calendars::load(&app).await.map_err(|e| describe(&app, e))?;
            crate::actions::settings::load_policy(&app).await.map_err(|e| describe(&app, e))?;
            let options = crate::synth::SynthOptions { cases, seed, days, progress: true };
            let report = crate::synth::run(&app, &options).await?;
            println!(
                "synth: {} regions, {} units, {} representatives, {} departments, {} reception days; {} cases, {} assignments, {} events in {:.1} s ({:.0} cases/s); cockpit counters rebuilt in {:.1} s",
                report.regions,
                report.units,
                report.representatives,
                report.departments,
                report.reception_days,
                report.cases,
                report.assignments,
                report.events,
                report.seconds,
                report.cases_per_second(),
                report.rebuild_seconds
            );
            Ok(())
        }
        Command::Calendar { command } => {
            let app = App::new(open(&config).await?, Arc::new(SystemClock), config);
            crate::actions::calendars::load(&app).await.map_err(|e| describe(&app, e))?;
            calendar(&app, command).await
        }
        Command::Cockpit { command: CockpitCommand::Rebuild } => {
            let db = open(&config).await?;
            let started = std::time::Instant::now();
            let total = crate::actions::cockpit::cases_to_rebuild(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{bar:40}] {human_pos}/{human_len} cases counted, ETA {eta}",
                )
                .map_err(|e| anyhow::anyhow!("progress template: {e}"))?,
            );
            // A server on the same SQLite file writes between the rebuild's transactions.
            let pause = if config.database_url.is_none() && served(&config.data_dir) {
                println!("a server is using {}: the rebuild leaves it room to write", config.data_dir.display());
                crate::actions::cockpit::SQLITE_PAUSE
            } else {
                std::time::Duration::ZERO
            };
            // Ctrl-C stops it after the transaction it is in; run again, it goes on from there.
            let stop = crate::actions::cockpit::Stop::default();
            tokio::spawn({
                let stop = stop.clone();
                async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        stop.request();
                    }
                }
            });
            let rebuilt =
                crate::actions::cockpit::rebuild_aggregates_pausing(&db, pause, &stop, |done| bar.set_position(done))
                    .await
                    .map_err(|e| anyhow::anyhow!("rebuild failed: {e}"))?;
            bar.finish_and_clear();
            let seconds = started.elapsed().as_secs_f64();
            if rebuilt.stopped {
                println!(
                    "rebuild stopped after {} cases in {seconds:.1} s; the cockpit still shows the counters it had. \
                     Run `minyi cockpit rebuild` again to go on from there.",
                    rebuilt.cases
                );
                return Ok(());
            }
            db.analyze().await.context("cannot refresh the database's statistics")?;
            let resumed = if rebuilt.resumed { " (going on from a rebuild that had stopped)" } else { "" };
            println!(
                "cockpit rebuilt from {} events of {} cases in {seconds:.1} s{resumed}",
                rebuilt.events, rebuilt.cases
            );
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let app = App::new(open(&config).await?, Arc::new(SystemClock), config);
            match crate::actions::cases::verify_chain(&app).await.map_err(|e| describe(&app, e))? {
                crate::actions::cases::ChainReport::Sound { events } => {
                    println!("history sound: {events} events, every link checked");
                    Ok(())
                }
                crate::actions::cases::ChainReport::Broken { seq, reason } => {
                    bail!("history broken at event {seq}: {reason}")
                }
            }
        }
    }
}

async fn calendar(app: &App, command: CalendarCommand) -> anyhow::Result<()> {
    let calendar = app.calendar();
    let date = |raw: &str| {
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").with_context(|| format!("{raw} is not a date (YYYY-MM-DD)"))
    };
    match command {
        CalendarCommand::Due { from, working_days } => {
            println!("{}", calendar.add_working_days(date(&from)?, working_days)?.format("%Y-%m-%d"));
        }
        CalendarCommand::IsWorkday { date: raw } => {
            println!("{}", if calendar.is_workday(date(&raw)?)? { "workday" } else { "rest" });
        }
        CalendarCommand::Years => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for year in calendar.known_years() {
                // A closed pipe (`| head`) just ends the listing.
                if writeln!(out, "{year}\t{}", calendar.source(year).unwrap_or_default()).is_err() {
                    break;
                }
            }
        }
        CalendarCommand::Import { file, year } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let actor = Actor::new(
                "cli".into(),
                "command-line".into(),
                "command line".into(),
                Role::SystemAdmin,
                Scope::Everything,
            )
            .context("the command line's role")?;
            let saved = match year {
                Some(year) => crate::actions::calendars::import_ical(app, &actor, year, &text).await,
                None => crate::actions::calendars::save_year(app, &actor, &text).await,
            };
            println!("calendar year {} saved", saved.map_err(|e| describe(app, e))?);
        }
    }
    Ok(())
}

/// Opens and migrates the configured database, with one clear line on failure.
pub async fn open(config: &Config) -> anyhow::Result<Db> {
    let db = match &config.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Db::open_postgres(url).await?
        }
        Some(_) => bail!("DATABASE_URL must start with postgres:// (leave it unset for the embedded database)"),
        None => Db::open_sqlite(&config.data_dir).await?,
    };
    db.migrate().await?;
    crate::actions::cockpit::fill_if_empty(&db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot fill the cockpit's counters: {e}"))?;
    db.optimize().await.context("cannot refresh the database's statistics")?;
    Ok(db)
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let _lock = match &config.database_url {
        None => Some(lock_data_dir(&config.data_dir)?),
        Some(_) => None,
    };
    let db = open(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let app = App::new(db, Arc::new(SystemClock), config);
    crate::actions::calendars::load(&app).await.map_err(|e| describe(&app, e))?;
    crate::actions::settings::load_policy(&app).await.map_err(|e| describe(&app, e))?;
    if demo {
        print_logins(&crate::demo::load_demo(&app).await?);
        let key = crate::actions::api_tokens::demo_token(&app, "admin").await.map_err(|e| describe(&app, e))?;
        println!("demo api-key {key}");
        crate::demo::load_demo_cases(&app).await.map_err(|e| describe(&app, e))?;
    }
    println!("minyi listening on http://{address}");
    let delivery = crate::notify::spawn_delivery_loop(app.clone());
    let sweeps = crate::jobs::spawn_sweeps(app.clone());
    let exports = crate::jobs::exports::spawn_runner(app.clone());
    let checkpoints = crate::jobs::spawn_checkpoints(app.clone());
    let folds = crate::jobs::spawn_folds(app.clone());
    let served = crate::web::serve(app.clone(), listener).await;
    folds.abort();
    checkpoints.abort();
    delivery.abort();
    sweeps.abort();
    exports.abort();
    // The cases still waiting are counted now rather than by the next start.
    if let Err(error) = crate::actions::cockpit::fold_pending_for(&app).await {
        tracing::error!(error = %error, "adding the last cases to the cockpit's counters failed");
    }
    served?;
    app.db().close().await;
    Ok(())
}

fn print_logins(logins: &[crate::demo::DemoLogin]) {
    for login in logins {
        println!("demo login {} {} {}", login.role, login.username, login.password);
    }
}

/// The file in a data folder that a server holds locked while it runs.
const SERVE_LOCK: &str = "serve.lock";

/// Held while serving, so that `restore` cannot swap the database underneath.
fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let file = std::fs::File::create(data_dir.join(SERVE_LOCK))?;
    if file.try_lock().is_err() {
        bail!("another minyi server is using {}", data_dir.display());
    }
    Ok(file)
}

/// Whether a server holds the data folder (its lock is taken).
fn served(data_dir: &Path) -> bool {
    match std::fs::File::open(data_dir.join(SERVE_LOCK)) {
        Ok(file) => file.try_lock().is_err(),
        Err(_) => false,
    }
}

async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        bail!(db::backup::POSTGRES_ADVICE);
    }
    let _lock = lock_data_dir(&config.data_dir).context("stop the server before restoring")?;
    let label = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let kept = db::backup::restore(&config.data_dir, file, &label).await?;
    println!("restored {} into {}", file.display(), config.data_dir.display());
    if let Some(kept) = kept {
        println!("the previous database is kept as {}", kept.display());
    }
    Ok(())
}

/// Imports as the system: the command line is run by whoever runs the server.
async fn import(config: Config, kind: &str, file: &Path) -> anyhow::Result<()> {
    let resource = match Resource::parse(kind) {
        Some(Resource::AdminLog | Resource::Meeting | Resource::Setting) | None => {
            bail!("unknown kind {kind}: regions, units, representatives, departments or users")
        }
        Some(resource) => resource,
    };
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let db = open(&config).await?;
    let app = App::new(db, Arc::new(SystemClock), config);
    let actor =
        Actor::new("cli".into(), "command-line".into(), "command line".into(), Role::SystemAdmin, Scope::Everything)
            .context("the command line's role")?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("import");
    let preview =
        crate::actions::import::preview(&app, &actor, resource, name, &bytes).await.map_err(|e| describe(&app, e))?;
    if !preview.errors.is_empty() {
        for error in &preview.errors {
            let text = app.i18n().msg(crate::i18n::Lang::Zh, &error.msg);
            eprintln!("row {}, column {}: {text}", error.row, error.column);
        }
        bail!("{} problems found; nothing was written", preview.errors.len());
    }
    let batch = preview.batch_id.context("no batch")?;
    let done = crate::actions::import::commit(&app, &actor, &batch).await.map_err(|e| describe(&app, e))?;
    println!("imported {} rows: {} created, {} updated", preview.rows, done.created, done.updated);
    Ok(())
}

fn describe(app: &App, error: crate::error::Error) -> anyhow::Error {
    match error {
        crate::error::Error::Internal(cause) => cause,
        other => anyhow::anyhow!(crate::web::error::message(app.i18n(), crate::i18n::Lang::Zh, &other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_served_while_a_server_holds_its_lock() {
        let dir = tempfile::tempdir().expect("a folder");
        assert!(!served(dir.path()), "no lock file yet");
        let lock = lock_data_dir(dir.path()).expect("the lock");
        assert!(served(dir.path()), "a server holds it");
        drop(lock);
        assert!(!served(dir.path()), "the server has gone");
    }
}
