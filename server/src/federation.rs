//! The outbox worker: delivers messages to peer instances (HQ → a branch's own
//! TCRM, a branch → HQ) through their partner API, in order per ticket, with
//! exponential backoff and jitter; the peer's token is cached and renewed only when
//! it answers 401; a permanent refusal is kept with the peer's answer.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use rand::Rng;
use reqwest::multipart::{Form, Part};
use tcrm_app::federation::{PeerClient, PeerEndpoint, PeerError};
use tcrm_app::state::AppState;
use tcrm_app::store::Db;
use tcrm_app::store::outbox::{HQ_PEER, OutboxMessage};
use tcrm_app::store::tickets::Ticket;
use tokio::sync::{Mutex, Notify};

/// How the worker paces itself.
#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// Messages claimed per round.
    pub batch: i64,
    /// Messages delivered at once (different tickets; one ticket's stay in order).
    pub concurrency: usize,
    /// How long a claim holds a message before another worker may take it.
    pub lease: Duration,
    /// The first retry's delay; doubled per attempt up to `backoff_max`, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Per request to a peer.
    pub timeout: Duration,
    /// Rest between rounds when nothing is due.
    pub idle: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            batch: 64,
            concurrency: 8,
            lease: Duration::from_secs(120),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(600),
            timeout: Duration::from_secs(20),
            idle: Duration::from_secs(1),
        }
    }
}

impl WorkerSettings {
    /// The defaults, with `TCRM_OUTBOX_LEASE_SECS` and `TCRM_OUTBOX_BACKOFF_MS`
    /// (the first retry's delay) when set.
    pub fn from_env() -> WorkerSettings {
        let number = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|value| value.trim().parse::<u64>().ok())
        };
        let mut settings = WorkerSettings::default();
        if let Some(seconds) = number("TCRM_OUTBOX_LEASE_SECS") {
            settings.lease = Duration::from_secs(seconds.max(1));
        }
        if let Some(millis) = number("TCRM_OUTBOX_BACKOFF_MS") {
            settings.backoff_base = Duration::from_millis(millis);
        }
        settings
    }
}

/// This instance's place in the federation, from the environment.
#[derive(Clone, Debug)]
pub enum InstanceRole {
    Hq,
    /// A member company's TCRM, reaching HQ with `hq`.
    Branch {
        branch: String,
        hq: PeerEndpoint,
    },
}

impl InstanceRole {
    /// `TCRM_ROLE=branch` needs `TCRM_BRANCH`, `TCRM_HQ_URL`, `TCRM_HQ_USERNAME`, `TCRM_HQ_PASSWORD`.
    pub fn from_env() -> anyhow::Result<InstanceRole> {
        let role = std::env::var("TCRM_ROLE").unwrap_or_default();
        match role.trim() {
            "" | "hq" => Ok(InstanceRole::Hq),
            "branch" => {
                let var = |name: &str| {
                    std::env::var(name)
                        .ok()
                        .map(|value| value.trim().to_owned())
                        .filter(|value| !value.is_empty())
                        .ok_or_else(|| anyhow::anyhow!("TCRM_ROLE=branch needs {name}"))
                };
                let branch = var("TCRM_BRANCH")?;
                tcrm_app::domain::BranchCode::parse(&branch)
                    .map_err(|_| anyhow::anyhow!("TCRM_BRANCH: unknown branch {branch:?}"))?;
                Ok(InstanceRole::Branch {
                    branch,
                    hq: PeerEndpoint {
                        name: HQ_PEER.into(),
                        base_url: var("TCRM_HQ_URL")?.trim_end_matches('/').to_owned(),
                        username: var("TCRM_HQ_USERNAME")?,
                        password: var("TCRM_HQ_PASSWORD")?,
                    },
                })
            }
            other => anyhow::bail!("TCRM_ROLE must be hq or branch, not {other:?}"),
        }
    }

