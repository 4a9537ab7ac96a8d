//! Pseudonymisation: names, ID numbers, phones, e-mails and street addresses become stable placeholders.
//!
//! [`Redactor`] finds in a transcript
//!
//! - the **names** it was given ([`NameEntry`]: a manifest column, a names file), as
//!   whole words after folding (niqqud, directional marks, final letters, gershayim
//!   spellings do not matter), with Hebrew clitic prefixes (`לרונית` ->
//!   `ל[שם-1]`; the prefix stays outside) and multi-word names (`רונית כהן`), never
//!   inside another word; every listed name is looked for in every document;
//! - **Israeli ID numbers** with a valid check digit: 9 digits, or 8 digits, a
//!   hyphen and the check digit (`12345678-2`); 8 digits alone only right after an
//!   ID cue (`ת"ז`, `זהות`), read with a leading zero (IDs issued before 9 digits
//!   were usual are often written so). A number with an invalid check digit stays;
//! - **phone numbers**: Israeli mobile and landline forms, with `+972`/`00972`,
//!   spaces, hyphens or an area code in brackets (see the rules of `find_phones`);
//!   9 bare digits right after an ID cue are judged as an ID only;
//! - **e-mail addresses**;
//! - **street addresses**: a street word (`רחוב`, `רח'`, `שדרות`, `שד'`, `דרך`,
//!   `סמטת`, `כיכר`) with one to three name words and a house number
//!   (`ברח' ז'בוטינסקי 5א` -> `ב[כתובת-1]`);
//!
//! and replaces each with a placeholder: `[שם-N]` (persons), `[מקום-N]` (places),
//! `[ארגון-N]` (organisations) and `[כתובת-N]` (addresses) are numbered per kind in
//! order of first appearance in the corpus, and one name or address keeps its number
//! in every document; ID numbers, phones and e-mails become `[ת"ז]`, `[טלפון]`,
//! `[דוא"ל]`, unnumbered (their identity carries nothing for the analysis; the
//! mapping still tells them apart). [`Lang::English`] gives `[NAME-N]`,
//! `[PLACE-N]`, `[ORG-N]`, `[ADDRESS-N]`, `[ID]`, `[PHONE]`, `[EMAIL]`.
//!
//! Numbers are never taken from inside longer numbers (`3,500`, `14.3.2018`,
//! `14/03/2018`) or next to a currency or percent sign. Placeholders already in a
//! text are never matched again, so redacting a redacted text changes nothing.
//!
//! Coding runs on the original text; [`Redacted::map`] carries its character
//! offsets to the redacted text (a unit's span, an evidence span inside a unit).
//! For a corpus, [`Redactor::detect`] can run in parallel (it takes `&self`), and
//! [`Redactor::apply`] then numbers placeholders in corpus order, one document
//! after another; [`Redactor::redact`] does both. [`Redactor::mapping`] is the
//! private table of placeholders and what they replaced.
//!
//! Over-redaction is the safe side: a listed name that is also a common word (`טל`,
//! `גל`, `אור`) is replaced wherever that word stands alone or with prefixes.

pub mod document;
pub mod mapping;
pub mod names;
pub mod offsets;
mod patterns;

pub use document::redact_document;
pub use mapping::{DocCount, MappingEntry, mapping_json, write_mapping_csv};
pub use names::{NameEntry, NameKind, names_from_manifest, parse_names, read_names_file};
pub use offsets::{Edit, OffsetMap, byte_span, char_slice};
pub use patterns::is_valid_israeli_id;

use crate::text::normalize::{Tokenizer, Tokens};
use names::{NameHit, NameMatcher};
use patterns::{Patterns, ShapeHit};
use std::collections::HashMap;

/// The language of placeholders.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Lang {
    /// `[שם-1]`, `[כתובת-1]`, `[ת"ז]`, `[טלפון]`, `[דוא"ל]`.
    #[default]
    #[value(name = "he")]
    #[serde(rename = "he")]
    Hebrew,
    /// `[NAME-1]`, `[ADDRESS-1]`, `[ID]`, `[PHONE]`, `[EMAIL]`.
    #[value(name = "en")]
    #[serde(rename = "en")]
    English,
}

/// What a redacted item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A listed person name.
    Name,
    /// A listed place name.
    Place,
    /// A listed organisation name.
    Org,
    Address,
    Id,
    Phone,
    Email,
}

impl ItemKind {
    const ALL: [ItemKind; 7] = [
        ItemKind::Name,
        ItemKind::Place,
        ItemKind::Org,
        ItemKind::Address,
        ItemKind::Id,
        ItemKind::Phone,
        ItemKind::Email,
    ];

