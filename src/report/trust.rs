//! The report's trust section: how far each code can be trusted on this corpus, or that nothing was validated.

use super::charts::Lang;
use super::html::{Cell, HtmlTable};
use crate::agree::show_number;
use crate::review::Review;
use crate::review::trust::{self, MIN_UNITS, REVIEW_KAPPA, TRUST_KAPPA, TrustRow, Verdict};

/// The section as the page shows it.
pub struct TrustSection {
    pub title: String,
    /// Paragraphs of plain text.
    pub paragraphs: Vec<String>,
    pub table: Option<HtmlTable>,
}

/// The section for a run with `review` (or none) over `documents` interviews.
pub fn section(
    lang: Lang,
    review: Option<&Review>,
    documents: usize,
    learned: (usize, usize),
) -> TrustSection {
    let he = lang == Lang::He;
    let title = if he {
        "עד כמה אפשר לסמוך על הקודים"
    } else {
        "How far the codes can be trusted"
    }
    .to_string();
    let Some(r) = review else {
        let mut paragraphs = unvalidated(he);
        paragraphs.extend(learned_note(he, learned));
        return TrustSection {
            title,
            paragraphs,
            table: None,
        };
    };
    let units = r.trust.first().map(|t| t.counts.n()).unwrap_or(0);
    let mut paragraphs = vec![if he {
        format!(
            "{} מתוך {documents} ראיונות נבדקו בידי {}; בהם הקידוד של הבודק מחליף את הקידוד האוטומטי בכל טבלה, תרשים וציטוט, ושאר הראיונות נשארים בקידוד האוטומטי (העמודה coding_source מבחינה ביניהם). על {units} יחידות המרואיינים של הראיונות שנבדקו, הקידוד האוטומטי של tamlil הושווה לקידוד הבודק (הבודק הוא הייחוס): דיוק הוא חלק הקידודים של tamlil שהבודק השאיר, והחזרה היא חלק הקידודים של הבודק ש־tamlil מצא.",
            r.documents.len(),
            r.coding.name
        )
    } else {
        format!(
            "{} of {documents} interviews were reviewed by {}; in them the reviewer's coding replaces the automatic one in every table, chart and quote, and the other interviews keep the automatic coding (the coding_source attribute tells them apart). On the {units} interviewee units of the reviewed interviews, tamlil's automatic coding is compared with the reviewer's (the reviewer is the reference): precision is the share of tamlil's codings the reviewer kept, recall the share of the reviewer's codings tamlil found.",
            r.documents.len(),
            r.coding.name
        )
    }];
    paragraphs.extend(learned_note(he, learned));
    paragraphs.push(if he {
        format!(
            "הכלל: «{}» כאשר קאפה ≥ {TRUST_KAPPA} והבודק נתן את הקוד ל־{MIN_UNITS} יחידות לפחות; «{}» כאשר קאפה ≥ {REVIEW_KAPPA}, כשיש פחות יחידות, או כשאף יחידה שנבדקה לא קיבלה את הקוד (לא נבדק); «{}» כאשר קאפה < {REVIEW_KAPPA}.",
            Verdict::Trustworthy.label_he(),
            Verdict::ReviewBeforeUse.label_he(),
            Verdict::CodeByHand.label_he()
        )
    } else {
        format!(
            "The rule: \"{}\" when kappa >= {TRUST_KAPPA} and the reviewer gave the code to at least {MIN_UNITS} units; \"{}\" when kappa >= {REVIEW_KAPPA}, on fewer units, or when no reviewed unit has the code (untested); \"{}\" when kappa < {REVIEW_KAPPA}.",
            Verdict::Trustworthy.as_str(),
            Verdict::ReviewBeforeUse.as_str(),
            Verdict::CodeByHand.as_str()
        )
    });
    TrustSection {
        title,
        paragraphs,
        table: Some(table(lang, &r.trust)),
    }
}

/// How many of the automatic codings the codebook's learned model added, if any:
/// `learned` is (codings the model added, all codings).
fn learned_note(he: bool, (learned, all): (usize, usize)) -> Option<String> {
    (learned > 0).then(|| {
        if he {
            format!(
                "{learned} מתוך {all} הקידודים נוספו בידי המודל הנלמד של ספר הקודים (שלמד ממילות ראיונות שקודדו ביד) במקום שהכללים לא נתנו קוד; ב־codings.csv המקור שלהם הוא learned, והראיה היא המילים שהכריעו. הציטוטים בדוח נבחרו מבין הקידודים של הכללים."
            )
        } else {
            format!(
                "{learned} of the {all} codings were added by the codebook's learned model (which learned from the words of interviews coded by hand) where the rules gave no code; in codings.csv their source is learned and their evidence the words that weighed most. The report's quotes are chosen among the rules' codings."
            )
        }
    })
}

