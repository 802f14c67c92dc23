//! 蒙特卡洛预测 — how long items really take, and what that makes of the milestones:
//! each open item's duration is drawn from its history (recent items weighing more) or,
//! where history is thin, from a PERT distribution around its promised limit; the whole
//! network is scheduled per sample; the milestones' P50/P80/P90, the chance of meeting a
//! target, and how often each item lies on the critical path come out. Seeded: the same
//! seed and data give the same answer.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Pert};

use crate::forecast::critical_path::{Network, Plan};

/// How long an open item may take, in working days.
#[derive(Debug, Clone, PartialEq)]
pub enum DurationModel {
    Fixed(f64),
    /// A PERT (scaled Beta) distribution between `min` and `max` with its mode.
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Observed durations with weights (cumulative, for sampling).
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

/// History shorter than this falls back to the promised limit.
pub const MIN_HISTORY: usize = 5;
/// A finished item's weight halves every this many days of age.
pub const HALF_LIFE_DAYS: f64 = 365.0;

impl DurationModel {
    /// Around a promised limit: most items finish somewhat before it, a few run late.
    pub fn around_limit(limit: f64) -> DurationModel {
        if limit <= 0.0 {
            return DurationModel::Fixed(0.0);
        }
        DurationModel::Pert {
            min: (limit * 0.4).floor(),
            mode: (limit * 0.8).round().max(1.0),
            max: (limit * 1.6).ceil(),
        }
    }

    /// From history — `(working days taken, age in days)` per finished item — or the limit.
    pub fn from_history(history: &[(f64, f64)], limit: f64) -> DurationModel {
        if history.len() < MIN_HISTORY {
            return DurationModel::around_limit(limit);
        }
        let mut values = Vec::with_capacity(history.len());
        let mut cumulative = Vec::with_capacity(history.len());
        let mut sum = 0.0;
        for &(days, age) in history {
            sum += 0.5f64.powf(age.max(0.0) / HALF_LIFE_DAYS);
            values.push(days.max(0.0));
            cumulative.push(sum);
        }
        DurationModel::Empirical { values, cumulative }
    }

    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        match self {
            DurationModel::Fixed(d) => *d,
            DurationModel::Pert { min, mode, max } => {
                if max <= min {
                    return *min;
                }
                match Pert::new(*min, *max).with_mode(*mode) {
                    Ok(p) => p.sample(rng).round(),
                    Err(_) => *mode,
                }
            }
            DurationModel::Empirical { values, cumulative } => {
                let total = *cumulative.last().unwrap_or(&1.0);
                let x = rng.random::<f64>() * total;
                let i = cumulative.partition_point(|c| *c < x).min(values.len() - 1);
                values[i]
            }
        }
    }

    /// The value the deterministic forecast uses.
    pub fn typical(&self) -> f64 {
        match self {
            DurationModel::Fixed(d) => *d,
            DurationModel::Pert { mode, .. } => *mode,
            DurationModel::Empirical { values, .. } => {
                let mut v = values.clone();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            }
        }
    }
}

/// Quantiles per [`Sampler`] table: drawing is one random `u32` and one lookup.
pub const TABLE_SIZE: usize = 1024;

/// A duration model compiled for sampling: its inverse distribution function tabulated at
/// [`TABLE_SIZE`] evenly spaced probabilities. Cheap to clone (the table is shared), so one
/// sampler per item code serves every project of a portfolio.
#[derive(Debug, Clone, PartialEq)]
pub enum Sampler {
    Fixed(f64),
    Table(std::sync::Arc<[f64]>),
}

impl Sampler {
    /// The duration for a uniformly random `u32`.
    #[inline]
    pub fn draw(&self, r: u32) -> f64 {
        match self {
            Sampler::Fixed(d) => *d,
            Sampler::Table(t) => t[(r >> (32 - TABLE_SIZE.trailing_zeros())) as usize],
        }
    }
}

