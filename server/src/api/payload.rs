//! Reading what real clients send: JSON (with a JSON5 fallback for comments and
//! trailing commas), `multipart/form-data` with files, or url-encoded post data;
//! keys as the seed writes them (`"customer name"`, `" content"`, `IdentifyNumber`),
//! numbers as strings or numbers, `null` for empty.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tcrm_app::attachments::{MAX_BYTES, sniff};

use super::error::{ApiError, FieldErrors};

/// The largest request body the API reads: files included.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Files per request (ticket images and members' id cards together).
pub const MAX_FILES: usize = 20;

/// A file sent with the request, already checked to be an image by its content.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Bytes,
}

impl UploadedFile {
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// One household member of a quota registration.
#[derive(Clone, Debug, Default)]
pub struct MemberFields {
    pub fields: BTreeMap<String, Value>,
    pub files: Vec<UploadedFile>,
}

/// A request body, keys normalised, not yet validated.
#[derive(Debug, Default)]
pub struct Payload {
    fields: BTreeMap<String, Value>,
    pub files: Vec<UploadedFile>,
    pub members: BTreeMap<usize, MemberFields>,
    /// Problems met while reading (a file that is not an image, too big, …).
    pub errors: FieldErrors,
    /// PDFs are accepted besides images (from a peer TCRM, whose staff attach documents).
    allow_pdf: bool,
}

/// `"customer name"` → `customer_name`, `IdentifyNumber` → `identify_number`,
/// `" content"` → `content`; then the seed's other spellings of the same field.
pub fn normalize_key(raw: &str) -> String {
    let mut key = String::with_capacity(raw.len() + 4);
    let mut previous_lower = false;
    for c in raw.trim().chars() {
        if c.is_whitespace() || c == '-' {
            if !key.ends_with('_') {
                key.push('_');
            }
            previous_lower = false;
        } else if c.is_ascii_uppercase() {
            if previous_lower && !key.ends_with('_') {
                key.push('_');
            }
            key.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else {
            key.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    match key.as_str() {
        "statue" | "status" => "id_status".to_owned(),
        "id_incident" => "incident_type".to_owned(),
        "image" | "images[]" | "files" | "file" => "images".to_owned(),
        "solver_user" => "solver_user".to_owned(),
        _ => key,
    }
}

/// A multipart or form key such as `members[0][code]` or `images[]`, split into
/// its normalised base and the bracketed parts.
fn split_brackets(raw: &str) -> (String, Vec<String>) {
    let (base, rest) = match raw.find('[') {
        Some(index) => (&raw[..index], &raw[index..]),
        None => (raw, ""),
    };
    let parts = rest
        .split('[')
        .filter_map(|part| part.strip_suffix(']'))
        .map(|part| part.trim().to_owned())
        .collect();
    (normalize_key(base), parts)
}

/// A value as text: strings as sent, numbers written out, `null` as empty.
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Null => Some(String::new()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

impl Payload {
    /// Reads the body by its content type.
    pub async fn read(request: Request) -> Result<Payload, ApiError> {
        Payload::read_allowing(request, false).await
    }

    /// Reads the body; `allow_pdf` also accepts PDF files (peer instances).
    pub async fn read_allowing(request: Request, allow_pdf: bool) -> Result<Payload, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let multipart = Multipart::from_request(request, &())
                .await
                .map_err(|error| {
                    ApiError::BadRequest(format!("Unreadable multipart body: {error}"))
                })?;
            return Payload::from_multipart(multipart, allow_pdf).await;
        }
        let bytes = Bytes::from_request(request, &()).await.map_err(|_| {
            ApiError::PayloadTooLarge(format!(
                "The body is larger than {} MB.",
                MAX_BODY_BYTES / 1024 / 1024
            ))
        })?;
        if content_type.starts_with("application/x-www-form-urlencoded") {
            return Payload::from_form(&bytes);
        }
        Payload::from_json(&bytes)
    }

    /// JSON; a body that is not strict JSON gets a second reading as JSON5
    /// (comments, trailing commas, single quotes), as hand-written clients send.
    pub fn from_json(bytes: &[u8]) -> Result<Payload, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Payload::default());
        }
        let value: Value = match serde_json::from_slice(bytes) {
            Ok(value) => value,
            Err(strict) => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| ApiError::BadRequest("The body is not UTF-8 text.".into()))?;
                json5::from_str(text).map_err(|_| {
                    ApiError::BadRequest(format!(
                        "The body is not JSON (line {}, column {}): send a JSON object, multipart/form-data or url-encoded fields.",
                        strict.line(),
                        strict.column()
                    ))
                })?
            }
        };
        let Value::Object(map) = value else {
            return Err(ApiError::BadRequest(
                "The body must be a JSON object.".into(),
            ));
        };
        let mut payload = Payload::default();
        for (raw, value) in map {
            let key = normalize_key(&raw);
            match key.as_str() {
                "images" => payload.json_images(&value, "images", None),
                "members" => payload.json_members(value),
                _ => {
                    payload.fields.insert(key, value);
                }
            }
        }
        Ok(payload)
    }

    fn from_form(bytes: &[u8]) -> Result<Payload, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
            .map_err(|_| ApiError::BadRequest("Unreadable url-encoded body.".into()))?;
        let mut payload = Payload::default();
        for (raw, value) in pairs {
            payload.text_part(&raw, value);
        }
        Ok(payload)
    }

    async fn from_multipart(
        mut multipart: Multipart,
        allow_pdf: bool,
    ) -> Result<Payload, ApiError> {
        let mut payload = Payload {
            allow_pdf,
            ..Payload::default()
        };
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) => {
                    return Err(ApiError::PayloadTooLarge(format!(
                        "The multipart body could not be read to the end ({error}); at most {} MB in all, {} MB per file.",
                        MAX_BODY_BYTES / 1024 / 1024,
                        MAX_BYTES / 1024 / 1024
                    )));
                }
            };
            let raw = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(ToOwned::to_owned);
            let bytes = field.bytes().await.map_err(|_| {
                ApiError::PayloadTooLarge(format!(
                    "The body is larger than {} MB.",
                    MAX_BODY_BYTES / 1024 / 1024
                ))
            })?;
            match file_name {
                Some(name) => payload.file_part(&raw, name, bytes),
                None => payload.text_part(&raw, String::from_utf8_lossy(&bytes).into_owned()),
            }
        }
        Ok(payload)
    }

    /// A text field of a form: `members[0][code]`, `members` as a JSON array, or a plain key.
    fn text_part(&mut self, raw: &str, value: String) {
        let (base, parts) = split_brackets(raw);
        if base == "members" {
            if parts.is_empty() {
                match serde_json::from_str::<Value>(&value) {
                    Ok(value @ Value::Array(_)) => self.json_members(value),
                    _ => {
                        self.errors.insert(
                            "members".into(),
                            "expected a JSON array of members, or members[N][code|name|address|address_type] fields".into(),
                        );
                    }
                }
                return;
            }
            if let (Some(index), Some(field)) = (
                parts.first().and_then(|p| p.parse::<usize>().ok()),
                parts.get(1),
            ) {
                if index < 100 {
                    self.members
                        .entry(index)
                        .or_default()
                        .fields
                        .insert(normalize_key(field), Value::String(value));
                }
                return;
            }
        }
        if base == "images" {
            // A text part named images (no file): a client placeholder; ignore empty ones.
            if !value.trim().is_empty() {
                self.errors.insert(
                    "images".into(),
                    "expected image files (multipart parts with a file name)".into(),
                );
            }
            return;
        }
        self.fields.insert(base, Value::String(value));
    }

    /// A file part: `images`, `images[]`, `images[N]`, or `members[N][images][]`.
    fn file_part(&mut self, raw: &str, name: String, bytes: Bytes) {
        let (base, parts) = split_brackets(raw);
        let member = if base == "members" {
            parts.first().and_then(|p| p.parse::<usize>().ok())
        } else {
            None
        };
        let field = match member {
            Some(index) => format!("members.{index}.images"),
            None => "images".to_owned(),
        };
        if bytes.is_empty() {
            return;
        }
        if let Some(file) = self.check_file(&field, name, bytes) {
            match member {
                Some(index) if index < 100 => {
                    self.members.entry(index).or_default().files.push(file)
                }
                Some(_) => {}
                None => self.files.push(file),
            }
        }
    }

    fn file_count(&self) -> usize {
        self.files.len() + self.members.values().map(|m| m.files.len()).sum::<usize>()
    }

    fn check_file(&mut self, field: &str, name: String, bytes: Bytes) -> Option<UploadedFile> {
        if self.file_count() >= MAX_FILES {
            self.errors.insert(
                field.to_owned(),
                format!("at most {MAX_FILES} files per request"),
            );
            return None;
        }
        if bytes.len() > MAX_BYTES {
            self.errors.insert(
                field.to_owned(),
                format!(
                    "file {name:?} is {:.1} MB; at most {} MB per file",
                    bytes.len() as f64 / 1_048_576.0,
                    MAX_BYTES / 1024 / 1024
                ),
            );
            return None;
        }
        match sniff(&bytes) {
            Some(content_type)
                if content_type.starts_with("image/")
                    || (self.allow_pdf && content_type == "application/pdf") =>
            {
                Some(UploadedFile {
                    file_name: clean_name(&name),
                    content_type,
                    bytes,
                })
            }
            _ => {
                self.errors.insert(
                    field.to_owned(),
                    format!("file {name:?} is not an image; allowed: JPEG, PNG, GIF, WEBP"),
                );
                None
            }
        }
    }

    /// `images` in JSON: base64 strings (plain or `data:image/…;base64,…`).
    fn json_images(&mut self, value: &Value, field: &str, member: Option<usize>) {
        let items: Vec<&Value> = match value {
            Value::Null => Vec::new(),
            Value::Array(items) => items.iter().collect(),
            single @ Value::String(_) => vec![single],
            _ => {
                self.errors.insert(
                    field.to_owned(),
                    "expected an array of base64-encoded images (or send multipart/form-data files)".into(),
                );
                return;
            }
        };
        for (index, item) in items.into_iter().enumerate() {
            let Some(text) = item.as_str() else {
                self.errors.insert(
                    format!("{field}.{index}"),
                    "expected a base64-encoded image".into(),
                );
                continue;
            };
            let encoded = text.split_once(";base64,").map_or(text, |(_, data)| data);
            let cleaned: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()) {
                Ok(bytes) if !bytes.is_empty() => {
                    let name = format!("image-{}.bin", index + 1);
                    if let Some(file) = self.check_file(field, name, Bytes::from(bytes)) {
                        match member {
                            Some(member) => {
                                self.members.entry(member).or_default().files.push(file)
                            }
                            None => self.files.push(file),
                        }
                    }
                }
                _ => {
                    self.errors.insert(
                        format!("{field}.{index}"),
                        "not base64-encoded image data; send the file with multipart/form-data or as base64".into(),
                    );
                }
            }
        }
    }

    fn json_members(&mut self, value: Value) {
        let Value::Array(items) = value else {
            if !value.is_null() {
                self.errors
                    .insert("members".into(), "expected an array of members".into());
            }
            return;
        };
        for (index, item) in items.into_iter().enumerate().take(100) {
            let Value::Object(map) = item else {
                self.errors.insert(
                    format!("members.{index}"),
                    "expected an object with code, name, address, address_type".into(),
                );
                continue;
            };
            for (raw, value) in map {
                let key = normalize_key(&raw);
                if key == "images" {
                    self.json_images(&value, &format!("members.{index}.images"), Some(index));
                } else {
                    self.members
                        .entry(index)
                        .or_default()
                        .fields
                        .insert(key, value);
                }
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// Every field sent, by normalised key.
    pub fn fields(&self) -> &BTreeMap<String, Value> {
        &self.fields
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.fields.keys()
    }

    /// A digest of everything sent (fields, members, files' hashes), to tell a
    /// replay of the same `id_feedback` from a different request under it.
    pub fn digest(&self) -> String {
        fn hash_fields(hasher: &mut Sha256, fields: &BTreeMap<String, Value>) {
            for (key, value) in fields {
                hasher.update(key.as_bytes());
                hasher.update([0]);
                hasher.update(
                    as_text(value)
                        .unwrap_or_else(|| value.to_string())
                        .as_bytes(),
                );
                hasher.update([1]);
            }
        }
        let mut hasher = Sha256::new();
        hash_fields(&mut hasher, &self.fields);
        for (index, member) in &self.members {
            hasher.update(format!("member{index}").as_bytes());
            hash_fields(&mut hasher, &member.fields);
            for file in &member.files {
                hasher.update(file.sha256().as_bytes());
            }
        }
        for file in &self.files {
            hasher.update(file.sha256().as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "anh.jpg".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_as_the_seed_writes_them() {
        assert_eq!(normalize_key("customer name"), "customer_name");
        assert_eq!(normalize_key(" content"), "content");
        assert_eq!(normalize_key(" option_module"), "option_module");
        assert_eq!(normalize_key("IdentifyNumber"), "identify_number");
        assert_eq!(normalize_key("Statue"), "id_status");
        assert_eq!(normalize_key("id_incident"), "incident_type");
        assert_eq!(normalize_key("images[]"), "images");
    }

    #[test]
    fn bracketed_form_keys_split_into_parts() {
        assert_eq!(
            split_brackets("members[0][code]"),
            (
                "members".to_owned(),
                vec!["0".to_owned(), "code".to_owned()]
            )
        );
        assert_eq!(
            split_brackets("images[]"),
            ("images".to_owned(), vec![String::new()])
        );
    }

    #[test]
    fn json5_fallback_reads_comments_and_trailing_commas() {
        let body = br#"{ "phone_number": "0903173347", //required
            "title": "T", }"#;
        let payload = Payload::from_json(body).expect("read");
        assert_eq!(payload.get("title"), Some(&Value::String("T".into())));
        assert!(Payload::from_json(b"{ not json at all").is_err());
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        let payload =
            Payload::from_json(br#"{"ward_code": "1", "ward_code": "27073"}"#).expect("read");
        assert_eq!(
            payload.get("ward_code"),
            Some(&Value::String("27073".into()))
        );
    }

    #[test]
    fn the_digest_changes_with_any_field() {
        let a = Payload::from_json(br#"{"id_feedback": "1", "content": "a"}"#).expect("read");
        let b = Payload::from_json(br#"{"content": "a", "id_feedback": 1}"#).expect("read");
        let c = Payload::from_json(br#"{"id_feedback": "1", "content": "b"}"#).expect("read");
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), c.digest());
    }
}
