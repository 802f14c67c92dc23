//! A programme's terms: how much an award is (fixed, a share of a figure, a rate per mu or
//! per employee, each capped), and what is recovered when the enterprise fails its
//! obligations (追偿): everything, a share in proportion to the shortfall, or only the
//! instalments not yet paid — with simple interest at a set yearly rate where the terms
//! say so, from the day each instalment was paid.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::money::Fen;

/// A figure an award may be computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 设备投资, equipment investment (fen).
    EquipmentInvestment,
    /// 研发投入, R&D spending of the last year (fen).
    RdSpending,
    /// 营业收入, revenue of the last year (fen).
    Revenue,
    /// 税收, taxes paid in the last year (fen).
    Tax,
    /// 厂房租金, rent paid for a standard factory building (fen).
    RentPaid,
    /// 用地面积, land in ten-thousandths of a mu.
    LandMu,
    /// 从业人员, employees.
    Employees,
}

impl Basis {
    pub const ALL: [Basis; 7] = [
        Basis::EquipmentInvestment,
        Basis::RdSpending,
        Basis::Revenue,
        Basis::Tax,
        Basis::RentPaid,
        Basis::LandMu,
        Basis::Employees,
    ];

    /// How many of the figure's held units make one unit a rate is per: a mu is 10,000
    /// ten-thousandths, a yuan 100 fen, an employee one.
    fn per_unit_scale(self) -> i128 {
        match self {
            Basis::LandMu => 10_000,
            Basis::Employees => 1,
            _ => 100,
        }
    }
}

/// How an award's amount is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Formula {
    /// The same sum for every award.
    Fixed { amount: Fen },
    /// A share of a money figure, in basis points (1 % = 100), capped.
    Share {
        of: Basis,
        rate_bp: u32,
        cap: Option<Fen>,
    },
    /// A rate per unit of a figure (per mu, per employee), capped.
    PerUnit {
        of: Basis,
        rate: Fen,
        cap: Option<Fen>,
    },
}

impl Formula {
    /// The amount for an enterprise whose figures are `facts`, rounded half up to the
    /// fen; the figure it needs when `facts` lacks it.
    pub fn amount(&self, facts: &BTreeMap<Basis, i64>) -> Result<Fen, Basis> {
        let capped = |v: i128, cap: Option<Fen>| {
            let v = v.clamp(0, i64::MAX as i128) as i64;
            Fen(cap.map_or(v, |c| v.min(c.0)))
        };
        match *self {
            Formula::Fixed { amount } => Ok(amount),
            Formula::Share { of, rate_bp, cap } => {
                let v = *facts.get(&of).ok_or(of)? as i128;
                Ok(capped(div_round(v * rate_bp as i128, 10_000), cap))
            }
            Formula::PerUnit { of, rate, cap } => {
                let v = *facts.get(&of).ok_or(of)? as i128;
                Ok(capped(
                    div_round(v * rate.0 as i128, of.per_unit_scale()),
                    cap,
                ))
            }
        }
    }
}

/// `n / d` rounded half away from zero (d > 0).
fn div_round(n: i128, d: i128) -> i128 {
    if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    }
}

/// What a programme recovers from an award whose enterprise failed its obligations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryMode {
    /// Everything paid, and nothing more is paid.
    Full,
    /// The share of what was paid, and of what is still to pay, that the shortfall is.
    ProRata,
    /// Nothing paid is taken back; the instalments not yet paid are stopped.
    StopRemaining,
}

/// A programme's recovery terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryTerms {
    pub mode: RecoveryMode,
    /// Simple interest a year on what is recovered, in basis points (0: none).
    pub interest_bp: u32,
    /// Whether money recovered returns to the tranche's headroom.
    pub restores_headroom: bool,
}

/// An instalment paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Paid {
    pub on: NaiveDate,
    pub amount: Fen,
}

/// What the terms propose: the officer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Proposal {
    /// Money paid to take back.
    pub principal: Fen,
    /// Interest on it, to the day of the proposal.
    pub interest: Fen,
    /// What is still committed and will no longer be paid.
    pub release: Fen,
}

