//! 项目组合 — the zone's phases forecast together, and plausible courses of a phase's list
//! for the demo's history and for benchmarks.
//!
//! [`course`] plays a phase's list forward from the land handover: each item is submitted
//! when its prerequisites are decided, accepted, sometimes returned for correction, and
//! decided after a duration that depends on the item ([`pace`]) and on chance.
//! [`synthetic`] builds a realistic portfolio of phases on a catalogue that way.
//! [`schedule_all`] and [`simulate_all`] forecast many phases on all cores; each phase's
//! random stream depends only on the seed and the phase's position, so the answer does not
//! depend on the number of threads.

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;

use crate::approvals::catalogue::{Catalogue, ListedItem, Milestone};
use crate::approvals::service_item::{ItemEvent, Party};
use crate::core::calendar::Calendar;
use crate::core::i18n;
use crate::core::industry::IndustryCode;
use crate::core::lang::Lang;
use crate::forecast::critical_path::{
    AFTER_COMPLETION, BUILD, DEFAULT_BUILD_MONTHS, ForecastItem, Network, PhaseForecast, Plan,
    START_TARGET_WORKING_DAYS, Schedule, WORKING_DAYS_PER_MONTH, forecast_phase, with_building,
    working_days,
};
use crate::forecast::monte_carlo::{DurationModel, MonteCarlo, Sampler, simulate_with};
use crate::stewardship::project::PhaseFacts;

/// How fast an item really goes, as a share of its promised limit: fixed per item code
/// (some departments decide in days, others use most of their time), 0.25–1.0.
pub fn pace(code: &str) -> f64 {
    // FNV-1a, so the pace is the same on every machine and in every run.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in code.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    0.25 + (h % 1000) as f64 / 999.0 * 0.75
}

/// The steps each moved item took, with the party that took each step. Items that were
/// waived, done at handover or not yet submitted are not in it.
pub type Course = Vec<(String, Vec<(ItemEvent, Party)>)>;