/// What the section says when nothing was reviewed.
fn unvalidated(he: bool) -> Vec<String> {
    if he {
        vec![
            "הקודים בדוח זה הוקצו אוטומטית ולא תוקפו על קורפוס זה: אין לדעת עד כמה אפשר לסמוך כאן על כל קוד.".into(),
            "כדי לתקף אותם: פתחו את project.qdpx בתוכנת QDA (QualCoder, MAXQDA, ATLAS.ti, NVivo), בדקו את הקידוד של כמה ראיונות (מחקו קידודים שגויים, הוסיפו חסרים), ייצאו את הפרויקט והריצו שוב: tamlil run --reviewed reviewed.qdpx (או קובץ CSV של unit_id,code_id). אז יחליף הקידוד שלכם את האוטומטי בראיונות שבדקתם, והדוח יראה לכל קוד את ההסכמה ביניהם ואם אפשר לסמוך עליו.".into(),
        ]
    } else {
        vec![
            "The codes in this report were assigned automatically and have not been validated on this corpus: there is no telling how far each code can be trusted here.".into(),
            "To validate them: open project.qdpx in a QDA tool (QualCoder, MAXQDA, ATLAS.ti, NVivo), review the coding of a few interviews (delete wrong codings, add missing ones), export the project and run again with tamlil run --reviewed reviewed.qdpx (or a CSV of unit_id,code_id). Your coding then replaces the automatic one in the interviews you reviewed, and this section shows, for every code, how well the two agree and whether the code can be trusted.".into(),
        ]
    }
}

/// The trust table: one row per code, then all codes pooled.
fn table(lang: Lang, rows: &[TrustRow]) -> HtmlTable {
    let he = lang == Lang::He;
    let header: Vec<String> = if he {
        vec![
            "קוד",
            "יחידות עם הקוד (בודק)",
            "שניהם",
            "רק הבודק",
            "רק tamlil",
            "דיוק",
            "החזרה",
            "קאפה",
            "הכרעה",
        ]
    } else {
        vec![
            "code",
            "units with the code (reviewer)",
            "both",
            "reviewer only",
            "tamlil only",
            "precision",
            "recall",
            "kappa",
            "verdict",
        ]
    }
    .into_iter()
    .map(String::from)
    .collect();
    let body = rows
        .iter()
        .filter(|r| trust::is_code(r) || r.key.id == "*")
        .map(|r| {
            let c = &r.counts;
            let label = if he { &r.key.label_he } else { &r.key.label_en };
            let verdict = if he {
                r.verdict.label_he()
            } else {
                r.verdict.as_str()
            };
            vec![
                Cell::Head(label.clone()),
                Cell::Num(r.reviewer_units().to_string()),
                Cell::Num(c.both.to_string()),
                Cell::Num(c.only_a.to_string()),
                Cell::Num(c.only_b.to_string()),
                Cell::Num(show_number(c.precision())),
                Cell::Num(show_number(c.recall())),
                Cell::Num(show_number(c.kappa())),
                if trust::is_code(r) {
                    Cell::Tag(verdict.to_string(), colour(r.verdict))
                } else {
                    Cell::Text(String::new())
                },
            ]
        })
        .collect();
    HtmlTable {
        id: "code-trust".into(),
        caption: if he {
            "הסכמה בין הקידוד האוטומטי לקידוד הבודק, לפי קוד (tables/code_trust.csv)"
        } else {
            "Agreement of the automatic coding with the reviewer's, per code (tables/code_trust.csv)"
        }
        .into(),
        note: if he {
            "כמו tamlil agree כשהבודק הוא A ו־codings.csv של ריצה ללא בדיקה הוא B. n/a: אין שונות להסכים עליה."
        } else {
            "As tamlil agree with the reviewer as A and an unreviewed run's codings.csv as B. n/a: no variation to agree on."
        }
        .into(),
        header,
        rows: body,
        rendered: Vec::new(),
    }
}

/// The colour of a verdict's tag.
fn colour(v: Verdict) -> &'static str {
    match v {
        Verdict::Trustworthy => "#cfe8d5",
        Verdict::ReviewBeforeUse => "#fbe7b5",
        Verdict::CodeByHand => "#f6c9c9",
    }
}
