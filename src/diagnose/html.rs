//! The workbench page: one self-contained right-to-left HTML file, sortable tables, matched words highlighted.

use super::write::context;
use super::{Diagnosis, TermRow};
use crate::agree::show_number;
use crate::codebook::Codebook;
use crate::coded::UnitTable;
use crate::report::html::escape;
use std::fmt::Write;

/// Keyword-in-context lines shown per term on the page (the CSV has more).
pub const KWIC_SHOWN: usize = 6;
/// Missed units shown per code on the page (the CSV has all).
pub const MISSED_SHOWN: usize = 12;
/// Words of an example unit shown each side of its mark.
const SNIPPET_WORDS: usize = 14;
/// Characters of a missed unit shown on the page.
const MISSED_CHARS: usize = 600;

const STYLE: &str = r#"
:root { --ink:#1d232a; --muted:#5b6570; --line:#d9dee3; --bg:#fbfbfa; --accent:#2f5d8a; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.5;
  font-family:"Noto Sans Hebrew","Rubik","Assistant","Arial Hebrew","DejaVu Sans",Arial,sans-serif; }
main { max-width:1240px; margin:0 auto; padding:24px 28px 60px; }
h1 { font-size:1.8rem; margin:0 0 4px; }
h2 { font-size:1.3rem; margin:36px 0 10px; padding-bottom:6px; border-bottom:2px solid var(--line); }
h3 { font-size:1.1rem; margin:0; border-inline-start:6px solid var(--c, var(--accent)); padding-inline-start:10px; }
h4 { font-size:.95rem; margin:16px 0 6px; color:var(--muted); }
.sub, .note { color:var(--muted); }
.note { font-size:.85rem; }
code, .ltr { direction:ltr; unicode-bidi:isolate; }
section.code { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin:18px 0; }
.tablewrap { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:.88rem; }
th, td { padding:4px 8px; border-bottom:1px solid var(--line); text-align:start; vertical-align:top; }
thead th { background:#f1f3f5; cursor:pointer; user-select:none; white-space:nowrap; }
thead th:hover { background:#e3e8ee; }
td.num { text-align:end; font-variant-numeric:tabular-nums; direction:ltr; unicode-bidi:isolate; }
td.before { text-align:end; color:var(--muted); white-space:nowrap; }
td.after { text-align:start; color:var(--muted); }
td.match mark, td mark { background:#ffe58a; padding:0 2px; border-radius:3px; color:var(--ink); }
.fired { color:#1b7a3a; } .negated, .excluded, .vetoes { color:#a33; } .unused { color:var(--muted); }
ul.fp li { margin:2px 0; }
"#;

/// Click a column heading to sort by it (numbers as numbers, text in Hebrew order).
const SCRIPT: &str = r#"
document.querySelectorAll('table.sortable thead th').forEach(function (th, i) {
  th.addEventListener('click', function () {
    var tb = th.closest('table').tBodies[0], rows = Array.prototype.slice.call(tb.rows);
    var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
    function key(r) { var t = r.cells[i].textContent.trim(), n = parseFloat(t); return isNaN(n) ? t : n; }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y), 'he');
      return asc ? c : -c;
    });
    rows.forEach(function (r) { tb.appendChild(r); });
  });
});
"#;

/// A table: header and rows of cells already rendered as `<td>`.
fn table(h: &mut String, header: &[&str], rows: &[String]) {
    h.push_str("<div class=\"tablewrap\"><table class=\"sortable\"><thead><tr>");
    for c in header {
        let _ = write!(h, "<th>{}</th>", escape(c));
    }
    h.push_str("</tr></thead><tbody>\n");
    for r in rows {
        let _ = writeln!(h, "<tr>{r}</tr>");
    }
    h.push_str("</tbody></table></div>\n");
}

fn td(s: &str) -> String {
    format!("<td>{}</td>", escape(s))
}

fn num(s: impl std::fmt::Display) -> String {
    format!("<td class=\"num\">{}</td>", escape(&s.to_string()))
}

/// The words around the first of `marks` in `text`, marked (the whole text
/// when there is no mark).
fn snippet(text: &str, marks: &[(usize, usize)]) -> String {
    let Some(&(a, b)) = marks.first() else {
        return escape(text);
    };
    let chars: Vec<char> = text.chars().collect();
    let (a, b) = (a.min(chars.len()), b.min(chars.len()));
    let before: String = chars[..a].iter().collect();
    let after: String = chars[b..].iter().collect();
    let m: String = chars[a..b].iter().collect();
    let bw: Vec<&str> = before.split_whitespace().collect();
    let aw: Vec<&str> = after.split_whitespace().collect();
    let mut l = bw[bw.len().saturating_sub(SNIPPET_WORDS)..].join(" ");
    if bw.len() > SNIPPET_WORDS {
        l = format!("… {l}");
    }
    if before.ends_with(char::is_whitespace) {
        l.push(' ');
    }
    let mut r = aw[..aw.len().min(SNIPPET_WORDS)].join(" ");
    if aw.len() > SNIPPET_WORDS {
        r.push_str(" …");
    }
    if after.starts_with(char::is_whitespace) {
        r.insert(0, ' ');
    }
    format!("{}<mark>{}</mark>{}", escape(&l), escape(&m), escape(&r))
}