/// A plausible course of a phase's list from `handover` up to `today`: nothing after
/// `today` happens, and the acceptance stage waits for `build_months` of building (give
/// or take a fifth) after construction starts. The same inputs and `seed` give the same
/// course.
pub fn course(
    calendar: &Calendar,
    catalogue: &Catalogue,
    listed: &[ListedItem],
    handover: NaiveDate,
    today: NaiveDate,
    build_months: Option<f64>,
    seed: u64,
) -> Course {
    let Ok(network) = Network::new(
        &listed
            .iter()
            .map(|l| (l.code.clone(), l.prerequisites.clone()))
            .collect::<Vec<_>>(),
    ) else {
        return Vec::new();
    };
    let by_code: HashMap<&str, &ListedItem> = listed.iter().map(|l| (l.code.as_str(), l)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = LogNormal::new(0.0, 0.35).expect("a valid spread");
    let add = |d: NaiveDate, n: i64| calendar.add_working_days(d, n).value;
    let mut decided: Vec<Option<NaiveDate>> = vec![None; network.len()];
    // Building takes time the list does not show: acceptance items wait for it.
    let planned = build_months.unwrap_or(DEFAULT_BUILD_MONTHS) * WORKING_DAYS_PER_MONTH;
    let build = (planned * rng.random_range(0.9..1.2)).round() as i64;
    let started = network.codes.iter().position(|c| {
        catalogue.item(c).and_then(|i| i.milestone)
            == Some(crate::approvals::catalogue::Milestone::ConstructionStart)
    });
    let mut out = Vec::new();
    for i in 0..network.len() {
        let code = &network.codes[i];
        let Some(item) = catalogue.item(code) else {
            continue;
        };
        if by_code[code.as_str()].waived_by.is_some() || item.done_at_handover {
            decided[i] = Some(handover);
            continue;
        }
        let mut ready = Some(handover);
        for &p in network.preds(i) {
            ready = ready.zip(decided[p as usize]).map(|(r, d)| r.max(d));
        }
        if item.stage == AFTER_COMPLETION {
            let built = started.map_or(Some(handover), |k| decided[k]);
            ready = ready
                .zip(built)
                .map(|(r, b)| r.max(calendar.add_working_days(b, build).value));
        }
        let Some(ready) = ready else {
            continue;
        };
        let submit = add(ready, rng.random_range(0..=3));
        if submit > today {
            continue;
        }
        let mut events = vec![(ItemEvent::Submit { on: submit }, Party::Applicant)];
        let accept = add(submit, rng.random_range(0..=1));
        // Items promised on the spot (即办) are decided the day they are accepted.
        let limit = working_days(item.promised_limit);
        let days = if limit <= 0.0 {
            0
        } else {
            (limit * pace(code) * noise.sample(&mut rng))
                .round()
                .max(1.0) as i64
        };
        let returned = rng.random_bool(0.12) && days > 1;
        let (back_after, stop) = (rng.random_range(1..days.max(2)), rng.random_range(2..=8));
        if accept <= today {
            events.push((
                ItemEvent::Accept {
                    on: accept,
                    missing: Vec::new(),
                    missing_due: None,
                },
                Party::Department,
            ));
            let mut stopped = 0;
            let mut open = true;
            if returned {
                let on = add(accept, back_after);
                if on <= today {
                    events.push((
                        ItemEvent::Return {
                            on,
                            reason: format!(
                                "{} / {}",
                                i18n::text(Lang::Zh, "rules.portfolio.return_reason"),
                                i18n::text(Lang::En, "rules.portfolio.return_reason")
                            ),
                        },
                        Party::Department,
                    ));
                    let back = add(on, stop);
                    if back <= today {
                        events.push((ItemEvent::Resubmit { on: back }, Party::Applicant));
                        stopped = stop;
                    } else {
                        open = false;
                    }
                } else {
                    open = false;
                }
            }
            let on = add(accept, days + stopped);
            if open && on <= today {
                events.push((
                    ItemEvent::Approve {
                        on,
                        verify_by: None,
                    },
                    Party::Department,
                ));
                decided[i] = Some(on);
            }
        }
        out.push((code.clone(), events));
    }
    out
}

/// One phase as the portfolio forecasts it: its network, how each item stands, a sampler
/// per item for the items still open, and its milestones (construction start with its
/// target).
#[derive(Debug, Clone)]
pub struct PhaseModel {
    pub network: Network,
    pub plans: Vec<Plan>,
    pub samplers: Vec<Sampler>,
    pub milestones: Vec<(usize, Option<f64>)>,
}

/// How long items took in a zone, per item code: working days from acceptance to decision
/// (stopped days excluded) and the age in days of each decision — what forecasts learn from.
#[derive(Debug, Clone, Default)]
pub struct History {
    taken: HashMap<String, Vec<(f64, f64)>>,
}

impl History {
    /// From the zone's decided items and their steps, seen on `today`.
    pub fn from_finished(
        calendar: &Calendar,
        finished: &[(String, Vec<ItemEvent>)],
        today: NaiveDate,
    ) -> History {
        let mut taken: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
        let no_limit = crate::approvals::catalogue::TimeLimit {
            days: 0,
            unit: crate::approvals::catalogue::DayUnit::Working,
        };
        for (code, events) in finished {
            let decided = events.iter().find_map(|e| match e {
                ItemEvent::Approve { on, .. } | ItemEvent::Refuse { on, .. } => Some(*on),
                _ => None,
            });
            let accepted = events.iter().any(|e| matches!(e, ItemEvent::Accept { .. }));
            if let (Some(on), true) = (decided, accepted) {
                let used =
                    crate::approvals::service_item::clock(calendar, no_limit, false, events, on)
                        .used;
                taken
                    .entry(code.clone())
                    .or_default()
                    .push((used as f64, (today - on).num_days() as f64));
            }
        }
        History { taken }
    }

    /// How many decisions of this item the zone has seen.
    pub fn count(&self, code: &str) -> usize {
        self.taken.get(code).map_or(0, Vec::len)
    }

    /// The item's duration model: its history, or around `limit` where history is thin.
    pub fn model(&self, code: &str, limit: f64) -> DurationModel {
        DurationModel::from_history(self.taken.get(code).map_or(&[][..], Vec::as_slice), limit)
    }
}

/// The duration model of an open item: none for an item that takes no time (decided on
/// the spot, or on commitment in a what-if), the building work's spread around its plan,
/// otherwise the item's history or its promised limit.
pub fn item_model(history: &History, code: &str, duration: f64) -> DurationModel {
    if code == BUILD {
        building(duration)
    } else if duration <= 0.0 {
        DurationModel::Fixed(0.0)
    } else {
        history.model(code, duration)
    }
}

/// A phase's forecast made ready for the Monte Carlo run: open items sample from
/// `history` ([`item_model`]); construction start carries `start_target`.
pub fn phase_model(
    forecast: &crate::forecast::critical_path::PhaseForecast,
    history: &History,
    start_target: f64,
) -> PhaseModel {
    phase_model_with(forecast, start_target, |code, duration| {
        item_model(history, code, duration).sampler()
    })
}

/// [`phase_model`] with the open items' samplers from `sampler_of(code, duration)`.
/// Building under way samples its whole span from its start, never ending before
/// tomorrow.
pub fn phase_model_with(
    forecast: &crate::forecast::critical_path::PhaseForecast,
    start_target: f64,
    sampler_of: impl Fn(&str, f64) -> Sampler,
) -> PhaseModel {
    let mut plans = forecast.plans.clone();
    let samplers = forecast
        .network
        .codes
        .iter()
        .zip(&forecast.plans)
        .enumerate()
        .map(|(i, (code, plan))| match plan {
            Plan::Open { duration, .. } => sampler_of(code, *duration),
            Plan::Running { start, .. } if forecast.build.is_some_and(|b| b.0 == i) => {
                let planned = forecast.build.map_or(0.0, |b| b.1);
                plans[i] = Plan::Open {
                    earliest: *start,
                    duration: planned,
                };
                let at_least = forecast.today + 1.0 - start;
                match building(planned).sampler() {
                    Sampler::Table(t) => {
                        Sampler::Table(t.iter().map(|d| d.max(at_least)).collect())
                    }
                    Sampler::Fixed(d) => Sampler::Fixed(d.max(at_least)),
                }
            }
            _ => Sampler::Fixed(0.0),
        })
        .collect();
    PhaseModel {
        network: forecast.network.clone(),
        plans,
        samplers,
        milestones: forecast.milestone_nodes(start_target),
    }
}

/// How long the building work may take against its plan: rarely much sooner, often later.
pub fn building(planned: f64) -> DurationModel {
    DurationModel::Pert {
        min: (planned * 0.9).round(),
        mode: planned,
        max: (planned * 1.5).round(),
    }
}

/// The seed of the `k`-th phase of a portfolio run with `seed`.
pub fn phase_seed(seed: u64, k: usize) -> u64 {
    seed ^ (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Deterministic schedules of every phase, on all cores.
pub fn schedule_all(phases: &[PhaseModel]) -> Vec<Schedule> {
    phases
        .par_iter()
        .map(|p| p.network.schedule_plans(&p.plans))
        .collect()
}

/// `samples` Monte Carlo schedules of every phase, on all cores; phase `k` uses
/// [`phase_seed`]`(seed, k)`.
pub fn simulate_all(phases: &[PhaseModel], samples: usize, seed: u64) -> Vec<MonteCarlo> {
    phases
        .par_iter()
        .enumerate()
        .map(|(k, p)| {
            simulate_with(
                &p.network,
                &p.plans,
                &p.samplers,
                &p.milestones,
                samples,
                phase_seed(seed, k),
            )
        })
        .collect()
}

/// [`simulate_all`] with the same `seed` for every phase: each phase then gets exactly the
/// answer a forecast of that phase alone with `seed` gives.
pub fn simulate_each(phases: &[PhaseModel], samples: usize, seed: u64) -> Vec<MonteCarlo> {
    phases
        .par_iter()
        .map(|p| {
            simulate_with(
                &p.network,
                &p.plans,
                &p.samplers,
                &p.milestones,
                samples,
                seed,
            )
        })
        .collect()
}

const INDUSTRIES: &[&str] = &[
    "C2761", "C2720", "C2710", "C2770", "C3581", "C3584", "C3586",
];

/// Plausible facts of a biomedicine or medical-device phase.
pub fn random_facts(rng: &mut impl Rng) -> PhaseFacts {
    let investment: f64 = rng.random_range(2_000.0..300_000.0);
    let area: f64 = rng.random_range(15.0..200.0);
    let pick = |rng: &mut dyn rand::RngCore, options: &[(&str, f64)]| {
        let mut x = rng.random::<f64>() * options.iter().map(|o| o.1).sum::<f64>();
        for (o, w) in options {
            if x < *w {
                return o.to_string();
            }
            x -= w;
        }
        options[options.len() - 1].0.to_string()
    };
    PhaseFacts {
        investment_wan: Some(investment.round()),
        fixed_asset_investment_wan: Some((investment * 0.8).round()),
        land_area_mu: Some(area.round()),
        floor_area_m2: Some((area * 666.67 * rng.random_range(0.8..2.0)).round()),
        civil_floor_area_m2: Some(rng.random_range(0.0..8_000.0f64).round()),
        height_m: Some(rng.random_range(12.0..60.0f64).round()),
        energy_tce: Some(rng.random_range(200.0..8_000.0f64).round()),
        construction_months: Some(rng.random_range(8.0..16.0f64).round()),
        hazardous_chemicals: Some(rng.random_bool(0.2)),
        radiation: Some(rng.random_bool(0.1)),
        pathogens: Some(rng.random_bool(0.1)),
        occupational_hazards: Some(rng.random_bool(0.3)),
        foreign_invested: Some(rng.random_bool(0.15)),
        special_equipment: Some(rng.random_bool(0.6)),
        new_construction: Some(rng.random_bool(0.9)),
        approval_route: Some(pick(rng, &[("filing", 0.8), ("approval", 0.2)])),
        eia_class: Some(pick(
            rng,
            &[
                ("report_book", 0.15),
                ("report_table", 0.6),
                ("registration", 0.25),
            ],
        )),
        land_supply: Some(pick(
            rng,
            &[
                ("auction", 0.6),
                ("with_scheme", 0.25),
                ("lease", 0.1),
                ("allocation", 0.05),
            ],
        )),
    }
}

/// A realistic portfolio of `phases` phases on `catalogue`, reproducible from `seed`: each
/// with random facts and industry, a random set of regional assessments on its parcel, its
/// land handed over up to 160 working days before `today`, and its list played forward to
/// `today` by [`course`]. Open items sample around their promised limits.
pub fn synthetic(
    calendar: &Calendar,
    catalogue: &Catalogue,
    phases: usize,
    seed: u64,
    today: NaiveDate,
) -> Vec<PhaseModel> {
    let samplers: HashMap<&str, Sampler> = catalogue
        .items()
        .iter()
        .map(|i| {
            (
                i.code.as_str(),
                DurationModel::around_limit(working_days(i.promised_limit)).sampler(),
            )
        })
        .collect();
    (0..phases)
        .into_par_iter()
        .map(|k| {
            let mut rng = ChaCha8Rng::seed_from_u64(phase_seed(seed, k));
            let facts = random_facts(&mut rng);
            let assessed: Vec<String> = crate::approvals::rule::ASSESSMENTS
                .iter()
                .filter(|_| rng.random_bool(0.5))
                .map(|a| a.0.to_string())
                .collect();
            let industry = IndustryCode::parse(INDUSTRIES[rng.random_range(0..INDUSTRIES.len())]);
            let listed = catalogue.service_list(
                &facts.facts(industry.ok().as_ref(), Some(&assessed)),
                &assessed,
            );
            let handover = calendar
                .add_working_days(today, -rng.random_range(0..=160))
                .value;
            let moved: HashMap<String, Vec<(ItemEvent, Party)>> = course(
                calendar,
                catalogue,
                &listed,
                handover,
                today,
                facts.construction_months,
                rng.random(),
            )
            .into_iter()
            .collect();
            let items: Vec<ForecastItem> = listed
                .iter()
                .map(|l| ForecastItem {
                    code: l.code.clone(),
                    prerequisites: l.prerequisites.clone(),
                    waived: l.waived_by.is_some(),
                    events: if catalogue.item(&l.code).is_some_and(|i| i.done_at_handover) {
                        vec![ItemEvent::Approve {
                            on: handover,
                            verify_by: None,
                        }]
                    } else {
                        moved
                            .get(&l.code)
                            .map(|e| e.iter().map(|(e, _)| e.clone()).collect())
                            .unwrap_or_default()
                    },
                    duration: None,
                    unconfirmed: l.applicability
                        == crate::approvals::catalogue::Applicability::ToConfirm,
                })
                .collect();
            let items = with_building(items, catalogue, facts.construction_months);
            let f = forecast_phase(calendar, catalogue, &items, handover, today)
                .expect("catalogue lists are acyclic");
            phase_model_with(&f, START_TARGET_WORKING_DAYS, |code, duration| {
                if code == BUILD {
                    building(duration).sampler()
                } else if duration <= 0.0 {
                    Sampler::Fixed(0.0)
                } else {
                    samplers[code].clone()
                }
            })
        })
        .collect()
}

/// What the portfolio keeps of a phase's forecast: the construction start against the
/// target (forecast, or actual once it started), the milestones' median dates and the
/// first critical item still to be decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// Land handover plus `target` working days.
    pub target_start_date: NaiveDate,
    /// The construction-start item, its deterministic date and its P50/P80/P90 dates.
    pub start_item: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub start_p50_date: Option<NaiveDate>,
    pub start_p80_date: Option<NaiveDate>,
    pub start_p90_date: Option<NaiveDate>,
    /// The day construction started (its item approved), once it has.
    pub started_on: Option<NaiveDate>,
    /// Working days the actual (or P50) start lies after the target; negative when ahead.
    pub late_working_days: i64,
    /// The chance of starting by the target, in thousandths.
    pub on_target_permille: Option<i64>,
    pub permit_p50_date: Option<NaiveDate>,
    pub completion_p50_date: Option<NaiveDate>,
    /// The first item on the critical path not yet done, waived or to be confirmed.
    pub next_critical_item: Option<String>,
}

/// The outlook of a phase handed over on `handover`, from its items, its deterministic
/// forecast `f` and the Monte Carlo run `mc` of the same model, against a start `target`
/// in working days.
pub fn outlook(
    calendar: &Calendar,
    handover: NaiveDate,
    items: &[ForecastItem],
    f: &PhaseForecast,
    mc: &MonteCarlo,
    target: f64,
) -> Outlook {
    let day = |wd: f64| calendar.add_working_days(handover, wd.ceil() as i64).value;
    let spread_of = |m: Milestone| {
        f.milestones
            .iter()
            .position(|x| x.0 == m)
            .map(|k| (&f.milestones[k], &mc.milestones[k]))
    };
    let start = spread_of(Milestone::ConstructionStart);
    let started_on = start.and_then(|((_, code, _, _), _)| {
        items.iter().find(|i| &i.code == code).and_then(|i| {
            i.events.iter().find_map(|e| match e {
                ItemEvent::Approve { on, .. } => Some(*on),
                _ => None,
            })
        })
    });
    let late_working_days = match (started_on, start) {
        (Some(on), _) => calendar.working_days_between(handover, on).value - target as i64,
        (None, Some((_, s))) => s.p50.ceil() as i64 - target as i64,
        (None, None) => 0,
    };
    let next_critical_item = f
        .schedule
        .critical_path
        .iter()
        .find(|&&i| {
            !matches!(
                f.plans[i],
                Plan::Done { .. } | Plan::Waived | Plan::Unconfirmed
            )
        })
        .map(|&i| f.network.codes[i].clone());
    Outlook {
        target_start_date: day(target),
        start_item: start.map(|((_, code, _, _), _)| code.clone()),
        start_date: start.map(|((_, _, _, d), _)| *d),
        start_p50_date: start.map(|(_, s)| day(s.p50)),
        start_p80_date: start.map(|(_, s)| day(s.p80)),
        start_p90_date: start.map(|(_, s)| day(s.p90)),
        started_on,
        late_working_days,
        on_target_permille: start
            .and_then(|(_, s)| s.on_target)
            .map(|p| (p * 1000.0).round() as i64),
        permit_p50_date: spread_of(Milestone::ConstructionPermit).map(|(_, s)| day(s.p50)),
        completion_p50_date: spread_of(Milestone::CompletionAcceptance).map(|(_, s)| day(s.p50)),
        next_critical_item,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approvals::catalogue::DEFAULT;
    use crate::approvals::service_item::{Allowed, ItemState, clock, replay};

    fn setup() -> (Calendar, Catalogue) {
        (
            Calendar::builtin(),
            Catalogue::parse(DEFAULT).expect("the default catalogue"),
        )
    }

    fn listed(catalogue: &Catalogue, seed: u64) -> Vec<ListedItem> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let facts = random_facts(&mut rng);
        let assessed = vec!["flood".to_string()];
        catalogue.service_list(
            &facts.facts(IndustryCode::parse("C2761").ok().as_ref(), Some(&assessed)),
            &assessed,
        )
    }

    #[test]
    fn a_finished_course_replays_and_its_clocks_read_its_durations() {
        let (cal, cat) = setup();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        for seed in 0..20 {
            let list = listed(&cat, seed);
            let c = course(
                &cal,
                &cat,
                &list,
                d("2024-03-01"),
                d("2026-06-30"),
                Some(12.0),
                seed,
            );
            let moved = list
                .iter()
                .filter(|l| l.waived_by.is_none() && !cat.item(&l.code).unwrap().done_at_handover)
                .count();
            assert_eq!(c.len(), moved, "two years later everything has been moved");
            // Acceptance waits for the building work after construction starts.
            let approved_on = |code: &str| {
                c.iter().find(|x| x.0 == code).and_then(|x| {
                    x.1.iter().find_map(|(e, _)| match e {
                        ItemEvent::Approve { on, .. } => Some(*on),
                        _ => None,
                    })
                })
            };
            let start = approved_on("SG07").expect("construction started");
            for (code, events) in &c {
                if cat.item(code).unwrap().stage == AFTER_COMPLETION {
                    let built = cal.working_days_between(start, events[0].0.on()).value;
                    assert!(
                        built as f64 >= 0.9 * 12.0 * WORKING_DAYS_PER_MONTH - 1.0,
                        "{code} after {built} days"
                    );
                }
            }
            for (code, events) in &c {
                let state = replay(events, Allowed::default())
                    .unwrap_or_else(|e| panic!("{code}: step {e:?}"));
                assert_eq!(state, ItemState::Approved, "{code}");
                let plain: Vec<ItemEvent> = events.iter().map(|e| e.0.clone()).collect();
                let on = plain.last().unwrap().on();
                let used = clock(
                    &cal,
                    cat.item(code).unwrap().promised_limit,
                    false,
                    &plain,
                    on,
                )
                .used;
                let limit = working_days(cat.item(code).unwrap().promised_limit);
                assert!(used >= i64::from(limit > 0.0), "{code}: {used}");
            }
        }
    }

    #[test]
    fn a_course_stops_at_today_and_respects_prerequisites() {
        let (cal, cat) = setup();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let list = listed(&cat, 7);
        let handover = d("2026-09-01");
        let today = d("2026-10-20");
        let c: HashMap<String, Vec<(ItemEvent, Party)>> =
            course(&cal, &cat, &list, handover, today, None, 7)
                .into_iter()
                .collect();
        assert!(!c.is_empty());
        let approved = |code: &str| {
            c.get(code).and_then(|e| {
                e.iter().find_map(|(e, _)| match e {
                    ItemEvent::Approve { on, .. } => Some(*on),
                    _ => None,
                })
            })
        };
        for (code, events) in &c {
            assert!(
                events
                    .iter()
                    .all(|(e, _)| e.on() <= today && e.on() >= handover)
            );
            let l = list.iter().find(|l| &l.code == code).unwrap();
            let submitted = events[0].0.on();
            for p in &l.prerequisites {
                let item = cat.item(p).unwrap();
                let waived = list.iter().any(|x| &x.code == p && x.waived_by.is_some());
                if !item.done_at_handover && !waived {
                    let done = approved(p).unwrap_or_else(|| panic!("{code} before {p}"));
                    assert!(done <= submitted, "{code} submitted before {p} was decided");
                }
            }
        }
        assert!(
            c.len() < list.len(),
            "seven weeks in, not everything has moved"
        );
    }

    #[test]
    fn models_follow_what_if_and_building_under_way() {
        use crate::approvals::catalogue::ReformMode;
        use crate::forecast::critical_path::{ModeChange, forecast_phase_with};
        let (cal, cat) = setup();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // SG02 was decided ten times in 6 working days.
        let finished: Vec<(String, Vec<ItemEvent>)> = (0..10)
            .map(|_| {
                (
                    "SG02".to_string(),
                    vec![
                        ItemEvent::Submit {
                            on: d("2025-03-03"),
                        },
                        ItemEvent::Accept {
                            on: d("2025-03-03"),
                            missing: Vec::new(),
                            missing_due: None,
                        },
                        ItemEvent::Approve {
                            on: d("2025-03-11"),
                            verify_by: None,
                        },
                    ],
                )
            })
            .collect();
        let history = History::from_finished(&cal, &finished, d("2026-11-20"));
        assert_eq!(history.count("SG02"), 10);
        assert!(matches!(
            history.model("SG02", 7.0),
            DurationModel::Empirical { .. }
        ));
        let items: Vec<ForecastItem> = cat
            .items()
            .iter()
            .map(|i| ForecastItem {
                code: i.code.clone(),
                prerequisites: i.prerequisites.clone(),
                waived: false,
                events: if i.code == "SG07" {
                    vec![ItemEvent::Approve {
                        on: d("2026-01-05"),
                        verify_by: None,
                    }]
                } else {
                    Vec::new()
                },
                duration: None,
                unconfirmed: false,
            })
            .collect();
        let items = with_building(items, &cat, Some(6.0));
        let commit = [ModeChange {
            item: "SG02".into(),
            mode: ReformMode::Commitment,
        }];
        let f = forecast_phase_with(
            &cal,
            &cat,
            &items,
            d("2025-12-01"),
            d("2026-11-20"),
            &commit,
        )
        .unwrap();
        let m = phase_model(&f, &history, START_TARGET_WORKING_DAYS);
        let sg02 = f.network.index_of("SG02").unwrap();
        assert_eq!(
            m.samplers[sg02],
            Sampler::Fixed(0.0),
            "commitment takes no time, history or not"
        );
        // Six months of building from 2026-01-05 are over by 2026-11-20: the building
        // samples from its start but never ends before tomorrow.
        let b = f.network.index_of(BUILD).unwrap();
        assert!(matches!(f.plans[b], Plan::Running { .. }));
        let Plan::Open { earliest, .. } = m.plans[b] else {
            panic!("{:?}", m.plans[b])
        };
        let Sampler::Table(t) = &m.samplers[b] else {
            panic!("a table")
        };
        assert!(t.iter().all(|x| earliest + x >= f.today + 1.0));
        let mc = simulate_each(&[m], 200, 1);
        assert!(mc[0].milestones.iter().all(|s| s.p50 <= s.p90));
    }

    #[test]
    fn paces_differ_by_item_and_stay_in_range() {
        let (_, cat) = setup();
        let paces: Vec<f64> = cat.items().iter().map(|i| pace(&i.code)).collect();
        assert!(paces.iter().all(|p| (0.25..=1.0).contains(p)));
        let min = paces.iter().cloned().fold(f64::MAX, f64::min);
        let max = paces.iter().cloned().fold(0.0, f64::max);
        assert!(max - min > 0.4, "{min}..{max}");
    }

    #[test]
    fn synthetic_portfolios_repeat_and_do_not_depend_on_threads() {
        let (cal, cat) = setup();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let a = synthetic(&cal, &cat, 40, 9, today);
        let b = synthetic(&cal, &cat, 40, 9, today);
        assert_eq!(a.len(), 40);
        assert!(a.iter().zip(&b).all(|(x, y)| x.plans == y.plans));
        let s = schedule_all(&a);
        assert!(s.iter().all(|s| s.duration > 0.0));
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| simulate_all(&a, 200, 5));
        let many = simulate_all(&a, 200, 5);
        assert_eq!(one, many);
        // Every phase has its three milestones, P50 ≤ P80 ≤ P90, and sits after its own
        // deterministic plan's fixed items.
        for (m, p) in many.iter().zip(&a) {
            assert_eq!(m.milestones.len(), 3);
            for x in &m.milestones {
                assert!(x.p50 <= x.p80 && x.p80 <= x.p90);
            }
            assert!(
                p.milestones
                    .iter()
                    .any(|m| m.1 == Some(START_TARGET_WORKING_DAYS))
            );
        }
        // Items progress: some phases have finished items, some are running.
        let done = a
            .iter()
            .flat_map(|p| &p.plans)
            .filter(|p| matches!(p, Plan::Done { .. }))
            .count();
        let running = a
            .iter()
            .flat_map(|p| &p.plans)
            .filter(|p| matches!(p, Plan::Running { .. }))
            .count();
        assert!(done > 100 && running > 5, "{done} done, {running} running");
    }

    #[test]
    fn an_outlook_reads_the_start_against_its_target() {
        let (cal, cat) = setup();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let handover = d("2026-03-02");
        let items: Vec<ForecastItem> = listed(&cat, 3)
            .into_iter()
            .map(|l| ForecastItem {
                code: l.code,
                prerequisites: l.prerequisites,
                waived: l.waived_by.is_some(),
                events: Vec::new(),
                duration: None,
                unconfirmed: false,
            })
            .collect();
        let items = with_building(items, &cat, None);
        let f = forecast_phase(&cal, &cat, &items, handover, handover).unwrap();
        let model = phase_model(&f, &History::default(), START_TARGET_WORKING_DAYS);
        let mc = &simulate_each(std::slice::from_ref(&model), 200, 1)[0];
        let o = outlook(&cal, handover, &items, &f, mc, START_TARGET_WORKING_DAYS);
        assert_eq!(
            o.target_start_date,
            cal.add_working_days(handover, 30).value,
            "the target is 30 working days after the handover"
        );
        assert_eq!(o.start_item.as_deref(), Some("SG07"));
        assert_eq!(o.started_on, None);
        let p50 = o.start_p50_date.unwrap();
        assert!(p50 <= o.start_p80_date.unwrap() && o.start_p80_date <= o.start_p90_date);
        // Late by the working days from the target to the P50 start.
        let to_p50 = cal.working_days_between(handover, p50).value;
        assert!((o.late_working_days - (to_p50 - 30)).abs() <= 1, "{o:?}");
        assert!(o.next_critical_item.is_some());
        assert!(o.permit_p50_date.unwrap() <= p50 && p50 < o.completion_p50_date.unwrap());

        // Once its item is approved the start is a fact: lateness counts to that day.
        let started = d("2026-03-20");
        let mut items = items;
        for i in items.iter_mut().filter(|i| i.code == "SG07") {
            i.events = vec![
                ItemEvent::Submit { on: started },
                ItemEvent::Accept {
                    on: started,
                    missing: vec![],
                    missing_due: None,
                },
                ItemEvent::Approve {
                    on: started,
                    verify_by: None,
                },
            ];
        }
        let o = outlook(&cal, handover, &items, &f, mc, START_TARGET_WORKING_DAYS);
        assert_eq!(o.started_on, Some(started));
        assert_eq!(
            o.late_working_days,
            cal.working_days_between(handover, started).value - 30
        );
    }
}
