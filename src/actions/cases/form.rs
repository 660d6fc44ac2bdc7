//! The citizen's form: text, photos and a voice message, from a network address.

use super::{CaseInput, Submitted, intake};
use crate::app::App;
use crate::db;
use crate::domain::Msg;
use crate::domain::case::CaseFields;
use crate::error::{Error, Result};

/// A citizen submits a case with photos and a voice message from the form, from
/// the network `address`. Text and files are checked together, so every mistake
/// is reported at once; the files are written before the case commits and
/// removed again if it does not (or if the client token finds the case already
/// made). The address and the mobile number are rate-limited (`intake`).
pub async fn submit_with_files(
    app: &App,
    fields: &CaseFields,
    uploads: Vec<crate::domain::attachment::Upload>,
    address: &str,
    consent: bool,
) -> Result<Submitted> {
    let parsed = CaseInput::parse(fields);
    let checked = crate::domain::attachment::check(uploads);
    let (input, checked) = match (parsed, checked) {
        (Ok(input), Ok(checked)) if consent => (input, checked),
        (parsed, checked) => {
            let mut errors = parsed.err().unwrap_or_default();
            errors.extend(checked.err().unwrap_or_default());
            if !consent {
                errors.push(crate::domain::FieldError::new("consent", Msg::new("err-consent")));
            }
            return Err(Error::Invalid(errors));
        }
    };
    if input.channel.needs_staff() {
        return Err(Error::invalid("channel", Msg::new("err-channel-staff")));
    }
    // A retry of a form already accepted finds its case, whatever the limits say now.
    if let Some(token) = &input.client_token {
        let mut tx = app.db().read().await?;
        if let Some(existing) = db::cases::by_client_token(&mut tx, token).await? {
            return Ok(Submitted { case_id: existing.id, tracking_code: existing.tracking_code, created: false });
        }
    }
    let mobile = input.citizen_mobile.as_ref().map(|m| m.as_str().to_string());
    crate::actions::intake::check(app, address, mobile.as_deref()).await?;
    let written = crate::actions::attachments::write(app, checked).await?;
    let submitted =
        intake::submit(app, input, ("citizen", String::new(), "群众".to_string()), written.attachments.clone()).await?;
    if submitted.created {
        written.keep();
        crate::actions::intake::count(app, address, mobile.as_deref()).await?;
    }
    Ok(submitted)
}
