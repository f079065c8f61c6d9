//! Staff account administration in the portal.

use reqwest::StatusCode;
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;

use crate::helpers::{
    Backend, PASSWORD, TestApp, both_backends, invalid_fields, location, outcome,
};

fn user_form<'a>(
    username: &'a str,
    role: &'a str,
    branch: &'a str,
    password: &'a str,
) -> [(&'static str, &'a str); 5] {
    [
        ("username", username),
        ("display_name", "Lê Thị Hoa"),
        ("role", role),
        ("branch", branch),
        ("password", password),
    ]
}

async fn an_admin_creates_and_edits_accounts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;

    let created = app
        .post_form(
            &admin,
            "/api/users/create",
            "/admin/users",
            &user_form("hoa.le", "branch_staff", "gd", PASSWORD),
        )
        .await;
    assert_eq!(outcome(&created), Ok(()));
    let target = location(&created);
    assert!(
        target.starts_with("/admin/users/") && target.ends_with("?done=created"),
        "{target}"
    );
    let (status, page) = app.page(&admin, &target).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("hoa.le") && page.contains("Đã tạo người dùng"));
    let (_, list) = app.page(&admin, "/admin/users").await;
    assert!(list.contains("hoa.le") && list.contains("Lê Thị Hoa"));
    let (_, filtered) = app.page(&admin, "/admin/users?q=hoa&branch=GD").await;
    assert!(filtered.contains("hoa.le") && !filtered.contains(">root.admin</a>"));
    // A query as a browser encodes a form: "+" for spaces, UTF-8 percent-encoded.
    let (_, by_name) = app
        .page(&admin, "/admin/users?q=L%C3%AA+Th%E1%BB%8B+Hoa&branch=GD")
        .await;
    assert!(by_name.contains("hoa.le") && !by_name.contains(">root.admin</a>"));
    assert!(
        by_name.contains("value=\"Lê Thị Hoa\""),
        "the box keeps what was typed"
    );

    let id = target
        .trim_start_matches("/admin/users/")
        .trim_end_matches("?done=created")
        .to_owned();
    let updated = app
        .post_form(
            &admin,
            "/api/users/update",
            &target,
            &[
                ("id", &id),
                ("display_name", "Lê Thị Hoa (GD)"),
                ("role", "branch_admin"),
                ("branch", "GD"),
            ],
        )
        .await;
    assert_eq!(outcome(&updated), Ok(()));
    let stored = app
        .db()
        .staff_user(tcrm_app::domain::UserId(id.parse().expect("id")))
        .await
        .expect("user");
    assert_eq!(stored.role, tcrm_app::domain::Role::BranchAdmin);
    assert_eq!(stored.display_name, "Lê Thị Hoa (GD)");
}
both_backends!(an_admin_creates_and_edits_accounts);

async fn bad_account_input_names_each_field_and_writes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;
    let count = || async {
        app.db()
            .list_staff_users(&Default::default())
            .await
            .expect("list")
            .len()
    };
    let before = count().await;

    let response = app
        .post_form(
            &admin,
            "/api/users/create",
            "/admin/users",
            &user_form("ab", "root", "XX", "short"),
        )
        .await;
    let Err(AppError::Validation(errors)) = outcome(&response) else {
        panic!("validation error expected")
    };
    let fields: Vec<(&str, Key)> = errors
        .fields
        .iter()
        .map(|f| (f.field.as_str(), f.message))
        .collect();
    assert!(
        fields.contains(&("username", Key::UsernameLength)),
        "{fields:?}"
    );
    assert!(fields.contains(&("role", Key::UnknownRole)), "{fields:?}");
    assert!(
        fields.contains(&("branch", Key::UnknownBranch)),
        "{fields:?}"
    );
    let role_error = errors.for_field("role").expect("role error");
    assert!(
        role_error
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("branch_admin")),
        "allowed roles listed"
    );
    // What was typed comes back (never the password).
    assert_eq!(errors.value("username"), Some("ab"));
    assert_eq!(errors.value("password"), None);
    // The page shows the messages next to the fields, keeping the typed username.
    let (_, page) = app
        .page(&admin, location(&response).trim_start_matches(&app.address))
        .await;
    assert!(page.contains("Tên đăng nhập dài 3–40 ký tự") && page.contains("value=\"ab\""));

    let wrong_scope = app
        .post_form(
            &admin,
            "/api/users/create",
            "/admin/users",
            &user_form("agent.x", "branch_staff", "", PASSWORD),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&wrong_scope)),
        vec![("branch".to_owned(), Key::RoleNeedsBranch)]
    );
    let hq_with_branch = app
        .post_form(
            &admin,
            "/api/users/create",
            "/admin/users",
            &user_form("hq.x", "hq_staff", "SG", PASSWORD),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&hq_with_branch)),
        vec![("branch".to_owned(), Key::RoleIsHqWide)]
    );
    let duplicate = app
        .post_form(
            &admin,
            "/api/users/create",
            "/admin/users",
            &user_form("ROOT.admin", "executive", "", PASSWORD),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&duplicate)),
        vec![("username".to_owned(), Key::UsernameTaken)]
    );
    assert_eq!(count().await, before, "nothing written");
}
both_backends!(bad_account_input_names_each_field_and_writes_nothing);

