//! E-mail through the configured SMTP server (lettre, TLS by rustls on ring).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::Outcome;
use crate::config::{SmtpConfig, SmtpTls};

/// How long one conversation with the mail server may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends one plain-text message to `to`. The `Message-ID` is made from `message_id`, so
/// a retry of the same outbox message carries the same one.
pub async fn send(config: Option<&SmtpConfig>, to: &str, subject: &str, body: &str, message_id: &str) -> Outcome {
    let Some(config) = config else {
        return Outcome::retry("no mail server is configured (MINYI_SMTP_HOST)".to_string(), String::new());
    };
    let message = match build_message(config, to, subject, body, message_id) {
        Ok(message) => message,
        Err(error) => return Outcome::give_up(error, String::new()),
    };
    let transport = match transport(config) {
        Ok(transport) => transport,
        Err(error) => return Outcome::retry(format!("mail server {}: {error}", config.host), String::new()),
    };
    match transport.send(message).await {
        Ok(response) => {
            Outcome::delivered(format!("{} {}", response.code(), response.message().collect::<Vec<_>>().join(" ")))
        }
        // The server refused this message for good (for example, no such mailbox).
        Err(error) if error.is_permanent() => Outcome::give_up(format!("mail server refused: {error}"), String::new()),
        Err(error) => Outcome::retry(format!("mail server {}: {error}", config.host), String::new()),
    }
}

fn build_message(
    config: &SmtpConfig,
    to: &str,
    subject: &str,
    body: &str,
    message_id: &str,
) -> Result<Message, String> {
    let from: Mailbox = config.from.parse().map_err(|error| format!("MINYI_SMTP_FROM {}: {error}", config.from))?;
    let to: Mailbox = to.parse().map_err(|error| format!("the address {to}: {error}"))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{message_id}@minyi>")))
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|error| format!("cannot build the message: {error}"))
}

fn transport(config: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let builder = match config.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str()),
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
    };
    let builder = builder.port(config.port).timeout(Some(TIMEOUT));
    let builder = if config.username.is_empty() {
        builder
    } else {
        builder.credentials(Credentials::new(config.username.clone(), config.password.clone()))
    };
    Ok(builder.build())
}
