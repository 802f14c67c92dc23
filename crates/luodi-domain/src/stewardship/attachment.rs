//! A file attached to a blocker (a letter, a photo of the site, a form): checked by what
//! its bytes are, never by the name or media type the browser sends. Only the kinds an
//! office exchanges are taken — PDF and OFD documents, Word, Excel and PowerPoint files
//! (old and new), PNG, JPEG and WebP images, plain text and CSV — and only under a name
//! whose extension says the same kind. What is stored is served back with the media type
//! found here, so a file cannot pass for another kind.
//!
//! Plain rules: a name and bytes come in; the kind, or the refusal in words, comes out.

use sha2::{Digest, Sha256};

use crate::core::i18n;
use crate::core::lang::{Lang, Text};

/// The most one file may weigh.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most files one entry (a raise or a comment) may carry.
pub const MAX_FILES: usize = 5;
/// The longest file name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// What a file is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    /// 开放版式文档 (GB/T 33190), China's own fixed-layout format: a zip with `OFD.xml`.
    Ofd,
    Docx,
    Xlsx,
    Pptx,
    /// Word 97–2003, Excel 97–2003, PowerPoint 97–2003: the OLE compound file.
    OleOffice,
    Png,
    Jpeg,
    Webp,
    Text,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Pdf,
        Kind::Ofd,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Pptx,
        Kind::OleOffice,
        Kind::Png,
        Kind::Jpeg,
        Kind::Webp,
        Kind::Text,
    ];

    /// The media type it is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Ofd => "application/ofd",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Kind::OleOffice => "application/x-ole-storage",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Webp => "image/webp",
            Kind::Text => "text/plain; charset=utf-8",
        }
    }

    /// The extensions a file of this kind may carry (lower case, without the dot).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Pdf => &["pdf"],
            Kind::Ofd => &["ofd"],
            Kind::Docx => &["docx"],
            Kind::Xlsx => &["xlsx"],
            Kind::Pptx => &["pptx"],
            Kind::OleOffice => &["doc", "xls", "ppt"],
            Kind::Png => &["png"],
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Webp => &["webp"],
            Kind::Text => &["txt", "csv"],
        }
    }

    /// A name for people, in their language (格式名 or 文本): from the catalogue.
    pub fn label(self) -> Text {
        match self {
            Kind::Pdf => Text::key("rules.attachment.kind_pdf"),
            Kind::Ofd => Text::key("rules.attachment.kind_ofd"),
            Kind::Docx => Text::key("rules.attachment.kind_docx"),
            Kind::Xlsx => Text::key("rules.attachment.kind_xlsx"),
            Kind::Pptx => Text::key("rules.attachment.kind_pptx"),
            Kind::OleOffice => Text::key("rules.attachment.kind_ole"),
            Kind::Png => Text::key("rules.attachment.kind_png"),
            Kind::Jpeg => Text::key("rules.attachment.kind_jpeg"),
            Kind::Webp => Text::key("rules.attachment.kind_webp"),
            Kind::Text => Text::key("rules.attachment.kind_text"),
        }
    }

    /// Whether a browser may show it inline (images and PDF); everything else downloads.
    pub fn inline(self) -> bool {
        matches!(self, Kind::Pdf | Kind::Png | Kind::Jpeg | Kind::Webp)
    }
}

/// Why a file is refused, naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentError {
    TooMany(usize),
    BadName(String),
    Empty(String),
    TooLarge(String),
    /// Content of no kind taken.
    UnknownKind(String),
    /// The extension says one kind, the content another: the name and the content's kind.
    Mismatch(String, Kind),
}

impl AttachmentError {
    /// The refusal in `lang`, naming the file.
    pub fn text(&self, lang: Lang) -> String {
        let mb = (MAX_FILE_BYTES / (1024 * 1024)).to_string();
        match self {
            AttachmentError::TooMany(n) => i18n::fill(
                lang,
                "rules.attachment.too_many",
                &[("n", &n.to_string()), ("most", &MAX_FILES.to_string())],
            ),
            AttachmentError::BadName(name) => i18n::fill(
                lang,
                "rules.attachment.bad_name",
                &[("name", name), ("most", &MAX_NAME_CHARS.to_string())],
            ),
            AttachmentError::Empty(name) => {
                i18n::fill(lang, "rules.attachment.empty", &[("name", name)])
            }
            AttachmentError::TooLarge(name) => i18n::fill(
                lang,
                "rules.attachment.too_large",
                &[("name", name), ("mb", &mb)],
            ),
            AttachmentError::UnknownKind(name) => i18n::fill(
                lang,
                "rules.attachment.unknown_kind",
                &[("name", name), ("kinds", &allowed())],
            ),
            AttachmentError::Mismatch(name, kind) => i18n::fill(
                lang,
                "rules.attachment.mismatch",
                &[("name", name), ("kind", kind.label().get(lang))],
            ),
        }
    }
}

