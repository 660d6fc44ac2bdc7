//! Deputy, station and meeting codes (代表码 · 联络站码 · 会议码): a short, stable,
//! unguessable link `/q/{code}` for each representative, unit and meeting, its QR
//! image, and scan counts.

use rand::RngCore;

use super::require;
use crate::app::App;
use crate::db;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::record::PublicRecord;
use crate::domain::user::Actor;
use crate::error::{Error, Result};

/// What a code leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeTarget {
    Representative(String),
    Unit(String),
    Meeting(String),
}

impl CodeTarget {
    fn kind(&self) -> &'static str {
        match self {
            CodeTarget::Representative(_) => "representative",
            CodeTarget::Unit(_) => "unit",
            CodeTarget::Meeting(_) => "meeting",
        }
    }

    fn id(&self) -> &str {
        match self {
            CodeTarget::Representative(id) | CodeTarget::Unit(id) | CodeTarget::Meeting(id) => id,
        }
    }
}

/// Ten characters from an alphabet without look-alikes: about 50 bits, not guessable.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// The code of a representative or unit the actor may view, made on first request
/// and the same ever after.
pub async fn code_for(app: &App, actor: &Actor, target: &CodeTarget) -> Result<String> {
    let mut tx = app.db().write().await?;
    match target {
        CodeTarget::Representative(id) => {
            let rep = db::representatives::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let place = Target { region_path: &rep.region_path, id: Some(&rep.id), unit_ids: &rep.unit_ids };
            require(actor, Action::View, Resource::Representative, &place)?;
        }
        CodeTarget::Unit(id) => {
            let unit = db::units::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let place = Target { region_path: &unit.region_path, id: Some(&unit.id), unit_ids: &[] };
            require(actor, Action::View, Resource::Unit, &place)?;
        }
        CodeTarget::Meeting(id) => {
            let meeting = db::meetings::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let units = [meeting.unit_id.clone()];
            let place = Target { region_path: &meeting.region_path, id: Some(&meeting.id), unit_ids: &units };
            require(actor, Action::View, Resource::Meeting, &place)?;
        }
    }
    if let Some(code) = db::codes::code_of(&mut tx, target.kind(), target.id()).await? {
        return Ok(code);
    }
    db::codes::insert(&mut tx, &new_code(), target.kind(), target.id(), app.now()).await?;
    let code = db::codes::code_of(&mut tx, target.kind(), target.id()).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(code)
}

/// What a printed poster of a code shows.
#[derive(Debug, Clone)]
pub struct Poster {
    pub code: String,
    /// The station's or the deputy's name.
    pub name: String,
    /// The station's address and opening hours (empty for a deputy); a meeting's
    /// place and its start time.
    pub address: String,
    pub hours: String,
    /// For a meeting: the unit holding it.
    pub held_by: String,
    /// A deputy's poster shows their photo (this is their id) or, without one, the
    /// first character of the name.
    pub deputy: Option<(String, bool)>,
}

/// The poster of a representative's or unit's code, for one who may view the record.
pub async fn poster(app: &App, actor: &Actor, target: &CodeTarget) -> Result<Poster> {
    let code = code_for(app, actor, target).await?;
    let mut tx = app.db().read().await?;
    Ok(match target {
        CodeTarget::Representative(id) => {
            let rep = db::representatives::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let has_photo = db::representatives::photo_of(&mut tx, id).await?.is_some();
            let (address, hours, held_by) = (String::new(), String::new(), String::new());
            Poster { code, name: rep.input.name, address, hours, held_by, deputy: Some((rep.id, has_photo)) }
        }
        CodeTarget::Unit(id) => {
            let unit = db::units::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let i = unit.input;
            Poster {
                code,
                name: i.name,
                address: i.address,
                hours: i.opening_hours,
                held_by: String::new(),
                deputy: None,
            }
        }
        CodeTarget::Meeting(id) => {
            let meeting = db::meetings::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
            let i = meeting.input;
            let hours = crate::domain::meeting::format_start(i.starts_at);
            Poster { code, name: i.title, address: i.place, hours, held_by: meeting.unit_name, deputy: None }
        }
    })
}

/// A scan: counts it for today and says where it leads. An unknown code is not found.
pub async fn scan(app: &App, code: &str) -> Result<CodeTarget> {
    let code = code.trim().to_ascii_lowercase();
    if code.len() != 10 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::NotFound);
    }
    let mut tx = app.db().write().await?;
    let (kind, id) = db::codes::target(&mut tx, &code).await?.ok_or(Error::NotFound)?;
    db::codes::count_scan(&mut tx, &code, &app.today().to_string()).await?;
    tx.commit().await?;
    match kind.as_str() {
        "representative" => Ok(CodeTarget::Representative(id)),
        "unit" => Ok(CodeTarget::Unit(id)),
        "meeting" => Ok(CodeTarget::Meeting(id)),
        _ => Err(Error::NotFound),
    }
}

