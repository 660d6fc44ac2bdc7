//! Staff accounts, their roles and their scope. Citizens have no account.

use super::fields::{optional_text, required_text, yes_no};
use super::region::RegionPath;
use super::{FieldError, Msg};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 人大代表 · 政协委员
    Representative,
    /// 联络站管理员
    UnitKeeper,
    /// 承办单位经办人
    DepartmentHandler,
    /// 人大常委会 · 政协 offices, scoped to a region subtree
    OfficeAdmin,
    /// 系统管理员
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Representative, Role::UnitKeeper, Role::DepartmentHandler, Role::OfficeAdmin, Role::SystemAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Representative => "representative",
            Role::UnitKeeper => "unit_keeper",
            Role::DepartmentHandler => "department_handler",
            Role::OfficeAdmin => "office_admin",
            Role::SystemAdmin => "system_admin",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Role, FieldError> {
        match raw.trim() {
            "representative" | "代表" | "委员" | "代表委员" => Ok(Role::Representative),
            "unit_keeper" | "联络站管理员" | "站点管理员" => Ok(Role::UnitKeeper),
            "department_handler" | "承办单位" | "承办人" => Ok(Role::DepartmentHandler),
            "office_admin" | "办公室管理员" | "机关管理员" => Ok(Role::OfficeAdmin),
            "system_admin" | "系统管理员" => Ok(Role::SystemAdmin),
            _ => Err(FieldError::new(field, Msg::new("err-role"))),
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Role::OfficeAdmin | Role::SystemAdmin)
    }
}

/// What a user is attached to; the role says which it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// A system administrator sees everything.
    Everything,
    /// An office administrator sees a region and everything below it.
    Subtree {
        region_id: String,
        path: RegionPath,
    },
    Unit {
        unit_id: String,
        path: RegionPath,
    },
    Department {
        department_id: String,
        path: RegionPath,
    },
    Representative {
        representative_id: String,
        path: RegionPath,
    },
}

impl Scope {
    /// The region path that bounds this scope; `/` for everything.
    pub fn region_path(&self) -> RegionPath {
        match self {
            Scope::Everything => RegionPath::from_stored("/".to_string()),
            Scope::Subtree { path, .. }
            | Scope::Unit { path, .. }
            | Scope::Department { path, .. }
            | Scope::Representative { path, .. } => path.clone(),
        }
    }
}

/// A signed-in person, as every action sees them. Built only by [`Actor::new`],
/// which refuses a role whose scope does not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user_id: String,
    username: String,
    display_name: String,
    role: Role,
    scope: Scope,
}

impl Actor {
    pub fn new(user_id: String, username: String, display_name: String, role: Role, scope: Scope) -> Option<Actor> {
        let fits = matches!(
            (role, &scope),
            (Role::SystemAdmin, Scope::Everything)
                | (Role::OfficeAdmin, Scope::Subtree { .. })
                | (Role::UnitKeeper, Scope::Unit { .. })
                | (Role::DepartmentHandler, Scope::Department { .. })
                | (Role::Representative, Scope::Representative { .. })
        );
        fits.then_some(Actor { user_id, username, display_name, role, scope })
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn username(&self) -> &str {
        &self.username
    }
    pub fn display_name(&self) -> &str {
        &self.display_name
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// A login name: 3 to 32 of a–z, 0–9, `.`, `_`, `-`; stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Username, FieldError> {
        let name = raw.trim().to_lowercase();
        let ok = (3..=32).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if ok { Ok(Username(name)) } else { Err(FieldError::new(field, Msg::new("err-username"))) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 128 characters, not only digits, not the username.
pub fn check_new_password(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let count = password.chars().count();
    if count < 8 {
        return Err(FieldError::new(field, Msg::new("err-password-short").with("min", 8)));
    }
    if count > 128 {
        return Err(FieldError::new(field, Msg::new("err-too-long").with("max", 128)));
    }
    if password.chars().all(|c| c.is_ascii_digit()) || password.eq_ignore_ascii_case(username) {
        return Err(FieldError::new(field, Msg::new("err-password-weak")));
    }
    Ok(())
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct UserFields {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// The code of the region (office admins), unit (keepers), department
    /// (handlers) or representative the account is attached to.
    pub scope_code: String,
    pub password: String,
    pub active: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserInput {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub scope_code: String,
    /// Required when creating; empty on an update keeps the old password.
    pub password: Option<String>,
    pub active: bool,
}

impl UserInput {
    pub fn parse(raw: &UserFields) -> Result<UserInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let username = Username::parse("username", &raw.username).map_err(|e| errors.push(e)).ok();
        let display_name =
            required_text("display_name", &raw.display_name, 30).map_err(|e| errors.push(e)).unwrap_or_default();
        let role = Role::parse("role", &raw.role).map_err(|e| errors.push(e)).ok();
        let scope_code =
            optional_text("scope_code", &raw.scope_code, 32).map_err(|e| errors.push(e)).unwrap_or_default();
        if role.is_some_and(|r| r != Role::SystemAdmin) && scope_code.is_empty() {
            errors.push(FieldError::new("scope_code", Msg::new("err-required")));
        }
        let password = if raw.password.is_empty() {
            None
        } else {
            let name = username.as_ref().map(|u| u.as_str()).unwrap_or_default();
            check_new_password("password", &raw.password, name).map_err(|e| errors.push(e)).ok();
            Some(raw.password.clone())
        };
        let active = yes_no("active", &raw.active, true).map_err(|e| errors.push(e)).unwrap_or(true);
        match (username, role) {
            (Some(username), Some(role)) if errors.is_empty() => {
                Ok(UserInput { username, display_name, role, scope_code, password, active })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_must_fit_its_scope() {
        let path = RegionPath::root("r");
        let make = |role, scope| Actor::new("u".into(), "u".into(), "U".into(), role, scope);
        assert!(make(Role::SystemAdmin, Scope::Everything).is_some());
        assert!(make(Role::OfficeAdmin, Scope::Everything).is_none());
        assert!(make(Role::UnitKeeper, Scope::Unit { unit_id: "x".into(), path: path.clone() }).is_some());
        assert!(make(Role::UnitKeeper, Scope::Department { department_id: "x".into(), path }).is_none());
    }

    #[test]
    fn passwords_and_usernames() {
        assert!(check_new_password("p", "short", "a").is_err());
        assert!(check_new_password("p", "1234567890", "a").is_err());
        assert!(check_new_password("p", "wenling-admin", "wenling-admin").is_err());
        assert!(check_new_password("p", "民意为本2026", "a").is_ok());
        assert_eq!(Username::parse("u", " Admin ").unwrap().as_str(), "admin");
        assert!(Username::parse("u", "王").is_err());
    }
}

/// A staff account as administrators see it (never with its password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The code of what the account is attached to (empty for a system administrator).
    pub scope_code: String,
    pub scope_name: String,
    pub scope: Scope,
    pub active: bool,
}
