//! A step's makespan from its independent, de-duplicated parts.
//!
//! Max-min fair sharing decomposes over *components*: two groups of flows
//! that share no link never affect each other's rates, so each group can be
//! simulated alone and the step's makespan is the largest of theirs. Many
//! steps are made of identical components (every scale-up domain running the
//! same intra-domain phase on its own links, every channel of a ring inside
//! its own domain), and a component's makespan depends only on its flows'
//! bytes, latencies and routes and on its links' capacities, not on which
//! links those are. So each component is put in a *canonical form* (links
//! renumbered in order of first appearance) and components with the same
//! canonical form are simulated once: the flow engine is given literally the
//! same input, so the shortcut is bit-for-bit the same as simulating each
//! copy. The test `identical_components_are_simulated_once` checks the
//! result against one simulation of the whole step.

use fabricsim_flow::{Budget, Flow, FlowError, simulate_within};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast, deterministic hasher for the canonical forms (Fx-style
/// rotate-xor-multiply over the written words): the default SipHash made
/// hashing millions of route entries the largest cost of big steps.
#[derive(Default)]
pub(crate) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(v as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

pub(crate) type Fast = BuildHasherDefault<WordHasher>;

/// A component's engine input, exactly, as one word stream: per flow its
/// bytes and latency (bit patterns), its route length and its route's
/// (local link, fraction bits) pairs; then the local links' capacities (bit
/// patterns). One allocation per component, not per flow.
#[derive(PartialEq, Eq)]
struct Canonical {
    words: Vec<u64>,
    flows: usize,
    /// The words' hash, computed once ([`Canonical::new`]): a component is
    /// looked up in up to three maps.
    hash: u64,
}

impl std::hash::Hash for Canonical {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl Canonical {
    /// Word by word: a derived hash would feed a `[u64]` to the hasher as
    /// bytes, which [`WordHasher`] mixes one byte at a time (8× the work).
    fn new(words: Vec<u64>, flows: usize) -> Canonical {
        let mut h = WordHasher::default();
        h.write_usize(words.len());
        for &w in &words {
            h.write_u64(w);
        }
        h.write_usize(flows);
        Canonical {
            hash: h.finish(),
            words,
            flows,
        }
    }

    /// The engine input the words encode: local capacities and flows.
    fn decode(&self) -> (Vec<f64>, Vec<Flow>) {
        let w = &self.words;
        let mut flows = Vec::with_capacity(self.flows);
        let mut i = 0;
        for _ in 0..self.flows {
            let (bytes, lat, len) = (w[i], w[i + 1], w[i + 2] as usize);
            i += 3;
            let route = (0..len)
                .map(|k| (w[i + 2 * k] as u32, f64::from_bits(w[i + 2 * k + 1])))
                .collect();
            i += 2 * len;
            flows.push(at_zero(route, f64::from_bits(lat), f64::from_bits(bytes)));
        }
        let cap = w[i..].iter().map(|&c| f64::from_bits(c)).collect();
        (cap, flows)
    }
}

/// A flow released at 0 with no dependencies.
fn at_zero(route: Vec<(u32, f64)>, latency_s: f64, bytes: f64) -> Flow {
    Flow {
        route,
        latency_s,
        bytes,
        start_s: 0.0,
        deps: Vec::new(),
        delay_s: 0.0,
    }
}

/// The component-local number of link `l`: links are numbered in order of
/// first appearance, `links` lists them (`local[l]` is `u32::MAX` for a
/// link not yet seen).
fn local_id(local: &mut [u32], links: &mut Vec<u32>, l: u32) -> u32 {
    if local[l as usize] == u32::MAX {
        local[l as usize] = links.len() as u32;
        links.push(l);
    }
    local[l as usize]
}

/// Forgets the local numbers of `links` ([`local_id`]).
fn release(local: &mut [u32], links: &[u32]) {
    for &l in links {
        local[l as usize] = u32::MAX;
    }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

/// Makespan \[s\] of `flows` (all released at 0, no dependencies) on links of
/// capacities `capacity_bps`, simulating each distinct component once, each
/// simulation spending from `budget`.
pub fn step_makespan(
    capacity_bps: &[f64],
    flows: &[Flow],
    budget: &mut Budget,
) -> Result<f64, FlowError> {
    let views = views_of(flows);
    let mut c = Components::new(capacity_bps.len());
    c.makespan(capacity_bps, &views, Whole::Flows(flows), budget)
}

/// Views of `flows`, their routes borrowed.
fn views_of(flows: &[Flow]) -> Vec<FlowView<'_>> {
    flows
        .iter()
        .map(|f| FlowView {
            bytes: f.bytes,
            latency_s: f.latency_s,
            route: RouteRef::Pairs(&f.route),
        })
        .collect()
}

/// A borrowed route: its links and the fraction of the flow's rate on
/// each, as a run's route arena keeps them (two slices of equal length)
/// or as a [`Flow`] does (pairs), so views borrow either without a copy.
#[derive(Clone, Copy, Debug)]
pub enum RouteRef<'a> {
    /// Links and fractions apart.
    Split {
        /// Links crossed.
        links: &'a [u32],
        /// Fraction of the flow's rate on each link.
        fractions: &'a [f64],
    },
    /// `(link, fraction)` pairs.
    Pairs(&'a [(u32, f64)]),
}

impl<'a> RouteRef<'a> {
    /// Number of links.
    pub fn len(&self) -> usize {
        match self {
            RouteRef::Split { links, .. } => links.len(),
            RouteRef::Pairs(p) => p.len(),
        }
    }

    /// Whether the route crosses no link.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first link, if any.
    pub fn first_link(&self) -> Option<u32> {
        match self {
            RouteRef::Split { links, .. } => links.first().copied(),
            RouteRef::Pairs(p) => p.first().map(|&(l, _)| l),
        }
    }

    /// `(link, fraction)` pairs in route order.
    pub fn iter(&self) -> RouteIter<'a> {
        match *self {
            RouteRef::Split { links, fractions } => RouteIter::Split(links.iter().zip(fractions)),
            RouteRef::Pairs(p) => RouteIter::Pairs(p.iter()),
        }
    }
}

/// The iterator of [`RouteRef::iter`].
pub enum RouteIter<'a> {
    /// Over links and fractions apart.
    Split(std::iter::Zip<std::slice::Iter<'a, u32>, std::slice::Iter<'a, f64>>),
    /// Over pairs.
    Pairs(std::slice::Iter<'a, (u32, f64)>),
}

impl Iterator for RouteIter<'_> {
    type Item = (u32, f64);
    fn next(&mut self) -> Option<(u32, f64)> {
        match self {
            RouteIter::Split(it) => it.next().map(|(&l, &phi)| (l, phi)),
            RouteIter::Pairs(it) => it.next().copied(),
        }
    }
}

/// A flow as [`Components::makespan`] reads it: released at 0, no
/// dependencies, its route borrowed (from a shared arena, so a step's flows
/// need no allocation each).
#[derive(Clone, Copy, Debug)]
pub struct FlowView<'a> {
    /// Bytes on the wire.
    pub bytes: f64,
    /// Latency before the first byte \[s\].
    pub latency_s: f64,
    /// Links and fractions.
    pub route: RouteRef<'a>,
}

