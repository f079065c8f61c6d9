//! Tickets in the portal: creation of each kind, validation, search, workflow, scope.

use reqwest::{Client, StatusCode};
use tcrm_app::domain::{BranchCode, Language, TicketId};
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;
use tcrm_app::store::tickets::CountBound;

use crate::helpers::{
    Backend, TestApp, assert_status_counts_are_kept, both_backends, invalid_fields, location,
    outcome,
};

fn ticket_form<'a>(kind: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(String, String)> {
    let mut form = vec![("form[kind]".to_owned(), kind.to_owned())];
    form.extend(fields.iter().map(|(name, value)| {
        let name = if name.starts_with("form[") {
            (*name).to_owned()
        } else {
            format!("form[{name}]")
        };
        (name, (*value).to_owned())
    }));
    form
}

async fn create(
    app: &TestApp,
    browser: &Client,
    kind: &str,
    fields: &[(&str, &str)],
) -> Result<TicketId, AppError> {
    let form = ticket_form(kind, fields);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let response = app
        .post_form(
            browser,
            "/api/tickets/create",
            &format!("/tickets/new?kind={kind}"),
            &pairs,
        )
        .await;
    outcome(&response)?;
    let target = location(&response);
    let id = target
        .trim_start_matches("/tickets/")
        .trim_end_matches("?done=created");
    Ok(TicketId(id.parse().expect("ticket id in the redirect")))
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const INCIDENT: [(&str, &str); 6] = [
    ("branch", "GD"),
    ("customer_name", "Nguyễn Văn Đức"),
    ("customer_phone", "0912 345 678"),
    ("customer_address", "12 Lê Lợi, Phường Bến Nghé"),
    ("content", "Bể ống nước trước nhà, nước chảy ra đường"),
    ("id_priority", "3"),
];

async fn every_kind_is_created_with_the_seeds_tags(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("hq.agent", "hq_staff", None).await;
    let agent = app.signed_in("hq.agent").await;

    let incident = create(
        &app,
        &agent,
        "incident",
        &[
            &INCIDENT[..],
            &[("incident_type", "1"), ("id_phenomena", "1")],
        ]
        .concat(),
    )
    .await
    .expect("incident");
    let ticket = app.db().ticket(incident).await.expect("stored");
    assert_eq!(
        (ticket.id_type, ticket.id_status, ticket.id_priority),
        (2, 1, 3)
    );
    assert_eq!(
        ticket.customer_phone.map(|p| p.as_str().to_owned()),
        Some("84912345678".into())
    );
    assert_eq!(
        ticket.feedback_code.as_deref(),
        Some(format!("GD-{:07}", incident.0).as_str())
    );
    assert_eq!(ticket.source, "staff");
    assert!(ticket.date_due.is_some(), "the SLA table sets a due date");

    let reading = create(
        &app,
        &agent,
        "meter_reading",
        &[
            ("branch", "CL"),
            ("contact_code", "1234 567 8901"),
            ("customer_name", "Trần Thị Bích"),
            ("customer_phone", "84908123456"),
            ("number", "1532"),
            ("month", "11"),
            ("year", "2026"),
        ],
    )
    .await
    .expect("reading");
    let ticket = app.db().ticket(reading).await.expect("stored");
    assert_eq!(
        (ticket.id_type, ticket.reading_number, ticket.reading_month),
        (10, Some(1532), Some(11))
    );
    assert_eq!(ticket.accuracy, "0", "typed by hand");
    assert_eq!(
        ticket.contact_code.map(|c| c.as_str().to_owned()),
        Some("12345678901".into())
    );

    let quota = create(
        &app,
        &agent,
        "quota",
        &[
            ("branch", "GD"),
            ("contact_code", "11112222333"),
            ("customer_name", "Lê Văn Cường"),
            ("customer_phone", "0987654321"),
            ("form[members][0][code]", "079201012345"),
            ("form[members][0][name]", "Lê Văn Cường"),
            ("form[members][0][address_type]", "1"),
            ("form[members][1][code]", "079201099999"),
            ("form[members][1][name]", "Phạm Thị Dung"),
            ("form[members][1][address_type]", "2"),
        ],
    )
    .await
    .expect("quota");
    let members = app.db().ticket_members(quota).await.expect("members");
    assert_eq!(members.len(), 2);
    assert_eq!(
        (members[1].name.as_str(), members[1].address_type),
        ("Phạm Thị Dung", 2)
    );
    assert_eq!(app.db().ticket(quota).await.expect("stored").id_type, 14);
    // The page lists the members (citizen ids masked); a ticket without any
    // has no members panel at all.
    let (_, page) = app.page(&agent, &format!("/tickets/{quota}")).await;
    assert!(page.contains("Phạm Thị Dung"));
    assert!(page.contains("*********999"));
    assert!(!page.contains("079201099999"));
    let (_, page) = app.page(&agent, &format!("/tickets/{}", ticket.id)).await;
    assert!(!page.contains("*********"));

    let business = create(
        &app,
        &agent,
        "new_connection",
        &[
            ("branch", "TD"),
            ("customer_name", "Công ty TNHH Nước Xanh"),
            ("customer_phone", "02838221234"),
            ("customer_address", "5 Võ Văn Ngân, Thủ Đức"),
            ("customer_type", "2"),
            ("tax_code", "0312345678"),
            ("legal_representative", "Giám đốc"),
            ("contact_person_name", "Võ Minh"),
            ("contact_person_phone", "0901234567"),
        ],
    )
    .await
    .expect("new connection");
    let ticket = app.db().ticket(business).await.expect("stored");
    assert_eq!(
        (
            ticket.id_type,
            ticket.customer_type,
            ticket.tax_code.as_str()
        ),
        (5, Some(2), "0312345678")
    );
    assert_eq!(ticket.id_service_reason, Some(20));

    for (kind, reason) in [
        ("relocation", 23),
        ("reinstatement", 22),
        ("transfer", 15),
        ("change_of_use", 11),
    ] {
        let id = create(
            &app,
            &agent,
            kind,
            &[
                ("branch", "NB"),
                ("contact_code", "22223333444"),
                ("customer_name", "Hồ Thị Em"),
                ("customer_phone", "0933333333"),
            ],
        )
        .await
        .expect(kind);
        let ticket = app.db().ticket(id).await.expect("stored");
        assert_eq!(
            (ticket.id_type, ticket.id_service_reason),
            (1, Some(reason)),
            "{kind}"
        );
    }
    let other = create(
        &app,
        &agent,
        "other",
        &[
            ("branch", "SG"),
            ("customer_name", "Khách"),
            ("customer_phone", "0944444444"),
            ("id_type", "9"),
            ("content", "Khiếu nại"),
        ],
    )
    .await
    .expect("complaint");
    assert_eq!(app.db().ticket(other).await.expect("stored").id_type, 9);
}
both_backends!(every_kind_is_created_with_the_seeds_tags);

async fn bad_ticket_input_names_each_field(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("hq.agent", "hq_staff", None).await;
    let agent = app.signed_in("hq.agent").await;
    let error = create(
        &app,
        &agent,
        "meter_reading",
        &[
            ("branch", "GD"),
            ("contact_code", "12345"),
            ("customer_name", "Ngô Thị Giang"),
            ("customer_phone", "09123"),
            ("number", "abc"),
            ("month", "13"),
            ("year", "2026"),
            ("id_priority", "test feedback"),
            ("date_due", "31/02/2026"),
        ],
    )
    .await
    .expect_err("refused");
    let fields = invalid_fields(Err(error.clone()));
    for expected in [
        ("contact_code", Key::ContractCodeInvalid),
        ("customer_phone", Key::PhoneInvalid),
        ("number", Key::NumberOutOfRange),
        ("month", Key::NumberOutOfRange),
        ("id_priority", Key::NumberOutOfRange),
        ("date_due", Key::DateInvalid),
    ] {
        assert!(
            fields.contains(&(expected.0.to_owned(), expected.1)),
            "{expected:?} in {fields:?}"
        );
    }
    let AppError::Validation(errors) = error else {
        panic!("validation")
    };
    assert_eq!(
        errors.value("customer_name"),
        Some("Ngô Thị Giang"),
        "typed values come back"
    );
    let quota = create(
        &app,
        &agent,
        "quota",
        &[
            ("branch", "GD"),
            ("contact_code", "11112222333"),
            ("customer_name", "A"),
            ("customer_phone", "0987654321"),
            ("form[members][0][code]", "12345"),
            ("form[members][0][name]", "Lê Văn Cường"),
        ],
    )
    .await;
    assert_eq!(
        invalid_fields(quota.map(|_| ())),
        vec![("members.0.code".to_owned(), Key::CitizenIdInvalid)]
    );
    let (_, list) = app.page(&agent, "/tickets").await;
    assert!(
        list.contains(Key::NoTickets.text(Language::Vi)),
        "nothing was written"
    );
}
both_backends!(bad_ticket_input_names_each_field);

async fn search_ignores_accents_case_and_phone_format(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("hq.agent", "hq_staff", None).await;
    let agent = app.signed_in("hq.agent").await;
    let found = create(&app, &agent, "incident", &INCIDENT)
        .await
        .expect("incident");
    let other = create(
        &app,
        &agent,
        "other",
        &[
            ("branch", "CL"),
            ("customer_name", "Trần Thị Mai"),
            ("customer_phone", "0977777777"),
            ("id_type", "3"),
            ("content", "Kiểm tra đồng hồ"),
        ],
    )
    .await
    .expect("other");
    let code = app
        .db()
        .ticket(found)
        .await
        .expect("stored")
        .feedback_code
        .expect("code");
    for query in [
        "nguyen van duc",
        "NGUYỄN VĂN ĐỨC",
        "Đức",
        "ben nghe",
        "be ong",
        "+84912345678",
        "84 912 345 678",
        code.as_str(),
        &code.to_lowercase(),
    ] {
        let (status, page) = app
            .page(&agent, &format!("/tickets?q={}", encode(query)))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(&format!("/tickets/{found}\"")),
            "{query} finds the ticket"
        );
        assert!(
            !page.contains(&format!("/tickets/{other}\"")),
            "{query} does not find the other"
        );
    }
    let (_, page) = app.page(&agent, "/tickets?q=khong+co+ai").await;
    assert!(page.contains(Key::NoTickets.text(Language::Vi)));
}
both_backends!(search_ignores_accents_case_and_phone_format);

