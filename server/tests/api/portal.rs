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