/// Scans per day of a code the actor may view.
pub async fn scans(app: &App, actor: &Actor, target: &CodeTarget) -> Result<Vec<(String, i64)>> {
    let code = code_for(app, actor, target).await?;
    let mut tx = app.db().read().await?;
    Ok(db::codes::scans(&mut tx, &code).await?)
}

/// The QR image of `url` as SVG, with a quiet zone, for printing at any size.
pub fn qr_svg(url: &str) -> Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::Internal(anyhow::anyhow!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// Pixels per QR module in the PNG image, and the quiet zone around it in modules.
const PNG_MODULE_PIXELS: u32 = 8;
const PNG_QUIET_MODULES: u32 = 4;

/// The QR image of `url` as a black-on-white PNG (8 pixels per module, with the
/// quiet zone), for chat apps and printers that take no SVG.
pub fn qr_png(url: &str) -> Result<Vec<u8>> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let modules = code.width() as u32;
    let colors = code.to_colors();
    let side = (modules + 2 * PNG_QUIET_MODULES) * PNG_MODULE_PIXELS;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / PNG_MODULE_PIXELS, y / PNG_MODULE_PIXELS);
        let inside = PNG_QUIET_MODULES..PNG_QUIET_MODULES + modules;
        let dark = inside.contains(&mx)
            && inside.contains(&my)
            && colors[((my - PNG_QUIET_MODULES) * modules + (mx - PNG_QUIET_MODULES)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).map_err(|e| Error::Internal(e.into()))?;
    Ok(out.into_inner())
}

/// A deputy's landing page (代表主页): public facts only, no mobile number.
#[derive(Debug, Clone)]
pub struct DeputyLanding {
    pub id: String,
    pub name: String,
    /// The catalogue key of the deputy's level (or body, for a CPPCC member).
    pub level_key: String,
    pub title: String,
    pub profile: String,
    /// A photo is on file (`/photos/representatives/{id}`).
    pub has_photo: bool,
    /// The stations and studios the deputy serves at, with their reception days.
    pub units: Vec<UnitBrief>,
    pub record: PublicRecord,
}

#[derive(Debug, Clone)]
pub struct UnitBrief {
    pub name: String,
    pub address: String,
    pub reception_days: String,
}

/// A station's landing page (联络站基本情况).
#[derive(Debug, Clone)]
pub struct StationLanding {
    pub id: String,
    pub name: String,
    pub address: String,
    pub hours: String,
    pub reception_days: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// A member studio (委员工作室) rather than a liaison station.
    pub studio: bool,
    /// The deputies who serve there, as (id, name).
    pub deputies: Vec<(String, String)>,
    /// Planned meetings from now on, soonest first.
    pub meetings: Vec<MeetingBrief>,
    /// The next planned reception day (接待日), if one is planned.
    pub next_reception: Option<MeetingBrief>,
    pub record: PublicRecord,
}

/// A meeting as the public sees it.
#[derive(Debug, Clone)]
pub struct MeetingBrief {
    pub id: String,
    pub title: String,
    /// The catalogue keys of its kind and state.
    pub kind_key: String,
    pub state_key: String,
    /// China time, `YYYY-MM-DD HH:MM`.
    pub starts_at: String,
    pub place: String,
    pub agenda: String,
    /// A cancelled meeting's code still opens its page, which says so; the form
    /// then goes to the unit alone.
    pub cancelled: bool,
}

impl MeetingBrief {
    fn of(meeting: crate::domain::meeting::Meeting) -> MeetingBrief {
        let i = meeting.input;
        MeetingBrief {
            id: meeting.id,
            kind_key: format!("opt-meeting-kind-{}", i.kind.as_str()),
            state_key: format!("opt-meeting-state-{}", i.state.as_str()),
            starts_at: crate::domain::meeting::format_start(i.starts_at),
            title: i.title,
            place: i.place,
            agenda: i.agenda,
            cancelled: i.state.is_cancelled(),
        }
    }
}

/// A meeting's landing page: the meeting, the unit holding it, and its record.
#[derive(Debug, Clone)]
pub struct MeetingLanding {
    pub meeting: MeetingBrief,
    pub station: StationLanding,
}

/// What a scanned code shows.
#[derive(Debug, Clone)]
pub enum Landing {
    Deputy(DeputyLanding),
    Station(StationLanding),
    Meeting(MeetingLanding),
}

