//! Ticket attachments: uploaded with a plain multipart form (works without
//! JavaScript), checked by content rather than by name, stored by content hash
//! under the data directory, and served only to users who may see the ticket.

use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use crate::request::RequestIdentity;
use crate::state::AppState;
use crate::tickets::{may_work, parse_ticket_id, visible_ticket};

/// The largest file accepted: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What a file really is, read from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        [b'%', b'P', b'D', b'F', b'-', ..] => Some("application/pdf"),
        _ => None,
    }
}

/// Why an upload was refused, as the ticket page explains it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadRefusal {
    Empty,
    TooBig,
    Type,
}

impl UploadRefusal {
    pub fn code(self) -> &'static str {
        match self {
            UploadRefusal::Empty => "empty",
            UploadRefusal::TooBig => "too_big",
            UploadRefusal::Type => "type",
        }
    }

    pub fn parse(code: &str) -> Option<UploadRefusal> {
        [
            UploadRefusal::Empty,
            UploadRefusal::TooBig,
            UploadRefusal::Type,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    pub fn key(self) -> crate::i18n::Key {
        match self {
            UploadRefusal::Empty => crate::i18n::Key::UploadEmpty,
            UploadRefusal::TooBig => crate::i18n::Key::UploadTooBig,
            UploadRefusal::Type => crate::i18n::Key::UploadType,
        }
    }
}

fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "tep-dinh-kem".to_owned()
    } else {
        cleaned
    }
}

/// `POST /tickets/{id}/attachments` (multipart, field `file`).
pub async fn upload(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let Some(user) = identity.user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(ticket_id) = parse_ticket_id(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let ticket = match visible_ticket(&state.db, &user, ticket_id).await {
        Ok(ticket) => ticket,
        Err(error) => return error.http_status().into_response(),
    };
    if may_work(&user, ticket.branch_code.as_ref()).is_err() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let back = |refusal: UploadRefusal| {
        Redirect::to(&format!("/tickets/{ticket_id}?upload={}", refusal.code())).into_response()
    };

    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = clean_file_name(field.file_name().unwrap_or_default());
                match field.bytes().await {
                    Ok(bytes) if bytes.len() > MAX_BYTES => return back(UploadRefusal::TooBig),
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    Err(_) => return back(UploadRefusal::TooBig),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            // The body limit cuts the stream: the file was too big.
            Err(_) => return back(UploadRefusal::TooBig),
        }
    }
    let Some((name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        return back(UploadRefusal::Empty);
    };
    let Some(content_type) = sniff(&bytes) else {
        return back(UploadRefusal::Type);
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let path = state.attachments_dir.join(&sha256);
    if !path.exists() {
        let temporary = state.attachments_dir.join(format!("{sha256}.part"));
        let written = async {
            tokio::fs::create_dir_all(&state.attachments_dir).await?;
            tokio::fs::write(&temporary, &bytes).await?;
            tokio::fs::rename(&temporary, &path).await
        }
        .await;
        if let Err(error) = written {
            tracing::error!(%error, "storing an attachment");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let new = crate::store::tickets::NewAttachment {
        ticket: ticket_id,
        file_name: &name,
        content_type,
        size_bytes: size,
        sha256: &sha256,
        actor: user.id,
        actor_label: &user.display_name,
    };
    match state.db.add_attachment(&new).await {
        Ok(_) => Redirect::to(&format!("/tickets/{ticket_id}?done=uploaded")).into_response(),
        Err(error) => crate::error::AppError::from(error)
            .http_status()
            .into_response(),
    }
}

/// `GET /attachments/{id}`: the file, to users who may see its ticket.
pub async fn download(
    State(state): State<AppState>,
    Extension(identity): Extension<RequestIdentity>,
    Path(id): Path<String>,
) -> Response {
    let Some(user) = identity.user else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let attachment = match state.db.attachment(id).await {
        Ok(attachment) => attachment,
        Err(error) => {
            return crate::error::AppError::from(error)
                .http_status()
                .into_response();
        }
    };
    // Outside the user's scope the file does not exist.
    if visible_ticket(&state.db, &user, attachment.ticket_id)
        .await
        .is_err()
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let bytes = match tokio::fs::read(state.attachments_dir.join(&attachment.sha256)).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, attachment = id, "reading an attachment");
            return StatusCode::NOT_FOUND.into_response();
        }
    };
    let encoded: String = attachment
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, attachment.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_read_from_content_not_names() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(
            clean_file_name("C:\\Users\\a\\ảnh bể ống.jpg"),
            "ảnh bể ống.jpg"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b"), "ab");
        assert_eq!(clean_file_name(""), "tep-dinh-kem");
    }
}
