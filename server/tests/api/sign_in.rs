//! Sign-in, sign-out, lockout, password changes and sessions.

use reqwest::StatusCode;
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;

use crate::helpers::{
    Backend, PASSWORD, TestApp, both_backends, invalid_fields, location, outcome,
};

fn session_cookie(browser_response: &reqwest::Response) -> Option<String> {
    browser_response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("tcrm_session="))
        .map(ToOwned::to_owned)
}

async fn sign_in_works_and_cycles_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.cl", "branch_staff", Some("CL"))
        .await;

    let (browser, first) = app.sign_in_as("Agent.CL", PASSWORD).await;
    assert_eq!(outcome(&first), Ok(()));
    assert!(
        location(&first).ends_with('/'),
        "goes to next: {}",
        location(&first)
    );
    let first_cookie = session_cookie(&first).expect("a session cookie");
    assert!(
        first_cookie.contains("HttpOnly") && first_cookie.contains("SameSite=Lax"),
        "{first_cookie}"
    );

    let (status, home) = app.page(&browser, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Nguyễn Thị agent.cl") && home.contains("CL"),
        "home shows who and the branch"
    );

    // Signing in again in the same browser issues a new session id.
    let second = app
        .post_form(
            &browser,
            "/api/session/sign-in",
            "/login",
            &[
                ("username", "agent.cl"),
                ("password", PASSWORD),
                ("next", "/"),
            ],
        )
        .await;
    let second_cookie = session_cookie(&second).expect("a new session cookie");
    assert_ne!(
        first_cookie.split(';').next(),
        second_cookie.split(';').next()
    );
}
both_backends!(sign_in_works_and_cycles_the_session);

async fn wrong_password_and_unknown_user_get_the_same_answer(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;

    let (_, wrong) = app.sign_in_as("agent.gd", "not-the-password").await;
    let (_, unknown) = app.sign_in_as("nobody.here", "not-the-password").await;
    assert_eq!(outcome(&wrong), Err(AppError::InvalidCredentials));
    assert_eq!(outcome(&unknown), Err(AppError::InvalidCredentials));
    // The failed attempt goes back to the sign-in page, which shows the message.
    let browser = app.browser();
    let (_, page) = app
        .page(&browser, location(&wrong).trim_start_matches(&app.address))
        .await;
    assert!(page.contains(Key::ErrInvalidCredentials.text(tcrm_app::domain::Language::Vi)));
    assert!(!page.contains("not-the-password"));
}
both_backends!(wrong_password_and_unknown_user_get_the_same_answer);

async fn repeated_failures_lock_the_account_with_a_growing_delay(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.td", "branch_staff", Some("TD"))
        .await;

    for attempt in 1..=4 {
        let (_, response) = app.sign_in_as("agent.td", "wrong-password").await;
        assert_eq!(
            outcome(&response),
            Err(AppError::InvalidCredentials),
            "attempt {attempt}"
        );
    }
    let (_, fifth) = app.sign_in_as("agent.td", "wrong-password").await;
    let Err(AppError::LockedOut { retry_after_secs }) = outcome(&fifth) else {
        panic!("the fifth failure locks the account");
    };
    assert!((1..=30).contains(&retry_after_secs), "{retry_after_secs}");

    // Even the right password is refused while locked, and the page says why.
    let (_, right) = app.sign_in_as("agent.td", PASSWORD).await;
    assert!(matches!(outcome(&right), Err(AppError::LockedOut { .. })));
    let (_, page) = app
        .page(
            &app.browser(),
            location(&right).trim_start_matches(&app.address),
        )
        .await;
    assert!(
        page.contains("Đăng nhập tạm thời bị khoá"),
        "lockout message shown"
    );

    // The next failure after the lock doubles it.
    let now = chrono::Utc::now();
    let policy = tcrm_app::auth::ACCOUNT_POLICY;
    let until = app
        .db()
        .throttle_record_failure("user:agent.td", &policy, now)
        .await
        .expect("record");
    let seconds = until.map(|until| (until - now).num_seconds());
    assert_eq!(seconds, Some(60));
}
both_backends!(repeated_failures_lock_the_account_with_a_growing_delay);

