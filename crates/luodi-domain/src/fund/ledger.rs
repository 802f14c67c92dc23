//! 资金台账 — the park fund's ledger: append-only, double-entry, money in fen.
//!
//! Every entry moves an amount from one account to another; a balance is only ever the
//! sum of the entries, and nothing is edited (an amendment is a new entry). Money flows
//! one way through an award's accounts:
//!
//! ```text
//! appropriation ──budget──▶ headroom(tranche) ──commit──▶ committed(award) ──pay──▶ paid(award)
//!                                ▲                         │ release                  │ recover
//!                                └─────────────────────────┘                          ▼
//!                                ▲                                              recovered(award)
//!                                └──────────────── restore (when the programme says so) ┘
//! ```
//!
//! [`Ledger::post`] checks an entry against the fund's limits before it is kept: a tranche
//! never commits more than its budget, a programme never more than its share of the
//! tranche, an enterprise never more than the fund's cap across all its programmes and
//! years, and an award never pays out more than it committed (nor recovers more than it
//! paid). A refusal names the limit and the headroom left, so that an officer (or a
//! retrying client) knows exactly what still fits. Storage serialises the posts of one
//! fund; these rules decide each one.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::lang::Text;
use crate::core::money::Fen;

/// What one entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Movement {
    /// A year's tranche is budgeted.
    Budget { year: i32 },
    /// An award commits money from its programme's share of a tranche.
    Commit { award: i64 },
    /// An award gives back what it will no longer pay (an amendment down, stopped
    /// instalments).
    Release { award: i64 },
    /// An instalment is paid.
    Pay { award: i64 },
    /// Money paid is recovered (claw-back).
    Recover { award: i64 },
    /// Recovered money returns to the tranche's headroom, as its programme allows.
    Restore { award: i64 },
}

/// An award as the ledger needs it: where its money comes from and whom it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AwardKey {
    pub year: i32,
    pub programme: i64,
    pub enterprise: i64,
}

/// The fund's limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// What one enterprise may be committed across the whole fund.
    pub enterprise_cap: Fen,
    /// Each programme's share of each year's tranche: (programme, year) → share.
    pub programme_shares: BTreeMap<(i64, i32), Fen>,
}

/// Which limit refused an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    TrancheExhausted,
    ProgrammeExhausted,
    EnterpriseCapReached,
    AwardExceeded,
}

impl Limit {
    /// The code the API answers with.
    pub fn code(self) -> &'static str {
        match self {
            Limit::TrancheExhausted => "tranche_exhausted",
            Limit::ProgrammeExhausted => "programme_exhausted",
            Limit::EnterpriseCapReached => "enterprise_cap_reached",
            Limit::AwardExceeded => "award_exceeded",
        }
    }
}

/// Why an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A limit would be exceeded; `headroom` is what still fits under it.
    Limit { limit: Limit, headroom: Fen },
    /// The entry names an award the ledger does not know, or moves no money.
    Malformed(Text),
}

impl Refusal {
    /// The refusal in both languages, with the headroom left.
    pub fn text(&self) -> Text {
        match self {
            Refusal::Limit { limit, headroom } => {
                let key = format!("rules.fund.{}", limit.code());
                let exact = headroom.exact_yuan();
                let fill = |lang: crate::Lang| {
                    crate::core::i18n::fill(
                        lang,
                        &key,
                        &[("headroom", &headroom.display(lang)), ("exact", &exact)],
                    )
                };
                Text {
                    zh: fill(crate::Lang::Zh),
                    en: fill(crate::Lang::En),
                }
            }
            Refusal::Malformed(t) => t.clone(),
        }
    }
}

/// One award's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AwardBalance {
    /// Committed and not yet paid or released.
    pub committed: Fen,
    /// Paid and not recovered.
    pub paid: Fen,
    /// Recovered and not restored to the tranche.
    pub recovered: Fen,
    /// Everything ever committed less everything released: what the award is worth.
    pub net_committed: Fen,
}

/// A tranche's money: its budget, and how much of it is committed, paid and recovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TrancheBalance {
    pub budget: Fen,
    /// Net of releases: awards' worth, whether paid yet or not.
    pub committed: Fen,
    pub paid: Fen,
    pub recovered: Fen,
    /// Recovered money given back to the headroom.
    pub restored: Fen,
}

impl TrancheBalance {
    /// What may still be committed: the budget less what awards are worth, plus what
    /// was recovered and restored.
    pub fn headroom(&self) -> Fen {
        Fen(self.budget.0 - self.committed.0 + self.restored.0)
    }
}

