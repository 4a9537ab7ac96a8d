//! The self-contained HTML report: escaping, highlighted quotes, tables, and the page.

use std::fmt::Write;
use std::path::PathBuf;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Bidi embeddings, overrides and isolates in transcript text would reorder
            // what the reader sees; they are invisible, so they are dropped.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Plain text for a right-to-left sentence, escaped, with every number (an optional
/// sign, digits with `.` `,` `:` between them, a `%`, a `–` range) isolated left to
/// right in `<bdi dir="ltr">`, so "−3.8" never reads "3.8−" and "(+1)" never "(1+)".
/// A number is taken only at the start of the text or after a space or an opening
/// bracket, and only when no letter follows it (133ea289c7ab is a word): "n=4" is one left-to-right word already, and in "מ-5" the hyphen joins a
/// prefix letter (isolating either would turn it round).
pub fn rtl_prose(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let is_sign = |c: char| matches!(c, '-' | '+' | '−');
    let mut out = String::with_capacity(s.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let starts = prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '['));
        let signed = is_sign(chars[i]) && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !(starts && (signed || chars[i].is_ascii_digit())) {
            out.push_str(&escape(&chars[i].to_string()));
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < chars.len() {
            let joins = matches!(chars[i], '.' | ',' | ':' | '–')
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if chars[i].is_ascii_digit() || joins {
                i += 1;
            } else {
                break;
            }
        }
        if chars.get(i) == Some(&'%') {
            i += 1;
        }
        // Digits that run on into letters (a hash: 133ea289c7ab) are a word, not a
        // number: they stay with it.
        if chars.get(i).is_some_and(|c| c.is_alphanumeric()) {
            out.push_str(&escape(&chars[start].to_string()));
            i = start + 1;
            continue;
        }
        let token: String = chars[start..i].iter().collect();
        let _ = write!(out, "<bdi dir=\"ltr\">{}</bdi>", escape(&token));
    }
    out
}

/// Text of a right-to-left page with its numbers isolated; plain escaped text otherwise.
fn prose(s: &str, rtl: bool) -> String {
    if rtl { rtl_prose(s) } else { escape(s) }
}

