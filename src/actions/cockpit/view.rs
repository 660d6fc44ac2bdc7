//! What the cockpit shows for one region subtree and period.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::app::App;
use crate::db;
use crate::db::aggregates::{self, Dim};
use crate::domain::case::Case;
use crate::domain::rates::{Buckets, Period, month_of, week_of};
use crate::domain::reception::{self, ReceptionCount};
use crate::domain::region::{Region, RegionPath};
use crate::domain::tally::{CaseCounts, DeptCounts};
use crate::domain::unit::Unit;
use crate::domain::user::{Actor, Role, Scope};
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

/// How many rows a ranking or a list shows.
pub const LIST_ROWS: usize = 30;
/// "Due soon" looks this many working days ahead.
pub const DUE_SOON_WORKING_DAYS: u32 = 3;

/// One line of a breakdown: a named thing and its counters.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<C> {
    /// The id (region, unit, representative, department) or the key (channel, week).
    pub key: String,
    pub name: String,
    pub counts: C,
}

#[derive(Debug, Clone)]
pub struct Overview {
    /// The region looked at; none means every region (a system administrator's root).
    pub region: Option<Region>,
    /// From the root of the actor's view down to `region`.
    pub breadcrumb: Vec<Region>,
    pub prefix: String,
    pub period: Period,
    pub total: CaseCounts,
    pub by_channel: Vec<Line<CaseCounts>>,
    pub by_category: Vec<Line<CaseCounts>>,
    /// The child regions (drill-down), with their subtree sums.
    pub children: Vec<Line<CaseCounts>>,
    /// Cases filed at the region itself (addressed to its own representatives or units).
    pub own_level: CaseCounts,
    pub stations: Vec<Line<CaseCounts>>,
    pub representatives: Vec<Line<CaseCounts>>,
    pub departments: Vec<Line<DeptCounts>>,
    /// Which of `stations`, `representatives` and `departments` are left empty because
    /// the region holds too many to rank one by one (more than `PEOPLE_BOUND` counter
    /// rows in the period): the page asks to choose a region below.
    pub too_wide: Vec<&'static str>,
    pub weeks: Vec<Line<CaseCounts>>,
    pub months: Vec<Line<CaseCounts>>,
    /// Open cases past their next due date, oldest first (live, from the cases).
    pub overdue: Vec<Case>,
    pub overdue_total: i64,
    /// Open cases due from today to `due_soon_until`.
    pub due_soon: Vec<Case>,
    pub due_soon_until: NaiveDate,
    /// Station management: every station of the subtree (up to `STATION_ROWS`), the
    /// least active first, with its code scans in the period and cases in 30 days.
    pub station_activity: Vec<aggregates::StationActivity>,
    /// Active stations of the whole subtree with no case in `IDLE_DAYS` days (listed or not).
    pub idle_stations: i64,
    /// The words most cases of the period gave (`domain::words`), with how many cases.
    pub hot_words: Vec<(String, i64)>,
    /// Reception days held versus planned in the period (`domain::reception`), per
    /// station id (stations with none are absent), and their sum over the subtree.
    pub reception: HashMap<String, ReceptionCount>,
    pub reception_total: ReceptionCount,
}

/// The most counter rows a ranking of stations, representatives or departments reads;
/// a wider region ranks its child regions and leaves the people to the regions below.
pub const PEOPLE_BOUND: i64 = 5_000;

/// A region below the root whose open cases due in a window number at most this many
/// lists them from its own open cases, sorted; one with more, from the province's open
/// cases by due date, where its own come often enough to find the first few soon
/// ([`db::cases::open_due_between`]). The root always reads the province's.
pub const NARROW_DUE: i64 = 2_000;

/// How many stations the management list shows.
pub const STATION_ROWS: i64 = 200;
/// A station with no case in this many days counts as idle.
pub const IDLE_DAYS: i64 = 30;

/// Who may open the cockpit, and the region path they see from.
fn viewpoint(actor: &Actor) -> Result<Option<crate::domain::region::RegionPath>> {
    match (actor.role(), actor.scope()) {
        (Role::SystemAdmin, Scope::Everything) => Ok(None),
        (Role::OfficeAdmin, Scope::Subtree { path, .. }) => Ok(Some(path.clone())),
        _ => Err(Error::Forbidden),
    }
}

