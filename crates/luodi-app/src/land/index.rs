//! Each zone's parcels in memory for the matcher ([`luodi_domain::land::match_index::Index`]),
//! kept up to date by the zone's parcel revision: every parcel write in any server or the
//! CLI takes the zone's next revision, so a server that sees a newer revision reads only
//! the rows written since and folds them in. A match first compares revisions (one small
//! query), so it always reads what has been committed; a background task does the same
//! every [`POLL`], so changes made elsewhere reach the index within seconds even when
//! nobody matches.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use luodi_domain::ZoneId;
use luodi_domain::land::match_index::{Index, IndexBuilder};
use luodi_domain::land::matching::{Candidate, KnownSavings};
use luodi_store::Store;
use luodi_store::StoreError;
use luodi_store::land::parcels::{CHANGES_PAGE, MatchRow};

fn candidate(r: &MatchRow) -> Candidate<'_> {
    Candidate {
        id: r.id,
        attrs: &r.attrs,
        area_mu: r.area_mu,
        centroid: r.centroid,
        own: false,
    }
}

/// How often the background task looks for parcel changes.
pub const POLL: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct MatchIndexes {
    zones: RwLock<HashMap<ZoneId, (i64, Arc<Index>)>>,
    /// One catch-up of a zone at a time in this process (other zones go on).
    refresh: std::sync::Mutex<HashMap<ZoneId, Arc<tokio::sync::Mutex<()>>>>,
    /// What regional assessments save, by everything that decides it (zone, catalogue
    /// version, calendar, facts, industry): each set is a service-list forecast, too slow
    /// to repeat for every match over a large zone.
    savings: std::sync::Mutex<HashMap<String, KnownSavings>>,
}

/// Savings kept for at most this many keys; then the memory starts afresh.
const SAVINGS_KEPT: usize = 256;

impl MatchIndexes {
    /// The zone's index as of the latest committed parcel write.
    pub async fn current(&self, store: &Store, zone: ZoneId) -> Result<Arc<Index>, StoreError> {
        let latest = store.parcel_revision(zone).await?;
        if let Some(hit) = self.held(zone, latest) {
            return Ok(hit);
        }
        let lock = {
            let mut locks = self.refresh.lock().unwrap_or_else(|e| e.into_inner());
            locks.entry(zone).or_default().clone()
        };
        let _one = lock.lock().await;
        if let Some(hit) = self.held(zone, latest) {
            return Ok(hit);
        }
        self.catch_up(store, zone).await
    }

    fn held(&self, zone: ZoneId, latest: i64) -> Option<Arc<Index>> {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
        zones
            .get(&zone)
            .filter(|(revision, _)| *revision >= latest)
            .map(|(_, index)| index.clone())
    }

    /// Reads the zone's parcels written since the held revision and folds them in. A
    /// first load reads a page at a time, keeping only the index's columns.
    async fn catch_up(&self, store: &Store, zone: ZoneId) -> Result<Arc<Index>, StoreError> {
        let held = {
            let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
            zones.get(&zone).cloned()
        };
        let (revision, index) = match held {
            None => {
                let revision = store.parcel_revision(zone).await?;
                let mut builder = IndexBuilder::default();
                let mut after = 0;
                loop {
                    let page = store
                        .parcel_changes_page(zone, None, after, CHANGES_PAGE)
                        .await?;
                    for r in &page {
                        builder.add(&candidate(r));
                    }
                    match page.last() {
                        Some(last) if page.len() as i64 == CHANGES_PAGE => after = last.id,
                        _ => break,
                    }
                }
                let index = tokio::task::spawn_blocking(move || builder.finish())
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("matcher index: {e}")))?;
                (revision, Arc::new(index))
            }
            Some((since, base)) => {
                let changes = store.parcel_changes(zone, Some(since)).await?;
                if changes.rows.is_empty() {
                    (changes.revision, base)
                } else {
                    let index = tokio::task::spawn_blocking(move || {
                        let mut index = (*base).clone();
                        index.update(changes.rows.iter().map(candidate));
                        index
                    })
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("matcher index: {e}")))?;
                    (changes.revision, Arc::new(index))
                }
            }
        };
        let mut zones = self.zones.write().unwrap_or_else(|e| e.into_inner());
        zones.insert(zone, (revision, index.clone()));
        Ok(index)
    }

    /// Brings every zone's index up to date.
    pub async fn refresh_all(&self, store: &Store) -> Result<(), StoreError> {
        for (zone, _) in store.parcel_revisions().await? {
            self.current(store, zone).await?;
        }
        Ok(())
    }

    /// What is known of the savings under `key`.
    pub fn known_savings(&self, key: &str) -> KnownSavings {
        let memo = self.savings.lock().unwrap_or_else(|e| e.into_inner());
        memo.get(key).cloned().unwrap_or_default()
    }

    /// Keeps what a query worked out, when it knows more than what is kept.
    pub fn keep_savings(&self, key: String, known: &KnownSavings) {
        let mut memo = self.savings.lock().unwrap_or_else(|e| e.into_inner());
        if memo.get(&key).is_some_and(|k| k.len() >= known.len()) {
            return;
        }
        if memo.len() >= SAVINGS_KEPT {
            memo.clear();
        }
        memo.insert(key, known.clone());
    }

    /// Parcels held, over all zones.
    pub fn parcels(&self) -> usize {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
        zones.values().map(|z| z.1.len()).sum()
    }
}

/// Keeps the indexes up to date until aborted: at once, then every `every`.
/// One refresh of every zone's index from the rows written since it was read.
pub async fn refresh_step(
    indexes: &MatchIndexes,
    store: &Store,
) -> Result<crate::jobs::Next, String> {
    indexes
        .refresh_all(store)
        .await
        .map(|_| crate::jobs::Next::Wait)
        .map_err(|e| e.to_string())
}
