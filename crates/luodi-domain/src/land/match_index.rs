//! The matcher's in-memory index: a zone's parcels as columns, grouped by class (park,
//! admitted industries, sewage class and supplies) and sorted by area within each class.
//! A query decides the class constraints once per class, counts a class that fails them
//! without reading its rows, and reads only the rows of its area range (found by binary
//! search) in the classes that pass, testing the rest on plain numbers. It answers exactly
//! what [`matching::rank`] answers on the same parcels (property tests hold them together):
//! the same survivors, the same scores, the same top `k` with their full explanation. What
//! it adds is the elimination funnel — how many parcels each constraint removed, in the
//! order [`FUNNEL`] applies them — and it explains excluded parcels constraint by
//! constraint only as many as asked, since a zone of a million parcels cannot be explained
//! one by one in a response.
//!
//! Only what matching reads is kept (no geometry, no planning limits, no extra
//! attributes): a parcel is about 150 bytes here.

use std::collections::HashMap;
use std::hash::Hash;

use rayon::prelude::*;
use serde::Serialize;

use crate::core::industry::IndustryCode;
use crate::core::lang::Lang;
use crate::land::matching::{
    COMPONENTS, Candidate, Exclusion, Figures, LandNeeds, Saving, Scored, Weights,
    assessment_value, exclusions, score, shares, total, values,
};
use crate::land::parcel::{ParcelAttrs, ParcelStatus, SEWAGE_CLASSES};

/// Values interned to small numbers: parks, industry lists, assessment sets.
#[derive(Debug, Clone)]
struct Interner<T: Hash + Eq + Clone> {
    values: Vec<T>,
    map: HashMap<T, u32>,
}

impl<T: Hash + Eq + Clone> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            values: Vec::new(),
            map: HashMap::new(),
        }
    }
}

impl<T: Hash + Eq + Clone> Interner<T> {
    fn id(&mut self, v: &T) -> u32 {
        if let Some(i) = self.map.get(v) {
            return *i;
        }
        let i = self.values.len() as u32;
        self.values.push(v.clone());
        self.map.insert(v.clone(), i);
        i
    }
}

const GAS: u8 = 1;
const STEAM: u8 = 2;
const ROAD: u8 = 4;

fn some(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// The constraints in the order the funnel applies them.
pub const FUNNEL: [&str; 13] = [
    "area",
    "park",
    "industry",
    "not_available",
    "investment_intensity",
    "tax_per_mu",
    "output_per_mu",
    "power",
    "water",
    "gas",
    "steam",
    "sewage",
    "budget",
];

/// One step of the elimination funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub constraint: &'static str,
    /// Parcels this constraint removed of those the earlier ones left.
    pub excluded: usize,
    /// Parcels left after it.
    pub left: usize,
}

/// A query's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexRanking {
    /// The best `k`, best first (ties by id), each fully explained.
    pub top: Vec<Scored>,
    /// Parcels in the index.
    pub considered: usize,
    /// Survivors of the hard constraints.
    pub eligible: usize,
    pub funnel: Vec<Stage>,
    /// Excluded parcels with every constraint each failed: the lowest ids, as many as
    /// the query asked to explain.
    pub excluded: Vec<(i64, Vec<Exclusion>)>,
}

/// A match query.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    pub needs: &'a LandNeeds,
    pub industry: Option<&'a IndustryCode>,
    pub weights: &'a Weights,
    pub k: usize,
    /// Parcels already reserved for or handed to the phase being matched.
    pub own: &'a [i64],
    /// How many excluded parcels to explain constraint by constraint.
    pub explain: usize,
}

/// The interned attributes of a parcel that a query tests once per class: its park,
/// industries, sewage class and supplies (not its status, which changes in place).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Class {
    park: u32,
    industries: u32,
    sewage: u32,
    flags: u8,
}

/// The index's columns, one entry per row. Shared between copies of an index: a copy
/// that changes only statuses shares them (see [`Index::update`]).
#[derive(Debug, Clone, Default)]
struct Columns {
    id: Vec<i64>,
    code: Vec<Box<str>>,
    area: Vec<f64>,
    lon: Vec<f64>,
    lat: Vec<f64>,
    status: Vec<ParcelStatus>,
    flags: Vec<u8>,
    investment: Vec<f64>,
    tax: Vec<f64>,
    output: Vec<f64>,
    power: Vec<f64>,
    water: Vec<f64>,
    price: Vec<f64>,
    park: Vec<u32>,
    land_use: Vec<u32>,
    sewage: Vec<u32>,
    industries: Vec<u32>,
    assessments: Vec<u32>,
    /// What a parcel's park, industries, sewage class and supplies are together: a query
    /// decides those constraints once per class, not once per parcel.
    class: Vec<u32>,
    classes: Interner<Class>,
    /// The rows of each class: `(class, start, end)`, each run sorted by area.
    runs: Vec<(u32, u32, u32)>,
    parks: Interner<Option<String>>,
    land_uses: Interner<String>,
    sewages: Interner<Option<String>>,
    industry_sets: Interner<Vec<String>>,
    assessment_sets: Interner<Vec<String>>,
    by_id: HashMap<i64, u32>,
    /// The rows in id order.
    by_id_order: Vec<u32>,
}

