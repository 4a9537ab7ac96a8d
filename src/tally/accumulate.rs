//! Streaming tallies: per-interview counts of coded units, rolled up the code tree.

use super::tree::{CodeTree, Level};
use foldhash::HashSet;
use std::sync::Arc;

/// What one interview contributes to the tables (kept for every interview of the
/// corpus until the end of the run, so kept small).
#[derive(Debug, Clone, PartialEq)]
pub struct DocTally {
    pub doc_id: Arc<str>,
    /// The document's attribute values, aligned with the manifest's attributes
    /// (each distinct value is held once for the whole corpus).
    pub attrs: Box<[Arc<str>]>,
    /// Interviewee units and their words (the base of every percentage and rate).
    pub units: u64,
    pub words: u64,
    /// Per tree node: interviewee units coded with the node or a descendant.
    pub unit_hits: Box<[u32]>,
    /// Per family (in tree order): the codings of the family (see [`Tally::codings`]).
    family_codings: Box<[u32]>,
}

/// Accumulates tallies over a corpus, one unit at a time, in bounded memory.
pub struct Tally {
    pub tree: CodeTree,
    pub docs: Vec<DocTally>,
    /// Code-level co-occurrence: `cooc[a * n + b]` units coded with both codes a and b
    /// (indices into [`Tally::code_nodes`]).
    pub cooc: Vec<u64>,
    /// The code-level nodes (second level) in tree order.
    pub code_nodes: Vec<usize>,
    /// Position of a node in `code_nodes`.
    slot: Vec<Option<usize>>,
    /// Position of a family node among the families (tree order).
    family_slot: Vec<Option<usize>>,
    n_families: usize,
    /// The distinct attribute values met so far.
    values: HashSet<Arc<str>>,
    stamp: Vec<u64>,
    clock: u64,
    touched: Vec<usize>,
    codes_in_unit: Vec<usize>,
}

