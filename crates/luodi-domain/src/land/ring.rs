//! Simplicity of polygon rings (OGC sense) in O(n log n).
//!
//! This module owns one question: does a closed ring touch or cross itself
//! anywhere except where consecutive segments meet at their shared vertex?
//! It replaces geo 0.33's `linestring_has_self_intersection`, which tests
//! every pair of segments (11 s for a 35,000-vertex ring) and skips every
//! pair that shares an endpoint, so it never looks at the fold of a "spike"
//! (consecutive segments running back over each other) itself. (It still
//! catches a spike in a ring of four or more distinct vertices through the
//! contact the spike's tip then makes with a non-adjacent segment, but not a
//! collinear `A, B, A'` ring.) Here the decision is
//! made by a Shamos–Hoey sweep (the decision form of Bentley–Ottmann) that
//! stops at the first improper contact. Every geometric decision is an exact
//! sign: `robust::orient2d` for orientation and plain comparison of f64
//! coordinates for order along the sweep, so there is no epsilon anywhere and
//! touching, collinear and vertical cases are decided exactly (barring
//! overflow or underflow inside `orient2d`, i.e. coordinates beyond about
//! 1e150 in magnitude or differences below about 1e-140).
//!
//! Definitions used throughout:
//! * The ring is read cyclically: segment `i` runs from `ring[i]` to
//!   `ring[(i + 1) % ring.len()]`. For a closed ring (first == last) the last
//!   such segment has zero length; an unclosed ring is thus treated as
//!   implicitly closed, the closing segment having index `len - 1`.
//! * Zero-length segments (consecutive equal points, including first == last)
//!   are skipped: a run of equal consecutive points is one vertex. Adjacency
//!   is decided after that skipping, so `A, B, B, C` has adjacent segments
//!   `A→B` and `B→C`. Reported indices are always those of non-zero segments.
//! * Two non-adjacent segments are improper if they share any point at all.
//!   Two adjacent segments are improper if they share more than their common
//!   vertex, which (since two distinct lines meet at most once) happens only
//!   when they are collinear and the second folds back over the first.
//!
//! Note: `0.0` and `-0.0` are the same coordinate here, as under `==`.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::ops::Bound::{Excluded, Unbounded};

/// A coordinate pair `(x, y)`.
pub type Point = (f64, f64);

/// Finds two segments of `ring` that make it non-simple.
///
/// Returns `Some((i, j))` with `i < j`, the indices of two segments (segment
/// `i` runs from `ring[i]` to `ring[(i + 1) % ring.len()]`) that touch or
/// cross improperly, or `None` if the ring is simple. Which pair is reported
/// when there are several is unspecified (it is one near the leftmost bad
/// point).
///
/// Degenerate input never panics:
/// * a ring with no non-zero segment (empty, a single point repeated) is
///   `None`: there is nothing to intersect, and "too few points" is the
///   caller's check;
/// * a ring with exactly two distinct consecutive vertices (`A, B, A`) is
///   `Some` of its two segments, which lie on top of each other;
/// * a ring containing a NaN or infinite coordinate is `None`: no sign can be
///   decided for it, and geo's validation reports non-finite coordinates as
///   their own error, which the caller must check first.
///
/// Runs in O(n log n) time and O(n) memory in the worst case.
pub fn ring_self_intersection(ring: &[Point]) -> Option<(usize, usize)> {
    if ring.iter().any(|p| !(p.0.is_finite() && p.1.is_finite())) {
        return None;
    }
    let len = ring.len();
    // After skipping zero-length segments, `verts[k]` starts the k-th
    // remaining segment and `seg_index[k]` is that segment's index in `ring`
    // (its end is `ring[seg_index[k] + 1]`, which equals `verts[k + 1]`).
    let mut verts = Vec::with_capacity(len);
    let mut seg_index = Vec::with_capacity(len);
    for i in 0..len {
        if !same(ring[i], ring[(i + 1) % len]) {
            verts.push(ring[i]);
            seg_index.push(i);
        }
    }
    let report = |a: usize, b: usize| {
        let (i, j) = (seg_index[a], seg_index[b]);
        (i.min(j), i.max(j))
    };
    let n = verts.len();
    // One non-zero segment cannot occur (a ring that leaves a point must come
    // back), so n < 2 means "all points equal".
    if n < 2 {
        return None;
    }
    if n == 2 {
        return Some(report(0, 1));
    }

    // Vertices in sweep order. Sorting them first also settles every contact
    // at a repeated vertex: after skipping zero-length segments, two equal
    // vertices k != m are never cyclically consecutive, so segments k and m
    // (both starting there) are non-adjacent and touch. Once this is ruled
    // out, every vertex is the endpoint of exactly two segments, which is what
    // keeps the sweep below free of the usual many-segments-at-one-point
    // bookkeeping.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| cmp_pt(verts[a], verts[b]));
    if let Some(w) = order.windows(2).find(|w| same(verts[w[0]], verts[w[1]])) {
        return Some(report(w[0], w[1]));
    }
    sweep(&verts, &order).map(|(a, b)| report(a, b))
}

