//! The administration pages for the five kinds of people and places: one list,
//! one form and one confirmation page serve all of them, described as data.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{ConfirmPage, Shell, admin_href, nav_key, render, render_invalid, switch_of, urlencode};
use crate::actions::{self, accounts, export, records};
use crate::app::App;
use crate::db::PageRequest;
use crate::domain::columns::columns;
use crate::domain::permission::{Action, Resource, Target, allowed};
use crate::domain::user::Actor;
use crate::error::Error;
use crate::web::auth::{CsrfForm, Ctx, PageError};
use crate::web::error;

pub const PAGE_SIZE: i64 = 30;

/// The resource named in a URL; the admin log is not one of the editable kinds.
pub fn resource_of(slug: &str) -> Result<Resource, Error> {
    match Resource::parse(slug) {
        Some(Resource::AdminLog) | None => Err(Error::NotFound),
        Some(resource) => Ok(resource),
    }
}

/// The fields a list shows, in order.
fn list_fields(resource: Resource) -> &'static [&'static str] {
    match resource {
        Resource::Region => &["name", "code", "level", "parent_code"],
        Resource::Unit => &["name", "code", "kind", "region_name", "contact_phone"],
        Resource::Representative => &["name", "code", "body", "level", "sector", "region_name"],
        Resource::Department => &["name", "code", "region_name", "fields"],
        Resource::User => &["display_name", "username", "role", "region_name"],
        Resource::Meeting => &["title", "kind", "starts_at", "region_name", "state"],
        Resource::AdminLog | Resource::Setting => &[],
    }
}

/// The choices of a field that has a fixed set of values, as (value, catalogue key).
fn options(resource: Resource, field: &str) -> Option<&'static [(&'static str, &'static str)]> {
    const YES_NO: &[(&str, &str)] = &[("是", "yes"), ("否", "no")];
    Some(match (resource, field) {
        (_, "active" | "online") => YES_NO,
        (Resource::Region, "level") => &[
            ("province", "opt-level-province"),
            ("city", "opt-level-city"),
            ("county", "opt-level-county"),
            ("town", "opt-level-town"),
            ("village", "opt-level-village"),
        ],
        (Resource::Unit, "kind") => &[("station", "opt-kind-station"), ("studio", "opt-kind-studio")],
        (Resource::Unit, "studio_kind") => {
            &[("", "opt-none"), ("town", "opt-studio-kind-town"), ("sector", "opt-studio-kind-sector")]
        }
        (Resource::Representative, "body") => &[("congress", "opt-body-congress"), ("cppcc", "opt-body-cppcc")],
        (Resource::Representative, "gender") => {
            &[("", "opt-none"), ("male", "opt-gender-male"), ("female", "opt-gender-female")]
        }
        (Resource::Representative, "level") => &[
            ("", "opt-none"),
            ("national", "opt-deputy-level-national"),
            ("provincial", "opt-deputy-level-provincial"),
            ("city", "opt-deputy-level-city"),
            ("county", "opt-deputy-level-county"),
            ("town", "opt-deputy-level-town"),
        ],
        (Resource::Meeting, "kind") => &[
            ("supervision", "opt-meeting-kind-supervision"),
            ("deliberation", "opt-meeting-kind-deliberation"),
            ("consultation", "opt-meeting-kind-consultation"),
            ("reception", "opt-meeting-kind-reception"),
        ],
        // Cancelling is its own button, asked first; the form only plans or marks held.
        (Resource::Meeting, "state") => &[("planned", "opt-meeting-state-planned"), ("held", "opt-meeting-state-held")],
        (Resource::User, "role") => &[
            ("representative", "opt-role-representative"),
            ("unit_keeper", "opt-role-unit_keeper"),
            ("department_handler", "opt-role-department_handler"),
            ("office_admin", "opt-role-office_admin"),
            ("system_admin", "opt-role-system_admin"),
        ],
        _ => return None,
    })
}

fn label_key(resource: Resource, field: &str) -> String {
    match (resource, field) {
        (Resource::Meeting, "region_name") => "col-meetings-unit".to_string(),
        (_, "region_name") => "col-region-name".to_string(),
        _ => format!("col-{}-{field}", resource.as_str()),
    }
}

