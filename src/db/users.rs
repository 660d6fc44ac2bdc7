//! Staff accounts and the scope each is attached to.

use super::{DbResult, ListKey, Page, PageRequest, Tx, key_params, like_pattern};
use crate::clock::Millis;
use crate::domain::permission::ListFilter;
use crate::domain::region::RegionPath;
use crate::domain::user::{Account, Role, Scope};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    username: String,
    display_name: String,
    role: String,
    active: bool,
    region_id: Option<String>,
    unit_id: Option<String>,
    department_id: Option<String>,
    representative_id: Option<String>,
    scope_path: String,
    scope_code: String,
    scope_name: String,
}

impl AccountRow {
    fn into_account(self) -> DbResult<Account> {
        let corrupt = || sqlx::Error::Decode(format!("user {}: role and scope do not fit", self.id).into());
        let role = Role::parse("role", &self.role).map_err(|_| corrupt())?;
        let path = RegionPath::from_stored(self.scope_path);
        let scope = match (role, self.region_id, self.unit_id, self.department_id, self.representative_id) {
            (Role::SystemAdmin, ..) => Scope::Everything,
            (Role::OfficeAdmin, Some(region_id), ..) => Scope::Subtree { region_id, path },
            (Role::UnitKeeper, _, Some(unit_id), ..) => Scope::Unit { unit_id, path },
            (Role::DepartmentHandler, _, _, Some(department_id), _) => Scope::Department { department_id, path },
            (Role::Representative, _, _, _, Some(representative_id)) => {
                Scope::Representative { representative_id, path }
            }
            _ => return Err(corrupt()),
        };
        Ok(Account {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            role,
            scope_code: self.scope_code,
            scope_name: self.scope_name,
            scope,
            active: self.active,
        })
    }
}

/// Where a new or changed account is attached; exactly one id for every role
/// but the system administrator.
#[derive(Debug, Clone, Default)]
pub struct ScopeIds {
    pub region_id: Option<String>,
    pub unit_id: Option<String>,
    pub department_id: Option<String>,
    pub representative_id: Option<String>,
}

impl ScopeIds {
    pub fn of(scope: &Scope) -> ScopeIds {
        let mut ids = ScopeIds::default();
        match scope {
            Scope::Everything => {}
            Scope::Subtree { region_id, .. } => ids.region_id = Some(region_id.clone()),
            Scope::Unit { unit_id, .. } => ids.unit_id = Some(unit_id.clone()),
            Scope::Department { department_id, .. } => ids.department_id = Some(department_id.clone()),
            Scope::Representative { representative_id, .. } => ids.representative_id = Some(representative_id.clone()),
        }
        ids
    }
}

/// A new account as stored.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub scope: &'a ScopeIds,
    pub active: bool,
}

pub async fn insert(tx: &mut Tx, user: &NewUser<'_>, now: Millis) -> DbResult<()> {
    let NewUser { id, username, display_name, password_hash, role, scope, active } = *user;
    exec!(
        tx,
        "INSERT INTO users (id, username, display_name, password_hash, role, region_id, unit_id, department_id,
             representative_id, active, password_changed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)",
        id,
        username,
        display_name,
        password_hash,
        role.as_str(),
        scope.region_id.as_deref(),
        scope.unit_id.as_deref(),
        scope.department_id.as_deref(),
        scope.representative_id.as_deref(),
        active,
        now
    )?;
    Ok(())
}

pub async fn update(
    tx: &mut Tx,
    id: &str,
    display_name: &str,
    role: Role,
    scope: &ScopeIds,
    active: bool,
    now: Millis,
) -> DbResult<u64> {
    exec!(
        tx,
        "UPDATE users SET display_name = $2, role = $3, region_id = $4, unit_id = $5, department_id = $6,
             representative_id = $7, active = $8, updated_at = $9
         WHERE id = $1",
        id,
        display_name,
        role.as_str(),
        scope.region_id.as_deref(),
        scope.unit_id.as_deref(),
        scope.department_id.as_deref(),
        scope.representative_id.as_deref(),
        active,
        now
    )
}

pub async fn set_password(tx: &mut Tx, id: &str, password_hash: &str, now: Millis) -> DbResult<u64> {
    exec!(
        tx,
        "UPDATE users SET password_hash = $2, password_changed_at = $3, updated_at = $3 WHERE id = $1",
        id,
        password_hash,
        now
    )
}

/// The id, password hash and active flag of the account with this username.
pub async fn credentials(tx: &mut Tx, username: &str) -> DbResult<Option<(String, String, bool)>> {
    row!(tx, (String, String, bool), "SELECT id, password_hash, active FROM users WHERE username = $1", username)
}

pub async fn password_hash(tx: &mut Tx, id: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT password_hash FROM users WHERE id = $1", id).map(|r| r.map(|(h,)| h))
}

pub async fn get(tx: &mut Tx, id: &str) -> DbResult<Option<Account>> {
    let row = row!(tx, AccountRow, "SELECT * FROM accounts WHERE id = $1", id)?;
    row.map(AccountRow::into_account).transpose()
}

/// The active account of a live session (by its token's hash), read with the session.
pub async fn by_session(tx: &mut Tx, token_hash: &str, now: Millis) -> DbResult<Option<Account>> {
    let row = row!(
        tx,
        AccountRow,
        "SELECT a.* FROM sessions s JOIN accounts a ON a.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = TRUE",
        token_hash,
        now
    )?;
    row.map(AccountRow::into_account).transpose()
}

