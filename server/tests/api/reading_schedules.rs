//! Meter-reading schedules: the store's reading-day lookup and overlap rule on both
//! backends, and the portal page with its forms, as each role sees them.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use reqwest::{Client, StatusCode};
use tcrm_app::domain::{BillingPeriod, BranchCode, ReadingWindowId};
use tcrm_app::error::AppError;
use tcrm_app::format::date;
use tcrm_app::i18n::{Key, Language};
use tcrm_app::reading_schedules::{check_reading_day, vietnam_day};
use tcrm_app::store::StoreError;
use tcrm_app::store::reading_schedules::{Overlap, ReadingDay, WindowSpec};

use crate::helpers::{Backend, TestApp, both_backends, invalid_fields, location, outcome};

const PAGE: &str = "/admin/reading-schedules";

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid day")
}

fn branch(code: &str) -> BranchCode {
    BranchCode::parse(code).expect("seed branch")
}

fn window(month: u32, start: NaiveDate, end: NaiveDate) -> WindowSpec {
    WindowSpec {
        period: BillingPeriod::new(2026, month).expect("valid period"),
        start_date: start,
        end_date: end,
        note: String::new(),
    }
}

async fn add(app: &TestApp, code: &str, spec: &WindowSpec) -> Result<ReadingWindowId, Overlap> {
    app.db()
        .create_reading_window(&branch(code), spec, None)
        .await
        .expect("store")
}

async fn reading_day_is_open_within_a_window_and_names_the_next(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let gd = branch("GD");
    let march = window(3, day(2026, 3, 25), day(2026, 4, 2));
    let april = window(4, day(2026, 4, 25), day(2026, 5, 3));
    // Created out of order: the lookup goes by date, not by id.
    add(&app, "GD", &april).await.expect("april");
    add(&app, "GD", &march).await.expect("march");

    for (today, expected) in [
        (
            day(2026, 3, 24),
            ReadingDay::Closed {
                next: Some(day(2026, 3, 25)),
            },
        ),
        (day(2026, 3, 25), ReadingDay::Open),
        (day(2026, 4, 2), ReadingDay::Open),
        (
            day(2026, 4, 3),
            ReadingDay::Closed {
                next: Some(day(2026, 4, 25)),
            },
        ),
        (day(2026, 5, 3), ReadingDay::Open),
        (day(2026, 5, 4), ReadingDay::Closed { next: None }),
    ] {
        assert_eq!(
            app.db().reading_day(&gd, today).await.expect("lookup"),
            expected,
            "{today}"
        );
    }
    assert_eq!(
        app.db()
            .reading_day(&branch("CL"), day(2026, 3, 28))
            .await
            .expect("lookup"),
        ReadingDay::Closed { next: None },
        "another branch's schedule is its own"
    );

    // 17:00 UTC on 2 April is midnight of 3 April in Vietnam.
    let last_minute = Utc
        .with_ymd_and_hms(2026, 4, 2, 16, 59, 0)
        .single()
        .expect("valid");
    assert_eq!(check_reading_day(app.db(), &gd, last_minute).await, Ok(()));
    assert_eq!(
        check_reading_day(app.db(), &gd, last_minute + Duration::minutes(1)).await,
        Err(Some(day(2026, 4, 25)))
    );
}
both_backends!(reading_day_is_open_within_a_window_and_names_the_next);

async fn windows_of_one_branch_never_share_a_day(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let gd = branch("GD");
    let march = window(3, day(2026, 3, 25), day(2026, 4, 2));
    let march_id = add(&app, "GD", &march).await.expect("march");
    let touching = window(4, day(2026, 4, 2), day(2026, 4, 10));
    let Err(Overlap(existing)) = add(&app, "GD", &touching).await else {
        panic!("a window sharing its last day is refused");
    };
    assert_eq!(
        (existing.id, existing.start_date, existing.end_date),
        (march_id, march.start_date, march.end_date)
    );
    add(&app, "CL", &touching)
        .await
        .expect("another branch may read on the same days");
    let april_id = add(&app, "GD", &window(4, day(2026, 4, 3), day(2026, 4, 10)))
        .await
        .expect("the next day is free");

    // A window may move over its own days, not over a neighbour's.
    let moved = window(3, day(2026, 3, 24), day(2026, 4, 1));
    assert_eq!(
        app.db()
            .update_reading_window(&gd, march_id, &moved)
            .await
            .expect("store"),
        Ok(())
    );
    let onto_march = window(4, day(2026, 4, 1), day(2026, 4, 10));
    assert!(matches!(
        app.db().update_reading_window(&gd, april_id, &onto_march).await,
        Ok(Err(Overlap(existing))) if existing.id == march_id
    ));

    // Writes name the branch; another branch's id is not found.
    assert!(matches!(
        app.db()
            .update_reading_window(&branch("CL"), march_id, &moved)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        app.db()
            .delete_reading_window(&branch("CL"), march_id)
            .await,
        Err(StoreError::NotFound)
    ));

    let listed: Vec<_> = app
        .db()
        .reading_windows(&gd, None)
        .await
        .expect("list")
        .into_iter()
        .map(|w| (w.id, w.period.to_string(), w.start_date, w.end_date))
        .collect();
    assert_eq!(
        listed,
        vec![
            (
                march_id,
                "03/2026".to_owned(),
                day(2026, 3, 24),
                day(2026, 4, 1)
            ),
            (
                april_id,
                "04/2026".to_owned(),
                day(2026, 4, 3),
                day(2026, 4, 10)
            ),
        ]
    );
    let from_april = app
        .db()
        .reading_windows(&gd, Some(day(2026, 4, 2)))
        .await
        .expect("list");
    assert_eq!(
        from_april.iter().map(|w| w.id).collect::<Vec<_>>(),
        vec![april_id]
    );
    app.db()
        .delete_reading_window(&gd, march_id)
        .await
        .expect("delete");
    assert!(matches!(
        app.db().reading_window(march_id).await,
        Err(StoreError::NotFound)
    ));
}
both_backends!(windows_of_one_branch_never_share_a_day);

