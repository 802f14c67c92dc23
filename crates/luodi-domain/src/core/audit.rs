//! The audit chain's arithmetic. Each zone has one chain; an entry's hash covers its
//! content and the previous entry's hash, so editing, deleting or reordering any entry
//! breaks every hash after it. The store writes entries; this module says what a hash is
//! and walks a chain.
//!
//! A chain alone does not stop someone who can write to the database: they can edit an
//! entry and hash the rest again, or cut the end and rewind the head. So each entry (and
//! the head) may also carry an anchor — an HMAC-SHA256 under a key kept outside the
//! database ([`AnchorKey`]). Without the key nobody can make an anchor that verifies: an
//! edited, re-hashed, added or removed entry, a stripped anchor, or a rewound head is
//! found. What anchors cannot show: a copy of the whole database from an earlier day put
//! back (its entries and head are as the key made them), or changes by someone who holds
//! the key.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The hash before the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as hashed. `before` and `after` are JSON; objects are hashed with
/// their keys in sorted order (serde_json's default map), so the hash does not depend
/// on how a database returned the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditContent<'a> {
    pub zone_id: i64,
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: &'a Value,
    pub after: &'a Value,
}

/// The value with every object's keys in sorted order, whatever map order serde_json
/// was built with (a dependency may turn on `preserve_order`).
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&m[k])))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// The hash of an entry given the previous entry's hash.
pub fn entry_hash(prev_hash: &str, content: &AuditContent<'_>) -> String {
    let (before, after) = (canonical(content.before), canonical(content.after));
    let body = serde_json::to_string(&AuditContent {
        before: &before,
        after: &after,
        ..content.clone()
    })
    .expect("JSON values always serialise");
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    hex::encode(h.finalize())
}

/// A stored entry, as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEntry {
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
    pub prev_hash: String,
    pub hash: String,
    /// The entry's anchor, if it was written with a key.
    pub mac: Option<String>,
}

impl StoredEntry {
    /// What the entry's hash covers.
    pub fn content(&self) -> AuditContent<'_> {
        AuditContent {
            zone_id: self.zone_id,
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            entity: &self.entity,
            entity_id: &self.entity_id,
            before: &self.before,
            after: &self.after,
        }
    }
}

/// The key that anchors a chain. It lives outside the database (a file the operator
/// keeps); it is never stored, shown or logged.
#[derive(Clone)]
pub struct AnchorKey(Vec<u8>);

impl std::fmt::Debug for AnchorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnchorKey(***)")
    }
}

impl AnchorKey {
    pub fn new(key: &[u8]) -> AnchorKey {
        AnchorKey(key.to_vec())
    }

    fn mac(&self, text: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut m = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        m.update(text.as_bytes());
        hex::encode(m.finalize().into_bytes())
    }

    /// The anchor of entry `seq` of `zone`'s chain, whose hash is `hash`.
    pub fn entry_mac(&self, zone: i64, seq: i64, hash: &str) -> String {
        self.mac(&format!("entry\n{zone}\n{seq}\n{hash}"))
    }

    /// The anchor of a chain's head (its last seq and hash): unlike any entry's, so an
    /// entry's anchor cannot stand in for a rewound head.
    pub fn head_mac(&self, zone: i64, seq: i64, hash: &str) -> String {
        self.mac(&format!("head\n{zone}\n{seq}\n{hash}"))
    }
}

/// What checking a chain's anchors found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Anchors {
    /// Entries whose anchor verified.
    pub anchored: usize,
    /// Entries written before the chain was first anchored (before a key was configured).
    pub before_key: usize,
    /// Whether the head's anchor verified.
    pub head: bool,
}

/// Checks the anchors of a chain that [`verify_chain`] passed: from the first anchored
/// entry on, every entry must carry its anchor, and the head must carry its own — with a
/// key configured every head is anchored (`luodi audit anchor` anchors those written
/// before the key), so a head without one means the chain was rewritten without the key.
pub fn verify_anchors(
    entries: &[StoredEntry],
    head: Option<(i64, &str, Option<&str>)>,
    key: &AnchorKey,
) -> Result<Anchors, ChainError> {
    let mut found = Anchors::default();
    let mut anchoring = false;
    for e in entries {
        match &e.mac {
            Some(mac) if *mac == key.entry_mac(e.zone_id, e.seq, &e.hash) => {
                anchoring = true;
                found.anchored += 1;
            }
            Some(_) => {
                return Err(ChainError::Forged {
                    zone_id: e.zone_id,
                    id: e.id,
                    seq: e.seq,
                });
            }
            None if anchoring => {
                return Err(ChainError::Unanchored {
                    zone_id: e.zone_id,
                    id: e.id,
                    seq: e.seq,
                });
            }
            None => found.before_key += 1,
        }
    }
    if let Some((seq, hash, mac)) = head {
        let zone_id = entries.first().map(|e| e.zone_id).unwrap_or_default();
        match mac {
            Some(mac) if mac == key.head_mac(zone_id, seq, hash) => found.head = true,
            Some(_) | None => return Err(ChainError::ForgedHead { zone_id }),
        }
    }
    Ok(found)
}

