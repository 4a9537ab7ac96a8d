//! What `tamlil run` shows on the sample corpus: the report's wording, its quotes, and
//! the numbers printed on the charts, in Hebrew and in English.

mod common;
use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Runs `tamlil run` on the sample corpus into `dir/out` with `extra` options.
fn run_sample(dir: &TempDir, extra: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let mut args = vec!["run", "--no-cache", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = tamlil(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `<text>` elements of an SVG written by the charts: (text-anchor, content).
fn svg_texts(svg: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        rest = &rest[i..];
        let open_end = rest.find('>').expect("end of <text>");
        let open = &rest[..open_end];
        let anchor = open
            .split("text-anchor=\"")
            .nth(1)
            .and_then(|a| a.split('"').next())
            .unwrap_or("")
            .to_string();
        let close = rest.find("</text>").expect("</text>");
        let content = rest[open_end + 1..close].trim().to_string();
        out.push((anchor, content));
        rest = &rest[close..];
    }
    out
}

/// The value of a percentage label (`12%`, `0.25%`, `<0.1%`), if it is one.
fn percent_value(label: &str) -> Option<f64> {
    let n = label.strip_suffix('%')?;
    if let Some(n) = n.strip_prefix('<') {
        // Below the smallest printed value: not zero.
        return n.parse::<f64>().ok().map(|v| v / 2.0);
    }
    if let Some(n) = n.strip_prefix('>') {
        return n.parse().ok();
    }
    n.parse().ok()
}

/// The tick labels of a chart (percentages anchored at their start right of the
/// plot in Hebrew, at their end left of it in English) and the values written
/// on bars or cells (centred).
fn ticks_and_values(svg: &str, rtl: bool) -> (Vec<String>, Vec<String>) {
    let tick_anchor = if rtl { "start" } else { "end" };
    let (mut ticks, mut values) = (Vec::new(), Vec::new());
    for (anchor, text) in svg_texts(svg) {
        if percent_value(&text).is_none() {
            continue;
        }
        if anchor == tick_anchor {
            ticks.push(text);
        } else if anchor == "middle" {
            values.push(text);
        }
    }
    (ticks, values)
}

/// Ticks must read their real value: distinct, from 0, equally spaced as printed.
fn assert_ticks_read_true(chart: &str, ticks: &[String]) {
    assert!(ticks.len() >= 3, "{chart}: ticks {ticks:?}");
    let v: Vec<f64> = ticks.iter().map(|t| percent_value(t).unwrap()).collect();
    assert_eq!(v[0], 0.0, "{chart}: ticks {ticks:?}");
    let step = v[1] - v[0];
    for w in v.windows(2) {
        assert!(
            ((w[1] - w[0]) - step).abs() < 1e-9,
            "{chart}: ticks {ticks:?} are not evenly spaced as printed"
        );
    }
    let decimals: BTreeSet<usize> = ticks
        .iter()
        .map(|t| t.split('.').nth(1).map_or(0, |d| d.len() - 1))
        .collect();
    assert_eq!(decimals.len(), 1, "{chart}: ticks {ticks:?} mix decimals");
}

/// The sections of the quotes part of the page: code id -> [(group, quote references)],
/// and whether the group says it has no quotes.
type QuoteGroups = Vec<(String, Vec<String>, bool)>;

fn quote_sections(html: &str, none_note: &str) -> BTreeMap<String, QuoteGroups> {
    let mut out = BTreeMap::new();
    for section in html.split("<section class=\"code\"").skip(1) {
        let section = &section[..section.find("</section>").expect("section end")];
        let code = section
            .split("<small dir=\"ltr\">(")
            .nth(1)
            .and_then(|s| s.split(")</small>").next())
            .expect("code id")
            .to_string();
        let mut groups = Vec::new();
        for group in section.split("<div class=\"group\">").skip(1) {
            let name = group
                .split("<h4>")
                .nth(1)
                .and_then(|s| s.split("</h4>").next())
                .expect("group heading")
                .to_string();
            let cites: Vec<String> = group
                .split("<cite>")
                .skip(1)
                .map(|c| c.split("</cite>").next().unwrap().to_string())
                .collect();
            let none = group.contains(&format!("<p class=\"none\">{none_note}</p>"));
            groups.push((name, cites, none));
        }
        out.insert(code, groups);
    }
    out
}

/// Checks on one language's output; returns the page.
fn check_output(out: &Path, rtl: bool, none_note: &str) -> String {
    let html = read(&out.join("report.html"));

    // p-values: "p < 0.001" or "p = 0.012", never "p = < 0.001".
    assert!(!html.contains("p = &lt;") && !html.contains("p = <"));
    let stats: serde_json::Value = serde_json::from_str(&read(&out.join("stats.json"))).unwrap();
    let tiny = stats["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["permutation"]["p_value"]
                .as_f64()
                .is_some_and(|p| p < 0.001)
        })
        .count();
    assert!(tiny > 0, "the sample has a permutation p-value below 0.001");
    assert_eq!(
        html.matches("<bdi dir=\"ltr\">p &lt; 0.001</bdi>").count(),
        tiny
    );
    for p in html.split("<bdi dir=\"ltr\">p = ").skip(1) {
        let v = &p[..p.find("</bdi>").unwrap()];
        assert!(
            v.len() == 5 && v.starts_with("0.") && v[2..].chars().all(|c| c.is_ascii_digit()),
            "p = {v}"
        );
    }

    // Quotes: a unit at most once per code and group; a group without quotes says so.
    let sections = quote_sections(&html, none_note);
    assert!(!sections.is_empty());
    let mut empty_groups = 0;
    for (code, groups) in &sections {
        for (group, cites, none) in groups {
            let units: BTreeSet<&str> = cites
                .iter()
                .map(|c| c.split(" · ").nth(1).expect("unit id in the reference"))
                .collect();
            assert_eq!(
                units.len(),
                cites.len(),
                "{code} / {group}: a unit quoted twice: {cites:?}"
            );
            assert!(cites.len() <= 3, "{code} / {group}: {cites:?}");
            assert_eq!(
                cites.is_empty(),
                *none,
                "{code} / {group}: the no-quotes note goes with no quotes"
            );
            empty_groups += cites.is_empty() as usize;
        }
    }
    assert!(empty_groups > 0, "the sample has groups without quotes");

    // Charts: ticks read their real value; a bar or cell reads 0 only for a zero value.
    let rows = read_csv(&out.join("tables/code_by_attribute.csv"));
    let charts: Vec<String> = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    for family in ["goals", "role", "target", "linkage", "barriers"] {
        let name = format!("{family}_by_sector.svg");
        assert!(charts.contains(&name), "{name} in {charts:?}");
        let svg = read(&out.join("charts").join(&name));
        let (ticks, values) = ticks_and_values(&svg, rtl);
        assert_ticks_read_true(&name, &ticks);
        let zero_bars = rows
            .iter()
            .filter(|r| r["level"] == "code" && r["family"] == family && r["units"] == "0")
            .count();
        let zero_labels = values
            .iter()
            .filter(|v| percent_value(v) == Some(0.0))
            .count();
        assert!(
            zero_labels <= zero_bars,
            "{name}: {zero_labels} bars read 0 but {zero_bars} values are 0: {values:?}"
        );
    }
    html
}

#[test]
fn hebrew_report_wording_quotes_and_chart_numbers() {
    let dir = TempDir::new("report-he");
    let out = run_sample(&dir, &[]);
    let html = check_output(&out, true, "אין ציטוטים בקבוצה זו");
    // The unit kind in Hebrew.
    assert!(html.contains("יחידת ניתוח: משפט"), "unit kind");
    // The codings the learned model added: counted in codings.csv (source learned),
    // run.json and the report.
    let codings = read_csv(&out.join("codings.csv"));
    let learned: Vec<_> = codings
        .iter()
        .filter(|r| r["source"] == "learned")
        .collect();
    assert!(!learned.is_empty());
    assert!(
        learned
            .iter()
            .all(|r| r["score"] == "0" && !r["evidence"].is_empty())
    );
    let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    assert_eq!(run["counts"]["learned_codings"], learned.len());
    assert_eq!(run["counts"]["codings"], codings.len());
    let model = &run["codebook"]["learned_model"];
    assert_eq!(
        model["path"],
        "<embedded>/codebooks/rights-realization.learned.tsv"
    );
    assert_eq!(model["adds_at"].as_f64(), Some(0.6_f32 as f64));
    assert!(
        html.contains(&format!(
            "{} מתוך {} הקידודים נוספו בידי המודל הנלמד",
            learned.len(),
            codings.len()
        )),
        "learned note"
    );
    assert!(!html.contains("sentence"));
    // The heatmap's colour bar: every tick at its real value.
    let svg = read(&out.join("charts/keys_heatmap.svg"));
    let (ticks, cells) = ticks_and_values(&svg, true);
    assert_ticks_read_true("keys_heatmap", &ticks);
    assert!(cells.iter().all(|c| percent_value(c).unwrap() > 0.0));
    // The key mix: each key's interval on its own bar, on an axis within 100%.
    let svg = read(&out.join("charts/keys_mix.svg"));
    let (ticks, values) = ticks_and_values(&svg, true);
    assert_ticks_read_true("keys_mix", &ticks);
    let top = percent_value(ticks.last().unwrap()).unwrap();
    assert!(top <= 100.0, "axis to {top}%");
    let stats: serde_json::Value = serde_json::from_str(&read(&out.join("stats.json"))).unwrap();
    let mix: Vec<&serde_json::Value> = stats["key_mix"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["attribute"] == "sector")
        .collect();
    let highest = mix
        .iter()
        .filter_map(|m| m["ci_high"].as_f64())
        .fold(0.0, f64::max);
    assert!(highest * 100.0 <= top, "interval to {highest} above {top}%");
    // One bar per group and key, each labelled with its own mean share.
    assert_eq!(values.len(), mix.len());
    for m in &mix {
        let mean = 100.0 * m["mean"].as_f64().unwrap();
        assert!(
            values
                .iter()
                .any(|v| (percent_value(v).unwrap() - mean).abs() <= 0.5),
            "no bar for {m}"
        );
    }
}

#[test]
fn english_report_wording() {
    let dir = TempDir::new("report-en");
    let out = run_sample(&dir, &["--lang", "en"]);
    let html = check_output(&out, false, "No quotes in this group");
    assert!(html.contains("unit: sentence"), "unit kind");
    assert!(html.contains("differs by sector"));
    assert!(!html.contains("by Sector"));
    let svg = read(&out.join("charts/keys_heatmap.svg"));
    assert!(svg.contains(">\nUse of the keys by sector\n</text>"));
    let (ticks, _) = ticks_and_values(&svg, false);
    assert_ticks_read_true("keys_heatmap", &ticks);
    let svg = read(&out.join("charts/goals_by_sector.svg"));
    assert!(svg.contains(">\nGoals by sector\n</text>"));
    let caption = html
        .split("<figcaption>Key mix by sector (mean [95% CI])")
        .nth(1)
        .and_then(|c| c.split("</figcaption>").next())
        .expect("key mix caption");
    // The caption names exactly the groups whose interval rests on fewer than 5
    // interviews, with their number; the table flags the same groups.
    let mix = read_csv(&out.join("tables/key_mix_groups.csv"));
    for row in mix.iter().filter(|r| r["attribute"] == "sector") {
        let n: usize = row["interviews"].parse().unwrap();
        assert_eq!(row["few_interviews"], if n < 5 { "yes" } else { "no" });
        let named = caption.contains(&format!("(n={n})"));
        assert_eq!(named, n < 5, "{row:?} in caption {caption:?}");
        assert_eq!(
            row["ci95_low"].is_empty(),
            n < 2,
            "interval iff two interviews or more: {row:?}"
        );
    }
}

#[test]
fn an_empty_attribute_value_is_labelled_missing() {
    let dir = TempDir::new("report-missing");
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in ["a.txt", "b.txt", "c.txt"] {
        std::fs::copy(fixtures().join("tiny").join(f), corpus.join(f)).unwrap();
    }
    std::fs::write(
        corpus.join("manifest.csv"),
        "id,file,sector\nA,a.txt,public\nB,b.txt,business\nC,c.txt,\n",
    )
    .unwrap();
    let codebook = fixtures().join("tiny-codebook.toml");
    for (lang, missing) in [("en", "(missing)"), ("he", "(ללא ערך)")] {
        let out = dir.join(&format!("out-{lang}"));
        let o = run_quick(&corpus, &codebook, &out, &["--lang", lang]);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = read(&out.join("report.html"));
        assert!(
            html.contains(&format!("<th>{missing}")),
            "{lang}: no column for the empty value"
        );
        let charts: Vec<String> = files_in(&out.join("charts"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "svg"))
            .map(|p| read(&p))
            .collect();
        assert!(!charts.is_empty());
        assert!(
            charts.iter().all(|svg| svg.contains(missing)),
            "{lang}: a chart without the empty value's label"
        );
        // The data tables keep the value empty (a missing value, not a label).
        let rows = read_csv(&out.join("tables/code_by_attribute.csv"));
        assert!(rows.iter().any(|r| r["group"].is_empty()));
    }
}