/// A window starting `offset` days from today (Vietnam), lasting `days` days, as typed.
fn typed_days(offset: i64, days: i64) -> (String, String) {
    let start = vietnam_day(Utc::now()) + Duration::days(offset);
    (date(start), date(start + Duration::days(days - 1)))
}

async fn create(
    app: &TestApp,
    browser: &Client,
    branch: &str,
    start: &str,
    end: &str,
) -> reqwest::Response {
    app.post_form(
        browser,
        "/api/reading-schedules/create",
        &format!("{PAGE}?branch={branch}"),
        &[
            ("branch", branch),
            ("period_year", "2026"),
            ("period_month", "7"),
            ("start_date", start),
            ("end_date", end),
            ("note", "Đợt ghi chỉ số tháng 7"),
        ],
    )
    .await
}

async fn update(
    app: &TestApp,
    browser: &Client,
    id: ReadingWindowId,
    start: &str,
    end: &str,
) -> reqwest::Response {
    let id = id.to_string();
    app.post_form(
        browser,
        "/api/reading-schedules/update",
        &format!("{PAGE}?edit={id}"),
        &[
            ("id", id.as_str()),
            ("period_year", "2026"),
            ("period_month", "8"),
            ("start_date", start),
            ("end_date", end),
            ("note", ""),
        ],
    )
    .await
}

async fn delete(app: &TestApp, browser: &Client, id: ReadingWindowId) -> reqwest::Response {
    app.post_form(
        browser,
        "/api/reading-schedules/delete",
        PAGE,
        &[("id", id.to_string().as_str())],
    )
    .await
}

async fn only_window(app: &TestApp, code: &str) -> ReadingWindowId {
    let windows = app
        .db()
        .reading_windows(&branch(code), None)
        .await
        .expect("list");
    assert_eq!(windows.len(), 1, "{code}: {windows:?}");
    windows[0].id
}

