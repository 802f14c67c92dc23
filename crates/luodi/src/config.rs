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
    Ok(Settings {
        database,
        addr,
        secure_cookies,
        forecast_every,
        public_url: env("LUODI_PUBLIC_URL").or(file.public_url),
        smtp_url,
        mail_from: env("LUODI_MAIL_FROM").or(file.mail_from),
        deliver_every,
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
