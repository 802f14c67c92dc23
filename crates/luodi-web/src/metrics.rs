//! `/metrics` in the Prometheus text format: requests and their time per route and
//! status, and whether the database answers. Counters live in this process; a
//! Prometheus server scrapes each `luodi serve` instance on its own.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// (method, route pattern, status)
type RequestKey = (String, String, u16);

#[derive(Default, Debug)]
pub struct Metrics {
    /// Per key: how many requests, and their total seconds.
    requests: Mutex<BTreeMap<RequestKey, (u64, f64)>>,
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
        let e = m.entry((method, route, res.status().as_u16())).or_default();
        e.0 += 1;
        e.1 += secs;
    }
    res
}

fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub async fn render(State(state): State<AppState>) -> Response {
    let db_up = state.store.ping().await.is_ok();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP luodi_build_info The running version.\n# TYPE luodi_build_info gauge\nluodi_build_info{{version=\"{}\",backend=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        state.store.backend().name()
    );
    let _ = writeln!(
        out,
        "# HELP luodi_database_up Whether the database answered the last scrape.\n# TYPE luodi_database_up gauge\nluodi_database_up {}",
        u8::from(db_up)
    );
    let _ = writeln!(
        out,
        "# HELP luodi_match_index_parcels Parcels held in memory for the matcher, over all zones.\n# TYPE luodi_match_index_parcels gauge\nluodi_match_index_parcels {}",
        state.match_index.parcels()
    );
    let snapshot: Vec<_> = state
        .metrics
        .requests
        .lock()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "# HELP luodi_http_requests_total HTTP requests by method, route and status.\n# TYPE luodi_http_requests_total counter"
    );
    for ((m, r, s), (n, _)) in &snapshot {
        let _ = writeln!(
            out,
            "luodi_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{s}\"}} {n}",
            label(m),
            label(r)
        );
    }
    let _ = writeln!(
        out,
        "# HELP luodi_http_request_seconds_total Time spent answering, by method, route and status.\n# TYPE luodi_http_request_seconds_total counter"
    );
    for ((m, r, s), (_, secs)) in &snapshot {
        let _ = writeln!(
            out,
            "luodi_http_request_seconds_total{{method=\"{}\",route=\"{}\",status=\"{s}\"}} {secs:.6}",
            label(m),
            label(r)
        );
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