fn display(shell: &Shell<'_>, resource: Resource, field: &str, value: &str) -> String {
    match options(resource, field).and_then(|opts| opts.iter().find(|(v, _)| *v == value)) {
        Some((_, key)) if !value.is_empty() => shell.t(key),
        _ if resource == Resource::Meeting && field == "state" && value == "cancelled" => {
            shell.t("opt-meeting-state-cancelled")
        }
        _ => value.to_string(),
    }
}

/// Whether the list page offers a button for `action` (the action re-checks). Of
/// the kinds here, a keeper makes only meetings, and only at their own unit.
fn may(actor: &Actor, action: Action, resource: Resource) -> bool {
    let path = actor.scope().region_path();
    let own_unit: Vec<String> = match actor.scope() {
        crate::domain::user::Scope::Unit { unit_id, .. } => vec![unit_id.clone()],
        _ => Vec::new(),
    };
    let target = Target { region_path: &path, id: None, unit_ids: &own_unit };
    (actor.role().is_admin() || resource == Resource::Meeting) && allowed(actor, action, resource, &target)
}

/// The words of the switch on a record's form: a meeting is cancelled and restored,
/// the other kinds are switched off and on.
fn switch_keys(resource: Resource, active: bool) -> (&'static str, &'static str) {
    match (resource, active) {
        (Resource::Meeting, true) => ("meeting-cancel", "confirm-meeting-cancel"),
        (Resource::Meeting, false) => ("meeting-restore", "confirm-meeting-restore"),
        (_, true) => ("deactivate", "confirm-deactivate"),
        (_, false) => ("activate", "confirm-activate"),
    }
}

#[derive(Template)]
#[template(path = "admin_list.html")]
struct ListPage<'a> {
    shell: Shell<'a>,
    base: &'static str,
    search: String,
    columns: Vec<String>,
    rows: Vec<ListRow>,
    summary: String,
    page_label: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_create: bool,
    can_import: bool,
    can_export: bool,
    /// Meetings: a column of "mark held" forms.
    held_column: bool,
}

struct ListRow {
    href: String,
    cells: Vec<String>,
    active: bool,
    /// A planned meeting's one-line form to mark it held (no question asked).
    held_action: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    pub(super) page: Option<i64>,
}

pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    let page = PageRequest::new(query.page.unwrap_or(1), PAGE_SIZE);
    let (records, total) = records::list(&app, actor, resource, &query.q, page).await?;
    let shell = Shell::new(&app, &ctx, nav_key(resource));
    let base = admin_href(resource);
    let fields = list_fields(resource);
    let may_mark_held = may(actor, Action::Update, resource);
    let rows = records
        .iter()
        .map(|record| ListRow {
            href: format!("{base}/{}", record.id),
            cells: fields
                .iter()
                .map(|f| match *f {
                    "region_name" => record.region_name.clone(),
                    f => display(&shell, resource, f, record.fields.get(f).map(String::as_str).unwrap_or_default()),
                })
                .collect(),
            active: record.active,
            held_action: (resource == Resource::Meeting
                && may_mark_held
                && record.fields.get("state").is_some_and(|s| s == "planned"))
            .then(|| format!("{base}/{}/held", record.id)),
        })
        .collect();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let href = |n: i64| format!("{base}?q={}&page={n}", urlencode(&query.q));
    let msg = |key| crate::domain::Msg::new(key);
    let summary = shell.msg(&msg("list-summary").with("total", total));
    let page_label = shell.msg(&msg("page-of").with("page", page.number).with("pages", pages));
    let list_page = ListPage {
        base,
        search: query.q.clone(),
        columns: fields.iter().map(|f| shell.t(&label_key(resource, f))).collect(),
        rows,
        summary,
        page_label,
        prev_href: (page.number > 1).then(|| href(page.number - 1)),
        next_href: (page.number < pages).then(|| href(page.number + 1)),
        can_create: may(actor, Action::Create, resource),
        can_import: may(actor, Action::Import, resource)
            && !columns(resource).is_empty()
            && resource != Resource::Meeting,
        can_export: may(actor, Action::Export, resource),
        held_column: resource == Resource::Meeting && may_mark_held,
        shell,
    };
    Ok(render(&list_page))
}

#[derive(Template)]
#[template(path = "admin_form.html")]
struct FormPage<'a> {
    shell: Shell<'a>,
    action: String,
    back: &'static str,
    fields: Vec<FormField>,
    errors: Vec<String>,
    saved: bool,
    extra_actions: Vec<Link>,
}

