//! `GET /cockpit`: the central office's view of its region subtree (联络总站驾驶舱).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;

use super::case_view::{category_label, date_text};
use super::{Shell, render, urlencode};
use crate::actions::cases::COUNTED;
use crate::actions::cockpit::{self, Line, Overview, StationView};
use crate::actions::export;
use crate::app::App;
use crate::domain::case::{Case, Channel};
use crate::domain::rates::{self, Rate};
use crate::domain::tally::{CaseCounts, DeptCounts};
use crate::error::Error;
use crate::web::auth::{Ctx, PageError};
use crate::web::error;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CockpitParams {
    region: String,
    from: String,
    to: String,
    /// A station's id: the station's own view (its representatives).
    unit: String,
}

/// A rate as shown: the figure, and when there is none, why.
pub struct RateCell {
    pub text: String,
    pub why: String,
}

/// A figure of the page and the list of the cases it counts.
pub struct Figure {
    pub n: i64,
    pub href: String,
}

pub struct CountRow {
    pub name: String,
    pub href: String,
    pub received: i64,
    /// Received, acknowledged, answered directly, forwarded, answered, closed: each
    /// linked to the case list narrowed to what it counts.
    pub figures: Vec<Figure>,
    pub rates: Vec<RateCell>,
}

pub struct DeptRow {
    pub rank: usize,
    pub name: String,
    /// The cases assigned to the department (in the region and period).
    pub href: String,
    pub assigned: i64,
    pub returned: i64,
    pub reworked: i64,
    pub ext_granted: i64,
    pub submitted: i64,
    pub on_time: RateCell,
    pub satisfaction: RateCell,
}

pub struct CaseLine {
    pub href: String,
    pub code: String,
    pub title: String,
    pub due: String,
}

pub struct StationLine {
    pub href: String,
    pub name: String,
    pub active: String,
    pub profile: String,
    pub scans: i64,
    pub recent_cases: i64,
    pub idle: bool,
    /// Reception days planned and held in the period (`domain::reception`).
    pub reception_planned: i64,
    pub reception_held: i64,
    /// The station's meetings, where its reception days are kept.
    pub meetings_href: String,
}

pub struct Crumb {
    pub href: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "cockpit.html")]
struct CockpitPage<'a> {
    shell: Shell<'a>,
    region_id: String,
    from: String,
    to: String,
    crumbs: Vec<Crumb>,
    empty: bool,
    totals: Vec<CountRow>,
    rate_names: Vec<String>,
    channels: Vec<CountRow>,
    categories: Vec<CountRow>,
    children: Vec<CountRow>,
    stations: Vec<CountRow>,
    representatives: Vec<CountRow>,
    departments: Vec<DeptRow>,
    /// The rankings left out because the region is too wide (`cockpit::PEOPLE_BOUND`).
    too_wide: Vec<&'static str>,
    weeks: Vec<CountRow>,
    months: Vec<CountRow>,
    overdue: Vec<CaseLine>,
    overdue_total: i64,
    due_soon: Vec<CaseLine>,
    due_soon_until: String,
    /// The data of the month trend and channel charts (JSON for static/cockpit.js).
    station_lines: Vec<StationLine>,
    idle_stations: i64,
    /// "接待日：计划 x 次，已举行 y 次" over the whole subtree.
    reception_total: String,
    months_chart: String,
    channels_chart: String,
    /// The hot words: word, cases, and the case list of the cases containing it.
    words: Vec<Figure>,
    word_names: Vec<String>,
    words_chart: String,
    /// `region=…&from=…&to=…` for the download links.
    export_query: String,
}

/// `GET /cockpit?region=…&from=YYYY-MM-DD&to=YYYY-MM-DD`
pub async fn cockpit(
    State(app): State<App>,
    ctx: Ctx,
    Query(params): Query<CockpitParams>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    if !params.unit.trim().is_empty() {
        let view = cockpit::station(&app, actor, &params.unit, &params.from, &params.to).await?;
        let shell = Shell::new(&app, &ctx, "cockpit-title");
        return Ok(render(&station_page(shell, &view)));
    }
    let overview = cockpit::overview(&app, actor, &params.region, &params.from, &params.to).await?;
    let shell = Shell::new(&app, &ctx, "cockpit-title");
    Ok(render(&page(shell, &overview)))
}

