//! [`App`]: the one context every part of minyi receives. No globals.

use std::sync::Arc;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::domain::calendar::Calendar;
use crate::domain::deadline::DeadlinePolicy;
use crate::domain::workflow::Rules;
use crate::i18n::I18n;

#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    config: Config,
    i18n: I18n,
    metrics: PrometheusRecorder,
    calendar: std::sync::RwLock<Arc<Calendar>>,
    policy: std::sync::RwLock<Arc<DeadlinePolicy>>,
    rules: Rules,
    http: reqwest::Client,
    /// The queue to the writer of new cases, started on the first submission.
    intake: std::sync::OnceLock<crate::actions::cases::intake::Intake>,
    /// Wakes the export runner when an export is queued.
    exports_queued: tokio::sync::Notify,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config) -> App {
        let metrics = PrometheusBuilder::new().build_recorder();
        let inner = Inner {
            db,
            clock,
            config,
            i18n: I18n::new(),
            metrics,
            calendar: std::sync::RwLock::new(Arc::new(Calendar::builtin())),
            policy: std::sync::RwLock::new(Arc::new(DeadlinePolicy::default())),
            rules: Rules::default(),
            http: crate::notify::http_client(),
            intake: std::sync::OnceLock::new(),
            exports_queued: tokio::sync::Notify::new(),
        };
        App { inner: Arc::new(inner) }
    }

    /// The intake writer of new cases (started on the current runtime on first use).
    pub fn intake(&self) -> &crate::actions::cases::intake::Intake {
        self.inner.intake.get_or_init(crate::actions::cases::intake::Intake::start)
    }

    /// Signalled when an export is queued, so the runner starts it at once.
    pub fn exports_queued(&self) -> &tokio::sync::Notify {
        &self.inner.exports_queued
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn now(&self) -> crate::clock::Millis {
        self.inner.clock.now_ms()
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn i18n(&self) -> &I18n {
        &self.inner.i18n
    }

    /// The HTTP client outbound notices (DingTalk robots, webhooks) are sent with.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The Prometheus recorder of this App (local to it: never installed globally).
    pub fn metrics(&self) -> &PrometheusRecorder {
        &self.inner.metrics
    }

    /// The official working-day calendar as it stands now.
    pub fn calendar(&self) -> Arc<Calendar> {
        self.inner.calendar.read().map(|c| Arc::clone(&c)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    /// Puts a corrected calendar in force (an administrator added or fixed a year).
    pub fn replace_calendar(&self, calendar: Calendar) {
        let mut slot = self.inner.calendar.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Arc::new(calendar);
    }

    /// The deadline policy in force.
    pub fn policy(&self) -> Arc<DeadlinePolicy> {
        self.inner.policy.read().map(|p| Arc::clone(&p)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    /// Puts a changed deadline policy in force.
    pub fn replace_policy(&self, policy: DeadlinePolicy) {
        let mut slot = self.inner.policy.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Arc::new(policy);
    }

    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// Today in China Standard Time, the day deadlines are counted in.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::domain::calendar::cst_date(self.now())
    }
}
