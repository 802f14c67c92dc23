//! Outbound notifications: which of a zone's notifications leave Luodi, and the shapes they
//! leave in — an email to the user it is for, a generic JSON webhook (signed with HMAC-SHA256
//! when it has a secret), and the group-robot webhooks of WeCom (企业微信) and DingTalk (钉钉).
//!
//! Everything here is pure: the delivery (HTTP, SMTP, retries) lives in the web crate, and
//! renders each message with these functions at the moment it sends it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::core::i18n;
use crate::core::lang::Lang;

/// A zone's outbound settings. The default sends nothing outside Luodi.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outbound {
    /// Email each notification to the address of the user it is for (the server needs SMTP).
    #[serde(default)]
    pub email: bool,
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// One webhook: every matching notification of the zone is posted to it once (not once per
/// user it was for: a robot posts into a group chat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Unique in the zone; deliveries name their webhook by it.
    pub name: String,
    pub format: WebhookFormat,
    /// `http://` or `https://`. A WeCom robot's carries its key (`…/send?key=…`), a
    /// DingTalk robot's its access token.
    pub url: String,
    /// Generic: signs each delivery (`X-Luodi-Timestamp: <unix seconds>`, `X-Luodi-Signature:
    /// sha256=<hex HMAC of "{timestamp}.{body}">`). DingTalk: the
    /// robot's 加签 secret (`SEC…`), which signs the timestamp. Unused by WeCom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Which notification kinds go out (`blocker_escalated`, or a prefix such as
    /// `blocker_*`); none means all of them.
    #[serde(default)]
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    Generic,
    Wecom,
    Dingtalk,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Generic => "generic",
            WebhookFormat::Wecom => "wecom",
            WebhookFormat::Dingtalk => "dingtalk",
        }
    }
}

/// A setting that cannot be taken, and the field at fault (`webhooks[1].url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundError {
    pub field: String,
    pub problem: OutboundProblem,
}

/// What is wrong with a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundProblem {
    /// More than [`MAX_WEBHOOKS`] webhooks.
    TooMany,
    /// A name empty or longer than 60 characters.
    NameLength,
    /// A name another webhook has.
    NameTaken(String),
    /// Not an http(s) address with a host.
    Url,
    /// A secret empty, longer than 200 characters or with spaces.
    Secret,
    /// A secret on a WeCom robot, which has none.
    WecomSecret,
    /// Not a notification kind or a prefix of kinds.
    Kind(String),
}

impl OutboundError {
    /// What is wrong, in `lang`, without the field's name (a form shows it beside the
    /// field).
    pub fn text(&self, lang: Lang) -> String {
        match &self.problem {
            OutboundProblem::TooMany => i18n::fill(
                lang,
                "rules.outbound.too_many",
                &[("max", &MAX_WEBHOOKS.to_string())],
            ),
            OutboundProblem::NameLength => {
                i18n::text(lang, "rules.outbound.name_length").to_string()
            }
            OutboundProblem::NameTaken(name) => {
                i18n::fill(lang, "rules.outbound.name_taken", &[("name", name)])
            }
            OutboundProblem::Url => i18n::text(lang, "rules.outbound.url").to_string(),
            OutboundProblem::Secret => i18n::text(lang, "rules.outbound.secret").to_string(),
            OutboundProblem::WecomSecret => {
                i18n::text(lang, "rules.outbound.wecom_secret").to_string()
            }
            OutboundProblem::Kind(kind) => {
                i18n::fill(lang, "rules.outbound.kind", &[("kind", kind)])
            }
        }
    }
}

/// The refusal in English, with its field: for the API and the log.
impl std::fmt::Display for OutboundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.text(Lang::En))
    }
}

impl std::error::Error for OutboundError {}

/// The most webhooks a zone may have.
pub const MAX_WEBHOOKS: usize = 20;

