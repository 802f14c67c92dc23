//! 上传地块文件 — a parcel file uploaded from the pages, in two steps. The check reads the
//! whole file and compares it with what the zone holds, writing nothing: every problem by
//! feature or row, or what the import would do (parcels new, changed, unchanged) with the
//! first rows. The confirmation imports, all or nothing and audited, exactly the bytes that
//! were checked: between the steps they wait in this process's memory under a random
//! token, for the user and zone that checked them only, for at most the settings'
//! `parcel_upload_ttl`, [`PENDING_BYTES`] in all (the oldest go first). A token that is
//! unknown, spent, expired or another user's imports nothing; the user uploads again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use luodi_domain::land::parcel::{ParcelDraft, ParcelStatus};
use luodi_domain::{Operation, UserId, ZoneId};
use luodi_store::land::parcels::{ParcelChange, ParcelImportError};
use sha2::{Digest, Sha256};

use crate::land::LandError;
use crate::land::files::{self, FileKind, ImportResponse, MAX_PARCEL_FILE_BYTES};
use crate::{App, Caller};

/// The most the checked files waiting for confirmation hold in all, in one process.
pub const PENDING_BYTES: usize = 32 * MAX_PARCEL_FILE_BYTES;

/// How many of a clean file's parcels the check shows.
pub const PREVIEW_ROWS: usize = 20;

/// How long a checked file waits for its confirmation by default.
pub const DEFAULT_UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);

/// A checked file waiting for its confirmation.
struct Pending {
    /// The SHA-256 of the token: the token itself is only in the user's form.
    token: [u8; 32],
    user: Option<UserId>,
    zone: ZoneId,
    kind: FileKind,
    bytes: Vec<u8>,
    sha256: [u8; 32],
    at: Instant,
}

/// The checked files of this process waiting for their confirmation.
#[derive(Default)]
pub struct PendingUploads {
    files: Mutex<Vec<Pending>>,
}

impl PendingUploads {
    /// Keeps a checked file; returns its token. Expired files go first, then the oldest
    /// while the rest would hold more than [`PENDING_BYTES`].
    fn keep(&self, ttl: Duration, mut file: Pending) -> String {
        let token: [u8; 32] = rand::random();
        file.token = Sha256::digest(token).into();
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.retain(|f| f.at.elapsed() < ttl);
        let mut held: usize = files.iter().map(|f| f.bytes.len()).sum();
        while !files.is_empty() && held + file.bytes.len() > PENDING_BYTES {
            held -= files.remove(0).bytes.len();
        }
        files.push(file);
        hex(&token)
    }

    /// Takes the file a token names, if it is the caller's, of their zone and not expired;
    /// it is taken once, whether or not its import then succeeds.
    fn take(
        &self,
        ttl: Duration,
        token: &str,
        user: Option<UserId>,
        zone: ZoneId,
    ) -> Option<Pending> {
        let hash: [u8; 32] = Sha256::digest(token.trim().as_bytes_hex()?).into();
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.retain(|f| f.at.elapsed() < ttl);
        let at = files
            .iter()
            .position(|f| f.token == hash && f.user == user && f.zone == zone)?;
        Some(files.remove(at))
    }
}

/// A token as it was given out: 64 hexadecimal digits.
trait HexBytes {
    fn as_bytes_hex(&self) -> Option<[u8; 32]>;
}

