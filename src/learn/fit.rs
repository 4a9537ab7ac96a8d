//! L2-regularised logistic regression on sparse rows, fitted by L-BFGS (one code at a time).
//!
//! Minimises `C * sum_i log(1 + exp(-y_i * (b + x_i . w))) + |w|^2 / 2` (the bias `b`
//! is not penalised), the objective LIBLINEAR calls L2-regularised logistic
//! regression. Deterministic: the same rows give the same weights.

/// Sparse rows: row `i` has the (column, value) pairs `cols[ptr[i]..ptr[i + 1]]`.
#[derive(Debug, Default, Clone)]
pub struct Rows {
    pub ptr: Vec<usize>,
    pub cols: Vec<(u32, f32)>,
    pub n_cols: usize,
}

impl Rows {
    /// No rows yet.
    pub fn new(n_cols: usize) -> Rows {
        Rows {
            ptr: vec![0],
            cols: Vec::new(),
            n_cols,
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: &[(u32, f32)]) {
        self.cols.extend_from_slice(row);
        self.ptr.push(self.cols.len());
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.ptr.len() - 1
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s (column, value) pairs.
    pub fn row(&self, i: usize) -> &[(u32, f32)] {
        &self.cols[self.ptr[i]..self.ptr[i + 1]]
    }
}

/// The fitted weights (one per column) and bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub weights: Vec<f32>,
    pub bias: f32,
    /// L-BFGS iterations run.
    pub iterations: usize,
}

/// `log(1 + exp(-m))`, without overflow.
fn log_loss(m: f64) -> f64 {
    if m > 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The objective and its gradient at `x` (weights, then the bias last).
fn value_and_gradient(rows: &Rows, y: &[bool], c: f64, x: &[f64], g: &mut [f64]) -> f64 {
    let n = rows.n_cols;
    let mut f = 0.0;
    for (gi, xi) in g[..n].iter_mut().zip(&x[..n]) {
        *gi = *xi;
        f += 0.5 * xi * xi;
    }
    g[n] = 0.0;
    for (i, &yi) in y.iter().enumerate() {
        let row = rows.row(i);
        let z = x[n]
            + row
                .iter()
                .map(|&(j, v)| x[j as usize] * v as f64)
                .sum::<f64>();
        let t = if yi { 1.0 } else { 0.0 };
        f += c * log_loss(if yi { z } else { -z });
        let d = c * (sigmoid(z) - t);
        for &(j, v) in row {
            g[j as usize] += d * v as f64;
        }
        g[n] += d;
    }
    f
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Fits the model of labels `y` (one per row) with inverse regularisation `c`, until
/// the gradient's norm falls under `tol` times its first value (or `max_iter`).
pub fn logistic(rows: &Rows, y: &[bool], c: f64, tol: f64, max_iter: usize) -> Fit {
    const M: usize = 10;
    let dim = rows.n_cols + 1;
    let mut x = vec![0.0; dim];
    let mut g = vec![0.0; dim];
    let mut f = value_and_gradient(rows, y, c, &x, &mut g);
    let g0 = dot(&g, &g).sqrt().max(1e-12);
    let mut hist: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> = Default::default();
    let mut d = vec![0.0; dim];
    let mut x_new = vec![0.0; dim];
    let mut g_new = vec![0.0; dim];
    let mut alpha = [0.0; M];
    let mut iterations = 0;
    while iterations < max_iter && dot(&g, &g).sqrt() > tol * g0 {
        iterations += 1;
        // The two-loop recursion: d = -H g.
        d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi);
        for (k, (s, yv, rho)) in hist.iter().enumerate().rev() {
            alpha[k] = rho * dot(s, &d);
            d.iter_mut()
                .zip(yv)
                .for_each(|(di, yi)| *di -= alpha[k] * yi);
        }
        let gamma = match hist.back() {
            Some((s, yv, _)) => dot(s, yv) / dot(yv, yv),
            None => 1.0 / g0,
        };
        d.iter_mut().for_each(|di| *di *= gamma);
        for (k, (s, yv, rho)) in hist.iter().enumerate() {
            let beta = rho * dot(yv, &d);
            d.iter_mut()
                .zip(s)
                .for_each(|(di, si)| *di += (alpha[k] - beta) * si);
        }
        let slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction: start the memory again.
            hist.clear();
            continue;
        }
        // Backtracking line search (Armijo).
        let mut step = 1.0;
        let f_new = loop {
            x_new
                .iter_mut()
                .zip(x.iter().zip(&d))
                .for_each(|(xn, (xi, di))| *xn = xi + step * di);
            let f_new = value_and_gradient(rows, y, c, &x_new, &mut g_new);
            if f_new <= f + 1e-4 * step * slope || step < 1e-10 {
                break f_new;
            }
            step *= 0.5;
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &yv);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        let done = (f - f_new).abs() <= 1e-12 * f.abs().max(1.0);
        f = f_new;
        if sy > 1e-12 {
            if hist.len() == M {
                hist.pop_front();
            }
            hist.push_back((s, yv, 1.0 / sy));
        }
        if done {
            break;
        }
    }
    Fit {
        bias: x[rows.n_cols] as f32,
        weights: x[..rows.n_cols].iter().map(|&w| w as f32).collect(),
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The objective's gradient at the fit, checked independently: at the optimum
    /// every partial derivative is (close to) zero.
    fn gradient_norm(rows: &Rows, y: &[bool], c: f64, fit: &Fit) -> f64 {
        let mut x: Vec<f64> = fit.weights.iter().map(|&w| w as f64).collect();
        x.push(fit.bias as f64);
        let mut g = vec![0.0; x.len()];
        value_and_gradient(rows, y, c, &x, &mut g);
        dot(&g, &g).sqrt()
    }

    #[test]
    fn one_feature_fits_the_closed_form() {
        // Without regularisation (c large) and one binary feature, the fitted
        // probabilities are the observed rates: with the feature 3 of 4 positive,
        // without it 1 of 4: bias = ln(1/3), bias + w = ln(3).
        let mut rows = Rows::new(1);
        let mut y = Vec::new();
        for (has, label) in [
            (1, true),
            (1, true),
            (1, true),
            (1, false),
            (0, true),
            (0, false),
            (0, false),
            (0, false),
        ] {
            rows.push(if has == 1 { &[(0, 1.0)] } else { &[] });
            y.push(label);
        }
        let fit = logistic(&rows, &y, 1e6, 1e-10, 1000);
        assert!(
            (fit.bias as f64 - (1.0f64 / 3.0).ln()).abs() < 1e-3,
            "{fit:?}"
        );
        assert!(
            ((fit.bias + fit.weights[0]) as f64 - 3.0f64.ln()).abs() < 1e-3,
            "{fit:?}"
        );
    }

    #[test]
    fn regularisation_shrinks_the_weight_to_where_the_gradient_vanishes() {
        let mut rows = Rows::new(2);
        let y = [true, true, false, false, true, false];
        let data: [&[(u32, f32)]; 6] = [
            &[(0, 1.0)],
            &[(0, 1.0), (1, 0.5)],
            &[(1, 1.0)],
            &[],
            &[(0, 1.0), (1, 1.0)],
            &[(1, 2.0)],
        ];
        for r in data {
            rows.push(r);
        }
        let loose = logistic(&rows, &y, 100.0, 1e-8, 1000);
        let tight = logistic(&rows, &y, 0.1, 1e-8, 1000);
        assert!(gradient_norm(&rows, &y, 0.1, &tight) < 1e-5);
        assert!(gradient_norm(&rows, &y, 100.0, &loose) < 1e-4);
        assert!(tight.weights[0] > 0.0 && tight.weights[0] < loose.weights[0]);
        assert!(tight.weights[1] < 0.0 && tight.weights[1] > loose.weights[1]);
        // The same rows give the same weights.
        assert_eq!(logistic(&rows, &y, 0.1, 1e-8, 1000), tight);
    }
}
