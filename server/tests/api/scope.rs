//! Roles and branch scope on every route that exists: a branch user never sees or
//! changes another branch's data, an executive changes nothing.

use reqwest::StatusCode;
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;

use crate::helpers::{Backend, PASSWORD, TestApp, both_backends, invalid_fields, outcome};

/// Every page of the portal, with whether each role may open it.
const PAGES: [&str; 5] = [
    "/",
    "/account",
    "/reference",
    "/admin/users",
    "/admin/users/1",
];

async fn each_role_opens_only_its_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await; // id 1
    let cases = [
        (
            "hq.staff",
            "hq_staff",
            None,
            [true, true, true, false, false],
        ),
        (
            "agent.gd",
            "branch_staff",
            Some("GD"),
            [true, true, true, false, false],
        ),
        (
            "campaigns",
            "campaign_manager",
            None,
            [true, true, true, false, false],
        ),
        ("boss", "executive", None, [true, true, true, false, false]),
        // A branch admin manages users, but the HQ admin (id 1) is outside their branch.
        (
            "admin.gd",
            "branch_admin",
            Some("GD"),
            [true, true, true, true, false],
        ),
    ];
    for (username, role, branch, allowed) in cases {
        app.create_user(username, role, branch).await;
        let browser = app.signed_in(username).await;
        for (path, allowed) in PAGES.iter().zip(allowed) {
            let (status, _) = app.page(&browser, path).await;
            if allowed {
                assert_eq!(status, StatusCode::OK, "{username} opens {path}");
            } else {
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{username} is refused {path}: {status}"
                );
            }
        }
    }
    let admin = app.signed_in("root.admin").await;
    for path in PAGES {
        assert_eq!(
            app.page(&admin, path).await.0,
            StatusCode::OK,
            "admin opens {path}"
        );
    }
}
both_backends!(each_role_opens_only_its_pages);

async fn anonymous_visitors_are_sent_to_sign_in_and_refused_by_actions(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let visitor = app.browser();
    for path in PAGES {
        let response = app.get(&visitor, path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    }
    for (endpoint, form) in [
        (
            "/api/users/create",
            vec![
                ("username", "x.y.z"),
                ("display_name", ""),
                ("role", "admin"),
                ("branch", ""),
                ("password", PASSWORD),
            ],
        ),
        (
            "/api/users/update",
            vec![
                ("id", "1"),
                ("display_name", "x"),
                ("role", "admin"),
                ("branch", ""),
            ],
        ),
        ("/api/users/active", vec![("id", "1"), ("active", "false")]),
        (
            "/api/users/reset-password",
            vec![("id", "1"), ("password", PASSWORD)],
        ),
        (
            "/api/account/password",
            vec![
                ("current_password", "x"),
                ("new_password", "y"),
                ("confirm_password", "y"),
            ],
        ),
    ] {
        let response = app.post_form(&visitor, endpoint, "/", &form).await;
        assert_eq!(
            outcome(&response),
            Err(AppError::Unauthenticated),
            "{endpoint}"
        );
    }
    assert!(
        app.db()
            .list_staff_users(&Default::default())
            .await
            .expect("list")
            .is_empty()
    );
}
both_backends!(anonymous_visitors_are_sent_to_sign_in_and_refused_by_actions);

async fn an_executive_and_staff_change_no_accounts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let target = app
        .create_user("agent.cg", "branch_staff", Some("CG"))
        .await
        .to_string();
    for (username, role, branch) in [
        ("boss", "executive", None),
        ("hq.staff", "hq_staff", None),
        ("agent.gd", "branch_staff", Some("GD")),
        ("campaigns", "campaign_manager", None),
    ] {
        app.create_user(username, role, branch).await;
        let browser = app.signed_in(username).await;
        let attempts = [
            (
                "/api/users/create",
                vec![
                    ("username", "sneaky"),
                    ("display_name", ""),
                    ("role", "executive"),
                    ("branch", ""),
                    ("password", PASSWORD),
                ],
            ),
            (
                "/api/users/update",
                vec![
                    ("id", target.as_str()),
                    ("display_name", "x"),
                    ("role", "admin"),
                    ("branch", ""),
                ],
            ),
            (
                "/api/users/active",
                vec![("id", target.as_str()), ("active", "false")],
            ),
            (
                "/api/users/reset-password",
                vec![("id", target.as_str()), ("password", "Không-được-phép-1")],
            ),
        ];
        for (endpoint, form) in attempts {
            let response = app.post_form(&browser, endpoint, "/", &form).await;
            assert_eq!(
                outcome(&response),
                Err(AppError::Forbidden),
                "{username} {endpoint}"
            );
        }
    }
    let agent = app
        .db()
        .staff_user(tcrm_app::domain::UserId(target.parse().expect("id")))
        .await
        .expect("user");
    assert!(agent.active && agent.role == tcrm_app::domain::Role::BranchStaff);
    assert!(
        app.db()
            .staff_user_by_username(&tcrm_app::domain::Username::parse("sneaky").expect("valid"))
            .await
            .expect("query")
            .is_none()
    );
}
both_backends!(an_executive_and_staff_change_no_accounts);

