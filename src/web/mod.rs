//! The only module that knows HTTP. [`router`] shows every route in one place.

pub mod api;
pub mod auth;
pub mod error;
pub mod open311;
pub mod pages;

use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::app::App;
use crate::error::Error;
use auth::{ApiError, PageError};
use pages::{
    account, admin, admin_log, calendars, cases, channels, cockpit, codes, exports, files, home, import, my_cases,
    photos, settings, studios, submit, tokens, track, webhooks,
};

/// Largest spreadsheet upload, with room for the multipart envelope.
const UPLOAD_LIMIT: usize = crate::actions::import::MAX_FILE_BYTES + 64 * 1024;

pub fn router(app: App) -> Router {
    let pages = Router::new()
        .route("/", get(home::home))
        .route("/lang/{code}", get(home::switch_lang))
        .route("/text-size/{size}", get(home::switch_text_size))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/account/password", get(account::password_form).post(account::change_password))
        .route("/admin/log", get(admin_log::admin_log))
        .route("/admin/settings", get(settings::overview))
        .route("/admin/settings/policy", post(settings::save_policy))
        .route("/admin/calendars", get(calendars::show).post(calendars::save_year))
        .route("/admin/channels", get(channels::show).post(channels::add))
        .route("/admin/channels/{id}/active/{to}", get(channels::confirm_active).post(channels::set_active))
        .route("/admin/calendars/ical", post(calendars::import_ical))
        .route("/admin/deliveries", get(settings::deliveries))
        .route("/admin/tokens", get(tokens::show).post(tokens::create))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke))
        .route("/admin/webhooks", get(webhooks::show).post(webhooks::create))
        .route("/admin/webhooks/{id}", get(webhooks::deliveries))
        .route("/admin/webhooks/{id}/{to}", get(webhooks::confirm_switch).post(webhooks::switch))
        .route("/admin/templates/{key}", get(settings::edit).post(settings::save))
        .route("/admin/templates/{key}/reset", get(settings::confirm_reset).post(settings::reset))
        .route("/admin/{resource}", get(admin::list))
        .route("/admin/{resource}/new", get(admin::new_form).post(admin::create))
        .route("/admin/{resource}/export/{format}", get(admin::export_list))
        .route("/admin/{resource}/import/template", get(import::template))
        .route(
            "/admin/{resource}/import",
            get(import::upload_form).post(import::preview).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/admin/{resource}/import/{batch}", post(import::commit))
        .route("/admin/{resource}/{id}", get(admin::edit_form).post(admin::update))
        .route("/admin/{resource}/{id}/active/{to}", get(admin::confirm_active).post(admin::set_active))
        .route("/admin/{resource}/{id}/reset", get(admin::confirm_reset).post(admin::reset))
        .route("/admin/{resource}/{id}/held", post(admin::mark_held))
        .route("/admin/{resource}/{id}/qr.svg", get(codes::qr_svg))
        .route("/admin/{resource}/{id}/qr.png", get(codes::qr_png))
        .route("/admin/{resource}/{id}/poster", get(codes::poster))
        .route(
            "/admin/{resource}/{id}/photo",
            get(photos::form).post(photos::upload).layer(DefaultBodyLimit::max(photos::PHOTO_LIMIT)),
        )
        .route("/photos/representatives/{id}", get(photos::full))
        .route("/photos/representatives/{id}/thumb", get(photos::thumb))
        .route("/q/{code}", get(codes::scan))
        .route("/cockpit", get(cockpit::cockpit))
        .route("/cockpit/export/{list}/{format}", get(cockpit::export_list))
        .route("/codes/sheet", get(codes::sheet))
        .route("/studios", get(studios::directory))
        .route("/studios/{id}", get(studios::studio))
        .route("/members/{id}", get(studios::member))
        .route("/cases", get(cases::inbox))
        .route("/exports", get(exports::list).post(exports::start))
        .route("/exports/{id}", get(exports::show))
        .route("/exports/{id}/progress", get(exports::progress))
        .route("/exports/{id}/parts/{number}", get(exports::part))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/moves/{kind}", post(cases::make_move))
        .route("/track", get(track::track_form))
        .route("/track/mine", get(my_cases::form).post(my_cases::list))
        .route("/track/{code}", get(track::track_page))
        .route("/track/{code}/moves/{kind}", post(track::citizen_move))
        .route(
            "/submit",
            get(submit::submit_form).post(submit::submit).layer(DefaultBodyLimit::max(submit::SUBMIT_LIMIT)),
        )
        .route("/cases/{id}/files/{file}", get(files::staff_full))
        .route("/cases/{id}/files/{file}/thumb", get(files::staff_thumb))
        .route("/track/{code}/files/{file}", get(files::citizen_full))
        .route("/track/{code}/files/{file}/thumb", get(files::citizen_thumb));
    let api = Router::new()
        .route("/api/v1/openapi.json", get(api::docs::openapi))
        .route("/api/v1/session", post(api::create_session).delete(api::delete_session))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/me/password", post(api::admin::change_password))
        .route("/api/v1/admin-log", get(api::admin::admin_log))
        .route("/api/v1/settings", get(api::settings::show))
        .route("/api/v1/settings/policy", post(api::settings::save_policy))
        .route("/api/v1/settings/templates/{key}", post(api::settings::save_template))
        .route("/api/v1/settings/templates/{key}/reset", post(api::settings::reset_template))
        .route("/api/v1/channels", get(api::settings::channels).post(api::settings::add_channel))
        .route("/api/v1/channels/{id}/active", post(api::settings::set_channel_active))
        .route("/api/v1/calendars", get(api::settings::calendars).post(api::settings::save_year))
        .route("/api/v1/calendars/ical", post(api::settings::import_ical))
        .route("/api/v1/deliveries", get(api::settings::deliveries))
        .route("/api/v1/codes", get(api::admin::code_sheet))
        .route(
            "/api/v1/cases",
            get(api::cases::list).post(api::cases::create).layer(DefaultBodyLimit::max(submit::SUBMIT_LIMIT)),
        )
        .route("/api/v1/cases/{id}", get(api::cases::get))
        .route("/api/v1/cases/{id}/events", post(api::cases::event))
        .route("/api/v1/track/mine", post(api::cases::my_cases))
        .route("/api/v1/track/{code}", get(api::cases::track))
        .route("/api/v1/track/{code}/events", post(api::cases::track_event))
        .route("/api/v1/tokens", get(api::tokens::list).post(api::tokens::create))
        .route("/api/v1/records/{resource}", get(api::records::list).post(api::records::create))
        .route("/api/v1/records/{resource}/{id}", get(api::records::get).post(api::records::update))
        .route("/api/v1/records/{resource}/{id}/active", post(api::records::set_active))
        .route("/api/v1/records/{resource}/{id}/held", post(api::records::mark_held))
        .route("/api/v1/records/{resource}/{id}/reset", post(api::admin::reset_password))
        .route("/api/v1/records/{resource}/{id}/code", get(api::admin::code))
        .route("/api/v1/records/{resource}/{id}/photo", post(api::admin::upload_photo))
        .route("/api/v1/records/{resource}/import", post(api::admin::import_preview))
        .route("/api/v1/records/{resource}/import/{batch}", post(api::admin::import_commit))
        .route("/api/v1/records/{resource}/export/{format}", get(api::admin::export))
        .route("/api/v1/exports", get(api::exports::list).post(api::exports::start))
        .route("/api/v1/exports/{id}", get(api::exports::get))
        .route("/api/v1/exports/{id}/parts/{number}", get(api::exports::part))
        .route("/api/v1/tokens/{id}/revoke", post(api::tokens::revoke))
        .route("/api/v1/webhooks", get(api::webhooks::list).post(api::webhooks::create))
        .route("/api/v1/webhooks/{id}/deliveries", get(api::webhooks::deliveries))
        .route("/api/v1/webhooks/{id}/pause", post(api::webhooks::pause))
        .route("/api/v1/webhooks/{id}/resume", post(api::webhooks::resume))
        .route("/api/v1/webhooks/{id}/deactivate", post(api::webhooks::deactivate))
        .route_layer(middleware::from_fn_with_state(app.clone(), api::idempotency))
        .route("/api/{*rest}", get(api_not_found).post(api_not_found));
    let open311 = Router::new()
        .route("/open311/v2/{file}", get(open311::get_root).post(open311::post_root))
        .route("/open311/v2/services/{file}", get(open311::service_definition))
        .route("/open311/v2/requests/{file}", get(open311::get_request))
        .route("/open311/v2/tokens/{file}", get(open311::get_token));
    Router::new()
        .merge(pages)
        .merge(api)
        .merge(open311)
        .route("/healthz", get(healthz))
        .route("/healthz/live", get(live))
        .route("/metrics", get(metrics))
        .route("/static/minyi.css", get(stylesheet))
        .route("/api/docs", get(api::docs::page))
        .route("/static/api-docs.js", get(api::docs::script))
        .route("/static/vendor/swagger-ui-dist/{file}", get(api::docs::vendored))
        .route("/static/cockpit.js", get(cockpit_script))
        .route("/static/vendor/echarts/echarts.common.min.js", get(echarts))
        .route("/static/form.js", get(form_script))
        .route("/static/vendor/htmx.org/htmx.min.js", get(htmx))
        .fallback(page_not_found)
        .layer(middleware::from_fn_with_state(app.clone(), auth::context))
        .layer(middleware::from_fn_with_state(app.clone(), record_metrics))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ))
        .with_state(app)
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serves until the task is dropped or the process ends.
pub async fn serve(app: App, listener: TcpListener) -> std::io::Result<()> {
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn healthz(State(app): State<App>) -> Response {
    error::health(crate::actions::status::healthy(&app).await)
}

/// The process answers, without asking the database: the cheapest route, for benchmarks' ceiling.
async fn live() -> Response {
    error::health(true)
}

async fn metrics(State(app): State<App>) -> Response {
    let body = app.metrics().handle().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn record_metrics(State(app): State<App>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_default();
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let seconds = started.elapsed().as_secs_f64();
    metrics::with_local_recorder(app.metrics(), || {
        let labels = [("method", method), ("route", route), ("status", status)];
        metrics::counter!("minyi_http_requests_total", &labels).increment(1);
        metrics::histogram!("minyi_http_request_duration_seconds", &labels[..2]).record(seconds);
    });
    response
}

const STYLESHEET: &str = include_str!("../../static/minyi.css");

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}

const COCKPIT_SCRIPT: &str = include_str!("../../static/cockpit.js");
/// ECharts 6 (npm `echarts`, Apache-2.0, licence beside it in static/vendor/echarts/).
const ECHARTS: &str = include_str!("../../static/vendor/echarts/echarts.common.min.js");

/// htmx 2 (npm `htmx.org`, 0BSD, licence beside it in static/vendor/htmx.org/).
const HTMX: &str = include_str!("../../static/vendor/htmx.org/htmx.min.js");

async fn htmx() -> Response {
    script(HTMX)
}

async fn cockpit_script() -> Response {
    script(COCKPIT_SCRIPT)
}

async fn echarts() -> Response {
    script(ECHARTS)
}

fn script(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

const FORM_SCRIPT: &str = include_str!("../../static/form.js");

/// The citizen form's draft and offline sending (the form works without it).
async fn form_script() -> Response {
    script(FORM_SCRIPT)
}

async fn page_not_found() -> PageError {
    PageError(Error::NotFound)
}

async fn api_not_found() -> ApiError {
    ApiError(Error::NotFound)
}
