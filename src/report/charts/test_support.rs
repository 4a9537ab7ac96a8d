//! Sample chart data in Hebrew and English and checks on written charts, for the tests.

use std::path::{Path, PathBuf};

use super::{
    Continuum, Dot, DotPlot, GroupedBars, HeatCell, Heatmap, Lang, Series, dot_plot, grouped_bars,
    heatmap,
};

/// A fresh directory for one test's charts.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("tamlil-charts-{}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test output directory");
    dir
}

fn sibling(base: &Path, ext: &str) -> PathBuf {
    PathBuf::from(format!("{}.{ext}", base.display()))
}

/// Checks that `<base>.png` decodes to `width` x `height` and is not blank,
/// and that `<base>.svg` is an SVG of that size; returns the SVG text.
pub fn check_outputs(base: &Path, width: u32, height: u32) -> String {
    let png_path = sibling(base, "png");
    let file = std::fs::File::open(&png_path).expect("PNG written");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!((info.width, info.height), (width, height));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let pixels = &buf[..info.buffer_size()];
    let inked = pixels.chunks(3).filter(|p| *p != [255, 255, 255]).count();
    let total = (width * height) as usize;
    // A chart covers well over 2% of its area with text, lines and fills.
    assert!(
        inked * 50 > total,
        "only {inked} of {total} pixels are not white"
    );

    let svg = std::fs::read_to_string(sibling(base, "svg")).expect("SVG written");
    assert!(svg.starts_with(&format!(
        "<svg direction=\"ltr\" width=\"{width}\" height=\"{height}\""
    )));
    assert!(svg.trim_end().ends_with("</svg>"));
    svg
}

/// Whether the SVG has a `<text>` element whose whole content is `text`
/// (plotters writes the content on a line of its own).
pub fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

fn he(lang: Lang, he: &str, en: &str) -> String {
    match lang {
        Lang::He => he.to_string(),
        Lang::En => en.to_string(),
    }
}

fn sectors(lang: Lang) -> Vec<String> {
    vec![
        he(lang, "ציבורי", "Public"),
        he(lang, "עסקי", "Business"),
        he(lang, "מגזר שלישי", "Third sector"),
    ]
}

fn keys(lang: Lang) -> Vec<Series> {
    vec![
        Series::new(he(lang, "ידע", "Knowledge"), "#1b9e77"),
        Series::new(he(lang, "קשרים", "Networking"), "#d95f02"),
        Series::new(he(lang, "רגש", "Emotion"), "#7570b3"),
        Series::new(he(lang, "כוח", "Power"), "#e7298a"),
    ]
}

fn sector_series(lang: Lang) -> Vec<Series> {
    sectors(lang)
        .into_iter()
        .zip(["#4e79a7", "#f28e2b", "#59a14f"])
        .map(|(name, colour)| Series::new(name, colour))
        .collect()
}

pub fn sample_heatmap(lang: Lang) -> Heatmap {
    let cell = |percent, count| HeatCell { percent, count };
    Heatmap {
        lang,
        title: he(lang, "מפתחות לפי סקטור", "Keys by sector"),
        row_title: he(lang, "סקטור", "Sector"),
        column_title: he(
            lang,
            "מפתח (% מיחידות הסקטור)",
            "Key (% of the sector's units)",
        ),
        rows: sectors(lang),
        columns: keys(lang).into_iter().map(|s| s.name).collect(),
        cells: vec![
            vec![cell(42.0, 17), cell(25.0, 10), cell(18.0, 7), cell(15.0, 6)],
            vec![cell(55.0, 22), cell(20.0, 8), cell(10.0, 4), cell(15.0, 6)],
            vec![cell(30.0, 9), cell(23.0, 7), cell(27.0, 8), cell(20.0, 6)],
        ],
    }
}

/// The key mix per sector: each key's mean share (%) with its 95% interval.
pub fn sample_intervals(lang: Lang) -> GroupedBars {
    let shares: [[(f64, f64, f64); 4]; 3] = [
        [
            (40.0, 31.0, 49.0),
            (25.0, 18.0, 33.0),
            (20.0, 13.0, 27.0),
            (15.0, 9.0, 22.0),
        ],
        [
            (55.0, 44.0, 66.0),
            (20.0, 12.0, 28.0),
            (10.0, 5.0, 16.0),
            (15.0, 8.0, 23.0),
        ],
        [
            (30.0, 21.0, 40.0),
            (23.0, 15.0, 31.0),
            (27.0, 18.0, 36.0),
            (20.0, 12.0, 29.0),
        ],
    ];
    GroupedBars {
        lang,
        title: he(lang, "תמהיל המפתחות לפי סקטור", "Key mix by sector"),
        value_title: he(lang, "שיעור ממוצע מהיחידות", "Mean share of units"),
        cluster_title: he(lang, "סקטור", "Sector"),
        clusters: sectors(lang),
        series: keys(lang),
        values: shares
            .iter()
            .map(|row| row.iter().map(|s| s.0).collect())
            .collect(),
        intervals: shares
            .iter()
            .map(|row| row.iter().map(|s| Some((s.1, s.2))).collect())
            .collect(),
    }
}

