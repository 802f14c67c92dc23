//! The deliverer: sends the outbox's email and webhook messages, outside any request.
//!
//! Every `luodi serve` runs one. Each round it takes the due rows with a lease (so of several
//! servers on one database only one sends a row), renders each with the zone's current
//! webhook settings (`luodi_domain::outbound`), sends it with a time limit, and records the
//! outcome; a failure is tried again later with a growing wait (`luodi_store::outbox`). A
//! request that causes a notification only writes the row, in its own transaction, and never
//! waits for a delivery.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use luodi_domain::ZoneId;
use luodi_domain::outbound::{Message, Outbound, webhook_accepted, webhook_request};
use luodi_store::Store;
use luodi_store::orgs::OUTBOUND;
use luodi_store::outbox::OutboxEntry;

/// How long one send may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a taken row is held: longer than a round of sends can take.
const LEASE_SECONDS: i64 = 120;
/// Rows taken per round.
const BATCH: i64 = 20;

/// The server's outbound settings (from `luodi serve`'s configuration).
#[derive(Clone, Default)]
pub struct OutboundConfig {
    /// Luodi's address as users reach it (`https://luodi.example.cn`), put before the paths
    /// messages link to; without it they carry the bare path.
    pub public_url: Option<String>,
    /// `smtp://user:password@host:587?tls=required`, `smtps://…:465` or `smtp://host:25`
    /// (no TLS, for a relay on the same network). Without it no email is sent and email rows
    /// wait.
    pub smtp_url: Option<String>,
    /// The sender's address, needed with `smtp_url`: `落地 <luodi@zone.gov.cn>`.
    pub mail_from: Option<String>,
    /// The wait between rounds when nothing was due.
    pub every: Duration,
}

impl std::fmt::Debug for OutboundConfig {
    // The SMTP URL can hold a password; it is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundConfig")
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "***"))
            .field("mail_from", &self.mail_from)
            .field("every", &self.every)
            .finish()
    }
}

/// A setting the deliverer cannot start with.
#[derive(Debug, thiserror::Error)]
pub enum OutboundConfigError {
    #[error("smtp_url: {0} (e.g. smtp://user:password@host:587?tls=required)")]
    SmtpUrl(String),
    #[error("mail_from: '{0}' is not an address such as 落地 <luodi@zone.gov.cn>")]
    MailFrom(String),
    #[error("mail_from is needed with smtp_url")]
    NoMailFrom,
    #[error("public_url: '{0}' is not an http:// or https:// address")]
    PublicUrl(String),
}

impl OutboundConfig {
    /// Checks the settings without connecting anywhere: a start-up with a bad one stops
    /// before serving, naming it.
    pub fn check(&self) -> Result<(), OutboundConfigError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        self.mailer().map(|_| ())?;
        self.public_base().map(|_| ())
    }

    fn mailer(
        &self,
    ) -> Result<Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>, OutboundConfigError> {
        let Some(url) = &self.smtp_url else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| OutboundConfigError::SmtpUrl(e.to_string()))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from = self
            .mail_from
            .as_deref()
            .ok_or(OutboundConfigError::NoMailFrom)?;
        let from: Mailbox = from
            .parse()
            .map_err(|_| OutboundConfigError::MailFrom(from.to_string()))?;
        Ok(Some((transport, from)))
    }

    fn public_base(&self) -> Result<Option<String>, OutboundConfigError> {
        match &self.public_url {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                Ok(Some(u.trim_end_matches('/').to_string()))
            }
            Some(u) => Err(OutboundConfigError::PublicUrl(u.clone())),
            None => Ok(None),
        }
    }
}

pub struct Deliverer {
    store: Store,
    http: reqwest::Client,
    mail: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    public_url: Option<String>,
    /// Marks this process's leases.
    token: String,
}

impl Deliverer {
    pub fn new(store: Store, config: &OutboundConfig) -> Result<Self, OutboundConfigError> {
        // One TLS provider for the process (reqwest and lettre share rustls); a second
        // install finds the first in place, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mail = config.mailer()?;
        let public_url = config.public_base()?;
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .user_agent(concat!("luodi/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with the process's TLS provider");
        Ok(Deliverer {
            store,
            http,
            mail,
            public_url,
            token: format!("{:032x}", rand::random::<u128>()),
        })
    }

    /// One round at `now`: takes what is due and sends it. Returns how many rows were tried.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> luodi_store::Result<usize> {
        let channels: &[&str] = if self.mail.is_some() {
            &["webhook", "email"]
        } else {
            &["webhook"]
        };
        let rows = self
            .store
            .claim_outbox(
                channels,
                now,
                chrono::Duration::seconds(LEASE_SECONDS),
                &self.token,
                BATCH,
            )
            .await?;
        let mut settings: HashMap<i64, Outbound> = HashMap::new();
        for row in &rows {
            let outcome = match row.channel.as_str() {
                "email" => self.send_email(row).await,
                _ => {
                    let outbound = match settings.entry(row.zone_id) {
                        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::hash_map::Entry::Vacant(e) => e.insert(
                            self.store
                                .zone_setting(ZoneId(row.zone_id), OUTBOUND)
                                .await?,
                        ),
                    };
                    self.send_webhook(row, outbound, now).await
                }
            };
            let done = Utc::now().max(now);
            match outcome {
                Ok(()) => {
                    self.store.outbox_sent(row.id, &self.token, done).await?;
                }
                Err(Failure { error, permanent }) => {
                    tracing::warn!(delivery = row.id, channel = %row.channel, target = %row.target, %error, "outbound delivery failed");
                    self.store
                        .outbox_failed(row.id, &self.token, done, &error, permanent)
                        .await?;
                }
            }
        }
        Ok(rows.len())
    }