/// May this person open the cockpit at all?
pub fn may_open(actor: &Actor) -> bool {
    viewpoint(actor).is_ok()
}

/// The cockpit for `region_id` (or the actor's own region) over `from`..`to`.
///
/// The region is looked up first; then its figures are read in five parts at once,
/// each in its own read transaction ([`sums`], [`people_ranked`] for the stations and for
/// the representatives, [`departments_ranked`], [`lists`]), so a page costs about the
/// slowest part rather than all of them. Each
/// part is one consistent snapshot; parts may differ by what was written in the
/// milliseconds between their starts. No part holds a connection while it waits for
/// another, so a full pool only makes them wait.
pub async fn overview(app: &App, actor: &Actor, region_id: &str, from: &str, to: &str) -> Result<Overview> {
    let root = viewpoint(actor)?;
    let today = app.today();
    let period = Period::parse(from, to, today).map_err(|e| Error::Invalid(vec![e]))?;
    super::fold_pending_for(app).await?;
    let (region, breadcrumb, children_of) = {
        let mut tx = app.db().read().await?;
        let region_id = match (region_id.trim(), actor.scope()) {
            ("", Scope::Subtree { region_id, .. }) => region_id.clone(),
            (id, _) => id.to_string(),
        };
        let region = if region_id.is_empty() {
            None
        } else {
            let region = db::regions::get(&mut tx, &region_id).await?;
            let region =
                region.ok_or_else(|| Error::Invalid(vec![FieldError::new("region", Msg::new("err-region"))]))?;
            if root.as_ref().is_some_and(|root| !root.contains(&region.path)) {
                return Err(Error::Forbidden);
            }
            Some(region)
        };
        let breadcrumb = match &region {
            Some(region) => breadcrumb(&mut tx, root.as_ref(), &region.path).await?,
            None => Vec::new(),
        };
        // Drill-down: the child regions, whose subtree sums `sums` reads.
        let children_of = match &region {
            Some(r) => db::regions::children(&mut tx, &r.id).await?,
            None => db::regions::top_level(&mut tx).await?,
        };
        (region, breadcrumb, children_of)
    };
    let prefix = region.as_ref().map(|r| r.path.as_str().to_string()).unwrap_or_else(|| "/".to_string());
    let buckets = period.buckets_as_of(today);
    let (sums, stations, representatives, departments, lists) = tokio::try_join!(
        sums(app, &prefix, &period, &buckets, today, &children_of),
        people_ranked(app, Dim::Unit, &prefix, &buckets),
        people_ranked(app, Dim::Rep, &prefix, &buckets),
        departments_ranked(app, &prefix, &buckets),
        lists(app, &prefix, &period, today),
    )?;
    let mut too_wide = Vec::new();
    let stations = ranked_or_too_wide(stations, "stations", &mut too_wide);
    let representatives = ranked_or_too_wide(representatives, "representatives", &mut too_wide);
    let departments = ranked_or_too_wide(departments, "departments", &mut too_wide);
    Ok(Overview {
        region,
        breadcrumb,
        prefix,
        period,
        total: sums.total,
        by_channel: sums.by_channel,
        by_category: sums.by_category,
        children: sums.children,
        own_level: sums.own_level,
        stations,
        representatives,
        departments,
        too_wide,
        weeks: sums.weeks,
        months: sums.months,
        overdue_total: lists.overdue_total,
        overdue: lists.overdue,
        due_soon: lists.due_soon,
        due_soon_until: lists.due_soon_until,
        station_activity: lists.station_activity,
        idle_stations: lists.idle_stations,
        hot_words: sums.hot_words,
        reception: lists.reception,
        reception_total: sums.reception_total,
    })
}

/// The lines ranked, or none and `name` noted as too wide to rank.
fn ranked_or_too_wide<T>(lines: Option<Vec<T>>, name: &'static str, too_wide: &mut Vec<&'static str>) -> Vec<T> {
    lines.unwrap_or_else(|| {
        too_wide.push(name);
        Vec::new()
    })
}

