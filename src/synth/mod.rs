//! `minyi synth`: a province-sized, believable dataset for benchmarks and the cockpit.
//!
//! Generation is pure (`province`, `story`) and runs on its own thread; the chained
//! events are numbered and hashed there too, with the same canonical hashing as every
//! real move (`db::cases::event_hash`). The async side writes batches with multi-row
//! INSERTs (`db::synth`), one transaction a batch, each ending with the chain head on
//! its last event: a run stopped half way leaves a history that still verifies.

pub mod province;
pub mod reception;
pub mod rng;
pub mod story;

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::App;
use crate::clock::Millis;
use crate::db;
use rng::Rng;
use story::{SynthCase, World};

const DAY: Millis = 24 * 3600 * 1000;
/// Cases a transaction (and a message between the threads).
const BATCH: usize = 5_000;

/// What to make.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    pub cases: u64,
    pub seed: u64,
    /// The cases arrive over this many days up to now.
    pub days: i64,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// What was written, and how fast.
#[derive(Debug, Clone, Default)]
pub struct SynthReport {
    pub regions: usize,
    pub units: usize,
    pub representatives: usize,
    pub departments: usize,
    /// Reception days of all stations, planned, held and cancelled.
    pub reception_days: usize,
    pub cases: u64,
    pub assignments: u64,
    pub events: u64,
    /// Moves the workflow table refused (each ends its story early).
    pub refused: u64,
    /// Writing the cases and their histories.
    pub seconds: f64,
    /// Rebuilding the cockpit's counters from those histories afterwards.
    pub rebuild_seconds: f64,
}

impl SynthReport {
    pub fn cases_per_second(&self) -> f64 {
        self.cases as f64 / self.seconds.max(1e-9)
    }
}

/// Writes a synthetic province and `options.cases` cases with their histories, as a bulk
/// load: a run that fails is thrown away with its folder (see `Db::bulk_load`).
pub async fn run(app: &App, options: &SynthOptions) -> anyhow::Result<SynthReport> {
    let mut tx = app.db().write().await?;
    let filled = db::synth::region_code_exists(&mut tx, province::PROVINCE_CODE).await?;
    drop(tx);
    if filled {
        bail!("this database already holds the synthetic province {}: use a fresh one", province::PROVINCE_CODE);
    }
    app.db().bulk_load().await.context("setting the writer for a bulk load")?;
    let written = write(app, options).await;
    app.db().end_bulk_load().await.context("setting the writer back to durable commits")?;
    written
}

