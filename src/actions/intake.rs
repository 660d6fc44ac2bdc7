//! Rate limits of the citizen's form, against floods: at most
//! [`PER_ADDRESS_PER_HOUR`] submissions from one network address in an hour and
//! [`PER_MOBILE_PER_DAY`] with one mobile number in a day. Counted in the database
//! (so every server sees the same counts, and tests move the clock), keyed by a
//! SHA-256 of the address or number. Helpers of `cases::submit_with_files`.

use sha2::{Digest, Sha256};

use crate::app::App;
use crate::clock::Millis;
use crate::db;
use crate::domain::Msg;
use crate::error::{Error, Result};

pub const PER_ADDRESS_PER_HOUR: i64 = 20;
pub const PER_MOBILE_PER_DAY: i64 = 5;
const HOUR_MS: Millis = 60 * 60 * 1000;
const DAY_MS: Millis = 24 * HOUR_MS;

fn key(kind: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("{kind}:{value}").as_bytes()))
}

/// `Invalid` with a message for the form when the address or the number has
/// reached its limit.
pub(crate) async fn check(app: &App, address: &str, mobile: Option<&str>) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().read().await?;
    if db::intake::count_since(&mut tx, &key("address", address), now - HOUR_MS).await? >= PER_ADDRESS_PER_HOUR {
        return Err(Error::invalid("form", Msg::new("err-intake-address")));
    }
    if let Some(mobile) = mobile
        && db::intake::count_since(&mut tx, &key("mobile", mobile), now - DAY_MS).await? >= PER_MOBILE_PER_DAY
    {
        return Err(Error::invalid("mobile", Msg::new("err-intake-mobile").with("max", PER_MOBILE_PER_DAY)));
    }
    Ok(())
}

/// Counts one accepted submission, and forgets those older than a day.
pub(crate) async fn count(app: &App, address: &str, mobile: Option<&str>) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    db::intake::forget_before(&mut tx, now - DAY_MS).await?;
    db::intake::record(&mut tx, &key("address", address), now).await?;
    if let Some(mobile) = mobile {
        db::intake::record(&mut tx, &key("mobile", mobile), now).await?;
    }
    tx.commit().await?;
    Ok(())
}