async fn a_branch_admin_manages_only_their_branch(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("admin.gd", "branch_admin", Some("GD"))
        .await;
    let own = app
        .create_user("agent.gd", "branch_staff", Some("GD"))
        .await
        .to_string();
    let other = app
        .create_user("agent.cl", "branch_staff", Some("CL"))
        .await
        .to_string();
    let browser = app.signed_in("admin.gd").await;

    let (_, list) = app.page(&browser, "/admin/users").await;
    assert!(
        list.contains("agent.gd") && !list.contains("agent.cl"),
        "only GD accounts listed"
    );
    let (_, filtered) = app.page(&browser, "/admin/users?branch=CL").await;
    assert!(
        !filtered.contains("agent.cl"),
        "the branch filter cannot widen the scope"
    );
    let (_, other_page) = app.page(&browser, &format!("/admin/users/{other}")).await;
    assert!(
        !other_page.contains("agent.cl"),
        "another branch's account is not shown"
    );

    let form = |username: &'static str, role: &'static str, branch: &'static str| {
        vec![
            ("username", username),
            ("display_name", ""),
            ("role", role),
            ("branch", branch),
            ("password", PASSWORD),
        ]
    };
    let ok = app
        .post_form(
            &browser,
            "/api/users/create",
            "/admin/users",
            &form("reader.gd", "branch_staff", "GD"),
        )
        .await;
    assert_eq!(outcome(&ok), Ok(()));
    let elsewhere = app
        .post_form(
            &browser,
            "/api/users/create",
            "/admin/users",
            &form("reader.cl", "branch_staff", "CL"),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&elsewhere)),
        vec![("branch".to_owned(), Key::BranchOutOfScope)]
    );
    let hq = app
        .post_form(
            &browser,
            "/api/users/create",
            "/admin/users",
            &form("new.admin", "admin", ""),
        )
        .await;
    assert!(
        outcome(&hq).is_err(),
        "a branch admin cannot create an HQ admin"
    );

    let touch_other = app
        .post_form(
            &browser,
            "/api/users/active",
            "/",
            &[("id", other.as_str()), ("active", "false")],
        )
        .await;
    assert_eq!(outcome(&touch_other), Err(AppError::NotFound));
    let move_own = app
        .post_form(
            &browser,
            "/api/users/update",
            "/",
            &[
                ("id", own.as_str()),
                ("display_name", "x"),
                ("role", "branch_staff"),
                ("branch", "CL"),
            ],
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&move_own)),
        vec![("branch".to_owned(), Key::BranchOutOfScope)]
    );
    let reset_other = app
        .post_form(
            &browser,
            "/api/users/reset-password",
            "/",
            &[("id", other.as_str()), ("password", "Không-được-phép-1")],
        )
        .await;
    assert_eq!(outcome(&reset_other), Err(AppError::NotFound));
    let other_user = app
        .db()
        .staff_user(tcrm_app::domain::UserId(other.parse().expect("id")))
        .await
        .expect("user");
    assert!(other_user.active);
}
both_backends!(a_branch_admin_manages_only_their_branch);
