//! The files of an export: parts of at most so many rows, each written under a
//! temporary name and renamed into place when it is complete, so a file under its
//! final name is always whole. CSV is streamed to disk row by row (UTF-8 with a BOM,
//! formulas defused, as the direct exports do); XLSX goes through rust_xlsxwriter in
//! its constant-memory mode, which keeps one row in memory and the rest in a
//! temporary file in the export's folder. Everything here blocks: the runner calls it
//! on a blocking thread.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::Workbook;

use crate::actions::export::{Format, defuse_formula};
use crate::error::{Error, Result};

/// The final name of part `number` in an export's folder.
pub fn part_path(dir: &Path, number: i64, format: Format) -> PathBuf {
    dir.join(format!("part-{number}.{}", format.extension()))
}

/// Writes the rows of one export into its parts.
pub struct PartWriter {
    dir: PathBuf,
    format: Format,
    headers: Vec<String>,
    part_rows: i64,
    /// Parts complete and in place.
    parts_done: i64,
    open: Option<OpenPart>,
}

struct OpenPart {
    rows: i64,
    file: PartFile,
}

enum PartFile {
    Csv(Box<csv::Writer<BufWriter<File>>>),
    Xlsx(Box<Workbook>),
}

fn internal<E: Into<anyhow::Error>>(error: E) -> Error {
    Error::Internal(error.into())
}

impl PartWriter {
    /// An empty folder `dir` for this run, inside the export's `root`, from which
    /// what an earlier, lost run left is removed first.
    pub fn start(
        root: &Path,
        dir: PathBuf,
        format: Format,
        headers: Vec<String>,
        part_rows: i64,
    ) -> Result<PartWriter> {
        if root.exists() {
            std::fs::remove_dir_all(root).map_err(internal)?;
        }
        std::fs::create_dir_all(&dir).map_err(internal)?;
        Ok(PartWriter { dir, format, headers, part_rows: part_rows.max(1), parts_done: 0, open: None })
    }

    pub fn parts_done(&self) -> i64 {
        self.parts_done
    }

    /// Appends rows, opening a new part whenever the current one is full; `last`
    /// closes the final part (an empty list still gets one part with its headers).
    pub fn write(mut self, rows: Vec<Vec<String>>, last: bool) -> Result<PartWriter> {
        for row in rows {
            if self.open.as_ref().is_some_and(|p| p.rows >= self.part_rows) {
                self.close()?;
            }
            if self.open.is_none() {
                self.open()?;
            }
            let part = self.open.as_mut().ok_or_else(|| internal(anyhow::anyhow!("no open part")))?;
            part.rows += 1;
            match &mut part.file {
                PartFile::Csv(writer) => {
                    let safe: Vec<String> = row.iter().map(|cell| defuse_formula(cell)).collect();
                    writer.write_record(&safe).map_err(internal)?;
                }
                PartFile::Xlsx(workbook) => {
                    let sheet = workbook.worksheet_from_index(0).map_err(internal)?;
                    for (col, cell) in row.iter().enumerate() {
                        // Every cell is text, so codes and phone numbers keep their digits.
                        sheet.write_string(part.rows as u32, col as u16, cell).map_err(internal)?;
                    }
                }
            }
        }
        if last {
            if self.open.is_none() && self.parts_done == 0 {
                self.open()?;
            }
            if self.open.is_some() {
                self.close()?;
            }
        }
        Ok(self)
    }

    fn temporary(&self, number: i64) -> PathBuf {
        self.dir.join(format!("part-{number}.{}.partial", self.format.extension()))
    }

    fn open(&mut self) -> Result<()> {
        let number = self.parts_done + 1;
        let file = match self.format {
            Format::Csv => {
                let mut out = BufWriter::new(File::create(self.temporary(number)).map_err(internal)?);
                out.write_all("\u{feff}".as_bytes()).map_err(internal)?;
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(&self.headers).map_err(internal)?;
                PartFile::Csv(Box::new(writer))
            }
            Format::Xlsx => {
                let mut workbook = Workbook::new();
                workbook.set_tempdir(&self.dir).map_err(internal)?;
                let sheet = workbook.add_worksheet_with_constant_memory().map_err(internal)?;
                for (col, header) in self.headers.iter().enumerate() {
                    sheet.write_string(0, col as u16, header).map_err(internal)?;
                }
                PartFile::Xlsx(Box::new(workbook))
            }
        };
        self.open = Some(OpenPart { rows: 0, file });
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        let Some(part) = self.open.take() else { return Ok(()) };
        let number = self.parts_done + 1;
        let temporary = self.temporary(number);
        match part.file {
            PartFile::Csv(writer) => {
                let out = writer.into_inner().map_err(|e| internal(anyhow::anyhow!("{e}")))?;
                let file = out.into_inner().map_err(|e| internal(anyhow::anyhow!("{e}")))?;
                file.sync_all().map_err(internal)?;
            }
            PartFile::Xlsx(mut workbook) => {
                workbook.save(&temporary).map_err(internal)?;
            }
        }
        std::fs::rename(&temporary, part_path(&self.dir, number, self.format)).map_err(internal)?;
        self.parts_done = number;
        Ok(())
    }
}