impl Outbound {
    /// Checks every webhook: a unique name, an http(s) URL, a DingTalk secret that looks
    /// like one, kinds made of lower-case letters and `_` (a trailing `*` for a prefix).
    pub fn check(&self) -> Result<(), OutboundError> {
        let err = |field: String, problem| Err(OutboundError { field, problem });
        if self.webhooks.len() > MAX_WEBHOOKS {
            return err("webhooks".into(), OutboundProblem::TooMany);
        }
        for (i, w) in self.webhooks.iter().enumerate() {
            let at = |f: &str| format!("webhooks[{i}].{f}");
            let name = w.name.trim();
            if name.is_empty() || name.chars().count() > 60 {
                return err(at("name"), OutboundProblem::NameLength);
            }
            if self.webhooks[..i].iter().any(|o| o.name.trim() == name) {
                return err(at("name"), OutboundProblem::NameTaken(name.to_string()));
            }
            if !valid_url(&w.url) {
                return err(at("url"), OutboundProblem::Url);
            }
            if let Some(secret) = &w.secret {
                if secret.is_empty()
                    || secret.len() > 200
                    || secret.chars().any(char::is_whitespace)
                {
                    return err(at("secret"), OutboundProblem::Secret);
                }
                if w.format == WebhookFormat::Wecom {
                    return err(at("secret"), OutboundProblem::WecomSecret);
                }
            }
            for (k, kind) in w.kinds.iter().enumerate() {
                let stem = kind.strip_suffix('*').unwrap_or(kind);
                if stem.is_empty() || !stem.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    return err(
                        format!("webhooks[{i}].kinds[{k}]"),
                        OutboundProblem::Kind(kind.clone()),
                    );
                }
            }
        }
        Ok(())
    }

    /// The settings with every secret hidden: the URL's query (a robot's key or token) and
    /// the signing secret. For showing and for the audit trail.
    pub fn redacted(&self) -> Outbound {
        Outbound {
            email: self.email,
            webhooks: self
                .webhooks
                .iter()
                .map(|w| Webhook {
                    url: redact_url(&w.url),
                    secret: w.secret.as_ref().map(|_| "***".to_string()),
                    ..w.clone()
                })
                .collect(),
        }
    }

    /// The webhooks a notification of `kind` goes to.
    pub fn webhooks_for<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Webhook> + 'a {
        self.webhooks.iter().filter(move |w| w.wants(kind))
    }

    /// The settings as they would be after `new` replaced them, where `new` may give a
    /// webhook's secret or URL as it was shown redacted ("***", or the URL with `***` for
    /// its query): those keep the values already set for the webhook of the same name.
    pub fn merged_with_existing(&self, mut new: Outbound) -> Outbound {
        for w in &mut new.webhooks {
            let Some(old) = self.webhooks.iter().find(|o| o.name == w.name) else {
                continue;
            };
            if w.secret.as_deref() == Some("***") {
                w.secret.clone_from(&old.secret);
            }
            if w.url == redact_url(&old.url) {
                w.url.clone_from(&old.url);
            }
        }
        new
    }
}

impl Webhook {
    pub fn wants(&self, kind: &str) -> bool {
        self.kinds.is_empty()
            || self.kinds.iter().any(|k| match k.strip_suffix('*') {
                Some(prefix) => kind.starts_with(prefix),
                None => k == kind,
            })
    }
}

fn valid_url(url: &str) -> bool {
    // Written with a host after the scheme (the URL standard would read `https:///path`
    // as the host `path`; a person who wrote it meant no host).
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let written_host = rest.and_then(|r| r.split(['/', '?', '#']).next());
    written_host.is_some_and(|h| !h.is_empty() && !h.starts_with(':'))
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && webhook_target(url).is_some()
}

/// Where a webhook URL leads, read as the HTTP client reads it (the WHATWG URL standard,
/// the `url` crate reqwest uses), so no spelling of an address — a trailing dot, an empty
/// port, `\` before `@`, percent-escapes, decimal or hex IPv4 — means one thing to this
/// check and another to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A name, lower case, to be resolved.
    Name(String),
    /// An address written in the URL: no resolver sees it.
    Address(std::net::IpAddr),
}

impl Target {
    /// The host as an operator names it in an allow list.
    pub fn host(&self) -> String {
        match self {
            Target::Name(n) => n.clone(),
            Target::Address(a) => a.to_string(),
        }
    }
}

/// The target and port of an `http`/`https` URL with a host and no credentials, else None.
pub fn webhook_target(url: &str) -> Option<(Target, u16)> {
    let u = url::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() || u.password().is_some()
    {
        return None;
    }
    let port = u.port_or_known_default()?;
    let target = match u.host()? {
        url::Host::Domain(d) if !d.is_empty() => Target::Name(d.to_ascii_lowercase()),
        url::Host::Domain(_) => return None,
        url::Host::Ipv4(a) => Target::Address(a.into()),
        url::Host::Ipv6(a) => Target::Address(a.into()),
    };
    Some((target, port))
}