    fn message(&self, row: &OutboxEntry) -> Message {
        let mut m = row.message.clone();
        // The robots and mail clients show the title first: say what happened in it.
        m.title = format!(
            "{}：{}",
            crate::api::notifications::kind_text(&m.kind, luodi_domain::Lang::Zh),
            m.title
        );
        if let Some(base) = &self.public_url
            && m.link.starts_with('/')
        {
            m.link = format!("{base}{}", m.link);
        }
        m
    }

    async fn send_webhook(
        &self,
        row: &OutboxEntry,
        outbound: &Outbound,
        now: DateTime<Utc>,
    ) -> Result<(), Failure> {
        let Some(hook) = outbound.webhooks.iter().find(|w| w.name == row.target) else {
            return Err(Failure::permanent(format!(
                "the zone has no webhook named '{}' any more",
                row.target
            )));
        };
        let request = webhook_request(
            hook,
            &self.message(row),
            row.id,
            now.timestamp_millis(),
            hmac_sha256,
        );
        let mut builder = self.http.post(&request.url).body(request.body);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        let reply = builder
            .send()
            .await
            .map_err(|e| Failure::retry(error_chain(&e)))?;
        let status = reply.status().as_u16();
        let body = reply.text().await.unwrap_or_default();
        webhook_accepted(hook.format, status, &body).map_err(Failure::retry)
    }

    async fn send_email(&self, row: &OutboxEntry) -> Result<(), Failure> {
        let Some((transport, from)) = &self.mail else {
            return Err(Failure::retry("this server has no SMTP settings".into()));
        };
        let to: Mailbox = row
            .target
            .parse()
            .map_err(|_| Failure::permanent(format!("'{}' is not an email address", row.target)))?;
        let (subject, body) = luodi_domain::outbound::email(&self.message(row));
        let email = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .header(DeliveryId(row.id.to_string()))
            .body(body)
            .map_err(|e| Failure::permanent(e.to_string()))?;
        match transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::permanent(error_chain(&e))),
            Err(e) => Err(Failure::retry(error_chain(&e))),
        }
    }
}

/// `X-Luodi-Delivery`, on emails as on webhook requests.
#[derive(Clone)]
struct DeliveryId(String);

impl lettre::message::header::Header for DeliveryId {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("X-Luodi-Delivery")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(DeliveryId(s.to_string()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

struct Failure {
    error: String,
    /// Trying again cannot help (a rejected address, a removed webhook).
    permanent: bool,
}

impl Failure {
    fn retry(error: String) -> Self {
        Failure {
            error,
            permanent: false,
        }
    }

    fn permanent(error: String) -> Self {
        Failure {
            error,
            permanent: true,
        }
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// An error with its causes, which carry the useful part (connection refused, timed out).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

/// Delivers until aborted: a round at once, then again after `every` — at once where a round
/// found work, so a backlog drains without waiting.
pub fn spawn_deliverer(deliverer: Deliverer, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let worked = match deliverer.deliver_due(Utc::now()).await {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "outbound delivery round failed; retrying");
                    false
                }
            };
            if !worked {
                tokio::time::sleep(every).await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_the_password_never_printed() {
        let config = OutboundConfig {
            public_url: Some("https://luodi.example/".into()),
            smtp_url: Some("smtp://luodi:hunter2@127.0.0.1:2525".into()),
            mail_from: Some("落地 <luodi@zone.example>".into()),
            every: Duration::from_secs(5),
        };
        assert!(config.check().is_ok());
        assert!(!format!("{config:?}").contains("hunter2"));
        let no_from = OutboundConfig {
            mail_from: None,
            ..config.clone()
        };
        assert!(matches!(
            no_from.check(),
            Err(OutboundConfigError::NoMailFrom)
        ));
        let bad_from = OutboundConfig {
            mail_from: Some("not an address".into()),
            ..config.clone()
        };
        assert!(matches!(
            bad_from.check(),
            Err(OutboundConfigError::MailFrom(_))
        ));
        let bad_url = OutboundConfig {
            smtp_url: Some("mailto:x".into()),
            ..config.clone()
        };
        assert!(matches!(
            bad_url.check(),
            Err(OutboundConfigError::SmtpUrl(_))
        ));
        let bad_base = OutboundConfig {
            public_url: Some("luodi.example".into()),
            ..config
        };
        assert!(matches!(
            bad_base.check(),
            Err(OutboundConfigError::PublicUrl(_))
        ));
    }
}
