//! Marks: what the negation and reported-view passes need to know of a folded token.
//!
//! A token's marks depend on its folded text alone, so the matcher finds them once
//! per distinct token (with its word ids) and the passes read bits instead of
//! comparing words: negation ([`super::matcher::Matcher::is_negated`]) and reported
//! views ([`super::stance::mark_reported`]).

/// The marks of one token: a set of the bits below.
pub type Marks = u16;

/// A negation word (לא, אין, בלי, ... with the clitics they take).
pub const NEGATOR: Marks = 1 << 0;
/// במקום (or ובמקום): "instead of" before an infinitive.
pub const INSTEAD: Marks = 1 << 1;
/// פעמ (in אף פעם).
pub const PAAM: Marks = 1 << 2;
/// אפ (before פעם).
pub const AF: Marks = 1 << 3;
/// A word after a negator that makes it no negation (רק, סתם, ספק, ...).
pub const NOT_NEGATING: Marks = 1 << 4;
/// אלא or כי (or with ו): opens a clause a negation before it does not reach.
pub const OPENS_CLAUSE: Marks = 1 << 5;
/// עד or כדי (or with ו): opens such a clause before a word starting with ש.
pub const OPENS_BEFORE_SH: Marks = 1 << 6;
/// Starts with ש.
pub const STARTS_SH: Marks = 1 << 7;
/// Starts with ל.
pub const STARTS_L: Marks = 1 << 8;
/// A contrast word that brings the speaker's own voice back (אבל, אך, ...).
pub const CONTRAST: Marks = 1 << 9;
/// A first-person pronoun (אני, אנחנו, ...).
pub const WE: Marks = 1 << 10;
/// "In their view" (לדעתם, בעיניהם, ...): opens a report on its own.
pub const THEIR_VIEW: Marks = 1 << 11;
/// A plural speech or thought participle after the relative ש (שאומרים, ושחושבות).
pub const RELATIVE_SAYING: Marks = 1 << 12;
/// An impersonal plural of saying or thinking (אומרים, וחושבות): a report before ש.
pub const IMPERSONAL_SAYING: Marks = 1 << 13;
/// A singular speech or thought participle (אומרת, חושב, ...): with the relative ש
/// (שאומרת) or after הוא / היא and before ש, a report of one other person.
pub const SINGULAR_SAYING: Marks = 1 << 14;
/// A third-person singular pronoun (הוא, היא, with ו).
pub const HE_SHE: Marks = 1 << 15;