impl DurationModel {
    /// Tabulates the model's inverse distribution function (see [`Sampler`]).
    pub fn sampler(&self) -> Sampler {
        match self {
            DurationModel::Fixed(d) => Sampler::Fixed(*d),
            DurationModel::Pert { min, mode, max } if max <= min => {
                let _ = mode;
                Sampler::Fixed(*min)
            }
            DurationModel::Pert { min, mode, max } => {
                // PERT is Beta(a, b) scaled to [min, max]; its CDF integrated numerically.
                let (lo, hi) = (*min, *max);
                let m = mode.clamp(lo, hi);
                let a = 1.0 + 4.0 * (m - lo) / (hi - lo);
                let b = 1.0 + 4.0 * (hi - m) / (hi - lo);
                const GRID: usize = 4096;
                let pdf = |x: f64| x.powf(a - 1.0) * (1.0 - x).powf(b - 1.0);
                let mut cdf = vec![0.0f64; GRID + 1];
                for k in 1..=GRID {
                    let (x0, x1) = ((k - 1) as f64 / GRID as f64, k as f64 / GRID as f64);
                    cdf[k] = cdf[k - 1] + (pdf(x0) + pdf(x1)) * 0.5 / GRID as f64;
                }
                let total = cdf[GRID];
                let table: Vec<f64> = (0..TABLE_SIZE)
                    .map(|q| {
                        let u = (q as f64 + 0.5) / TABLE_SIZE as f64 * total;
                        let k = cdf.partition_point(|&c| c < u).clamp(1, GRID);
                        let span = (cdf[k] - cdf[k - 1]).max(f64::MIN_POSITIVE);
                        let x = ((k - 1) as f64 + (u - cdf[k - 1]) / span) / GRID as f64;
                        (lo + x * (hi - lo)).round()
                    })
                    .collect();
                Sampler::Table(table.into())
            }
            DurationModel::Empirical { values, cumulative } => {
                // Weighted quantiles: values in order, each with its own weight.
                let mut weighted: Vec<(f64, f64)> = values
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| {
                        (
                            v,
                            cumulative[i] - if i == 0 { 0.0 } else { cumulative[i - 1] },
                        )
                    })
                    .collect();
                weighted.sort_by(|x, y| x.0.total_cmp(&y.0));
                let mut running = Vec::with_capacity(weighted.len());
                let mut sum = 0.0;
                for (_, w) in &weighted {
                    sum += w;
                    running.push(sum);
                }
                let table: Vec<f64> = (0..TABLE_SIZE)
                    .map(|q| {
                        let u = (q as f64 + 0.5) / TABLE_SIZE as f64 * sum;
                        let i = running.partition_point(|&c| c < u).min(weighted.len() - 1);
                        weighted[i].0
                    })
                    .collect();
                Sampler::Table(table.into())
            }
        }
    }
}

/// One milestone's spread, in working days from the land handover.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub node: usize,
    pub p50: f64,
    pub p80: f64,
    pub p90: f64,
    /// Share of samples finishing within the target, when one was given.
    pub on_target: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarlo {
    pub samples: usize,
    pub milestones: Vec<Spread>,
    /// Per node, the share of samples in which it lay on the critical path.
    pub criticality: Vec<f64>,
}

/// The `p` quantile (nearest rank) of `values`, which it reorders.
fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
    *values.select_nth_unstable_by(rank - 1, f64::total_cmp).1
}

/// Runs `samples` schedules of the network. `models[i]` is used for nodes planned as
/// [`Plan::Open`]; other plans stay as they are. `milestones` are node indices, each with
/// an optional target (working days from handover).
pub fn simulate(
    network: &Network,
    plans: &[Plan],
    models: &[DurationModel],
    milestones: &[(usize, Option<f64>)],
    samples: usize,
    seed: u64,
) -> MonteCarlo {
    let samplers: Vec<Sampler> = models.iter().map(DurationModel::sampler).collect();
    simulate_with(network, plans, &samplers, milestones, samples, seed)
}

