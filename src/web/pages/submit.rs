//! A citizen sends an opinion to a representative or a unit, and gets a
//! tracking code. Works with JavaScript off; a retried form makes one case.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::header;
use axum::response::Response;

use super::case_view::{Choice, category_choices};
use super::{Shell, render, render_invalid, urlencode};
use crate::actions::{accounts, cases};
use crate::app::App;
use crate::domain::attachment::{MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_VOICE_BYTES, Upload};
use crate::domain::case::{Addressee, CaseFields, Channel};
use crate::domain::{FieldError, Msg};
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError, check_csrf};

/// Largest `POST /submit` body: nine photos and a voice message at their limits,
/// with room for the text and the multipart envelope. A larger file is read
/// only up to its own limit and refused with a message in place.
pub const SUBMIT_LIMIT: usize = MAX_PHOTOS * MAX_PHOTO_BYTES + MAX_VOICE_BYTES + 1024 * 1024;

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage<'a> {
    shell: Shell<'a>,
    to_name: String,
    fields: CaseFields,
    categories: Vec<Choice>,
    errors: Vec<(String, String)>,
    /// Photos or a voice message were sent with the form (a browser cannot keep them).
    files_sent: bool,
    /// To a CPPCC member or studio: "委员将在3个工作日内答复", with the date.
    promise: Option<String>,
    /// The privacy-consent box was ticked (kept when the form comes back).
    consent: bool,
    /// Sent from a meeting's code: the meeting's title.
    meeting_title: Option<String>,
}

/// The form's fields: the case's, and the privacy consent.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct FormFields {
    #[serde(flatten)]
    case: CaseFields,
    consent: String,
}

impl SubmitPage<'_> {
    /// The message for `field`, if it was wrong.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn anonymous(&self) -> bool {
        !self.fields.anonymous.is_empty()
    }
}

#[derive(Template)]
#[template(path = "submitted.html")]
struct SubmittedPage<'a> {
    shell: Shell<'a>,
    code: String,
    track_href: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct To {
    unit: String,
    representative: String,
    meeting: String,
}

fn addressee_of(representative_id: &str, unit_id: &str) -> Result<Addressee, Error> {
    match (representative_id.trim(), unit_id.trim()) {
        (rep, "") if !rep.is_empty() => Ok(Addressee::Representative(rep.to_string())),
        ("", unit) if !unit.is_empty() => Ok(Addressee::Unit(unit.to_string())),
        _ => Err(Error::NotFound),
    }
}

fn page<'a>(shell: Shell<'a>, to: cases::AddresseeView, fields: CaseFields, errors: &[FieldError]) -> SubmitPage<'a> {
    let categories = category_choices(&shell, &fields.category);
    let errors = errors.iter().map(|e| (e.field.clone(), shell.msg(&e.msg))).collect();
    let promise = to.studio_promise.map(|(days, date)| {
        shell.msg(&Msg::new("submit-studio-promise").with("days", days).with("date", date.format("%Y-%m-%d")))
    });
    let meeting_title = to.meeting_title;
    SubmitPage {
        to_name: to.name,
        fields,
        categories,
        errors,
        files_sent: false,
        promise,
        consent: false,
        meeting_title,
        shell,
    }
}

/// The addressee's public facts, and the meeting's title when the form came from its code.
async fn addressee_view(app: &App, fields: &CaseFields) -> Result<cases::AddresseeView, Error> {
    match (fields.unit_id.trim(), fields.meeting_id.trim()) {
        (unit, meeting) if !unit.is_empty() && !meeting.is_empty() => {
            cases::addressee_at_meeting(app, unit, meeting).await
        }
        _ => cases::addressee(app, &addressee_of(&fields.representative_id, &fields.unit_id)?).await,
    }
}

/// `GET /submit?unit=…` or `?representative=…`: the form, with a fresh client
/// token so that sending it twice makes one case.
pub async fn submit_form(State(app): State<App>, ctx: Ctx, Query(to): Query<To>) -> Result<Response, PageError> {
    addressee_of(&to.representative, &to.unit)?;
    let fields = CaseFields {
        representative_id: to.representative.trim().to_string(),
        unit_id: if to.representative.trim().is_empty() { to.unit.trim().to_string() } else { String::new() },
        meeting_id: if to.representative.trim().is_empty() { to.meeting.trim().to_string() } else { String::new() },
        client_token: accounts::random_token(),
        ..CaseFields::default()
    };
    let target = addressee_view(&app, &fields).await?;
    Ok(render(&page(Shell::new(&app, &ctx, "submit-title"), target, fields, &[])))
}