impl std::fmt::Display for AttachmentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for AttachmentError {}

/// The extensions taken, as a list for people.
pub fn allowed() -> String {
    Kind::ALL
        .iter()
        .flat_map(|k| k.extensions())
        .map(|e| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `accept` attribute of a file input: the extensions taken.
pub fn accept() -> String {
    Kind::ALL
        .iter()
        .flat_map(|k| k.extensions())
        .map(|e| format!(".{e}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The kind the bytes are, if one taken.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Kind::Jpeg);
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(Kind::Webp);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(Kind::OleOffice);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // An Office Open XML package names its parts in the zip's headers.
        if contains(bytes, b"OFD.xml") {
            return Some(Kind::Ofd);
        }
        if !contains(bytes, b"[Content_Types].xml") {
            return None;
        }
        return [
            (&b"word/"[..], Kind::Docx),
            (b"xl/", Kind::Xlsx),
            (b"ppt/", Kind::Pptx),
        ]
        .into_iter()
        .find(|(part, _)| contains(bytes, part))
        .map(|(_, k)| k);
    }
    // Text: UTF-8 (a byte-order mark allowed) with no control character but tab and the
    // line ends.
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(text) {
        Ok(s)
            if !s
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n')) =>
        {
            Some(Kind::Text)
        }
        _ => None,
    }
}

/// A file name as kept: 1–200 characters, no folder, no control character, not hidden.
fn name_ok(name: &str) -> bool {
    let n = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&n)
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
        && !name.chars().any(|c| c.is_control())
        && name.trim() == name
}

/// A file checked: its kind, size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: Kind,
    pub size: usize,
    pub sha256: String,
}

/// Checks one file: a good name, not empty, not too large, content of a kind taken that
/// its extension names.
pub fn check(name: &str, bytes: &[u8]) -> Result<Checked, AttachmentError> {
    if !name_ok(name) {
        return Err(AttachmentError::BadName(name.to_string()));
    }
    if bytes.is_empty() {
        return Err(AttachmentError::Empty(name.to_string()));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AttachmentError::TooLarge(name.to_string()));
    }
    let kind = sniff(bytes).ok_or_else(|| AttachmentError::UnknownKind(name.to_string()))?;
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&ext.as_str()) {
        return Err(AttachmentError::Mismatch(name.to_string(), kind));
    }
    Ok(Checked {
        kind,
        size: bytes.len(),
        sha256: format!("{:x}", Sha256::digest(bytes)),
    })
}