#[derive(Template)]
#[template(path = "cockpit_station.html")]
struct StationPage<'a> {
    shell: Shell<'a>,
    unit_id: String,
    unit_name: String,
    from: String,
    to: String,
    crumbs: Vec<Crumb>,
    empty: bool,
    rate_names: Vec<String>,
    totals: Vec<CountRow>,
    representatives: Vec<CountRow>,
}

/// A station's own view: the cases addressed to it, and one row per representative
/// serving at it, each figure linked to the case list.
fn station_page<'a>(shell: Shell<'a>, v: &StationView) -> StationPage<'a> {
    let (from, to) = (v.period.from().to_string(), v.period.to().to_string());
    let period = format!("&from={from}&to={to}");
    let unit = urlencode(&v.unit.id);
    let cases_of = |extra: &str| format!("/cases?unit={unit}{period}{extra}");
    // A representative's figures: their cases in the office's region, wherever received.
    let representatives = v
        .representatives
        .iter()
        .map(|l| {
            let href = format!("/cases?rep={}{period}", urlencode(&l.key));
            count_row(&shell, l.name.clone(), href.clone(), &href, &l.counts)
        })
        .collect();
    let mut crumbs: Vec<Crumb> = v
        .breadcrumb
        .iter()
        .map(|r| Crumb { href: format!("/cockpit?region={}{period}", urlencode(&r.id)), name: r.name.clone() })
        .collect();
    crumbs.push(Crumb { href: format!("/cockpit?unit={unit}{period}"), name: v.unit.input.name.clone() });
    StationPage {
        unit_id: v.unit.id.clone(),
        unit_name: v.unit.input.name.clone(),
        from,
        to,
        crumbs,
        empty: v.total.is_zero(),
        rate_names: rate_names(&shell),
        totals: vec![count_row(&shell, v.unit.input.name.clone(), cases_of(""), &cases_of(""), &v.total)],
        representatives,
        shell,
    }
}

fn rate_names(shell: &Shell<'_>) -> Vec<String> {
    [
        "rate-response",
        "rate-on-time",
        "rate-solution",
        "rate-satisfaction-rep",
        "rate-satisfaction-citizen",
        "rate-disagreement",
    ]
    .iter()
    .map(|k| shell.t(k))
    .collect()
}

fn rate_cell(shell: &Shell<'_>, rate: Rate) -> RateCell {
    match &rate {
        Rate::Share { .. } => RateCell { text: rate.display(), why: String::new() },
        Rate::Undefined { reason } => RateCell { text: rate.display(), why: shell.msg(reason) },
    }
}

fn case_rates(shell: &Shell<'_>, c: &CaseCounts) -> Vec<RateCell> {
    vec![
        rate_cell(shell, rates::response_rate(c)),
        rate_cell(shell, rates::on_time_rate(c)),
        rate_cell(shell, rates::solution_rate(c)),
        rate_cell(shell, rates::satisfaction_by_representatives(c)),
        rate_cell(shell, rates::satisfaction_by_citizens(c)),
        rate_cell(shell, rates::disagreement_rate(c)),
    ]
}

/// A row of counters; `cases` is the case list of its cases (received in the period),
/// which each figure narrows to what it counts.
fn count_row(shell: &Shell<'_>, name: String, href: String, cases: &str, c: &CaseCounts) -> CountRow {
    let values = [c.received, c.acknowledged, c.answered_direct, c.forwarded, c.answered, c.closed];
    let figures = COUNTED
        .iter()
        .zip(values)
        .map(|(counted, n)| Figure {
            n,
            href: if *counted == "received" { cases.to_string() } else { format!("{cases}&counted={counted}") },
        })
        .collect();
    CountRow { name, href, received: c.received, figures, rates: case_rates(shell, c) }
}

fn case_line(case: &Case) -> CaseLine {
    CaseLine {
        href: format!("/cases/{}", case.id),
        code: case.tracking_code.clone(),
        title: case.title.clone(),
        due: date_text(case.next_due()),
    }
}