/// The region's own sums: in total, by channel, category and child region, by week
/// and month, its hot words and reception days.
struct Sums {
    total: CaseCounts,
    own_level: CaseCounts,
    by_channel: Vec<Line<CaseCounts>>,
    by_category: Vec<Line<CaseCounts>>,
    children: Vec<Line<CaseCounts>>,
    weeks: Vec<Line<CaseCounts>>,
    months: Vec<Line<CaseCounts>>,
    hot_words: Vec<(String, i64)>,
    reception_total: ReceptionCount,
}

async fn sums(
    app: &App,
    prefix: &str,
    period: &Period,
    buckets: &Buckets,
    today: NaiveDate,
    children_of: &[Region],
) -> Result<Sums> {
    let mut tx = app.db().read().await?;
    let named = |rows: Vec<(String, CaseCounts)>| -> Vec<Line<CaseCounts>> {
        rows.into_iter().map(|(key, counts)| Line { name: key.clone(), key, counts }).collect()
    };
    let mut by_channel = named(aggregates::region_sums(&mut tx, Dim::Channel, prefix, buckets).await?);
    by_channel.sort_by(|a, b| a.key.cmp(&b.key));
    let mut by_category = named(aggregates::region_sums(&mut tx, Dim::Category, prefix, buckets).await?);
    by_category.sort_by(|a, b| b.counts.received.cmp(&a.counts.received).then(a.key.cmp(&b.key)));
    // The counters of each child region's subtree, and of cases filed at the region
    // itself (key '').
    let mut total = CaseCounts::default();
    let mut own_level = CaseCounts::default();
    let mut per_child: BTreeMap<String, CaseCounts> = BTreeMap::new();
    for (child, counts) in aggregates::region_sums(&mut tx, Dim::Child, prefix, buckets).await? {
        total = total.plus(&counts);
        if child.is_empty() {
            own_level = own_level.plus(&counts);
        } else {
            per_child.insert(child, counts);
        }
    }
    let mut children: Vec<Line<CaseCounts>> = children_of
        .iter()
        .map(|r| Line {
            key: r.id.clone(),
            name: r.name.clone(),
            counts: per_child.get(&r.id).copied().unwrap_or_default(),
        })
        .collect();
    rank(&mut children);
    let mut weeks: BTreeMap<String, CaseCounts> = BTreeMap::new();
    let mut months: BTreeMap<String, CaseCounts> = BTreeMap::new();
    let (from_day, to_day) = (period.from().to_string(), period.to().to_string());
    for (day, counts) in aggregates::daily_sums(&mut tx, prefix, &from_day, &to_day).await? {
        let Ok(day) = NaiveDate::parse_from_str(&day, "%Y-%m-%d") else { continue };
        let week = weeks.entry(week_of(day).to_string()).or_default();
        *week = week.plus(&counts);
        let month = months.entry(month_of(day)).or_default();
        *month = month.plus(&counts);
    }
    let lines = |map: BTreeMap<String, CaseCounts>| -> Vec<Line<CaseCounts>> {
        map.into_iter().map(|(key, counts)| Line { name: key.clone(), key, counts }).collect()
    };
    let hot_words = aggregates::hot_words(&mut tx, prefix, buckets, LIST_ROWS as i64).await?;
    // The days up to today, of the whole subtree, from the counters.
    let reception_total = match period.until(today) {
        Some(counted) => aggregates::reception_total(&mut tx, prefix, &counted.buckets()).await?,
        None => ReceptionCount::default(),
    };
    Ok(Sums {
        total,
        own_level,
        by_channel,
        by_category,
        children,
        weeks: lines(weeks),
        months: lines(months),
        hot_words,
        reception_total,
    })
}

/// The stations (`Dim::Unit`) or representatives (`Dim::Rep`) ranked, with their names
/// (none when the region is too wide to rank them one by one).
async fn people_ranked(app: &App, dim: Dim, prefix: &str, buckets: &Buckets) -> Result<Option<Vec<Line<CaseCounts>>>> {
    let mut tx = app.db().read().await?;
    let Some(mut lines) = ranked(&mut tx, dim, prefix, buckets).await? else { return Ok(None) };
    for line in &mut lines {
        let name = match dim {
            Dim::Rep => db::representatives::get(&mut tx, &line.key).await?.map(|r| r.input.name),
            _ => db::units::get(&mut tx, &line.key).await?.map(|u| u.input.name),
        };
        line.name = name.unwrap_or_default();
    }
    Ok(Some(lines))
}

