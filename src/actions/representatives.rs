//! Managing deputies and members.

use super::attachments::{File, Variant};
use super::{Saved, duplicate, log, parse_with_region, require, require_list};
use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Page, PageRequest, Tx};
use crate::domain::attachment::{self, Upload};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::representative::{Representative, RepresentativeFields, RepresentativeInput};
use crate::domain::user::Actor;
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

pub fn fields_of(rep: &Representative) -> RepresentativeFields {
    let input = &rep.input;
    RepresentativeFields {
        code: input.code.clone(),
        body: input.body.as_str().to_string(),
        name: input.name.clone(),
        gender: input.gender.clone(),
        level: input.level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        sector: input.sector.clone(),
        region_code: input.region_code.clone(),
        title: input.title.clone(),
        mobile: input.mobile.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default(),
        profile: input.profile.clone(),
        unit_codes: input.unit_codes.join(","),
        active: if input.active { "是" } else { "否" }.to_string(),
    }
}

pub async fn list(app: &App, actor: &Actor, search: &str, page: PageRequest) -> Result<Page<Representative>> {
    list_after(app, actor, search, page, None).await
}

/// A page of [`list`] just after a key (a keyset cursor; the first page without one).
pub async fn list_after(
    app: &App,
    actor: &Actor,
    search: &str,
    page: PageRequest,
    after: Option<&db::ListKey>,
) -> Result<Page<Representative>> {
    let filter = require_list(actor, Resource::Representative)?;
    let mut tx = app.db().read().await?;
    Ok(db::representatives::list_after(&mut tx, &filter, search, page, after).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<Representative> {
    let mut tx = app.db().read().await?;
    let rep = db::representatives::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::View, Resource::Representative, &target(&rep))?;
    Ok(rep)
}

pub async fn save(app: &App, actor: &Actor, id: Option<&str>, fields: &RepresentativeFields) -> Result<String> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let (id, _) = save_in(&mut tx, actor, id, fields, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn import_row(
    tx: &mut Tx,
    actor: &Actor,
    fields: &RepresentativeFields,
    now: Millis,
) -> Result<Saved> {
    let existing = db::representatives::id_by_code(tx, fields.code.trim()).await?;
    let (_, saved) = save_in(tx, actor, existing.as_deref(), fields, now).await?;
    Ok(saved)
}

pub(crate) async fn save_in(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    fields: &RepresentativeFields,
    now: Millis,
) -> Result<(String, Saved)> {
    let existing = match id {
        Some(id) => Some(db::representatives::get(tx, id).await?.ok_or(Error::NotFound)?),
        None => None,
    };
    // A representative edits their own public profile and nothing else.
    let fields = match &existing {
        Some(rep) if !actor.role().is_admin() => {
            RepresentativeFields { profile: fields.profile.clone(), title: fields.title.clone(), ..fields_of(rep) }
        }
        _ => fields.clone(),
    };
    let (input, region) = parse_with_region(tx, RepresentativeInput::parse(&fields), &fields.region_code).await?;
    let mut unit_ids = Vec::new();
    for code in &input.unit_codes {
        match db::units::id_by_code(tx, code).await? {
            Some(unit_id) => unit_ids.push(unit_id),
            None => {
                let msg = Msg::new("err-unknown-unit").with("code", code);
                return Err(Error::Invalid(vec![FieldError::new("unit_codes", msg)]));
            }
        }
    }
    let holder = db::representatives::id_by_code(tx, &input.code).await?;
    match existing {
        None => {
            if holder.is_some() {
                return Err(duplicate("code", &input.code));
            }
            let new_id = db::new_id();
            let target = Target { region_path: &region.path, id: Some(&new_id), unit_ids: &unit_ids };
            require(actor, Action::Create, Resource::Representative, &target)?;
            db::representatives::insert(tx, &new_id, &input, &region.id, &unit_ids, now).await?;
            let path = region.path.as_str();
            log(tx, actor, "create", Resource::Representative, &new_id, &input.name, path, &input.code, now).await?;
            Ok((new_id, Saved::Created))
        }
        Some(rep) => {
            require(actor, Action::Update, Resource::Representative, &target(&rep))?;
            let moved = Target { region_path: &region.path, id: Some(&rep.id), unit_ids: &unit_ids };
            require(actor, Action::Update, Resource::Representative, &moved)?;
            if holder.is_some_and(|h| h != rep.id) {
                return Err(duplicate("code", &input.code));
            }
            db::representatives::update(tx, &rep.id, &input, &region.id, &unit_ids, now).await?;
            let path = region.path.as_str();
            log(tx, actor, "update", Resource::Representative, &rep.id, &input.name, path, &input.code, now).await?;
            Ok((rep.id, Saved::Updated))
        }
    }
}

pub async fn set_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let rep = db::representatives::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::Deactivate, Resource::Representative, &target(&rep))?;
    let input = RepresentativeInput { active, ..rep.input.clone() };
    db::representatives::update(&mut tx, id, &input, &rep.region_id, &rep.unit_ids, now).await?;
    let action = if active { "activate" } else { "deactivate" };
    let path = rep.region_path.as_str();
    log(&mut tx, actor, action, Resource::Representative, id, &rep.input.name, path, "", now).await?;
    tx.commit().await?;
    Ok(())
}

