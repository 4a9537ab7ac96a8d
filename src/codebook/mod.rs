//! Codebooks: the model of codes and rules, loading (TOML, CSV), validation, compilation.
