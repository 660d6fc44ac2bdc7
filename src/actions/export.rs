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

/// The whole list in the actor's scope, as a file.
pub async fn export(app: &App, actor: &Actor, resource: Resource, format: Format) -> Result<Vec<u8>> {
    let path = actor.scope().region_path();
    require(actor, Action::Export, resource, &Target { region_path: &path, id: None, unit_ids: &[] })?;
    let rows = collect_rows(app, actor, resource).await?;
    let headers: Vec<&str> = columns(resource).iter().map(|c| c.header).collect();
    let fields: Vec<&str> = columns(resource).iter().map(|c| c.field).collect();
    let table: Vec<Vec<String>> =
        rows.iter().map(|row| fields.iter().map(|f| row.get(*f).cloned().unwrap_or_default()).collect()).collect();
    match format {
        Format::Csv => write_csv(&headers, &table),
        Format::Xlsx => write_xlsx(&headers, &table),
    }
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

fn defuse_formula(cell: &str) -> String {
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
