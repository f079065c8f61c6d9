//! The test harness: a fresh database per test (temp SQLite file, or a PostgreSQL
//! database of its own), the real router served on port 0, one client per browser.

use base64::Engine;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use tcrm_app::domain::UserId;
use tcrm_app::error::AppError;
use tcrm_app::state::AppState;
use tcrm_app::store::Db;
use tcrm_app::users::UserInput;
use tcrm_server::config::Config;
use tempfile::TempDir;

/// Runs the async test body `name(backend)` once per backend: `both_backends!(name);`
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::helpers::Backend::Postgres).await
            }
        }
    };
}
pub(crate) use both_backends;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A throwaway PostgreSQL database, dropped when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside any async context we may block; use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let pool = sqlx::PgPool::connect(&admin_url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&pool)
                    .await
                    .ok()?;
                Some(())
            })
        })
        .join();
        drop(dropped);
    }
}

/// The database URL of a fresh database for `backend`, or `None` when PostgreSQL is
/// not configured (then the PostgreSQL half is skipped, unless CI requires it).
pub async fn fresh_database(
    backend: Backend,
    dir: &TempDir,
) -> Option<(String, Option<PgDatabase>)> {
    match backend {
        Backend::Sqlite => Some((
            format!("sqlite://{}", dir.path().join("test.sqlite3").display()),
            None,
        )),
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
                assert!(
                    std::env::var("TCRM_REQUIRE_POSTGRES").is_err(),
                    "TCRM_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
                );
                eprintln!("TEST_DATABASE_URL unset: skipping the PostgreSQL half");
                return None;
            };
            let name = format!("tcrm_test_{}", uuid_like());
            let pool = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create test database");
            pool.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(base, _)| base);
            let url = format!("{base}/{name}");
            Some((url, Some(PgDatabase { admin_url, name })))
        }
    }
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| char::from(b'a' + rng.gen_range(0..26)))
        .collect()
}

/// A running portal on a random port, with its database.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    _dir: TempDir,
    _pg: Option<PgDatabase>,
}

