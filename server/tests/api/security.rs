//! The web security baseline.

use reqwest::StatusCode;

use crate::helpers::{Backend, PASSWORD, TestApp, both_backends};

async fn every_page_carries_the_security_headers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for path in ["/login", "/", "/healthz", "/assets/tcrm.css", "/nope"] {
        let response = app.get(&app.browser(), path).await;
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            headers.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert_eq!(
            headers.get("referrer-policy").map(|v| v.as_bytes()),
            Some(&b"same-origin"[..]),
            "{path}"
        );
    }
    let (_, page) = app.page(&app.browser(), "/login").await;
    assert!(
        !page.contains("<script"),
        "no inline or hydration script in pages"
    );
}
both_backends!(every_page_carries_the_security_headers);

async fn state_changing_requests_from_another_origin_are_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;
    let url = format!("{}/api/users/create", app.address);
    let form = [
        ("username", "planted"),
        ("display_name", ""),
        ("role", "admin"),
        ("branch", ""),
        ("password", PASSWORD),
    ];

    let forged = admin
        .post(&url)
        .header("Origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cross_site = admin
        .post(&url)
        .header("Sec-Fetch-Site", "cross-site")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let username = tcrm_app::domain::Username::parse("planted").expect("valid");
    assert!(
        app.db()
            .staff_user_by_username(&username)
            .await
            .expect("query")
            .is_none()
    );

    let same = admin
        .post(&url)
        .header("Origin", app.address.clone())
        .header("Accept", "text/html")
        .header("Referer", format!("{}/admin/users", app.address))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert!(same.status().is_redirection());
    assert!(
        app.db()
            .staff_user_by_username(&username)
            .await
            .expect("query")
            .is_some()
    );
}
both_backends!(state_changing_requests_from_another_origin_are_refused);

async fn internal_errors_show_no_details(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    let admin = app.signed_in("root.admin").await;
    // A malformed form (missing fields) is a bad request, said plainly.
    let response = app
        .post_form(
            &admin,
            "/api/users/create",
            "/admin/users",
            &[("username", "x")],
        )
        .await;
    assert_eq!(
        crate::helpers::outcome(&response),
        Err(tcrm_app::error::AppError::BadRequest)
    );
    let (_, page) = app
        .page(
            &admin,
            crate::helpers::location(&response).trim_start_matches(&app.address),
        )
        .await;
    assert!(page.contains("Yêu cầu không hợp lệ"));
    assert!(
        !page.to_lowercase().contains("missing"),
        "no deserializer detail on the page"
    );
}
both_backends!(internal_errors_show_no_details);
