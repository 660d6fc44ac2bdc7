//! DingTalk custom robots (钉钉自定义机器人): the message JSON, the signed webhook URL,
//! and what the robot's reply means. No clock is read here: the timestamp is passed in.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

use super::Outcome;
use crate::clock::Millis;

/// A markdown message. `title` shows in the notification preview, `text` in the chat;
/// `at_mobiles` are mentioned by phone number (the text should name them as `@138…`).
pub fn markdown_message(title: &str, text: &str, at_mobiles: &[String]) -> serde_json::Value {
    serde_json::json!({
        "msgtype": "markdown",
        "markdown": { "title": title, "text": text },
        "at": { "atMobiles": at_mobiles, "isAtAll": false },
    })
}

/// The markdown text of a notice: its subject as a heading, then its body.
pub fn markdown_text(subject: &str, body: &str) -> String {
    format!("#### {subject}\n\n{body}")
}

/// The `sign` parameter: URL-encoded Base64 of HMAC-SHA256(key = secret,
/// message = `timestamp + "\n" + secret`).
pub fn sign(secret: &str, timestamp_ms: Millis) -> String {
    let string_to_sign = format!("{timestamp_ms}\n{secret}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    utf8_percent_encode(&signature, NON_ALPHANUMERIC).to_string()
}

/// The webhook URL with `timestamp` and `sign` appended; unchanged when the robot has
/// no secret.
pub fn signed_url(url: &str, secret: &str, timestamp_ms: Millis) -> String {
    if secret.is_empty() {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}timestamp={timestamp_ms}&sign={}", sign(secret, timestamp_ms))
}

/// What the robot's reply means: `Ok` for a 2xx with `errcode` 0, else
/// `Err(reason)` naming the status or the robot's `errcode` and `errmsg`.
pub fn parse_reply(status: u16, body: &str) -> Result<(), String> {
    if !(200..300).contains(&status) {
        return Err(format!("HTTP {status}"));
    }
    let reply: serde_json::Value =
        serde_json::from_str(body).map_err(|_| "the robot's reply is not JSON".to_string())?;
    match reply.get("errcode").and_then(serde_json::Value::as_i64) {
        Some(0) => Ok(()),
        Some(code) => {
            let message = reply.get("errmsg").and_then(serde_json::Value::as_str).unwrap_or("");
            Err(format!("DingTalk errcode {code}: {message}"))
        }
        None => Err("the robot's reply has no errcode".to_string()),
    }
}

/// Posts a prepared message (`payload`) to the robot, signing the URL at `now`.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    payload: &str,
    message_id: &str,
    now: Millis,
) -> Outcome {
    let request = client
        .post(signed_url(url, secret, now))
        .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
        .header(super::MESSAGE_ID_HEADER, message_id)
        .body(payload.to_string());
    let (status, reply) = match super::exchange(request).await {
        Ok(answer) => answer,
        Err(error) => return Outcome::retry(error, String::new()),
    };
    match parse_reply(status, &reply) {
        Ok(()) => Outcome::delivered(reply),
        Err(error) => Outcome::retry(error, reply),
    }
}