/// The start of a long text, cut at [`MISSED_CHARS`] characters with `…`.
fn cut(text: &str) -> String {
    if text.chars().count() <= MISSED_CHARS {
        return text.to_string();
    }
    let s: String = text.chars().take(MISSED_CHARS).collect();
    format!("{s} …")
}

fn code_table(h: &mut String, d: &Diagnosis, cb: &Codebook) {
    let mut header = vec!["קוד", "שם", "יחידות שקודדו"];
    if d.reference.is_some() {
        header.extend([
            "בייחוס",
            "בשניהם",
            "רק בייחוס",
            "רק בתמליל",
            "דיוק",
            "החזר",
            "קאפה",
        ]);
    }
    let rows: Vec<String> = d
        .codes
        .iter()
        .map(|r| {
            let c = &cb.codes[r.code];
            let mut s = format!(
                "<td><a class=\"ltr\" href=\"#{0}\">{0}</a></td>{1}{2}",
                escape(&c.id),
                td(&c.label_he),
                num(r.coded)
            );
            if let Some(k) = &r.counts {
                for v in [k.both + k.only_a, k.both, k.only_a, k.only_b] {
                    s.push_str(&num(v));
                }
                for v in [k.precision(), k.recall(), k.kappa()] {
                    s.push_str(&num(show_number(v)));
                }
            }
            s
        })
        .collect();
    table(h, &header, &rows);
}

fn term_table(h: &mut String, d: &Diagnosis, cb: &Codebook, terms: &[&TermRow]) {
    let mut header = vec![
        "מונח",
        "כלל",
        "הופיע",
        "נספר",
        "נחסם בשלילה",
        "נחסם בהחרגה",
        "רק בזכותו",
    ];
    if d.reference.is_some() {
        header.extend(["נכון", "שגוי", "דיוק"]);
    }
    let rows: Vec<String> = terms
        .iter()
        .map(|t| {
            let mut s = format!(
                "{}<td><span class=\"ltr\">{}</span></td>",
                td(&t.text),
                escape(&t.rule_name(cb))
            );
            for v in [t.matched, t.fired, t.negated, t.excluded, t.only] {
                s.push_str(&num(v));
            }
            if d.reference.is_some() {
                s.push_str(&num(t.true_pos));
                s.push_str(&num(t.false_pos));
                s.push_str(&num(show_number(t.precision())));
            }
            s
        })
        .collect();
    table(h, &header, &rows);
}

fn kwic_lines(h: &mut String, d: &Diagnosis, units: &UnitTable, terms: &[&TermRow]) {
    let mut rows = Vec::new();
    for t in terms {
        for k in t.kwic.iter().take(KWIC_SHOWN) {
            let u = &units.units[k.unit];
            let (l, m, r) = context(&u.text, k);
            let st = k.status.as_str();
            rows.push(format!(
                "{}<td class=\"{st}\">{st}</td>{}<td class=\"before\">{}</td><td class=\"match\"><mark>{}</mark></td><td class=\"after\">{}</td><td class=\"ltr\">{}</td>",
                td(&t.text),
                td(&d.in_reference(k.unit, t.code)),
                escape(&l),
                escape(&m),
                escape(&r),
                escape(&u.unit_id)
            ));
        }
    }
    if !rows.is_empty() {
        h.push_str("<h4>מילים בהקשרן (לפי ראיון, בתורות)</h4>\n");
        table(
            h,
            &["מונח", "מה קרה", "בייחוס", "לפני", "התאמה", "אחרי", "יחידה"],
            &rows,
        );
    }
}