    fn hq(&self) -> Option<&PeerEndpoint> {
        match self {
            InstanceRole::Hq => None,
            InstanceRole::Branch { hq, .. } => Some(hq),
        }
    }
}

/// What became of one delivery attempt.
#[derive(Debug)]
enum Outcome {
    Delivered(u16),
    Retry(PeerError),
    Failed(String, Option<u16>),
}

/// Delivers the outbox.
pub struct OutboxWorker {
    db: Db,
    state: AppState,
    role: InstanceRole,
    client: PeerClient,
    settings: WorkerSettings,
    tokens: Mutex<HashMap<String, String>>,
    wake: Notify,
}

impl OutboxWorker {
    pub fn new(
        state: &AppState,
        role: InstanceRole,
        settings: WorkerSettings,
    ) -> Arc<OutboxWorker> {
        Arc::new(OutboxWorker {
            db: state.db.clone(),
            state: state.clone(),
            role,
            client: PeerClient::new(settings.timeout),
            settings,
            tokens: Mutex::new(HashMap::new()),
            wake: Notify::new(),
        })
    }

    /// Asks the worker to look at the outbox now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `shutdown` resolves; a round in flight finishes first.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let delivered = match self.run_once().await {
                Ok(count) => count,
                Err(error) => {
                    tracing::warn!(%error, "outbox round failed");
                    0
                }
            };
            if delivered > 0 {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.settings.idle) => {}
            }
        }
    }

    /// Claims one batch of due messages and delivers them; answers how many it handled.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let now = Utc::now();
        let lease = chrono::Duration::from_std(self.settings.lease)?;
        let claimed = self
            .db
            .claim_outbox(now, now + lease, self.settings.batch)
            .await?;
        let count = claimed.len();
        futures::stream::iter(claimed)
            .for_each_concurrent(self.settings.concurrency, |message| async move {
                let outcome = self.deliver(&message).await;
                if let Err(error) = self.record(&message, outcome).await {
                    tracing::error!(
                        ?error,
                        message_id = message.id,
                        "recording an outbox delivery"
                    );
                }
            })
            .await;
        Ok(count)
    }

    async fn record(&self, message: &OutboxMessage, outcome: Outcome) -> anyhow::Result<()> {
        let now = Utc::now();
        match outcome {
            Outcome::Delivered(status) => {
                self.db.outbox_delivered(message.id, status, now).await?;
                tracing::info!(message_id = message.id, peer = %message.peer, ticket = %message.ticket_id, kind = %message.kind, "outbox message delivered");
            }
            Outcome::Retry(error) => {
                let next = self.next_attempt(message.attempts, &error, now);
                self.db
                    .outbox_retry_later(message.id, next, &error.to_string(), error.status())
                    .await?;
                tracing::info!(message_id = message.id, peer = %message.peer, attempts = message.attempts, %error, "outbox delivery will be retried");
            }
            Outcome::Failed(reason, status) => {
                self.db.outbox_failed(message.id, &reason, status).await?;
                tracing::warn!(message_id = message.id, peer = %message.peer, %reason, "outbox message refused by the peer");
            }
        }
        Ok(())
    }

    /// Exponential backoff with ±50 % jitter, or the peer's `Retry-After`.
    fn next_attempt(&self, attempts: i64, error: &PeerError, now: DateTime<Utc>) -> DateTime<Utc> {
        if let PeerError::Status {
            retry_after: Some(seconds),
            ..
        } = error
        {
            return now
                + chrono::Duration::seconds(i64::try_from(*seconds).unwrap_or(60).min(3600));
        }
        let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        let base = self.settings.backoff_base.as_millis() as f64;
        let delay =
            (base * 2_f64.powi(exponent as i32)).min(self.settings.backoff_max.as_millis() as f64);
        let jittered = delay * rand::thread_rng().gen_range(0.5..1.5);
        now + chrono::Duration::milliseconds(jittered as i64)
    }

    /// Where the message goes, or why it cannot go anywhere.
    async fn endpoint(&self, peer: &str) -> Result<PeerEndpoint, String> {
        if peer == HQ_PEER {
            return self.role.hq().cloned().ok_or_else(|| {
                "this instance is not configured as a branch (TCRM_ROLE=branch)".to_owned()
            });
        }
        let remote = self
            .db
            .branch_remote(peer)
            .await
            .map_err(|error| format!("reading branch settings: {error}"))?
            .ok_or_else(|| format!("unknown branch {peer}"))?;
        if !remote.remote_enabled || remote.active_url().is_empty() {
            return Err(format!("branch {peer} has no remote TCRM enabled"));
        }
        let password = self
            .state
            .secret_key
            .open(&remote.remote_password_sealed)
            .map_err(|error| error.to_string())?;
        Ok(PeerEndpoint {
            name: peer.to_owned(),
            base_url: remote.active_url().to_owned(),
            username: remote.remote_username.clone(),
            password,
        })
    }

    /// The peer's cached token; signs in (once, however many deliveries ask at the
    /// same time) when there is none or when `stale` is the one the peer refused.
    async fn token(&self, peer: &PeerEndpoint, stale: Option<&str>) -> Result<String, PeerError> {
        let mut tokens = self.tokens.lock().await;
        if let Some(token) = tokens.get(&peer.name)
            && Some(token.as_str()) != stale
        {
            return Ok(token.clone());
        }
        let token = self.client.sign_in(peer).await?;
        tokens.insert(peer.name.clone(), token.clone());
        Ok(token)
    }

    async fn deliver(&self, message: &OutboxMessage) -> Outcome {
        let peer = match self.endpoint(&message.peer).await {
            Ok(peer) => peer,
            Err(reason) => return Outcome::Failed(reason, None),
        };
        let ticket = match self.db.ticket(message.ticket_id).await {
            Ok(ticket) => ticket,
            Err(error) => {
                return Outcome::Retry(PeerError::Unreachable(format!(
                    "reading the ticket: {error}"
                )));
            }
        };
        let mut refused: Option<String> = None;
        loop {
            let token = match self.token(&peer, refused.as_deref()).await {
                Ok(token) => token,
                Err(error) => return classify(error),
            };
            let request = match self.request(&peer, message, &ticket).await {
                Ok(request) => request.bearer_auth(&token),
                Err(reason) => return Outcome::Failed(reason, None),
            };
            match self.client.send(request).await {
                Ok(body) => {
                    // The API always answers a JSON object; anything else is not it.
                    return match serde_json::from_str::<serde_json::Value>(&body) {
                        Ok(serde_json::Value::Object(_)) => Outcome::Delivered(200),
                        _ => {
                            Outcome::Retry(PeerError::Garbage(tcrm_app::federation::shorten(&body)))
                        }
                    };
                }
                Err(PeerError::Status { status: 401, .. }) if refused.is_none() => {
                    refused = Some(token);
                }
                Err(error) => return classify(error),
            }
        }
    }

    /// The create or update request for a message, files included.
    async fn request(
        &self,
        peer: &PeerEndpoint,
        message: &OutboxMessage,
        ticket: &Ticket,
    ) -> Result<reqwest::RequestBuilder, String> {
        let mut form = Form::new();
        let http = self.client.http();
        let request = if message.kind == "create" {
            for (key, value) in create_fields(ticket) {
                form = form.text(key, value);
            }
            let members = self
                .db
                .ticket_members(ticket.id)
                .await
                .map_err(|error| error.to_string())?;
            for (index, member) in members.iter().enumerate() {
                form = form
                    .text(format!("members[{index}][code]"), member.citizen_id.clone())
                    .text(format!("members[{index}][name]"), member.name.clone())
                    .text(format!("members[{index}][address]"), member.address.clone())
                    .text(
                        format!("members[{index}][address_type]"),
                        member.address_type.to_string(),
                    );
            }
            http.post(format!("{}/apiv2/v3/feedback/create", peer.base_url))
        } else {
            for (key, value) in message.fields() {
                let text = match value {
                    serde_json::Value::String(text) => text,
                    other => other.to_string(),
                };
                form = form.text(key, text);
            }
            // HQ knows the ticket by its own id; a branch by the id HQ sent (id_feedback).
            let id = if message.peer == HQ_PEER {
                ticket.external_id.clone().unwrap_or_default()
            } else {
                ticket.id.to_string()
            };
            let id: String = id
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            http.post(format!(
                "{}/apiv2/ntw/feedback/update?id={id}",
                peer.base_url
            ))
            .header("Idempotency-Key", format!("outbox-{}", message.id))
        };
        for id in message.attachment_ids() {
            let attachment = self
                .db
                .attachment(id)
                .await
                .map_err(|error| format!("attachment {id}: {error}"))?;
            let bytes = tokio::fs::read(self.state.attachments_dir.join(&attachment.sha256))
                .await
                .map_err(|error| format!("attachment {id} file: {error}"))?;
            let field = match attachment.purpose.strip_prefix("members.") {
                Some(index) => format!("members[{index}][images][]"),
                None => "images[]".to_owned(),
            };
            let part = Part::bytes(bytes)
                .file_name(attachment.file_name.clone())
                .mime_str(&attachment.content_type)
                .map_err(|error| error.to_string())?;
            form = form.part(field, part);
        }
        Ok(request.multipart(form))
    }
}

