//! The command line: `tcrm [serve]`, `tcrm migrate`, `tcrm user create …`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tcrm_app::users::{UserInput, create_user, describe_errors};

use crate::config::Config;
use crate::startup;

#[derive(Debug, Parser)]
#[command(
    name = "tcrm",
    version,
    about = "TCRM — the staff portal and API of SAWACO"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal and API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Fill the database with realistic demo data (appends; deterministic for a seed).
    DemoData {
        #[arg(long, default_value_t = 1000)]
        customers: u64,
        #[arg(long, default_value_t = 5000)]
        tickets: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create a staff account; the password is read from standard input (one line).
    Create {
        #[arg(long)]
        username: String,
        /// admin, hq_staff, branch_staff, campaign_manager, branch_admin or executive.
        #[arg(long)]
        role: String,
        /// Scope the account to one branch (SG, CL, GD, TD, PH, NB, TH, TA, CG, NT, TN, HM).
        #[arg(long)]
        branch: Option<String>,
        /// The name shown in the portal (defaults to the username).
        #[arg(long)]
        name: Option<String>,
    },
}

/// Exit code for input the command refuses (bad role, weak password…).
const EXIT_INVALID_INPUT: u8 = 2;

pub async fn run(cli: Cli) -> ExitCode {
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await.map(|()| ExitCode::SUCCESS),
        Command::Migrate => migrate().await.map(|()| ExitCode::SUCCESS),
        Command::DemoData {
            customers,
            tickets,
            seed,
        } => demo_data(crate::demo_data::DemoSize {
            customers,
            tickets,
            seed,
        })
        .await
        .map(|()| ExitCode::SUCCESS),
        Command::User {
            action:
                UserAction::Create {
                    username,
                    role,
                    branch,
                    name,
                },
        } => {
            let input = UserInput {
                username,
                display_name: name.unwrap_or_default(),
                role,
                branch: branch.unwrap_or_default(),
            };
            user_create(input).await
        }
    };
    result.unwrap_or_else(|error| {
        tracing::error!("{error:#}");
        ExitCode::FAILURE
    })
}

async fn open() -> anyhow::Result<(Config, tcrm_app::state::AppState)> {
    let config = Config::from_env()?;
    config.prepare_data_dir()?;
    let state = startup::prepare(&config).await?;
    Ok((config, state))
}

async fn serve() -> anyhow::Result<()> {
    let (config, state) = open().await?;
    if let Some(path) = crate::bootstrap::ensure_admin(&state.db, &config.data_dir).await? {
        tracing::warn!(
            username = crate::bootstrap::INITIAL_ADMIN,
            password_file = %path.display(),
            "no administrator existed: created one; its one-time password is in the file \
             (it must be changed at first sign-in)"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(
        addr = %listener.local_addr()?,
        database = %config.database_for_logs(),
        backend = %state.db.backend(),
        "TCRM listening on http://{}",
        listener.local_addr()?
    );
    startup::spawn_housekeeping(&state);
    let mut router = startup::router(state.clone());
    if crate::bench_ceiling::enabled() {
        crate::bench_ceiling::prepare(&state.db).await?;
        router = router.merge(crate::bench_ceiling::router(state.clone()));
        tracing::warn!("benchmark ceiling route /bench/ceiling is mounted (TCRM_BENCH_CEILING=1)");
    }
    startup::serve(listener, router, startup::shutdown_signal()).await?;
    state.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate() -> anyhow::Result<()> {
    let (config, state) = open().await?;
    tracing::info!(database = %config.database_for_logs(), "migrations applied");
    state.db.close().await;
    Ok(())
}

async fn demo_data(size: crate::demo_data::DemoSize) -> anyhow::Result<()> {
    let (_, state) = open().await?;
    let (customers, tickets) = crate::demo_data::load(&state.db, &size).await?;
    writeln!(
        std::io::stdout(),
        "loaded {customers} customers and {tickets} tickets"
    )?;
    state.db.close().await;
    Ok(())
}

async fn user_create(input: UserInput) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let (_, state) = open().await?;
    let result = create_user(&state.db, None, &input, password).await;
    state.db.close().await;
    match result {
        Ok(id) => {
            writeln!(
                std::io::stdout(),
                "created user {} (id {id})",
                input.username.trim().to_lowercase()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let mut stderr = std::io::stderr();
            for line in describe_errors(&error) {
                writeln!(stderr, "error: {line}")?;
            }
            Ok(ExitCode::from(EXIT_INVALID_INPUT))
        }
    }
}
