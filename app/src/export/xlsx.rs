//! XLSX, written as the rows arrive: the zip is a stream (each part's CRC and sizes
//! follow its data in a data descriptor, so nothing is seeked back to), and the one
//! worksheet is SpreadsheetML with inline strings (no shared-string table to hold).
//! Memory stays at one page of rows plus the compressor's window.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Datelike, Offset, Timelike, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

use super::{COLUMNS, Cell, Encoder};

/// Rows a worksheet holds, the heading row included (Excel's limit).
const MAX_ROWS: u32 = 1_048_576;
/// Characters a cell holds (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;
/// Index in `cellXfs` of `STYLES`: moments shown `dd/mm/yyyy hh:mm`.
const STYLE_MOMENT: u8 = 1;
/// Index in `cellXfs` of `STYLES`: bold headings.
const STYLE_HEADING: u8 = 2;
/// Excel's serial day number of 1970-01-01 (day 0 is 1899-12-30).
const SERIAL_OF_UNIX_EPOCH: i64 = 25_569;
/// Fast deflate: worksheet XML is repetitive enough that higher levels buy little.
const COMPRESSION_LEVEL: i64 = 3;

const SPREADSHEETML: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const CONTENT_TYPES: &str = concat!(
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    "</Types>"
);

const PACKAGE_RELATIONSHIPS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "</Relationships>"
);

const WORKBOOK_RELATIONSHIPS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "</Relationships>"
);

/// Cell formats: 0 plain, 1 (`STYLE_MOMENT`) day-first date and time, 2 (`STYLE_HEADING`) bold.
const STYLES: &str = concat!(
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy hh:mm\"/></numFmts>",
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>",
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "</styleSheet>"
);

/// The bytes the zip writer has produced since they were last taken. Shared because
/// the zip writer owns its output and the stream hands the bytes on between pages.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Output {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A workbook of one worksheet, streamed.
pub(super) struct Xlsx {
    sheet_name: String,
    zip: Option<ZipWriter<StreamWriter<Output>>>,
    output: Output,
    options: SimpleFileOptions,
    /// Rows written so far, the heading row included.
    rows: u32,
}

impl Xlsx {
    pub(super) fn new(sheet_name: &str) -> Xlsx {
        let output = Output::default();
        let now = Utc::now().with_timezone(&Ho_Chi_Minh);
        let mut options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(COMPRESSION_LEVEL));
        // Two-digit fields from a valid date always fit; the year range is zip's.
        if let Ok(modified) = zip::DateTime::from_date_and_time(
            u16::try_from(now.year()).unwrap_or(1980),
            now.month() as u8,
            now.day() as u8,
            now.hour() as u8,
            now.minute() as u8,
            now.second() as u8,
        ) {
            options = options.last_modified_time(modified);
        }
        Xlsx {
            sheet_name: sheet_name_of(sheet_name),
            zip: Some(ZipWriter::new_stream(output.clone())),
            output,
            options,
            rows: 0,
        }
    }

    fn zip(&mut self) -> std::io::Result<&mut ZipWriter<StreamWriter<Output>>> {
        self.zip
            .as_mut()
            .ok_or_else(|| std::io::Error::other("the workbook is already finished"))
    }

    fn part(&mut self, name: &str, xml: &str) -> std::io::Result<()> {
        let options = self.options;
        let zip = self.zip()?;
        zip.start_file(name, options)?;
        zip.write_all(XML_DECLARATION.as_bytes())?;
        zip.write_all(xml.as_bytes())
    }
}

impl Encoder for Xlsx {
    const CONTENT_TYPE: &'static str =
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const EXTENSION: &'static str = "xlsx";

    fn start(&mut self, headings: &[&str]) -> std::io::Result<Vec<u8>> {
        self.part("[Content_Types].xml", CONTENT_TYPES)?;
        self.part("_rels/.rels", PACKAGE_RELATIONSHIPS)?;
        let mut workbook = format!(
            "<workbook xmlns=\"{SPREADSHEETML}\" xmlns:r=\"{RELATIONSHIPS}\"><sheets><sheet name=\""
        );
        push_escaped(&mut workbook, &self.sheet_name);
        workbook.push_str("\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        self.part("xl/workbook.xml", &workbook)?;
        self.part("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS)?;
        self.part("xl/styles.xml", STYLES)?;

        // The worksheet stays open until `finish`: its rows are written page by page.
        let mut sheet = format!(
            "<worksheet xmlns=\"{SPREADSHEETML}\" xmlns:r=\"{RELATIONSHIPS}\">\
             <sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">\
             <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
             <selection pane=\"bottomLeft\"/></sheetView></sheetViews><cols>"
        );
        for (index, column) in COLUMNS.iter().enumerate() {
            let number = index + 1;
            let _ = write!(
                sheet,
                "<col min=\"{number}\" max=\"{number}\" width=\"{}\" customWidth=\"1\"/>",
                column.width
            );
        }
        sheet.push_str("</cols><sheetData>");
        self.rows = 1;
        sheet.push_str("<row r=\"1\">");
        for (index, heading) in headings.iter().enumerate() {
            push_text_cell(&mut sheet, index, 1, heading, Some(STYLE_HEADING));
        }
        sheet.push_str("</row>");
        self.part("xl/worksheets/sheet1.xml", &sheet)?;
        Ok(self.output.take())
    }

    fn rows(&mut self, rows: &[[Cell; COLUMNS.len()]]) -> std::io::Result<Vec<u8>> {
        let room = (MAX_ROWS - self.rows) as usize;
        if rows.len() > room {
            tracing::warn!(
                max_rows = MAX_ROWS,
                "ticket export cut at the worksheet's row limit"
            );
        }
        let mut xml = String::with_capacity(rows.len().min(room) * 1200);
        for row in rows.iter().take(room) {
            self.rows += 1;
            let number = self.rows;
            let _ = write!(xml, "<row r=\"{number}\">");
            for (index, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(text) => push_text_cell(&mut xml, index, number, text, None),
                    Cell::Moment(moment) => {
                        let _ = write!(
                            xml,
                            "<c r=\"{}{number}\" s=\"{STYLE_MOMENT}\"><v>{}</v></c>",
                            column_letter(index),
                            serial(*moment)
                        );
                    }
                    Cell::Empty => {}
                }
            }
            xml.push_str("</row>");
        }
        self.zip()?.write_all(xml.as_bytes())?;
        Ok(self.output.take())
    }

    fn is_full(&self) -> bool {
        self.rows >= MAX_ROWS
    }

    fn finish(&mut self) -> std::io::Result<Vec<u8>> {
        let mut zip = self
            .zip
            .take()
            .ok_or_else(|| std::io::Error::other("the workbook is already finished"))?;
        zip.write_all(b"</sheetData></worksheet>")?;
        zip.finish()?;
        Ok(self.output.take())
    }
}

/// Columns are A to N: fewer than 26.
fn column_letter(index: usize) -> char {
    char::from(b'A' + index as u8)
}

fn push_text_cell(xml: &mut String, column: usize, row: u32, text: &str, style: Option<u8>) {
    let _ = write!(
        xml,
        "<c r=\"{}{row}\" t=\"inlineStr\"",
        column_letter(column)
    );
    if let Some(style) = style {
        let _ = write!(xml, " s=\"{style}\"");
    }
    // Leading or trailing blanks are dropped by XML readers unless asked to keep them.
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        xml.push_str("><is><t xml:space=\"preserve\">");
    } else {
        xml.push_str("><is><t>");
    }
    push_escaped(xml, text);
    xml.push_str("</t></is></c>");
}

