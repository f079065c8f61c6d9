//! `tcrm demo-data`: realistic customers, contract codes and tickets for demos and
//! benchmarks — Vietnamese names with accents, HCMC streets and wards, phones,
//! 11-digit contract codes across the branches, every kind and status over two years.

use std::time::Instant;

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tcrm_app::domain::{BranchCode, ContractCode, Phone};
use tcrm_app::store::Db;
use tcrm_app::store::demo::{DemoContract, DemoCustomer, DemoEvent, DemoTicket};
use tcrm_app::store::tickets::search_words;

const FAMILY: [&str; 16] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: [&str; 10] = [
    "Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Đức", "Quốc", "Thu", "Hoài",
];
const GIVEN: [&str; 24] = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc",
    "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Khoa", "Nhung", "Đạt", "Hiếu",
];
const STREETS: [&str; 16] = [
    "Lê Lợi",
    "Nguyễn Huệ",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Võ Văn Tần",
    "Nguyễn Thị Minh Khai",
    "Hai Bà Trưng",
    "Pasteur",
    "Trần Hưng Đạo",
    "Lý Thường Kiệt",
    "Phan Đăng Lưu",
    "Xô Viết Nghệ Tĩnh",
    "Võ Văn Ngân",
    "Huỳnh Tấn Phát",
    "Nguyễn Văn Linh",
    "Âu Cơ",
];
/// (ward name, ward code of the 2025 scheme) per branch, in `BranchCode::ALL` order.
const WARDS: [(&str, &str); 12] = [
    ("Phường Bến Thành", "26740"),
    ("Phường Chợ Lớn", "27316"),
    ("Phường Gia Định", "26944"),
    ("Phường Thủ Đức", "26824"),
    ("Phường Phú Thọ Hòa", "27028"),
    ("Xã Nhà Bè", "27655"),
    ("Phường Tân Hòa", "27004"),
    ("Xã Trung An", "26479"),
    ("Xã Cần Giờ", "27664"),
    ("Xã Bình Chánh", "27595"),
    ("Xã Tân Nhựt", "27619"),
    ("Phường Bình Tân", "27442"),
];
const CONTENTS: [&str; 10] = [
    "Bể ống nước trước nhà, nước chảy ra đường",
    "Nhà mất nước từ sáng, đề nghị kiểm tra",
    "Nước yếu vào giờ cao điểm buổi tối",
    "Nước có màu đục, có mùi lạ",
    "Đề nghị kiểm tra đồng hồ nước chạy nhanh bất thường",
    "Hóa đơn tháng này cao hơn nhiều so với mọi tháng",
    "Xin hướng dẫn thủ tục gắn mới đồng hồ nước",
    "Đăng ký định mức cho nhân khẩu mới chuyển đến",
    "Yêu cầu nâng dời đồng hồ nước vào trong nhà",
    "Xin sang tên hợp đồng cho chủ nhà mới",
];
/// Where tickets come from, weighted towards the customer app.
const SOURCES: [&str; 5] = ["app", "app", "app", "api", "staff"];
const TYPES: [i64; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14];
const DEPARTMENTS: [i64; 12] = [97, 98, 99, 100, 102, 103, 104, 105, 106, 107, 108, 109];
const MOBILE_PREFIXES: [&str; 12] = [
    "90", "91", "93", "94", "96", "97", "98", "32", "35", "38", "77", "86",
];

