//! Building what users see from an analysis: the charts and the report page.

use super::charts::{self, Dot, HeatCell, Lang, Series};
use super::html::{Cell, HtmlTable, Page, QuoteSection, QuoteView, escape, write_row};
use super::words::w;
use crate::codebook::Codebook;
use crate::corpus::labels::ValueLabels;
use crate::tally::Tally;
use crate::tally::analysis::{Analysis, ContinuumSpec, FEW_INTERVIEWS, FamilyTest};
use crate::tally::quotes::QuoteBook;
use crate::tally::tree::Level;
use crate::text::SegmentOptions;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Everything the charts and the page are drawn from.
pub struct ReportContext<'a> {
    pub codebook: &'a Codebook,
    pub tally: &'a Tally,
    pub analysis: &'a Analysis,
    pub quotes: &'a QuoteBook,
    /// The values of the first `by` attribute, in the quote book's group order.
    pub quote_groups: &'a [String],
    pub by: &'a [(String, usize)],
    pub labels: &'a ValueLabels,
    pub lang: Lang,
    pub continua: &'a [ContinuumSpec],
    pub seg: &'a SegmentOptions,
    pub units: usize,
    pub codings: usize,
    /// The automatic codings the codebook's learned model added.
    pub learned_codings: usize,
    /// The reviewed coding, if documents were reviewed.
    pub review: Option<&'a crate::review::Review>,
    /// Interviews in the corpus.
    pub documents: usize,
}

/// Colours for groups (sectors, ...), in order; chosen to differ from code colours.
const GROUP_COLOURS: &[&str] = &[
    "#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3", "#6d597a", "#e07a5f",
];

impl ReportContext<'_> {
    fn he(&self) -> bool {
        self.lang == Lang::He
    }
    fn node_label(&self, n: usize) -> String {
        let node = &self.tally.tree.nodes[n];
        if self.he() {
            node.label_he.clone()
        } else {
            node.label_en.clone()
        }
    }
    fn attr_label(&self, attr: &str) -> String {
        self.labels.label(attr, "", self.he())
    }
    /// The attribute's label as it reads inside a title or a sentence ("Key mix
    /// by sector", not "by Sector").
    fn attr_in_text(&self, attr: &str) -> String {
        mid_sentence(&self.attr_label(attr))
    }
    fn value_label(&self, attr: &str, value: &str) -> String {
        self.labels.value(attr, value, self.he())
    }
    fn groups(&self, k: usize) -> &[crate::tally::tables::Group] {
        &self.analysis.groups[k]
    }
    /// Interviews of a group that the key-mix means and intervals rest on.
    fn mix_interviews(&self, attr: &str, value: &str) -> usize {
        self.analysis
            .mix
            .iter()
            .find(|m| m.attribute == attr && m.group == value)
            .map_or(0, |m| m.interviews)
    }
    /// The sentence naming the groups whose key-mix interval rests on few interviews
    /// (or has none); empty when every group has enough.
    fn few_interviews_note(&self, attr: &str) -> String {
        let few: Vec<String> = self
            .groups(0)
            .iter()
            .filter(|g| self.mix_interviews(attr, &g.value) < FEW_INTERVIEWS)
            .map(|g| {
                format!(
                    "{} (n={})",
                    self.value_label(attr, &g.value),
                    self.mix_interviews(attr, &g.value)
                )
            })
            .collect();
        if few.is_empty() {
            return String::new();
        }
        let list = few.join(", ");
        if self.he() {
            format!(
                " הרווחים של קבוצות עם פחות מ-{FEW_INTERVIEWS} ראיונות נשענים על ראיונות מעטים, ולראיון יחיד אין רווח: {list}."
            )
        } else {
            format!(
                " Intervals of groups with fewer than {FEW_INTERVIEWS} interviews rest on few interviews, and a single interview has none: {list}."
            )
        }
    }
}

/// A chart written to disk, with its caption: the page reads its SVG markup when
/// it is written.
pub struct ChartFile {
    pub name: String,
    pub caption: String,
    pub svg: PathBuf,
}