/// The password every test account is created with.
pub const PASSWORD: &str = "Nước-sạch-2026!";

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        // reqwest is built with rustls and no default crypto provider: every
        // client in the tests (and the portal's peer client) needs it installed.
        tcrm_app::federation::install_tls_provider();
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg) = fresh_database(backend, &dir).await?;
        let config = Config {
            database_url,
            addr: "127.0.0.1:0".parse().expect("valid address"),
            data_dir: dir.path().to_path_buf(),
            secure_cookies: false,
            db_connections: None,
        };
        let state = tcrm_server::startup::prepare(&config)
            .await
            .expect("prepare the app");
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .expect("bind port 0");
        let address = format!("http://{}", listener.local_addr().expect("local addr"));
        let router = tcrm_server::startup::router(state.clone());
        tokio::spawn(tcrm_server::startup::serve(
            listener,
            router,
            std::future::pending(),
        ));
        Some(TestApp {
            address,
            state,
            _dir: dir,
            _pg: pg,
        })
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// A browser: its own cookie jar, redirects not followed (tests assert them).
    pub fn browser(&self) -> Client {
        // reqwest is built with rustls but no default crypto provider (the peer
        // client installs ring); a browser built first needs it too.
        tcrm_app::federation::install_tls_provider();
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// Creates an account directly (production hashing), not needing a password change.
    pub async fn create_user(&self, username: &str, role: &str, branch: Option<&str>) -> UserId {
        let input = UserInput {
            username: username.into(),
            display_name: format!("Nguyễn Thị {username}"),
            role: role.into(),
            branch: branch.unwrap_or_default().into(),
        };
        tcrm_app::users::create_user(self.db(), None, &input, PASSWORD)
            .await
            .expect("create user")
    }

    pub async fn get(&self, browser: &Client, path: &str) -> Response {
        browser
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("GET")
    }

    /// Posts a form the way a browser without JavaScript does, from page `from`.
    pub async fn post_form(
        &self,
        browser: &Client,
        path: &str,
        from: &str,
        form: &[(&str, &str)],
    ) -> Response {
        browser
            .post(format!("{}{path}", self.address))
            .header("Accept", "text/html")
            .header("Referer", format!("{}{from}", self.address))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// Signs in through the form; returns the browser and the response.
    pub async fn sign_in_as(&self, username: &str, password: &str) -> (Client, Response) {
        let browser = self.browser();
        let response = self
            .post_form(
                &browser,
                "/api/session/sign-in",
                "/login?next=/",
                &[
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        (browser, response)
    }

    /// Signs in and asserts it worked.
    pub async fn signed_in(&self, username: &str) -> Client {
        let (browser, response) = self.sign_in_as(username, PASSWORD).await;
        assert_eq!(outcome(&response), Ok(()), "sign-in of {username}");
        browser
    }

    pub async fn page(&self, browser: &Client, path: &str) -> (StatusCode, String) {
        let response = self.get(browser, path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }
}

/// A staff-created incident ticket at `branch`, straight through the store.
pub async fn new_ticket(app: &TestApp, branch: &str) -> tcrm_app::domain::TicketId {
    app.db()
        .create_ticket(&tcrm_app::store::tickets::NewTicket {
            branch: Some(tcrm_app::domain::BranchCode::parse(branch).expect("branch")),
            id_type: 2,
            id_priority: 3,
            source: "staff",
            customer_name: "Nguyễn Văn Đức".into(),
            customer_address: "12 Lê Lợi".into(),
            content: "Bể ống nước trước nhà".into(),
            actor_label: "Test".into(),
            ..Default::default()
        })
        .await
        .expect("ticket")
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// What a form post did: `Ok` when it redirected without an error, or the error the
/// server put in the redirect (how a form without JavaScript learns of it).
pub fn outcome(response: &Response) -> Result<(), AppError> {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    let location = location(response);
    let Some((_, query)) = location.split_once('?') else {
        return Ok(());
    };
    let Some(encoded) = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("__err="))
    else {
        return Ok(());
    };
    let encoded = encoded.replace("%3D", "=");
    let json = base64::engine::general_purpose::URL_SAFE
        .decode(encoded)
        .expect("base64 error");
    Err(serde_json::from_slice(&json).expect("an AppError"))
}

/// The fields named in a validation error.
pub fn invalid_fields(result: Result<(), AppError>) -> Vec<(String, tcrm_app::i18n::Key)> {
    match result {
        Err(AppError::Validation(errors)) => errors
            .fields
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Checks that the kept per-branch status counts (the list's tabs, the
/// dashboard) equal a count of the tickets themselves — for every branch, for
/// the unrouted ones and for all — before and, on PostgreSQL, after its pending
/// changes are folded in.
pub async fn assert_status_counts_are_kept(db: &Db) {
    use tcrm_app::domain::BranchCode;
    use tcrm_app::store::tickets::TicketFilter;
    for pass in ["pending changes added", "changes folded"] {
        let counted: Vec<(String, i64, i64)> = tcrm_app::on_pool!(db, |pool| sqlx::query_as(
            "SELECT coalesce(branch_code, ''), id_status, COUNT(*) FROM tickets \
             GROUP BY 1, 2 ORDER BY 1, 2"
        )
        .fetch_all(pool)
        .await)
        .expect("count the tickets");
        let mut branches: Vec<&str> = counted.iter().map(|(b, _, _)| b.as_str()).collect();
        branches.dedup();
        for branch in &branches {
            let filter = if branch.is_empty() {
                TicketFilter {
                    unrouted: true,
                    ..TicketFilter::default()
                }
            } else {
                TicketFilter {
                    branch: Some(BranchCode::parse(branch).expect("branch code")),
                    ..TicketFilter::default()
                }
            };
            let expected: Vec<(i64, i64)> = counted
                .iter()
                .filter(|(b, _, _)| b == branch)
                .map(|(_, status, n)| (*status, *n))
                .collect();
            let kept = db.count_tickets_by_status(&filter).await.expect("counts");
            assert_eq!(kept, expected, "branch {branch:?}, {pass}");
        }
        let mut expected: Vec<(i64, i64)> = Vec::new();
        for (_, status, n) in &counted {
            match expected.iter_mut().find(|(s, _)| s == status) {
                Some((_, total)) => *total += n,
                None => expected.push((*status, *n)),
            }
        }
        expected.sort();
        let kept = db
            .count_tickets_by_status(&TicketFilter::default())
            .await
            .expect("counts");
        assert_eq!(kept, expected, "all branches, {pass}");
        db.fold_ticket_count_changes().await.expect("fold");
    }
    if let Db::Postgres(pool) = db {
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_status_count_changes")
            .fetch_one(pool)
            .await
            .expect("pending");
        assert_eq!(pending, 0, "folding takes every pending change");
    }
}