fn page<'a>(shell: Shell<'a>, o: &Overview) -> CockpitPage<'a> {
    let (from, to) = (o.period.from().to_string(), o.period.to().to_string());
    let period = format!("&from={from}&to={to}");
    let region_id = o.region.as_ref().map(|r| r.id.clone()).unwrap_or_default();
    let drill = |id: &str| format!("/cockpit?region={}{period}", urlencode(id));
    // Figures of a subtree link to the case list of that subtree, received in the period.
    let cases_in = |region: &str, extra: &str| format!("/cases?region={}{period}{extra}", urlencode(region));
    let cases_of = |extra: &str| cases_in(&region_id, extra);
    let rows = |lines: &[Line<CaseCounts>],
                href: &dyn Fn(&Line<CaseCounts>) -> String,
                name: &dyn Fn(&Line<CaseCounts>) -> String,
                cases: &dyn Fn(&Line<CaseCounts>) -> String| {
        lines.iter().map(|l| count_row(&shell, name(l), href(l), &cases(l), &l.counts)).collect::<Vec<_>>()
    };
    let channel_name = |l: &Line<CaseCounts>| {
        Channel::parse("channel", &l.key).map(|c| shell.t(&format!("channel-{}", c.as_str()))).unwrap_or(l.key.clone())
    };
    let by_channel = |l: &Line<CaseCounts>| cases_of(&format!("&channel={}", urlencode(&l.key)));
    let channels = rows(&o.by_channel, &by_channel, &channel_name, &by_channel);
    let by_category = |l: &Line<CaseCounts>| cases_of(&format!("&category={}", urlencode(&l.key)));
    let categories = rows(&o.by_category, &by_category, &|l| category_label(&shell, &l.key), &by_category);
    let mut children = rows(&o.children, &|l| drill(&l.key), &|l| l.name.clone(), &|l| cases_in(&l.key, ""));
    if !o.own_level.is_zero() {
        let here = cases_of("&here=1");
        children.insert(0, count_row(&shell, shell.t("cockpit-own-level"), here.clone(), &here, &o.own_level));
    }
    let stations =
        rows(&o.stations, &|l| format!("/cockpit?unit={}{period}", urlencode(&l.key)), &|l| l.name.clone(), &|l| {
            cases_of(&format!("&unit={}", urlencode(&l.key)))
        });
    let by_rep = |l: &Line<CaseCounts>| cases_of(&format!("&rep={}", urlencode(&l.key)));
    let representatives = rows(&o.representatives, &by_rep, &|l| l.name.clone(), &by_rep);
    let (first, last) = (o.period.from(), o.period.to());
    // A week or month of the trend: the part of it inside the period.
    let part = |start: NaiveDate, end: NaiveDate| {
        format!("/cases?region={}&from={}&to={}", urlencode(&region_id), start.max(first), end.min(last))
    };
    let week_cases = |l: &Line<CaseCounts>| match NaiveDate::parse_from_str(&l.key, "%Y-%m-%d") {
        Ok(start) => part(start, start + chrono::Duration::days(6)),
        Err(_) => cases_of(""),
    };
    let month_cases = |l: &Line<CaseCounts>| match NaiveDate::parse_from_str(&format!("{}-01", l.key), "%Y-%m-%d") {
        Ok(start) => {
            let next = start.checked_add_months(chrono::Months::new(1)).unwrap_or(start);
            part(start, next.pred_opt().unwrap_or(start))
        }
        Err(_) => cases_of(""),
    };
    let weeks = rows(&o.weeks, &week_cases, &|l| l.name.clone(), &week_cases);
    let months = rows(&o.months, &month_cases, &|l| l.name.clone(), &month_cases);
    let departments = o
        .departments
        .iter()
        .enumerate()
        .map(|(i, l)| dept_row(&shell, i + 1, cases_of(&format!("&department={}", urlencode(&l.key))), l))
        .collect();
    let mut crumbs = vec![];
    for r in &o.breadcrumb {
        crumbs.push(Crumb { href: drill(&r.id), name: r.name.clone() });
    }
    let rate_names = rate_names(&shell);
    let months_chart = chart(
        "line",
        &o.months.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
        &[
            (shell.t("cockpit-received"), o.months.iter().map(|l| l.counts.received).collect()),
            (shell.t("cockpit-closed"), o.months.iter().map(|l| l.counts.closed).collect()),
        ],
    );
    let channels_chart = chart(
        "bar",
        &channels.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        &[(shell.t("cockpit-received"), channels.iter().map(|r| r.received).collect())],
    );
    let station_lines: Vec<StationLine> = o
        .station_activity
        .iter()
        .map(|s| StationLine {
            href: format!("/admin/units/{}", s.id),
            name: s.name.clone(),
            active: shell.t(if s.active { "cockpit-active" } else { "cockpit-inactive" }),
            profile: format!("{}/6", s.profile_filled),
            scans: s.scans,
            recent_cases: s.recent_cases,
            idle: s.active && s.recent_cases == 0,
            reception_planned: o.reception.get(&s.id).map(|c| c.planned).unwrap_or_default(),
            reception_held: o.reception.get(&s.id).map(|c| c.held).unwrap_or_default(),
            meetings_href: format!("/admin/meetings?q={}", urlencode(&s.name)),
        })
        .collect();
    let reception_total = shell.msg(
        &crate::domain::Msg::new("cockpit-reception-total")
            .with("planned", o.reception_total.planned)
            .with("held", o.reception_total.held),
    );
    let idle_stations = o.idle_stations;
    let words: Vec<Figure> = o
        .hot_words
        .iter()
        .map(|(word, n)| Figure { n: *n, href: cases_of(&format!("&q={}", urlencode(word))) })
        .collect();
    let word_names: Vec<String> = o.hot_words.iter().map(|(w, _)| w.clone()).collect();
    let words_chart = chart(
        "bar",
        &word_names.iter().take(15).cloned().collect::<Vec<_>>(),
        &[(shell.t("cockpit-word-cases"), words.iter().take(15).map(|f| f.n).collect())],
    );
    CockpitPage {
        region_id: region_id.clone(),
        station_lines,
        idle_stations,
        reception_total,
        from,
        to,
        crumbs,
        empty: o.total.is_zero(),
        totals: vec![count_row(&shell, shell.t("cockpit-total"), cases_of(""), &cases_of(""), &o.total)],
        rate_names,
        channels,
        categories,
        children,
        stations,
        representatives,
        departments,
        too_wide: o.too_wide.clone(),
        weeks,
        months,
        overdue: o.overdue.iter().map(case_line).collect(),
        overdue_total: o.overdue_total,
        due_soon: o.due_soon.iter().map(case_line).collect(),
        due_soon_until: o.due_soon_until.to_string(),
        months_chart,
        channels_chart,
        words,
        word_names,
        words_chart,
        export_query: format!("region={}{period}", urlencode(&region_id)),
        shell,
    }
}