async fn deactivation_ends_sessions_and_keeps_one_admin(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let admin_id = app.create_user("root.admin", "admin", None).await;
    let agent_id = app
        .create_user("agent.ta", "branch_staff", Some("TA"))
        .await;
    let admin = app.signed_in("root.admin").await;
    let agent = app.signed_in("agent.ta").await;
    // Resolved a moment ago, and so remembered: the deactivation still ends it
    // at its very next request.
    assert_eq!(app.get(&agent, "/").await.status(), StatusCode::OK);

    let page = format!("/admin/users/{agent_id}");
    let off = app
        .post_form(
            &admin,
            "/api/users/active",
            &page,
            &[("id", &agent_id.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(outcome(&off), Ok(()));
    assert_eq!(
        app.get(&agent, "/").await.status(),
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    let (_, again) = app.sign_in_as("agent.ta", PASSWORD).await;
    assert_eq!(outcome(&again), Err(AppError::InvalidCredentials));
    let on = app
        .post_form(
            &admin,
            "/api/users/active",
            &page,
            &[("id", &agent_id.to_string()), ("active", "true")],
        )
        .await;
    assert_eq!(outcome(&on), Ok(()));
    app.signed_in("agent.ta").await;

    // The only admin cannot deactivate or demote themselves.
    let own = format!("/admin/users/{admin_id}");
    let me = app
        .post_form(
            &admin,
            "/api/users/active",
            &own,
            &[("id", &admin_id.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&me)),
        vec![("active".to_owned(), Key::CannotChangeSelf)]
    );
    let demote = app
        .post_form(
            &admin,
            "/api/users/update",
            &own,
            &[
                ("id", &admin_id.to_string()),
                ("display_name", "x"),
                ("role", "executive"),
                ("branch", ""),
            ],
        )
        .await;
    assert!(outcome(&demote).is_err());

    // A second admin cannot remove the last other admin either, once alone.
    let second_id = app.create_user("second.admin", "admin", None).await;
    let second = app.signed_in("second.admin").await;
    let first_off = app
        .post_form(
            &second,
            "/api/users/active",
            &own,
            &[("id", &admin_id.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(outcome(&first_off), Ok(()));
    assert_eq!(app.db().count_active_admins().await.expect("count"), 1);
    let _ = second_id;
}
both_backends!(deactivation_ends_sessions_and_keeps_one_admin);

async fn a_password_reset_forces_a_change_and_ends_sessions(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let agent_id = app
        .create_user("agent.hm", "branch_staff", Some("HM"))
        .await;
    let admin = app.signed_in("root.admin").await;
    let agent = app.signed_in("agent.hm").await;
    let page = format!("/admin/users/{agent_id}");

    let weak = app
        .post_form(
            &admin,
            "/api/users/reset-password",
            &page,
            &[("id", &agent_id.to_string()), ("password", "123")],
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&weak)),
        vec![("password".to_owned(), Key::PasswordTooShort)]
    );
    let reset = app
        .post_form(
            &admin,
            "/api/users/reset-password",
            &page,
            &[
                ("id", &agent_id.to_string()),
                ("password", "Tạm-thời-2026-xyz"),
            ],
        )
        .await;
    assert_eq!(outcome(&reset), Ok(()));
    assert_eq!(app.get(&agent, "/").await.status(), StatusCode::SEE_OTHER);
    let (again, response) = app.sign_in_as("agent.hm", "Tạm-thời-2026-xyz").await;
    assert_eq!(outcome(&response), Ok(()));
    assert_eq!(location(&app.get(&again, "/").await), "/account");
}
both_backends!(a_password_reset_forces_a_change_and_ends_sessions);
