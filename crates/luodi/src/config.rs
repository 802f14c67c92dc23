//! Settings in layers: built-in defaults, then a TOML file (`--config FILE` or
//! `LUODI_CONFIG`), then `LUODI_*` environment variables, then command-line flags. A
//! wrong setting stops start-up with a message naming it; secrets are never printed.

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

/// Every setting `luodi serve` and `luodi demo` take, for `--help`: the TOML key, its
/// environment variable, what it does. Flags (`--database`, `--addr`, `--config`) win over
/// the variables, which win over the file.
pub const SETTINGS_HELP: &str = "\
Settings, in layers: defaults, then a TOML file (--config FILE or LUODI_CONFIG), then
environment variables, then flags. Unknown keys and wrong values stop start-up, naming them.

  file key                 environment variable        what it sets
  database                 LUODI_DATABASE              sqlite://FILE or postgres://USER@HOST:PORT/DB
  database_file            LUODI_DATABASE_FILE         a file holding the database URL (a secret)
  addr                     LUODI_ADDR                  HOST:PORT to listen on (default 127.0.0.1:8080)
  secure_cookies           LUODI_SECURE_COOKIES        Secure cookies (default: true when public_url is https)
  forecast_every_seconds   LUODI_FORECAST_EVERY        seconds between re-forecasts, 10-86400 (default 600)
  public_url               LUODI_PUBLIC_URL            where users reach Luodi; links in email and webhooks
  smtp_url                 LUODI_SMTP_URL              smtp://user:pw@host:587?tls=required (no email without it)
  smtp_url_file            LUODI_SMTP_URL_FILE         a file holding the SMTP URL (a secret)
  mail_from                LUODI_MAIL_FROM             the sender of email, e.g. 落地 <luodi@zone.gov.cn>
  deliver_every_seconds    LUODI_DELIVER_EVERY         seconds between delivery rounds, 1-3600 (default 5)
  webhook_allow_hosts      LUODI_WEBHOOK_ALLOW_HOSTS   hosts on internal addresses webhooks may reach (comma-separated)
  audit_key_file           LUODI_AUDIT_KEY_FILE        a file holding the key that anchors the audit trail (HMAC)
  metrics_allow            LUODI_METRICS_ALLOW         addresses that may read /metrics (CIDRs; default loopback)
  metrics_token_file       LUODI_METRICS_TOKEN_FILE    a file holding a token that may read /metrics from anywhere
  trusted_proxies          LUODI_TRUSTED_PROXIES       reverse proxies (CIDRs) whose X-Forwarded-For names the client
  header_timeout_seconds   LUODI_HEADER_TIMEOUT        seconds for a request's head; idle connections close after it, 1-120 (default 10)
  (logging)                LUODI_LOG                   e.g. info, debug, luodi_web=debug
  (logging)                LUODI_LOG_FORMAT            text (default; colour only on a terminal) or json
";

/// The TOML file's shape. Unknown keys are an error, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<String>,
    /// A file holding the database URL (for secrets mounted as files).
    pub database_file: Option<String>,
    pub addr: Option<String>,
    pub secure_cookies: Option<bool>,
    /// Seconds between background re-forecasts of the portfolio (10–86400).
    pub forecast_every_seconds: Option<u64>,
    /// Luodi's address as its users reach it; links in emails and webhooks start with it.
    pub public_url: Option<String>,
    /// The SMTP server for email notifications (`smtp://user:password@host:587?tls=required`).
    pub smtp_url: Option<String>,
    /// A file holding the SMTP URL (for secrets mounted as files).
    pub smtp_url_file: Option<String>,
    /// The sender of email notifications (`落地 <luodi@zone.gov.cn>`).
    pub mail_from: Option<String>,
    /// Seconds between rounds of outbound delivery when nothing is due (1–3600).
    pub deliver_every_seconds: Option<u64>,
    /// Hosts webhooks may reach although they resolve to internal addresses.
    pub webhook_allow_hosts: Option<Vec<String>>,
    /// A file holding the key that anchors the audit trail.
    pub audit_key_file: Option<String>,
    /// Address ranges that may read `/metrics` (default loopback).
    pub metrics_allow: Option<Vec<String>>,
    /// A file holding a token that may read `/metrics` from any address.
    pub metrics_token_file: Option<String>,
    /// The reverse proxies in front of the server (CIDRs), trusted for `X-Forwarded-For`.
    pub trusted_proxies: Option<Vec<String>>,
    /// Seconds a client has to send a request's head (and a kept-alive connection may
    /// idle) before it is closed (1–120).
    pub header_timeout_seconds: Option<u64>,
}