pub fn sample_dots(lang: Lang) -> DotPlot {
    let d = |group, position| Dot { group, position };
    let continuum = |name: (&str, &str), low: (&str, &str), high: (&str, &str), dots| Continuum {
        name: he(lang, name.0, name.1),
        low_pole: he(lang, low.0, low.1),
        high_pole: he(lang, high.0, high.1),
        dots,
    };
    DotPlot {
        lang,
        title: he(
            lang,
            "תפיסת התפקיד: מיקום כל ראיון",
            "Role perception: each interview",
        ),
        groups: sector_series(lang),
        continua: vec![
            continuum(
                ("היקף", "Scope"),
                ("ממוקדת", "Focused"),
                ("הוליסטית", "Holistic"),
                vec![
                    d(0, 0.6),
                    d(0, 0.8),
                    d(0, 0.6),
                    d(0, 1.0),
                    d(1, -0.8),
                    d(1, -1.0),
                    d(1, -1.0),
                    d(1, -0.6),
                    d(2, 0.4),
                    d(2, 0.6),
                    d(2, 1.0),
                    d(2, 0.2),
                ],
            ),
            continuum(
                ("מומחיות", "Expertise"),
                ("מומחה ייעודי", "Dedicated expert"),
                ("מומחה כללי", "General expert"),
                vec![
                    d(0, 0.2),
                    d(0, 0.5),
                    d(0, -0.2),
                    d(1, -1.0),
                    d(1, -0.9),
                    d(1, -1.0),
                    d(2, 0.3),
                    d(2, 0.0),
                    d(2, 0.5),
                ],
            ),
            continuum(
                ("חלוקת אחריות", "Responsibility"),
                ("שגר ושכח", "Fire and forget"),
                ("משתפת", "Participatory"),
                vec![
                    d(0, 0.0),
                    d(0, 0.3),
                    d(1, -1.0),
                    d(1, -1.0),
                    d(1, -1.0),
                    d(1, -0.7),
                    d(2, 0.9),
                    d(2, 1.0),
                    d(2, 0.8),
                    d(2, 1.0),
                ],
            ),
            continuum(
                ("אופי העבודה", "Nature of the work"),
                ("טיפולית", "Therapeutic"),
                ("טכנית", "Technical"),
                vec![
                    d(0, -0.5),
                    d(0, -0.8),
                    d(0, -0.3),
                    d(1, 0.9),
                    d(1, 1.0),
                    d(1, 0.6),
                    d(2, -0.4),
                    d(2, -0.1),
                    d(2, -0.6),
                ],
            ),
        ],
    }
}

pub fn sample_grouped(lang: Lang) -> GroupedBars {
    GroupedBars {
        lang,
        title: he(lang, "מטרות לפי סקטור", "Goals by sector"),
        value_title: he(lang, "% מהראיונות", "% of interviews"),
        cluster_title: he(lang, "מטרה", "Goal"),
        clusters: vec![
            he(lang, "מיצוי זכויות הלקוח", "Client's rights"),
            he(lang, "הגברת מודעות לאזרחות חברתית", "Civic awareness"),
            he(
                lang,
                "קידום שינוי חברתי / תיקון עוול",
                "Social change / redress",
            ),
            he(lang, "מניעת מצוקה ושיפור הרווחה", "Well-being"),
        ],
        series: sector_series(lang),
        values: vec![
            vec![92.0, 88.0, 75.0],
            vec![38.0, 12.5, 75.0],
            vec![15.0, 0.0, 62.5],
            vec![54.0, 25.0, 50.0],
        ],
        intervals: Vec::new(),
    }
}

/// Writes every chart in `lang` under `dir`.
fn write_all(dir: &Path, lang: Lang) {
    heatmap(&dir.join("heatmap"), &sample_heatmap(lang)).unwrap();
    grouped_bars(&dir.join("intervals"), &sample_intervals(lang)).unwrap();
    dot_plot(&dir.join("dots"), &sample_dots(lang)).unwrap();
    grouped_bars(&dir.join("grouped"), &sample_grouped(lang)).unwrap();
}

#[test]
fn charts_are_byte_identical_across_runs() {
    for lang in [Lang::He, Lang::En] {
        let (a, b) = (
            out_dir(&format!("again-a-{lang:?}")),
            out_dir(&format!("again-b-{lang:?}")),
        );
        write_all(&a, lang);
        write_all(&b, lang);
        for name in ["heatmap", "intervals", "dots", "grouped"] {
            for ext in ["svg", "png"] {
                let file = format!("{name}.{ext}");
                let (x, y) = (
                    std::fs::read(a.join(&file)).unwrap(),
                    std::fs::read(b.join(&file)).unwrap(),
                );
                assert!(!x.is_empty());
                assert!(x == y, "{file} ({lang:?}) differs between two runs");
            }
        }
    }
}

#[test]
fn english_charts_keep_labels_left_to_right() {
    let dir = out_dir("english");
    write_all(&dir, Lang::En);
    let svg = check_outputs(&dir.join("intervals"), 1000, 600);
    assert!(has_text(&svg, "Knowledge") && has_text(&svg, "Third sector"));
    assert!(
        !svg.contains('\u{2067}'),
        "no right-to-left isolate in English"
    );
    let svg = check_outputs(&dir.join("dots"), 1000, 600);
    assert!(has_text(&svg, "Fire and forget"));
}

#[test]
fn hebrew_svg_labels_are_isolated_right_to_left_in_logical_order() {
    let dir = out_dir("hebrew");
    write_all(&dir, Lang::He);
    let svg = check_outputs(&dir.join("heatmap"), 1000, 600);
    assert!(has_text(&svg, "\u{2067}מגזר שלישי\u{2069}"));
    assert!(has_text(&svg, "\u{2067}מפתח (% מיחידות הסקטור)\u{2069}"));
    // Visual-order text would show up reversed.
    assert!(!svg.contains("ישילש רזגמ"));
}