/// The province, its reception days, the cases, and the counters from them.
async fn write(app: &App, options: &SynthOptions) -> anyhow::Result<SynthReport> {
    let started = Instant::now();
    let now = app.now();
    let first_day = now - options.days.max(1) * DAY;
    let province = Arc::new(province::province(options.seed, first_day - 30 * DAY));
    let mut report = SynthReport {
        regions: province.regions.len(),
        units: province.units.len(),
        representatives: province.representatives.len(),
        departments: province.departments.len(),
        ..SynthReport::default()
    };
    let mut tx = app.db().write().await?;
    db::synth::insert_province(&mut tx, &province, first_day - 30 * DAY).await?;
    let head = db::cases::chain_head(&mut tx).await?;
    tx.commit().await?;
    // Reception days, in transactions of `BATCH * 4` rows.
    let days = reception::reception_days(&province, options.seed, first_day, now);
    for chunk in days.chunks(BATCH * 4) {
        let mut tx = app.db().write().await?;
        db::synth::insert_reception_days(&mut tx, &province, chunk, first_day - 30 * DAY).await?;
        tx.commit().await?;
    }
    report.reception_days = days.len();

    let bar = if options.progress { ProgressBar::new(options.cases) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{bar:40}] {human_pos}/{human_len} cases, {per_sec}, ETA {eta}",
        )
        .context("progress template")?
        .progress_chars("=> "),
    );
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<SynthCase>>(4);
    let generator = {
        let province = province.clone();
        let calendar = app.calendar();
        let policy = app.policy();
        let rules = app.rules().clone();
        let (cases, seed) = (options.cases, options.seed);
        std::thread::spawn(move || {
            let world = World { province: &province, calendar: &calendar, policy: &policy, rules: &rules, now };
            generate(&world, cases, seed, first_day, head, |batch| sender.blocking_send(batch).is_ok());
        })
    };
    while let Some(batch) = receiver.recv().await {
        let mut tx = app.db().write().await?;
        db::synth::insert_cases(&mut tx, &batch).await?;
        tx.commit().await?;
        report.cases += batch.len() as u64;
        report.assignments += batch.iter().map(|c| c.assignments.len() as u64).sum::<u64>();
        report.events += batch.iter().map(|c| c.events.len() as u64).sum::<u64>();
        report.refused += batch.iter().map(|c| u64::from(c.refused)).sum::<u64>();
        bar.inc(batch.len() as u64);
    }
    generator.join().map_err(|_| anyhow::anyhow!("the case generator failed"))?;
    bar.finish();
    report.seconds = started.elapsed().as_secs_f64();
    // The cockpit's counters, from the histories just written (as `minyi cockpit rebuild`).
    let rebuilding = Instant::now();
    let bar = if options.progress { ProgressBar::new(report.cases) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} [{bar:40}] {human_pos}/{human_len} cases counted")
            .context("progress template")?
            .progress_chars("=> "),
    );
    crate::actions::cockpit::rebuild_aggregates(app.db(), |done| bar.set_position(done))
        .await
        .map_err(|e| anyhow::anyhow!("rebuilding the cockpit's counters: {e:?}"))?;
    app.db().analyze().await.context("refreshing the database's statistics")?;
    bar.finish();
    report.rebuild_seconds = rebuilding.elapsed().as_secs_f64();
    Ok(report)
}

/// Makes the cases in order of arrival, numbers and chains their events after
/// `head`, and hands them over in batches; stops when `send` says no one listens.
fn generate(
    world: &World,
    cases: u64,
    seed: u64,
    first_day: Millis,
    head: (i64, String),
    mut send: impl FnMut(Vec<SynthCase>) -> bool,
) {
    let mut rng = Rng::new(seed);
    let mut head = head;
    let span = (world.now - first_day).max(1) as f64;
    let mut batch = Vec::with_capacity(BATCH);
    let mut previous: Option<(String, Option<Millis>)> = None;
    for index in 0..cases {
        let created_at = arrival(first_day, span, index, cases).min(world.now - 60_000);
        // A duplicate is merged into the case before it, if that one is still open then.
        let merge_into = previous
            .as_ref()
            .filter(|(_, closed)| closed.is_none_or(|c| c > created_at + 2 * DAY))
            .map(|(id, _)| id.as_str());
        let mut made = story::case(world, &mut rng, index, seed, created_at, merge_into);
        for event in &mut made.events {
            db::cases::link(event, &mut head);
        }
        previous = Some((made.case.id.clone(), made.case.closed_at));
        batch.push(made);
        if batch.len() == BATCH && !send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))) {
            return;
        }
    }
    if !batch.is_empty() {
        send(batch);
    }
}

/// When case `index` of `cases` arrives: evenly over the span, in order, each day's
/// share between 07:00 and 22:00 Beijing time, and a little busier lately.
fn arrival(first_day: Millis, span: f64, index: u64, cases: u64) -> Millis {
    let x = (index as f64 + 0.5) / cases.max(1) as f64;
    // Growth: the later half of the period sees more cases than the first.
    let warped = (x + 0.3 * x * x) / 1.3;
    let at = first_day + (warped * span) as Millis;
    // Fold the time of day (Beijing, UTC+8) into office and evening hours, keeping order.
    let local = at + 8 * 3600 * 1000;
    let day_start = local - local.rem_euclid(DAY);
    let fraction = local.rem_euclid(DAY) as f64 / DAY as f64;
    let folded = day_start + (7.0 * 3600e3 + fraction * 15.0 * 3600e3) as Millis;
    folded - 8 * 3600 * 1000
}