/// Draws every chart for the first `by` attribute into `dir`.
pub fn charts(ctx: &ReportContext, dir: &Path) -> Result<Vec<ChartFile>> {
    let mut out = Vec::new();
    let Some((attr, _)) = ctx.by.first() else {
        return Ok(out);
    };
    let groups = ctx.groups(0);
    let group_names: Vec<String> = groups
        .iter()
        .map(|g| ctx.value_label(attr, &g.value))
        .collect();
    let group_series: Vec<Series> = group_names
        .iter()
        .enumerate()
        .map(|(i, n)| Series::new(n.clone(), GROUP_COLOURS[i % GROUP_COLOURS.len()]))
        .collect();
    let attr_label = ctx.attr_label(attr);
    let attr_text = ctx.attr_in_text(attr);
    let tally = ctx.tally;
    let mut save = |name: &str, caption: String| -> Result<()> {
        out.push(ChartFile {
            name: name.to_string(),
            caption,
            svg: dir.join(format!("{name}.svg")),
        });
        Ok(())
    };

    let mix = &ctx.analysis.mix_codes;
    if !mix.is_empty() {
        let family = tally.tree.nodes[mix[0]].family.clone();
        let fam_node = tally.tree.find(&family).unwrap_or(0);
        let title = format!("{} {}", w(ctx.lang, "heatmap"), attr_text);
        let cells = groups
            .iter()
            .map(|g| {
                let units: u64 = g.docs.iter().map(|&d| tally.docs[d].units).sum();
                mix.iter()
                    .map(|&c| {
                        let hits: u64 = g
                            .docs
                            .iter()
                            .map(|&d| tally.docs[d].unit_hits[c] as u64)
                            .sum();
                        HeatCell {
                            percent: if units > 0 {
                                100.0 * hits as f64 / units as f64
                            } else {
                                f64::NAN
                            },
                            count: hits,
                        }
                    })
                    .collect()
            })
            .collect();
        let name = format!("{family}_heatmap");
        charts::heatmap(
            &dir.join(&name),
            &charts::Heatmap {
                lang: ctx.lang,
                title: title.clone(),
                row_title: attr_label.clone(),
                column_title: ctx.node_label(fam_node),
                rows: group_names.clone(),
                columns: mix.iter().map(|&c| ctx.node_label(c)).collect(),
                cells,
            },
        )?;
        save(&name, format!("{title} ({})", w(ctx.lang, "pct_units")))?;

        // Each key's mean share per group with its interval, as bars side by side
        // on one 0-100% scale (stacking would put every interval but the first at
        // the top of the segments below it).
        let series: Vec<Series> = mix
            .iter()
            .map(|&c| Series::new(ctx.node_label(c), tally.tree.nodes[c].color.clone()))
            .collect();
        let shares: Vec<Vec<_>> = groups
            .iter()
            .map(|g| {
                mix.iter()
                    .map(|&c| {
                        let id = &tally.tree.nodes[c].id;
                        ctx.analysis.mix.iter().find(|m| {
                            m.attribute == *attr && m.group == g.value && m.code_id == *id
                        })
                    })
                    .collect()
            })
            .collect();
        let values = shares
            .iter()
            .map(|row| {
                row.iter()
                    .map(|m| m.and_then(|m| m.mean).map_or(f64::NAN, |v| 100.0 * v))
                    .collect()
            })
            .collect();
        let intervals = shares
            .iter()
            .map(|row| {
                row.iter()
                    .map(|m| match m.map(|m| (m.ci_low, m.ci_high)) {
                        Some((Some(lo), Some(hi))) => Some((100.0 * lo, 100.0 * hi)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let title = format!("{} {}", w(ctx.lang, "key_mix"), attr_text);
        let name = format!("{family}_mix");
        charts::grouped_bars(
            &dir.join(&name),
            &charts::GroupedBars {
                lang: ctx.lang,
                title: title.clone(),
                value_title: w(ctx.lang, "share").to_string(),
                cluster_title: attr_label.clone(),
                clusters: groups
                    .iter()
                    .zip(&group_names)
                    .map(|(g, name)| format!("{name} (n={})", ctx.mix_interviews(attr, &g.value)))
                    .collect(),
                series,
                values,
                intervals,
            },
        )?;
        save(
            &name,
            match ctx.few_interviews_note(attr) {
                note if note.is_empty() => {
                    format!("{title} ({})", mid_sentence(w(ctx.lang, "mean_ci")))
                }
                note => format!("{title} ({}).{note}", mid_sentence(w(ctx.lang, "mean_ci"))),
            },
        )?;
    }

    if !ctx.continua.is_empty() {
        let group_of_doc: Vec<usize> = {
            let mut v = vec![0; tally.docs.len()];
            for (gi, g) in groups.iter().enumerate() {
                for &d in &g.docs {
                    v[d] = gi;
                }
            }
            v
        };
        let continua = ctx
            .continua
            .iter()
            .enumerate()
            .map(|(k, c)| charts::Continuum {
                name: if ctx.he() {
                    c.label_he.clone()
                } else {
                    c.label_en.clone()
                },
                low_pole: ctx.node_label(c.left),
                high_pole: ctx.node_label(c.right),
                dots: ctx
                    .analysis
                    .positions
                    .iter()
                    .enumerate()
                    .filter_map(|(d, p)| {
                        p[k].map(|position| Dot {
                            group: group_of_doc[d],
                            position,
                        })
                    })
                    .collect(),
            })
            .collect();
        let title = w(ctx.lang, "continua").to_string();
        charts::dot_plot(
            &dir.join("role_continua"),
            &charts::DotPlot {
                lang: ctx.lang,
                title: title.clone(),
                groups: group_series.clone(),
                continua,
            },
        )?;
        save("role_continua", title)?;
    }

    let mix_family = mix.first().map(|&c| tally.tree.nodes[c].family.clone());
    for fam in tally.tree.families() {
        let fam_id = tally.tree.nodes[fam].id.clone();
        if Some(&fam_id) == mix_family.as_ref() {
            continue;
        }
        let codes = tally.tree.codes_of_family(&fam_id);
        if codes.is_empty() {
            continue;
        }
        let values = codes
            .iter()
            .map(|&c| {
                groups
                    .iter()
                    .map(|g| {
                        let units: u64 = g.docs.iter().map(|&d| tally.docs[d].units).sum();
                        let hits: u64 = g
                            .docs
                            .iter()
                            .map(|&d| tally.docs[d].unit_hits[c] as u64)
                            .sum();
                        if units > 0 {
                            100.0 * hits as f64 / units as f64
                        } else {
                            f64::NAN
                        }
                    })
                    .collect()
            })
            .collect();
        let title = format!(
            "{} {} {}",
            ctx.node_label(fam),
            w(ctx.lang, "by"),
            attr_text
        );
        let name = format!("{fam_id}_by_{attr}");
        charts::grouped_bars(
            &dir.join(&name),
            &charts::GroupedBars {
                lang: ctx.lang,
                title: title.clone(),
                value_title: w(ctx.lang, "pct_units").to_string(),
                cluster_title: ctx.node_label(fam),
                clusters: codes.iter().map(|&c| ctx.node_label(c)).collect(),
                series: group_series.clone(),
                values,
                intervals: Vec::new(),
            },
        )?;
        save(&name, title)?;
    }
    Ok(out)
}

/// A p-value as the report writes it: `p < 0.001` below a thousandth, else
/// `p = 0.012`.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// A label as it reads inside an English title or sentence: its first letter
/// in lower case ("Sector" -> "sector"), unless the first word is an acronym
/// ("NGO type") or has capitals inside it ("McKinsey"). Hebrew has no case.
fn mid_sentence(label: &str) -> String {
    let first_word = label.split(char::is_whitespace).next().unwrap_or("");
    let mut chars = first_word.chars();
    let Some(first) = chars.next() else {
        return label.to_string();
    };
    if !first.is_uppercase() || chars.any(|c| c.is_uppercase()) {
        return label.to_string();
    }
    let mut out: String = first.to_lowercase().collect();
    out.push_str(&label[first.len_utf8()..]);
    out
}

/// The name of a kind of meaning unit in the report's language.
fn unit_kind(lang: Lang, kind: crate::text::UnitKind) -> &'static str {
    use crate::text::UnitKind;
    match (lang, kind) {
        (Lang::He, UnitKind::Sentence) => "משפט",
        (Lang::He, UnitKind::Paragraph) => "פסקה",
        (Lang::He, UnitKind::Turn) => "תור דיבור",
        (Lang::En, k) => k.as_str(),
    }
}

/// Left-to-right material (numbers, formulas) isolated inside a right-to-left sentence.
fn ltr(s: &str) -> String {
    format!("<bdi dir=\"ltr\">{}</bdi>", escape(s))
}

/// A plain-words sentence for one association test, as an HTML fragment.
fn finding(ctx: &ReportContext, t: &FamilyTest) -> String {
    let he = ctx.he();
    let fam = escape(
        &ctx.tally
            .tree
            .find(&t.family)
            .map(|n| ctx.node_label(n))
            .unwrap_or_else(|| t.family.clone()),
    );
    let attr = escape(&ctx.attr_in_text(&t.attribute));
    let Some(p) = t.permutation.p_value else {
        let why = escape(
            &t.permutation
                .not_applicable_reason
                .clone()
                .unwrap_or_default(),
        );
        return if he {
            format!("{fam} לפי {attr}: לא ניתן לבחון ({why}).")
        } else {
            format!("{fam} by {attr}: no test possible ({why}).")
        };
    };
    let pv = ltr(&p_text(p));
    let mut s = if p < 0.05 {
        if he {
            format!(
                "<strong>השימוש בקודי „{fam}” שונה בין קבוצות {attr}</strong>: מבחן פרמוטציה ברמת הראיון, {pv}"
            )
        } else {
            format!(
                "<strong>The use of the “{fam}” codes differs by {attr}</strong>: interview-level permutation test, {pv}"
            )
        }
    } else if he {
        format!(
            "לא נמצא הבדל מובהק בשימוש בקודי „{fam}” בין קבוצות {attr}: מבחן פרמוטציה ברמת הראיון, {pv}"
        )
    } else {
        format!(
            "No significant difference in the use of the “{fam}” codes by {attr}: interview-level permutation test, {pv}"
        )
    };
    if let Some(test) = &t.chi_square.test {
        s.push_str(&format!(
            " ({}, {} {})",
            ltr(&format!("χ² = {:.1}, df = {}", test.statistic, test.df)),
            if he {
                "V של קרמר ="
            } else {
                "Cramér's V ="
            },
            ltr(&format!("{:.2}", test.cramers_v))
        ));
        // The cell that departs most from independence.
        let mut best: Option<(f64, usize, usize)> = None;
        for (i, row) in test.adjusted_residuals.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                if best.is_none_or(|b| r.abs() > b.0.abs()) {
                    best = Some((r, i, j));
                }
            }
        }
        if let Some((r, i, j)) = best
            && r.abs() >= 2.0
        {
            let g = &t.groups[t.chi_square.rows_used[i]];
            let code = &t.codes[t.chi_square.cols_used[j]];
            let code_label = escape(
                &ctx.tally
                    .tree
                    .find(code)
                    .map(|n| ctx.node_label(n))
                    .unwrap_or_else(|| code.clone()),
            );
            let g_label = escape(&ctx.value_label(&t.attribute, g));
            let more = r > 0.0;
            let res = ltr(&format!("{r:+.1}"));
            s.push_str(&if he {
                format!(
                    ". הסטייה הבולטת: „{code_label}” ב{g_label}, {} מהצפוי (שארית מתוקננת מתואמת {res})",
                    if more { "יותר" } else { "פחות" }
                )
            } else {
                format!(
                    ". Largest departure: “{code_label}” in {g_label}, {} than expected (adjusted residual {res})",
                    if more { "more" } else { "less" }
                )
            });
        }
        if test.small_expected {
            s.push_str(if he {
                ". אזהרה: בחלק מהתאים השכיחות הצפויה קטנה, ולכן ערך p של χ² אינו אמין; מבחן הפרמוטציה אינו תלוי בכך"
            } else {
                ". Warning: small expected counts in some cells make the χ² p-value unreliable; the permutation test does not depend on them"
            });
        }
    }
    s.push('.');
    s
}

/// The report page, to be written with [`Page::write_to`].
pub fn page(ctx: &ReportContext, charts: Vec<ChartFile>) -> Result<Page> {
    let he = ctx.he();
    let lang = ctx.lang;
    let tally = ctx.tally;
    let interviewee_units: u64 = tally.docs.iter().map(|d| d.units).sum();
    let words: u64 = tally.docs.iter().map(|d| d.words).sum();
    let coded_units = {
        let fams = tally.tree.families();
        // A unit coded at all is counted once per family; use the largest family count as a floor.
        fams.iter()
            .map(|&f| {
                tally
                    .docs
                    .iter()
                    .map(|d| d.unit_hits[f] as u64)
                    .sum::<u64>()
            })
            .max()
            .unwrap_or(0)
    };
    let mut summary = vec![
        (
            w(lang, "interviews").to_string(),
            tally.docs.len().to_string(),
        ),
        (w(lang, "units").to_string(), interviewee_units.to_string()),
        (w(lang, "words").to_string(), words.to_string()),
        (w(lang, "codings").to_string(), ctx.codings.to_string()),
    ];
    if let Some((attr, _)) = ctx.by.first() {
        for g in ctx.groups(0) {
            summary.push((
                format!(
                    "{}: {}",
                    ctx.attr_label(attr),
                    ctx.value_label(attr, &g.value)
                ),
                format!("{} {}", g.docs.len(), w(lang, "interviews")),
            ));
        }
    }
    let _ = coded_units;
    let subtitle = format!(
        "{}: {} ({}) · {} {}",
        w(lang, "codebook"),
        ctx.codebook.name,
        &ctx.codebook.hash()[..12],
        if he {
            "יחידת ניתוח:"
        } else {
            "unit:"
        },
        unit_kind(lang, ctx.seg.unit)
    );
    let findings = ctx.analysis.tests.iter().map(|t| finding(ctx, t)).collect();

    let mut tables = Vec::new();
    for (k, (attr, _)) in ctx.by.iter().enumerate() {
        tables.push(code_table(ctx, k, attr));
    }
    if let Some((attr, _)) = ctx.by.first() {
        if !ctx.analysis.mix_codes.is_empty() {
            tables.push(mix_table(ctx, attr));
        }
        if !ctx.continua.is_empty() {
            tables.push(continua_table(ctx, attr));
        }
    }
    tables.push(cooc_table(ctx));
    tables.push(matrix_table(ctx));

    let quotes = quote_sections(ctx);
    let trust = super::trust::section(
        lang,
        ctx.review,
        ctx.documents,
        (ctx.learned_codings, ctx.codings),
    );
    let page = Page {
        lang: if he { "he".into() } else { "en".into() },
        title: w(lang, "title").to_string(),
        subtitle,
        summary,
        trust_title: trust.title,
        trust: trust.paragraphs,
        trust_table: trust.table,
        findings_title: w(lang, "findings").to_string(),
        findings,
        charts_title: w(lang, "charts").to_string(),
        charts: charts.into_iter().map(|c| (c.caption, c.svg)).collect(),
        tables_title: w(lang, "tables").to_string(),
        tables,
        quotes_title: w(lang, "quotes").to_string(),
        quotes,
        no_quotes: w(lang, "no_quotes").to_string(),
        footer: w(lang, "footer").to_string(),
    };
    Ok(page)
}

/// Code x group: "% (units)" shaded, with family rows in bold.
fn code_table(ctx: &ReportContext, k: usize, attr: &str) -> HtmlTable {
    let tally = ctx.tally;
    let groups = ctx.groups(k);
    let mut header = vec![w(ctx.lang, "code").to_string()];
    for g in groups {
        header.push(format!(
            "{} (n={})",
            ctx.value_label(attr, &g.value),
            g.docs.len()
        ));
    }
    let mut rows = Vec::new();
    for (n, node) in tally.tree.nodes.iter().enumerate() {
        if node.level == Level::Family {
            continue;
        }
        let first_of_family = tally.tree.codes_of_family(&node.family).first() == Some(&n);
        if first_of_family && let Some(f) = tally.tree.find(&node.family) {
            let mut row = vec![Cell::Head(ctx.node_label(f))];
            for g in groups {
                row.push(pct_cell(ctx, g, f));
            }
            rows.push(row);
        }
        let indent = if node.level == Level::SubCode {
            "· · "
        } else {
            "· "
        };
        let mut row = vec![Cell::Text(format!("{indent}{}", ctx.node_label(n)))];
        for g in groups {
            row.push(pct_cell(ctx, g, n));
        }
        rows.push(row);
    }
    HtmlTable {
        id: format!("code-by-{attr}"),
        caption: format!(
            "{} × {}: {} ({})",
            w(ctx.lang, "code"),
            ctx.attr_label(attr),
            w(ctx.lang, "pct_units"),
            w(ctx.lang, "coded_units")
        ),
        note: if ctx.he() {
            "כל תא: אחוז מיחידות המרואיינים בקבוצה שקודדו בקוד, ובסוגריים מספר היחידות ומספר הראיונות שבהם הופיע הקוד. תת-קודים נכללים בקוד שמעליהם, וקודים במשפחתם.".into()
        } else {
            "Each cell: % of the group's interviewee units coded with the code; in brackets the units and the interviews with the code. Sub-codes roll up into their code, codes into their family.".into()
        },
        header,
        rows,
        rendered: Vec::new(),
    }
}

fn pct_cell(ctx: &ReportContext, g: &crate::tally::tables::Group, n: usize) -> Cell {
    let tally = ctx.tally;
    let units: u64 = g.docs.iter().map(|&d| tally.docs[d].units).sum();
    let hits: u64 = g
        .docs
        .iter()
        .map(|&d| tally.docs[d].unit_hits[n] as u64)
        .sum();
    let interviews = g
        .docs
        .iter()
        .filter(|&&d| tally.docs[d].unit_hits[n] > 0)
        .count();
    let pct = if units > 0 {
        100.0 * hits as f64 / units as f64
    } else {
        0.0
    };
    Cell::Shaded(
        format!("{pct:.1}% ({hits}; {interviews}/{})", g.docs.len()),
        (pct / 30.0).min(1.0),
    )
}

fn mix_table(ctx: &ReportContext, attr: &str) -> HtmlTable {
    let groups = ctx.groups(0);
    let mut header = vec![w(ctx.lang, "code").to_string()];
    header.extend(groups.iter().map(|g| ctx.value_label(attr, &g.value)));
    let rows =
        ctx.analysis
            .mix_codes
            .iter()
            .map(|&c| {
                let id = &ctx.tally.tree.nodes[c].id;
                let mut row = vec![Cell::Text(ctx.node_label(c))];
                for g in groups {
                    let m =
                        ctx.analysis.mix.iter().find(|m| {
                            m.attribute == attr && m.group == g.value && m.code_id == *id
                        });
                    row.push(Cell::Num(m.map_or("–".into(), mix_cell)));
                }
                row
            })
            .collect();
    HtmlTable {
        id: "key-mix".into(),
        caption: format!(
            "{} {}: {}",
            w(ctx.lang, "key_mix"),
            ctx.attr_in_text(attr),
            w(ctx.lang, "mean_ci")
        ),
        note: if ctx.he() {
            format!(
                "לכל ראיון חושב חלקו של כל מפתח מתוך יחידות המשמעות שלו שקודדו במפתח כלשהו; מוצג הממוצע בקבוצה ורווח בר-סמך t של 95% על חלקי הראיונות (n = מספר הראיונות). † פחות מ-{FEW_INTERVIEWS} ראיונות: הרווח נשען על ראיונות מעטים.{}",
                ctx.few_interviews_note(attr)
            )
        } else {
            format!(
                "Each interview's share of each key among its key-coded units; the group mean with a 95% Student t interval on the interviews' shares (n = interviews). † fewer than {FEW_INTERVIEWS} interviews: the interval rests on few interviews.{}",
                ctx.few_interviews_note(attr)
            )
        },
        header,
        rows,
        rendered: Vec::new(),
    }
}

/// "43% [20–66] (n=7)", with † when the interval rests on few interviews, and no
/// interval for a single interview.
fn mix_cell(m: &crate::tally::analysis::MixSummary) -> String {
    let few = if m.interviews < FEW_INTERVIEWS {
        " †"
    } else {
        ""
    };
    match (m.mean, m.ci_low, m.ci_high) {
        (Some(a), Some(l), Some(h)) => format!(
            "{:.0}% [{:.0}–{:.0}] (n={}){few}",
            a * 100.0,
            l * 100.0,
            h * 100.0,
            m.interviews
        ),
        (Some(a), _, _) => format!("{:.0}% (n={}){few}", a * 100.0, m.interviews),
        _ => "–".into(),
    }
}

fn continua_table(ctx: &ReportContext, attr: &str) -> HtmlTable {
    let groups = ctx.groups(0);
    let mut header = vec![w(ctx.lang, "continuum").to_string()];
    header.extend(groups.iter().map(|g| ctx.value_label(attr, &g.value)));
    let rows = ctx
        .continua
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let name = format!(
                "{} (−1) ↔ {} (+1)",
                ctx.node_label(c.left),
                ctx.node_label(c.right)
            );
            let mut row = vec![Cell::Text(name)];
            for g in groups {
                let v: Vec<f64> = g
                    .docs
                    .iter()
                    .filter_map(|&d| ctx.analysis.positions[d][k])
                    .collect();
                row.push(Cell::Num(if v.is_empty() {
                    "–".into()
                } else {
                    format!(
                        "{:+.2} ({})",
                        v.iter().sum::<f64>() / v.len() as f64,
                        v.len()
                    )
                }));
            }
            row
        })
        .collect();
    HtmlTable {
        id: "role-continua".into(),
        caption: format!("{}: {}", w(ctx.lang, "continuum"), w(ctx.lang, "position")),
        note: if ctx.he() {
            "מיקום ראיון על רצף: (יחידות הקוטב הימני − יחידות הקוטב השמאלי) / סכומן, בין −1 לבין +1; ראיון בלי אף קוטב אינו נכלל.".into()
        } else {
            "An interview's position: (units of the right pole − units of the left pole) / their sum, from −1 to +1; interviews with neither pole are left out.".into()
        },
        header,
        rows,
        rendered: Vec::new(),
    }
}