async fn many_failures_from_one_address_lock_that_address(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.nb", "branch_staff", Some("NB"))
        .await;
    for attempt in 0..20 {
        let (_, response) = app
            .sign_in_as(&format!("guess{attempt}"), "password-guess")
            .await;
        assert!(outcome(&response).is_err());
    }
    // A real account from the same address is now refused too.
    let (_, response) = app.sign_in_as("agent.nb", PASSWORD).await;
    assert!(matches!(
        outcome(&response),
        Err(AppError::LockedOut { .. })
    ));
}
both_backends!(many_failures_from_one_address_lock_that_address);

async fn sign_out_ends_the_session(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("exec.one", "executive", None).await;
    let browser = app.signed_in("exec.one").await;
    let response = app
        .post_form(&browser, "/api/session/sign-out", "/", &[])
        .await;
    assert!(location(&response).ends_with("/login"));
    let response = app.get(&browser, "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=/");
}
both_backends!(sign_out_ends_the_session);

async fn changing_the_password_ends_other_sessions(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("quota.reviewer", "branch_staff", Some("PH"))
        .await;
    let laptop = app.signed_in("quota.reviewer").await;
    let phone = app.signed_in("quota.reviewer").await;

    let form = |current: &'static str, new: &'static str, confirm: &'static str| {
        [
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", confirm),
        ]
    };
    let wrong = app
        .post_form(
            &laptop,
            "/api/account/password",
            "/account",
            &form("nope", "Mưa-rào-tháng-12", "Mưa-rào-tháng-12"),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&wrong)),
        vec![("current_password".to_owned(), Key::CurrentPasswordWrong)]
    );
    let weak = app
        .post_form(
            &laptop,
            "/api/account/password",
            "/account",
            &form(PASSWORD, "short", "short"),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&weak)),
        vec![("new_password".to_owned(), Key::PasswordTooShort)]
    );
    let named = app
        .post_form(
            &laptop,
            "/api/account/password",
            "/account",
            &form(PASSWORD, "quota.reviewer-2026", "quota.reviewer-2026"),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&named)),
        vec![("new_password".to_owned(), Key::PasswordContainsUsername)]
    );
    let differ = app
        .post_form(
            &laptop,
            "/api/account/password",
            "/account",
            &form(PASSWORD, "Mưa-rào-tháng-12", "Mưa-rào-tháng-11"),
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&differ)),
        vec![("confirm_password".to_owned(), Key::PasswordsDiffer)]
    );

    let done = app
        .post_form(
            &laptop,
            "/api/account/password",
            "/account",
            &form(PASSWORD, "Mưa-rào-tháng-12", "Mưa-rào-tháng-12"),
        )
        .await;
    assert_eq!(outcome(&done), Ok(()));
    assert_eq!(location(&done), "/account?done=password");
    assert_eq!(
        app.get(&laptop, "/").await.status(),
        StatusCode::OK,
        "this session goes on"
    );
    assert_eq!(
        app.get(&phone, "/").await.status(),
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    let (_, old) = app.sign_in_as("quota.reviewer", PASSWORD).await;
    assert_eq!(outcome(&old), Err(AppError::InvalidCredentials));
    let (_, new) = app.sign_in_as("quota.reviewer", "Mưa-rào-tháng-12").await;
    assert_eq!(outcome(&new), Ok(()));
}
both_backends!(changing_the_password_ends_other_sessions);

