//! Talking to a peer instance (HQ ↔ branch): signing in to its API and sending it
//! requests. Used by the outbox worker and by the branch settings' connection test.

use std::time::Duration;

use serde::Deserialize;

/// Where a peer is and which API account this instance uses there.
#[derive(Clone)]
pub struct PeerEndpoint {
    /// A branch code, or `HQ`.
    pub name: String,
    /// Without a trailing slash.
    pub base_url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for PeerEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerEndpoint")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Why a call to a peer did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeerError {
    /// No answer: connection refused, DNS, reset, TLS.
    #[error("peer unreachable: {0}")]
    Unreachable(String),
    #[error("peer did not answer in time")]
    Timeout,
    /// An HTTP answer other than success, with (the start of) its body.
    #[error("peer answered {status}: {body}")]
    Status {
        status: u16,
        body: String,
        retry_after: Option<u64>,
    },
    /// A success status whose body is not what the API answers.
    #[error("peer answered something that is not the API's JSON: {0}")]
    Garbage(String),
}

impl PeerError {
    /// Worth trying again later (the peer may recover), as opposed to a refusal.
    pub fn is_temporary(&self) -> bool {
        match self {
            PeerError::Unreachable(_) | PeerError::Timeout | PeerError::Garbage(_) => true,
            PeerError::Status { status, .. } => *status == 401 || *status == 429 || *status >= 500,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            PeerError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// An HTTP client for peers, with a timeout per request.
#[derive(Clone, Debug)]
pub struct PeerClient {
    http: reqwest::Client,
}

/// Installs the TLS crypto provider once per process (ring).
// ring is deprecated in rustls for lacking post-quantum key exchange; it is kept
// here because aws-lc (the alternative) needs a long C build on this 2-core CI.
#[allow(deprecated)]
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl PeerClient {
    pub fn new(timeout: Duration) -> PeerClient {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("tcrm/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        PeerClient { http }
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `GET /apiv1/auth` with the account's credentials: the access token.
    pub async fn sign_in(&self, peer: &PeerEndpoint) -> Result<String, PeerError> {
        #[derive(Deserialize)]
        struct Auth {
            access_token: String,
        }
        let request = self
            .http
            .get(format!("{}/apiv1/auth", peer.base_url))
            .basic_auth(&peer.username, Some(&peer.password));
        let body = self.send(request).await?;
        serde_json::from_str::<Auth>(&body)
            .map(|auth| auth.access_token)
            .map_err(|_| PeerError::Garbage(shorten(&body)))
    }

    /// Sends a request; a success answers the body, anything else a [`PeerError`].
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<String, PeerError> {
        let response = request.send().await.map_err(|error| {
            if error.is_timeout() {
                PeerError::Timeout
            } else {
                PeerError::Unreachable(shorten(&error.to_string()))
            }
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse().ok());
        let body = response.text().await.map_err(|error| {
            if error.is_timeout() {
                PeerError::Timeout
            } else {
                PeerError::Garbage(shorten(&error.to_string()))
            }
        })?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(PeerError::Status {
                status,
                body: shorten(&body),
                retry_after,
            })
        }
    }
}

/// At most 2000 characters of a peer's answer are kept.
pub fn shorten(text: &str) -> String {
    text.chars().take(2000).collect()
}

/// Signs in to a peer with the given settings: what an admin's "test connection" shows.
pub async fn test_connection(peer: &PeerEndpoint) -> Result<(), PeerError> {
    let client = PeerClient::new(Duration::from_secs(10));
    client.sign_in(peer).await.map(|_| ())
}
