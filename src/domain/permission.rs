//! Who may do what to which record: one pure function, tested as a table.

use super::region::RegionPath;
use super::user::{Actor, Role, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Region,
    Unit,
    Representative,
    Department,
    User,
    /// A station's or studio's meetings (督政议事 · 民生议事堂).
    Meeting,
    AdminLog,
    /// The installation's own settings: notice wording, calendars, the delivery log.
    Setting,
}

impl Resource {
    pub const ALL: [Resource; 8] = [
        Resource::Region,
        Resource::Unit,
        Resource::Representative,
        Resource::Department,
        Resource::User,
        Resource::Meeting,
        Resource::AdminLog,
        Resource::Setting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Region => "regions",
            Resource::Unit => "units",
            Resource::Representative => "representatives",
            Resource::Department => "departments",
            Resource::User => "users",
            Resource::Meeting => "meetings",
            Resource::AdminLog => "log",
            Resource::Setting => "settings",
        }
    }

    pub fn parse(raw: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    View,
    Create,
    Update,
    /// Switch a record off (records are never deleted: data is sacred).
    Deactivate,
    Import,
    Export,
    ResetPassword,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::View,
        Action::Create,
        Action::Update,
        Action::Deactivate,
        Action::Import,
        Action::Export,
        Action::ResetPassword,
    ];
}

/// The record an action touches, as far as permissions care.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// Where the record sits in the region tree. For a user account: its scope's
    /// path, or `/` for a system administrator.
    pub region_path: &'a RegionPath,
    /// The record's own id (a unit's, a department's, a representative's).
    pub id: Option<&'a str>,
    /// For a representative: the units they serve at; for a meeting: the unit holding it.
    pub unit_ids: &'a [String],
}

/// Whether `actor` may do `action` to `resource` at `target`.
pub fn allowed(actor: &Actor, action: Action, resource: Resource, target: &Target<'_>) -> bool {
    use Action::*;
    use Resource::*;
    match (actor.role(), actor.scope()) {
        (Role::SystemAdmin, _) => true,
        (Role::OfficeAdmin, Scope::Subtree { path, .. }) => {
            if !path.contains(target.region_path) {
                return false;
            }
            match (resource, action) {
                // An office does not rename or switch off the region it is named for.
                (Region, Create | Update | Deactivate) => target.region_path != path,
                (AdminLog, View | Export) => true,
                (AdminLog, _) => false,
                // Settings serve the whole installation: the system administrator's.
                (Setting, _) => false,
                // Meetings are planned, changed and cancelled; nothing to import or reset.
                (Meeting, View | Create | Update | Deactivate | Export) => true,
                (Meeting, Import | ResetPassword) => false,
                (Region | Unit | Representative | Department | User, _) => true,
            }
        }
        (Role::UnitKeeper, Scope::Unit { unit_id, .. }) => match (resource, action) {
            (Unit, View | Update) => target.id == Some(unit_id.as_str()),
            (Representative, View) => target.unit_ids.iter().any(|u| u == unit_id),
            // A keeper runs the station's own meetings, cancelling included.
            (Meeting, View | Create | Update | Deactivate) => target.unit_ids.iter().any(|u| u == unit_id),
            _ => false,
        },
        (Role::DepartmentHandler, Scope::Department { department_id, .. }) => {
            matches!((resource, action), (Department, View | Update)) && target.id == Some(department_id.as_str())
        }
        (Role::Representative, Scope::Representative { representative_id, .. }) => {
            matches!((resource, action), (Representative, View | Update))
                && target.id == Some(representative_id.as_str())
        }
        // Actor::new never builds these; refuse rather than guess.
        (Role::OfficeAdmin | Role::UnitKeeper | Role::DepartmentHandler | Role::Representative, _) => false,
    }
}

/// How a list of `resource` is narrowed for `actor`, or `None` if they may not list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter {
    All,
    Subtree(RegionPath),
    OnlyId(String),
    /// Representatives serving at this unit, or meetings it holds.
    AtUnit(String),
}

pub fn list_filter(actor: &Actor, resource: Resource) -> Option<ListFilter> {
    use Resource::*;
    match (actor.scope(), resource) {
        (Scope::Everything, _) => Some(ListFilter::All),
        (Scope::Subtree { .. }, Setting) => None,
        (Scope::Subtree { path, .. }, _) => Some(ListFilter::Subtree(path.clone())),
        (Scope::Unit { unit_id, .. }, Unit) => Some(ListFilter::OnlyId(unit_id.clone())),
        (Scope::Unit { unit_id, .. }, Representative | Meeting) => Some(ListFilter::AtUnit(unit_id.clone())),
        (Scope::Department { department_id, .. }, Department) => Some(ListFilter::OnlyId(department_id.clone())),
        (Scope::Representative { representative_id, .. }, Representative) => {
            Some(ListFilter::OnlyId(representative_id.clone()))
        }
        (Scope::Unit { .. } | Scope::Department { .. } | Scope::Representative { .. }, _) => None,
    }
}
