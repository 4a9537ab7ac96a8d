//! Representative quotes: for each code and group, the best few coded interviewee units.

/// A coded unit kept as a quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub unit_id: String,
    pub doc_id: String,
    /// Character offsets of the unit in its document.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Character ranges of the matched words inside `text`.
    pub evidence: Vec<(usize, usize)>,
    pub score: f32,
    pub n_words: usize,
    /// Position of the unit in the corpus (manifest order, then document order).
    pub order: u64,
}

impl Quote {
    /// Sort key: higher score first, then a readable length (10-40 words), then corpus order.
    fn rank(&self) -> (std::cmp::Reverse<u32>, u8, u64) {
        let fits = !(10..=40).contains(&self.n_words) as u8;
        (
            std::cmp::Reverse((self.score * 1000.0) as u32),
            fits,
            self.order,
        )
    }
}

/// Keeps the `k` best quotes for every (code, group) pair, in bounded memory.
pub struct QuoteBook {
    k: usize,
    groups: usize,
    /// `slots[code * groups + group]`, best first.
    slots: Vec<Vec<Quote>>,
}

impl QuoteBook {
    /// An empty book for `codes` codes and `groups` groups.
    pub fn new(codes: usize, groups: usize, k: usize) -> QuoteBook {
        QuoteBook {
            k,
            groups: groups.max(1),
            slots: vec![Vec::new(); codes * groups.max(1)],
        }
    }

    /// Whether a quote with this score, length and order would be kept (checked
    /// before building the quote, so most units cost nothing).
    pub fn wants(&self, code: usize, group: usize, score: f32, n_words: usize, order: u64) -> bool {
        let slot = &self.slots[code * self.groups + group];
        if slot.len() < self.k {
            return true;
        }
        let probe = Quote {
            unit_id: String::new(),
            doc_id: String::new(),
            start: 0,
            end: 0,
            text: String::new(),
            evidence: Vec::new(),
            score,
            n_words,
            order,
        };
        slot.last().is_some_and(|worst| probe.rank() < worst.rank())
    }

    /// Offers a quote for (code, group). A unit is kept at most once per (code,
    /// group): a unit coded with a code and with one of its sub-codes is offered
    /// for the code twice, and keeps the better of its two ranks.
    pub fn offer(&mut self, code: usize, group: usize, q: Quote) {
        let k = self.k;
        let slot = &mut self.slots[code * self.groups + group];
        if let Some(i) = slot.iter().position(|x| x.unit_id == q.unit_id) {
            if slot[i].rank() <= q.rank() {
                return;
            }
            slot.remove(i);
        }
        let at = slot.partition_point(|x| x.rank() <= q.rank());
        if at < k {
            slot.insert(at, q);
            slot.truncate(k);
        }
    }

    /// The kept quotes for (code, group), best first.
    pub fn get(&self, code: usize, group: usize) -> &[Quote] {
        &self.slots[code * self.groups + group]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, score: f32, words: usize, order: u64) -> Quote {
        Quote {
            unit_id: id.into(),
            doc_id: "D".into(),
            start: 0,
            end: 1,
            text: "x".into(),
            evidence: vec![],
            score,
            n_words: words,
            order,
        }
    }

    #[test]
    fn keeps_the_best_k_in_rank_order() {
        let mut b = QuoteBook::new(2, 2, 2);
        b.offer(1, 0, q("low", 1.0, 20, 1));
        b.offer(1, 0, q("high", 3.0, 20, 2));
        assert!(b.wants(1, 0, 2.0, 20, 3));
        assert!(!b.wants(1, 0, 0.5, 20, 3));
        b.offer(1, 0, q("mid-short", 2.0, 4, 3));
        b.offer(1, 0, q("mid", 2.0, 15, 4));
        let ids: Vec<&str> = b.get(1, 0).iter().map(|q| q.unit_id.as_str()).collect();
        assert_eq!(ids, vec!["high", "mid"]);
        assert!(b.get(0, 1).is_empty());
    }

    #[test]
    fn a_unit_is_kept_once_per_code_and_group() {
        // "u1" is coded with a code and its sub-code, both counted for the code:
        // offered twice, kept once, at its better rank.
        let mut b = QuoteBook::new(1, 2, 3);
        b.offer(0, 0, q("u1", 1.0, 20, 1));
        b.offer(0, 0, q("u1", 2.0, 20, 1));
        b.offer(0, 0, q("u2", 1.5, 20, 2));
        b.offer(0, 0, q("u2", 1.0, 20, 2));
        b.offer(0, 0, q("u3", 0.5, 20, 3));
        let ids: Vec<&str> = b.get(0, 0).iter().map(|q| q.unit_id.as_str()).collect();
        assert_eq!(ids, vec!["u1", "u2", "u3"]);
        assert_eq!(b.get(0, 0)[0].score, 2.0);
        assert_eq!(b.get(0, 0)[1].score, 1.5);
        // The same unit in another group's slot is another quote.
        b.offer(0, 1, q("u1", 1.0, 20, 1));
        assert_eq!(b.get(0, 1).len(), 1);
        // A full slot: a repeat offer of a kept unit never pushes another one out.
        let mut b = QuoteBook::new(1, 1, 2);
        b.offer(0, 0, q("a", 3.0, 20, 1));
        b.offer(0, 0, q("b", 2.0, 20, 2));
        b.offer(0, 0, q("a", 2.5, 20, 1));
        let ids: Vec<&str> = b.get(0, 0).iter().map(|q| q.unit_id.as_str()).collect();
        assert_eq!(ids, vec!["a", "b"]);
    }
}
