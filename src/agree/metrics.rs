//! Agreement statistics: 2x2 counts with precision/recall/F1, Cohen's kappa and Krippendorff's alpha.
//!
//! Undefined values are `None` (written as an empty cell, shown as `n/a`): kappa
//! when the expected agreement is 1 (both coders gave every unit the same single
//! value, so kappa is 0/0 even though the observed agreement is perfect), alpha
//! when fewer than two pairable values exist or all pairable values are the same
//! (no expected disagreement), precision/recall/F1 when their denominators are 0.
//! The observed agreement ([`Counts::agreement`]) is always defined and shows the
//! perfect-agreement case plainly.

use std::collections::BTreeMap;

/// How two coders (A, the reference, and B) coded one binary variable (a code
/// present or absent) over the same units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Units both coded.
    pub both: usize,
    /// Units only A coded.
    pub only_a: usize,
    /// Units only B coded.
    pub only_b: usize,
    /// Units neither coded.
    pub neither: usize,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

impl Counts {
    /// Adds one unit: whether A and B coded it.
    pub fn add(&mut self, a: bool, b: bool) {
        match (a, b) {
            (true, true) => self.both += 1,
            (true, false) => self.only_a += 1,
            (false, true) => self.only_b += 1,
            (false, false) => self.neither += 1,
        }
    }

    /// Adds another table's counts (pooling).
    pub fn merge(&mut self, o: &Counts) {
        self.both += o.both;
        self.only_a += o.only_a;
        self.only_b += o.only_b;
        self.neither += o.neither;
    }

    /// The number of units.
    pub fn n(&self) -> usize {
        self.both + self.only_a + self.only_b + self.neither
    }

    /// The share of units on which A and B agree (`None` for no units).
    pub fn agreement(&self) -> Option<f64> {
        ratio((self.both + self.neither) as f64, self.n() as f64)
    }

    /// Of the units B coded, the share A coded too.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.both as f64, (self.both + self.only_b) as f64)
    }

    /// Of the units A coded, the share B coded too.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.both as f64, (self.both + self.only_a) as f64)
    }

    /// The harmonic mean of precision and recall: `2 both / (2 both + only_a + only_b)`.
    pub fn f1(&self) -> Option<f64> {
        ratio(
            2.0 * self.both as f64,
            (2 * self.both + self.only_a + self.only_b) as f64,
        )
    }

    /// Cohen's kappa of the 2x2 table.
    pub fn kappa(&self) -> Option<f64> {
        cohen_kappa_matrix(&[
            vec![self.both as f64, self.only_a as f64],
            vec![self.only_b as f64, self.neither as f64],
        ])
    }

    /// Krippendorff's alpha (nominal; two coders, no missing values).
    pub fn alpha(&self) -> Option<f64> {
        let mut m = Coincidences::default();
        m.add_pairs(true, true, self.both as f64);
        m.add_pairs(false, false, self.neither as f64);
        m.add_pairs(true, false, self.only_a as f64);
        m.add_pairs(false, true, self.only_b as f64);
        m.alpha_nominal()
    }
}

/// Cohen's kappa from a square contingency table: `table[i][j]` counts the units
/// coder A put in category `i` and coder B in category `j`.
///
/// `(p_o - p_e) / (1 - p_e)` with observed agreement `p_o` (the diagonal share) and
/// expected agreement `p_e` from the two coders' marginal shares. `None` when the
/// table is empty or not square, or `p_e` is 1.
pub fn cohen_kappa_matrix(table: &[Vec<f64>]) -> Option<f64> {
    let k = table.len();
    if table.iter().any(|row| row.len() != k) {
        return None;
    }
    let n: f64 = table.iter().flatten().sum();
    if n <= 0.0 {
        return None;
    }
    let p_o = (0..k).map(|i| table[i][i]).sum::<f64>() / n;
    let p_e = (0..k)
        .map(|i| {
            let row: f64 = table[i].iter().sum();
            let col: f64 = table.iter().map(|r| r[i]).sum();
            row * col
        })
        .sum::<f64>()
        / (n * n);
    if 1.0 - p_e <= 1e-12 {
        return None;
    }
    Some((p_o - p_e) / (1.0 - p_e))
}

/// Cohen's kappa for two coders' values over the same units (`pairs[u] = (a, b)`).
pub fn cohen_kappa<T: Ord + Clone>(pairs: &[(T, T)]) -> Option<f64> {
    let mut cats: Vec<T> = pairs
        .iter()
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    cats.sort();
    cats.dedup();
    let idx = |v: &T| cats.binary_search(v).unwrap_or(0);
    let mut table = vec![vec![0.0; cats.len()]; cats.len()];
    for (a, b) in pairs {
        table[idx(a)][idx(b)] += 1.0;
    }
    cohen_kappa_matrix(&table)
}

