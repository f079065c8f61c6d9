//! First start: an empty database gets one administrator, so the portal is usable
//! and never open. The generated password goes to a file only the operator can read,
//! never to the log, and must be changed at first sign-in.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::distributions::{Alphanumeric, DistString};
use tcrm_app::auth::hash_password;
use tcrm_app::domain::{Role, Username};
use tcrm_app::store::Db;
use tcrm_app::store::users::NewStaffUser;

pub const INITIAL_ADMIN: &str = "admin";
pub const PASSWORD_FILE: &str = "initial-admin-password.txt";

/// When no active administrator exists, creates `admin` with a random password written
/// to `data_dir/initial-admin-password.txt`; returns that file's path.
pub async fn ensure_admin(db: &Db, data_dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    if db.count_active_admins().await? > 0 {
        return Ok(None);
    }
    let username = Username::parse(INITIAL_ADMIN).map_err(|error| anyhow::anyhow!("{error}"))?;
    if db.staff_user_by_username(&username).await?.is_some() {
        // An `admin` account exists but is inactive: an operator decided that; leave it.
        return Ok(None);
    }
    let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 20);
    let hash = hash_password(password.clone()).await?;
    std::fs::create_dir_all(data_dir).context("creating the data directory")?;
    let path = data_dir.join(PASSWORD_FILE);
    write_private(&path, &format!("{password}\n"))?;
    db.create_staff_user(&NewStaffUser {
        username: &username,
        display_name: "Quản trị hệ thống",
        password_hash: &hash,
        role: Role::Admin,
        branch: None,
        must_change_password: true,
    })
    .await?;
    db.record_audit_event(None, "user.bootstrap_admin", INITIAL_ADMIN, "")
        .await?;
    Ok(Some(path))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}
