//! The deliverer: sends the outbox's email and webhook messages, outside any request.
//!
//! Every `luodi serve` runs one. Each round it takes the due rows with a lease (so of several
//! servers on one database only one sends a row), renders each with the zone's current
//! webhook settings (`luodi_domain::stewardship::outbound`), sends it with a time limit, and records the
//! outcome; a failure is tried again later with a growing wait (`luodi_store::stewardship::outbox`). A
//! request that causes a notification only writes the row, in its own transaction, and never
//! waits for a delivery.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use luodi_domain::ZoneId;
use luodi_domain::stewardship::outbound::{Message, Outbound, webhook_accepted, webhook_request};
use luodi_store::Store;
use luodi_store::core::orgs::OUTBOUND;
use luodi_store::stewardship::outbox::OutboxEntry;

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
    /// Hosts (as the webhook URLs name them) webhooks may reach although they resolve to
    /// internal addresses: the operator's choice, never a zone's.
    pub allow_hosts: Vec<String>,
}

impl std::fmt::Debug for OutboundConfig {
    // The SMTP URL can hold a password; it is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundConfig")
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "***"))
            .field("mail_from", &self.mail_from)
            .field("every", &self.every)
            .field("allow_hosts", &self.allow_hosts)
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

/// Why a webhook's URL is refused: the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRefused {
    pub field: String,
    pub address: String,
}

/// How long a settings check waits for a name to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

fn allowed_host(allow: &[String], host: &str) -> bool {
    allow.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Checks that no webhook of `outbound` points at an internal address (loopback,
/// private, link-local, unique-local…), as written or as its name resolves now, unless the
/// operator allows its host. A name that does not resolve is let through: the deliverer
/// checks again at every send, where it counts.
pub async fn check_targets(outbound: &Outbound, allow: &[String]) -> Result<(), TargetRefused> {
    use luodi_domain::stewardship::outbound::{Target, is_internal, webhook_target};
    for (i, hook) in outbound.webhooks.iter().enumerate() {
        // Read as the HTTP client will read it (a URL it cannot read is refused by the
        // settings' own check).
        let Some((target, port)) = webhook_target(&hook.url) else {
            continue;
        };
        if allowed_host(allow, &target.host()) {
            continue;
        }
        let refuse = |ip: std::net::IpAddr| TargetRefused {
            field: format!("webhooks[{i}].url"),
            address: ip.to_string(),
        };
        match target {
            Target::Address(ip) if is_internal(ip) => return Err(refuse(ip)),
            Target::Address(_) => {}
            Target::Name(name) => {
                if let Ok(Ok(addrs)) = tokio::time::timeout(
                    RESOLVE_TIMEOUT,
                    tokio::net::lookup_host((name.as_str(), port)),
                )
                .await
                {
                    for a in addrs {
                        if is_internal(a.ip()) {
                            return Err(refuse(a.ip()));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// The deliverer's name resolution: internal addresses are dropped unless the operator
/// allows the host, so a name that points inside (or is made to, later) is never reached.
struct GuardedResolver {
    allow: Vec<String>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = allowed_host(&self.allow, &host);
        Box::pin(async move {
            let found: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<std::net::SocketAddr> = found
                .into_iter()
                .filter(|a| allowed || !luodi_domain::stewardship::outbound::is_internal(a.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!(
                    "{host} resolves only to internal addresses, which webhooks may not reach (webhook_allow_hosts)"
                )
                .into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

pub struct Deliverer {
    store: Store,
    allow_hosts: Vec<String>,
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
            // A redirect could lead anywhere, an internal address too: none is followed;
            // nor is a proxy from the environment used, which would resolve names itself.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(std::sync::Arc::new(GuardedResolver {
                allow: config.allow_hosts.clone(),
            }))
            .build()
            .expect("an HTTP client with the process's TLS provider");
        Ok(Deliverer {
            store,
            allow_hosts: config.allow_hosts.clone(),
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
            crate::stewardship::notifications::kind_text(&m.kind, luodi_domain::Lang::Zh),
            m.title
        );
        m.body =
            crate::stewardship::notifications::body_text(&m.kind, &m.body, luodi_domain::Lang::Zh);
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
        // An address written in the URL is not resolved, so the resolver cannot refuse it;
        // the URL is read as the client reads it.
        let target = luodi_domain::stewardship::outbound::webhook_target(&request.url);
        if target.is_none() {
            return Err(Failure::permanent(format!(
                "'{}' is not a webhook URL",
                luodi_domain::stewardship::outbound::redact_url(&request.url)
            )));
        }
        if let Some((luodi_domain::stewardship::outbound::Target::Address(ip), _)) = target
            && luodi_domain::stewardship::outbound::is_internal(ip)
            && !allowed_host(&self.allow_hosts, &ip.to_string())
        {
            return Err(Failure::permanent(format!(
                "{ip} is an internal address, which webhooks may not reach (webhook_allow_hosts)"
            )));
        }
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
        let (subject, body) = luodi_domain::stewardship::outbound::email(&self.message(row));
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
/// One round of delivery: what is due now. Goes again at once while there was work.
pub async fn deliver_step(deliverer: &Deliverer) -> Result<crate::jobs::Next, String> {
    match deliverer.deliver_due(Utc::now()).await {
        Ok(0) => Ok(crate::jobs::Next::Wait),
        Ok(_) => Ok(crate::jobs::Next::Again),
        Err(e) => Err(e.to_string()),
    }
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
            allow_hosts: vec![],
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
