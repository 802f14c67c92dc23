//! The audit trail: one hash-chained, append-only log per zone, written in the same
//! transaction as the change it records. The hash arithmetic lives in
//! `luodi_domain::core::audit`; this module stores and reads entries.

pub use luodi_domain::core::audit::AnchorKey;
use luodi_domain::core::audit::{
    Anchors, AuditContent, ChainError, GENESIS, StoredEntry, entry_hash, verify_anchors,
    verify_chain,
};
use luodi_domain::{Scope, UserId};
use serde_json::Value;
use sqlx::Row;

use crate::{Page, PageRequest, Result, Store, Tx, now};

/// Who made a change.
#[derive(Debug, Clone)]
pub enum Actor {
    User {
        id: UserId,
        email: String,
    },
    /// A command-line action by the operator of the machine.
    Cli,
    /// Luodi itself (demo loading, background work).
    System(&'static str),
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::User { id, email } => format!("user:{id} {email}"),
            Actor::Cli => "cli".to_string(),
            Actor::System(what) => format!("system:{what}"),
        }
    }
}

/// Zone id of the installation-wide chain (zones themselves, province-level users).
pub const INSTALLATION_CHAIN: i64 = 0;

/// A change to record.
pub struct Change<'a> {
    pub zone_id: i64,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Value,
    pub after: Value,
}

/// Appends one entry to its zone's chain inside `tx`. Locking the zone's head row
/// serialises writers of one chain on both databases.
pub async fn record(tx: &mut Tx, actor: &Actor, change: Change<'_>) -> Result<()> {
    let zone = change.zone_id;
    let head = loop {
        let row = sqlx::query(
            "UPDATE audit_heads SET seq = seq + 1 WHERE zone_id = $1 RETURNING seq, hash, mac",
        )
        .bind(zone)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            // An anchored chain takes no entry without its anchor: a command run without
            // the key stops here (and its transaction rolls back) instead of leaving an
            // entry that verify would rightly call forged.
            if tx.anchor.is_none() && row.get::<Option<String>, _>("mac").is_some() {
                return Err(crate::StoreError::AuditKeyNeeded);
            }
            break (row.get::<i64, _>("seq"), row.get::<String, _>("hash"));
        }
        sqlx::query("INSERT INTO audit_heads (zone_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (zone_id) DO NOTHING")
            .bind(zone)
            .bind(GENESIS)
            .execute(&mut **tx)
            .await?;
    };
    let (seq, prev_hash) = head;
    let at = now();
    let actor = actor.label();
    let content = AuditContent {
        zone_id: zone,
        seq,
        at: &at,
        actor: &actor,
        action: change.action,
        entity: change.entity,
        entity_id: &change.entity_id,
        before: &change.before,
        after: &change.after,
    };
    let hash = entry_hash(&prev_hash, &content);
    let (mac, head_mac) = match &tx.anchor {
        Some(key) => (
            Some(key.entry_mac(zone, seq, &hash)),
            Some(key.head_mac(zone, seq, &hash)),
        ),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO audit_log (zone_id, seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash, mac)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(zone)
    .bind(seq)
    .bind(&at)
    .bind(&actor)
    .bind(change.action)
    .bind(change.entity)
    .bind(&change.entity_id)
    .bind(change.before.to_string())
    .bind(change.after.to_string())
    .bind(&prev_hash)
    .bind(&hash)
    .bind(mac)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_heads SET hash = $1, mac = $2 WHERE zone_id = $3")
        .bind(&hash)
        .bind(head_mac)
        .bind(zone)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a reader asks of the audit trail; each `None` asks nothing of its column.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Part of the actor's name, in any case.
    pub actor: Option<String>,
    /// The action, e.g. `update`.
    pub action: Option<String>,
    /// The kind of record, e.g. `enterprise`, and which one.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Entries at or after `from` and before `to`.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
}

/// An audit entry as shown to a person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub zone_id: i64,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Value,
    pub after: Value,
    pub hash: String,
}