/// The active account an API token (by its hash) acts as, unless the token is revoked.
pub async fn by_api_token(tx: &mut Tx, token_hash: &str) -> DbResult<Option<Account>> {
    let row = row!(
        tx,
        AccountRow,
        "SELECT a.* FROM api_tokens t JOIN accounts a ON a.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.active = TRUE",
        token_hash
    )?;
    row.map(AccountRow::into_account).transpose()
}

pub async fn id_by_username(tx: &mut Tx, username: &str) -> DbResult<Option<String>> {
    row!(tx, (String,), "SELECT id FROM users WHERE username = $1", username).map(|r| r.map(|(id,)| id))
}

/// Accounts whose scope lies inside the filter (a system administrator's scope is
/// `/`, so only an unfiltered list shows them).
pub async fn list(tx: &mut Tx, filter: &ListFilter, search: &str, page: PageRequest) -> DbResult<Page<Account>> {
    list_after(tx, filter, search, page, None).await
}

/// A page of [`list`] just after a key (the first without one).
pub async fn list_after(
    tx: &mut Tx,
    filter: &ListFilter,
    search: &str,
    page: PageRequest,
    after: Option<&ListKey>,
) -> DbResult<Page<Account>> {
    let (flag, first, _, id) = key_params(after);
    let prefix = match filter {
        ListFilter::All => "/%".to_string(),
        ListFilter::Subtree(path) => format!("{}%", path.as_str()),
        ListFilter::OnlyId(_) | ListFilter::AtUnit(_) => return Ok(Page { items: Vec::new(), total: 0 }),
    };
    let pattern = like_pattern(search);
    let total = scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM accounts
         WHERE scope_path LIKE $1
           AND (LOWER(username) LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\')",
        &prefix,
        &pattern
    )?;
    let rows = rows!(
        tx,
        AccountRow,
        "SELECT * FROM accounts
         WHERE scope_path LIKE $1
           AND (LOWER(username) LIKE $2 ESCAPE '\\' OR LOWER(display_name) LIKE $2 ESCAPE '\\')
           AND ($5 = '' OR (username, id) > ($6, $7))
         ORDER BY username, id LIMIT $3 OFFSET $4",
        &prefix,
        &pattern,
        page.size,
        page.offset(),
        flag,
        first,
        id
    )?;
    let items = rows.into_iter().map(AccountRow::into_account).collect::<DbResult<_>>()?;
    Ok(Page { items, total })
}

pub async fn count(tx: &mut Tx) -> DbResult<i64> {
    scalar!(tx, i64, "SELECT COUNT(*) FROM users")
}

/// The active accounts of a representative.
pub async fn ids_for_representative(tx: &mut Tx, representative_id: &str) -> DbResult<Vec<String>> {
    rows!(tx, (String,), "SELECT id FROM users WHERE representative_id = $1 AND active = TRUE", representative_id)
        .map(|rows| rows.into_iter().map(|(id,)| id).collect())
}

/// [`ids_for_representative`] of each of `representative_ids`, in one statement: pairs of
/// (representative, account), in account order.
pub async fn ids_for_representatives(tx: &mut Tx, representative_ids: &[&str]) -> DbResult<Vec<(String, String)>> {
    if representative_ids.is_empty() {
        return Ok(Vec::new());
    }
    rows!(
        tx,
        (String, String),
        sqlite: "SELECT representative_id, id FROM users
         WHERE active = TRUE AND representative_id IN (SELECT value FROM json_each($1)) ORDER BY id",
        postgres: "SELECT representative_id, id FROM users
         WHERE active = TRUE AND representative_id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY id",
        super::id_list(representative_ids)
    )
}

/// [`ids_for_unit`] of each of `unit_ids`, in one statement: pairs of (unit, account),
/// in account order.
pub async fn ids_for_units(tx: &mut Tx, unit_ids: &[&str]) -> DbResult<Vec<(String, String)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    rows!(
        tx,
        (String, String),
        sqlite: "SELECT w.unit_id, u.id FROM (SELECT value AS unit_id FROM json_each($1)) w JOIN users u
             ON u.active = TRUE AND (u.unit_id = w.unit_id OR u.representative_id IN
                 (SELECT ur.representative_id FROM unit_representatives ur WHERE ur.unit_id = w.unit_id))
         ORDER BY u.id",
        postgres: "SELECT w.unit_id, u.id FROM (SELECT jsonb_array_elements_text($1::jsonb) AS unit_id) w JOIN users u
             ON u.active = TRUE AND (u.unit_id = w.unit_id OR u.representative_id IN
                 (SELECT ur.representative_id FROM unit_representatives ur WHERE ur.unit_id = w.unit_id))
         ORDER BY u.id",
        super::id_list(unit_ids)
    )
}

/// The active accounts that receive a unit's cases: its keepers and the
/// representatives serving there.
pub async fn ids_for_unit(tx: &mut Tx, unit_id: &str) -> DbResult<Vec<String>> {
    rows!(
        tx,
        (String,),
        "SELECT u.id FROM users u WHERE u.active = TRUE AND (u.unit_id = $1 OR u.representative_id IN
             (SELECT ur.representative_id FROM unit_representatives ur WHERE ur.unit_id = $1))
         ORDER BY u.id",
        unit_id
    )
    .map(|rows| rows.into_iter().map(|(id,)| id).collect())
}
