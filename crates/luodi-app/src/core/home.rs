//! Each role's home: how many enterprises the caller sees and the parks of their zone (or
//! of every zone, for a province-level user).

use luodi_domain::core::i18n;
use luodi_domain::core::money::group_digits;
use luodi_domain::{Lang, Operation};
use luodi_store::PageRequest;
use luodi_store::core::enterprises::EnterpriseQuery;

use super::CoreError;
use crate::{App, Caller};

/// A park as the home shows it, in the caller's language.
pub struct ParkCard {
    pub name: String,
    /// Its area in 亩 with m² beside it.
    pub area: String,
    /// What the park focuses on.
    pub focus: String,
}

/// What the home shows.
pub struct HomeView {
    pub enterprise_count: i64,
    pub parks: Vec<ParkCard>,
}

/// An area in 亩 with m² beside it, as the zone writes it.
pub fn area_text(m2: i64, lang: Lang) -> String {
    // 1 mu = 2000/3 m²; round to whole mu.
    let mu = (m2 * 3 + 1000) / 2000;
    let group = |n: i64| group_digits(n.unsigned_abs());
    i18n::fill(
        lang,
        "core.text.area",
        &[("mu", &group(mu)), ("m2", &group(m2))],
    )
}

/// The caller's home.
pub async fn home(app: &App, caller: &Caller) -> Result<HomeView, CoreError> {
    let scope = caller.scope_for(Operation::ViewEnterprises)?;
    let enterprise_count = app
        .store
        .enterprises(
            &scope,
            &EnterpriseQuery::default(),
            PageRequest {
                page: 1,
                per_page: 1,
            },
        )
        .await?
        .total;
    let lang = caller.lang;
    let parks = app
        .store
        .parks(&scope)
        .await?
        .into_iter()
        .map(|p| {
            // The focus is written "中文 / English".
            let focus = p.focus.split(" / ").collect::<Vec<_>>();
            ParkCard {
                area: area_text(p.area_m2, lang),
                focus: match lang {
                    Lang::Zh => focus.first().copied().unwrap_or(""),
                    Lang::En => focus.last().copied().unwrap_or(""),
                }
                .to_string(),
                name: match lang {
                    Lang::Zh => p.name_zh,
                    Lang::En => p.name_en,
                },
            }
        })
        .collect();
    Ok(HomeView {
        enterprise_count,
        parks,
    })
}
