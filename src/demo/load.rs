//! Loading the demo county through the same actions an administrator uses.

use super::data::{DEMO_PASSWORD, demo_county};
use crate::actions::{self, accounts::hash_password};
use crate::app::App;
use crate::db;
use crate::domain::user::{Actor, Role, Scope, UserFields, UserInput};
use crate::error::{Error, Result};

/// One demo account, printed at start-up.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: String,
    pub username: String,
    pub password: String,
}

const LOADED_KEY: &str = "demo_loaded_at";

/// Loads the demo county once; later calls only return the log-ins. Everything is
/// written in one transaction: a crash half-way leaves no half demo.
pub async fn load_demo(app: &App) -> Result<Vec<DemoLogin>> {
    let county = demo_county();
    let logins = county
        .users
        .iter()
        .map(|u| DemoLogin {
            role: u.role_label.to_string(),
            username: u.fields.username.clone(),
            password: DEMO_PASSWORD.to_string(),
        })
        .collect();
    {
        let mut tx = app.db().read().await?;
        if db::settings::get(&mut tx, LOADED_KEY).await?.is_some() {
            return Ok(logins);
        }
    }
    let loader = Actor::new("demo".into(), "demo-loader".into(), "demo".into(), Role::SystemAdmin, Scope::Everything)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the demo loader's role")))?;
    let hash = hash_password(DEMO_PASSWORD).await?;
    let now = app.now();
    let mut tx = app.db().write().await?;
    if db::settings::get(&mut tx, LOADED_KEY).await?.is_some() {
        return Ok(logins);
    }
    for region in &county.regions {
        let fields = actions::regions::RegionFields {
            code: region.code.clone(),
            name: region.name.clone(),
            level: region.level.to_string(),
            parent_code: region.parent_code.clone().unwrap_or_default(),
        };
        actions::regions::import_row(&mut tx, &loader, &fields, now).await?;
    }
    for unit in &county.units {
        actions::units::import_row(&mut tx, &loader, unit, now).await?;
    }
    for dept in &county.departments {
        actions::departments::import_row(&mut tx, &loader, dept, now).await?;
    }
    for rep in &county.representatives {
        actions::representatives::import_row(&mut tx, &loader, rep, now).await?;
    }
    let today = crate::domain::calendar::cst_date(now);
    for meeting in &county.meetings {
        let day = today + chrono::Duration::days(meeting.days);
        let fields = crate::domain::meeting::MeetingFields {
            starts_at: format!("{} {}", day.format("%Y-%m-%d"), meeting.time),
            state: match meeting.fields.state.as_str() {
                "" if meeting.days < 0 => "held".to_string(),
                "" => "planned".to_string(),
                state => state.to_string(),
            },
            ..meeting.fields.clone()
        };
        actions::meetings::save_in(&mut tx, &loader, None, &fields, now).await?;
    }
    for user in &county.users {
        let input = UserInput::parse(&UserFields { password: String::new(), ..user.fields.clone() })?;
        actions::users::import_row(&mut tx, &loader, &input, Some(&hash), now).await?;
    }
    db::settings::set(&mut tx, LOADED_KEY, &now.to_string()).await?;
    tx.commit().await?;
    Ok(logins)
}