/// A zone's parcels, as the matcher reads them. Copying one is cheap: the columns are
/// shared, and the statuses (which reservations change) are copied only when changed.
#[derive(Debug, Clone, Default)]
pub struct Index {
    c: std::sync::Arc<Columns>,
    status: std::sync::Arc<Vec<ParcelStatus>>,
}

/// Builds an index a parcel at a time (so a server can read a zone's parcels a page at a
/// time and keep only the columns).
#[derive(Debug, Default)]
pub struct IndexBuilder {
    cols: Columns,
    seen: HashMap<i64, usize>,
}

impl IndexBuilder {
    /// Adds a parcel; a later parcel with the id of an earlier one replaces it.
    pub fn add(&mut self, c: &Candidate) {
        let x = &mut self.cols;
        let row = match self.seen.get(&c.id) {
            Some(r) => *r,
            None => {
                self.seen.insert(c.id, x.id.len());
                x.push_blank();
                x.id.len() - 1
            }
        };
        x.set_row(row, c);
    }

    pub fn len(&self) -> usize {
        self.cols.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cols.id.is_empty()
    }

    pub fn finish(mut self) -> Index {
        self.cols.sort();
        let status = std::mem::take(&mut self.cols.status);
        Index {
            c: std::sync::Arc::new(self.cols),
            status: std::sync::Arc::new(status),
        }
    }
}

/// Puts `v` in the order `order` gives.
fn permute<T: Clone>(v: &[T], order: &[u32]) -> Vec<T> {
    order.iter().map(|i| v[*i as usize].clone()).collect()
}

impl Columns {
    fn push_blank(&mut self) {
        self.id.push(0);
        self.code.push("".into());
        for col in [
            &mut self.area,
            &mut self.lon,
            &mut self.lat,
            &mut self.investment,
            &mut self.tax,
            &mut self.output,
            &mut self.power,
            &mut self.water,
            &mut self.price,
        ] {
            col.push(f64::NAN);
        }
        self.status.push(ParcelStatus::Available);
        self.flags.push(0);
        for col in [
            &mut self.park,
            &mut self.land_use,
            &mut self.sewage,
            &mut self.industries,
            &mut self.assessments,
            &mut self.class,
        ] {
            col.push(0);
        }
    }

    fn set_row(&mut self, r: usize, c: &Candidate) {
        let a = c.attrs;
        let none = |v: Option<f64>| v.unwrap_or(f64::NAN);
        self.id[r] = c.id;
        self.code[r] = a.code.as_str().into();
        self.area[r] = c.area_mu;
        self.lon[r] = c.centroid.0;
        self.lat[r] = c.centroid.1;
        self.status[r] = a.status;
        self.flags[r] =
            (a.gas as u8 * GAS) | (a.steam as u8 * STEAM) | (a.road_access as u8 * ROAD);
        self.investment[r] = none(a.investment_intensity_min_wan_per_mu);
        self.tax[r] = none(a.tax_per_mu_min_wan);
        self.output[r] = none(a.output_per_mu_min_wan);
        self.power[r] = none(a.power_kva);
        self.water[r] = none(a.water_m3_per_day);
        self.price[r] = none(a.price_per_mu_wan);
        self.park[r] = self.parks.id(&a.park);
        self.land_use[r] = self.land_uses.id(&a.land_use);
        self.sewage[r] = self.sewages.id(&a.sewage_class);
        self.industries[r] = self.industry_sets.id(&a.allowed_industries);
        self.assessments[r] = self.assessment_sets.id(&a.assessments);
        self.set_class(r);
    }

    fn set_class(&mut self, r: usize) {
        self.class[r] = self.classes.id(&Class {
            park: self.park[r],
            industries: self.industries[r],
            sewage: self.sewage[r],
            flags: self.flags[r],
        });
    }

