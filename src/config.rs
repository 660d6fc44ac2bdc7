//! Configuration: command-line flags and their environment equivalents, with
//! defaults that work with nothing set.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the embedded database (and later, attachments) live.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite.
    pub database_url: Option<String>,
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: String,
    /// How long a sign-in lasts.
    pub session_hours: i64,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The mail server notices are sent through; `None` leaves e-mail undelivered
    /// (the messages wait in the outbox and are retried).
    pub smtp: Option<SmtpConfig>,
    /// Background exports: at most this many rows a file (part); a bigger list is
    /// split into several parts, never cut short. XLSX holds 1,048,576 rows a sheet.
    pub export_part_rows: i64,
    /// Background exports read this many rows a page, each in its own short transaction.
    pub export_page_rows: i64,
    /// A record list longer than this is not downloaded at once: the page offers a
    /// background export instead.
    pub export_direct_max_rows: i64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from("minyi-data"),
            database_url: None,
            listen: "127.0.0.1:8080".to_string(),
            session_hours: 12,
            secure_cookies: false,
            smtp: None,
            export_part_rows: 1_000_000,
            export_page_rows: 1_000,
            export_direct_max_rows: 10_000,
        }
    }
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP: only for a relay on the same machine or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(raw: &str) -> Option<SmtpTls> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" | "smtps" => Some(SmtpTls::Tls),
            _ => None,
        }
    }

    fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// The mail server notices go out through.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// Empty: send without signing in.
    pub username: String,
    pub password: String,
    /// The sender, e.g. `民意平台 <minyi@example.gov.cn>`.
    pub from: String,
    pub tls: SmtpTls,
}

impl std::fmt::Debug for SmtpConfig {
    /// Leaves the password out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("from", &self.from)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// The mail server from `MINYI_SMTP_HOST`, `MINYI_SMTP_PORT`, `MINYI_SMTP_USER`,
/// `MINYI_SMTP_PASSWORD`, `MINYI_SMTP_FROM` and `MINYI_SMTP_TLS` (`none`, `starttls`
/// or `tls`; default `starttls`). `None` when `MINYI_SMTP_HOST` is unset or empty.
pub fn smtp_from_env() -> anyhow::Result<Option<SmtpConfig>> {
    smtp_from_vars(|name| std::env::var(name).ok())
}

/// [`smtp_from_env`] over any source of variables, so it can be tested without
/// touching the process environment.
pub fn smtp_from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<SmtpConfig>> {
    let raw_var = var;
    let var = |name: &str| raw_var(name).map(|value| value.trim().to_string()).filter(|value| !value.is_empty());
    let Some(host) = var("MINYI_SMTP_HOST") else {
        return Ok(None);
    };
    let tls = match var("MINYI_SMTP_TLS") {
        Some(raw) => SmtpTls::parse(&raw)
            .ok_or_else(|| anyhow::anyhow!("MINYI_SMTP_TLS must be none, starttls or tls, not {raw}"))?,
        None => SmtpTls::StartTls,
    };
    let port = match var("MINYI_SMTP_PORT") {
        Some(raw) => raw.parse().map_err(|_| anyhow::anyhow!("MINYI_SMTP_PORT must be a port number, not {raw}"))?,
        None => tls.default_port(),
    };
    let from =
        var("MINYI_SMTP_FROM").ok_or_else(|| anyhow::anyhow!("MINYI_SMTP_FROM is needed with MINYI_SMTP_HOST"))?;
    Ok(Some(SmtpConfig {
        host,
        port,
        username: var("MINYI_SMTP_USER").unwrap_or_default(),
        // A password may have meaningful spaces at its ends: read it untrimmed.
        password: raw_var("MINYI_SMTP_PASSWORD").unwrap_or_default(),
        from,
        tls,
    }))
}