    /// The kind's name in the mapping (`name`, `place`, `org`, `address`, `id`, `phone`, `email`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Name => "name",
            ItemKind::Place => "place",
            ItemKind::Org => "org",
            ItemKind::Address => "address",
            ItemKind::Id => "id",
            ItemKind::Phone => "phone",
            ItemKind::Email => "email",
        }
    }

    /// The word inside the placeholder.
    pub fn label(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::Hebrew, ItemKind::Name) => "שם",
            (Lang::Hebrew, ItemKind::Place) => "מקום",
            (Lang::Hebrew, ItemKind::Org) => "ארגון",
            (Lang::Hebrew, ItemKind::Address) => "כתובת",
            (Lang::Hebrew, ItemKind::Id) => "ת\"ז",
            (Lang::Hebrew, ItemKind::Phone) => "טלפון",
            (Lang::Hebrew, ItemKind::Email) => "דוא\"ל",
            (Lang::English, ItemKind::Name) => "NAME",
            (Lang::English, ItemKind::Place) => "PLACE",
            (Lang::English, ItemKind::Org) => "ORG",
            (Lang::English, ItemKind::Address) => "ADDRESS",
            (Lang::English, ItemKind::Id) => "ID",
            (Lang::English, ItemKind::Phone) => "PHONE",
            (Lang::English, ItemKind::Email) => "EMAIL",
        }
    }

    /// Whether placeholders of this kind are numbered (`[שם-1]`) or not (`[טלפון]`).
    pub fn numbered(self) -> bool {
        matches!(
            self,
            ItemKind::Name | ItemKind::Place | ItemKind::Org | ItemKind::Address
        )
    }

    /// Which of two findings with the same span wins (lower first).
    fn priority(self) -> u8 {
        match self {
            ItemKind::Email => 0,
            ItemKind::Address => 1,
            ItemKind::Id => 2,
            ItemKind::Phone => 3,
            ItemKind::Name | ItemKind::Place | ItemKind::Org => 4,
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|&k| k == self).unwrap_or(0)
    }
}

impl From<NameKind> for ItemKind {
    fn from(k: NameKind) -> ItemKind {
        match k {
            NameKind::Person => ItemKind::Name,
            NameKind::Place => ItemKind::Place,
            NameKind::Org => ItemKind::Org,
        }
    }
}

/// What makes two findings the same item (and so the same placeholder).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A listed name: its group of spellings.
    Group(u32),
    /// A shape: kind and normalised text.
    Text(ItemKind, String),
}

/// One identifier found in a text: its byte span and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: ItemKind,
    key: Key,
}

/// The identifiers found in one text, in text order, not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detection {
    findings: Vec<Finding>,
}

impl Detection {
    /// The findings in text order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}

/// One replaced item of a redacted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// Its index in [`Redactor::mapping`].
    pub entry: usize,
    /// Its character spans in the original and the redacted text.
    pub span: Edit,
}

/// A redacted text with the map of its offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// Character offsets of the original text -> of [`Redacted::text`].
    pub map: OffsetMap,
    /// The replaced items in text order (aligned with `map.edits()`).
    pub items: Vec<Item>,
}

impl Redacted {
    /// The redacted text of the original character span `start..end` (a unit's
    /// span), with the redacted span.
    pub fn span_text(&self, start: usize, end: usize) -> (&str, usize, usize) {
        let (s, e) = self.map.map_span(start, end);
        (char_slice(&self.text, s, e), s, e)
    }
}

/// Finds identifiers and replaces them with placeholders numbered across a corpus.
#[derive(Debug, Clone)]
pub struct Redactor {
    names: NameMatcher,
    patterns: Patterns,
    lang: Lang,
    entries: Vec<MappingEntry>,
    index: HashMap<Key, usize>,
    counters: [usize; ItemKind::ALL.len()],
    tokens: Tokens,
}

impl Redactor {
    /// A redactor for `names` (looked for in every document) writing placeholders in `lang`.
    pub fn new(names: &[NameEntry], lang: Lang) -> Redactor {
        Redactor {
            names: NameMatcher::new(names),
            patterns: Patterns::new(),
            lang,
            entries: Vec::new(),
            index: HashMap::new(),
            counters: [0; ItemKind::ALL.len()],
            tokens: Tokens::new(),
        }
    }

    /// The language of the placeholders.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Finds the identifiers in `text` (no numbering yet; may run in parallel).
    pub fn detect(&self, text: &str) -> Detection {
        let mut tokens = Tokens::new();
        self.detect_with(text, &mut tokens)
    }

    /// [`Redactor::detect`] reusing a token buffer.
    pub fn detect_with(&self, text: &str, tokens: &mut Tokens) -> Detection {
        let mut protected = Vec::new();
        self.patterns.placeholders(text, &mut protected);
        let blocked = |s: usize, e: usize| {
            let i = protected.partition_point(|&(_, pe)| pe <= s);
            protected.get(i).is_some_and(|&(ps, _)| ps < e)
        };
        Tokenizer::tokenize(text, tokens);
        let mut shapes: Vec<ShapeHit> = Vec::new();
        self.patterns.find_emails(text, blocked, &mut shapes);
        self.patterns
            .find_addresses(text, tokens, blocked, &mut shapes);
        self.patterns.find_ids(text, blocked, &mut shapes);
        self.patterns.find_phones(text, blocked, &mut shapes);
        let mut names: Vec<NameHit> = Vec::new();
        self.names.find(text, tokens, blocked, &mut names);

        let mut all: Vec<Finding> = shapes
            .into_iter()
            .map(|h| Finding {
                byte_start: h.byte_start,
                byte_end: h.byte_end,
                kind: h.kind,
                key: Key::Text(h.kind, h.key),
            })
            .chain(names.into_iter().map(|h| Finding {
                byte_start: h.byte_start,
                byte_end: h.byte_end,
                kind: self.names.groups[h.group as usize].kind.into(),
                key: Key::Group(h.group),
            }))
            .collect();
        // Earliest first, then longest, then by kind; keep what does not overlap.
        all.sort_by(|a, b| {
            a.byte_start
                .cmp(&b.byte_start)
                .then(b.byte_end.cmp(&a.byte_end))
                .then(a.kind.priority().cmp(&b.kind.priority()))
        });
        let mut findings: Vec<Finding> = Vec::with_capacity(all.len());
        for f in all {
            if findings.last().is_none_or(|l| f.byte_start >= l.byte_end) {
                findings.push(f);
            }
        }
        Detection { findings }
    }