/// Why a chain does not verify, naming the first entry at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(
        "zone {zone_id}: entry id {id} (seq {seq}) has been altered: its content no longer matches its hash"
    )]
    Altered { zone_id: i64, id: i64, seq: i64 },
    #[error(
        "zone {zone_id}: entry id {id} (seq {seq}) does not follow the entry before it (expected seq {expected_seq} and its hash); an entry was removed or inserted"
    )]
    Broken {
        zone_id: i64,
        id: i64,
        seq: i64,
        expected_seq: i64,
    },
    #[error(
        "zone {zone_id}: the chain ends at seq {last_seq} but its head records seq {head_seq}; entries after seq {last_seq} were removed"
    )]
    Truncated {
        zone_id: i64,
        last_seq: i64,
        head_seq: i64,
    },
    #[error(
        "zone {zone_id}: entry id {id} (seq {seq}) carries an anchor the key did not make: it was written or re-hashed without the key"
    )]
    Forged { zone_id: i64, id: i64, seq: i64 },
    #[error(
        "zone {zone_id}: entry id {id} (seq {seq}) has no anchor although entries before it have: it was written, or its anchor removed, without the key"
    )]
    Unanchored { zone_id: i64, id: i64, seq: i64 },
    #[error(
        "zone {zone_id}: the chain's head is not anchored by the key: it was rewound or rewritten without the key (or, just after the key was set, not yet anchored: run `luodi audit anchor` once)"
    )]
    ForgedHead { zone_id: i64 },
}

/// Walks one zone's chain in seq order, checking each link, then the recorded head
/// (the last seq and hash the store says it wrote).
pub fn verify_chain(
    entries: &[StoredEntry],
    head: Option<(i64, &str)>,
) -> Result<usize, ChainError> {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    for e in entries {
        if e.seq != expected_seq || e.prev_hash != prev {
            return Err(ChainError::Broken {
                zone_id: e.zone_id,
                id: e.id,
                seq: e.seq,
                expected_seq,
            });
        }
        if entry_hash(&prev, &e.content()) != e.hash {
            return Err(ChainError::Altered {
                zone_id: e.zone_id,
                id: e.id,
                seq: e.seq,
            });
        }
        prev = e.hash.clone();
        expected_seq += 1;
    }
    if let Some((head_seq, head_hash)) = head {
        let last_seq = expected_seq - 1;
        if head_seq != last_seq || (last_seq > 0 && head_hash != prev) {
            return Err(ChainError::Truncated {
                zone_id: entries.first().map(|e| e.zone_id).unwrap_or_default(),
                last_seq,
                head_seq,
            });
        }
    }
    Ok(entries.len())
}

