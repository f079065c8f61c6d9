//! The store on both backends: the seed's reference data with its exact ids.

use tcrm_app::store::reference::LookupTable;

use crate::helpers::{Backend, TestApp, both_backends};

async fn ids(app: &TestApp, table: LookupTable) -> Vec<i64> {
    app.db()
        .list_lookup(table)
        .await
        .expect("lookup")
        .into_iter()
        .map(|entry| entry.id)
        .collect()
}

async fn reference_data_has_the_seed_ids(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let branches: Vec<String> = app
        .db()
        .list_branches()
        .await
        .expect("branches")
        .into_iter()
        .map(|b| b.code.to_string())
        .collect();
    assert_eq!(
        branches,
        tcrm_app::domain::BranchCode::ALL.map(str::to_owned)
    );
    assert_eq!(
        ids(&app, LookupTable::RequestTypes).await,
        vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14]
    );
    assert_eq!(
        ids(&app, LookupTable::Departments).await,
        vec![97, 98, 99, 100, 102, 103, 104, 105, 106, 107, 108, 109]
    );
    assert_eq!(ids(&app, LookupTable::Priorities).await, vec![1, 2, 3, 4]);
    assert_eq!(
        ids(&app, LookupTable::TicketStatuses).await,
        vec![1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        ids(&app, LookupTable::ServiceCategories).await,
        vec![1, 2, 3]
    );
    assert_eq!(
        ids(&app, LookupTable::ServiceComponents).await,
        (1..=15).collect::<Vec<_>>()
    );
    let reasons = app
        .db()
        .list_lookup(LookupTable::ServiceReasons)
        .await
        .expect("reasons");
    assert_eq!(reasons.len(), 32);
    let reinstatement = reasons.iter().find(|r| r.id == 22).expect("reason 22");
    assert_eq!(
        (reinstatement.parent_id, reinstatement.name_vi.as_str()),
        (Some(10), "Yêu cầu tái lập danh bộ")
    );
    let transfer = reasons.iter().find(|r| r.id == 15).expect("reason 15");
    assert_eq!(transfer.parent_id, Some(5));
    let statuses = app
        .db()
        .list_lookup(LookupTable::TicketStatuses)
        .await
        .expect("statuses");
    let names: Vec<&str> = statuses.iter().map(|s| s.name_vi.as_str()).collect();
    assert_eq!(
        names,
        [
            "Mới",
            "Chưa xử lý",
            "Đang xử lý",
            "Đã xử lý",
            "Đóng",
            "Xử lý lại",
            "Hủy"
        ]
    );
}
both_backends!(reference_data_has_the_seed_ids);

async fn migrations_are_idempotent(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.db().migrate().await.expect("second migrate is a no-op");
    assert_eq!(ids(&app, LookupTable::Priorities).await, vec![1, 2, 3, 4]);
}
both_backends!(migrations_are_idempotent);

/// A PostgreSQL restart cuts the pool's idle connections; the next statements
/// must not fail on them. The pool pings a connection idle for longer than
/// `ping_if_idle_for` before handing it out (and no other: a ping before every
/// statement costs throughput), so a cut connection is replaced, not used.
/// Here the threshold is zero, so that the test waits on the cut connections
/// being gone rather than on a clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_cut_while_idle_are_replaced() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((url, _database)) = crate::helpers::fresh_database(Backend::Postgres, &dir).await
    else {
        return;
    };
    let tuning = tcrm_app::store::PoolTuning {
        ping_if_idle_for: std::time::Duration::ZERO,
        ..Default::default()
    };
    let db = tcrm_app::store::Db::connect_with(&url, tuning)
        .await
        .expect("connect");
    db.ping().await.expect("a first statement");
    let mut admin = sqlx::PgConnection::connect(&url)
        .await
        .expect("a connection outside the pool");
    let others =
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let cut: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) {others}) AS terminated"
    ))
    .fetch_one(&mut admin)
    .await
    .expect("terminate the pool's connections");
    assert!(cut > 0, "the pool's connections were cut");
    // The cut backends exit on their own time: wait until none is left.
    loop {
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) {others}"))
            .fetch_one(&mut admin)
            .await
            .expect("count the backends");
        if left == 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    for _ in 0..8 {
        db.ping().await.expect("a statement after the cut");
    }
    db.close().await;
}