/// The balances the entries add up to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Ledger {
    pub tranches: BTreeMap<i32, TrancheBalance>,
    pub awards: BTreeMap<i64, AwardBalance>,
    /// Net committed by programme and year (less what was restored to it).
    pub programmes: BTreeMap<(i64, i32), Fen>,
    /// Net committed by enterprise across the fund (recoveries do not give it back).
    pub enterprises: BTreeMap<i64, Fen>,
}

impl Ledger {
    /// The balances of `entries`, posted in order without checking them (what `luodi fund
    /// verify` recomputes and compares with what was kept).
    pub fn replay<'a>(
        entries: impl IntoIterator<Item = &'a (Movement, Fen)>,
        awards: &BTreeMap<i64, AwardKey>,
    ) -> Result<Ledger, Refusal> {
        let mut ledger = Ledger::default();
        for (movement, amount) in entries {
            ledger.apply(*movement, *amount, awards)?;
        }
        Ok(ledger)
    }

    /// What fits under every limit an entry of `movement` would touch: the most it may
    /// move, and the limit that sets it.
    pub fn headroom(
        &self,
        movement: Movement,
        limits: &Limits,
        awards: &BTreeMap<i64, AwardKey>,
    ) -> Result<(Fen, Limit), Refusal> {
        let key = |award: i64| {
            awards
                .get(&award)
                .copied()
                .ok_or_else(|| Refusal::Malformed(Text::key("rules.fund.unknown_award")))
        };
        let award = |id: i64| self.awards.get(&id).copied().unwrap_or_default();
        Ok(match movement {
            Movement::Budget { .. } => (Fen(i64::MAX), Limit::TrancheExhausted),
            Movement::Commit { award: id } => {
                let k = key(id)?;
                let tranche = self.tranches.get(&k.year).copied().unwrap_or_default();
                let share = limits
                    .programme_shares
                    .get(&(k.programme, k.year))
                    .copied()
                    .unwrap_or_default();
                let used = self
                    .programmes
                    .get(&(k.programme, k.year))
                    .copied()
                    .unwrap_or_default();
                let held = self
                    .enterprises
                    .get(&k.enterprise)
                    .copied()
                    .unwrap_or_default();
                [
                    (tranche.headroom(), Limit::TrancheExhausted),
                    (Fen(share.0 - used.0), Limit::ProgrammeExhausted),
                    (
                        Fen(limits.enterprise_cap.0 - held.0),
                        Limit::EnterpriseCapReached,
                    ),
                ]
                .into_iter()
                .min_by_key(|(fen, _)| *fen)
                .map(|(fen, limit)| (Fen(fen.0.max(0)), limit))
                .unwrap_or((Fen::ZERO, Limit::TrancheExhausted))
            }
            Movement::Release { award: id } | Movement::Pay { award: id } => {
                key(id)?;
                (award(id).committed, Limit::AwardExceeded)
            }
            Movement::Recover { award: id } => {
                key(id)?;
                (award(id).paid, Limit::AwardExceeded)
            }
            Movement::Restore { award: id } => {
                key(id)?;
                (award(id).recovered, Limit::AwardExceeded)
            }
        })
    }

    /// Checks an entry against the limits and keeps it, or refuses it and changes
    /// nothing.
    pub fn post(
        &mut self,
        movement: Movement,
        amount: Fen,
        limits: &Limits,
        awards: &BTreeMap<i64, AwardKey>,
    ) -> Result<(), Refusal> {
        if amount.0 <= 0 {
            return Err(Refusal::Malformed(Text::key("rules.fund.not_positive")));
        }
        let (room, limit) = self.headroom(movement, limits, awards)?;
        if amount > room {
            return Err(Refusal::Limit {
                limit,
                headroom: room,
            });
        }
        self.apply(movement, amount, awards)
    }

    /// Adds an entry to the balances.
    fn apply(
        &mut self,
        movement: Movement,
        amount: Fen,
        awards: &BTreeMap<i64, AwardKey>,
    ) -> Result<(), Refusal> {
        let a = amount.0;
        let key = |award: i64| {
            awards
                .get(&award)
                .copied()
                .ok_or_else(|| Refusal::Malformed(Text::key("rules.fund.unknown_award")))
        };
        match movement {
            Movement::Budget { year } => self.tranches.entry(year).or_default().budget.0 += a,
            Movement::Commit { award } => {
                let k = key(award)?;
                self.tranches.entry(k.year).or_default().committed.0 += a;
                self.programmes.entry((k.programme, k.year)).or_default().0 += a;
                self.enterprises.entry(k.enterprise).or_default().0 += a;
                let b = self.awards.entry(award).or_default();
                b.committed.0 += a;
                b.net_committed.0 += a;
            }
            Movement::Release { award } => {
                let k = key(award)?;
                self.tranches.entry(k.year).or_default().committed.0 -= a;
                self.programmes.entry((k.programme, k.year)).or_default().0 -= a;
                self.enterprises.entry(k.enterprise).or_default().0 -= a;
                let b = self.awards.entry(award).or_default();
                b.committed.0 -= a;
                b.net_committed.0 -= a;
            }
            Movement::Pay { award } => {
                let k = key(award)?;
                self.tranches.entry(k.year).or_default().paid.0 += a;
                let b = self.awards.entry(award).or_default();
                b.committed.0 -= a;
                b.paid.0 += a;
            }
            Movement::Recover { award } => {
                let k = key(award)?;
                self.tranches.entry(k.year).or_default().recovered.0 += a;
                let b = self.awards.entry(award).or_default();
                b.paid.0 -= a;
                b.recovered.0 += a;
            }
            Movement::Restore { award } => {
                let k = key(award)?;
                self.tranches.entry(k.year).or_default().restored.0 += a;
                self.programmes.entry((k.programme, k.year)).or_default().0 -= a;
                self.awards.entry(award).or_default().recovered.0 -= a;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WAN: i64 = 1_000_000;

    fn setup() -> (Limits, BTreeMap<i64, AwardKey>) {
        // Two programmes of the 2025 tranche, three enterprises, six awards.
        let mut shares = BTreeMap::new();
        shares.insert((1, 2025), Fen(6_000 * WAN));
        shares.insert((2, 2025), Fen(5_000 * WAN));
        let limits = Limits {
            enterprise_cap: Fen(2_000 * WAN),
            programme_shares: shares,
        };
        let awards = (0..6)
            .map(|i| {
                (
                    i,
                    AwardKey {
                        year: 2025,
                        programme: 1 + i % 2,
                        enterprise: i % 3,
                    },
                )
            })
            .collect();
        (limits, awards)
    }

    #[test]
    fn a_commit_is_refused_by_the_tightest_limit_with_what_still_fits() {
        let (limits, awards) = setup();
        let mut l = Ledger::default();
        l.post(
            Movement::Budget { year: 2025 },
            Fen(10_000 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        // Enterprise 0's cap is 2,000 万元.
        l.post(
            Movement::Commit { award: 0 },
            Fen(1_500 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        assert_eq!(
            l.post(
                Movement::Commit { award: 3 },
                Fen(600 * WAN),
                &limits,
                &awards
            ),
            Err(Refusal::Limit {
                limit: Limit::EnterpriseCapReached,
                headroom: Fen(500 * WAN)
            })
        );
        l.post(
            Movement::Commit { award: 3 },
            Fen(500 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        // Payments never exceed what the award committed.
        l.post(
            Movement::Pay { award: 0 },
            Fen(1_000 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        assert_eq!(
            l.post(Movement::Pay { award: 0 }, Fen(501 * WAN), &limits, &awards),
            Err(Refusal::Limit {
                limit: Limit::AwardExceeded,
                headroom: Fen(500 * WAN)
            })
        );
        let t = l.tranches[&2025];
        assert_eq!((t.committed, t.paid), (Fen(2_000 * WAN), Fen(1_000 * WAN)));
        assert_eq!(t.headroom(), Fen(8_000 * WAN));
        assert!(
            Refusal::Limit {
                limit: Limit::EnterpriseCapReached,
                headroom: Fen(500 * WAN)
            }
            .text()
            .en
            .contains("5,000,000.00")
        );
        assert!(matches!(
            l.post(Movement::Pay { award: 99 }, Fen(1), &limits, &awards),
            Err(Refusal::Malformed(_))
        ));
        assert!(matches!(
            l.post(Movement::Pay { award: 0 }, Fen(0), &limits, &awards),
            Err(Refusal::Malformed(_))
        ));
    }

    #[test]
    fn recovered_money_returns_to_the_headroom_only_when_restored() {
        let (limits, awards) = setup();
        let mut l = Ledger::default();
        l.post(
            Movement::Budget { year: 2025 },
            Fen(1_000 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        l.post(
            Movement::Commit { award: 1 },
            Fen(1_000 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        l.post(Movement::Pay { award: 1 }, Fen(400 * WAN), &limits, &awards)
            .unwrap();
        // Stopping the rest gives its commitment back; recovering gives nothing back…
        l.post(
            Movement::Release { award: 1 },
            Fen(600 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        l.post(
            Movement::Recover { award: 1 },
            Fen(400 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        assert_eq!(l.tranches[&2025].headroom(), Fen(600 * WAN));
        // …until it is restored.
        l.post(
            Movement::Restore { award: 1 },
            Fen(400 * WAN),
            &limits,
            &awards,
        )
        .unwrap();
        assert_eq!(l.tranches[&2025].headroom(), Fen(1_000 * WAN));
        // The enterprise's cap counts what it was awarded, recovered or not.
        assert_eq!(l.enterprises[&1], Fen(400 * WAN));
    }

    #[derive(Debug, Clone)]
    enum Step {
        Budget(i64),
        Commit(i64, i64),
        Release(i64, i64),
        Pay(i64, i64),
        Recover(i64, i64),
        Restore(i64, i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        let award = 0i64..7; // 6 is unknown
        let amount = 1i64..3_000;
        prop_oneof![
            (1i64..6_000).prop_map(Step::Budget),
            (award.clone(), amount.clone()).prop_map(|(a, n)| Step::Commit(a, n)),
            (award.clone(), amount.clone()).prop_map(|(a, n)| Step::Release(a, n)),
            (award.clone(), amount.clone()).prop_map(|(a, n)| Step::Pay(a, n)),
            (award.clone(), amount.clone()).prop_map(|(a, n)| Step::Recover(a, n)),
            (award, amount).prop_map(|(a, n)| Step::Restore(a, n)),
        ]
    }

    proptest! {
        /// Any sequence of attempts: the limits hold after every step, a refusal
        /// changes nothing and its headroom is exactly what fits (that amount is then
        /// accepted), and the kept entries replay to the same balances.
        #[test]
        fn no_sequence_breaks_a_limit(steps in proptest::collection::vec(step(), 1..80)) {
            let (limits, awards) = setup();
            let mut l = Ledger::default();
            let mut kept: Vec<(Movement, Fen)> = Vec::new();
            for s in steps {
                let (movement, amount) = match s {
                    Step::Budget(n) => (Movement::Budget { year: 2025 }, n),
                    Step::Commit(a, n) => (Movement::Commit { award: a }, n),
                    Step::Release(a, n) => (Movement::Release { award: a }, n),
                    Step::Pay(a, n) => (Movement::Pay { award: a }, n),
                    Step::Recover(a, n) => (Movement::Recover { award: a }, n),
                    Step::Restore(a, n) => (Movement::Restore { award: a }, n),
                };
                let amount = Fen(amount * WAN);
                let before = l.clone();
                match l.post(movement, amount, &limits, &awards) {
                    Ok(()) => kept.push((movement, amount)),
                    Err(Refusal::Limit { headroom, .. }) => {
                        prop_assert_eq!(&l, &before);
                        prop_assert!(headroom < amount);
                        if headroom.0 > 0 {
                            l.post(movement, headroom, &limits, &awards).unwrap();
                            kept.push((movement, headroom));
                        }
                    }
                    Err(Refusal::Malformed(_)) => prop_assert_eq!(&l, &before),
                }
                for (year, t) in &l.tranches {
                    prop_assert!(t.headroom().0 >= 0, "tranche {year} over budget: {t:?}");
                    prop_assert!(t.paid.0 - t.recovered.0 <= t.committed.0 + t.restored.0);
                }
                for ((p, y), used) in &l.programmes {
                    prop_assert!(*used <= limits.programme_shares[&(*p, *y)]);
                }
                for held in l.enterprises.values() {
                    prop_assert!(held.0 >= 0 && *held <= limits.enterprise_cap);
                }
                for b in l.awards.values() {
                    prop_assert!(b.committed.0 >= 0 && b.paid.0 >= 0 && b.recovered.0 >= 0);
                    prop_assert!(b.recovered <= b.net_committed);
                    prop_assert!(b.paid.0 + b.committed.0 <= b.net_committed.0);
                }
            }
            prop_assert_eq!(Ledger::replay(&kept, &awards).unwrap(), l);
        }
    }
}
