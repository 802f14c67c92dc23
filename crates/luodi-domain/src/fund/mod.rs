//! 园区产业基金 — the park fund: its ledger, whose limits no sequence of entries can break
//! ([`ledger`]); its programmes' terms: how an award's amount is found and what is
//! recovered when an enterprise fails its obligations ([`terms`]); and who a programme is
//! for, with the evidence ([`eligibility`]).

pub mod eligibility;
pub mod ledger;
pub mod terms;
