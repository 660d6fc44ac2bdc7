//! The one error vocabulary actions speak. `web::error` is the only place that
//! turns these categories into status codes and pages.

use crate::domain::{FieldError, Msg};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The record does not exist, or its existence must not leak to this actor.
    #[error("not found")]
    NotFound,
    /// No signed-in user where one is needed.
    #[error("not signed in")]
    Unauthenticated,
    /// A program's sign-in with a wrong username or password.
    #[error("bad credentials")]
    BadCredentials,
    /// Signed in, but this is outside the actor's role or scope.
    #[error("forbidden")]
    Forbidden,
    /// The input breaks a rule; every broken field is named.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The state changed under the caller, or the move is not allowed now.
    #[error("conflict: {0}")]
    Conflict(Msg),
    /// Too many attempts; try again after this many seconds.
    #[error("too many attempts, retry after {retry_after_secs}s")]
    Throttled { retry_after_secs: i64 },
    /// What was sent is larger than this endpoint accepts.
    #[error("payload too large")]
    TooLarge,
    /// A fault of ours or of the machine: logged with its cause, never shown.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &str, msg: Msg) -> Error {
        Error::Invalid(vec![FieldError::new(field, msg)])
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Error {
        Error::Internal(anyhow::Error::new(error).context("database"))
    }
}

impl From<Vec<FieldError>> for Error {
    fn from(errors: Vec<FieldError>) -> Error {
        Error::Invalid(errors)
    }
}