/// The Shamos–Hoey sweep over a ring whose vertices are pairwise distinct.
///
/// The sweep line visits vertices in lexicographic (x, then y) order, which is
/// the same as sweeping with a line rotated by an infinitesimal angle: a
/// vertical segment is then an ordinary segment whose "left" end is its lower
/// one, and "above" means "to the left of the segment directed left to right"
/// for every segment alike.
///
/// Why it is correct (sketch). Let p be the sweep-first point at which some
/// improper pair meets. Before the sweep reaches p, active segments do not
/// meet in the open strip the sweep has covered, so their vertical order is
/// fixed and `Seg`'s ordering (which compares two segments at the later of
/// their left endpoints) agrees with it: the `BTreeSet` is a faithful
/// ordered list. Segments that contain p and were active just before it are
/// contiguous in that order; if there are two or more, some neighbouring pair
/// among them is improper (the only proper pair containing p is the two
/// segments of vertex p), and every neighbouring pair was tested when it became
/// neighbouring. Otherwise at most one active segment c passes through p, and
/// the improper pair involves a segment starting at p: either it touches c
/// (every other active segment is strictly above or below p, so wherever the
/// tie with c is broken the newcomer lands next to c and is tested), or both
/// segments of vertex p start there collinearly (then nothing can lie between
/// them and they are tested as neighbours). Removals at a point are done
/// before insertions so that a segment ending at p and one starting there
/// (the proper case) are never compared.
fn sweep(verts: &[Point], order: &[usize]) -> Option<(usize, usize)> {
    let n = verts.len();
    let mut active: BTreeSet<Seg> = BTreeSet::new();
    for &v in order {
        let p = verts[v];
        let incident = [Seg::new(verts, (v + n - 1) % n), Seg::new(verts, v)];
        for s in incident.iter().filter(|s| same(s.right, p)) {
            let below = active.range(..*s).next_back().copied();
            let above = active.range((Excluded(*s), Unbounded)).next().copied();
            let removed = active.remove(s);
            // Only an error in the correctness argument above could make the
            // order inconsistent; tests run in debug mode to catch that.
            debug_assert!(removed, "sweep order lost segment {}", s.id);
            if let (Some(b), Some(a)) = (below, above)
                && improper(verts, b.id, a.id)
            {
                return Some((b.id, a.id));
            }
        }
        for s in incident.iter().filter(|s| same(s.left, p)) {
            active.insert(*s);
            let below = active.range(..*s).next_back();
            let above = active.range((Excluded(*s), Unbounded)).next();
            for other in [below, above].into_iter().flatten() {
                if improper(verts, s.id, other.id) {
                    return Some((s.id, other.id));
                }
            }
        }
    }
    None
}

/// A segment as stored in the sweep structure, with its endpoints ordered
/// along the sweep (`left` < `right` lexicographically).
#[derive(Clone, Copy, Debug)]
struct Seg {
    left: Point,
    right: Point,
    /// Index into the de-duplicated vertex list; also makes keys unique.
    id: usize,
}

impl Seg {
    fn new(verts: &[Point], id: usize) -> Seg {
        let (a, b) = (verts[id], verts[(id + 1) % verts.len()]);
        if cmp_pt(a, b) == Ordering::Less {
            Seg {
                left: a,
                right: b,
                id,
            }
        } else {
            Seg {
                left: b,
                right: a,
                id,
            }
        }
    }
}

/// Where `t` lies relative to `s`, given `s.left <= t.left`: `Less` if `s` is
/// below `t`. It is judged at `t.left`, where both are present; if `t.left`
/// is on `s`'s line (only possible when they touch there, or share their left
/// end) `t.right` decides; if both are on it the segments overlap and any
/// fixed answer will do, as the sweep tests them as neighbours anyway.
fn below(s: &Seg, t: &Seg) -> Ordering {
    let mut side = orient(s.left, s.right, t.left);
    if side == Ordering::Equal {
        side = orient(s.left, s.right, t.right);
    }
    match side {
        Ordering::Greater => Ordering::Less,
        Ordering::Less => Ordering::Greater,
        Ordering::Equal => s.id.cmp(&t.id),
    }
}

