//! HQ ↔ branch: two real instances on loopback ports, each with its own database,
//! and the outbox worker of each driven round by round (`run_once`), so every
//! assertion sees a settled state without waiting on timers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tcrm_app::api_accounts::{ApiAccountInput, create_api_account};
use tcrm_app::domain::{BranchCode, TicketId};
use tcrm_app::federation::PeerEndpoint;
use tcrm_app::store::outbox::RemoteSettings;
use tcrm_app::store::tickets::{Actor, TicketChange};
use tcrm_server::federation::{InstanceRole, OutboxWorker, WorkerSettings};

use crate::helpers::{Backend, TestApp, assert_status_counts_are_kept, both_backends};

const SECRET: &str = "federation-secret-2026";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00hq-photo";

fn fast() -> WorkerSettings {
    WorkerSettings {
        backoff_base: Duration::ZERO,
        backoff_max: Duration::ZERO,
        timeout: Duration::from_secs(10),
        ..WorkerSettings::default()
    }
}

async fn account(app: &TestApp, username: &str, kind: &str, branch: &str) -> i64 {
    let input = ApiAccountInput {
        username: username.into(),
        kind: kind.into(),
        branch: branch.into(),
        email: String::new(),
        password: SECRET.into(),
    };
    create_api_account(app.db(), None, &input)
        .await
        .expect("account")
}

async fn point_branch_at(hq: &TestApp, code: &str, url: &str) {
    let sealed = hq.state.secret_key.seal(SECRET);
    hq.db()
        .set_branch_remote(
            &BranchCode::parse(code).expect("branch"),
            &RemoteSettings {
                base_url: url,
                uat_base_url: "",
                environment: "production",
                enabled: true,
                username: "sawaco_hq",
                password_sealed: Some(&sealed),
            },
        )
        .await
        .expect("settings");
}

/// HQ and branch GD, wired both ways; the HQ app account's token.
struct Pair {
    hq: TestApp,
    branch: TestApp,
    hq_worker: Arc<OutboxWorker>,
    branch_worker: Arc<OutboxWorker>,
    hq_account_at_branch: i64,
    app_token: String,
}

async fn pair(backend: Backend) -> Option<Pair> {
    let hq = TestApp::spawn(backend).await?;
    let branch = TestApp::spawn(backend).await?;
    let hq_account_at_branch = account(&branch, "sawaco_hq", "hq", "").await;
    account(&hq, "gd_tcrm", "branch", "GD").await;
    account(&hq, "app_cskh", "app", "").await;
    point_branch_at(&hq, "GD", &branch.address).await;
    let hq_worker = OutboxWorker::new(&hq.state, InstanceRole::Hq, fast());
    let branch_worker = OutboxWorker::new(
        &branch.state,
        InstanceRole::Branch {
            branch: "GD".into(),
            hq: PeerEndpoint {
                name: "HQ".into(),
                base_url: hq.address.clone(),
                username: "gd_tcrm".into(),
                password: SECRET.into(),
            },
        },
        fast(),
    );
    let app_token = token(&hq, "app_cskh").await;
    // GD takes readings from the app today.
    let today = tcrm_app::reading_schedules::vietnam_day(chrono::Utc::now());
    hq.db()
        .create_reading_window(
            &BranchCode::parse("GD").expect("branch"),
            &tcrm_app::store::reading_schedules::WindowSpec {
                period: tcrm_app::domain::BillingPeriod::new(2026, 12).expect("period"),
                start_date: today - chrono::Duration::days(1),
                end_date: today + chrono::Duration::days(1),
                note: String::new(),
            },
            None,
        )
        .await
        .expect("store")
        .expect("no overlap");
    Some(Pair {
        hq,
        branch,
        hq_worker,
        branch_worker,
        hq_account_at_branch,
        app_token,
    })
}

