//! The federation's portal pages: branch connection settings (sealed password,
//! validation by field, a connection test against a real second instance), the
//! sync page with "retry now", and the ticket page's sync panel.

use chrono::{Duration, Utc};
use reqwest::{Client, StatusCode};
use tcrm_app::api_accounts::ApiAccountInput;
use tcrm_app::domain::{BranchCode, TicketId};
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;
use tcrm_app::store::Db;
use tcrm_app::store::outbox::RemoteSettings;

use crate::helpers::{
    Backend, TestApp, both_backends, invalid_fields, location, new_ticket, outcome,
};

const PAGE: &str = "/admin/branches";
const SAVE: &str = "/api/branches/save";
const TEST: &str = "/api/branches/test";
const SYNC: &str = "/admin/sync";
const RETRY: &str = "/api/sync/retry";
/// The password of the API account HQ uses at a branch.
const REMOTE_PASSWORD: &str = "Liên-thông-GD-2026";

/// A branch form as the page posts it (`enabled` is absent when unchecked).
fn branch_form<'a>(
    branch: &'a str,
    base_url: &'a str,
    environment: &'a str,
    enabled: bool,
    username: &'a str,
    password: &'a str,
) -> Vec<(&'static str, &'a str)> {
    let mut form = vec![
        ("branch", branch),
        ("base_url", base_url),
        ("uat_base_url", ""),
        ("environment", environment),
        ("username", username),
        ("password", password),
    ];
    if enabled {
        form.push(("enabled", "true"));
    }
    form
}

async fn audit_trail(db: &Db, action: &str) -> Vec<(String, String)> {
    let sql = "SELECT subject, detail FROM audit_events WHERE action = $1 ORDER BY id";
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql).bind(action).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(sql).bind(action).fetch_all(pool).await,
    }
    .expect("audit trail")
}

/// The number a sync page's card shows for `state`.
fn count<'a>(page: &'a str, state: &str) -> &'a str {
    let start = page
        .find(&format!("data-testid=\"count-{state}\""))
        .unwrap_or_else(|| panic!("count of {state}"));
    let rest = &page[start..];
    let rest = &rest[rest.find('>').unwrap_or(0) + 1..];
    &rest[..rest.find('<').unwrap_or(0)]
}

/// The HTML of one branch's section of the settings page.
fn section<'a>(page: &'a str, branch: &str) -> &'a str {
    let start = page
        .find(&format!("data-testid=\"branch-{branch}\""))
        .unwrap_or_else(|| panic!("section of {branch}"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

async fn admin(app: &TestApp) -> Client {
    app.create_user("root.admin", "admin", None).await;
    app.signed_in("root.admin").await
}

async fn an_admin_saves_a_branch_connection_with_a_sealed_password(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = admin(&app).await;
    let (status, page) = app.page(&admin, PAGE).await;
    assert_eq!(status, StatusCode::OK);
    for code in BranchCode::ALL {
        assert!(
            page.contains(&format!("data-testid=\"branch-{code}\"")),
            "{code}"
        );
    }
    assert!(section(&page, "GD").contains("Chưa lưu mật khẩu."));
    assert!(page.contains("href=\"/admin/branches\" aria-current=\"page\""));

    let mut form = branch_form(
        "GD",
        "https://tcrm.capnuocgiadinh.vn",
        "uat",
        true,
        "hq.link",
        REMOTE_PASSWORD,
    );
    form[2] = ("uat_base_url", "http://10.20.0.5:8080/tcrm/");
    let saved = app.post_form(&admin, SAVE, PAGE, &form).await;
    assert_eq!(outcome(&saved), Ok(()));
    assert!(
        location(&saved).starts_with("/admin/branches?done=saved"),
        "{}",
        location(&saved)
    );

    let stored = app
        .db()
        .branch_remote("GD")
        .await
        .expect("query")
        .expect("GD");
    assert_eq!(stored.base_url, "https://tcrm.capnuocgiadinh.vn");
    assert_eq!(stored.uat_base_url, "http://10.20.0.5:8080/tcrm/");
    assert_eq!(stored.remote_environment, "uat");
    assert!(stored.remote_enabled);
    assert_eq!(stored.remote_username, "hq.link");
    assert_eq!(stored.active_url(), "http://10.20.0.5:8080/tcrm");
    let sealed = stored.remote_password_sealed.clone();
    assert!(!sealed.is_empty() && sealed != REMOTE_PASSWORD);
    assert!(!sealed.contains("GD-2026"));
    assert_eq!(
        app.state.secret_key.open(&sealed).as_deref(),
        Ok(REMOTE_PASSWORD),
        "the sealed password opens to the one typed"
    );

    let (_, page) = app.page(&admin, "/admin/branches?done=saved").await;
    assert!(page.contains("Đã lưu cấu hình kết nối."));
    let gd = section(&page, "GD");
    assert!(gd.contains("Đã lưu một mật khẩu.") && gd.contains("Đang gửi"));
    assert!(gd.contains("value=\"https://tcrm.capnuocgiadinh.vn\""));
    assert!(gd.contains("value=\"hq.link\""));
    assert!(!page.contains(REMOTE_PASSWORD) && !page.contains(&sealed));
    assert!(section(&page, "CL").contains("Chưa bật"));

    // An empty password keeps the stored one; switching back to production.
    let keep = branch_form(
        "GD",
        "https://tcrm.capnuocgiadinh.vn",
        "production",
        true,
        "hq.link",
        "",
    );
    assert_eq!(
        outcome(&app.post_form(&admin, SAVE, PAGE, &keep).await),
        Ok(())
    );
    let stored = app
        .db()
        .branch_remote("GD")
        .await
        .expect("query")
        .expect("GD");
    assert_eq!(stored.remote_password_sealed, sealed, "kept");
    assert_eq!(stored.remote_environment, "production");
    assert_eq!(
        stored.uat_base_url, "",
        "the form's empty UAT address is saved"
    );

    let trail = audit_trail(app.db(), "branch.remote.update").await;
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].0, "GD");
    assert!(trail[0].1.contains("enabled=true") && trail[0].1.contains("password=changed"));
    assert!(trail[1].1.contains("password=kept"));
    assert!(
        trail
            .iter()
            .all(|(_, detail)| !detail.contains(REMOTE_PASSWORD))
    );
}
both_backends!(an_admin_saves_a_branch_connection_with_a_sealed_password);