/// Checks the files of one entry: at most [`MAX_FILES`], each by [`check`]; every problem,
/// not just the first.
pub fn check_all<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<Checked>, Vec<AttachmentError>> {
    let files: Vec<(&str, &[u8])> = files.into_iter().collect();
    if files.len() > MAX_FILES {
        return Err(vec![AttachmentError::TooMany(files.len())]);
    }
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (name, bytes) in files {
        match check(name, bytes) {
            Ok(c) => ok.push(c),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}

/// A size for people: 12 KB, 3.4 MB.
pub fn size_text(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    fn docx() -> Vec<u8> {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend_from_slice(b"....[Content_Types].xml....word/document.xml");
        v
    }

    #[test]
    fn kinds_by_content() {
        assert_eq!(sniff(PDF), Some(Kind::Pdf));
        assert_eq!(sniff(PNG), Some(Kind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Kind::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(sniff(&docx()), Some(Kind::Docx));
        assert_eq!(
            sniff(b"PK\x03\x04..[Content_Types].xml..xl/workbook.xml"),
            Some(Kind::Xlsx)
        );
        assert_eq!(sniff(b"PK\x03\x04..OFD.xml..Doc_0/"), Some(Kind::Ofd));
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Some(Kind::OleOffice)
        );
        assert_eq!(sniff("负荷计算书\r\n第二行\t".as_bytes()), Some(Kind::Text));
        assert_eq!(sniff(b"\xEF\xBB\xBFuscc,name\n"), Some(Kind::Text));
        // A zip that is no office file, an executable, binary noise.
        assert_eq!(sniff(b"PK\x03\x04....evil.exe"), None);
        assert_eq!(sniff(b"MZ\x90\0\x03"), None);
        assert_eq!(sniff(b"text\0with a NUL"), None);
        assert_eq!(sniff(&[0xC3, 0x28]), None);
    }

    #[test]
    fn names_and_extensions_must_agree_with_content() {
        assert_eq!(check("用电申请.pdf", PDF).unwrap().kind, Kind::Pdf);
        assert_eq!(check("现场.PNG", PNG).unwrap().size, PNG.len());
        assert_eq!(
            check("报告.pdf", PNG),
            Err(AttachmentError::Mismatch("报告.pdf".into(), Kind::Png))
        );
        // A script named as a text file is text; as HTML it is refused.
        assert_eq!(
            check("x.html", b"<script>alert(1)</script>"),
            Err(AttachmentError::Mismatch("x.html".into(), Kind::Text))
        );
        assert_eq!(check("无扩展名", PDF).map(|c| c.kind).ok(), None);
        for bad in [
            "",
            "a/b.pdf",
            "a\\b.pdf",
            ".hidden.pdf",
            " a.pdf",
            "a\n.pdf",
        ] {
            assert_eq!(
                check(bad, PDF),
                Err(AttachmentError::BadName(bad.into())),
                "{bad:?}"
            );
        }
        assert_eq!(
            check(&format!("{}.pdf", "长".repeat(196)), PDF)
                .unwrap()
                .kind,
            Kind::Pdf
        );
        assert!(check(&format!("{}.pdf", "长".repeat(196 + 1)), PDF).is_err());
        assert_eq!(
            check("a.pdf", b""),
            Err(AttachmentError::Empty("a.pdf".into()))
        );
        let mut big = PDF.to_vec();
        big.resize(MAX_FILE_BYTES + 1, b' ');
        assert_eq!(
            check("a.pdf", &big),
            Err(AttachmentError::TooLarge("a.pdf".into()))
        );
        big.truncate(MAX_FILE_BYTES);
        assert!(check("a.pdf", &big).is_ok());
        assert_eq!(
            check("a.pdf", PDF).unwrap().sha256,
            format!("{:x}", Sha256::digest(PDF))
        );
    }

    #[test]
    fn every_problem_of_an_entry_is_named() {
        let files = [("a.pdf", PDF), ("b.pdf", PNG), ("c.exe", &b"MZ\x90"[..])];
        let errors = check_all(files).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].text(Lang::Zh).contains("b.pdf"));
        assert!(errors[1].text(Lang::En).contains("c.exe"));
        let six = vec![("a.pdf", PDF); MAX_FILES + 1];
        assert_eq!(
            check_all(six),
            Err(vec![AttachmentError::TooMany(MAX_FILES + 1)])
        );
        assert_eq!(check_all(vec![("a.pdf", PDF); MAX_FILES]).unwrap().len(), 5);
    }

    /// Every refusal reads in both languages, the Chinese one in Chinese.
    #[test]
    fn refusals_read_in_both_languages() {
        let all = [
            AttachmentError::TooMany(6),
            AttachmentError::BadName("a/b".into()),
            AttachmentError::Empty("a.pdf".into()),
            AttachmentError::TooLarge("a.pdf".into()),
            AttachmentError::UnknownKind("a.exe".into()),
            AttachmentError::Mismatch("a.pdf".into(), Kind::Png),
        ];
        for e in all {
            let (zh, en) = (e.text(Lang::Zh), e.text(Lang::En));
            assert_ne!(zh, en, "{e:?}");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{zh}"
            );
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{en}"
            );
        }
        assert!(
            AttachmentError::Mismatch("a.txt".into(), Kind::Text)
                .text(Lang::Zh)
                .ends_with("内容是文本文件"),
            "the kind in words, in the reader's language"
        );
        assert_eq!(size_text(900), "900 B");
        assert_eq!(size_text(12 * 1024), "12 KB");
        assert_eq!(size_text(3 * 1024 * 1024 + 400 * 1024), "3.4 MB");
    }

    proptest! {
        /// Whatever the bytes and the name, the check answers without panicking, and what
        /// it takes is a kind whose extension the name carries.
        #[test]
        fn any_input_is_answered(bytes in proptest::collection::vec(any::<u8>(), 0..64), ext in "[a-z]{0,5}") {
            let name = format!("f.{ext}");
            if let Ok(c) = check(&name, &bytes) {
                prop_assert!(c.kind.extensions().contains(&ext.as_str()));
                prop_assert_eq!(sniff(&bytes), Some(c.kind));
            }
        }
    }
}