/// A quote's text, escaped, with the character ranges in `marks` wrapped in `<mark>`.
/// Overlapping or touching ranges are merged; ranges outside the text are clipped.
/// Bidi control characters are shown as visible escapes, never obeyed.
pub fn highlight(text: &str, marks: &[(usize, usize)]) -> String {
    let n = text.chars().count();
    let mut ranges: Vec<(usize, usize)> = marks
        .iter()
        .map(|&(s, e)| (s.min(n), e.min(n)))
        .filter(|(s, e)| s < e)
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut next = merged.iter().peekable();
    let mut open = false;
    let mut buf = [0u8; 4];
    for (i, c) in text.chars().enumerate() {
        if open && next.peek().is_some_and(|r| r.1 == i) {
            out.push_str("</mark>");
            open = false;
            next.next();
        }
        if !open && next.peek().is_some_and(|r| r.0 == i) {
            out.push_str("<mark>");
            open = true;
        }
        out.push_str(&escape(c.encode_utf8(&mut buf)));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// A table as the report shows it: already formatted cells.
pub struct HtmlTable {
    pub id: String,
    pub caption: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Further rows already written as HTML ([`write_row`]), after `rows`: a table
    /// with a row per interview is kept so rather than as cells.
    pub rendered: Vec<u8>,
}

/// One cell of a report table.
pub enum Cell {
    /// Plain text (escaped when written).
    Text(String),
    /// A number, right-aligned in its own direction.
    Num(String),
    /// A row heading, bold.
    Head(String),
    /// A number shaded by a value in [0, 1] (heat-map cells).
    Shaded(String, f64),
    /// A short label on a coloured background (a CSS colour).
    Tag(String, &'static str),
}

/// A code's quotes, grouped.
pub struct QuoteSection {
    pub code_id: String,
    pub label: String,
    pub color: String,
    pub groups: Vec<(String, Vec<QuoteView>)>,
}

/// One quote in the report.
pub struct QuoteView {
    pub text: String,
    pub marks: Vec<(usize, usize)>,
    /// The link-free reference: interview, unit, character offsets.
    pub reference: String,
}

/// Everything the page shows.
pub struct Page {
    /// `he` (right to left) or `en`.
    pub lang: String,
    pub title: String,
    pub subtitle: String,
    pub summary: Vec<(String, String)>,
    /// How far the codes can be trusted: a title, paragraphs, and a table if any.
    pub trust_title: String,
    pub trust: Vec<String>,
    pub trust_table: Option<HtmlTable>,
    pub findings_title: String,
    /// Sentences as HTML fragments (the builder escapes what it puts in them).
    pub findings: Vec<String>,
    pub charts_title: String,
    /// Each chart's caption and SVG file, whose markup is inlined in the page.
    pub charts: Vec<(String, PathBuf)>,
    pub tables_title: String,
    pub tables: Vec<HtmlTable>,
    pub quotes_title: String,
    pub quotes: Vec<QuoteSection>,
    /// Shown under a group heading that has no quotes.
    pub no_quotes: String,
    pub footer: String,
}

const STYLE: &str = r#"
:root { --ink:#1d232a; --muted:#5b6570; --line:#d9dee3; --bg:#fbfbfa; --accent:#2f5d8a; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family: "Noto Sans Hebrew","Rubik","Assistant","Arial Hebrew","DejaVu Sans",Arial,sans-serif;
  line-height:1.55; }
main { max-width:1180px; margin:0 auto; padding:28px 32px 64px; }
h1 { font-size:1.9rem; margin:0 0 4px; }
h2 { font-size:1.35rem; margin:40px 0 12px; padding-bottom:6px; border-bottom:2px solid var(--line); }
h3 { font-size:1.08rem; margin:22px 0 8px; }
.sub { color:var(--muted); margin:0 0 18px; }
dl.summary { display:grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap:10px; margin:0; }
dl.summary div { background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
dl.summary dt { color:var(--muted); font-size:.85rem; }
dl.summary dd { margin:0; font-size:1.25rem; font-weight:600; }
ul.findings li { margin:6px 0; }
figure { margin:18px 0; background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px; }
figure svg { max-width:100%; height:auto; display:block; margin:0 auto; }
figcaption { color:var(--muted); font-size:.9rem; margin-top:6px; }
.tablewrap { overflow-x:auto; background:#fff; border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
caption { text-align:start; font-weight:600; padding:10px 12px; }
th, td { padding:5px 10px; border-bottom:1px solid var(--line); text-align:start; vertical-align:top; }
thead th { background:#f1f3f5; position:sticky; top:0; }
td.num { text-align:end; font-variant-numeric: tabular-nums; unicode-bidi: isolate; direction:ltr; }
td.head { font-weight:600; }
p.note { color:var(--muted); font-size:.85rem; margin:6px 2px 0; }
section.code { margin:18px 0 26px; }
section.code h3 { border-inline-start:6px solid var(--c, var(--accent)); padding-inline-start:10px; }
.group h4 { margin:10px 0 4px; font-size:.95rem; color:var(--muted); }
.group p.none { margin:4px 0 8px; color:var(--muted); font-size:.85rem; font-style:italic; }
blockquote { margin:6px 0; padding:8px 14px; background:#fff; border:1px solid var(--line);
  border-inline-start:4px solid var(--c, var(--accent)); border-radius:6px; unicode-bidi: plaintext; }
blockquote mark { background:#ffe58a; padding:0 2px; border-radius:3px; }
blockquote cite { display:block; color:var(--muted); font-style:normal; font-size:.8rem; margin-top:4px;
  direction:ltr; text-align:end; unicode-bidi:isolate; }
span.tag { padding:1px 8px; border-radius:10px; white-space:nowrap; }
p.trust { max-width:72em; }
footer { color:var(--muted); font-size:.8rem; margin-top:48px; }
"#;

impl Page {
    /// Writes the whole page as HTML to `h`, as it goes: a page with large charts or a
    /// row per interview is not built in memory first.
    pub fn write_to(mut self, h: &mut impl std::io::Write) -> std::io::Result<()> {
        let dir = if self.lang == "he" { "rtl" } else { "ltr" };
        let charts = std::mem::take(&mut self.charts);
        let text = |s: &str| prose(s, self.lang == "he");
        write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
            escape(&self.lang),
            escape(&self.title)
        )?;
        writeln!(
            h,
            "<h1>{}</h1>\n<p class=\"sub\">{}</p>",
            escape(&self.title),
            text(&self.subtitle)
        )?;
        h.write_all(b"<dl class=\"summary\">\n")?;
        for (k, v) in &self.summary {
            writeln!(h, "<div><dt>{}</dt><dd>{}</dd></div>", text(k), text(v))?;
        }
        h.write_all(b"</dl>\n")?;
        writeln!(h, "<h2 id=\"trust\">{}</h2>", escape(&self.trust_title))?;
        for p in &self.trust {
            writeln!(h, "<p class=\"trust\">{}</p>", escape(p))?;
        }
        if let Some(t) = &self.trust_table {
            render_table(h, t, self.lang == "he")?;
        }
        writeln!(
            h,
            "<h2 id=\"findings\">{}</h2>\n<ul class=\"findings\">",
            escape(&self.findings_title)
        )?;
        for f in &self.findings {
            writeln!(h, "<li>{f}</li>")?;
        }
        h.write_all(b"</ul>\n")?;
        writeln!(h, "<h2 id=\"charts\">{}</h2>", escape(&self.charts_title))?;
        // Each chart's markup is copied from its file as it is read: with a dot per
        // interview, a chart of a large corpus is tens of megabytes.
        for (caption, path) in charts {
            h.write_all(b"<figure>\n")?;
            copy_svg(h, &path)?;
            writeln!(
                h,
                "\n<figcaption>{}</figcaption>\n</figure>",
                text(&caption)
            )?;
        }
        writeln!(h, "<h2 id=\"tables\">{}</h2>", escape(&self.tables_title))?;
        for t in std::mem::take(&mut self.tables) {
            render_table(h, &t, self.lang == "he")?;
        }
        writeln!(h, "<h2 id=\"quotes\">{}</h2>", escape(&self.quotes_title))?;
        for q in &self.quotes {
            writeln!(
                h,
                "<section class=\"code\" style=\"--c:{}\">\n<h3>{} <small dir=\"ltr\">({})</small></h3>",
                escape(&q.color),
                escape(&q.label),
                escape(&q.code_id)
            )?;
            for (group, quotes) in &q.groups {
                writeln!(h, "<div class=\"group\"><h4>{}</h4>", escape(group))?;
                if quotes.is_empty() {
                    writeln!(h, "<p class=\"none\">{}</p>", escape(&self.no_quotes))?;
                }
                for v in quotes {
                    writeln!(
                        h,
                        "<blockquote dir=\"auto\">{}<cite>{}</cite></blockquote>",
                        highlight(&v.text, &v.marks),
                        escape(&v.reference)
                    )?;
                }
                h.write_all(b"</div>\n")?;
            }
            h.write_all(b"</section>\n")?;
        }
        writeln!(
            h,
            "<footer>{}</footer>\n</main>\n</body>\n</html>",
            text(&self.footer)
        )?;
        Ok(())
    }
}

fn render_table(h: &mut impl std::io::Write, t: &HtmlTable, rtl: bool) -> std::io::Result<()> {
    let text = |s: &str| prose(s, rtl);
    write!(
        h,
        "<div class=\"tablewrap\" id=\"{}\"><table>\n<caption>{}</caption>\n<thead><tr>",
        escape(&t.id),
        text(&t.caption)
    )?;
    for c in &t.header {
        write!(h, "<th>{}</th>", text(c))?;
    }
    h.write_all(b"</tr></thead>\n<tbody>\n")?;
    for row in &t.rows {
        write_row(h, row, rtl)?;
    }
    h.write_all(&t.rendered)?;
    h.write_all(b"</tbody></table></div>\n")?;
    if !t.note.is_empty() {
        writeln!(h, "<p class=\"note\">{}</p>", text(&t.note))?;
    }
    Ok(())
}

/// Writes one row of a report table (`<tr>...</tr>` and a line end); `rtl` as the
/// page's direction.
pub fn write_row(h: &mut impl std::io::Write, row: &[Cell], rtl: bool) -> std::io::Result<()> {
    let text = |s: &str| prose(s, rtl);
    h.write_all(b"<tr>")?;
    for c in row {
        match c {
            Cell::Text(s) => {
                write!(h, "<td>{}</td>", text(s))?;
            }
            Cell::Num(s) => {
                write!(h, "<td class=\"num\">{}</td>", escape(s))?;
            }
            Cell::Head(s) => {
                write!(h, "<td class=\"head\">{}</td>", text(s))?;
            }
            Cell::Tag(s, colour) => {
                write!(
                    h,
                    "<td><span class=\"tag\" style=\"background:{colour}\">{}</span></td>",
                    escape(s)
                )?;
            }
            Cell::Shaded(s, v) => {
                let a = (v.clamp(0.0, 1.0) * 0.75 * 100.0).round() / 100.0;
                write!(
                    h,
                    "<td class=\"num\" style=\"background:rgba(47,93,138,{a})\">{}</td>",
                    escape(s)
                )?;
            }
        }
    }
    h.write_all(b"</tr>\n")?;
    Ok(())
}

/// Copies the SVG document at `path` into `h` without its `<?xml ...?>` prolog
/// ([`strip_xml_prolog`]), reading only as much of it at once as holds the prolog.
fn copy_svg(h: &mut impl std::io::Write, path: &std::path::Path) -> std::io::Result<()> {
    use std::io::Read;
    let cannot_read = |e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("{}: cannot read: {e}", path.display()))
    };
    // The text of `head` up to a character cut at its end.
    let text_of = |head: &[u8]| -> std::io::Result<usize> {
        match std::str::from_utf8(head) {
            Ok(t) => Ok(t.len()),
            Err(e) if e.error_len().is_none() => Ok(e.valid_up_to()),
            Err(e) => Err(cannot_read(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                e,
            ))),
        }
    };
    let mut file = std::fs::File::open(path).map_err(cannot_read)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut head: Vec<u8> = Vec::new();
    // The start of the file, read until it is known where the prolog ends (what
    // follows it is trimmed too, so that is known once more follows).
    let skip = loop {
        let n = file.read(&mut buf).map_err(cannot_read)?;
        head.extend_from_slice(&buf[..n]);
        let text = std::str::from_utf8(&head[..text_of(&head)?]).expect("checked");
        let t = text.trim_start();
        let known = match t.strip_prefix("<?xml") {
            Some(rest) => rest
                .find("?>")
                .is_some_and(|end| !rest[end + 2..].trim_start().is_empty()),
            None => !"<?xml".starts_with(t),
        };
        if n == 0 || known {
            break text.len() - strip_xml_prolog(text).len();
        }
    };
    h.write_all(&head[skip..])?;
    loop {
        let n = file.read(&mut buf).map_err(cannot_read)?;
        if n == 0 {
            return Ok(());
        }
        h.write_all(&buf[..n])?;
    }
}

/// Removes an `<?xml ...?>` prolog so an SVG document can be inlined in HTML.
fn strip_xml_prolog(svg: &str) -> &str {
    let s = svg.trim_start();
    if s.starts_with("<?xml")
        && let Some(end) = s.find("?>")
    {
        return s[end + 2..].trim_start();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_rtl_prose_are_isolated() {
        let b = |n: &str| format!("<bdi dir=\"ltr\">{n}</bdi>");
        assert_eq!(
            rtl_prose("גישה (−1) ↔ גישה (+1)"),
            format!("גישה ({}) ↔ גישה ({})", b("−1"), b("+1"))
        );
        assert_eq!(
            rtl_prose("שארית -3.8, 95% [18–37] מ-5 (n=4) P01 & <x>"),
            format!(
                "שארית {}, {} [{}] מ-5 (n=4) P01 &amp; &lt;x&gt;",
                b("-3.8"),
                b("95%"),
                b("18–37"),
            )
        );
        assert_eq!(rtl_prose("ללא מספרים"), "ללא מספרים");
        // A hash that starts with digits is one left-to-right word, not a number.
        assert_eq!(
            rtl_prose("ספר קודים (133ea289c7ab) 12 שנים"),
            format!("ספר קודים (133ea289c7ab) {} שנים", b("12"))
        );
    }

    #[test]
    fn escaping_neutralises_markup_and_bidi_overrides() {
        assert_eq!(
            escape("<script>alert(\"x\")</script> & 'y' \u{202E}abc"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; abc"
        );
    }

    #[test]
    fn highlight_marks_character_ranges() {
        // "את הידע שלי" : הידע is characters 3..7.
        assert_eq!(
            highlight("את הידע שלי", &[(3, 7)]),
            "את <mark>הידע</mark> שלי"
        );
        // overlapping and touching ranges merge; out-of-range is clipped.
        assert_eq!(
            highlight("אבגדה", &[(0, 2), (1, 3), (4, 99)]),
            "<mark>אבג</mark>ד<mark>ה</mark>"
        );
        assert_eq!(highlight("a<b", &[(1, 2)]), "a<mark>&lt;</mark>b");
        assert_eq!(highlight("abc", &[(2, 3)]), "ab<mark>c</mark>");
    }

    #[test]
    fn svg_copied_from_its_file_as_when_read_whole() {
        let path = std::env::temp_dir().join(format!("tamlil-copy-{}.svg", std::process::id()));
        let long = "ש".repeat(50_000);
        let cases = [
            format!("<?xml version=\"1.0\"?>\n<svg>{long}</svg>\n"),
            // A prolog, and the blanks after it, past the first block read.
            format!(
                "  <?xml version=\"1.0\" x=\"{long}\"?>{}<svg>{long}</svg>",
                " ".repeat(70_000)
            ),
            format!("{}<svg>{long}</svg>", "\n".repeat(100_000)),
            "<svg></svg>".to_string(),
            String::new(),
        ];
        for svg in &cases {
            std::fs::write(&path, svg).unwrap();
            let mut out = Vec::new();
            copy_svg(&mut out, &path).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), strip_xml_prolog(svg));
        }
        std::fs::remove_file(&path).unwrap();
        let err = copy_svg(&mut Vec::new(), &path).unwrap_err();
        assert!(err.to_string().contains("cannot read"), "{err}");
    }

    #[test]
    fn page_is_rtl_and_inlines_svg() {
        let svg = std::env::temp_dir().join(format!("tamlil-page-{}.svg", std::process::id()));
        std::fs::write(&svg, "<?xml version=\"1.0\"?>\n<svg></svg>").unwrap();
        let page = Page {
            lang: "he".into(),
            title: "דוח".into(),
            subtitle: String::new(),
            summary: vec![("ראיונות".into(), "25".into())],
            trust_title: "אמון".into(),
            trust: vec!["לא תוקף".into()],
            trust_table: None,
            findings_title: "ממצאים".into(),
            findings: vec!["p &lt; 0.05".into()],
            charts_title: "תרשימים".into(),
            charts: vec![("מפה".into(), svg.clone())],
            tables_title: "טבלאות".into(),
            tables: vec![],
            quotes_title: "ציטוטים".into(),
            quotes: vec![QuoteSection {
                code_id: "goals.civic_awareness".into(),
                label: "מודעות".into(),
                color: "#123456".into(),
                groups: vec![
                    (
                        "ציבורי".into(),
                        vec![QuoteView {
                            text: "ידע".into(),
                            marks: vec![(0, 3)],
                            reference: "P01 · P01-0002 · 0–3".into(),
                        }],
                    ),
                    ("עסקי".into(), vec![]),
                ],
            }],
            no_quotes: "אין ציטוטים בקבוצה זו".into(),
            footer: String::new(),
        };
        let mut html = Vec::new();
        page.write_to(&mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        std::fs::remove_file(&svg).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"he\" dir=\"rtl\">"));
        assert!(html.contains("<figure>\n<svg></svg>"));
        assert!(!html.contains('\u{202E}'));
        assert!(html.contains("<li>p &lt; 0.05</li>"));
        assert!(!html.contains("<?xml"));
        // A group with a quote shows it; a group without one says so under its heading.
        assert!(html.contains("<h4>ציבורי</h4>\n<blockquote dir=\"auto\"><mark>ידע</mark>"));
        assert!(
            html.contains("<h4>עסקי</h4>\n<p class=\"none\">אין ציטוטים בקבוצה זו</p>\n</div>")
        );
        assert_eq!(html.matches("<p class=\"none\">").count(), 1);
    }
}
