//! The command line: `tcrm [serve]`, `tcrm migrate`, `tcrm user create …`,
//! `tcrm api-account …`.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tcrm_app::api_account_admin;
use tcrm_app::api_accounts::ApiAccountInput;
use tcrm_app::error::AppError;
use tcrm_app::i18n::Key;
use tcrm_app::store::Db;
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
    /// Manage the accounts partner software uses to call the REST API.
    ApiAccount {
        #[command(subcommand)]
        action: ApiAccountAction,
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

#[derive(Debug, Subcommand)]
pub enum ApiAccountAction {
    /// Create an API account; the password is read from standard input (one line).
    Create {
        #[arg(long)]
        username: String,
        /// app (the customer app), branch (one member company's software) or hq (TCRM federation).
        #[arg(long)]
        kind: String,
        /// The branch of a `branch` account (SG, CL, GD, TD, PH, NB, TH, TA, CG, NT, TN, HM).
        #[arg(long)]
        branch: Option<String>,
        /// Who to contact about this account.
        #[arg(long)]
        email: Option<String>,
    },
    /// Set a new password, read from standard input (one line); every token stops working.
    RotatePassword {
        #[arg(long)]
        username: String,
    },
    /// Deactivate an account; every token stops working.
    Deactivate {
        #[arg(long)]
        username: String,
    },
    /// Reactivate a deactivated account (its old tokens stay revoked).
    Reactivate {
        #[arg(long)]
        username: String,
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
        Command::ApiAccount { action } => api_account(action).await,
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
    let role = crate::federation::InstanceRole::from_env()?;
    tracing::info!(role = ?role_name(&role), "federation role");
    let worker = crate::federation::OutboxWorker::new(
        &state,
        role,
        crate::federation::WorkerSettings::from_env(),
    );
    tokio::spawn(worker.run(std::future::pending::<()>()));
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

fn role_name(role: &crate::federation::InstanceRole) -> String {
    match role {
        crate::federation::InstanceRole::Hq => "hq".into(),
        crate::federation::InstanceRole::Branch { branch, .. } => format!("branch {branch}"),
    }
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

/// One line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

async fn api_account(action: ApiAccountAction) -> anyhow::Result<ExitCode> {
    // Read before opening the database, as `user create` does.
    let password = match &action {
        ApiAccountAction::Create { .. } | ApiAccountAction::RotatePassword { .. } => {
            read_password()?
        }
        ApiAccountAction::Deactivate { .. } | ApiAccountAction::Reactivate { .. } => String::new(),
    };
    let (_, state) = open().await?;
    let result = run_api_account(&state.db, action, password).await;
    state.db.close().await;
    report(result)
}

/// Does one `tcrm api-account` command with the operator's authority; on
/// success, the line to print.
async fn run_api_account(
    db: &Db,
    action: ApiAccountAction,
    password: String,
) -> Result<String, AppError> {
    match action {
        ApiAccountAction::Create {
            username,
            kind,
            branch,
            email,
        } => {
            let input = ApiAccountInput {
                username,
                kind,
                branch: branch.unwrap_or_default(),
                email: email.unwrap_or_default(),
                password,
            };
            let id = api_account_admin::create(db, None, &input).await?;
            let username = db.api_account(id).await?.username;
            Ok(format!("created API account {username} (id {id})"))
        }
        ApiAccountAction::RotatePassword { username } => {
            let (id, username) = api_account_named(db, &username).await?;
            api_account_admin::rotate_password(db, None, id, &password).await?;
            Ok(format!(
                "changed the password of API account {username}; its tokens are revoked"
            ))
        }
        ApiAccountAction::Deactivate { username } => {
            let (id, username) = api_account_named(db, &username).await?;
            api_account_admin::set_active(db, None, id, false).await?;
            Ok(format!(
                "deactivated API account {username}; its tokens are revoked"
            ))
        }
        ApiAccountAction::Reactivate { username } => {
            let (id, username) = api_account_named(db, &username).await?;
            api_account_admin::set_active(db, None, id, true).await?;
            Ok(format!("reactivated API account {username}"))
        }
    }
}

/// The id and stored name of the API account called `username`; an unknown
/// name is a problem of the `username` field.
async fn api_account_named(db: &Db, username: &str) -> Result<(i64, String), AppError> {
    db.api_account_by_username(&username.trim().to_lowercase())
        .await?
        .map(|account| (account.id, account.username))
        .ok_or_else(|| AppError::field("username", Key::ApiAccountUnknown))
}

/// Prints what a command did, or each problem on standard error with exit code 2.
fn report(result: Result<String, AppError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(done) => {
            writeln!(std::io::stdout(), "{done}")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Internal) => {
            // Already logged where it happened.
            writeln!(
                std::io::stderr(),
                "error: {}",
                describe_errors(&AppError::Internal).join("; ")
            )?;
            Ok(ExitCode::FAILURE)
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