impl HexBytes for str {
    fn as_bytes_hex(&self) -> Option<[u8; 32]> {
        if self.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(self.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(out)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A parcel of a clean file as the check shows it.
#[derive(Debug, Clone)]
pub struct PreviewRow {
    pub code: String,
    pub name: Option<String>,
    pub area_mu: f64,
    pub area_m2: f64,
    pub status: ParcelStatus,
    pub change: ParcelChange,
}

/// What a clean file would do, and the token that imports it.
#[derive(Debug, Clone)]
pub struct UploadPreview {
    pub token: String,
    pub kind: FileKind,
    /// The SHA-256 of the checked bytes, in hexadecimal.
    pub sha256: String,
    pub parcels: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The first [`PREVIEW_ROWS`] parcels, in the file's order.
    pub rows: Vec<PreviewRow>,
}

/// Whether the caller may upload parcel files (the page's form is for them only).
pub fn may_upload(caller: &Caller) -> Result<(), LandError> {
    caller.zone_for(Operation::ManageParcels)?;
    Ok(())
}

/// Checks a whole file and compares it with the zone's parcels, writing nothing: every
/// problem by feature or row (`LandError::Import`), or what its import would do, kept
/// under a token for [`confirm`].
pub async fn check(
    app: &App,
    caller: &Caller,
    kind: FileKind,
    bytes: Vec<u8>,
) -> Result<UploadPreview, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    if bytes.len() > MAX_PARCEL_FILE_BYTES {
        return Err(LandError::TooLarge(MAX_PARCEL_FILE_BYTES));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LandError::EmptyFile);
    }
    let drafts = files::read(kind, bytes.clone()).await?;
    let changes = compare(app, zone, &drafts).await?;
    let count = |c: ParcelChange| changes.iter().filter(|x| **x == c).count();
    let rows = drafts
        .iter()
        .zip(&changes)
        .take(PREVIEW_ROWS)
        .map(|(d, c)| PreviewRow {
            code: d.attrs.code.clone(),
            name: d.attrs.name.clone(),
            area_mu: d.shape.area_mu(),
            area_m2: d.shape.area_m2(),
            status: d.attrs.status,
            change: *c,
        })
        .collect();
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let (created, updated, unchanged) = (
        count(ParcelChange::New),
        count(ParcelChange::Changed),
        count(ParcelChange::Unchanged),
    );
    let token = app.uploads.keep(
        app.settings.parcel_upload_ttl,
        Pending {
            token: [0; 32],
            user: caller.user_id,
            zone,
            kind,
            bytes,
            sha256,
            at: Instant::now(),
        },
    );
    Ok(UploadPreview {
        token,
        kind,
        sha256: hex(&sha256),
        parcels: drafts.len(),
        created,
        updated,
        unchanged,
        rows,
    })
}

async fn compare(
    app: &App,
    zone: ZoneId,
    drafts: &[ParcelDraft],
) -> Result<Vec<ParcelChange>, LandError> {
    app.store
        .compare_parcels(zone, drafts)
        .await
        .map_err(|e| match e {
            ParcelImportError::Invalid(p) => LandError::Import(p),
            ParcelImportError::Store(e) => LandError::Store(e),
        })
}

/// Imports the file a check kept under `token`, all or nothing and audited, if the token
/// is the caller's, of their zone, unspent and not expired (`LandError::UploadGone`
/// otherwise, and nothing is written). The file is read and checked again in the import's
/// own transaction, so a parcel reserved in between is refused by feature as ever.
pub async fn confirm(app: &App, caller: &Caller, token: &str) -> Result<ImportResponse, LandError> {
    let zone = caller.zone_for(Operation::ManageParcels)?;
    let file = app
        .uploads
        .take(app.settings.parcel_upload_ttl, token, caller.user_id, zone)
        .ok_or(LandError::UploadGone)?;
    // What was kept is what was checked: a changed byte is a fault of ours, never imported.
    if <[u8; 32]>::from(Sha256::digest(&file.bytes)) != file.sha256 {
        return Err(LandError::internal("a kept parcel file changed"));
    }
    files::import(app, caller, file.kind, file.bytes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(bytes: usize, zone: i64) -> Pending {
        Pending {
            token: [0; 32],
            user: Some(UserId(1)),
            zone: ZoneId(zone),
            kind: FileKind::GeoJson,
            bytes: vec![b' '; bytes],
            sha256: [0; 32],
            at: Instant::now(),
        }
    }

    #[test]
    fn a_token_opens_its_own_file_once() {
        let uploads = PendingUploads::default();
        let ttl = DEFAULT_UPLOAD_TTL;
        let token = uploads.keep(ttl, pending(10, 1));
        assert_eq!(token.len(), 64);
        assert!(
            uploads
                .take(ttl, &token, Some(UserId(2)), ZoneId(1))
                .is_none()
        );
        assert!(
            uploads
                .take(ttl, &token, Some(UserId(1)), ZoneId(2))
                .is_none()
        );
        let mut forged = token.clone();
        forged.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
        assert!(
            uploads
                .take(ttl, &forged, Some(UserId(1)), ZoneId(1))
                .is_none()
        );
        assert!(
            uploads
                .take(ttl, "not hex", Some(UserId(1)), ZoneId(1))
                .is_none()
        );
        assert!(
            uploads
                .take(ttl, &token, Some(UserId(1)), ZoneId(1))
                .is_some()
        );
        assert!(
            uploads
                .take(ttl, &token, Some(UserId(1)), ZoneId(1))
                .is_none(),
            "spent"
        );
        let token = uploads.keep(ttl, pending(10, 1));
        assert!(
            uploads
                .take(Duration::ZERO, &token, Some(UserId(1)), ZoneId(1))
                .is_none(),
            "expired"
        );
    }

    #[test]
    fn the_oldest_files_go_when_the_bound_is_reached() {
        let uploads = PendingUploads::default();
        let ttl = DEFAULT_UPLOAD_TTL;
        let first = uploads.keep(ttl, pending(PENDING_BYTES / 2, 1));
        let second = uploads.keep(ttl, pending(PENDING_BYTES / 2, 1));
        let third = uploads.keep(ttl, pending(1, 1));
        let held: usize = uploads
            .files
            .lock()
            .unwrap()
            .iter()
            .map(|f| f.bytes.len())
            .sum();
        assert!(held <= PENDING_BYTES);
        assert!(
            uploads
                .take(ttl, &first, Some(UserId(1)), ZoneId(1))
                .is_none()
        );
        assert!(
            uploads
                .take(ttl, &second, Some(UserId(1)), ZoneId(1))
                .is_some()
        );
        assert!(
            uploads
                .take(ttl, &third, Some(UserId(1)), ZoneId(1))
                .is_some()
        );
    }
}