/// What the views of [`Components::makespan`] stand for, which decides how
/// a step of a single component is simulated.
pub enum Whole<'a> {
    /// Exactly these flows (their whole step): a single component is
    /// simulated as given, with global link ids.
    Flows(&'a [Flow]),
    /// Exactly the views' flows (released at 0, no dependencies): a single
    /// component is simulated with global link ids, as [`Whole::Flows`] of
    /// the same flows would be.
    Views,
    /// Part of a step known to have at least two components (the others
    /// are copies of some of these, [`super::symmetry`]): every component
    /// is simulated in canonical form, as the whole step would be.
    Split,
}

/// Reusable state of [`Components::makespan`]: scratch arrays over the
/// links, and the makespan of every canonical component seen so far.
///
/// Remembering makespans across steps is exact for the same reason
/// de-duplicating them within a step is (module docs): the flow engine is
/// deterministic and a canonical form is its whole input, so equal forms
/// give equal makespans wherever they occur. Only the events the engine
/// would have spent on the repeats are saved from the budget.
pub struct Components {
    /// Union-find parent per link (`u32::MAX`: not seen in this step).
    parent: Vec<u32>,
    /// Component of a root link / local number of a link in a component.
    index: Vec<u32>,
    local: Vec<u32>,
    /// Links seen in this step (to reset `parent` and `index`).
    used: Vec<u32>,
    memo: HashMap<Canonical, f64, Fast>,
    /// Makespans by component identity ([`Components::makespan_keyed`]).
    by_ids: hashbrown::HashMap<IdKey, f64, Fast>,
    /// A component's ids, gathered to look them up.
    ids_scratch: Vec<u32>,
    /// Components above this many words are not memo keys
    /// ([`BIG_COMPONENT_WORDS`]; lowered in tests).
    big_words: usize,
}

/// A component named by its flows' identities, in order, and a salt
/// (what else the caller's views depend on).
#[derive(PartialEq, Eq)]
struct IdKey {
    salt: [u64; 2],
    ids: Vec<u32>,
}

/// An [`IdKey`] borrowed from a scratch list, to look one up without
/// allocating it (most lookups hit).
struct IdKeyRef<'a> {
    salt: [u64; 2],
    ids: &'a [u32],
}