/// A chart's data as the page's script reads it.
fn chart(kind: &str, labels: &[String], series: &[(String, Vec<i64>)]) -> String {
    let series: Vec<_> = series.iter().map(|(name, data)| serde_json::json!({"name": name, "data": data})).collect();
    serde_json::json!({"kind": kind, "labels": labels, "series": series}).to_string()
}

fn dept_row(shell: &Shell<'_>, rank: usize, href: String, l: &Line<DeptCounts>) -> DeptRow {
    let d = &l.counts;
    DeptRow {
        rank,
        name: l.name.clone(),
        href,
        assigned: d.assigned,
        returned: d.returned,
        reworked: d.reworked,
        ext_granted: d.ext_granted,
        submitted: d.submitted,
        on_time: rate_cell(shell, rates::department_on_time_rate(d)),
        satisfaction: rate_cell(shell, rates::department_satisfaction(d)),
    }
}

/// The lists of the cockpit that can be downloaded, by their name in the URL.
pub const LISTS: [&str; 13] = [
    "totals",
    "channels",
    "regions",
    "stations",
    "representatives",
    "departments",
    "months",
    "weeks",
    "categories",
    "overdue",
    "due-soon",
    "station-activity",
    "words",
];

/// `GET /cockpit/export/{list}/{format}?region=…&from=…&to=…`: one list of the cockpit
/// as CSV or XLSX, with the same rows and figures as the page.
pub async fn export_list(
    State(app): State<App>,
    ctx: Ctx,
    Path((list, format)): Path<(String, String)>,
    Query(params): Query<CockpitParams>,
) -> Result<Response, PageError> {
    let actor = ctx.staff()?;
    let format = export::Format::parse(&format).ok_or(Error::NotFound)?;
    if !LISTS.contains(&list.as_str()) {
        return Err(Error::NotFound.into());
    }
    let overview = cockpit::overview(&app, actor, &params.region, &params.from, &params.to).await?;
    let shell = Shell::new(&app, &ctx, "cockpit-title");
    let p = page(shell, &overview);
    let (headers, rows) = table(&p, &list);
    let bytes = export::write_table(format, &headers, &rows)?;
    let name = format!("minyi-cockpit-{list}-{}-{}.{}", p.from, p.to, format.extension());
    Ok(error::attachment(format.content_type(), &name, bytes))
}