/// Krippendorff's coincidence matrix, built unit by unit; gives the nominal alpha.
///
/// Each unit with `m >= 2` values contributes, for each ordered pair of values from
/// different coders, `1 / (m - 1)` to the pair's cell; units with fewer than two
/// values are not pairable and contribute nothing. Matrices of several variables
/// can be added up into one (a pooled alpha).
#[derive(Debug, Clone, PartialEq)]
pub struct Coincidences<T: Ord> {
    cells: BTreeMap<(T, T), f64>,
}

impl<T: Ord> Default for Coincidences<T> {
    fn default() -> Self {
        Coincidences {
            cells: BTreeMap::new(),
        }
    }
}

impl<T: Ord + Clone> Coincidences<T> {
    /// Adds one unit: the values the coders gave it (`None` = missing).
    pub fn add_unit(&mut self, values: &[Option<T>]) {
        let present: Vec<&T> = values.iter().flatten().collect();
        let m = present.len();
        if m < 2 {
            return;
        }
        let w = 1.0 / (m - 1) as f64;
        for (i, a) in present.iter().enumerate() {
            for (j, b) in present.iter().enumerate() {
                if i != j {
                    *self
                        .cells
                        .entry(((*a).clone(), (*b).clone()))
                        .or_insert(0.0) += w;
                }
            }
        }
    }

    /// Adds `count` units that two coders valued `a` and `b` (both ordered pairs).
    pub fn add_pairs(&mut self, a: T, b: T, count: f64) {
        if count == 0.0 {
            return;
        }
        *self.cells.entry((a.clone(), b.clone())).or_insert(0.0) += count;
        *self.cells.entry((b, a)).or_insert(0.0) += count;
    }

    /// Adds another matrix's cells.
    pub fn merge(&mut self, other: &Coincidences<T>) {
        for (k, v) in &other.cells {
            *self.cells.entry(k.clone()).or_insert(0.0) += v;
        }
    }

    /// The number of pairable values `n`.
    pub fn n(&self) -> f64 {
        self.cells.values().sum()
    }

    /// Nominal alpha: `1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k`.
    ///
    /// `None` when `n < 2` or there is no expected disagreement (one value only).
    pub fn alpha_nominal(&self) -> Option<f64> {
        let n = self.n();
        if n < 2.0 {
            return None;
        }
        let mut marg: BTreeMap<&T, f64> = BTreeMap::new();
        let mut observed = 0.0;
        for ((a, b), v) in &self.cells {
            *marg.entry(a).or_insert(0.0) += v;
            if a != b {
                observed += v;
            }
        }
        let sum_n: f64 = marg.values().sum();
        let sum_sq: f64 = marg.values().map(|x| x * x).sum();
        let expected = sum_n * sum_n - sum_sq; // sum over c != k of n_c n_k
        if expected <= 1e-12 {
            return None;
        }
        Some(1.0 - (n - 1.0) * observed / expected)
    }
}