/// The hash of an id key, the same for [`IdKey`] and [`IdKeyRef`]: the ids
/// two to a word.
fn hash_ids<H: Hasher>(salt: [u64; 2], ids: &[u32], state: &mut H) {
    state.write_u64(salt[0]);
    state.write_u64(salt[1]);
    state.write_usize(ids.len());
    for pair in ids.chunks(2) {
        let hi = pair.get(1).map_or(u64::MAX, |&x| u64::from(x));
        state.write_u64(hi << 32 | u64::from(pair[0]));
    }
}

impl std::hash::Hash for IdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_ids(self.salt, &self.ids, state);
    }
}

impl std::hash::Hash for IdKeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_ids(self.salt, self.ids, state);
    }
}

impl hashbrown::Equivalent<IdKey> for IdKeyRef<'_> {
    fn equivalent(&self, key: &IdKey) -> bool {
        self.salt == key.salt && self.ids == key.ids.as_slice()
    }
}

const UNSEEN: u32 = u32::MAX;

impl Components {
    /// State for a fabric of `links` directed links.
    pub fn new(links: usize) -> Components {
        Components {
            parent: vec![UNSEEN; links],
            index: vec![UNSEEN; links],
            local: vec![UNSEEN; links],
            used: Vec::new(),
            memo: HashMap::default(),
            by_ids: hashbrown::HashMap::default(),
            ids_scratch: Vec::new(),
            big_words: BIG_COMPONENT_WORDS,
        }
    }

    fn find(&mut self, x: u32) -> u32 {
        if self.parent[x as usize] == UNSEEN {
            self.parent[x as usize] = x;
            self.used.push(x);
            return x;
        }
        find(&mut self.parent, x)
    }

