//! Configuration from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

/// How this instance is configured.
#[derive(Clone, Debug)]
pub struct Config {
    /// `postgres://…` or `sqlite://…`; unset means a SQLite file in the data directory.
    pub database_url: String,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Whether the session cookie is marked `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// PostgreSQL connections in the pool (`TCRM_DB_CONNECTIONS`); unset: the default
    /// of [`tcrm_app::store::Db::connect`].
    pub db_connections: Option<u32>,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let data_dir =
            PathBuf::from(std::env::var("TCRM_DATA_DIR").unwrap_or_else(|_| "./data".into()));
        let database_url = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => format!("sqlite://{}", data_dir.join("tcrm.sqlite3").display()),
        };
        let addr = std::env::var("TCRM_ADDR")
            .unwrap_or_else(|_| "127.0.0.1:3000".into())
            .parse()
            .context("TCRM_ADDR must be an address such as 127.0.0.1:3000")?;
        let secure_cookies =
            std::env::var("TCRM_SECURE_COOKIES").is_ok_and(|value| value == "1" || value == "true");
        let db_connections = match std::env::var("TCRM_DB_CONNECTIONS") {
            Ok(value) => Some(parse_db_connections(&value)?),
            Err(_) => None,
        };
        Ok(Config {
            database_url,
            addr,
            data_dir,
            secure_cookies,
            db_connections,
        })
    }

    /// Creates the data directory when the database lives in it.
    pub fn prepare_data_dir(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))
    }

    /// The database URL with any password hidden, for logs.
    pub fn database_for_logs(&self) -> String {
        redact_url(&self.database_url)
    }
}

fn parse_db_connections(value: &str) -> anyhow::Result<u32> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|count| (1..=1000).contains(count))
        .context("TCRM_DB_CONNECTIONS must be a whole number from 1 to 1000")
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_hidden() {
        assert_eq!(
            redact_url("postgres://tcrm:s3cret@db:5432/tcrm"),
            "postgres://tcrm:***@db:5432/tcrm"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            redact_url("sqlite://data/tcrm.sqlite3"),
            "sqlite://data/tcrm.sqlite3"
        );
    }

    #[test]
    fn pool_size_is_a_whole_number_from_1_to_1000() {
        assert_eq!(parse_db_connections(" 8 ").expect("eight"), 8);
        for bad in ["", "0", "1001", "-4", "eight", "4.5"] {
            let error = parse_db_connections(bad).expect_err(bad).to_string();
            assert_eq!(
                error, "TCRM_DB_CONNECTIONS must be a whole number from 1 to 1000",
                "{bad:?}"
            );
        }
    }
}