    /// Sorts the rows by class, then area (then id), and rebuilds the runs and the id
    /// lookup.
    fn sort(&mut self) {
        let mut order: Vec<u32> = (0..self.id.len() as u32).collect();
        order.par_sort_unstable_by(|a, b| {
            let (a, b) = (*a as usize, *b as usize);
            self.class[a]
                .cmp(&self.class[b])
                .then(self.area[a].total_cmp(&self.area[b]))
                .then(self.id[a].cmp(&self.id[b]))
        });
        self.id = permute(&self.id, &order);
        self.code = permute(&self.code, &order);
        self.area = permute(&self.area, &order);
        self.lon = permute(&self.lon, &order);
        self.lat = permute(&self.lat, &order);
        self.status = permute(&self.status, &order);
        self.flags = permute(&self.flags, &order);
        self.investment = permute(&self.investment, &order);
        self.tax = permute(&self.tax, &order);
        self.output = permute(&self.output, &order);
        self.power = permute(&self.power, &order);
        self.water = permute(&self.water, &order);
        self.price = permute(&self.price, &order);
        self.park = permute(&self.park, &order);
        self.land_use = permute(&self.land_use, &order);
        self.sewage = permute(&self.sewage, &order);
        self.industries = permute(&self.industries, &order);
        self.assessments = permute(&self.assessments, &order);
        self.class = permute(&self.class, &order);
        self.runs.clear();
        let mut start = 0;
        for r in 1..=self.class.len() {
            if r == self.class.len() || self.class[r] != self.class[start] {
                self.runs.push((self.class[start], start as u32, r as u32));
                start = r;
            }
        }
        self.by_id = self
            .id
            .iter()
            .enumerate()
            .map(|(r, id)| (*id, r as u32))
            .collect();
        let mut by_id_order: Vec<u32> = (0..self.id.len() as u32).collect();
        by_id_order.sort_unstable_by_key(|r| self.id[*r as usize]);
        self.by_id_order = by_id_order;
    }
}

