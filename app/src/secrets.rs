//! Secrets this instance must be able to read back (a peer's API password):
//! sealed with ChaCha20-Poly1305 under the instance's key, stored as base64.
//! The key comes from `TCRM_SECRET_KEY` (base64, 32 bytes) or, when unset, from
//! `TCRM_DATA_DIR/secret.key`, generated on first start (mode 0600).

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng};
use chacha20poly1305::{AeadCore, ChaCha20Poly1305, Key, Nonce};

/// The instance's secret key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretKey(Key);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// A sealed value that could not be opened (another key, or tampered with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed secret cannot be opened with this instance's key")]
pub struct Unsealable;

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(Key::from(bytes))
    }

    /// `TCRM_SECRET_KEY`, else `data_dir/secret.key` (created when missing).
    pub fn load(data_dir: &Path) -> anyhow::Result<SecretKey> {
        if let Ok(value) = std::env::var("TCRM_SECRET_KEY")
            && !value.trim().is_empty()
        {
            return SecretKey::decode(value.trim())
                .context("TCRM_SECRET_KEY must be 32 bytes in base64");
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretKey::decode(text.trim())
                .with_context(|| format!("{} must hold 32 bytes in base64", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = ChaCha20Poly1305::generate_key(&mut OsRng);
                let text = STANDARD.encode(key);
                write_private(&path, &text)?;
                tracing::info!(file = %path.display(), "generated the instance's secret key");
                Ok(SecretKey(key))
            }
            Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
        }
    }

    fn decode(text: &str) -> anyhow::Result<SecretKey> {
        let bytes = STANDARD.decode(text)?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("expected 32 bytes"))?;
        Ok(SecretKey::from_bytes(bytes))
    }

    /// Seals `plain` (a fresh random nonce each time).
    pub fn seal(&self, plain: &str) -> String {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption with a valid key and nonce cannot fail for in-memory data.
        let sealed = cipher.encrypt(&nonce, plain.as_bytes()).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, Unsealable> {
        let bytes = STANDARD.decode(sealed).map_err(|_| Unsealable)?;
        if bytes.len() < 12 {
            return Err(Unsealable);
        }
        let (nonce, body) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new(&self.0);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain).map_err(|_| Unsealable)
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = SecretKey::from_bytes([7; 32]);
        let sealed = key.seal("mật khẩu của GD");
        assert!(!sealed.contains("GD"));
        assert_ne!(sealed, key.seal("mật khẩu của GD"), "fresh nonce");
        assert_eq!(key.open(&sealed).as_deref(), Ok("mật khẩu của GD"));
        assert_eq!(
            SecretKey::from_bytes([8; 32]).open(&sealed),
            Err(Unsealable)
        );
        assert_eq!(key.open("not base64!"), Err(Unsealable));
        assert_eq!(format!("{key:?}"), "SecretKey(…)");
    }
}