/// The options of a ticket page's assignee field.
fn assignee_list(page: &str) -> &str {
    page.split("id=\"field-assignee\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the page's assignee list")
}

async fn the_workflow_is_enforced_and_recorded(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    let agent = app.signed_in("agent.gd").await;
    let id = create(&app, &agent, "incident", &INCIDENT)
        .await
        .expect("incident");
    let page = format!("/tickets/{id}");
    let ticket_id = id.to_string();
    let post = |endpoint: &'static str, fields: Vec<(&'static str, String)>| {
        let agent = agent.clone();
        let page = page.clone();
        let ticket_id = ticket_id.clone();
        let app = &app;
        async move {
            let mut form = vec![("id", ticket_id)];
            form.extend(fields);
            let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
            outcome(&app.post_form(&agent, endpoint, &page, &pairs).await)
        }
    };
    let refused = post("/api/tickets/status", vec![("id_status", "5".into())]).await;
    assert_eq!(
        invalid_fields(refused.clone()),
        vec![("id_status".to_owned(), Key::TransitionNotAllowed)]
    );
    // Sent from the page an earlier save left (`?done=saved`).
    let (_, shown) = app
        .page(
            &agent,
            location(
                &app.post_form(
                    &agent,
                    "/api/tickets/status",
                    &format!("{page}?done=saved"),
                    &[("id", &ticket_id), ("id_status", "5")],
                )
                .await,
            )
            .trim_start_matches(&app.address),
        )
        .await;
    assert!(
        shown.contains(Key::TransitionNotAllowed.text(Language::Vi)),
        "the refusal is explained on the page"
    );
    assert!(
        !shown.contains(Key::TicketSaved.text(Language::Vi)),
        "no \"saved\" above a refusal"
    );
    let (_, saved) = app.page(&agent, &format!("{page}?done=saved")).await;
    assert!(saved.contains(Key::TicketSaved.text(Language::Vi)));

    assert_eq!(
        post("/api/tickets/status", vec![("id_status", "3".into())]).await,
        Ok(())
    );
    let no_solution = post("/api/tickets/status", vec![("id_status", "4".into())]).await;
    assert_eq!(
        invalid_fields(no_solution),
        vec![("id_status".to_owned(), Key::TransitionNeedsSolution)]
    );
    assert_eq!(
        post(
            "/api/tickets/solution",
            vec![("solution", "Đã thay đoạn ống bị bể.".into())]
        )
        .await,
        Ok(())
    );
    assert_eq!(
        post(
            "/api/tickets/note",
            vec![("body", "Khách hẹn buổi chiều.".into())]
        )
        .await,
        Ok(())
    );
    assert_eq!(
        post("/api/tickets/priority", vec![("id_priority", "4".into())]).await,
        Ok(())
    );
    let bad_due = post("/api/tickets/due", vec![("date_due", "31/02/2026".into())]).await;
    assert_eq!(
        invalid_fields(bad_due.clone()),
        vec![("date_due".to_owned(), Key::DateInvalid)]
    );
    let Err(AppError::Validation(errors)) = bad_due else {
        panic!("a refused due date: {bad_due:?}");
    };
    assert_eq!(
        errors.value("date_due"),
        Some("31/02/2026"),
        "the form keeps what was typed"
    );
    assert_eq!(
        post("/api/tickets/due", vec![("date_due", "31/12/2026".into())]).await,
        Ok(())
    );
    assert_eq!(
        post(
            "/api/tickets/assign",
            vec![
                ("id_process_unit", "105".into()),
                ("assignee", String::new())
            ]
        )
        .await,
        Ok(())
    );
    assert_eq!(
        post("/api/tickets/status", vec![("id_status", "4".into())]).await,
        Ok(())
    );
    assert_eq!(
        post("/api/tickets/status", vec![("id_status", "5".into())]).await,
        Ok(())
    );

    let ticket = app.db().ticket(id).await.expect("ticket");
    assert_eq!(
        (ticket.id_status, ticket.id_priority, ticket.id_process_unit),
        (5, 4, Some(105))
    );
    let events = app.db().ticket_events(id).await.expect("events");
    let read = app.db().ticket_for_page(id).await.expect("page data");
    assert_eq!(
        read.events, events,
        "the page's one-statement timeline is the events as stored, times to the digit"
    );
    let ticket = app.db().ticket(id).await.expect("ticket");
    let staff = app
        .db()
        .assignable_staff(ticket.branch_code.as_ref())
        .await
        .expect("staff");
    assert!(!staff.is_empty());
    let (_, shown) = app.page(&agent, &page).await;
    let assignee_list = assignee_list(&shown);
    for (staff_id, name) in &staff {
        assert!(
            assignee_list.contains(&format!("<option value=\"{staff_id}\""))
                && assignee_list.contains(name.as_str()),
            "the page's assignee list is the one the assign action checks against: {name}"
        );
    }
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created", "status", "solution", "note", "priority", "due", "assign", "status",
            "status"
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.actor_label == "Nguyễn Thị agent.gd")
    );
    assert!(
        events
            .iter()
            .filter(|e| e.kind == "note")
            .all(|e| e.internal)
    );
    let (_, page_html) = app.page(&agent, &page).await;
    assert!(
        page_html.contains("Khách hẹn buổi chiều.")
            && page_html.contains("Đã thay đoạn ống bị bể.")
    );
    assert!(page_html.contains(Key::StatusClosed.text(Language::Vi)));
}
both_backends!(the_workflow_is_enforced_and_recorded);