fn count_table(p: &CockpitPage<'_>, first: &str, rows: &[CountRow]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut headers = vec![p.shell.t(first)];
    for key in [
        "cockpit-received",
        "cockpit-acknowledged",
        "cockpit-answered-direct",
        "cockpit-forwarded",
        "cockpit-answered",
        "cockpit-closed",
    ] {
        headers.push(p.shell.t(key));
    }
    headers.extend(p.rate_names.iter().cloned());
    let rows = rows
        .iter()
        .map(|r| {
            let mut row = vec![r.name.clone()];
            row.extend(r.figures.iter().map(|f| f.n.to_string()));
            row.extend(r.rates.iter().map(|c| c.text.clone()));
            row
        })
        .collect();
    (headers, rows)
}

fn case_table(p: &CockpitPage<'_>, rows: &[CaseLine]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = vec![p.shell.t("cockpit-code"), p.shell.t("cockpit-case-title"), p.shell.t("field-due")];
    let rows = rows.iter().map(|c| vec![c.code.clone(), c.title.clone(), c.due.clone()]).collect();
    (headers, rows)
}

fn table(p: &CockpitPage<'_>, list: &str) -> (Vec<String>, Vec<Vec<String>>) {
    match list {
        "channels" => count_table(p, "field-channel", &p.channels),
        "regions" => count_table(p, "cockpit-region", &p.children),
        "stations" => count_table(p, "cockpit-station", &p.stations),
        "representatives" => count_table(p, "cockpit-representative", &p.representatives),
        "months" => count_table(p, "cockpit-month", &p.months),
        "weeks" => count_table(p, "cockpit-week", &p.weeks),
        "categories" => count_table(p, "field-category", &p.categories),
        "overdue" => case_table(p, &p.overdue),
        "words" => {
            let headers = vec![p.shell.t("cockpit-word"), p.shell.t("cockpit-word-cases")];
            let rows = p.word_names.iter().zip(&p.words).map(|(w, f)| vec![w.clone(), f.n.to_string()]).collect();
            (headers, rows)
        }
        "due-soon" => case_table(p, &p.due_soon),
        "station-activity" => {
            let headers = [
                "cockpit-station",
                "cockpit-state",
                "cockpit-profile",
                "cockpit-scans",
                "cockpit-recent-cases",
                "cockpit-reception-planned",
                "cockpit-reception-held",
            ]
            .iter()
            .map(|k| p.shell.t(k))
            .collect();
            let rows = p
                .station_lines
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.active.clone(),
                        s.profile.clone(),
                        s.scans.to_string(),
                        s.recent_cases.to_string(),
                        s.reception_planned.to_string(),
                        s.reception_held.to_string(),
                    ]
                })
                .collect();
            (headers, rows)
        }
        "departments" => {
            let headers = [
                "cockpit-rank",
                "cockpit-department",
                "cockpit-assigned",
                "cockpit-returned",
                "cockpit-reworked",
                "cockpit-extensions",
                "cockpit-submitted",
                "rate-on-time",
                "rate-satisfaction-rep",
            ]
            .iter()
            .map(|k| p.shell.t(k))
            .collect();
            let rows = p
                .departments
                .iter()
                .map(|d| {
                    vec![
                        d.rank.to_string(),
                        d.name.clone(),
                        d.assigned.to_string(),
                        d.returned.to_string(),
                        d.reworked.to_string(),
                        d.ext_granted.to_string(),
                        d.submitted.to_string(),
                        d.on_time.text.clone(),
                        d.satisfaction.text.clone(),
                    ]
                })
                .collect();
            (headers, rows)
        }
        _ => count_table(p, "cockpit-scope", &p.totals),
    }
}
