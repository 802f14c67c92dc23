//! `/metrics` in the Prometheus text format, named as Prometheus's conventions expect
//! (`_total` counters, `_seconds` histograms with `_bucket`/`_sum`/`_count`): requests by
//! method, route and status with their latency; the database (up, pool connections in
//! use and idle); each background job's steps, failures and durations; the outbox's
//! backlog. Counters live in this process; a Prometheus server scrapes each `luodi serve`
//! on its own. Only addresses and tokens the operator allows may read it
//! ([`MetricsAccess`]).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
pub use crate::client::IpNet;

/// Upper bounds of the latency buckets, seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A latency histogram: counts per bucket (not cumulative), the sum and the count.
#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i] += 1;
        }
        self.sum += secs;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (b, n) in BUCKETS.iter().zip(self.buckets) {
            cumulative += n;
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{b}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {:.6}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// (method, route pattern, status)
type RequestKey = (String, String, u16);

#[derive(Debug, Default, Clone)]
struct JobStats {
    failures: u64,
    duration: Histogram,
    last_success: Option<f64>,
}

#[derive(Default, Debug)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, Histogram>>,
    jobs: Mutex<BTreeMap<&'static str, JobStats>>,
}

impl Metrics {
    /// Counts one step of a background job.
    pub fn job_step(&self, job: &'static str, took: Duration, ok: bool) {
        if let Ok(mut jobs) = self.jobs.lock() {
            let s = jobs.entry(job).or_default();
            s.duration.observe(took.as_secs_f64());
            if ok {
                s.last_success = Some(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs_f64())
                        .unwrap_or_default(),
                );
            } else {
                s.failures += 1;
            }
        }
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    // The route pattern, not the raw path, so ids do not explode the label set.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    if let Ok(mut m) = state.metrics.requests.lock() {
        m.entry((method, route, res.status().as_u16()))
            .or_default()
            .observe(secs);
    }
    res
}

fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Who may read `/metrics`: addresses in the allowed ranges, or anyone with the token.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    pub allow: Vec<IpNet>,
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            allow: vec![
                IpNet::parse("127.0.0.0/8").expect("a range"),
                IpNet::parse("::1/128").expect("a range"),
            ],
            token: None,
        }
    }
}

fn allowed(state: &AppState, req: &Request) -> bool {
    let access = &state.config.metrics;
    if let Some(token) = &access.token {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if sent.is_some_and(|s| {
            crate::extract::constant_time_eq(s.trim().as_bytes(), token.as_bytes())
        }) {
            return true;
        }
    }
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return false;
    };
    // A request a proxy forwarded is not the machine's own, even when the proxy is on it:
    // through a trusted proxy the client's own address counts, through any other none.
    let trusted = &state.config.trusted_proxies;
    let from = if trusted.iter().any(|n| n.contains(peer.ip())) {
        crate::client::client_addr(req.headers(), req.extensions(), trusted)
    } else if crate::client::forwarded(req.headers()) {
        None
    } else {
        Some(peer.ip())
    };
    from.is_some_and(|ip| access.allow.iter().any(|n| n.contains(ip)))
}

