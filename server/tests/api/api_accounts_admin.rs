//! API account administration: the portal's pages and server functions, and
//! `tcrm api-account …`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::StatusCode;
use tcrm_app::api_accounts::{ApiAccountInput, TokenOwners, sign_in, token_owner};
use tcrm_app::domain::ApiAccountKind;
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;
use tcrm_app::store::Db;

use crate::cli::tcrm;
use crate::helpers::{
    Backend, PASSWORD, TestApp, both_backends, fresh_database, invalid_fields, location, outcome,
};

const CREATE: &str = "/api/api-accounts/create";
const ROTATE: &str = "/api/api-accounts/rotate-password";
const ACTIVE: &str = "/api/api-accounts/active";
const LIST: &str = "/admin/api-accounts";
const NEW_PASSWORD: &str = "Đồng-hồ-nước-2027";

fn create_form<'a>(
    username: &'a str,
    kind: &'a str,
    branch: &'a str,
    password: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("username", username),
        ("kind", kind),
        ("branch", branch),
        ("email", "it@example.vn"),
        ("password", password),
        ("password_confirm", password),
    ]
}

/// The account id in a `/admin/api-accounts/{id}?done=…` redirect.
fn account_id(target: &str) -> String {
    target
        .trim_start_matches(LIST)
        .trim_start_matches('/')
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The password a page shows once, if any.
fn shown_password(page: &str) -> Option<String> {
    let start = page.find("data-testid=\"generated-password\"")?;
    let rest = &page[start..];
    let value = &rest[rest.find('>')? + 1..rest.find("</code>")?];
    Some(value.to_owned())
}

/// The audit trail as (action, subject, detail), oldest first. Nothing in the
/// portal reads the trail yet, so the test asks the table itself.
async fn audit_trail(db: &Db) -> Vec<(String, String, String)> {
    let sql = "SELECT action, subject, detail FROM audit_events ORDER BY id";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("audit trail")
}

/// Whether `token` is live, as the API checks it: through `owners`, the reads
/// of token owners it reuses for a moment.
async fn token_is_live(db: &Db, owners: &TokenOwners, token: &str) -> bool {
    token_owner(db, owners, token)
        .await
        .expect("lookup")
        .is_some()
}

async fn an_admin_creates_each_kind_of_account(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;

    for (username, kind, branch, expected_kind, expected_branch) in [
        ("app.backend", "app", "", ApiAccountKind::App, None),
        ("gd.erp", "branch", "gd", ApiAccountKind::Branch, Some("GD")),
        ("hq.link", "hq", "", ApiAccountKind::Hq, None),
    ] {
        let response = app
            .post_form(
                &admin,
                CREATE,
                LIST,
                &create_form(username, kind, branch, PASSWORD),
            )
            .await;
        assert_eq!(outcome(&response), Ok(()), "{username}");
        let target = location(&response);
        assert!(
            target.starts_with("/admin/api-accounts/") && target.ends_with("?done=created"),
            "{target}"
        );
        let stored = app
            .db()
            .api_account_by_username(username)
            .await
            .expect("query")
            .expect("created");
        assert_eq!(stored.kind, expected_kind);
        assert_eq!(
            stored.branch_code.as_ref().map(|b| b.as_str()),
            expected_branch
        );
        assert_eq!(stored.email, "it@example.vn");
        assert!(stored.active);
        assert_eq!(account_id(&target), stored.id.to_string());

        let (status, page) = app.page(&admin, &target).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Đã tạo tài khoản API") && page.contains(username));
        assert_eq!(shown_password(&page), None, "a typed password is not shown");
    }

    let (status, list) = app.page(&admin, LIST).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "app.backend",
        "gd.erp",
        "hq.link",
        "App CSKH (app)",
        "Phần mềm đơn vị (branch)",
        "TCRM liên thông (hq)",
        "it@example.vn",
        "Chưa bao giờ",
    ] {
        assert!(list.contains(text), "the list shows {text}");
    }
    assert!(
        list.contains("href=\"/admin/api-accounts\" aria-current=\"page\""),
        "the navigation marks the page"
    );

    let trail = audit_trail(app.db()).await;
    let created: Vec<_> = trail
        .iter()
        .filter(|(action, _, _)| action == "api_account.create")
        .map(|(_, subject, detail)| (subject.as_str(), detail.as_str()))
        .collect();
    assert_eq!(
        created,
        vec![
            ("app.backend", "kind=app branch=-"),
            ("gd.erp", "kind=branch branch=GD"),
            ("hq.link", "kind=hq branch=-"),
        ]
    );
}
both_backends!(an_admin_creates_each_kind_of_account);

