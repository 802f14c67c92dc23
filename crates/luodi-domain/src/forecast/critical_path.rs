//! 预测 — when a phase can start building: the critical-path method over a service list's
//! prerequisite graph, in working days from the land handover.
//!
//! A [`Network`] holds the graph compactly (nodes in topological order, predecessors as
//! index ranges) so the same network can be scheduled many times — once deterministically,
//! and thousands of times with sampled durations for a Monte Carlo forecast.

/// A prerequisite graph with nodes in topological order: every predecessor of node `i`
/// has an index below `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub codes: Vec<String>,
    /// `preds[pred_start[i]..pred_start[i + 1]]` are node `i`'s predecessors.
    pred_start: Vec<u32>,
    preds: Vec<u32>,
}

/// Why a network cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    #[error("prerequisite '{prerequisite}' of '{item}' is not in the list")]
    UnknownPrerequisite { item: String, prerequisite: String },
    #[error("the prerequisites form a cycle through '{0}'")]
    Cycle(String),
}

impl Network {
    /// Builds a network from (code, prerequisite codes) in any order; sorts it topologically
    /// (stable: items keep their given order where the graph allows).
    pub fn new(items: &[(String, Vec<String>)]) -> Result<Network, NetworkError> {
        let index: std::collections::HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (c.as_str(), i))
            .collect();
        let n = items.len();
        let mut indegree = vec![0usize; n];
        let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, (code, prereqs)) in items.iter().enumerate() {
            for p in prereqs {
                let &j =
                    index
                        .get(p.as_str())
                        .ok_or_else(|| NetworkError::UnknownPrerequisite {
                            item: code.clone(),
                            prerequisite: p.clone(),
                        })?;
                succs[j].push(i);
                indegree[i] += 1;
            }
        }
        // Kahn's algorithm with a min-heap on the given position keeps the order stable.
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
            .filter(|&i| indegree[i] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            order.push(i);
            for &s in &succs[i] {
                indegree[s] -= 1;
                if indegree[s] == 0 {
                    ready.push(std::cmp::Reverse(s));
                }
            }
        }
        if order.len() < n {
            let stuck = (0..n).find(|&i| indegree[i] > 0).unwrap_or(0);
            return Err(NetworkError::Cycle(items[stuck].0.clone()));
        }
        let mut position = vec![0usize; n];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }
        let mut pred_start = Vec::with_capacity(n + 1);
        let mut preds = Vec::new();
        pred_start.push(0);
        for &i in &order {
            let mut ps: Vec<u32> = items[i]
                .1
                .iter()
                .map(|p| position[index[p.as_str()]] as u32)
                .collect();
            ps.sort_unstable();
            ps.dedup();
            preds.extend(ps);
            pred_start.push(preds.len() as u32);
        }
        Ok(Network {
            codes: order.iter().map(|&i| items[i].0.clone()).collect(),
            pred_start,
            preds,
        })
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn preds(&self, i: usize) -> &[u32] {
        &self.preds[self.pred_start[i] as usize..self.pred_start[i + 1] as usize]
    }

    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.codes.iter().position(|c| c == code)
    }

    /// Earliest finish of every node and the overall duration, without the backward
    /// pass: what a Monte Carlo sample needs. `ef` must have the network's length.
    pub fn forward(&self, duration: &[f64], ef: &mut [f64]) -> f64 {
        let mut end = 0.0f64;
        for i in 0..self.len() {
            let mut es = 0.0f64;
            for &p in self.preds(i) {
                es = es.max(ef[p as usize]);
            }
            ef[i] = es + duration[i];
            end = end.max(ef[i]);
        }
        end
    }

    /// The full schedule: earliest and latest starts and finishes, floats, the duration
    /// and one critical path — every item open from day 0 with the given duration.
    pub fn schedule(&self, duration: &[f64]) -> Schedule {
        let plans: Vec<Plan> = duration
            .iter()
            .map(|&d| Plan::Open {
                earliest: 0.0,
                duration: d,
            })
            .collect();
        self.schedule_plans(&plans)
    }
}

/// How one item enters the schedule on a given day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    /// Finished: its finish is fixed at this working-day offset, after `used` days.
    Done { finish: f64, used: f64 },
    /// Under way since `start`; expected to finish at `finish` (today plus what remains).
    Running { start: f64, finish: f64 },
    /// Not started: cannot start before `earliest` (today) nor before its prerequisites.
    Open { earliest: f64, duration: f64 },
    /// Waived by a regional assessment: takes no time.
    Waived,
    /// Its applicability is not known yet (a fact its rule reads is missing) and nobody has
    /// started it: planned as not applying, taking no time; what it would add if it does
    /// apply is shown apart ([`unconfirmed_effects`]).
    Unconfirmed,
}

