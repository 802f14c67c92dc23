//! The portfolio as its page shows it: every active phase ranked
//! ([`crate::forecast::portfolio`]) with the names of the items to push next.

use std::collections::HashMap;

use luodi_domain::{Lang, Operation};

use super::LeadershipError;
use crate::forecast::portfolio::{PortfolioResponse, portfolio};
use crate::{App, Caller};

/// The portfolio with what its page names.
pub struct PortfolioView {
    pub portfolio: PortfolioResponse,
    /// The name of each row's next critical item in the zone's current catalogue, in the
    /// caller's language, by code (none for an item the catalogue lacks).
    pub item_names: HashMap<String, String>,
}

/// The portfolio the caller sees, with its next items named.
pub async fn page(app: &App, caller: &Caller) -> Result<PortfolioView, LeadershipError> {
    caller.scope_for(Operation::ViewPortfolio)?;
    let portfolio = portfolio(app, caller).await?;
    let catalogue = match caller.policy.zone {
        Some(z) => app.store.catalogue(z, None).await.ok().map(|c| c.2),
        None => None,
    };
    let mut item_names = HashMap::new();
    if let Some(catalogue) = &catalogue {
        for code in portfolio
            .rows
            .iter()
            .filter_map(|r| r.next_critical_item.as_deref())
        {
            if let Some(item) = catalogue.item(code) {
                let name = match caller.lang {
                    Lang::Zh => item.name_zh.clone(),
                    Lang::En => item.name_en.clone(),
                };
                item_names.insert(code.to_string(), name);
            }
        }
    }
    Ok(PortfolioView {
        portfolio,
        item_names,
    })
}
