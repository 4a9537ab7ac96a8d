//! Applying a compiled codebook to meaning units: codings with their evidence.