impl Network {
    /// The schedule with each item planned as it stands: finished items at their actual
    /// finish, items under way at today plus what remains, the rest from today on.
    pub fn schedule_plans(&self, plans: &[Plan]) -> Schedule {
        let n = self.len();
        let mut es = vec![0.0f64; n];
        let mut ef = vec![0.0f64; n];
        let mut total = 0.0f64;
        for i in 0..n {
            let ready = self
                .preds(i)
                .iter()
                .map(|&p| ef[p as usize])
                .fold(0.0, f64::max);
            let (s, f) = match plans[i] {
                Plan::Done { finish, used } => ((finish - used).max(0.0), finish),
                Plan::Running { start, finish } => (start, finish.max(start)),
                Plan::Open { earliest, duration } => {
                    let s = ready.max(earliest);
                    (s, s + duration)
                }
                Plan::Waived | Plan::Unconfirmed => (ready, ready),
            };
            es[i] = s;
            ef[i] = f;
            total = total.max(f);
        }
        let duration: Vec<f64> = (0..n).map(|i| ef[i] - es[i]).collect();
        // Latest times from the effective durations; fixed items keep their own dates.
        let mut lf = vec![total; n];
        for i in (0..n).rev() {
            let ls_i = lf[i] - duration[i];
            for &p in self.preds(i) {
                let p = p as usize;
                if ls_i < lf[p] {
                    lf[p] = ls_i;
                }
            }
        }
        for i in 0..n {
            if matches!(plans[i], Plan::Done { .. } | Plan::Running { .. }) {
                lf[i] = lf[i].max(ef[i]);
            }
        }
        let ls: Vec<f64> = (0..n).map(|i| lf[i] - duration[i]).collect();
        let float: Vec<f64> = (0..n).map(|i| (ls[i] - es[i]).max(0.0)).collect();
        let eps = 1e-9;
        let mut path = Vec::new();
        if let Some(mut at) = (0..n)
            .filter(|&i| (ef[i] - total).abs() < eps)
            .min_by(|&a, &b| float[a].total_cmp(&float[b]).then(a.cmp(&b)))
        {
            path.push(at);
            while let Some(&p) = self
                .preds(at)
                .iter()
                .filter(|&&p| (ef[p as usize] - es[at]).abs() < eps)
                .min_by(|&&a, &&b| {
                    float[a as usize]
                        .total_cmp(&float[b as usize])
                        .then(a.cmp(&b))
                })
            {
                at = p as usize;
                path.push(at);
            }
            path.reverse();
            // An item planned as not applying takes no time and is no step of the path.
            path.retain(|&i| !matches!(plans[i], Plan::Unconfirmed));
        }
        Schedule {
            es,
            ef,
            ls,
            lf,
            float,
            duration: total,
            critical_path: path,
        }
    }
}

/// One item of a phase's list, as the forecast reads it.
#[derive(Debug, Clone)]
pub struct ForecastItem {
    pub code: String,
    pub prerequisites: Vec<String>,
    pub waived: bool,
    pub events: Vec<crate::approvals::service_item::ItemEvent>,
    /// A duration in working days the catalogue does not give: the building work.
    pub duration: Option<f64>,
    /// Its applicability rule could not be decided (待确认): a fact it reads is unknown.
    pub unconfirmed: bool,
}

/// The code of the building work (施工建设): not an approval item, but the time between
/// construction start and the acceptance stage, which a completion forecast must include.
pub const BUILD: &str = "BUILD";
/// The catalogue stage whose items wait for the building work.
pub const AFTER_COMPLETION: &str = "after_completion";
/// Working days in a month of building (about 250 a year).
pub const WORKING_DAYS_PER_MONTH: f64 = 250.0 / 12.0;
/// The building period assumed when a phase does not give one.
pub const DEFAULT_BUILD_MONTHS: f64 = 12.0;

/// Adds the building work to a list's items: after the construction-start milestone's
/// item, before every item of the acceptance stage. A list without a construction-start
/// item is returned as it is.
pub fn with_building(
    mut items: Vec<ForecastItem>,
    catalogue: &crate::approvals::catalogue::Catalogue,
    months: Option<f64>,
) -> Vec<ForecastItem> {
    let starts: Vec<String> = items
        .iter()
        .filter(|i| {
            catalogue.item(&i.code).and_then(|c| c.milestone)
                == Some(crate::approvals::catalogue::Milestone::ConstructionStart)
        })
        .map(|i| i.code.clone())
        .collect();
    if starts.is_empty() || items.iter().any(|i| i.code == BUILD) {
        return items;
    }
    for i in &mut items {
        if catalogue
            .item(&i.code)
            .is_some_and(|c| c.stage == AFTER_COMPLETION)
        {
            i.prerequisites.push(BUILD.to_string());
        }
    }
    items.push(ForecastItem {
        code: BUILD.to_string(),
        prerequisites: starts,
        waived: false,
        events: Vec::new(),
        duration: Some((months.unwrap_or(DEFAULT_BUILD_MONTHS) * WORKING_DAYS_PER_MONTH).round()),
        unconfirmed: false,
    });
    items
}