async fn bad_input_names_each_field_and_writes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;
    let first = app
        .post_form(
            &admin,
            CREATE,
            LIST,
            &create_form("gd.erp", "branch", "GD", PASSWORD),
        )
        .await;
    assert_eq!(outcome(&first), Ok(()));

    let no_branch = app
        .post_form(
            &admin,
            CREATE,
            LIST,
            &create_form("cl.erp", "branch", "", PASSWORD),
        )
        .await;
    let error = outcome(&no_branch);
    let Err(AppError::Validation(errors)) = &error else {
        panic!("validation error expected, got {error:?}")
    };
    assert_eq!(
        errors.value("username"),
        Some("cl.erp"),
        "typed values kept"
    );
    assert_eq!(errors.value("password"), None, "never the password");
    assert!(!format!("{errors:?}").contains(PASSWORD));
    assert_eq!(
        invalid_fields(error.clone()),
        vec![("branch".to_owned(), Key::FieldRequired)]
    );
    // Without JavaScript the form comes back with the message by its field.
    let (_, page) = app
        .page(
            &admin,
            location(&no_branch).trim_start_matches(&app.address),
        )
        .await;
    assert!(page.contains("Trường này là bắt buộc.") && page.contains("value=\"cl.erp\""));

    let duplicate = app
        .post_form(
            &admin,
            CREATE,
            LIST,
            &create_form("GD.ERP", "app", "", PASSWORD),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&duplicate)),
        vec![("username".to_owned(), Key::UsernameTaken)]
    );

    let mut differ = create_form("tn.erp", "branch", "TN", PASSWORD);
    differ[5].1 = "something-else-2026";
    let differ = app.post_form(&admin, CREATE, LIST, &differ).await;
    assert_eq!(
        invalid_fields(outcome(&differ)),
        vec![("password_confirm".to_owned(), Key::PasswordsDiffer)]
    );

    let many = app
        .post_form(
            &admin,
            CREATE,
            LIST,
            &[
                ("username", "x"),
                ("kind", "partner"),
                ("branch", ""),
                ("email", "not-an-address"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    let fields: Vec<String> = invalid_fields(outcome(&many))
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(fields, ["username", "kind", "email"]);

    let accounts = app.db().list_api_accounts(None).await.expect("list");
    assert_eq!(accounts.len(), 1, "only the valid account was written");
}
both_backends!(bad_input_names_each_field_and_writes_nothing);

async fn a_branch_admin_manages_only_their_branch_accounts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let input = |username: &str, kind: &str, branch: &str| ApiAccountInput {
        username: username.into(),
        kind: kind.into(),
        branch: branch.into(),
        email: String::new(),
        password: PASSWORD.into(),
    };
    let cl_id =
        tcrm_app::api_account_admin::create(app.db(), None, &input("cl.erp", "branch", "CL"))
            .await
            .expect("create");
    tcrm_app::api_account_admin::create(app.db(), None, &input("app.backend", "app", ""))
        .await
        .expect("create");
    app.create_user("admin.gd", "branch_admin", Some("GD"))
        .await;
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    let branch_admin = app.signed_in("admin.gd").await;

    let own = app
        .post_form(
            &branch_admin,
            CREATE,
            LIST,
            &create_form("gd.erp", "branch", "GD", PASSWORD),
        )
        .await;
    assert_eq!(outcome(&own), Ok(()));
    for (username, kind, branch) in [
        ("cl.other", "branch", "CL"),
        ("app.other", "app", ""),
        ("hq.other", "hq", ""),
    ] {
        let refused = app
            .post_form(
                &branch_admin,
                CREATE,
                LIST,
                &create_form(username, kind, branch, PASSWORD),
            )
            .await;
        assert_eq!(outcome(&refused), Err(AppError::Forbidden), "{username}");
    }

    let (status, list) = app.page(&branch_admin, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("gd.erp"));
    assert!(!list.contains("cl.erp") && !list.contains("app.backend"));
    // The form offers only what they may create.
    assert!(!list.contains("value=\"app\"") && !list.contains("value=\"CL\""));

    let other = format!("{LIST}/{cl_id}");
    let (status, _) = app.page(&branch_admin, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = cl_id.to_string();
    let rotate = app
        .post_form(
            &branch_admin,
            ROTATE,
            &other,
            &[
                ("id", &id),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(outcome(&rotate), Err(AppError::NotFound));
    let off = app
        .post_form(
            &branch_admin,
            ACTIVE,
            &other,
            &[("id", &id), ("active", "false")],
        )
        .await;
    assert_eq!(outcome(&off), Err(AppError::NotFound));
    assert!(app.db().api_account(cl_id).await.expect("account").active);

    let agent = app.signed_in("agent.gd").await;
    let (status, _) = app.page(&agent, LIST).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = app.page(&agent, "/").await;
    assert!(!home.contains("/admin/api-accounts"), "no link for staff");
}
both_backends!(a_branch_admin_manages_only_their_branch_accounts);

async fn rotation_and_deactivation_revoke_tokens(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;
    let created = app
        .post_form(
            &admin,
            CREATE,
            LIST,
            &create_form("gd.erp", "branch", "GD", PASSWORD),
        )
        .await;
    assert_eq!(outcome(&created), Ok(()));
    let id = account_id(&location(&created));
    let page = format!("{LIST}/{id}");
    let db = app.db();
    // One cache through the whole test, as the API keeps one: a revocation made
    // in this process must end the reuse of what it read before.
    let owners = TokenOwners::default();
    let first = sign_in(db, "gd.erp", PASSWORD, None)
        .await
        .expect("signed in");
    assert!(token_is_live(db, &owners, &first.access_token).await);
    let (_, shown) = app.page(&admin, &page).await;
    assert!(shown.contains("Mọi token hiện có của tài khoản ngừng hoạt động ngay"));

    let differ = app
        .post_form(
            &admin,
            ROTATE,
            &page,
            &[
                ("id", &id),
                ("password", NEW_PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&differ)),
        vec![("password_confirm".to_owned(), Key::PasswordsDiffer)]
    );
    let weak = app
        .post_form(
            &admin,
            ROTATE,
            &page,
            &[
                ("id", &id),
                ("password", "gd.erp-2026"),
                ("password_confirm", "gd.erp-2026"),
            ],
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&weak)),
        vec![("password".to_owned(), Key::PasswordContainsUsername)]
    );
    assert!(
        token_is_live(db, &owners, &first.access_token).await,
        "nothing changed"
    );

    let rotated = app
        .post_form(
            &admin,
            ROTATE,
            &page,
            &[
                ("id", &id),
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(outcome(&rotated), Ok(()));
    assert_eq!(location(&rotated), format!("{page}?done=rotated"));
    assert!(
        !token_is_live(db, &owners, &first.access_token).await,
        "revoked"
    );
    assert!(sign_in(db, "gd.erp", PASSWORD, None).await.is_err());
    let second = sign_in(db, "gd.erp", NEW_PASSWORD, None)
        .await
        .expect("the new password works");

    // Both boxes empty: a password is generated and shown once, to this admin only.
    let generated = app
        .post_form(
            &admin,
            ROTATE,
            &page,
            &[("id", &id), ("password", ""), ("password_confirm", "")],
        )
        .await;
    assert_eq!(outcome(&generated), Ok(()));
    let target = location(&generated);
    let (_, once) = app.page(&admin, &target).await;
    let password = shown_password(&once).expect("the generated password is shown");
    assert!(password.len() >= 20, "{password}");
    assert!(!target.contains(&password));
    assert!(once.contains("Đã đổi mật khẩu; mọi token cũ đã ngừng hoạt động."));
    let (_, again) = app.page(&admin, &target).await;
    assert_eq!(shown_password(&again), None, "shown only once");
    assert!(!again.contains(&password));
    assert!(!token_is_live(db, &owners, &second.access_token).await);
    let third = sign_in(db, "gd.erp", &password, None)
        .await
        .expect("the generated password works");

    let off = app
        .post_form(&admin, ACTIVE, &page, &[("id", &id), ("active", "false")])
        .await;
    assert_eq!(outcome(&off), Ok(()));
    assert_eq!(location(&off), format!("{page}?done=deactivated"));
    assert!(
        !token_is_live(db, &owners, &third.access_token).await,
        "revoked"
    );
    let (_, list) = app.page(&admin, LIST).await;
    assert!(list.contains("Đã khoá"));
    assert!(sign_in(db, "gd.erp", &password, None).await.is_err());
    let on = app
        .post_form(&admin, ACTIVE, &page, &[("id", &id), ("active", "true")])
        .await;
    assert_eq!(outcome(&on), Ok(()));
    assert!(sign_in(db, "gd.erp", &password, None).await.is_ok());

    let actions: Vec<String> = audit_trail(db)
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject == "gd.erp")
        .map(|(action, _, _)| action)
        .collect();
    assert_eq!(
        actions,
        [
            "api_account.create",
            "api_account.rotate_password",
            "api_account.rotate_password",
            "api_account.deactivate",
            "api_account.reactivate",
        ]
    );
}
both_backends!(rotation_and_deactivation_revoke_tokens);

async fn the_command_line_creates_rotates_and_deactivates(backend: Backend) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((url, _pg)) = fresh_database(backend, &dir).await else {
        return;
    };
    let created = tcrm(
        &url,
        dir.path(),
        &[
            "api-account",
            "create",
            "--username",
            "gd.erp",
            "--kind",
            "branch",
            "--branch",
            "gd",
            "--email",
            "it@capnuocgiadinh.vn",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    assert!(
        created.stdout.contains("created API account gd.erp (id "),
        "{}",
        created.stdout
    );

    for (args, stdin, expected) in [
        (
            vec!["create", "--username", "x.erp", "--kind", "partner"],
            PASSWORD,
            "kind: Not an allowed value. Allowed: app, branch, hq",
        ),
        (
            vec!["create", "--username", "x.erp", "--kind", "branch"],
            PASSWORD,
            "branch: This field is required.",
        ),
        (
            vec![
                "create",
                "--username",
                "x.erp",
                "--kind",
                "app",
                "--branch",
                "GD",
            ],
            PASSWORD,
            "branch: Only accounts of kind branch are bound to a branch.",
        ),
        (
            vec!["create", "--username", "gd.erp", "--kind", "hq"],
            PASSWORD,
            "username: This username is already taken.",
        ),
        (
            vec!["create", "--username", "x.erp", "--kind", "hq"],
            "short",
            "password: A password has at least 10 characters.",
        ),
        (
            vec!["rotate-password", "--username", "nobody"],
            PASSWORD,
            "username: No API account has this username.",
        ),
        (
            vec!["rotate-password", "--username", "gd.erp"],
            "short",
            "password: A password has at least 10 characters.",
        ),
    ] {
        let mut full = vec!["api-account"];
        full.extend(args.iter().copied());
        let run = tcrm(&url, dir.path(), &full, &format!("{stdin}\n"));
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains(PASSWORD), "the password never appears");
    }

    let db = Db::connect(&url).await.expect("connect");
    let accounts = db.list_api_accounts(None).await.expect("list");
    assert_eq!(accounts.len(), 1, "only the valid account was written");
    assert_eq!(accounts[0].email, "it@capnuocgiadinh.vn");
    let token = sign_in(&db, "gd.erp", PASSWORD, None)
        .await
        .expect("signed in")
        .access_token;

    let rotated = tcrm(
        &url,
        dir.path(),
        &["api-account", "rotate-password", "--username", "GD.ERP"],
        &format!("{NEW_PASSWORD}\n"),
    );
    assert_eq!(rotated.code, Some(0), "{}", rotated.stderr);
    assert!(
        !token_is_live(&db, &TokenOwners::default(), &token).await,
        "revoked"
    );
    let token = sign_in(&db, "gd.erp", NEW_PASSWORD, None)
        .await
        .expect("the new password works")
        .access_token;

    let off = tcrm(
        &url,
        dir.path(),
        &["api-account", "deactivate", "--username", "gd.erp"],
        "",
    );
    assert_eq!(off.code, Some(0), "{}", off.stderr);
    assert!(
        !token_is_live(&db, &TokenOwners::default(), &token).await,
        "revoked"
    );
    assert!(
        !db.api_account(accounts[0].id)
            .await
            .expect("account")
            .active
    );

    let trail: Vec<String> = audit_trail(&db)
        .await
        .into_iter()
        .map(|(action, _, _)| action)
        .collect();
    assert_eq!(
        trail,
        [
            "api_account.create",
            "api_account.rotate_password",
            "api_account.deactivate"
        ]
    );
    db.close().await;
}
both_backends!(the_command_line_creates_rotates_and_deactivates);

/// `tcrm serve` as a process, its log collected line by line.
struct Served {
    child: Child,
    address: String,
    log: mpsc::Receiver<String>,
}

impl Served {
    fn start(database_url: &str, data_dir: &std::path::Path) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tcrm"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("TCRM_DATA_DIR", data_dir)
            .env("TCRM_ADDR", "127.0.0.1:0")
            // Everything, from every crate: the strictest reading of "never logged".
            .env("RUST_LOG", "trace")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tcrm serve");
        let (sender, log) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let mut served = Served {
            child,
            address: String::new(),
            log,
        };
        let mut seen = Vec::new();
        while served.address.is_empty() {
            let line = served
                .log
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|_| panic!("tcrm serve did not start:\n{}", seen.join("\n")));
            if let Some((_, rest)) = line.split_once("listening on http://") {
                let address: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                    .collect();
                served.address = format!("http://{address}");
            }
            seen.push(line);
        }
        served
    }

    /// Stops the server and returns everything it logged.
    fn stop(mut self) -> String {
        self.child.kill().expect("stop tcrm serve");
        self.child.wait().expect("wait for tcrm serve");
        self.log.iter().collect::<Vec<_>>().join("\n")
    }
}

async fn a_generated_password_is_shown_once_and_never_logged(backend: Backend) {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((url, _pg)) = fresh_database(backend, &dir).await else {
        return;
    };
    let admin = tcrm(
        &url,
        dir.path(),
        &[
            "user",
            "create",
            "--username",
            "root.admin",
            "--role",
            "admin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(admin.code, Some(0), "{}", admin.stderr);
    let served = Served::start(&url, dir.path());
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let post = |path: &str, from: &str, form: &[(&str, &str)]| {
        browser
            .post(format!("{}{path}", served.address))
            .header("Accept", "text/html")
            .header("Referer", format!("{}{from}", served.address))
            .form(form)
            .send()
    };
    let signed_in = post(
        "/api/session/sign-in",
        "/login?next=/",
        &[
            ("username", "root.admin"),
            ("password", PASSWORD),
            ("next", "/"),
        ],
    )
    .await
    .expect("sign in");
    assert_eq!(outcome(&signed_in), Ok(()));

    let created = post(CREATE, LIST, &create_form("app.backend", "app", "", ""))
        .await
        .expect("create");
    assert_eq!(outcome(&created), Ok(()));
    let target = location(&created);
    let page = |path: String| {
        let request = browser.get(format!("{}{path}", served.address)).send();
        async move {
            let response = request.await.expect("GET");
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.expect("body")
        }
    };
    let once = page(target.clone()).await;
    let password = shown_password(&once).expect("the generated password is shown");
    assert!(once.contains("Đã tạo tài khoản API"));
    assert!(!target.contains(&password), "never in a URL");
    assert_eq!(shown_password(&page(target.clone()).await), None);
    assert!(!page(LIST.to_owned()).await.contains(&password));

    let log = served.stop();
    assert!(log.contains("API account created"), "the log was captured");
    assert!(
        !log.contains(&password),
        "the generated password is not in the log"
    );

    let db = Db::connect(&url).await.expect("connect");
    assert!(sign_in(&db, "app.backend", &password, None).await.is_ok());
    db.close().await;
}
both_backends!(a_generated_password_is_shown_once_and_never_logged);
