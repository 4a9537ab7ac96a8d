//! Hebrew normalisation for matching, with a map back to the original text.