/// Krippendorff's alpha (nominal) for any number of coders with missing values:
/// `data[u][c]` is coder `c`'s value for unit `u`, `None` where the coder did not
/// code the unit. Units with fewer than two values are left out, as alpha defines.
pub fn krippendorff_alpha_nominal<T: Ord + Clone>(data: &[Vec<Option<T>>]) -> Option<f64> {
    let mut m = Coincidences::default();
    for unit in data {
        m.add_unit(unit);
    }
    m.alpha_nominal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.expect("defined");
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    /// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    /// 4 observers, 12 units, values 1-5 with missing data; nominal alpha = 0.743.
    /// The `krippendorff` Python package (0.9.0) gives 0.743421052631579.
    #[test]
    fn krippendorff_reliability_data_example() {
        let rows: [[u8; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        let data: Vec<Vec<Option<u8>>> = (0..12)
            .map(|u| rows.iter().map(|r| (r[u] != 0).then_some(r[u])).collect())
            .collect();
        let a = krippendorff_alpha_nominal(&data).unwrap();
        assert_eq!(format!("{a:.3}"), "0.743");
        close(Some(a), 0.743421052631579);
    }

    /// Three coders, binary values, missing data. Reference: the `krippendorff`
    /// Python package 0.9.0, `alpha(reliability_data=..., level_of_measurement=
    /// 'nominal')` on the same matrix (coders as rows, NaN for missing) = 0.5535714285714286.
    #[test]
    fn binary_three_coders_with_missing_matches_python() {
        let rows: [[i8; 10]; 3] = [
            [1, 0, 0, 1, 1, 0, -1, 1, 0, 0],
            [1, 0, 1, 1, -1, 0, 0, 1, 0, -1],
            [-1, 0, 1, 1, 1, 0, 0, 0, 0, 1],
        ];
        let data: Vec<Vec<Option<bool>>> = (0..10)
            .map(|u| {
                rows.iter()
                    .map(|r| (r[u] >= 0).then_some(r[u] == 1))
                    .collect()
            })
            .collect();
        close(krippendorff_alpha_nominal(&data), 0.5535714285714286);
    }

    /// Wikipedia, "Cohen's kappa", first worked example: 50 proposals, both say yes
    /// to 20, A yes/B no 5, A no/B yes 10, both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    /// scikit-learn 1.9.1 `cohen_kappa_score` gives 0.4; the `krippendorff` package
    /// gives alpha = 0.4 too (by hand: n = 100, n_yes = 55, n_no = 45, 30
    /// disagreeing pairs: 1 - 99 * 30 / (2 * 55 * 45) = 0.4).
    #[test]
    fn wikipedia_kappa_example() {
        let c = Counts {
            both: 20,
            only_a: 5,
            only_b: 10,
            neither: 15,
        };
        close(c.kappa(), 0.4);
        close(c.alpha(), 0.4);
        close(c.agreement(), 0.7);
        close(c.precision(), 20.0 / 30.0);
        close(c.recall(), 20.0 / 25.0);
        close(c.f1(), 40.0 / 55.0);
    }

    /// Three categories, 14 units. scikit-learn 1.9.1 `cohen_kappa_score(a, b)` =
    /// 0.5692307692307692; `krippendorff.alpha` (nominal) = 0.583011583011583.
    #[test]
    fn three_categories_match_python() {
        let a = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 0, 2, 2, 1];
        let b = [0, 1, 2, 1, 1, 0, 2, 2, 1, 0, 0, 2, 1, 1];
        let pairs: Vec<(i32, i32)> = a.iter().copied().zip(b.iter().copied()).collect();
        close(cohen_kappa(&pairs), 0.5692307692307692);
        let data: Vec<Vec<Option<i32>>> =
            pairs.iter().map(|&(x, y)| vec![Some(x), Some(y)]).collect();
        close(krippendorff_alpha_nominal(&data), 0.583011583011583);
    }

    /// Perfect agreement on a constant: kappa and alpha are 0/0, reported as `None`;
    /// the observed agreement is 1.
    #[test]
    fn constant_coding_is_undefined() {
        let c = Counts {
            neither: 12,
            ..Counts::default()
        };
        assert_eq!(c.kappa(), None);
        assert_eq!(c.alpha(), None);
        assert_eq!(c.agreement(), Some(1.0));
        assert_eq!(c.precision(), None);
        assert_eq!(c.f1(), None);
        assert_eq!(Counts::default().agreement(), None);
        // Perfect agreement with both values used: 1.
        let c = Counts {
            both: 3,
            neither: 9,
            ..Counts::default()
        };
        close(c.kappa(), 1.0);
        close(c.alpha(), 1.0);
        // Too few pairable values.
        assert_eq!(krippendorff_alpha_nominal(&[vec![Some(1), None]]), None);
    }

    /// The 2x2 shortcut agrees with the general coincidence matrix, and pooled
    /// matrices add up.
    #[test]
    fn counts_alpha_equals_general_alpha() {
        let c = Counts {
            both: 3,
            only_a: 1,
            only_b: 1,
            neither: 5,
        };
        let mut data = Vec::new();
        for (a, b, k) in [
            (true, true, 3),
            (true, false, 1),
            (false, true, 1),
            (false, false, 5),
        ] {
            for _ in 0..k {
                data.push(vec![Some(a), Some(b)]);
            }
        }
        close(c.alpha(), krippendorff_alpha_nominal(&data).unwrap());
        // By hand: n = 20, n_1 = 8, n_0 = 12, 4 disagreeing pairs:
        // alpha = 1 - 19 * 4 / (2 * 8 * 12) = 0.6041666...; kappa: p_o = 0.8,
        // p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.52, kappa = 0.28 / 0.48 = 0.58333...
        close(c.alpha(), 1.0 - 76.0 / 192.0);
        close(c.kappa(), 0.28 / 0.48);
        let mut m = Coincidences::default();
        for u in &data {
            m.add_unit(u);
        }
        let mut twice = m.clone();
        twice.merge(&m);
        assert!((twice.n() - 40.0).abs() < 1e-12);
    }
}