/// How the building work stands on `today`: done once an acceptance item has been
/// submitted, under way once construction has started, otherwise still to come.
fn plan_building(
    calendar: &crate::core::calendar::Calendar,
    handover: chrono::NaiveDate,
    today: chrono::NaiveDate,
    items: &[ForecastItem],
    building: &ForecastItem,
    planned: f64,
) -> Plan {
    use crate::approvals::service_item::ItemEvent;
    let offset = |d: chrono::NaiveDate| offset_of(calendar, handover, d);
    let started = items
        .iter()
        .filter(|i| building.prerequisites.contains(&i.code))
        .filter_map(|i| {
            i.events.iter().find_map(|e| match e {
                ItemEvent::Approve { on, .. } => Some(offset(*on)),
                _ => None,
            })
        })
        .reduce(f64::max);
    let finished = items
        .iter()
        .filter(|i| i.prerequisites.iter().any(|p| p == BUILD))
        .filter_map(|i| i.events.first().map(|e| offset(e.on())))
        .reduce(f64::min);
    match (finished, started) {
        (Some(finish), s) => Plan::Done {
            finish,
            used: finish - s.unwrap_or(finish).min(finish),
        },
        // Overdue building is not done today: tomorrow at the earliest.
        (None, Some(start)) => Plan::Running {
            start,
            finish: if start + planned > offset(today) {
                start + planned
            } else {
                offset(today) + 1.0
            },
        },
        (None, None) => Plan::Open {
            earliest: offset(today),
            duration: planned,
        },
    }
}

/// A limit in working days; calendar days count as 5 working days a week, rounded up.
pub fn working_days(limit: crate::approvals::catalogue::TimeLimit) -> f64 {
    match limit.unit {
        crate::approvals::catalogue::DayUnit::Working => f64::from(limit.days),
        crate::approvals::catalogue::DayUnit::Calendar => {
            (f64::from(limit.days) * 5.0 / 7.0).ceil()
        }
    }
}

/// How an item stands on `today`, as a plan in working days from the land handover.
pub fn plan_item(
    calendar: &crate::core::calendar::Calendar,
    handover: chrono::NaiveDate,
    today: chrono::NaiveDate,
    limit: crate::approvals::catalogue::TimeLimit,
    item: &ForecastItem,
) -> Plan {
    use crate::approvals::service_item::{ItemEvent, clock};
    if item.waived {
        return Plan::Waived;
    }
    if item.unconfirmed && item.events.is_empty() {
        return Plan::Unconfirmed;
    }
    let offset =
        |d: chrono::NaiveDate| calendar.working_days_between(handover, d).value.max(0) as f64;
    let today_at = offset(today);
    let k = clock(calendar, limit, false, &item.events, today);
    let finished = item.events.iter().find_map(|e| match e {
        ItemEvent::Approve { on, .. } | ItemEvent::Refuse { on, .. } => Some(*on),
        _ => None,
    });
    let accepted = item.events.iter().find_map(|e| {
        if let ItemEvent::Accept { on, .. } = e {
            Some(*on)
        } else {
            None
        }
    });
    match (finished, accepted) {
        (Some(on), _) => Plan::Done {
            finish: offset(on),
            used: k.used as f64,
        },
        (None, Some(on)) => {
            // A stopped clock keeps its remaining days but loses today; an overdue item is
            // expected any day now.
            let left = (k.remaining.max(0) as f64) + if k.stopped { 1.0 } else { 0.0 };
            Plan::Running {
                start: offset(on),
                finish: today_at + left.max(if k.remaining <= 0 { 1.0 } else { 0.0 }),
            }
        }
        (None, None) => Plan::Open {
            earliest: today_at,
            duration: working_days(limit),
        },
    }
}

fn offset_of(
    calendar: &crate::core::calendar::Calendar,
    handover: chrono::NaiveDate,
    day: chrono::NaiveDate,
) -> f64 {
    calendar.working_days_between(handover, day).value.max(0) as f64
}

/// A phase's deterministic forecast: the schedule and the milestone dates.
#[derive(Debug, Clone)]
pub struct PhaseForecast {
    pub network: Network,
    pub plans: Vec<Plan>,
    pub schedule: Schedule,
    /// Each milestone's item, its finish in working days from handover, and its date.
    pub milestones: Vec<(
        crate::approvals::catalogue::Milestone,
        String,
        f64,
        chrono::NaiveDate,
    )>,
    /// The count crossed a year with no published holiday schedule.
    pub assumed: bool,
    /// Today, in working days from the handover.
    pub today: f64,
    /// The building work's node and its planned working days, when the list has it.
    pub build: Option<(usize, f64)>,
}

/// The zone's default target for construction start, in working days from the land
/// handover (拿地即开工 programmes promise a start within about a month of the land).
pub const START_TARGET_WORKING_DAYS: f64 = 30.0;

impl PhaseForecast {
    /// Each milestone's node for a Monte Carlo run; construction start carries `start_target`.
    pub fn milestone_nodes(&self, start_target: f64) -> Vec<(usize, Option<f64>)> {
        self.milestones
            .iter()
            .map(|(m, code, _, _)| {
                (
                    self.network.index_of(code).unwrap_or(0),
                    (*m == crate::approvals::catalogue::Milestone::ConstructionStart)
                        .then_some(start_target),
                )
            })
            .collect()
    }
}

/// A reform mode applied to one item in a what-if.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeChange {
    pub item: String,
    pub mode: crate::approvals::catalogue::ReformMode,
}