async fn branch_users_see_and_change_only_their_branch(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("hq.agent", "hq_staff", None).await;
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    app.create_user("agent.cl", "branch_staff", Some("CL"))
        .await;
    app.create_user("boss", "executive", None).await;
    let hq = app.signed_in("hq.agent").await;
    let gd_ticket = create(&app, &hq, "incident", &INCIDENT).await.expect("gd");
    let mut cl_fields = INCIDENT.to_vec();
    cl_fields[0] = ("branch", "CL");
    cl_fields[1] = ("customer_name", "Khách Chợ Lớn");
    let cl_ticket = create(&app, &hq, "incident", &cl_fields).await.expect("cl");

    let gd = app.signed_in("agent.gd").await;
    let (_, list) = app.page(&gd, "/tickets").await;
    assert!(
        list.contains(&format!("/tickets/{gd_ticket}\""))
            && !list.contains(&format!("/tickets/{cl_ticket}\""))
    );
    let (_, searched) = app.page(&gd, "/tickets?q=khach+cho+lon&branch=CL").await;
    assert!(
        !searched.contains(&format!("/tickets/{cl_ticket}\"")),
        "search and filters cannot widen the scope"
    );
    let (status, _) = app.page(&gd, &format!("/tickets/{cl_ticket}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .post_form(
            &gd,
            "/api/tickets/status",
            "/",
            &[("id", &cl_ticket.to_string()), ("id_status", "3")],
        )
        .await;
    assert_eq!(outcome(&response), Err(AppError::NotFound));
    // A GD agent cannot file a ticket for another branch's contract either.
    let ticket = app.db().ticket(cl_ticket).await.expect("ticket");
    assert_eq!(ticket.id_status, 1);

    // Assigning to someone who does not work the branch is refused.
    let cl_user = app
        .db()
        .staff_user_by_username(&tcrm_app::domain::Username::parse("agent.cl").expect("valid"))
        .await
        .expect("q")
        .expect("user");
    let response = app
        .post_form(
            &gd,
            "/api/tickets/assign",
            "/",
            &[
                ("id", &gd_ticket.to_string()),
                ("id_process_unit", "97"),
                ("assignee", &cl_user.id.to_string()),
            ],
        )
        .await;
    assert_eq!(
        invalid_fields(outcome(&response)),
        vec![("assignee".to_owned(), Key::AssigneeOutOfScope)]
    );

    let boss = app.signed_in("boss").await;
    let (status, page) = app.page(&boss, &format!("/tickets/{cl_ticket}")).await;
    assert_eq!(status, StatusCode::OK, "an executive reads every branch");
    assert!(page.contains(Key::ReadOnlyTicket.text(Language::Vi)));
    for (endpoint, field, value) in [
        ("/api/tickets/status", "id_status", "3"),
        ("/api/tickets/note", "body", "x"),
        ("/api/tickets/priority", "id_priority", "1"),
    ] {
        let response = app
            .post_form(
                &boss,
                endpoint,
                "/",
                &[("id", &cl_ticket.to_string()), (field, value)],
            )
            .await;
        assert_eq!(outcome(&response), Err(AppError::Forbidden), "{endpoint}");
    }
    let response = app
        .post_form(
            &boss,
            "/api/tickets/create",
            "/tickets/new",
            &[("form[kind]", "incident")],
        )
        .await;
    assert_eq!(outcome(&response), Err(AppError::Forbidden));
    let (status, _) = app.page(&boss, "/tickets/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
both_backends!(branch_users_see_and_change_only_their_branch);

/// The page reuses a branch's assignee list read a moment ago; an account
/// change made in the portal still shows at the next view.
async fn the_assignee_list_follows_account_changes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    let leaving = app
        .create_user("leaving.gd", "branch_staff", Some("GD"))
        .await;
    let admin = app.signed_in("root.admin").await;
    let agent = app.signed_in("agent.gd").await;
    let ticket = crate::helpers::new_ticket(&app, "GD").await;
    let page = format!("/tickets/{ticket}");
    let offered = |html: &str, user: tcrm_app::domain::UserId| {
        assignee_list(html).contains(&format!("<option value=\"{user}\""))
    };

    let (_, before) = app.page(&agent, &page).await;
    assert!(offered(&before, leaving));
    let newcomer = app
        .create_user("newcomer.gd", "branch_staff", Some("GD"))
        .await;
    let (_, with_newcomer) = app.page(&agent, &page).await;
    assert!(
        offered(&with_newcomer, newcomer),
        "a new account is offered at once"
    );

    let off = app
        .post_form(
            &admin,
            "/api/users/active",
            &format!("/admin/users/{leaving}"),
            &[("id", &leaving.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(outcome(&off), Ok(()));
    let (_, after) = app.page(&agent, &page).await;
    assert!(
        !offered(&after, leaving),
        "a deactivated account is no longer offered"
    );
    assert!(offered(&after, newcomer));
}
both_backends!(the_assignee_list_follows_account_changes);

/// Two hand-made tickets (GD, and CL with a name that needs quoting) and more demo
/// tickets than one export page, so an export has to page by cursor. Signs in
/// `hq.agent` and `agent.gd`.
async fn export_fixture(app: &TestApp) {
    app.create_user("hq.agent", "hq_staff", None).await;
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    let hq = app.signed_in("hq.agent").await;
    create(app, &hq, "incident", &INCIDENT)
        .await
        .expect("gd ticket");
    let mut cl_fields = INCIDENT.to_vec();
    cl_fields[0] = ("branch", "CL");
    cl_fields[1] = ("customer_name", "Khách, \"Chợ Lớn\" & <Co>");
    create(app, &hq, "incident", &cl_fields)
        .await
        .expect("cl ticket");
    let size = tcrm_server::demo_data::DemoSize {
        customers: 50,
        tickets: 1200,
        seed: 7,
    };
    tcrm_server::demo_data::load(app.db(), &size)
        .await
        .expect("demo data");
}

async fn the_export_streams_the_filtered_list_within_scope(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    export_fixture(&app).await;
    let hq = app.signed_in("hq.agent").await;

    let response = app.get(&hq, "/tickets/export.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let body = response.text().await.expect("body");
    let mut lines = body.lines();
    assert!(
        lines
            .next()
            .expect("header")
            .starts_with("\u{feff}Mã phiếu,Ngày tạo,Loại yêu cầu")
    );
    assert_eq!(body.lines().count(), 1 + 1202, "every ticket, once");
    assert!(
        body.contains("\"Khách, \"\"Chợ Lớn\"\" & <Co>\""),
        "CSV quoting"
    );

    let gd = app.signed_in("agent.gd").await;
    let body = app
        .get(&gd, "/tickets/export.csv?q=nguyen+van+duc")
        .await
        .text()
        .await
        .expect("body");
    assert!(
        body.contains("Nguyễn Văn Đức") && !body.contains("Chợ Lớn"),
        "scope and search apply"
    );
    assert!(
        body.lines().skip(1).all(|line| line.contains(",GD,")),
        "only GD rows"
    );
    let anonymous = app.get(&app.browser(), "/tickets/export.csv").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}
both_backends!(the_export_streams_the_filtered_list_within_scope);

/// The worksheet's rows, each cell's text (inline string unescaped, or a number's
/// value) at its column; the heading row first.
fn worksheet_rows(xlsx: &[u8]) -> Vec<Vec<String>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip archive");
    let mut sheet = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .expect("the worksheet part")
        .read_to_string(&mut sheet)
        .expect("UTF-8 XML");
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
    ] {
        assert!(archive.by_name(part).is_ok(), "{part} is in the package");
    }
    let unescape = |text: &str| {
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    };
    let between = |text: &str, open: &str, close: &str| -> Option<String> {
        let start = text.find(open)? + open.len();
        let end = start + text[start..].find(close)?;
        Some(text[start..end].to_owned())
    };
    sheet
        .split("<row ")
        .skip(1)
        .map(|row| {
            let mut cells = vec![String::new(); 14];
            for cell in row.split("<c ").skip(1) {
                let reference = between(cell, "r=\"", "\"").expect("a cell reference");
                let column = usize::from(reference.as_bytes()[0] - b'A');
                let value = if cell.contains("t=\"inlineStr\"") {
                    let text = between(cell, "<is><t", "</t>").expect("inline text");
                    unescape(&text[text.find('>').expect("end of <t>") + 1..])
                } else {
                    between(cell, "<v>", "</v>").expect("a value")
                };
                cells[column] = value;
            }
            cells
        })
        .collect()
}

/// An Excel serial date as `dd/mm/yyyy HH:MM`, the way the portal and the CSV show it.
fn serial_as_shown(serial: &str) -> String {
    let serial: f64 = serial.parse().expect("a serial date");
    let seconds = (serial * 86_400.0).round() as i64;
    let start = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .expect("valid")
        .and_hms_opt(0, 0, 0)
        .expect("valid");
    (start + chrono::Duration::seconds(seconds))
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

async fn the_xlsx_export_streams_the_filtered_list_within_scope(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    export_fixture(&app).await;
    let hq = app.signed_in("hq.agent").await;

    let response = app.get(&hq, "/tickets/export.xlsx").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .ends_with(".xlsx\"")
    );
    let xlsx = response.bytes().await.expect("body");
    assert!(xlsx.starts_with(b"PK\x03\x04"), "a zip file");
    let rows = worksheet_rows(&xlsx);
    assert_eq!(
        rows[0][..3],
        ["Mã phiếu", "Ngày tạo", "Loại yêu cầu"],
        "Vietnamese headings"
    );
    assert_eq!(rows.len(), 1 + 1202, "every ticket, once");
    assert!(
        rows.iter().any(|row| row[7] == "Khách, \"Chợ Lớn\" & <Co>"),
        "text survives XML escaping"
    );

    // Every moment as the CSV shows it: dd/mm/yyyy HH:MM, Vietnam time.
    let csv = app
        .get(&hq, "/tickets/export.csv")
        .await
        .text()
        .await
        .expect("body");
    let csv_created: std::collections::HashMap<&str, &str> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let mut fields = line.split(',');
            (
                fields.next().expect("code"),
                fields.next().expect("created"),
            )
        })
        .collect();
    assert_eq!(csv_created.len(), 1202);
    for row in &rows[1..] {
        assert_eq!(
            Some(&serial_as_shown(&row[1]).as_str()),
            csv_created.get(row[0].as_str()),
            "{}",
            row[0]
        );
    }

    // Filters apply; the list links to the export of what it shows.
    let (_, list) = app.page(&hq, "/tickets?branch=CL").await;
    assert!(list.contains("href=\"/tickets/export.xlsx?branch=CL\""));
    assert!(list.contains(Key::ExportXlsx.text(Language::Vi)));
    let rows = worksheet_rows(
        &app.get(&hq, "/tickets/export.xlsx?branch=CL")
            .await
            .bytes()
            .await
            .expect("body"),
    );
    assert!(rows.len() > 2, "CL has demo tickets too");
    assert!(rows[1..].iter().all(|row| row[6] == "CL"), "only CL rows");

    // A branch user's export holds only their branch, whatever is asked.
    let gd = app.signed_in("agent.gd").await;
    for query in ["", "?branch=CL", "?q=nguyen+van+duc"] {
        let response = app.get(&gd, &format!("/tickets/export.xlsx{query}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        let rows = worksheet_rows(&response.bytes().await.expect("body"));
        assert!(
            rows[1..].iter().all(|row| row[6] == "GD"),
            "only GD rows for {query:?}"
        );
        assert!(
            rows.iter().all(|row| !row[7].contains("Chợ Lớn")),
            "no CL ticket for {query:?}"
        );
    }
    let searched = worksheet_rows(
        &app.get(&gd, "/tickets/export.xlsx?q=nguyen+van+duc")
            .await
            .bytes()
            .await
            .expect("body"),
    );
    assert!(
        searched[1..].iter().any(|row| row[7] == "Nguyễn Văn Đức"),
        "the search applies"
    );
    let anonymous = app.get(&app.browser(), "/tickets/export.xlsx").await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}
both_backends!(the_xlsx_export_streams_the_filtered_list_within_scope);

async fn the_customer_page_shows_contracts_and_tickets_within_scope(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let size = tcrm_server::demo_data::DemoSize {
        customers: 20,
        tickets: 200,
        seed: 11,
    };
    tcrm_server::demo_data::load(app.db(), &size)
        .await
        .expect("demo data");
    app.create_user("hq.agent", "hq_staff", None).await;
    app.create_user("agent.tn", "branch_staff", Some("TN"))
        .await;
    app.create_user("agent.sg", "branch_staff", Some("SG"))
        .await;
    // Demo customer 10 holds two contract codes, at TN and HM.
    let contracts = app.db().customer_contracts(10).await.expect("contracts");
    let branches: Vec<String> = contracts
        .iter()
        .map(|c| c.branch_code.to_string())
        .collect();
    assert_eq!(branches, ["TN", "HM"]);

    let hq = app.signed_in("hq.agent").await;
    let (status, page) = app.page(&hq, "/customers/10").await;
    assert_eq!(status, StatusCode::OK);
    for contract in &contracts {
        assert!(
            page.contains(&contract.code.display()),
            "HQ sees {}",
            contract.code
        );
    }
    let tn = app.signed_in("agent.tn").await;
    let (status, page) = app.page(&tn, "/customers/10").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&contracts[0].code.display()) && !page.contains(&contracts[1].code.display()),
        "only the TN contract"
    );
    let sg = app.signed_in("agent.sg").await;
    assert_eq!(
        app.page(&sg, "/customers/10").await.0,
        StatusCode::NOT_FOUND,
        "no SG contract: not visible"
    );
    assert_eq!(
        app.page(&hq, "/customers/99999").await.0,
        StatusCode::NOT_FOUND
    );
}
both_backends!(the_customer_page_shows_contracts_and_tickets_within_scope);

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89";

async fn upload(
    app: &TestApp,
    browser: &Client,
    ticket: TicketId,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    browser
        .post(format!("{}/tickets/{ticket}/attachments", app.address))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn attachments_are_checked_by_content_and_served_within_scope(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    app.create_user("agent.cl", "branch_staff", Some("CL"))
        .await;
    app.create_user("boss", "executive", None).await;
    let gd = app.signed_in("agent.gd").await;
    let ticket = create(&app, &gd, "incident", &INCIDENT)
        .await
        .expect("ticket");

    let response = upload(&app, &gd, ticket, "ảnh bể ống.png", PNG).await;
    assert_eq!(
        location(&response),
        format!("/tickets/{ticket}?done=uploaded")
    );
    let refused = upload(&app, &gd, ticket, "photo.png", b"<script>alert(1)</script>").await;
    assert_eq!(
        location(&refused),
        format!("/tickets/{ticket}?upload=type"),
        "a script named .png is refused"
    );
    let empty = upload(&app, &gd, ticket, "x.png", b"").await;
    assert_eq!(location(&empty), format!("/tickets/{ticket}?upload=empty"));
    let too_big = upload(
        &app,
        &gd,
        ticket,
        "big.png",
        &[PNG, &vec![0u8; 11 * 1024 * 1024]].concat(),
    )
    .await;
    assert_eq!(
        location(&too_big),
        format!("/tickets/{ticket}?upload=too_big")
    );
    // The server closes a connection whose body it refused to read to the end; a
    // browser opens a new one, and so does this test (a pooled client may not have
    // noticed the close yet).
    let gd = app.signed_in("agent.gd").await;

    let attachments = app
        .db()
        .ticket_attachments(ticket)
        .await
        .expect("attachments");
    assert_eq!(attachments.len(), 1, "only the real image was kept");
    let (_, page) = app
        .page(&gd, &format!("/tickets/{ticket}?upload=type"))
        .await;
    assert!(
        page.contains(&format!("<img src=\"/attachments/{}\"", attachments[0].id)),
        "images are shown inline"
    );
    assert!(page.contains(Key::UploadType.text(Language::Vi)));
    assert!(page.contains("ảnh bể ống.png"));

    let url = format!("/attachments/{}", attachments[0].id);
    let file = app.get(&gd, &url).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.headers()["content-type"], "image/png");
    assert_eq!(file.bytes().await.expect("bytes").as_ref(), PNG);
    let cl = app.signed_in("agent.cl").await;
    assert_eq!(
        app.get(&cl, &url).await.status(),
        StatusCode::NOT_FOUND,
        "another branch cannot fetch it"
    );
    assert_eq!(
        app.get(&app.browser(), &url).await.status(),
        StatusCode::SEE_OTHER
    );
    let boss = app.signed_in("boss").await;
    assert_eq!(app.get(&boss, &url).await.status(), StatusCode::OK);
    assert_eq!(
        upload(&app, &boss, ticket, "x.png", PNG).await.status(),
        StatusCode::FORBIDDEN
    );
}
both_backends!(attachments_are_checked_by_content_and_served_within_scope);

async fn bulk_actions_check_each_ticket_and_report_refusals(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("hq.agent", "hq_staff", None).await;
    app.create_user("agent.gd", "branch_staff", Some("GD"))
        .await;
    let hq = app.signed_in("hq.agent").await;
    let first = create(&app, &hq, "incident", &INCIDENT)
        .await
        .expect("first");
    let second = create(&app, &hq, "incident", &INCIDENT)
        .await
        .expect("second");
    let mut cl_fields = INCIDENT.to_vec();
    cl_fields[0] = ("branch", "CL");
    let elsewhere = create(&app, &hq, "incident", &cl_fields).await.expect("cl");

    let gd = app.signed_in("agent.gd").await;
    let bulk = |change: &'static str, ids: Vec<TicketId>| {
        let gd = gd.clone();
        let app = &app;
        async move {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            let mut form: Vec<(String, String)> = ids
                .iter()
                .enumerate()
                .map(|(index, id)| (format!("ids[{index}]"), id.clone()))
                .collect();
            form.push(("change".into(), change.into()));
            form.push(("back".into(), "/tickets?status=1".into()));
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            app.post_form(&gd, "/api/tickets/bulk", "/tickets?status=1", &pairs)
                .await
        }
    };
    let response = bulk("status:3", vec![first, second, elsewhere]).await;
    assert_eq!(outcome(&response), Ok(()));
    let target = location(&response);
    assert!(
        target.starts_with("/tickets?status=1&bulk_done=2&bulk_refused=1"),
        "{target}"
    );
    for id in [first, second] {
        assert_eq!(app.db().ticket(id).await.expect("ticket").id_status, 3);
    }
    assert_eq!(
        app.db().ticket(elsewhere).await.expect("ticket").id_status,
        1,
        "another branch's ticket untouched"
    );
    let (_, page) = app.page(&gd, &target).await;
    assert!(
        page.contains("data-testid=\"bulk-report\"")
            && page.contains(Key::ErrNotFound.text(Language::Vi))
    );

    let response = bulk("status:5", vec![first]).await;
    let (_, page) = app.page(&gd, &location(&response)).await;
    assert!(
        page.contains(&format!("GD-{:07}", first.0))
            && page.contains(Key::TransitionNotAllowed.text(Language::Vi))
    );
    let response = bulk("priority:4", vec![first, second]).await;
    assert!(location(&response).contains("bulk_done=2&bulk_refused=0"));
    let response = bulk("department:105", vec![]).await;
    assert_eq!(
        invalid_fields(outcome(&response)),
        vec![("ids".to_owned(), Key::BulkNothingSelected)]
    );
    assert_eq!(
        app.db().ticket(second).await.expect("ticket").id_priority,
        4
    );
    assert_status_counts_are_kept(app.db()).await;
}
both_backends!(bulk_actions_check_each_ticket_and_report_refusals);

async fn admins_edit_the_sla_table_that_sets_due_dates(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.create_user("root.admin", "admin", None).await;
    app.create_user("hq.agent", "hq_staff", None).await;
    let admin = app.signed_in("root.admin").await;
    let rules = app.db().sla_rules().await.expect("rules");
    assert_eq!(rules.len(), 11 * 4, "every type × priority");
    let mut form: Vec<(String, String)> = rules
        .iter()
        .map(|(t, p, h)| (format!("hours[t{t}p{p}]"), h.to_string()))
        .collect();
    let incident_high = form
        .iter()
        .position(|(name, _)| name == "hours[t2p3]")
        .expect("cell");
    form[incident_high].1 = "6".into();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let saved = app
        .post_form(&admin, "/api/sla/save", "/admin/sla", &pairs)
        .await;
    assert_eq!(outcome(&saved), Ok(()));
    assert!(
        app.db()
            .sla_rules()
            .await
            .expect("rules")
            .contains(&(2, 3, 6))
    );

    let mut bad = form.clone();
    bad[0].1 = "0".into();
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let refused = app
        .post_form(&admin, "/api/sla/save", "/admin/sla", &pairs)
        .await;
    assert_eq!(
        invalid_fields(outcome(&refused)),
        vec![("t1p1".to_owned(), Key::NumberOutOfRange)]
    );

    let agent = app.signed_in("hq.agent").await;
    let (status, page) = app.page(&agent, "/admin/sla").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("name=\"hours["), "read-only for staff");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(
        outcome(
            &app.post_form(&agent, "/api/sla/save", "/admin/sla", &pairs)
                .await
        ),
        Err(AppError::Forbidden)
    );

    let before = chrono::Utc::now();
    let id = create(&app, &agent, "incident", &INCIDENT)
        .await
        .expect("ticket");
    let due = app
        .db()
        .ticket(id)
        .await
        .expect("ticket")
        .date_due
        .expect("due");
    let hours = (due - before).num_minutes() as f64 / 60.0;
    assert!(
        (5.9..6.1).contains(&hours),
        "the incident at high priority is due in 6 h, got {hours}"
    );
}
both_backends!(admins_edit_the_sla_table_that_sets_due_dates);

