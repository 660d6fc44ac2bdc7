//! [`App`]: the one context every part of minyi receives. No globals.

use std::sync::Arc;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
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
    http: reqwest::Client,
}

impl App {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: Config) -> App {
        let metrics = PrometheusBuilder::new().build_recorder();
        let http = crate::notify::http_client();
        App { inner: Arc::new(Inner { db, clock, config, i18n: I18n::new(), metrics, http }) }
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
}