    /// Makespan \[s\] of `flows` on links of capacities `capacity_bps`,
    /// simulating each distinct component once (and none seen in an earlier
    /// call), each simulation spending from `budget`; `whole` says what
    /// the flows stand for.
    ///
    /// Components (links joined by a flow) are listed in order of their
    /// first flow, each with its flows in order; the grouping does not
    /// depend on how the union-find links its trees, so the canonical forms
    /// are those of [`step_makespan`] on the same flows.
    pub fn makespan(
        &mut self,
        capacity_bps: &[f64],
        flows: &[FlowView<'_>],
        whole: Whole<'_>,
        budget: &mut Budget,
    ) -> Result<f64, FlowError> {
        self.makespan_keyed(capacity_bps, flows, None, whole, budget)
    }

    /// [`Self::makespan`], where `ids = Some((salt, ids))` names each flow:
    /// the caller guarantees that two views with equal ids under equal
    /// salts (in this and every earlier call) are equal. A component whose
    /// flows have the ids of an earlier component, in the same order, then
    /// has the same canonical form, and its makespan is reused without
    /// encoding it again.
    pub fn makespan_keyed(
        &mut self,
        capacity_bps: &[f64],
        flows: &[FlowView<'_>],
        ids: Option<([u64; 2], &[u32])>,
        whole: Whole<'_>,
        budget: &mut Budget,
    ) -> Result<f64, FlowError> {
        let result = self.makespan_inner(capacity_bps, flows, ids, whole, budget);
        for &l in &self.used {
            self.parent[l as usize] = UNSEEN;
            self.index[l as usize] = UNSEEN;
        }
        self.used.clear();
        result
    }

    fn makespan_inner(
        &mut self,
        capacity_bps: &[f64],
        flows: &[FlowView<'_>],
        ids: Option<([u64; 2], &[u32])>,
        whole: Whole<'_>,
        budget: &mut Budget,
    ) -> Result<f64, FlowError> {
        // Union links that share a flow.
        for f in flows {
            let mut links = f.route.iter().map(|(l, _)| l);
            if let Some(first) = links.next() {
                let a = self.find(first);
                for l in links {
                    let b = self.find(l);
                    if a != b {
                        // Keep the first link's root so `a` stays a root.
                        self.parent[b as usize] = a;
                    }
                }
            }
        }
        // Group flows by component, components in order of their first flow:
        // each flow's component, then the flows of all components in one array
        // (a counting sort, flows in order within a component), no allocation
        // per component.
        let mut group_of: Vec<u32> = Vec::with_capacity(flows.len());
        let mut sizes: Vec<usize> = Vec::new();
        let mut unrouted = Vec::new();
        for (i, f) in flows.iter().enumerate() {
            match f.route.first_link() {
                Some(l) => {
                    let root = self.find(l) as usize;
                    if self.index[root] == UNSEEN {
                        self.index[root] = sizes.len() as u32;
                        sizes.push(0);
                    }
                    let g = self.index[root];
                    sizes[g as usize] += 1;
                    group_of.push(g);
                }
                None => {
                    unrouted.push(i);
                    group_of.push(u32::MAX);
                }
            }
        }
        if sizes.len() <= 1 {
            match &whole {
                Whole::Flows(all) => {
                    let unmerged = |b: &mut Budget| simulate_within(capacity_bps, all, b);
                    return merged_makespan(capacity_bps, all, unmerged, budget);
                }
                Whole::Views => {
                    let unmerged = |b: &mut Budget| {
                        let all: Vec<Flow> = flows
                            .iter()
                            .map(|f| at_zero(f.route.iter().collect(), f.latency_s, f.bytes))
                            .collect();
                        simulate_within(capacity_bps, &all, b)
                    };
                    return merged_makespan(capacity_bps, flows, unmerged, budget);
                }
                Whole::Split => {}
            }
        }
        let mut starts: Vec<usize> = Vec::with_capacity(sizes.len() + 1);
        let mut at = 0;
        for &n in &sizes {
            starts.push(at);
            at += n;
        }
        starts.push(at);
        let mut members: Vec<usize> = vec![0; at];
        let mut next = starts.clone();
        for (i, &g) in group_of.iter().enumerate() {
            if g != u32::MAX {
                members[next[g as usize]] = i;
                next[g as usize] += 1;
            }
        }
        drop(group_of);
        let groups = starts.windows(2).map(|w| &members[w[0]..w[1]]);
        // A flow without links (source = destination) takes its latency only.
        let start = |i: usize| match whole {
            Whole::Flows(all) => all[i].start_s,
            _ => 0.0,
        };
        let mut makespan = unrouted
            .iter()
            .map(|&i| flows[i].latency_s + start(i))
            .fold(0.0, f64::max);
        let local = &mut self.local;
        let mut links: Vec<u32> = Vec::new();
        let mut words: Vec<u64> = Vec::new();
        // Components not seen before, each once (with the id keys that name
        // it), simulated below.
        // Each with its order of first appearance and its id keys.
        let mut fresh: HashMap<Canonical, usize, Fast> = HashMap::default();
        let mut fresh_keys: Vec<Vec<IdKey>> = Vec::new();
        for g in groups {
            let key = match ids {
                Some((salt, ids)) => {
                    let scratch = &mut self.ids_scratch;
                    scratch.clear();
                    scratch.extend(g.iter().map(|&i| ids[i]));
                    let lookup = IdKeyRef { salt, ids: scratch };
                    if let Some(&t) = self.by_ids.get(&lookup) {
                        makespan = f64::max(makespan, t);
                        continue;
                    }
                    Some(IdKey {
                        salt,
                        ids: scratch.clone(),
                    })
                }
                None => None,
            };
            links.clear();
            let size: usize = g.iter().map(|&i| 3 + 2 * flows[i].route.len()).sum();
            if size > self.big_words {
                // Too big to keep as a key: simulated now, from the same
                // engine input its words would decode to (merged from the
                // views, or its flows on local link ids).
                let members: Vec<FlowView<'_>> = g.iter().map(|&i| flows[i]).collect();
                let unmerged = |b: &mut Budget| {
                    let local_flows: Vec<Flow> = members
                        .iter()
                        .map(|f| {
                            let route = f
                                .route
                                .iter()
                                .map(|(l, phi)| (local_id(local, &mut links, l), phi))
                                .collect();
                            at_zero(route, f.latency_s, f.bytes)
                        })
                        .collect();
                    let cap: Vec<f64> = links.iter().map(|&l| capacity_bps[l as usize]).collect();
                    release(local, &links);
                    simulate_within(&cap, &local_flows, b)
                };
                let t = merged_makespan(capacity_bps, &members, unmerged, budget)?;
                if let Some(k) = key {
                    self.by_ids.insert(k, t);
                }
                makespan = f64::max(makespan, t);
                continue;
            }
            words.clear();
            for &i in g {
                let f = &flows[i];
                words.extend([
                    f.bytes.to_bits(),
                    f.latency_s.to_bits(),
                    f.route.len() as u64,
                ]);
                for (l, phi) in f.route.iter() {
                    words.extend([u64::from(local_id(local, &mut links, l)), phi.to_bits()]);
                }
            }
            words.extend(links.iter().map(|&l| capacity_bps[l as usize].to_bits()));
            release(local, &links);
            let canon = Canonical::new(std::mem::take(&mut words), g.len());
            if let Some(&t) = self.memo.get(&canon) {
                words = canon.words; // reuse the buffer
                if let Some(k) = key {
                    self.by_ids.insert(k, t);
                }
                makespan = f64::max(makespan, t);
            } else {
                match fresh.get(&canon) {
                    Some(&i) => {
                        words = canon.words;
                        fresh_keys[i].extend(key);
                    }
                    None => {
                        fresh.insert(canon, fresh_keys.len());
                        fresh_keys.push(key.into_iter().collect());
                    }
                }
            }
        }
        let mut order: Vec<(&Canonical, usize)> = fresh.iter().map(|(c, &i)| (c, i)).collect();
        order.sort_unstable_by_key(|&(_, i)| i);
        let order: Vec<&Canonical> = order.into_iter().map(|(c, _)| c).collect();
        let times = simulate_fresh(&order, budget)?;
        for (canon, i) in fresh {
            let t = times[i];
            for k in std::mem::take(&mut fresh_keys[i]) {
                self.by_ids.insert(k, t);
            }
            self.memo.insert(canon, t);
            makespan = f64::max(makespan, t);
        }
        Ok(makespan)
    }
}

/// Largest component, in words of its canonical form (3 per flow and 2
/// per route entry), kept as a key of the makespan memo: 2^24 (128 MiB).
/// A bigger one (a direct all-to-all over hundreds of ranks: ~130 M words
/// at 1,024) is simulated from the same engine input without the key; a
/// repeat of it is then simulated again (same result, but its events and
/// time count against `--max-events` and `--max-time` again), unless its
/// flow ids match (`makespan_keyed`); it runs before, not beside, the
/// step's fresh components.
const BIG_COMPONENT_WORDS: usize = 1 << 24;

/// The makespans of `fresh` components, spending from `budget` as
/// simulating them one after the other, in order, would.
///
/// Two or more run on rayon's pool, each on a copy of `budget` (so each
/// stops where the sequential run would have at the latest); the events
/// they spent are then charged in order, and the first component at which
/// the sequential run would have run out (or failed) decides the error.
/// Each simulation is deterministic and independent of the others, so the
/// makespans — and every output — are the same for any number of threads.
fn simulate_fresh(fresh: &[&Canonical], budget: &mut Budget) -> Result<Vec<f64>, FlowError> {
    let one = |canon: &Canonical, budget: &mut Budget| {
        let (cap, local_flows) = canon.decode();
        let unmerged = |b: &mut Budget| simulate_within(&cap, &local_flows, b);
        merged_makespan(&cap, &local_flows, unmerged, budget)
    };
    if fresh.len() < 2 {
        return fresh.iter().map(|c| one(c, budget)).collect();
    }
    use rayon::prelude::*;
    let runs: Vec<(Result<f64, FlowError>, u64)> = fresh
        .par_iter()
        .map(|c| {
            let mut copy = budget.clone();
            let r = one(c, &mut copy);
            (r, copy.events_spent() - budget.events_spent())
        })
        .collect();
    runs.into_iter()
        .map(|(r, spent)| {
            let t = r?;
            budget.spend_events(spent)?;
            Ok(t)
        })
        .collect()
}

/// Makespan of `flows` (no dependencies) on `capacity_bps`, simulated after
/// [`merge_equivalent_links`], or by `unmerged` when nothing merges (which
/// simulates the same flows, possibly with their links renumbered, so that
/// views need not be turned into flows unless it is called). The merge
/// decides from flow order, route order, fractions and capacities only, so
/// any one-to-one link numbering gives the same merged engine input.
fn merged_makespan<F: MergeInput>(
    capacity_bps: &[f64],
    flows: &[F],
    unmerged: impl FnOnce(&mut Budget) -> Result<fabricsim_flow::Completion, FlowError>,
    budget: &mut Budget,
) -> Result<f64, FlowError> {
    let done = match merge_equivalent_links(capacity_bps, flows) {
        Some((cap, merged)) => simulate_within(&cap, &merged, budget)?,
        None => unmerged(budget)?,
    };
    Ok(done.makespan_s())
}

/// Merges links that carry exactly the same flows with the same fractions.
///
/// Max-min sharing constrains each link `l` by `Σ_f φ(f,l)·r_f ≤ c_l`. Links
/// whose *columns* `{(f, φ(f,l))}` are equal impose the same constraint up
/// to their capacity, so only the smallest capacity binds: they can be
/// replaced by one link of capacity `min c_l` crossed by the same flows with
/// the same fractions, and every rate and finish time is unchanged. Sprayed
/// routes on Clos fabrics are full of such links (every spine or core link
/// of a pod or plane carries the same even share of the same flows), so
/// routes of thousands of links shrink to a few. Columns are grouped by a
/// fingerprint and then *verified* (each flow crosses every link of each of
/// its groups, with one fraction), so the merge never relies on a hash being
/// unique. Returns `None` when nothing merges (or verification fails).
pub fn merge_equivalent_links<F: MergeInput>(
    capacity_bps: &[f64],
    flows: &[F],
) -> Option<(Vec<f64>, Vec<Flow>)> {
    let n = capacity_bps.len();
    let (mut h1, mut h2, mut count) = (vec![0u64; n], vec![0u64; n], vec![0u32; n]);
    for (i, f) in flows.iter().enumerate() {
        for (l, phi) in f.pairs() {
            let l = l as usize;
            let x = (i as u64) << 1 ^ phi.to_bits().rotate_left(17);
            h1[l] = (h1[l].rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
            h2[l] = (h2[l] ^ x.wrapping_mul(0x9E37_79B9_7F4A_7C15)).rotate_left(23);
            count[l] += 1;
        }
    }
    // Group used links by fingerprint; group ids in order of first use.
    let mut group_of = vec![u32::MAX; n];
    let mut index: HashMap<(u64, u64, u32), u32, Fast> = HashMap::default();
    let mut cap: Vec<f64> = Vec::new();
    let mut size: Vec<u32> = Vec::new();
    for f in flows {
        for (l, _) in f.pairs() {
            let l = l as usize;
            if group_of[l] != u32::MAX {
                continue;
            }
            let g = *index.entry((h1[l], h2[l], count[l])).or_insert_with(|| {
                cap.push(f64::INFINITY);
                size.push(0);
                (cap.len() - 1) as u32
            });
            group_of[l] = g;
            cap[g as usize] = cap[g as usize].min(capacity_bps[l]);
            size[g as usize] += 1;
        }
    }
    if cap.len() == group_of.iter().filter(|&&g| g != u32::MAX).count() {
        return None; // nothing to merge
    }
    // Verify and rewrite: a flow must cross all `size[g]` links of each of
    // its groups, with one fraction.
    let mut merged = Vec::with_capacity(flows.len());
    // Per group: links of it the current flow crossed (0: none yet), and
    // the fraction of the first.
    let mut seen: Vec<u32> = vec![0; cap.len()];
    let mut first_phi: Vec<u64> = vec![0; cap.len()];
    for f in flows {
        let mut route: Vec<(u32, f64)> = Vec::new();
        for (l, phi) in f.pairs() {
            let g = group_of[l as usize] as usize;
            if seen[g] == 0 {
                route.push((g as u32, phi));
                first_phi[g] = phi.to_bits();
            } else if first_phi[g] != phi.to_bits() {
                return None;
            }
            seen[g] += 1;
        }
        let complete = route
            .iter()
            .all(|&(g, _)| seen[g as usize] == size[g as usize]);
        for &(g, _) in &route {
            seen[g as usize] = 0;
        }
        if !complete {
            return None;
        }
        merged.push(f.with_route(route));
    }
    Some((cap, merged))
}

/// What [`merge_equivalent_links`] reads of a flow: its `(link, fraction)`
/// pairs in route order, and the flow it becomes on another route.
pub trait MergeInput {
    /// The route's `(link, fraction)` pairs.
    fn pairs(&self) -> impl Iterator<Item = (u32, f64)> + '_;
    /// This flow on `route`.
    fn with_route(&self, route: Vec<(u32, f64)>) -> Flow;
}

impl MergeInput for Flow {
    fn pairs(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.route.iter().copied()
    }
    fn with_route(&self, route: Vec<(u32, f64)>) -> Flow {
        Flow {
            route,
            latency_s: self.latency_s,
            bytes: self.bytes,
            start_s: self.start_s,
            deps: self.deps.clone(),
            delay_s: self.delay_s,
        }
    }
}

/// A view is a flow released at 0 without dependencies.
impl MergeInput for FlowView<'_> {
    fn pairs(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.route.iter()
    }
    fn with_route(&self, route: Vec<(u32, f64)>) -> Flow {
        at_zero(route, self.latency_s, self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fabricsim_flow::simulate;

    fn flow(route: &[u32], bytes: f64) -> Flow {
        Flow::on_path(route, 1e-6, bytes, 0.0)
    }

    #[test]
    fn identical_components_are_simulated_once() {
        // Four copies of a 3-flow incast on links {4k, 4k+1, 4k+2, 4k+3}
        // (two flows share link 4k+2), plus one different component; the
        // makespan must equal one simulation of the whole step.
        let mut cap = Vec::new();
        let mut flows = Vec::new();
        for k in 0..4u32 {
            cap.extend([10.0, 20.0, 15.0, 5.0]);
            flows.push(flow(&[4 * k, 4 * k + 2], 30.0));
            flows.push(flow(&[4 * k + 1, 4 * k + 2], 10.0));
            flows.push(flow(&[4 * k + 3], 7.0));
        }
        cap.push(1.0);
        flows.push(flow(&[16], 0.5));
        let whole = simulate(&cap, &flows).unwrap().makespan_s();
        let parts = step_makespan(&cap, &flows, &mut Budget::unlimited()).unwrap();
        assert!(
            ((parts - whole) / whole).abs() < 1e-12,
            "{parts} vs {whole}"
        );
        // Make the lone component the slowest: the maximum must follow it.
        flows.last_mut().unwrap().bytes = 50.0;
        let whole = simulate(&cap, &flows).unwrap().makespan_s();
        let parts = step_makespan(&cap, &flows, &mut Budget::unlimited()).unwrap();
        assert!(
            ((parts - whole) / whole).abs() < 1e-12,
            "{parts} vs {whole}"
        );
        assert!((whole - (1e-6 + 50.0)).abs() < 1e-9);
    }

    /// A component too big to be a memo key is simulated from the same
    /// engine input: the makespan is bit for bit the memoized path's, both
    /// equal one simulation of the whole step, and nothing is kept.
    #[test]
    fn big_components_give_the_memoized_makespan() {
        let mut cap = Vec::new();
        let mut flows = Vec::new();
        for k in 0..4u32 {
            cap.extend([10.0, 20.0 + k as f64, 15.0, 5.0]);
            flows.push(flow(&[4 * k, 4 * k + 2], 30.0));
            flows.push(flow(&[4 * k + 1, 4 * k + 2], 10.0 + k as f64));
            flows.push(flow(&[4 * k + 3], 7.0));
        }
        let (kept, big) = big_and_memoized_agree(&cap, &flows);
        assert!(!kept.memo.is_empty());
        assert!(big.memo.is_empty());
    }

    /// Runs `flows` as one split step through the memoized path and through
    /// the big-component path (`big_words` 0), checks the two makespans are
    /// equal bit for bit and equal one simulation of the whole step, and
    /// returns both `Components`.
    fn big_and_memoized_agree(cap: &[f64], flows: &[Flow]) -> (Components, Components) {
        let views = views_of(flows);
        let whole = simulate(cap, flows).unwrap().makespan_s();
        let mut kept = Components::new(cap.len());
        let mut big = Components::new(cap.len());
        big.big_words = 0;
        let run = |c: &mut Components| {
            c.makespan(cap, &views, Whole::Split, &mut Budget::unlimited())
                .unwrap()
        };
        let (a, b) = (run(&mut kept), run(&mut big));
        assert_eq!(a.to_bits(), b.to_bits());
        assert!(((b - whole) / whole).abs() < 1e-12, "{b} vs {whole}");
        (kept, big)
    }

    /// `0..n` in a random order (Fisher–Yates).
    fn shuffled(n: usize, rng: &mut fabricsim_base::rng::SplitMix64) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            ids.swap(i, rng.below(i as u64 + 1) as usize);
        }
        ids
    }

    /// The same with components whose sprayed links merge, their link ids
    /// shuffled so that a component's local numbering (first appearance)
    /// differs from the global one: the big path merges from the views on
    /// global ids, the memoized one from flows on local ids, and the two
    /// agree bit for bit (and with one simulation of the whole step).
    #[test]
    fn big_components_merge_as_memoized_ones_do() {
        let mut rng = fabricsim_base::rng::SplitMix64::new(11);
        // Three components, each of three flows sprayed evenly (¼ each)
        // over the same 8 links; ids shuffled.
        let n = 3 * 8;
        let ids = shuffled(n as usize, &mut rng);
        let cap: Vec<f64> = (0..n).map(|_| 1.0 + rng.below(4) as f64).collect();
        let mut flows = Vec::new();
        for c in 0..3u32 {
            for f in 0..3 {
                let mut route: Vec<(u32, f64)> =
                    (0..8).map(|j| (ids[(c * 8 + j) as usize], 0.25)).collect();
                route.sort_unstable_by_key(|&(l, _)| l);
                flows.push(at_zero(route, 1e-6 * f as f64, 1.0 + rng.below(50) as f64));
            }
        }
        assert!(merge_equivalent_links(&cap, &flows).is_some());
        big_and_memoized_agree(&cap, &flows);
    }

    /// Distinct components run in parallel: the makespan is the same on
    /// pools of 1, 2 and 8 threads, and the budget runs out where the
    /// sequential run would: with exactly the events a sequential
    /// simulation of every component spends, the step passes; with one
    /// fewer, it stops with the events error.
    #[test]
    fn parallel_components_match_sequential_and_share_the_budget() {
        // Five different incasts on disjoint links.
        let mut cap = Vec::new();
        let mut flows = Vec::new();
        for k in 0..5u32 {
            cap.extend([10.0, 20.0 + k as f64, 15.0]);
            flows.push(flow(&[3 * k, 3 * k + 2], 30.0 + k as f64));
            flows.push(flow(&[3 * k + 1, 3 * k + 2], 10.0));
        }
        // The events of simulating each component alone, one after another.
        let mut events = 0;
        for k in 0..5usize {
            let part: Vec<Flow> = flows[2 * k..2 * k + 2].to_vec();
            let mut b = Budget::unlimited();
            simulate_within(&cap, &part, &mut b).unwrap();
            events += b.events_spent();
        }
        let serial = step_makespan(&cap, &flows, &mut Budget::unlimited()).unwrap();
        for threads in [1, 2, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let t = pool.install(|| step_makespan(&cap, &flows, &mut Budget::unlimited()));
            assert_eq!(t.unwrap().to_bits(), serial.to_bits(), "{threads} threads");
            let mut exact = Budget::new(Some(events), None);
            assert!(
                pool.install(|| step_makespan(&cap, &flows, &mut exact))
                    .is_ok()
            );
            assert_eq!(exact.events_spent(), events);
            let mut short = Budget::new(Some(events - 1), None);
            let r = pool.install(|| step_makespan(&cap, &flows, &mut short));
            assert!(
                matches!(
                    r,
                    Err(FlowError::Budget(
                        fabricsim_flow::BudgetExceeded::Events { .. }
                    ))
                ),
                "{r:?}"
            );
        }
    }

    /// Spray-like routes over parallel links (random sizes, capacities and
    /// fractions): merging equivalent links never changes the makespan, and
    /// merges where columns are equal.
    #[test]
    fn merging_equivalent_links_is_exact() {
        let mut rng = fabricsim_base::rng::SplitMix64::new(7);
        let mut merged_any = false;
        for _ in 0..200 {
            let k = 1 + (rng.next_u64() % 4) as u32; // parallel links per stage
            let stages = 1 + (rng.next_u64() % 3) as u32;
            let cap: Vec<f64> = (0..stages * k * 3)
                .map(|_| 1.0 + (rng.next_u64() % 5) as f64)
                .collect();
            let nflows = 1 + rng.next_u64() % 6;
            let flows: Vec<Flow> = (0..nflows)
                .map(|_| {
                    let bank = (rng.next_u64() % 3) as u32; // which copy of the links
                    let mut route = Vec::new();
                    for s in 0..stages {
                        // Even spray over the k parallel links of the stage,
                        // sometimes uneven (then nothing may merge).
                        let uneven = rng.next_u64().is_multiple_of(5);
                        for j in 0..k {
                            let phi = if uneven && j == 0 {
                                0.5
                            } else {
                                1.0 / k as f64
                            };
                            route.push(((bank * stages + s) * k + j, phi));
                        }
                    }
                    Flow {
                        route,
                        latency_s: 1e-6 * (rng.next_u64() % 3) as f64,
                        bytes: 1.0 + (rng.next_u64() % 100) as f64,
                        start_s: 0.0,
                        deps: Vec::new(),
                        delay_s: 0.0,
                    }
                })
                .collect();
            let whole = simulate(&cap, &flows).unwrap().makespan_s();
            let simulate_flows = |b: &mut Budget| simulate_within(&cap, &flows, b);
            let got =
                merged_makespan(&cap, &flows, simulate_flows, &mut Budget::unlimited()).unwrap();
            assert!(((got - whole) / whole).abs() < 1e-12, "{got} vs {whole}");
            let merged = merge_equivalent_links(&cap, &flows);
            if let Some((c, m)) = &merged {
                merged_any = true;
                assert!(c.len() < flows.iter().flat_map(|f| &f.route).count());
                assert!(m.iter().all(|f| !f.route.is_empty()));
            }
            // The same merge from the flows' views, and the same makespan
            // bit for bit from the views.
            let views = views_of(&flows);
            let from_views = merge_equivalent_links(&cap, &views);
            let bits = |m: &Option<(Vec<f64>, Vec<Flow>)>| {
                m.as_ref().map(|(c, fl)| {
                    let c: Vec<u64> = c.iter().map(|x| x.to_bits()).collect();
                    let fl: Vec<_> = fl
                        .iter()
                        .map(|f| {
                            let r: Vec<_> =
                                f.route.iter().map(|&(l, p)| (l, p.to_bits())).collect();
                            (r, f.latency_s.to_bits(), f.bytes.to_bits())
                        })
                        .collect();
                    (c, fl)
                })
            };
            assert_eq!(bits(&merged), bits(&from_views));
            // Renumbering the links changes nothing the merge returns.
            let ids = shuffled(cap.len(), &mut rng);
            let mut cap_p = vec![0.0; cap.len()];
            for (l, &c) in cap.iter().enumerate() {
                cap_p[ids[l] as usize] = c;
            }
            let flows_p: Vec<Flow> = flows
                .iter()
                .map(|f| {
                    let route = f.route.iter().map(|&(l, phi)| (ids[l as usize], phi));
                    at_zero(route.collect(), f.latency_s, f.bytes)
                })
                .collect();
            assert_eq!(
                bits(&merge_equivalent_links(&cap_p, &flows_p)),
                bits(&merged)
            );
            let v =
                merged_makespan(&cap, &views, simulate_flows, &mut Budget::unlimited()).unwrap();
            assert_eq!(v.to_bits(), got.to_bits());
        }
        assert!(merged_any);
    }
}