/// The names of the indexes (and, on PostgreSQL, constraints) of the tables demo
/// data loads, sorted.
async fn loaded_table_indexes(app: &TestApp) -> Vec<String> {
    let sql = match app.db().backend() {
        tcrm_app::store::Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'index' \
             AND tbl_name IN ('customers', 'contracts', 'tickets', 'ticket_events') ORDER BY name"
        }
        tcrm_app::store::Backend::Postgres => {
            "SELECT indexname::text FROM pg_indexes \
             WHERE tablename IN ('customers', 'contracts', 'tickets', 'ticket_events') \
             UNION ALL SELECT conname::text FROM pg_constraint \
             WHERE conrelid IN ('customers'::regclass, 'contracts'::regclass, 'tickets'::regclass, \
               'ticket_events'::regclass) \
             ORDER BY 1"
        }
    };
    tcrm_app::on_pool!(app.db(), |pool| sqlx::query_scalar::<_, String>(sql)
        .fetch_all(pool)
        .await)
    .expect("index names")
}

async fn demo_data_loads_in_bulk_and_leaves_the_schema_as_it_was(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let indexes = loaded_table_indexes(&app).await;
    assert!(indexes.len() >= 10, "{indexes:?}");
    // Twice: a load appends after what is there.
    for seed in [11, 12] {
        let size = tcrm_server::demo_data::DemoSize {
            customers: 300,
            tickets: 700,
            seed,
        };
        let written = tcrm_server::demo_data::load(app.db(), &size)
            .await
            .expect("demo data");
        assert_eq!(written, (300, 700));
        if seed == 11 && app.db().backend() == tcrm_app::store::Backend::Postgres {
            // PostgreSQL's word index is asked block by block (32,768 ids each):
            // the second load goes two blocks up, past an empty one.
            tcrm_app::on_pool!(app.db(), |pool| sqlx::query(
                "ALTER TABLE tickets ALTER COLUMN id RESTART WITH 70000"
            )
            .execute(pool)
            .await
            .map(|_| ()))
            .expect("restart the ticket ids");
            let id = crate::helpers::new_ticket(&app, "GD").await;
            assert_eq!(id.0, 70_000);
        }
    }
    let created = match app.db().backend() {
        tcrm_app::store::Backend::Sqlite => 0,
        tcrm_app::store::Backend::Postgres => 1,
    };
    assert_eq!(
        loaded_table_indexes(&app).await,
        indexes,
        "the indexes dropped for the load are all back"
    );

    // Each demo ticket has a timeline: its creation, then the allowed status
    // changes that led to its status.
    let (timelines, last_status_right): (i64, i64) =
        tcrm_app::on_pool!(app.db(), |pool| sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN (SELECT e.to_value FROM ticket_events e \
               WHERE e.ticket_id = t.id ORDER BY e.id DESC LIMIT 1) = CAST(t.id_status AS TEXT) \
               THEN 1 ELSE 0 END), 0) \
             FROM tickets t WHERE EXISTS (SELECT 1 FROM ticket_events e \
               WHERE e.ticket_id = t.id AND e.kind = 'created')"
        )
        .fetch_one(pool)
        .await)
        .expect("timelines");
    assert_eq!(
        (timelines, last_status_right),
        (1400 + created, 1400 + created),
        "both loads' tickets"
    );

    // The demo tickets are found by word, through the word index.
    let filter = tcrm_app::store::tickets::TicketFilter {
        search: Some(tcrm_app::store::tickets::TicketSearch::Words(vec![
            "nguyen".to_owned(),
        ])),
        ..Default::default()
    };
    let found = app
        .db()
        .list_tickets(
            &filter,
            tcrm_app::store::tickets::TicketOrder::NewestFirst,
            None,
            10_000,
        )
        .await
        .expect("word search")
        .len() as i64;
    let expected = tcrm_app::on_pool!(app.db(), |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM tickets WHERE search_text LIKE '%nguyen%'"
    )
    .fetch_one(pool)
    .await)
    .expect("count");
    assert!(expected > 0);
    assert_eq!(found, expected, "every demo ticket is in the word index");

    // Paging a word search by cursor walks every match once, newest first.
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let page = app
            .db()
            .list_tickets(
                &filter,
                tcrm_app::store::tickets::TicketOrder::NewestFirst,
                cursor,
                7,
            )
            .await
            .expect("page");
        let Some(last) = page.last() else { break };
        cursor = Some(last.id);
        paged.extend(page.iter().map(|row| row.id.0));
    }
    assert_eq!(paged.len() as i64, expected);
    assert!(
        paged.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first, no repeats"
    );
    // Narrowed to a status or a branch (which PostgreSQL's word index holds
    // too), a word search finds exactly the matches in it, newest first; oldest
    // first (each ticket tested on its own) finds the same.
    let matches_where = |condition: String| {
        let app = &app;
        async move {
            tcrm_app::on_pool!(app.db(), |pool| sqlx::query_scalar::<_, i64>(&format!(
                "SELECT id FROM tickets WHERE search_text LIKE '%nguyen%' AND {condition} \
                 ORDER BY id DESC"
            ))
            .fetch_all(pool)
            .await)
            .expect("matches")
        }
    };
    let listed_ids = |filter: tcrm_app::store::tickets::TicketFilter, order| {
        let app = &app;
        async move {
            app.db()
                .list_tickets(&filter, order, None, 10_000)
                .await
                .expect("narrowed search")
                .iter()
                .map(|row| row.id.0)
                .collect::<Vec<i64>>()
        }
    };
    let narrowed =
        |status: Option<i64>, branch: Option<&str>| tcrm_app::store::tickets::TicketFilter {
            status,
            branch: branch.map(|code| BranchCode::parse(code).expect("branch")),
            ..filter.clone()
        };
    for (status, branch, condition) in [
        (Some(3), None, "id_status = 3"),
        (None, Some("GD"), "branch_code = 'GD'"),
        (Some(5), Some("GD"), "id_status = 5 AND branch_code = 'GD'"),
    ] {
        let expected = matches_where(condition.to_owned()).await;
        assert!(!expected.is_empty(), "{condition}");
        let newest_first = listed_ids(
            narrowed(status, branch),
            tcrm_app::store::tickets::TicketOrder::NewestFirst,
        )
        .await;
        assert_eq!(newest_first, expected, "{condition}");
        let mut oldest_first = listed_ids(
            narrowed(status, branch),
            tcrm_app::store::tickets::TicketOrder::OldestFirst,
        )
        .await;
        oldest_first.reverse();
        assert_eq!(oldest_first, expected, "{condition}");
        // The chosen status's tab counts at least what its first page shows,
        // though the search's newest 50 matches may hold few of it.
        if let Some(status) = status {
            let first_page = app
                .db()
                .list_tickets(
                    &narrowed(Some(status), branch),
                    tcrm_app::store::tickets::TicketOrder::NewestFirst,
                    None,
                    51,
                )
                .await
                .expect("first page");
            let (counts, _) = app
                .db()
                .count_tickets_by_status_capped(
                    &narrowed(Some(status), branch),
                    1000,
                    Some(tcrm_app::store::tickets::FirstPage {
                        rows: &first_page,
                        limit: 51,
                    }),
                )
                .await
                .expect("tab counts");
            let counted = counts
                .iter()
                .find(|(id, _)| *id == status)
                .map_or(0, |(_, n)| *n);
            assert!(
                counted >= expected.len().min(50) as i64,
                "{condition}: {counts:?}"
            );
        }
    }
    // A ticket whose status changes is found under its new status, not its old.
    let moved = *matches_where("TRUE".to_owned())
        .await
        .first()
        .expect("a ticket that matches");
    let from = app
        .db()
        .ticket(TicketId(moved))
        .await
        .expect("ticket")
        .id_status;
    let to = if from == 2 { 3 } else { 2 };
    app.db()
        .change_ticket(
            TicketId(moved),
            &tcrm_app::store::tickets::TicketChange::Status { from, to },
            None,
            "test",
        )
        .await
        .expect("status change");
    let newest_first = tcrm_app::store::tickets::TicketOrder::NewestFirst;
    assert!(
        !listed_ids(narrowed(Some(from), None), newest_first)
            .await
            .contains(&moved)
    );
    assert!(
        listed_ids(narrowed(Some(to), None), newest_first)
            .await
            .contains(&moved)
    );

    // The tabs' counts: exact under the cap, "at least" over it.
    let (counts, bound) = app
        .db()
        .count_tickets_by_status_capped(&filter, 100_000, None)
        .await
        .expect("counts");
    // A word search's newest 50 matches are counted at most.
    let counted = counts.iter().map(|(_, n)| n).sum::<i64>();
    assert!(expected > 50, "{expected}");
    assert_eq!((counted, bound), (50, CountBound::AtLeast));
    // Read off the list's first page (whose 51 rows hold those 50), the counts
    // are the same as walked again.
    let first_page = app
        .db()
        .list_tickets(
            &filter,
            tcrm_app::store::tickets::TicketOrder::NewestFirst,
            None,
            51,
        )
        .await
        .expect("first page");
    let from_page = app
        .db()
        .count_tickets_by_status_capped(
            &filter,
            100_000,
            Some(tcrm_app::store::tickets::FirstPage {
                rows: &first_page,
                limit: 51,
            }),
        )
        .await
        .expect("counts from the first page");
    assert_eq!(from_page, (counts.clone(), bound));
    let (counts, bound) = app
        .db()
        .count_tickets_by_status_capped(&filter, 3, None)
        .await
        .expect("capped counts");
    assert!(counts.iter().all(|(_, n)| *n <= 3));
    assert!(
        counts.iter().any(|(_, n)| bound.is_lower_bound(*n)),
        "a capped count says so"
    );
    // Narrowed by a branch alone, the tabs are the kept counts: exact, uncapped,
    // the loaded tickets included.
    let by_branch = tcrm_app::store::tickets::TicketFilter {
        branch: Some(BranchCode::parse("GD").expect("GD")),
        ..Default::default()
    };
    let (counts, bound) = app
        .db()
        .count_tickets_by_status_capped(&by_branch, 3, None)
        .await
        .expect("kept counts");
    assert_eq!(bound, CountBound::Exact);
    assert!(counts.iter().any(|(_, n)| *n > 3));
    assert_status_counts_are_kept(app.db()).await;

    // A created-date range (written into the statement's text on PostgreSQL)
    // finds exactly the tickets created in it, alone and with words.
    let now = chrono::Utc::now();
    let (from, before) = (
        now - chrono::Duration::days(200),
        now - chrono::Duration::days(100),
    );
    let in_range = |words: Option<&str>| tcrm_app::store::tickets::TicketFilter {
        created_from: Some(from),
        created_before: Some(before),
        search: words
            .map(|word| tcrm_app::store::tickets::TicketSearch::Words(vec![word.to_owned()])),
        ..Default::default()
    };
    for words in [None, Some("nguyen")] {
        let expected: i64 = tcrm_app::on_pool!(app.db(), |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets WHERE created_at >= $1 AND created_at < $2 \
             AND ($3 IS NULL OR search_text LIKE $3)"
        )
        .bind(from)
        .bind(before)
        .bind(words.map(|word| format!("%{word}%")))
        .fetch_one(pool)
        .await)
        .expect("count in range");
        assert!(expected > 0, "{words:?}");
        let listed = app
            .db()
            .list_tickets(
                &in_range(words),
                tcrm_app::store::tickets::TicketOrder::NewestFirst,
                None,
                10_000,
            )
            .await
            .expect("list in range");
        assert_eq!(listed.len() as i64, expected, "{words:?}");
        assert!(
            listed
                .iter()
                .all(|row| row.created_at >= from && row.created_at < before)
        );
        let counted: i64 = app
            .db()
            .count_tickets_by_status(&in_range(words))
            .await
            .expect("counts in range")
            .iter()
            .map(|(_, n)| n)
            .sum();
        assert_eq!(counted, expected, "{words:?}");
    }
    let since = now - chrono::Duration::days(30);
    let per_day: i64 = app
        .db()
        .tickets_created_per_day(None, since)
        .await
        .expect("per day")
        .iter()
        .map(|(_, _, n)| n)
        .sum();
    let expected: i64 = tcrm_app::on_pool!(app.db(), |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE created_at >= $1"
    )
    .bind(since)
    .fetch_one(pool)
    .await)
    .expect("count since");
    assert!(expected > 0);
    assert_eq!(
        per_day, expected,
        "the 30-day trend counts every ticket since"
    );

    // Ids continue after the loaded ones (PostgreSQL's identity sequence was moved).
    app.create_user("hq.agent", "hq_staff", None).await;
    let hq = app.signed_in("hq.agent").await;
    // The list's tabs show exact counts from the kept ones, grouped by thousands.
    let (_, list) = app.page(&hq, "/tickets").await;
    let total = format!("<span class=\"count\">1.{:03}</span>", 400 + created);
    assert!(
        list.contains(&total),
        "all {total} tickets counted on the first tab"
    );
    let id = create(&app, &hq, "incident", &INCIDENT)
        .await
        .expect("a ticket after the load");
    let next = match app.db().backend() {
        tcrm_app::store::Backend::Sqlite => 1401,
        // After the second load, which began at 70,001.
        tcrm_app::store::Backend::Postgres => 70_701,
    };
    assert_eq!(id, TicketId(next));
}
both_backends!(demo_data_loads_in_bulk_and_leaves_the_schema_as_it_was);