impl std::fmt::Debug for Settings {
    // The database URL, the SMTP URL and the keys can hold secrets: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database", &luodi_store::url_without_secret(&self.database))
            .field("addr", &self.addr)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "***"))
            .field("audit_key", &self.audit_key.as_ref().map(|_| "***"))
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

pub struct Settings {
    pub database: String,
    pub addr: SocketAddr,
    pub secure_cookies: bool,
    pub forecast_every: std::time::Duration,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub deliver_every: std::time::Duration,
    pub webhook_allow_hosts: Vec<String>,
    /// The audit anchor's key (at least 32 bytes), when one is configured.
    pub audit_key: Option<Vec<u8>>,
    pub metrics_allow: Vec<luodi_web::client::IpNet>,
    pub metrics_token: Option<String>,
    pub trusted_proxies: Vec<luodi_web::client::IpNet>,
    pub header_timeout: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{setting}: '{value}' is not a number of seconds from {min} to {max}")]
    Seconds {
        setting: &'static str,
        value: String,
        min: u64,
        max: u64,
    },
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("{setting}: '{value}' is not a HOST:PORT address (e.g. 127.0.0.1:8080)")]
    Addr {
        setting: &'static str,
        value: String,
    },
    #[error("{setting}: '{value}' is not true or false")]
    Bool {
        setting: &'static str,
        value: String,
    },
    #[error(
        "no database given: use --database URL, LUODI_DATABASE, or `database` in the config file"
    )]
    NoDatabase,
    #[error("{setting}: '{value}' is not an address range such as 10.0.0.0/8 or ::1")]
    Range {
        setting: &'static str,
        value: String,
    },
    #[error("{setting}: the key must be at least 32 bytes (e.g. `openssl rand -hex 32 > FILE`)")]
    ShortKey { setting: &'static str },
    #[error("{0}")]
    Usage(String),
}

/// What the command line said (each already merged with its `LUODI_*` variable by clap).
#[derive(Debug, Default)]
pub struct Overrides {
    pub config: Option<String>,
    pub database: Option<String>,
    pub addr: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn read_secret_file(path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })
}

/// A number of seconds from its `LUODI_*` variable, else the file, else the default,
/// within `min..=max`.
fn seconds(
    (variable, file_key): (&'static str, &'static str),
    from_file: Option<u64>,
    default: u64,
    (min, max): (u64, u64),
) -> Result<std::time::Duration, ConfigError> {
    let (setting, value) = match env(variable) {
        Some(v) => (
            variable,
            v.parse::<u64>().map_err(|_| ConfigError::Seconds {
                setting: variable,
                value: v.clone(),
                min,
                max,
            })?,
        ),
        None => (file_key, from_file.unwrap_or(default)),
    };
    if !(min..=max).contains(&value) {
        return Err(ConfigError::Seconds {
            setting,
            value: value.to_string(),
            min,
            max,
        });
    }
    Ok(std::time::Duration::from_secs(value))
}