/// [`simulate`] with the models already compiled to samplers.
pub fn simulate_with(
    network: &Network,
    plans: &[Plan],
    samplers: &[Sampler],
    milestones: &[(usize, Option<f64>)],
    samples: usize,
    seed: u64,
) -> MonteCarlo {
    let n = network.len();
    if n == 0 {
        return MonteCarlo {
            samples,
            milestones: Vec::new(),
            criticality: Vec::new(),
        };
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ef = vec![0.0f64; n];
    let mut binding = vec![u32::MAX; n];
    let mut finishes: Vec<Vec<f64>> = vec![Vec::with_capacity(samples); milestones.len()];
    let mut critical_count = vec![0u32; n];
    for _ in 0..samples {
        let mut end = 0usize;
        for i in 0..n {
            let mut ready = 0.0f64;
            let mut by = u32::MAX;
            for &p in network.preds(i) {
                let f = ef[p as usize];
                if f > ready || by == u32::MAX && f >= ready {
                    ready = f;
                    by = p;
                }
            }
            let (s, f) = match plans[i] {
                Plan::Done { finish, used } => ((finish - used).max(0.0), finish),
                Plan::Running { start, finish } => (start, finish.max(start)),
                Plan::Open { earliest, .. } => {
                    let s = ready.max(earliest);
                    (s, s + samplers[i].draw(rng.next_u32()))
                }
                Plan::Waived | Plan::Unconfirmed => (ready, ready),
            };
            ef[i] = f;
            binding[i] = if (s - ready).abs() < 1e-9 {
                by
            } else {
                u32::MAX
            };
            if f > ef[end] {
                end = i;
            }
        }
        let mut at = end as u32;
        while at != u32::MAX {
            critical_count[at as usize] += 1;
            at = binding[at as usize];
        }
        for (k, &(node, _)) in milestones.iter().enumerate() {
            finishes[k].push(ef[node]);
        }
    }
    let milestones = milestones
        .iter()
        .zip(finishes)
        .map(|(&(node, target), mut f)| {
            let on_target = target
                .map(|t| f.iter().filter(|&&x| x <= t).count() as f64 / f.len().max(1) as f64);
            Spread {
                node,
                p50: percentile(&mut f, 0.5),
                p80: percentile(&mut f, 0.8),
                p90: percentile(&mut f, 0.9),
                on_target,
            }
        })
        .collect();
    let criticality = critical_count
        .iter()
        .map(|&c| c as f64 / samples.max(1) as f64)
        .collect();
    MonteCarlo {
        samples,
        milestones,
        criticality,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain() -> Network {
        let items: Vec<(String, Vec<String>)> = vec![
            ("A".into(), vec![]),
            ("B".into(), vec!["A".into()]),
            ("C".into(), vec!["B".into()]),
            ("D".into(), vec!["A".into()]),
        ];
        Network::new(&items).unwrap()
    }

    #[test]
    fn percentiles_order_and_seeds_repeat() {
        let n = chain();
        let plans = vec![
            Plan::Open {
                earliest: 0.0,
                duration: 5.0
            };
            4
        ];
        let models = vec![
            DurationModel::around_limit(5.0),
            DurationModel::around_limit(10.0),
            DurationModel::around_limit(3.0),
            DurationModel::around_limit(20.0),
        ];
        let c = n.index_of("C").unwrap();
        let a = simulate(&n, &plans, &models, &[(c, Some(18.0))], 2_000, 7);
        let b = simulate(&n, &plans, &models, &[(c, Some(18.0))], 2_000, 7);
        assert_eq!(a, b, "the same seed gives the same answer");
        let m = &a.milestones[0];
        assert!(m.p50 <= m.p80 && m.p80 <= m.p90, "{m:?}");
        assert!(m.p50 > 8.0 && m.p90 < 40.0, "{m:?}");
        let share = m.on_target.unwrap();
        assert!((0.0..=1.0).contains(&share));
        // D (up to 32 days) competes with A→B→C for the end: both appear on the path.
        let d = n.index_of("D").unwrap();
        assert!(
            a.criticality[d] > 0.1 && a.criticality[d] < 0.95,
            "{:?}",
            a.criticality
        );
        assert_eq!(
            a.criticality[n.index_of("A").unwrap()],
            1.0,
            "A starts every path"
        );
    }

    #[test]
    fn history_weighs_recent_items_more() {
        let old_slow: Vec<(f64, f64)> = (0..20).map(|_| (30.0, 3_000.0)).collect();
        let recent_fast: Vec<(f64, f64)> = (0..20).map(|_| (3.0, 10.0)).collect();
        let model = DurationModel::from_history(&[old_slow, recent_fast].concat(), 10.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let fast = (0..1000).filter(|_| model.sample(&mut rng) == 3.0).count();
        assert!(fast > 950, "recent items dominate: {fast}");
        assert!(
            matches!(
                DurationModel::from_history(&[(3.0, 1.0)], 10.0),
                DurationModel::Pert { .. }
            ),
            "thin history uses the limit"
        );
    }

    #[test]
    fn tabulated_samplers_match_their_models() {
        // PERT(4, 8, 16): mean (4 + 4·8 + 16) / 6 = 8.67 before rounding to whole days.
        let pert = DurationModel::Pert {
            min: 4.0,
            mode: 8.0,
            max: 16.0,
        };
        let Sampler::Table(t) = pert.sampler() else {
            panic!("a table")
        };
        let mean = t.iter().sum::<f64>() / t.len() as f64;
        assert!((mean - 52.0 / 6.0).abs() < 0.1, "{mean}");
        assert!(t.windows(2).all(|w| w[0] <= w[1]), "quantiles rise");
        assert!(t[0] >= 4.0 && t[t.len() - 1] <= 16.0);
        // The table and direct sampling agree on the median.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut direct: Vec<f64> = (0..20_000).map(|_| pert.sample(&mut rng)).collect();
        direct.sort_by(f64::total_cmp);
        assert!((direct[10_000] - t[TABLE_SIZE / 2]).abs() <= 1.0);
        // Weighted history: twenty recent 3-day items outweigh twenty 30-day ones of 8 years ago.
        let old_slow: Vec<(f64, f64)> = (0..20).map(|_| (30.0, 3_000.0)).collect();
        let recent_fast: Vec<(f64, f64)> = (0..20).map(|_| (3.0, 10.0)).collect();
        let model = DurationModel::from_history(&[old_slow, recent_fast].concat(), 10.0);
        let s = model.sampler();
        let fast = (0..1024u32).filter(|k| s.draw(k << 22) == 3.0).count();
        assert!(fast > 1000, "{fast}");
        assert_eq!(DurationModel::Fixed(2.0).sampler().draw(u32::MAX), 2.0);
    }

    proptest! {
        #[test]
        fn samples_stay_within_the_model(limit in 1u32..60, seed in 0u64..1000) {
            let model = DurationModel::around_limit(f64::from(limit));
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for _ in 0..50 {
                let x = model.sample(&mut rng);
                prop_assert!(x >= (f64::from(limit) * 0.4).floor() && x <= (f64::from(limit) * 1.6).ceil());
            }
        }
    }
}
