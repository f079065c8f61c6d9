//! The portal's pages as a user sees them.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp, both_backends};

async fn reference_data_lists_the_seed(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.sg", "branch_staff", Some("SG"))
        .await;
    let browser = app.signed_in("agent.sg").await;
    let (status, page) = app.page(&browser, "/reference").await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "Bến Thành",
        "Trạm Nước Nông Thôn",
        "Nước Ngầm Sài Gòn",
        "capnuocgiadinh.tcrm.vn",
        "Đăng ký định mức nước",
        "Đội Quản lý Ghi Thu",
        "Rất cao",
        "Xử lý lại",
        "Hủy",
        "32 · Điều chỉnh hóa đơn",
        "22 · Yêu cầu tái lập danh bộ",
        "14 · Tỷ lệ thất thoát nước",
    ] {
        assert!(page.contains(text), "reference page shows {text}");
    }
}
both_backends!(reference_data_lists_the_seed);

async fn unknown_pages_are_404_without_details(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.sg", "branch_staff", Some("SG"))
        .await;
    let browser = app.signed_in("agent.sg").await;
    let (status, page) = app.page(&browser, "/khong-co-trang-nay").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Không tìm thấy trang"));
    let (status, page) = app.page(&browser, "/admin/users/9999").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a branch staff may not open user pages"
    );
    assert!(page.contains("Không có quyền truy cập"));
}
both_backends!(unknown_pages_are_404_without_details);

async fn health_check_reports_the_database(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let response = app.get(&app.browser(), "/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgresql",
    };
    assert_eq!(
        body,
        serde_json::json!({ "status": "ok", "database": expected })
    );
    app.db().close().await;
    let response = app.get(&app.browser(), "/healthz").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}
both_backends!(health_check_reports_the_database);

async fn open_tickets(app: &TestApp, branch: Option<&str>) -> i64 {
    let filter = tcrm_app::store::tickets::TicketFilter {
        scope: branch.map(|code| tcrm_app::domain::BranchCode::parse(code).expect("code")),
        ..Default::default()
    };
    let counts = app
        .db()
        .count_tickets_by_status(&filter)
        .await
        .expect("counts");
    counts
        .iter()
        .filter(|(status, _)| [1, 2, 3, 6].contains(status))
        .map(|(_, n)| n)
        .sum()
}

async fn the_overview_counts_only_the_users_branch(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let size = tcrm_server::demo_data::DemoSize {
        customers: 60,
        tickets: 600,
        seed: 3,
    };
    tcrm_server::demo_data::load(app.db(), &size)
        .await
        .expect("demo data");
    let expected_all = open_tickets(&app, None).await;
    // A branch with some, not all, of the open tickets (which one depends on
    // the generated data).
    let mut branch = None;
    for code in tcrm_app::domain::BranchCode::ALL {
        let open = open_tickets(&app, Some(code)).await;
        if open > 0 && open < expected_all {
            branch = Some((code, open));
            break;
        }
    }
    let (branch, expected_branch) = branch.expect("a branch with some of the open tickets");
    app.create_user("hq.staff", "hq_staff", None).await;
    app.create_user("agent.branch", "branch_staff", Some(branch))
        .await;
    for (username, expected) in [
        ("hq.staff", expected_all),
        ("agent.branch", expected_branch),
    ] {
        let browser = app.signed_in(username).await;
        let (status, page) = app.page(&browser, "/").await;
        assert_eq!(status, StatusCode::OK);
        let shown = page
            .split("data-testid=\"open-count\"")
            .nth(1)
            .and_then(|rest| rest.split_once('>'))
            .and_then(|(_, rest)| rest.split_once('<'))
            .map(|(number, _)| number.to_owned());
        assert_eq!(shown, Some(expected.to_string()), "{username}");
        assert!(
            page.contains("data-chart=\"chart-trend\"") && page.contains("/assets/echarts.min.js")
        );
    }
    let script = app.get(&app.browser(), "/assets/echarts.min.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );
}
both_backends!(the_overview_counts_only_the_users_branch);