/// `POST /submit`: the case is made (or found again by its client token) and its
/// tracking code shown; wrong input shows the form again as typed. The form is
/// sent as multipart (with photos and a voice message) or, from old clients,
/// urlencoded.
pub async fn submit(State(app): State<App>, ctx: Ctx, request: Request) -> Result<Response, PageError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (fields, uploads, broken) = if multipart {
        let form = Multipart::from_request(request, &app).await.map_err(|_| bad_form())?;
        read_multipart(&ctx, form).await?
    } else {
        let CsrfForm(fields) = CsrfForm::<FormFields>::from_request(request, &app).await?;
        (fields, Vec::new(), None)
    };
    let consent = fields.consent == "yes";
    let mut fields = fields.case;
    fields.channel = Channel::Web.as_str().to_string();
    let files_sent = multipart && (broken.is_some() || uploads.iter().any(|u| u.too_large || !u.bytes.is_empty()));
    let result = match broken {
        Some(error) => Err(Error::Invalid(vec![error])),
        None => cases::submit_with_files(&app, &fields, uploads, &ctx.address, consent).await,
    };
    match result {
        Ok(submitted) => {
            let page = SubmittedPage {
                shell: Shell::new(&app, &ctx, "submitted-title"),
                track_href: format!("/track/{}", urlencode(&submitted.tracking_code)),
                code: submitted.tracking_code,
            };
            Ok(render(&page))
        }
        Err(Error::Invalid(errors)) => {
            let target = match addressee_view(&app, &fields).await {
                // A stale or foreign meeting: the form comes back addressed to the unit alone.
                Err(Error::NotFound) if !fields.meeting_id.is_empty() => {
                    fields.meeting_id.clear();
                    addressee_view(&app, &fields).await?
                }
                other => other?,
            };
            let mut page = page(Shell::new(&app, &ctx, "submit-title"), target, fields, &errors);
            page.files_sent = files_sent;
            page.consent = consent;
            Ok(render_invalid(&page))
        }
        Err(other) => Err(other.into()),
    }
}

/// One file of the citizen's form (`photos` or `voice`), read to its end: a file
/// over its limit is marked `too_large` and not kept (the upload check refuses it by
/// name). `None` when the body broke off.
pub(crate) async fn read_file_part(name: String, field: &mut axum::extract::multipart::Field<'_>) -> Option<Upload> {
    let limit = if name == "voice" { MAX_VOICE_BYTES } else { MAX_PHOTO_BYTES };
    let mut upload = Upload { field: name, bytes: Vec::new(), too_large: false };
    while let Some(chunk) = field.chunk().await.ok()? {
        if upload.too_large || upload.bytes.len() + chunk.len() > limit {
            upload.too_large = true;
            upload.bytes = Vec::new();
        } else {
            upload.bytes.extend_from_slice(&chunk);
        }
    }
    Some(upload)
}

fn bad_form() -> Error {
    Error::invalid("form", Msg::new("err-form"))
}

/// The text fields, the files, and a problem that stopped the reading (the body
/// was larger than [`SUBMIT_LIMIT`] or broke off): the text read until then is
/// kept so the form can be shown again as typed. A file over its own limit is
/// read to its end but not kept.
async fn read_multipart(
    ctx: &Ctx,
    mut form: Multipart,
) -> Result<(FormFields, Vec<Upload>, Option<FieldError>), PageError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut uploads = Vec::new();
    let mut broken = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                broken = Some(FieldError::new("photos", Msg::new("err-form-too-large")));
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "photos" || name == "voice" {
            match read_file_part(name, &mut field).await {
                Some(upload) => uploads.push(upload),
                None => {
                    broken = Some(FieldError::new("photos", Msg::new("err-form-too-large")));
                    break;
                }
            }
        } else {
            match field.text().await {
                Ok(text) => pairs.push((name, text)),
                Err(_) => {
                    broken = Some(FieldError::new("form", Msg::new("err-form-too-large")));
                    break;
                }
            }
        }
    }
    let sent = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
    check_csrf(Some(ctx), sent)?;
    let encoded = serde_urlencoded::to_string(&pairs).map_err(|_| bad_form())?;
    let fields: FormFields = serde_urlencoded::from_str(&encoded).map_err(|_| bad_form())?;
    Ok((fields, uploads, broken))
}