fn reference_parts(
    h: &mut String,
    d: &Diagnosis,
    units: &UnitTable,
    code: usize,
    terms: &[&TermRow],
) {
    let mut fp: Vec<&&TermRow> = terms.iter().filter(|t| t.fp_units > 0).collect();
    fp.sort_by_key(|t| std::cmp::Reverse(t.fp_units));
    if !fp.is_empty() {
        h.push_str("<h4>המונחים שמאחורי רוב החיוביים השגויים</h4>\n<ul class=\"fp\">");
        for t in fp.iter().take(5) {
            let _ = write!(
                h,
                "<li><b>{}</b>: ב־{} יחידות שהקוד קיבל והייחוס לא ({} רק בזכותו)</li>",
                escape(&t.text),
                t.fp_units,
                t.fp_only
            );
        }
        h.push_str("</ul>\n");
    }
    let sugg: Vec<String> = d
        .suggestions
        .iter()
        .filter(|s| s.code == code)
        .map(|s| {
            let u = &units.units[s.example];
            format!(
                "{}{}{}{}{}{}{}<td>{}</td>",
                num(s.rank),
                format_args!("<td><b>{}</b></td>", escape(&s.text)),
                td(if s.pair { "צמד" } else { "מילה" }),
                num(s.in_code),
                num(s.in_other),
                num(s.in_docs),
                num(format!("{:.2}", s.z)),
                snippet(&u.text, &s.marks)
            )
        })
        .collect();
    if !sugg.is_empty() {
        h.push_str("<h4>מונחים מוצעים (בולטים ביחידות הקוד בייחוס)</h4>\n");
        table(
            h,
            &[
                "#",
                "מונח",
                "סוג",
                "ביחידות הקוד",
                "ביחידות אחרות",
                "z",
                "דוגמה",
            ],
            &sugg,
        );
    }
    let missed: Vec<String> = d
        .missed
        .iter()
        .filter(|m| m.code == code)
        .take(MISSED_SHOWN)
        .map(|m| {
            let u = &units.units[m.unit];
            let near: Vec<String> = m.near.iter().map(|(t, s)| format!("{t} ({s})")).collect();
            format!(
                "<td class=\"ltr\">{}</td>{}<td>{}</td>",
                escape(&u.unit_id),
                td(&near.join("; ")),
                escape(&cut(&u.text))
            )
        })
        .collect();
    let n_missed = d.missed.iter().filter(|m| m.code == code).count();
    if n_missed > 0 {
        let _ = writeln!(
            h,
            "<h4>יחידות שהייחוס קודד והקוד החמיץ ({n_missed}; עד {MISSED_SHOWN} כאן, כולן ב־missed.csv)</h4>"
        );
        table(h, &["יחידה", "מונחי הקוד שהופיעו", "טקסט"], &missed);
    }
}

/// The page for `d`.
pub fn render(d: &Diagnosis, cb: &Codebook, units: &UnitTable) -> String {
    let mut h = String::with_capacity(1 << 20);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"he\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>אבחון ספר הקודים: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&cb.name)
    );
    let _ = writeln!(
        h,
        "<h1>אבחון ספר הקודים <span class=\"ltr\">{}</span></h1>",
        escape(&cb.name)
    );
    let scope = match &d.reference {
        Some(r) => format!(
            "{} יחידות ב־{} ראיונות שקידוד הייחוס ({}) מכסה (יחידות המרואיינים)",
            d.evaluated, d.documents, r
        ),
        None => format!("{} יחידות ב־{} ראיונות", d.evaluated, d.documents),
    };
    let _ = writeln!(
        h,
        "<p class=\"sub\">{}. לחיצה על כותרת עמודה ממיינת לפיה.</p>",
        escape(&scope)
    );
    h.push_str("<h2>הקודים</h2>\n");
    code_table(&mut h, d, cb);
    h.push_str("<h2>קוד אחר קוד</h2>\n");
    for r in &d.codes {
        let c = &cb.codes[r.code];
        let terms: Vec<&TermRow> = d.terms.iter().filter(|t| t.code == r.code).collect();
        let has_ref = d.reference_has.iter().any(|&(_, x)| x == r.code);
        if r.coded == 0 && !has_ref && terms.iter().all(|t| t.matched == 0) {
            continue;
        }
        let _ = writeln!(
            h,
            "<section class=\"code\" id=\"{}\" style=\"--c:{}\">\n<h3>{} <small class=\"ltr\">{}</small></h3>",
            escape(&c.id),
            escape(&c.color),
            escape(&c.label_he),
            escape(&c.id)
        );
        let _ = writeln!(h, "<p class=\"note\">{}</p>", code_line(d, r));
        let shown: Vec<&TermRow> = terms.iter().copied().filter(|t| t.matched > 0).collect();
        if !shown.is_empty() {
            term_table(&mut h, d, cb, &shown);
        }
        if d.reference.is_some() {
            let judged: Vec<&TermRow> = d
                .terms
                .iter()
                .filter(|t| t.judged == r.code && t.matched > 0)
                .collect();
            reference_parts(&mut h, d, units, r.code, &judged);
        }
        kwic_lines(&mut h, d, units, &shown);
        h.push_str("</section>\n");
    }
    let _ = write!(
        h,
        "<p class=\"note\">tamlil codebook diagnose. מונחים שלא הופיעו אינם מוצגים כאן (הם ב־terms.csv).</p>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    h
}

fn code_line(d: &Diagnosis, r: &super::CodeRow) -> String {
    match &r.counts {
        Some(k) => escape(&format!(
            "קודד ב־{} יחידות; בייחוס {}; דיוק {}, החזר {}, קאפה {}",
            r.coded,
            k.both + k.only_a,
            show_number(k.precision()),
            show_number(k.recall()),
            show_number(k.kappa())
        )),
        None => escape(&format!("קודד ב־{} יחידות מתוך {}", r.coded, d.evaluated)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_marks_and_cuts() {
        let text = "אחת שתיים שלוש ארבע";
        assert_eq!(
            snippet(text, &[(10, 14)]),
            "אחת שתיים <mark>שלוש</mark> ארבע"
        );
        let long = format!("{} מילה {}", "א ".repeat(20), "ב ".repeat(20));
        let s = snippet(&long, &[(41, 45)]);
        assert!(s.starts_with("… ") && s.ends_with(" …"), "{s}");
        assert!(s.contains("<mark>מילה</mark>"));
    }
}
