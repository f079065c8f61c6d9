//! CSV: UTF-8 with a byte-order mark (so Excel reads the accents), moments as
//! `dd/mm/yyyy HH:MM` Vietnam time.

use super::{COLUMNS, Cell, Encoder};

pub(super) struct Csv;

impl Encoder for Csv {
    const CONTENT_TYPE: &'static str = "text/csv; charset=utf-8";
    const EXTENSION: &'static str = "csv";

    fn start(&mut self, headings: &[&str]) -> std::io::Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
        writer.write_record(headings)?;
        writer.into_inner().map_err(|error| error.into_error())
    }

    fn rows(&mut self, rows: &[[Cell; COLUMNS.len()]]) -> std::io::Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 200));
        for row in rows {
            let fields = row.iter().map(|cell| match cell {
                Cell::Text(text) => text.clone(),
                Cell::Moment(moment) => crate::format::date_time(*moment),
                Cell::Empty => String::new(),
            });
            writer.write_record(fields)?;
        }
        writer.into_inner().map_err(|error| error.into_error())
    }

    fn finish(&mut self) -> std::io::Result<Vec<u8>> {
        Ok(Vec::new())
    }
}