impl Index {
    /// Builds the index from parcels (their `own` flag is ignored: that is per query).
    /// A later parcel with the id of an earlier one replaces it.
    pub fn build<'a>(parcels: impl IntoIterator<Item = Candidate<'a>>) -> Index {
        let mut b = IndexBuilder::default();
        for c in parcels {
            b.add(&c);
        }
        b.finish()
    }

    pub fn len(&self) -> usize {
        self.c.id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.c.id.is_empty()
    }

    /// The attributes matching reads of a parcel, as the index holds them (the others
    /// are left at their defaults), with its area and centroid.
    pub fn get(&self, id: i64) -> Option<(ParcelAttrs, f64, (f64, f64))> {
        self.c.by_id.get(&id).map(|r| self.row(*r as usize))
    }

    fn row(&self, r: usize) -> (ParcelAttrs, f64, (f64, f64)) {
        let f = self.c.flags[r];
        let attrs = ParcelAttrs {
            code: self.c.code[r].to_string(),
            park: self.c.parks.values[self.c.park[r] as usize].clone(),
            land_use: self.c.land_uses.values[self.c.land_use[r] as usize].clone(),
            status: self.status[r],
            status_given: true,
            price_per_mu_wan: some(self.c.price[r]),
            power_kva: some(self.c.power[r]),
            water_m3_per_day: some(self.c.water[r]),
            gas: f & GAS != 0,
            steam: f & STEAM != 0,
            road_access: f & ROAD != 0,
            sewage_class: self.c.sewages.values[self.c.sewage[r] as usize].clone(),
            investment_intensity_min_wan_per_mu: some(self.c.investment[r]),
            tax_per_mu_min_wan: some(self.c.tax[r]),
            output_per_mu_min_wan: some(self.c.output[r]),
            allowed_industries: self.c.industry_sets.values[self.c.industries[r] as usize].clone(),
            assessments: self.c.assessment_sets.values[self.c.assessments[r] as usize].clone(),
            ..Default::default()
        };
        (attrs, self.c.area[r], (self.c.lon[r], self.c.lat[r]))
    }

    /// Every parcel, in area order.
    pub fn parcels(&self) -> impl Iterator<Item = (i64, ParcelAttrs, f64, (f64, f64))> + '_ {
        (0..self.len()).map(|r| {
            let (a, mu, c) = self.row(r);
            (self.c.id[r], a, mu, c)
        })
    }

    /// Takes in parcels that were added or changed. A change of status alone is made in
    /// place; anything else rebuilds the index (the rows are re-sorted by area).
    pub fn update<'a>(&mut self, changed: impl IntoIterator<Item = Candidate<'a>>) {
        let changed: Vec<Candidate> = changed.into_iter().collect();
        let in_place = changed.iter().all(|c| {
            self.c.by_id.get(&c.id).is_some_and(|r| {
                let (mut a, mu, centroid) = self.row(*r as usize);
                a.status = c.attrs.status;
                let mut b = c.attrs.clone();
                b.status_given = true;
                Index::keep_matched(&mut b);
                a == b && mu == c.area_mu && centroid == c.centroid
            })
        });
        if in_place {
            // Copies the statuses if another copy of the index shares them; never the rest.
            let status = std::sync::Arc::make_mut(&mut self.status);
            for c in &changed {
                let r = self.c.by_id[&c.id] as usize;
                status[r] = c.attrs.status;
            }
            return;
        }
        let old: Vec<(i64, ParcelAttrs, f64, (f64, f64))> = self.parcels().collect();
        *self = Index::build(
            old.iter()
                .map(|(id, a, mu, c)| Candidate {
                    id: *id,
                    attrs: a,
                    area_mu: *mu,
                    centroid: *c,
                    own: false,
                })
                .chain(changed),
        );
    }

    /// Drops what the index does not keep, for comparing.
    fn keep_matched(a: &mut ParcelAttrs) {
        let kept = ParcelAttrs {
            code: std::mem::take(&mut a.code),
            park: a.park.take(),
            land_use: std::mem::take(&mut a.land_use),
            status: a.status,
            status_given: a.status_given,
            price_per_mu_wan: a.price_per_mu_wan,
            power_kva: a.power_kva,
            water_m3_per_day: a.water_m3_per_day,
            gas: a.gas,
            steam: a.steam,
            road_access: a.road_access,
            sewage_class: a.sewage_class.take(),
            investment_intensity_min_wan_per_mu: a.investment_intensity_min_wan_per_mu,
            tax_per_mu_min_wan: a.tax_per_mu_min_wan,
            output_per_mu_min_wan: a.output_per_mu_min_wan,
            allowed_industries: std::mem::take(&mut a.allowed_industries),
            assessments: std::mem::take(&mut a.assessments),
            ..Default::default()
        };
        *a = kept;
    }

    /// Hard constraints, the funnel, scores and the best `k`. `saved(assessments)` gives
    /// what a set of regional assessments saves the project; it is asked once per
    /// distinct set among the survivors.
    pub fn query(
        &self,
        q: &Query,
        mut saved: impl FnMut(&[String]) -> Saving,
        lang: Lang,
    ) -> IndexRanking {
        let needs = q.needs;
        let n = self.len();

        // What each interned value means for this query, worked out once.
        let park_ok: Vec<bool> = self
            .c
            .parks
            .values
            .iter()
            .map(|p| {
                needs.preferred_parks.is_empty()
                    || p.as_ref()
                        .is_some_and(|p| needs.preferred_parks.contains(p))
            })
            .collect();
        let industry_ok: Vec<bool> = self
            .c
            .industry_sets
            .values
            .iter()
            .map(|allowed| {
                allowed.is_empty()
                    || q.industry.is_some_and(|i| {
                        allowed
                            .iter()
                            .filter_map(|p| IndustryCode::parse(p).ok())
                            .any(|p| i.is_under(&p))
                    })
            })
            .collect();
        let rank = |c: &str| SEWAGE_CLASSES.iter().position(|x| *x == c);
        let sewage_ok: Vec<bool> = self
            .c
            .sewages
            .values
            .iter()
            .map(|accepted| match &needs.sewage_class {
                None => true,
                Some(s) => match (rank(s), accepted.as_deref().and_then(rank)) {
                    (Some(n), Some(a)) => n <= a,
                    _ => false,
                },
            })
            .collect();
        let need = |v: Option<f64>| v.unwrap_or(f64::NAN);
        let (investment, tax, output) = (
            need(needs.investment_wan),
            need(needs.annual_tax_wan),
            need(needs.annual_output_wan),
        );
        let (power, water, budget) = (
            need(needs.power_kva),
            need(needs.water_m3_per_day),
            need(needs.budget_per_mu_wan),
        );
        let wanted = (needs.gas as u8 * GAS) | (needs.steam as u8 * STEAM);

        // The constraints decided by a parcel's class, once per class: the first it fails
        // in funnel order (0 = none).
        let by_class: Vec<u8> = self
            .c
            .classes
            .values
            .iter()
            .map(|c| {
                if !park_ok[c.park as usize] {
                    1
                } else if !industry_ok[c.industries as usize] {
                    2
                } else if wanted & !c.flags & GAS != 0 {
                    9
                } else if wanted & !c.flags & STEAM != 0 {
                    10
                } else if !sewage_ok[c.sewage as usize] {
                    11
                } else {
                    0
                }
            })
            .collect();

        // The first constraint a row of a class that passes park and industry fails, in
        // funnel order (0 = none). Every test is worked out and the first failure picked
        // from a bit mask: parcels pass and fail at random, and a branch on each would be
        // mispredicted half the time.
        let first_failed = |r: usize, class_stage: u8| -> usize {
            let unavailable = self.status[r] != ParcelStatus::Available
                && (q.own.is_empty() || !q.own.contains(&self.c.id[r]));
            let area = self.c.area[r].max(f64::MIN_POSITIVE);
            // A minimum the parcel sets, which the project's per-mu figure must reach. The
            // exact test is `have / area < min`, as `exclusions` has it; a product decides
            // it unless the two sides are within a billionth of each other (a division costs
            // several times a product).
            let short = |min: f64, have: f64| {
                if min.is_nan() {
                    return false;
                }
                // A figure the project does not give sets no limit.
                if have.is_nan() {
                    return false;
                }
                let bar = min * area;
                let margin = bar.abs() * 1e-9 + 1e-300;
                if have < bar - margin {
                    true
                } else if have > bar + margin {
                    false
                } else {
                    have / area < min
                }
            };
            // A supply the project needs, which the parcel must have.
            let lacks = |need: f64, have: f64| !need.is_nan() & (have.is_nan() | (have < need));
            let price = self.c.price[r];
            let mask = (u32::from(class_stage != 0) << class_stage)
                | (u32::from(unavailable) << 3)
                | (u32::from(short(self.c.investment[r], investment)) << 4)
                | (u32::from(short(self.c.tax[r], tax)) << 5)
                | (u32::from(short(self.c.output[r], output)) << 6)
                | (u32::from(lacks(power, self.c.power[r])) << 7)
                | (u32::from(lacks(water, self.c.water[r])) << 8)
                | (u32::from(!budget.is_nan() & !price.is_nan() & (price > budget)) << 12);
            if mask == 0 {
                0
            } else {
                mask.trailing_zeros() as usize
            }
        };

        // Each class's run of rows in the area range (by binary search), in pieces of at
        // most CHUNK rows for the threads; a class that fails park or industry is counted
        // whole, without reading its rows.
        const CHUNK: usize = 16 * 1024;
        let mut counts = [0usize; FUNNEL.len()];
        let mut pieces = Vec::new();
        for &(class, start, end) in &self.c.runs {
            let (start, end) = (start as usize, end as usize);
            let run = &self.c.area[start..end];
            let lo = start + run.partition_point(|a| *a < needs.area_mu_min);
            let hi = (start + run.partition_point(|a| *a <= needs.area_mu_max)).max(lo);
            counts[0] += (end - start) - (hi - lo);
            let stage = by_class[class as usize];
            if stage == 1 || stage == 2 {
                counts[stage as usize] += hi - lo;
                continue;
            }
            let mut at = lo;
            while at < hi {
                let to = (at + CHUNK).min(hi);
                pieces.push((at, to, stage));
                at = to;
            }
        }
        let (eligible, scanned) = pieces
            .par_iter()
            .map(|&(from, to, stage)| {
                let mut rows = Vec::new();
                let mut counts = [0usize; FUNNEL.len()];
                for r in from..to {
                    let f = first_failed(r, stage);
                    counts[f] += 1;
                    if f == 0 {
                        rows.push(r as u32);
                    }
                }
                (rows, counts)
            })
            .reduce(
                || (Vec::new(), [0usize; FUNNEL.len()]),
                |mut a, b| {
                    a.0.extend(b.0);
                    for (x, y) in a.1.iter_mut().zip(b.1) {
                        *x += y;
                    }
                    a
                },
            );
        for (x, y) in counts.iter_mut().zip(scanned).skip(1) {
            *x += y;
        }

        // What each set of assessments among the survivors saves, asked once per set.
        let mut savings: Vec<Option<Saving>> = vec![None; self.c.assessment_sets.values.len()];
        for r in &eligible {
            let s = self.c.assessments[*r as usize] as usize;
            if savings[s].is_none() {
                savings[s] = Some(saved(&self.c.assessment_sets.values[s]));
            }
        }
        let value: Vec<f64> = savings
            .iter()
            .map(|s| s.as_ref().map_or(0.0, assessment_value))
            .collect();

        let shares = shares(q.weights);
        let mut scored: Vec<(f64, i64, u32)> = eligible
            .par_iter()
            .map(|r| {
                let i = *r as usize;
                let f = Figures {
                    area_mu: self.c.area[i],
                    centroid: (self.c.lon[i], self.c.lat[i]),
                    investment_intensity_min: some(self.c.investment[i]),
                    tax_per_mu_min: some(self.c.tax[i]),
                    output_per_mu_min: some(self.c.output[i]),
                    power_kva: some(self.c.power[i]),
                    water_m3_per_day: some(self.c.water[i]),
                    gas: self.c.flags[i] & GAS != 0,
                    steam: self.c.flags[i] & STEAM != 0,
                    road_access: self.c.flags[i] & ROAD != 0,
                    price_per_mu_wan: some(self.c.price[i]),
                };
                let [v0, v1, v2, v3, v4] = values(needs, &f);
                let v = [v0, v1, v2, v3, v4, value[self.c.assessments[i] as usize]];
                (total(&shares, &v), self.c.id[i], *r)
            })
            .collect();
        let best =
            |a: &(f64, i64, u32), b: &(f64, i64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let k = q.k.min(scored.len());
        if k > 0 && k < scored.len() {
            scored.select_nth_unstable_by(k - 1, best);
        }
        scored.truncate(k);
        scored.sort_by(best);

        let top = scored
            .iter()
            .map(|(_, id, r)| {
                let (attrs, area_mu, centroid) = self.row(*r as usize);
                let s = self.c.assessments[*r as usize] as usize;
                let saving = savings[s].clone().unwrap_or_default();
                score(
                    needs,
                    q.weights,
                    &Candidate {
                        id: *id,
                        attrs: &attrs,
                        area_mu,
                        centroid,
                        own: q.own.contains(id),
                    },
                    &mut |_: &[String]| saving.clone(),
                    lang,
                )
            })
            .collect();
        let mut funnel = Vec::with_capacity(FUNNEL.len());
        let mut left = n;
        for (i, constraint) in FUNNEL.iter().enumerate() {
            let excluded = counts[i];
            left -= excluded;
            funnel.push(Stage {
                constraint,
                excluded,
                left,
            });
        }

        let excluded = if q.explain == 0 {
            Vec::new()
        } else {
            // The lowest ids first, walking the rows in id order past the survivors.
            let eligible: std::collections::HashSet<u32> = eligible.iter().copied().collect();
            let ids: Vec<(i64, u32)> = self
                .c
                .by_id_order
                .iter()
                .filter(|r| !eligible.contains(r))
                .take(q.explain)
                .map(|r| (self.c.id[*r as usize], *r))
                .collect();
            ids.into_iter()
                .map(|(id, r)| {
                    let (attrs, area_mu, centroid) = self.row(r as usize);
                    let c = Candidate {
                        id,
                        attrs: &attrs,
                        area_mu,
                        centroid,
                        own: q.own.contains(&id),
                    };
                    (id, exclusions(needs, q.industry, &c))
                })
                .collect()
        };
        debug_assert_eq!(COMPONENTS.len(), 6);
        IndexRanking {
            top,
            considered: n,
            eligible: eligible_len(&funnel),
            funnel,
            excluded,
        }
    }
}

