//! Reference checks of `tamlil::tally::stats` against values computed independently with scipy and numpy.
//!
//! Chi-square statistics, df, p-values and expected counts come from
//! `scipy.stats.chi2_contingency(table, correction=False)` (scipy 1.17.1), Cramér's V
//! from `scipy.stats.contingency.association(table, method='cramer')`, and the
//! adjusted residuals from numpy: `(O-E)/sqrt(E*(1-R/N)*(1-C/N))`. Survival values
//! come from `scipy.stats.chi2.sf(x, df)`.

use tamlil::tally::stats::{ChiSquare, chi_square, chi_square_sf, regularized_gamma_q};

fn assert_rel(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: got {got}, want {want} (relative tolerance {rel})"
    );
}

fn assert_matrix(got: &[Vec<f64>], want: &[&[f64]], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: rows");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: row {i} length");
        for (j, (&g, &w)) in g.iter().zip(w.iter()).enumerate() {
            assert_rel(g, w, 1e-9, &format!("{what}[{i}][{j}]"));
        }
    }
}

fn table(rows: &[&[f64]]) -> Vec<Vec<f64>> {
    rows.iter().map(|r| r.to_vec()).collect()
}

#[test]
fn chi_square_3x4_sector_by_key_matches_scipy() {
    let t = table(&[
        &[12.0, 5.0, 9.0, 3.0],
        &[4.0, 15.0, 6.0, 2.0],
        &[7.0, 8.0, 14.0, 1.0],
    ]);
    let r = chi_square(&t);
    assert!(r.applicable && r.not_applicable_reason.is_none());
    assert_eq!(r.total, 86.0);
    assert_eq!(
        (r.rows_used.clone(), r.cols_used.clone()),
        (vec![0, 1, 2], vec![0, 1, 2, 3])
    );
    assert!(r.rows_dropped.is_empty() && r.cols_dropped.is_empty());
    let x = r.test.unwrap();
    assert_rel(x.statistic, 14.346388810703205, 1e-9, "statistic");
    assert_eq!(x.df, 6);
    assert_rel(x.p_value, 0.025997287669753292, 1e-6, "p");
    assert_rel(x.cramers_v, 0.2888065741487376, 1e-9, "Cramér's V");
    assert_matrix(
        &x.expected,
        &[
            &[
                7.755813953488372,
                9.44186046511628,
                9.779069767441861,
                2.0232558139534884,
            ],
            &[
                7.22093023255814,
                8.790697674418604,
                9.104651162790697,
                1.8837209302325582,
            ],
            &[
                8.023255813953488,
                9.767441860465116,
                10.116279069767442,
                2.0930232558139537,
            ],
        ],
        "expected",
    );
    assert_matrix(
        &x.adjusted_residuals,
        &[
            &[
                2.1871142517412325,
                -2.1621367037873904,
                -0.37588169340484723,
                0.8745234637025145,
            ],
            &[
                -1.6907792683629987,
                3.0788574543094764,
                -1.5258652140665034,
                0.10605245319672586,
            ],
            &[
                -0.5230498286688987,
                -0.8533853051262337,
                1.8586799955926219,
                -0.9707375284835491,
            ],
        ],
        "adjusted residuals",
    );
    // The last column's expected counts (2.02, 1.88, 2.09) are below 5: 3 of 12
    // cells, 25% > 20%, so the warning is raised; none is below 1.
    assert_eq!((x.cells, x.cells_expected_below_5), (12, 3));
    assert_eq!(x.share_expected_below_5, 0.25);
    assert!(!x.any_expected_below_1);
    assert!(x.small_expected);
}

#[test]
fn chi_square_2x2_matches_scipy() {
    let r = chi_square(&table(&[&[10.0, 20.0], &[25.0, 15.0]]));
    let x = r.test.unwrap();
    assert_rel(x.statistic, 5.833333333333334, 1e-9, "statistic");
    assert_eq!(x.df, 1);
    assert_rel(x.p_value, 0.0157252997545054, 1e-6, "p");
    assert_rel(x.cramers_v, 0.2886751345948129, 1e-9, "Cramér's V");
    assert_matrix(&x.expected, &[&[15.0, 15.0], &[20.0, 20.0]], "expected");
    let a = 2.41522945769824;
    assert_matrix(
        &x.adjusted_residuals,
        &[&[-a, a], &[a, -a]],
        "adjusted residuals",
    );
    assert_eq!(x.cells_expected_below_5, 0);
    assert!(!x.small_expected);
}