/// The fields that differ between two JSON objects, as `{field: [before, after]}`;
/// used to show what a change changed.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<(String, Value, Value)> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (
                b.get(k).unwrap_or(&Value::Null),
                a.get(k).unwrap_or(&Value::Null),
            );
            (x != y).then(|| (k.clone(), x.clone(), y.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let after = json!({"name": format!("e{seq}"), "n": seq});
                let content = AuditContent {
                    zone_id: 1,
                    seq,
                    at: "2026-11-26T00:00:00.000000Z",
                    actor: "user:1",
                    action: "create",
                    entity: "enterprise",
                    entity_id: &seq.to_string(),
                    before: &Value::Null,
                    after: &after,
                };
                let hash = entry_hash(&prev, &content);
                let e = StoredEntry {
                    id: seq * 10,
                    zone_id: 1,
                    seq,
                    at: content.at.into(),
                    actor: content.actor.into(),
                    action: content.action.into(),
                    entity: content.entity.into(),
                    entity_id: seq.to_string(),
                    before: Value::Null,
                    after,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                    mac: None,
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());
        assert_eq!(verify_chain(&c, Some(head)), Ok(5));
        assert_eq!(verify_chain(&[], Some((0, GENESIS))), Ok(0));
    }

    #[test]
    fn edited_entry_is_named() {
        let mut c = chain(5);
        c[2].after = json!({"name": "forged", "n": 3});
        assert_eq!(
            verify_chain(&c, None),
            Err(ChainError::Altered {
                zone_id: 1,
                id: 30,
                seq: 3
            })
        );
    }

    #[test]
    fn removed_entries_are_caught() {
        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(
            verify_chain(&c, None),
            Err(ChainError::Broken { id: 30, .. })
        ));
        let c = chain(5);
        let head_hash = c[4].hash.clone();
        assert!(matches!(
            verify_chain(&c[..4], Some((5, &head_hash))),
            Err(ChainError::Truncated {
                last_seq: 4,
                head_seq: 5,
                ..
            })
        ));
    }

    /// Someone with the database but not the key: every way of rewriting the chain so
    /// that the hashes agree again is still found by its anchors (regression: an edit
    /// followed by re-hashing the rest, or a truncation with the head rewound, verified).
    #[test]
    fn anchors_find_what_rehashing_hides() {
        let key = AnchorKey::new(b"a key of at least thirty-two bytes!!");
        let anchored = |mut c: Vec<StoredEntry>, from: usize| {
            for e in c.iter_mut().skip(from) {
                e.mac = Some(key.entry_mac(e.zone_id, e.seq, &e.hash));
            }
            c
        };
        let c = anchored(chain(5), 2);
        let head_mac = key.head_mac(1, 5, &c[4].hash);
        let head = Some((5, c[4].hash.as_str(), Some(head_mac.as_str())));
        assert_eq!(
            verify_anchors(&c, head, &key),
            Ok(Anchors {
                anchored: 3,
                before_key: 2,
                head: true
            })
        );
        // Edit entry 4 and hash it and the rest again: the chain verifies, its anchors not.
        let mut forged = c.clone();
        forged[3].after = json!({"name": "forged"});
        let mut prev = forged[2].hash.clone();
        for e in forged.iter_mut().skip(3) {
            let hash = entry_hash(&prev, &e.content());
            e.prev_hash = prev.clone();
            e.hash = hash;
            prev = e.hash.clone();
        }
        let new_head = forged[4].hash.clone();
        assert_eq!(verify_chain(&forged, Some((5, &new_head))), Ok(5));
        assert_eq!(
            verify_anchors(&forged, Some((5, &new_head, Some(head_mac.as_str()))), &key),
            Err(ChainError::Forged {
                zone_id: 1,
                id: 40,
                seq: 4
            })
        );
        // Strip the anchors of the re-hashed entries: found as unanchored.
        for e in forged.iter_mut().skip(3) {
            e.mac = None;
        }
        assert!(matches!(
            verify_anchors(&forged, None, &key),
            Err(ChainError::Unanchored { seq: 4, .. })
        ));
        // Cut the last two entries and rewind the head to entry 3: the head's anchor fails.
        let cut = c[..3].to_vec();
        let rewound = cut[2].hash.clone();
        assert_eq!(verify_chain(&cut, Some((3, &rewound))), Ok(3));
        let entry_anchor = cut[2].mac.clone();
        assert_eq!(
            verify_anchors(&cut, Some((3, &rewound, entry_anchor.as_deref())), &key),
            Err(ChainError::ForgedHead { zone_id: 1 })
        );
        assert_eq!(
            verify_anchors(&cut, Some((3, &rewound, None)), &key),
            Err(ChainError::ForgedHead { zone_id: 1 })
        );
        // Another key verifies nothing.
        let other = AnchorKey::new(b"another key of thirty-two bytes or more");
        assert!(matches!(
            verify_anchors(&c, head, &other),
            Err(ChainError::Forged { seq: 3, .. })
        ));
        assert_eq!(format!("{key:?}"), "AnchorKey(***)");
    }

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":2,"b":1}"#).unwrap();
        let mk = |v| AuditContent {
            zone_id: 1,
            seq: 1,
            at: "t",
            actor: "x",
            action: "y",
            entity: "z",
            entity_id: "1",
            before: &Value::Null,
            after: v,
        };
        assert_eq!(entry_hash(GENESIS, &mk(&a)), entry_hash(GENESIS, &mk(&b)));
    }

    #[test]
    fn changed_fields_lists_differences() {
        let d = changed_fields(&json!({"a":1,"b":2}), &json!({"a":1,"b":3,"c":4}));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].0, "b");
    }
}
