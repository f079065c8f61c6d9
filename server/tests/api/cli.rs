//! The `tcrm` command line, run as a real process.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{Backend, both_backends, fresh_database};

pub(crate) struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tcrm ARGS` against a database, with `stdin` as its standard input.
pub(crate) fn tcrm(
    database_url: &str,
    data_dir: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcrm"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("TCRM_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tcrm");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("wait for tcrm");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn user_create_validates_and_writes_once(backend: Backend) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((url, _pg)) = fresh_database(backend, &dir).await else {
        return;
    };
    let migrated = tcrm(&url, dir.path(), &["migrate"], "");
    assert_eq!(migrated.code, Some(0), "{}", migrated.stderr);

    let created = tcrm(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "gd.agent",
            "--role",
            "branch_staff",
            "--branch",
            "gd",
        ],
        "Nhà-Bè-mưa-2026\n",
    );
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    assert!(created.stdout.contains("created user gd.agent"));

    for (args, stdin, expected) in [
        (
            vec!["--username", "x.agent", "--role", "superuser"],
            "Nhà-Bè-mưa-2026\n",
            "role: Unknown role. Allowed: admin, hq_staff",
        ),
        (
            vec![
                "--username",
                "x.agent",
                "--role",
                "branch_staff",
                "--branch",
                "ZZ",
            ],
            "Nhà-Bè-mưa-2026\n",
            "branch: Unknown branch code",
        ),
        (
            vec!["--username", "x.agent", "--role", "admin"],
            "short\n",
            "password: A password has at least 10 characters",
        ),
        (
            vec!["--username", "gd.agent", "--role", "executive"],
            "Nhà-Bè-mưa-2026\n",
            "username: This username is already taken",
        ),
        (
            vec!["--username", "x.agent", "--role", "branch_admin"],
            "Nhà-Bè-mưa-2026\n",
            "branch: This role must be bound to a branch",
        ),
    ] {
        let mut full = vec!["user", "create"];
        full.extend(args.iter().copied());
        let run = tcrm(&url, dir.path(), &full, stdin);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("Nhà-Bè-mưa"),
            "the password never appears"
        );
    }

    let db = tcrm_app::store::Db::connect(&url).await.expect("connect");
    let users = db
        .list_staff_users(&Default::default())
        .await
        .expect("list");
    assert_eq!(users.len(), 1, "only the valid account was written");
    assert_eq!(users[0].branch.as_ref().map(|b| b.as_str()), Some("GD"));
    assert!(
        !users[0].must_change_password,
        "an operator-chosen password stands"
    );
    db.close().await;
}
both_backends!(user_create_validates_and_writes_once);

async fn first_start_creates_one_admin_with_a_private_password_file(backend: Backend) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((url, _pg)) = fresh_database(backend, &dir).await else {
        return;
    };
    let db = tcrm_app::store::Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");

    let path = tcrm_server::bootstrap::ensure_admin(&db, dir.path())
        .await
        .expect("bootstrap")
        .expect("an admin was created");
    let password = std::fs::read_to_string(&path).expect("password file");
    let password = password.trim();
    assert_eq!(password.len(), 20);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let admin = db
        .staff_user_by_username(&tcrm_app::domain::Username::parse("admin").expect("valid"))
        .await
        .expect("query")
        .expect("admin exists");
    assert!(admin.must_change_password);
    assert!(
        tcrm_app::auth::verify_password(password.to_owned(), Some(admin.password_hash))
            .await
            .expect("verify")
    );
    assert_eq!(
        tcrm_server::bootstrap::ensure_admin(&db, dir.path())
            .await
            .expect("bootstrap"),
        None,
        "only once"
    );
    db.close().await;
}
both_backends!(first_start_creates_one_admin_with_a_private_password_file);