/// How much to generate.
pub struct DemoSize {
    pub customers: u64,
    pub tickets: u64,
    pub seed: u64,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Who a demo ticket's events are by: the channel it came through, then staff.
const CREATORS: [(&str, &str); 3] = [
    ("app", "Ứng dụng khách hàng"),
    ("api", "Cổng đối tác"),
    ("staff", "Tổng đài viên"),
];
const HANDLERS: [&str; 4] = [
    "Nguyễn Thị Lan",
    "Trần Văn Minh",
    "Lê Hoàng Phúc",
    "Phạm Thu Hà",
];

/// A demo ticket's timeline: its creation, then the status changes the workflow
/// allows on the way to its status, each a while after the one before.
fn timeline(
    rng: &mut StdRng,
    source: &str,
    id_status: i64,
    created_at: chrono::DateTime<Utc>,
) -> Vec<DemoEvent> {
    let creator = CREATORS
        .iter()
        .find(|(channel, _)| *channel == source)
        .map_or("Tổng đài viên", |(_, label)| label);
    let path: &[i64] = match id_status {
        2 => &[2],
        3 => &[3],
        4 => &[3, 4],
        5 => &[3, 4, 5],
        6 => &[3, 4, 6],
        7 => &[7],
        _ => &[],
    };
    let now = Utc::now();
    let handler = *pick(rng, &HANDLERS);
    let mut events = vec![DemoEvent {
        kind: "created",
        actor_label: creator,
        from_value: String::new(),
        to_value: "1".to_owned(),
        created_at,
    }];
    let mut at = created_at;
    let mut from = 1;
    for &to in path {
        at = (at + Duration::minutes(rng.gen_range(20..2880))).min(now);
        events.push(DemoEvent {
            kind: "status",
            actor_label: handler,
            from_value: from.to_string(),
            to_value: to.to_string(),
            created_at: at,
        });
        from = to;
    }
    events
}

fn phone_of(customer: i64) -> Phone {
    // A unique number per customer: prefix by index, seven digits from the index.
    let prefix = MOBILE_PREFIXES[(customer as usize) % MOBILE_PREFIXES.len()];
    let number = format!(
        "0{prefix}{:07}",
        (customer / MOBILE_PREFIXES.len() as i64) % 10_000_000
    );
    Phone::parse(&number).unwrap_or_else(|_| Phone::parse("0900000000").expect("a valid constant"))
}

fn contract_of(branch_index: usize, customer: i64) -> ContractCode {
    ContractCode::parse(&format!("{:02}{:09}", 10 + branch_index, customer))
        .expect("11 digits by construction")
}

/// The branch of a customer's first contract code.
fn home_branch(customer: i64, branches: usize) -> usize {
    (customer as usize).wrapping_mul(7) % branches
}

/// Generates and loads the data; returns (customers, tickets) written.
pub async fn load(db: &Db, size: &DemoSize) -> anyhow::Result<(u64, u64)> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(size.seed);
    let (first_customer, first_ticket) = db.demo_next_ids().await?;
    let mut load = db.demo_load().await?;
    // Time spent writing (as opposed to generating), for the log.
    let mut writing = std::time::Duration::ZERO;
    let now = Utc::now();
    let branches: Vec<BranchCode> = BranchCode::ALL
        .iter()
        .map(|code| BranchCode::parse(code).expect("seed code"))
        .collect();

    // Customers and their contract codes (one each; every tenth customer has a second).
    const CUSTOMER_BATCH: u64 = 2000;
    let mut written = 0;
    while written < size.customers {
        let count = CUSTOMER_BATCH.min(size.customers - written);
        let mut customers = Vec::with_capacity(count as usize);
        let mut contracts = Vec::with_capacity(count as usize + count as usize / 10);
        for offset in 0..count {
            let id = first_customer + (written + offset) as i64;
            let name = format!(
                "{} {} {}",
                pick(&mut rng, &FAMILY),
                pick(&mut rng, &MIDDLE),
                pick(&mut rng, &GIVEN)
            );
            let created_at = now - Duration::days(rng.gen_range(30..3650));
            let branch_index = home_branch(id, branches.len());
            for extra in 0..(if id % 10 == 0 { 2 } else { 1 }) {
                let branch_index = (branch_index + extra) % branches.len();
                let (ward, ward_code) = WARDS[branch_index];
                contracts.push(DemoContract {
                    code: contract_of(branch_index, id),
                    branch: branches[branch_index].clone(),
                    customer_id: id,
                    address: format!(
                        "{} {}, {ward}",
                        rng.gen_range(1..400),
                        pick(&mut rng, &STREETS)
                    ),
                    ward_code: ward_code.to_owned(),
                    district_code: String::new(),
                    customer_type: if rng.gen_ratio(1, 20) { 2 } else { 1 },
                    created_at,
                });
            }
            customers.push(DemoCustomer {
                id,
                phone: phone_of(id),
                name,
                email: String::new(),
                created_at,
            });
        }
        let write_started = Instant::now();
        load.customers(&customers, &contracts).await?;
        writing += write_started.elapsed();
        written += count;
    }
    tracing::info!(
        customers = written,
        seconds = started.elapsed().as_secs_f64(),
        "demo customers loaded"
    );