pub fn load(
    o: Overrides,
    default_database: Option<&str>,
    default_addr: &str,
) -> Result<Settings, ConfigError> {
    let file = match o.config.clone().or_else(|| env("LUODI_CONFIG")) {
        Some(path) => {
            let text =
                std::fs::read_to_string(Path::new(&path)).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
            toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::Parse {
                path,
                message: e.message().to_string()
                    + &e.span()
                        .map(|s| format!(" (at byte {})", s.start))
                        .unwrap_or_default(),
            })?
        }
        None => FileConfig::default(),
    };
    let database = match o.database {
        Some(d) => d,
        None => match env("LUODI_DATABASE_FILE") {
            Some(path) => read_secret_file(&path)?,
            None => match (file.database, file.database_file) {
                (Some(d), _) => d,
                (None, Some(path)) => read_secret_file(&path)?,
                (None, None) => default_database
                    .map(str::to_string)
                    .ok_or(ConfigError::NoDatabase)?,
            },
        },
    };
    let (addr_setting, addr_text) = match (o.addr, file.addr) {
        (Some(a), _) => ("--addr / LUODI_ADDR", a),
        (None, Some(a)) => ("addr (config file)", a),
        (None, None) => ("addr", default_addr.to_string()),
    };
    let addr = addr_text.parse().map_err(|_| ConfigError::Addr {
        setting: addr_setting,
        value: addr_text.clone(),
    })?;
    let public_url = env("LUODI_PUBLIC_URL").or(file.public_url);
    let secure_cookies = match env("LUODI_SECURE_COOKIES") {
        Some(v) => match v.as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(ConfigError::Bool {
                    setting: "LUODI_SECURE_COOKIES",
                    value: v,
                });
            }
        },
        // Served over HTTPS (as its users reach it): cookies only travel encrypted.
        None => file.secure_cookies.unwrap_or_else(|| {
            public_url
                .as_deref()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"))
        }),
    };
    let forecast_every = seconds(
        (
            "LUODI_FORECAST_EVERY",
            "forecast_every_seconds (config file)",
        ),
        file.forecast_every_seconds,
        600,
        (10, 86_400),
    )?;
    let deliver_every = seconds(
        ("LUODI_DELIVER_EVERY", "deliver_every_seconds (config file)"),
        file.deliver_every_seconds,
        5,
        (1, 3600),
    )?;
    let smtp_url = match env("LUODI_SMTP_URL") {
        Some(u) => Some(u),
        None => match env("LUODI_SMTP_URL_FILE") {
            Some(path) => Some(read_secret_file(&path)?),
            None => match (file.smtp_url, file.smtp_url_file) {
                (Some(u), _) => Some(u),
                (None, Some(path)) => Some(read_secret_file(&path)?),
                (None, None) => None,
            },
        },
    };
    let header_timeout = seconds(
        (
            "LUODI_HEADER_TIMEOUT",
            "header_timeout_seconds (config file)",
        ),
        file.header_timeout_seconds,
        10,
        (1, 120),
    )?;
    let list = |v: String| -> Vec<String> {
        v.split(',')
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect()
    };
    let webhook_allow_hosts = match env("LUODI_WEBHOOK_ALLOW_HOSTS") {
        Some(v) => list(v),
        None => file.webhook_allow_hosts.unwrap_or_default(),
    };
    let audit_key = match env("LUODI_AUDIT_KEY_FILE") {
        Some(path) => Some(("LUODI_AUDIT_KEY_FILE", read_secret_file(&path)?)),
        None => match file.audit_key_file {
            Some(path) => Some(("audit_key_file (config file)", read_secret_file(&path)?)),
            None => None,
        },
    };
    let audit_key = match audit_key {
        Some((setting, key)) if key.len() < 32 => return Err(ConfigError::ShortKey { setting }),
        Some((_, key)) => Some(key.into_bytes()),
        None => None,
    };
    let (range_setting, ranges) = match env("LUODI_METRICS_ALLOW") {
        Some(v) => ("LUODI_METRICS_ALLOW", list(v)),
        None => match file.metrics_allow {
            Some(v) => ("metrics_allow (config file)", v),
            None => ("metrics_allow", vec!["127.0.0.0/8".into(), "::1".into()]),
        },
    };
    let metrics_allow = ranges
        .iter()
        .map(|r| {
            luodi_web::client::IpNet::parse(r).ok_or_else(|| ConfigError::Range {
                setting: range_setting,
                value: r.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (proxy_setting, proxies) = match env("LUODI_TRUSTED_PROXIES") {
        Some(v) => ("LUODI_TRUSTED_PROXIES", list(v)),
        None => (
            "trusted_proxies (config file)",
            file.trusted_proxies.unwrap_or_default(),
        ),
    };
    let trusted_proxies = proxies
        .iter()
        .map(|r| {
            luodi_web::client::IpNet::parse(r).ok_or_else(|| ConfigError::Range {
                setting: proxy_setting,
                value: r.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metrics_token = match env("LUODI_METRICS_TOKEN_FILE") {
        Some(path) => Some(read_secret_file(&path)?),
        None => match file.metrics_token_file {
            Some(path) => Some(read_secret_file(&path)?),
            None => None,
        },
    };
    Ok(Settings {
        database,
        addr,
        secure_cookies,
        forecast_every,
        public_url,
        smtp_url,
        mail_from: env("LUODI_MAIL_FROM").or(file.mail_from),
        deliver_every,
        webhook_allow_hosts,
        audit_key,
        metrics_allow,
        metrics_token: metrics_token.filter(|t| !t.is_empty()),
        trusted_proxies,
        header_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_secure_when_the_public_url_is_https() {
        let dir = std::env::temp_dir().join(format!("luodi-cookies-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("luodi.toml");
        let secure = |text: &str| {
            std::fs::write(&path, text).unwrap();
            load(
                Overrides {
                    config: Some(path.display().to_string()),
                    database: Some("sqlite://x.db".into()),
                    ..Default::default()
                },
                None,
                "127.0.0.1:8080",
            )
            .unwrap()
            .secure_cookies
        };
        assert!(secure("public_url = \"https://zone.example.cn/\"\n"));
        assert!(secure("public_url = \"HTTPS://zone.example.cn/\"\n"));
        assert!(!secure("public_url = \"http://127.0.0.1:8080/\"\n"));
        assert!(!secure(""));
        // The operator's word wins either way (a TLS proxy in front of a plain public_url).
        assert!(!secure(
            "public_url = \"https://zone.example.cn/\"\nsecure_cookies = false\n"
        ));
        assert!(secure("secure_cookies = true\n"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn file_then_flags() {
        let dir = std::env::temp_dir().join(format!("luodi-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("luodi.toml");
        std::fs::write(
            &path,
            "database = \"sqlite://from-file.db\"\naddr = \"127.0.0.1:9000\"\n",
        )
        .unwrap();
        let s = load(
            Overrides {
                config: Some(path.display().to_string()),
                ..Default::default()
            },
            None,
            "127.0.0.1:8080",
        )
        .unwrap();
        assert_eq!(s.database, "sqlite://from-file.db");
        assert_eq!(s.addr.port(), 9000);
        let s = load(
            Overrides {
                config: Some(path.display().to_string()),
                addr: Some("127.0.0.1:9100".into()),
                database: Some("sqlite://flag.db".into()),
            },
            None,
            "127.0.0.1:8080",
        )
        .unwrap();
        assert_eq!(
            (s.database.as_str(), s.addr.port()),
            ("sqlite://flag.db", 9100)
        );
        std::fs::write(&path, "databse = \"x\"\n").unwrap();
        let err = load(
            Overrides {
                config: Some(path.display().to_string()),
                ..Default::default()
            },
            None,
            "127.0.0.1:8080",
        )
        .unwrap_err();
        assert!(err.to_string().contains("databse"), "{err}");
        let err = load(
            Overrides {
                addr: Some("localhost".into()),
                database: Some("sqlite://x".into()),
                ..Default::default()
            },
            None,
            "127.0.0.1:8080",
        )
        .unwrap_err();
        assert!(err.to_string().contains("--addr"), "{err}");
        assert!(matches!(
            load(Overrides::default(), None, "127.0.0.1:8080"),
            Err(ConfigError::NoDatabase)
        ));
    }

    #[test]
    fn outbound_settings_from_the_file() {
        let dir = std::env::temp_dir().join(format!("luodi-outbound-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let secret = dir.join("smtp-url");
        std::fs::write(
            &secret,
            "smtp://luodi:pw@mail.zone.example:587?tls=required\n",
        )
        .unwrap();
        let path = dir.join("luodi.toml");
        std::fs::write(
            &path,
            format!(
                "database = \"sqlite://x.db\"\npublic_url = \"https://luodi.zone.example\"\nsmtp_url_file = \"{}\"\nmail_from = \"落地 <luodi@zone.example>\"\ndeliver_every_seconds = 30\n",
                secret.display()
            ),
        )
        .unwrap();
        let overrides = || Overrides {
            config: Some(path.display().to_string()),
            ..Default::default()
        };
        let s = load(overrides(), None, "127.0.0.1:8080").unwrap();
        assert_eq!(
            s.smtp_url.as_deref(),
            Some("smtp://luodi:pw@mail.zone.example:587?tls=required")
        );
        assert_eq!(s.public_url.as_deref(), Some("https://luodi.zone.example"));
        assert_eq!(s.deliver_every, std::time::Duration::from_secs(30));
        std::fs::write(
            &path,
            "database = \"sqlite://x.db\"\ndeliver_every_seconds = 0\n",
        )
        .unwrap();
        let err = load(overrides(), None, "127.0.0.1:8080").unwrap_err();
        assert_eq!(
            err.to_string(),
            "deliver_every_seconds (config file): '0' is not a number of seconds from 1 to 3600"
        );
    }
}
