//! Statistics for contingency tables: chi-square, Cramér's V, residuals, permutation and bootstrap.