/// A scan of a code (counted, as [`scan`]) and the public page it leads to. Open to anyone.
pub async fn landing(app: &App, code: &str) -> Result<Landing> {
    let target = scan(app, code).await?;
    let mut tx = app.db().read().await?;
    Ok(match target {
        CodeTarget::Representative(id) => {
            let rep = db::representatives::get(&mut tx, &id).await?.ok_or(Error::NotFound)?;
            let mut units = Vec::new();
            for unit_id in &rep.unit_ids {
                if let Some(unit) = db::units::get(&mut tx, unit_id).await?.filter(|u| u.input.active) {
                    let i = unit.input;
                    units.push(UnitBrief { name: i.name, address: i.address, reception_days: i.reception_days });
                }
            }
            let facts = db::cases::record_facts(&mut tx, &id, "").await?;
            let has_photo = db::representatives::photo_of(&mut tx, &id).await?.is_some();
            let level_key = match rep.input.level {
                Some(level) => format!("opt-deputy-level-{}", level.as_str()),
                None => format!("opt-body-{}", rep.input.body.as_str()),
            };
            let i = rep.input;
            Landing::Deputy(DeputyLanding {
                id,
                name: i.name,
                level_key,
                title: i.title,
                profile: i.profile,
                has_photo,
                units,
                record: PublicRecord::tally(&facts),
            })
        }
        CodeTarget::Unit(id) => Landing::Station(station_landing(&mut tx, &id, app.now()).await?),
        CodeTarget::Meeting(id) => {
            let meeting = db::meetings::get(&mut tx, &id).await?.ok_or(Error::NotFound)?;
            let station = station_landing(&mut tx, &meeting.unit_id, app.now()).await?;
            Landing::Meeting(MeetingLanding { meeting: MeetingBrief::of(meeting), station })
        }
    })
}

async fn station_landing(tx: &mut db::Tx, id: &str, now: crate::clock::Millis) -> Result<StationLanding> {
    let unit = db::units::get(tx, id).await?.ok_or(Error::NotFound)?;
    let deputies = db::representatives::names_at_unit(tx, id).await?;
    let facts = db::cases::record_facts(tx, "", id).await?;
    let meetings = db::meetings::upcoming_at_unit(tx, id, now, super::meetings::UPCOMING_LIMIT).await?;
    let next_reception = db::meetings::next_reception(tx, id, now).await?.map(MeetingBrief::of);
    let i = unit.input;
    Ok(StationLanding {
        studio: i.kind == crate::domain::unit::UnitKind::Studio,
        id: id.to_string(),
        name: i.name,
        address: i.address,
        hours: i.opening_hours,
        reception_days: i.reception_days,
        contact_name: i.contact_name,
        contact_phone: i.contact_phone,
        deputies,
        meetings: meetings.into_iter().map(MeetingBrief::of).collect(),
        next_reception,
        record: PublicRecord::tally(&facts),
    })
}

/// A meeting as the public sees it, to address the form to: not found once cancelled.
pub async fn public_meeting(app: &App, id: &str) -> Result<(MeetingBrief, String)> {
    let mut tx = app.db().read().await?;
    let meeting = db::meetings::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if meeting.input.state.is_cancelled() {
        return Err(Error::NotFound);
    }
    let unit_id = meeting.unit_id.clone();
    Ok((MeetingBrief::of(meeting), unit_id))
}

/// One code on a printed sheet of a region's codes.
#[derive(Debug, Clone)]
pub struct SheetEntry {
    pub name: String,
    /// The catalogue key of what it is: a station, a studio, a deputy, a member.
    pub kind_key: String,
    pub code: String,
}

/// At most this many stations and as many representatives on one sheet.
pub const SHEET_LIMIT: i64 = 500;

/// Every active station's and representative's code in the actor's scope (made on
/// first request), stations first, then the meetings that are not cancelled: what a
/// keeper prints at once.
pub async fn sheet(app: &App, actor: &Actor) -> Result<Vec<SheetEntry>> {
    let page = db::PageRequest::new(1, SHEET_LIMIT);
    let units = super::units::list(app, actor, "", page).await?;
    let reps = super::representatives::list(app, actor, "", page).await?;
    let meetings = super::meetings::list(app, actor, "", page).await?;
    let mut entries = Vec::new();
    for unit in units.items.into_iter().filter(|u| u.input.active) {
        let code = code_for(app, actor, &CodeTarget::Unit(unit.id)).await?;
        entries.push(SheetEntry {
            name: unit.input.name,
            kind_key: format!("opt-kind-{}", unit.input.kind.as_str()),
            code,
        });
    }
    for rep in reps.items.into_iter().filter(|r| r.input.active) {
        let code = code_for(app, actor, &CodeTarget::Representative(rep.id)).await?;
        entries.push(SheetEntry {
            name: rep.input.name,
            kind_key: format!("opt-body-{}", rep.input.body.as_str()),
            code,
        });
    }
    for meeting in meetings.items.into_iter().filter(|m| !m.input.state.is_cancelled()) {
        let code = code_for(app, actor, &CodeTarget::Meeting(meeting.id)).await?;
        entries.push(SheetEntry {
            name: meeting.input.title,
            kind_key: format!("opt-meeting-kind-{}", meeting.input.kind.as_str()),
            code,
        });
    }
    Ok(entries)
}