// The order is only a total order on sets of segments that do not meet
// improperly, which is all the sweep ever holds (see `sweep`). It is made
// antisymmetric by construction (always judged from the segment that starts
// first), so even a misplaced key cannot make `BTreeSet` see a contradiction
// between `a < b` and `b < a`.
impl Ord for Seg {
    fn cmp(&self, other: &Seg) -> Ordering {
        if self.id == other.id {
            Ordering::Equal
        } else if cmp_pt(self.left, other.left) != Ordering::Greater {
            below(self, other)
        } else {
            below(other, self).reverse()
        }
    }
}

impl PartialOrd for Seg {
    fn partial_cmp(&self, other: &Seg) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Seg {
    fn eq(&self, other: &Seg) -> bool {
        self.id == other.id
    }
}

impl Eq for Seg {}

/// Whether de-duplicated segments `a != b` meet improperly (see the module
/// comment). Needs at least 3 vertices, so that adjacency is one-sided.
fn improper(verts: &[Point], a: usize, b: usize) -> bool {
    let n = verts.len();
    let (a0, a1) = (verts[a], verts[(a + 1) % n]);
    let (b0, b1) = (verts[b], verts[(b + 1) % n]);
    if (a + 1) % n == b {
        folds_back(a0, a1, b1)
    } else if (b + 1) % n == a {
        folds_back(b0, b1, a1)
    } else {
        segments_meet(a0, a1, b0, b1)
    }
}

/// For consecutive segments u→v→w: whether they share more than v, i.e. w
/// lies on u's line on the same side of v as u. On a line, "same side of v"
/// is the same lexicographic relation to v, which avoids an inexact dot
/// product.
fn folds_back(u: Point, v: Point, w: Point) -> bool {
    orient(u, v, w) == Ordering::Equal && cmp_pt(u, v) == cmp_pt(w, v)
}

/// Whether closed segments p1p2 and q1q2 share at least one point.
fn segments_meet(p1: Point, p2: Point, q1: Point, q2: Point) -> bool {
    let d1 = orient(p1, p2, q1);
    let d2 = orient(p1, p2, q2);
    let d3 = orient(q1, q2, p1);
    let d4 = orient(q1, q2, p2);
    let strictly_opposite = |x: Ordering, y: Ordering| x != Ordering::Equal && x == y.reverse();
    if strictly_opposite(d1, d2) && strictly_opposite(d3, d4) {
        return true;
    }
    // Any remaining contact puts an endpoint of one segment on the other.
    (d1 == Ordering::Equal && within(p1, p2, q1))
        || (d2 == Ordering::Equal && within(p1, p2, q2))
        || (d3 == Ordering::Equal && within(q1, q2, p1))
        || (d4 == Ordering::Equal && within(q1, q2, p2))
}

/// For c collinear with a and b: whether c lies on the closed segment ab.
/// Points of a line are ordered along it lexicographically.
fn within(a: Point, b: Point, c: Point) -> bool {
    let (lo, hi) = if cmp_pt(a, b) == Ordering::Greater {
        (b, a)
    } else {
        (a, b)
    };
    cmp_pt(lo, c) != Ordering::Greater && cmp_pt(c, hi) != Ordering::Greater
}

/// Exact sign of the orientation of c relative to the directed line a→b:
/// `Greater` if c is to the left (counter-clockwise), `Equal` if collinear.
fn orient(a: Point, b: Point, c: Point) -> Ordering {
    let coord = |p: Point| robust::Coord { x: p.0, y: p.1 };
    let det = robust::orient2d(coord(a), coord(b), coord(c));
    // Coordinates are finite (checked on entry), so det is never NaN.
    det.partial_cmp(&0.0).unwrap_or(Ordering::Equal)
}

/// Sweep order: by x, then by y. `-0.0` equals `0.0`, as under `==`.
fn cmp_pt(a: Point, b: Point) -> Ordering {
    let by = |u: f64, v: f64| u.partial_cmp(&v).unwrap_or(Ordering::Equal);
    by(a.0, b.0).then_with(|| by(a.1, b.1))
}

fn same(a: Point, b: Point) -> bool {
    a.0 == b.0 && a.1 == b.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::f64::consts::PI;

    fn wide(v: &[(i64, i64)]) -> Vec<IPt> {
        v.iter().map(|&(x, y)| (x.into(), y.into())).collect()
    }

    fn pts(v: &[(i64, i64)]) -> Vec<Point> {
        v.iter().map(|&(x, y)| (x as f64, y as f64)).collect()
    }

    fn closed(v: &[(i64, i64)]) -> Vec<Point> {
        let mut r = pts(v);
        r.push(r[0]);
        r
    }

    fn close(mut r: Vec<Point>) -> Vec<Point> {
        r.push(r[0]);
        r
    }

    // ---- brute-force reference: all pairs, exact integer arithmetic ----
    //
    // Written independently of the module's predicates: segment contact by
    // Cramer's rule and projections, "folds back" by a dot product. i128 so
    // that f64 coordinates can be fed in exactly too (see `exact_int`).

    type IPt = (i128, i128);
    /// A non-zero segment of the cyclic ring: (index in ring, start, end).
    type RefSeg = (usize, IPt, IPt);

    fn ref_segments(ring: &[IPt]) -> Vec<RefSeg> {
        let len = ring.len();
        (0..len)
            .filter_map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % len]);
                (a != b).then_some((i, a, b))
            })
            .collect()
    }

    fn sub(a: IPt, b: IPt) -> IPt {
        (a.0 - b.0, a.1 - b.1)
    }
    fn cross(a: IPt, b: IPt) -> i128 {
        a.0 * b.1 - a.1 * b.0
    }
    fn dot(a: IPt, b: IPt) -> i128 {
        a.0 * b.0 + a.1 * b.1
    }

    fn ref_closed_segments_meet(p1: IPt, p2: IPt, q1: IPt, q2: IPt) -> bool {
        let d1 = sub(p2, p1);
        let d2 = sub(q2, q1);
        let r = sub(q1, p1);
        let den = cross(d1, d2);
        if den != 0 {
            // p1 + t d1 = q1 + u d2, t = cross(r, d2)/den, u = cross(r, d1)/den.
            let (mut t, mut u, mut den) = (cross(r, d2), cross(r, d1), den);
            if den < 0 {
                (t, u, den) = (-t, -u, -den);
            }
            return (0..=den).contains(&t) && (0..=den).contains(&u);
        }
        if cross(r, d1) != 0 {
            return false; // parallel, distinct lines
        }
        // Collinear: compare the projections on d1.
        let (a, b) = (dot(r, d1), dot(sub(q2, p1), d1));
        let (lo, hi) = (a.min(b), a.max(b));
        lo.max(0) <= hi.min(dot(d1, d1))
    }

    fn ref_improper(segs: &[RefSeg], a: usize, b: usize) -> bool {
        let n = segs.len();
        let adjacent = |x: usize, y: usize| (x + 1) % n == y;
        if adjacent(a, b) || adjacent(b, a) {
            let (first, second) = if adjacent(a, b) { (a, b) } else { (b, a) };
            let (u, v, w) = (segs[first].1, segs[second].1, segs[second].2);
            // With two segments each one follows the other; either way they overlap.
            return n == 2 || (cross(sub(v, u), sub(w, v)) == 0 && dot(sub(u, v), sub(w, v)) > 0);
        }
        ref_closed_segments_meet(segs[a].1, segs[a].2, segs[b].1, segs[b].2)
    }

    fn reference(ring: &[IPt]) -> bool {
        let segs = ref_segments(ring);
        (0..segs.len()).any(|a| (a + 1..segs.len()).any(|b| ref_improper(&segs, a, b)))
    }

    /// Whether ring segments i and j (indices into `ring`) are an improper pair.
    fn ref_pair_is_improper(ring: &[IPt], i: usize, j: usize) -> bool {
        let segs = ref_segments(ring);
        let pos = |k: usize| segs.iter().position(|s| s.0 == k);
        match (pos(i), pos(j)) {
            (Some(a), Some(b)) => a != b && ref_improper(&segs, a, b),
            _ => false, // a zero-length segment must never be reported
        }
    }

    // ---- hand cases ----

    #[test]
    #[rustfmt::skip]
    fn square_is_simple() {
        assert_eq!(ring_self_intersection(&closed(&[(0, 0), (4, 0), (4, 4), (0, 4)])), None);
        // Same square, clockwise and starting elsewhere.
        assert_eq!(ring_self_intersection(&closed(&[(4, 4), (4, 0), (0, 0), (0, 4)])), None);
    }

    /// Asserts that the closed ring `v` is reported non-simple, with a pair
    /// the brute-force reference agrees is improper.
    fn assert_invalid(v: &[(i64, i64)]) {
        let mut ring = v.to_vec();
        ring.push(v[0]);
        let got = ring_self_intersection(&pts(&ring));
        let (i, j) = got.unwrap_or_else(|| panic!("{v:?} reported simple"));
        assert!(
            i < j && ref_pair_is_improper(&wide(&ring), i, j),
            "{v:?}: bad witness {got:?}"
        );
    }

    #[test]
    fn bow_tie_crosses() {
        let r = closed(&[(0, 0), (2, 2), (2, 0), (0, 2)]);
        assert_eq!(ring_self_intersection(&r), Some((0, 2)));
    }

    #[test]
    fn figure_eight_through_shared_vertex() {
        let r = closed(&[(0, 0), (2, 2), (4, 0), (4, 4), (2, 2), (0, 4)]);
        // Both segments leaving the shared vertex (2,2).
        assert_eq!(ring_self_intersection(&r), Some((1, 4)));
    }

    #[test]
    fn spike_folding_back() {
        // (2,4)→(2,8)→(2,6): the spike's second segment runs back over the
        // first. (With 4 or more distinct vertices a spike always also makes
        // a non-adjacent contact, here (2,6) on segment 3, so either pair may
        // be reported.)
        assert_invalid(&[(0, 0), (4, 0), (4, 4), (2, 4), (2, 8), (2, 6), (0, 4)]);
        // Folding exactly back to the previous vertex repeats that vertex.
        assert_invalid(&[(0, 0), (4, 0), (4, 4), (2, 4), (2, 8), (2, 4), (0, 4)]);
        // Folding back beyond the previous vertex.
        assert_invalid(&[(0, 0), (4, 0), (4, 4), (2, 4), (2, 8), (2, 2), (0, 4)]);
        // A spike that is the whole ring: only adjacent pairs exist.
        assert_invalid(&[(0, 0), (3, 0), (1, 0)]);
    }

    #[test]
    fn spike_across_the_closing_vertex() {
        // Last segment (4,0)→(5,0) and first segment (5,0)→(0,0) overlap.
        assert_invalid(&[(5, 0), (0, 0), (0, 4), (4, 4), (4, 0)]);
        // The closing segment (3,0)→(1,0) folds back over (0,0)→(3,0).
        assert_invalid(&[(1, 0), (4, 0), (4, 4), (0, 4), (0, 0), (3, 0)]);
    }

    #[test]
    fn collinear_continuation_is_not_a_spike() {
        let r = closed(&[(0, 0), (2, 0), (4, 0), (4, 4), (0, 4), (0, 2)]);
        assert_eq!(ring_self_intersection(&r), None);
    }

    #[test]
    fn vertex_on_non_adjacent_segment() {
        let r = closed(&[(0, 0), (4, 0), (4, 4), (2, 0), (0, 4)]);
        let got = ring_self_intersection(&r);
        assert!(got == Some((0, 2)) || got == Some((0, 3)), "{got:?}");
    }

    #[test]
    #[rustfmt::skip]
    fn collinear_overlap_of_non_adjacent_segments() {
        // Segment 4, (4,0)→(2,0), lies on segment 0.
        assert_invalid(&[(0, 0), (6, 0), (6, 4), (4, 4), (4, 0), (2, 0), (2, 4), (0, 4)]);
    }

    #[test]
    #[rustfmt::skip]
    fn vertical_segments() {
        // A valid shape with several vertical segments at equal x.
        let u = closed(&[(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]);
        assert_eq!(ring_self_intersection(&u), None);
        // Two vertical segments on x = 2 overlapping from y = 1 to 3.
        assert_invalid(&[(0, 0), (2, 0), (2, 3), (4, 3), (4, 5), (2, 5), (2, 1), (0, 1)]);
        // A vertex in the interior of a vertical segment.
        assert_invalid(&[(0, 0), (2, 0), (2, 4), (1, 4), (1, 2), (2, 2), (3, 5), (0, 5)]);
        // A vertical segment crossing a horizontal one.
        assert_invalid(&[(0, 0), (4, 0), (4, 2), (1, 2), (1, 3), (2, 3), (2, 1), (0, 1)]);
        // Two vertical segments meeting end to end at a repeated vertex.
        assert_invalid(&[(0, 0), (1, 0), (1, 2), (2, 2), (2, 4), (1, 4), (1, 2), (0, 2)]);
    }

    #[test]
    fn many_vertices_on_a_circle() {
        let n = 1000;
        let ring: Vec<Point> = (0..n)
            .map(|k| {
                let a = 2.0 * PI * k as f64 / n as f64;
                (a.cos() * 100.0, a.sin() * 100.0)
            })
            .collect();
        assert_eq!(ring_self_intersection(&close(ring)), None);
    }

    fn comb(teeth: i64) -> Vec<Point> {
        let mut v = vec![(0, 0), (2 * teeth - 1, 0)];
        for i in (0..teeth).rev() {
            v.push((2 * i + 1, 5));
            v.push((2 * i, 5));
            if i > 0 {
                v.push((2 * i, 1));
                v.push((2 * i - 1, 1));
            }
        }
        closed(&v)
    }

    #[test]
    fn comb_and_zig_zag_are_simple() {
        assert_eq!(ring_self_intersection(&comb(50)), None);
        let mut zig = vec![(0, 0), (40, 0)];
        for x in (0..=40).rev() {
            zig.push((x, if x % 2 == 0 { 1 } else { 6 }));
        }
        assert_eq!(ring_self_intersection(&closed(&zig)), None);
        // A tooth tip bent down onto the base makes it invalid.
        let mut bad = zig.clone();
        bad[10].1 = 0;
        assert!(ring_self_intersection(&closed(&bad)).is_some());
    }

    fn spiral(turns: f64, step: f64) -> (Vec<Point>, Vec<Point>) {
        let k = (turns * 2.0 * PI / step) as usize;
        let arm = |r0: f64| {
            (0..=k).map(move |i| {
                let t = i as f64 * step;
                ((r0 + t) * t.cos(), (r0 + t) * t.sin())
            })
        };
        (arm(1.0).collect(), arm(0.5).collect())
    }

    #[test]
    fn spiral_is_simple_and_its_chord_is_not() {
        // A band between two Archimedean spirals 0.5 apart, turns 2π apart.
        let (outer, inner) = spiral(3.0, 0.05);
        let ring: Vec<Point> = outer
            .iter()
            .copied()
            .chain(inner.iter().rev().copied())
            .collect();
        assert_eq!(ring_self_intersection(&close(ring)), None);
        // Closing the outer arm by a straight chord cuts through every turn.
        assert!(ring_self_intersection(&close(outer)).is_some());
    }

    #[test]
    #[rustfmt::skip]
    fn repeated_points_are_one_vertex() {
        let r = pts(&[(0, 0), (0, 0), (4, 0), (4, 4), (4, 4), (4, 4), (0, 4), (0, 0), (0, 0)]);
        assert_eq!(ring_self_intersection(&r), None);
        // Indices refer to the input ring: the bow-tie's crossing segments
        // are 1 ((0,0)→(2,2)) and 4 ((2,0)→(0,2)).
        let r = pts(&[(0, 0), (0, 0), (2, 2), (2, 0), (2, 0), (0, 2), (0, 0)]);
        assert_eq!(ring_self_intersection(&r), Some((1, 4)));
    }

    #[test]
    #[rustfmt::skip]
    fn unclosed_ring_is_closed_implicitly() {
        assert_eq!(ring_self_intersection(&pts(&[(0, 0), (4, 0), (4, 4), (0, 4)])), None);
        // The implicit closing segment (index 3) crosses segment 1.
        assert_eq!(ring_self_intersection(&pts(&[(0, 0), (2, 2), (2, 0), (0, 2)])), Some((0, 2)));
    }

    #[test]
    #[rustfmt::skip]
    fn degenerate_inputs_do_not_panic() {
        assert_eq!(ring_self_intersection(&[]), None);
        assert_eq!(ring_self_intersection(&[(1.0, 1.0)]), None);
        assert_eq!(ring_self_intersection(&[(1.0, 1.0), (1.0, 1.0)]), None);
        assert_eq!(ring_self_intersection(&pts(&[(0, 0), (1, 0), (0, 0)])), Some((0, 1)));
        assert_eq!(ring_self_intersection(&pts(&[(0, 0), (1, 0)])), Some((0, 1)));
        assert_eq!(ring_self_intersection(&closed(&[(0, 0), (1, 0), (0, 1)])), None);
        // Collinear "triangle": the closing segment runs back over both.
        assert!(ring_self_intersection(&closed(&[(0, 0), (1, 0), (2, 0)])).is_some());
        let nan = [(0.0, 0.0), (f64::NAN, 1.0), (1.0, 1.0), (0.0, 0.0)];
        assert_eq!(ring_self_intersection(&nan), None);
        let inf = [(0.0, 0.0), (f64::INFINITY, 1.0), (1.0, 1.0), (0.0, 0.0)];
        assert_eq!(ring_self_intersection(&inf), None);
        // -0.0 and 0.0 are one point.
        let signed = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (-0.0, 4.0), (-0.0, -0.0)];
        assert_eq!(ring_self_intersection(&signed), None);
    }

    #[test]
    fn exact_near_touch() {
        // A vertex a hair off a long slanted edge does not touch it; exactly
        // on it (a representable point of the edge), it does.
        let edge = (
            (0.0, 0.0),
            (3.0 * (1u64 << 40) as f64, (1u64 << 40) as f64 + 1.0),
        );
        let on = (
            3.0 * (1u64 << 30) as f64,
            (1u64 << 30) as f64 + 1.0 / 1024.0,
        );
        let above = (on.0, on.1 + 1.0 / 1024.0 / 1024.0);
        let ring = |tip: Point| vec![edge.0, edge.1, (edge.1.0, 4e12), tip, (-1.0, 4e12), edge.0];
        assert_eq!(ring_self_intersection(&ring(above)), None);
        let got = ring_self_intersection(&ring(on));
        assert!(got == Some((0, 2)) || got == Some((0, 3)), "{got:?}");
    }

    // ---- property tests ----

    /// Random closed rings on a small grid: touching, collinear, vertical and
    /// repeated points happen all the time.
    fn grid_ring(
        coord: std::ops::Range<i64>,
        len: std::ops::RangeInclusive<usize>,
    ) -> impl Strategy<Value = Vec<(i64, i64)>> {
        prop::collection::vec((coord.clone(), coord), len).prop_map(|mut v| {
            v.push(v[0]);
            v
        })
    }

    /// Runs the module on `floats` and the reference on `ints`, the same ring
    /// up to an orientation- and incidence-preserving map.
    fn check_against_reference(ints: &[IPt], floats: &[Point]) -> Result<(), TestCaseError> {
        let got = ring_self_intersection(floats);
        prop_assert_eq!(
            got.is_some(),
            reference(ints),
            "ring {:?} gave {:?}",
            floats,
            got
        );
        if let Some((i, j)) = got {
            prop_assert!(
                i < j && ref_pair_is_improper(ints, i, j),
                "ring {:?}: bad witness {:?}",
                floats,
                got
            );
        }
        Ok(())
    }

    fn check_grid(
        ring: &[(i64, i64)],
        to_f64: impl Fn((i64, i64)) -> Point,
    ) -> Result<(), TestCaseError> {
        check_against_reference(
            &wide(ring),
            &ring.iter().map(|&p| to_f64(p)).collect::<Vec<_>>(),
        )
    }

    /// Every f64 in [1, 2^9) is a multiple of 2^-52, so scaling by 2^52 maps
    /// it exactly to an integer below 2^61, leaving the reference's cross
    /// products (below 2^125) room in i128.
    fn exact_int(p: Point) -> IPt {
        let scale = |v: f64| {
            assert!((1.0..512.0).contains(&v), "{v} outside the exact range");
            let w = v * 2f64.powi(52);
            assert_eq!(w.fract(), 0.0);
            w as i128
        };
        (scale(p.0), scale(p.1))
    }

    /// Rings made of a few lines' endpoints and points computed on those
    /// lines in f64 (so rounded off them by an ulp or so, or exactly on them),
    /// in random or angular order: orientation signs here are decided by the
    /// last bits, where an inexact predicate would go wrong.
    fn near_collinear_ring() -> impl Strategy<Value = Vec<Point>> {
        let coord = || 2.0f64..200.0;
        let line = ((coord(), coord()), (coord(), coord()));
        let t = prop_oneof![0.0f64..=1.0, Just(0.5), Just(0.25), Just(1.0 / 3.0)];
        (
            prop::collection::vec(line, 1..=3),
            prop::collection::vec((0usize..3, t, 0.0f64..1.0), 2..=8),
            (coord(), coord()),
            any::<bool>(),
        )
            .prop_map(|(lines, on, centre, angular)| {
                let mut keyed: Vec<(Point, f64)> = Vec::new();
                for (k, &(p, q)) in lines.iter().enumerate() {
                    keyed.push((p, k as f64 / 3.0));
                    keyed.push((q, 1.0 - k as f64 / 3.0));
                }
                for &(k, t, key) in &on {
                    let (p, q) = lines[k % lines.len()];
                    keyed.push(((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)), key));
                }
                if angular {
                    for (pt, key) in keyed.iter_mut() {
                        *key = (pt.1 - centre.1).atan2(pt.0 - centre.0);
                    }
                }
                keyed.sort_by(|a, b| a.1.total_cmp(&b.1));
                close(keyed.into_iter().map(|(pt, _)| pt).collect())
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn agrees_with_brute_force(ring in grid_ring(0..6, 5..=12)) {
            check_grid(&ring, |(x, y)| (x as f64, y as f64))?;
        }

        #[test]
        fn agrees_with_brute_force_tiny_grid(ring in grid_ring(0..3, 4..=9)) {
            check_grid(&ring, |(x, y)| (x as f64, y as f64))?;
        }

        /// The same grid moved far from the origin and shrunk to a few ulps
        /// (exactly representable): nothing may depend on magnitudes or an
        /// epsilon.
        #[test]
        fn agrees_with_brute_force_far_and_tiny(ring in grid_ring(0..6, 5..=12)) {
            check_grid(&ring, |(x, y)| {
                (1048576.0 + x as f64 * 2f64.powi(-30), -524288.0 + y as f64 * 2f64.powi(-31))
            })?;
        }

        /// Grid points sorted by angle around a grid centre: mostly simple,
        /// with ties in angle giving spikes, overlaps and touching vertices.
        #[test]
        fn agrees_with_brute_force_angular(
            (points, centre) in prop_oneof![
                (prop::collection::vec((0i64..7, 0i64..7), 4..=12), (1i64..6, 1i64..6)),
                // Larger rings keep more segments in the sweep at once.
                (prop::collection::vec((0i64..12, 0i64..12), 12..=40), (2i64..10, 2i64..10)),
            ],
        ) {
            let mut ring = points;
            let key = |&(x, y): &(i64, i64)| {
                let (dx, dy) = ((x - centre.0) as f64, (y - centre.1) as f64);
                (dy.atan2(dx), dx * dx + dy * dy)
            };
            ring.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap());
            ring.push(ring[0]);
            check_grid(&ring, |(x, y)| (x as f64, y as f64))?;
        }

        #[test]
        fn agrees_with_brute_force_near_collinear(ring in near_collinear_ring()) {
            let ints: Vec<IPt> = ring.iter().map(|&p| exact_int(p)).collect();
            check_against_reference(&ints, &ring)?;
        }

        /// Star-shaped polygons around a centre, one vertex per angular
        /// sector of width 2π/n (so every gap is below π): always simple.
        #[test]
        fn star_shaped_polygons_are_simple(
            sectors in prop::collection::vec((0.1f64..0.9, 1.0f64..100.0), 5..60),
            centre in (-1000.0f64..1000.0, -1000.0f64..1000.0),
            start in 0usize..60,
        ) {
            let n = sectors.len();
            let mut ring: Vec<Point> = sectors.iter().enumerate().map(|(k, &(jitter, r))| {
                let a = (k as f64 + jitter) * 2.0 * PI / n as f64;
                (centre.0 + r * a.cos(), centre.1 + r * a.sin())
            }).collect();
            ring.rotate_left(start % n);
            prop_assert_eq!(ring_self_intersection(&close(ring)), None);
        }

        /// Staircase polygons with random integer heights: vertical edges,
        /// collinear runs and zero-length edges (equal heights), all valid.
        #[test]
        fn staircases_are_simple(heights in prop::collection::vec(1i64..5, 2..30), start in 0usize..200) {
            let mut v = vec![(0, 0), (heights.len() as i64, 0)];
            for (i, &h) in heights.iter().enumerate().rev() {
                v.push((i as i64 + 1, h));
                v.push((i as i64, h));
            }
            let len = v.len();
            v.rotate_left(start % len);
            prop_assert_eq!(ring_self_intersection(&closed(&v)), None);
        }

        /// geo's quadratic check may miss spikes but never finds a
        /// self-intersection that this module misses.
        #[test]
        fn geo_findings_are_found(ring in grid_ring(0..6, 5..=12)) {
            use geo::{LineString, Polygon, Validation, algorithm::validation::InvalidPolygon};
            let r: Vec<Point> = ring.iter().map(|&(x, y)| (x as f64, y as f64)).collect();
            let poly = Polygon::new(LineString::from(r.clone()), vec![]);
            let geo_says = poly.validation_errors().iter().any(|e| matches!(e, InvalidPolygon::SelfIntersection(_)));
            if geo_says {
                prop_assert!(ring_self_intersection(&r).is_some(), "ring {:?}", ring);
            }
        }
    }
}