fn parse_json(text: &str) -> Value {
    // A value that no longer parses is kept as text so verification reports it as altered.
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn stored_entry(r: &sqlx::any::AnyRow) -> StoredEntry {
    StoredEntry {
        id: r.get("id"),
        zone_id: r.get("zone_id"),
        seq: r.get("seq"),
        at: r.get("at"),
        actor: r.get("actor"),
        action: r.get("action"),
        entity: r.get("entity"),
        entity_id: r.get("entity_id"),
        before: parse_json(&r.get::<String, _>("before_json")),
        after: parse_json(&r.get::<String, _>("after_json")),
        prev_hash: r.get("prev_hash"),
        hash: r.get("hash"),
        mac: r.get("mac"),
    }
}

fn audit_entry(r: &sqlx::any::AnyRow) -> AuditEntry {
    let e = stored_entry(r);
    AuditEntry {
        id: e.id,
        zone_id: e.zone_id,
        seq: e.seq,
        at: e.at,
        actor: e.actor,
        action: e.action,
        entity: e.entity,
        entity_id: e.entity_id,
        before: e.before,
        after: e.after,
        hash: e.hash,
    }
}

const ENTRY_COLUMNS: &str = "id, zone_id, seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash, mac";

/// What `luodi audit verify` found for one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub zone_id: i64,
    pub entries: usize,
    /// The anchors, when the store has the key to check them.
    pub anchors: Option<Anchors>,
}

