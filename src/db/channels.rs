//! Notification channels: the e-mail addresses, DingTalk robots and webhooks a
//! department, a region's office or a user wants notices sent to, and the staff
//! accounts whose in-app inbox receives an owner's notices.

use super::{DbResult, Tx, new_id};
use crate::clock::Millis;

/// Who a channel belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OwnerKind {
    Department,
    /// The office (人大办/政协办) of a region.
    Region,
    User,
}

impl OwnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Department => "department",
            OwnerKind::Region => "region",
            OwnerKind::User => "user",
        }
    }

    pub fn parse(raw: &str) -> Option<OwnerKind> {
        match raw {
            "department" => Some(OwnerKind::Department),
            "region" => Some(OwnerKind::Region),
            "user" => Some(OwnerKind::User),
            _ => None,
        }
    }
}

/// What kind of place a channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    Email,
    DingTalk,
    Webhook,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::DingTalk => "dingtalk",
            ChannelKind::Webhook => "webhook",
        }
    }

    pub fn parse(raw: &str) -> Option<ChannelKind> {
        match raw {
            "email" => Some(ChannelKind::Email),
            "dingtalk" => Some(ChannelKind::DingTalk),
            "webhook" => Some(ChannelKind::Webhook),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ChannelRow {
    id: String,
    owner_kind: String,
    owner_id: String,
    kind: String,
    target: String,
    secret: String,
    active: bool,
    created_at: Millis,
    updated_at: Millis,
}

impl ChannelRow {
    fn into_channel(self) -> DbResult<NotificationChannel> {
        let corrupt = |what: &str| sqlx::Error::Decode(format!("channel {}: unknown {what}", self.id).into());
        let owner_kind = OwnerKind::parse(&self.owner_kind).ok_or_else(|| corrupt("owner kind"))?;
        let kind = ChannelKind::parse(&self.kind).ok_or_else(|| corrupt("kind"))?;
        Ok(NotificationChannel {
            id: self.id,
            owner_kind,
            owner_id: self.owner_id,
            kind,
            target: self.target,
            secret: self.secret,
            active: self.active,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A place notices of one owner go to.
#[derive(Clone)]
pub struct NotificationChannel {
    pub id: String,
    pub owner_kind: OwnerKind,
    pub owner_id: String,
    pub kind: ChannelKind,
    pub target: String,
    pub secret: String,
    pub active: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl std::fmt::Debug for NotificationChannel {
    /// Leaves the secret out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationChannel")
            .field("id", &self.id)
            .field("owner_kind", &self.owner_kind)
            .field("owner_id", &self.owner_id)
            .field("kind", &self.kind)
            .field("target", &self.target)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// Adds an active channel; returns its id.
pub async fn insert(
    tx: &mut Tx,
    owner_kind: OwnerKind,
    owner_id: &str,
    kind: ChannelKind,
    target: &str,
    secret: &str,
    now: Millis,
) -> DbResult<String> {
    let id = new_id();
    exec!(
        tx,
        "INSERT INTO notification_channels (id, owner_kind, owner_id, kind, target, secret, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)",
        &id,
        owner_kind.as_str(),
        owner_id,
        kind.as_str(),
        target,
        secret,
        now
    )?;
    Ok(id)
}

/// Every channel of one owner, active or not, oldest first.
pub async fn list_for_owner(tx: &mut Tx, owner_kind: OwnerKind, owner_id: &str) -> DbResult<Vec<NotificationChannel>> {
    rows!(
        tx,
        ChannelRow,
        "SELECT id, owner_kind, owner_id, kind, target, secret, active, created_at, updated_at
         FROM notification_channels WHERE owner_kind = $1 AND owner_id = $2 ORDER BY created_at, id",
        owner_kind.as_str(),
        owner_id
    )?
    .into_iter()
    .map(ChannelRow::into_channel)
    .collect()
}

/// Turns a channel on or off (channels are never deleted); `false` if there is none.
pub async fn set_active(tx: &mut Tx, id: &str, active: bool, now: Millis) -> DbResult<bool> {
    let updated =
        exec!(tx, "UPDATE notification_channels SET active = $2, updated_at = $3 WHERE id = $1", id, active, now)?;
    Ok(updated == 1)
}

/// The active staff accounts whose inbox receives an owner's notices: the handlers of a
/// department, the office administrators of a region, or the user themself.
pub async fn inbox_recipients(tx: &mut Tx, owner_kind: OwnerKind, owner_id: &str) -> DbResult<Vec<String>> {
    let ids = match owner_kind {
        OwnerKind::Department => rows!(
            tx,
            (String,),
            "SELECT id FROM users WHERE department_id = $1 AND active = TRUE ORDER BY id",
            owner_id
        ),
        OwnerKind::Region => rows!(
            tx,
            (String,),
            "SELECT id FROM users WHERE region_id = $1 AND role = 'office_admin' AND active = TRUE ORDER BY id",
            owner_id
        ),
        OwnerKind::User => rows!(tx, (String,), "SELECT id FROM users WHERE id = $1 AND active = TRUE", owner_id),
    }?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Every channel, newest first (for the settings page).
pub async fn list_all(tx: &mut Tx) -> DbResult<Vec<NotificationChannel>> {
    let rows = rows!(
        tx,
        ChannelRow,
        "SELECT id, owner_kind, owner_id, kind, target, secret, active, created_at, updated_at
         FROM notification_channels ORDER BY created_at DESC, id"
    )?;
    rows.into_iter().map(ChannelRow::into_channel).collect()
}
