//! Exporting a list, as the person may see it, to CSV or XLSX with the same
//! columns an import reads.

use rust_xlsxwriter::Workbook;

use super::require;
use crate::app::App;
use crate::db::PageRequest;
use crate::domain::columns::columns;
use crate::domain::permission::{Action, Resource, Target};
use crate::domain::user::Actor;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(raw: &str) -> Option<Format> {
        match raw {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A direct export: the file, or, for a list longer than
/// `Config::export_direct_max_rows`, how long it is (a background export is needed).
#[derive(Debug)]
pub enum Exported {
    File(Vec<u8>),
    TooLong { rows: i64 },
}

impl Exported {
    /// The file, when the list was short enough.
    pub fn into_file(self) -> Option<Vec<u8>> {
        match self {
            Exported::File(bytes) => Some(bytes),
            Exported::TooLong { .. } => None,
        }
    }
}

/// The whole list in the actor's scope, as a file, if it is short enough to build
/// at once; never a part of it.
pub async fn export(app: &App, actor: &Actor, resource: Resource, format: Format) -> Result<Exported> {
    let path = actor.scope().region_path();
    require(actor, Action::Export, resource, &Target { region_path: &path, id: None, unit_ids: &[] })?;
    let (_, total) = super::records::list(app, actor, resource, "", PageRequest::new(1, 1)).await?;
    if total > app.config().export_direct_max_rows {
        return Ok(Exported::TooLong { rows: total });
    }
    let rows = collect_rows(app, actor, resource).await?;
    let headers: Vec<&str> = columns(resource).iter().map(|c| c.header).collect();
    let fields: Vec<&str> = columns(resource).iter().map(|c| c.field).collect();
    let table: Vec<Vec<String>> =
        rows.iter().map(|row| fields.iter().map(|f| row.get(*f).cloned().unwrap_or_default()).collect()).collect();
    let bytes = match format {
        Format::Csv => write_csv(&headers, &table),
        Format::Xlsx => write_xlsx(&headers, &table),
    }?;
    Ok(Exported::File(bytes))
}

/// Any table (headers and rows of text) as a file: the cockpit's lists use this.
pub fn write_table(format: Format, headers: &[String], table: &[Vec<String>]) -> Result<Vec<u8>> {
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    match format {
        Format::Csv => write_csv(&headers, table),
        Format::Xlsx => write_xlsx(&headers, table),
    }
}

const CHUNK: i64 = 500;

async fn collect_rows(app: &App, actor: &Actor, resource: Resource) -> Result<Vec<super::records::Fields>> {
    let mut out = Vec::new();
    let mut number = 1;
    loop {
        let (records, total) = super::records::list(app, actor, resource, "", PageRequest::new(number, CHUNK)).await?;
        out.extend(records.into_iter().map(|r| r.fields));
        if number * CHUNK >= total {
            return Ok(out);
        }
        number += 1;
    }
}

/// UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly.
fn write_csv(headers: &[&str], table: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(headers).map_err(|e| Error::Internal(e.into()))?;
        for row in table {
            // A cell starting with = + - @ would be a formula in Excel; keep it text.
            let safe: Vec<String> = row.iter().map(|cell| defuse_formula(cell)).collect();
            writer.write_record(&safe).map_err(|e| Error::Internal(e.into()))?;
        }
        writer.flush().map_err(|e| Error::Internal(e.into()))?;
    }
    Ok(out)
}

/// A cell starting with = + - @ would be a formula in Excel; keep it text.
pub(crate) fn defuse_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '@'])
        || (cell.starts_with('-') && !cell[1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn write_xlsx(headers: &[&str], table: &[Vec<String>]) -> Result<Vec<u8>> {
    let internal = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *header).map_err(internal)?;
    }
    for (row_index, row) in table.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            // Every cell is text, so codes and phone numbers keep their digits.
            sheet.write_string(row_index as u32 + 1, col as u16, cell).map_err(internal)?;
        }
    }
    workbook.save_to_buffer().map_err(internal)
}
