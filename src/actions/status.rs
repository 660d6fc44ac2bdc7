//! What the server reports about itself: health and the figures of the platform.

use crate::app::App;
use crate::db;
use crate::error::Result;

pub async fn healthy(app: &App) -> bool {
    app.db().ping().await
}

/// How many of each record there are (for the home page and /metrics).
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub regions: i64,
    pub units: i64,
    pub representatives: i64,
    pub departments: i64,
    pub users: i64,
}

pub async fn counts(app: &App) -> Result<Counts> {
    let mut tx = app.db().read().await?;
    Ok(Counts {
        regions: db::regions::count(&mut tx).await?,
        units: db::units::count(&mut tx).await?,
        representatives: db::representatives::count(&mut tx).await?,
        departments: db::departments::count(&mut tx).await?,
        users: db::users::count(&mut tx).await?,
    })
}
