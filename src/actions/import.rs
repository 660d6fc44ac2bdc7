//! Importing people and places from CSV or XLSX: a preview that checks every row
//! by really applying it inside a transaction that is then rolled back, and a
//! commit that applies the same rows for real. Any error in any row writes nothing.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader};

use super::{Saved, log, require};
use crate::app::App;
use crate::clock::Millis;
use crate::db::{self, Tx};
use crate::domain::columns::{Column, column_for_header, columns};
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::{Actor, UserFields, UserInput};
use crate::domain::{FieldError, Msg};
use crate::error::{Error, Result};

pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 50_000;

/// One problem in one row: the row number as the spreadsheet shows it (the header
/// is row 1) and the column header as the file wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub msg: Msg,
}

#[derive(Debug, Clone)]
pub struct Preview {
    /// Set when every row passed: the batch to commit.
    pub batch_id: Option<String>,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Committed {
    pub created: usize,
    pub updated: usize,
}

/// A spreadsheet as rows of field → value, keyed by our field names.
struct Sheet {
    /// For each field, the header the file used (to name it in errors).
    headers: BTreeMap<&'static str, String>,
    rows: Vec<BTreeMap<String, String>>,
    ignored_columns: Vec<String>,
}

pub async fn preview(app: &App, actor: &Actor, resource: Resource, file_name: &str, bytes: &[u8]) -> Result<Preview> {
    require_import(actor, resource)?;
    let sheet = read_sheet(resource, bytes)?;
    let mut rows = sheet.rows;
    if resource == Resource::User {
        hash_user_passwords(&mut rows).await?;
    }
    let now = app.now();
    let mut tx = app.db().write().await?;
    let outcome = apply_all(&mut tx, actor, resource, &rows, &sheet.headers, now).await?;
    // Nothing of a preview is kept: the transaction is rolled back by dropping it.
    drop(tx);
    let (created, updated, errors) = outcome;
    let batch_id = if errors.is_empty() {
        let batch = db::imports::ImportBatch {
            id: db::new_id(),
            resource: resource.as_str().to_string(),
            user_id: actor.user_id().to_string(),
            file_name: file_name.chars().take(200).collect(),
            rows_json: serde_json::to_string(&rows).map_err(|e| Error::Internal(e.into()))?,
            row_count: rows.len() as i64,
            created_at: now,
            committed_at: None,
        };
        let mut tx = app.db().write().await?;
        db::imports::insert(&mut tx, &batch).await?;
        tx.commit().await?;
        Some(batch.id)
    } else {
        None
    };
    Ok(Preview { batch_id, rows: rows.len(), created, updated, errors, ignored_columns: sheet.ignored_columns })
}

pub async fn commit(app: &App, actor: &Actor, batch_id: &str) -> Result<Committed> {
    let now = app.now();
    let mut tx = app.db().write().await?;
    let batch = db::imports::get(&mut tx, batch_id).await?.ok_or(Error::NotFound)?;
    if batch.user_id != actor.user_id() {
        return Err(Error::NotFound);
    }
    let resource = Resource::parse(&batch.resource).ok_or(Error::NotFound)?;
    require_import(actor, resource)?;
    if db::imports::mark_committed(&mut tx, batch_id, now).await? == 0 {
        return Err(Error::Conflict(Msg::new("err-import-done")));
    }
    let rows: Vec<BTreeMap<String, String>> =
        serde_json::from_str(&batch.rows_json).map_err(|e| Error::Internal(e.into()))?;
    let headers = columns(resource).iter().map(|c| (c.field, c.header.to_string())).collect();
    let (created, updated, errors) = apply_all(&mut tx, actor, resource, &rows, &headers, now).await?;
    if let Some(first) = errors.first() {
        // The data changed since the preview; nothing is written.
        let msg = Msg::new("err-import-stale").with("row", first.row).with("column", &first.column);
        return Err(Error::Conflict(msg));
    }
    let path = actor.scope().region_path();
    let detail = format!("{} rows from {}: {created} created, {updated} updated", rows.len(), batch.file_name);
    log(&mut tx, actor, "import", resource, batch_id, &batch.file_name, path.as_str(), &detail, now).await?;
    tx.commit().await?;
    Ok(Committed { created, updated })
}

fn require_import(actor: &Actor, resource: Resource) -> Result<()> {
    if columns(resource).is_empty() {
        return Err(Error::NotFound);
    }
    let path = actor.scope().region_path();
    require(actor, Action::Import, resource, &Target { region_path: &path, id: None, unit_ids: &[] })
}

type Outcome = (usize, usize, Vec<RowError>);

async fn apply_all(
    tx: &mut Tx,
    actor: &Actor,
    resource: Resource,
    rows: &[BTreeMap<String, String>],
    headers: &BTreeMap<&'static str, String>,
    now: Millis,
) -> Result<Outcome> {
    let (mut created, mut updated, mut errors) = (0, 0, Vec::new());
    for (index, row) in rows.iter().enumerate() {
        let row_number = index + 2;
        let header_of = |field: &str| {
            headers.get(field).cloned().unwrap_or_else(|| {
                columns(resource).iter().find(|c| c.field == field).map(|c| c.header.to_string()).unwrap_or_default()
            })
        };
        match apply_row(tx, actor, resource, row, now).await {
            Ok(Saved::Created) => created += 1,
            Ok(Saved::Updated) => updated += 1,
            Err(Error::Invalid(fields)) => {
                for FieldError { field, msg } in fields {
                    errors.push(RowError { row: row_number, column: header_of(&field), msg });
                }
            }
            Err(Error::Forbidden | Error::NotFound) => {
                errors.push(RowError { row: row_number, column: String::new(), msg: Msg::new("err-row-out-of-scope") })
            }
            Err(other) => return Err(other),
        }
    }
    Ok((created, updated, errors))
}

async fn apply_row(
    tx: &mut Tx,
    actor: &Actor,
    resource: Resource,
    row: &BTreeMap<String, String>,
    now: Millis,
) -> Result<Saved> {
    fn fields<T: serde::de::DeserializeOwned>(row: &BTreeMap<String, String>) -> Result<T> {
        let value = serde_json::to_value(row).map_err(|e| Error::Internal(e.into()))?;
        serde_json::from_value(value).map_err(|e| Error::Internal(e.into()))
    }
    match resource {
        Resource::Region => super::regions::import_row(tx, actor, &fields(row)?, now).await,
        Resource::Unit => super::units::import_row(tx, actor, &fields(row)?, now).await,
        Resource::Representative => super::representatives::import_row(tx, actor, &fields(row)?, now).await,
        Resource::Department => super::departments::import_row(tx, actor, &fields(row)?, now).await,
        Resource::User => {
            // The password was checked and hashed before the transaction; parse the rest.
            let raw: UserFields = fields(row)?;
            let input = UserInput::parse(&UserFields { password: String::new(), ..raw })?;
            let hash = row.get(PASSWORD_HASH).filter(|h| !h.is_empty()).map(String::as_str);
            super::users::import_row(tx, actor, &input, hash, now).await
        }
        Resource::Meeting | Resource::AdminLog | Resource::Setting => Err(Error::NotFound),
    }
}

const PASSWORD_HASH: &str = "password_hash";

/// Replaces each row's initial password by its hash, so that no password is kept
/// in the waiting batch. A password that breaks the rules stays, to be reported.
async fn hash_user_passwords(rows: &mut [BTreeMap<String, String>]) -> Result<()> {
    for row in rows.iter_mut() {
        let password = row.remove("password").unwrap_or_default();
        if password.is_empty() {
            continue;
        }
        let username = row.get("username").cloned().unwrap_or_default();
        match crate::domain::user::check_new_password("password", &password, &username) {
            Ok(()) => {
                let hash = super::accounts::hash_password(&password).await?;
                row.insert(PASSWORD_HASH.to_string(), hash);
            }
            Err(_) => {
                row.insert("password".to_string(), password);
            }
        }
    }
    Ok(())
}

fn read_sheet(resource: Resource, bytes: &[u8]) -> Result<Sheet> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid("file", Msg::new("err-file-too-large").with("mb", MAX_FILE_BYTES / 1024 / 1024)));
    }
    let table = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(bytes)? } else { read_csv(bytes)? };
    // No text column may store a NUL character.
    if table.iter().flatten().any(|cell| cell.contains('\0')) {
        return Err(Error::invalid("file", Msg::new("err-nul")));
    }
    let mut lines = table.into_iter();
    let Some(header_row) = lines.next() else {
        return Err(Error::invalid("file", Msg::new("err-file-empty")));
    };
    let mut headers = BTreeMap::new();
    let mut positions: Vec<Option<Column>> = Vec::new();
    let mut ignored_columns = Vec::new();
    for header in &header_row {
        let column = column_for_header(resource, header);
        match column {
            Some(c) if !headers.contains_key(c.field) => {
                headers.insert(c.field, header.trim().to_string());
                positions.push(Some(c));
            }
            _ => {
                if !header.trim().is_empty() {
                    ignored_columns.push(header.trim().to_string());
                }
                positions.push(None);
            }
        }
    }
    let missing: Vec<&str> =
        columns(resource).iter().filter(|c| c.required && !headers.contains_key(c.field)).map(|c| c.header).collect();
    if !missing.is_empty() {
        let msg = Msg::new("err-file-missing-columns").with("columns", missing.join("、"));
        return Err(Error::invalid("file", msg));
    }
    let mut rows = Vec::new();
    for line in lines {
        if line.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(Error::invalid("file", Msg::new("err-file-too-many-rows").with("max", MAX_ROWS)));
        }
        let mut row = BTreeMap::new();
        for (cell, column) in line.into_iter().zip(&positions) {
            if let Some(column) = column {
                row.insert(column.field.to_string(), cell);
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::invalid("file", Msg::new("err-file-empty")));
    }
    Ok(Sheet { headers, rows, ignored_columns })
}

/// CSV in UTF-8 (with or without a byte-order mark) or, as Excel on Chinese
/// Windows saves it, GB18030.
fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_string(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors || text.contains('\0') {
                return Err(Error::invalid("file", Msg::new("err-file-format")));
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut table = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| Error::invalid("file", Msg::new("err-file-format")))?;
        table.push(record.iter().map(undo_formula_guard).collect());
    }
    Ok(table)
}

/// A cell trimmed, without the `'` an export puts before `=`, `+`, `-` or `@` so
/// that Excel does not take it for a formula: an exported file imports unchanged.
fn undo_formula_guard(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let bad = || Error::invalid("file", Msg::new("err-file-format"));
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| bad())?;
    let range = workbook.worksheet_range_at(0).ok_or_else(bad)?.map_err(|_| bad())?;
    Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => undo_formula_guard(s),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        // Codes and phone numbers typed into Excel arrive as numbers.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) => String::new(),
    }
}
