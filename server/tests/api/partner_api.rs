//! The partner REST API: token sign-in and revocation, throttling, every seed
//! example, each request kind by JSON and multipart, idempotency, bad values,
//! updates along the workflow, the app's reads and notifications.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tcrm_app::api_accounts::{
    ApiAccountInput, create_api_account, rotate_api_password, set_api_account_active,
};
use tcrm_app::domain::{BranchCode, ContractCode, Phone, TicketId};
use tcrm_app::store::StoreError;
use tcrm_app::store::tickets::{NewContract, NewTicket};

use crate::helpers::{Backend, TestApp, both_backends};

const PASSWORD: &str = "api-secret-2026";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00fake-jpeg-body";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/seed/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("fixture")
}

/// Reads a fixture (JSON5 allowed) into a map, for multipart sending.
fn fixture_fields(name: &str) -> Vec<(String, String)> {
    let value: Value = json5::from_str(&fixture(name)).expect("fixture parses");
    value
        .as_object()
        .expect("object")
        .iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (key.clone(), text)
        })
        .collect()
}

async fn api_account(app: &TestApp, username: &str, kind: &str, branch: &str) -> i64 {
    let input = ApiAccountInput {
        username: username.into(),
        kind: kind.into(),
        branch: branch.into(),
        email: format!("{username}@example.vn"),
        password: PASSWORD.into(),
    };
    create_api_account(app.db(), None, &input)
        .await
        .expect("API account created")
}

async fn token(app: &TestApp, username: &str) -> String {
    let response = Client::new()
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth(username, Some(PASSWORD))
        .send()
        .await
        .expect("auth");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

async fn contract(app: &TestApp, code: &str, branch: &str, phone: &str) {
    let phone = Phone::parse(phone).expect("phone");
    let customer = app
        .db()
        .create_customer(&phone, "Nguyễn Tiến Lộc", "")
        .await
        .expect("customer");
    let code = ContractCode::parse(code).expect("code");
    let branch = BranchCode::parse(branch).expect("branch");
    app.db()
        .create_contract(&NewContract {
            code: &code,
            branch: &branch,
            customer_id: Some(customer),
            address: "17 Nguyễn Văn Trỗi, P12, Q.Phú Nhuận",
            ward_code: "26734",
            district_code: "760",
            customer_type: 1,
        })
        .await
        .expect("contract");
}

/// The contracts the seed's examples name, at two branches.
async fn seed_contracts(app: &TestApp) {
    contract(app, "20012901317", "GD", "0945033434").await;
    contract(app, "16197048889", "GD", "84903173347").await;
    contract(app, "13081573171", "CL", "0945033434").await;
}

async fn ticket_count(app: &TestApp) -> i64 {
    tcrm_app::on_pool!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM tickets"
    )
    .fetch_one(pool)
    .await)
    .expect("count")
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: &str) -> (StatusCode, Value) {
    let response = Client::new()
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("post");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_multipart(
    app: &TestApp,
    token: &str,
    path: &str,
    fields: &[(String, String)],
    files: &[(&str, &[u8])],
) -> (StatusCode, Value) {
    let mut form = Form::new();
    for (key, value) in fields {
        form = form.text(key.clone(), value.clone());
    }
    for (index, (field, bytes)) in files.iter().enumerate() {
        form = form.part(
            (*field).to_owned(),
            Part::bytes(bytes.to_vec()).file_name(format!("anh-{index}.jpg")),
        );
    }
    let response = Client::new()
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let response = Client::new()
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

const CREATE: &str = "/apiv2/v3/feedback/create";

async fn sign_in_and_revocation(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let id = api_account(&app, "gd_app", "app", "").await;

    // Wrong password: the seed's 401 shape, exactly.
    let response = Client::new()
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth("gd_app", Some("wrong-password"))
        .send()
        .await
        .expect("auth");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["name"], "Unauthorized");
    assert_eq!(body["code"], 0);
    assert_eq!(body["status"], 401);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));

    let response = Client::new()
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth("gd_app", Some(PASSWORD))
        .send()
        .await
        .expect("auth");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["id_user"], id);
    assert_eq!(body["username"], "gd_app");
    assert_eq!(body["email"], "gd_app@example.vn");
    let token = body["access_token"].as_str().expect("token").to_owned();

    // Bearer, and the token inside HTTP Basic (as the seed's "Basic Auth: access token").
    let list = "/apiv2/v3/customer/contracts?phone_number=0903173347";
    assert_eq!(get_json(&app, &token, list).await.0, StatusCode::OK);
    let basic = Client::new()
        .get(format!("{}{list}", app.address))
        .basic_auth(&token, Some(""))
        .send()
        .await
        .expect("get");
    assert_eq!(basic.status(), StatusCode::OK);
    let (status, body) = get_json(&app, "not-a-token", list).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["name"], "Unauthorized");

    // A password change revokes every token at once.
    rotate_api_password(app.db(), None, id, "another-secret-2026")
        .await
        .expect("rotate");
    assert_eq!(
        get_json(&app, &token, list).await.0,
        StatusCode::UNAUTHORIZED
    );

    // So does a deactivation.
    let response = Client::new()
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth("gd_app", Some("another-secret-2026"))
        .send()
        .await
        .expect("auth");
    let token: Value = response.json().await.expect("json");
    let token = token["access_token"].as_str().expect("token").to_owned();
    assert_eq!(get_json(&app, &token, list).await.0, StatusCode::OK);
    set_api_account_active(app.db(), None, id, false)
        .await
        .expect("deactivate");
    assert_eq!(
        get_json(&app, &token, list).await.0,
        StatusCode::UNAUTHORIZED
    );
}
both_backends!(sign_in_and_revocation);