/// The departments ranked by their on-time rate (none when the region is too wide).
async fn departments_ranked(app: &App, prefix: &str, buckets: &Buckets) -> Result<Option<Vec<Line<DeptCounts>>>> {
    let mut tx = app.db().read().await?;
    if !aggregates::departments_within(&mut tx, prefix, buckets, PEOPLE_BOUND).await? {
        return Ok(None);
    }
    // One range of buckets is ranked by the database; several are summed here first.
    let rows = match aggregates::department_top(&mut tx, prefix, buckets, LIST_ROWS as i64).await? {
        Some(top) => top,
        None => aggregates::department_totals(&mut tx, prefix, buckets).await?,
    };
    let mut lines: Vec<Line<DeptCounts>> =
        rows.into_iter().map(|(key, counts)| Line { key, name: String::new(), counts }).collect();
    lines.sort_by(|a, b| {
        let rate = |d: &DeptCounts| crate::domain::rates::department_on_time_rate(d).per_mille().unwrap_or(-1);
        rate(&b.counts).cmp(&rate(&a.counts)).then(b.counts.assigned.cmp(&a.counts.assigned)).then(a.key.cmp(&b.key))
    });
    lines.truncate(LIST_ROWS);
    for line in &mut lines {
        line.name = db::departments::get(&mut tx, &line.key).await?.map(|d| d.input.name).unwrap_or_default();
    }
    Ok(Some(lines))
}

/// The first `LIST_ROWS` stations or representatives of the region by response rate,
/// with their whole counters and no names yet; none when too wide to rank. A period of
/// one range of buckets is ranked by the database ([`aggregates::people_top`]); a longer
/// one on the figures the rate needs, and the first few then read whole.
async fn ranked(tx: &mut db::Tx, dim: Dim, prefix: &str, buckets: &Buckets) -> Result<Option<Vec<Line<CaseCounts>>>> {
    if !aggregates::people_within(tx, dim, prefix, buckets, PEOPLE_BOUND).await? {
        return Ok(None);
    }
    let line = |(key, counts)| Line { key, name: String::new(), counts };
    if let Some(top) = aggregates::people_top(tx, dim, prefix, buckets, LIST_ROWS as i64).await? {
        let mut lines: Vec<Line<CaseCounts>> = top.into_iter().map(line).collect();
        rank(&mut lines);
        return Ok(Some(lines));
    }
    let rows = aggregates::people_rank_figures(tx, dim, prefix, buckets).await?;
    let mut lines: Vec<Line<CaseCounts>> = rows.into_iter().map(line).collect();
    rank(&mut lines);
    lines.truncate(LIST_ROWS);
    for line in &mut lines {
        line.counts = aggregates::one_sums(tx, dim, &line.key, prefix, buckets).await?;
    }
    Ok(Some(lines))
}

/// The live lists and the station management of the region.
struct Lists {
    overdue: Vec<Case>,
    overdue_total: i64,
    due_soon: Vec<Case>,
    due_soon_until: NaiveDate,
    station_activity: Vec<aggregates::StationActivity>,
    idle_stations: i64,
    reception: HashMap<String, ReceptionCount>,
}