fn classify(error: PeerError) -> Outcome {
    if error.is_temporary() {
        Outcome::Retry(error)
    } else {
        let status = error.status();
        Outcome::Failed(error.to_string(), status)
    }
}

/// The seed's create fields for a ticket, `id_feedback` being this instance's id.
fn create_fields(ticket: &Ticket) -> Vec<(String, String)> {
    let text = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let mut fields = vec![
        ("id_feedback", ticket.id.to_string()),
        (
            "branch_code",
            ticket
                .branch_code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        ("id_type", ticket.id_type.to_string()),
        ("id_priority", ticket.id_priority.to_string()),
        ("id_process_unit", text(ticket.id_process_unit)),
        ("id_service_category", text(ticket.id_service_category)),
        ("id_related", text(ticket.id_related)),
        ("id_service_reason", text(ticket.id_service_reason)),
        (
            "contact_code",
            ticket
                .contact_code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("customer_name", ticket.customer_name.clone()),
        (
            "customer_phone",
            ticket
                .customer_phone
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("email", ticket.email.clone()),
        (
            "IdentifyNumber",
            ticket.identify_number.clone().unwrap_or_default(),
        ),
        ("customer_address", ticket.customer_address.clone()),
        ("ward_code", ticket.ward_code.clone()),
        ("district_code", ticket.district_code.clone()),
        ("province_code", ticket.province_code.clone()),
        ("latitude", ticket.latitude.clone()),
        ("longitude", ticket.longitude.clone()),
        ("content", ticket.content.clone()),
        ("number", text(ticket.reading_number)),
        ("month", text(ticket.reading_month)),
        ("year", text(ticket.reading_year)),
        ("accuracy", ticket.accuracy.clone()),
        ("name", ticket.reporter_name.clone()),
        ("incident_type", ticket.incident_type.clone()),
        ("id_phenomena", text(ticket.id_phenomena)),
        ("customer_type", text(ticket.customer_type)),
        ("tax_code", ticket.tax_code.clone()),
        ("legal_representative", ticket.legal_representative.clone()),
        ("contact_person_name", ticket.contact_person_name.clone()),
        ("contact_person_phone", ticket.contact_person_phone.clone()),
        ("contact_person_email", ticket.contact_person_email.clone()),
        ("contact_address", ticket.contact_address.clone()),
        ("id_customer", ticket.external_customer_id.clone()),
        (
            "date_due",
            ticket.date_due.map(|d| d.to_rfc3339()).unwrap_or_default(),
        ),
    ];
    fields.retain(|(_, value)| !value.is_empty());
    fields
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}