/// A new ticket's words are found at once, while PostgreSQL's word index still
/// holds them in its pending list, and after the server's merge moved them in.
async fn new_words_are_found_before_and_after_the_index_merges_them(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let words = |words: &[&str]| tcrm_app::store::tickets::TicketFilter {
        search: Some(tcrm_app::store::tickets::TicketSearch::Words(
            words.iter().map(|word| (*word).to_owned()).collect(),
        )),
        ..Default::default()
    };
    let found = |filter: tcrm_app::store::tickets::TicketFilter| {
        let app = &app;
        async move {
            app.db()
                .list_tickets(
                    &filter,
                    tcrm_app::store::tickets::TicketOrder::NewestFirst,
                    None,
                    50,
                )
                .await
                .expect("word search")
                .iter()
                .map(|row| row.id)
                .collect::<Vec<TicketId>>()
        }
    };
    let first = crate::helpers::new_ticket(&app, "GD").await;
    let second = crate::helpers::new_ticket(&app, "TD").await;
    for _ in 0..2 {
        assert_eq!(
            found(words(&["nguyen", "van", "du"])).await,
            [second, first]
        );
        assert_eq!(found(words(&["be", "ong"])).await, [second, first]);
        assert!(found(words(&["nguyen", "thi"])).await.is_empty());
        app.db()
            .merge_pending_word_entries()
            .await
            .expect("merge pending entries");
    }
    if app.db().backend() == tcrm_app::store::Backend::Postgres {
        let (options, pending_pages): (String, i64) =
            tcrm_app::on_pool!(app.db(), |pool| sqlx::query_as(
                "SELECT (SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'tickets_search_blocks'), \
                        CAST(gin_clean_pending_list('tickets_search_blocks'::regclass) AS BIGINT)"
            )
            .fetch_one(pool)
            .await)
            .expect("index options");
        assert!(
            options.split(',').any(|option| option == "fastupdate=on"),
            "{options}"
        );
        assert_eq!(pending_pages, 0, "nothing left pending after the merge");
    }
}
both_backends!(new_words_are_found_before_and_after_the_index_merges_them);