#[test]
fn chi_square_drops_empty_rows_and_columns() {
    // Without row 1 and column 1 this is [[3, 5], [4, 2]]; scipy on that table.
    let r = chi_square(&table(&[
        &[3.0, 0.0, 5.0],
        &[0.0, 0.0, 0.0],
        &[4.0, 0.0, 2.0],
    ]));
    assert!(r.applicable);
    assert_eq!(
        (r.rows_used.clone(), r.rows_dropped.clone()),
        (vec![0, 2], vec![1])
    );
    assert_eq!(
        (r.cols_used.clone(), r.cols_dropped.clone()),
        (vec![0, 2], vec![1])
    );
    let x = r.test.unwrap();
    assert_rel(x.statistic, 1.1666666666666665, 1e-9, "statistic");
    assert_eq!(x.df, 1);
    assert_rel(x.p_value, 0.28008721081149435, 1e-6, "p");
    assert_rel(x.cramers_v, 0.28867513459481287, 1e-9, "Cramér's V");
    assert_matrix(&x.expected, &[&[4.0, 4.0], &[3.0, 3.0]], "expected");
    let (a, b) = (1.0801234497346432, 1.0801234497346435);
    assert_matrix(
        &x.adjusted_residuals,
        &[&[-a, a], &[b, -b]],
        "adjusted residuals",
    );
    assert_eq!(
        (x.cells_expected_below_5, x.share_expected_below_5),
        (4, 1.0)
    );
    assert!(x.small_expected && !x.any_expected_below_1);
}

#[test]
fn chi_square_not_applicable_without_two_nonempty_rows_and_columns() {
    let one_row = chi_square(&table(&[&[1.0, 2.0, 3.0], &[0.0, 0.0, 0.0]]));
    assert!(!one_row.applicable && one_row.test.is_none());
    assert_eq!(
        one_row.not_applicable_reason.as_deref(),
        Some("fewer than 2 non-empty rows (groups)")
    );
    assert_eq!(one_row.rows_dropped, vec![1]);
    let one_col = chi_square(&table(&[&[1.0, 0.0], &[2.0, 0.0]]));
    assert!(!one_col.applicable);
    assert_eq!(
        one_col.not_applicable_reason.as_deref(),
        Some("fewer than 2 non-empty columns (codes)")
    );
    assert_eq!(one_col.cols_dropped, vec![1]);
    let empty: ChiSquare = chi_square(&[]);
    assert!(!empty.applicable);
    assert_eq!(empty.total, 0.0);
    // The missing test serialises as null, with no NaN anywhere.
    let json = serde_json::to_string(&one_row).unwrap();
    assert!(
        json.contains("\"applicable\":false") && json.contains("\"test\":null"),
        "{json}"
    );
    assert!(!json.contains("NaN"));
}

#[test]
fn chi_square_survival_matches_scipy() {
    // (x, df, scipy.stats.chi2.sf(x, df))
    let cases = [
        (0.5, 1.0, 0.47950012218695337),
        (3.84, 1.0, 0.05004352124870519),
        (10.0, 4.0, 0.04042768199451279),
        (25.0, 9.0, 0.002971180485917624),
        (100.0, 50.0, 3.454931382984871e-05),
        (0.01, 3.0, 0.9997348349413444),
        (200.0, 20.0, 1.1253473960842808e-31),
        (1e-3, 30.0, 1.0),
        (60.0, 60.0, 0.4757169861063199),
        (7.5, 2.0, 0.023517745856009114),
        (1500.0, 1000.0, 1.0454640385980825e-22),
        (2.0, 7.0, 0.9598403687301016),
    ];
    for (x, df, want) in cases {
        assert_rel(
            chi_square_sf(x, df),
            want,
            1e-6,
            &format!("chi2.sf({x}, {df})"),
        );
    }
    assert_eq!(chi_square_sf(0.0, 3.0), 1.0);
    assert_eq!(chi_square_sf(f64::INFINITY, 3.0), 0.0);
    // Q(1, x) = e^-x exactly.
    assert_rel(
        regularized_gamma_q(1.0, 2.5),
        (-2.5f64).exp(),
        1e-13,
        "Q(1, 2.5)",
    );
}
