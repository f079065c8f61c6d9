//! Outbox throughput between two instances on loopback: `cargo bench --bench outbox`.
//!
//! Starts HQ and branch GD in this process (SQLite files in a temp dir, or
//! PostgreSQL databases when `BENCH_DATABASE_URL` names a server), creates a
//! backlog of tickets at HQ while GD's remote is enabled (the outbox fills in the
//! same transactions, as when the branch was down), then lets one worker drain it
//! to the branch and reports messages per second. `BACKLOG` (default 10000) sets
//! the size.

#![allow(clippy::print_stdout)] // a benchmark reports on standard output

use std::time::{Duration, Instant};

use tcrm_app::api_accounts::{ApiAccountInput, create_api_account};
use tcrm_app::domain::{BranchCode, Phone};
use tcrm_app::store::outbox::RemoteSettings;
use tcrm_app::store::tickets::NewTicket;
use tcrm_server::config::Config;
use tcrm_server::federation::{InstanceRole, OutboxWorker, WorkerSettings};

const SECRET: &str = "bench-federation-2026";

async fn instance(
    dir: &std::path::Path,
    name: &str,
) -> anyhow::Result<(tcrm_app::state::AppState, String)> {
    let database_url = match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => {
            let db = format!("tcrm_bench_outbox_{name}_{}", std::process::id());
            let pool = sqlx::PgPool::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {db}"))
                .execute(&pool)
                .await?;
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(base, _)| base);
            format!("{base}/{db}")
        }
        _ => format!("sqlite://{}", dir.join(format!("{name}.sqlite3")).display()),
    };
    let data_dir = dir.join(name);
    std::fs::create_dir_all(&data_dir)?;
    let config = Config {
        database_url,
        addr: "127.0.0.1:0".parse()?,
        data_dir,
        secure_cookies: false,
        db_connections: None,
    };
    let state = tcrm_server::startup::prepare(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let address = format!("http://{}", listener.local_addr()?);
    let router = tcrm_server::startup::router(state.clone());
    tokio::spawn(tcrm_server::startup::serve(
        listener,
        router,
        std::future::pending(),
    ));
    Ok((state, address))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let backlog: usize = std::env::var("BACKLOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let (hq, _) = instance(dir.path(), "hq").await?;
    let (branch, branch_address) = instance(dir.path(), "gd").await?;
    let account = ApiAccountInput {
        username: "sawaco_hq".into(),
        kind: "hq".into(),
        branch: String::new(),
        email: String::new(),
        password: SECRET.into(),
    };
    create_api_account(&branch.db, None, &account)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let gd = BranchCode::parse("GD").map_err(anyhow::Error::msg)?;
    let sealed = hq.secret_key.seal(SECRET);
    hq.db
        .set_branch_remote(
            &gd,
            &RemoteSettings {
                base_url: &branch_address,
                uat_base_url: "",
                environment: "production",
                enabled: true,
                username: "sawaco_hq",
                password_sealed: Some(&sealed),
            },
        )
        .await?;

    let phone = Phone::parse("0945033434").map_err(|_| anyhow::anyhow!("phone"))?;
    let started = Instant::now();
    for index in 0..backlog {
        let ticket = NewTicket {
            branch: Some(gd.clone()),
            id_type: 2,
            id_priority: 2,
            id_process_unit: Some(97),
            source: "app",
            customer_name: "Nguyễn Tiến Lộc".into(),
            customer_phone: Some(phone.clone()),
            customer_address: "17 Nguyễn Văn Trỗi, P12, Q.Phú Nhuận".into(),
            content: format!("Bể ống trước nhà số {index}"),
            province_code: "79".into(),
            actor_label: "bench".into(),
            ..NewTicket::default()
        };
        hq.db.create_ticket(&ticket).await?;
    }
    println!(
        "backlog: {backlog} tickets created at HQ in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let worker = OutboxWorker::new(
        &hq,
        InstanceRole::Hq,
        WorkerSettings {
            batch: 256,
            concurrency: 16,
            timeout: Duration::from_secs(10),
            ..WorkerSettings::default()
        },
    );
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let handled = worker.run_once().await?;
        if handled == 0 {
            break;
        }
        delivered += handled;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let counts = hq.db.outbox_counts().await?;
    println!(
        "drained {delivered} messages in {elapsed:.1} s: {:.0} messages/s (delivered {}, pending {}, failed {})",
        delivered as f64 / elapsed,
        counts.delivered,
        counts.pending,
        counts.failed
    );
    Ok(())
}