impl RecoveryTerms {
    /// The proposal for an award that paid `paid` and still commits `unpaid`, whose
    /// enterprise fell short by `shortfall_bp` basis points of its obligation (10,000:
    /// all of it), on `day`.
    pub fn propose(
        &self,
        paid: &[Paid],
        unpaid: Fen,
        shortfall_bp: u32,
        day: NaiveDate,
    ) -> Proposal {
        let share = match self.mode {
            RecoveryMode::Full => 10_000,
            RecoveryMode::ProRata => shortfall_bp.min(10_000),
            RecoveryMode::StopRemaining => 0,
        } as i128;
        let release = match self.mode {
            RecoveryMode::Full | RecoveryMode::StopRemaining => unpaid,
            RecoveryMode::ProRata => Fen(div_round(unpaid.0 as i128 * share, 10_000) as i64),
        };
        let mut principal = 0i128;
        let mut interest = 0i128;
        for p in paid {
            let back = div_round(p.amount.0 as i128 * share, 10_000);
            principal += back;
            let days = (day - p.on).num_days().max(0) as i128;
            interest += div_round(back * self.interest_bp as i128 * days, 10_000 * 365);
        }
        Proposal {
            principal: Fen(principal as i64),
            interest: Fen(interest as i64),
            release,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WAN: i64 = 1_000_000;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn amounts_follow_the_formula_and_its_cap() {
        let mut facts = BTreeMap::new();
        facts.insert(Basis::EquipmentInvestment, 12_345 * WAN);
        facts.insert(Basis::LandMu, 12_5000); // 12.5 mu
        facts.insert(Basis::Employees, 41);
        // 10 % of equipment, capped at 1,000 万元.
        let share = Formula::Share {
            of: Basis::EquipmentInvestment,
            rate_bp: 1_000,
            cap: Some(Fen(1_000 * WAN)),
        };
        assert_eq!(share.amount(&facts), Ok(Fen(1_000 * WAN)));
        facts.insert(Basis::EquipmentInvestment, 3_333 * WAN + 5);
        // 333.3 万元 and half a fen, rounded up.
        assert_eq!(share.amount(&facts), Ok(Fen(333 * WAN + 300_001)));
        // 2 万元 a mu on 12.5 mu.
        let per_mu = Formula::PerUnit {
            of: Basis::LandMu,
            rate: Fen(2 * WAN),
            cap: None,
        };
        assert_eq!(per_mu.amount(&facts), Ok(Fen(25 * WAN)));
        let per_head = Formula::PerUnit {
            of: Basis::Employees,
            rate: Fen(5_000 * 100),
            cap: Some(Fen(10 * WAN)),
        };
        assert_eq!(per_head.amount(&facts), Ok(Fen(10 * WAN)));
        assert_eq!(
            Formula::Share {
                of: Basis::RdSpending,
                rate_bp: 500,
                cap: None
            }
            .amount(&facts),
            Err(Basis::RdSpending),
            "a figure the zone lacks is named"
        );
        assert_eq!(
            Formula::Fixed {
                amount: Fen(50 * WAN)
            }
            .amount(&BTreeMap::new()),
            Ok(Fen(50 * WAN))
        );
    }

    #[test]
    fn a_recovery_follows_the_terms() {
        let paid = [
            Paid {
                on: day("2024-01-01"),
                amount: Fen(600 * WAN),
            },
            Paid {
                on: day("2025-01-01"),
                amount: Fen(400 * WAN),
            },
        ];
        let on = day("2026-01-01");
        let full = RecoveryTerms {
            mode: RecoveryMode::Full,
            interest_bp: 0,
            restores_headroom: true,
        };
        assert_eq!(
            full.propose(&paid, Fen(1_000 * WAN), 4_000, on),
            Proposal {
                principal: Fen(1_000 * WAN),
                interest: Fen::ZERO,
                release: Fen(1_000 * WAN)
            }
        );
        // A 40 % shortfall, pro rata, 3.65 % a year: 240 万元 paid two years ago (731
        // days, 2024 a leap year: 17.544 万元) and 160 万元 a year ago (365 days: 5.84 万元).
        let pro = RecoveryTerms {
            mode: RecoveryMode::ProRata,
            interest_bp: 365,
            restores_headroom: false,
        };
        assert_eq!(
            pro.propose(&paid, Fen(1_000 * WAN), 4_000, on),
            Proposal {
                principal: Fen(400 * WAN),
                interest: Fen(23 * WAN + 384_000),
                release: Fen(400 * WAN)
            }
        );
        let stop = RecoveryTerms {
            mode: RecoveryMode::StopRemaining,
            interest_bp: 365,
            restores_headroom: false,
        };
        assert_eq!(
            stop.propose(&paid, Fen(250 * WAN), 10_000, on),
            Proposal {
                principal: Fen::ZERO,
                interest: Fen::ZERO,
                release: Fen(250 * WAN)
            }
        );
    }

    proptest! {
        /// Whatever the terms, nothing beyond what was paid is taken back, nothing beyond
        /// what is unpaid is released, and a larger shortfall never proposes less.
        #[test]
        fn a_proposal_stays_within_the_award(
            amounts in proptest::collection::vec(1i64..5_000_000_000, 0..6),
            unpaid in 0i64..5_000_000_000,
            shortfall in 0u32..12_000,
            more in 0u32..3_000,
            interest in 0u32..2_000,
            mode in prop_oneof![Just(RecoveryMode::Full), Just(RecoveryMode::ProRata), Just(RecoveryMode::StopRemaining)],
        ) {
            let paid: Vec<Paid> = amounts
                .iter()
                .enumerate()
                .map(|(i, a)| Paid { on: day("2023-01-01") + chrono::Days::new(i as u64 * 97), amount: Fen(*a) })
                .collect();
            let total: i64 = amounts.iter().sum();
            let terms = RecoveryTerms { mode, interest_bp: interest, restores_headroom: false };
            let on = day("2026-06-30");
            let p = terms.propose(&paid, Fen(unpaid), shortfall, on);
            prop_assert!(p.principal.0 >= 0 && p.principal.0 <= total);
            prop_assert!(p.release.0 >= 0 && p.release.0 <= unpaid);
            prop_assert!(p.interest.0 >= 0);
            let q = terms.propose(&paid, Fen(unpaid), shortfall + more, on);
            prop_assert!(q.principal >= p.principal && q.release >= p.release && q.interest >= p.interest);
        }
    }
}