async fn lists(app: &App, prefix: &str, period: &Period, today: NaiveDate) -> Result<Lists> {
    let mut tx = app.db().read().await?;
    // Open cases by their next due date: counted from the kept count of the region's open
    // cases by due day, then listed from the region's own cases where they are few
    // (below the root), else from the province's by due date.
    let own = prefix != "/";
    let yesterday = today.pred_opt().unwrap_or(today);
    let (ever, yesterday) = ("0000-01-01", db::cases::date_text(yesterday));
    let overdue_total = db::open_due::count(&mut tx, prefix, ever, &yesterday).await?;
    let narrow = own && overdue_total <= NARROW_DUE;
    let overdue = db::cases::open_due_between(&mut tx, prefix, ever, &yesterday, LIST_ROWS as i64, narrow).await?;
    let due_soon_until =
        app.calendar().add_working_days(today, DUE_SOON_WORKING_DAYS).map_err(|e| Error::Internal(e.into()))?;
    let (today_text, until_text) = (db::cases::date_text(today), db::cases::date_text(due_soon_until));
    let narrow = own && db::open_due::count(&mut tx, prefix, &today_text, &until_text).await? <= NARROW_DUE;
    let due_soon =
        db::cases::open_due_between(&mut tx, prefix, &today_text, &until_text, LIST_ROWS as i64, narrow).await?;
    let (from_day, to_day) = (period.from().to_string(), period.to().to_string());
    let since = (today - chrono::Duration::days(IDLE_DAYS)).to_string();
    let station_activity = aggregates::stations(&mut tx, prefix, &from_day, &to_day, &since, STATION_ROWS).await?;
    let idle_stations = aggregates::idle_stations(&mut tx, prefix, &since).await?;
    let reception = match reception::window(period, today) {
        Some((from, until)) => db::meetings::reception_counts(&mut tx, prefix, from, until, STATION_ROWS).await?,
        None => HashMap::new(),
    };
    Ok(Lists { overdue, overdue_total, due_soon, due_soon_until, station_activity, idle_stations, reception })
}

/// The regions from the root of the actor's view down to `path`.
async fn breadcrumb(tx: &mut db::Tx, root: Option<&RegionPath>, path: &RegionPath) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    for id in path.as_str().split('/').filter(|s| !s.is_empty()) {
        if let Some(r) = db::regions::get(tx, id).await?
            && root.is_none_or(|root| root.contains(&r.path))
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// One station (or studio) in the cockpit: the counters of the cases addressed to it
/// over a period, and those of each representative who serves at it (the drill-down
/// from a town's stations to its representatives and on to their cases).
#[derive(Debug, Clone)]
pub struct StationView {
    pub unit: Unit,
    pub breadcrumb: Vec<Region>,
    pub period: Period,
    /// Cases addressed to the station (what the town's row of the station shows).
    pub total: CaseCounts,
    /// The active representatives serving at the station, each with the counters of
    /// every case addressed to them in the actor's region (wherever it was received).
    pub representatives: Vec<Line<CaseCounts>>,
}

/// The cockpit of station `unit_id` over `from`..`to`; refused outside the actor's region.
pub async fn station(app: &App, actor: &Actor, unit_id: &str, from: &str, to: &str) -> Result<StationView> {
    let root = viewpoint(actor)?;
    let today = app.today();
    let period = Period::parse(from, to, today).map_err(|e| Error::Invalid(vec![e]))?;
    super::fold_pending_for(app).await?;
    let mut tx = app.db().read().await?;
    let unit = db::units::get(&mut tx, unit_id.trim()).await?.ok_or(Error::NotFound)?;
    if root.as_ref().is_some_and(|root| !root.contains(&unit.region_path)) {
        return Err(Error::Forbidden);
    }
    let breadcrumb = breadcrumb(&mut tx, root.as_ref(), &unit.region_path).await?;
    let buckets = period.buckets_as_of(today);
    let total = aggregates::one_sums(&mut tx, Dim::Unit, &unit.id, "/", &buckets).await?;
    let prefix = root.as_ref().map(|r| r.as_str().to_string()).unwrap_or_else(|| "/".to_string());
    let mut representatives = Vec::new();
    for (id, name) in db::representatives::names_at_unit(&mut tx, &unit.id).await? {
        let counts = aggregates::one_sums(&mut tx, Dim::Rep, &id, &prefix, &buckets).await?;
        representatives.push(Line { key: id, name, counts });
    }
    rank(&mut representatives);
    Ok(StationView { unit, breadcrumb, period, total, representatives })
}

/// Orders by response rate (best first; none last), then by cases received.
fn rank(lines: &mut [Line<CaseCounts>]) {
    let rate = |c: &CaseCounts| crate::domain::rates::response_rate(c).per_mille().unwrap_or(-1);
    lines.sort_by(|a, b| {
        rate(&b.counts).cmp(&rate(&a.counts)).then(b.counts.received.cmp(&a.counts.received)).then(a.key.cmp(&b.key))
    });
}