/// Why a what-if cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    #[error("item {0} is not on this list")]
    UnknownItem(String),
    #[error(
        "item {item} does not allow {mode}: the catalogue does not list that reform mode for it"
    )]
    NotAllowed { item: String, mode: &'static str },
    #[error(transparent)]
    Network(#[from] NetworkError),
}

/// Forecasts a phase's list on `today` with the catalogue's promised limits.
pub fn forecast_phase(
    calendar: &crate::core::calendar::Calendar,
    catalogue: &crate::approvals::catalogue::Catalogue,
    items: &[ForecastItem],
    handover: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<PhaseForecast, NetworkError> {
    forecast_phase_with(calendar, catalogue, items, handover, today, &[]).map_err(|e| match e {
        WhatIfError::Network(n) => n,
        other => NetworkError::Cycle(other.to_string()),
    })
}

/// The forecast as if reform modes were applied to some items, without touching the list:
/// commitment-based approval (告知承诺) decides an open item on acceptance (no days);
/// parallel approval (并联审批) lets it start without waiting for its prerequisites;
/// a regional assessment (区域评估) waives it; acceptance with minor materials missing
/// (容缺受理) lets a returned item go on at once. Only modes the catalogue allows apply.
pub fn forecast_phase_with(
    calendar: &crate::core::calendar::Calendar,
    catalogue: &crate::approvals::catalogue::Catalogue,
    items: &[ForecastItem],
    handover: chrono::NaiveDate,
    today: chrono::NaiveDate,
    changes: &[ModeChange],
) -> Result<PhaseForecast, WhatIfError> {
    use crate::approvals::catalogue::ReformMode;
    for c in changes {
        if !items.iter().any(|i| i.code == c.item) {
            return Err(WhatIfError::UnknownItem(c.item.clone()));
        }
        let allowed = catalogue
            .item(&c.item)
            .is_some_and(|i| i.modes.contains(&c.mode));
        if !allowed {
            let mode = match c.mode {
                ReformMode::Parallel => "parallel",
                ReformMode::Commitment => "commitment",
                ReformMode::MinorMissing => "minor_missing",
                ReformMode::RegionalAssessment => "regional_assessment",
            };
            return Err(WhatIfError::NotAllowed {
                item: c.item.clone(),
                mode,
            });
        }
    }
    let has =
        |code: &str, mode: ReformMode| changes.iter().any(|c| c.item == code && c.mode == mode);
    let items: Vec<ForecastItem> = items
        .iter()
        .map(|i| ForecastItem {
            prerequisites: if has(&i.code, ReformMode::Parallel) {
                // In parallel, but never before the building is done.
                i.prerequisites
                    .iter()
                    .filter(|p| *p == BUILD)
                    .cloned()
                    .collect()
            } else {
                i.prerequisites.clone()
            },
            waived: i.waived || has(&i.code, ReformMode::RegionalAssessment),
            ..i.clone()
        })
        .collect();
    let items = &items[..];
    let network = Network::new(
        &items
            .iter()
            .map(|i| (i.code.clone(), i.prerequisites.clone()))
            .collect::<Vec<_>>(),
    )?;
    let by_code: std::collections::HashMap<&str, &ForecastItem> =
        items.iter().map(|i| (i.code.as_str(), i)).collect();
    let plans: Vec<Plan> = network
        .codes
        .iter()
        .map(|code| {
            let item = by_code[code.as_str()];
            if let Some(planned) = item.duration {
                return plan_building(calendar, handover, today, items, item, planned);
            }
            let limit = catalogue.item(code).map(|c| c.promised_limit).unwrap_or(
                crate::approvals::catalogue::TimeLimit {
                    days: 0,
                    unit: crate::approvals::catalogue::DayUnit::Working,
                },
            );
            let plan = plan_item(calendar, handover, today, limit, item);
            let returned = item.events.iter().rev().find_map(|e| match e {
                crate::approvals::service_item::ItemEvent::Return { .. } => Some(true),
                crate::approvals::service_item::ItemEvent::Resubmit { .. } => Some(false),
                _ => None,
            }) == Some(true);
            match plan {
                Plan::Open { earliest, .. } if has(code, ReformMode::Commitment) => Plan::Open {
                    earliest,
                    duration: 0.0,
                },
                Plan::Running { start, finish } if has(code, ReformMode::Commitment) => {
                    Plan::Running {
                        start,
                        finish: finish.min(offset_of(calendar, handover, today)),
                    }
                }
                Plan::Running { start, finish }
                    if returned && has(code, ReformMode::MinorMissing) =>
                {
                    Plan::Running {
                        start,
                        finish: finish - 1.0,
                    }
                }
                other => other,
            }
        })
        .collect();
    let schedule = network.schedule_plans(&plans);

    let mut assumed = false;
    let milestones = network
        .codes
        .iter()
        .enumerate()
        .filter_map(|(i, code)| {
            catalogue
                .item(code)
                .and_then(|c| c.milestone)
                .map(|m| (m, code.clone(), i))
        })
        .map(|(m, code, i)| {
            let date = calendar.add_working_days(handover, schedule.ef[i].ceil() as i64);
            assumed |= date.assumed;
            (m, code, schedule.ef[i], date.value)
        })
        .collect();
    let build = network
        .index_of(BUILD)
        .and_then(|i| by_code[BUILD].duration.map(|d| (i, d)));
    Ok(PhaseForecast {
        today: offset_of(calendar, handover, today),
        build,
        network,
        plans,
        schedule,
        milestones,
        assumed,
    })
}

/// What an item of unknown applicability would add if it applies: working days later for
/// each milestone.
#[derive(Debug, Clone, PartialEq)]
pub struct UnconfirmedEffect {
    pub code: String,
    /// Its promised limit, in working days.
    pub duration: f64,
    /// Per milestone: working days the milestone would move if the item applied.
    pub adds: Vec<(crate::approvals::catalogue::Milestone, f64)>,
}

/// For each item a forecast planned as not applying because its applicability is unknown
/// ([`Plan::Unconfirmed`]): the milestones' delay if it applied after all (planned open from
/// today at its promised limit, the rest as it stands).
pub fn unconfirmed_effects(
    forecast: &PhaseForecast,
    catalogue: &crate::approvals::catalogue::Catalogue,
) -> Vec<UnconfirmedEffect> {
    let base: Vec<f64> = forecast.milestones.iter().map(|m| m.2).collect();
    forecast
        .plans
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p, Plan::Unconfirmed))
        .map(|(i, _)| {
            let code = &forecast.network.codes[i];
            let duration = catalogue
                .item(code)
                .map(|c| working_days(c.promised_limit))
                .unwrap_or(0.0);
            let mut plans = forecast.plans.clone();
            plans[i] = Plan::Open {
                earliest: forecast.today,
                duration,
            };
            let schedule = forecast.network.schedule_plans(&plans);
            let adds = forecast
                .milestones
                .iter()
                .zip(&base)
                .map(|((m, mcode, _, _), before)| {
                    let at = forecast.network.index_of(mcode).unwrap_or(0);
                    (*m, (schedule.ef[at] - before).max(0.0))
                })
                .collect();
            UnconfirmedEffect {
                code: code.clone(),
                duration,
                adds,
            }
        })
        .collect()
}

