//! The typeset one-time notifications kept in memory, so a notification is typeset once
//! per content rather than on every request (typesetting takes seconds; a request for a
//! kept PDF only reads the notification from the store, milliseconds).
//!
//! A PDF is kept under the SHA-256 of everything the typesetter is given (see
//! `cache_key` beside the typesetting): the notification as built from the store on this
//! request and the language. So the key changes whenever anything the PDF prints changes —
//! an item's state, the list's items, the catalogue version, the zone's or enterprise's
//! name, the steward, the date of issue — and a stale PDF cannot be served: it would be a
//! different key. What is kept is bounded by bytes; the least recently used PDFs go first.
//! Requests for a key being typeset wait for that one typesetting instead of starting
//! their own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::sync::OnceCell;

/// How many bytes of PDFs a server keeps (a notification is a few hundred KiB).
pub const NOTICE_PDF_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// The key of a kept PDF: a SHA-256.
pub type Key = [u8; 32];

struct Entry {
    pdf: Arc<OnceCell<Bytes>>,
    /// When it was last asked for (the cache's own clock).
    used: u64,
    /// Its size once typeset, 0 before.
    size: usize,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    clock: u64,
    bytes: usize,
}

/// Typeset PDFs by key, least recently used out first, at most `budget` bytes.
pub struct PdfCache {
    entries: Mutex<Entries>,
    budget: usize,
    renders: AtomicU64,
    hits: AtomicU64,
}

impl Default for PdfCache {
    fn default() -> Self {
        PdfCache::new(NOTICE_PDF_CACHE_BYTES)
    }
}

/// What the cache has done since the server started (shown by `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// PDFs typeset.
    pub renders: u64,
    /// Requests answered with a PDF typeset before (or by a request they waited for).
    pub hits: u64,
    /// Bytes of PDFs kept now.
    pub bytes: usize,
    /// PDFs kept now.
    pub entries: usize,
}

impl PdfCache {
    pub fn new(budget: usize) -> Self {
        PdfCache {
            entries: Mutex::new(Entries::default()),
            budget,
            renders: AtomicU64::new(0),
            hits: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> CacheStats {
        let e = self.lock();
        CacheStats {
            renders: self.renders.load(Ordering::Relaxed),
            hits: self.hits.load(Ordering::Relaxed),
            bytes: e.bytes,
            entries: e.map.values().filter(|e| e.size > 0).count(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves the map consistent (every change is one
        // assignment), so a poisoned lock is used as it is.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The PDF kept under `key`, or the one `render` makes (kept then). A failed render is
    /// not kept; the next request tries again.
    pub async fn get_or_render<E, F, Fut>(&self, key: Key, render: F) -> Result<Bytes, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Vec<u8>, E>>,
    {
        let cell = {
            let mut e = self.lock();
            e.clock += 1;
            let clock = e.clock;
            let entry = e.map.entry(key).or_insert_with(|| Entry {
                pdf: Arc::new(OnceCell::new()),
                used: clock,
                size: 0,
            });
            entry.used = clock;
            entry.pdf.clone()
        };
        let rendered = AtomicBool::new(false);
        let result = cell
            .get_or_try_init(|| async {
                rendered.store(true, Ordering::Relaxed);
                self.renders.fetch_add(1, Ordering::Relaxed);
                render().await.map(Bytes::from)
            })
            .await
            .cloned();
        let rendered = rendered.into_inner();
        match &result {
            Ok(pdf) if rendered => self.keep(key, &cell, pdf.len()),
            Ok(_) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                let mut e = self.lock();
                if e.map
                    .get(&key)
                    .is_some_and(|x| Arc::ptr_eq(&x.pdf, &cell) && x.pdf.get().is_none())
                {
                    e.map.remove(&key);
                }
            }
        }
        result
    }

    /// Counts a new PDF's bytes and drops the least recently used PDFs over the budget.
    fn keep(&self, key: Key, cell: &Arc<OnceCell<Bytes>>, size: usize) {
        let mut e = self.lock();
        let Some(entry) = e.map.get_mut(&key) else {
            return;
        };
        if !Arc::ptr_eq(&entry.pdf, cell) || entry.size > 0 {
            return;
        }
        entry.size = size;
        e.bytes += size;
        while e.bytes > self.budget {
            // A linear scan: the cache holds a few hundred PDFs at most.
            let Some((&oldest, _)) = e
                .map
                .iter()
                .filter(|(_, x)| x.size > 0)
                .min_by_key(|(_, x)| x.used)
            else {
                break;
            };
            if let Some(gone) = e.map.remove(&oldest) {
                e.bytes -= gone.size;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        [n; 32]
    }

    async fn get(cache: &PdfCache, k: u8, size: usize) -> Bytes {
        cache
            .get_or_render(key(k), || async move { Ok::<_, ()>(vec![k; size]) })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn renders_once_per_key() {
        let cache = PdfCache::new(1000);
        assert_eq!(get(&cache, 1, 10).await, vec![1; 10]);
        assert_eq!(get(&cache, 1, 10).await, vec![1; 10]);
        assert_eq!(get(&cache, 2, 10).await, vec![2; 10]);
        let s = cache.stats();
        assert_eq!((s.renders, s.hits, s.bytes, s.entries), (2, 1, 20, 2));
    }

    #[tokio::test]
    async fn keeps_within_its_budget_dropping_the_least_recently_used() {
        let cache = PdfCache::new(250);
        get(&cache, 1, 100).await;
        get(&cache, 2, 100).await;
        get(&cache, 1, 100).await; // 1 is now more recent than 2
        get(&cache, 3, 100).await; // over budget: 2 goes
        let s = cache.stats();
        assert_eq!((s.bytes, s.entries), (200, 2));
        get(&cache, 1, 100).await;
        assert_eq!(cache.stats().renders, 3, "1 was kept");
        get(&cache, 2, 100).await;
        assert_eq!(cache.stats().renders, 4, "2 was dropped and typeset again");
        assert!(cache.stats().bytes <= 250);
    }

    #[tokio::test]
    async fn a_failed_render_is_not_kept() {
        let cache = PdfCache::new(1000);
        let failed = cache
            .get_or_render(key(1), || async { Err::<Vec<u8>, _>("no font") })
            .await;
        assert_eq!(failed, Err("no font"));
        assert_eq!(cache.stats().entries, 0);
        assert_eq!(get(&cache, 1, 10).await, vec![1; 10]);
        assert_eq!(cache.stats().renders, 2);
    }

    #[tokio::test]
    async fn requests_at_once_share_one_render() {
        let cache = Arc::new(PdfCache::new(1000));
        let slow = |c: Arc<PdfCache>| async move {
            c.get_or_render(key(7), || async {
                tokio::task::yield_now().await;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok::<_, ()>(vec![7; 10])
            })
            .await
            .unwrap()
        };
        let (a, b) = tokio::join!(slow(cache.clone()), slow(cache.clone()));
        assert_eq!(a, b);
        let s = cache.stats();
        assert_eq!((s.renders, s.hits), (1, 1));
    }
}