async fn throttling(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    api_account(&app, "scanner_target", "app", "").await;
    api_account(&app, "chatty", "app", "").await;
    let client = Client::new();
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        last = client
            .get(format!("{}/apiv1/auth", app.address))
            .basic_auth("scanner_target", Some("guess"))
            .send()
            .await
            .expect("auth")
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Locked: even the right password waits, and is told how long.
    let locked = client
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth("scanner_target", Some(PASSWORD))
        .send()
        .await
        .expect("auth");
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = locked.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=3600).contains(&retry));

    // A client signing in before every call is stopped after ten sign-ins.
    for _ in 0..tcrm_app::api_accounts::SIGN_INS_PER_WINDOW {
        token(&app, "chatty").await;
    }
    let response = client
        .get(format!("{}/apiv1/auth", app.address))
        .basic_auth("chatty", Some(PASSWORD))
        .send()
        .await
        .expect("auth");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}
both_backends!(throttling);

async fn seed_examples_are_accepted(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "sawaco_hq", "hq", "").await;
    let token = token(&app, "sawaco_hq").await;

    let mut ids = Vec::new();
    for (index, name) in ["new_connection.json", "meter_reading.json", "incident.json"]
        .into_iter()
        .enumerate()
    {
        // Each example reuses id_feedback 23423: give each its own.
        let body = fixture(name).replace("\"23423\"", &format!("\"{}\"", 1000 + index));
        let (status, answer) = post_json(&app, &token, CREATE, &body).await;
        assert_eq!(status, StatusCode::OK, "{name}: {answer}");
        assert_eq!(answer["created"], true);
        ids.push(answer["id"].as_i64().expect("id"));
    }
    for (index, name) in [
        "relocation.json",
        "reinstatement.json",
        "transfer.json",
        "change_of_use.json",
    ]
    .into_iter()
    .enumerate()
    {
        let fields: Vec<(String, String)> = fixture_fields(name)
            .into_iter()
            .map(|(k, v)| {
                if k == "id_feedback" {
                    (k, format!("{}", 2000 + index))
                } else {
                    (k, v)
                }
            })
            .collect();
        let (status, answer) =
            post_multipart(&app, &token, CREATE, &fields, &[("images", JPEG)]).await;
        assert_eq!(status, StatusCode::OK, "{name}: {answer}");
        ids.push(answer["id"].as_i64().expect("id"));
    }

    // New connection: a business, the unknown department 4 sent to the intake department.
    let new_connection = app
        .db()
        .ticket(tcrm_app::domain::TicketId(ids[0]))
        .await
        .expect("ticket");
    assert_eq!(new_connection.id_type, 5);
    assert_eq!(new_connection.customer_type, Some(2));
    assert_eq!(new_connection.tax_code, "0314222356");
    assert_eq!(new_connection.contact_person_phone, "84912323233");
    assert_eq!(new_connection.id_process_unit, Some(97));
    assert_eq!(
        new_connection.branch_code.as_ref().map(|b| b.as_str()),
        Some("GD")
    );
    assert_eq!(new_connection.external_id.as_deref(), Some("1000"));

    // Meter reading: spaced keys, null name, raw HTML content stored as sent.
    let reading = app
        .db()
        .ticket(tcrm_app::domain::TicketId(ids[1]))
        .await
        .expect("ticket");
    assert_eq!(reading.reading_number, Some(387));
    assert_eq!(reading.reading_month, Some(6));
    assert_eq!(reading.reading_year, Some(2024));
    assert_eq!(reading.customer_name, "NHH");
    assert_eq!(reading.external_customer_id, "4");
    assert!(reading.content.contains("<img style='border-radius:150px;"));
    assert_eq!(
        reading.customer_phone.as_ref().map(Phone::as_str),
        Some("84903173347")
    );

    // Incident: the opaque PHP value kept as sent, branch from the contract.
    let incident = app
        .db()
        .ticket(tcrm_app::domain::TicketId(ids[2]))
        .await
        .expect("ticket");
    assert_eq!(incident.incident_type, "a:1:{i:0;N;}");
    assert_eq!(incident.id_phenomena, Some(1));
    assert_eq!(
        incident.branch_code.as_ref().map(|b| b.as_str()),
        Some("CL")
    );

    // Reinstatement: the seed's id_related 22 is the reason 22 of component 10.
    let reinstatement = app
        .db()
        .ticket(tcrm_app::domain::TicketId(ids[4]))
        .await
        .expect("ticket");
    assert_eq!(reinstatement.id_related, Some(10));
    assert_eq!(reinstatement.id_service_reason, Some(22));
    let files = app
        .db()
        .ticket_attachments(reinstatement.id)
        .await
        .expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].content_type, "image/jpeg");

    // The portal shows the HTML content inert.
    app.create_user("hq_agent", "hq_staff", None).await;
    let browser = app.signed_in("hq_agent").await;
    let (_, page) = app.page(&browser, &format!("/tickets/{}", ids[1])).await;
    assert!(page.contains("&lt;img style="), "content escaped");
    assert!(
        !page.contains("<img style='border-radius"),
        "no live HTML from the API"
    );
    // The timeline names the API account.
    assert!(page.contains("API · sawaco_hq"));
}
both_backends!(seed_examples_are_accepted);

