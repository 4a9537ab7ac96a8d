//! What a codebook declares for the analysis: the family whose mix is measured, and role continua.
//!
//! Read from the codebook's `[analysis]` table:
//!
//! ```toml
//! [analysis]
//! mix_family = "keys"
//! [[analysis.continuum]]
//! id = "scope"
//! left = "role.focused"      # position -1
//! right = "role.holistic"    # position +1
//! label_he = "ממוקדת – הוליסטית"
//! label_en = "Focused – holistic"
//! ```

use serde::Deserialize;

/// A declared continuum between two pole codes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContinuumDecl {
    pub id: String,
    pub left: String,
    pub right: String,
    #[serde(default)]
    pub label_he: String,
    #[serde(default)]
    pub label_en: String,
}

/// The analysis section of a codebook.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSpec {
    pub mix_family: Option<String>,
    #[serde(default, rename = "continuum")]
    pub continua: Vec<ContinuumDecl>,
}

#[derive(Deserialize)]
struct Outer {
    analysis: Option<AnalysisSpec>,
}

impl AnalysisSpec {
    /// Reads the `[analysis]` table of a TOML codebook's source (empty for CSV
    /// codebooks or when absent).
    pub fn from_codebook_source(source: &str) -> anyhow::Result<AnalysisSpec> {
        #[derive(Deserialize)]
        struct Loose {
            analysis: Option<toml::Value>,
        }
        let loose: Loose = match toml::from_str(source) {
            Ok(l) => l,
            Err(_) => return Ok(AnalysisSpec::default()), // not TOML (a CSV codebook)
        };
        match loose.analysis {
            None => Ok(AnalysisSpec::default()),
            Some(v) => {
                let outer: Outer =
                    toml::Value::Table(toml::map::Map::from_iter([("analysis".to_string(), v)]))
                        .try_into()
                        .map_err(|e| anyhow::anyhow!("the codebook's [analysis] table: {e}"))?;
                Ok(outer.analysis.unwrap_or_default())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_analysis_table() {
        let src = "[codebook]\nname = \"x\"\n[analysis]\nmix_family = \"keys\"\n[[analysis.continuum]]\nid = \"scope\"\nleft = \"role.focused\"\nright = \"role.holistic\"\nlabel_he = \"ממוקדת – הוליסטית\"\n";
        let s = AnalysisSpec::from_codebook_source(src).unwrap();
        assert_eq!(s.mix_family.as_deref(), Some("keys"));
        assert_eq!(s.continua.len(), 1);
        assert_eq!(s.continua[0].right, "role.holistic");
        assert_eq!(
            AnalysisSpec::from_codebook_source("code_id,parent\n").unwrap(),
            AnalysisSpec::default()
        );
        let bad = "[analysis]\nmix = 1\n";
        assert!(
            AnalysisSpec::from_codebook_source(bad)
                .unwrap_err()
                .to_string()
                .contains("[analysis]")
        );
    }
}