/// The host of an `http://` or `https://` URL as the client reads it (lower case, an IPv6
/// address without its brackets) and its port (80 or 443 unless given).
pub fn url_host(url: &str) -> Option<(String, u16)> {
    webhook_target(url).map(|(t, port)| (t.host(), port))
}

/// Whether a webhook may not reach `ip`: loopback, private (RFC 1918, IPv6 unique-local),
/// link-local (cloud metadata at 169.254.169.254 among them), shared (100.64/10),
/// unspecified, broadcast, multicast, reserved and documentation ranges, and an IPv4
/// address carried inside IPv6 (mapped, compatible, NAT64, 6to4) by what it carries.
pub fn is_internal(ip: std::net::IpAddr) -> bool {
    use std::net::{IpAddr, Ipv4Addr};
    fn v4(a: Ipv4Addr) -> bool {
        let [x, y, z, _] = a.octets();
        a.is_unspecified()
            || a.is_loopback()
            || a.is_private()
            || a.is_link_local()
            || a.is_broadcast()
            || a.is_multicast()
            || a.is_documentation()
            || x == 0
            || (x == 100 && (64..128).contains(&y))
            || (x == 192 && y == 0 && z == 0)
            || (x == 198 && (18..20).contains(&y))
            || x >= 240
    }
    match ip {
        IpAddr::V4(a) => v4(a),
        IpAddr::V6(a) => {
            let s = a.segments();
            let embedded = |hi: u16, lo: u16| {
                Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)
            };
            if let Some(m) = a.to_ipv4_mapped() {
                return v4(m);
            }
            if s[..6] == [0, 0, 0, 0, 0, 0] && !a.is_unspecified() && !a.is_loopback() {
                return v4(embedded(s[6], s[7])); // IPv4-compatible
            }
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return v4(embedded(s[6], s[7])); // NAT64
            }
            if s[0] == 0x2002 {
                return v4(embedded(s[1], s[2])); // 6to4
            }
            a.is_unspecified()
                || a.is_loopback()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        }
    }
}

/// The URL with its query hidden (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?***`).
pub fn redact_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?***"),
        None => url.to_string(),
    }
}

/// What a notification says, ready to leave Luodi.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The notification kind (`blocker_escalated`).
    pub kind: String,
    pub zone: String,
    pub title: String,
    pub body: String,
    /// Where it leads in Luodi: an absolute URL where the server knows its public address,
    /// else a path.
    pub link: String,
}

/// A webhook request: where, the body, and any extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRequest {
    pub url: String,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

