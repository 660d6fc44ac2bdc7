//! Generic JSON webhooks: the body is POSTed as it is, signed so the receiver can tell
//! it came from us and is fresh. No clock is read here: the time is passed in.
//!
//! Headers: `X-Minyi-Timestamp: <unix seconds>`, `X-Minyi-Signature: sha256=<hex of
//! HMAC-SHA256(key = secret, message = timestamp + "." + body)>` (only when the channel
//! has a secret), and `X-Minyi-Message-Id`, the same for every retry of one message.
//! Any 2xx answer is a delivery.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Outcome;
use crate::clock::Millis;

pub const TIMESTAMP_HEADER: &str = "X-Minyi-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Minyi-Signature";

/// `sha256=` and the hex HMAC-SHA256 of `timestamp + "." + body` under `secret`.
pub fn signature(secret: &str, timestamp_secs: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts `body` (JSON) to `url`, signed at `now`.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    body: &str,
    message_id: &str,
    now: Millis,
) -> Outcome {
    let timestamp_secs = now.div_euclid(1000);
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
        .header(TIMESTAMP_HEADER, timestamp_secs.to_string())
        .header(super::MESSAGE_ID_HEADER, message_id)
        .body(body.to_string());
    if !secret.is_empty() {
        request = request.header(SIGNATURE_HEADER, signature(secret, timestamp_secs, body));
    }
    match super::exchange(request).await {
        Ok((status, reply)) if (200..300).contains(&status) => Outcome::delivered(reply),
        Ok((status, reply)) => Outcome::retry(format!("HTTP {status}"), reply),
        Err(error) => Outcome::retry(error, String::new()),
    }
}