pub async fn render(State(state): State<AppState>, req: Request) -> Response {
    if !allowed(&state, &req) {
        return crate::error::ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            luodi_domain::core::i18n::text(
                crate::extract::request_lang(&req.into_parts().0, None),
                "web.error.metrics_forbidden",
            ),
        )
        .into_response();
    }
    let snapshot = luodi_app::core::health::snapshot(&state.app).await;
    let db_up = snapshot.db_up;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP luodi_build_info The running version.\n# TYPE luodi_build_info gauge\nluodi_build_info{{version=\"{}\",backend=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        snapshot.backend
    );
    let _ = writeln!(
        out,
        "# HELP luodi_database_up Whether the database answered the last scrape.\n# TYPE luodi_database_up gauge\nluodi_database_up {}",
        u8::from(db_up)
    );
    let (size, idle, max) = snapshot.pool;
    let size = size as usize;
    let _ = writeln!(
        out,
        "# HELP luodi_db_pool_connections Connections of this server's database pool, by state.\n# TYPE luodi_db_pool_connections gauge\nluodi_db_pool_connections{{state=\"in_use\"}} {}\nluodi_db_pool_connections{{state=\"idle\"}} {idle}",
        size.saturating_sub(idle)
    );
    let _ = writeln!(
        out,
        "# HELP luodi_db_pool_max_connections The most connections the pool opens.\n# TYPE luodi_db_pool_max_connections gauge\nluodi_db_pool_max_connections {}",
        max
    );
    let _ = writeln!(
        out,
        "# HELP luodi_match_index_parcels Parcels held in memory for the matcher, over all zones.\n# TYPE luodi_match_index_parcels gauge\nluodi_match_index_parcels {}",
        state.app.match_index.parcels()
    );
    let pdfs = state.notice_pdfs.stats();
    let _ = writeln!(
        out,
        "# HELP luodi_notice_pdf_renders_total One-time notifications typeset as PDF.\n# TYPE luodi_notice_pdf_renders_total counter\nluodi_notice_pdf_renders_total {}",
        pdfs.renders
    );
    let _ = writeln!(
        out,
        "# HELP luodi_notice_pdf_cache_hits_total One-time notification PDFs served as typeset before.\n# TYPE luodi_notice_pdf_cache_hits_total counter\nluodi_notice_pdf_cache_hits_total {}",
        pdfs.hits
    );
    let _ = writeln!(
        out,
        "# HELP luodi_notice_pdf_cache_bytes Bytes of typeset notifications kept in memory.\n# TYPE luodi_notice_pdf_cache_bytes gauge\nluodi_notice_pdf_cache_bytes {}",
        pdfs.bytes
    );
    if let Some(backlog) = snapshot.outbox {
        let _ = writeln!(
            out,
            "# HELP luodi_outbox_deliveries Deliveries in the outbox (all zones), by state.\n# TYPE luodi_outbox_deliveries gauge"
        );
        for (s, n) in backlog {
            let _ = writeln!(
                out,
                "luodi_outbox_deliveries{{state=\"{}\"}} {n}",
                label(&s)
            );
        }
    }
    let requests: Vec<(RequestKey, Histogram)> = state
        .metrics
        .requests
        .lock()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "# HELP luodi_http_requests_total HTTP requests by method, route and status.\n# TYPE luodi_http_requests_total counter"
    );
    for ((m, r, s), h) in &requests {
        let _ = writeln!(
            out,
            "luodi_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{s}\"}} {}",
            label(m),
            label(r),
            h.count
        );
    }
    let _ = writeln!(
        out,
        "# HELP luodi_http_request_duration_seconds Time to answer, by method, route and status.\n# TYPE luodi_http_request_duration_seconds histogram"
    );
    for ((m, r, s), h) in &requests {
        h.write(
            &mut out,
            "luodi_http_request_duration_seconds",
            &format!(
                "method=\"{}\",route=\"{}\",status=\"{s}\"",
                label(m),
                label(r)
            ),
        );
    }
    let jobs: Vec<(&'static str, JobStats)> = state
        .metrics
        .jobs
        .lock()
        .map(|m| m.iter().map(|(k, v)| (*k, v.clone())).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "# HELP luodi_job_runs_total Steps run by each background job.\n# TYPE luodi_job_runs_total counter"
    );
    for (job, s) in &jobs {
        let _ = writeln!(
            out,
            "luodi_job_runs_total{{job=\"{job}\"}} {}",
            s.duration.count
        );
    }
    let _ = writeln!(
        out,
        "# HELP luodi_job_failures_total Steps of each background job that failed.\n# TYPE luodi_job_failures_total counter"
    );
    for (job, s) in &jobs {
        let _ = writeln!(
            out,
            "luodi_job_failures_total{{job=\"{job}\"}} {}",
            s.failures
        );
    }
    let _ = writeln!(
        out,
        "# HELP luodi_job_duration_seconds Time each step of a background job took.\n# TYPE luodi_job_duration_seconds histogram"
    );
    for (job, s) in &jobs {
        s.duration.write(
            &mut out,
            "luodi_job_duration_seconds",
            &format!("job=\"{job}\""),
        );
    }
    let _ = writeln!(
        out,
        "# HELP luodi_job_last_success_timestamp_seconds When each background job last finished a step without failing.\n# TYPE luodi_job_last_success_timestamp_seconds gauge"
    );
    for (job, s) in &jobs {
        if let Some(t) = s.last_success {
            let _ = writeln!(
                out,
                "luodi_job_last_success_timestamp_seconds{{job=\"{job}\"}} {t:.3}"
            );
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

pub type SharedMetrics = Arc<Metrics>;

impl luodi_app::jobs::StepObserver for Metrics {
    fn step(&self, job: &'static str, took: Duration, ok: bool) {
        self.job_step(job, took, ok);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let mut h = Histogram::default();
        h.observe(0.003);
        h.observe(0.2);
        h.observe(100.0);
        let mut out = String::new();
        h.write(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.005\"} 1"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.25\"} 2"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"30\"} 2"));
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 3"));
        assert!(out.contains("x_count{a=\"b\"} 3"));
    }
}
