//! HTML pages. Each handler extracts, parses, calls one action and renders an
//! askama template from `templates/` (compile-time checked, auto-escaped).

pub mod account;
pub mod admin;
pub mod admin_log;
pub mod calendars;
pub mod case_view;
pub mod cases;
pub mod channels;
pub mod cockpit;
pub mod codes;
pub mod exports;
pub mod files;
pub mod home;
pub mod import;
pub mod my_cases;
pub mod photos;
pub mod settings;
pub mod studios;
pub mod submit;
pub mod tokens;
pub mod track;
pub mod webhooks;

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::auth::{Ctx, Failed};
use super::error;
use crate::app::App;
use crate::domain::Msg;
use crate::domain::permission::{Resource, list_filter};
use crate::error::Error;
use crate::i18n::{I18n, Lang};

/// What every page's layout needs: language, the person, navigation, CSRF token.
pub struct Shell<'a> {
    pub i18n: &'a I18n,
    pub lang: Lang,
    pub title: String,
    pub csrf: String,
    pub user_name: Option<String>,
    pub nav: Vec<NavItem>,
    pub here: String,
    pub large_text: bool,
}

pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

impl<'a> Shell<'a> {
    pub fn new(app: &'a App, ctx: &Ctx, title_key: &str) -> Shell<'a> {
        let i18n = app.i18n();
        let mut shell = Shell {
            i18n,
            lang: ctx.lang,
            title: i18n.text(ctx.lang, title_key),
            csrf: ctx.csrf.clone(),
            user_name: ctx.actor.as_ref().map(|a| a.display_name().to_string()),
            nav: Vec::new(),
            here: ctx.here.clone(),
            large_text: ctx.large_text,
        };
        shell.nav = nav(&shell, ctx);
        shell
    }

    /// The text of a catalogue key in this page's language.
    pub fn t(&self, key: &str) -> String {
        self.i18n.text(self.lang, key)
    }

    pub fn msg(&self, msg: &Msg) -> String {
        self.i18n.msg(self.lang, msg)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// The link that turns the large-text mode on or off and comes back here.
    pub fn text_size_href(&self) -> String {
        let to = if self.large_text { "normal" } else { "large" };
        format!("/text-size/{to}?back={}", urlencode(&self.here))
    }

    /// The link that switches to the other language and comes back here.
    pub fn other_lang_href(&self) -> String {
        let other = if self.lang == Lang::Zh { "en" } else { "zh-CN" };
        format!("/lang/{other}?back={}", urlencode(&self.here))
    }

    pub fn other_lang_label(&self) -> &'static str {
        if self.lang == Lang::Zh { "English" } else { "中文" }
    }
}

fn nav(shell: &Shell<'_>, ctx: &Ctx) -> Vec<NavItem> {
    let Some(actor) = &ctx.actor else { return Vec::new() };
    let mut items = vec![("/", "nav-home"), ("/cases", "nav-cases"), ("/exports", "nav-exports")];
    if crate::actions::cockpit::may_open(actor) {
        items.push(("/cockpit", "nav-cockpit"));
    }
    for resource in [
        Resource::Region,
        Resource::Unit,
        Resource::Meeting,
        Resource::Representative,
        Resource::Department,
        Resource::User,
    ] {
        let admin_only = matches!(resource, Resource::Region | Resource::User);
        if list_filter(actor, resource).is_some() && (!admin_only || actor.role().is_admin()) {
            items.push((admin_href(resource), nav_key(resource)));
        }
    }
    if list_filter(actor, Resource::Unit).is_some() {
        items.push(("/codes/sheet", "sheet-title"));
    }
    if actor.role().is_admin() {
        items.push(("/admin/log", "nav-log"));
        items.push(("/admin/tokens", "nav-tokens"));
    }
    if actor.role() == crate::domain::user::Role::SystemAdmin {
        items.push(("/admin/settings", "nav-settings"));
        items.push(("/admin/channels", "nav-channels"));
        items.push(("/admin/calendars", "nav-calendars"));
        items.push(("/admin/webhooks", "nav-webhooks"));
    }
    items.push(("/account/password", "nav-password"));
    items
        .into_iter()
        .map(|(href, key)| NavItem {
            href: href.to_string(),
            label: shell.t(key),
            current: if href == "/" { ctx.here == "/" } else { ctx.here.starts_with(href) },
        })
        .collect()
}

pub fn admin_href(resource: Resource) -> &'static str {
    match resource {
        Resource::Region => "/admin/regions",
        Resource::Unit => "/admin/units",
        Resource::Representative => "/admin/representatives",
        Resource::Department => "/admin/departments",
        Resource::User => "/admin/users",
        Resource::Meeting => "/admin/meetings",
        Resource::AdminLog => "/admin/log",
        Resource::Setting => "/admin/settings",
    }
}

pub fn nav_key(resource: Resource) -> &'static str {
    match resource {
        Resource::Region => "nav-regions",
        Resource::Unit => "nav-units",
        Resource::Representative => "nav-representatives",
        Resource::Department => "nav-departments",
        Resource::User => "nav-users",
        Resource::Meeting => "nav-meetings",
        Resource::AdminLog => "nav-log",
        Resource::Setting => "nav-settings",
    }
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).map(|s| s[1..].to_string()).unwrap_or_default()
}

/// Renders a template to a 200 response.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(cause) => error::render_failed(cause),
    }
}

/// Renders a form again with its errors.
pub fn render_invalid<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => error::form_with_errors(body),
        Err(cause) => error::render_failed(cause),
    }
}

/// The question asked before anything destructive (switching a record off,
/// resetting a password, discarding an administrator's wording).
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage<'a> {
    pub shell: Shell<'a>,
    pub question: String,
    pub action: String,
    pub confirm_label: String,
    pub cancel: String,
}

/// `on` or `off` in a URL.
pub fn switch_of(to: &str) -> Result<bool, Error> {
    match to {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Error::NotFound),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: Shell<'a>,
    message: String,
    details: Vec<String>,
}

/// Turns a failed handler into its page (or JSON body, for the API).
pub fn render_failure(app: &App, ctx: &Ctx, failed: &Failed) -> Response {
    let error = failed.error.as_ref();
    if failed.api {
        return error::api_error(app.i18n(), ctx.lang, error);
    }
    if matches!(error, Error::Unauthenticated) {
        return Redirect::to(&format!("/login?next={}", urlencode(&ctx.here))).into_response();
    }
    let shell = Shell::new(app, ctx, "error-title");
    let details = match error {
        Error::Invalid(fields) if fields.len() > 1 => fields.iter().map(|f| shell.msg(&f.msg)).collect(),
        _ => Vec::new(),
    };
    let page = ErrorPage { message: error::message(app.i18n(), ctx.lang, error), details, shell };
    match page.render() {
        Ok(body) => error::page_error(error, body),
        Err(cause) => error::render_failed(cause),
    }
}