async fn quota_by_json_and_multipart(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "sawaco_app", "app", "").await;
    let token = token(&app, "sawaco_app").await;
    let image = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, JPEG);
    let body = json!({
        "id_feedback": "q-1",
        "customer_phone": "0945033434",
        "id_type": 14,
        "contact_code": "2001 290 1317",
        "content": "Đăng ký định mức 2 người",
        "members": [
            {"code": "079201001234", "name": "Nguyễn Văn A", "address": "17 Nguyễn Văn Trỗi", "address_type": 1,
             "images": [format!("data:image/jpeg;base64,{image}")]},
            {"code": "079201005678", "name": "Trần Thị B", "address": "17 Nguyễn Văn Trỗi", "address_type": "2"}
        ]
    });
    let (status, answer) = post_json(&app, &token, CREATE, &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = tcrm_app::domain::TicketId(answer["id"].as_i64().expect("id"));
    let members = app.db().ticket_members(id).await.expect("members");
    assert_eq!(members.len(), 2);
    assert_eq!(members[1].address_type, 2);
    assert_eq!(
        app.db().ticket_attachments(id).await.expect("files").len(),
        1
    );

    let fields: Vec<(String, String)> = [
        ("id_feedback", "q-2"),
        ("customer_phone", "84945033434"),
        ("id_type", "14"),
        ("contact_code", "20012901317"),
        ("members[0][code]", "079201001234"),
        ("members[0][name]", "Nguyễn Văn A"),
        ("members[0][address_type]", "1"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let (status, answer) = post_multipart(
        &app,
        &token,
        CREATE,
        &fields,
        &[
            ("members[0][images][]", JPEG),
            ("members[0][images][]", b"\x89PNG\r\n\x1a\n-png"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = tcrm_app::domain::TicketId(answer["id"].as_i64().expect("id"));
    assert_eq!(app.db().ticket_members(id).await.expect("members").len(), 1);
    assert_eq!(
        app.db().ticket_attachments(id).await.expect("files").len(),
        2
    );

    // A member's citizen id that is not one: named by its place, never echoed.
    let bad = json!({"customer_phone": "0945033434", "id_type": 14, "contact_code": "20012901317",
        "members": [{"code": "12345", "name": "A"}]});
    let (status, answer) = post_json(&app, &token, CREATE, &bad.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["errors"]["members.0.code"].as_str().is_some());
    assert!(!answer.to_string().contains("12345"));
    // No members at all.
    let none =
        json!({"customer_phone": "0945033434", "id_type": 14, "contact_code": "20012901317"});
    let (status, answer) = post_json(&app, &token, CREATE, &none.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["errors"]["members"].as_str().is_some());
}
both_backends!(quota_by_json_and_multipart);

async fn every_kind_by_json_and_multipart(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "hq_link", "hq", "").await;
    let token = token(&app, "hq_link").await;
    // (id_type, extra fields) for every other request type of the seed.
    let kinds: Vec<(i64, Vec<(&str, &str)>)> = vec![
        (
            5,
            vec![("customer_type", "1"), ("customer_address", "1 Lê Lợi")],
        ),
        (
            10,
            vec![
                ("number", "120"),
                ("month", "11"),
                ("year", "2026"),
                ("accuracy", "0.93"),
            ],
        ),
        (2, vec![("id_phenomena", "2"), ("incident_type", "[1,2]")]),
        (1, vec![("id_related", "10"), ("id_service_reason", "23")]),
        (3, vec![]),
        (4, vec![]),
        (6, vec![]),
        (7, vec![]),
        (8, vec![]),
        (9, vec![]),
    ];
    let before = ticket_count(&app).await;
    for (index, (id_type, extra)) in kinds.iter().enumerate() {
        let mut fields: Vec<(String, String)> = vec![
            ("id_feedback".into(), format!("k{index}")),
            ("customer_phone".into(), "+84 945 033 434".into()),
            ("id_type".into(), id_type.to_string()),
            ("contact_code".into(), "20012901317".into()),
            ("content".into(), format!("Yêu cầu loại {id_type}")),
        ];
        fields.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let (status, answer) =
            post_multipart(&app, &token, CREATE, &fields, &[("images[]", JPEG)]).await;
        assert_eq!(status, StatusCode::OK, "type {id_type} multipart: {answer}");
        let mut object = serde_json::Map::new();
        for (key, value) in &fields {
            object.insert(key.clone(), Value::String(value.clone()));
        }
        object.insert("id_feedback".into(), Value::String(format!("j{index}")));
        let (status, answer) =
            post_json(&app, &token, CREATE, &Value::Object(object).to_string()).await;
        assert_eq!(status, StatusCode::OK, "type {id_type} JSON: {answer}");
        assert_eq!(answer["id_status"], 1);
        assert!(answer["date_due"].as_str().is_some(), "SLA due date");
    }
    assert_eq!(ticket_count(&app).await, before + 2 * kinds.len() as i64);
}
both_backends!(every_kind_by_json_and_multipart);

async fn idempotency(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "app_backend", "app", "").await;
    api_account(&app, "other_app", "app", "").await;
    let token = token(&app, "app_backend").await;
    let body = fixture("incident.json");
    let (status, first) = post_json(&app, &token, CREATE, &body).await;
    assert_eq!(status, StatusCode::OK);
    let (status, second) = post_json(&app, &token, CREATE, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["created"], false);
    assert_eq!(second["id"], first["id"]);
    assert_eq!(ticket_count(&app).await, 1);

    // The same id_feedback with another request: 409 naming the existing ticket.
    let changed = body.replace("ghi ch", "GHI CH");
    let (status, answer) = post_json(&app, &token, CREATE, &changed).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(answer["id"], first["id"]);
    assert!(
        answer["message"]
            .as_str()
            .expect("message")
            .contains("23423")
    );
    assert_eq!(ticket_count(&app).await, 1);

    // Another account's id_feedback space is its own.
    let other = token_for(&app, "other_app").await;
    let (status, answer) = post_json(&app, &other, CREATE, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["created"], true);
    assert_eq!(ticket_count(&app).await, 2);

    // Concurrent duplicates create one ticket, and distinct tickets sent in the
    // same burst (committed together on SQLite) are each created once: a
    // duplicate refused inside a group commit is undone alone.
    let race = body.replace("23423", "race-1");
    let mut calls = Vec::new();
    for call in 0..12 {
        let body = if call % 2 == 0 {
            race.clone()
        } else {
            body.replace("23423", &format!("burst-{call}"))
        };
        let (app_address, token) = (app.address.clone(), token.clone());
        calls.push(tokio::spawn(async move {
            let response = Client::new()
                .post(format!("{app_address}{CREATE}"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("post");
            let status = response.status();
            let answer: Value = response.json().await.expect("json answer");
            (call, status, answer)
        }));
    }
    let mut race_ids = std::collections::BTreeSet::new();
    let mut burst_ids = std::collections::BTreeSet::new();
    for call in calls {
        let (call, status, answer) = call.await.expect("join");
        assert_eq!(status, StatusCode::OK, "{answer}");
        let id = answer["id"].as_i64().expect("ticket id");
        if call % 2 == 0 {
            race_ids.insert(id);
        } else {
            burst_ids.insert(id);
        }
    }
    assert_eq!(race_ids.len(), 1, "{race_ids:?}");
    assert_eq!(burst_ids.len(), 6, "{burst_ids:?}");
    assert!(race_ids.is_disjoint(&burst_ids));
    assert_eq!(ticket_count(&app).await, 3 + 6);
    // Every ticket has its one creation event and its code, however its group
    // went (on PostgreSQL a burst is one statement that skips the duplicates).
    let (events, codes): (i64, i64) = tcrm_app::on_pool!(app.db(), |pool| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM ticket_events WHERE kind = 'created'), \
                (SELECT COUNT(DISTINCT feedback_code) FROM tickets)"
    )
    .fetch_one(pool)
    .await)
    .expect("events and codes");
    assert_eq!((events, codes), (3 + 6, 3 + 6));
}
both_backends!(idempotency);

/// Creations that arrive together — one statement on PostgreSQL, one transaction
/// on SQLite — are each written once, with their code, search words and creation
/// event; a duplicate `id_feedback` among them is refused alone.
async fn creations_arriving_together_are_each_written_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let account = api_account(&app, "burst", "app", "").await;
    let ticket = |external: &str| NewTicket {
        branch: Some(BranchCode::parse("GD").expect("branch")),
        id_type: 2,
        id_priority: 2,
        source: "api",
        customer_name: "Trần Thị Bích".into(),
        content: format!("Rò rỉ nước, phiếu {external}"),
        actor_label: "burst".into(),
        api_account_id: Some(account),
        external_id: Some(external.into()),
        ..NewTicket::default()
    };
    let sent = ["a", "b", "c", "b", "d"].map(ticket);
    let db = app.db();
    let outcomes = tokio::join!(
        db.create_ticket(&sent[0]),
        db.create_ticket(&sent[1]),
        db.create_ticket(&sent[2]),
        db.create_ticket(&sent[3]),
        db.create_ticket(&sent[4]),
    );
    let outcomes = [outcomes.0, outcomes.1, outcomes.2, outcomes.3, outcomes.4];
    let created: Vec<TicketId> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().ok().copied())
        .collect();
    assert_eq!(created.len(), 4, "{outcomes:?}");
    let refused = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Err(StoreError::UniqueViolation(_))))
        .count();
    assert_eq!(refused, 1, "{outcomes:?}");
    assert!(outcomes[0].is_ok() && outcomes[2].is_ok() && outcomes[4].is_ok());
    for id in created {
        let read = db.ticket_for_page(id).await.expect("ticket");
        let code = tcrm_app::store::tickets::ticket_code(read.ticket.branch_code.as_ref(), id);
        assert_eq!(read.ticket.feedback_code.as_deref(), Some(code.as_str()));
        let kinds: Vec<&str> = read
            .events
            .iter()
            .map(|event| event.kind.as_str())
            .collect();
        assert_eq!(kinds, ["created"], "ticket {id:?}");
        let words: String = tcrm_app::on_pool!(db, |pool| sqlx::query_scalar(
            "SELECT search_text FROM tickets WHERE id = $1"
        )
        .bind(id.0)
        .fetch_one(pool)
        .await)
        .expect("search words");
        assert!(
            words.starts_with(&code.to_lowercase()) && words.contains("tran thi bich"),
            "{words}"
        );
    }
    assert_eq!(ticket_count(&app).await, 4);

    // A creation the database refuses for another reason (a request type that
    // does not exist) fails alone too; the others of its group are written.
    let mut unknown_type = ticket("e");
    unknown_type.id_type = 999;
    let (f, g) = (ticket("f"), ticket("g"));
    let (first, refused, last) = tokio::join!(
        db.create_ticket(&f),
        db.create_ticket(&unknown_type),
        db.create_ticket(&g),
    );
    assert!(first.is_ok() && last.is_ok(), "{first:?} {last:?}");
    assert!(
        matches!(refused, Err(StoreError::ForeignKeyViolation(_))),
        "{refused:?}"
    );
    assert_eq!(ticket_count(&app).await, 6);

    // Creations written together (on PostgreSQL, by two writers at once) each
    // get their own id, code, creation event and word-index entry.
    let sent = ["h", "i", "j", "k"].map(ticket);
    let outcomes = tokio::join!(
        db.create_ticket(&sent[0]),
        db.create_ticket(&sent[1]),
        db.create_ticket(&sent[2]),
        db.create_ticket(&sent[3]),
    );
    let ids: Vec<i64> = [outcomes.0, outcomes.1, outcomes.2, outcomes.3]
        .into_iter()
        .map(|outcome| outcome.expect("created").0)
        .collect();
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        4,
        "{ids:?}"
    );
    for (id, external) in ids.iter().zip(["h", "i", "j", "k"]) {
        let read = db.ticket_for_page(TicketId(*id)).await.expect("ticket");
        let code =
            tcrm_app::store::tickets::ticket_code(read.ticket.branch_code.as_ref(), TicketId(*id));
        assert_eq!(read.ticket.feedback_code.as_deref(), Some(code.as_str()));
        assert_eq!(read.ticket.content, format!("Rò rỉ nước, phiếu {external}"));
        assert_eq!(read.events.len(), 1, "ticket {id}");
        assert_eq!(read.events[0].actor_label, "burst");
    }
    let found: Vec<i64> = db
        .list_tickets(
            &tcrm_app::store::tickets::TicketFilter {
                search: Some(tcrm_app::store::tickets::TicketSearch::Words(vec![
                    "bich".to_owned(),
                ])),
                ..Default::default()
            },
            tcrm_app::store::tickets::TicketOrder::NewestFirst,
            None,
            100,
        )
        .await
        .expect("word search")
        .iter()
        .map(|row| row.id.0)
        .collect();
    assert_eq!(found.len(), 10, "{found:?}");
    assert!(ids.iter().all(|id| found.contains(id)));
}
both_backends!(creations_arriving_together_are_each_written_once);