struct FormField {
    name: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    options: Vec<SelectOption>,
    error: Option<String>,
    hint: String,
    required: bool,
    readonly: bool,
}

struct SelectOption {
    value: &'static str,
    label: String,
    selected: bool,
}

struct Link {
    href: String,
    label: String,
}

fn form_page<'a>(
    shell: Shell<'a>,
    resource: Resource,
    id: Option<&str>,
    values: &BTreeMap<String, String>,
    errors: &[crate::domain::FieldError],
    active: bool,
) -> FormPage<'a> {
    let base = admin_href(resource);
    let fields = columns(resource)
        .iter()
        .map(|column| {
            let value = values.get(column.field).cloned().unwrap_or_default();
            let choices = options(resource, column.field);
            let kind = match (choices, column.field) {
                (Some(_), _) => "select",
                (None, "profile" | "agenda") => "textarea",
                (None, "password") => "password",
                (None, "mobile" | "contact_phone") => "tel",
                (None, "citizens") => "number",
                _ => "text",
            };
            let options = choices
                .unwrap_or_default()
                .iter()
                .map(|(v, key)| SelectOption { value: v, label: shell.t(key), selected: *v == value })
                .collect();
            let hint_key = format!("hint-{}-{}", resource.as_str(), column.field);
            FormField {
                name: column.field,
                label: shell.t(&label_key(resource, column.field)),
                kind,
                error: errors.iter().find(|e| e.field == column.field).map(|e| shell.msg(&e.msg)),
                hint: if shell.i18n.has(shell.lang, &hint_key) { shell.t(&hint_key) } else { String::new() },
                required: column.required,
                // The username names an account for good; the rest may change.
                readonly: id.is_some() && column.field == "username",
                value: if column.field == "password" { String::new() } else { value },
                options,
            }
        })
        .collect();
    let mut extra_actions = Vec::new();
    if let Some(id) = id {
        let to = if active { "off" } else { "on" };
        let (key, _) = switch_keys(resource, active);
        extra_actions.push(Link { href: format!("{base}/{id}/active/{to}"), label: shell.t(key) });
        if resource == Resource::User {
            extra_actions.push(Link { href: format!("{base}/{id}/reset"), label: shell.t("reset-password") });
        }
        if resource == Resource::Representative {
            extra_actions.push(Link { href: format!("{base}/{id}/photo"), label: shell.t("photo-title") });
        }
        if matches!(resource, Resource::Unit | Resource::Representative | Resource::Meeting) {
            extra_actions.push(Link { href: format!("{base}/{id}/qr.svg"), label: shell.t("qr-code") });
        }
    }
    FormPage {
        action: match id {
            Some(id) => format!("{base}/{id}"),
            None => format!("{base}/new"),
        },
        back: base,
        errors: errors.iter().map(|e| shell.msg(&e.msg)).collect(),
        fields,
        saved: false,
        extra_actions,
        shell,
    }
}

pub async fn new_form(State(app): State<App>, ctx: Ctx, Path(slug): Path<String>) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    if !may(actor, Action::Create, resource) {
        return Err(Error::Forbidden.into());
    }
    let shell = Shell::new(&app, &ctx, "create");
    Ok(render(&form_page(shell, resource, None, &BTreeMap::new(), &[], true)))
}

pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(values): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    match records::save(&app, actor, resource, None, &values).await {
        Ok(id) => Ok(Redirect::to(&format!("{}/{id}?saved=1", admin_href(resource))).into_response()),
        Err(Error::Invalid(errors)) => {
            let shell = Shell::new(&app, &ctx, "create");
            Ok(render_invalid(&form_page(shell, resource, None, &values, &errors, true)))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn edit_form(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    let record = records::get(&app, actor, resource, &id).await?;
    let shell = Shell::new(&app, &ctx, "edit");
    let mut page = form_page(shell, resource, Some(&id), &record.fields, &[], record.active);
    page.saved = saved.saved.is_some();
    Ok(render(&page))
}

pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(values): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    match records::save(&app, actor, resource, Some(&id), &values).await {
        Ok(id) => Ok(Redirect::to(&format!("{}/{id}?saved=1", admin_href(resource))).into_response()),
        Err(Error::Invalid(errors)) => {
            let shell = Shell::new(&app, &ctx, "edit");
            let active = values.get("active").is_none_or(|v| v != "否");
            Ok(render_invalid(&form_page(shell, resource, Some(&id), &values, &errors, active)))
        }
        Err(other) => Err(other.into()),
    }
}

/// Switching a record off is destructive for the people who use it: ask first.
pub async fn confirm_active(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id, to)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    let active = switch_of(&to)?;
    let record = records::get(&app, actor, resource, &id).await?;
    let name =
        ["name", "display_name", "title"].iter().find_map(|f| record.fields.get(*f)).cloned().unwrap_or_default();
    let (title, question) = switch_keys(resource, !active);
    let shell = Shell::new(&app, &ctx, title);
    let page = ConfirmPage {
        question: shell.msg(&crate::domain::Msg::new(question).with("name", name)),
        action: format!("{}/{id}/active/{to}", admin_href(resource)),
        confirm_label: shell.t(title),
        cancel: format!("{}/{id}", admin_href(resource)),
        shell,
    };
    Ok(render(&page))
}