    /// Replaces what `detection` found in `text` (the text it was found in) and
    /// counts each item for `doc_id`. Call in corpus order: placeholders are
    /// numbered in order of first appearance.
    pub fn apply(&mut self, doc_id: &str, text: &str, detection: &Detection) -> Redacted {
        self.apply_inner(Some(doc_id), text, detection)
    }

    /// Finds and replaces the identifiers of one document ([`Redactor::detect`] then
    /// [`Redactor::apply`]).
    pub fn redact(&mut self, doc_id: &str, text: &str) -> Redacted {
        let mut tokens = std::mem::take(&mut self.tokens);
        let det = self.detect_with(text, &mut tokens);
        self.tokens = tokens;
        self.apply_inner(Some(doc_id), text, &det)
    }

    /// Redacts a short text outside the documents (a speaker label, a unit's quoted
    /// speaker) with the same placeholders, without counting occurrences: what it
    /// names was counted where it stands in a document.
    pub fn redact_field(&mut self, text: &str) -> String {
        let mut tokens = std::mem::take(&mut self.tokens);
        let det = self.detect_with(text, &mut tokens);
        self.tokens = tokens;
        if det.is_empty() {
            return text.to_string();
        }
        self.apply_inner(None, text, &det).text
    }

    /// The placeholders given so far and what they replaced, in order of first appearance.
    pub fn mapping(&self) -> &[MappingEntry] {
        &self.entries
    }

    /// Writes [`Redactor::mapping`] as CSV (see [`write_mapping_csv`]).
    pub fn write_mapping_csv<W: std::io::Write>(&self, w: W) -> anyhow::Result<()> {
        write_mapping_csv(&self.entries, w)
    }

    /// [`Redactor::mapping`] as JSON (see [`mapping_json`]).
    pub fn mapping_json(&self) -> String {
        mapping_json(&self.entries)
    }

    fn apply_inner(&mut self, doc_id: Option<&str>, text: &str, det: &Detection) -> Redacted {
        let n = det.findings.len();
        let mut out = String::with_capacity(text.len() + 8 * n);
        let mut edits = Vec::with_capacity(n);
        let mut items = Vec::with_capacity(n);
        let (mut last, mut orig, mut new) = (0usize, 0usize, 0usize);
        for f in &det.findings {
            let gap = &text[last..f.byte_start];
            let g = gap.chars().count();
            out.push_str(gap);
            orig += g;
            new += g;
            let surface = &text[f.byte_start..f.byte_end];
            let len = surface.chars().count();
            let entry = self.entry_for(f, surface);
            match doc_id {
                Some(d) => self.entries[entry].count(d, surface),
                None => self.entries[entry].add_form(surface),
            }
            let placeholder = &self.entries[entry].placeholder;
            let plen = placeholder.chars().count();
            out.push_str(placeholder);
            let span = Edit {
                orig_start: orig,
                orig_end: orig + len,
                new_start: new,
                new_end: new + plen,
            };
            edits.push(span);
            items.push(Item {
                kind: f.kind,
                entry,
                span,
            });
            orig += len;
            new += plen;
            last = f.byte_end;
        }
        out.push_str(&text[last..]);
        Redacted {
            text: out,
            map: OffsetMap::from_edits(edits),
            items,
        }
    }

    /// The mapping entry of a finding, created (and numbered) on first sight.
    fn entry_for(&mut self, f: &Finding, surface: &str) -> usize {
        if let Some(&e) = self.index.get(&f.key) {
            return e;
        }
        let label = f.kind.label(self.lang);
        let placeholder = if f.kind.numbered() {
            let c = &mut self.counters[f.kind.index()];
            *c += 1;
            format!("[{label}-{c}]")
        } else {
            format!("[{label}]")
        };
        let (original, key) = match &f.key {
            Key::Group(g) => (
                self.names.groups[*g as usize].canonical.clone(),
                String::new(),
            ),
            Key::Text(_, k) => (surface.to_string(), k.clone()),
        };
        self.entries.push(MappingEntry {
            placeholder,
            kind: f.kind,
            original,
            key,
            forms: Vec::new(),
            documents: Vec::new(),
        });
        let e = self.entries.len() - 1;
        self.index.insert(f.key.clone(), e);
        e
    }
}