async fn bad_settings_name_their_fields_and_change_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = admin(&app).await;

    let mut form = branch_form(
        "GD",
        "tcrm.capnuocgiadinh.vn",
        "production",
        false,
        "hq.link",
        "",
    );
    form[2] = ("uat_base_url", "https://uat.capnuocgiadinh.vn ");
    let refused = app.post_form(&admin, SAVE, PAGE, &form).await;
    let error = outcome(&refused);
    let Err(AppError::Validation(errors)) = &error else {
        panic!("validation error expected, got {error:?}")
    };
    assert_eq!(
        errors.value("base_url"),
        Some("tcrm.capnuocgiadinh.vn"),
        "typed values kept"
    );
    assert_eq!(errors.value("username"), Some("hq.link"));
    assert_eq!(
        invalid_fields(error.clone()),
        vec![
            ("base_url".to_owned(), Key::UrlScheme),
            ("uat_base_url".to_owned(), Key::UrlSpaces),
        ]
    );
    // Without JavaScript the form comes back filled in, each message by its field.
    let (_, page) = app
        .page(&admin, location(&refused).trim_start_matches(&app.address))
        .await;
    let gd = section(&page, "GD");
    assert!(gd.contains("Địa chỉ phải bắt đầu bằng http:// hoặc https://."));
    assert!(gd.contains("Địa chỉ không được chứa khoảng trắng"));
    assert!(gd.contains("value=\"tcrm.capnuocgiadinh.vn\""));
    assert!(!section(&page, "CL").contains("field-error"));

    // Enabling needs the URL in use, a username and a password.
    let enable = branch_form("GD", "", "production", true, "", "");
    let error = outcome(&app.post_form(&admin, SAVE, PAGE, &enable).await);
    assert_eq!(
        invalid_fields(error),
        vec![
            ("base_url".to_owned(), Key::RemoteRequired),
            ("username".to_owned(), Key::RemoteRequired),
            ("password".to_owned(), Key::RemoteRequired),
        ]
    );
    let no_password = branch_form(
        "GD",
        "https://tcrm.gd.vn",
        "production",
        true,
        "hq.link",
        "",
    );
    let error = outcome(&app.post_form(&admin, SAVE, PAGE, &no_password).await);
    assert_eq!(
        invalid_fields(error),
        vec![("password".to_owned(), Key::RemoteRequired)]
    );
    let staging = branch_form("GD", "https://tcrm.gd.vn", "staging", false, "hq.link", "x");
    let error = outcome(&app.post_form(&admin, SAVE, PAGE, &staging).await);
    assert_eq!(
        invalid_fields(error),
        vec![("environment".to_owned(), Key::UnknownChoice)]
    );
    let uat = branch_form("GD", "https://tcrm.gd.vn", "uat", true, "hq.link", "x");
    let error = outcome(&app.post_form(&admin, SAVE, PAGE, &uat).await);
    assert_eq!(
        invalid_fields(error),
        vec![("uat_base_url".to_owned(), Key::RemoteRequired)],
        "the URL in use is the UAT one"
    );

    let stored = app
        .db()
        .branch_remote("GD")
        .await
        .expect("query")
        .expect("GD");
    assert_eq!(
        (
            stored.base_url.as_str(),
            stored.remote_enabled,
            stored.remote_password_sealed.as_str()
        ),
        ("", false, ""),
        "nothing written"
    );
    assert!(
        audit_trail(app.db(), "branch.remote.update")
            .await
            .is_empty()
    );
}
both_backends!(bad_settings_name_their_fields_and_change_nothing);