fn target(rep: &Representative) -> Target<'_> {
    Target { region_path: &rep.region_path, id: Some(&rep.id), unit_ids: &rep.unit_ids }
}

/// A representative the actor may see, and whether a photo of them is on file.
pub async fn get_with_photo(app: &App, actor: &Actor, id: &str) -> Result<(Representative, bool)> {
    let rep = get(app, actor, id).await?;
    let mut tx = app.db().read().await?;
    let has_photo = db::representatives::photo_of(&mut tx, id).await?.is_some();
    Ok((rep, has_photo))
}

/// A new photo of a representative, from someone who may change the record: checked
/// by content (JPEG, PNG or WebP, at most 10 MB), decoded under limits and re-encoded
/// without its metadata (EXIF, GPS), with a thumbnail. The file is written before the
/// link commits and removed if it does not.
pub async fn set_photo(app: &App, actor: &Actor, id: &str, upload: Upload) -> Result<()> {
    {
        let mut tx = app.db().read().await?;
        let rep = db::representatives::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
        require(actor, Action::Update, Resource::Representative, &target(&rep))?;
    }
    if upload.bytes.is_empty() && !upload.too_large {
        return Err(Error::invalid("photo", Msg::new("err-photo-missing")));
    }
    let checked = attachment::check(vec![Upload { field: "photos".into(), ..upload }]).map_err(|errors| {
        Error::Invalid(errors.into_iter().map(|e| FieldError { field: "photo".into(), ..e }).collect())
    })?;
    let written = super::attachments::write(app, checked).await.map_err(|error| match error {
        Error::Invalid(errors) => {
            Error::Invalid(errors.into_iter().map(|e| FieldError { field: "photo".into(), ..e }).collect())
        }
        other => other,
    })?;
    let photo_id = written.attachments.first().ok_or(Error::NotFound)?.id.clone();
    let now = app.now();
    let mut tx = app.db().write().await?;
    let rep = db::representatives::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    require(actor, Action::Update, Resource::Representative, &target(&rep))?;
    db::representatives::set_photo(&mut tx, id, &photo_id, now).await?;
    log(&mut tx, actor, "photo", Resource::Representative, id, &rep.input.name, rep.region_path.as_str(), "", now)
        .await?;
    tx.commit().await?;
    written.keep();
    Ok(())
}

/// The photo (or its thumbnail) of an active representative, for anyone: it is shown
/// on their public pages.
pub async fn photo(app: &App, id: &str, variant: Variant) -> Result<File> {
    let photo_id = {
        let mut tx = app.db().read().await?;
        db::representatives::get(&mut tx, id).await?.filter(|r| r.input.active).ok_or(Error::NotFound)?;
        db::representatives::photo_of(&mut tx, id).await?.ok_or(Error::NotFound)?
    };
    super::attachments::stored_photo(app, &photo_id, variant).await
}
