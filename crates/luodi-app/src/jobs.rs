//! The background jobs of `luodi serve` — re-forecasting the portfolio, escalating missed
//! blocker clocks, delivering the outbox, keeping the matcher's index current, watching the
//! database — run as loops of steps. A step always runs to its end: on shutdown a job
//! finishes the step it is in and stops before the next, so nothing is cut half-way. Each
//! step is counted (runs, failures, seconds) for `/metrics`.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::App;

/// Tells a job to stop after its current step.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Waits `d`, or less when told to stop; true when the job should stop.
    pub async fn wait(&mut self, d: Duration) -> bool {
        if *self.0.borrow() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => *self.0.borrow(),
            _ = self.0.changed() => true,
        }
    }

    /// Waits for `wake` (or `d`), or less when told to stop; true when the job should stop.
    pub async fn wait_or(&mut self, d: Duration, wake: &tokio::sync::Notify) -> bool {
        if *self.0.borrow() {
            return true;
        }
        tokio::select! {
            _ = tokio::time::sleep(d) => *self.0.borrow(),
            _ = wake.notified() => *self.0.borrow(),
            _ = self.0.changed() => true,
        }
    }

    pub fn stopping(&self) -> bool {
        *self.0.borrow()
    }
}

/// The running jobs of one server.
pub struct Jobs {
    stop: watch::Sender<bool>,
    running: Vec<(&'static str, tokio::task::JoinHandle<()>)>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new()
    }
}

impl Jobs {
    pub fn new() -> Jobs {
        Jobs {
            stop: watch::channel(false).0,
            running: Vec::new(),
        }
    }

    /// A stop signal for a job started by hand.
    pub fn stop_signal(&self) -> Stop {
        Stop(self.stop.subscribe())
    }

    /// Starts a job: `step` runs, is counted under `name`, then the job waits `every` (or
    /// what the step returns, when it asks to go again sooner) — until told to stop.
    pub fn every<F, Fut>(
        &mut self,
        name: &'static str,
        observer: Observer,
        every: Duration,
        mut step: F,
    ) where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<Next, String>> + Send,
    {
        let mut stop = self.stop_signal();
        let handle = tokio::spawn(async move {
            loop {
                let started = Instant::now();
                let result = step().await;
                observer.step(name, started.elapsed(), result.is_ok());
                let pause = match result {
                    Ok(Next::Again) => Duration::ZERO,
                    Ok(Next::Wait) => every,
                    Err(e) => {
                        tracing::warn!(job = name, error = %e, "background step failed; trying again");
                        every
                    }
                };
                if stop.stopping() || (!pause.is_zero() && stop.wait(pause).await) {
                    break;
                }
            }
            tracing::debug!(job = name, "stopped");
        });
        self.running.push((name, handle));
    }

    /// Starts a job that runs its own loop with the stop signal.
    pub fn spawn<Fut>(&mut self, name: &'static str, job: impl FnOnce(Stop) -> Fut)
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handle = tokio::spawn(job(self.stop_signal()));
        self.running.push((name, handle));
    }

    /// Tells every job to stop after its current step and waits for them, at most
    /// `within`; a job still running then is abandoned with a warning.
    pub async fn stop(self, within: Duration) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + within;
        for (name, handle) in self.running {
            match tokio::time::timeout_at(deadline, handle).await {
                Ok(_) => {}
                Err(_) => tracing::warn!(
                    job = name,
                    "a background job did not finish its step in time"
                ),
            }
        }
    }
}

/// What a step asks for next.
pub enum Next {
    /// Wait the job's interval.
    Wait,
    /// There is more to do: go again at once.
    Again,
}

/// Told of every step of every job (the web layer counts them for `/metrics`).
pub trait StepObserver: Send + Sync {
    fn step(&self, job: &'static str, took: Duration, ok: bool);
}

/// An observer shared by the jobs.
pub type Observer = std::sync::Arc<dyn StepObserver>;

/// Starts every background job of a server: the database check, the forecaster, the
/// matcher's index, escalation, delivery, the post-completion checks and token expiry
/// warnings.
pub fn start(app: &App, observer: Observer) -> Jobs {
    let mut jobs = Jobs::new();
    {
        let app = app.clone();
        jobs.every(
            "database_check",
            observer.clone(),
            crate::core::health::CHECK_EVERY,
            move || {
                let app = app.clone();
                async move {
                    if crate::core::health::check(&app).await {
                        Ok(Next::Wait)
                    } else {
                        Err("the database does not answer".to_string())
                    }
                }
            },
        );
    }
    {
        let (app, observer) = (app.clone(), observer.clone());
        jobs.spawn("forecast", move |stop| {
            crate::forecast::portfolio::forecaster(app, observer, stop)
        });
    }
    {
        let app = app.clone();
        jobs.every(
            "match_index",
            observer.clone(),
            crate::land::index::POLL,
            move || {
                let app = app.clone();
                async move { crate::land::index::refresh_step(&app.match_index, &app.store).await }
            },
        );
    }
    {
        let app = app.clone();
        jobs.every(
            "escalate",
            observer.clone(),
            crate::stewardship::escalation::ESCALATE_EVERY,
            move || {
                let app = app.clone();
                async move { crate::stewardship::escalation::escalate_step(&app).await }
            },
        );
    }
    {
        let deliverer = app.deliverer.clone();
        jobs.every(
            "deliver",
            observer.clone(),
            app.settings.outbound.every,
            move || {
                let deliverer = deliverer.clone();
                async move { crate::stewardship::delivery::deliver_step(&deliverer).await }
            },
        );
    }
    {
        let app = app.clone();
        jobs.every(
            "completion_checks",
            observer.clone(),
            crate::cluster::completion::CHECK_EVERY,
            move || {
                let app = app.clone();
                async move { crate::cluster::completion::check_step(&app).await }
            },
        );
    }
    {
        let app = app.clone();
        jobs.every(
            "token_expiry",
            observer,
            crate::core::tokens::WARN_EVERY,
            move || {
                let app = app.clone();
                async move { crate::core::tokens::warn_step(&app).await }
            },
        );
    }
    jobs
}