/// The result of the critical-path method, indexed like the network's nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub es: Vec<f64>,
    pub ef: Vec<f64>,
    pub ls: Vec<f64>,
    pub lf: Vec<f64>,
    pub float: Vec<f64>,
    pub duration: f64,
    /// Node indices from the first to the last item of one critical path.
    pub critical_path: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn net(edges: &[(usize, usize)], n: usize) -> Network {
        let items: Vec<(String, Vec<String>)> = (0..n)
            .map(|i| {
                (
                    format!("N{i}"),
                    edges
                        .iter()
                        .filter(|(_, to)| *to == i)
                        .map(|(from, _)| format!("N{from}"))
                        .collect(),
                )
            })
            .collect();
        Network::new(&items).unwrap()
    }

    #[test]
    fn the_chain_of_the_reform() {
        // land contract (0) → planning permit (1) → scheme (2) → engineering permit (3) → drawings (4) → construction permit (5); EIA (6) beside.
        let n = net(&[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 6), (6, 5)], 7);
        let d = [3.0, 1.0, 5.0, 3.0, 7.0, 3.0, 10.0];
        let s = n.schedule(&ordered(&n, &d));
        assert_eq!(s.duration, 22.0);
        assert_eq!(
            s.critical_path
                .iter()
                .map(|&i| n.codes[i].as_str())
                .collect::<Vec<_>>(),
            ["N0", "N1", "N2", "N3", "N4", "N5"]
        );
        let eia = n.index_of("N6").unwrap();
        assert_eq!(s.float[eia], 6.0, "the EIA can slip 6 days");
        assert_eq!(s.es[eia], 3.0);
    }

    #[test]
    fn unknown_prerequisites_and_cycles_are_refused() {
        let items = vec![
            ("A".to_string(), vec!["B".to_string()]),
            ("B".to_string(), vec!["A".to_string()]),
        ];
        assert!(matches!(Network::new(&items), Err(NetworkError::Cycle(_))));
        let items = vec![("A".to_string(), vec!["Z".to_string()])];
        assert!(matches!(
            Network::new(&items),
            Err(NetworkError::UnknownPrerequisite { .. })
        ));
    }

    /// Point 26 of issue 14: items whose conditions are unknown (a new project that never
    /// said whether it handles hazardous chemicals) sat on the critical path, the forecast
    /// counting alternatives that cannot all apply. Now they are planned as not applying and
    /// shown apart with what they would add.
    #[test]
    fn items_of_unknown_applicability_are_counted_apart() {
        use crate::approvals::catalogue::{Applicability, Catalogue, DEFAULT, Milestone};
        let cal = crate::core::calendar::Calendar::builtin();
        let c = Catalogue::parse(DEFAULT).unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let day = d("2026-10-15");
        let forecast_of = |facts: &crate::stewardship::project::PhaseFacts| {
            let listed = c.service_list(&facts.facts(None, Some(&[])), &[]);
            let items: Vec<ForecastItem> = listed
                .iter()
                .map(|l| ForecastItem {
                    code: l.code.clone(),
                    prerequisites: l.prerequisites.clone(),
                    waived: false,
                    events: Vec::new(),
                    duration: None,
                    unconfirmed: l.applicability == Applicability::ToConfirm,
                })
                .collect();
            let items = with_building(items, &c, None);
            let f = forecast_phase(&cal, &c, &items, day, day).unwrap();
            let start = f
                .milestones
                .iter()
                .find(|m| m.0 == Milestone::ConstructionStart)
                .map(|m| m.2)
                .unwrap();
            (f, start, listed)
        };
        // Nothing known: every rule-dependent item is to confirm.
        let (unknown, start_unknown, listed) =
            forecast_of(&crate::stewardship::project::PhaseFacts::default());
        let to_confirm: Vec<&str> = listed
            .iter()
            .filter(|l| l.applicability == Applicability::ToConfirm)
            .map(|l| l.code.as_str())
            .collect();
        assert!(to_confirm.contains(&"PG05"), "{to_confirm:?}");
        for &i in &unknown.schedule.critical_path {
            assert!(
                !matches!(unknown.plans[i], Plan::Unconfirmed),
                "{} of unknown applicability is on the critical path",
                unknown.network.codes[i]
            );
        }
        // Each is shown apart with what it would add; some would move the start.
        let effects = unconfirmed_effects(&unknown, &c);
        assert_eq!(effects.len(), to_confirm.len());
        for e in &effects {
            assert_eq!(
                e.duration,
                working_days(c.item(&e.code).unwrap().promised_limit),
                "{}",
                e.code
            );
        }
        assert!(
            effects.iter().any(|e| e
                .adds
                .iter()
                .any(|(m, d)| *m == Milestone::ConstructionStart && *d > 0.0)),
            "{effects:?}"
        );
        // Known to need none of them, the phase starts no later than when they were unknown:
        // the unknowns counted nothing.
        let none = crate::stewardship::project::PhaseFacts {
            hazardous_chemicals: Some(false),
            radiation: Some(false),
            pathogens: Some(false),
            occupational_hazards: Some(false),
            foreign_invested: Some(false),
            special_equipment: Some(false),
            new_construction: Some(true),
            approval_route: Some("filing".into()),
            eia_class: Some("registration".into()),
            land_supply: Some("auction".into()),
            investment_wan: Some(10_000.0),
            fixed_asset_investment_wan: Some(8_000.0),
            land_area_mu: Some(50.0),
            floor_area_m2: Some(20_000.0),
            civil_floor_area_m2: Some(0.0),
            height_m: Some(20.0),
            energy_tce: Some(100.0),
            construction_months: None,
        };
        let (_, start_known, _) = forecast_of(&none);
        assert!(
            start_unknown <= start_known + 1e-9,
            "{start_unknown} vs {start_known}"
        );
    }

    #[test]
    fn the_default_catalogue_forecasts_a_fresh_phase() {
        use crate::approvals::catalogue::{Catalogue, DEFAULT, Milestone};
        let cal = crate::core::calendar::Calendar::builtin();
        let c = Catalogue::parse(DEFAULT).unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let items: Vec<ForecastItem> = c
            .items()
            .iter()
            .map(|i| ForecastItem {
                code: i.code.clone(),
                prerequisites: i.prerequisites.clone(),
                waived: false,
                events: Vec::new(),
                duration: None,
                unconfirmed: false,
            })
            .collect();
        let f = forecast_phase(&cal, &c, &items, d("2026-10-15"), d("2026-10-15")).unwrap();
        let permit = f
            .milestones
            .iter()
            .find(|m| m.0 == Milestone::ConstructionPermit)
            .unwrap();
        let start = f
            .milestones
            .iter()
            .find(|m| m.0 == Milestone::ConstructionStart)
            .unwrap();
        let completion = f
            .milestones
            .iter()
            .find(|m| m.0 == Milestone::CompletionAcceptance)
            .unwrap();
        assert!(permit.2 < start.2 && start.2 <= completion.2);
        assert!(
            permit.2 >= 20.0 && permit.2 <= 80.0,
            "a permit {} working days after handover",
            permit.2
        );
        let path: Vec<&str> = f
            .schedule
            .critical_path
            .iter()
            .map(|&i| f.network.codes[i].as_str())
            .collect();
        // Land contract → planning permit → scheme → engineering permit → drawings →
        // construction permit → … → completion: the chain the reform is about.
        for code in ["GH03", "GH05", "GH06", "GH07", "SG02", "SG06", "YS03"] {
            assert!(path.contains(&code), "{code} not on {path:?}");
        }
        for &i in &f.schedule.critical_path {
            assert_eq!(f.schedule.float[i], 0.0);
        }
        assert_eq!(
            permit.3,
            cal.add_working_days(d("2026-10-15"), permit.2.ceil() as i64)
                .value
        );
    }

    #[test]
    fn completion_waits_for_the_building_work() {
        use crate::approvals::catalogue::{Catalogue, DEFAULT, Milestone};
        use crate::approvals::service_item::ItemEvent;
        let cal = crate::core::calendar::Calendar::builtin();
        let c = Catalogue::parse(DEFAULT).unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let items = |events: &dyn Fn(&str) -> Vec<ItemEvent>| -> Vec<ForecastItem> {
            let plain = c
                .items()
                .iter()
                .map(|i| ForecastItem {
                    code: i.code.clone(),
                    prerequisites: i.prerequisites.clone(),
                    waived: false,
                    events: events(&i.code),
                    duration: None,
                    unconfirmed: false,
                })
                .collect();
            with_building(plain, &c, Some(18.0))
        };
        let at =
            |f: &PhaseForecast, m: Milestone| f.milestones.iter().find(|x| x.0 == m).unwrap().2;
        // Nothing started: completion acceptance comes 18 months (375 working days) of
        // building after construction starts, and the building work is on the critical path.
        let fresh = forecast_phase(
            &cal,
            &c,
            &items(&|_| Vec::new()),
            d("2026-10-15"),
            d("2026-10-15"),
        )
        .unwrap();
        let start = at(&fresh, Milestone::ConstructionStart);
        let done = at(&fresh, Milestone::CompletionAcceptance);
        assert!(done - start >= 375.0, "{start} → {done}");
        let build = fresh.network.index_of(BUILD).unwrap();
        assert!(fresh.schedule.critical_path.contains(&build));
        assert_eq!(fresh.schedule.ef[build] - fresh.schedule.es[build], 375.0);
        // Construction started on 2026-11-02: the building is under way from that day.
        let started = |code: &str| match code {
            "SG07" => vec![ItemEvent::Approve {
                on: d("2026-11-02"),
                verify_by: None,
            }],
            _ => Vec::new(),
        };
        let f =
            forecast_phase(&cal, &c, &items(&started), d("2026-10-15"), d("2026-11-20")).unwrap();
        let b = f.network.index_of(BUILD).unwrap();
        assert!(
            matches!(f.plans[b], Plan::Running { .. }),
            "{:?}",
            f.plans[b]
        );
        assert_eq!(
            f.schedule.es[b],
            cal.working_days_between(d("2026-10-15"), d("2026-11-02"))
                .value as f64
        );
        // An acceptance item submitted: the building is done.
        let finished = |code: &str| match code {
            "SG07" => vec![ItemEvent::Approve {
                on: d("2026-11-02"),
                verify_by: None,
            }],
            "YS01" => vec![ItemEvent::Submit {
                on: d("2027-09-01"),
            }],
            _ => Vec::new(),
        };
        let f = forecast_phase(
            &cal,
            &c,
            &items(&finished),
            d("2026-10-15"),
            d("2027-09-02"),
        )
        .unwrap();
        let b = f.network.index_of(BUILD).unwrap();
        assert!(matches!(f.plans[b], Plan::Done { .. }), "{:?}", f.plans[b]);
        // A list without a construction start gets no building work.
        let none: Vec<ForecastItem> = with_building(Vec::new(), &c, None);
        assert!(none.is_empty());
        let facts = |m: f64| crate::stewardship::project::PhaseFacts {
            construction_months: Some(m),
            ..Default::default()
        };
        assert_eq!(facts(0.2).check().unwrap_err().field, "construction_months");
        assert!(facts(18.0).check().is_ok());
    }

    #[test]
    fn commitment_on_a_critical_item_saves_its_days() {
        use crate::approvals::catalogue::{Catalogue, DEFAULT, Milestone, ReformMode};
        let cal = crate::core::calendar::Calendar::builtin();
        let c = Catalogue::parse(DEFAULT).unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let items: Vec<ForecastItem> = c
            .items()
            .iter()
            .map(|i| ForecastItem {
                code: i.code.clone(),
                prerequisites: i.prerequisites.clone(),
                waived: false,
                events: Vec::new(),
                duration: None,
                unconfirmed: false,
            })
            .collect();
        let base = forecast_phase(&cal, &c, &items, d("2026-10-15"), d("2026-10-15")).unwrap();
        let permit = |f: &PhaseForecast| {
            f.milestones
                .iter()
                .find(|m| m.0 == Milestone::ConstructionPermit)
                .unwrap()
                .2
        };
        assert!(
            base.schedule
                .critical_path
                .iter()
                .any(|&i| base.network.codes[i] == "SG02")
        );
        // The joint drawing review (7 days, on the critical path) on commitment.
        let change = [ModeChange {
            item: "SG02".into(),
            mode: ReformMode::Commitment,
        }];
        let what_if =
            forecast_phase_with(&cal, &c, &items, d("2026-10-15"), d("2026-10-15"), &change)
                .unwrap();
        // Review (7) + supervision (1) = 8 days before the permit; on commitment the next
        // chain, civil air defence review (5) + its fee (1) = 6 days, takes over: 2 saved.
        assert_eq!(permit(&base) - permit(&what_if), 2.0);
        assert!(
            what_if
                .schedule
                .critical_path
                .iter()
                .any(|&i| what_if.network.codes[i] == "SG04")
        );
        let not_allowed = [ModeChange {
            item: "KB01".into(),
            mode: ReformMode::Parallel,
        }];
        assert!(matches!(
            forecast_phase_with(
                &cal,
                &c,
                &items,
                d("2026-10-15"),
                d("2026-10-15"),
                &not_allowed
            ),
            Err(WhatIfError::NotAllowed { .. })
        ));
        // Parallel approval of the scheme review lets it start at once.
        let parallel = [ModeChange {
            item: "GH06".into(),
            mode: ReformMode::Parallel,
        }];
        let p = forecast_phase_with(
            &cal,
            &c,
            &items,
            d("2026-10-15"),
            d("2026-10-15"),
            &parallel,
        )
        .unwrap();
        assert!(permit(&p) <= permit(&base));
    }

    #[test]
    fn plans_respect_today_and_actual_dates() {
        let n = net(&[(0, 1), (1, 2), (0, 3)], 4);
        let at = |c: &str| n.index_of(c).unwrap();
        let mut plans = vec![Plan::Waived; 4];
        plans[at("N0")] = Plan::Done {
            finish: 4.0,
            used: 4.0,
        };
        plans[at("N1")] = Plan::Running {
            start: 4.0,
            finish: 12.0,
        };
        plans[at("N2")] = Plan::Open {
            earliest: 10.0,
            duration: 5.0,
        };
        plans[at("N3")] = Plan::Open {
            earliest: 10.0,
            duration: 2.0,
        };
        let s = n.schedule_plans(&plans);
        assert_eq!(s.ef[at("N2")], 17.0, "waits for N1 (finishing day 12)");
        assert_eq!(
            s.es[at("N3")],
            10.0,
            "cannot start in the past (today is day 10)"
        );
        assert_eq!(s.duration, 17.0);
        assert_eq!(
            s.critical_path
                .iter()
                .map(|&i| n.codes[i].as_str())
                .collect::<Vec<_>>(),
            ["N0", "N1", "N2"]
        );
        assert_eq!(s.float[at("N3")], 5.0);
    }

    /// Longest path by repeated relaxation over all edges (Bellman–Ford style), a different
    /// algorithm from the topological sweep, to check it against.
    fn longest_by_relaxation(edges: &[(usize, usize)], d: &[f64]) -> f64 {
        let n = d.len();
        let mut finish: Vec<f64> = d.to_vec();
        for _ in 0..n {
            for &(a, b) in edges {
                finish[b] = finish[b].max(finish[a] + d[b]);
            }
        }
        finish.into_iter().fold(0.0, f64::max)
    }

    fn graph() -> impl Strategy<Value = (usize, Vec<(usize, usize)>, Vec<f64>)> {
        (1usize..25).prop_flat_map(|n| {
            let edges = proptest::collection::vec((0..n, 0..n), 0..(n * 2))
                .prop_map(|e| e.into_iter().filter(|(a, b)| a < b).collect::<Vec<_>>());
            let durations = proptest::collection::vec(0u32..20, n)
                .prop_map(|v| v.into_iter().map(f64::from).collect::<Vec<_>>());
            (Just(n), edges, durations)
        })
    }

    /// Durations in the network's order.
    fn ordered(n: &Network, d: &[f64]) -> Vec<f64> {
        n.codes
            .iter()
            .map(|c| d[c[1..].parse::<usize>().unwrap()])
            .collect()
    }

    proptest! {
        #[test]
        fn critical_path_properties((size, edges, d) in graph()) {
            let n = net(&edges, size);
            let dur = ordered(&n, &d);
            let s = n.schedule(&dur);
            prop_assert_eq!(s.duration, longest_by_relaxation(&edges, &d));
            for i in 0..size {
                prop_assert!(s.es[i] <= s.ls[i] + 1e-9);
                prop_assert!(s.float[i] >= 0.0);
            }
            let along: f64 = s.critical_path.iter().map(|&i| dur[i]).sum();
            prop_assert_eq!(along, s.duration);
            for &i in &s.critical_path {
                prop_assert_eq!(s.float[i], 0.0);
            }
            for w in s.critical_path.windows(2) {
                prop_assert!(n.preds(w[1]).contains(&(w[0] as u32)));
            }
        }

        #[test]
        fn more_work_never_finishes_earlier((size, edges, d) in graph(), extra in 0u32..10, at in 0usize..25, a in 0usize..25, b in 0usize..25) {
            let base = longest_by_relaxation(&edges, &d);
            let n = net(&edges, size);
            prop_assert_eq!(n.schedule(&ordered(&n, &d)).duration, base);
            let mut longer = d.clone();
            longer[at % size] += f64::from(extra);
            let n2 = net(&edges, size);
            prop_assert!(n2.schedule(&ordered(&n2, &longer)).duration >= base);
            let (x, y) = (a % size, b % size);
            if x < y {
                let mut more = edges.clone();
                more.push((x, y));
                let n3 = net(&more, size);
                prop_assert!(n3.schedule(&ordered(&n3, &d)).duration >= base);
            }
        }
    }
}