async fn token(app: &TestApp, username: &str) -> String {
    let body: Value = Client::new()
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth(username, Some(SECRET))
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

/// Rounds until nothing is due.
async fn drain(worker: &OutboxWorker) -> usize {
    let mut total = 0;
    for _ in 0..100 {
        let handled = worker.run_once().await.expect("round");
        if handled == 0 {
            break;
        }
        total += handled;
    }
    total
}

async fn create_at_hq(pair: &Pair, fields: &[(&str, &str)], images: usize) -> i64 {
    let mut form = Form::new();
    for (key, value) in fields {
        form = form.text((*key).to_owned(), (*value).to_owned());
    }
    for index in 0..images {
        form = form.part(
            "images[]",
            Part::bytes(JPEG.to_vec()).file_name(format!("anh-{index}.jpg")),
        );
    }
    let response = Client::new()
        .post(format!("{}/apiv2/v3/feedback/create", pair.hq.address))
        .bearer_auth(&pair.app_token)
        .multipart(form)
        .send()
        .await
        .expect("create");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_i64().expect("id")
}

async fn branch_copy(pair: &Pair, hq_id: i64) -> Option<tcrm_app::store::tickets::Ticket> {
    let found = pair
        .branch
        .db()
        .ticket_by_external_id(pair.hq_account_at_branch, &hq_id.to_string())
        .await
        .expect("lookup")?;
    Some(pair.branch.db().ticket(found.id).await.expect("ticket"))
}

async fn staff_change(app: &TestApp, id: TicketId, changes: &[TicketChange]) {
    let actor = Actor {
        user: None,
        api_account: None,
        label: "Nhân viên".into(),
    };
    app.db()
        .change_ticket_many(id, changes, &[], &actor, None)
        .await
        .expect("change");
}

async fn every_kind_travels_and_comes_back(backend: Backend) {
    let Some(pair) = pair(backend).await else {
        return;
    };
    let common = [
        ("customer_phone", "0945033434"),
        ("branch_code", "GD"),
        ("customer_name", "Nguyễn Tiến Lộc"),
        ("contact_code", "20012901317"),
    ];
    let kinds: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("id_type", "5"),
            ("customer_type", "2"),
            ("tax_code", "0314222356"),
            ("contact_person_name", "Nguyễn Văn A"),
        ],
        vec![
            ("id_type", "10"),
            ("number", "387"),
            ("month", "6"),
            ("year", "2026"),
            ("accuracy", "0.9"),
        ],
        vec![
            ("id_type", "2"),
            ("id_incident", "a:1:{i:0;N;}"),
            ("id_phenomena", "1"),
            ("content", "<b>Bể ống</b>"),
        ],
        vec![
            ("id_type", "14"),
            ("members[0][code]", "079201001234"),
            ("members[0][name]", "Trần Thị B"),
            ("members[0][address_type]", "2"),
        ],
        vec![
            ("id_type", "1"),
            ("id_related", "10"),
            ("id_service_reason", "23"),
            ("content", "Nâng dời ĐHN"),
        ],
        vec![
            ("id_type", "1"),
            ("id_related", "10"),
            ("id_service_reason", "22"),
            ("content", "Tái lập danh bộ"),
        ],
        vec![
            ("id_type", "1"),
            ("id_related", "5"),
            ("id_service_reason", "15"),
            ("content", "Sang tên"),
        ],
        vec![
            ("id_type", "1"),
            ("id_service_category", "1"),
            ("content", "Đổi mục đích sử dụng"),
        ],
    ];
    let mut ids = Vec::new();
    for (index, kind) in kinds.iter().enumerate() {
        let mut fields: Vec<(&str, &str)> = common.to_vec();
        fields.extend(kind.iter().copied());
        ids.push(create_at_hq(&pair, &fields, index % 2 + 1).await);
    }
    assert!(drain(&pair.hq_worker).await >= 8);
    for (index, hq_id) in ids.iter().enumerate() {
        let hq_ticket = pair
            .hq
            .db()
            .ticket(TicketId(*hq_id))
            .await
            .expect("hq ticket");
        let copy = branch_copy(&pair, *hq_id)
            .await
            .expect("arrived at the branch");
        assert_eq!(copy.id_type, hq_ticket.id_type);
        assert_eq!(copy.content, hq_ticket.content);
        assert_eq!(copy.customer_phone, hq_ticket.customer_phone);
        assert_eq!(copy.contact_code, hq_ticket.contact_code);
        assert_eq!(copy.id_service_reason, hq_ticket.id_service_reason);
        assert_eq!(copy.reading_number, hq_ticket.reading_number);
        assert_eq!(copy.accuracy, hq_ticket.accuracy);
        assert_eq!(copy.incident_type, hq_ticket.incident_type);
        assert_eq!(copy.tax_code, hq_ticket.tax_code);
        assert_eq!(copy.date_due, hq_ticket.date_due);
        let files = pair
            .branch
            .db()
            .ticket_attachments(copy.id)
            .await
            .expect("files");
        assert_eq!(files.len(), index % 2 + 1, "attachments travel");
        let members = pair
            .branch
            .db()
            .ticket_members(copy.id)
            .await
            .expect("members");
        let hq_members = pair
            .hq
            .db()
            .ticket_members(TicketId(*hq_id))
            .await
            .expect("members");
        assert_eq!(members, hq_members);
    }

    // The branch processes one: HQ sees the status and the solution.
    let hq_id = ids[2];
    let copy = branch_copy(&pair, hq_id).await.expect("copy");
    staff_change(
        &pair.branch,
        copy.id,
        &[TicketChange::Status { from: 1, to: 3 }],
    )
    .await;
    staff_change(
        &pair.branch,
        copy.id,
        &[
            TicketChange::Solution("Đã thay đoạn ống bể".into()),
            TicketChange::Status { from: 3, to: 4 },
        ],
    )
    .await;
    assert!(drain(&pair.branch_worker).await >= 2);
    let hq_ticket = pair
        .hq
        .db()
        .ticket(TicketId(hq_id))
        .await
        .expect("hq ticket");
    assert_eq!(hq_ticket.id_status, 4);
    assert_eq!(hq_ticket.solution, "Đã thay đoạn ống bể");
    let events = pair
        .hq
        .db()
        .ticket_events(TicketId(hq_id))
        .await
        .expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.kind == "status" && e.actor_label == "API · gd_tcrm")
    );
    // Nothing echoed back to the branch.
    assert_eq!(drain(&pair.hq_worker).await, 0);

    // HQ reopens it: the branch sees that.
    staff_change(
        &pair.hq,
        TicketId(hq_id),
        &[TicketChange::Status { from: 4, to: 6 }],
    )
    .await;
    assert!(drain(&pair.hq_worker).await >= 1);
    assert_eq!(branch_copy(&pair, hq_id).await.expect("copy").id_status, 6);
    assert_eq!(drain(&pair.branch_worker).await, 0, "not echoed back to HQ");
    let counts = pair.hq.db().outbox_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.failed), (0, 0));
}
both_backends!(every_kind_travels_and_comes_back);