async fn an_account_created_by_an_admin_must_change_its_password_first(backend: Backend) {
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
            &[
                ("username", "new.agent"),
                ("display_name", "Trần Văn Bình"),
                ("role", "branch_staff"),
                ("branch", "SG"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(outcome(&created), Ok(()));

    let newcomer = app.signed_in("new.agent").await;
    let response = app.get(&newcomer, "/admin/users").await;
    assert_eq!(location(&response), "/account");
    let response = app.get(&newcomer, "/").await;
    assert_eq!(location(&response), "/account");
    let (status, page) = app.page(&newcomer, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Bạn cần đổi mật khẩu"));
    let changed = app
        .post_form(
            &newcomer,
            "/api/account/password",
            "/account",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Sông-Sài-Gòn-2026"),
                ("confirm_password", "Sông-Sài-Gòn-2026"),
            ],
        )
        .await;
    assert_eq!(outcome(&changed), Ok(()));
    assert_eq!(app.get(&newcomer, "/").await.status(), StatusCode::OK);
}
both_backends!(an_account_created_by_an_admin_must_change_its_password_first);

async fn the_language_switch_is_remembered_per_user(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("hq.staff", "hq_staff", None).await;
    let browser = app.signed_in("hq.staff").await;
    let (_, page) = app.page(&browser, "/").await;
    assert!(page.contains("<html lang=\"vi\"") && page.contains("Tổng quan"));

    let switched = app
        .post_form(
            &browser,
            "/api/account/language",
            "/",
            &[("language", "en")],
        )
        .await;
    assert_eq!(outcome(&switched), Ok(()));
    let (_, page) = app.page(&browser, "/").await;
    assert!(page.contains("<html lang=\"en\"") && page.contains("Overview"));

    // A new sign-in elsewhere (no cookie) still reads English.
    let elsewhere = app.signed_in("hq.staff").await;
    let (_, page) = app.page(&elsewhere, "/reference").await;
    assert!(page.contains("Reference data") && page.contains("Ticket statuses"));

    // A visitor who is not signed in switches with a cookie.
    let visitor = app.browser();
    app.post_form(
        &visitor,
        "/api/account/language",
        "/login",
        &[("language", "en")],
    )
    .await;
    let (_, page) = app.page(&visitor, "/login").await;
    assert!(page.contains("Sign in to TCRM"));
}
both_backends!(the_language_switch_is_remembered_per_user);

/// Moves the deadline of `user`'s sessions to `seconds_from_now`; returns it.
async fn set_session_deadline(
    db: &tcrm_app::store::Db,
    user: tcrm_app::domain::UserId,
    seconds_from_now: i64,
) -> i64 {
    let deadline = chrono::Utc::now().timestamp() + seconds_from_now;
    tcrm_app::on_pool!(db, |pool| sqlx::query(
        "UPDATE staff_sessions SET expires_at = $1 WHERE user_id = $2"
    )
    .bind(deadline)
    .bind(user)
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("moving the session deadline");
    // Written behind the store's back, as another process would: the portal's
    // sessions read a moment ago must not outlive it.
    tcrm_app::auth::accounts_changed();
    deadline
}

async fn session_deadline(db: &tcrm_app::store::Db, user: tcrm_app::domain::UserId) -> i64 {
    tcrm_app::on_pool!(db, |pool| sqlx::query_scalar(
        "SELECT expires_at FROM staff_sessions WHERE user_id = $1"
    )
    .bind(user)
    .fetch_one(pool)
    .await)
    .expect("the session's deadline")
}

async fn an_idle_session_ends_and_a_used_one_is_renewed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let user = app
        .create_user("agent.idle", "branch_staff", Some("PH"))
        .await;
    let browser = app.signed_in("agent.idle").await;
    let set_deadline = |seconds| set_session_deadline(app.db(), user, seconds);
    let deadline = || session_deadline(app.db(), user);
    let idle = tcrm_app::auth::SESSION_IDLE.whole_seconds();

    // Renewed a minute ago: using it now writes nothing.
    let recent = set_deadline(idle - 60).await;
    assert_eq!(app.get(&browser, "/").await.status(), StatusCode::OK);
    assert_eq!(deadline().await, recent);

    // Last renewed seven hours ago: using it pushes the deadline a full idle period
    // out, and the cookie with it.
    set_deadline(3600).await;
    let response = app.get(&browser, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response).expect("the renewed session's cookie");
    assert!(cookie.contains(&format!("Max-Age={idle}")), "{cookie}");
    assert!(deadline().await >= chrono::Utc::now().timestamp() + idle - 60);

    // Left idle past its deadline: the session is over.
    set_deadline(-1).await;
    let response = app.get(&browser, "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=/");
}
both_backends!(an_idle_session_ends_and_a_used_one_is_renewed);