/// What a ticket refers to must exist, as a foreign key would have it: on
/// PostgreSQL the references to the reference tables are checked per statement
/// (migration 0017) — a ticket written or changed to refer to a missing row is
/// refused, and a row tickets refer to can be neither deleted nor renamed.
async fn a_tickets_references_must_exist(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let account = api_account(&app, "refs", "app", "").await;
    let db = app.db();
    let id = db
        .create_ticket(&NewTicket {
            branch: Some(BranchCode::parse("GD").expect("branch")),
            id_type: 2,
            id_priority: 2,
            id_process_unit: Some(97),
            source: "api",
            customer_name: "Trần Thị Bích".into(),
            content: "Đồng hồ nước chạy sai".into(),
            actor_label: "refs".into(),
            api_account_id: Some(account),
            ..NewTicket::default()
        })
        .await
        .expect("created");
    let run = |sql: String| async move {
        tcrm_app::on_pool!(db, |pool| sqlx::query(&sql)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .map_err(StoreError::from)
    };
    let refused = |outcome: Result<u64, StoreError>, what: &str| {
        assert!(
            matches!(outcome, Err(StoreError::ForeignKeyViolation(_))),
            "{what}: {outcome:?}"
        );
    };
    for (column, missing) in [
        ("id_type", "999"),
        ("id_priority", "999"),
        ("id_process_unit", "999"),
        ("id_status", "999"),
        ("branch_code", "'ZZ'"),
        ("api_account_id", "999"),
    ] {
        refused(
            run(format!(
                "UPDATE tickets SET {column} = {missing} WHERE id = {}",
                id.0
            ))
            .await,
            column,
        );
    }
    for (table, row) in [
        ("request_types", "id = 2"),
        ("priorities", "id = 2"),
        ("departments", "id = 97"),
        ("ticket_statuses", "id = 1"),
        ("branches", "code = 'GD'"),
        ("api_accounts", &format!("id = {account}")),
    ] {
        refused(run(format!("DELETE FROM {table} WHERE {row}")).await, table);
    }
    refused(
        run("UPDATE branches SET code = 'GX' WHERE code = 'GD'".to_owned()).await,
        "a branch's code",
    );
    let read = db.ticket_for_page(id).await.expect("ticket");
    assert_eq!(
        (
            read.ticket.id_type,
            read.ticket.branch_code.as_ref().map(|b| b.as_str())
        ),
        (2, Some("GD")),
        "nothing changed"
    );
    // A row no ticket refers to can go, and a change that keeps every
    // reference is let through.
    let unused = "INSERT INTO departments (id, name_vi, name_en) VALUES (9999, 'Tạm', 'Temporary')";
    assert_eq!(run(unused.to_owned()).await.expect("a new department"), 1);
    let gone = run("DELETE FROM departments WHERE id = 9999".to_owned()).await;
    assert_eq!(gone.expect("an unused department"), 1);
    let kept = run(format!(
        "UPDATE tickets SET id_priority = 3 WHERE id = {}",
        id.0
    ))
    .await;
    assert_eq!(kept.expect("a priority that exists"), 1);
    let renamed = run("UPDATE branches SET name = name WHERE code = 'GD'".to_owned()).await;
    assert_eq!(renamed.expect("a branch's other columns"), 1);
}
both_backends!(a_tickets_references_must_exist);

async fn token_for(app: &TestApp, username: &str) -> String {
    token(app, username).await
}

async fn wrong_values_are_refused_and_nothing_is_written(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "strict", "app", "").await;
    let token = token(&app, "strict").await;
    let base = json!({"customer_phone": "0945033434", "id_type": 2, "contact_code": "13081573171", "content": "x"});
    let cases: Vec<(&str, Value, &str)> = vec![
        ("id_priority", json!("test feedback"), "1 (low)"),
        ("id_type", json!(99), "request type"),
        ("customer_phone", json!("12ab"), "0xxxxxxxxx"),
        ("contact_code", json!("123"), "11 digits"),
        ("identify_number", json!("0792"), "12 digits"),
        ("date_due", json!("15/13/2024"), "yyyy-mm-dd"),
        ("id_related", json!(77), "1–15"),
        ("branch_code", json!("XX"), "GD"),
        ("latitude", json!("north"), "decimal"),
    ];
    for (field, value, hint) in cases {
        let mut body = base.clone();
        body[field] = value;
        let (status, answer) = post_json(&app, &token, CREATE, &body.to_string()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        assert_eq!(answer["status"], 422);
        assert_eq!(answer["code"], 0);
        let message = answer["errors"][field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} named: {answer}"));
        assert!(message.contains(hint), "{field}: {message}");
    }
    // Missing phone; several problems at once.
    let (status, answer) = post_json(
        &app,
        &token,
        CREATE,
        r#"{"id_type": "10", "contact_code": "16197048889"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["customer_phone", "number", "month", "year"] {
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
    }
    // A file that is not an image, and a broken body.
    let fields = vec![
        ("customer_phone".to_owned(), "0945033434".to_owned()),
        ("id_type".to_owned(), "2".to_owned()),
    ];
    let (status, answer) = post_multipart(
        &app,
        &token,
        CREATE,
        &fields,
        &[("images", b"MZ\x90\x00exe")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["errors"]["images"]
            .as_str()
            .expect("images")
            .contains("not an image")
    );
    let (status, answer) = post_json(&app, &token, CREATE, "{ this is not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["name"], "Bad Request");
    // A file over 10 MB.
    let big = vec![0xFF_u8; 10 * 1024 * 1024 + 10];
    let mut big = big;
    big[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    let (status, answer) = post_multipart(&app, &token, CREATE, &fields, &[("images", &big)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["errors"]["images"]
            .as_str()
            .expect("images")
            .contains("10 MB")
    );
    assert_eq!(ticket_count(&app).await, 0, "nothing written");

    // A branch account cannot create for another branch.
    api_account(&app, "gd_software", "branch", "GD").await;
    let gd = token_for(&app, "gd_software").await;
    let (status, answer) = post_json(&app, &gd, CREATE, &base.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["errors"]["branch_code"]
            .as_str()
            .expect("branch")
            .contains("GD")
    );
    // Without a contract or branch_code, a branch account's tickets are its branch's.
    let (status, answer) = post_json(
        &app,
        &gd,
        CREATE,
        r#"{"customer_phone": "0945033434", "id_type": 6, "content": "Hỗ trợ"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["branch_code"], "GD");
    // From the app, with neither, the ticket waits in HQ's unrouted queue.
    let (status, answer) = post_json(
        &app,
        &token,
        CREATE,
        r#"{"customer_phone": "0945033434", "id_type": 6, "content": "Không rõ đơn vị"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["branch_code"], serde_json::Value::Null);
    assert!(
        answer["feedback_code"]
            .as_str()
            .is_some_and(|code| code.starts_with("HQ-")),
        "{answer}"
    );
    assert!(answer["warnings"].to_string().contains("route"), "{answer}");
    // …which a branch account cannot see.
    let id = answer["id"].as_i64().expect("id");
    let (status, _) = post_json(
        &app,
        &gd,
        &format!("/apiv2/ntw/feedback/update?id={id}"),
        r#"{"content": "x"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both_backends!(wrong_values_are_refused_and_nothing_is_written);

async fn updates_follow_the_workflow(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "cl_software", "branch", "CL").await;
    api_account(&app, "gd_software", "branch", "GD").await;
    api_account(&app, "app_backend", "app", "").await;
    let app_token = token(&app, "app_backend").await;
    let (_, created) = post_json(
        &app,
        &app_token,
        CREATE,
        &fixture("incident.json").replace("23423", "234233"),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    let cl = token(&app, "cl_software").await;
    let update = |query: String| format!("/apiv2/ntw/feedback/update?id={query}");

    // The seed's example as written: id_priority "test feedback" is refused, nothing changes.
    let (status, answer) =
        post_json(&app, &cl, &update(id.to_string()), &fixture("update.json")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["errors"]["id_priority"].is_string());
    let ticket = app
        .db()
        .ticket(tcrm_app::domain::TicketId(id))
        .await
        .expect("ticket");
    assert_ne!(ticket.content, "test feedback");

    // With a valid priority it applies: content, type, department, due, solution.
    let fixed = fixture("update.json").replace(
        "\"id_priority\": \"test feedback\"",
        "\"id_priority\": \"3\"",
    );
    let (status, answer) = post_json(&app, &cl, &update(id.to_string()), &fixed).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ticket = app
        .db()
        .ticket(tcrm_app::domain::TicketId(id))
        .await
        .expect("ticket");
    assert_eq!(ticket.content, "test feedback");
    assert_eq!(ticket.id_priority, 3);
    // The new content is what the ticket is found by; the old one no longer finds it.
    app.create_user("cl_reader", "hq_staff", None).await;
    let reader = app.signed_in("cl_reader").await;
    for (words, found) in [("test feedback", true), ("vi tri xay ra su co", false)] {
        let (_, page) = app
            .page(&reader, &format!("/tickets?q={}", words.replace(' ', "+")))
            .await;
        assert_eq!(
            page.contains(&format!("/tickets/{id}\"")),
            found,
            "searching {words:?} after the content changed"
        );
    }
    assert_eq!(ticket.solution, "Đã hoàn thành yêu cầu của khách hàng");
    assert_eq!(
        ticket.date_due.map(|d| d.to_rfc3339()),
        Some("2024-02-15T05:05:01+00:00".into())
    );

    // Along the workflow: 1 → 3 → 4 (has a solution) works; 4 → 2 is refused with why.
    for status_id in ["3", "4"] {
        let (status, answer) = post_json(
            &app,
            &cl,
            &update(id.to_string()),
            &format!(r#"{{"id_status": "{status_id}"}}"#),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["id_status"].to_string(), status_id);
    }
    let (status, answer) =
        post_json(&app, &cl, &update(id.to_string()), r#"{"id_status": 2}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let why = answer["errors"]["id_status"].as_str().expect("why");
    assert!(why.contains("allowed next: 5"), "{why}");
    let (status, _) = post_json(&app, &cl, &update(id.to_string()), r#"{"id_status": 9}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Images by multipart land on the timeline, by the API account.
    let (status, answer) =
        post_multipart(&app, &cl, &update(id.to_string()), &[], &[("images", JPEG)]).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let events = app
        .db()
        .ticket_events(tcrm_app::domain::TicketId(id))
        .await
        .expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.kind == "attachment" && e.actor_label == "API · cl_software")
    );
    assert!(
        events.iter().any(|e| e.kind == "status"
            && e.to_value == "4"
            && e.actor_label == "API · cl_software")
    );

    // The app account updates by its own id_feedback.
    let (status, answer) = post_json(
        &app,
        &app_token,
        &update("234233".into()),
        r#"{"id_status": "6"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Another branch's software does not see the ticket at all.
    let gd = token(&app, "gd_software").await;
    let (status, answer) =
        post_json(&app, &gd, &update(id.to_string()), r#"{"id_status": "3"}"#).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["status"], 404);
    let (status, _) = post_json(&app, &cl, &update("999999".into()), r#"{"id_status": "3"}"#).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both_backends!(updates_follow_the_workflow);

async fn the_app_reads_tickets_and_contracts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "app_backend", "app", "").await;
    api_account(&app, "gd_software", "branch", "GD").await;
    let token = token(&app, "app_backend").await;
    let (_, created) = post_json(&app, &token, CREATE, &fixture("incident.json")).await;
    let id = created["id"].as_i64().expect("id");
    app.db()
        .change_ticket(
            tcrm_app::domain::TicketId(id),
            &tcrm_app::store::tickets::TicketChange::Note {
                body: "nội bộ: khách khó tính".into(),
            },
            None,
            "Nhân viên",
        )
        .await
        .expect("note");

    let (status, page) = get_json(
        &app,
        &token,
        "/apiv2/v3/feedback/list?phone_number=0945033434",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    assert_eq!(page["items"][0]["status_name"], "Mới");
    let (_, page) = get_json(
        &app,
        &token,
        "/apiv2/v3/feedback/list?phone_number=84945033434&contact_code=20012901317",
    )
    .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 0);

    let (status, view) = get_json(&app, &token, "/apiv2/v3/feedback/view?id=23423").await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let timeline = view["ticket"]["timeline"].as_array().expect("timeline");
    assert_eq!(timeline[0]["kind"], "created");
    assert!(
        !view.to_string().contains("khách khó tính"),
        "internal notes stay internal"
    );

    let (status, contracts) = get_json(
        &app,
        &token,
        "/apiv2/v3/customer/contracts?phone_number=0945033434",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = contracts["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["contact_code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["13081573171", "20012901317"]);
    // A branch account sees its branch's contracts only.
    let gd = token_for(&app, "gd_software").await;
    let (_, contracts) = get_json(
        &app,
        &gd,
        "/apiv2/v3/customer/contracts?phone_number=0945033434",
    )
    .await;
    assert_eq!(contracts["items"].as_array().expect("items").len(), 1);
    let (status, answer) = get_json(
        &app,
        &token,
        "/apiv2/v3/customer/contracts?phone_number=abc",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["errors"]["phone_number"].is_string());
}
both_backends!(the_app_reads_tickets_and_contracts);

async fn notifications_reach_the_app_inbox(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    api_account(&app, "sawaco_hq", "hq", "").await;
    api_account(&app, "cl_software", "branch", "CL").await;
    let hq = token(&app, "sawaco_hq").await;
    let cl = token(&app, "cl_software").await;
    let path = "/apiv2/wasuco/notification/create";

    // The seed's example, comments and spaced keys as written.
    let (status, answer) = post_json(&app, &cl, path, &fixture("notification.json")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = post_json(
        &app,
        &hq,
        path,
        r#"{"phone_number": "84903173347", "title": "Lịch cúp nước", "option_module": "incident"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) =
        post_json(&app, &hq, path, r#"{"phone_number": "12", "content": "x"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["phone_number", "title", "option_module"] {
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
    }
    let (status, answer) = post_json(&app, &cl, path, r#"{"phone_number": "0903173347", "title": "t", "option_module": "1", "branch_code": "GD"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    let inbox = "/apiv2/wasuco/notification/list?phone_number=0903173347";
    let (status, page) = get_json(&app, &hq, inbox).await;
    assert_eq!(status, StatusCode::OK);
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["title"], "Tiêu đề (format: String)");
    assert_eq!(items[1]["id_module"], 97);
    assert_eq!(items[1]["branch_code"], "CL");
    let (_, count) = get_json(
        &app,
        &hq,
        "/apiv2/wasuco/notification/unread-count?phone_number=+84903173347",
    )
    .await;
    assert_eq!(count["unread"], 2);
    let first = items[0]["id"].as_i64().expect("id");
    let (status, marked) = post_json(
        &app,
        &hq,
        "/apiv2/wasuco/notification/read",
        &format!(r#"{{"phone_number": "0903173347", "ids": [{first}]}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(marked["marked"], 1);
    let (_, count) = get_json(
        &app,
        &hq,
        "/apiv2/wasuco/notification/unread-count?phone_number=0903173347",
    )
    .await;
    assert_eq!(count["unread"], 1);
    // A branch's software sends, but does not read the app's inbox.
    let (status, _) = get_json(&app, &cl, inbox).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
both_backends!(notifications_reach_the_app_inbox);

async fn the_openapi_document_describes_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let response = Client::new()
        .get(format!("{}/apiv2/openapi.json", app.address))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    let document: Value = response.json().await.expect("json");
    assert!(
        document["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.")
    );
    for path in [
        "/apiv1/auth",
        "/apiv2/v3/feedback/create",
        "/apiv2/ntw/feedback/update",
        "/apiv2/wasuco/notification/create",
    ] {
        assert!(document["paths"][path].is_object(), "{path}");
    }
    // An unknown API path answers JSON, not the portal's page.
    let (status, body) = get_json(&app, "x", "/apiv2/nothing/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["status"], 404);
}
both_backends!(the_openapi_document_describes_the_api);

async fn the_portal_shows_the_api_reference(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("dev_reader", "branch_staff", Some("GD"))
        .await;
    let browser = app.signed_in("dev_reader").await;
    let (status, page) = app.page(&browser, "/api-docs").await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "/apiv1/auth",
        "/apiv2/v3/feedback/create",
        "/apiv2/ntw/feedback/update",
        "/apiv2/wasuco/notification/create",
        "id_feedback",
        "/apiv2/openapi.json",
    ] {
        assert!(page.contains(expected), "{expected}");
    }
    // Signed out: the sign-in page, not the reference.
    let response = app.get(&app.browser(), "/api-docs").await;
    assert!(crate::helpers::location(&response).starts_with("/login"));
}
both_backends!(the_portal_shows_the_api_reference);

async fn app_readings_only_on_reading_days(backend: Backend) {
    use chrono::{Duration, Utc};
    use tcrm_app::domain::BillingPeriod;
    use tcrm_app::store::reading_schedules::WindowSpec;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed_contracts(&app).await;
    api_account(&app, "sawaco_app", "app", "").await;
    api_account(&app, "sawaco_hq", "hq", "").await;
    let app_token = token(&app, "sawaco_app").await;
    let reading = fixture("meter_reading.json");

    // Nothing scheduled at GD: refused, saying so.
    let (status, answer) = post_json(&app, &app_token, CREATE, &reading).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let message = answer["errors"]["contact_code"].as_str().expect("message");
    assert!(message.contains("none is scheduled"), "{message}");

    // A window next week: refused, naming its first day.
    let today = tcrm_app::reading_schedules::vietnam_day(Utc::now());
    let gd = BranchCode::parse("GD").expect("branch");
    let period = BillingPeriod::new(2026, 12).expect("period");
    let spec = |start: chrono::NaiveDate, end: chrono::NaiveDate| WindowSpec {
        period,
        start_date: start,
        end_date: end,
        note: String::new(),
    };
    let next_week = today + Duration::days(7);
    app.db()
        .create_reading_window(&gd, &spec(next_week, next_week + Duration::days(2)), None)
        .await
        .expect("store")
        .expect("no overlap");
    let (status, answer) = post_json(&app, &app_token, CREATE, &reading).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = answer["errors"]["contact_code"].as_str().expect("message");
    assert!(
        message.contains(&next_week.format("%d/%m/%Y").to_string()),
        "{message}"
    );
    assert_eq!(ticket_count(&app).await, 0);

    // HQ forwarding a reading it already accepted is not gated.
    let hq = token(&app, "sawaco_hq").await;
    let (status, _) = post_json(&app, &hq, CREATE, &reading).await;
    assert_eq!(status, StatusCode::OK);

    // Today is a reading day: the app's reading is taken, accuracy kept.
    app.db()
        .create_reading_window(
            &gd,
            &spec(today - Duration::days(1), today + Duration::days(1)),
            None,
        )
        .await
        .expect("store")
        .expect("no overlap");
    let by_bot = reading.replace(
        "\"number\" : \"387\"",
        "\"number\" : \"387\", \"accuracy\": \"0.97\"",
    );
    let (status, answer) = post_json(&app, &app_token, CREATE, &by_bot).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let ticket = app
        .db()
        .ticket(tcrm_app::domain::TicketId(
            answer["id"].as_i64().expect("id"),
        ))
        .await
        .expect("ticket");
    assert_eq!(ticket.accuracy, "0.97");
    // Both kinds of reading are shown for what they are.
    app.create_user("gd_reader", "branch_staff", Some("GD"))
        .await;
    let browser = app.signed_in("gd_reader").await;
    let (_, page) = app.page(&browser, &format!("/tickets/{}", ticket.id)).await;
    assert!(
        page.contains("AI đọc từ ảnh, độ chính xác (0.97)"),
        "read by the bot"
    );
    let (_, page) = app
        .page(&browser, &format!("/tickets/{}", ticket.id.0 - 1))
        .await;
    assert!(page.contains("Khách hàng nhập tay"), "typed by hand");
}
both_backends!(app_readings_only_on_reading_days);