/// The request for `message` on `hook`. `delivery` is the delivery's id (sent as
/// `X-Luodi-Delivery`, so a receiver can drop a repeat); `now_ms` the time in milliseconds,
/// which DingTalk's signature covers; `hmac` computes HMAC-SHA256 (kept out of this crate).
pub fn webhook_request(
    hook: &Webhook,
    message: &Message,
    delivery: i64,
    now_ms: i64,
    hmac: impl Fn(&[u8], &[u8]) -> Vec<u8>,
) -> WebhookRequest {
    let mut headers = vec![("X-Luodi-Delivery", delivery.to_string())];
    let (url, body) = match hook.format {
        WebhookFormat::Generic => {
            let body = json!({
                "delivery": delivery,
                "kind": message.kind,
                "zone": message.zone,
                "title": message.title,
                "body": message.body,
                "link": message.link,
            })
            .to_string();
            if let Some(secret) = &hook.secret {
                // The time is signed with the body, so a receiver can refuse a replay: it
                // recomputes HMAC(secret, "{timestamp}.{body}") and drops old timestamps.
                let seconds = now_ms.div_euclid(1000);
                let signed = format!("{seconds}.{body}");
                let mac = hmac(secret.as_bytes(), signed.as_bytes());
                headers.push(("X-Luodi-Timestamp", seconds.to_string()));
                headers.push(("X-Luodi-Signature", format!("sha256={}", hex(&mac))));
            }
            (hook.url.clone(), body)
        }
        WebhookFormat::Wecom => (
            hook.url.clone(),
            json!({"msgtype": "markdown", "markdown": {"content": markdown(message, true)}})
                .to_string(),
        ),
        WebhookFormat::Dingtalk => {
            let url = match &hook.secret {
                Some(secret) => {
                    let signed = format!("{now_ms}\n{secret}");
                    let mac = hmac(secret.as_bytes(), signed.as_bytes());
                    let sign = percent_encode(&base64(&mac));
                    let sep = if hook.url.contains('?') { '&' } else { '?' };
                    format!("{}{sep}timestamp={now_ms}&sign={sign}", hook.url)
                }
                None => hook.url.clone(),
            };
            (
                url,
                json!({"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown(message, false)}})
                    .to_string(),
            )
        }
    };
    headers.push(("Content-Type", "application/json; charset=utf-8".into()));
    WebhookRequest { url, body, headers }
}

/// Whether a webhook's answer means it took the message. WeCom and DingTalk answer HTTP 200
/// with `{"errcode": 0}` on success and a non-zero `errcode` (and its `errmsg`) otherwise.
pub fn webhook_accepted(format: WebhookFormat, status: u16, body: &str) -> Result<(), String> {
    if !(200..300).contains(&status) {
        let snippet: String = body.chars().take(200).collect();
        return Err(format!("HTTP {status}: {snippet}"));
    }
    match format {
        WebhookFormat::Generic => Ok(()),
        WebhookFormat::Wecom | WebhookFormat::Dingtalk => {
            let v: Value = serde_json::from_str(body).map_err(|_| {
                format!(
                    "not a robot's JSON answer: {}",
                    body.chars().take(200).collect::<String>()
                )
            })?;
            match v.get("errcode").and_then(Value::as_i64) {
                Some(0) => Ok(()),
                Some(code) => Err(format!(
                    "errcode {code}: {}",
                    v.get("errmsg").and_then(Value::as_str).unwrap_or("")
                )),
                None => Err("the answer has no errcode".into()),
            }
        }
    }
}

/// An email's subject and plain-text body. A message carries no language (its title and
/// body are already in their reader's): the subject names Luodi in Chinese.
pub fn email(message: &Message) -> (String, String) {
    (
        format!(
            "[{} · {}] {}",
            i18n::text(Lang::Zh, "app.name"),
            message.zone,
            message.title
        ),
        plain_text(message),
    )
}

fn plain_text(message: &Message) -> String {
    let mut s = message.title.clone();
    if !message.body.is_empty() {
        s.push_str("\n\n");
        s.push_str(&message.body);
    }
    s.push_str("\n\n");
    s.push_str(&message.link);
    s.push('\n');
    s
}

/// The robots' markdown: the title in bold (WeCom) or as a heading (DingTalk), the body
/// quoted, and a link to open it.
fn markdown(message: &Message, wecom: bool) -> String {
    let title = if wecom {
        format!("**{}**", message.title)
    } else {
        format!("#### {}", message.title)
    };
    let mut s = format!("{title}\n> {}", message.zone);
    if !message.body.is_empty() {
        s.push_str(&format!("\n> {}", message.body.replace('\n', "\n> ")));
    }
    // A robot posts into a group chat of readers of either language: the link says both.
    s.push_str(&format!(
        "\n\n[{} {}]({})",
        i18n::text(Lang::Zh, "rules.outbound.open"),
        i18n::text(Lang::En, "rules.outbound.open"),
        message.link
    ));
    s
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(format: WebhookFormat, secret: Option<&str>) -> Webhook {
        Webhook {
            name: "group".into(),
            format,
            url: "https://example.test/robot/send?access_token=abc".into(),
            secret: secret.map(str::to_string),
            kinds: vec![],
        }
    }

    fn message() -> Message {
        Message {
            kind: "blocker_escalated".into(),
            zone: "青岛高新区".into(),
            title: "施工用电接入迟迟未定".into(),
            body: "acknowledge · department_head".into(),
            link: "https://luodi.example/blockers/7".into(),
        }
    }

    /// A stand-in MAC that shows what was signed, so the tests can see the input.
    fn fake_mac(key: &[u8], data: &[u8]) -> Vec<u8> {
        [key, b"|", data].concat()
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let mut o = Outbound {
            email: true,
            webhooks: vec![hook(WebhookFormat::Dingtalk, Some("SEC123"))],
        };
        assert_eq!(o.check(), Ok(()));
        o.webhooks.push(hook(WebhookFormat::Generic, None));
        assert_eq!(o.check().unwrap_err().field, "webhooks[1].name");
        o.webhooks[1].name = "ops".into();
        o.webhooks[1].url = "ftp://x".into();
        assert_eq!(o.check().unwrap_err().field, "webhooks[1].url");
        o.webhooks[1].url = "https:///path".into();
        assert_eq!(o.check().unwrap_err().field, "webhooks[1].url");
        o.webhooks[1].url = "http://127.0.0.1:9/hook".into();
        o.webhooks[1].kinds = vec!["blocker_*".into(), "Blocker".into()];
        assert_eq!(o.check().unwrap_err().field, "webhooks[1].kinds[1]");
        o.webhooks[1].kinds.pop();
        assert_eq!(o.check(), Ok(()));
        o.webhooks.push(Webhook {
            name: "wecom".into(),
            ..hook(WebhookFormat::Wecom, Some("s"))
        });
        assert_eq!(o.check().unwrap_err().field, "webhooks[2].secret");
    }

    #[test]
    fn refusals_read_in_chinese() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for problem in [
            OutboundProblem::TooMany,
            OutboundProblem::NameLength,
            OutboundProblem::NameTaken("督办群".into()),
            OutboundProblem::Url,
            OutboundProblem::Secret,
            OutboundProblem::WecomSecret,
            OutboundProblem::Kind("Blocker".into()),
        ] {
            let e = OutboundError {
                field: "webhooks[0].url".into(),
                problem,
            };
            let (zh, en) = (e.text(Lang::Zh), e.text(Lang::En));
            assert!(cjk(&zh) && zh != en, "{e}: {zh}");
            assert_eq!(e.to_string(), format!("webhooks[0].url: {en}"));
        }
    }

    #[test]
    fn kinds_filter_exactly_or_by_prefix() {
        let mut h = hook(WebhookFormat::Generic, None);
        assert!(h.wants("anything"));
        h.kinds = vec!["blocker_escalated".into(), "steward_*".into()];
        assert!(h.wants("blocker_escalated"));
        assert!(h.wants("steward_assigned"));
        assert!(!h.wants("blocker_raised"));
    }

    #[test]
    fn secrets_are_hidden_and_kept_when_given_back_hidden() {
        let o = Outbound {
            email: false,
            webhooks: vec![hook(WebhookFormat::Dingtalk, Some("SECabc"))],
        };
        let shown = o.redacted();
        assert_eq!(shown.webhooks[0].url, "https://example.test/robot/send?***");
        assert_eq!(shown.webhooks[0].secret.as_deref(), Some("***"));
        assert!(!serde_json::to_string(&shown).unwrap().contains("abc"));
        // Given back as shown, the old values stay; a new value replaces them.
        assert_eq!(o.merged_with_existing(shown.clone()), o);
        let mut changed = shown;
        changed.webhooks[0].secret = Some("SECnew".into());
        let merged = o.merged_with_existing(changed);
        assert_eq!(merged.webhooks[0].secret.as_deref(), Some("SECnew"));
        assert_eq!(merged.webhooks[0].url, o.webhooks[0].url);
    }

    #[test]
    fn wecom_robot_gets_markdown() {
        let r = webhook_request(
            &hook(WebhookFormat::Wecom, None),
            &message(),
            5,
            0,
            fake_mac,
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["msgtype"], "markdown");
        let content = v["markdown"]["content"].as_str().unwrap();
        assert!(content.starts_with("**施工用电接入迟迟未定**\n> 青岛高新区"));
        assert!(content.ends_with("[查看 Open](https://luodi.example/blockers/7)"));
        assert_eq!(r.url, "https://example.test/robot/send?access_token=abc");
    }

    #[test]
    fn dingtalk_robot_signs_the_timestamp() {
        let r = webhook_request(
            &hook(WebhookFormat::Dingtalk, Some("SECxyz")),
            &message(),
            5,
            1_700_000_000_000,
            fake_mac,
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["msgtype"], "markdown");
        assert_eq!(v["markdown"]["title"], "施工用电接入迟迟未定");
        assert!(v["markdown"]["text"].as_str().unwrap().starts_with("#### "));
        // sign = urlencode(base64(HMAC(secret, "timestamp\nsecret")))
        let signed = base64(b"SECxyz|1700000000000\nSECxyz");
        assert_eq!(
            r.url,
            format!(
                "https://example.test/robot/send?access_token=abc&timestamp=1700000000000&sign={}",
                percent_encode(&signed)
            )
        );
    }

    #[test]
    fn generic_webhook_signs_its_body_with_the_time() {
        let r = webhook_request(
            &hook(WebhookFormat::Generic, Some("k")),
            &message(),
            42,
            1_700_000_000_123,
            fake_mac,
        );
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["delivery"], 42);
        assert_eq!(v["kind"], "blocker_escalated");
        let sig = r
            .headers
            .iter()
            .find(|(h, _)| *h == "X-Luodi-Signature")
            .unwrap();
        // The time is signed with the body (regression: the body alone was signed, so a
        // captured delivery could be replayed any time later).
        assert!(
            r.headers
                .contains(&("X-Luodi-Timestamp", "1700000000".to_string()))
        );
        let signed = format!("1700000000.{}", r.body);
        assert_eq!(
            sig.1,
            format!("sha256={}", hex(&fake_mac(b"k", signed.as_bytes())))
        );
        assert!(r.headers.contains(&("X-Luodi-Delivery", "42".to_string())));
    }

    #[test]
    fn internal_addresses_are_known_however_written() {
        let internal = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "fec0::1",
        ];
        for a in internal {
            assert!(is_internal(a.parse().unwrap()), "{a} is internal");
        }
        for a in [
            "8.8.8.8",
            "101.226.4.6",
            "172.32.0.1",
            "2408:8000::1",
            "::ffff:1.2.3.4",
        ] {
            assert!(!is_internal(a.parse().unwrap()), "{a} is public");
        }
        assert_eq!(
            url_host("http://169.254.169.254/latest/meta-data"),
            Some(("169.254.169.254".into(), 80))
        );
        assert_eq!(
            url_host("HTTPS://Example.COM"),
            Some(("example.com".into(), 443))
        );
        assert_eq!(url_host("http://[::1]:5432/x"), Some(("::1".into(), 5432)));
        assert_eq!(url_host("http://user:pw@localhost:5432/"), None);
        assert_eq!(url_host("ftp://x"), None);
        assert_eq!(url_host("http://x:port/"), None);
        // Spellings that once slipped past a hand-made parser: each is read as the HTTP
        // client reads it, an internal address, or refused outright (credentials).
        for (url, ip) in [
            (
                "http://169.254.169.254:/latest/meta-data/",
                "169.254.169.254",
            ),
            ("http://169.254.169.254./latest", "169.254.169.254"),
            ("http://127.0.0.%31/", "127.0.0.1"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://[::ffff:a9fe:a9fe]/", "::ffff:169.254.169.254"),
            // `\` is `/`: the host is the address before it, not the name after `@`.
            ("http://127.0.0.1\\@example.com/", "127.0.0.1"),
            ("http://10.0.0.5\\@allowed.host/", "10.0.0.5"),
        ] {
            let (t, _) = webhook_target(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(t, Target::Address(ip.parse().unwrap()), "{url}");
            assert!(is_internal(ip.parse().unwrap()), "{url}");
        }
        assert_eq!(
            webhook_target("http://user:pw@example.com/"),
            None,
            "credentials are refused"
        );
    }

    #[test]
    fn robots_answer_with_an_errcode() {
        use WebhookFormat::*;
        assert_eq!(
            webhook_accepted(Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(())
        );
        assert_eq!(
            webhook_accepted(
                Dingtalk,
                200,
                r#"{"errcode":310000,"errmsg":"sign not match"}"#
            ),
            Err("errcode 310000: sign not match".into())
        );
        assert!(
            webhook_accepted(Generic, 503, "busy")
                .unwrap_err()
                .starts_with("HTTP 503")
        );
        assert_eq!(webhook_accepted(Generic, 204, ""), Ok(()));
        assert!(webhook_accepted(Wecom, 200, "<html>").is_err());
    }

    #[test]
    fn base64_and_percent_encoding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(percent_encode("a+b/c="), "a%2Bb%2Fc%3D");
    }

    #[test]
    fn email_names_zone_and_title() {
        let (subject, body) = email(&message());
        assert_eq!(subject, "[落地 · 青岛高新区] 施工用电接入迟迟未定");
        assert!(body.contains("acknowledge · department_head"));
        assert!(body.ends_with("https://luodi.example/blockers/7\n"));
    }
}
