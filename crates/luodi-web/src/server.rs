//! The listener: HTTP/1.1 connections with limits a client cannot outlast — the request
//! head must arrive within [`Limits::header_read`] (which also closes a connection kept
//! idle that long), and may be at most [`Limits::max_header_bytes`] (431 otherwise) —
//! and a graceful stop: on the shutdown signal no new connection is taken, requests under
//! way finish (for at most [`Limits::drain`]) and the caller then stops the background
//! jobs. `axum::serve` takes none of these settings, hence this loop.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::Service;

/// What a connection may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole request head, from the connection's start or the previous answer; and the
    /// longest pause within a request's body.
    pub header_read: Duration,
    /// Request line and headers together.
    pub max_header_bytes: usize,
    /// How long requests under way may take to finish after the shutdown signal.
    pub drain: Duration,
    /// Connections served at once; more wait to be taken.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: Duration::from_secs(10),
            max_header_bytes: 64 * 1024,
            drain: Duration::from_secs(30),
            max_connections: 4096,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    // Without a timer hyper ignores the header timeout.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .max_header_size(limits.max_header_bytes)
        .keep_alive(true);
    let mut make = app.into_make_service_with_connect_info::<SocketAddr>();
    let graceful = GracefulShutdown::new();
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: past the cap, connections wait in the listen queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // A connection that ended before it was taken; the listener is fine.
                Err(e) if matches!(e.kind(), std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::error!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = match make.call(peer).await {
            Ok(s) => s,
            Err(never) => match never {},
        };
        let conn = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!(
        connections = graceful.count(),
        "shutting down: new connections refused, finishing requests under way"
    );
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection closed"),
        () = tokio::time::sleep(limits.drain) => tracing::warn!(seconds = limits.drain.as_secs(), "requests still under way after the drain time; stopping anyway"),
    }
    Ok(())
}

/// Completes on SIGTERM (what service managers send) or SIGINT (Ctrl-C). The handlers are
/// installed when this is called, so a signal that comes before the future is awaited is
/// not lost.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
            _ = int.recv() => tracing::info!("SIGINT: shutting down"),
        }
    })
}
