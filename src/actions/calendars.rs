//! The working-day calendar as administrators keep it: the years shipped with
//! minyi, corrected or extended by years stored in the database.

use super::{log, require};
use crate::app::App;
use crate::db;
use crate::domain::Msg;
use crate::domain::calendar::{Calendar, from_ical};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::region::RegionPath;
use crate::domain::user::Actor;
use crate::error::{Error, Result};

/// Applies the stored years to the shipped calendar and puts the result in force.
/// A stored year that no longer parses is logged and skipped, never guessed.
pub async fn load(app: &App) -> Result<()> {
    let mut tx = app.db().read().await?;
    let stored = db::calendar_years::list(&mut tx).await?;
    let mut calendar = Calendar::builtin();
    for (year, text) in stored {
        match calendar.clone().with_year(&text) {
            Ok(next) => calendar = next,
            Err(error) => tracing::error!(year, error = %error, "a stored calendar year does not parse; skipped"),
        }
    }
    app.replace_calendar(calendar);
    Ok(())
}

/// One known year, for the calendar page.
#[derive(Debug, Clone)]
pub struct YearView {
    pub year: i32,
    pub source: String,
}

pub async fn years(app: &App, actor: &Actor) -> Result<Vec<YearView>> {
    require_settings(actor, Action::View)?;
    let calendar = app.calendar();
    Ok(calendar
        .known_years()
        .into_iter()
        .map(|year| YearView { year, source: calendar.source(year).unwrap_or_default().to_string() })
        .collect())
}

/// Adds or corrects one year from the text of a year file (the format of `calendars/`).
pub async fn save_year(app: &App, actor: &Actor, text: &str) -> Result<i32> {
    require_settings(actor, Action::Update)?;
    let invalid = |e: crate::domain::calendar::CalendarError| {
        Error::invalid("source", Msg::new("err-calendar").with("problem", e.to_string()))
    };
    let single = Calendar::from_year_sources(&[text]).map_err(invalid)?;
    let year = single.known_years()[0];
    let calendar = app.calendar().as_ref().clone().with_year(text).map_err(invalid)?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    db::calendar_years::save(&mut tx, i64::from(year), text, now, actor.username()).await?;
    let label = year.to_string();
    log(
        &mut tx,
        actor,
        "calendar_year",
        Resource::Setting,
        &label,
        &label,
        "/",
        single.source(year).unwrap_or_default(),
        now,
    )
    .await?;
    tx.commit().await?;
    app.replace_calendar(calendar);
    Ok(year)
}

/// Adds or corrects one year from an iCalendar file of its holidays and make-up days.
pub async fn import_ical(app: &App, actor: &Actor, year: i32, ics: &str) -> Result<i32> {
    let text = from_ical(year, ics)
        .map_err(|e| Error::invalid("file", Msg::new("err-calendar").with("problem", e.to_string())))?;
    save_year(app, actor, &text).await
}

fn require_settings(actor: &Actor, action: Action) -> Result<()> {
    let root = RegionPath::from_stored("/".to_string());
    require(actor, action, Resource::Setting, &Target { region_path: &root, id: None, unit_ids: &[] })
}