pub async fn set_active(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id, to)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    records::set_active(&app, actor, resource, &id, switch_of(&to)?).await?;
    Ok(Redirect::to(&format!("{}/{id}?saved=1", admin_href(resource))).into_response())
}

pub async fn confirm_reset(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    if resource_of(&slug)? != Resource::User {
        return Err(Error::NotFound.into());
    }
    let account = actions::users::get(&app, actor, &id).await?;
    let shell = Shell::new(&app, &ctx, "reset-password");
    let page = ConfirmPage {
        question: shell.msg(&crate::domain::Msg::new("confirm-reset").with("name", &account.username)),
        action: format!("/admin/users/{id}/reset"),
        confirm_label: shell.t("reset-password"),
        cancel: format!("/admin/users/{id}"),
        shell,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage<'a> {
    shell: Shell<'a>,
    message: String,
    secret: String,
    back: String,
    back_label: String,
}

pub async fn reset(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    if resource_of(&slug)? != Resource::User {
        return Err(Error::NotFound.into());
    }
    let temporary = accounts::reset_password(&app, actor, &id).await?;
    let shell = Shell::new(&app, &ctx, "reset-password");
    let page = NoticePage {
        message: shell.t("reset-done"),
        secret: temporary,
        back: format!("/admin/users/{id}"),
        back_label: shell.t("back"),
        shell,
    };
    Ok(render(&page))
}

pub async fn export_list(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, format)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let resource = resource_of(&slug)?;
    let format = export::Format::parse(&format).ok_or(Error::NotFound)?;
    let bytes = match export::export(&app, actor, resource, format).await? {
        export::Exported::File(bytes) => bytes,
        export::Exported::TooLong { rows } => {
            let shell = Shell::new(&app, &ctx, "export-too-long-title");
            let limit = app.config().export_direct_max_rows;
            let message =
                shell.msg(&crate::domain::Msg::new("export-too-long").with("rows", rows).with("limit", limit));
            let page = TooLongPage {
                message,
                subject: resource.as_str(),
                format: format.extension(),
                back: admin_href(resource).to_string(),
                shell,
            };
            return Ok(render(&page));
        }
    };
    let date = chrono::DateTime::from_timestamp_millis(app.now()).unwrap_or_default().format("%Y%m%d");
    let name = format!("minyi-{}-{date}.{}", resource.as_str(), format.extension());
    Ok(error::attachment(format.content_type(), &name, bytes))
}

/// A list too long to download at once: says so, with its length, and offers a
/// background export of all of it (never a part of it).
#[derive(Template)]
#[template(path = "export_too_long.html")]
struct TooLongPage<'a> {
    shell: Shell<'a>,
    message: String,
    subject: &'static str,
    format: &'static str,
    back: String,
}

/// A stored time as China Standard Time, to the minute.
pub fn china_time(millis: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct HeldForm {
    citizens: String,
    representatives: String,
}

/// `POST /admin/meetings/{id}/held` (the list's one-line form): marks a planned meeting
/// held, with how many citizens came; no question, since nothing is lost. Back to the list.
pub async fn mark_held(
    State(app): State<App>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HeldForm>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    if resource_of(&slug)? != Resource::Meeting {
        return Err(Error::NotFound.into());
    }
    actions::meetings::mark_held(&app, actor, &id, &form.citizens, &form.representatives).await?;
    Ok(Redirect::to(&format!("{}?held={id}", admin_href(Resource::Meeting))).into_response())
}