/// Text as XML character data: markup escaped, characters XML 1.0 forbids (control
/// characters a pasted text may carry) dropped, cut at Excel's cell limit.
fn push_escaped(xml: &mut String, text: &str) {
    for character in text.chars().take(MAX_CELL_CHARS) {
        match character {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '"' => xml.push_str("&quot;"),
            '\t' | '\n' | '\r' => xml.push(character),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            other => xml.push(other),
        }
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name_of(name: &str) -> String {
    let name: String = name
        .chars()
        .filter(|character| !"[]:*?/\\".contains(*character))
        .take(31)
        .collect();
    if name.trim().is_empty() {
        "Sheet1".to_owned()
    } else {
        name
    }
}

/// A moment as Excel's serial date (days since 1899-12-30, time as the fraction),
/// in Vietnam time, which is what the `dd/mm/yyyy hh:mm` format then shows.
fn serial(moment: DateTime<Utc>) -> f64 {
    let offset = moment
        .with_timezone(&Ho_Chi_Minh)
        .offset()
        .fix()
        .local_minus_utc();
    let local_seconds = moment.timestamp() + i64::from(offset);
    SERIAL_OF_UNIX_EPOCH as f64 + local_seconds as f64 / 86_400.0
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use chrono::TimeZone;

    use super::*;

    fn moment(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn serial_dates_are_vietnam_time() {
        // 2026-12-31 18:05 UTC is 01/01/2027 01:05 in Ho Chi Minh City.
        let value = serial(moment(2026, 12, 31, 18, 5));
        assert_eq!(value.floor(), 46388.0, "serial day of 2027-01-01");
        let minutes = ((value - value.floor()) * 24.0 * 60.0).round();
        assert_eq!(minutes, 65.0);
        assert!((serial(moment(2026, 1, 1, 0, 0)) - (46023.0 + 7.0 / 24.0)).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped_and_cleaned() {
        let mut xml = String::new();
        push_escaped(&mut xml, "a<b> & \"c\"\u{1}\u{b}\td\n");
        assert_eq!(xml, "a&lt;b&gt; &amp; &quot;c&quot;\td\n");
        let mut long = String::new();
        push_escaped(&mut long, &"x".repeat(MAX_CELL_CHARS + 10));
        assert_eq!(long.len(), MAX_CELL_CHARS);
        assert_eq!(sheet_name_of("Phiếu [yêu]: cầu?"), "Phiếu yêu cầu");
        assert_eq!(sheet_name_of("//"), "Sheet1");
    }

    #[test]
    fn a_workbook_reads_back_with_its_rows() {
        let mut xlsx = Xlsx::new("Phiếu yêu cầu");
        let mut bytes = xlsx.start(&["Mã", "Ngày"]).expect("start");
        let mut row: [Cell; COLUMNS.len()] = std::array::from_fn(|_| Cell::Empty);
        row[0] = Cell::Text(" A&B ".to_owned());
        row[1] = Cell::Moment(moment(2026, 1, 2, 3, 4));
        bytes.extend(xlsx.rows(&[row]).expect("rows"));
        bytes.extend(xlsx.finish().expect("finish"));
        assert!(bytes.starts_with(b"PK\x03\x04"));

        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
        let mut sheet = String::new();
        archive
            .by_name("xl/worksheets/sheet1.xml")
            .expect("the worksheet")
            .read_to_string(&mut sheet)
            .expect("utf-8");
        assert!(sheet.ends_with("</row></sheetData></worksheet>"));
        assert!(sheet.contains(
            "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> A&amp;B </t></is></c>\
             <c r=\"B2\" s=\"1\"><v>"
        ));
        for part in [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/styles.xml",
        ] {
            assert!(archive.by_name(part).is_ok(), "{part}");
        }
    }
}