impl Store {
    /// Verifies every zone's chain (or only `only_zone`'s); stops at the first entry that
    /// does not verify.
    pub async fn verify_audit(
        &self,
        only_zone: Option<i64>,
    ) -> Result<Result<Vec<ChainReport>, ChainError>> {
        let mut zones: Vec<(i64, i64, String, Option<String>)> =
            sqlx::query("SELECT zone_id, seq, hash, mac FROM audit_heads ORDER BY zone_id")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (r.get("zone_id"), r.get("seq"), r.get("hash"), r.get("mac")))
                .collect();
        // A chain whose head row was deleted still has entries: verify those too.
        for r in sqlx::query("SELECT DISTINCT zone_id FROM audit_log")
            .fetch_all(self.pool())
            .await?
        {
            let z: i64 = r.get("zone_id");
            if !zones.iter().any(|(zone, _, _, _)| *zone == z) {
                zones.push((z, -1, String::new(), None));
            }
        }
        zones.retain(|(z, _, _, _)| only_zone.is_none_or(|only| only == *z));
        let mut reports = Vec::new();
        for (zone_id, head_seq, head_hash, head_mac) in zones {
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE zone_id = $1 ORDER BY seq, id"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(zone_id)
                .fetch_all(self.pool())
                .await?;
            let entries: Vec<StoredEntry> = rows.iter().map(stored_entry).collect();
            let n = match verify_chain(&entries, Some((head_seq, &head_hash))) {
                Ok(n) => n,
                Err(e) => return Ok(Err(e)),
            };
            let anchors = match self.audit_key() {
                Some(key) => match verify_anchors(
                    &entries,
                    Some((head_seq, &head_hash, head_mac.as_deref())),
                    key,
                ) {
                    Ok(a) => Some(a),
                    Err(e) => return Ok(Err(e)),
                },
                None => None,
            };
            reports.push(ChainReport {
                zone_id,
                entries: n,
                anchors,
            });
        }
        Ok(Ok(reports))
    }

    /// Anchors the head of every chain that has none, after checking the chain: what an
    /// operator runs once on setting a key for a database that has entries already, so
    /// that from then on every head must carry its anchor. Returns the zones anchored.
    pub async fn anchor_heads(&self) -> Result<Result<Vec<i64>, ChainError>> {
        let Some(key) = self.audit_key() else {
            return Ok(Ok(Vec::new()));
        };
        let heads: Vec<(i64, i64, String)> = sqlx::query(
            "SELECT zone_id, seq, hash FROM audit_heads WHERE mac IS NULL ORDER BY zone_id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get("zone_id"), r.get("seq"), r.get("hash")))
        .collect();
        let mut anchored = Vec::new();
        for (zone, seq, hash) in heads {
            let sql = format!(
                "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE zone_id = $1 ORDER BY seq, id"
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(zone)
                .fetch_all(self.pool())
                .await?;
            let entries: Vec<StoredEntry> = rows.iter().map(stored_entry).collect();
            if let Err(e) = verify_chain(&entries, Some((seq, &hash))) {
                return Ok(Err(e));
            }
            let mut tx = self.begin_write().await?;
            let n = sqlx::query(
                "UPDATE audit_heads SET mac = $1 WHERE zone_id = $2 AND seq = $3 AND hash = $4 AND mac IS NULL",
            )
            .bind(key.head_mac(zone, seq, &hash))
            .bind(zone)
            .bind(seq)
            .bind(&hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            if n == 1 {
                anchored.push(zone);
            }
        }
        Ok(Ok(anchored))
    }

    /// The audit entries a user may read, newest first; optionally of one entity.
    pub async fn audit_entries(
        &self,
        scope: &Scope,
        entity: Option<(&str, &str)>,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let query = AuditQuery {
            entity: entity.map(|(kind, _)| kind.to_string()),
            entity_id: entity.map(|(_, id)| id.to_string()),
            ..AuditQuery::default()
        };
        self.audit_search(scope, &query, page).await
    }

    /// A page of the audit entries a user may read that match `query`, and how many match:
    /// filtered, counted and cut in SQL, as the trail grows without end.
    pub async fn audit_search(
        &self,
        scope: &Scope,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let zone = scope.zone.map(|z| z.0);
        let actor = query
            .actor
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(crate::core::enterprises::like_pattern);
        let from = query.from.map(luodi_domain::core::time::to_stored);
        let to = query.to.map(luodi_domain::core::time::to_stored);
        let filter = "($1 IS NULL OR zone_id = $1) AND ($2 IS NULL OR LOWER(actor) LIKE $2 ESCAPE '\\')
             AND ($3 IS NULL OR action = $3) AND ($4 IS NULL OR entity = $4) AND ($5 IS NULL OR entity_id = $5)
             AND ($6 IS NULL OR at >= $6) AND ($7 IS NULL OR at < $7)";
        macro_rules! bind_filter {
            ($q:expr) => {
                $q.bind(zone)
                    .bind(actor.clone())
                    .bind(query.action.clone())
                    .bind(query.entity.clone())
                    .bind(query.entity_id.clone())
                    .bind(from.clone())
                    .bind(to.clone())
            };
        }
        let total: i64 = bind_filter!(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE {filter}"
        ))))
        .fetch_one(self.pool())
        .await?
        .get("n");
        let dir = if query.oldest_first { "ASC" } else { "DESC" };
        let rows = bind_filter!(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE {filter} ORDER BY at {dir}, id {dir} LIMIT $8 OFFSET $9"
        ))))
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(self.pool())
        .await?;
        let items = rows.iter().map(audit_entry).collect();
        Ok(Page {
            items,
            total,
            page: page.page,
            per_page: page.per_page,
        })
    }

    /// Everything that happened to a project, oldest first: the audit entries of the
    /// project, its phases, their service lists and items, and its blockers (at most
    /// `limit`, the newest kept). Not found where the scope does not see the project.
    pub async fn project_timeline(
        &self,
        scope: &Scope,
        project: i64,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let zone = self.project_zone(scope, project).await?;
        let id = project.to_string();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE zone_id = $1 AND (
               (entity = 'project' AND entity_id = $2)
               OR (entity = 'project_phase' AND entity_id IN (SELECT CAST(id AS TEXT) FROM project_phases WHERE project_id = $3))
               OR (entity = 'service_list' AND entity_id IN (SELECT CAST(l.id AS TEXT) FROM service_lists l JOIN project_phases ph ON ph.id = l.phase_id WHERE ph.project_id = $3))
               OR (entity = 'service_item' AND entity_id IN (SELECT CAST(i.id AS TEXT) FROM service_list_items i JOIN service_lists l ON l.id = i.list_id JOIN project_phases ph ON ph.id = l.phase_id WHERE ph.project_id = $3))
               OR (entity = 'blocker' AND entity_id IN (SELECT CAST(id AS TEXT) FROM blockers WHERE project_id = $3)))
             ORDER BY seq DESC, id DESC LIMIT $4"
        )))
        .bind(zone.0)
        .bind(&id)
        .bind(project)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut items: Vec<AuditEntry> = rows.iter().map(audit_entry).collect();
        items.reverse();
        Ok(items)
    }
}