async fn a_branch_admin_manages_only_their_branch_schedule(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("admin.gd", "branch_admin", Some("GD"))
        .await;
    let admin = app.signed_in("admin.gd").await;
    let (start, end) = typed_days(10, 9);

    let created = create(&app, &admin, "GD", &start, &end).await;
    assert_eq!(outcome(&created), Ok(()));
    assert_eq!(location(&created), format!("{PAGE}?branch=GD&done=created"));
    let id = only_window(&app, "GD").await;

    // The page lists it, dates day first; a branch admin sees their own branch whatever is asked.
    let (status, page) = app
        .page(&admin, &format!("{PAGE}?branch=CL&done=created"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(Key::WindowCreated.text(Language::Vi)));
    assert!(page.contains(&start) && page.contains(&end), "{page}");
    assert!(page.contains("07/2026") && page.contains("Đợt ghi chỉ số tháng 7"));
    assert!(
        page.contains("href=\"/admin/reading-schedules\""),
        "nav link"
    );
    assert!(page.contains(&format!("edit={id}")), "edit link");

    // Bad dates are refused field by field, with what was typed kept.
    let refused = create(&app, &admin, "GD", "31/02/2026", "mai").await;
    let error = outcome(&refused);
    if let Err(AppError::Validation(errors)) = &error {
        assert_eq!(errors.value("start_date"), Some("31/02/2026"));
    }
    assert_eq!(
        invalid_fields(error),
        vec![
            ("start_date".to_owned(), Key::DateInvalid),
            ("end_date".to_owned(), Key::DateInvalid),
        ]
    );
    // Without JavaScript the browser follows the redirect back to the form.
    let back = location(&refused);
    let back = back.strip_prefix(&app.address).unwrap_or(&back);
    let (_, page) = app.page(&admin, back).await;
    assert!(page.contains("value=\"31/02/2026\""), "typed value kept");
    assert!(
        page.contains(&format!(
            "id=\"new-start_date-error\" class=\"field-error\">{}",
            Key::DateInvalid.text(Language::Vi)
        )),
        "message beside its field"
    );
    let (later_start, too_late_end) = typed_days(40, 32);
    assert_eq!(
        invalid_fields(outcome(
            &create(&app, &admin, "GD", &later_start, &too_late_end).await
        )),
        vec![("end_date".to_owned(), Key::WindowTooLong)]
    );
    assert_eq!(
        invalid_fields(outcome(&create(&app, &admin, "GD", &end, &end).await)),
        vec![("start_date".to_owned(), Key::WindowOverlaps)]
    );

    // Another branch: creating is refused, its windows do not exist for this admin.
    assert_eq!(
        outcome(&create(&app, &admin, "CL", &start, &end).await),
        Err(AppError::Forbidden)
    );
    let today = vietnam_day(Utc::now());
    let cl = add(
        &app,
        "CL",
        &window(7, today + Duration::days(10), today + Duration::days(12)),
    )
    .await
    .expect("CL window");
    let (other_start, other_end) = typed_days(50, 3);
    assert_eq!(
        outcome(&update(&app, &admin, cl, &other_start, &other_end).await),
        Err(AppError::NotFound)
    );
    assert_eq!(
        outcome(&delete(&app, &admin, cl).await),
        Err(AppError::NotFound)
    );
    assert_eq!(only_window(&app, "CL").await, cl, "untouched");

    // Their own window: a refused edit comes back in the edit form, then moved, then deleted.
    let refused = update(&app, &admin, id, &other_end, &other_start).await;
    let back = location(&refused);
    assert_eq!(
        invalid_fields(outcome(&refused)),
        vec![("end_date".to_owned(), Key::WindowEndBeforeStart)]
    );
    let back = back.strip_prefix(&app.address).unwrap_or(&back);
    let (_, page) = app.page(&admin, back).await;
    assert!(
        page.contains(&format!(
            "id=\"edit-end_date-error\" class=\"field-error\">{}",
            Key::WindowEndBeforeStart.text(Language::Vi)
        )),
        "{page}"
    );
    let moved = update(&app, &admin, id, &other_start, &other_end).await;
    assert_eq!(outcome(&moved), Ok(()));
    assert_eq!(location(&moved), format!("{PAGE}?branch=GD&done=saved"));
    let stored = app.db().reading_window(id).await.expect("window");
    assert_eq!(
        (date(stored.start_date), stored.period.to_string()),
        (other_start, "08/2026".to_owned())
    );
    let deleted = delete(&app, &admin, id).await;
    assert_eq!(outcome(&deleted), Ok(()));
    assert_eq!(location(&deleted), format!("{PAGE}?branch=GD&done=deleted"));
    assert!(
        app.db()
            .reading_windows(&branch("GD"), None)
            .await
            .expect("list")
            .is_empty()
    );
}
both_backends!(a_branch_admin_manages_only_their_branch_schedule);

async fn an_hq_admin_manages_every_branch_and_staff_only_read(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    app.create_user("hq.agent", "hq_staff", None).await;
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    let admin = app.signed_in("root.admin").await;
    let (start, end) = typed_days(5, 7);
    for code in ["CL", "GD"] {
        assert_eq!(
            outcome(&create(&app, &admin, code, &start, &end).await),
            Ok(()),
            "{code}"
        );
    }
    let cl = only_window(&app, "CL").await;
    let (status, page) = app.page(&admin, &format!("{PAGE}?branch=CL")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&start) && page.contains(&format!("edit={cl}")));
    assert!(page.contains("name=\"start_date\""), "the add form");
    let (status, page) = app.page(&admin, &format!("{PAGE}?branch=NB")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&start), "NB has no window");
    let (status, _) = app.page(&admin, &format!("{PAGE}?branch=XX")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (later_start, later_end) = typed_days(20, 3);
    assert_eq!(
        outcome(&update(&app, &admin, cl, &later_start, &later_end).await),
        Ok(())
    );

    // Staff read the schedules in their scope and change nothing.
    for username in ["hq.agent", "agent.gd"] {
        let staff = app.signed_in(username).await;
        let (status, page) = app.page(&staff, &format!("{PAGE}?branch=GD")).await;
        assert_eq!(status, StatusCode::OK, "{username}");
        assert!(page.contains(&start), "{username} reads GD's schedule");
        assert!(!page.contains("name=\"start_date\""), "{username}: no form");
        assert!(
            !page.contains("href=\"/admin/reading-schedules\""),
            "{username}: no nav link"
        );
        assert_eq!(
            outcome(&create(&app, &staff, "GD", &later_start, &later_end).await),
            Err(AppError::Forbidden),
            "{username}"
        );
    }
    let agent = app.signed_in("agent.gd").await;
    assert_eq!(
        outcome(&delete(&app, &agent, cl).await),
        Err(AppError::NotFound),
        "another branch's window"
    );
    let gd = only_window(&app, "GD").await;
    assert_eq!(
        outcome(&delete(&app, &agent, gd).await),
        Err(AppError::Forbidden)
    );

    let visitor = app.browser();
    assert_eq!(
        app.get(&visitor, PAGE).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        outcome(&delete(&app, &visitor, gd).await),
        Err(AppError::Unauthenticated)
    );
}
both_backends!(an_hq_admin_manages_every_branch_and_staff_only_read);