fn cooc_table(ctx: &ReportContext) -> HtmlTable {
    let tally = ctx.tally;
    let m = tally.code_nodes.len();
    let mut pairs = Vec::new();
    for i in 0..m {
        for j in i + 1..m {
            let both = tally.cooc[i * m + j];
            if both >= 2 {
                let (a, b) = (tally.cooc[i * m + i], tally.cooc[j * m + j]);
                pairs.push((both as f64 / (a + b - both) as f64, both, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(y.1.cmp(&x.1))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    let rows = pairs
        .iter()
        .take(15)
        .map(|&(j, both, a, b)| {
            vec![
                Cell::Text(format!(
                    "{} + {}",
                    ctx.node_label(tally.code_nodes[a]),
                    ctx.node_label(tally.code_nodes[b])
                )),
                Cell::Num(both.to_string()),
                Cell::Num(format!("{j:.2}")),
            ]
        })
        .collect();
    HtmlTable {
        id: "cooccurrence".into(),
        caption: w(ctx.lang, "cooc").to_string(),
        note: String::new(),
        header: vec![
            w(ctx.lang, "pair").into(),
            w(ctx.lang, "both").into(),
            "Jaccard".into(),
        ],
        rows,
        rendered: Vec::new(),
    }
}

fn matrix_table(ctx: &ReportContext) -> HtmlTable {
    let tally = ctx.tally;
    let fams = tally.tree.families();
    let mut header = vec![w(ctx.lang, "interview").to_string()];
    if let Some((attr, _)) = ctx.by.first() {
        header.push(ctx.attr_label(attr));
    }
    header.push(w(ctx.lang, "units").to_string());
    header.extend(fams.iter().map(|&f| ctx.node_label(f)));
    // A row per interview: written as HTML as it is made, one row's cells at a time.
    let mut rendered = Vec::new();
    let mut row = Vec::new();
    for d in &tally.docs {
        row.clear();
        row.push(Cell::Text(d.doc_id.to_string()));
        if let Some((attr, i)) = ctx.by.first() {
            row.push(Cell::Text(ctx.value_label(attr, &d.attrs[*i])));
        }
        row.push(Cell::Num(d.units.to_string()));
        for &f in &fams {
            row.push(Cell::Num(d.unit_hits[f].to_string()));
        }
        write_row(&mut rendered, &row, ctx.he()).expect("writing to memory");
    }
    HtmlTable {
        id: "matrix".into(),
        caption: w(ctx.lang, "matrix").to_string(),
        note: String::new(),
        header,
        rows: Vec::new(),
        rendered,
    }
}

fn quote_sections(ctx: &ReportContext) -> Vec<QuoteSection> {
    let tally = ctx.tally;
    let attr = ctx.by.first().map(|b| b.0.as_str()).unwrap_or("");
    tally
        .tree
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.level == Level::Code)
        .map(|(i, node)| QuoteSection {
            code_id: node.id.clone(),
            label: ctx.node_label(i),
            color: node.color.clone(),
            groups: ctx
                .quote_groups
                .iter()
                .enumerate()
                .map(|(g, value)| {
                    let views = ctx
                        .quotes
                        .get(i, g)
                        .iter()
                        .map(|q| QuoteView {
                            text: q.text.clone(),
                            marks: q.evidence.clone(),
                            reference: format!(
                                "{} · {} · {}–{}",
                                q.doc_id, q.unit_id, q.start, q.end
                            ),
                        })
                        .collect();
                    (ctx.value_label(attr, value), views)
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::UnitKind;

    #[test]
    fn p_values_read_as_a_relation() {
        assert_eq!(p_text(0.0001), "p < 0.001");
        assert_eq!(p_text(0.0124), "p = 0.012");
        assert_eq!(p_text(0.001), "p = 0.001");
        assert_eq!(p_text(0.7547), "p = 0.755");
    }

    #[test]
    fn attribute_labels_are_lower_case_inside_english_titles() {
        assert_eq!(mid_sentence("Sector"), "sector");
        assert_eq!(mid_sentence("Group interview"), "group interview");
        assert_eq!(mid_sentence("NGO type"), "NGO type");
        assert_eq!(mid_sentence("McKinsey tier"), "McKinsey tier");
        assert_eq!(mid_sentence("sector"), "sector");
        assert_eq!(mid_sentence("מגזר"), "מגזר");
        assert_eq!(mid_sentence(""), "");
    }

    #[test]
    fn unit_kinds_are_named_in_the_report_language() {
        assert_eq!(unit_kind(Lang::He, UnitKind::Sentence), "משפט");
        assert_eq!(unit_kind(Lang::He, UnitKind::Paragraph), "פסקה");
        assert_eq!(unit_kind(Lang::He, UnitKind::Turn), "תור דיבור");
        assert_eq!(unit_kind(Lang::En, UnitKind::Sentence), "sentence");
        assert_eq!(unit_kind(Lang::En, UnitKind::Turn), "turn");
    }
}