fn eligible_len(funnel: &[Stage]) -> usize {
    funnel.last().map_or(0, |s| s.left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::matching::{Partner, rank};
    use proptest::prelude::*;

    fn attrs_strategy() -> impl Strategy<Value = (ParcelAttrs, f64, (f64, f64))> {
        // Supplies mostly given; per-mu minimums seldom, so that most parcels survive.
        let opt = |lo: f64, hi: f64| proptest::option::weighted(0.8, lo..hi);
        let min = |lo: f64, hi: f64| proptest::option::weighted(0.15, lo..hi);
        (
            (
                1.0f64..400.0,
                0usize..8,
                proptest::option::of(0usize..3),
                0usize..8,
                opt(0.0, 80.0),
                opt(0.0, 20_000.0),
                opt(0.0, 3_000.0),
            ),
            (
                any::<(bool, bool, bool)>(),
                proptest::option::of(0usize..3),
                min(50.0, 500.0),
                min(5.0, 60.0),
                min(100.0, 2_000.0),
                0usize..4,
                proptest::collection::vec(0usize..4, 0..3),
                (120.3f64..120.6, 36.2f64..36.5),
            ),
        )
            .prop_map(
                |(
                    (area, status, park, industry, price, power, water),
                    ((gas, steam, road), sewage, inv, tax, out, land, assess, c),
                )| {
                    let industries = [
                        vec![],
                        vec!["C27".to_string()],
                        vec!["C35".into()],
                        vec!["C2761".into(), "C358".into()],
                    ];
                    let kinds = ["flood", "soil_water", "energy", "seismic"];
                    let mut assessments: Vec<String> =
                        assess.iter().map(|i| kinds[*i].to_string()).collect();
                    assessments.dedup();
                    let a = ParcelAttrs {
                        code: String::new(),
                        park: park.map(|p| format!("park-{p}")),
                        land_use: ["industrial", "research", "warehouse", "mixed"][land].into(),
                        status: ParcelStatus::ALL[status.min(4) % 4],
                        status_given: true,
                        price_per_mu_wan: price,
                        power_kva: power,
                        water_m3_per_day: water,
                        gas,
                        steam,
                        road_access: road,
                        sewage_class: sewage.map(|s| SEWAGE_CLASSES[s].to_string()),
                        investment_intensity_min_wan_per_mu: inv,
                        tax_per_mu_min_wan: tax,
                        output_per_mu_min_wan: out,
                        allowed_industries: industries[industry % 4 * usize::from(industry < 4)]
                            .clone(),
                        assessments,
                        ..Default::default()
                    };
                    (a, (area * 10.0).round() / 10.0, c)
                },
            )
    }

    fn needs_strategy() -> impl Strategy<Value = LandNeeds> {
        // Few constraints at a time, so that most queries leave survivors to rank.
        let opt = |lo: f64, hi: f64| proptest::option::weighted(0.2, lo..hi);
        (
            (
                1.0f64..200.0,
                0.0f64..200.0,
                proptest::option::of(0usize..3),
                opt(0.0, 100_000.0),
                opt(0.0, 10_000.0),
                opt(0.0, 200_000.0),
            ),
            (
                opt(0.0, 15_000.0),
                opt(0.0, 2_500.0),
                any::<(bool, bool)>(),
                proptest::option::of(0usize..3),
                opt(1.0, 80.0),
                proptest::collection::vec(0usize..4, 0..2),
                any::<bool>(),
            ),
        )
            .prop_map(
                |(
                    (min, span, industry, inv, tax, out),
                    (power, water, (gas, steam), sewage, budget, parks, partner),
                )| LandNeeds {
                    area_mu_min: min,
                    area_mu_max: min + span,
                    industry: industry.map(|i| ["C2761", "C3586", "C4011"][i].to_string()),
                    investment_wan: inv,
                    annual_tax_wan: tax,
                    annual_output_wan: out,
                    power_kva: power,
                    water_m3_per_day: water,
                    gas,
                    steam,
                    sewage_class: sewage.map(|s| SEWAGE_CLASSES[s].to_string()),
                    budget_per_mu_wan: budget,
                    preferred_parks: parks.iter().map(|p| format!("park-{p}")).collect(),
                    partners: if partner {
                        vec![Partner {
                            name: "partner".into(),
                            lon: 120.45,
                            lat: 36.35,
                        }]
                    } else {
                        Vec::new()
                    },
                    ..Default::default()
                },
            )
    }

    fn saving(a: &[String]) -> Saving {
        Saving {
            start_days: a.iter().filter(|x| *x == "flood").count() as f64 * 3.0,
            workload_days: a.len() as f64 * 5.0,
            waived: a.to_vec(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The index answers what the plain matcher answers on the same parcels.
        #[test]
        fn the_index_answers_as_the_matcher(
            parcels in proptest::collection::vec(attrs_strategy(), 0..60),
            needs in needs_strategy(),
            k in 0usize..8,
            own in proptest::option::of(0i64..60),
        ) {
            let industry = needs.check().unwrap();
            let candidates: Vec<Candidate> = parcels
                .iter()
                .enumerate()
                .map(|(i, (a, mu, c))| Candidate { id: i as i64 + 1, attrs: a, area_mu: *mu, centroid: *c, own: own == Some(i as i64 + 1) })
                .collect();
            let plain = rank(&needs, industry.as_ref(), &Weights::default(), candidates.clone(), k, saving, Lang::En);
            let index = Index::build(candidates.iter().cloned());
            let own: Vec<i64> = own.into_iter().collect();
            let q = Query { needs: &needs, industry: industry.as_ref(), weights: &Weights::default(), k, own: &own, explain: usize::MAX };
            let r = index.query(&q, saving, Lang::En);

            prop_assert_eq!(r.eligible, plain.eligible);
            prop_assert_eq!(r.considered, parcels.len());
            prop_assert_eq!(&r.top, &plain.top);
            let mut excluded = plain.excluded.clone();
            excluded.sort_by_key(|e| e.0);
            prop_assert_eq!(&r.excluded, &excluded);
            let removed: usize = r.funnel.iter().map(|s| s.excluded).sum();
            prop_assert_eq!(removed, plain.excluded.len());
            // Each parcel is counted at the first constraint it fails.
            let mut first = [0usize; FUNNEL.len()];
            for (_, why) in &excluded {
                let at = why
                    .iter()
                    .map(|e| {
                        let v = serde_json::to_value(e).unwrap();
                        FUNNEL.iter().position(|f| v["constraint"] == *f).unwrap()
                    })
                    .min()
                    .unwrap();
                first[at] += 1;
            }
            let counted: Vec<usize> = r.funnel.iter().map(|s| s.excluded).collect();
            prop_assert_eq!(counted, first.to_vec());
        }

        /// A status change made in place answers as a rebuilt index.
        #[test]
        fn updates_answer_as_a_rebuild(
            parcels in proptest::collection::vec(attrs_strategy(), 1..40),
            changes in proptest::collection::vec((0usize..40, attrs_strategy(), any::<bool>()), 0..6),
            needs in needs_strategy(),
        ) {
            let industry = needs.check().unwrap();
            let mut all: Vec<(i64, ParcelAttrs, f64, (f64, f64))> = parcels.iter().enumerate().map(|(i, (a, mu, c))| (i as i64 + 1, a.clone(), *mu, *c)).collect();
            let mut index = Index::build(all.iter().map(|(id, a, mu, c)| Candidate { id: *id, attrs: a, area_mu: *mu, centroid: *c, own: false }));
            let mut changed = Vec::new();
            for (i, (a, mu, c), status_only) in changes {
                if status_only && i < all.len() {
                    all[i].1.status = a.status;
                    changed.push(all[i].clone());
                } else {
                    let id = i as i64 + 1;
                    match all.iter_mut().find(|p| p.0 == id) {
                        Some(p) => *p = (id, a.clone(), mu, c),
                        None => all.push((id, a.clone(), mu, c)),
                    }
                    changed.push((id, a, mu, c));
                }
            }
            index.update(changed.iter().map(|(id, a, mu, c)| Candidate { id: *id, attrs: a, area_mu: *mu, centroid: *c, own: false }));
            let fresh = Index::build(all.iter().map(|(id, a, mu, c)| Candidate { id: *id, attrs: a, area_mu: *mu, centroid: *c, own: false }));
            let q = Query { needs: &needs, industry: industry.as_ref(), weights: &Weights::default(), k: 5, own: &[], explain: usize::MAX };
            prop_assert_eq!(index.query(&q, saving, Lang::En), fresh.query(&q, saving, Lang::En));
            prop_assert_eq!(index.len(), all.len());
        }
    }

    /// At the very edge of a per-mu minimum the index decides as the plain matcher.
    #[test]
    fn per_mu_edges_decide_as_the_matcher() {
        for (area, min) in [(7.3, 250.0), (1.0 / 3.0, 25.0), (120.7, 0.1), (33.0, 0.0)] {
            let a = ParcelAttrs {
                investment_intensity_min_wan_per_mu: Some(min),
                ..Default::default()
            };
            let c = Candidate {
                id: 1,
                attrs: &a,
                area_mu: area,
                centroid: (120.4, 36.3),
                own: false,
            };
            let index = Index::build([c.clone()]);
            let edge: f64 = min * area;
            let mut have = edge;
            for _ in 0..4 {
                have = f64::from_bits(have.to_bits().saturating_sub(1));
            }
            for _ in 0..9 {
                let needs = LandNeeds {
                    area_mu_min: 0.01,
                    area_mu_max: 1000.0,
                    investment_wan: Some(have),
                    ..Default::default()
                };
                let plain = rank(
                    &needs,
                    None,
                    &Weights::default(),
                    [c.clone()],
                    1,
                    saving,
                    Lang::En,
                );
                let q = Query {
                    needs: &needs,
                    industry: None,
                    weights: &Weights::default(),
                    k: 1,
                    own: &[],
                    explain: 1,
                };
                let r = index.query(&q, saving, Lang::En);
                assert_eq!(
                    (r.eligible, &r.top),
                    (plain.eligible, &plain.top),
                    "area {area}, min {min}, have {have}"
                );
                have = f64::from_bits(have.to_bits() + 1);
            }
        }
    }

    #[test]
    fn the_funnel_reads_in_order_and_a_parcel_reads_back() {
        let a = ParcelAttrs {
            code: "GX-1".into(),
            park: Some("biomed".into()),
            land_use: "industrial".into(),
            power_kva: Some(5_000.0),
            assessments: vec!["flood".into()],
            ..Default::default()
        };
        let mut b = a.clone();
        b.code = "GX-2".into();
        b.status = ParcelStatus::Reserved;
        let index = Index::build([
            Candidate {
                id: 7,
                attrs: &a,
                area_mu: 100.0,
                centroid: (120.4, 36.3),
                own: false,
            },
            Candidate {
                id: 8,
                attrs: &b,
                area_mu: 50.0,
                centroid: (120.4, 36.3),
                own: false,
            },
        ]);
        let (got, mu, _) = index.get(7).unwrap();
        assert_eq!(
            (got.code.as_str(), got.power_kva, mu),
            ("GX-1", Some(5_000.0), 100.0)
        );
        let needs = LandNeeds {
            area_mu_min: 40.0,
            area_mu_max: 120.0,
            ..Default::default()
        };
        let q = Query {
            needs: &needs,
            industry: None,
            weights: &Weights::default(),
            k: 5,
            own: &[],
            explain: 0,
        };
        let r = index.query(&q, saving, Lang::En);
        assert_eq!(r.top.iter().map(|s| s.id).collect::<Vec<_>>(), vec![7]);
        assert_eq!(
            (
                r.funnel[0].excluded,
                r.funnel[3].constraint,
                r.funnel[3].excluded,
                r.eligible
            ),
            (0, "not_available", 1, 1)
        );
        assert!(r.excluded.is_empty());
        // The phase's own reserved parcel is no bar to it.
        let q = Query { own: &[8], ..q };
        assert_eq!(index.query(&q, saving, Lang::En).eligible, 2);
    }
}