async fn a_branch_that_was_down_gets_everything_once(backend: Backend) {
    let Some(pair) = pair(backend).await else {
        return;
    };
    // The branch is down: nothing listens at its address.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    point_branch_at(&pair.hq, "GD", &dead).await;
    let mut ids = Vec::new();
    for index in 0..200 {
        let content = format!("Sự cố số {index}");
        ids.push(
            create_at_hq(
                &pair,
                &[
                    ("customer_phone", "0945033434"),
                    ("branch_code", "GD"),
                    ("id_type", "2"),
                    ("content", &content),
                ],
                0,
            )
            .await,
        );
    }
    pair.hq_worker.run_once().await.expect("round");
    let counts = pair.hq.db().outbox_counts().await.expect("counts");
    assert_eq!((counts.pending, counts.delivered), (200, 0));
    let waiting = pair
        .hq
        .db()
        .ticket_outbox(TicketId(ids[0]))
        .await
        .expect("outbox");
    assert!(
        waiting[0].last_error.contains("unreachable"),
        "{}",
        waiting[0].last_error
    );

    // It comes back.
    point_branch_at(&pair.hq, "GD", &pair.branch.address).await;
    assert!(drain(&pair.hq_worker).await >= 200);
    let counts = pair.hq.db().outbox_counts().await.expect("counts");
    assert_eq!(
        (counts.pending, counts.delivered, counts.failed),
        (0, 200, 0)
    );
    // A second pass (as after a crash or a duplicate worker) changes nothing.
    assert_eq!(drain(&pair.hq_worker).await, 0);
    let arrived: i64 = tcrm_app::on_pool!(pair.branch.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(DISTINCT external_id) FROM tickets"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    let total: i64 = tcrm_app::on_pool!(pair.branch.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    assert_eq!((arrived, total), (200, 200));
}
both_backends!(a_branch_that_was_down_gets_everything_once);

async fn redelivery_after_a_crash_is_applied_once(backend: Backend) {
    let Some(pair) = pair(backend).await else {
        return;
    };
    let hq_id = create_at_hq(
        &pair,
        &[
            ("customer_phone", "0945033434"),
            ("branch_code", "GD"),
            ("id_type", "6"),
        ],
        1,
    )
    .await;
    // A worker claims the message and dies before delivering: the lease runs out.
    let now = chrono::Utc::now();
    let claimed = pair
        .hq
        .db()
        .claim_outbox(now, now, 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(drain(&pair.hq_worker).await, 1);

    // A worker delivers an update, then dies before recording it: sent again.
    let with_photo = Form::new()
        .part("images", Part::bytes(JPEG.to_vec()).file_name("b.jpg"))
        .text("id_status", "3");
    let response = Client::new()
        .post(format!(
            "{}/apiv2/ntw/feedback/update?id={hq_id}",
            pair.hq.address
        ))
        .bearer_auth(&pair.app_token)
        .multipart(with_photo)
        .send()
        .await
        .expect("update");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(drain(&pair.hq_worker).await, 1);
    tcrm_app::on_pool!(pair.hq.db(), |pool| sqlx::query(
        "UPDATE outbox_messages SET state = 'pending', delivered_at = NULL"
    )
    .execute(pool)
    .await
    .map(|_| ()))
    .expect("forget the deliveries");
    assert_eq!(drain(&pair.hq_worker).await, 2);

    let copy = branch_copy(&pair, hq_id).await.expect("copy");
    assert_eq!(copy.id_status, 3);
    let files = pair
        .branch
        .db()
        .ticket_attachments(copy.id)
        .await
        .expect("files");
    assert_eq!(
        files.len(),
        2,
        "the create's photo and the update's, once each"
    );
    let total: i64 = tcrm_app::on_pool!(pair.branch.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    assert_eq!(total, 1);
}
both_backends!(redelivery_after_a_crash_is_applied_once);

/// A peer that misbehaves in the way its path says.
async fn bad_peer() -> String {
    async fn auth() -> axum::Json<Value> {
        axum::Json(json!({"id_user": 1, "username": "x", "access_token": "t", "email": ""}))
    }
    async fn create(
        axum::extract::Path(mode): axum::extract::Path<String>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        match mode.as_str() {
            "error" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
            // Never answers: the worker's own timeout has to end the call.
            "slow" => std::future::pending().await,
            "garbage" => (StatusCode::OK, "<html>proxy login</html>").into_response(),
            _ => (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({"name": "Unprocessable entity", "status": 422, "errors": {"id_type": "no"}})),
            )
                .into_response(),
        }
    }
    let router = Router::new()
        .route("/{mode}/apiv1/auth", get(auth))
        .route("/{mode}/apiv2/v3/feedback/create", post(create));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

async fn a_bad_peer_never_blocks_the_others(backend: Backend) {
    let Some(pair) = pair(backend).await else {
        return;
    };
    let fake = bad_peer().await;
    for (branch, mode) in [
        ("CL", "error"),
        ("TD", "slow"),
        ("NB", "garbage"),
        ("PH", "refuse"),
    ] {
        point_branch_at(&pair.hq, branch, &format!("{fake}/{mode}")).await;
    }
    let mut by_branch = Vec::new();
    for branch in ["CL", "TD", "NB", "PH", "GD"] {
        let id = create_at_hq(
            &pair,
            &[
                ("customer_phone", "0945033434"),
                ("branch_code", branch),
                ("id_type", "6"),
            ],
            0,
        )
        .await;
        by_branch.push((branch, id));
    }
    let impatient = OutboxWorker::new(
        &pair.hq.state,
        InstanceRole::Hq,
        WorkerSettings {
            timeout: Duration::from_secs(3),
            ..fast()
        },
    );
    impatient.run_once().await.expect("round");
    // A transient network error on the refusing peer is retried like any other:
    // give it a few more rounds to give its real answer.
    let ph = by_branch[3].1;
    for _ in 0..5 {
        let message = pair
            .hq
            .db()
            .ticket_outbox(TicketId(ph))
            .await
            .expect("outbox")
            .remove(0);
        if message.state != "pending" {
            break;
        }
        impatient.run_once().await.expect("round");
    }
    for (branch, id) in by_branch {
        let message = pair
            .hq
            .db()
            .ticket_outbox(TicketId(id))
            .await
            .expect("outbox")
            .remove(0);
        match branch {
            "GD" => assert_eq!(message.state, "delivered"),
            "PH" => {
                assert_eq!(message.state, "failed", "a 422 is permanent: {message:?}");
                assert_eq!(message.peer_status, Some(422));
                assert!(
                    message.last_error.contains("id_type"),
                    "the peer's answer is kept"
                );
            }
            _ => {
                assert_eq!(message.state, "pending", "{branch}: retried later");
                assert!(!message.last_error.is_empty());
            }
        }
    }
    assert!(
        branch_copy(&pair, pair_last_gd(&pair).await)
            .await
            .is_some()
    );
}
both_backends!(a_bad_peer_never_blocks_the_others);

async fn pair_last_gd(pair: &Pair) -> i64 {
    tcrm_app::on_pool!(pair.hq.db(), |pool| sqlx::query_scalar(
        "SELECT MAX(id) FROM tickets WHERE branch_code = 'GD'"
    )
    .fetch_one(pool)
    .await)
    .expect("id")
}

async fn two_workers_on_one_database_deliver_each_message_once(backend: Backend) {
    let Some(pair) = pair(backend).await else {
        return;
    };
    for index in 0..60 {
        let content = format!("Mất nước {index}");
        create_at_hq(
            &pair,
            &[
                ("customer_phone", "0945033434"),
                ("branch_code", "GD"),
                ("id_type", "2"),
                ("content", &content),
            ],
            0,
        )
        .await;
    }
    // A second instance's worker on the same database.
    let other = OutboxWorker::new(&pair.hq.state, InstanceRole::Hq, fast());
    let mut handled = 0;
    for _ in 0..50 {
        let (a, b) = tokio::join!(pair.hq_worker.run_once(), other.run_once());
        let round = a.expect("round") + b.expect("round");
        if round == 0 {
            break;
        }
        handled += round;
    }
    assert_eq!(handled, 60, "each message claimed by one worker only");
    let total: i64 = tcrm_app::on_pool!(pair.branch.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    assert_eq!(total, 60);
}
both_backends!(two_workers_on_one_database_deliver_each_message_once);

/// A real `tcrm serve` process as HQ; its address read from its own log line.
struct HqProcess {
    child: std::process::Child,
    address: String,
    /// One item per "outbox message delivered" line the process logs (after the
    /// message is marked delivered in the database).
    deliveries: std::sync::mpsc::Receiver<()>,
}

impl Drop for HqProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_hq(database_url: &str, data_dir: &std::path::Path) -> HqProcess {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tcrm"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("TCRM_DATA_DIR", data_dir)
        .env("TCRM_ADDR", "127.0.0.1:0")
        .env("TCRM_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("TCRM_OUTBOX_LEASE_SECS", "1")
        .env("TCRM_OUTBOX_BACKOFF_MS", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start tcrm");
    let stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = std::sync::mpsc::channel();
    let (delivered, deliveries) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sender = Some(sender);
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("outbox message delivered") {
                let _ = delivered.send(());
            }
            if let Ok(event) = serde_json::from_str::<Value>(&line)
                && let Some(addr) = event["fields"]["addr"].as_str()
                && let Some(sender) = sender.take()
            {
                let _ = sender.send(format!("http://{addr}"));
            }
        }
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(60))
        .expect("the HQ process logs its address");
    HqProcess {
        child,
        address,
        deliveries,
    }
}

async fn hq_killed_mid_delivery_loses_and_doubles_nothing(backend: Backend) {
    let Some(branch) = TestApp::spawn(backend).await else {
        return;
    };
    account(&branch, "sawaco_hq", "hq", "").await;
    let dir = tempfile::tempdir().expect("dir");
    let Some((database_url, _pg)) = crate::helpers::fresh_database(backend, &dir).await else {
        return;
    };
    // HQ's database, prepared the way an admin would: migrated, an app account, GD's remote.
    let db = tcrm_app::store::Db::connect(&database_url)
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    let key = tcrm_app::secrets::SecretKey::load(dir.path()).expect("key");
    let input = ApiAccountInput {
        username: "app_cskh".into(),
        kind: "app".into(),
        branch: String::new(),
        email: String::new(),
        password: SECRET.into(),
    };
    create_api_account(&db, None, &input)
        .await
        .expect("account");
    let sealed = key.seal(SECRET);
    db.set_branch_remote(
        &BranchCode::parse("GD").expect("branch"),
        &RemoteSettings {
            base_url: &branch.address,
            uat_base_url: "",
            environment: "production",
            enabled: true,
            username: "sawaco_hq",
            password_sealed: Some(&sealed),
        },
    )
    .await
    .expect("settings");

    let mut hq = start_hq(&database_url, dir.path());
    let body: Value = Client::new()
        .get(format!("{}/apiv1/auth", hq.address))
        .basic_auth("app_cskh", Some(SECRET))
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("json");
    let token = body["access_token"].as_str().expect("token").to_owned();
    for index in 0..100 {
        let response = Client::new()
            .post(format!("{}/apiv2/v3/feedback/create", hq.address))
            .bearer_auth(&token)
            .json(&json!({"customer_phone": "0945033434", "branch_code": "GD", "id_type": 2, "content": format!("Bể ống {index}")}))
            .send()
            .await
            .expect("create");
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Killed while its worker delivers (SIGKILL: no chance to finish anything).
    hq.child.kill().expect("kill");
    hq.child.wait().expect("reap");
    drop(hq);
    let left = db.outbox_counts().await.expect("counts").pending;
    let hq = start_hq(&database_url, dir.path());

    // The restarted worker delivers what was left (a message the killed process
    // had sent but not yet marked goes again, and the branch takes it once).
    for _ in 0..left {
        hq.deliveries
            .recv_timeout(Duration::from_secs(60))
            .expect("the restarted HQ delivers the rest of its backlog");
    }
    let counts = db.outbox_counts().await.expect("counts");
    assert_eq!(
        (counts.pending, counts.failed, counts.delivered),
        (0, 0, 100)
    );
    drop(hq);
    let (total, distinct): (i64, i64) = tcrm_app::on_pool!(branch.db(), |pool| sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM tickets"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    assert_eq!((total, distinct), (100, 100), "every ticket once");
    db.close().await;
}
both_backends!(hq_killed_mid_delivery_loses_and_doubles_nothing);

/// A branch instance for CL, which HQ reaches with its own account there.
async fn cl_instance(pair: &Pair, backend: Backend) -> Option<(TestApp, i64)> {
    let cl = TestApp::spawn(backend).await?;
    let hq_account_at_cl = account(&cl, "sawaco_hq", "hq", "").await;
    point_branch_at(&pair.hq, "CL", &cl.address).await;
    Some((cl, hq_account_at_cl))
}

async fn copy_at(
    app: &TestApp,
    hq_account: i64,
    hq_id: i64,
) -> Option<tcrm_app::store::tickets::Ticket> {
    let found = app
        .db()
        .ticket_by_external_id(hq_account, &hq_id.to_string())
        .await
        .expect("lookup")?;
    Some(app.db().ticket(found.id).await.expect("ticket"))
}

async fn unrouted_tickets_wait_for_hq_then_follow_each_route(backend: Backend) {
    use tcrm_app::domain::Language;
    use tcrm_app::error::AppError;
    use tcrm_app::i18n::Key;

    use crate::helpers::{invalid_fields, outcome};

    let Some(pair) = pair(backend).await else {
        return;
    };
    let Some((cl, hq_account_at_cl)) = cl_instance(&pair, backend).await else {
        return;
    };
    // From the app, with neither branch_code nor a known contract code.
    let id = create_at_hq(
        &pair,
        &[
            ("customer_phone", "0945033434"),
            ("customer_name", "Lê Văn Tám"),
            ("id_type", "2"),
            ("id_phenomena", "1"),
            ("content", "Nước đục, không rõ thuộc đơn vị nào"),
        ],
        1,
    )
    .await;
    let ticket_id = TicketId(id);
    let ticket = pair.hq.db().ticket(ticket_id).await.expect("ticket");
    assert_eq!(ticket.branch_code, None);
    let code = ticket.feedback_code.clone().expect("code");
    assert!(code.starts_with("HQ-"), "{code}");
    assert_eq!(
        drain(&pair.hq_worker).await,
        0,
        "nothing leaves HQ unrouted"
    );

    // HQ staff find it in the unrouted queue; a branch user does not see it.
    pair.hq.create_user("hq.dispatch", "hq_staff", None).await;
    pair.hq
        .create_user("gd.agent", "branch_staff", Some("GD"))
        .await;
    let dispatcher = pair.hq.signed_in("hq.dispatch").await;
    let gd_agent = pair.hq.signed_in("gd.agent").await;
    let (status, queue) = pair.hq.page(&dispatcher, "/tickets?branch=unrouted").await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains(&code), "the unrouted queue lists the ticket");
    let (_, home) = pair.hq.page(&dispatcher, "/").await;
    assert!(
        home.contains("data-testid=\"unrouted-count\" class=\"card-value\">1<"),
        "the home card counts it"
    );
    let (status, _) = pair.hq.page(&gd_agent, &format!("/tickets/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, gd_list) = pair.hq.page(&gd_agent, "/tickets").await;
    assert!(!gd_list.contains(&code));

    let route = |browser: &Client, branch: &str, reason: &str| {
        let form = [
            ("id", id.to_string()),
            ("branch", branch.to_owned()),
            ("reason", reason.to_owned()),
        ];
        let browser = browser.clone();
        let hq = &pair.hq;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            outcome(
                &hq.post_form(
                    &browser,
                    "/api/tickets/reroute",
                    &format!("/tickets/{id}"),
                    &form,
                )
                .await,
            )
        }
    };
    // Refusals name the field; a branch user may not route.
    assert_eq!(
        invalid_fields(route(&dispatcher, "GD", " ").await),
        vec![("reason".to_owned(), Key::FieldRequired)]
    );
    assert_eq!(
        invalid_fields(route(&dispatcher, "XX", "Sai mã").await),
        vec![("branch".to_owned(), Key::UnknownBranch)]
    );
    assert_eq!(
        invalid_fields(route(&dispatcher, "", "Chưa chọn").await),
        vec![("branch".to_owned(), Key::FieldRequired)]
    );
    assert_eq!(
        route(&gd_agent, "GD", "Của tôi").await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        drain(&pair.hq_worker).await,
        0,
        "a refused route sends nothing"
    );

    // Routed by hand to GD: GD's TCRM receives it, with its photo.
    assert_eq!(
        route(&dispatcher, "GD", "Địa chỉ thuộc Gia Định").await,
        Ok(())
    );
    assert_eq!(drain(&pair.hq_worker).await, 1);
    let at_gd = branch_copy(&pair, id).await.expect("GD has the ticket");
    assert_eq!(
        at_gd.branch_code.as_ref().map(BranchCode::as_str),
        Some("GD")
    );
    assert_eq!(at_gd.content, "Nước đục, không rõ thuộc đơn vị nào");
    assert_eq!(
        pair.branch
            .db()
            .ticket_attachments(at_gd.id)
            .await
            .expect("files")
            .len(),
        1
    );
    // GD takes it up, and HQ hears of it.
    staff_change(
        &pair.branch,
        at_gd.id,
        &[TicketChange::Status { from: 1, to: 3 }],
    )
    .await;
    drain(&pair.branch_worker).await;
    assert_eq!(
        pair.hq.db().ticket(ticket_id).await.expect("t").id_status,
        3
    );

    // Re-routed to CL: CL receives it, GD is told to cancel its copy, HQ starts over.
    assert_eq!(
        invalid_fields(route(&dispatcher, "GD", "Lại GD").await),
        vec![("branch".to_owned(), Key::RerouteSameBranch)]
    );
    assert_eq!(
        route(&dispatcher, "CL", "Đồng hồ nằm ở phía Chợ Lớn").await,
        Ok(())
    );
    assert_eq!(
        drain(&pair.hq_worker).await,
        2,
        "a create to CL, a cancel to GD"
    );
    let at_cl = copy_at(&cl, hq_account_at_cl, id)
        .await
        .expect("CL has the ticket");
    assert_eq!(
        at_cl.branch_code.as_ref().map(BranchCode::as_str),
        Some("CL")
    );
    assert_eq!(at_cl.id_status, 1);
    assert_eq!(
        cl.db()
            .ticket_attachments(at_cl.id)
            .await
            .expect("files")
            .len(),
        1
    );
    let at_gd = branch_copy(&pair, id).await.expect("GD keeps its copy");
    assert_eq!(at_gd.id_status, 7, "GD's copy is cancelled");
    let hq_ticket = pair.hq.db().ticket(ticket_id).await.expect("t");
    assert_eq!(
        hq_ticket.branch_code.as_ref().map(BranchCode::as_str),
        Some("CL")
    );
    assert_eq!(hq_ticket.id_status, 1);
    assert_eq!(
        hq_ticket.feedback_code.as_deref(),
        Some(code.as_str()),
        "the code stays"
    );
    // GD's cancellation came from HQ and is not echoed back.
    assert_eq!(drain(&pair.branch_worker).await, 0);

    // The timeline says who moved it, from where, to where and why.
    let (_, page) = pair.hq.page(&dispatcher, &format!("/tickets/{id}")).await;
    assert!(page.contains(Key::EventRoute.text(Language::Vi)));
    assert!(page.contains(Key::EventReroute.text(Language::Vi)));
    assert!(page.contains("GD → CL — Đồng hồ nằm ở phía Chợ Lớn"));
    assert!(page.contains("GD — Địa chỉ thuộc Gia Định"));
    assert_status_counts_are_kept(pair.hq.db()).await;
    assert_status_counts_are_kept(pair.branch.db()).await;
}
both_backends!(unrouted_tickets_wait_for_hq_then_follow_each_route);