async fn only_hq_admins_reach_branch_settings(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("gd.admin", "branch_admin", Some("GD"))
        .await;
    app.create_user("hq.agent", "hq_staff", None).await;
    for username in ["gd.admin", "hq.agent"] {
        let browser = app.signed_in(username).await;
        let (status, page) = app.page(&browser, PAGE).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{username}");
        assert!(page.contains("data-testid=\"forbidden\""));
        assert!(
            !page.contains("href=\"/admin/branches\""),
            "no link for {username}"
        );
        let form = branch_form(
            "GD",
            "https://evil.example",
            "production",
            false,
            "x.y",
            "secret-value",
        );
        for endpoint in [SAVE, TEST] {
            let refused = app.post_form(&browser, endpoint, PAGE, &form).await;
            assert_eq!(
                outcome(&refused),
                Err(AppError::Forbidden),
                "{username} {endpoint}"
            );
        }
    }
    let stored = app
        .db()
        .branch_remote("GD")
        .await
        .expect("query")
        .expect("GD");
    assert_eq!(stored.base_url, "");

    let branch_admin = app.signed_in("gd.admin").await;
    let (_, home) = app.page(&branch_admin, "/").await;
    assert!(
        home.contains("href=\"/admin/sync\""),
        "branch admins watch the sync"
    );
    let agent = app.signed_in("hq.agent").await;
    let (status, _) = app.page(&agent, SYNC).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
both_backends!(only_hq_admins_reach_branch_settings);

async fn test_connection_signs_in_to_a_real_branch_instance(backend: Backend) {
    let Some(hq) = TestApp::spawn(backend).await else {
        return;
    };
    let Some(branch) = TestApp::spawn(backend).await else {
        return;
    };
    tcrm_app::api_accounts::create_api_account(
        branch.db(),
        None,
        &ApiAccountInput {
            username: "hq.link".into(),
            kind: "hq".into(),
            branch: String::new(),
            email: String::new(),
            password: REMOTE_PASSWORD.into(),
        },
    )
    .await
    .expect("API account at the branch");
    let admin = admin(&hq).await;

    // Nothing to try yet: the fields it needs are named.
    let empty = branch_form("GD", "", "production", false, "", "");
    assert_eq!(
        invalid_fields(outcome(&hq.post_form(&admin, TEST, PAGE, &empty).await)),
        vec![
            ("base_url".to_owned(), Key::RemoteRequired),
            ("username".to_owned(), Key::RemoteRequired),
            ("password".to_owned(), Key::RemoteRequired),
        ]
    );

    let settings = branch_form(
        "GD",
        &branch.address,
        "production",
        false,
        "hq.link",
        REMOTE_PASSWORD,
    );
    assert_eq!(
        outcome(&hq.post_form(&admin, SAVE, PAGE, &settings).await),
        Ok(())
    );

    // The stored password is opened when none is typed.
    let stored_password = branch_form("GD", &branch.address, "production", false, "hq.link", "");
    let tested = hq.post_form(&admin, TEST, PAGE, &stored_password).await;
    assert_eq!(outcome(&tested), Ok(()));
    let target = location(&tested);
    assert!(
        target.starts_with("/admin/branches?done=tested"),
        "{target}"
    );
    assert!(!target.contains("peer") && !target.contains(REMOTE_PASSWORD));
    let (_, page) = hq.page(&admin, &target).await;
    let gd = section(&page, "GD");
    assert!(
        gd.contains("data-testid=\"test-result\""),
        "shown in GD's section"
    );
    assert!(gd.contains("Kết nối thành công") && gd.contains(&branch.address));
    assert!(!page.contains(REMOTE_PASSWORD));
    let (_, again) = hq.page(&admin, PAGE).await;
    assert!(!again.contains("data-testid=\"test-result\""), "shown once");

    // A typed password is tried instead (and not saved); the failure is shown.
    let wrong = branch_form(
        "GD",
        &branch.address,
        "production",
        false,
        "hq.link",
        "Sai-mật-khẩu-123",
    );
    let tested = hq.post_form(&admin, TEST, PAGE, &wrong).await;
    assert_eq!(outcome(&tested), Ok(()));
    let (_, page) = hq.page(&admin, &location(&tested)).await;
    let gd = section(&page, "GD");
    assert!(
        gd.contains("Kết nối thất bại") && gd.contains("peer answered 401"),
        "{gd}"
    );
    assert!(!page.contains("Sai-mật-khẩu-123") && !page.contains(REMOTE_PASSWORD));
    let stored = hq
        .db()
        .branch_remote("GD")
        .await
        .expect("query")
        .expect("GD");
    assert_eq!(
        hq.state
            .secret_key
            .open(&stored.remote_password_sealed)
            .as_deref(),
        Ok(REMOTE_PASSWORD),
        "a test saves nothing"
    );

    // Nobody listening: the error says so.
    let closed = branch_form(
        "GD",
        "http://127.0.0.1:9",
        "production",
        false,
        "hq.link",
        "",
    );
    let tested = hq.post_form(&admin, TEST, PAGE, &closed).await;
    let (_, page) = hq.page(&admin, &location(&tested)).await;
    assert!(section(&page, "GD").contains("peer unreachable"));

    let trail = audit_trail(hq.db(), "branch.remote.test").await;
    let results: Vec<bool> = trail
        .iter()
        .map(|(_, detail)| detail.ends_with("result=ok"))
        .collect();
    assert_eq!(results, vec![true, false, false]);
    assert!(trail.iter().all(|(subject, detail)| subject == "GD"
        && !detail.contains(REMOTE_PASSWORD)
        && !detail.contains("Sai-mật-khẩu")));
}
both_backends!(test_connection_signs_in_to_a_real_branch_instance);

/// Turns HQ's link to `branch` on, so its tickets' changes enter the outbox.
async fn enable_remote(app: &TestApp, branch: &str) {
    let code = BranchCode::parse(branch).expect("branch");
    let sealed = app.state.secret_key.seal(REMOTE_PASSWORD);
    app.db()
        .set_branch_remote(
            &code,
            &RemoteSettings {
                base_url: "http://127.0.0.1:9",
                uat_base_url: "",
                environment: "production",
                enabled: true,
                username: "hq.link",
                password_sealed: Some(&sealed),
            },
        )
        .await
        .expect("enable the remote");
}

/// The ticket's one outbox message, failed with the peer's answer.
async fn failed_message(app: &TestApp, ticket: TicketId) -> i64 {
    let messages = app.db().ticket_outbox(ticket).await.expect("outbox");
    assert_eq!(messages.len(), 1, "one create message");
    let id = messages[0].id;
    app.db()
        .outbox_failed(
            id,
            "peer answered 422: {\"errors\":{\"id_type\":\"unknown\"}}",
            Some(422),
        )
        .await
        .expect("fail");
    id
}

async fn the_sync_page_lists_problems_and_retry_makes_them_due(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    enable_remote(&app, "GD").await;
    enable_remote(&app, "CL").await;
    let gd_ticket = new_ticket(&app, "GD").await;
    let cl_ticket = new_ticket(&app, "CL").await;
    let gd_message = failed_message(&app, gd_ticket).await;
    let cl_message = failed_message(&app, cl_ticket).await;
    // A pending message waiting for more than ten minutes is listed too; a
    // fresh one is not.
    let stuck_ticket = new_ticket(&app, "GD").await;
    let stuck = app.db().ticket_outbox(stuck_ticket).await.expect("outbox")[0].id;
    let long_ago = Utc::now() - Duration::minutes(11);
    let sql = "UPDATE outbox_messages SET created_at = $1, next_attempt_at = $1 WHERE id = $2";
    match app.db() {
        Db::Sqlite(pool) => sqlx::query(sql)
            .bind(long_ago)
            .bind(stuck)
            .execute(pool)
            .await
            .map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(long_ago)
            .bind(stuck)
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .expect("age the message");
    let fresh_ticket = new_ticket(&app, "GD").await;
    let fresh = app.db().ticket_outbox(fresh_ticket).await.expect("outbox")[0].id;

    let admin = admin(&app).await;
    let (status, page) = app.page(&admin, SYNC).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            count(&page, "pending"),
            count(&page, "delivered"),
            count(&page, "failed")
        ),
        ("2", "0", "2"),
        "counts by state"
    );
    for id in [gd_message, cl_message, stuck] {
        assert!(
            page.contains(&format!("data-testid=\"outbox-{id}\"")),
            "{id} listed"
        );
    }
    assert!(
        !page.contains(&format!("data-testid=\"outbox-{fresh}\"")),
        "fresh not listed"
    );
    assert!(page.contains(&format!(
        "href=\"/tickets/{gd_ticket}\">GD-{:07}<",
        gd_ticket.0
    )));
    assert!(
        page.contains("id_type") && page.contains(">422<"),
        "the peer's answer"
    );
    assert!(page.contains("Lỗi") && page.contains("Đang chờ gửi") && page.contains("Tạo phiếu"));

    // A branch admin watches only their branch's tickets.
    app.create_user("gd.admin", "branch_admin", Some("GD"))
        .await;
    let gd_admin = app.signed_in("gd.admin").await;
    let (status, page) = app.page(&gd_admin, SYNC).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("data-testid=\"outbox-{gd_message}\"")));
    assert!(!page.contains(&format!("data-testid=\"outbox-{cl_message}\"")));
    assert_eq!(count(&page, "failed"), "1");
    let id = cl_message.to_string();
    let refused = app.post_form(&gd_admin, RETRY, SYNC, &[("id", &id)]).await;
    assert_eq!(outcome(&refused), Err(AppError::NotFound));
    assert_eq!(
        app.db()
            .outbox_message(cl_message)
            .await
            .expect("message")
            .state,
        "failed"
    );

    let id = gd_message.to_string();
    let retried = app.post_form(&gd_admin, RETRY, SYNC, &[("id", &id)]).await;
    assert_eq!(outcome(&retried), Ok(()));
    assert_eq!(location(&retried), "/admin/sync?done=retried");
    let message = app.db().outbox_message(gd_message).await.expect("message");
    assert_eq!(message.state, "pending");
    assert!(message.next_attempt_at <= Utc::now());
    let (_, page) = app.page(&gd_admin, &location(&retried)).await;
    assert!(page.contains("Thông điệp sẽ được gửi lại ngay."));
    assert!(
        !page.contains(&format!("data-testid=\"outbox-{gd_message}\"")),
        "a fresh pending message is no problem"
    );

    let id = cl_message.to_string();
    assert_eq!(
        outcome(&app.post_form(&admin, RETRY, SYNC, &[("id", &id)]).await),
        Ok(())
    );
    let trail = audit_trail(app.db(), "outbox.retry").await;
    assert_eq!(
        trail
            .iter()
            .map(|(subject, _)| subject.clone())
            .collect::<Vec<_>>(),
        vec![gd_message.to_string(), cl_message.to_string()]
    );
    assert!(
        trail[0].1.contains(&format!("ticket={gd_ticket}")) && trail[0].1.contains("state=failed")
    );
    let unknown = app
        .post_form(&admin, RETRY, SYNC, &[("id", "999999")])
        .await;
    assert_eq!(outcome(&unknown), Err(AppError::NotFound));
}
both_backends!(the_sync_page_lists_problems_and_retry_makes_them_due);

async fn the_ticket_page_shows_its_sync_messages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin = admin(&app).await;
    let local = new_ticket(&app, "GD").await;
    let (status, page) = app.page(&admin, &format!("/tickets/{local}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("data-testid=\"ticket-sync\""),
        "no messages, no panel"
    );

    enable_remote(&app, "GD").await;
    let sent = new_ticket(&app, "GD").await;
    let (_, page) = app.page(&admin, &format!("/tickets/{sent}")).await;
    assert!(page.contains("data-testid=\"ticket-sync\""));
    assert!(page.contains("<h2 id=\"sync-heading\">Đồng bộ</h2>"));
    assert!(page.contains("Tạo phiếu") && page.contains("Đang chờ gửi"));

    failed_message(&app, sent).await;
    let (_, page) = app.page(&admin, &format!("/tickets/{sent}")).await;
    assert!(page.contains("data-state=\"failed\"") && page.contains("HTTP 422"));
}
both_backends!(the_ticket_page_shows_its_sync_messages);
