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
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from("minyi-data"),
            database_url: None,
            listen: "127.0.0.1:8080".to_string(),
            session_hours: 12,
            secure_cookies: false,
        }
    }
}
