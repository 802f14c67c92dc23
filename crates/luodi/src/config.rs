//! Settings in layers: built-in defaults, then a TOML file (`--config FILE` or
//! `LUODI_CONFIG`), then `LUODI_*` environment variables, then command-line flags. A
//! wrong setting stops start-up with a message naming it; secrets are never printed.

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

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
}

#[derive(Debug)]
pub struct Settings {
    pub database: String,
    pub addr: SocketAddr,
    pub secure_cookies: bool,
    pub forecast_every: std::time::Duration,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub deliver_every: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{setting}: '{value}' is not a number of seconds from 10 to 86400")]
    Seconds {
        setting: &'static str,
        value: String,
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
        None => file.secure_cookies.unwrap_or(false),
    };
    let forecast_every = match env("LUODI_FORECAST_EVERY") {
        Some(v) => (
            "LUODI_FORECAST_EVERY",
            v.parse::<u64>().map_err(|_| ConfigError::Seconds {
                setting: "LUODI_FORECAST_EVERY",
                value: v.clone(),
            })?,
        ),
        None => (
            "forecast_every_seconds (config file)",
            file.forecast_every_seconds.unwrap_or(600),
        ),
    };
    if !(10..=86_400).contains(&forecast_every.1) {
        return Err(ConfigError::Seconds {
            setting: forecast_every.0,
            value: forecast_every.1.to_string(),
        });
    }
    let deliver_every = match env("LUODI_DELIVER_EVERY") {
        Some(v) => (
            "LUODI_DELIVER_EVERY",
            v.parse::<u64>().map_err(|_| ConfigError::Seconds {
                setting: "LUODI_DELIVER_EVERY",
                value: v.clone(),
            })?,
        ),
        None => (
            "deliver_every_seconds (config file)",
            file.deliver_every_seconds.unwrap_or(5),
        ),
    };
    if !(1..=3600).contains(&deliver_every.1) {
        return Err(ConfigError::Seconds {
            setting: deliver_every.0,
            value: deliver_every.1.to_string(),
        });
    }
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
    Ok(Settings {
        database,
        addr,
        secure_cookies,
        forecast_every: std::time::Duration::from_secs(forecast_every.1),
        public_url: env("LUODI_PUBLIC_URL").or(file.public_url),
        smtp_url,
        mail_from: env("LUODI_MAIL_FROM").or(file.mail_from),
        deliver_every: std::time::Duration::from_secs(deliver_every.1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