impl Tally {
    /// An empty tally over `tree`.
    pub fn new(tree: CodeTree) -> Tally {
        let code_nodes: Vec<usize> = tree
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.level == Level::Code)
            .map(|(i, _)| i)
            .collect();
        let mut slot = vec![None; tree.nodes.len()];
        for (k, &n) in code_nodes.iter().enumerate() {
            slot[n] = Some(k);
        }
        let families = tree.families();
        let mut family_slot = vec![None; tree.nodes.len()];
        for (k, &i) in families.iter().enumerate() {
            family_slot[i] = Some(k);
        }
        let n = code_nodes.len();
        let nodes = tree.nodes.len();
        Tally {
            tree,
            docs: Vec::new(),
            cooc: vec![0; n * n],
            code_nodes,
            slot,
            family_slot,
            n_families: families.len(),
            values: HashSet::default(),
            stamp: vec![0; nodes],
            clock: 0,
            touched: Vec::new(),
            codes_in_unit: Vec::new(),
        }
    }

    /// Starts a new interview.
    pub fn begin_doc(&mut self, doc_id: &str, attrs: &[String]) {
        let n = self.tree.nodes.len();
        let attrs = attrs
            .iter()
            .map(|v| match self.values.get(v.as_str()) {
                Some(a) => Arc::clone(a),
                None => {
                    let a: Arc<str> = Arc::from(v.as_str());
                    self.values.insert(Arc::clone(&a));
                    a
                }
            })
            .collect();
        self.docs.push(DocTally {
            doc_id: doc_id.into(),
            attrs,
            units: 0,
            words: 0,
            unit_hits: vec![0; n].into(),
            family_codings: vec![0; self.n_families].into(),
        });
    }

    /// The codings of tree node `node` in interview `doc`, counted once per unit and
    /// node. For a code or a sub-code this is its `unit_hits` (a sub-code's coding
    /// and the coding of its parent written beside it count once); for a family it
    /// is the number of (unit, code) pairs with a code of the family, so a unit with
    /// two keys counts two.
    pub fn codings(&self, doc: &DocTally, node: usize) -> u32 {
        match self.family_slot[node] {
            Some(f) => doc.family_codings[f],
            None => doc.unit_hits[node],
        }
    }

    /// Adds one interviewee unit of the current interview with the codebook indices
    /// of the codes it carries (each at most once).
    pub fn add_unit(&mut self, words: usize, codes: &[usize]) {
        self.clock += 1;
        let clock = self.clock;
        let doc = self.docs.last_mut().expect("begin_doc before add_unit");
        doc.units += 1;
        doc.words += words as u64;
        self.touched.clear();
        self.codes_in_unit.clear();
        for &c in codes {
            let node = self.tree.node_of_code[c];
            for n in std::iter::once(node).chain(self.tree.nodes[node].ancestors.iter().copied()) {
                if self.stamp[n] != clock {
                    self.stamp[n] = clock;
                    doc.unit_hits[n] += 1;
                    self.touched.push(n);
                }
            }
        }
        for &n in &self.touched {
            if let Some(k) = self.slot[n] {
                self.codes_in_unit.push(k);
                // One coding of the family per distinct code of it in the unit.
                if let Some(f) = self.tree.nodes[n]
                    .ancestors
                    .last()
                    .and_then(|&family| self.family_slot[family])
                {
                    doc.family_codings[f] += 1;
                }
            }
        }
        let m = self.code_nodes.len();
        for (i, &a) in self.codes_in_unit.iter().enumerate() {
            for &b in &self.codes_in_unit[i..] {
                self.cooc[a * m + b] += 1;
                if a != b {
                    self.cooc[b * m + a] += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::small_tree;
    use super::*;

    #[test]
    fn rollup_counts_units_and_codings_once_per_node() {
        // codebook indices: 0 goals.a, 1 keys.k1, 2 keys.k1.s, 3 keys.k2
        let mut t = Tally::new(small_tree());
        t.begin_doc("D1", &["public".into()]);
        t.add_unit(10, &[1, 2]); // k1 and its sub-code
        t.add_unit(5, &[0, 3]);
        t.add_unit(7, &[]);
        t.add_unit(4, &[3, 2, 1]); // k2, and k1 with its sub-code
        let d = &t.docs[0];
        assert_eq!((d.units, d.words), (4, 26));
        // nodes: goals, keys, goals.a, keys.k1, keys.k1.s, keys.k2
        assert_eq!(*d.unit_hits, [1, 3, 1, 2, 2, 2]);
        // Once per unit and node: k1 + k1.s in one unit is one coding of k1 (not two);
        // keys: unit 1 one code (k1), unit 2 one (k2), unit 4 two (k1, k2) -> 4.
        let codings: Vec<u32> = (0..6).map(|n| t.codings(d, n)).collect();
        assert_eq!(codings, vec![1, 4, 1, 2, 2, 2]);
        // code nodes: goals.a, keys.k1, keys.k2 -> 3x3
        assert_eq!(t.cooc, vec![1, 0, 1, 0, 2, 1, 1, 1, 2]);
    }

    #[test]
    fn interviews_share_their_attribute_values() {
        let mut t = Tally::new(small_tree());
        t.begin_doc("D1", &["public".into(), "f".into()]);
        t.begin_doc("D2", &["third".into(), "f".into()]);
        t.begin_doc("D3", &["public".into(), "m".into()]);
        let value = |d: usize, a: usize| &t.docs[d].attrs[a];
        assert_eq!(
            (0..3).map(|d| value(d, 0).as_ref()).collect::<Vec<_>>(),
            ["public", "third", "public"]
        );
        assert!(Arc::ptr_eq(value(0, 0), value(2, 0)));
        assert!(Arc::ptr_eq(value(0, 1), value(1, 1)));
        assert!(!Arc::ptr_eq(value(0, 1), value(2, 1)));
        // Four distinct values, held once each.
        assert_eq!(t.values.len(), 4);
    }
}
