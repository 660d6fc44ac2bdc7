//! Managing staff accounts.

use super::accounts::hash_password;
use super::{Saved, log, require, require_list};
use crate::app::App;
use crate::clock::Millis;
use crate::db::users::ScopeIds;
use crate::db::{self, Page, PageRequest, Tx};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::region::RegionPath;
use crate::domain::user::{Account, Actor, Role, UserFields, UserInput};
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

pub fn fields_of(account: &Account) -> UserFields {
    UserFields {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        role: account.role.as_str().to_string(),
        scope_code: account.scope_code.clone(),
        password: String::new(),
        active: if account.active { "是" } else { "否" }.to_string(),
    }
}

pub async fn list(app: &App, actor: &Actor, search: &str, page: PageRequest) -> Result<Page<Account>> {
    list_after(app, actor, search, page, None).await
}

/// A page of [`list`] just after a key (a keyset cursor; the first page without one).
pub async fn list_after(
    app: &App,
    actor: &Actor,
    search: &str,
    page: PageRequest,
    after: Option<&db::ListKey>,
) -> Result<Page<Account>> {
    if !actor.role().is_admin() {
        return Err(Error::Forbidden);
    }
    let filter = require_list(actor, Resource::User)?;
    let mut tx = app.db().read().await?;
    Ok(db::users::list_after(&mut tx, &filter, search, page, after).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<Account> {
    let mut tx = app.db().read().await?;
    let account = db::users::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let path = account.scope.region_path();
    require(actor, Action::View, Resource::User, &target(&path))?;
    Ok(account)
}

pub async fn save(app: &App, actor: &Actor, id: Option<&str>, fields: &UserFields) -> Result<String> {
    let input = UserInput::parse(fields)?;
    let hash = match &input.password {
        Some(password) => Some(hash_password(password).await?),
        None => None,
    };
    let now = app.now();
    let mut tx = app.db().write().await?;
    let (id, _) = save_parsed(&mut tx, actor, id, &input, hash.as_deref(), now).await?;
    tx.commit().await?;
    Ok(id)
}

/// For imports: the password (if any) is hashed before the transaction opens.
pub(crate) async fn import_row(
    tx: &mut Tx,
    actor: &Actor,
    input: &UserInput,
    password_hash: Option<&str>,
    now: Millis,
) -> Result<Saved> {
    let existing = db::users::id_by_username(tx, input.username.as_str()).await?;
    let (_, saved) = save_parsed(tx, actor, existing.as_deref(), input, password_hash, now).await?;
    Ok(saved)
}

async fn save_parsed(
    tx: &mut Tx,
    actor: &Actor,
    id: Option<&str>,
    input: &UserInput,
    password_hash: Option<&str>,
    now: Millis,
) -> Result<(String, Saved)> {
    let (scope, path) = resolve_scope(tx, input.role, &input.scope_code).await?;
    let holder = db::users::id_by_username(tx, input.username.as_str()).await?;
    match id {
        None => {
            if holder.is_some() {
                let msg = Msg::new("err-duplicate").with("code", input.username.as_str());
                return Err(Error::Invalid(vec![FieldError::new("username", msg)]));
            }
            require(actor, Action::Create, Resource::User, &target(&path))?;
            let Some(hash) = password_hash else {
                return Err(Error::invalid("password", Msg::new("err-required")));
            };
            let new_id = db::new_id();
            let name = input.username.as_str();
            let user = db::users::NewUser {
                id: &new_id,
                username: name,
                display_name: &input.display_name,
                password_hash: hash,
                role: input.role,
                scope: &scope,
                active: input.active,
            };
            db::users::insert(tx, &user, now).await?;
            log(tx, actor, "create", Resource::User, &new_id, name, path.as_str(), input.role.as_str(), now).await?;
            Ok((new_id, Saved::Created))
        }
        Some(id) => {
            let existing = db::users::get(tx, id).await?.ok_or(Error::NotFound)?;
            require(actor, Action::Update, Resource::User, &target(&existing.scope.region_path()))?;
            require(actor, Action::Update, Resource::User, &target(&path))?;
            if existing.username != input.username.as_str() {
                return Err(Error::invalid("username", Msg::new("err-username-fixed")));
            }
            if actor.user_id() == id && (input.role != existing.role || !input.active) {
                return Err(Error::invalid("role", Msg::new("err-own-role")));
            }
            db::users::update(tx, id, &input.display_name, input.role, &scope, input.active, now).await?;
            if let Some(hash) = password_hash {
                db::users::set_password(tx, id, hash, now).await?;
            }
            let name = input.username.as_str();
            log(tx, actor, "update", Resource::User, id, name, path.as_str(), input.role.as_str(), now).await?;
            Ok((id.to_string(), Saved::Updated))
        }
    }
}

/// Finds what a role's scope code names: a region for an office, a unit for a
/// keeper, a department for a handler, a representative for a representative.
async fn resolve_scope(tx: &mut Tx, role: Role, code: &str) -> Result<(ScopeIds, RegionPath)> {
    let unknown = || Error::invalid("scope_code", Msg::new("err-unknown-scope").with("code", code));
    Ok(match role {
        Role::SystemAdmin => (ScopeIds::default(), RegionPath::from_stored("/".to_string())),
        Role::OfficeAdmin => {
            let region = db::regions::by_code(tx, code).await?.ok_or_else(unknown)?;
            (ScopeIds { region_id: Some(region.id), ..ScopeIds::default() }, region.path)
        }
        Role::UnitKeeper => {
            let id = db::units::id_by_code(tx, code).await?.ok_or_else(unknown)?;
            let unit = db::units::get(tx, &id).await?.ok_or_else(unknown)?;
            (ScopeIds { unit_id: Some(id), ..ScopeIds::default() }, unit.region_path)
        }
        Role::DepartmentHandler => {
            let id = db::departments::id_by_code(tx, code).await?.ok_or_else(unknown)?;
            let dept = db::departments::get(tx, &id).await?.ok_or_else(unknown)?;
            (ScopeIds { department_id: Some(id), ..ScopeIds::default() }, dept.region_path)
        }
        Role::Representative => {
            let id = db::representatives::id_by_code(tx, code).await?.ok_or_else(unknown)?;
            let rep = db::representatives::get(tx, &id).await?.ok_or_else(unknown)?;
            (ScopeIds { representative_id: Some(id), ..ScopeIds::default() }, rep.region_path)
        }
    })
}

pub async fn set_active(app: &App, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let account = db::users::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let path = account.scope.region_path();
    require(actor, Action::Deactivate, Resource::User, &target(&path))?;
    if actor.user_id() == id {
        return Err(Error::invalid("active", Msg::new("err-own-role")));
    }
    let scope = ScopeIds::of(&account.scope);
    db::users::update(&mut tx, id, &account.display_name, account.role, &scope, active, now).await?;
    if !active {
        db::sessions::delete_for_user_except(&mut tx, id, "").await?;
    }
    let action = if active { "activate" } else { "deactivate" };
    log(&mut tx, actor, action, Resource::User, id, &account.username, path.as_str(), "", now).await?;
    tx.commit().await?;
    Ok(())
}

fn target(path: &RegionPath) -> Target<'_> {
    Target { region_path: path, id: None, unit_ids: &[] }
}
