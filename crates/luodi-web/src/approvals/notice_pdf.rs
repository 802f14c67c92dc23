//! 一次性告知书 — the one-time notification of a project phase typeset as a PDF by Typst
//! with a CJK font found on the machine (no font is shipped); what it says is the
//! application's ([`luodi_app::approvals::notice`]), which the page shows too. A PDF is
//! typeset once per content and kept ([`super::notice_cache`]).

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use luodi_app::Caller;
use luodi_app::approvals::notice::{self, Notice};
use luodi_domain::Lang;
use sha2::{Digest, Sha256};
use typst::foundations::{Dict, IntoValue, Value};
use typst_as_lib::TypstEngine;
use typst_as_lib::typst_kit_options::TypstKitFontOptions;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Tr;

const TEMPLATE: &str = include_str!("../../templates/notice.typ");

/// CJK font families tried in order; the test command installs WenQuanYi Micro Hei.
pub const CJK_FONTS: &[&str] = &[
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
];

fn json_to_typst(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => b.into_value(),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(|i| i.into_value())
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0).into_value()),
        serde_json::Value::String(s) => s.as_str().into_value(),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(json_to_typst).collect()),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(k.as_str().into(), json_to_typst(v));
            }
            Value::Dict(d)
        }
    }
}

fn inputs(notice: &Notice, tr: &Tr) -> Dict {
    let mut d = match json_to_typst(&serde_json::to_value(notice).expect("a notice serialises")) {
        Value::Dict(d) => d,
        _ => Dict::new(),
    };
    let mut labels = Dict::new();
    for key in [
        "materials",
        "materials_hint",
        "material",
        "needed_by",
        "waived",
        "confirm",
        "contact",
        "stamp",
    ] {
        labels.insert(key.into(), tr.t(&format!("notice.{key}")).into_value());
    }
    d.insert("labels".into(), Value::Dict(labels));
    d.insert(
        "lang_code".into(),
        (if tr.lang == Lang::Zh { "zh" } else { "en" }).into_value(),
    );
    d.insert(
        "fonts".into(),
        Value::Array(CJK_FONTS.iter().map(|f| f.into_value()).collect()),
    );
    d
}

/// The Typst engine with the machine's fonts, built once (scanning fonts is slow).
fn engine() -> &'static Arc<TypstEngine<typst_as_lib::TypstTemplateMainFile>> {
    static ENGINE: OnceLock<Arc<TypstEngine<typst_as_lib::TypstTemplateMainFile>>> =
        OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut dirs: Vec<std::path::PathBuf> = Vec::new();
        if let Ok(dir) = std::env::var("LUODI_FONT_DIR") {
            dirs.push(dir.into());
        }
        Arc::new(
            TypstEngine::builder()
                .main_file(TEMPLATE)
                .search_fonts_with(
                    TypstKitFontOptions::default()
                        .include_system_fonts(true)
                        .include_dirs(dirs),
                )
                .build(),
        )
    })
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no Chinese font is installed on this server (install fonts-wqy-microhei or fonts-noto-cjk, or set LUODI_FONT_DIR)"
    )]
    NoCjkFont,
    #[error("typesetting failed: {0}")]
    Typst(String),
}

/// Whether the engine found one of the CJK fonts.
pub fn has_cjk_font() -> bool {
    engine()
        .with_world(|world| {
            use typst::World;
            let book = world.book();
            CJK_FONTS
                .iter()
                .any(|f| book.contains_family(&f.to_lowercase()))
        })
        .unwrap_or(false)
}

/// Typesets the notification as PDF.
pub fn pdf(notice: &Notice, tr: &Tr) -> Result<Vec<u8>, PdfError> {
    if !has_cjk_font() {
        return Err(PdfError::NoCjkFont);
    }
    let doc: typst_layout::PagedDocument = engine()
        .compile_with_input(inputs(notice, tr))
        .output
        .map_err(|e| PdfError::Typst(format!("{e:?}")))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| PdfError::Typst(format!("{e:?}")))
}

/// What a typeset notification is kept under: the SHA-256 of all the typesetter is given
/// besides the template and the fonts, which do not change while the process runs — the
/// notification (every text and date it prints) and the language (which picks the labels).
/// Anything the PDF shows that changes changes the key.
pub fn cache_key(notice: &Notice, lang: Lang) -> super::notice_cache::Key {
    let mut hash = Sha256::new();
    hash.update(lang.tag().as_bytes());
    hash.update([0]);
    hash.update(serde_json::to_vec(notice).expect("a notice serialises"));
    hash.finalize().into()
}

/// The notification of phase `seq` of project `id` (as the path gave them) as a PDF in the
/// caller's language: 404 when the caller sees no such list, 503 when the server has no
/// Chinese font. The notification is built from the store on every request; only its
/// typesetting is kept, under [`cache_key`].
pub async fn pdf_of(
    state: &AppState,
    caller: &Caller,
    id: &str,
    seq: &str,
) -> Result<Bytes, ApiError> {
    let lang = caller.lang;
    let number = |raw: &str| raw.parse::<i64>().ok().filter(|n| *n > 0);
    let (Some(id), Some(seq)) = (number(id), number(seq)) else {
        return Err(ApiError::not_found(lang));
    };
    let Some(n) = notice::notice(&state.app, caller, id, seq).await? else {
        return Err(ApiError::not_found(lang));
    };
    let key = cache_key(&n, lang);
    let typeset = state
        .notice_pdfs
        .get_or_render(key, || async move {
            let tr = Tr::new(lang);
            tokio::task::spawn_blocking(move || pdf(&n, &tr))
                .await
                .unwrap_or_else(|e| Err(PdfError::Typst(format!("the typesetter stopped: {e}"))))
        })
        .await;
    match typeset {
        Ok(bytes) => Ok(bytes),
        Err(PdfError::NoCjkFont) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_cjk_font",
            Tr::new(lang).t("notice.no_cjk_font"),
        )),
        Err(e) => Err(ApiError::internal(e)),
    }
}
