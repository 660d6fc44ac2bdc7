//! The member-studio directory (政协委员工作室) for citizens: find a studio by name,
//! service field (领域), town or sector (界别); a studio's page; a member's profile.
//! Public facts only: no mobile numbers.

use crate::app::App;
use crate::db;
use crate::domain::representative::Body;
use crate::domain::unit::Unit;
use crate::error::{Error, Result};

/// What a citizen searches the directory for; empty means any.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct StudioQuery {
    pub q: String,
    pub field: String,
    pub town: String,
    pub sector: String,
    /// The page of the matches, from 1; anything else is the first.
    pub page: String,
}

/// Studios listed on one page of the directory.
pub const DIRECTORY_PAGE_SIZE: usize = 20;

/// One page of the studios that match, and the choices each filter offers.
#[derive(Debug, Clone)]
pub struct Directory {
    pub studios: Vec<Unit>,
    /// All the matches, on every page.
    pub total: usize,
    /// This page (from 1, at most `pages`) and the number of pages (at least 1).
    pub page: usize,
    pub pages: usize,
    pub fields: Vec<String>,
    pub towns: Vec<String>,
    pub sectors: Vec<String>,
}

/// A member as listed on a studio's page.
#[derive(Debug, Clone)]
pub struct MemberBrief {
    pub id: String,
    pub name: String,
    pub sector: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct StudioPage {
    pub studio: Unit,
    pub members: Vec<MemberBrief>,
}

/// A CPPCC member's public profile and the studios they serve at, as (id, name).
#[derive(Debug, Clone)]
pub struct MemberProfile {
    pub member: MemberBrief,
    /// A photo is on file (`/photos/representatives/{id}`).
    pub has_photo: bool,
    pub profile: String,
    pub studios: Vec<(String, String)>,
}

fn sorted_unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut items: Vec<String> = items.filter(|s| !s.trim().is_empty()).collect();
    items.sort();
    items.dedup();
    items
}

fn matches(studio: &Unit, query: &StudioQuery) -> bool {
    let q = query.q.trim().to_lowercase();
    let text = q.is_empty()
        || studio.input.name.to_lowercase().contains(&q)
        || studio.input.sector.to_lowercase().contains(&q)
        || studio.input.service_fields.iter().any(|f| f.to_lowercase().contains(&q));
    let field = query.field.trim();
    let town = query.town.trim();
    let sector = query.sector.trim();
    text && (field.is_empty() || studio.input.service_fields.iter().any(|f| f == field))
        && (town.is_empty() || studio.region_name == town)
        && (sector.is_empty() || studio.input.sector == sector)
}

/// The active studios matching `query`. Open to anyone.
pub async fn directory(app: &App, query: &StudioQuery) -> Result<Directory> {
    let mut tx = app.db().read().await?;
    let all = db::units::active_studios(&mut tx).await?;
    let fields = sorted_unique(all.iter().flat_map(|s| s.input.service_fields.clone()));
    let towns = sorted_unique(all.iter().map(|s| s.region_name.clone()));
    let sectors = sorted_unique(all.iter().map(|s| s.input.sector.clone()));
    let found: Vec<Unit> = all.into_iter().filter(|s| matches(s, query)).collect();
    let total = found.len();
    let pages = total.div_ceil(DIRECTORY_PAGE_SIZE).max(1);
    let page = query.page.trim().parse::<usize>().ok().filter(|p| *p >= 1).unwrap_or(1).min(pages);
    let studios = found.into_iter().skip((page - 1) * DIRECTORY_PAGE_SIZE).take(DIRECTORY_PAGE_SIZE).collect();
    Ok(Directory { studios, total, page, pages, fields, towns, sectors })
}

/// An active studio and its active members. Any other id is not found.
pub async fn studio(app: &App, id: &str) -> Result<StudioPage> {
    let mut tx = app.db().read().await?;
    let studio = db::units::get(&mut tx, id).await?.filter(|u| u.input.active && u.input.kind.as_str() == "studio");
    let studio = studio.ok_or(Error::NotFound)?;
    let mut members = Vec::new();
    for (member_id, _) in db::representatives::names_at_unit(&mut tx, id).await? {
        if let Some(rep) = db::representatives::get(&mut tx, &member_id).await? {
            let i = rep.input;
            members.push(MemberBrief { id: rep.id, name: i.name, sector: i.sector, title: i.title });
        }
    }
    Ok(StudioPage { studio, members })
}

/// An active CPPCC member's public profile. Any other id is not found.
pub async fn member(app: &App, id: &str) -> Result<MemberProfile> {
    let mut tx = app.db().read().await?;
    let rep = db::representatives::get(&mut tx, id).await?.filter(|r| r.input.active && r.input.body == Body::Cppcc);
    let rep = rep.ok_or(Error::NotFound)?;
    let mut studios = Vec::new();
    for unit_id in &rep.unit_ids {
        if let Some(unit) = db::units::get(&mut tx, unit_id).await?.filter(|u| u.input.active) {
            studios.push((unit.id, unit.input.name));
        }
    }
    let has_photo = db::representatives::photo_of(&mut tx, &rep.id).await?.is_some();
    let i = rep.input;
    Ok(MemberProfile {
        has_photo,
        member: MemberBrief { id: rep.id, name: i.name, sector: i.sector, title: i.title },
        profile: i.profile,
        studios,
    })
}