    // Tickets of existing demo customers, spread over two years.
    const TICKET_BATCH: u64 = 1000;
    let customer_span = size.customers.max(1) as i64;
    let mut written_tickets = 0;
    while written_tickets < size.tickets && size.customers > 0 {
        let count = TICKET_BATCH.min(size.tickets - written_tickets);
        let mut tickets = Vec::with_capacity(count as usize);
        for offset in 0..count {
            let id = first_ticket + (written_tickets + offset) as i64;
            let customer = first_customer + rng.gen_range(0..customer_span);
            let branch_index = home_branch(customer, branches.len());
            let branch = branches[branch_index].clone();
            let (ward, ward_code) = WARDS[branch_index];
            let name = format!(
                "{} {} {}",
                pick(&mut rng, &FAMILY),
                pick(&mut rng, &MIDDLE),
                pick(&mut rng, &GIVEN)
            );
            let address = format!(
                "{} {}, {ward}",
                rng.gen_range(1..400),
                pick(&mut rng, &STREETS)
            );
            let id_type = *pick(&mut rng, &TYPES);
            let age = Duration::minutes(rng.gen_range(0..(2 * 365 * 24 * 60)));
            let created_at = now - age;
            // Older tickets are mostly finished; recent ones mostly open.
            let id_status = if age > Duration::days(30) {
                *pick(&mut rng, &[4, 5, 5, 5, 5, 7, 4, 5])
            } else {
                *pick(&mut rng, &[1, 2, 3, 3, 4, 5, 6, 1])
            };
            let content = pick(&mut rng, &CONTENTS).to_string();
            let source = SOURCES[rng.gen_range(0..SOURCES.len())];
            let solution = if matches!(id_status, 4 | 5) {
                "Đã xử lý theo yêu cầu của khách hàng.".to_owned()
            } else {
                String::new()
            };
            let phone = phone_of(customer);
            let contract = contract_of(branch_index, customer);
            let code = format!("{branch}-{id:07}");
            let search_text = search_words(
                &code,
                Some(&contract),
                Some(&phone),
                &name,
                &address,
                &content,
            );
            tickets.push(DemoTicket {
                id,
                feedback_code: code,
                branch,
                id_type,
                id_status,
                id_priority: *pick(&mut rng, &[1, 2, 2, 2, 3, 3, 4]),
                id_process_unit: *pick(&mut rng, &DEPARTMENTS),
                source,
                id_customer: customer,
                contact_code: contract,
                customer_name: name,
                customer_phone: phone,
                customer_address: address,
                ward_code: ward_code.to_owned(),
                district_code: String::new(),
                content,
                solution,
                reading: (id_type == 10).then(|| {
                    (
                        rng.gen_range(100..99_999),
                        rng.gen_range(1..=12),
                        2025 + rng.gen_range(0..2),
                    )
                }),
                date_due: created_at + Duration::hours(*pick(&mut rng, &[4, 24, 72, 168])),
                timeline: timeline(&mut rng, source, id_status, created_at),
                created_at,
                search_text,
            });
        }
        let write_started = Instant::now();
        load.tickets(&tickets).await?;
        writing += write_started.elapsed();
        written_tickets += count;
        if written_tickets % 100_000 == 0 {
            tracing::info!(
                tickets = written_tickets,
                seconds = started.elapsed().as_secs_f64(),
                "demo tickets loading"
            );
        }
    }
    tracing::info!(
        tickets = written_tickets,
        seconds = started.elapsed().as_secs_f64(),
        writing_seconds = writing.as_secs_f64(),
        "demo rows written; rebuilding indexes"
    );
    load.finish().await?;
    tracing::info!(
        customers = written,
        tickets = written_tickets,
        seconds = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok((written, written_tickets))
}
